/* A guest's console output, one log line per newline: "[guest NAME] text". */
#include <plinth/console.h>
#include <plinth/exit.h>
#include <plinth/format.h>
#include <plinth/log.h>

void guest_console_flush(struct guest *g)
{
	char tag[8 + GUEST_NAME_MAX];

	if (!g->console_len)
		return;
	fmt_snprintf(tag, sizeof(tag), "guest %s", g->name);
	log_printf(LOG_INFO, tag, "%.*s", (int)g->console_len, g->console_line);
	g->console_len = 0;
}

void guest_console_write(struct guest *g, const char *s, size_t n)
{
	/* Attached (someone types to it): its terminal output as it is, escapes included. */
	if (g->console_attached) {
		console_write(s, n);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\n') {
			guest_console_flush(g);
			continue;
		}
		if (c == '\r')
			continue;
		/* Control characters would let a guest forge hypervisor log lines. */
		if ((unsigned char)c < 0x20 || c == 0x7F)
			c = c == '\t' ? ' ' : '?';
		g->console_line[g->console_len++] = c;
		if (g->console_len == sizeof(g->console_line))
			guest_console_flush(g);
	}
}

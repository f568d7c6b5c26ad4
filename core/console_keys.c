#define LOG_TAG "console"
#include <plinth/console.h>
#include <plinth/exit.h>
#include <plinth/guest_platform.h>
#include <plinth/log.h>
#include <plinth/vcpu_loop.h>

#include "vcpu_loop_internal.h"

/*
 * The serial console, read by the boot CPU at its ticks: what is typed goes
 * to the first running guest that drives its COM1 (the console issue adds
 * attaching to a chosen one); Ctrl-] then a key is a command for Plinth.
 */
#define CONSOLE_ESCAPE 0x1D /* Ctrl-] */

/*
 * The guest typing goes to: once a key arrives, the first running guest that
 * drives its COM1 is attached, and its output goes out raw from then on
 * (until it stops), so that its shell works as a terminal.
 */
static struct guest *input_guest(void)
{
	static struct guest *attached;

	if (attached && attached->state == GUEST_RUNNING)
		return attached;
	if (attached)
		attached->console_attached = false;
	attached = NULL;
	for (size_t i = 0; i < guest_count() && !attached; i++) {
		struct guest *g = guest_by_index(i);
		if (g->state == GUEST_RUNNING && guest_platform_uart_in_use(g))
			attached = g;
	}
	if (attached) {
		log_info("serial console attached to guest %s (Ctrl-] s: statistics)", attached->name);
		guest_console_flush(attached);
		attached->console_attached = true;
	}
	return attached;
}

static void console_command(int c)
{
	if (c == 's' || c == 'S')
		vcpu_loop_log_stats();
	else
		log_info("after Ctrl-]: s prints the statistics");
}

void console_keys_poll(void)
{
	static bool escaped;
	char buf[64];
	size_t n = 0;
	int c;

	while (n < sizeof(buf) && (c = console_getc()) >= 0) {
		if (escaped) {
			escaped = false;
			console_command(c);
		} else if (c == CONSOLE_ESCAPE) {
			escaped = true;
		} else {
			buf[n++] = (char)c;
		}
	}
	struct guest *g = n ? input_guest() : NULL;
	if (g)
		guest_platform_input(g, buf, n);
}


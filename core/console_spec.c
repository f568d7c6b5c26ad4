/* console= values: parts joined by '+' (include/plinth/console_spec.h). */
#include <plinth/console_spec.h>
#include <plinth/errno.h>
#include <plinth/string.h>
#include <plinth/uart.h>

static int one_part(const char *part, size_t len, struct console_spec *out, const char **why)
{
	char word[CONSOLE_SPEC_MAX];

	if (len == 0) {
		*why = "an empty part (two '+' in a row, or one at an end)";
		return -E_INVAL;
	}
	if (len >= sizeof(word)) {
		*why = "a part longer than 63 characters";
		return -E_INVAL;
	}
	memcpy(word, part, len);
	word[len] = '\0';
	if (strcmp(word, "screen") == 0 || strcmp(word, "noscreen") == 0) {
		if (out->screen != SCREEN_UNSAID) {
			*why = "screen/noscreen given twice";
			return -E_INVAL;
		}
		out->screen = word[0] == 's' ? SCREEN_ON : SCREEN_OFF;
		return 0;
	}
	if (out->has_serial) {
		*why = "a second serial port (the log uses one)";
		return -E_INVAL;
	}
	if (uart_parse_spec(word, &out->port, &out->baud) != 0) {
		*why = "not a serial port (use e.g. com1,115200), screen or noscreen";
		return -E_INVAL;
	}
	memcpy(out->serial, word, len + 1);
	out->has_serial = true;
	return 0;
}

int console_spec_parse(const char *spec, struct console_spec *out, const char **why)
{
	memset(out, 0, sizeof(*out));
	*why = NULL;
	for (const char *p = spec;;) {
		const char *end = strchr(p, '+');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		int err = one_part(p, len, out, why);

		if (err)
			return err;
		if (!end)
			return 0;
		p = end + 1;
	}
}

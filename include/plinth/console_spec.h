/*
 * What `console=` on the command line and `[hypervisor] console` in the
 * configuration say: a serial port and/or "screen" / "noscreen", joined by
 * '+' ("com2,9600+noscreen"). Parsed alike in the kernel and plinth-cfg.
 */
#ifndef PLINTH_CONSOLE_SPEC_H
#define PLINTH_CONSOLE_SPEC_H

#include <plinth/types.h>

#define CONSOLE_SPEC_MAX 64

enum console_screen_choice {
	SCREEN_UNSAID = 0, /* keep what it was (default: on when there is a screen) */
	SCREEN_ON,
	SCREEN_OFF,
};

struct console_spec {
	bool has_serial;
	uint16_t port;
	uint32_t baud;
	char serial[CONSOLE_SPEC_MAX]; /* the serial part as written */
	enum console_screen_choice screen;
};

/*
 * Returns 0, or -E_INVAL with *why naming the part that is wrong (an empty
 * part, a second serial port or screen word, or a serial port uart_parse_spec
 * does not know).
 */
int console_spec_parse(const char *spec, struct console_spec *out, const char **why);

#endif

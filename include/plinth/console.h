/*
 * Console output fan-out: every registered sink (serial port now, a screen
 * console later) gets every byte. Output never blocks forever: a sink that
 * cannot keep up drops bytes rather than hang the hypervisor.
 */
#ifndef PLINTH_CONSOLE_H
#define PLINTH_CONSOLE_H

#include <plinth/types.h>

struct console_sink {
	const char *name;
	void (*write)(struct console_sink *sink, const char *s, size_t n);
	void (*flush)(struct console_sink *sink); /* wait until sent; may be NULL */
	struct console_sink *next;
};

void console_register(struct console_sink *sink);
void console_unregister(struct console_sink *sink);
void console_write(const char *s, size_t n);
void console_puts(const char *s);
void console_flush(void);
/* From now on console_write does not wait for ever for its lock (panic). */
void console_enter_panic_mode(void);

/*
 * Boot-time set-up: COM1 at 115200 first, then whatever `console=` and
 * `loglevel=` on the command line ask for (core/console_setup.c).
 */
void console_early_init(void);
void console_configure(const char *cmdline);
/* The I/O port of the UART the hypervisor's console uses (0: none). */
uint16_t console_serial_port(void);
/* A byte typed on the serial console, or -1 when none is waiting (polled). */
int console_getc(void);
/* Move the console to the serial port `spec` ("com2,9600"); `origin` names the setting in messages. */
void console_use_serial(const char *spec, const char *origin);

#endif

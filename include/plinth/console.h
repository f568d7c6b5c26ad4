/*
 * Console output fan-out: every registered sink (the serial port, the
 * screen) gets every log line; raw terminal output skips the log-only ones.
 * Output never blocks forever: a sink that cannot keep up drops bytes rather
 * than hang the hypervisor.
 */
#ifndef PLINTH_CONSOLE_H
#define PLINTH_CONSOLE_H

#include <plinth/console_spec.h>
#include <plinth/types.h>

struct boot_info;

struct console_sink {
	const char *name;
	void (*write)(struct console_sink *sink, const char *s, size_t n);
	void (*flush)(struct console_sink *sink); /* wait until sent; may be NULL */
	/* One log line and its level (enum log_level), e.g. to colour it; may be NULL: write. */
	void (*write_log)(struct console_sink *sink, int level, const char *s, size_t n);
	/*
	 * Log lines only: raw output (the management console's prompts and
	 * answers, an attached guest's terminal) and the prompt redraw skip
	 * it. For a sink nobody can type at: the screen without a keyboard.
	 */
	bool log_only;
	struct console_sink *next;
};

void console_register(struct console_sink *sink);
void console_unregister(struct console_sink *sink);
void console_write(const char *s, size_t n);
/* A log line at `level` (enum log_level): what console_write does, plus the level. */
void console_write_log(int level, const char *s, size_t n);
/* A guest's terminal output as it is (escapes and all): every sink but the log-only ones. */
void console_write_raw(const char *s, size_t n);
void console_puts(const char *s);

/*
 * The management console's output (raw, as console_write_raw), after which
 * the last line of each terminal (the serial line, a screen with a keyboard)
 * reads `line` (its prompt and what is typed; empty when no prompt is
 * shown). Log lines written while a prompt shows erase it and draw it again
 * after themselves.
 */
#define CONSOLE_PROMPT_MAX 160
void console_write_prompt(const char *s, size_t n, const char *line, size_t line_len);
void console_flush(void);
/* From now on console_write does not wait for ever for its lock (panic). */
void console_enter_panic_mode(void);

/*
 * Boot-time set-up: COM1 at 115200 first, then whatever `console=` and
 * `loglevel=` on the command line ask for (core/console_setup.c), then the
 * screen (console_screen_start).
 */
void console_early_init(void);
void console_configure(const char *cmdline);
/* The I/O port of the UART the hypervisor's console uses (0: none). */
uint16_t console_serial_port(void);
/*
 * A byte typed at the console, or -1 when none is waiting (polled): the
 * serial line's first, then the screen's keyboard's (console_screen_getc).
 */
int console_getc(void);
/*
 * Apply a console spec ("com2,9600", "noscreen", "com2+screen", see
 * console_spec.h): move the log to that serial port and/or turn the screen
 * console on or off. `origin` names the setting in messages.
 */
void console_use(const char *spec, const char *origin);

/*
 * Screen console (core/console_screen.c): the loader's framebuffer or VGA
 * text screen, on unless console= said noscreen. Started once the loader's
 * information is read; a framebuffer above 4 GiB (outside the boot stub's
 * map) only keeps its text until console_screen_paging_ready.
 */
void console_screen_start(const struct boot_info *bi);
void console_screen_paging_ready(void);
void console_screen_choose(enum console_screen_choice choice, const char *origin);
/*
 * A byte typed on the PS/2 keyboard (US layout), or -1: none waiting, no
 * keyboard, or the screen console is off (the keyboard goes with it: found
 * at console_screen_start, it makes the screen a full terminal).
 */
int console_screen_getc(void);

#endif

/*
 * echo: a guest that never ends, for the console tests. It says it is
 * ready, then reads its COM1 (the emulated UART, fed by whoever is attached
 * with `console echo`) and behaves like a tiny shell: every byte is echoed,
 * Backspace erases ("\b \b"), and Enter answers "echo: LINE". Each answer
 * also carries what a real shell sends that a terminal must not print: a
 * cursor position query (ESC [ 6 n), colours (ESC [ 32 m) and a window title
 * (OSC). Between polls it sleeps 10 ms on HC_SET_TIMER.
 */
#include "guest.h"

#include <plinth/string.h>

#define MS 1000000ull
#define POLL_NS (10 * MS)
#define TIMER_VECTOR 0x41
#define COM1 0x3F8
#define COM1_LSR (COM1 + 5)
#define LSR_DATA_READY 0x01
#define LINE_MAX 80

static void write_out(const char *s, size_t n)
{
	hc_console_write((uint64_t)(uintptr_t)s, n);
}

static void write_str(const char *s)
{
	write_out(s, strlen(s));
}

static void sleep_a_while(void)
{
	volatile unsigned *count = &rt_irq_count[TIMER_VECTOR];
	unsigned before = *count;

	cli();
	hc_set_timer(hc_clock() + POLL_NS, TIMER_VECTOR);
	/* STI's shadow covers HLT: the interrupt cannot slip in between. */
	while (*count == before)
		asm volatile("sti\n\thlt\n\tcli" ::: "memory");
	sti();
}

void guest_main(void)
{
	static char line[LINE_MAX + 1];
	size_t len = 0;

	say("ready: type a line");
	write_str("\x1b]0;echo\x07" "echo$ ");
	for (;;) {
		while (inb(COM1_LSR) & LSR_DATA_READY) {
			char c = (char)inb(COM1);

			if (c == '\r' || c == '\n') {
				line[len] = '\0';
				write_str("\r\n\x1b[6necho: \x1b[32m");
				write_out(line, len);
				write_str("\x1b[0m\r\necho$ ");
				len = 0;
			} else if ((c == '\b' || c == 0x7F) && len) {
				len--;
				write_str("\b \b");
			} else if (c >= 0x20 && c < 0x7F && len < LINE_MAX) {
				line[len++] = c;
				write_out(&c, 1);
			}
		}
		sleep_a_while();
	}
}

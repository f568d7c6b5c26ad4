#include <plinth/console.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>

static struct console_sink *sinks;
static spinlock_t console_lock;
static volatile bool panicking;
static volatile bool lock_abandoned; /* a panic gave up on the lock once: never wait again */

/*
 * The terminals' last line (the serial line's, and the screen's when it has
 * a keyboard) when it is a prompt and what is typed after it
 * (console_write_prompt): a log line arriving then is written over it and the
 * prompt line drawn again below, so a half-typed command is never split.
 */
static char prompt_line[CONSOLE_PROMPT_MAX];
static size_t prompt_len;
#define ERASE_LINE "\r\x1b[K" /* carriage return, erase to the end of the line (VT100) */

/* Enough for a line to finish on another CPU, short enough not to stall a panic. */
#define PANIC_LOCK_SPINS 10000000u

void console_enter_panic_mode(void)
{
	panicking = true;
}

/*
 * In a panic the lock may be held by a CPU that was stopped, or by the
 * panicking CPU itself (a fault inside console_write): wait a while, then
 * write without it. Garbled output beats no output.
 */
static bool lock_console(void)
{
	if (!panicking) {
		spin_lock(&console_lock);
		return true;
	}
	for (unsigned n = 0; !lock_abandoned && n < PANIC_LOCK_SPINS; n++) {
		if (spin_trylock(&console_lock))
			return true;
		__builtin_ia32_pause();
	}
	lock_abandoned = true;
	return false;
}

void console_register(struct console_sink *sink)
{
	spin_lock(&console_lock);
	sink->next = sinks;
	sinks = sink;
	spin_unlock(&console_lock);
}

void console_unregister(struct console_sink *sink)
{
	spin_lock(&console_lock);
	for (struct console_sink **p = &sinks; *p; p = &(*p)->next) {
		if (*p == sink) {
			*p = sink->next;
			break;
		}
	}
	spin_unlock(&console_lock);
}

#define NO_LEVEL (-1)

static void write_sinks_locked(const char *s, size_t n, bool raw, int level)
{
	/* Only whole log lines may interrupt a prompt (a console_write may be half a line). */
	bool over_prompt = prompt_len && level != NO_LEVEL;

	for (struct console_sink *k = sinks; k; k = k->next) {
		if (raw && k->log_only)
			continue;
		if (over_prompt && !k->log_only)
			k->write(k, ERASE_LINE, sizeof(ERASE_LINE) - 1);
		if (level != NO_LEVEL && k->write_log)
			k->write_log(k, level, s, n);
		else
			k->write(k, s, n);
		if (over_prompt && !k->log_only)
			k->write(k, prompt_line, prompt_len);
	}
}

static void write_sinks(const char *s, size_t n, bool raw, int level)
{
	bool locked = lock_console();

	write_sinks_locked(s, n, raw, level);
	if (locked)
		spin_unlock(&console_lock);
}

void console_write_prompt(const char *s, size_t n, const char *line, size_t line_len)
{
	bool locked = lock_console();

	write_sinks_locked(s, n, true, NO_LEVEL);
	prompt_len = MIN(line_len, sizeof(prompt_line));
	memcpy(prompt_line, line, prompt_len);
	if (locked)
		spin_unlock(&console_lock);
}

void console_write(const char *s, size_t n)
{
	write_sinks(s, n, false, NO_LEVEL);
}

void console_write_log(int level, const char *s, size_t n)
{
	write_sinks(s, n, false, level);
}

void console_write_raw(const char *s, size_t n)
{
	write_sinks(s, n, true, NO_LEVEL);
}

void console_puts(const char *s)
{
	console_write(s, strlen(s));
}

void console_flush(void)
{
	for (struct console_sink *k = sinks; k; k = k->next)
		if (k->flush)
			k->flush(k);
}

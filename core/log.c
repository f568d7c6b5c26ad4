/*
 * Levelled, tagged log lines: "[tag] message", "[tag] error: message". The
 * newest LOG_RING_SIZE bytes are also kept in a ring that the console's
 * `log` command prints.
 */
#include <plinth/byte_ring.h>
#include <plinth/console.h>
#include <plinth/errno.h>
#include <plinth/format.h>
#include <plinth/log.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>

#define LOG_LINE_MAX 512
#define LOG_RING_SIZE 16384

static char ring_buf[LOG_RING_SIZE];
static struct byte_ring ring = { ring_buf, LOG_RING_SIZE, 0, 0, 0 };
static spinlock_t ring_lock;

size_t log_ring_copy(char *out, size_t size)
{
	spin_lock(&ring_lock);
	struct byte_ring newest = ring;
	if (byte_ring_used(&ring) > size) /* the newest bytes: the first line may be cut */
		newest.tail = ring.head - size;
	size_t n = byte_ring_peek(&newest, out, size);
	spin_unlock(&ring_lock);
	return n;
}

/*
 * Never wait long for the ring: a CPU that panicked or faulted while holding
 * it must not stop the others' log lines from reaching the console.
 */
static void ring_write(const char *s, size_t n)
{
	for (unsigned tries = 0; tries < 100000; tries++) {
		if (spin_trylock(&ring_lock)) {
			byte_ring_write(&ring, s, n);
			spin_unlock(&ring_lock);
			return;
		}
		__builtin_ia32_pause();
	}
}

static enum log_level current_level = LOG_INFO;

static const char *const level_names[] = {
	[LOG_PANIC] = "panic", [LOG_ERROR] = "error", [LOG_WARN] = "warn",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

int log_level_parse(const char *name, enum log_level *out)
{
	for (unsigned i = 0; i < ARRAY_SIZE(level_names); i++) {
		if (strcmp(name, level_names[i]) == 0 ||
		    (name[0] == (char)('0' + i) && name[1] == '\0')) {
			*out = (enum log_level)i;
			return 0;
		}
	}
	if (strcmp(name, "warning") == 0) {
		*out = LOG_WARN;
		return 0;
	}
	return -E_INVAL;
}

static const char *level_prefix(enum log_level level)
{
	switch (level) {
	case LOG_ERROR:
		return "error: ";
	case LOG_WARN:
		return "warning: ";
	case LOG_PANIC:
	case LOG_INFO:
	case LOG_DEBUG:
		break;
	}
	return "";
}

void log_printf(enum log_level level, const char *tag, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;
	int n;

	if (level > current_level)
		return;
	n = fmt_snprintf(line, sizeof(line) / 2, "[%s] %s", tag, level_prefix(level));
	if (n >= (int)sizeof(line) / 2)
		n = (int)sizeof(line) / 2 - 1;
	va_start(ap, fmt);
	int body = fmt_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	n = body < 0 ? LOG_LINE_MAX : n + body; /* -1: beyond INT_MAX, so cut */
	if (n > LOG_LINE_MAX - 2) { /* cut: show it */
		n = LOG_LINE_MAX - 2;
		memcpy(line + n - 3, "...", 3);
	}
	line[n++] = '\n';
	ring_write(line, (size_t)n);
	console_write_log(level, line, (size_t)n);
}

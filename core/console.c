#include <plinth/console.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>

static struct console_sink *sinks;
static spinlock_t console_lock;

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

void console_write(const char *s, size_t n)
{
	spin_lock(&console_lock);
	for (struct console_sink *k = sinks; k; k = k->next)
		k->write(k, s, n);
	spin_unlock(&console_lock);
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

/*
 * A guest's console output, where its `serial` key sends it: "console" (the
 * default) makes one log line per newline, "[guest NAME] text", and keeps the
 * bytes in the guest's ring for the management console (docs/console.md):
 * while a guest is attached its output goes out raw and the others' only
 * into their rings. "com1".."com4" give the guest a host serial port of its
 * own, bytes as they are; "none" drops them.
 */
#define LOG_TAG "guest"
#include <plinth/console.h>
#include <plinth/exit.h>
#include <plinth/format.h>
#include <plinth/log.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include <plinth/uart.h>

#define HOST_SERIAL_PORTS 4

static struct {
	struct uart16550 uart;
	bool tried, ok;
} host_serial[HOST_SERIAL_PORTS];
static spinlock_t host_serial_lock;

/* The host UART for "comN" (1..4), set up on first use; NULL if it cannot be used. */
static struct uart16550 *host_serial_port(struct guest *g, unsigned n)
{
	static const uint16_t ports[HOST_SERIAL_PORTS] = { 0x3F8, 0x2F8, 0x3E8, 0x2E8 };
	struct uart16550 *u = NULL;

	spin_lock(&host_serial_lock);
	if (!host_serial[n - 1].tried) {
		host_serial[n - 1].tried = true;
		if (ports[n - 1] == console_serial_port())
			log_warn("%s: serial com%u is Plinth's own console: its output goes to the log",
				 g->name, n);
		else if (uart16550_init(&host_serial[n - 1].uart, ports[n - 1], 115200) != 0)
			log_warn("%s: serial com%u: no UART answers at %#x: its output goes to the log",
				 g->name, n, ports[n - 1]);
		else
			host_serial[n - 1].ok = true;
	}
	if (host_serial[n - 1].ok)
		u = &host_serial[n - 1].uart;
	spin_unlock(&host_serial_lock);
	return u;
}

/* true when the bytes went to the guest's own port, or nowhere ("none"). */
static bool write_to_own_serial(struct guest *g, const char *s, size_t n)
{
	const char *serial = g->desc.serial;

	if (strcmp(serial, "none") == 0)
		return true;
	if (strncmp(serial, "com", 3) != 0 || serial[3] < '1' || serial[3] > '4')
		return false;
	struct uart16550 *u = host_serial_port(g, (unsigned)(serial[3] - '0'));
	if (!u)
		return false;
	for (size_t i = 0; i < n; i++)
		uart16550_putc(u, s[i]);
	return true;
}

void guest_console_flush(struct guest *g)
{
	char tag[8 + GUEST_NAME_MAX];

	if (!g->console_len)
		return;
	fmt_snprintf(tag, sizeof(tag), "guest %s", g->name);
	log_printf(LOG_INFO, tag, "%.*s", (int)g->console_len, g->console_line);
	g->console_len = 0;
}

static struct guest *volatile attached_guest;

size_t guest_console_attach(struct guest *g, char *out, size_t size, uint64_t *dropped)
{
	struct guest *old = attached_guest;
	size_t n = 0;

	if (old) {
		spin_lock(&old->console_ring_lock);
		old->console_attached = false;
		spin_unlock(&old->console_ring_lock);
	}
	attached_guest = g;
	if (!g)
		return 0;
	/* Under the ring's lock: no byte is both replayed and written raw, or lost between. */
	spin_lock(&g->console_ring_lock);
	/* The newest bytes matter (the shell's prompt): drop the oldest that do not fit. */
	if (byte_ring_used(&g->console_ring) > size)
		byte_ring_drop_oldest(&g->console_ring, byte_ring_used(&g->console_ring) - size);
	n = byte_ring_read(&g->console_ring, out, size);
	*dropped = byte_ring_take_dropped(&g->console_ring);
	g->console_len = 0; /* its half line is in the replay */
	g->console_attached = true;
	spin_unlock(&g->console_ring_lock);
	return n;
}

void guest_console_write(struct guest *g, const char *s, size_t n)
{
	if (write_to_own_serial(g, s, n))
		return;
	spin_lock(&g->console_ring_lock);
	/*
	 * Attached (someone types to it at the console): its terminal output as
	 * it is, escapes included, to the serial line and to a screen that has
	 * a keyboard; a log-only screen shows no terminal it cannot type into.
	 */
	if (g->console_attached) {
		spin_unlock(&g->console_ring_lock);
		console_write_raw(s, n);
		return;
	}
	byte_ring_write(&g->console_ring, s, n);
	spin_unlock(&g->console_ring_lock);
	/* Someone works in another guest's console: no log lines across it. */
	if (attached_guest)
		return;
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

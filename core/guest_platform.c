/*
 * A guest's emulated PC platform: drivers/v*.c models behind one lock per
 * guest, with their output going to the guest's console and a reset request
 * (i8042 pulse, port 0xCF9 or 0x92) treated as a crash: on_crash decides.
 */
#define LOG_TAG "platform"
#include <plinth/backend.h>
#include <plinth/exit.h>
#include <plinth/errno.h>
#include <plinth/guest_platform.h>
#include <plinth/io_bus.h>
#include <plinth/log.h>
#include <plinth/time.h>
#include <plinth/wall_clock.h>

static void uart_output(void *ctx, unsigned port_index, const char *buf, size_t n)
{
	(void)port_index;
	guest_console_write(ctx, buf, n);
}

/* Under platform_lock, after the devices changed: the next entry must look at them. */
static void platform_changed(struct guest *g)
{
	__atomic_store_n(&g->platform_quiet_until, 0, __ATOMIC_RELEASE);
}

static void reset_requested(void *ctx, const char *why)
{
	guest_crash(ctx, "asked for a reboot (%s)", why);
}

void guest_platform_init(struct guest *g)
{
	struct vplatform_env env = {
		.uart_output = uart_output,
		.reset = reset_requested,
		.ctx = g,
		/* The host's date (read at boot) plus the time since: also for guests started later. */
		.wall_clock_base = wall_clock_base(),
		.ram_bytes = g->memory,
		/* Guest RAM is one run from GPA 0: below 4 GiB up to its end, or all of 4 GiB. */
		.lowmem_limit = MIN(g->memory, GiB(4)),
	};

	spin_lock(&g->platform_lock);
	vplatform_init(&g->platform, &env, time_now_ns());
	platform_changed(g);
	spin_unlock(&g->platform_lock);
}

bool guest_platform_io(struct guest *g, uint16_t port, uint8_t size, bool in, uint32_t *value)
{
	spin_lock(&g->platform_lock);
	bool claimed = vplatform_io(&g->platform, time_now_ns(), port, size, in, value);
	platform_changed(g);
	spin_unlock(&g->platform_lock);
	return claimed;
}

int guest_platform_irq_pending(struct guest *g, uint64_t now)
{
	spin_lock(&g->platform_lock);
	vplatform_advance(&g->platform, now);
	int vector = vplatform_irq_pending(&g->platform);
	spin_unlock(&g->platform_lock);
	return vector;
}

/*
 * Before each VM entry. Bringing the devices up to date costs a few hundred
 * instructions (make bench), so it is skipped while nothing can be due: no
 * interrupt waiting, no device access since the last look, and the next
 * timer event (PIT, RTC) still ahead. A device access on another CPU (typed
 * input) may be seen one entry late.
 */
bool guest_platform_deliver(struct guest *g, struct vcpu *v, uint64_t now)
{
	bool delivered = false;

	if (now < __atomic_load_n(&g->platform_quiet_until, __ATOMIC_ACQUIRE))
		return false;
	spin_lock(&g->platform_lock);
	vplatform_advance(&g->platform, now);
	int vector = vplatform_irq_pending(&g->platform);
	if (vector >= 0 && !backend->irq_ready(v)) {
		backend->irq_window(v, true);
	} else if (vector >= 0) {
		struct vcpu_event ev = { EVENT_EXTINT, (uint8_t)vector, false, 0 };
		if (backend->inject(v, &ev) == 0) {
			/* INTA: the 8259 moves the request in service (the vector stays the one injected). */
			vplatform_irq_ack(&g->platform);
			backend->irq_window(v, false);
			delivered = true;
		}
	}
	/* After an injection the next may be waiting: look again next time. */
	uint64_t quiet = vector < 0 ? vplatform_next_event(&g->platform, now) : 0;
	__atomic_store_n(&g->platform_quiet_until, quiet, __ATOMIC_RELEASE);
	spin_unlock(&g->platform_lock);
	return delivered;
}

uint64_t guest_platform_next_event(struct guest *g, uint64_t now)
{
	spin_lock(&g->platform_lock);
	uint64_t next = vplatform_next_event(&g->platform, now);
	spin_unlock(&g->platform_lock);
	return next;
}

bool guest_platform_uart_in_use(struct guest *g)
{
	return g->platform.com1.ier || g->platform.com1.mcr;
}

static void platform_port_access(struct guest *g, void *opaque, uint16_t port, uint8_t size,
				 bool in, uint32_t *value)
{
	(void)opaque;
	if (!guest_platform_io(g, port, size, in, value) && in)
		*value = 0xFFFFFFFFu; /* a byte of a wide access no device decodes */
}

/* Where the platform's devices sit on the I/O bus (docs/devices.md). */
static const struct io_device platform_ports[] = {
	{ "8259 master", 0x20, 2, platform_port_access, NULL },
	{ "8254 PIT", 0x40, 4, platform_port_access, NULL },
	{ "i8042 data", 0x60, 1, platform_port_access, NULL },
	{ "port B", 0x61, 1, platform_port_access, NULL },
	{ "i8042 command", 0x64, 1, platform_port_access, NULL },
	{ "CMOS RTC", 0x70, 2, platform_port_access, NULL },
	{ "POST code", 0x80, 1, platform_port_access, NULL },
	{ "port A", 0x92, 1, platform_port_access, NULL },
	{ "8259 slave", 0xA0, 2, platform_port_access, NULL },
	{ "delay", 0xED, 1, platform_port_access, NULL },
	{ "COM1", 0x3F8, 8, platform_port_access, NULL },
	{ "ELCR", 0x4D0, 2, platform_port_access, NULL },
	{ "PCI config, reset control", 0xCF8, 8, platform_port_access, NULL },
};

int guest_platform_register_ports(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(platform_ports); i++) {
		int err = io_bus_register(&platform_ports[i]);
		if (err) {
			log_error("cannot put %s at port %#x on the I/O bus: %s", platform_ports[i].name,
				  platform_ports[i].base, err_name(err));
			return err;
		}
	}
	return 0;
}

size_t guest_platform_input(struct guest *g, const char *buf, size_t n)
{
	spin_lock(&g->platform_lock);
	size_t taken = vplatform_uart_input(&g->platform, buf, n);
	platform_changed(g);
	spin_unlock(&g->platform_lock);
	return taken;
}

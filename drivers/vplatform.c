/*
 * The emulated legacy PC platform: port dispatch, the small ports (0x80,
 * PCI configuration mechanism 1, 0xCF9, 0x92, 0xED) and the interrupt
 * wiring of the device models (docs/devices.md).
 */
#include <plinth/string.h>
#include <plinth/vplatform.h>

enum { IRQ_PIT = 0, IRQ_KBD = 1, IRQ_COM1 = 4, IRQ_RTC = 8, IRQ_AUX = 12 };

static void uart_out(void *ctx, unsigned index, const char *buf, size_t n)
{
	struct vplatform *p = ctx;
	if (p->env.uart_output)
		p->env.uart_output(p->env.ctx, index, buf, n);
}

static void do_reset(void *ctx, const char *why)
{
	struct vplatform *p = ctx;
	if (p->env.reset)
		p->env.reset(p->env.ctx, why);
}

void vplatform_init(struct vplatform *p, const struct vplatform_env *env, uint64_t now_ns)
{
	memset(p, 0, sizeof(*p));
	p->env = *env;
	vpic_init(&p->pic);
	vpit_init(&p->pit, now_ns);
	vuart_init(&p->com1, 0x3F8, 0, uart_out, p);
	vrtc_init(&p->rtc, env->wall_clock_base, now_ns);
	uint64_t low = env->lowmem_limit ? env->lowmem_limit : GiB(3);
	uint64_t below = MIN(env->ram_bytes, low);
	vrtc_set_memory(&p->rtc, below, env->ram_bytes - below);
	vkbc_init(&p->kbc, do_reset, p);
	p->port92 = 0x02; /* A20 on */
}

/* Level-driven lines follow their device; the keyboard controller moves its
 * next byte in only after the line was seen low, so each byte is an edge. */
static void update_lines(struct vplatform *p)
{
	vpic_set_irq(&p->pic, IRQ_COM1, vuart_irq_level(&p->com1));
	vpic_set_irq(&p->pic, IRQ_RTC, vrtc_irq_level(&p->rtc));
	vpic_set_irq(&p->pic, IRQ_KBD, vkbc_irq1(&p->kbc));
	vpic_set_irq(&p->pic, IRQ_AUX, vkbc_irq12(&p->kbc));
	vkbc_sync(&p->kbc);
	vpic_set_irq(&p->pic, IRQ_KBD, vkbc_irq1(&p->kbc));
	vpic_set_irq(&p->pic, IRQ_AUX, vkbc_irq12(&p->kbc));
}

void vplatform_advance(struct vplatform *p, uint64_t now_ns)
{
	if (vpit_advance(&p->pit, now_ns)) {
		/* OUT0 rose (perhaps several times, coalesced): one edge. */
		vpic_set_irq(&p->pic, IRQ_PIT, true);
		vpic_set_irq(&p->pic, IRQ_PIT, false);
	}
	vrtc_advance(&p->rtc, now_ns);
	update_lines(p);
}

/* One byte of the small ports; false when nobody has the port. */
static bool misc_io(struct vplatform *p, uint16_t port, bool in, uint8_t *val)
{
	switch (port) {
	case 0x80: /* POST code */
		if (in)
			*val = p->post_code;
		else
			p->post_code = *val;
		return true;
	case 0xED: /* I/O delay */
		if (in)
			*val = 0xFF;
		return true;
	case 0x92: /* system control port A: bit 0 fast reset, bit 1 A20 */
		if (in) {
			*val = p->port92;
		} else {
			bool reset = (*val & 1) && !(p->port92 & 1);
			p->port92 = (uint8_t)((*val & ~1) | 0x02);
			if (reset)
				do_reset(p, "port 0x92 fast reset");
		}
		return true;
	case 0xCF9: /* reset control: bit 2 starts the reset bit 1 selects */
		if (in) {
			*val = p->cf9;
		} else {
			p->cf9 = *val & 0x0A; /* bit 2 reads back 0 */
			if (*val & 0x04)
				do_reset(p, "0xCF9 reset control");
		}
		return true;
	case 0xCFC: case 0xCFD: case 0xCFE: case 0xCFF: /* PCI data: no devices */
		if (in)
			*val = 0xFF;
		return true;
	default:
		return false;
	}
}

static bool byte_io(struct vplatform *p, uint64_t now, uint16_t port, bool in, uint8_t *val)
{
	return vpic_io(&p->pic, port, in, val) || vpit_io(&p->pit, now, port, in, val) ||
	       vuart_io(&p->com1, port, in, val) || vrtc_io(&p->rtc, now, port, in, val) ||
	       vkbc_io(&p->kbc, port, in, val) || misc_io(p, port, in, val);
}

bool vplatform_io(struct vplatform *p, uint64_t now_ns, uint16_t port, uint8_t size, bool in,
		  uint32_t *value)
{
	bool claimed = false;
	if (size != 1 && size != 2 && size != 4)
		return false;
	if (port == 0xCF8 && size == 4) { /* PCI configuration address */
		if (in)
			*value = p->pci_addr;
		else
			p->pci_addr = *value & 0x80FFFFFC;
		return true;
	}
	/* Bring time-driven state up to now first: a read sees current flags. */
	vplatform_advance(p, now_ns);
	uint32_t result = 0;
	for (unsigned i = 0; i < size; i++) {
		uint8_t b = in ? 0xFF : (uint8_t)(*value >> (8 * i));
		if (byte_io(p, now_ns, (uint16_t)(port + i), in, &b))
			claimed = true;
		else if (in)
			b = 0xFF;
		result |= (uint32_t)b << (8 * i);
	}
	if (in && claimed)
		*value = result;
	vplatform_advance(p, now_ns);
	return claimed;
}

int vplatform_irq_pending(const struct vplatform *p)
{
	return vpic_pending(&p->pic);
}

int vplatform_irq_ack(struct vplatform *p)
{
	int vector = vpic_ack(&p->pic);
	update_lines(p);
	return vector;
}

uint64_t vplatform_next_event(const struct vplatform *p, uint64_t now_ns)
{
	return MIN(vpit_next_event(&p->pit, now_ns), vrtc_next_event(&p->rtc, now_ns));
}

size_t vplatform_uart_input(struct vplatform *p, const char *buf, size_t n)
{
	size_t done = vuart_input(&p->com1, buf, n);
	update_lines(p);
	return done;
}

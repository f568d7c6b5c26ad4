/*
 * Emulated 8254 PIT (ports 0x40-0x43) and system control port B (0x61).
 * Counters are computed from time, never ticked: a channel remembers when it
 * started counting and derives its counter and OUT pin from the PIT ticks
 * since then (docs/devices.md).
 */
#include <plinth/string.h>
#include <plinth/vplatform.h>

#define NS_PER_SEC 1000000000ull
#define REFRESH_NS 15085 /* port 0x61 bit 4 toggles every 15.085 us */

uint64_t vpit_ticks_between(uint64_t a_ns, uint64_t b_ns)
{
	if (b_ns <= a_ns)
		return 0;
	uint64_t e = b_ns - a_ns;
	/* floor(e * HZ / 1e9) without overflow: split e into seconds + rest. */
	return (e / NS_PER_SEC) * VPIT_HZ + (e % NS_PER_SEC) * VPIT_HZ / NS_PER_SEC;
}

/* The fewest nanoseconds after which vpit_ticks_between() reaches t. */
static uint64_t ticks_to_ns(uint64_t t)
{
	uint64_t q = t / VPIT_HZ, r = t % VPIT_HZ;
	return q * NS_PER_SEC + (r * NS_PER_SEC + VPIT_HZ - 1) / VPIT_HZ;
}

/* Ticks counted since the count was loaded (or the last restart). */
static uint64_t elapsed(const struct vpit_channel *c, uint64_t now)
{
	return c->ticks_before + (c->running ? vpit_ticks_between(c->start_ns, now) : 0);
}

/* Number of rising edges of OUT after d ticks of counting. */
static uint64_t edges_at(const struct vpit_channel *c, uint64_t d)
{
	switch (c->mode) {
	case 2:
	case 3:
		return d / c->count;
	case 4:
	case 5: /* OUT low for one tick at terminal count, then high */
		return d >= (uint64_t)c->count + 1;
	default: /* 0, 1: OUT goes high at terminal count */
		return d >= c->count;
	}
}

/* Ticks of counting at which edge number n (1-based) happens, or UINT64_MAX. */
static uint64_t edge_tick(const struct vpit_channel *c, uint64_t n)
{
	switch (c->mode) {
	case 2:
	case 3:
		return n * c->count;
	case 4:
	case 5:
		return n == 1 ? (uint64_t)c->count + 1 : UINT64_MAX;
	default:
		return n == 1 ? c->count : UINT64_MAX;
	}
}

static bool channel_out(const struct vpit_channel *c, uint64_t now)
{
	if (!c->loaded)
		return c->mode != 0; /* after a control word: low in mode 0, else high */
	if (!c->gate && (c->mode == 2 || c->mode == 3))
		return true;
	uint64_t d = elapsed(c, now);
	switch (c->mode) {
	case 0:
		return d >= c->count;
	case 1:
		return !c->running || d >= c->count;
	case 2:
		return d % c->count != c->count - 1;
	case 3:
		return d % c->count < (c->count + 1) / 2;
	case 4:
	case 5:
		return d != c->count;
	default:
		return true;
	}
}

static uint16_t channel_counter(const struct vpit_channel *c, uint64_t now)
{
	if (!c->loaded)
		return c->frozen;
	uint64_t d = elapsed(c, now);
	switch (c->mode) {
	case 2:
		return (uint16_t)(c->count - d % c->count);
	case 3: /* counts down by two through each half period */
		return (uint16_t)((c->count - (2 * d) % c->count) & 0xFFFE);
	default: /* 0, 1, 4, 5: wrap through 0xFFFF after terminal count */
		return (uint16_t)((c->count - d) & 0xFFFF);
	}
}

bool vpit_out(const struct vpit *pit, unsigned ch, uint64_t now_ns)
{
	return ch < 3 && channel_out(&pit->ch[ch], now_ns);
}

/* Record channel 0 edges up to now so reprogramming does not lose one. */
static void sync_ch0(struct vpit *pit, uint64_t now)
{
	struct vpit_channel *c = &pit->ch[0];
	if (!c->loaded)
		return;
	uint64_t e = edges_at(c, elapsed(c, now));
	if (e > c->edges_seen) {
		c->edges_seen = e;
		pit->irq0_edge = true;
	}
}

/* Start counting afresh at now (count written, or gate trigger). */
static void restart(struct vpit_channel *c, uint64_t now)
{
	c->start_ns = now;
	c->ticks_before = 0;
	c->edges_seen = 0;
	/* Modes 0/4 pause while the gate is low, 2/3 wait for it; 1/5 are
	 * triggered by its rising edge, and here by loading the count too. */
	c->running = c->gate || c->mode == 1 || c->mode == 5;
}

static void load_count(struct vpit_channel *c, uint64_t now, uint32_t v)
{
	c->count = v ? v : 0x10000;
	if ((c->mode == 2 || c->mode == 3) && c->count == 1)
		c->count = 2;	/* count 1 is illegal in the periodic modes */
	c->loaded = true;
	c->null_count = false;
	restart(c, now);
}

static void set_gate(struct vpit_channel *c, uint64_t now, bool gate)
{
	if (gate == c->gate)
		return;
	if (c->loaded) {
		switch (c->mode) {
		case 0:
		case 4: /* gate low suspends counting */
			if (!gate) {
				c->ticks_before = elapsed(c, now);
				c->running = false;
			} else {
				c->start_ns = now;
				c->running = true;
			}
			break;
		case 2:
		case 3: /* low stops (OUT high); rising edge reloads */
			if (gate) {
				c->gate = gate;
				restart(c, now);
			} else {
				c->ticks_before = 0;
				c->running = false;
			}
			break;
		default: /* 1, 5: rising edge triggers */
			if (gate)
				restart(c, now);
			break;
		}
	}
	c->gate = gate;
}

static uint8_t status_byte(const struct vpit_channel *c, uint64_t now)
{
	return (uint8_t)((channel_out(c, now) ? 0x80 : 0) | (c->null_count ? 0x40 : 0) |
			 (c->rw << 4) | (c->mode << 1) | c->bcd);
}

static void latch_count(struct vpit_channel *c, uint64_t now)
{
	if (c->latched)
		return; /* a second latch before reading is ignored */
	c->latch = channel_counter(c, now);
	c->latched = true;
	c->latch_msb = c->rw == 2;
}

static void control_word(struct vpit *pit, uint64_t now, uint8_t v)
{
	unsigned sc = v >> 6, rw = (v >> 4) & 3;
	if (sc == 3) { /* read-back: bit 5 clear latches counts, bit 4 clear status */
		for (unsigned i = 0; i < 3; i++) {
			if (!(v & (2u << i)))
				continue;
			struct vpit_channel *c = &pit->ch[i];
			if (!(v & 0x20))
				latch_count(c, now);
			if (!(v & 0x10) && !c->status_latched) {
				c->status = status_byte(c, now);
				c->status_latched = true;
			}
		}
		return;
	}
	struct vpit_channel *c = &pit->ch[sc];
	if (rw == 0) {
		latch_count(c, now);
		return;
	}
	if (sc == 0)
		sync_ch0(pit, now);
	c->frozen = channel_counter(c, now);
	c->mode = (v >> 1) & 7;
	if (c->mode > 5)
		c->mode &= 3; /* 6 and 7 are 2 and 3 */
	c->rw = (uint8_t)rw;
	c->bcd = v & 1;
	c->loaded = false;
	c->running = false;
	c->null_count = true;
	c->latched = false;
	c->status_latched = false;
	c->read_msb = c->write_msb = false;
	c->edges_seen = 0;
}

static uint8_t read_counter(struct vpit_channel *c, uint64_t now)
{
	if (c->status_latched) {
		c->status_latched = false;
		return c->status;
	}
	if (c->latched) {
		uint8_t b;
		if (c->latch_msb) {
			b = (uint8_t)(c->latch >> 8);
			c->latched = false;
		} else {
			b = (uint8_t)c->latch;
			if (c->rw == 3)
				c->latch_msb = true;
			else
				c->latched = false;
		}
		return b;
	}
	uint16_t v = channel_counter(c, now);
	switch (c->rw) {
	case 1:
		return (uint8_t)v;
	case 2:
		return (uint8_t)(v >> 8);
	default:
		c->read_msb = !c->read_msb;
		return c->read_msb ? (uint8_t)v : (uint8_t)(v >> 8);
	}
}

static void write_counter(struct vpit *pit, unsigned idx, uint64_t now, uint8_t v)
{
	struct vpit_channel *c = &pit->ch[idx];
	if (idx == 0)
		sync_ch0(pit, now);
	switch (c->rw) {
	case 1:
		load_count(c, now, v);
		break;
	case 2:
		load_count(c, now, (uint32_t)v << 8);
		break;
	case 3:
		if (!c->write_msb) {
			c->write_lsb = v;
			c->write_msb = true;
			if (c->mode == 0) { /* mode 0: the first byte stops the count */
				c->frozen = channel_counter(c, now);
				c->loaded = false;
				c->running = false;
			}
		} else {
			c->write_msb = false;
			load_count(c, now, c->write_lsb | (uint32_t)v << 8);
		}
		break;
	default: /* no control word yet: behave as LSB then MSB */
		c->rw = 3;
		write_counter(pit, idx, now, v);
		break;
	}
}

void vpit_init(struct vpit *pit, uint64_t now_ns)
{
	memset(pit, 0, sizeof(*pit));
	for (unsigned i = 0; i < 3; i++) {
		struct vpit_channel *c = &pit->ch[i];
		c->gate = i != 2; /* channels 0 and 1 have their gates tied high */
		c->rw = 3;
		c->mode = 3;
		c->count = 0x10000;
		c->start_ns = now_ns;
	}
}

bool vpit_io(struct vpit *pit, uint64_t now_ns, uint16_t port, bool in, uint8_t *val)
{
	switch (port) {
	case 0x40:
	case 0x41:
	case 0x42:
		if (in)
			*val = read_counter(&pit->ch[port - 0x40], now_ns);
		else
			write_counter(pit, port - 0x40u, now_ns, *val);
		return true;
	case 0x43:
		if (in)
			*val = 0xFF; /* the control register is write-only */
		else
			control_word(pit, now_ns, *val);
		return true;
	case 0x61:
		if (in) {
			*val = (uint8_t)((pit->port61 & 0x0F) |
					 ((now_ns / REFRESH_NS) & 1 ? 0x10 : 0) |
					 (channel_out(&pit->ch[2], now_ns) ? 0x20 : 0));
		} else {
			pit->port61 = *val & 0x0F;
			set_gate(&pit->ch[2], now_ns, *val & 1);
		}
		return true;
	default:
		return false;
	}
}

bool vpit_advance(struct vpit *pit, uint64_t now_ns)
{
	sync_ch0(pit, now_ns);
	bool edge = pit->irq0_edge;
	pit->irq0_edge = false;
	return edge;
}

uint64_t vpit_next_event(const struct vpit *pit, uint64_t now_ns)
{
	const struct vpit_channel *c = &pit->ch[0];
	if (pit->irq0_edge)
		return now_ns;
	if (!c->loaded || !c->running)
		return UINT64_MAX;
	uint64_t d = elapsed(c, now_ns);
	uint64_t e = edges_at(c, d);
	if (e > c->edges_seen)
		return now_ns;
	uint64_t t = edge_tick(c, e + 1);
	if (t == UINT64_MAX)
		return UINT64_MAX;
	/* ticks_before is 0 except for a paused-and-resumed mode 0/4 */
	uint64_t at = c->start_ns + ticks_to_ns(t - c->ticks_before);
	return at < now_ns ? now_ns : at;
}

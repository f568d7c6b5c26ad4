/*
 * Emulated 8259A PIC pair: master at 0x20/0x21, slave at 0xA0/0xA1 cascaded
 * on the master's IRQ2, ELCR at 0x4D0/0x4D1 (docs/devices.md).
 */
#include <plinth/string.h>
#include <plinth/vplatform.h>

/* Priority rank (0 highest) of the highest-priority bit set in mask, 8 if none. */
static int priority_of(const struct vpic_chip *c, uint8_t mask)
{
	if (!mask)
		return 8;
	int p = 0;
	while (!(mask & (1u << ((p + c->priority_add) & 7))))
		p++;
	return p;
}

/* The line this chip would request the CPU for, -1 if none. */
static int chip_get_irq(const struct vpic_chip *c)
{
	int p = priority_of(c, (uint8_t)(c->irr & ~c->imr));
	if (p == 8)
		return -1;
	uint8_t in_service = c->isr;
	if (c->special_mask)
		in_service &= (uint8_t)~c->imr;
	/* Special fully nested mode: the cascade's own ISR bit does not block
	 * higher-priority slave requests. */
	if (c->sfnm && c->is_master)
		in_service &= (uint8_t)~(1u << 2);
	if (p < priority_of(c, in_service))
		return (p + c->priority_add) & 7;
	return -1;
}

static void chip_set_line(struct vpic_chip *c, unsigned irq, bool level)
{
	uint8_t m = (uint8_t)(1u << irq);
	if (c->elcr & m) {
		if (level)
			c->irr |= m;
		else
			c->irr &= (uint8_t)~m;
	} else if (level && !(c->line & m)) {
		c->irr |= m;
	}
	if (level)
		c->line |= m;
	else
		c->line &= (uint8_t)~m;
}

/* Propagate the slave's INT output to the master's IRQ2. */
static void update_cascade(struct vpic *pic)
{
	chip_set_line(&pic->chip[0], 2, chip_get_irq(&pic->chip[1]) >= 0);
}

void vpic_set_irq(struct vpic *pic, unsigned line, bool level)
{
	if (line >= 16)
		return;
	chip_set_line(&pic->chip[line >> 3], line & 7, level);
	update_cascade(pic);
}

static void chip_reset(struct vpic_chip *c)
{
	/* ICW1 keeps the ELCR and the level-triggered requests it latched. */
	uint8_t elcr = c->elcr, mask = c->elcr_mask;
	bool master = c->is_master;
	uint8_t irr = (uint8_t)(c->irr & elcr & c->line);
	memset(c, 0, sizeof(*c));
	c->elcr = elcr;
	c->elcr_mask = mask;
	c->is_master = master;
	c->irr = irr;
}

void vpic_init(struct vpic *pic)
{
	memset(pic, 0, sizeof(*pic));
	pic->chip[0].is_master = true;
	pic->chip[0].elcr_mask = 0xF8; /* IRQ0-2 are always edge */
	pic->chip[1].elcr_mask = 0xDE; /* IRQ8 and IRQ13 are always edge */
}

/* INTA on one chip for line irq. */
static void chip_intack(struct vpic_chip *c, int irq)
{
	uint8_t m = (uint8_t)(1u << irq);
	if (c->auto_eoi) {
		if (c->rotate_on_aeoi)
			c->priority_add = (uint8_t)((irq + 1) & 7);
	} else {
		c->isr |= m;
	}
	/* A level-triggered request stays until its device drops the line. */
	if (!(c->elcr & m))
		c->irr &= (uint8_t)~m;
}

static void chip_write(struct vpic_chip *c, bool data, uint8_t v)
{
	if (!data) {
		if (v & 0x10) { /* ICW1 */
			chip_reset(c);
			c->init_state = 1;
			c->icw4_needed = v & 1;
			c->single = v & 2;
			return;
		}
		if (v & 0x08) { /* OCW3 */
			if (v & 0x04)
				c->poll = true;
			if (v & 0x02)
				c->read_isr = v & 1;
			if (v & 0x40)
				c->special_mask = (v >> 5) & 1;
			return;
		}
		/* OCW2 */
		unsigned cmd = v >> 5, irq;
		int p;
		switch (cmd) {
		case 0: /* clear rotate in auto-EOI */
		case 4: /* set rotate in auto-EOI */
			c->rotate_on_aeoi = cmd == 4;
			break;
		case 1: /* non-specific EOI */
		case 5: /* rotate on non-specific EOI */
			p = priority_of(c, c->isr);
			if (p != 8) {
				irq = (unsigned)(p + c->priority_add) & 7;
				c->isr &= (uint8_t)~(1u << irq);
				if (cmd == 5)
					c->priority_add = (uint8_t)((irq + 1) & 7);
			}
			break;
		case 3: /* specific EOI */
			c->isr &= (uint8_t)~(1u << (v & 7));
			break;
		case 6: /* set priority */
			c->priority_add = (uint8_t)((v + 1) & 7);
			break;
		case 7: /* rotate on specific EOI */
			irq = v & 7;
			c->isr &= (uint8_t)~(1u << irq);
			c->priority_add = (uint8_t)((irq + 1) & 7);
			break;
		default: /* 2: no operation */
			break;
		}
		return;
	}
	switch (c->init_state) {
	case 1: /* ICW2 */
		c->vector_base = v & 0xF8;
		c->init_state = c->single ? (c->icw4_needed ? 3 : 0) : 2;
		break;
	case 2: /* ICW3: the cascade wiring is fixed */
		c->init_state = c->icw4_needed ? 3 : 0;
		break;
	case 3: /* ICW4 */
		c->sfnm = (v >> 4) & 1;
		c->auto_eoi = (v >> 1) & 1;
		c->init_state = 0;
		break;
	default: /* OCW1 */
		c->imr = v;
		break;
	}
}

/* Poll command: acknowledge the highest request as INTA would, without a
 * vector: 0x80 | line, or 0 when nothing is requested. */
static uint8_t chip_poll(struct vpic *pic, unsigned idx)
{
	struct vpic_chip *c = &pic->chip[idx];
	int irq = chip_get_irq(c);
	if (irq < 0)
		return 0;
	if (idx == 0 && irq == 2) {
		int irq2 = chip_get_irq(&pic->chip[1]);
		if (irq2 >= 0)
			chip_intack(&pic->chip[1], irq2);
	}
	chip_intack(c, irq);
	return (uint8_t)(0x80 | irq);
}

bool vpic_io(struct vpic *pic, uint16_t port, bool in, uint8_t *val)
{
	unsigned idx;
	switch (port) {
	case 0x20: case 0x21: idx = 0; break;
	case 0xA0: case 0xA1: idx = 1; break;
	case 0x4D0: case 0x4D1:
		idx = port & 1;
		if (in) {
			*val = pic->chip[idx].elcr;
		} else {
			struct vpic_chip *c = &pic->chip[idx];
			c->elcr = *val & c->elcr_mask;
			/* Lines switched to level follow their level from now on. */
			c->irr = (uint8_t)((c->irr & ~c->elcr) | (c->line & c->elcr));
			update_cascade(pic);
		}
		return true;
	default:
		return false;
	}
	struct vpic_chip *c = &pic->chip[idx];
	bool data = port & 1;
	if (in) {
		if (c->poll) {
			c->poll = false;
			*val = chip_poll(pic, idx);
		} else if (data) {
			*val = c->imr;
		} else {
			*val = c->read_isr ? c->isr : c->irr;
		}
	} else {
		chip_write(c, data, *val);
	}
	update_cascade(pic);
	return true;
}

int vpic_pending(const struct vpic *pic)
{
	const struct vpic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int irq = chip_get_irq(m);
	if (irq < 0)
		return -1;
	if (irq == 2) {
		int irq2 = chip_get_irq(s);
		return s->vector_base + (irq2 >= 0 ? irq2 : 7);
	}
	return m->vector_base + irq;
}

int vpic_ack(struct vpic *pic)
{
	struct vpic_chip *m = &pic->chip[0], *s = &pic->chip[1];
	int irq = chip_get_irq(m), vector;
	if (irq < 0)
		return m->vector_base + 7; /* spurious IRQ7: no ISR bit */
	if (irq == 2) {
		int irq2 = chip_get_irq(s);
		if (irq2 >= 0) {
			chip_intack(s, irq2);
			vector = s->vector_base + irq2;
		} else {
			vector = s->vector_base + 7; /* spurious IRQ15 */
		}
	} else {
		vector = m->vector_base + irq;
	}
	chip_intack(m, irq);
	update_cascade(pic);
	return vector;
}

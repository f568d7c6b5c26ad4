/* Emulated 8259A PIC pair (drivers/vpic.c, docs/devices.md). */
#include "host_shim.h"

#include <plinth/vplatform.h>

static struct vpic pic;

static void out(uint16_t port, uint8_t v)
{
	assert_true(vpic_io(&pic, port, false, &v));
}

static uint8_t in(uint16_t port)
{
	uint8_t v = 0;
	assert_true(vpic_io(&pic, port, true, &v));
	return v;
}

/* Linux's init_8259A(): ICW1 0x11, ICW2 base, ICW3 4/2, ICW4 1 (or 3 for auto-EOI). */
static void linux_init(uint8_t mbase, uint8_t sbase, bool aeoi)
{
	vpic_init(&pic);
	out(0x21, 0xFF);
	out(0xA1, 0xFF);
	out(0x20, 0x11);
	out(0x21, mbase);
	out(0x21, 0x04);
	out(0x21, aeoi ? 0x03 : 0x01);
	out(0xA0, 0x11);
	out(0xA1, sbase);
	out(0xA1, 0x02);
	out(0xA1, 0x01);
	out(0x21, 0x00);
	out(0xA1, 0x00);
}

static void pulse(unsigned line)
{
	vpic_set_irq(&pic, line, true);
	vpic_set_irq(&pic, line, false);
}

static void eoi(unsigned line)
{
	if (line >= 8)
		out(0xA0, 0x20);
	out(0x20, 0x20);
}

static void test_init_sequence(void **state)
{
	(void)state;
	linux_init(0x30, 0x38, false);
	assert_int_equal(pic.chip[0].vector_base, 0x30);
	assert_int_equal(pic.chip[1].vector_base, 0x38);
	assert_int_equal(pic.chip[0].init_state, 0);
	assert_int_equal(pic.chip[1].init_state, 0);
	assert_int_equal(in(0x21), 0);
	out(0x21, 0xFB);
	assert_int_equal(in(0x21), 0xFB);
	assert_int_equal(vpic_pending(&pic), -1);
	/* ICW1 without ICW4 (single, no ICW3 either) */
	out(0x20, 0x12);
	out(0x21, 0x48);
	assert_int_equal(pic.chip[0].init_state, 0);
	assert_int_equal(pic.chip[0].vector_base, 0x48);
	/* the IRR/ISR select of OCW3 */
	linux_init(0x20, 0x28, false);
	pulse(3);
	out(0x20, 0x0A);
	assert_int_equal(in(0x20), 0x08);
	out(0x20, 0x0B);
	assert_int_equal(in(0x20), 0x00);
	assert_int_equal(vpic_ack(&pic), 0x23);
	assert_int_equal(in(0x20), 0x08);
	out(0x20, 0x0A);
	assert_int_equal(in(0x20), 0x00);
	/* ports that are not the PIC's */
	uint8_t v = 0;
	assert_false(vpic_io(&pic, 0x22, true, &v));
	assert_false(vpic_io(&pic, 0x40, false, &v));
}

static void test_deliver_and_eoi(void **state)
{
	(void)state;
	linux_init(0x30, 0x38, false);
	pulse(0);
	assert_int_equal(vpic_pending(&pic), 0x30);
	assert_int_equal(vpic_ack(&pic), 0x30);
	assert_int_equal(pic.chip[0].isr, 0x01);
	assert_int_equal(vpic_pending(&pic), -1);
	/* a lower-priority request waits for the EOI */
	pulse(4);
	assert_int_equal(vpic_pending(&pic), -1);
	/* a higher-priority one would nest: none higher than 0 here */
	eoi(0);
	assert_int_equal(vpic_pending(&pic), 0x34);
	assert_int_equal(vpic_ack(&pic), 0x34);
	/* nesting: IRQ1 beats the in-service IRQ4 */
	pulse(1);
	assert_int_equal(vpic_ack(&pic), 0x31);
	assert_int_equal(pic.chip[0].isr, 0x12);
	/* non-specific EOI ends the highest in service (1) */
	out(0x20, 0x20);
	assert_int_equal(pic.chip[0].isr, 0x10);
	/* specific EOI */
	out(0x20, 0x64);
	assert_int_equal(pic.chip[0].isr, 0x00);
}

static void test_edge_needs_new_edge(void **state)
{
	(void)state;
	linux_init(0x30, 0x38, false);
	vpic_set_irq(&pic, 4, true);
	assert_int_equal(vpic_ack(&pic), 0x34);
	eoi(4);
	/* still high: no new edge, no new interrupt */
	vpic_set_irq(&pic, 4, true);
	assert_int_equal(vpic_pending(&pic), -1);
	vpic_set_irq(&pic, 4, false);
	vpic_set_irq(&pic, 4, true);
	assert_int_equal(vpic_pending(&pic), 0x34);
	/* dropping the line keeps an edge-latched request */
	vpic_set_irq(&pic, 4, false);
	assert_int_equal(vpic_pending(&pic), 0x34);
}

static void test_level_via_elcr(void **state)
{
	(void)state;
	linux_init(0x30, 0x38, false);
	out(0x4D0, 0xFF); /* IRQ0-2 cannot be level */
	out(0x4D1, 0xFF); /* IRQ8 and 13 cannot be level */
	assert_int_equal(in(0x4D0), 0xF8);
	assert_int_equal(in(0x4D1), 0xDE);
	vpic_set_irq(&pic, 5, true);
	assert_int_equal(vpic_ack(&pic), 0x35);
	eoi(5);
	/* still asserted: interrupts again */
	assert_int_equal(vpic_pending(&pic), 0x35);
	vpic_set_irq(&pic, 5, false);
	assert_int_equal(vpic_pending(&pic), -1);
	/* a slave level line */
	vpic_set_irq(&pic, 11, true);
	assert_int_equal(vpic_ack(&pic), 0x3B);
	eoi(11);
	assert_int_equal(vpic_pending(&pic), 0x3B);
}

static void test_masking(void **state)
{
	(void)state;
	linux_init(0x30, 0x38, false);
	out(0x21, 0x01);
	pulse(0);
	assert_int_equal(vpic_pending(&pic), -1);
	assert_int_equal(pic.chip[0].irr, 0x01); /* latched while masked */
	out(0x21, 0x00);
	assert_int_equal(vpic_pending(&pic), 0x30);
	/* masking the cascade masks the slave */
	out(0x21, 0x04);
	pulse(8);
	assert_int_equal(vpic_ack(&pic), 0x30);
	eoi(0);
	assert_int_equal(vpic_pending(&pic), -1);
	out(0x21, 0x00);
	assert_int_equal(vpic_pending(&pic), 0x38);
	/* slave mask */
	linux_init(0x30, 0x38, false);
	out(0xA1, 0x10);
	pulse(12);
	assert_int_equal(vpic_pending(&pic), -1);
	out(0xA1, 0x00);
	assert_int_equal(vpic_pending(&pic), 0x3C);
}

static void test_master_slave_priority(void **state)
{
	(void)state;
	linux_init(0x30, 0x38, false);
	/* slave IRQs rank at IRQ2's place: after 0,1, before 3..7 */
	pulse(3);
	pulse(12);
	pulse(9);
	pulse(1);
	assert_int_equal(vpic_ack(&pic), 0x31);
	eoi(1);
	assert_int_equal(vpic_ack(&pic), 0x39);
	assert_int_equal(pic.chip[0].isr, 0x04);
	assert_int_equal(pic.chip[1].isr, 0x02);
	/* IRQ12 (lower than 9 on the slave) and IRQ3 (lower than the cascade) wait */
	assert_int_equal(vpic_pending(&pic), -1);
	/* IRQ0 nests over the cascade */
	pulse(0);
	assert_int_equal(vpic_ack(&pic), 0x30);
	eoi(0);
	eoi(9);
	assert_int_equal(vpic_ack(&pic), 0x3C);
	eoi(12);
	assert_int_equal(vpic_ack(&pic), 0x33);
	eoi(3);
	assert_int_equal(vpic_pending(&pic), -1);
	assert_int_equal(pic.chip[0].isr, 0);
	assert_int_equal(pic.chip[1].isr, 0);
}

static void test_auto_eoi(void **state)
{
	(void)state;
	linux_init(0x20, 0x28, true);
	assert_true(pic.chip[0].auto_eoi);
	pulse(0);
	assert_int_equal(vpic_ack(&pic), 0x20);
	assert_int_equal(pic.chip[0].isr, 0);
	pulse(5);
	assert_int_equal(vpic_ack(&pic), 0x25); /* nothing in service blocks it */
}

static void test_spurious(void **state)
{
	(void)state;
	linux_init(0x30, 0x38, false);
	/* nothing requested: IRQ7, no ISR bit */
	assert_int_equal(vpic_ack(&pic), 0x37);
	assert_int_equal(pic.chip[0].isr, 0);
	/* a level request that vanished before INTA */
	out(0x4D0, 0x20);
	vpic_set_irq(&pic, 5, true);
	assert_int_equal(vpic_pending(&pic), 0x35);
	vpic_set_irq(&pic, 5, false);
	assert_int_equal(vpic_ack(&pic), 0x37);
	assert_int_equal(pic.chip[0].isr, 0);
	/* the slave's request vanished after the master latched IRQ2: IRQ15,
	 * master ISR bit 2 set, slave ISR clear */
	out(0x4D1, 0x08);
	vpic_set_irq(&pic, 11, true);
	vpic_set_irq(&pic, 11, false);
	assert_int_equal(vpic_ack(&pic), 0x3F);
	assert_int_equal(pic.chip[0].isr, 0x04);
	assert_int_equal(pic.chip[1].isr, 0x00);
	out(0x20, 0x20);
	assert_int_equal(pic.chip[0].isr, 0);
}

static void test_poll_and_rotate(void **state)
{
	(void)state;
	linux_init(0x30, 0x38, false);
	pulse(6);
	out(0x20, 0x0C); /* poll */
	assert_int_equal(in(0x20), 0x86);
	assert_int_equal(pic.chip[0].isr, 0x40);
	out(0x20, 0x0C);
	assert_int_equal(in(0x20), 0x00);
	/* rotate on non-specific EOI: IRQ6 becomes the lowest priority */
	out(0x20, 0xA0);
	assert_int_equal(pic.chip[0].isr, 0);
	assert_int_equal(pic.chip[0].priority_add, 7);
	pulse(6);
	pulse(0);
	pulse(7);
	assert_int_equal(vpic_ack(&pic), 0x37); /* 7 now ranks first */
	out(0x20, 0x20);
	assert_int_equal(vpic_ack(&pic), 0x30);
	out(0x20, 0x20);
	/* set priority: IRQ3 lowest */
	out(0x20, 0xC3);
	assert_int_equal(vpic_ack(&pic), 0x36);
	/* special mask mode lets lower priorities through */
	out(0x20, 0x68);
	out(0x21, 0x40);
	pulse(5);
	assert_int_equal(vpic_ack(&pic), 0x35);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sequence),
		cmocka_unit_test(test_deliver_and_eoi),
		cmocka_unit_test(test_edge_needs_new_edge),
		cmocka_unit_test(test_level_via_elcr),
		cmocka_unit_test(test_masking),
		cmocka_unit_test(test_master_slave_priority),
		cmocka_unit_test(test_auto_eoi),
		cmocka_unit_test(test_spurious),
		cmocka_unit_test(test_poll_and_rotate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

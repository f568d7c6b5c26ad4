/* The emulated PC platform: dispatch and wiring (drivers/vplatform.c). */
#include "host_shim.h"

#include <string.h>

#include <plinth/vplatform.h>

#define US 1000ull
#define MS 1000000ull
#define SEC 1000000000ull

static struct vplatform p;
static char outbuf[64];
static size_t outlen;
static unsigned resets;
static const char *last_why;

static void uart_output(void *ctx, unsigned index, const char *buf, size_t n)
{
	assert_ptr_equal(ctx, &p);
	assert_int_equal(index, 0);
	memcpy(outbuf + outlen, buf, n);
	outlen += n;
}

static void on_reset(void *ctx, const char *why)
{
	assert_ptr_equal(ctx, &p);
	resets++;
	last_why = why;
}

static void setup_platform(uint64_t ram)
{
	struct vplatform_env env = {
		.uart_output = uart_output, .reset = on_reset, .ctx = &p,
		.wall_clock_base = 1709251198, .ram_bytes = ram,
	};
	vplatform_init(&p, &env, 0);
	outlen = 0;
	resets = 0;
	last_why = NULL;
}

static void out(uint64_t now, uint16_t port, uint8_t size, uint32_t v)
{
	assert_true(vplatform_io(&p, now, port, size, false, &v));
}

static uint32_t in(uint64_t now, uint16_t port, uint8_t size)
{
	uint32_t v = 0xDEAD;
	assert_true(vplatform_io(&p, now, port, size, true, &v));
	return v;
}

static void linux_pic_init(void)
{
	static const uint8_t seq[][2] = {
		{0x21, 0xFF}, {0xA1, 0xFF}, {0x20, 0x11}, {0x21, 0x30}, {0x21, 0x04},
		{0x21, 0x01}, {0xA0, 0x11}, {0xA1, 0x38}, {0xA1, 0x02}, {0xA1, 0x01},
		{0x21, 0x00}, {0xA1, 0x00},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(seq); i++)
		out(0, seq[i][0], 1, seq[i][1]);
}

static void test_small_ports(void **state)
{
	(void)state;
	setup_platform(MiB(256));
	/* PCI mechanism 1: the address register holds, data is all-ones */
	out(0, 0xCF8, 4, 0x80000000);
	assert_int_equal(in(0, 0xCF8, 4), 0x80000000);
	assert_int_equal(in(0, 0xCFC, 4), 0xFFFFFFFF);
	assert_int_equal(in(0, 0xCFE, 2), 0xFFFF);
	assert_int_equal(in(0, 0xCFF, 1), 0xFF);
	out(0, 0xCFC, 4, 0x12345678);
	assert_int_equal(in(0, 0xCFC, 4), 0xFFFFFFFF);
	/* POST code */
	out(0, 0x80, 1, 0x42);
	assert_int_equal(p.post_code, 0x42);
	assert_int_equal(in(0, 0x80, 1), 0x42);
	out(0, 0xED, 1, 0); /* delay port */
	/* unknown ports */
	uint32_t v = 0x1234;
	assert_false(vplatform_io(&p, 0, 0x1F0, 1, true, &v));
	assert_int_equal(v, 0x1234);
	assert_false(vplatform_io(&p, 0, 0xCF8, 1, true, &v));
	assert_false(vplatform_io(&p, 0, 0x3F8, 3, true, &v));
	assert_false(vplatform_io(&p, 0, 0x2F8, 1, false, &v));
	/* ELCR through the platform */
	out(0, 0x4D0, 1, 0x20);
	assert_int_equal(in(0, 0x4D0, 1), 0x20);
	/* a 16-bit access to two byte ports: 0x70 reads as nothing, 0x71 data */
	out(0, 0x70, 1, 0x15);
	assert_int_equal(in(0, 0x70, 2), 0x80FF); /* 640 KiB = 0x280, low byte */
	/* split where only one half exists */
	assert_int_equal(in(0, 0x80, 2), 0xFF42);
	assert_int_equal(resets, 0);
}

static void test_resets(void **state)
{
	(void)state;
	setup_platform(MiB(256));
	out(0, 0xCF9, 1, 0x02); /* Linux reboot=pci: select hard reset first */
	assert_int_equal(resets, 0);
	assert_int_equal(in(0, 0xCF9, 1), 0x02);
	out(0, 0xCF9, 1, 0x06);
	assert_int_equal(resets, 1);
	assert_string_equal(last_why, "0xCF9 reset control");
	out(0, 0x92, 1, 0x00);
	assert_int_equal(in(0, 0x92, 1), 0x02); /* A20 stays on */
	assert_int_equal(resets, 1);
	out(0, 0x92, 1, 0x01);
	assert_int_equal(resets, 2);
	assert_string_equal(last_why, "port 0x92 fast reset");
	out(0, 0x64, 1, 0xFE);
	assert_int_equal(resets, 3);
	assert_string_equal(last_why, "i8042 pulse reset");
}

static void test_pit_irq0_through_pic(void **state)
{
	(void)state;
	setup_platform(MiB(256));
	linux_pic_init();
	assert_int_equal(vplatform_irq_pending(&p), -1);
	assert_int_equal(vplatform_next_event(&p, 0), UINT64_MAX);
	/* HZ=250 periodic */
	out(0, 0x43, 1, 0x34);
	out(0, 0x40, 1, 4773 & 0xFF);
	out(0, 0x40, 1, 4773 >> 8);
	unsigned irqs = 0;
	uint64_t now = 0;
	while (now < SEC) {
		uint64_t next = vplatform_next_event(&p, now);
		assert_true(next > now && next - now < 5 * MS);
		now = next;
		vplatform_advance(&p, now);
		assert_int_equal(vplatform_irq_pending(&p), 0x30);
		assert_int_equal(vplatform_irq_ack(&p), 0x30);
		out(now, 0x20, 1, 0x20); /* EOI */
		irqs++;
	}
	assert_int_equal(irqs, 250);
	/* a long halt: one interrupt */
	vplatform_advance(&p, now + SEC);
	assert_int_equal(vplatform_irq_ack(&p), 0x30);
	out(now + SEC, 0x20, 1, 0x20);
	assert_int_equal(vplatform_irq_pending(&p), -1);
}

static void test_uart_through_platform(void **state)
{
	(void)state;
	setup_platform(MiB(256));
	linux_pic_init();
	out(0, 0x3F8, 1, 'o');
	out(0, 0x3F8, 1, 'k');
	assert_int_equal(outlen, 2);
	assert_memory_equal(outbuf, "ok", 2);
	/* receive interrupt: IRQ4 */
	out(0, 0x3FC, 1, 0x0B);
	out(0, 0x3F9, 1, 0x01);
	assert_int_equal(vplatform_irq_pending(&p), -1);
	assert_int_equal(vplatform_uart_input(&p, "x", 1), 1);
	assert_int_equal(vplatform_irq_pending(&p), 0x34);
	assert_int_equal(vplatform_irq_ack(&p), 0x34);
	assert_int_equal(in(0, 0x3FA, 1), 0x04);
	assert_int_equal(in(0, 0x3F8, 1), 'x');
	out(0, 0x20, 1, 0x20);
	assert_int_equal(vplatform_irq_pending(&p), -1);
}

static void test_rtc_and_kbc_irqs(void **state)
{
	(void)state;
	setup_platform(GiB(4));
	linux_pic_init();
	/* CMOS memory bytes from the RAM size: 3 GiB low, 1 GiB high */
	out(0, 0x70, 1, 0x34);
	assert_int_equal(in(0, 0x71, 1), 0x00);
	out(0, 0x70, 1, 0x35);
	assert_int_equal(in(0, 0x71, 1), 0xBF);
	out(0, 0x70, 1, 0x5C);
	assert_int_equal(in(0, 0x71, 1), 0x40);
	/* RTC update interrupt on IRQ8 through the slave */
	out(0, 0x70, 1, 0x0B);
	out(0, 0x71, 1, 0x12);
	assert_int_equal(vplatform_next_event(&p, 0), SEC);
	vplatform_advance(&p, SEC);
	assert_int_equal(vplatform_irq_pending(&p), 0x38);
	assert_int_equal(vplatform_irq_ack(&p), 0x38);
	out(SEC, 0x70, 1, 0x0C);
	assert_int_equal(in(SEC, 0x71, 1) & 0x90, 0x90);
	out(SEC, 0xA0, 1, 0x20);
	out(SEC, 0x20, 1, 0x20);
	assert_int_equal(vplatform_irq_pending(&p), -1);
	/* keyboard: each reply byte is its own IRQ1 edge */
	out(SEC, 0x60, 1, 0xFF);
	assert_int_equal(vplatform_irq_ack(&p), 0x31);
	assert_int_equal(in(SEC, 0x60, 1), 0xFA);
	out(SEC, 0x20, 1, 0x20);
	assert_int_equal(vplatform_irq_ack(&p), 0x31);
	assert_int_equal(in(SEC, 0x60, 1), 0xAA);
	out(SEC, 0x20, 1, 0x20);
	assert_int_equal(vplatform_irq_pending(&p), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_ports),
		cmocka_unit_test(test_resets),
		cmocka_unit_test(test_pit_irq0_through_pic),
		cmocka_unit_test(test_uart_through_platform),
		cmocka_unit_test(test_rtc_and_kbc_irqs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

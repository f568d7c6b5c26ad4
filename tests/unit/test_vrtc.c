/* Emulated MC146818 CMOS RTC (drivers/vrtc.c, docs/devices.md). */
#include "host_shim.h"

#include <plinth/vplatform.h>

#define MS 1000000ull
#define SEC 1000000000ull
#define T_LEAP 1709251198ull /* 2024-02-29 23:59:58 UTC, a Thursday */

static struct vrtc rtc;

static uint8_t rd(uint64_t now, uint8_t reg)
{
	uint8_t v = reg | 0x80; /* NMI mask bit: ignored */
	assert_true(vrtc_io(&rtc, now, 0x70, false, &v));
	assert_true(vrtc_io(&rtc, now, 0x71, true, &v));
	return v;
}

static void wr(uint64_t now, uint8_t reg, uint8_t v)
{
	assert_true(vrtc_io(&rtc, now, 0x70, false, &reg));
	assert_true(vrtc_io(&rtc, now, 0x71, false, &v));
}

static void test_bcd_and_binary(void **state)
{
	(void)state;
	vrtc_init(&rtc, T_LEAP, 0);
	assert_int_equal(rd(0, 0x0B), 0x02); /* BCD, 24 h */
	assert_int_equal(rd(0, 0x00), 0x58);
	assert_int_equal(rd(0, 0x02), 0x59);
	assert_int_equal(rd(0, 0x04), 0x23);
	assert_int_equal(rd(0, 0x06), 0x05); /* Thursday, Sunday = 1 */
	assert_int_equal(rd(0, 0x07), 0x29);
	assert_int_equal(rd(0, 0x08), 0x02);
	assert_int_equal(rd(0, 0x09), 0x24);
	assert_int_equal(rd(0, 0x32), 0x20);
	/* two seconds later: March 1st */
	assert_int_equal(rd(2 * SEC, 0x00), 0x00);
	assert_int_equal(rd(2 * SEC, 0x04), 0x00);
	assert_int_equal(rd(2 * SEC, 0x07), 0x01);
	assert_int_equal(rd(2 * SEC, 0x08), 0x03);
	assert_int_equal(rd(2 * SEC, 0x06), 0x06);
	/* binary mode */
	wr(0, 0x0B, 0x06);
	assert_int_equal(rd(0, 0x00), 58);
	assert_int_equal(rd(0, 0x04), 23);
	assert_int_equal(rd(0, 0x09), 24);
	assert_int_equal(rd(0, 0x32), 20);
	/* 12-hour mode: 11 PM */
	wr(0, 0x0B, 0x04);
	assert_int_equal(rd(0, 0x04), 0x80 | 11);
	assert_int_equal(rd(2 * SEC, 0x04), 12); /* midnight is 12 AM */
	wr(0, 0x0B, 0x00);
	assert_int_equal(rd(0, 0x04), 0x91);
	assert_int_equal(vrtc_seconds(&rtc, 5 * SEC), T_LEAP + 5);
	uint8_t v;
	assert_false(vrtc_io(&rtc, 0, 0x72, true, &v));
	/* the index port reads as nothing */
	assert_true(vrtc_io(&rtc, 0, 0x70, true, &v));
	assert_int_equal(v, 0xFF);
}

/* Linux mach_get_cmos_time(): wait for UIP clear (older kernels: for a
 * rising and then a falling edge), then read. */
static void test_uip_cycle_terminates(void **state)
{
	(void)state;
	vrtc_init(&rtc, T_LEAP, 0);
	uint64_t t = 100 * MS;
	unsigned loops = 0;
	while (!(rd(t, 0x0A) & 0x80)) {
		t += 10000; /* 10 us per read */
		assert_true(++loops < 200000);
	}
	uint64_t rise = t;
	assert_true(rise % SEC >= SEC - 2300000);
	uint8_t before = rd(t, 0x00);
	while (rd(t, 0x0A) & 0x80) {
		t += 10000;
		assert_true(++loops < 200000);
	}
	/* fell at the second boundary: the registers just changed */
	assert_true(t - rise < 2300000);
	assert_int_equal(t % SEC < 10000, true);
	assert_int_equal(rd(t, 0x00), before + 1);
	/* A keeps the divider and rate bits; D says valid */
	assert_int_equal(rd(t, 0x0A), 0x26);
	assert_int_equal(rd(t, 0x0D), 0x80);
	/* with SET, no update is in progress */
	wr(t, 0x0B, 0x82);
	assert_int_equal(rd(SEC - 1, 0x0A) & 0x80, 0);
}

static void test_register_c_and_periodic(void **state)
{
	(void)state;
	vrtc_init(&rtc, T_LEAP, 0);
	assert_int_equal(rd(0, 0x0C), 0);
	/* update-ended and periodic flags after a second (PF is set even
	 * without PIE), no interrupt without UIE/PIE */
	assert_int_equal(rd(SEC, 0x0C), 0x50);
	assert_int_equal(rd(SEC, 0x0C), 0x00); /* read clears */
	assert_false(vrtc_irq_level(&rtc));
	assert_int_equal(vrtc_next_event(&rtc, SEC), UINT64_MAX);
	/* periodic 1024 Hz (rate 6) with PIE */
	wr(SEC, 0x0B, 0x42);
	uint64_t next = vrtc_next_event(&rtc, SEC);
	assert_int_equal(next, SEC + 976563); /* 1/1024 s, rounded up */
	vrtc_advance(&rtc, next - 1);
	assert_false(vrtc_irq_level(&rtc));
	vrtc_advance(&rtc, next);
	assert_true(vrtc_irq_level(&rtc));
	assert_int_equal(vrtc_next_event(&rtc, next), UINT64_MAX);
	assert_int_equal(rd(next, 0x0C), 0xC0);
	assert_false(vrtc_irq_level(&rtc));
	/* count periodic interrupts over a second, C read in the "handler" */
	unsigned irqs = 0;
	for (uint64_t t = 2 * SEC; t < 3 * SEC; t += 50000) {
		vrtc_advance(&rtc, t);
		if (vrtc_irq_level(&rtc)) {
			irqs++;
			rd(t, 0x0C);
		}
	}
	assert_int_equal(irqs, 1024);
	/* rate 15: 2 Hz */
	wr(3 * SEC, 0x0A, 0x2F);
	rd(3 * SEC, 0x0C); /* the 1024 Hz tick due at 3 s */
	assert_int_equal(vrtc_next_event(&rtc, 3 * SEC), 3 * SEC + SEC / 2);
	/* rate 0: off */
	wr(3 * SEC, 0x0A, 0x20);
	assert_int_equal(vrtc_next_event(&rtc, 3 * SEC), UINT64_MAX);
	/* update interrupt */
	wr(3 * SEC, 0x0B, 0x12);
	assert_int_equal(vrtc_next_event(&rtc, 3 * SEC + 5), 4 * SEC);
	vrtc_advance(&rtc, 4 * SEC);
	assert_true(vrtc_irq_level(&rtc));
	assert_int_equal(rd(4 * SEC, 0x0C), 0x90);
}

static void test_alarm(void **state)
{
	(void)state;
	vrtc_init(&rtc, T_LEAP, 0);
	wr(0, 0x01, 0x01); /* 00:00:01 */
	wr(0, 0x03, 0x00);
	wr(0, 0x05, 0x00);
	wr(0, 0x0B, 0x22);
	vrtc_advance(&rtc, 1 * SEC);
	vrtc_advance(&rtc, 2 * SEC);
	assert_false(vrtc_irq_level(&rtc));
	vrtc_advance(&rtc, 3 * SEC);
	assert_true(vrtc_irq_level(&rtc));
	assert_int_equal(rd(3 * SEC, 0x0C), 0xF0); /* IRQF AF UF, and PF */
	/* don't-care bytes: every second */
	wr(3 * SEC, 0x01, 0xC0);
	wr(3 * SEC, 0x03, 0xC0);
	wr(3 * SEC, 0x05, 0xC0);
	vrtc_advance(&rtc, 4 * SEC);
	assert_int_equal(rd(4 * SEC, 0x0C), 0xF0);
}

static void test_set_time(void **state)
{
	(void)state;
	vrtc_init(&rtc, T_LEAP, 0);
	/* hwclock --systohc: SET, write, clear SET */
	wr(10 * SEC, 0x0B, 0x82);
	assert_int_equal(rd(20 * SEC, 0x00), 0x08); /* frozen at the snapshot */
	wr(20 * SEC, 0x00, 0x07);
	wr(20 * SEC, 0x02, 0x05);
	wr(20 * SEC, 0x04, 0x13);
	wr(20 * SEC, 0x07, 0x31);
	wr(20 * SEC, 0x08, 0x12);
	wr(20 * SEC, 0x09, 0x99);
	wr(20 * SEC, 0x32, 0x19);
	wr(20 * SEC, 0x0B, 0x02);
	assert_int_equal(vrtc_seconds(&rtc, 20 * SEC), 946645507ull);
	assert_int_equal(rd(21 * SEC, 0x00), 0x08);
	assert_int_equal(rd(21 * SEC, 0x09), 0x99);
	assert_int_equal(rd(21 * SEC, 0x32), 0x19);
	/* a single register written without SET */
	wr(21 * SEC, 0x02, 0x45);
	assert_int_equal(vrtc_seconds(&rtc, 21 * SEC), 946645508ull + 40 * 60);
}

static void test_memory_bytes(void **state)
{
	(void)state;
	vrtc_init(&rtc, 0, 0);
	/* 256 MiB */
	vrtc_set_memory(&rtc, 256ull << 20, 0);
	assert_int_equal(rd(0, 0x15) | rd(0, 0x16) << 8, 640);
	assert_int_equal(rd(0, 0x17) | rd(0, 0x18) << 8, 0xFFFF);
	assert_int_equal(rd(0, 0x30) | rd(0, 0x31) << 8, 0xFFFF);
	assert_int_equal(rd(0, 0x34) | rd(0, 0x35) << 8, (256 - 16) * 16);
	assert_int_equal(rd(0, 0x5B) | rd(0, 0x5C) << 8 | rd(0, 0x5D) << 16, 0);
	/* 16 MiB: extended 15 MiB fits */
	vrtc_set_memory(&rtc, 16ull << 20, 0);
	assert_int_equal(rd(0, 0x17) | rd(0, 0x18) << 8, 15 * 1024);
	assert_int_equal(rd(0, 0x34) | rd(0, 0x35) << 8, 0);
	/* 4 GiB as 3 GiB low + 1 GiB high */
	vrtc_set_memory(&rtc, 3ull << 30, 1ull << 30);
	assert_int_equal(rd(0, 0x34) | rd(0, 0x35) << 8, 0xBF00);
	assert_int_equal(rd(0, 0x5B) | rd(0, 0x5C) << 8 | rd(0, 0x5D) << 16, 0x4000);
	/* 64 GiB */
	vrtc_set_memory(&rtc, 3ull << 30, 61ull << 30);
	assert_int_equal(rd(0, 0x5B) | rd(0, 0x5C) << 8 | rd(0, 0x5D) << 16, 61 * 0x4000);
	/* CMOS memory is writable, C and D are not */
	wr(0, 0x40, 0x5A);
	assert_int_equal(rd(0, 0x40), 0x5A);
	wr(0, 0x7F, 0xA5);
	assert_int_equal(rd(0, 0x7F), 0xA5);
	wr(0, 0x0D, 0x00);
	assert_int_equal(rd(0, 0x0D), 0x80);
	wr(0, 0x0A, 0xA6); /* UIP is read-only */
	assert_int_equal(rd(0, 0x0A), 0x26);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcd_and_binary),
		cmocka_unit_test(test_uip_cycle_terminates),
		cmocka_unit_test(test_register_c_and_periodic),
		cmocka_unit_test(test_alarm),
		cmocka_unit_test(test_set_time),
		cmocka_unit_test(test_memory_bytes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

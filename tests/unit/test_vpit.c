/* Emulated 8254 PIT and port 0x61 (drivers/vpit.c, docs/devices.md). */
#include "host_shim.h"

#include <plinth/vplatform.h>

#define US 1000ull
#define MS 1000000ull
#define SEC 1000000000ull

static struct vpit pit;

static void out(uint64_t now, uint16_t port, uint8_t v)
{
	assert_true(vpit_io(&pit, now, port, false, &v));
}

static uint8_t in(uint64_t now, uint16_t port)
{
	uint8_t v = 0;
	assert_true(vpit_io(&pit, now, port, true, &v));
	return v;
}

/* Latch and read a 16-bit counter, as Linux's i8253 clocksource does. */
static uint16_t read_latched(uint64_t now, unsigned ch)
{
	out(now, 0x43, (uint8_t)(ch << 6));
	uint16_t lo = in(now, (uint16_t)(0x40 + ch));
	return (uint16_t)(lo | in(now, (uint16_t)(0x40 + ch)) << 8);
}

/* Program channel ch: mode, lobyte/hibyte, count. */
static void program(uint64_t now, unsigned ch, unsigned mode, uint16_t count)
{
	out(now, 0x43, (uint8_t)(ch << 6 | 0x30 | mode << 1));
	out(now, (uint16_t)(0x40 + ch), (uint8_t)count);
	out(now, (uint16_t)(0x40 + ch), (uint8_t)(count >> 8));
}

static void test_tick_math(void **state)
{
	(void)state;
	assert_int_equal(vpit_ticks_between(0, SEC), VPIT_HZ);
	assert_int_equal(vpit_ticks_between(5, 5), 0);
	assert_int_equal(vpit_ticks_between(10, 5), 0);
	assert_int_equal(vpit_ticks_between(0, 10 * MS), 11931);
	/* 10 hours and 2^63 ns: no overflow (ns * HZ would wrap after 4.3 h) */
	assert_int_equal(vpit_ticks_between(0, 36000 * SEC), 36000ull * VPIT_HZ);
	uint64_t big = 1ull << 63;
	uint64_t expect = (big / SEC) * VPIT_HZ + (big % SEC) * VPIT_HZ / SEC;
	assert_int_equal(vpit_ticks_between(0, big), expect);
	assert_int_equal(vpit_ticks_between(36000 * SEC, 36000 * SEC + SEC / 2), VPIT_HZ / 2);
}

/* Linux pit_calibrate_tsc(): gate 2 high, speaker off, ch2 mode 0 with a
 * 10 ms count, poll port 0x61 bit 5. */
static void test_linux_calibration_loop(void **state)
{
	(void)state;
	uint64_t t0 = 123456789;
	vpit_init(&pit, 0);
	out(t0, 0x61, (uint8_t)((in(t0, 0x61) & ~0x02) | 0x01));
	out(t0, 0x43, 0xB0);
	assert_false(in(t0, 0x61) & 0x20); /* mode 0: OUT low after the control word */
	out(t0, 0x42, 11931 & 0xFF);
	out(t0, 0x42, 11931 >> 8);
	uint64_t t = t0;
	unsigned polls = 0;
	while (!(in(t, 0x61) & 0x20)) {
		t += US;
		polls++;
		assert_true(polls < 20000);
	}
	/* 11931 ticks = 9999.31 us: seen at the first 1 us poll past it */
	assert_int_equal(t - t0, 10000 * US);
	/* stays high (mode 0 does not repeat) */
	assert_true(in(t + SEC, 0x61) & 0x20);
	/* the bits written read back, refresh toggles with time */
	assert_int_equal(in(t, 0x61) & 0x0F, 0x01);
	uint8_t a = in(0, 0x61) & 0x10, b = in(15085, 0x61) & 0x10;
	assert_int_not_equal(a, b);
}

/* Linux quick_pit_calibrate(): ch2 mode 0 count 0xFFFF, reads LSB then MSB. */
static void test_quick_calibrate_reads(void **state)
{
	(void)state;
	vpit_init(&pit, 0);
	out(0, 0x61, 0x01);
	out(0, 0x43, 0xB0);
	out(0, 0x42, 0xFF);
	out(0, 0x42, 0xFF);
	assert_int_equal(in(0, 0x42), 0xFF);
	assert_int_equal(in(0, 0x42), 0xFF);
	/* 1 ms = 1193 ticks */
	assert_int_equal(in(MS, 0x42), (0xFFFF - 1193) & 0xFF);
	assert_int_equal(in(MS, 0x42), (0xFFFF - 1193) >> 8);
	/* MSB changes every 256 ticks: 214.55 us */
	uint64_t t = 0;
	uint8_t msb = 0xFF;
	unsigned changes = 0;
	while (t < 10 * MS) {
		in(t, 0x42);
		uint8_t m = in(t, 0x42);
		if (m != msb) {
			changes++;
			assert_int_equal((uint8_t)(msb - 1), m);
			msb = m;
		}
		t += 10 * US;
	}
	assert_int_equal(changes, (0xFFFF - (0xFFFF - vpit_ticks_between(0, t - 10 * US))) / 256);
}

static void test_gate_pauses_mode0(void **state)
{
	(void)state;
	vpit_init(&pit, 0);
	out(0, 0x61, 0x00); /* gate 2 low */
	program(0, 2, 0, 1000);
	assert_int_equal(read_latched(MS, 2), 1000); /* not counting */
	out(MS, 0x61, 0x01);
	assert_int_equal(read_latched(MS + 100 * US, 2), 1000 - 119);
	out(MS + 100 * US, 0x61, 0x00); /* pause at 881 */
	assert_int_equal(read_latched(5 * MS, 2), 881);
	out(5 * MS, 0x61, 0x01);
	assert_int_equal(read_latched(5 * MS + 100 * US, 2), 881 - 119);
	assert_false(vpit_out(&pit, 2, 5 * MS + 100 * US));
	assert_true(vpit_out(&pit, 2, 5 * MS + SEC));
}

static void test_channel0_periodic_rate(void **state)
{
	(void)state;
	const uint16_t latch = (VPIT_HZ + 125) / 250; /* HZ=250: 4773 */
	const uint64_t starts[] = {0, 10 * 3600 * SEC}; /* also past 4.3 hours */
	for (unsigned k = 0; k < 2; k++) {
		uint64_t t0 = starts[k];
		vpit_init(&pit, t0);
		program(t0, 0, 2, latch);
		unsigned irqs = 0;
		for (uint64_t t = t0; t <= t0 + 10 * SEC; t += 100 * US)
			irqs += vpit_advance(&pit, t);
		assert_int_equal(irqs, (10 * VPIT_HZ) / latch); /* 2499 */
		/* next_event is the exact next edge */
		uint64_t now = t0 + 10 * SEC;
		uint64_t next = vpit_next_event(&pit, now);
		assert_true(next > now);
		assert_true(next - now <= 4 * MS);
		assert_false(vpit_advance(&pit, next - 1));
		assert_true(vpit_advance(&pit, next));
		assert_false(vpit_advance(&pit, next));
	}
	/* mode 3 square wave: same rate, OUT high then low halves */
	vpit_init(&pit, 0);
	program(0, 0, 3, 100);
	unsigned irqs = 0;
	for (uint64_t t = 0; t <= SEC; t += 10 * US)
		irqs += vpit_advance(&pit, t);
	assert_int_equal(irqs, VPIT_HZ / 100);
	assert_true(vpit_out(&pit, 0, 0));
	assert_false(vpit_out(&pit, 0, 60 * SEC / VPIT_HZ));
	/* counts down by two */
	assert_int_equal(read_latched(0, 0), 100);
	assert_int_equal(read_latched(10 * SEC / VPIT_HZ + 1, 0), 80);
}

static void test_coalesce_missed_periods(void **state)
{
	(void)state;
	vpit_init(&pit, 0);
	program(0, 0, 2, 1193); /* ~1 ms */
	assert_false(vpit_advance(&pit, 0));
	assert_true(vpit_advance(&pit, SEC)); /* ~1000 periods: one interrupt */
	assert_false(vpit_advance(&pit, SEC));
	assert_true(vpit_advance(&pit, SEC + MS));
	/* an unreported edge is reported now */
	assert_true(vpit_next_event(&pit, 2 * SEC) == 2 * SEC);
}

static void test_oneshot_modes(void **state)
{
	(void)state;
	/* Linux's one-shot clockevent: 0x38 (mode 4), then the delta */
	vpit_init(&pit, 0);
	out(0, 0x43, 0x38);
	assert_int_equal(vpit_next_event(&pit, 0), UINT64_MAX);
	out(0, 0x40, 100);
	out(0, 0x40, 0);
	uint64_t next = vpit_next_event(&pit, 0);
	/* terminal count at 100 ticks, OUT back high one tick later */
	assert_int_equal(vpit_ticks_between(0, next), 101);
	assert_int_equal(vpit_ticks_between(0, next - 1), 100);
	assert_false(vpit_advance(&pit, next - 1));
	assert_false(vpit_out(&pit, 0, next - 1));
	assert_true(vpit_advance(&pit, next));
	assert_int_equal(vpit_next_event(&pit, next), UINT64_MAX);
	assert_false(vpit_advance(&pit, next + SEC));
	/* re-arming the count starts again */
	out(next + SEC, 0x40, 50);
	out(next + SEC, 0x40, 0);
	assert_true(vpit_advance(&pit, next + 2 * SEC));
	/* mode 0 interrupt at the terminal count */
	vpit_init(&pit, 0);
	program(0, 0, 0, 1000);
	assert_false(vpit_out(&pit, 0, 0));
	next = vpit_next_event(&pit, 0);
	assert_int_equal(vpit_ticks_between(0, next), 1000);
	assert_true(vpit_advance(&pit, next));
	/* the counter wraps after terminal count */
	assert_int_equal(read_latched(next + 2 * SEC / VPIT_HZ + 1, 0), 0xFFFE);
	/* an edge that happened before reprogramming is not lost */
	vpit_init(&pit, 0);
	program(0, 0, 0, 10);
	program(SEC, 0, 0, 10000);
	assert_true(vpit_advance(&pit, SEC));
	assert_false(vpit_advance(&pit, SEC + 1));
}

static void test_mode_change_mid_count(void **state)
{
	(void)state;
	vpit_init(&pit, 0);
	program(0, 0, 2, 1000);
	uint64_t t = 500 * SEC / VPIT_HZ + 1;
	assert_int_equal(read_latched(t, 0), 500);
	out(t, 0x43, 0x30); /* mode 0: OUT low, count held */
	assert_false(vpit_out(&pit, 0, t));
	assert_int_equal(read_latched(t + MS, 0), 500);
	out(t + MS, 0x40, 100);
	out(t + MS, 0x40, 0);
	assert_int_equal(vpit_ticks_between(t + MS, vpit_next_event(&pit, t + MS)), 100);
	/* mode 0: writing the LSB alone stops the count */
	assert_true(vpit_advance(&pit, t + 2 * MS)); /* the 100-tick one fired */
	out(t + 2 * MS, 0x40, 0x34);
	assert_false(vpit_out(&pit, 0, t + SEC));
	assert_int_equal(vpit_next_event(&pit, t + SEC), UINT64_MAX);
	out(t + SEC, 0x40, 0x12);
	assert_int_equal(read_latched(t + SEC, 0), 0x1234);
}

static void test_latch_and_access_modes(void **state)
{
	(void)state;
	vpit_init(&pit, 0);
	program(0, 1, 2, 18); /* DRAM refresh, as a BIOS sets it */
	program(0, 0, 2, 0);  /* 0 = 65536 */
	out(MS, 0x43, 0x00);  /* latch ch0 at 1 ms */
	out(MS, 0x43, 0x00);  /* a second latch is ignored */
	uint8_t lo = in(5 * MS, 0x40);
	uint8_t hi = in(7 * MS, 0x40);
	assert_int_equal(lo | hi << 8, 65536 - 1193);
	/* lobyte only */
	out(0, 0x43, 0x14); /* ch0, LSB only, mode 2 */
	out(0, 0x40, 200);
	assert_int_equal(pit.ch[0].count, 200);
	assert_int_equal(in(50 * SEC / VPIT_HZ + 1, 0x40), 150);
	assert_int_equal(in(50 * SEC / VPIT_HZ + 1, 0x40), 150);
	/* hibyte only */
	out(0, 0x43, 0x24);
	out(0, 0x40, 0x02);
	assert_int_equal(pit.ch[0].count, 0x200);
	assert_int_equal(in(0, 0x40), 0x02);
	/* read flip-flop is independent of the latch */
	program(0, 0, 2, 0x1234);
	assert_int_equal(in(0, 0x40), 0x34);
	out(0, 0x43, 0x00);
	assert_int_equal(in(0, 0x40), 0x34); /* latch LSB... */
	assert_int_equal(in(0, 0x40), 0x12); /* ...and MSB */
	assert_int_equal(in(0, 0x40), 0x12); /* the pending MSB of the live read */
	assert_int_equal(in(0x43, 0x43), 0xFF);
	uint8_t v;
	assert_false(vpit_io(&pit, 0, 0x44, true, &v));
}

static void test_read_back(void **state)
{
	(void)state;
	vpit_init(&pit, 0);
	out(0, 0x43, 0x34); /* ch0 LSB/MSB mode 2 */
	out(0, 0x43, 0xE2); /* status of ch0 */
	assert_int_equal(in(0, 0x40), 0xF4); /* OUT high, null count, rw 3, mode 2 */
	out(0, 0x40, 0x00);
	out(0, 0x40, 0x10); /* 4096 */
	out(0, 0x43, 0xC2); /* count and status */
	assert_int_equal(in(MS, 0x40), 0xB4);
	assert_int_equal(in(MS, 0x40), 0x00);
	assert_int_equal(in(MS, 0x40), 0x10);
	out(MS, 0x43, 0xD2); /* count only */
	assert_int_equal(in(2 * MS, 0x40), (4096 - 1193) & 0xFF);
	assert_int_equal(in(2 * MS, 0x40), (4096 - 1193) >> 8);
	/* several channels at once, mode 0 OUT low */
	program(0, 2, 0, 500);
	out(0, 0x43, 0xEA); /* status of ch0 and ch2 */
	assert_int_equal(in(0, 0x42), 0x30);
	assert_int_equal(in(0, 0x40), 0xB4);
	out(SEC, 0x43, 0xE8);
	assert_int_equal(in(SEC, 0x42) & 0x80, 0); /* gate 2 low: not counting */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tick_math),
		cmocka_unit_test(test_linux_calibration_loop),
		cmocka_unit_test(test_quick_calibrate_reads),
		cmocka_unit_test(test_gate_pauses_mode0),
		cmocka_unit_test(test_channel0_periodic_rate),
		cmocka_unit_test(test_coalesce_missed_periods),
		cmocka_unit_test(test_oneshot_modes),
		cmocka_unit_test(test_mode_change_mid_count),
		cmocka_unit_test(test_latch_and_access_modes),
		cmocka_unit_test(test_read_back),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

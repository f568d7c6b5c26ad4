/* Decoding the host CMOS RTC's time registers (drivers/cmos_rtc_decode.c). */
#include "host_shim.h"

#include <string.h>

#include <plinth/cmos_rtc.h>
#include <plinth/errno.h>
#include <plinth/vplatform.h>

#include "civil_valid.h"
#include "test_rng.h"

#define BCD_24H 0x02
#define BIN_24H 0x06
#define BCD_12H 0x00
#define BIN_12H 0x04

static struct cmos_rtc_regs regs(uint8_t sec, uint8_t min, uint8_t hour, uint8_t mday,
				 uint8_t mon, uint8_t year, uint8_t century, uint8_t status_b)
{
	struct cmos_rtc_regs r = { sec, min, hour, mday, mon, year, century, status_b };
	return r;
}

/* Decodes r, which must be valid, and returns its seconds since 1970. */
static int64_t ok(struct cmos_rtc_regs r)
{
	struct civil_time t;
	struct cmos_rtc_error err = { 0 };

	assert_int_equal(cmos_rtc_decode(&r, &t, &err), 0);
	assert_true(civil_time_valid(&t));
	return civil_to_seconds(&t);
}

static int64_t utc(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s)
{
	struct civil_time t = { y, mo, d, h, mi, s, 0 };
	return civil_to_seconds(&t);
}

/* Decoding r fails, blaming `what` in register reg. */
static void bad(struct cmos_rtc_regs r, const char *what, uint8_t reg)
{
	struct civil_time t;
	struct cmos_rtc_error err = { 0 };

	assert_int_equal(cmos_rtc_decode(&r, &t, &err), -E_INVAL);
	assert_string_equal(err.what, what);
	assert_int_equal(err.reg, reg);
}

static void test_bcd_and_binary(void **state)
{
	(void)state;
	int64_t want = utc(2026, 11, 24, 2, 10, 33);

	assert_int_equal(ok(regs(0x33, 0x10, 0x02, 0x24, 0x11, 0x26, 0x20, BCD_24H)), want);
	assert_int_equal(ok(regs(33, 10, 2, 24, 11, 26, 20, BIN_24H)), want);
	assert_int_equal(ok(regs(0x59, 0x59, 0x23, 0x31, 0x12, 0x99, 0x20, BCD_24H)),
			 utc(2099, 12, 31, 23, 59, 59));
	/* Status B's other bits (SET, interrupt enables, DSE) do not matter. */
	assert_int_equal(ok(regs(0x33, 0x10, 0x02, 0x24, 0x11, 0x26, 0x20, BCD_24H | (0xF9 & ~0x04))),
			 want);
}

static void test_twelve_hour(void **state)
{
	(void)state;
	int64_t day = utc(2026, 11, 24, 0, 0, 0);

	/* 12 AM is midnight, 12 PM noon; PM is hour bit 7. */
	assert_int_equal(ok(regs(0, 0, 0x12, 0x24, 0x11, 0x26, 0x20, BCD_12H)), day);
	assert_int_equal(ok(regs(0, 0, 0x92, 0x24, 0x11, 0x26, 0x20, BCD_12H)), day + 12 * 3600);
	assert_int_equal(ok(regs(0, 0, 0x01, 0x24, 0x11, 0x26, 0x20, BCD_12H)), day + 1 * 3600);
	assert_int_equal(ok(regs(0, 0, 0x81, 0x24, 0x11, 0x26, 0x20, BCD_12H)), day + 13 * 3600);
	assert_int_equal(ok(regs(0, 0, 0x11, 0x24, 0x11, 0x26, 0x20, BCD_12H)), day + 11 * 3600);
	assert_int_equal(ok(regs(0, 0, 0x91, 0x24, 0x11, 0x26, 0x20, BCD_12H)), day + 23 * 3600);
	assert_int_equal(ok(regs(0, 0, 12, 24, 11, 26, 20, BIN_12H)), day);
	assert_int_equal(ok(regs(0, 0, 0x80 | 12, 24, 11, 26, 20, BIN_12H)), day + 12 * 3600);
	assert_int_equal(ok(regs(0, 0, 0x80 | 11, 24, 11, 26, 20, BIN_12H)), day + 23 * 3600);
	/* There is no hour 0 or 13 on a 12-hour clock. */
	bad(regs(0, 0, 0x00, 0x24, 0x11, 0x26, 0x20, BCD_12H), "hours", CMOS_RTC_HOUR);
	bad(regs(0, 0, 0x80, 0x24, 0x11, 0x26, 0x20, BCD_12H), "hours", CMOS_RTC_HOUR);
	bad(regs(0, 0, 0x13, 0x24, 0x11, 0x26, 0x20, BCD_12H), "hours", CMOS_RTC_HOUR);
	bad(regs(0, 0, 13, 24, 11, 26, 20, BIN_12H), "hours", CMOS_RTC_HOUR);
	/* In 24-hour mode bit 7 is no PM flag: 0x92 is no hour. */
	bad(regs(0, 0, 0x92, 0x24, 0x11, 0x26, 0x20, BCD_24H), "hours", CMOS_RTC_HOUR);
	bad(regs(0, 0, 0x24, 0x24, 0x11, 0x26, 0x20, BCD_24H), "hours", CMOS_RTC_HOUR);
}

static void test_century_and_leap_days(void **state)
{
	(void)state;
	/* The century register counts when it holds 19..99. */
	assert_int_equal(ok(regs(0, 0, 0, 0x31, 0x12, 0x99, 0x19, BCD_24H)),
			 utc(1999, 12, 31, 0, 0, 0));
	assert_int_equal(ok(regs(0, 0, 0, 0x01, 0x01, 0x00, 0x21, BCD_24H)),
			 utc(2100, 1, 1, 0, 0, 0));
	assert_int_equal(ok(regs(0, 0, 0, 1, 1, 0, 21, BIN_24H)), utc(2100, 1, 1, 0, 0, 0));
	/* Otherwise (no such register: 0, 0xFF, junk) the year is 20xx. */
	assert_int_equal(ok(regs(0, 0, 0, 0x01, 0x01, 0x30, 0x00, BCD_24H)),
			 utc(2030, 1, 1, 0, 0, 0));
	assert_int_equal(ok(regs(0, 0, 0, 0x01, 0x01, 0x30, 0xFF, BCD_24H)),
			 utc(2030, 1, 1, 0, 0, 0));
	assert_int_equal(ok(regs(0, 0, 0, 0x01, 0x01, 0x30, 0x2A, BCD_24H)),
			 utc(2030, 1, 1, 0, 0, 0));
	assert_int_equal(ok(regs(0, 0, 0, 0x01, 0x01, 0x30, 0x18, BCD_24H)),
			 utc(2030, 1, 1, 0, 0, 0));
	/* February 29th: 2000 and 2024 have it, 2100 and 2023 not. */
	assert_int_equal(ok(regs(0, 0, 0, 0x29, 0x02, 0x00, 0x20, BCD_24H)),
			 utc(2000, 2, 29, 0, 0, 0));
	assert_int_equal(ok(regs(0, 0, 0, 0x29, 0x02, 0x24, 0x00, BCD_24H)),
			 utc(2024, 2, 29, 0, 0, 0));
	bad(regs(0, 0, 0, 0x29, 0x02, 0x00, 0x21, BCD_24H), "day of month", CMOS_RTC_MDAY);
	bad(regs(0, 0, 0, 0x29, 0x02, 0x23, 0x20, BCD_24H), "day of month", CMOS_RTC_MDAY);
	/* Before 1970 cannot be a time since 1970. */
	bad(regs(0, 0, 0, 0x31, 0x12, 0x69, 0x19, BCD_24H), "year (before 1970)", CMOS_RTC_YEAR);
	assert_int_equal(ok(regs(0, 0, 0, 0x01, 0x01, 0x70, 0x19, BCD_24H)), 0);
}

static void test_garbage_rejected(void **state)
{
	(void)state;
	struct cmos_rtc_regs r = regs(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
	struct civil_time t;
	struct cmos_rtc_error err = { 0 };

	/* No chip: every port reads all ones. */
	assert_int_equal(cmos_rtc_decode(&r, &t, &err), -E_INVAL);
	assert_string_equal(err.what, "seconds");
	assert_int_equal(err.reg, CMOS_RTC_SEC);
	assert_int_equal(err.value, 0xFF);

	/* Each field out of range, or not BCD, is named. */
	bad(regs(0x60, 0, 0, 1, 1, 0x26, 0x20, BCD_24H), "seconds", CMOS_RTC_SEC);
	bad(regs(0x5A, 0, 0, 1, 1, 0x26, 0x20, BCD_24H), "seconds", CMOS_RTC_SEC);
	bad(regs(60, 0, 0, 1, 1, 26, 20, BIN_24H), "seconds", CMOS_RTC_SEC);
	bad(regs(0, 0x60, 0, 1, 1, 0x26, 0x20, BCD_24H), "minutes", CMOS_RTC_MIN);
	bad(regs(0, 0x0F, 0, 1, 1, 0x26, 0x20, BCD_24H), "minutes", CMOS_RTC_MIN);
	bad(regs(0, 0, 0x1A, 1, 1, 0x26, 0x20, BCD_24H), "hours", CMOS_RTC_HOUR);
	bad(regs(0, 0, 24, 1, 1, 26, 20, BIN_24H), "hours", CMOS_RTC_HOUR);
	bad(regs(0, 0, 0, 0x00, 1, 0x26, 0x20, BCD_24H), "day of month", CMOS_RTC_MDAY);
	bad(regs(0, 0, 0, 0x32, 1, 0x26, 0x20, BCD_24H), "day of month", CMOS_RTC_MDAY);
	bad(regs(0, 0, 0, 0x31, 0x04, 0x26, 0x20, BCD_24H), "day of month", CMOS_RTC_MDAY);
	bad(regs(0, 0, 0, 0x1F, 0x01, 0x26, 0x20, BCD_24H), "day of month", CMOS_RTC_MDAY);
	bad(regs(0, 0, 0, 1, 0x00, 0x26, 0x20, BCD_24H), "month", CMOS_RTC_MON);
	bad(regs(0, 0, 0, 1, 0x13, 0x26, 0x20, BCD_24H), "month", CMOS_RTC_MON);
	bad(regs(0, 0, 0, 1, 13, 26, 20, BIN_24H), "month", CMOS_RTC_MON);
	bad(regs(0, 0, 0, 1, 1, 0xA0, 0x20, BCD_24H), "year", CMOS_RTC_YEAR);
	bad(regs(0, 0, 0, 1, 1, 100, 20, BIN_24H), "year", CMOS_RTC_YEAR);
	/* BCD bytes read as binary are just other numbers: 0x59 is 89 seconds. */
	bad(regs(0x59, 0, 0, 1, 1, 26, 20, BIN_24H), "seconds", CMOS_RTC_SEC);
}

/* vrtc register `reg` as a guest reads it at now 0. */
static uint8_t vrtc_reg(struct vrtc *rtc, uint8_t reg)
{
	uint8_t v = reg;
	assert_true(vrtc_io(rtc, 0, 0x70, false, &v));
	assert_true(vrtc_io(rtc, 0, 0x71, true, &v));
	return v;
}

static void vrtc_set_b(struct vrtc *rtc, uint8_t b)
{
	uint8_t v = CMOS_RTC_STATUS_B;
	assert_true(vrtc_io(rtc, 0, 0x70, false, &v));
	assert_true(vrtc_io(rtc, 0, 0x71, false, &b));
}

/* What the emulated RTC encodes, in each of its four formats, decodes back
 * to the same second: the two sides agree on BCD, 12-hour and century. */
static void test_emulated_rtc_round_trips(void **state)
{
	(void)state;
	static const uint8_t formats[] = { BCD_24H, BIN_24H, BCD_12H, BIN_12H };
	static struct vrtc rtc;

	rng_seed(0xC305);
	for (unsigned i = 0; i < 20000; i++) {
		/* 1970 to 2199; every other one within half an hour of midnight or noon. */
		uint64_t s = rng_below(7258118400ull);
		if (i % 8 < 4)
			s = s / 86400 * 86400 + 86400 + (i % 16 < 8 ? 0 : 43200) + rng_below(3600) - 1800;
		uint8_t b = formats[i % 4];

		vrtc_init(&rtc, s, 0);
		vrtc_set_b(&rtc, b);
		struct cmos_rtc_regs r = regs(vrtc_reg(&rtc, CMOS_RTC_SEC), vrtc_reg(&rtc, CMOS_RTC_MIN),
					      vrtc_reg(&rtc, CMOS_RTC_HOUR), vrtc_reg(&rtc, CMOS_RTC_MDAY),
					      vrtc_reg(&rtc, CMOS_RTC_MON), vrtc_reg(&rtc, CMOS_RTC_YEAR),
					      vrtc_reg(&rtc, CMOS_RTC_CENTURY),
					      vrtc_reg(&rtc, CMOS_RTC_STATUS_B));
		assert_int_equal(r.status_b, b);
		assert_int_equal(ok(r), (int64_t)s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bcd_and_binary),
		cmocka_unit_test(test_twelve_hour),
		cmocka_unit_test(test_century_and_leap_days),
		cmocka_unit_test(test_garbage_rejected),
		cmocka_unit_test(test_emulated_rtc_round_trips),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

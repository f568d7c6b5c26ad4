/* The wall clock from the host RTC (core/wall_clock.c), with the RTC's port
 * I/O and the monotonic clock faked. */
#include "host_shim.h"

#include <string.h>

#include <plinth/cmos_rtc.h>
#include <plinth/errno.h>
#include <plinth/time.h>
#include <plinth/wall_clock.h>

#define SEC 1000000000ull
#define T_2030 1905243630ull /* 2030-05-17 10:20:30 UTC */

static struct cmos_rtc_regs fake_regs;
static int fake_read_result;
static uint64_t fake_now;

int cmos_rtc_read(struct cmos_rtc_regs *out)
{
	if (fake_read_result == 0)
		*out = fake_regs;
	return fake_read_result;
}

uint64_t time_now_ns(void)
{
	return fake_now;
}

static void rtc_holds(uint8_t sec, uint8_t min, uint8_t hour, uint8_t mday, uint8_t mon,
		      uint8_t year, uint8_t century, uint8_t status_b)
{
	struct cmos_rtc_regs r = { sec, min, hour, mday, mon, year, century, status_b };
	fake_regs = r;
	fake_read_result = 0;
}

static void test_reading_logged_and_carried_on(void **state)
{
	(void)state;
	rtc_holds(0x30, 0x20, 0x10, 0x17, 0x05, 0x30, 0x20, 0x02);
	fake_now = 5 * SEC + SEC / 2; /* read 5.5 s after the clock's start */
	wall_clock_init();
	assert_string_equal(shim_last_log, "[time] host RTC: 2030-05-17 10:20:30 UTC");
	/* At the reading the date is the RTC's... */
	assert_int_equal(wall_clock_base() + fake_now / SEC, T_2030);
	/* ...and a minute later (a guest started then) a minute on. */
	assert_int_equal(wall_clock_base() + (fake_now + 60 * SEC) / SEC, T_2030 + 60);
}

static void test_twelve_hour_pm(void **state)
{
	(void)state;
	rtc_holds(0x30, 0x20, 0x90, 0x17, 0x05, 0x30, 0x20, 0x00); /* 10 PM, BCD */
	fake_now = 0;
	wall_clock_init();
	assert_string_equal(shim_last_log, "[time] host RTC: 2030-05-17 22:20:30 UTC");
	assert_int_equal(wall_clock_base(), T_2030 + 12 * 3600);
}

static void test_unreadable_rtc_falls_back_to_1970(void **state)
{
	(void)state;
	rtc_holds(0x30, 0x20, 0x10, 0x17, 0x05, 0x30, 0x20, 0x02);
	wall_clock_init();
	assert_int_not_equal(wall_clock_base(), 0);

	fake_read_result = -E_TIMEDOUT;
	wall_clock_init();
	assert_int_equal(wall_clock_base(), 0);
	assert_non_null(strstr(shim_last_log, "[time] host RTC: cannot read it (ETIMEDOUT"));
	assert_non_null(strstr(shim_last_log, "update-in-progress"));
	assert_non_null(strstr(shim_last_log, "1970-01-01"));

	fake_read_result = -E_BUSY;
	wall_clock_init();
	assert_int_equal(wall_clock_base(), 0);
	assert_non_null(strstr(shim_last_log, "kept changing"));
}

static void test_garbage_falls_back_to_1970(void **state)
{
	(void)state;
	rtc_holds(0x30, 0x20, 0x10, 0x17, 0x13, 0x30, 0x20, 0x02); /* month 13 */
	fake_now = 3 * SEC;
	wall_clock_init();
	assert_int_equal(wall_clock_base(), 0);
	assert_string_equal(shim_last_log,
			    "[time] host RTC: bad month (register 0x8 holds 0x13, status B 0x2); "
			    "guests' clocks start at 1970-01-01");

	rtc_holds(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);
	wall_clock_init();
	assert_int_equal(wall_clock_base(), 0);
	assert_non_null(strstr(shim_last_log, "bad seconds (register 0 holds 0xff"));
}

/* A reading taken later than its own seconds (1970 plus a little) cannot
 * give a base before 1970. */
static void test_base_never_before_1970(void **state)
{
	(void)state;
	rtc_holds(0x05, 0x00, 0x00, 0x01, 0x01, 0x70, 0x19, 0x02); /* 1970-01-01 00:00:05 */
	fake_now = 100 * SEC;
	wall_clock_init();
	assert_int_equal(wall_clock_base(), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reading_logged_and_carried_on),
		cmocka_unit_test(test_twelve_hour_pm),
		cmocka_unit_test(test_unreadable_rtc_falls_back_to_1970),
		cmocka_unit_test(test_garbage_falls_back_to_1970),
		cmocka_unit_test(test_base_never_before_1970),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

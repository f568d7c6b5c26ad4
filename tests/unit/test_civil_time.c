/* Civil dates <-> seconds since 1970 (core/civil_time.c), checked against
 * known dates and the host C library's gmtime_r/timegm. */
#include "host_shim.h"

#include <time.h>

#include <plinth/civil_time.h>

#include "civil_valid.h"
#include "test_rng.h"

#define DAY 86400ll

static struct civil_time at(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
			    unsigned s)
{
	struct civil_time t = { y, mo, d, h, mi, s, 0 };
	return t;
}

static void test_epoch_and_known_dates(void **state)
{
	(void)state;
	struct civil_time t;

	assert_int_equal(civil_days_from_date(1970, 1, 1), 0);
	assert_int_equal(civil_days_from_date(1969, 12, 31), -1);
	assert_int_equal(civil_days_from_date(2000, 3, 1), 11017);
	t = at(2024, 2, 29, 23, 59, 58);
	assert_int_equal(civil_to_seconds(&t), 1709251198);
	t = at(1950, 6, 1, 0, 0, 0);
	assert_true(civil_to_seconds(&t) < 0);

	civil_from_seconds(0, &t);
	assert_int_equal(t.year, 1970);
	assert_int_equal(t.mon, 1);
	assert_int_equal(t.mday, 1);
	assert_int_equal(t.hour + t.min + t.sec, 0);
	assert_int_equal(t.wday, 4); /* Thursday */
	civil_from_seconds(1709251198, &t);
	assert_int_equal(t.year, 2024);
	assert_int_equal(t.mon, 2);
	assert_int_equal(t.mday, 29);
	assert_int_equal(t.hour, 23);
	assert_int_equal(t.min, 59);
	assert_int_equal(t.sec, 58);
	assert_int_equal(t.wday, 4);
}

static void test_leap_years(void **state)
{
	(void)state;
	assert_true(civil_is_leap_year(2000));
	assert_true(civil_is_leap_year(2024));
	assert_false(civil_is_leap_year(1900));
	assert_false(civil_is_leap_year(2100));
	assert_false(civil_is_leap_year(2023));
	assert_int_equal(civil_days_in_month(2000, 2), 29);
	assert_int_equal(civil_days_in_month(2100, 2), 28);
	assert_int_equal(civil_days_in_month(2023, 4), 30);
	assert_int_equal(civil_days_in_month(2023, 12), 31);
	assert_int_equal(civil_days_in_month(2023, 0), 0);
	assert_int_equal(civil_days_in_month(2023, 13), 0);

	/* 2100-02-28 is followed by March 1st, 2000-02-28 by February 29th. */
	assert_int_equal(civil_days_from_date(2100, 3, 1) - civil_days_from_date(2100, 2, 28), 1);
	assert_int_equal(civil_days_from_date(2000, 3, 1) - civil_days_from_date(2000, 2, 28), 2);
	struct civil_time t;
	civil_from_seconds((uint64_t)civil_days_from_date(2100, 2, 28) * DAY + DAY, &t);
	assert_int_equal(t.mon, 3);
	assert_int_equal(t.mday, 1);
	civil_from_seconds((uint64_t)civil_days_from_date(2000, 2, 28) * DAY + DAY, &t);
	assert_int_equal(t.mon, 2);
	assert_int_equal(t.mday, 29);
}

/* Every day from 1970 to 2400: consecutive, valid, and both ways agree. */
static void test_every_day_round_trips(void **state)
{
	(void)state;
	struct civil_time prev, t;
	int64_t last = civil_days_from_date(2400, 12, 31);

	civil_from_seconds(0, &prev);
	for (int64_t d = 1; d <= last; d++) {
		civil_from_seconds((uint64_t)(d * DAY + 3661), &t);
		assert_true(civil_time_valid(&t));
		assert_int_equal(civil_days_from_date(t.year, t.mon, t.mday), d);
		assert_int_equal(civil_to_seconds(&t), d * DAY + 3661);
		assert_int_equal(t.wday, (prev.wday + 1) % 7);
		if (t.mday != 1) {
			assert_int_equal(t.mday, prev.mday + 1);
		} else {
			assert_int_equal(prev.mday, civil_days_in_month(prev.year, prev.mon));
		}
		prev = t;
	}
}

/* Random instants agree with the host's gmtime_r and timegm. */
static void test_matches_libc(void **state)
{
	(void)state;
	rng_seed(0xC1F11);
	for (unsigned i = 0; i < 100000; i++) {
		time_t s = (time_t)rng_below(253402300800ull); /* up to 9999-12-31 */
		struct tm tm;
		struct civil_time t;

		assert_non_null(gmtime_r(&s, &tm));
		civil_from_seconds((uint64_t)s, &t);
		assert_int_equal(t.year, tm.tm_year + 1900);
		assert_int_equal(t.mon, tm.tm_mon + 1);
		assert_int_equal(t.mday, tm.tm_mday);
		assert_int_equal(t.hour, tm.tm_hour);
		assert_int_equal(t.min, tm.tm_min);
		assert_int_equal(t.sec, tm.tm_sec);
		assert_int_equal(t.wday, tm.tm_wday);
		assert_int_equal(civil_to_seconds(&t), (int64_t)timegm(&tm));
	}
	/* Before 1970 too (the guest may set its RTC back). */
	for (unsigned y = 1900; y < 1970; y += 7) {
		struct tm tm = { .tm_year = (int)y - 1900, .tm_mon = 2, .tm_mday = 1 };
		struct civil_time t = at(y, 3, 1, 0, 0, 0);
		assert_int_equal(civil_to_seconds(&t), (int64_t)timegm(&tm));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_epoch_and_known_dates),
		cmocka_unit_test(test_leap_years),
		cmocka_unit_test(test_every_day_round_trips),
		cmocka_unit_test(test_matches_libc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Civil dates <-> days since 1970 (include/plinth/civil_time.h). The
 * algorithms count in 400-year eras of 146097 days starting on March 1st,
 * so February's leap day is the last day of the "year" and needs no case.
 */
#include <plinth/civil_time.h>

#define DAYS_PER_ERA 146097
#define DAYS_0000_03_01_TO_1970 719468 /* from 0000-03-01 to 1970-01-01 */

bool civil_is_leap_year(unsigned year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

unsigned civil_days_in_month(unsigned year, unsigned mon)
{
	static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (mon < 1 || mon > 12)
		return 0;
	return days[mon - 1] + (mon == 2 && civil_is_leap_year(year));
}

int64_t civil_days_from_date(unsigned year, unsigned mon, unsigned mday)
{
	int64_t y = (int64_t)year - (mon <= 2); /* January and February end the year before */
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (mon > 2 ? (int64_t)mon - 3 : (int64_t)mon + 9) + 2) / 5 + mday - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * DAYS_PER_ERA + doe - DAYS_0000_03_01_TO_1970;
}

int64_t civil_to_seconds(const struct civil_time *t)
{
	return civil_days_from_date(t->year, t->mon, t->mday) * SECONDS_PER_DAY +
	       (int64_t)t->hour * 3600 + (int64_t)t->min * 60 + t->sec;
}

void civil_from_seconds(uint64_t seconds, struct civil_time *t)
{
	uint64_t days = seconds / SECONDS_PER_DAY;
	unsigned sod = (unsigned)(seconds % SECONDS_PER_DAY);
	uint64_t z = days + DAYS_0000_03_01_TO_1970;
	uint64_t era = z / DAYS_PER_ERA;
	uint64_t doe = z - era * DAYS_PER_ERA;
	uint64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	uint64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	uint64_t mp = (5 * doy + 2) / 153;

	t->mday = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	t->mon = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	t->year = (unsigned)(yoe + era * 400 + (t->mon <= 2));
	t->wday = (unsigned)((days + 4) % 7); /* 1970-01-01 was a Thursday */
	t->hour = sod / 3600;
	t->min = sod / 60 % 60;
	t->sec = sod % 60;
}

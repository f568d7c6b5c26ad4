/*
 * Civil (proleptic Gregorian, UTC) dates and times and seconds since
 * 1970-01-01 00:00:00: the host RTC reader and the guests' emulated RTC
 * both convert between them (core/civil_time.c, after H. Hinnant's
 * days_from_civil / civil_from_days algorithms).
 */
#ifndef PLINTH_CIVIL_TIME_H
#define PLINTH_CIVIL_TIME_H

#include <plinth/types.h>

#define SECONDS_PER_DAY 86400u

struct civil_time {
	unsigned year;	/* full year, e.g. 2026 */
	unsigned mon;	/* 1-12 */
	unsigned mday;	/* 1-31 */
	unsigned hour;	/* 0-23 */
	unsigned min;	/* 0-59 */
	unsigned sec;	/* 0-59 (no leap seconds: an RTC has none) */
	unsigned wday;	/* 0 = Sunday; set by civil_from_seconds, ignored otherwise */
};

bool civil_is_leap_year(unsigned year);
/* Days in month mon (1-12) of year; 0 for a month out of range. */
unsigned civil_days_in_month(unsigned year, unsigned mon);
/* Days from 1970-01-01 to year-mon-mday (negative before 1970). mon and
 * mday are not checked: mday past the month's end counts on into the next. */
int64_t civil_days_from_date(unsigned year, unsigned mon, unsigned mday);
/* Seconds since 1970-01-01 00:00:00 (negative before); t need not be valid. */
int64_t civil_to_seconds(const struct civil_time *t);
/* The civil time `seconds` after 1970-01-01 00:00:00, weekday included. */
void civil_from_seconds(uint64_t seconds, struct civil_time *t);

#endif

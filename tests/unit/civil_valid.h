/*
 * For the unit tests: is a struct civil_time a real instant (every field in
 * range, the day within its month)? Seconds alone cannot tell: hour 24 of
 * one day is second for second 00:00 of the next.
 */
#ifndef PLINTH_TEST_CIVIL_VALID_H
#define PLINTH_TEST_CIVIL_VALID_H

#include <plinth/civil_time.h>

static inline bool civil_time_valid(const struct civil_time *t)
{
	return t->mon >= 1 && t->mon <= 12 && t->mday >= 1 &&
	       t->mday <= civil_days_in_month(t->year, t->mon) && t->hour < 24 && t->min < 60 &&
	       t->sec < 60;
}

#endif

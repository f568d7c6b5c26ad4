/*
 * The date and time of day: the host's CMOS RTC read once at boot
 * (assumed to hold UTC), carried on by the monotonic clock (plinth/time.h).
 * The guests' emulated RTCs start from it (docs/devices.md).
 */
#ifndef PLINTH_WALL_CLOCK_H
#define PLINTH_WALL_CLOCK_H

#include <plinth/types.h>

/*
 * Boot CPU, after time_init and before the other CPUs start: read the host
 * RTC and log it. When it cannot be read or holds garbage, a warning says
 * what was wrong and the clock starts at 1970-01-01 00:00:00.
 */
void wall_clock_init(void);

/*
 * Seconds since 1970-01-01 00:00:00 UTC at time_now_ns() == 0: the RTC's
 * reading minus the monotonic seconds elapsed when it was taken, so that
 * wall_clock_base() + time_now_ns() / 1e9 is the date now (within a second),
 * however long after boot it is asked. 0 before wall_clock_init or without
 * a usable RTC.
 */
uint64_t wall_clock_base(void);

#endif

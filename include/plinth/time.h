/*
 * Monotonic time from the TSC (arch/x86/time.c), calibrated at boot against
 * the PIT together with the LAPIC timer. All CPUs share one clock: Plinth
 * assumes their TSCs run in step (an invariant TSC, as on every CPU with
 * VT-x or AMD-V of the last decade, and in QEMU and Bochs).
 */
#ifndef PLINTH_TIME_H
#define PLINTH_TIME_H

#include <plinth/types.h>

/* Boot CPU, after lapic_init_boot: calibrate. 0, or -E_* if the PIT did not count. */
int time_init(void);
/* Nanoseconds since time_init. */
uint64_t time_now_ns(void);
uint64_t time_tsc_hz(void);
/* TSC ticks in `ns` nanoseconds (no division: fits the hot path). */
uint64_t time_ns_to_tsc(uint64_t ns);
/* Spin for at least `us` microseconds. */
void time_delay_us(uint64_t us);

#endif

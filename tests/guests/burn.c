/*
 * burn: a CPU-bound guest for the scheduler's fairness tests. It does fixed
 * units of work for BURN_NS of hypervisor time (HC_CLOCK) and reports how
 * many units it finished at each REPORT_NS mark, so a test compares guests
 * over the same window of time:
 *     progress t=500ms units=1234
 * It never halts or yields: only preemption takes the CPU from it.
 */
#include "guest.h"

#define MS 1000000ull
#define BURN_NS (2000 * MS)
#define REPORT_NS (250 * MS)
#define UNIT_ITERATIONS 20000

/* One unit of work the compiler cannot drop. */
static uint64_t work_unit(uint64_t x)
{
	for (unsigned i = 0; i < UNIT_ITERATIONS; i++)
		x = mix64(x);
	return x;
}

void guest_main(void)
{
	uint64_t tsc = rdtsc(), start = hc_clock(), next_report = REPORT_NS, units = 0, x = 1;
	uint64_t elapsed = 0;

	/* The TSC counts from the guest's creation (its offset), HC_CLOCK from Plinth's start. */
	check(start > 0 || hc_clock() > 0, "burn-clock", "HC_CLOCK reads %llu ns, RDTSC %llu at start",
	      (unsigned long long)start, (unsigned long long)tsc);
	while (elapsed < BURN_NS) {
		x = work_unit(x);
		units++;
		elapsed = hc_clock() - start;
		while (elapsed >= next_report && next_report <= BURN_NS) {
			say("progress t=%llums units=%llu", (unsigned long long)(next_report / MS),
			    (unsigned long long)units);
			next_report += REPORT_NS;
		}
	}
	check(units > 0, "burn-ran", "%llu units in %llu ms (checksum %#llx)",
	      (unsigned long long)units, (unsigned long long)(elapsed / MS), (unsigned long long)x);
}

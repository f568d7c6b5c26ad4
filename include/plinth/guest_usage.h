/*
 * What each guest consumed over the last second, sampled by the boot CPU
 * (core/guest_usage.c) for the console's list, top and info. Percentages
 * are in tenths of a percent of one pCPU.
 */
#ifndef PLINTH_GUEST_USAGE_H
#define PLINTH_GUEST_USAGE_H

#include <plinth/guest.h>
#include <plinth/vm_exit.h>

#define GUEST_USAGE_INTERVAL_NS 1000000000ull

struct guest_usage {
	unsigned cpu_permille;                        /* all its vCPUs */
	unsigned vcpu_permille[GUEST_MAX_VCPUS];
	uint64_t exits_per_s;
	uint64_t exit_rate[VMEXIT_REASON_COUNT];      /* per second, by kind */
	/* the previous sample */
	uint64_t at_ns;
	uint64_t vcpu_run_ns[GUEST_MAX_VCPUS];
	uint64_t exits[VMEXIT_REASON_COUNT];
};

/* Boot CPU, at its ticks: takes a new sample once per interval. */
void guest_usage_sample(uint64_t now);
/* How many samples were taken: a new value means new figures. */
uint64_t guest_usage_samples(void);
/* The usage of guest_by_index(i) over the last complete interval. */
const struct guest_usage *guest_usage_of(size_t i);

#endif

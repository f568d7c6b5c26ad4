/*
 * Running vCPUs on every CPU under the credit scheduler (core/vcpu_loop.c,
 * docs/scheduler.md).
 */
#ifndef PLINTH_VCPU_LOOP_H
#define PLINTH_VCPU_LOOP_H

#include <plinth/guest.h>
#include <plinth/sched.h>

/* Boot CPU, once every CPU is online: start the scheduler (params NULL: defaults). */
int vcpu_loop_init(const struct sched_params *params);
/* Hand a created guest to the scheduler; its runnable vCPUs start. 0 or -E_*. */
int vcpu_loop_add_guest(struct guest *g, unsigned weight, unsigned cap, uint64_t affinity);
/* Boot CPU: run guests on all CPUs until every guest has stopped. */
void vcpu_loop_run_all(void);
/* What the other CPUs run (smp_start_aps): wait for vcpu_loop_run_all, then schedule. */
void vcpu_loop_ap_main(unsigned cpu);
/* HC_SET_TIMER: raise `vector` for v at `deadline_ns` (time_now_ns), 0 cancels. */
void vcpu_set_timer(struct vcpu *v, uint64_t deadline_ns, uint8_t vector);
/* Log every guest's scheduling statistics (Ctrl-] s on the serial console). */
void vcpu_loop_log_stats(void);
/* Reset FPU/SSE state for a new vCPU (FXSAVE image). */
void vcpu_fpu_init(struct vcpu *v);

#endif

/* Shared by core/vcpu_loop.c and its helpers (vcpu_stats.c): not an API. */
#ifndef PLINTH_CORE_VCPU_LOOP_INTERNAL_H
#define PLINTH_CORE_VCPU_LOOP_INTERNAL_H

#include <plinth/guest.h>
#include <plinth/sched.h>
#include <plinth/spinlock.h>

/* The credit scheduler of all CPUs; every call into it holds vcpu_sched_lock. */
extern struct sched vcpu_sched;
extern spinlock_t vcpu_sched_lock;

/* Log v's scheduling statistics up to now (under vcpu_sched_lock). */
void vcpu_log_sched_stats(const struct vcpu *v, uint64_t now);
/* A stopped guest that left the scheduler: on_crash (core/guest_ended.c); no lock held. */
void guest_ended(struct guest *g);
/* Boot CPU, at its ticks: the management console (core/mgmt_console.c). */
void mgmt_console_poll(uint64_t now);
/* Someone used the console: the run goes on when every guest has stopped. */
bool mgmt_console_in_use(void);
/* Take g's vCPUs off the scheduler (under vcpu_sched_lock): pCPUs to kick. */
uint64_t vcpu_loop_remove_guest_locked(struct guest *g, uint64_t now);
/* Send the reschedule IPI to the pCPUs in mask (not to this one). */
void vcpu_loop_kick(uint64_t mask);
/* The mask bit of a pCPU number from the scheduler (-1: none). */
uint64_t vcpu_loop_cpu_bit(int cpu);

/* Boot cost (core/boot_cost.c): note the first guest run; log it after it. */
extern bool boot_cost_taken, boot_cost_pending;
void boot_cost_first_entry(struct vcpu *v);
void boot_cost_log(void);

#endif

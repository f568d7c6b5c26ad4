/*
 * Inter-processor interrupts: reschedule (sets a flag the scheduler reads)
 * and call (runs a function on the target, for stage-2 flushes and the like).
 */
#define LOG_TAG "smp"
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/percpu.h>
#include <plinth/smp.h>
#include <plinth/spinlock.h>
#include <plinth/time.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86/lapic.h>

#define CALL_TIMEOUT_NS 1000000000ULL

/* One caller at a time per target CPU's call slot. */
static spinlock_t call_locks[MAX_CPUS];

void smp_send_reschedule(unsigned cpu)
{
	struct percpu *pc = percpu_of(cpu);

	if (!pc || !pc->online)
		return;
	lapic_send_ipi(pc->apic_id, X86_VECTOR_IPI_RESCHEDULE);
}

/* Run the call waiting for this CPU, if there is one. */
static void serve_call(void)
{
	struct percpu_call *c = &this_cpu()->call;
	void (*fn)(void *) = __atomic_exchange_n(&c->fn, NULL, __ATOMIC_ACQUIRE);

	if (!fn)
		return;
	fn(c->arg);
	__atomic_fetch_add(&c->done, 1, __ATOMIC_RELEASE);
}

int smp_call(unsigned cpu, void (*fn)(void *arg), void *arg)
{
	struct percpu *pc = percpu_of(cpu);

	if (!pc || !pc->online || !fn)
		return -E_INVAL;
	if (pc == this_cpu()) {
		fn(arg);
		return 0;
	}
	spin_lock(&call_locks[cpu]);
	uint64_t done = __atomic_load_n(&pc->call.done, __ATOMIC_ACQUIRE);
	pc->call.arg = arg;
	__atomic_store_n(&pc->call.fn, fn, __ATOMIC_RELEASE);
	lapic_send_ipi(pc->apic_id, X86_VECTOR_IPI_CALL);

	uint64_t deadline = time_now_ns() + CALL_TIMEOUT_NS;
	while (__atomic_load_n(&pc->call.done, __ATOMIC_ACQUIRE) == done) {
		serve_call();
		if (time_now_ns() > deadline) {
			/* Unlocking would let the next caller's fn race with this one. */
			log_error("CPU %u did not run a call within %llu ms; its call slot stays taken",
				  cpu, CALL_TIMEOUT_NS / 1000000);
			return -E_TIMEDOUT;
		}
		cpu_relax();
	}
	spin_unlock(&call_locks[cpu]);
	return 0;
}

void ipi_interrupt(unsigned vector)
{
	struct percpu *pc = this_cpu();

	/*
	 * Counted per kind and after the effect: whoever sees a count change
	 * also sees that IPI's effect, and a late call IPI is never mistaken
	 * for a reschedule.
	 */
	if (vector == X86_VECTOR_IPI_RESCHEDULE) {
		pc->resched_pending = true;
		__atomic_store_n(&pc->resched_ipis, pc->resched_ipis + 1, __ATOMIC_RELEASE);
	} else {
		serve_call();
		__atomic_store_n(&pc->call_ipis, pc->call_ipis + 1, __ATOMIC_RELEASE);
	}
	lapic_eoi();
}

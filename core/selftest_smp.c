/*
 * test=smp: every other CPU answers a call IPI and a reschedule IPI, and the
 * LAPIC timer fires on every CPU about when asked, measured on the TSC
 * clock. The bounds are wide (half to 100 times the delay) because
 * emulators on a loaded machine stall for a long time, but a timer that is
 * off by a large factor (a calibration bug) or never fires still fails.
 */
#define LOG_TAG "test"
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/percpu.h>
#include <plinth/smp.h>
#include <plinth/time.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/lapic.h>

#include "selftest_cases.h"

#define TIMER_DELAY_NS 20000000ULL /* 20 ms */
#define TIMER_EARLIEST_NS (TIMER_DELAY_NS / 2)
#define TIMER_LATEST_NS (TIMER_DELAY_NS * 100)
#define ANSWER_TIMEOUT_NS 2000000000ULL

static void count_call(void *arg)
{
	(void)arg;
	this_cpu()->selftest_counter++;
}

static void arm_timer(void *arg)
{
	(void)arg;
	lapic_timer_oneshot_ns(TIMER_DELAY_NS);
}

/* Wait for *v to differ from `old`; the caller's own interrupts are let in meanwhile. */
static bool wait_change(const volatile uint64_t *v, uint64_t old, uint64_t timeout_ns)
{
	uint64_t start = time_now_ns();

	while (*v == old) {
		if (time_now_ns() - start > timeout_ns)
			return false;
		__asm__ volatile("sti; nop; cli" ::: "memory");
		cpu_relax();
	}
	return true;
}

static bool timer_ok(unsigned cpu)
{
	struct percpu *pc = percpu_of(cpu);
	uint64_t before = pc->timer_fired;
	uint64_t start = time_now_ns();

	if (cpu == this_cpu()->cpu)
		arm_timer(NULL);
	else if (smp_call(cpu, arm_timer, NULL) != 0)
		return false;
	bool fired = wait_change(&pc->timer_fired, before, TIMER_LATEST_NS);
	uint64_t took = time_now_ns() - start;

	log_info("CPU %u: LAPIC timer for %llu ms %s after %llu.%03llu ms", cpu,
		 TIMER_DELAY_NS / 1000000, fired ? "fired" : "did not fire",
		 (unsigned long long)(took / 1000000), (unsigned long long)(took / 1000 % 1000));
	return fired && took >= TIMER_EARLIEST_NS;
}

static bool ipis_ok(unsigned cpu)
{
	struct percpu *pc = percpu_of(cpu);
	uint64_t before = pc->selftest_counter;
	int err = smp_call(cpu, count_call, NULL);
	bool called = err == 0 && pc->selftest_counter == before + 1;

	/* The target's scheduler may clear resched_pending at once: watch the handler's count. */
	uint64_t ipis = __atomic_load_n(&pc->resched_ipis, __ATOMIC_ACQUIRE);
	smp_send_reschedule(cpu);
	bool resched = wait_change(&pc->resched_ipis, ipis, ANSWER_TIMEOUT_NS);

	log_info("CPU %u (APIC id %u): call IPI %s, reschedule IPI %s", cpu, pc->apic_id,
		 called ? "answered" : "NOT answered", resched ? "answered" : "NOT answered");
	return called && resched;
}

bool selftest_smp(void)
{
	unsigned n = cpu_count_online();
	bool ok = true;

	log_info("%u CPU(s) online, TSC %llu kHz", n, (unsigned long long)(time_tsc_hz() / 1000));
	for (unsigned cpu = 1; cpu < n; cpu++)
		ok &= ipis_ok(cpu);
	for (unsigned cpu = 0; cpu < n; cpu++)
		ok &= timer_ok(cpu);
	return ok;
}

static void panic_here(void *arg)
{
	(void)arg;
	panic("self-test: deliberate panic on CPU %u", this_cpu()->cpu);
}

/* test=panic-ap: the dump comes from CPU 1, and the other CPUs are stopped. */
bool selftest_panic_ap(void)
{
	if (cpu_count_online() < 2) {
		log_error("needs a second CPU");
		return false;
	}
	smp_call(1, panic_here, NULL);
	log_error("CPU 1 answered a call that panics");
	return false;
}

/*
 * The run loop on every CPU: ask the credit scheduler (sched/, docs/scheduler.md)
 * what to run, run it until its time is up, the accounting tick is due, a
 * guest timer expires, it halts, yields or stops, or another CPU kicks this
 * one; then tell the scheduler. Only this file calls the scheduler, always
 * under vcpu_sched_lock; guest code runs with the lock dropped.
 *
 * A guest that never exits is still interrupted at its deadline: on VT-x by
 * the preemption timer (vcpu.run_budget_tsc), on AMD-V by this CPU's LAPIC
 * timer, whose interrupt makes the guest exit.
 */
#define LOG_TAG "sched"
#include <plinth/backend.h>
#include <plinth/console.h>
#include <plinth/errno.h>
#include <plinth/exit.h>
#include <plinth/guest_platform.h>
#include <plinth/log.h>
#include <plinth/percpu.h>
#include <plinth/smp.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include <plinth/time.h>
#include <plinth/vcpu_loop.h>
#include <plinth/x86/lapic.h>

#include "vcpu_loop_internal.h"

#define FXSAVE_FCW_DEFAULT 0x037F
#define FXSAVE_MXCSR_OFFSET 24
#define MXCSR_DEFAULT 0x1F80

struct sched vcpu_sched;
spinlock_t vcpu_sched_lock;
static volatile bool loop_started; /* the guests are in place: APs may schedule */

/* Per CPU: when its next accounting tick is due. */
static uint64_t next_tick[MAX_CPUS];

void vcpu_fpu_init(struct vcpu *v)
{
	uint16_t fcw = FXSAVE_FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;

	memset(v->fpu, 0, sizeof(v->fpu));
	memcpy(v->fpu, &fcw, sizeof(fcw));
	memcpy(v->fpu + FXSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
}

static struct vcpu *vcpu_of(struct sched_vcpu *sv)
{
	return sv ? container_of(sv, struct vcpu, sched) : NULL;
}

void vcpu_loop_kick(uint64_t mask)
{
	unsigned self = this_cpu()->cpu;

	for (unsigned cpu = 0; mask; cpu++, mask >>= 1)
		if ((mask & 1) && cpu != self)
			smp_send_reschedule(cpu);
}

uint64_t vcpu_loop_cpu_bit(int cpu)
{
	return cpu >= 0 ? 1ull << cpu : 0;
}

/* Wake a vCPU unless the console paused its guest (resuming wakes it then). */
static uint64_t wake_locked(struct vcpu *v, uint64_t now)
{
	if (v->guest->paused)
		return 0;
	return vcpu_loop_cpu_bit(sched_wake(&vcpu_sched, &v->sched, now));
}

static bool take_resched(void)
{
	return __atomic_exchange_n(&this_cpu()->resched_pending, false, __ATOMIC_ACQ_REL);
}

/* ---- Setting up ---------------------------------------------------------- */

int vcpu_loop_init(const struct sched_params *params)
{
	int err = sched_init(&vcpu_sched, cpu_count_online(), params, time_now_ns());

	if (err)
		log_error("cannot start the scheduler on %u CPUs: %s", cpu_count_online(),
			  err_name(err));
	return err;
}

int vcpu_loop_add_guest(struct guest *g, unsigned weight, unsigned cap, uint64_t affinity)
{
	uint64_t now = time_now_ns(), kicks = 0;
	unsigned added = 0;
	int err;

	spin_lock(&vcpu_sched_lock);
	err = sched_dom_init(&vcpu_sched, &g->sched, weight, cap);
	for (; !err && added < g->vcpu_count; added++)
		err = sched_vcpu_init(&vcpu_sched, &g->vcpus[added].sched, &g->sched, affinity, now);
	if (err && added) {
		while (--added)
			sched_vcpu_remove(&vcpu_sched, &g->vcpus[added - 1].sched, now);
		sched_dom_remove(&vcpu_sched, &g->sched);
	}
	if (!err)
		for (unsigned i = 0; i < g->vcpu_count; i++)
			if (g->vcpus[i].state == VCPU_RUNNABLE)
				kicks |= vcpu_loop_cpu_bit(sched_wake(&vcpu_sched, &g->vcpus[i].sched,
								      now));
	spin_unlock(&vcpu_sched_lock);
	vcpu_loop_kick(kicks);
	if (err && affinity != SCHED_AFFINITY_ALL)
		log_error("%s: cpus: none of its CPUs is online (CPUs 0-%u are)", g->name,
			  cpu_count_online() - 1);
	else if (err)
		log_error("%s: cannot schedule it: %s", g->name, err_name(err));
	return err;
}

/* ---- Guest timers (HC_SET_TIMER) and interrupts --------------------------- */

static void for_each_vcpu(void (*fn)(struct vcpu *v, void *arg), void *arg)
{
	for (size_t i = 0; i < guest_count(); i++) {
		struct guest *g = guest_by_index(i);
		for (unsigned j = 0; j < g->vcpu_count; j++)
			fn(&g->vcpus[j], arg);
	}
}

/*
 * An interrupt for v (under vcpu_sched_lock): a halted vCPU is woken, a running
 * one on another CPU is kicked out of the guest so that it takes it at once.
 */
static uint64_t raise_locked(struct vcpu *v, uint8_t vector, uint64_t now)
{
	__atomic_store_n(&v->guest->pending_irq_vector, vector, __ATOMIC_RELEASE);
	if (v->state == VCPU_HALTED) {
		v->state = VCPU_RUNNABLE;
		return wake_locked(v, now);
	}
	if (sched_vcpu_state(&v->sched) == SCHED_RUNNING)
		return vcpu_loop_cpu_bit(sched_vcpu_cpu(&v->sched));
	return 0;
}

struct timer_scan {
	uint64_t now, kicks, next; /* next: earliest deadline still to come */
};

static void fire_timer(struct vcpu *v, void *arg)
{
	struct timer_scan *t = arg;

	if (v->state == VCPU_STOPPED)
		return;
	if (v->id == 0) {
		/*
		 * The guest's own devices (PIT, RTC, UART), brought up to now first (so
		 * their next event lies ahead): wake a halted vCPU for their interrupt.
		 */
		bool irq = guest_platform_irq_pending(v->guest, t->now) >= 0;
		if (v->state == VCPU_HALTED && irq) {
			v->state = VCPU_RUNNABLE;
			t->kicks |= wake_locked(v, t->now);
		}
		t->next = MIN(t->next, guest_platform_next_event(v->guest, t->now));
	}
	if (!v->timer_deadline_ns)
		return;
	if (v->timer_deadline_ns > t->now) {
		t->next = MIN(t->next, v->timer_deadline_ns);
		return;
	}
	v->timer_deadline_ns = 0;
	t->kicks |= raise_locked(v, v->timer_vector, t->now);
}

/* Raise what is due (under vcpu_sched_lock); returns the next deadline to come. */
static uint64_t fire_timers(uint64_t now, uint64_t *kicks)
{
	struct timer_scan t = { now, 0, UINT64_MAX };

	for_each_vcpu(fire_timer, &t);
	*kicks |= t.kicks;
	return t.next;
}

void vcpu_set_timer(struct vcpu *v, uint64_t deadline_ns, uint8_t vector)
{
	uint64_t kicks = 0, now = time_now_ns();

	spin_lock(&vcpu_sched_lock);
	v->timer_vector = vector;
	v->timer_deadline_ns = deadline_ns;
	if (deadline_ns && deadline_ns <= now) {
		v->timer_deadline_ns = 0;
		kicks = raise_locked(v, vector, now);
	}
	spin_unlock(&vcpu_sched_lock);
	vcpu_loop_kick(kicks);
}

/* Interrupts raised for the guest go in when it can take them: HC_RAISE_IRQ's, then the PIC's. */
static void deliver_pending_irq(struct vcpu *v, uint64_t now)
{
	struct guest *g = v->guest;
	uint64_t vector = __atomic_load_n(&g->pending_irq_vector, __ATOMIC_ACQUIRE);

	if (v->id != 0)
		return;
	if (!vector) {
		guest_platform_deliver(g, v, now);
		return;
	}
	if (!backend->irq_ready(v)) {
		backend->irq_window(v, true);
		return;
	}
	struct vcpu_event ev = { EVENT_EXTINT, (uint8_t)vector, false, 0 };
	if (backend->inject(v, &ev) == 0) {
		/* Only if nothing newer was raised meanwhile (it stays pending). */
		__atomic_compare_exchange_n(&g->pending_irq_vector, &vector, 0, false,
					    __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
		backend->irq_window(v, false);
	}
}

/* ---- Running --------------------------------------------------------------- */

/*
 * Run v until `deadline`, or until it halts, yields, stops or this CPU is
 * kicked. The FPU state moves eagerly (v may run elsewhere next), and the
 * backend lets go of v on the way out (a VMCS must be cleared on the CPU
 * that used it before another CPU may load it).
 */
static void run_until(struct vcpu *v, uint64_t deadline)
{
	struct percpu *pc = this_cpu();
	uint64_t fired = pc->timer_fired - 1; /* arm on the first pass */
	struct vm_exit e;

	__asm__ volatile("fxrstor64 %0" : : "m"(v->fpu));
	/* Once per run, not per exit: the boot benchmark's first-entry mark. */
	if (__builtin_expect(!boot_cost_taken, 0))
		boot_cost_first_entry(v);
	while (v->state == VCPU_RUNNABLE && !v->yield && !pc->resched_pending) {
		uint64_t now = time_now_ns();
		if (now >= deadline)
			break;
		deliver_pending_irq(v, now);
		v->run_budget_tsc = time_ns_to_tsc(deadline - now);
		/* Without a preemption timer: a one-shot, armed again only if it fired early. */
		if (!backend_caps.preempt_timer && pc->timer_fired != fired) {
			fired = pc->timer_fired;
			lapic_timer_oneshot_ns(deadline - now);
		}
		backend->vcpu_run(v, &e);
		exit_dispatch(v, &e);
	}
	if (__builtin_expect(boot_cost_pending, 0))
		boot_cost_log();
	if (!backend_caps.preempt_timer)
		lapic_timer_oneshot_ns(0);
	__asm__ volatile("fxsave64 %0" : "=m"(v->fpu));
	if (backend->vcpu_put)
		backend->vcpu_put(v);
}

/* Nothing to run: sleep until the deadline or an interrupt (a kick). */
static void idle_until(uint64_t deadline)
{
	uint64_t now = time_now_ns();

	if (deadline <= now)
		return;
	lapic_timer_oneshot_ns(deadline == UINT64_MAX ? 0 : deadline - now);
	if (!this_cpu()->resched_pending)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	lapic_timer_oneshot_ns(0);
}

/*
 * A stopped guest leaves the scheduler (under vcpu_sched_lock), all its vCPUs;
 * guest_ended must follow, outside the lock.
 */
uint64_t vcpu_loop_remove_guest_locked(struct guest *g, uint64_t now)
{
	uint64_t kicks = 0;

	g->ending = true; /* until guest_ended is done: the console leaves it alone */
	for (unsigned i = 0; i < g->vcpu_count; i++) {
		struct vcpu *v = &g->vcpus[i];
		if (sched_vcpu_state(&v->sched) == SCHED_OFFLINE)
			continue;
		vcpu_log_sched_stats(v, now);
		kicks |= vcpu_loop_cpu_bit(sched_vcpu_remove(&vcpu_sched, &v->sched, now));
	}
	sched_dom_remove(&vcpu_sched, &g->sched);
	return kicks;
}

/* After v ran (under vcpu_sched_lock): tell the scheduler why it stopped. */
static uint64_t account_stop(struct vcpu *v, uint64_t now, bool *need_pick, struct guest **ended)
{
	uint64_t kicks = 0;

	if (v->state == VCPU_STOPPED) {
		struct guest *g = v->guest;
		kicks |= vcpu_loop_remove_guest_locked(g, now);
		*ended = g;
		*need_pick = true;
	} else if (v->state == VCPU_HALTED &&
		   (__atomic_load_n(&v->guest->pending_irq_vector, __ATOMIC_ACQUIRE) ||
		    (v->id == 0 && guest_platform_irq_pending(v->guest, now) >= 0))) {
		v->state = VCPU_RUNNABLE; /* raised while it was on its way to halt */
	} else if (v->state == VCPU_HALTED) {
		kicks |= vcpu_loop_cpu_bit(sched_block(&vcpu_sched, &v->sched, now));
		*need_pick = true;
	} else if (v->yield) {
		v->yield = false;
		sched_vcpu_yield(&vcpu_sched, &v->sched);
		*need_pick = true;
	}
	return kicks;
}

/*
 * Running, restarting, or stopped but not yet through its end: a guest is
 * stopped (guest_stop) on the CPU that ran it before that CPU takes it out
 * of the scheduler and ends it (account_stop, guest_ended), and the boot
 * CPU must not tear guests down meanwhile. Under vcpu_sched_lock: `ending`
 * is set under it together with the vCPUs going offline, so one of the two
 * shows until guest_ended is done.
 */
static bool guest_alive_locked(const struct guest *g)
{
	if (g->state == GUEST_RUNNING || __atomic_load_n(&g->restarting, __ATOMIC_ACQUIRE) ||
	    __atomic_load_n(&g->ending, __ATOMIC_ACQUIRE))
		return true;
	for (unsigned i = 0; i < g->vcpu_count; i++)
		if (sched_vcpu_state(&g->vcpus[i].sched) != SCHED_OFFLINE)
			return true;
	return false;
}

/* Guests alive, or someone at the console who may start one again. */
static bool keep_running(void)
{
	bool alive = false;

	spin_lock(&vcpu_sched_lock);
	for (size_t i = 0; i < guest_count() && !alive; i++)
		alive = guest_alive_locked(guest_by_index(i));
	spin_unlock(&vcpu_sched_lock);
	return alive || mgmt_console_in_use();
}

/* A vCPU that could still run, or be woken by something Plinth knows of. */
static bool vcpu_can_wake(const struct vcpu *v)
{
	if (v->state == VCPU_RUNNABLE)
		return true;
	if (v->state != VCPU_HALTED)
		return false;
	if (v->timer_deadline_ns || __atomic_load_n(&v->guest->pending_irq_vector, __ATOMIC_ACQUIRE))
		return true;
	return v->id == 0 && guest_platform_next_event(v->guest, time_now_ns()) != UINT64_MAX;
}

/*
 * A guest whose vCPUs all halted with no timer armed, nothing pending and no
 * device event to come can never run again: stop it, so that its memory and
 * the run end. Under vcpu_sched_lock, from the boot CPU when it has nothing
 * to run; returns the guest stopped (for guest_ended, outside the lock).
 */
static struct guest *stop_a_sleeper_locked(uint64_t now)
{
	for (size_t i = 0; i < guest_count(); i++) {
		struct guest *g = guest_by_index(i);
		bool wakeable = false;

		if (g->state != GUEST_RUNNING)
			continue;
		for (unsigned j = 0; j < g->vcpu_count; j++)
			wakeable |= vcpu_can_wake(&g->vcpus[j]);
		if (wakeable)
			continue;
		guest_stop(g, -1, "all vCPUs halted waiting for an interrupt nothing can raise");
		vcpu_loop_remove_guest_locked(g, now);
		return g;
	}
	return NULL;
}

/*
 * The loop of one CPU. The boot CPU returns when every guest has stopped;
 * the others idle on (they are woken by kicks).
 */
static void schedule_loop(unsigned cpu)
{
	struct vcpu *v = NULL;
	uint64_t until = 0;
	uint64_t tick_ns = vcpu_sched.p.tick_ns;

	next_tick[cpu] = time_now_ns() + tick_ns;
	for (;;) {
		uint64_t kicks = 0, now;
		bool need_pick = v == NULL || take_resched();
		struct guest *ended = NULL;

		spin_lock(&vcpu_sched_lock);
		now = time_now_ns();
		if (v)
			kicks |= account_stop(v, now, &need_pick, &ended);
		bool ticked = now >= next_tick[cpu];
		if (ticked) {
			need_pick |= sched_tick(&vcpu_sched, cpu, now);
			while (next_tick[cpu] <= now)
				next_tick[cpu] += tick_ns;
		}
		uint64_t next_timer = fire_timers(now, &kicks);
		kicks |= sched_take_kicks(&vcpu_sched);
		if (need_pick || now >= until || (kicks & vcpu_loop_cpu_bit((int)cpu))) {
			v = vcpu_of(sched_schedule(&vcpu_sched, cpu, now, &until));
			kicks |= sched_take_kicks(&vcpu_sched);
		}
		spin_unlock(&vcpu_sched_lock);
		vcpu_loop_kick(kicks);
		if (ended)
			guest_ended(ended);
		if (ticked && cpu == 0)
			mgmt_console_poll(now);

		uint64_t deadline = MIN(MIN(until, next_tick[cpu]), next_timer);
		if (v) {
			run_until(v, deadline);
			continue;
		}
		if (cpu == 0) {
			spin_lock(&vcpu_sched_lock);
			struct guest *asleep = stop_a_sleeper_locked(time_now_ns());
			spin_unlock(&vcpu_sched_lock);
			if (asleep)
				guest_ended(asleep);
			if (!keep_running())
				return;
		}
		idle_until(keep_running() ? deadline : UINT64_MAX);
	}
}

void vcpu_loop_ap_main(unsigned cpu)
{
	while (!__atomic_load_n(&loop_started, __ATOMIC_ACQUIRE))
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	schedule_loop(cpu); /* only the boot CPU's returns */
}

void vcpu_loop_run_all(void)
{
	__atomic_store_n(&loop_started, true, __ATOMIC_RELEASE);
	for (unsigned cpu = 1; cpu < cpu_count_online(); cpu++)
		smp_send_reschedule(cpu);
	schedule_loop(0);
}

/*
 * Pause, resume, stop, restart, start and re-weigh a guest from the console
 * (include/plinth/guest_control.h). The scheduler's state changes under
 * vcpu_sched_lock; memory is scrubbed and images are loaded outside it.
 * A vCPU running on a pCPU at that moment is taken off by a reschedule IPI
 * (or, on this pCPU, by the pending-reschedule flag the run loop checks
 * before it enters a guest).
 */
#define LOG_TAG "console"
#include <plinth/config_boot.h>
#include <plinth/errno.h>
#include <plinth/guest_control.h>
#include <plinth/log.h>
#include <plinth/percpu.h>
#include <plinth/time.h>
#include <plinth/vcpu_loop.h>

#include "vcpu_loop_internal.h"

/* Kick the pCPUs in mask; this pCPU reschedules before it runs a guest again. */
static void kick(uint64_t mask)
{
	if (mask & vcpu_loop_cpu_bit((int)this_cpu()->cpu))
		__atomic_store_n(&this_cpu()->resched_pending, true, __ATOMIC_RELEASE);
	vcpu_loop_kick(mask);
}

/* Under the lock: is g a running guest nothing else is busy with? */
static bool running_idle(const struct guest *g, const char **why)
{
	if (g->ending || g->restarting) {
		*why = "it is being stopped or restarted";
		return false;
	}
	if (g->state != GUEST_RUNNING) {
		*why = "it is not running";
		return false;
	}
	return true;
}

int guest_pause(struct guest *g, const char **why)
{
	uint64_t kicks = 0, now;

	spin_lock(&vcpu_sched_lock);
	now = time_now_ns();
	if (!running_idle(g, why) || (g->paused && (*why = "it is already paused"))) {
		spin_unlock(&vcpu_sched_lock);
		return -E_BUSY;
	}
	g->paused = true;
	for (unsigned i = 0; i < g->vcpu_count; i++)
		kicks |= vcpu_loop_cpu_bit(sched_block(&vcpu_sched, &g->vcpus[i].sched, now));
	spin_unlock(&vcpu_sched_lock);
	kick(kicks);
	log_info("%s: paused", g->name);
	return 0;
}

int guest_resume(struct guest *g, const char **why)
{
	uint64_t kicks = 0, now;

	spin_lock(&vcpu_sched_lock);
	now = time_now_ns();
	if (!running_idle(g, why) || (!g->paused && (*why = "it is not paused"))) {
		spin_unlock(&vcpu_sched_lock);
		return -E_BUSY;
	}
	g->paused = false;
	/* Halted vCPUs stay blocked: their next interrupt wakes them as usual. */
	for (unsigned i = 0; i < g->vcpu_count; i++)
		if (g->vcpus[i].state == VCPU_RUNNABLE)
			kicks |= vcpu_loop_cpu_bit(sched_wake(&vcpu_sched, &g->vcpus[i].sched, now));
	kicks |= sched_take_kicks(&vcpu_sched);
	spin_unlock(&vcpu_sched_lock);
	kick(kicks);
	log_info("%s: resumed", g->name);
	return 0;
}

/*
 * Stop g. A vCPU of it running on some pCPU sees the stop when it is kicked
 * and that pCPU ends the guest (vcpu_loop.c, account_stop); otherwise it is
 * taken off the scheduler and ended here.
 */
static int stop(struct guest *g, bool restart, const char **why)
{
	uint64_t kicks = 0, now;
	bool running = false;

	spin_lock(&vcpu_sched_lock);
	now = time_now_ns();
	if (!running_idle(g, why)) {
		spin_unlock(&vcpu_sched_lock);
		return -E_BUSY;
	}
	if (restart) {
		g->restart_asked = true;
		__atomic_store_n(&g->restarting, true, __ATOMIC_RELEASE);
	}
	g->paused = false;
	guest_stop(g, 0, restart ? "restarted on the console" : "stopped on the console");
	for (unsigned i = 0; i < g->vcpu_count; i++) {
		if (sched_vcpu_state(&g->vcpus[i].sched) == SCHED_RUNNING) {
			running = true;
			kicks |= vcpu_loop_cpu_bit((int)sched_vcpu_cpu(&g->vcpus[i].sched));
		}
	}
	if (!running)
		kicks |= vcpu_loop_remove_guest_locked(g, now);
	spin_unlock(&vcpu_sched_lock);
	kick(kicks);
	if (!running)
		guest_ended(g);
	return 0;
}

int guest_hard_stop(struct guest *g, const char **why)
{
	return stop(g, false, why);
}

int guest_hard_restart(struct guest *g, const char **why)
{
	return stop(g, true, why);
}

int guest_start_named(const char *name, const char **why)
{
	struct guest *g = guest_by_name(name);
	int err;

	if (!g) {
		err = config_start_guest_named(name);
		if (err == -E_NOENT)
			*why = "no guest of that name in the configuration";
		else if (err)
			*why = "it could not be made (see the log)";
		return err;
	}
	spin_lock(&vcpu_sched_lock);
	bool busy = g->ending || g->restarting || g->state == GUEST_RUNNING;
	if (busy)
		*why = g->state == GUEST_RUNNING ? "it is running" : "it is being stopped";
	else
		__atomic_store_n(&g->restarting, true, __ATOMIC_RELEASE); /* ours now, and alive */
	spin_unlock(&vcpu_sched_lock);
	if (busy)
		return -E_BUSY;
	log_info("%s: starting (asked on the console)", g->name);
	g->restarts = 0;
	err = guest_restart(g);
	__atomic_store_n(&g->restarting, false, __ATOMIC_RELEASE);
	if (!err)
		err = vcpu_loop_add_guest(g, g->desc.weight, g->desc.cap, g->desc.affinity);
	if (err) {
		*why = "it could not be made (see the log)";
		if (g->state == GUEST_RUNNING)
			guest_stop(g, -1, "it cannot be scheduled");
		guest_destroy(g);
	}
	return err;
}

int guest_set_sched(struct guest *g, unsigned weight, unsigned cap, const char **why)
{
	uint64_t kicks, now;
	int err;

	spin_lock(&vcpu_sched_lock);
	now = time_now_ns();
	if (!running_idle(g, why)) {
		spin_unlock(&vcpu_sched_lock);
		return -E_BUSY;
	}
	err = sched_dom_set(&vcpu_sched, &g->sched, weight, cap, now);
	if (!err) {
		g->desc.weight = weight; /* a restart keeps them */
		g->desc.cap = cap;
	} else {
		*why = "the scheduler refused the values";
	}
	kicks = sched_take_kicks(&vcpu_sched);
	spin_unlock(&vcpu_sched_lock);
	kick(kicks);
	if (!err)
		log_info("%s: weight %u, cap %u%% (set on the console)", g->name, weight, cap);
	return err;
}

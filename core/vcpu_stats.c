/* Scheduling statistics: per vCPU, per guest, per CPU (docs/scheduler.md). */
#define LOG_TAG "sched"
#include <plinth/exit.h>
#include <plinth/log.h>
#include <plinth/time.h>
#include <plinth/vcpu_loop.h>

#include "vcpu_loop_internal.h"

#define NS_PER_MS 1000000ull
#define NS_PER_US 1000ull

void vcpu_log_sched_stats(const struct vcpu *v, uint64_t now)
{
	struct sched_stats st;

	sched_vcpu_stats(&v->sched, now, &st);
	log_info("%s vcpu%u: ran %llu ms, waited %llu ms (%llu ms parked by cap), blocked %llu ms, "
		 "%llu preemptions, %llu wake-ups (latency avg %llu us, max %llu us), %llu exits",
		 v->guest->name, v->id, (unsigned long long)(st.run_ns / NS_PER_MS),
		 (unsigned long long)(st.wait_ns / NS_PER_MS),
		 (unsigned long long)(st.parked_ns / NS_PER_MS),
		 (unsigned long long)(st.blocked_ns / NS_PER_MS),
		 (unsigned long long)st.preemptions, (unsigned long long)st.wakeups,
		 (unsigned long long)(st.wakeups ? st.wake_latency_total_ns / st.wakeups / NS_PER_US : 0),
		 (unsigned long long)(st.wake_latency_max_ns / NS_PER_US),
		 (unsigned long long)v->exits);
}

static void log_guest_stats(const struct guest *g, uint64_t now)
{
	log_info("%s: weight %u, cap %u%%, %s, %llu MiB RAM in %zu blocks, %zu stage-2 table pages",
		 g->name, g->sched.weight, g->sched.cap_pct,
		 g->state == GUEST_RUNNING ? "running" : "stopped",
		 (unsigned long long)(g->memory >> 20), g->ram_blocks, g->stage2.table_pages);
	for (unsigned i = 0; i < g->vcpu_count; i++) {
		if (sched_vcpu_state(&g->vcpus[i].sched) == SCHED_OFFLINE)
			continue;
		vcpu_log_sched_stats(&g->vcpus[i], now);
		vcpu_log_exit_stats(&g->vcpus[i]);
	}
}

void vcpu_loop_log_stats(void)
{
	spin_lock(&vcpu_sched_lock);
	uint64_t now = time_now_ns();
	log_info("statistics at %llu ms on %u CPU(s):", (unsigned long long)(now / NS_PER_MS),
		 vcpu_sched.npcpus);
	for (unsigned cpu = 0; cpu < vcpu_sched.npcpus; cpu++)
		log_info("CPU %u: idle %llu ms, %llu schedules, %llu steals", cpu,
			 (unsigned long long)(vcpu_sched.cpu[cpu].idle_ns / NS_PER_MS),
			 (unsigned long long)vcpu_sched.cpu[cpu].schedules,
			 (unsigned long long)vcpu_sched.cpu[cpu].steals);
	for (size_t i = 0; i < guest_count(); i++)
		log_guest_stats(guest_by_index(i), now);
	spin_unlock(&vcpu_sched_lock);
}


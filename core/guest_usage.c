/*
 * Per-guest CPU share and exit rates over the last second: the run time the
 * scheduler charged each vCPU (sched_vcpu_stats) and the exit counters, as
 * differences between two samples. A restarted guest's counters start again
 * from 0: a smaller value than last time counts from 0.
 */
#include <plinth/guest_usage.h>
#include <plinth/string.h>

#include "vcpu_loop_internal.h"

static struct guest_usage usage[GUEST_MAX];
static uint64_t samples;

uint64_t guest_usage_samples(void)
{
	return samples;
}

const struct guest_usage *guest_usage_of(size_t i)
{
	return &usage[i < GUEST_MAX ? i : 0];
}

static uint64_t since(uint64_t now_value, uint64_t before)
{
	return now_value >= before ? now_value - before : now_value;
}

static void sample_guest(struct guest *g, struct guest_usage *u, uint64_t now)
{
	uint64_t span = now - u->at_ns, run_total = 0, exits_total = 0;
	uint64_t run[GUEST_MAX_VCPUS] = { 0 }, exits[VMEXIT_REASON_COUNT] = { 0 };
	struct sched_stats st;

	/* A stopped guest's vCPUs are gone (vcpu_count 0): it used nothing. */
	spin_lock(&vcpu_sched_lock);
	for (unsigned i = 0; i < g->vcpu_count && g->state == GUEST_RUNNING; i++) {
		if (sched_vcpu_state(&g->vcpus[i].sched) == SCHED_OFFLINE)
			continue;
		sched_vcpu_stats(&g->vcpus[i].sched, now, &st);
		run[i] = st.run_ns;
		for (unsigned r = 0; r < VMEXIT_REASON_COUNT; r++)
			exits[r] += g->vcpus[i].exit_counts[r];
	}
	spin_unlock(&vcpu_sched_lock);
	for (unsigned i = 0; i < GUEST_MAX_VCPUS; i++) {
		uint64_t d = since(run[i], u->vcpu_run_ns[i]);
		run_total += d;
		u->vcpu_permille[i] = (unsigned)MIN(d * 1000 / span, 1000u);
		u->vcpu_run_ns[i] = run[i];
	}
	u->cpu_permille = (unsigned)(run_total * 1000 / span);
	for (unsigned r = 0; r < VMEXIT_REASON_COUNT; r++) {
		uint64_t d = since(exits[r], u->exits[r]);
		u->exit_rate[r] = d * GUEST_USAGE_INTERVAL_NS / span;
		exits_total += u->exit_rate[r];
		u->exits[r] = exits[r];
	}
	u->exits_per_s = exits_total;
	u->at_ns = now;
}

void guest_usage_sample(uint64_t now)
{
	static uint64_t last;

	if (now - last < GUEST_USAGE_INTERVAL_NS)
		return;
	last = now;
	for (size_t i = 0; i < guest_count() && i < GUEST_MAX; i++) {
		struct guest_usage *u = &usage[i];
		struct guest *g = guest_by_index(i);
		if (!u->at_ns) /* its first sample: the average since it started */
			u->at_ns = g->started_ns < now ? g->started_ns : now - 1;
		sample_guest(g, u, now);
	}
	samples++;
}

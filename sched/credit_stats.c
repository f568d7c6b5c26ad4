/*
 * Credit scheduler: where a vCPU's time went (run, wait, parked, blocked),
 * per vCPU and per guest (include/plinth/sched.h).
 */
#include <plinth/sched.h>

#define cvcpu_of(l, member) \
	((const struct sched_vcpu *)((const char *)(l) - offsetof(struct sched_vcpu, member)))

/* dt spent in `state` (running time is counted by sched_charge instead). */
static void add_state_time(struct sched_stats *st, enum sched_state state, uint64_t dt)
{
	switch (state) {
	case SCHED_QUEUED:
		st->wait_ns += dt;
		break;
	case SCHED_PARKED:
		st->wait_ns += dt;
		st->parked_ns += dt;
		break;
	case SCHED_BLOCKED:
		st->blocked_ns += dt;
		break;
	case SCHED_RUNNING:
	case SCHED_OFFLINE:
		break;
	}
}

void sched_set_state(struct sched_vcpu *v, enum sched_state st, uint64_t now)
{
	add_state_time(&v->stats, (enum sched_state)v->state, now - v->state_since);
	v->state = (uint8_t)st;
	v->state_since = now;
}

void sched_vcpu_stats(const struct sched_vcpu *v, uint64_t now, struct sched_stats *out)
{
	*out = v->stats;
	add_state_time(out, (enum sched_state)v->state, now - v->state_since);
	if (v->state == SCHED_RUNNING)
		out->run_ns += now - v->last_charge;
}

void sched_stats_add(struct sched_stats *t, const struct sched_stats *a)
{
	t->run_ns += a->run_ns;
	t->wait_ns += a->wait_ns;
	t->parked_ns += a->parked_ns;
	t->blocked_ns += a->blocked_ns;
	t->wake_latency_total_ns += a->wake_latency_total_ns;
	t->wake_latency_max_ns = MAX(t->wake_latency_max_ns, a->wake_latency_max_ns);
	t->wakeups += a->wakeups;
	t->preemptions += a->preemptions;
	t->picks += a->picks;
	t->yields += a->yields;
}

void sched_dom_stats(const struct sched_dom *d, uint64_t now, struct sched_stats *out)
{
	const struct sched_link *l;
	struct sched_stats one;

	*out = d->removed;
	for (l = d->vcpus.next; l != &d->vcpus; l = l->next) {
		sched_vcpu_stats(cvcpu_of(l, dom_link), now, &one);
		sched_stats_add(out, &one);
	}
}

/*
 * Credit scheduler: the periodic accounting (every slice_ns, from the first
 * sched_tick that finds it due). O(active vCPUs + guests).
 *
 * 1. vCPUs that stayed blocked for a whole period become inactive: they stop
 *    earning, and their guest's weight is shared by its other vCPUs.
 * 2. The CPU time the vCPUs used in the period is handed out again as credit,
 *    in proportion to each active vCPU's share (its guest's weight / the
 *    guest's active vCPUs). Handing out what was used, not what could have
 *    been, keeps the sum of credits from growing while CPUs idle: when every
 *    vCPU sits at the top, weights no longer decide anything.
 * 3. A vCPU holds at most sched_credit_max(); what would go above is dropped,
 *    and a vCPU that is full and not running becomes inactive (as in Xen):
 *    it does not use its share, so its weight stops diluting the others'.
 *    It is active again as soon as it runs (sched_charge) or wakes.
 * 4. Credit below sched_credit_min() is forgiven; queued vCPUs move to the
 *    queue of their new priority.
 * 5. Capped guests get their budget back (a debt is carried over) and are
 *    unparked when it is positive.
 */
#include <plinth/sched.h>

#define vcpu_of(l, member) container_of(l, struct sched_vcpu, member)
/* floor(a * b / c) for c > 0, saturated at UINT64_MAX; the kernel has no
 * 128-bit division helper, so the 128/64 division is done by hand. */
static uint64_t muldiv64(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned __int128 prod = (unsigned __int128)a * b;
	uint64_t hi = (uint64_t)(prod >> 64), lo = (uint64_t)prod, q = 0, r;

	if (!hi)
		return lo / c;
	if (hi >= c)
		return UINT64_MAX;
	r = hi;
	for (int i = 63; i >= 0; i--) {
		bool carry = r >> 63;

		r = (r << 1) | ((lo >> i) & 1);
		if (carry || r >= c) {
			r -= c;
			q |= (uint64_t)1 << i;
		}
	}
	return q;
}

/* Hand out `total` ns of credit over the active vCPUs by share, capped at
 * sched_credit_max() (the rest is dropped). */
static void distribute(struct sched *s, uint64_t total)
{
	int64_t max = sched_credit_max(s);
	uint64_t sum = 0;
	struct sched_link *l;

	for (l = s->active.next; l != &s->active; l = l->next) {
		struct sched_vcpu *v = vcpu_of(l, act_link);

		v->share = ((uint64_t)v->dom->weight << 16) / v->dom->nactive;
		sum += v->share;
	}
	if (!sum)
		return;
	for (l = s->active.next; l != &s->active; l = l->next) {
		struct sched_vcpu *v = vcpu_of(l, act_link);
		uint64_t give = muldiv64(total, v->share, sum);

		v->credit_ns = give >= (uint64_t)(max - MIN(v->credit_ns, max)) ?
				       max : v->credit_ns + (int64_t)give;
	}
}

void sched_acct_period(struct sched *s, uint64_t now)
{
	struct sched_link *l, *next;

	s->accountings++;
	for (unsigned c = 0; c < s->npcpus; c++)
		if (s->cpu[c].curr)
			sched_charge(s, s->cpu[c].curr, now);

	for (l = s->active.next; l != &s->active; l = next) {
		struct sched_vcpu *v = vcpu_of(l, act_link);

		next = l->next;
		if (v->state == SCHED_BLOCKED && !v->ran) {
			sched_deactivate(s, v);
			continue;
		}
		v->ran = v->state == SCHED_RUNNING;
	}

	distribute(s, s->burned_ns);
	s->burned_ns = 0;

	for (l = s->active.next; l != &s->active; l = next) {
		struct sched_vcpu *v = vcpu_of(l, act_link);

		next = l->next;
		if (v->credit_ns < sched_credit_min(s))
			v->credit_ns = sched_credit_min(s);
		sched_requeue_pri(s, v);
		if (v->credit_ns >= sched_credit_max(s) && v->state != SCHED_RUNNING)
			sched_deactivate(s, v);
	}

	for (l = s->doms.next; l != &s->doms; l = l->next) {
		struct sched_dom *d = container_of(l, struct sched_dom, link);
		int64_t full = (int64_t)sched_cap_budget(s, d);

		if (!d->cap_pct)
			continue;
		d->budget_ns = MIN(d->budget_ns + full, full);
		if (d->parked && d->budget_ns > 0)
			sched_unpark_dom(s, d, now);
	}
}

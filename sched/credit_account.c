/*
 * Credit scheduler: the periodic accounting (every slice_ns, from the first
 * sched_tick that finds it due). O(active vCPUs + guests).
 *
 * 1. vCPUs that stayed blocked for a whole period become inactive: they stop
 *    earning, and their guest's weight is shared by its other vCPUs.
 * 2. The period's CPU time, slice_ns times the number of pCPUs the active
 *    vCPUs can use, is handed out as credit in proportion to each active
 *    vCPU's share (its guest's weight / the guest's active vCPUs). A vCPU
 *    holds at most sched_credit_max(): what it cannot take goes to the others
 *    in proportion to their shares ("water filling"), so no CPU time is lost
 *    while somebody can use it and the shares of busy vCPUs follow weights.
 * 3. Credit below sched_credit_min() is forgiven; queued vCPUs move to the
 *    queue of their new priority.
 * 4. Capped guests get their budget back (a debt is carried over) and are
 *    unparked when it is positive.
 */
#include <plinth/sched.h>

#define vcpu_of(l, member) container_of(l, struct sched_vcpu, member)
#define FILL_ROUNDS 16

static unsigned popcount64(uint64_t x)
{
	unsigned n = 0;

	for (; x; x &= x - 1)
		n++;
	return n;
}

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

static uint64_t headroom(const struct sched *s, const struct sched_vcpu *v)
{
	int64_t max = sched_credit_max(s);

	return v->credit_ns >= max ? 0 : (uint64_t)(max - v->credit_ns);
}

/* Hand out `total` ns of credit over the active vCPUs by share, none above
 * sched_credit_max(). */
static void distribute(struct sched *s, uint64_t total)
{
	uint64_t sum = 0;
	struct sched_link *l;

	for (l = s->active.next; l != &s->active; l = l->next) {
		struct sched_vcpu *v = vcpu_of(l, act_link);

		v->share = ((uint64_t)v->dom->weight << 16) / v->dom->nactive;
		v->filling = headroom(s, v) > 0 && v->share > 0;
		if (v->filling)
			sum += v->share;
	}
	/* Each round, vCPUs whose portion would not fit are filled to the top
	 * and drop out; the rest is shared again among the others. */
	for (unsigned round = 0; total && sum; round++) {
		bool saturated = false, last = round == FILL_ROUNDS - 1;
		uint64_t left = total, left_sum = sum;

		for (l = s->active.next; l != &s->active; l = l->next) {
			struct sched_vcpu *v = vcpu_of(l, act_link);
			uint64_t give, room;

			if (!v->filling)
				continue;
			give = muldiv64(total, v->share, sum);
			room = headroom(s, v);
			if (give >= room) {
				v->credit_ns += (int64_t)room;
				v->filling = false;
				left -= room;
				left_sum -= v->share;
				saturated = true;
			} else if (last) {
				v->credit_ns += (int64_t)give;
				v->filling = false;
			}
		}
		if (last)
			return;
		if (!saturated) {
			for (l = s->active.next; l != &s->active; l = l->next) {
				struct sched_vcpu *v = vcpu_of(l, act_link);

				if (v->filling) {
					v->credit_ns += (int64_t)muldiv64(total, v->share, sum);
					v->filling = false;
				}
			}
			return;
		}
		total = left;
		sum = left_sum;
	}
	for (l = s->active.next; l != &s->active; l = l->next)
		vcpu_of(l, act_link)->filling = false;
}

void sched_acct_period(struct sched *s, uint64_t now)
{
	uint64_t reach = 0;
	unsigned n = 0;
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
		reach |= v->affinity;
		n++;
	}

	distribute(s, s->p.slice_ns * MIN(popcount64(reach & s->online), n));

	for (l = s->active.next; l != &s->active; l = l->next) {
		struct sched_vcpu *v = vcpu_of(l, act_link);

		if (v->credit_ns < sched_credit_min(s))
			v->credit_ns = sched_credit_min(s);
		sched_requeue_pri(s, v);
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

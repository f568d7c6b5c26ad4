/*
 * Credit scheduler: run queues, pick-next, wake/block/yield, ticks, caps
 * (API and model in include/plinth/sched.h, docs/scheduler.md). The periodic
 * credit distribution is in credit_account.c.
 *
 * Run queues: each pCPU has one FIFO per priority (BOOST, UNDER, OVER), so
 * the local pick is the head of the first non-empty one. A vCPU is only ever
 * queued on a pCPU of its affinity; a pCPU that would otherwise idle or run
 * an OVER vCPU looks at the other pCPUs' queues for one it may run
 * (SCHED_STEAL_SCAN entries per queue at most).
 */
#include <plinth/errno.h>
#include <plinth/panic.h>
#include <plinth/sched.h>
#include <plinth/string.h>

#define BIT(n) ((uint64_t)1 << (n))
#define vcpu_of(l, member) container_of(l, struct sched_vcpu, member)

static const char *const pri_names[] = { "BOOST", "UNDER", "OVER", "IDLE" };
static const char *const state_names[] = { "offline", "blocked", "queued", "running",
					    "parked" };

const char *sched_pri_name(enum sched_pri pri)
{
	return (unsigned)pri < ARRAY_SIZE(pri_names) ? pri_names[pri] : "?";
}

const char *sched_state_name(enum sched_state st)
{
	return (unsigned)st < ARRAY_SIZE(state_names) ? state_names[st] : "?";
}

void sched_params_default(struct sched_params *p)
{
	p->slice_ns = SCHED_SLICE_NS_DEFAULT;
	p->tick_ns = SCHED_TICK_NS_DEFAULT;
	p->ratelimit_ns = SCHED_RATELIMIT_NS_DEFAULT;
}

int sched_params_check(const struct sched_params *p)
{
	if (p->slice_ns < SCHED_SLICE_NS_MIN || p->slice_ns > SCHED_SLICE_NS_MAX)
		return -E_INVAL;
	if (p->tick_ns < SCHED_TICK_NS_MIN || p->tick_ns > p->slice_ns)
		return -E_INVAL;
	if (p->ratelimit_ns > SCHED_RATELIMIT_NS_MAX || p->ratelimit_ns > p->slice_ns)
		return -E_INVAL;
	return 0;
}

int64_t sched_credit_max(const struct sched *s)
{
	return (int64_t)s->p.slice_ns;
}

int64_t sched_credit_min(const struct sched *s)
{
	return -(int64_t)s->p.slice_ns;
}

uint64_t sched_cap_budget(const struct sched *s, const struct sched_dom *d)
{
	return s->p.slice_ns * d->cap_pct / 100;
}

/* Priority a vCPU has from its credit alone (BOOST is given by wake-ups). */
static uint8_t credit_pri(const struct sched_vcpu *v)
{
	return v->credit_ns >= 0 ? SCHED_PRI_UNDER : SCHED_PRI_OVER;
}

/* ---- Run queues ---------------------------------------------------------- */

static void enqueue(struct sched *s, struct sched_vcpu *v, unsigned cpu, uint64_t now)
{
	struct sched_pcpu *pc = &s->cpu[cpu];

	sched_link_add_tail(&pc->rq[v->pri], &v->rq);
	pc->nqueued++;
	v->cpu = (uint8_t)cpu;
	sched_set_state(v, SCHED_QUEUED, now);
}

static void dequeue(struct sched *s, struct sched_vcpu *v)
{
	sched_link_del(&v->rq);
	s->cpu[v->cpu].nqueued--;
}

/* A queued vCPU whose priority may have changed: move it to the tail of its
 * new priority's queue. Others just get their priority from their credit. */
void sched_requeue_pri(struct sched *s, struct sched_vcpu *v)
{
	uint8_t pri;

	if (v->pri == SCHED_PRI_BOOST)
		return;
	pri = credit_pri(v);
	if (pri == v->pri)
		return;
	v->pri = pri;
	if (v->state == SCHED_QUEUED) {
		sched_link_del(&v->rq);
		sched_link_add_tail(&s->cpu[v->cpu].rq[pri], &v->rq);
	}
}

static struct sched_vcpu *local_best(struct sched_pcpu *pc)
{
	for (unsigned p = 0; p < SCHED_NR_QUEUES; p++)
		if (!sched_link_empty(&pc->rq[p]))
			return vcpu_of(pc->rq[p].next, rq);
	return NULL;
}

/* The best vCPU of priority < limit queued on another pCPU that may run on
 * cpu: best priority first, then the nearest pCPU after cpu. */
static struct sched_vcpu *find_steal(struct sched *s, unsigned cpu, unsigned limit)
{
	for (unsigned p = 0; p < limit && p < SCHED_NR_QUEUES; p++) {
		for (unsigned k = 1; k < s->npcpus; k++) {
			struct sched_link *h = &s->cpu[(cpu + k) % s->npcpus].rq[p];
			struct sched_link *l = h->next;

			for (unsigned n = 0; l != h && n < SCHED_STEAL_SCAN; n++, l = l->next) {
				struct sched_vcpu *v = vcpu_of(l, rq);

				if (v->affinity & BIT(cpu))
					return v;
			}
		}
	}
	return NULL;
}

/*
 * Queue a runnable vCPU (woken or unparked) and say which pCPU to kick: the
 * allowed pCPU running the lowest priority, if lower than v's (an idle one
 * with nothing queued first, then one past its rate limit, then the fewest
 * queued, v's last pCPU, the longest running); otherwise v goes, without a
 * kick, to the allowed pCPU with the fewest queued (v's last one on a tie).
 */
static int place(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	uint64_t allowed = v->affinity & s->online;
	int best = -1, quiet = -1;
	unsigned bkey[5] = { 0 };
	uint64_t bpicked = 0;

	for (unsigned c = 0; c < s->npcpus; c++) {
		const struct sched_pcpu *pc = &s->cpu[c];
		unsigned cp, key[5];

		if (!(allowed & BIT(c)))
			continue;
		if (quiet < 0 || pc->nqueued < s->cpu[quiet].nqueued ||
		    (pc->nqueued == s->cpu[quiet].nqueued && c == v->cpu))
			quiet = (int)c;
		cp = pc->curr ? pc->curr->pri : SCHED_PRI_IDLE;
		if (cp <= v->pri)
			continue;
		key[0] = cp;
		key[1] = !pc->curr && !pc->nqueued;
		key[2] = !pc->curr || now - pc->curr->picked_at >= s->p.ratelimit_ns;
		key[3] = ~pc->nqueued;
		key[4] = c == v->cpu;
		if (best >= 0) {
			unsigned i = 0;

			while (i < 5 && key[i] == bkey[i])
				i++;
			if (i < 5 && key[i] < bkey[i])
				continue;
			if (i == 5 && (!pc->curr || pc->curr->picked_at >= bpicked))
				continue;
		}
		best = (int)c;
		memcpy(bkey, key, sizeof(key));
		bpicked = pc->curr ? pc->curr->picked_at : 0;
	}
	BUG_ON(quiet < 0);
	enqueue(s, v, best >= 0 ? (unsigned)best : (unsigned)quiet, now);
	return best;
}

/* ---- Charging and caps --------------------------------------------------- */

void sched_charge(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	struct sched_dom *d = v->dom;
	uint64_t dt;

	if (now <= v->last_charge)
		return;
	dt = now - v->last_charge;
	v->last_charge = now;
	v->credit_ns -= (int64_t)dt;
	v->stats.run_ns += dt;
	v->ran = true;
	s->burned_ns += dt;
	sched_activate(s, v); /* running again after its credit was full */
	if (v->pri != SCHED_PRI_BOOST)
		v->pri = credit_pri(v);
	if (d->cap_pct) {
		d->budget_ns -= (int64_t)dt;
		if (d->budget_ns <= 0 && !d->parked)
			sched_park_dom(s, d, now);
	}
}

/* The guest used its cap: take its queued vCPUs off the queues and have the
 * pCPUs running the others deschedule them. */
void sched_park_dom(struct sched *s, struct sched_dom *d, uint64_t now)
{
	d->parked = true;
	for (struct sched_link *l = d->vcpus.next; l != &d->vcpus; l = l->next) {
		struct sched_vcpu *v = vcpu_of(l, dom_link);

		if (v->state == SCHED_QUEUED) {
			dequeue(s, v);
			sched_set_state(v, SCHED_PARKED, now);
		} else if (v->state == SCHED_RUNNING) {
			s->kicks |= BIT(v->cpu);
		}
	}
}

void sched_unpark_dom(struct sched *s, struct sched_dom *d, uint64_t now)
{
	d->parked = false;
	for (struct sched_link *l = d->vcpus.next; l != &d->vcpus; l = l->next) {
		struct sched_vcpu *v = vcpu_of(l, dom_link);
		int k;

		if (v->state != SCHED_PARKED)
			continue;
		if (v->pri != SCHED_PRI_BOOST)
			v->pri = credit_pri(v);
		k = place(s, v, now);
		if (k >= 0)
			s->kicks |= BIT(k);
	}
}

void sched_activate(struct sched *s, struct sched_vcpu *v)
{
	if (v->active)
		return;
	v->active = true;
	sched_link_add_tail(&s->active, &v->act_link);
	v->dom->nactive++;
	s->nactive++;
}

void sched_deactivate(struct sched *s, struct sched_vcpu *v)
{
	if (!v->active)
		return;
	v->active = false;
	sched_link_del(&v->act_link);
	v->dom->nactive--;
	s->nactive--;
}

/* ---- Setup --------------------------------------------------------------- */

int sched_init(struct sched *s, unsigned npcpus, const struct sched_params *p, uint64_t now)
{
	struct sched_params def;

	if (!p) {
		sched_params_default(&def);
		p = &def;
	}
	if (npcpus == 0 || npcpus > SCHED_MAX_PCPUS || sched_params_check(p))
		return -E_INVAL;
	memset(s, 0, sizeof(*s));
	s->p = *p;
	s->npcpus = npcpus;
	s->online = npcpus == 64 ? SCHED_AFFINITY_ALL : BIT(npcpus) - 1;
	s->next_acct = now + p->slice_ns;
	sched_link_init(&s->doms);
	sched_link_init(&s->active);
	for (unsigned c = 0; c < SCHED_MAX_PCPUS; c++) {
		for (unsigned q = 0; q < SCHED_NR_QUEUES; q++)
			sched_link_init(&s->cpu[c].rq[q]);
		s->cpu[c].idle_since = now;
	}
	return 0;
}

static bool dom_params_ok(unsigned weight, unsigned cap_pct)
{
	return weight >= 1 && weight <= SCHED_WEIGHT_MAX && cap_pct <= SCHED_CAP_MAX;
}

int sched_dom_init(struct sched *s, struct sched_dom *d, unsigned weight, unsigned cap_pct)
{
	if (!dom_params_ok(weight, cap_pct))
		return -E_INVAL;
	memset(d, 0, sizeof(*d));
	d->weight = weight;
	d->cap_pct = cap_pct;
	d->budget_ns = (int64_t)sched_cap_budget(s, d);
	sched_link_init(&d->vcpus);
	sched_link_add_tail(&s->doms, &d->link);
	return 0;
}

int sched_dom_set(struct sched *s, struct sched_dom *d, unsigned weight, unsigned cap_pct,
		  uint64_t now)
{
	int64_t oldb = (int64_t)sched_cap_budget(s, d), newb;
	unsigned oldcap = d->cap_pct;

	if (!dom_params_ok(weight, cap_pct))
		return -E_INVAL;
	/* Bring the budget up to date before changing the cap. */
	for (struct sched_link *l = d->vcpus.next; l != &d->vcpus; l = l->next) {
		struct sched_vcpu *v = vcpu_of(l, dom_link);

		if (v->state == SCHED_RUNNING)
			sched_charge(s, v, now);
	}
	d->weight = weight;
	d->cap_pct = cap_pct;
	newb = (int64_t)sched_cap_budget(s, d);
	if (!cap_pct) {
		d->budget_ns = 0;
	} else if (!oldcap) {
		d->budget_ns = newb;
	} else {
		d->budget_ns += newb - oldb; /* what it used this period still counts */
		if (d->budget_ns > newb)
			d->budget_ns = newb;
	}
	if (d->parked && (!cap_pct || d->budget_ns > 0))
		sched_unpark_dom(s, d, now);
	else if (!d->parked && cap_pct && d->budget_ns <= 0)
		sched_park_dom(s, d, now);
	return 0;
}

void sched_dom_remove(struct sched *s, struct sched_dom *d)
{
	(void)s;
	BUG_ON(d->nvcpus != 0);
	sched_link_del(&d->link);
}

int sched_vcpu_init(struct sched *s, struct sched_vcpu *v, struct sched_dom *d,
		    uint64_t affinity, uint64_t now)
{
	uint64_t allowed = affinity & s->online;

	if (!allowed)
		return -E_INVAL;
	memset(v, 0, sizeof(*v));
	v->dom = d;
	v->affinity = allowed;
	sched_link_init(&v->rq);
	sched_link_init(&v->act_link);
	v->cpu = (uint8_t)__builtin_ctzll(allowed);
	/* A tick's worth to start with, so that before the first accounting a
	 * new vCPU that sleeps a lot still wakes BOOSTed. */
	v->credit_ns = (int64_t)s->p.tick_ns;
	v->pri = SCHED_PRI_UNDER;
	v->state = SCHED_BLOCKED;
	v->state_since = now;
	v->last_charge = now;
	sched_link_add_tail(&d->vcpus, &v->dom_link);
	d->nvcpus++;
	return 0;
}

/* Take the running v off its pCPU (which becomes idle), charging it. */
static int stop_running(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	struct sched_pcpu *pc = &s->cpu[v->cpu];

	sched_charge(s, v, now);
	pc->curr = NULL;
	pc->idle_since = now;
	v->yielded = false;
	if (v->pri == SCHED_PRI_BOOST)
		v->pri = credit_pri(v);
	return v->cpu;
}

/* Off its pCPU or its run queue; returns the pCPU it was running on, or -1. */
static int take_off(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	if (v->state == SCHED_RUNNING)
		return stop_running(s, v, now);
	if (v->state == SCHED_QUEUED)
		dequeue(s, v);
	return -1;
}

int sched_vcpu_remove(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	struct sched_dom *d = v->dom;

	if (v->state == SCHED_OFFLINE)
		return -1;
	int cpu = take_off(s, v, now);
	sched_set_state(v, SCHED_OFFLINE, now);
	sched_deactivate(s, v);
	sched_link_del(&v->dom_link);
	d->nvcpus--;
	sched_stats_add(&d->removed, &v->stats);
	return cpu;
}

/* ---- Events -------------------------------------------------------------- */

int sched_wake(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	if (v->state != SCHED_BLOCKED)
		return -1;
	sched_activate(s, v);
	if (!v->stats.picks) {
		/* Its first start is not a wake-up from I/O: no BOOST. */
		v->pri = credit_pri(v);
	} else {
		v->stats.wakeups++;
		v->wake_pending = true;
		v->woken_at = now;
		v->pri = v->credit_ns >= 0 ? SCHED_PRI_BOOST : SCHED_PRI_OVER;
	}
	if (v->dom->parked) {
		sched_set_state(v, SCHED_PARKED, now);
		return -1;
	}
	return place(s, v, now);
}

int sched_block(struct sched *s, struct sched_vcpu *v, uint64_t now)
{
	if (v->state == SCHED_BLOCKED || v->state == SCHED_OFFLINE)
		return -1;
	int cpu = take_off(s, v, now);
	v->wake_pending = false;
	sched_set_state(v, SCHED_BLOCKED, now);
	return cpu;
}

void sched_vcpu_yield(struct sched *s, struct sched_vcpu *v)
{
	(void)s;
	if (v->state != SCHED_RUNNING)
		return;
	v->yielded = true;
	v->stats.yields++;
}

uint64_t sched_take_kicks(struct sched *s)
{
	uint64_t k = s->kicks;

	s->kicks = 0;
	return k;
}

/* ---- Decisions ----------------------------------------------------------- */

/* When the running v must be looked at again. */
static uint64_t run_until(const struct sched *s, const struct sched_vcpu *v, uint64_t now)
{
	uint64_t until = v->picked_at + s->p.slice_ns;

	if (v->dom->cap_pct && v->dom->budget_ns > 0 && now + (uint64_t)v->dom->budget_ns < until)
		until = now + (uint64_t)v->dom->budget_ns;
	return until;
}

static void switch_in(struct sched *s, unsigned cpu, struct sched_vcpu *v, uint64_t now)
{
	struct sched_pcpu *pc = &s->cpu[cpu];

	if (v->cpu != cpu)
		pc->steals++;
	dequeue(s, v);
	sched_set_state(v, SCHED_RUNNING, now);
	v->cpu = (uint8_t)cpu;
	v->picked_at = now;
	v->last_charge = now;
	v->yielded = false;
	v->stats.picks++;
	if (v->wake_pending) {
		uint64_t lat = now - v->woken_at;

		v->wake_pending = false;
		v->stats.wake_latency_total_ns += lat;
		v->stats.wake_latency_max_ns = MAX(v->stats.wake_latency_max_ns, lat);
	}
	if (!pc->curr)
		pc->idle_ns += now - pc->idle_since;
	pc->curr = v;
}

struct sched_vcpu *sched_schedule(struct sched *s, unsigned cpu, uint64_t now, uint64_t *until_ns)
{
	struct sched_pcpu *pc = &s->cpu[cpu];
	struct sched_vcpu *cur = pc->curr, *cand;
	unsigned bp;

	BUG_ON(cpu >= s->npcpus);
	pc->schedules++;
	s->kicks &= ~BIT(cpu);
	if (cur) {
		sched_charge(s, cur, now);
		s->kicks &= ~BIT(cpu);
		if (cur->dom->parked) {
			/* Out of cap: off the pCPU until the next refill. */
			stop_running(s, cur, now);
			cur->stats.preemptions++;
			sched_set_state(cur, SCHED_PARKED, now);
			cur = NULL;
		} else if (!cur->yielded && now - cur->picked_at < s->p.ratelimit_ns) {
			*until_ns = MIN(cur->picked_at + s->p.ratelimit_ns, run_until(s, cur, now));
			return cur;
		}
	}

	cand = local_best(pc);
	bp = cand ? cand->pri : SCHED_PRI_IDLE;
	if (cur && !cur->yielded && cur->pri < bp)
		bp = cur->pri;
	if (bp >= SCHED_PRI_OVER && s->npcpus > 1) {
		/* Idle or only OVER work here: take better work from the others. */
		struct sched_vcpu *st = find_steal(s, cpu, bp);

		if (st)
			cand = st;
	}
	if (cur && cur->yielded && !cand)
		cand = find_steal(s, cpu, SCHED_PRI_IDLE);

	if (cur) {
		bool slice_over = now >= cur->picked_at + s->p.slice_ns;

		if (!cand || (!cur->yielded && cand->pri > cur->pri) ||
		    (!cur->yielded && cand->pri == cur->pri && !slice_over)) {
			/* cur goes on, in a new slice if its own is over. */
			cur->yielded = false;
			if (slice_over)
				cur->picked_at = now;
			*until_ns = run_until(s, cur, now);
			return cur;
		}
		if (!cur->yielded)
			cur->stats.preemptions++;
		stop_running(s, cur, now);
		enqueue(s, cur, cpu, now);
	}
	if (!cand) {
		*until_ns = UINT64_MAX;
		return NULL;
	}
	switch_in(s, cpu, cand, now);
	*until_ns = run_until(s, cand, now);
	return cand;
}

bool sched_tick(struct sched *s, unsigned cpu, uint64_t now)
{
	struct sched_pcpu *pc = &s->cpu[cpu];
	struct sched_vcpu *cur = pc->curr, *best;
	bool resched;

	BUG_ON(cpu >= s->npcpus);
	if (now >= s->next_acct) {
		sched_acct_period(s, now);
		while (s->next_acct <= now)
			s->next_acct += s->p.slice_ns;
	}
	best = local_best(pc);
	if (cur) {
		sched_charge(s, cur, now);
		if (cur->pri == SCHED_PRI_BOOST)
			cur->pri = credit_pri(cur);
		resched = cur->dom->parked || now >= cur->picked_at + s->p.slice_ns ||
			  (best && best->pri < cur->pri) ||
			  (cur->pri >= SCHED_PRI_OVER && s->npcpus > 1 &&
			   find_steal(s, cpu, cur->pri));
	} else {
		resched = best || (s->npcpus > 1 && find_steal(s, cpu, SCHED_PRI_IDLE));
	}
	if (s->kicks & BIT(cpu)) {
		s->kicks &= ~BIT(cpu);
		resched = true;
	}
	return resched;
}

/*
 * Deterministic simulator around the real credit scheduler (schedsim.h).
 *
 * Discrete events: each step advances the clock to the earliest of a vCPU
 * waking, a running vCPU finishing its burst, a pCPU's `until` or tick, then
 * handles, in this fixed order, wake-ups, blocks, ticks, expired `until`s and
 * kicks, reschedules the pCPUs that need it (lowest number first, repeating
 * while kicks come back), and checks the invariants.
 */
#include "schedsim.h"

#include <stdlib.h>
#include <string.h>

static uint64_t sim_rand(struct sim *sim)
{
	sim->rng ^= sim->rng >> 12;
	sim->rng ^= sim->rng << 25;
	sim->rng ^= sim->rng >> 27;
	return sim->rng * 0x2545F4914F6CDD1DULL;
}

/* [x/2, 3x/2) for BURSTY, x itself for the others. */
static uint64_t jitter(struct sim *sim, const struct sim_vcpu *v, uint64_t x)
{
	if (v->kind != SIMV_BURSTY || x < 2)
		return x;
	return x / 2 + sim_rand(sim) % x;
}

struct sim *sim_create(unsigned npcpus, const struct sched_params *p, uint64_t seed)
{
	struct sim *sim = calloc(1, sizeof(*sim));

	if (!sim)
		return NULL;
	if (sched_init(&sim->s, npcpus, p, 0)) {
		free(sim);
		return NULL;
	}
	sim->npcpus = npcpus;
	sim->rng = seed ? seed : 0x9E3779B97F4A7C15ULL;
	for (unsigned c = 0; c < npcpus; c++) {
		sim->cpu[c].until = UINT64_MAX;
		sim->cpu[c].next_tick = sim->s.p.tick_ns;
	}
	return sim;
}

void sim_destroy(struct sim *sim)
{
	free(sim);
}

struct sim_dom *sim_add_dom(struct sim *sim, const char *name, unsigned weight, unsigned cap_pct)
{
	struct sim_dom *d;

	if (sim->nd == SIM_MAX_DOMS)
		return NULL;
	d = &sim->d[sim->nd];
	if (sched_dom_init(&sim->s, &d->sd, weight, cap_pct))
		return NULL;
	snprintf(d->name, sizeof(d->name), "%s", name);
	sim->nd++;
	return d;
}

static void kick(struct sim *sim, int cpu)
{
	if (cpu >= 0)
		sim->cpu[cpu].resched = true;
}

struct sim_vcpu *sim_add_vcpu(struct sim *sim, struct sim_dom *dom, const char *name,
			      uint64_t affinity, enum simv_kind kind, uint64_t run_ns,
			      uint64_t sleep_ns)
{
	struct sim_vcpu *v;

	if (sim->nv == SIM_MAX_VCPUS)
		return NULL;
	v = &sim->v[sim->nv];
	memset(v, 0, sizeof(*v));
	if (sched_vcpu_init(&sim->s, &v->sv, &dom->sd, affinity, sim->now))
		return NULL;
	sim->nv++;
	v->dom = dom;
	snprintf(v->name, sizeof(v->name), "%s", name);
	v->kind = kind;
	v->run_ns = run_ns;
	v->sleep_ns = sleep_ns;
	v->on_cpu = -1;
	v->added_at = sim->now;
	v->work_left = kind == SIMV_CPU ? UINT64_MAX : jitter(sim, v, run_ns);
	kick(sim, sched_wake(&sim->s, &v->sv, sim->now));
	return v;
}

void sim_remove_vcpu(struct sim *sim, struct sim_vcpu *v)
{
	if (v->removed)
		return;
	kick(sim, sched_vcpu_remove(&sim->s, &v->sv, sim->now));
	if (v->on_cpu >= 0) {
		sim->cpu[v->on_cpu].running = NULL;
		sim->cpu[v->on_cpu].until = UINT64_MAX;
		v->on_cpu = -1;
	}
	v->removed = true;
	v->sleeping = false;
}

static int fail(struct sim *sim, const char *what, const struct sim_vcpu *v, unsigned cpu)
{
	if (!sim->error[0])
		snprintf(sim->error, sizeof(sim->error), "t=%llu ns: %s (vcpu %s, pcpu %u)",
			 (unsigned long long)sim->now, what, v ? v->name : "-", cpu);
	return -1;
}

static int check(struct sim *sim)
{
	static unsigned char seen[SIM_MAX_VCPUS];

	memset(seen, 0, sim->nv);
	for (unsigned c = 0; c < sim->npcpus; c++) {
		struct sim_vcpu *v = sim->cpu[c].running;

		if ((v ? &v->sv : NULL) != sim->s.cpu[c].curr)
			return fail(sim, "scheduler and simulator disagree on the current vCPU", v, c);
		if (!v)
			continue;
		if (seen[v - sim->v]++)
			return fail(sim, "vCPU on two pCPUs", v, c);
		if (!(v->sv.affinity & ((uint64_t)1 << c)))
			return fail(sim, "vCPU outside its affinity", v, c);
		if (v->sleeping || v->removed || sched_vcpu_state(&v->sv) != SCHED_RUNNING)
			return fail(sim, "blocked, parked or removed vCPU running", v, c);
		if (v->on_cpu != (int)c)
			return fail(sim, "vCPU running where the simulator did not put it", v, c);
	}
	for (unsigned i = 0; i < sim->nv; i++) {
		const struct sim_vcpu *v = &sim->v[i];
		enum sched_state st = sched_vcpu_state(&v->sv);

		if (v->removed ? st != SCHED_OFFLINE : v->sleeping != (st == SCHED_BLOCKED))
			return fail(sim, "vCPU state differs from its behaviour", v, 0);
		if (v->on_cpu >= 0 && !seen[i])
			return fail(sim, "vCPU lost its pCPU", v, (unsigned)v->on_cpu);
	}
	if (!sim->check_idle)
		return 0;
	for (unsigned c = 0; c < sim->npcpus; c++) {
		struct sim_cpu *pc = &sim->cpu[c];
		const struct sim_vcpu *waiting = NULL;

		if (!pc->running)
			for (unsigned i = 0; i < sim->nv && !waiting; i++)
				if (sched_vcpu_state(&sim->v[i].sv) == SCHED_QUEUED &&
				    (sim->v[i].sv.affinity & ((uint64_t)1 << c)))
					waiting = &sim->v[i];
		if (!waiting) {
			pc->idle_wait = false;
			continue;
		}
		if (!pc->idle_wait) {
			pc->idle_wait = true;
			pc->idle_wait_since = sim->now;
		} else if (sim->now - pc->idle_wait_since > sim->s.p.tick_ns) {
			return fail(sim, "pCPU idle for more than a tick while a vCPU waits", waiting, c);
		}
	}
	return 0;
}

/* Charge simulated progress to the running vCPUs up to t. */
static void advance(struct sim *sim, uint64_t t)
{
	uint64_t dt = t - sim->now;

	for (unsigned c = 0; c < sim->npcpus; c++) {
		struct sim_vcpu *v = sim->cpu[c].running;

		if (v && v->work_left != UINT64_MAX)
			v->work_left -= MIN(dt, v->work_left);
	}
	sim->now = t;
}

static uint64_t next_event(const struct sim *sim, uint64_t end)
{
	uint64_t t = end;

	for (unsigned c = 0; c < sim->npcpus; c++) {
		const struct sim_cpu *pc = &sim->cpu[c];

		t = MIN(t, pc->next_tick);
		t = MIN(t, pc->until);
		if (pc->running && pc->running->work_left != UINT64_MAX)
			t = MIN(t, sim->now + pc->running->work_left);
	}
	for (unsigned i = 0; i < sim->nv; i++)
		if (sim->v[i].sleeping)
			t = MIN(t, sim->v[i].wake_at);
	return MAX(t, sim->now);
}

static void reschedule(struct sim *sim)
{
	for (unsigned round = 0;; round++) {
		uint64_t k = sched_take_kicks(&sim->s);
		bool any = false;

		for (unsigned c = 0; c < sim->npcpus; c++)
			if (k & ((uint64_t)1 << c))
				sim->cpu[c].resched = true;
		for (unsigned c = 0; c < sim->npcpus; c++) {
			struct sim_cpu *pc = &sim->cpu[c];
			struct sched_vcpu *sv;
			struct sim_vcpu *v;

			if (!pc->resched)
				continue;
			any = true;
			pc->resched = false;
			sv = sched_schedule(&sim->s, c, sim->now, &pc->until);
			sim->schedules++;
			v = sv ? container_of(sv, struct sim_vcpu, sv) : NULL;
			if (pc->running && pc->running != v)
				pc->running->on_cpu = -1;
			pc->running = v;
			if (v)
				v->on_cpu = (int)c;
		}
		if (!any || round > 2 * SCHED_MAX_PCPUS)
			return;
	}
}

int sim_run(struct sim *sim, uint64_t ns)
{
	uint64_t end = sim->now + ns;

	/* Pending kicks from setup (sim_add_vcpu, sim_remove_vcpu, ...). */
	reschedule(sim);
	if (check(sim))
		return -1;
	while (sim->now < end) {
		uint64_t t = next_event(sim, end);

		advance(sim, t);
		sim->events++;
		for (unsigned i = 0; i < sim->nv; i++) {
			struct sim_vcpu *v = &sim->v[i];

			if (v->sleeping && v->wake_at <= t) {
				v->sleeping = false;
				v->work_left = jitter(sim, v, v->run_ns);
				kick(sim, sched_wake(&sim->s, &v->sv, t));
			}
		}
		for (unsigned c = 0; c < sim->npcpus; c++) {
			struct sim_vcpu *v = sim->cpu[c].running;

			if (v && v->work_left == 0) {
				v->sleeping = true;
				v->wake_at = t + jitter(sim, v, v->sleep_ns);
				kick(sim, sched_block(&sim->s, &v->sv, t));
				sim->cpu[c].running = NULL;
				sim->cpu[c].until = UINT64_MAX;
				v->on_cpu = -1;
			}
		}
		for (unsigned c = 0; c < sim->npcpus; c++) {
			struct sim_cpu *pc = &sim->cpu[c];

			if (pc->next_tick <= t) {
				pc->next_tick += sim->s.p.tick_ns;
				if (sched_tick(&sim->s, c, t))
					pc->resched = true;
			}
			if (pc->until <= t)
				pc->resched = true;
		}
		reschedule(sim);
		if (check(sim))
			return -1;
	}
	return 0;
}

void sim_vcpu_stats(const struct sim *sim, const struct sim_vcpu *v, struct sched_stats *st)
{
	if (v->removed) {
		*st = v->sv.stats;
		return;
	}
	sched_vcpu_stats(&v->sv, sim->now, st);
}

void sim_dom_stats(const struct sim *sim, const struct sim_dom *d, struct sched_stats *st)
{
	sched_dom_stats(&d->sd, sim->now, st);
}

uint64_t sim_ppm(uint64_t run_ns, uint64_t of)
{
	return of ? (uint64_t)((unsigned __int128)run_ns * 1000000 / of) : 0;
}

static void stats_line(FILE *f, const char *name, const char *extra, const struct sched_stats *st,
		       uint64_t elapsed)
{
	uint64_t ppm = sim_ppm(st->run_ns, elapsed);
	uint64_t avg = st->wakeups ? st->wake_latency_total_ns / st->wakeups : 0;

	fprintf(f, "%-10s %-14s %3llu.%02llu%% %10.3f %10.3f %8llu %9.3f %9.3f %8llu\n", name, extra,
		(unsigned long long)(ppm / 10000), (unsigned long long)(ppm / 100 % 100),
		(double)st->run_ns / 1e6, (double)st->wait_ns / 1e6,
		(unsigned long long)st->wakeups, (double)avg / 1e3,
		(double)st->wake_latency_max_ns / 1e3, (unsigned long long)st->preemptions);
}

void sim_report(const struct sim *sim, FILE *f)
{
	uint64_t elapsed = sim->now - sim->start;
	static const char *const kinds[] = { "cpu", "io", "bursty" };

	fprintf(f, "%u pCPUs, %.3f s simulated, %llu events, %llu sched_schedule calls\n",
		sim->npcpus, (double)elapsed / 1e9, (unsigned long long)sim->events,
		(unsigned long long)sim->schedules);
	fprintf(f, "%-10s %-14s %7s %10s %10s %8s %9s %9s %8s\n", "vcpu", "guest/kind", "share",
		"run_ms", "wait_ms", "wakeups", "lat_avg_us", "lat_max_us", "preempt");
	for (unsigned i = 0; i < sim->nv; i++) {
		const struct sim_vcpu *v = &sim->v[i];
		struct sched_stats st;
		char extra[40];

		sim_vcpu_stats(sim, v, &st);
		snprintf(extra, sizeof(extra), "%s/%s", v->dom->name, kinds[v->kind]);
		stats_line(f, v->name, extra, &st, elapsed);
	}
	fprintf(f, "%-10s %-14s (share of one pCPU)\n", "guest", "weight/cap");
	for (unsigned i = 0; i < sim->nd; i++) {
		const struct sim_dom *d = &sim->d[i];
		struct sched_stats st;
		char extra[40];

		sim_dom_stats(sim, d, &st);
		snprintf(extra, sizeof(extra), "w%u/c%u", d->sd.weight, d->sd.cap_pct);
		stats_line(f, d->name, extra, &st, elapsed);
	}
}

/*
 * Credit scheduler tests (sched/credit*.c): the acceptance scenarios run in
 * the simulator (tests/unit/schedsim.c), which checks its invariants after
 * every event; the pieces are also driven through the API directly.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/sched.h>

#include "schedsim.h"

#define MS 1000000ULL
#define US 1000ULL
#define SEC 1000000000ULL

static struct sim *sim;

static int teardown(void **state)
{
	(void)state;
	if (sim && getenv("SCHED_VERBOSE"))
		sim_report(sim, stderr);
	sim_destroy(sim);
	sim = NULL;
	return 0;
}

static void run_ok(uint64_t ns)
{
	int rc = sim_run(sim, ns);

	if (rc)
		fail_msg("%s", sim->error);
}

/* v's CPU time as ppm of `elapsed` on one pCPU. */
static uint64_t ppm_of(const struct sim_vcpu *v, uint64_t elapsed)
{
	struct sched_stats st;

	sim_vcpu_stats(sim, v, &st);
	return sim_ppm(st.run_ns, elapsed);
}

static void assert_near_ppm(uint64_t got, uint64_t want, uint64_t tol, const char *what)
{
	if (got + tol < want || got > want + tol)
		fail_msg("%s: %llu ppm, want %llu +- %llu", what, (unsigned long long)got,
			 (unsigned long long)want, (unsigned long long)tol);
}

/* Every vCPU's run + wait + blocked time is the time since it was added. */
static void assert_stats_sum(void)
{
	for (unsigned i = 0; i < sim->nv; i++) {
		struct sched_stats st;

		if (sim->v[i].removed)
			continue;
		sim_vcpu_stats(sim, &sim->v[i], &st);
		assert_int_equal(st.run_ns + st.wait_ns + st.blocked_ns,
				 sim->now - sim->v[i].added_at);
		assert_true(st.parked_ns <= st.wait_ns);
	}
}

/* ---- Acceptance ---------------------------------------------------------- */

/* 1. Weights 256:512:256, CPU-bound, one pCPU, 10 s: 25/50/25 +- 1 point. */
static void test_weights_one_pcpu(void **state)
{
	struct sim_vcpu *v[3];
	static const unsigned w[3] = { 256, 512, 256 };
	static const uint64_t want[3] = { 250000, 500000, 250000 };

	(void)state;
	sim = sim_create(1, NULL, 1);
	for (unsigned i = 0; i < 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "g%u", i);
		v[i] = sim_add_vcpu(sim, sim_add_dom(sim, name, w[i], 0), name, SCHED_AFFINITY_ALL,
				    SIMV_CPU, 0, 0);
	}
	run_ok(10 * SEC);
	for (unsigned i = 0; i < 3; i++) {
		uint64_t p = ppm_of(v[i], sim->now);

		printf("  weight %u: %llu.%02llu%%\n", w[i], (unsigned long long)(p / 10000),
		       (unsigned long long)(p / 100 % 100));
		assert_near_ppm(p, want[i], 10000, "share");
	}
	assert_stats_sum();
}

/* 2. cap = 30 alone on an idle pCPU: 30 % +- 1 point over 10 s. */
static void test_cap_alone(void **state)
{
	struct sim_vcpu *v;
	struct sched_stats st;
	uint64_t p;

	(void)state;
	sim = sim_create(1, NULL, 1);
	v = sim_add_vcpu(sim, sim_add_dom(sim, "capped", 256, 30), "c0", SCHED_AFFINITY_ALL,
			 SIMV_CPU, 0, 0);
	run_ok(10 * SEC);
	p = ppm_of(v, sim->now);
	printf("  cap 30: %llu.%02llu%%\n", (unsigned long long)(p / 10000),
	       (unsigned long long)(p / 100 % 100));
	assert_near_ppm(p, 300000, 10000, "capped share");
	sim_vcpu_stats(sim, v, &st);
	assert_true(st.parked_ns > 6 * SEC);
	assert_stats_sum();
}

/* 3. 4 pCPUs, 8 CPU-bound vCPUs with mixed affinities, plus an I/O-bound
 * vCPU: no pCPU idles while work it may run waits (checked every event),
 * affinities hold (checked every event), the I/O vCPU runs within 1 ms of
 * every wake-up. */
static void test_smp_affinity_and_boost(void **state)
{
	static const uint64_t aff[8] = { ~0ULL, 0x3, 0xc, 0x1, 0xe, 0x8, ~0ULL, 0xa };
	struct sim_vcpu *io;
	struct sched_stats st;
	uint64_t total = 0;

	(void)state;
	sim = sim_create(4, NULL, 3);
	sim->check_idle = true;
	for (unsigned i = 0; i < 8; i++) {
		char name[8];

		snprintf(name, sizeof(name), "cpu%u", i);
		sim_add_vcpu(sim, sim_add_dom(sim, name, 256, 0), name, aff[i], SIMV_CPU, 0, 0);
	}
	io = sim_add_vcpu(sim, sim_add_dom(sim, "io", 256, 0), "io", SCHED_AFFINITY_ALL, SIMV_IO,
			  200 * US, 5 * MS);
	run_ok(10 * SEC);
	sim_vcpu_stats(sim, io, &st);
	printf("  io: %llu wake-ups, latency avg %llu ns, max %llu ns\n",
	       (unsigned long long)st.wakeups,
	       (unsigned long long)(st.wake_latency_total_ns / st.wakeups),
	       (unsigned long long)st.wake_latency_max_ns);
	assert_true(st.wakeups > 1500);
	assert_true(st.wake_latency_max_ns <= 1 * MS);
	for (unsigned c = 0; c < 4; c++)
		total += sim->s.cpu[c].idle_ns;
	assert_true(total == 0); /* 8 CPU-bound vCPUs cover every pCPU */
	assert_stats_sum();
}

/* ---- Pieces -------------------------------------------------------------- */

/* A guest's weight is shared by its active vCPUs. */
static void test_weight_shared_in_domain(void **state)
{
	struct sim_dom *a, *b;
	struct sim_vcpu *a0, *a1, *b0;

	(void)state;
	sim = sim_create(1, NULL, 1);
	a = sim_add_dom(sim, "a", 256, 0);
	b = sim_add_dom(sim, "b", 256, 0);
	a0 = sim_add_vcpu(sim, a, "a0", SCHED_AFFINITY_ALL, SIMV_CPU, 0, 0);
	a1 = sim_add_vcpu(sim, a, "a1", SCHED_AFFINITY_ALL, SIMV_CPU, 0, 0);
	b0 = sim_add_vcpu(sim, b, "b0", SCHED_AFFINITY_ALL, SIMV_CPU, 0, 0);
	run_ok(6 * SEC);
	assert_near_ppm(ppm_of(a0, sim->now), 250000, 10000, "a0");
	assert_near_ppm(ppm_of(a1, sim->now), 250000, 10000, "a1");
	assert_near_ppm(ppm_of(b0, sim->now), 500000, 10000, "b0");
	/* A guest whose other vCPU sleeps gets its whole weight on the one left. */
	sim_remove_vcpu(sim, a1);
	{
		struct sched_stats sa, sb;
		uint64_t t0 = sim->now, ra, rb;

		sim_vcpu_stats(sim, a0, &sa);
		sim_vcpu_stats(sim, b0, &sb);
		ra = sa.run_ns;
		rb = sb.run_ns;
		run_ok(6 * SEC);
		sim_vcpu_stats(sim, a0, &sa);
		sim_vcpu_stats(sim, b0, &sb);
		assert_near_ppm(sim_ppm(sa.run_ns - ra, sim->now - t0), 500000, 10000, "a0 alone");
		assert_near_ppm(sim_ppm(sb.run_ns - rb, sim->now - t0), 500000, 10000, "b0");
	}
	assert_int_equal(a->sd.nvcpus, 1);
}

/* Weight and cap changes apply at once (weight: from the next period). */
static void test_set_params(void **state)
{
	struct sim_dom *a, *b;
	struct sim_vcpu *va, *vb;
	struct sched_stats s0, s1;
	uint64_t t0, r0;

	(void)state;
	sim = sim_create(1, NULL, 1);
	a = sim_add_dom(sim, "a", 256, 0);
	b = sim_add_dom(sim, "b", 256, 0);
	va = sim_add_vcpu(sim, a, "a", SCHED_AFFINITY_ALL, SIMV_CPU, 0, 0);
	vb = sim_add_vcpu(sim, b, "b", SCHED_AFFINITY_ALL, SIMV_CPU, 0, 0);
	run_ok(3 * SEC);
	assert_near_ppm(ppm_of(vb, sim->now), 500000, 10000, "b before");

	assert_int_equal(sched_dom_set(&sim->s, &b->sd, 768, 0, sim->now), 0);
	t0 = sim->now;
	sim_vcpu_stats(sim, vb, &s0);
	run_ok(6 * SEC);
	sim_vcpu_stats(sim, vb, &s1);
	assert_near_ppm(sim_ppm(s1.run_ns - s0.run_ns, sim->now - t0), 750000, 10000, "b weight 768");

	/* A cap of 10 % on a: parked at once if over budget, 10 % from then. */
	assert_int_equal(sched_dom_set(&sim->s, &a->sd, 256, 10, sim->now), 0);
	t0 = sim->now;
	sim_vcpu_stats(sim, va, &s0);
	run_ok(6 * SEC);
	sim_vcpu_stats(sim, va, &s1);
	r0 = s1.run_ns - s0.run_ns;
	assert_near_ppm(sim_ppm(r0, sim->now - t0), 100000, 5000, "a capped at 10");
	assert_true(s1.parked_ns > s0.parked_ns);

	/* Bad values change nothing. */
	assert_int_equal(sched_dom_set(&sim->s, &a->sd, 0, 10, sim->now), -E_INVAL);
	assert_int_equal(sched_dom_set(&sim->s, &a->sd, 256, SCHED_CAP_MAX + 1, sim->now), -E_INVAL);
	assert_int_equal(a->sd.cap_pct, 10);

	/* Removing the cap unparks it at once. */
	if (sched_vcpu_state(&va->sv) != SCHED_PARKED)
		run_ok(sim->s.p.slice_ns / 3 * 2);
	assert_int_equal(sched_dom_set(&sim->s, &a->sd, 256, 0, sim->now), 0);
	assert_int_not_equal(sched_vcpu_state(&va->sv), SCHED_PARKED);
	run_ok(3 * SEC);
	assert_stats_sum();
}

/* The API by hand on one pCPU. */
static struct sched s;
static struct sched_dom da, db;
static struct sched_vcpu va, vb;

static void setup_two(uint64_t now)
{
	assert_int_equal(sched_init(&s, 1, NULL, 0), 0);
	assert_int_equal(sched_dom_init(&s, &da, 256, 0), 0);
	assert_int_equal(sched_dom_init(&s, &db, 256, 0), 0);
	assert_int_equal(sched_vcpu_init(&s, &va, &da, SCHED_AFFINITY_ALL, 0), 0);
	assert_int_equal(sched_vcpu_init(&s, &vb, &db, SCHED_AFFINITY_ALL, 0), 0);
	(void)now;
}

/* Block and wake: the first wake starts a vCPU (UNDER, a tick of credit),
 * later ones BOOST it while it has credit; BOOST ends at its next tick. */
static void test_block_wake(void **state)
{
	uint64_t until;
	struct sched_stats st;

	(void)state;
	setup_two(0);
	assert_null(sched_schedule(&s, 0, 0, &until));
	assert_int_equal(until, UINT64_MAX);
	assert_int_equal(sched_wake(&s, &va, 1 * MS), 0);      /* idle pCPU 0: kick it */
	assert_int_equal(sched_vcpu_pri(&va), SCHED_PRI_UNDER);
	assert_int_equal(sched_wake(&s, &va, 1 * MS), -1);     /* not blocked: nothing */
	assert_ptr_equal(sched_schedule(&s, 0, 2 * MS, &until), &va);
	assert_int_equal(until, 2 * MS + SCHED_SLICE_NS_DEFAULT);
	assert_int_equal(sched_block(&s, &va, 5 * MS), 0);
	assert_int_equal(sched_vcpu_state(&va), SCHED_BLOCKED);
	assert_null(sched_schedule(&s, 0, 5 * MS, &until));
	assert_int_equal(sched_block(&s, &va, 6 * MS), -1);    /* already blocked */
	sched_vcpu_stats(&va, 10 * MS, &st);
	assert_int_equal(st.run_ns, 3 * MS);
	assert_int_equal(st.wait_ns, 1 * MS);
	assert_int_equal(st.blocked_ns, 6 * MS);
	assert_int_equal(st.wakeups, 0);
	assert_int_equal(sched_vcpu_credit(&va), 7 * (int64_t)MS);

	assert_int_equal(sched_wake(&s, &va, 11 * MS), 0);
	assert_int_equal(sched_vcpu_pri(&va), SCHED_PRI_BOOST);
	assert_ptr_equal(sched_schedule(&s, 0, 12 * MS, &until), &va);
	sched_vcpu_stats(&va, 12 * MS, &st);
	assert_int_equal(st.wakeups, 1);
	assert_int_equal(st.wake_latency_max_ns, 1 * MS);
	assert_false(sched_tick(&s, 0, 20 * MS));
	assert_int_equal(sched_vcpu_pri(&va), SCHED_PRI_OVER); /* 7 - 8 ms */
	/* Accounting: va alone active gets back what it used (3 + 18 ms). */
	assert_false(sched_tick(&s, 0, 30 * MS));
	assert_int_equal(sched_vcpu_credit(&va), 10 * (int64_t)MS);
	assert_int_equal(sched_vcpu_pri(&va), SCHED_PRI_UNDER);
	assert_int_equal(s.accountings, 1);
}

/* Once picked, a vCPU runs at least ratelimit_ns even if a BOOSTed one wakes;
 * blocking gives the pCPU up at once. */
static void test_ratelimit(void **state)
{
	uint64_t until;

	(void)state;
	setup_two(0);
	assert_int_equal(sched_wake(&s, &va, 0), 0);
	assert_int_equal(sched_wake(&s, &vb, 0), 0);           /* pCPU 0 still idle */
	assert_ptr_equal(sched_schedule(&s, 0, 0, &until), &va);
	assert_ptr_equal(sched_schedule(&s, 0, 30 * MS, &until), &vb); /* slice end */
	assert_int_equal(va.stats.preemptions, 1);
	assert_int_equal(sched_block(&s, &vb, 31 * MS), 0);
	assert_ptr_equal(sched_schedule(&s, 0, 31 * MS, &until), &va);
	/* vb (9 ms of credit left) wakes 100 us into va's run. */
	assert_int_equal(sched_wake(&s, &vb, 31 * MS + 100 * US), 0);
	assert_int_equal(sched_vcpu_pri(&vb), SCHED_PRI_BOOST);
	assert_ptr_equal(sched_schedule(&s, 0, 31 * MS + 100 * US, &until), &va);
	assert_int_equal(until, 32 * MS);
	assert_ptr_equal(sched_schedule(&s, 0, 32 * MS, &until), &vb);
	assert_int_equal(va.stats.preemptions, 2);
	assert_int_equal(vb.stats.wake_latency_max_ns, 900 * US);
	/* vb blocks after 100 us: va is back at once. */
	assert_int_equal(sched_block(&s, &vb, 32 * MS + 100 * US), 0);
	assert_ptr_equal(sched_schedule(&s, 0, 32 * MS + 100 * US, &until), &va);
}

/* Yield: the other runnable vCPU goes first; alone, the yielder goes on. */
static void test_yield(void **state)
{
	uint64_t until;

	(void)state;
	setup_two(0);
	sched_wake(&s, &va, 0);
	assert_ptr_equal(sched_schedule(&s, 0, 0, &until), &va);
	sched_vcpu_yield(&s, &va);
	assert_ptr_equal(sched_schedule(&s, 0, 100 * US, &until), &va); /* nobody else */
	assert_int_equal(sched_wake(&s, &vb, 200 * US), -1);  /* UNDER vs UNDER: no kick */
	sched_vcpu_yield(&s, &va);
	/* Yield beats the rate limit. */
	assert_ptr_equal(sched_schedule(&s, 0, 300 * US, &until), &vb);
	assert_int_equal(sched_vcpu_state(&va), SCHED_QUEUED);
	assert_int_equal(va.stats.yields, 2);
	assert_int_equal(va.stats.preemptions, 0);
	/* Slice end: va (UNDER) before vb (OVER now). */
	assert_ptr_equal(sched_schedule(&s, 0, 300 * US + 30 * MS, &until), &va);
	assert_int_equal(vb.stats.preemptions, 1);
	/* Yield to a lower priority too. */
	sched_vcpu_yield(&s, &va);
	assert_ptr_equal(sched_schedule(&s, 0, 301 * US + 30 * MS, &until), &vb);
}

/* Removing a running vCPU frees its pCPU at once; a queued one is never run. */
static void test_remove(void **state)
{
	uint64_t until;
	struct sched_stats st;

	(void)state;
	setup_two(0);
	sched_wake(&s, &va, 0);
	sched_wake(&s, &vb, 0);
	assert_ptr_equal(sched_schedule(&s, 0, 0, &until), &va);
	assert_int_equal(sched_vcpu_remove(&s, &vb, 1 * MS), -1);   /* queued */
	assert_int_equal(sched_vcpu_state(&vb), SCHED_OFFLINE);
	assert_int_equal(s.cpu[0].nqueued, 0);
	assert_int_equal(sched_vcpu_remove(&s, &va, 2 * MS), 0);    /* running on 0 */
	assert_null(s.cpu[0].curr);
	assert_null(sched_schedule(&s, 0, 2 * MS, &until));
	assert_int_equal(sched_vcpu_remove(&s, &va, 3 * MS), -1);   /* twice: nothing */
	assert_int_equal(da.nvcpus, 0);
	assert_int_equal(s.nactive, 0);
	sched_dom_stats(&da, 10 * MS, &st);
	assert_int_equal(st.run_ns, 2 * MS);
	sched_dom_stats(&db, 10 * MS, &st);
	assert_int_equal(st.wait_ns, 1 * MS);
	sched_dom_remove(&s, &da);
	sched_dom_remove(&s, &db);
	assert_true(sched_link_empty(&s.doms));
	/* Accounting with nothing active. */
	assert_false(sched_tick(&s, 0, 30 * MS));
}

static void test_bad_arguments(void **state)
{
	struct sched_params p;

	(void)state;
	sched_params_default(&p);
	assert_int_equal(sched_params_check(&p), 0);
	assert_int_equal(sched_init(&s, 0, NULL, 0), -E_INVAL);
	assert_int_equal(sched_init(&s, SCHED_MAX_PCPUS + 1, NULL, 0), -E_INVAL);
	p.tick_ns = p.slice_ns + 1;
	assert_int_equal(sched_init(&s, 1, &p, 0), -E_INVAL);
	sched_params_default(&p);
	p.slice_ns = SCHED_SLICE_NS_MAX + 1;
	assert_int_equal(sched_params_check(&p), -E_INVAL);
	sched_params_default(&p);
	p.ratelimit_ns = p.slice_ns + 1;
	assert_int_equal(sched_params_check(&p), -E_INVAL);
	assert_int_equal(sched_init(&s, 4, NULL, 0), 0);
	assert_int_equal(sched_dom_init(&s, &da, 0, 0), -E_INVAL);
	assert_int_equal(sched_dom_init(&s, &da, SCHED_WEIGHT_MAX + 1, 0), -E_INVAL);
	assert_int_equal(sched_dom_init(&s, &da, 1, SCHED_CAP_MAX + 1), -E_INVAL);
	assert_int_equal(sched_dom_init(&s, &da, 1, 0), 0);
	assert_int_equal(sched_vcpu_init(&s, &va, &da, 0x10, 0), -E_INVAL); /* pCPU 4 of 4 */
	assert_int_equal(sched_vcpu_init(&s, &va, &da, 0x14, 0), 0);
	assert_int_equal(va.affinity, 0x4);
	assert_string_equal(sched_pri_name(SCHED_PRI_OVER), "OVER");
	assert_string_equal(sched_state_name(SCHED_PARKED), "parked");
}

/* Non-default parameters: a 10 ms slice, 2 ms tick, no rate limit. */
static void test_custom_params(void **state)
{
	struct sched_params p = { 10 * MS, 2 * MS, 0 };
	struct sim_vcpu *v[2];

	(void)state;
	sim = sim_create(1, &p, 1);
	v[0] = sim_add_vcpu(sim, sim_add_dom(sim, "a", 100, 0), "a", 1, SIMV_CPU, 0, 0);
	v[1] = sim_add_vcpu(sim, sim_add_dom(sim, "b", 300, 0), "b", 1, SIMV_CPU, 0, 0);
	run_ok(5 * SEC);
	assert_near_ppm(ppm_of(v[0], sim->now), 250000, 10000, "a");
	assert_near_ppm(ppm_of(v[1], sim->now), 750000, 10000, "b");
}

/* 64 pCPUs, 128 CPU-bound vCPUs of equal weight: every pCPU busy, 50 % each. */
static void test_64_pcpus(void **state)
{
	uint64_t idle = 0;

	(void)state;
	sim = sim_create(64, NULL, 1);
	sim->check_idle = true;
	for (unsigned i = 0; i < 128; i++) {
		char name[8];

		snprintf(name, sizeof(name), "v%u", i);
		sim_add_vcpu(sim, sim_add_dom(sim, name, 256, 0), name,
			     i % 4 == 3 ? (uint64_t)1 << (i % 64) : SCHED_AFFINITY_ALL, SIMV_CPU, 0, 0);
		if (sim->nd == SIM_MAX_DOMS)
			break;
	}
	for (unsigned i = sim->nv; i < 128; i++)
		sim_add_vcpu(sim, &sim->d[i % SIM_MAX_DOMS], "x", SCHED_AFFINITY_ALL, SIMV_CPU, 0, 0);
	run_ok(2 * SEC);
	for (unsigned c = 0; c < 64; c++)
		idle += sim->s.cpu[c].idle_ns;
	assert_int_equal(idle, 0);
	/* Guests 0..63 each have 2 vCPUs now: 1 pCPU per guest. */
	for (unsigned i = 0; i < sim->nd; i++) {
		struct sched_stats st;

		sim_dom_stats(sim, &sim->d[i], &st);
		assert_near_ppm(sim_ppm(st.run_ns, sim->now), 1000000, 40000, sim->d[i].name);
	}
	assert_stats_sum();
}

/* Mixed random workloads, several seeds: the invariants hold throughout,
 * the stats add up, guests come and go. */
static void test_random_mix(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 6; seed++) {
		unsigned np = 1 + (unsigned)(seed % 4) * 2;

		rng_seed(seed);
		sim = sim_create(np, NULL, seed);
		sim->check_idle = true;
		for (unsigned i = 0; i < 12; i++) {
			char name[8];
			struct sim_dom *d;
			enum simv_kind k = (enum simv_kind)rng_below(3);
			uint64_t aff = rng_below(3) ? SCHED_AFFINITY_ALL : (rng_next() | 1);

			snprintf(name, sizeof(name), "d%u", i);
			d = sim_add_dom(sim, name, 1 + (unsigned)rng_below(1024),
					rng_below(4) ? 0 : 10 + (unsigned)rng_below(90));
			assert_non_null(d);
			for (unsigned j = 0; j <= rng_below(3); j++)
				assert_non_null(sim_add_vcpu(sim, d, name, aff, k,
							     50 * US + rng_below(5 * MS),
							     rng_below(20 * MS)));
		}
		run_ok(1 * SEC);
		for (unsigned i = 0; i < sim->nv; i += 3)
			sim_remove_vcpu(sim, &sim->v[i]);
		sched_dom_set(&sim->s, &sim->d[1].sd, 5000, 50, sim->now);
		run_ok(1 * SEC);
		assert_stats_sum();
		/* Capped guests never exceed their cap by more than a tick per period. */
		for (unsigned i = 0; i < sim->nd; i++) {
			struct sched_stats st;
			const struct sim_dom *d = &sim->d[i];

			if (!d->sd.cap_pct || i == 1)
				continue;
			sim_dom_stats(sim, d, &st);
			assert_true(sim_ppm(st.run_ns, sim->now) <= d->sd.cap_pct * 10000 + 10000);
		}
		teardown(NULL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_weights_one_pcpu, teardown),
		cmocka_unit_test_teardown(test_cap_alone, teardown),
		cmocka_unit_test_teardown(test_smp_affinity_and_boost, teardown),
		cmocka_unit_test_teardown(test_weight_shared_in_domain, teardown),
		cmocka_unit_test_teardown(test_set_params, teardown),
		cmocka_unit_test(test_block_wake),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_yield),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test_teardown(test_custom_params, teardown),
		cmocka_unit_test_teardown(test_64_pcpus, teardown),
		cmocka_unit_test_teardown(test_random_mix, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

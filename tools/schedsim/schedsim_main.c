/*
 * schedsim: the credit scheduler (sched/credit*.c) on the host, in the
 * deterministic simulator of tests/unit/schedsim.c (docs/scheduler.md).
 *
 *   schedsim scenario NAME [SECONDS]   simulate and print the share table
 *       weights  3 CPU-bound guests, weights 256:512:256, 1 pCPU
 *       cap      1 CPU-bound guest with cap = 30 alone on 1 pCPU
 *       smp      4 pCPUs, 8 CPU-bound vCPUs with mixed affinities + 1 I/O-bound
 *       mixed    2 pCPUs: CPU-bound, I/O-bound and bursty guests, one capped
 *   schedsim bench [ITERATIONS]       ns per sched_schedule call (4 pCPUs;
 *                                     4, 64 and 1024 CPU-bound vCPUs)
 *
 * Exit status: 0 ok, 1 an invariant of the simulator failed, 2 usage.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <plinth/panic.h>
#include <plinth/sched.h>

#include "schedsim.h"

#define MS 1000000ULL
#define US 1000ULL

/* sched/credit.c's BUG_ON. */
void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("schedsim: panic: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

static void add_cpu_guest(struct sim *sim, const char *name, unsigned weight, unsigned cap,
			  uint64_t aff)
{
	struct sim_dom *d = sim_add_dom(sim, name, weight, cap);

	if (!d || !sim_add_vcpu(sim, d, name, aff, SIMV_CPU, 0, 0)) {
		fprintf(stderr, "schedsim: cannot add %s\n", name);
		exit(2);
	}
}

static struct sim *scenario(const char *name)
{
	struct sim *sim;

	if (!strcmp(name, "weights")) {
		sim = sim_create(1, NULL, 1);
		add_cpu_guest(sim, "w256a", 256, 0, SCHED_AFFINITY_ALL);
		add_cpu_guest(sim, "w512", 512, 0, SCHED_AFFINITY_ALL);
		add_cpu_guest(sim, "w256b", 256, 0, SCHED_AFFINITY_ALL);
	} else if (!strcmp(name, "cap")) {
		sim = sim_create(1, NULL, 1);
		add_cpu_guest(sim, "cap30", 256, 30, SCHED_AFFINITY_ALL);
	} else if (!strcmp(name, "smp")) {
		static const uint64_t aff[8] = { ~0ULL, 0x3, 0xc, 0x1, 0xe, 0x8, ~0ULL, 0xa };

		sim = sim_create(4, NULL, 3);
		sim->check_idle = true;
		for (unsigned i = 0; i < 8; i++) {
			char n[SIM_NAME_MAX];

			snprintf(n, sizeof(n), "cpu%u", i);
			add_cpu_guest(sim, n, 256, 0, aff[i]);
		}
		sim_add_vcpu(sim, sim_add_dom(sim, "io", 256, 0), "io", SCHED_AFFINITY_ALL, SIMV_IO,
			     200 * US, 5 * MS);
	} else if (!strcmp(name, "mixed")) {
		struct sim_dom *d;

		sim = sim_create(2, NULL, 7);
		sim->check_idle = true;
		add_cpu_guest(sim, "batch", 256, 0, SCHED_AFFINITY_ALL);
		add_cpu_guest(sim, "capped", 512, 50, SCHED_AFFINITY_ALL);
		d = sim_add_dom(sim, "web", 256, 0);
		sim_add_vcpu(sim, d, "web0", SCHED_AFFINITY_ALL, SIMV_BURSTY, 2 * MS, 8 * MS);
		sim_add_vcpu(sim, d, "web1", SCHED_AFFINITY_ALL, SIMV_BURSTY, 2 * MS, 8 * MS);
		sim_add_vcpu(sim, sim_add_dom(sim, "io", 128, 0), "io", 0x1, SIMV_IO, 100 * US,
			     1 * MS);
	} else {
		return NULL;
	}
	return sim;
}

static int run_scenario(const char *name, double seconds)
{
	struct sim *sim = scenario(name);
	int rc;

	if (!sim) {
		fprintf(stderr, "schedsim: unknown scenario %s (weights, cap, smp, mixed)\n", name);
		return 2;
	}
	printf("scenario %s\n", name);
	rc = sim_run(sim, (uint64_t)(seconds * 1e9));
	sim_report(sim, stdout);
	if (rc)
		fprintf(stderr, "schedsim: invariant violated: %s\n", sim->error);
	sim_destroy(sim);
	return rc ? 1 : 0;
}

static uint64_t clock_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/*
 * nvcpus CPU-bound vCPUs (one guest each, weights 1..4 x 128) on 4 pCPUs.
 * Each step advances the clock by a quarter slice and reschedules the next
 * pCPU in turn, so every call ends a slice and switches; ticks run as due
 * but are not timed. Returns the mean ns per sched_schedule call, minus the
 * cost of reading the clock.
 */
static double bench(unsigned nvcpus, unsigned iters, double clock_cost, uint64_t *switches)
{
	struct sched *s = calloc(1, sizeof(*s));
	struct sched_dom *d = calloc(nvcpus, sizeof(*d));
	struct sched_vcpu *v = calloc(nvcpus, sizeof(*v));
	struct sched_vcpu *cur[4] = { 0 };
	uint64_t now = 0, next_tick = 0, total = 0, until;

	if (!s || !d || !v || sched_init(s, 4, NULL, 0))
		exit(2);
	for (unsigned i = 0; i < nvcpus; i++) {
		sched_dom_init(s, &d[i], 128 * (1 + i % 4), 0);
		sched_vcpu_init(s, &v[i], &d[i], SCHED_AFFINITY_ALL, 0);
		sched_wake(s, &v[i], 0);
	}
	*switches = 0;
	for (unsigned i = 0; i < iters; i++) {
		unsigned cpu = i % 4;
		struct sched_vcpu *got;
		uint64_t t0, t1;

		now += s->p.slice_ns / 4;
		while (next_tick <= now) {
			for (unsigned c = 0; c < 4; c++)
				sched_tick(s, c, next_tick);
			next_tick += s->p.tick_ns;
		}
		t0 = clock_ns();
		got = sched_schedule(s, cpu, now, &until);
		t1 = clock_ns();
		total += t1 - t0;
		if (got != cur[cpu])
			(*switches)++;
		cur[cpu] = got;
	}
	free(v);
	free(d);
	free(s);
	return (double)total / iters - clock_cost;
}

static int run_bench(unsigned iters)
{
	static const unsigned sizes[] = { 4, 64, 1024 };
	uint64_t t0, sw;
	double clock_cost;

	t0 = clock_ns();
	for (unsigned i = 0; i < iters; i++)
		(void)clock_ns();
	clock_cost = (double)(clock_ns() - t0) / iters;
	printf("pick-next (sched_schedule) on 4 pCPUs, %u calls each, clock cost %.1f ns subtracted\n",
	       iters, clock_cost);
	printf("%8s %14s %10s\n", "vcpus", "ns_per_call", "switches");
	for (unsigned k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		double ns = bench(sizes[k], iters, clock_cost, &sw);

		printf("%8u %14.1f %10llu\n", sizes[k], ns, (unsigned long long)sw);
	}
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: schedsim scenario weights|cap|smp|mixed [SECONDS]\n"
			"       schedsim bench [ITERATIONS]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && argc <= 4 && !strcmp(argv[1], "scenario")) {
		double secs = argc == 4 ? strtod(argv[3], NULL) : 10.0;

		if (!(secs > 0 && secs <= 3600))
			return usage();
		return run_scenario(argv[2], secs);
	}
	if (argc >= 2 && argc <= 3 && !strcmp(argv[1], "bench")) {
		long n = argc == 3 ? strtol(argv[2], NULL, 0) : 1000000;

		if (n <= 0 || n > 100000000)
			return usage();
		return run_bench((unsigned)n);
	}
	return usage();
}

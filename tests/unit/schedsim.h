/*
 * Deterministic simulator for the credit scheduler (sched/credit*.c), host
 * only: a simulated clock in ns, N pCPUs each running the caller's loop of
 * include/plinth/sched.h (schedule, run until `until`/tick/block, tick every
 * tick_ns, IPIs taking effect at once), and vCPUs with a behaviour:
 *
 *   SIMV_CPU     always runnable
 *   SIMV_IO      runs run_ns, sleeps sleep_ns, again
 *   SIMV_BURSTY  runs and sleeps for random times in [x/2, 3x/2) of run_ns and
 *                sleep_ns (seeded tests/unit/test_rng.h: repeatable)
 *
 * After every event it checks invariants: the scheduler's and the simulator's
 * view of every pCPU agree, a vCPU runs on at most one pCPU, only on pCPUs of
 * its affinity, never while sleeping, blocked or parked; optionally
 * (check_idle) no pCPU stays idle for more than one tick while a queued vCPU
 * may run there. The first violation stops sim_run with a message.
 *
 * Used by tests/unit/test_sched.c and tools/schedsim.
 */
#ifndef PLINTH_SCHEDSIM_H
#define PLINTH_SCHEDSIM_H

#include <stdio.h>

#include <plinth/sched.h>

#define SIM_MAX_VCPUS 1024
#define SIM_MAX_DOMS 64
#define SIM_NAME_MAX 16

enum simv_kind { SIMV_CPU, SIMV_IO, SIMV_BURSTY };

struct sim_dom {
	struct sched_dom sd;
	char name[SIM_NAME_MAX];
};

struct sim_vcpu {
	struct sched_vcpu sv;
	struct sim_dom *dom;
	char name[SIM_NAME_MAX];
	enum simv_kind kind;
	uint64_t run_ns, sleep_ns;   /* behaviour parameters */
	bool sleeping;               /* blocked by its behaviour, wakes at wake_at */
	bool removed;
	uint64_t wake_at;
	uint64_t work_left;          /* CPU time until it next blocks (IO, BURSTY) */
	uint64_t added_at;
	int on_cpu;                  /* the simulator's view: pCPU running it, or -1 */
};

struct sim_cpu {
	struct sim_vcpu *running;    /* NULL = idle */
	uint64_t until;              /* from sched_schedule */
	uint64_t next_tick;
	uint64_t idle_wait_since;    /* check_idle: idle with allowed work queued since */
	bool idle_wait;
	bool resched;
};

struct sim {
	struct sched s;
	unsigned npcpus;
	uint64_t now, start;
	struct sim_cpu cpu[SCHED_MAX_PCPUS];
	struct sim_vcpu v[SIM_MAX_VCPUS];
	unsigned nv;
	struct sim_dom d[SIM_MAX_DOMS];
	unsigned nd;
	bool check_idle;             /* the idle-pCPU invariant above */
	uint64_t events;             /* simulation steps so far */
	uint64_t schedules;          /* sched_schedule calls */
	uint64_t rng;                /* xorshift state for BURSTY */
	char error[256];             /* first invariant violation, "" if none */
};

/* Heap-allocated (struct sim is large); npcpus 1..64, p NULL = defaults. */
struct sim *sim_create(unsigned npcpus, const struct sched_params *p, uint64_t seed);
void sim_destroy(struct sim *sim);

/* A guest; NULL on bad parameters or too many. */
struct sim_dom *sim_add_dom(struct sim *sim, const char *name, unsigned weight, unsigned cap_pct);

/* A vCPU of dom with a behaviour, woken now. NULL on error. */
struct sim_vcpu *sim_add_vcpu(struct sim *sim, struct sim_dom *dom, const char *name,
			      uint64_t affinity, enum simv_kind kind, uint64_t run_ns,
			      uint64_t sleep_ns);

/* Remove a vCPU now (guest stopped); its pCPU reschedules. */
void sim_remove_vcpu(struct sim *sim, struct sim_vcpu *v);

/* Simulate for `ns` more nanoseconds. Returns 0, or -1 on the first invariant
 * violation (sim->error says which). */
int sim_run(struct sim *sim, uint64_t ns);

/* Statistics of a vCPU / guest up to sim->now. */
void sim_vcpu_stats(const struct sim *sim, const struct sim_vcpu *v, struct sched_stats *st);
void sim_dom_stats(const struct sim *sim, const struct sim_dom *d, struct sched_stats *st);

/* v's run time in parts per million of `of` ns (e.g. the simulated time
 * since start, times npcpus for a share of the whole machine). */
uint64_t sim_ppm(uint64_t run_ns, uint64_t of);

/* Table of the vCPUs (share of one pCPU over the elapsed time, run, wait,
 * wake latency, preemptions) and of the guests, to f. */
void sim_report(const struct sim *sim, FILE *f);

#endif

/*
 * The credit scheduler (sched/credit.c, sched/credit_account.c), modelled on
 * Xen's credit scheduler; user-facing description in docs/scheduler.md.
 *
 * Every vCPU earns credit, in nanoseconds of CPU time, in proportion to its
 * guest's weight (shared equally among the guest's active vCPUs) and burns it
 * while it runs. Its priority follows: BOOST (just woken with credit left),
 * UNDER (credit left), OVER (credit used up). Each pCPU has one run queue per
 * priority, so picking the next vCPU is O(1); an idle pCPU, or one that would
 * otherwise run an OVER vCPU, steals from the other pCPUs' queues (O(npcpus)).
 * A guest's cap limits it to cap_pct percent of one pCPU per accounting
 * period; a capped guest that used its budget is parked until the next one.
 *
 * Pure policy code: no locks (the kernel calls every function under one
 * global lock), no allocation (all structures are embedded in the caller's
 * objects), no floating point. Time is passed in by the caller as `now`, in
 * nanoseconds, and must never go backwards. The same code runs in the kernel,
 * in the host unit tests and in the simulator (tests/unit/schedsim.c).
 *
 * The caller's loop on each pCPU:
 *
 *     v = sched_schedule(s, cpu, now, &until);      // NULL: idle
 *     run v (or idle) until `until`, the next tick, or until it blocks or yields
 *     every tick_ns:  if (sched_tick(s, cpu, now)) reschedule now
 *     after any call: send an IPI to every pCPU in sched_take_kicks(s)
 *     vCPU halts:     sched_block(); reschedule.   vCPU yields: sched_vcpu_yield(); reschedule.
 *     event for a blocked vCPU: sched_wake() and kick the pCPU it returns.
 *
 * A kicked pCPU calls sched_schedule(); ticks must keep coming on idle pCPUs
 * too (they are how an idle pCPU steals work left behind and how a parked
 * guest is resumed).
 */
#ifndef PLINTH_SCHED_H
#define PLINTH_SCHED_H

#include <plinth/types.h>

#define SCHED_MAX_PCPUS 64              /* pCPUs 0..63; affinity is a uint64_t */
#define SCHED_AFFINITY_ALL (~(uint64_t)0)
#define SCHED_WEIGHT_DEFAULT 256
#define SCHED_WEIGHT_MAX 65535
#define SCHED_CAP_MAX (100 * SCHED_MAX_PCPUS) /* percent of one pCPU */

#define SCHED_SLICE_NS_DEFAULT 30000000ULL   /* 30 ms: slice and accounting period */
#define SCHED_TICK_NS_DEFAULT 10000000ULL    /* 10 ms */
#define SCHED_RATELIMIT_NS_DEFAULT 1000000ULL /* 1 ms */
/* Accepted ranges (sched_init rejects others). */
#define SCHED_SLICE_NS_MIN 1000000ULL        /* 1 ms */
#define SCHED_SLICE_NS_MAX 1000000000ULL     /* 1 s */
#define SCHED_TICK_NS_MIN 100000ULL          /* 100 us; at most slice_ns */
#define SCHED_RATELIMIT_NS_MAX 100000000ULL  /* 100 ms; at most slice_ns; 0 = none */

/* How many entries of another pCPU's queue a stealing pCPU examines per
 * priority looking for one whose affinity allows it: bounds the cost of a
 * pick at O(npcpus) whatever the number of vCPUs. */
#define SCHED_STEAL_SCAN 16

struct sched_params {
	uint64_t slice_ns;     /* time slice, also the accounting period */
	uint64_t tick_ns;      /* accounting tick: credit burn, priority changes */
	uint64_t ratelimit_ns; /* minimum run once picked (unless it blocks/yields) */
};

/* Priorities, best first. SCHED_PRI_IDLE is "nothing to run". */
enum sched_pri { SCHED_PRI_BOOST, SCHED_PRI_UNDER, SCHED_PRI_OVER, SCHED_PRI_IDLE };
#define SCHED_NR_QUEUES 3   /* one run queue per priority above IDLE */

enum sched_state {
	SCHED_OFFLINE,  /* not added yet, or removed */
	SCHED_BLOCKED,  /* halted, waiting for sched_wake */
	SCHED_QUEUED,   /* runnable, on a pCPU's run queue */
	SCHED_RUNNING,  /* current on a pCPU */
	SCHED_PARKED,   /* runnable but its guest used its cap: off the queues */
};

/* Per-vCPU statistics (per-guest totals: sched_dom_stats). */
struct sched_stats {
	uint64_t run_ns;                /* running */
	uint64_t wait_ns;               /* runnable but not running (queued or parked) */
	uint64_t parked_ns;             /* the part of wait_ns spent parked by the cap */
	uint64_t blocked_ns;            /* blocked; run + wait + blocked = time since added */
	uint64_t wake_latency_total_ns; /* sum over wake-ups of (wake -> first run) */
	uint64_t wake_latency_max_ns;
	uint64_t wakeups;               /* sched_wake of a blocked vCPU that ran before */
	uint64_t preemptions;           /* descheduled while still runnable, not by yield */
	uint64_t picks;                 /* times picked to run */
	uint64_t yields;
};

/* Intrusive doubly linked list node/head (circular). */
struct sched_link {
	struct sched_link *next, *prev;
};

/* One per guest. Fields after `cap_pct` are private. */
struct sched_dom {
	unsigned weight;        /* 1..SCHED_WEIGHT_MAX */
	unsigned cap_pct;       /* percent of one pCPU, 0 = no cap */
	/* private */
	struct sched_link link;   /* in sched.doms */
	struct sched_link vcpus;  /* its sched_vcpu.dom_link */
	unsigned nvcpus;          /* added and not removed */
	unsigned nactive;         /* of those, active (earning credit) */
	int64_t budget_ns;        /* capped: CPU time left this period */
	bool parked;              /* capped and out of budget */
	struct sched_stats removed; /* totals of its removed vCPUs */
};

/* One per vCPU, embedded in it. `dom` and `affinity` are set by
 * sched_vcpu_init; the rest is private except `stats` (read it through
 * sched_vcpu_stats, which adds the time of the current state). */
struct sched_vcpu {
	struct sched_dom *dom;
	uint64_t affinity;        /* pCPUs it may run on (bit n = pCPU n) */
	struct sched_stats stats;
	/* private */
	struct sched_link rq;        /* run queue */
	struct sched_link dom_link;  /* in dom->vcpus */
	struct sched_link act_link;  /* in sched.active while active */
	int64_t credit_ns;
	uint64_t share;              /* accounting scratch: effective weight */
	uint64_t state_since;        /* when it entered `state` */
	uint64_t last_charge;        /* running: charged up to here */
	uint64_t picked_at;          /* running: when it was picked */
	uint64_t woken_at;           /* wake-up not yet followed by a run */
	uint8_t state;               /* enum sched_state */
	uint8_t pri;                 /* enum sched_pri (not IDLE) */
	uint8_t cpu;                 /* queued/running on, or last ran on */
	bool active;                 /* earning credit (in sched.active) */
	bool ran;                    /* ran during this accounting period */
	bool yielded;                /* sched_vcpu_yield called, not yet rescheduled */
	bool wake_pending;           /* woken, not yet picked: measure latency */
};

struct sched_pcpu {
	struct sched_link rq[SCHED_NR_QUEUES]; /* per priority, FIFO */
	struct sched_vcpu *curr;  /* NULL = idle */
	unsigned nqueued;
	uint64_t idle_since;      /* when idle: since when */
	uint64_t idle_ns;         /* total idle time (updated on leaving idle) */
	uint64_t schedules;       /* sched_schedule calls */
	uint64_t steals;          /* vCPUs taken from another pCPU's queue */
};

struct sched {
	struct sched_params p;
	unsigned npcpus;
	uint64_t online;            /* mask of pCPUs 0..npcpus-1 */
	uint64_t kicks;             /* pCPUs that must reschedule (sched_take_kicks) */
	uint64_t next_acct;         /* next accounting */
	uint64_t accountings;       /* accounting periods run */
	uint64_t burned_ns;         /* CPU time charged since the last accounting */
	struct sched_link doms;     /* all domains */
	struct sched_link active;   /* active vCPUs */
	unsigned nactive;
	struct sched_pcpu cpu[SCHED_MAX_PCPUS];
};

/* Fill *p with the defaults (30 ms, 10 ms, 1 ms). */
void sched_params_default(struct sched_params *p);

/* Check p: slice in [SLICE_MIN, SLICE_MAX], tick in [TICK_MIN, slice],
 * ratelimit <= min(RATELIMIT_MAX, slice). Returns 0 or -E_INVAL. */
int sched_params_check(const struct sched_params *p);

/* Start a scheduler for pCPUs 0..npcpus-1 (1..SCHED_MAX_PCPUS), all idle;
 * p = NULL for the defaults. Returns 0, or -E_INVAL for bad arguments. */
int sched_init(struct sched *s, unsigned npcpus, const struct sched_params *p, uint64_t now);

/* Register a guest with weight (1..SCHED_WEIGHT_MAX) and cap (0 = none,
 * else 1..SCHED_CAP_MAX percent of one pCPU, for all its vCPUs together).
 * Returns 0 or -E_INVAL. */
int sched_dom_init(struct sched *s, struct sched_dom *d, unsigned weight, unsigned cap_pct);

/* Change a guest's weight and cap, at once: a lowered cap parks the guest now
 * if it already used more than the new budget this period (its running vCPUs'
 * pCPUs are added to the kicks), a raised or removed cap unparks it; a new
 * weight applies from the next accounting (at most slice_ns later).
 * Returns 0 or -E_INVAL (nothing changed). */
int sched_dom_set(struct sched *s, struct sched_dom *d, unsigned weight, unsigned cap_pct,
		  uint64_t now);

/* Unregister a guest; all its vCPUs must have been removed (panics otherwise). */
void sched_dom_remove(struct sched *s, struct sched_dom *d);

/* Add a vCPU of guest d, blocked (sched_wake starts it). affinity is masked
 * with the online pCPUs; it must leave at least one. Returns 0 or -E_INVAL. */
int sched_vcpu_init(struct sched *s, struct sched_vcpu *v, struct sched_dom *d,
		    uint64_t affinity, uint64_t now);

/* Remove a vCPU in any state (guest stopped): off its queue; if it was
 * running, its pCPU becomes idle at once. Returns the pCPU it was running on,
 * which must stop running it and call sched_schedule, or -1. Afterwards the
 * scheduler no longer refers to v. */
int sched_vcpu_remove(struct sched *s, struct sched_vcpu *v, uint64_t now);

/* A blocked vCPU becomes runnable: BOOST if it has credit left, else OVER
 * (parked if its guest is out of cap). The first wake of a new vCPU starts it
 * (UNDER, its credit is a tick's worth) and is not counted as a wake-up. It is queued on a pCPU of its
 * affinity, preferably an idle one. Returns the pCPU to kick (it should call
 * sched_schedule now: it is idle or runs something of lower priority), or -1.
 * Waking a vCPU that is not blocked does nothing and returns -1. */
int sched_wake(struct sched *s, struct sched_vcpu *v, uint64_t now);

/* The vCPU halts (usually the running one; a queued or parked one is taken
 * off). A running vCPU is charged and its pCPU becomes idle at once: the
 * return value is that pCPU, which must call sched_schedule, or -1. */
int sched_block(struct sched *s, struct sched_vcpu *v, uint64_t now);

/* (Not "sched_yield": that is the C library's, in host builds.)
 * The running vCPU v gives way: at the next sched_schedule on its pCPU any
 * other vCPU that may run there (local or stolen, of any priority) goes
 * first; if there is none, v goes on. The caller then calls sched_schedule. */
void sched_vcpu_yield(struct sched *s, struct sched_vcpu *v);

/* On `cpu`, because its time (`until`) ran out, it was kicked, a tick asked
 * for it, or its vCPU blocked/yielded: charge the current vCPU, pick what runs
 * next (NULL = idle) and set *until_ns to when the next decision is due
 * (UINT64_MAX when idle: until a kick or tick). The current vCPU keeps the
 * pCPU while it ran less than ratelimit_ns (then *until_ns is when that
 * ends). Returns the vCPU to run, whose state is SCHED_RUNNING. */
struct sched_vcpu *sched_schedule(struct sched *s, unsigned cpu, uint64_t now, uint64_t *until_ns);

/* Accounting tick on `cpu` every tick_ns, idle or not: charge the running
 * vCPU, end its BOOST, run the periodic accounting when due (refill credit by
 * weight, refill cap budgets and unpark, re-sort queues), park a guest out of
 * cap. Returns true when `cpu` should call sched_schedule now (something
 * better waits, its vCPU was parked, or it is idle and work may be stolen).
 * Other pCPUs to kick are left in sched_take_kicks. */
bool sched_tick(struct sched *s, unsigned cpu, uint64_t now);

/* The pCPUs that must call sched_schedule (IPI them), and clear the set. */
uint64_t sched_take_kicks(struct sched *s);

/* Statistics of v up to now (including its current state). */
void sched_vcpu_stats(const struct sched_vcpu *v, uint64_t now, struct sched_stats *out);

/* Totals over d's vCPUs, removed ones included (latency max = the max). */
void sched_dom_stats(const struct sched_dom *d, uint64_t now, struct sched_stats *out);

/* v's credit in ns (negative when OVER) and priority, for the console and tests. */
static inline int64_t sched_vcpu_credit(const struct sched_vcpu *v)
{
	return v->credit_ns;
}

static inline enum sched_pri sched_vcpu_pri(const struct sched_vcpu *v)
{
	return (enum sched_pri)v->pri;
}

static inline enum sched_state sched_vcpu_state(const struct sched_vcpu *v)
{
	return (enum sched_state)v->state;
}

/* The pCPU v is queued or running on (or last ran on). */
static inline unsigned sched_vcpu_cpu(const struct sched_vcpu *v)
{
	return v->cpu;
}

/* Name of a priority / state ("BOOST", "running"), for dumps. */
const char *sched_pri_name(enum sched_pri pri);
const char *sched_state_name(enum sched_state st);

/* ---- Internal: shared by sched/credit.c and sched/credit_account.c ---- */
static inline void sched_link_init(struct sched_link *h)
{
	h->next = h->prev = h;
}

static inline bool sched_link_empty(const struct sched_link *h)
{
	return h->next == h;
}

static inline void sched_link_add_tail(struct sched_link *h, struct sched_link *n)
{
	n->prev = h->prev;
	n->next = h;
	h->prev->next = n;
	h->prev = n;
}

static inline void sched_link_del(struct sched_link *n)
{
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = n;
}

void sched_acct_period(struct sched *s, uint64_t now);
void sched_charge(struct sched *s, struct sched_vcpu *v, uint64_t now);
void sched_park_dom(struct sched *s, struct sched_dom *d, uint64_t now);
void sched_unpark_dom(struct sched *s, struct sched_dom *d, uint64_t now);
void sched_requeue_pri(struct sched *s, struct sched_vcpu *v);
void sched_deactivate(struct sched *s, struct sched_vcpu *v);
/* Close the time spent in the current state (sched_stats) and enter `st`. */
void sched_set_state(struct sched_vcpu *v, enum sched_state st, uint64_t now);
void sched_stats_add(struct sched_stats *t, const struct sched_stats *a);
int64_t sched_credit_min(const struct sched *s);
void sched_activate(struct sched *s, struct sched_vcpu *v);
uint64_t sched_cap_budget(const struct sched *s, const struct sched_dom *d);
int64_t sched_credit_max(const struct sched *s);

#endif

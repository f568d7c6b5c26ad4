# Credit scheduler (sched/credit*.c, docs/scheduler.md) and its simulator
# (tests/unit/schedsim.c, also used by tools/schedsim).
UNIT_SRCS_sched := sched/credit.c sched/credit_account.c sched/credit_stats.c tests/unit/schedsim.c

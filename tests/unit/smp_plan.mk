# SMP bring-up decisions: CPUs to start from the MADT, the start-up page.
UNIT_SRCS_smp_plan := arch/x86/smp_plan.c

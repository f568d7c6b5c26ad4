/*
 * Multiprocessor bring-up and cross-CPU calls (arch/x86/smp.c, ipi.c).
 * CPU numbers are indices 0 .. cpu_count_online()-1 (include/plinth/percpu.h);
 * 0 is the boot CPU.
 */
#ifndef PLINTH_SMP_H
#define PLINTH_SMP_H

#include <plinth/boot_info.h>
#include <plinth/types.h>

/*
 * Boot CPU, after memory_init and backend_select: find the CPUs in the ACPI
 * MADT (`cpus=N` on the command line limits them), enable the boot CPU's
 * LAPIC, calibrate the clock (include/plinth/time.h) and reserve the
 * start-up page below 1 MiB. Without a usable MADT only the boot CPU runs.
 */
void smp_init(const struct boot_info *bi);

/*
 * Start every other CPU, one after the other: each loads its own GDT/TSS and
 * the shared IDT, enables its LAPIC and the virtualization backend
 * (backend->cpu_enable), is counted online, then calls ap_main(cpu). With
 * ap_main NULL it idles with interrupts enabled (smp_idle). A CPU that does
 * not answer within 100 ms is reported and left out.
 */
void smp_start_aps(void (*ap_main)(unsigned cpu));

/* Halt with interrupts enabled, forever, taking IPIs and timer interrupts. */
__noreturn void smp_idle(void);

/* Set CPU n's resched_pending (percpu) through an IPI. */
void smp_send_reschedule(unsigned cpu);

/*
 * Run fn(arg) on CPU n in its interrupt handler and wait until it returned
 * (e.g. to flush stage-2 translations there). On the calling CPU it runs
 * directly. 0, -E_INVAL for no such CPU, -E_TIMEDOUT if it did not answer
 * within a second (its call slot then stays taken). While waiting, calls to
 * the waiting CPU are served, so two CPUs calling each other do not deadlock.
 */
int smp_call(unsigned cpu, void (*fn)(void *arg), void *arg);

/* IPI vectors (from trap_dispatch). */
void ipi_interrupt(unsigned vector);

#endif

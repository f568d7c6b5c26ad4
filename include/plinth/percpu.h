/*
 * Per-CPU data (arch/x86/percpu.c).
 *
 * How a CPU finds its own data: every stack a CPU runs on (its kernel stack
 * and its #DF/NMI/#MC IST stacks) lies in that CPU's block of
 * CPU_BLOCK_SIZE bytes, aligned to its size, and struct percpu sits at a
 * fixed offset in the block (include/plinth/x86/layout.h). this_cpu() rounds
 * RSP down; it costs one AND and needs no register of its own.
 *
 * Why not GS base, as Linux does: guests own GS base and KERNEL_GS_BASE too.
 * On AMD-V, VMLOAD/VMSAVE swap them around the world switch, so the host
 * value is wrong in the window between VMLOAD of the guest state and the
 * VMLOAD of the host state; on VT-x, HOST_GS_BASE would have to be kept
 * per CPU in every VMCS. An NMI or #MC taken in such a window would read
 * the guest's GS base. Reading the APIC id would work everywhere but costs
 * an MSR or uncached MMIO read and a table lookup on every call. The stack
 * is always the host's own, including on IST stacks.
 *
 * The rule this imposes: host code only ever runs on the stacks of its CPU
 * block (no per-task stacks that move between CPUs).
 */
#ifndef PLINTH_PERCPU_H
#define PLINTH_PERCPU_H

#include <plinth/types.h>
#include <plinth/x86/descriptors.h>
#include <plinth/x86/layout.h>

#define MAX_CPUS 64

/* A function to run on another CPU (smp_call), one at a time per target. */
struct percpu_call {
	void (*volatile fn)(void *arg);
	void *volatile arg;
	volatile uint64_t done; /* incremented when fn has returned */
};

struct percpu {
	unsigned cpu;     /* 0 .. cpu_count_online()-1; 0 is the boot CPU */
	uint32_t apic_id; /* local APIC id (x2APIC id in x2APIC mode) */
	volatile bool online;
	/* Set by the reschedule IPI; the scheduler clears it. */
	volatile bool resched_pending;
	volatile uint64_t resched_ipis; /* reschedule IPIs received */
	volatile uint64_t call_ipis;    /* call IPIs received */
	volatile uint64_t timer_fired;  /* LAPIC timer interrupts */
	struct percpu_call call;
	uint64_t selftest_counter;      /* for test=smp */
	struct cpu_tables tables;       /* this CPU's GDT and TSS */
};

static inline uintptr_t cpu_block_of_sp(uintptr_t sp)
{
	return ALIGN_DOWN(sp, CPU_BLOCK_SIZE);
}

static inline struct percpu *percpu_in_block(uintptr_t block)
{
	return (struct percpu *)(block + CPU_PERCPU_OFFSET);
}

static inline struct percpu *this_cpu(void)
{
	uintptr_t sp;

	__asm__("movq %%rsp, %0" : "=r"(sp));
	return percpu_in_block(cpu_block_of_sp(sp));
}

/* CPUs that finished their bring-up (the boot CPU counts from percpu_init_boot). */
unsigned cpu_count_online(void);
/* The per-CPU data of CPU n, NULL if there is no such CPU (yet). */
struct percpu *percpu_of(unsigned n);

/* The boot CPU's data: index 0, its APIC id. */
void percpu_init_boot(uint32_t apic_id);
/*
 * A CPU block for CPU n from the frame allocator, its guard pages unmapped
 * and its struct percpu zeroed and registered (not yet online). 0 or -E_*.
 */
int percpu_alloc_block(unsigned n, uint32_t apic_id, uintptr_t *block);
/* CPU n failed to start: its index is free again (its block is leaked, not reused). */
void percpu_forget_block(unsigned n);
/* Mark the calling CPU online (counted by cpu_count_online). */
void percpu_set_online(void);
/* Which stack of which CPU `addr` is the guard page of; false if none. */
bool percpu_guard_page_owner(uint64_t addr, unsigned *cpu, unsigned *stack);
/* Whether [addr, addr+len) lies on one of the calling CPU's stacks. */
bool percpu_on_own_stacks(uint64_t addr, uint64_t len);

#endif

/*
 * Fixed facts about the hypervisor image, shared by C and assembly.
 * Stacks have one unmapped guard page below each of them.
 *
 * Every CPU owns one "CPU block" of CPU_BLOCK_SIZE bytes, aligned to its
 * size: its four guarded stacks (kernel, #DF, NMI, #MC), then its per-CPU
 * data (struct percpu) at CPU_PERCPU_OFFSET. Because every stack a CPU ever
 * runs on lies inside its block, rounding RSP down to the block finds the
 * per-CPU data (include/plinth/percpu.h explains why). The boot CPU's block
 * is boot_stacks in the image's bss; the others come from the frame allocator.
 */
#ifndef PLINTH_X86_LAYOUT_H
#define PLINTH_X86_LAYOUT_H

#define KERNEL_LOAD_ADDR 0x200000 /* 2 MiB: above the BIOS area, free under OVMF */
#define KERNEL_CS 0x08
#define KERNEL_DS 0x10
#define KERNEL_TSS 0x18

#define STACK_SIZE 16384
#define GUARDED_STACK_SIZE (4096 + STACK_SIZE)
/* Boot stacks, in this order, in section .bss.stacks */
#define STACK_BOOT 0
#define STACK_DF 1  /* #DF: IST1 */
#define STACK_NMI 2 /* NMI: IST2 */
#define STACK_MC 3  /* #MC: IST3 */
#define STACK_COUNT 4

#define CPU_BLOCK_ORDER 5 /* frame-allocator order: 32 pages */
#define CPU_BLOCK_SIZE (4096 << CPU_BLOCK_ORDER)
#define CPU_PERCPU_OFFSET (GUARDED_STACK_SIZE * STACK_COUNT)
#define CPU_PERCPU_SIZE (CPU_BLOCK_SIZE - CPU_PERCPU_OFFSET)

#ifndef __ASSEMBLY__
#include <plinth/types.h>
extern char _kernel_start[], _kernel_end[];
extern char _text_start[], _text_end[];
extern char _rodata_start[], _rodata_end[];
extern char _data_start[], _bss_start[], _bss_end[];
extern char boot_stacks[]; /* the boot CPU's block: STACK_COUNT guarded stacks, percpu */

static inline uintptr_t block_stack_top(uintptr_t block, unsigned id)
{
	return block + (uintptr_t)(id + 1) * GUARDED_STACK_SIZE;
}

static inline uintptr_t block_guard_page(uintptr_t block, unsigned id)
{
	return block + (uintptr_t)id * GUARDED_STACK_SIZE;
}

/* The boot CPU's stacks. */
static inline uintptr_t stack_top(unsigned id)
{
	return block_stack_top((uintptr_t)boot_stacks, id);
}

static inline uintptr_t stack_guard_page(unsigned id)
{
	return block_guard_page((uintptr_t)boot_stacks, id);
}
#endif

#endif

/*
 * Fixed facts about the hypervisor image, shared by C and assembly.
 * Stacks have one unmapped guard page below each of them.
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

#ifndef __ASSEMBLY__
#include <plinth/types.h>
extern char _kernel_start[], _kernel_end[];
extern char _text_start[], _text_end[];
extern char _rodata_start[], _rodata_end[];
extern char _data_start[], _bss_start[], _bss_end[];
extern char boot_stacks[]; /* STACK_COUNT guarded stacks */

static inline uintptr_t stack_top(unsigned id)
{
	return (uintptr_t)boot_stacks + (uintptr_t)(id + 1) * GUARDED_STACK_SIZE;
}

static inline uintptr_t stack_guard_page(unsigned id)
{
	return (uintptr_t)boot_stacks + (uintptr_t)id * GUARDED_STACK_SIZE;
}
#endif

#endif

/* The hypervisor's own page tables (arch/x86/paging.c). */
#ifndef PLINTH_PAGING_H
#define PLINTH_PAGING_H

#include <plinth/boot_info.h>

/*
 * Replace the boot stub's 4 GiB identity map with the final one: RAM
 * identity-mapped read/write and non-executable; the image W^X (text RX,
 * rodata R, data/bss RW); guard pages below every stack and page 0 unmapped;
 * other memory below 4 GiB (MMIO) uncached.
 */
int paging_init(const struct boot_info *bi);

/* The root of the live tables (CR3), for CPUs started later. */
paddr_t paging_root(void);
/* Unmap one page of RAM (a guard page below a stack). */
int paging_unmap_guard(uintptr_t va);
/* Make [va, va+size) read+execute (the SMP trampoline, after it is written). */
int paging_make_code(uintptr_t va, uint64_t size);
/* Make sure [pa, pa+size) is identity-mapped read/write, non-executable, uncached. */
int paging_map_mmio(paddr_t pa, uint64_t size);
/* Whether every page of [va, va+size) is mapped (va + size must not wrap). */
bool paging_is_mapped(uint64_t va, uint64_t size);

#endif

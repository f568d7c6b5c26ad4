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

#endif

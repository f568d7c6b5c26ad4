/*
 * The RAM Plinth may hand out: the firmware's usable regions minus whatever
 * is reserved (kernel image, boot modules) and minus the first MiB.
 */
#ifndef PLINTH_MEMMAP_H
#define PLINTH_MEMMAP_H

#include <plinth/boot_info.h>
#include <plinth/types.h>

/*
 * Below 1 MiB live the real-mode IVT and BIOS data, and the SMP trampoline
 * will need low pages of its own, so the allocator never gets them.
 */
#define MEMMAP_LOW_LIMIT MiB(1)

struct mem_range {
	paddr_t base;
	uint64_t size;
};

/*
 * Compute the usable RAM: every MEM_USABLE region of bi->mem, minus every
 * region of any other type (a region listed both usable and reserved is not
 * usable), minus each of `reserved`, minus [0, MEMMAP_LOW_LIMIT), shrunk
 * inward to whole 4 KiB pages. The input may be unsorted and overlapping;
 * the result is sorted, non-overlapping and non-adjacent (touching usable
 * regions are merged).
 *
 * Writes at most out_max ranges to `out` and returns how many there are in
 * all: a result above out_max means `out` holds only the lowest out_max.
 */
size_t memmap_usable(const struct boot_info *bi,
		     const struct mem_range *reserved, size_t reserved_count,
		     struct mem_range *out, size_t out_max);

#endif

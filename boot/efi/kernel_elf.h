/*
 * Checking plinth.elf before the loader places it (pure code: no firmware
 * calls, so the host unit tests build it too).
 */
#ifndef PLINTH_EFI_KERNEL_ELF_H
#define PLINTH_EFI_KERNEL_ELF_H

#include <plinth/types.h>

#define KERNEL_MAX_SEGMENTS 8
/* The early page tables map 4 GiB; the kernel must lie inside. */
#define KERNEL_LOAD_LIMIT GiB(4)

struct kernel_segment {
	uint64_t paddr;
	uint64_t memsz;
	uint64_t offset; /* in the file */
	uint64_t filesz;
	bool executable;
};

struct kernel_plan {
	size_t count;
	struct kernel_segment seg[KERNEL_MAX_SEGMENTS];
	uint64_t span_start; /* page-aligned [span_start, span_end) holds all */
	uint64_t span_end;
	uint64_t entry;      /* from the "Plinth 64-bit entry" record */
	int bad_phdr;        /* program header an error is about, or -1 */
};

/*
 * Check an ELF image of `size` bytes: ELF64, little-endian, x86-64,
 * executable; PT_LOAD segments inside the file, below 4 GiB, not
 * overlapping; a "Plinth 64-bit entry" record of this version in the first
 * 8 KiB pointing into an executable segment. Returns NULL and fills `plan`,
 * or a message saying what is wrong (with plan->bad_phdr naming the program
 * header when it is about one).
 */
const char *kernel_elf_plan(const uint8_t *file, uint64_t size,
			    struct kernel_plan *plan);

#endif

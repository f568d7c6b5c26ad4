/*
 * Placing plinth.elf: checked first (kernel_elf.c), then its whole span
 * allocated at the physical addresses it was linked for, zeroed (which is
 * the bss) and the segments copied in.
 */
#include <plinth/string.h>

#include "loader.h"

void kernel_load(const struct loaded_file *elf, const char *path, struct kernel_plan *plan)
{
	const char *err = kernel_elf_plan(elf->data, elf->size, plan);
	EFI_PHYSICAL_ADDRESS addr;
	uint64_t pages;
	EFI_STATUS st;

	if (err && plan->bad_phdr >= 0)
		fail("%s: program header %d: %s", path, plan->bad_phdr, err);
	if (err)
		fail("%s: %s", path, err);
	addr = plan->span_start;
	pages = (plan->span_end - plan->span_start) / PAGE_SIZE;
	/*
	 * Loader code, not data: firmware that maps data pages non-executable
	 * (EDK2's NX memory protection policy can) must still let us jump in.
	 */
	st = efi_bs->AllocatePages(AllocateAddress, EfiLoaderCode, pages, &addr);
	if (EFI_ERROR(st))
		fail("%s: cannot have memory 0x%llx-0x%llx, where the kernel must run: %s%s", path,
		     (unsigned long long)plan->span_start, (unsigned long long)plan->span_end - 1,
		     efi_status_text(st),
		     st == EFI_NOT_FOUND ? " (the firmware uses part of that range)" : "");
	memset((void *)(uintptr_t)plan->span_start, 0, plan->span_end - plan->span_start);
	for (size_t i = 0; i < plan->count; i++) {
		const struct kernel_segment *s = &plan->seg[i];

		memcpy((void *)(uintptr_t)s->paddr, elf->data + s->offset, s->filesz);
	}
	say("%s: 0x%llx-0x%llx, entry 0x%llx", path, (unsigned long long)plan->span_start,
	    (unsigned long long)plan->span_end - 1, (unsigned long long)plan->entry);
}

/*
 * plinth.elf checked against itself before anything is copied: a truncated
 * or foreign file must end in a message, not in a jump into garbage.
 */
#include <plinth/string.h>
#include <plinth/unaligned.h>
#include <plinth/uefi_handoff.h>

#include "kernel_elf.h"

#define ELF_HEADER_SIZE 64
#define ELF_PHDR_SIZE 56
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_X86_64 62
#define PT_LOAD 1
#define PF_X 1

static const char *check_header(const uint8_t *file, uint64_t size)
{
	if (size < ELF_HEADER_SIZE)
		return "file is shorter than an ELF header (truncated?)";
	if (memcmp(file, "\177ELF", 4) != 0)
		return "not an ELF file (no \\177ELF magic at the start)";
	if (file[4] != ELFCLASS64)
		return "not a 64-bit ELF file";
	if (file[5] != ELFDATA2LSB)
		return "not a little-endian ELF file";
	if (le16_at(file + 16) != ET_EXEC)
		return "not an executable ELF file";
	if (le16_at(file + 18) != EM_X86_64)
		return "not built for x86-64";
	return NULL;
}

static bool overlaps(const struct kernel_segment *a, const struct kernel_segment *b)
{
	return a->paddr < b->paddr + b->memsz && b->paddr < a->paddr + a->memsz;
}

/* One PT_LOAD program header at `ph` into the plan. */
static const char *add_segment(const uint8_t *ph, uint64_t size,
			       struct kernel_plan *plan)
{
	struct kernel_segment s = {
		.offset = le64_at(ph + 8), .paddr = le64_at(ph + 24),
		.filesz = le64_at(ph + 32), .memsz = le64_at(ph + 40),
		.executable = (le32_at(ph + 4) & PF_X) != 0,
	};

	if (s.memsz == 0)
		return NULL;
	if (s.filesz > s.memsz)
		return "segment has more bytes in the file than in memory";
	if (s.offset > size || s.filesz > size - s.offset)
		return "segment extends past the end of the file (truncated?)";
	if (s.paddr >= KERNEL_LOAD_LIMIT || s.memsz > KERNEL_LOAD_LIMIT - s.paddr)
		return "segment does not lie below 4 GiB";
	for (size_t i = 0; i < plan->count; i++)
		if (overlaps(&s, &plan->seg[i]))
			return "segment overlaps an earlier one";
	if (plan->count == KERNEL_MAX_SEGMENTS)
		return "too many PT_LOAD segments";
	plan->seg[plan->count++] = s;
	return NULL;
}

static const char *find_entry(const uint8_t *file, uint64_t size,
			      struct kernel_plan *plan)
{
	uint64_t scan = MIN(size, (uint64_t)PLINTH_ENTRY64_SCAN_BYTES);
	struct plinth_entry64_record rec;

	for (uint64_t off = 0; off + sizeof(rec) <= scan; off += 8) {
		if (memcmp(file + off, PLINTH_ENTRY64_SIGNATURE, 8) != 0)
			continue;
		memcpy(&rec, file + off, sizeof(rec));
		if (rec.version != PLINTH_HANDOFF_VERSION)
			return "its 64-bit entry record has another handoff version (loader and kernel from different builds)";
		plan->entry = rec.entry;
		return NULL;
	}
	return "no \"Plinth 64-bit entry\" record in the first 8 KiB (not a Plinth kernel, or one older than this loader)";
}

const char *kernel_elf_plan(const uint8_t *file, uint64_t size,
			    struct kernel_plan *plan)
{
	const char *err = check_header(file, size);
	uint64_t phoff;
	uint16_t phentsize, phnum;

	memset(plan, 0, sizeof(*plan));
	plan->bad_phdr = -1;
	if (err)
		return err;
	phoff = le64_at(file + 32);
	phentsize = le16_at(file + 54);
	phnum = le16_at(file + 56);
	if (phentsize < ELF_PHDR_SIZE)
		return "program header entries are too small";
	if (phoff > size || (uint64_t)phnum * phentsize > size - phoff)
		return "program headers lie outside the file (truncated?)";
	for (uint16_t i = 0; i < phnum; i++) {
		const uint8_t *ph = file + phoff + (uint64_t)i * phentsize;

		if (le32_at(ph) != PT_LOAD)
			continue;
		err = add_segment(ph, size, plan);
		if (err) {
			plan->bad_phdr = i;
			return err;
		}
	}
	if (plan->count == 0)
		return "no PT_LOAD segment";
	plan->span_start = UINT64_MAX;
	for (size_t i = 0; i < plan->count; i++) {
		plan->span_start = MIN(plan->span_start, ALIGN_DOWN(plan->seg[i].paddr, PAGE_SIZE));
		plan->span_end = MAX(plan->span_end,
				     ALIGN_UP(plan->seg[i].paddr + plan->seg[i].memsz, PAGE_SIZE));
	}
	err = find_entry(file, size, plan);
	if (err)
		return err;
	for (size_t i = 0; i < plan->count; i++) {
		const struct kernel_segment *s = &plan->seg[i];

		if (s->executable && plan->entry >= s->paddr &&
		    plan->entry - s->paddr < s->memsz)
			return NULL;
	}
	return "its 64-bit entry address lies outside every executable segment";
}

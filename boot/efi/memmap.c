/*
 * The UEFI memory map in the loader-neutral form: the same type rules GRUB
 * applies when it gives a multiboot2 kernel its memory map on UEFI, so the
 * kernel sees the same map whichever loader started it (a boot test
 * compares the two).
 */
#include <plinth/string.h>
#include <plinth/unaligned.h>

#include "memmap.h"

uint32_t efi_type_to_mem_type(uint32_t efi_type)
{
	switch (efi_type) {
	/* Free once boot services end: the kernel keeps out of what it owns. */
	case EFI_MT_CONVENTIONAL:
	case EFI_MT_LOADER_CODE:
	case EFI_MT_LOADER_DATA:
	case EFI_MT_BOOT_SERVICES_CODE:
	case EFI_MT_BOOT_SERVICES_DATA:
		return MEM_USABLE;
	case EFI_MT_ACPI_RECLAIM:
		return MEM_ACPI_RECLAIMABLE;
	case EFI_MT_ACPI_NVS:
		return MEM_ACPI_NVS;
	case EFI_MT_UNUSABLE:
		return MEM_BAD;
	/* Runtime services, MMIO, persistent and unaccepted memory, unknown types. */
	default:
		return MEM_RESERVED;
	}
}

/* A descriptor's size in bytes, clipped so base + size never wraps. */
static uint64_t region_bytes(uint64_t phys, uint64_t pages)
{
	uint64_t room = UINT64_MAX - phys;

	if (pages > (room >> PAGE_SHIFT))
		return room;
	return pages << PAGE_SHIFT;
}

bool efi_map_to_boot_info(struct boot_info *bi, const void *map,
			  size_t map_size, size_t desc_size)
{
	const uint8_t *p = map;
	size_t count;

	if (desc_size < EFI_DESC_MIN_SIZE)
		return false;
	count = map_size / desc_size;
	bi->mem_count = 0;
	bi->mem_truncated = false;
	bi->efi_mem_count = 0;
	for (size_t i = 0; i < count; i++, p += desc_size) {
		uint32_t type = le32_at(p + EFI_DESC_TYPE);
		uint64_t phys = le64_at(p + EFI_DESC_PHYS);
		uint64_t pages = le64_at(p + EFI_DESC_PAGES);

		boot_mem_add(bi, phys, region_bytes(phys, pages),
			     efi_type_to_mem_type(type));
		if (bi->efi_mem_count < BOOT_MAX_EFI_REGIONS)
			bi->efi_mem[bi->efi_mem_count++] = (struct efi_mem_region){
				.type = type, .phys = phys, .pages = pages,
				.attr = le64_at(p + EFI_DESC_ATTR),
			};
	}
	boot_mem_normalize(bi);
	return true;
}

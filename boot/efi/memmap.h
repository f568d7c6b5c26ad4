/*
 * UEFI memory map -> struct boot_info (pure code: no firmware calls, so the
 * host unit tests build it too).
 */
#ifndef PLINTH_EFI_MEMMAP_H
#define PLINTH_EFI_MEMMAP_H

#include <plinth/boot_info.h>

/* EFI_MEMORY_TYPE values (UEFI 2.10, section 7.2). */
enum efi_memory_type {
	EFI_MT_RESERVED = 0,
	EFI_MT_LOADER_CODE = 1,
	EFI_MT_LOADER_DATA = 2,
	EFI_MT_BOOT_SERVICES_CODE = 3,
	EFI_MT_BOOT_SERVICES_DATA = 4,
	EFI_MT_RUNTIME_SERVICES_CODE = 5,
	EFI_MT_RUNTIME_SERVICES_DATA = 6,
	EFI_MT_CONVENTIONAL = 7,
	EFI_MT_UNUSABLE = 8,
	EFI_MT_ACPI_RECLAIM = 9,
	EFI_MT_ACPI_NVS = 10,
	EFI_MT_MMIO = 11,
	EFI_MT_MMIO_PORT_SPACE = 12,
	EFI_MT_PAL_CODE = 13,
	EFI_MT_PERSISTENT = 14,
	EFI_MT_UNACCEPTED = 15,
};

/* Byte offsets in an EFI_MEMORY_DESCRIPTOR (the stride is the firmware's). */
#define EFI_DESC_TYPE 0
#define EFI_DESC_PHYS 8
#define EFI_DESC_PAGES 24
#define EFI_DESC_ATTR 32
#define EFI_DESC_MIN_SIZE 40

/* The multiboot (E820) type GRUB reports for an EFI memory type. */
uint32_t efi_type_to_mem_type(uint32_t efi_type);

/*
 * Fill bi->mem (converted, then boot_mem_normalize) and bi->efi_mem (the
 * first BOOT_MAX_EFI_REGIONS descriptors as they are) from the firmware's
 * map of `map_size` bytes in descriptors of `desc_size` bytes. Returns false
 * when desc_size is smaller than a descriptor (nothing is filled then).
 */
bool efi_map_to_boot_info(struct boot_info *bi, const void *map,
			  size_t map_size, size_t desc_size);

#endif

/*
 * Everything Plinth learns from its boot loader, in one loader-neutral struct.
 * The multiboot1/2 parsers (boot/multiboot*.c) and the UEFI loader fill it;
 * nothing after early boot reads loader structures directly. All strings are
 * copied in, so the struct stays valid after the loader's memory is reused.
 */
#ifndef PLINTH_BOOT_INFO_H
#define PLINTH_BOOT_INFO_H

#include <plinth/types.h>

#define BOOT_CMDLINE_MAX 1024
#define BOOT_NAME_MAX 128
#define BOOT_MAX_MEM_REGIONS 128
#define BOOT_MAX_MODULES 16
#define BOOT_MAX_EFI_REGIONS 256
#define BOOT_RSDP_MAX 36 /* ACPI 2.0+ RSDP is 36 bytes, 1.0 is 20 */

enum boot_protocol {
	BOOT_PROTO_NONE = 0,
	BOOT_PROTO_MULTIBOOT1,
	BOOT_PROTO_MULTIBOOT2,
	BOOT_PROTO_UEFI,
};

/* Values follow the E820 / multiboot numbering. */
enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_region {
	uint64_t base;
	uint64_t size;
	uint32_t type; /* enum mem_type */
};

struct boot_module {
	uint64_t start; /* physical, inclusive */
	uint64_t end;   /* physical, exclusive */
	char cmdline[BOOT_NAME_MAX]; /* the loader's string, e.g. "/guests/a.elf arg" */
};

enum fb_type {
	FB_TYPE_INDEXED = 0,
	FB_TYPE_RGB = 1,
	FB_TYPE_EGA_TEXT = 2,
};

struct boot_framebuffer {
	uint64_t addr;
	uint32_t pitch;
	uint32_t width;
	uint32_t height;
	uint8_t bpp;
	uint8_t type; /* enum fb_type */
	uint8_t red_pos, red_size, green_pos, green_size, blue_pos, blue_size;
};

/* One UEFI memory descriptor, as the firmware reported it. */
struct efi_mem_region {
	uint32_t type; /* EFI_MEMORY_TYPE */
	uint64_t phys;
	uint64_t pages;
	uint64_t attr;
};

struct boot_info {
	enum boot_protocol protocol;
	char loader_name[BOOT_NAME_MAX];
	char cmdline[BOOT_CMDLINE_MAX];

	/* Firmware memory map: sorted by base, non-overlapping. */
	size_t mem_count;
	struct mem_region mem[BOOT_MAX_MEM_REGIONS];
	bool mem_truncated; /* the loader gave more regions than fit */

	size_t module_count;
	struct boot_module modules[BOOT_MAX_MODULES];

	bool has_framebuffer;
	struct boot_framebuffer fb;

	/* Copy of the ACPI RSDP (from the loader's tag or found by the loader). */
	uint8_t rsdp_len; /* 0 when none */
	uint8_t rsdp[BOOT_RSDP_MAX];

	/* UEFI: system table and memory map, when the loader passed them. */
	uint64_t efi_system_table;
	size_t efi_mem_count;
	struct efi_mem_region efi_mem[BOOT_MAX_EFI_REGIONS];
};

#define MULTIBOOT1_BOOTLOADER_MAGIC 0x2BADB002u
#define MULTIBOOT2_BOOTLOADER_MAGIC 0x36D76289u

/*
 * Parse the loader's information. `info` points at the loader's structure
 * (identity-mapped). Returns 0, or -E_INVAL for a bad magic or a malformed
 * structure (the parser never reads past the sizes the structure declares).
 */
int multiboot1_parse(const void *info, struct boot_info *out);
int multiboot2_parse(const void *info, struct boot_info *out);

/*
 * Sort the memory map, merge adjacent regions of one type and resolve overlaps
 * (the more restrictive type wins). Used by every loader path.
 */
void boot_mem_normalize(struct boot_info *bi);

/*
 * Append one firmware region while parsing (any order, overlaps allowed:
 * boot_mem_normalize sorts it out). Zero-size regions are dropped; when the
 * table is full the region is lost and mem_truncated is set (returns false).
 */
bool boot_mem_add(struct boot_info *bi, uint64_t base, uint64_t size,
		  uint32_t type);

/* One-line-per-item summary in the log (the UEFI loader test compares these). */
void boot_info_log(const struct boot_info *bi);

const char *mem_type_name(uint32_t type);

#endif

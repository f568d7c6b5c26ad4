/*
 * Multiboot 0.6.96 and Multiboot2 1.6 structures, private to boot/. The
 * constants are shared with the assembly headers (boot/header.S), so
 * everything C-only sits under #ifndef __ASSEMBLY__. Loader structures are
 * packed little-endian layouts, never padded by the compiler: the static
 * asserts pin every offset the parsers rely on to the specifications.
 */
#ifndef PLINTH_BOOT_MULTIBOOT_H
#define PLINTH_BOOT_MULTIBOOT_H

/* ---- Multiboot1: OS image header ---------------------------------------- */
#define MB1_HEADER_MAGIC 0x1BADB002
#define MB1_HEADER_PAGE_ALIGN (1 << 0)   /* modules on 4 KiB boundaries */
#define MB1_HEADER_MEMORY_INFO (1 << 1)  /* mem_* and mmap_* wanted */
#define MB1_HEADER_VIDEO_MODE (1 << 2)   /* needs the video fields: unused */
#define MB1_HEADER_AOUT_KLUDGE (1 << 16) /* load addresses are in the header */
#define MB1_HEADER_FLAGS \
	(MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO | MB1_HEADER_AOUT_KLUDGE)

/* ---- Multiboot1: boot information flags (which fields are valid) -------- */
#define MB1_INFO_MEMORY (1 << 0)
#define MB1_INFO_BOOTDEV (1 << 1)
#define MB1_INFO_CMDLINE (1 << 2)
#define MB1_INFO_MODS (1 << 3)
#define MB1_INFO_AOUT_SYMS (1 << 4)
#define MB1_INFO_ELF_SHDR (1 << 5)
#define MB1_INFO_MMAP (1 << 6)
#define MB1_INFO_DRIVES (1 << 7)
#define MB1_INFO_CONFIG_TABLE (1 << 8)
#define MB1_INFO_LOADER_NAME (1 << 9)
#define MB1_INFO_APM_TABLE (1 << 10)
#define MB1_INFO_VBE (1 << 11)
#define MB1_INFO_FRAMEBUFFER (1 << 12)

/* ---- Multiboot2: OS image header ---------------------------------------- */
#define MB2_HEADER_MAGIC 0xE85250D6
#define MB2_ARCH_I386 0
#define MB2_HEADER_TAG_END 0
#define MB2_HEADER_TAG_INFO_REQUEST 1
#define MB2_HEADER_TAG_ADDRESS 2
#define MB2_HEADER_TAG_ENTRY_ADDRESS 3
#define MB2_HEADER_TAG_CONSOLE_FLAGS 4
#define MB2_HEADER_TAG_FRAMEBUFFER 5
#define MB2_HEADER_TAG_MODULE_ALIGN 6
#define MB2_HEADER_TAG_EFI_BS 7
#define MB2_HEADER_TAG_ENTRY_ADDRESS_EFI32 8
#define MB2_HEADER_TAG_ENTRY_ADDRESS_EFI64 9
#define MB2_HEADER_TAG_RELOCATABLE 10
#define MB2_HEADER_TAG_OPTIONAL 1 /* header tag flags bit 0 */

/* ---- Multiboot2: boot information tag types ----------------------------- */
#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_LOADER_NAME 2
#define MB2_TAG_MODULE 3
#define MB2_TAG_BASIC_MEMINFO 4
#define MB2_TAG_BOOTDEV 5
#define MB2_TAG_MMAP 6
#define MB2_TAG_VBE 7
#define MB2_TAG_FRAMEBUFFER 8
#define MB2_TAG_ELF_SECTIONS 9
#define MB2_TAG_APM 10
#define MB2_TAG_EFI32 11
#define MB2_TAG_EFI64 12
#define MB2_TAG_SMBIOS 13
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_TAG_NETWORK 16
#define MB2_TAG_EFI_MMAP 17
#define MB2_TAG_EFI_BS 18
#define MB2_TAG_EFI32_IH 19
#define MB2_TAG_EFI64_IH 20
#define MB2_TAG_LOAD_BASE_ADDR 21
#define MB2_TAG_ALIGN 8

/* Memory map types, identical in both protocols (and to enum mem_type). */
#define MB_MEMORY_AVAILABLE 1
#define MB_MEMORY_RESERVED 2
#define MB_MEMORY_ACPI_RECLAIMABLE 3
#define MB_MEMORY_NVS 4
#define MB_MEMORY_BADRAM 5

/* Framebuffer types, identical in both protocols (and to enum fb_type). */
#define MB_FB_TYPE_INDEXED 0
#define MB_FB_TYPE_RGB 1
#define MB_FB_TYPE_EGA_TEXT 2

#ifndef __ASSEMBLY__

#include <plinth/boot_info.h>
#include <plinth/string.h>
#include <plinth/types.h>

/* ---- Multiboot1 structures (all addresses are 32-bit physical) ---------- */

struct mb1_color_rgb {
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
} __packed;

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4]; /* a.out or ELF section info: unused */
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	union {
		struct {
			uint32_t palette_addr;
			uint16_t palette_num_colors;
		} __packed indexed;
		struct mb1_color_rgb rgb;
	} color_info;
} __packed;

/*
 * One memory map entry. `size` counts the bytes after itself and may exceed
 * the 20 defined here: the next entry starts at (entry + size + 4).
 */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
} __packed;
#define MB1_MMAP_ENTRY_MIN_SIZE 20 /* smallest valid `size` field */

struct mb1_module {
	uint32_t mod_start;
	uint32_t mod_end; /* exclusive */
	uint32_t string;  /* physical address of a NUL-terminated string */
	uint32_t reserved;
} __packed;

_Static_assert(offsetof(struct mb1_info, cmdline) == 16, "mb1 cmdline");
_Static_assert(offsetof(struct mb1_info, mmap_length) == 44, "mb1 mmap");
_Static_assert(offsetof(struct mb1_info, boot_loader_name) == 64, "mb1 name");
_Static_assert(offsetof(struct mb1_info, framebuffer_addr) == 88, "mb1 fb");
_Static_assert(offsetof(struct mb1_info, color_info) == 110, "mb1 color");
_Static_assert(sizeof(struct mb1_info) == 116, "mb1 info size");
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "mb1 mmap entry");
_Static_assert(sizeof(struct mb1_module) == 16, "mb1 module");

/* ---- Multiboot2 structures ----------------------------------------------- */

/* The information structure starts with this, then 8-byte aligned tags. */
struct mb2_info_header {
	uint32_t total_size; /* including this header and the end tag */
	uint32_t reserved;
} __packed;

/* Every tag starts with this; `size` excludes the padding to 8 bytes. */
struct mb2_tag {
	uint32_t type;
	uint32_t size;
} __packed;

/* Types 1 and 2 (cmdline, boot loader name): a string fills the rest. */

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start;
	uint32_t mod_end; /* exclusive */
	/* NUL-terminated string fills the rest of the tag */
} __packed;

struct mb2_tag_basic_meminfo {
	struct mb2_tag tag;
	uint32_t mem_lower; /* KiB from 0 */
	uint32_t mem_upper; /* KiB from 1 MiB */
} __packed;

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size; /* may grow in later versions: always step by it */
	uint32_t entry_version;
	/* entries follow */
} __packed;

struct mb2_mmap_entry {
	uint64_t base_addr;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
} __packed;

/*
 * Framebuffer tag. The 1.6 text draws `reserved` as one byte, but GRUB (the
 * reference implementation) writes a 16-bit field, so color_info starts at
 * offset 32; we follow what loaders actually produce.
 */
struct mb2_tag_framebuffer {
	struct mb2_tag tag;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint16_t reserved;
	/* color_info follows: struct mb2_color_rgb for MB_FB_TYPE_RGB */
} __packed;

struct mb2_color_rgb {
	uint8_t red_pos, red_size;
	uint8_t green_pos, green_size;
	uint8_t blue_pos, blue_size;
} __packed;

struct mb2_tag_efi64 {
	struct mb2_tag tag;
	uint64_t pointer; /* EFI system table, physical */
} __packed;

/* Types 14 and 15: a copy of the RSDP (v1: 20 bytes, v2+: 36) follows. */
#define ACPI_RSDP_V1_SIZE 20
#define ACPI_RSDP_V2_SIZE 36
#define ACPI_RSDP_OEMID_OFFSET 9
#define ACPI_RSDP_OEMID_LEN 6
#define ACPI_RSDP_REVISION_OFFSET 15

struct mb2_tag_efi_mmap {
	struct mb2_tag tag;
	uint32_t descriptor_size; /* may exceed sizeof(struct efi_mem_desc) */
	uint32_t descriptor_version;
	/* the firmware's EFI_MEMORY_DESCRIPTOR array follows */
} __packed;

/* EFI_MEMORY_DESCRIPTOR as UEFI defines it (natural alignment, 40 bytes). */
struct efi_mem_desc {
	uint32_t type;
	uint32_t pad;
	uint64_t phys_start;
	uint64_t virt_start;
	uint64_t pages;
	uint64_t attr;
} __packed;

_Static_assert(sizeof(struct mb2_tag) == 8, "mb2 tag");
_Static_assert(sizeof(struct mb2_tag_module) == 16, "mb2 module");
_Static_assert(sizeof(struct mb2_tag_basic_meminfo) == 16, "mb2 meminfo");
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "mb2 mmap");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "mb2 mmap entry");
_Static_assert(sizeof(struct mb2_tag_framebuffer) == 32, "mb2 framebuffer");
_Static_assert(sizeof(struct mb2_tag_efi64) == 16, "mb2 efi64");
_Static_assert(sizeof(struct mb2_tag_efi_mmap) == 16, "mb2 efi mmap");
_Static_assert(sizeof(struct efi_mem_desc) == 40, "efi descriptor");

/* Loader addresses are physical; early boot identity-maps the first 4 GiB. */
static inline const void *mb_phys_to_ptr(uint64_t addr)
{
	return (const void *)(uintptr_t)addr;
}

/*
 * Copy a loader string into a fixed buffer, reading at most src_max bytes
 * (a tag's remaining size: its NUL may be missing) and always terminating.
 * Longer strings are cut rather than rejected: a clipped cmdline still boots.
 */
static inline void mb_copy_string(char *dst, size_t dst_size, const char *src,
				  size_t src_max)
{
	size_t len = strnlen(src, MIN(src_max, dst_size - 1));

	memcpy(dst, src, len);
	dst[len] = '\0';
}

/*
 * The basic memory fields of both protocols (KiB of low memory from 0 and of
 * upper memory from 1 MiB). Only a fallback: upper memory stops at the
 * first hole, and nothing marks the reserved areas, so a real memory map
 * always takes precedence.
 */
static inline void mb_add_basic_meminfo(struct boot_info *bi,
					uint32_t mem_lower, uint32_t mem_upper)
{
	boot_mem_add(bi, 0, KiB(mem_lower), MEM_USABLE);
	boot_mem_add(bi, MiB(1), KiB(mem_upper), MEM_USABLE);
}

#endif /* !__ASSEMBLY__ */

#endif

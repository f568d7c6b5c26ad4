/*
 * Linux x86 boot protocol (bzImage) guests, 32-bit entry: the setup header
 * checks, where the protected-mode kernel, the zero page (struct
 * boot_params), the command line and the initrd go in guest RAM, and the zero
 * page's contents (docs/images.md). The offsets are those of the boot
 * protocol (Linux's Documentation/arch/x86/boot.rst and zero-page.rst),
 * written down here; no Linux header is used.
 */
#define LOG_TAG "image"

#include <plinth/errno.h>
#include <plinth/image.h>
#include <plinth/log.h>
#include <plinth/string.h>

/* ---- The setup header: offsets in the file, the same in the zero page ---- */
#define BZ_SETUP_SECTS 0x1F1      /* u8: 512-byte setup sectors after the boot sector; 0 means 4 */
#define BZ_BOOT_FLAG 0x1FE        /* u16: 0xAA55 */
#define BZ_JUMP 0x200             /* u16: a short jump; 0x202 + its byte at 0x201 = the header's end */
#define BZ_HEADER 0x202           /* u32: "HdrS" */
#define BZ_VERSION 0x206          /* u16: protocol version, major << 8 | minor */
#define BZ_TYPE_OF_LOADER 0x210   /* u8: 0xFF = a loader without an assigned id */
#define BZ_LOADFLAGS 0x211        /* u8 */
#define BZ_CODE32_START 0x214     /* u32: the 32-bit entry (where the kernel was put) */
#define BZ_RAMDISK_IMAGE 0x218    /* u32: initrd address (low 32 bits) */
#define BZ_RAMDISK_SIZE 0x21C     /* u32: initrd size (low 32 bits) */
#define BZ_HEAP_END_PTR 0x224     /* u16: real-mode setup heap; unused by the 32-bit entry */
#define BZ_CMD_LINE_PTR 0x228     /* u32: command line address (2.02+) */
#define BZ_INITRD_ADDR_MAX 0x22C  /* u32: highest address the initrd may occupy (2.03+) */
#define BZ_KERNEL_ALIGNMENT 0x230 /* u32: alignment a relocatable kernel needs (2.05+) */
#define BZ_RELOCATABLE 0x234      /* u8: non-zero: may be loaded at any aligned address (2.05+) */
#define BZ_CMDLINE_SIZE 0x238     /* u32: longest command line, without the NUL (2.06+) */
#define BZ_PREF_ADDRESS 0x258     /* u64: preferred load address (2.10+) */
#define BZ_INIT_SIZE 0x260        /* u32: memory the kernel needs from its load address (2.10+) */

#define BZ_BOOT_FLAG_MAGIC 0xAA55u
#define BZ_HDRS 0x53726448u       /* "HdrS" little-endian */
#define BZ_MIN_VERSION 0x0206u    /* cmdline_size appears in 2.06 */
#define BZ_V2_10 0x020Au          /* pref_address and init_size appear in 2.10 */
#define BZ_HDR_END_2_06 0x23Cu    /* through cmdline_size */
#define BZ_HDR_END_2_10 0x264u    /* through init_size */
#define BZ_LOADED_HIGH 0x01u      /* loadflags bit 0: protected-mode code at 1 MiB+ (bzImage) */
#define BZ_SECTOR 512u

/* ---- The zero page (struct boot_params) outside the setup header ----------- */
#define ZP_EXT_RAMDISK_IMAGE 0x0C0 /* u32: initrd address, bits 32-63 */
#define ZP_EXT_RAMDISK_SIZE 0x0C4  /* u32: initrd size, bits 32-63 */
#define ZP_EXT_CMD_LINE_PTR 0x0C8  /* u32: command line address, bits 32-63 */
#define ZP_ALT_MEM_K 0x1E0         /* u32: KiB of memory above 1 MiB */
#define ZP_E820_ENTRIES 0x1E8      /* u8: entries in the table below */
#define ZP_SENTINEL 0x1EF          /* u8: must stay 0 (else Linux clears fields) */
#define ZP_HDR 0x1F1               /* the setup header, copied from the image */
#define ZP_HDR_LIMIT 0x290         /* the header's room in the zero page ends here */
#define ZP_E820_TABLE 0x2D0        /* 20-byte entries: u64 addr, u64 size, u32 type */
#define ZP_E820_ENTRY 20
#define E820_RAM 1
#define E820_RESERVED 2

/* Guest-physical layout of what the loader writes besides the kernel. */
#define BZ_ZERO_PAGE_GPA 0x7000u
#define BZ_CMDLINE_GPA 0x8000u
#define BZ_CMDLINE_ROOM 0x8000u   /* 0x8000..0x10000: at most 32767 characters */
#define BZ_KERNEL_MIN 0x100000u   /* the protected-mode kernel never goes below 1 MiB */

static uint32_t bz_version(const uint8_t *img)
{
	return le16_at(img + BZ_VERSION);
}

/* 0x202 + the signed displacement of the short jump at 0x200 (at most 0x281). */
static uint32_t header_end(const uint8_t *img)
{
	return (uint32_t)(BZ_HEADER + (int8_t)img[BZ_JUMP + 1]);
}

int image_plan_bzimage(const char *name, const uint8_t *img, size_t size,
		       uint64_t ram, struct image_plan *out)
{
	if (size < BZ_HEADER + 4) {
		log_error("%s: truncated bzImage: %zu bytes, the setup header (boot_flag at 0x1FE, \"HdrS\" at 0x202) needs %#x",
			  name, size, BZ_HEADER + 4);
		return -E_INVAL;
	}
	uint16_t flag = le16_at(img + BZ_BOOT_FLAG);
	if (flag != BZ_BOOT_FLAG_MAGIC) {
		log_error("%s: bzImage boot_flag at 0x1FE is %#06x, not 0xaa55", name, flag);
		return -E_INVAL;
	}
	if (le32_at(img + BZ_HEADER) != BZ_HDRS) {
		log_error("%s: no Linux setup header: header at 0x202 is %#010x, not \"HdrS\"",
			  name, le32_at(img + BZ_HEADER));
		return -E_INVAL;
	}
	if (size < BZ_VERSION + 2) {
		log_error("%s: truncated bzImage: %zu bytes, the boot protocol version at 0x206 is cut off",
			  name, size);
		return -E_INVAL;
	}
	uint32_t ver = bz_version(img);
	if (ver < BZ_MIN_VERSION) {
		log_error("%s: Linux boot protocol version %u.%02u is older than 2.06 (needed for cmdline_size)",
			  name, ver >> 8, ver & 0xff);
		return -E_NOTSUP;
	}
	uint32_t need = ver >= BZ_V2_10 ? BZ_HDR_END_2_10 : BZ_HDR_END_2_06;
	uint32_t hdr_end = header_end(img);
	if (hdr_end < need) {
		log_error("%s: the setup header ends at %#x (jump byte at 0x201), protocol %u.%02u needs it to reach %#x",
			  name, hdr_end, ver >> 8, ver & 0xff, need);
		return -E_INVAL;
	}
	if (size < hdr_end) {
		log_error("%s: truncated bzImage: %zu bytes, the setup header ends at %#x",
			  name, size, hdr_end);
		return -E_INVAL;
	}
	uint8_t loadflags = img[BZ_LOADFLAGS];
	if (!(loadflags & BZ_LOADED_HIGH)) {
		log_error("%s: loadflags %#04x without LOADED_HIGH: a zImage (loaded at 64 KiB) is not supported",
			  name, loadflags);
		return -E_NOTSUP;
	}
	uint32_t setup_sects = img[BZ_SETUP_SECTS] ? img[BZ_SETUP_SECTS] : 4;
	uint64_t setup_bytes = (uint64_t)(setup_sects + 1) * BZ_SECTOR;
	if (size <= setup_bytes) {
		log_error("%s: no protected-mode kernel: setup_sects %u puts it at %#llx, the file has %zu bytes",
			  name, setup_sects, (unsigned long long)setup_bytes, size);
		return -E_INVAL;
	}
	uint64_t ksize = size - setup_bytes;
	bool relocatable = img[BZ_RELOCATABLE] != 0;
	uint32_t align = le32_at(img + BZ_KERNEL_ALIGNMENT);
	if (relocatable && (align < PAGE_SIZE || (align & (align - 1)))) {
		log_error("%s: relocatable kernel with kernel_alignment %#x (not a power of two >= 4 KiB)",
			  name, align);
		return -E_INVAL;
	}
	uint64_t pref = BZ_KERNEL_MIN;
	uint64_t init_size = 0;
	if (ver >= BZ_V2_10) {
		pref = le64_at(img + BZ_PREF_ADDRESS);
		init_size = le32_at(img + BZ_INIT_SIZE);
	}
	uint64_t mem = MAX(init_size, ksize);

	/* pref_address if it fits; else the lowest aligned address from 1 MiB (relocatable); else 1 MiB. */
	uint64_t load;
	if (pref >= BZ_KERNEL_MIN && pref <= ram && mem <= ram - pref &&
	    pref + mem <= (uint64_t)UINT32_MAX + 1)
		load = pref;
	else if (relocatable)
		load = ALIGN_UP((uint64_t)BZ_KERNEL_MIN, align);
	else
		load = BZ_KERNEL_MIN;
	if (load > ram || mem > ram - load) {
		log_error("%s: the kernel at %#llx needs %#llx bytes (init_size %#llx, %llu-byte protected-mode kernel): %llu KiB of RAM, the guest has %llu KiB",
			  name, (unsigned long long)load, (unsigned long long)mem,
			  (unsigned long long)init_size, (unsigned long long)ksize,
			  (unsigned long long)((load + mem + KiB(1) - 1) >> 10),
			  (unsigned long long)(ram >> 10));
		return -E_RANGE;
	}
	if (load + mem > (uint64_t)UINT32_MAX + 1) {
		log_error("%s: the kernel at %#llx+%#llx reaches above 4 GiB: the 32-bit entry cannot reach it",
			  name, (unsigned long long)load, (unsigned long long)mem);
		return -E_RANGE;
	}

	out->format = IMAGE_BZIMAGE;
	out->linux_boot = true;
	out->start_mode = VCPU_START_PROT32;
	out->start_eax = 0;
	out->entry = load;
	out->zero_page_gpa = BZ_ZERO_PAGE_GPA;
	out->cmdline_gpa = BZ_CMDLINE_GPA;
	out->cmdline_max = (uint32_t)MIN((uint64_t)le32_at(img + BZ_CMDLINE_SIZE),
					 (uint64_t)BZ_CMDLINE_ROOM - 1);
	out->initrd_addr_max = le32_at(img + BZ_INITRD_ADDR_MAX);
	out->linux_version = ver;
	out->kernel_size = ksize;
	out->kernel_mem = mem;
	return image_add_segment(name, out, load, setup_bytes, ksize, mem);
}

int image_plan_initrd(const char *name, struct image_plan *p, uint64_t ram,
		      uint64_t initrd_size)
{
	if (!p->linux_boot) {
		log_error("%s: an initrd is only passed to Linux (format bzimage) guests", name);
		return -E_INVAL;
	}
	p->initrd_gpa = 0;
	p->initrd_size = 0;
	if (initrd_size == 0)
		return 0;
	uint64_t top = MIN((uint64_t)p->initrd_addr_max + 1, ram);
	uint64_t kbase = p->entry, kend = p->entry + p->kernel_mem;
	uint64_t gpa = 0;
	bool found = false;
	/* As high as possible: right below top, else right below the kernel; never under 1 MiB. */
	if (top >= initrd_size) {
		gpa = ALIGN_DOWN(top - initrd_size, PAGE_SIZE);
		found = gpa >= kend || gpa + initrd_size <= kbase;
	}
	if (!found && MIN(kbase, top) >= initrd_size) {
		gpa = ALIGN_DOWN(MIN(kbase, top) - initrd_size, PAGE_SIZE);
		found = true;
	}
	found = found && gpa >= BZ_KERNEL_MIN;
	if (!found) {
		log_error("%s: initrd: %llu bytes do not fit between 1 MiB and %#llx (min(initrd_addr_max + 1, RAM)) beside the kernel at %#llx..%#llx",
			  name, (unsigned long long)initrd_size,
			  (unsigned long long)top, (unsigned long long)kbase,
			  (unsigned long long)kend);
		return -E_RANGE;
	}
	p->initrd_gpa = gpa;
	p->initrd_size = initrd_size;
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

static void put_e820(uint8_t *zp, unsigned i, uint64_t addr, uint64_t len, uint32_t type)
{
	uint8_t *e = zp + ZP_E820_TABLE + i * ZP_E820_ENTRY;
	put64(e, addr);
	put64(e + 8, len);
	put32(e + 16, type);
}

int image_build_linux_params(const char *name, const struct image_plan *p,
			     const void *image,
			     size_t image_size, uint64_t ram,
			     const char *cmdline, uint8_t *zero_page)
{
	const uint8_t *img = image;

	if (!p->linux_boot || image_size < BZ_HDR_END_2_06 ||
	    ram < IMAGE_VGA_HOLE_END)
		return -E_INVAL;
	uint32_t hdr_end = header_end(img);
	if (hdr_end > image_size || hdr_end > ZP_HDR_LIMIT || hdr_end < BZ_HDR_END_2_06)
		return -E_INVAL;
	size_t len = cmdline ? strlen(cmdline) : 0;
	if (len > p->cmdline_max) {
		log_error("%s: the command line has %zu characters, more than the kernel's cmdline_size (%u)",
			  name, len, p->cmdline_max);
		return -E_RANGE;
	}

	memset(zero_page, 0, PAGE_SIZE);
	memcpy(zero_page + ZP_HDR, img + ZP_HDR, hdr_end - ZP_HDR);
	zero_page[BZ_TYPE_OF_LOADER] = 0xFF;
	/* LOADED_HIGH only: no KEEP_SEGMENTS, no CAN_USE_HEAP (heap_end_ptr 0). */
	zero_page[BZ_LOADFLAGS] = img[BZ_LOADFLAGS] & BZ_LOADED_HIGH;
	put16(zero_page + BZ_HEAP_END_PTR, 0);
	put32(zero_page + BZ_CODE32_START, (uint32_t)p->entry);
	put32(zero_page + BZ_CMD_LINE_PTR, (uint32_t)p->cmdline_gpa);
	put32(zero_page + ZP_EXT_CMD_LINE_PTR, (uint32_t)(p->cmdline_gpa >> 32));
	put32(zero_page + BZ_RAMDISK_IMAGE, (uint32_t)p->initrd_gpa);
	put32(zero_page + BZ_RAMDISK_SIZE, (uint32_t)p->initrd_size);
	put32(zero_page + ZP_EXT_RAMDISK_IMAGE, (uint32_t)(p->initrd_gpa >> 32));
	put32(zero_page + ZP_EXT_RAMDISK_SIZE, (uint32_t)(p->initrd_size >> 32));

	/* The same map as a multiboot guest's: 640 KiB..1 MiB is the hole. */
	uint64_t above = ram - IMAGE_VGA_HOLE_END;
	put32(zero_page + ZP_ALT_MEM_K, (uint32_t)MIN(above >> 10, (uint64_t)UINT32_MAX));
	put_e820(zero_page, 0, 0, IMAGE_VGA_HOLE, E820_RAM);
	put_e820(zero_page, 1, IMAGE_VGA_HOLE, IMAGE_VGA_HOLE_END - IMAGE_VGA_HOLE, E820_RESERVED);
	unsigned n = 2;
	if (above)
		put_e820(zero_page, n++, IMAGE_VGA_HOLE_END, above, E820_RAM);
	zero_page[ZP_E820_ENTRIES] = (uint8_t)n;
	zero_page[ZP_SENTINEL] = 0;
	return 0;
}

/*
 * Multiboot 0.6.96 (multiboot1) guest kernels: the OS image header, the
 * a.out kludge or ELF loading, and the boot information the guest gets in
 * EBX (docs/images.md). The structures are boot/multiboot.h's, shared with
 * the host-side parser; the code here is the guest-side loader.
 */
#define LOG_TAG "image"

#include <plinth/errno.h>
#include <plinth/image.h>
#include <plinth/log.h>
#include <plinth/string.h>

#include "../boot/multiboot.h"

/* Header field offsets (Multiboot 0.6.96, 3.1.1). */
#define MBH_MAGIC 0
#define MBH_FLAGS 4
#define MBH_CHECKSUM 8
#define MBH_HEADER_ADDR 12
#define MBH_LOAD_ADDR 16
#define MBH_LOAD_END_ADDR 20
#define MBH_BSS_END_ADDR 24
#define MBH_ENTRY_ADDR 28
#define MBH_MIN_SIZE 12
#define MBH_KLUDGE_SIZE 32

/* Bits 0-15 are requirements: a loader that lacks one must refuse the image. */
#define MB_REQUIRED_MASK 0xffffu
#define MB_SUPPORTED \
	(MB1_HEADER_PAGE_ALIGN | MB1_HEADER_MEMORY_INFO | MB1_HEADER_VIDEO_MODE)

#define MB_LOADER_NAME "Plinth"

long image_find_multiboot(const uint8_t *img, size_t size, bool valid_checksum_only)
{
	size_t limit = MIN(size, (size_t)IMAGE_MB_SCAN);

	for (size_t off = 0; off + MBH_MIN_SIZE <= limit; off += 4) {
		if (le32_at(img + off) != MB1_HEADER_MAGIC)
			continue;
		/* Like GRUB: the magic alone may be data; magic + checksum is a header. */
		uint32_t sum = MB1_HEADER_MAGIC + le32_at(img + off + MBH_FLAGS) +
			       le32_at(img + off + MBH_CHECKSUM);
		if (!valid_checksum_only || sum == 0)
			return (long)off;
	}
	return -E_NOENT;
}

static int plan_kludge(const char *name, const uint8_t *h, size_t hdr_off,
		       size_t size, struct image_plan *out)
{
	uint32_t header_addr = le32_at(h + MBH_HEADER_ADDR);
	uint32_t load_addr = le32_at(h + MBH_LOAD_ADDR);
	uint32_t load_end = le32_at(h + MBH_LOAD_END_ADDR);
	uint32_t bss_end = le32_at(h + MBH_BSS_END_ADDR);
	uint32_t entry = le32_at(h + MBH_ENTRY_ADDR);

	if (header_addr < load_addr || header_addr - load_addr > hdr_off) {
		log_error("%s: multiboot a.out kludge: header_addr %#x - load_addr %#x does not match the header's file offset %#zx",
			  name, header_addr, load_addr, hdr_off);
		return -E_INVAL;
	}
	/* The file offset that load_addr corresponds to. */
	uint64_t file_off = hdr_off - (header_addr - load_addr);
	uint64_t file_len;
	if (load_end == 0) {
		file_len = size - file_off; /* the rest of the file */
	} else {
		if (load_end <= load_addr) {
			log_error("%s: multiboot a.out kludge: load_end_addr %#x is not above load_addr %#x",
				  name, load_end, load_addr);
			return -E_INVAL;
		}
		file_len = (uint64_t)load_end - load_addr;
		if (file_len > size - file_off) {
			log_error("%s: multiboot a.out kludge: %#llx bytes from file offset %#llx extend past the %zu-byte file",
				  name, (unsigned long long)file_len,
				  (unsigned long long)file_off, size);
			return -E_INVAL;
		}
	}
	uint64_t end = load_addr + file_len;
	if ((uint64_t)header_addr + MBH_KLUDGE_SIZE > end) {
		log_error("%s: multiboot a.out kludge: the header at %#x is not inside the loaded %#x..%#llx",
			  name, header_addr, load_addr, (unsigned long long)end);
		return -E_INVAL;
	}
	uint64_t mem_end = end;
	if (bss_end) {
		if (bss_end < end) {
			log_error("%s: multiboot a.out kludge: bss_end_addr %#x is below the end of the loaded text %#llx",
				  name, bss_end, (unsigned long long)end);
			return -E_INVAL;
		}
		mem_end = bss_end;
	}
	if (entry < load_addr || entry >= end) {
		log_error("%s: multiboot a.out kludge: entry_addr %#x is not in the loaded %#x..%#llx",
			  name, entry, load_addr, (unsigned long long)end);
		return -E_INVAL;
	}
	out->entry = entry;
	return image_add_segment(name, out, load_addr, file_off, file_len,
				 mem_end - load_addr);
}

int image_plan_multiboot(const char *name, const uint8_t *img, size_t size,
			 size_t hdr_off, uint64_t ram, struct image_plan *out)
{
	const uint8_t *h = img + hdr_off;
	int rc;

	if (hdr_off % 4 || hdr_off + MBH_MIN_SIZE > MIN(size, (size_t)IMAGE_MB_SCAN)) {
		log_error("%s: multiboot header at %#zx is not 4-aligned inside the first %u bytes",
			  name, hdr_off, IMAGE_MB_SCAN);
		return -E_INVAL;
	}
	uint32_t flags = le32_at(h + MBH_FLAGS);
	uint32_t sum = le32_at(h + MBH_MAGIC) + flags + le32_at(h + MBH_CHECKSUM);
	if (sum != 0) {
		log_error("%s: multiboot header at %#zx: bad checksum (magic + flags + checksum = %#x, not 0)",
			  name, hdr_off, sum);
		return -E_INVAL;
	}
	uint32_t unsupported = flags & MB_REQUIRED_MASK & ~(uint32_t)MB_SUPPORTED;
	if (unsupported) {
		log_error("%s: multiboot header requires features this loader lacks (flags %#x)",
			  name, unsupported);
		return -E_NOTSUP;
	}
	if (flags & MB1_HEADER_VIDEO_MODE)
		log_info("%s: multiboot video mode request ignored: the guest has no framebuffer",
			 name);
	out->format = IMAGE_MULTIBOOT;
	out->multiboot = true;
	out->mb_flags = flags;
	out->start_mode = VCPU_START_PROT32;
	out->start_eax = IMAGE_MB_BOOT_EAX;

	if (flags & MB1_HEADER_AOUT_KLUDGE) {
		if (hdr_off + MBH_KLUDGE_SIZE > MIN(size, (size_t)IMAGE_MB_SCAN)) {
			log_error("%s: multiboot header at %#zx: the a.out kludge fields are cut off (file or first %u bytes end)",
				  name, hdr_off, IMAGE_MB_SCAN);
			return -E_INVAL;
		}
		rc = plan_kludge(name, h, hdr_off, size, out);
	} else {
		if (size < 4 || le32_at(img) != 0x464c457fu) {
			log_error("%s: multiboot kernel without the a.out kludge (flag 16) must be an ELF file",
				  name);
			return -E_INVAL;
		}
		rc = image_plan_elf(name, img, size, ram, out);
	}
	if (rc)
		return rc;
	rc = image_check_segments(name, out, size, ram);
	if (rc)
		return rc;

	/* The boot information: the first free page from 4 KiB, below 640 KiB. */
	uint64_t top = MIN(ram, (uint64_t)IMAGE_VGA_HOLE);
	for (uint64_t gpa = IMAGE_LOW_RESERVED; gpa + IMAGE_MB_INFO_MAX <= top;
	     gpa += PAGE_SIZE) {
		bool clash = false;
		for (size_t i = 0; i < out->segments && !clash; i++) {
			const struct image_segment *s = &out->seg[i];
			clash = gpa < s->gpa + s->mem_size &&
				s->gpa < gpa + IMAGE_MB_INFO_MAX;
		}
		if (!clash) {
			out->info_gpa = gpa;
			out->info_max = IMAGE_MB_INFO_MAX;
			return 0;
		}
	}
	log_error("%s: no free %u bytes between 4 KiB and 640 KiB for the multiboot boot information",
		  name, IMAGE_MB_INFO_MAX);
	return -E_RANGE;
}

static void put_mmap(uint8_t *p, uint64_t base, uint64_t len, uint32_t type)
{
	struct mb1_mmap_entry e = {
		.size = MB1_MMAP_ENTRY_MIN_SIZE, .base_addr = base,
		.length = len, .type = type,
	};
	memcpy(p, &e, sizeof(e));
}

int image_build_multiboot_info(const struct image_plan *p, uint64_t ram,
			       const char *cmdline, uint8_t *buf,
			       size_t buf_size, uint64_t *info_gpa,
			       size_t *info_len)
{
	if (!p->multiboot || p->info_gpa == 0 || p->info_gpa > UINT32_MAX)
		return -E_INVAL;
	size_t room = MIN(buf_size, p->info_max);
	size_t mmap_off = ALIGN_UP(sizeof(struct mb1_info), 8);
	size_t entries = ram > IMAGE_VGA_HOLE_END ? 3 : (ram > IMAGE_VGA_HOLE ? 2 : 1);
	size_t name_off = mmap_off + entries * sizeof(struct mb1_mmap_entry);
	size_t cmd_off = name_off + sizeof(MB_LOADER_NAME);
	size_t cmd_len = cmdline ? strlen(cmdline) : 0;
	if (cmd_off > room || cmd_len + 1 > room - cmd_off)
		return -E_NOSPC;

	uint32_t base = (uint32_t)p->info_gpa;
	uint64_t low = MIN(ram, (uint64_t)IMAGE_VGA_HOLE);
	uint64_t upper = ram > IMAGE_VGA_HOLE_END ? ram - IMAGE_VGA_HOLE_END : 0;
	struct mb1_info info;
	memset(&info, 0, sizeof(info));
	info.flags = MB1_INFO_MEMORY | MB1_INFO_MMAP | MB1_INFO_LOADER_NAME |
		     (cmdline ? MB1_INFO_CMDLINE : 0);
	info.mem_lower = (uint32_t)(low >> 10);
	info.mem_upper = (uint32_t)MIN(upper >> 10, (uint64_t)UINT32_MAX);
	info.mmap_addr = base + (uint32_t)mmap_off;
	info.mmap_length = (uint32_t)(entries * sizeof(struct mb1_mmap_entry));
	info.boot_loader_name = base + (uint32_t)name_off;
	info.cmdline = cmdline ? base + (uint32_t)cmd_off : 0;

	memset(buf, 0, cmd_off + cmd_len + 1);
	memcpy(buf, &info, sizeof(info));
	uint8_t *m = buf + mmap_off;
	put_mmap(m, 0, low, MB_MEMORY_AVAILABLE);
	if (entries > 1)
		put_mmap(m + sizeof(struct mb1_mmap_entry), IMAGE_VGA_HOLE,
			 MIN(ram, (uint64_t)IMAGE_VGA_HOLE_END) - IMAGE_VGA_HOLE,
			 MB_MEMORY_RESERVED);
	if (entries > 2)
		put_mmap(m + 2 * sizeof(struct mb1_mmap_entry), IMAGE_VGA_HOLE_END,
			 upper, MB_MEMORY_AVAILABLE);
	memcpy(buf + name_off, MB_LOADER_NAME, sizeof(MB_LOADER_NAME));
	if (cmdline)
		memcpy(buf + cmd_off, cmdline, cmd_len + 1);
	*info_gpa = p->info_gpa;
	*info_len = cmd_off + cmd_len + 1;
	return 0;
}

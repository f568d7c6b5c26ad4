/*
 * Multiboot 0.6.96 boot information -> struct boot_info. The `flags` word
 * says which fields the loader filled; every other field may hold garbage.
 * Addresses inside the structure are 32-bit physical, identity-mapped here.
 */
#define LOG_TAG "boot"
#include <plinth/boot_info.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>

#include "multiboot.h"

/* Strings have no declared length: read at most what the buffer can hold. */
static void copy_loader_string(char *dst, size_t dst_size, uint32_t addr)
{
	if (addr == 0)
		return; /* treat a null pointer as absent rather than fault */
	mb_copy_string(dst, dst_size, mb_phys_to_ptr(addr), dst_size - 1);
}

static void parse_modules(const struct mb1_info *mbi, struct boot_info *out)
{
	const struct mb1_module *mods = mb_phys_to_ptr(mbi->mods_addr);
	size_t count = mbi->mods_count;

	if (count > BOOT_MAX_MODULES) {
		log_warn("multiboot1: %zu modules, keeping the first %d", count,
			 BOOT_MAX_MODULES);
		count = BOOT_MAX_MODULES;
	}
	if (count > 0 && mbi->mods_addr == 0) {
		log_warn("multiboot1: module list at address 0, ignored");
		return;
	}
	for (size_t i = 0; i < count; i++) {
		struct boot_module *m = &out->modules[i];

		m->start = mods[i].mod_start;
		m->end = mods[i].mod_end;
		copy_loader_string(m->cmdline, sizeof(m->cmdline),
				   mods[i].string);
	}
	out->module_count = count;
}

/*
 * Each entry is `size` (4 bytes) followed by `size` bytes, of which we read
 * the first 20. An entry that does not fit mmap_length means the map cannot
 * be trusted at all, so the whole structure is rejected.
 */
static int parse_mmap(const struct mb1_info *mbi, struct boot_info *out)
{
	const uint8_t *map = mb_phys_to_ptr(mbi->mmap_addr);
	size_t len = mbi->mmap_length;
	size_t off = 0;

	if (len > 0 && mbi->mmap_addr == 0) {
		log_error("multiboot1: memory map at address 0");
		return -E_INVAL;
	}
	while (off < len) {
		struct mb1_mmap_entry e;
		uint32_t size;

		if (len - off < sizeof(size)) {
			log_error("multiboot1: %zu stray bytes at the end of the memory map",
				  len - off);
			return -E_INVAL;
		}
		memcpy(&size, map + off, sizeof(size));
		if (size < MB1_MMAP_ENTRY_MIN_SIZE ||
		    size > len - off - sizeof(size)) {
			log_error("multiboot1: memory map entry at offset %zu has size %u (map length %zu)",
				  off, size, len);
			return -E_INVAL;
		}
		memcpy(&e, map + off, sizeof(e));
		boot_mem_add(out, e.base_addr, e.length, e.type);
		off += sizeof(size) + size;
	}
	return 0;
}

static void parse_framebuffer(const struct mb1_info *mbi,
			      struct boot_info *out)
{
	struct boot_framebuffer *fb = &out->fb;

	fb->addr = mbi->framebuffer_addr;
	fb->pitch = mbi->framebuffer_pitch;
	fb->width = mbi->framebuffer_width;
	fb->height = mbi->framebuffer_height;
	fb->bpp = mbi->framebuffer_bpp;
	fb->type = mbi->framebuffer_type;
	if (fb->type == MB_FB_TYPE_RGB) {
		const struct mb1_color_rgb *rgb = &mbi->color_info.rgb;

		fb->red_pos = rgb->red_pos;
		fb->red_size = rgb->red_size;
		fb->green_pos = rgb->green_pos;
		fb->green_size = rgb->green_size;
		fb->blue_pos = rgb->blue_pos;
		fb->blue_size = rgb->blue_size;
	}
	out->has_framebuffer = true;
}

int multiboot1_parse(const void *info, struct boot_info *out)
{
	const struct mb1_info *mbi = info;
	uint32_t flags;

	memset(out, 0, sizeof(*out));
	if (!mbi) {
		log_error("multiboot1: no boot information");
		return -E_INVAL;
	}
	flags = mbi->flags;
	out->protocol = BOOT_PROTO_MULTIBOOT1;

	if (flags & MB1_INFO_CMDLINE)
		copy_loader_string(out->cmdline, sizeof(out->cmdline),
				   mbi->cmdline);
	if (flags & MB1_INFO_LOADER_NAME)
		copy_loader_string(out->loader_name, sizeof(out->loader_name),
				   mbi->boot_loader_name);
	if (flags & MB1_INFO_MODS)
		parse_modules(mbi, out);
	if ((flags & MB1_INFO_MMAP) && parse_mmap(mbi, out) < 0) {
		memset(out, 0, sizeof(*out));
		return -E_INVAL;
	}
	if (out->mem_count == 0 && (flags & MB1_INFO_MEMORY))
		mb_add_basic_meminfo(out, mbi->mem_lower, mbi->mem_upper);
	if (flags & MB1_INFO_FRAMEBUFFER)
		parse_framebuffer(mbi, out);

	boot_mem_normalize(out);
	return 0;
}

/*
 * Multiboot2 1.6 boot information -> struct boot_info. The structure is a
 * list of 8-byte aligned tags bounded by total_size. Every read is checked
 * against the size the structure declares for it: a tag that overruns
 * total_size, or is shorter than the fields its type defines, makes the whole
 * structure malformed (-E_INVAL), since nothing after it can be trusted.
 */
#define LOG_TAG "boot"
#include <plinth/boot_info.h>
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/string.h>

#include "multiboot.h"

/* What the tag walk has to remember until every tag was seen. */
struct mb2_state {
	bool have_basic_meminfo;
	uint32_t mem_lower, mem_upper;
	bool rsdp_is_new; /* an ACPI 2.0+ RSDP was copied: ignore old ones */
};

/* One tag, located by the walk: `size` bytes starting at `p`. */
struct mb2_tag_view {
	const uint8_t *p;
	uint32_t type;
	uint32_t size;
	size_t offset; /* from the start of the structure, for messages */
};

static int tag_too_short(const struct mb2_tag_view *t, size_t need)
{
	log_error("multiboot2: tag type %u at offset %zu has size %u, needs %zu",
		  t->type, t->offset, t->size, need);
	return -E_INVAL;
}

static void parse_string_tag(const struct mb2_tag_view *t, char *dst,
			     size_t dst_size)
{
	mb_copy_string(dst, dst_size, (const char *)t->p + sizeof(struct mb2_tag),
		       t->size - sizeof(struct mb2_tag));
}

static int parse_module(const struct mb2_tag_view *t, struct boot_info *out)
{
	struct mb2_tag_module mod;
	struct boot_module *m;

	if (t->size < sizeof(mod))
		return tag_too_short(t, sizeof(mod));
	if (out->module_count == BOOT_MAX_MODULES) {
		log_warn("multiboot2: more than %d modules, ignoring the module at offset %zu",
			 BOOT_MAX_MODULES, t->offset);
		return 0;
	}
	memcpy(&mod, t->p, sizeof(mod));
	m = &out->modules[out->module_count++];
	m->start = mod.mod_start;
	m->end = mod.mod_end;
	mb_copy_string(m->cmdline, sizeof(m->cmdline),
		       (const char *)t->p + sizeof(mod), t->size - sizeof(mod));
	return 0;
}

static int parse_basic_meminfo(const struct mb2_tag_view *t,
			       struct mb2_state *st)
{
	struct mb2_tag_basic_meminfo mi;

	if (t->size < sizeof(mi))
		return tag_too_short(t, sizeof(mi));
	memcpy(&mi, t->p, sizeof(mi));
	st->have_basic_meminfo = true;
	st->mem_lower = mi.mem_lower;
	st->mem_upper = mi.mem_upper;
	return 0;
}

/* Entries are entry_size apart; later versions may append fields to each. */
static int parse_mmap(const struct mb2_tag_view *t, struct boot_info *out)
{
	struct mb2_tag_mmap hdr;
	size_t entries_len;

	if (t->size < sizeof(hdr))
		return tag_too_short(t, sizeof(hdr));
	memcpy(&hdr, t->p, sizeof(hdr));
	entries_len = t->size - sizeof(hdr);
	if (hdr.entry_size < sizeof(struct mb2_mmap_entry) ||
	    entries_len % hdr.entry_size != 0) {
		log_error("multiboot2: memory map at offset %zu: entry size %u does not divide %zu bytes of entries",
			  t->offset, hdr.entry_size, entries_len);
		return -E_INVAL;
	}
	if (hdr.entry_version != 0)
		log_debug("multiboot2: memory map entry version %u",
			  hdr.entry_version);
	for (size_t off = 0; off < entries_len; off += hdr.entry_size) {
		struct mb2_mmap_entry e;

		memcpy(&e, t->p + sizeof(hdr) + off, sizeof(e));
		boot_mem_add(out, e.base_addr, e.length, e.type);
	}
	return 0;
}

static int parse_framebuffer(const struct mb2_tag_view *t,
			     struct boot_info *out)
{
	struct mb2_tag_framebuffer fbt;
	struct boot_framebuffer *fb = &out->fb;

	if (t->size < sizeof(fbt))
		return tag_too_short(t, sizeof(fbt));
	memcpy(&fbt, t->p, sizeof(fbt));
	memset(fb, 0, sizeof(*fb)); /* a later tag replaces an earlier one */
	fb->addr = fbt.framebuffer_addr;
	fb->pitch = fbt.framebuffer_pitch;
	fb->width = fbt.framebuffer_width;
	fb->height = fbt.framebuffer_height;
	fb->bpp = fbt.framebuffer_bpp;
	fb->type = fbt.framebuffer_type;
	if (fb->type == MB_FB_TYPE_RGB) {
		struct mb2_color_rgb rgb;

		if (t->size < sizeof(fbt) + sizeof(rgb))
			return tag_too_short(t, sizeof(fbt) + sizeof(rgb));
		memcpy(&rgb, t->p + sizeof(fbt), sizeof(rgb));
		fb->red_pos = rgb.red_pos;
		fb->red_size = rgb.red_size;
		fb->green_pos = rgb.green_pos;
		fb->green_size = rgb.green_size;
		fb->blue_pos = rgb.blue_pos;
		fb->blue_size = rgb.blue_size;
	}
	out->has_framebuffer = true;
	return 0;
}

/* A loader may pass both RSDP tags; the ACPI 2.0+ copy wins in any order. */
static int parse_rsdp(const struct mb2_tag_view *t, struct boot_info *out,
		      struct mb2_state *st)
{
	bool is_new = t->type == MB2_TAG_ACPI_NEW;
	size_t need = sizeof(struct mb2_tag) +
		      (is_new ? ACPI_RSDP_V2_SIZE : ACPI_RSDP_V1_SIZE);
	size_t len = t->size - sizeof(struct mb2_tag);

	if (t->size < need)
		return tag_too_short(t, need);
	if (st->rsdp_is_new && !is_new)
		return 0;
	len = MIN(len, (size_t)BOOT_RSDP_MAX);
	memcpy(out->rsdp, t->p + sizeof(struct mb2_tag), len);
	out->rsdp_len = (uint8_t)len;
	st->rsdp_is_new = is_new;
	return 0;
}

static int parse_efi64(const struct mb2_tag_view *t, struct boot_info *out)
{
	struct mb2_tag_efi64 e;

	if (t->size < sizeof(e))
		return tag_too_short(t, sizeof(e));
	memcpy(&e, t->p, sizeof(e));
	out->efi_system_table = e.pointer;
	return 0;
}

/* descriptor_size is the firmware's stride, usually larger than 40 bytes. */
static int parse_efi_mmap(const struct mb2_tag_view *t, struct boot_info *out)
{
	struct mb2_tag_efi_mmap hdr;
	size_t descs_len, count;

	if (t->size < sizeof(hdr))
		return tag_too_short(t, sizeof(hdr));
	memcpy(&hdr, t->p, sizeof(hdr));
	descs_len = t->size - sizeof(hdr);
	if (hdr.descriptor_size < sizeof(struct efi_mem_desc) ||
	    descs_len % hdr.descriptor_size != 0) {
		log_error("multiboot2: EFI memory map at offset %zu: descriptor size %u does not divide %zu bytes",
			  t->offset, hdr.descriptor_size, descs_len);
		return -E_INVAL;
	}
	count = descs_len / hdr.descriptor_size;
	if (count > BOOT_MAX_EFI_REGIONS) {
		log_warn("multiboot2: EFI memory map has %zu descriptors, keeping the first %d",
			 count, BOOT_MAX_EFI_REGIONS);
		count = BOOT_MAX_EFI_REGIONS;
	}
	for (size_t i = 0; i < count; i++) {
		struct efi_mem_desc d;
		struct efi_mem_region *r = &out->efi_mem[i];

		memcpy(&d, t->p + sizeof(hdr) + i * hdr.descriptor_size,
		       sizeof(d));
		r->type = d.type;
		r->phys = d.phys_start;
		r->pages = d.pages;
		r->attr = d.attr;
	}
	out->efi_mem_count = count;
	return 0;
}

static int parse_tag(const struct mb2_tag_view *t, struct boot_info *out,
		     struct mb2_state *st)
{
	switch (t->type) {
	case MB2_TAG_CMDLINE:
		parse_string_tag(t, out->cmdline, sizeof(out->cmdline));
		return 0;
	case MB2_TAG_LOADER_NAME:
		parse_string_tag(t, out->loader_name, sizeof(out->loader_name));
		return 0;
	case MB2_TAG_MODULE:
		return parse_module(t, out);
	case MB2_TAG_BASIC_MEMINFO:
		return parse_basic_meminfo(t, st);
	case MB2_TAG_MMAP:
		return parse_mmap(t, out);
	case MB2_TAG_FRAMEBUFFER:
		return parse_framebuffer(t, out);
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return parse_rsdp(t, out, st);
	case MB2_TAG_EFI64:
		return parse_efi64(t, out);
	case MB2_TAG_EFI_MMAP:
		return parse_efi_mmap(t, out);
	default:
		return 0; /* tags we do not use, and future ones */
	}
}

/*
 * Walk the tags up to the end tag. Offsets are size_t and every comparison
 * is against the bytes left, so no declared size can overflow the walk.
 */
static int walk_tags(const uint8_t *base, uint32_t total_size,
		     struct boot_info *out, struct mb2_state *st)
{
	size_t off = sizeof(struct mb2_info_header);

	for (;;) {
		struct mb2_tag hdr;
		struct mb2_tag_view t;
		int err;

		if (off > total_size || total_size - off < sizeof(hdr)) {
			log_error("multiboot2: no end tag within total_size %u",
				  total_size);
			return -E_INVAL;
		}
		memcpy(&hdr, base + off, sizeof(hdr));
		if (hdr.size < sizeof(hdr) || hdr.size > total_size - off) {
			log_error("multiboot2: tag type %u at offset %zu has size %u (total_size %u)",
				  hdr.type, off, hdr.size, total_size);
			return -E_INVAL;
		}
		if (hdr.type == MB2_TAG_END)
			return 0;
		t = (struct mb2_tag_view){
			.p = base + off, .type = hdr.type, .size = hdr.size,
			.offset = off,
		};
		err = parse_tag(&t, out, st);
		if (err < 0)
			return err;
		off += ALIGN_UP((size_t)hdr.size, MB2_TAG_ALIGN);
	}
}

int multiboot2_parse(const void *info, struct boot_info *out)
{
	struct mb2_state st = { 0 };
	uint32_t total_size;

	memset(out, 0, sizeof(*out));
	if (!info) {
		log_error("multiboot2: no boot information");
		return -E_INVAL;
	}
	/* Only total_size is read before it is known to cover the header. */
	memcpy(&total_size, info, sizeof(total_size));
	if (total_size < sizeof(struct mb2_info_header) + sizeof(struct mb2_tag)) {
		log_error("multiboot2: total_size %u is too small", total_size);
		return -E_INVAL;
	}
	out->protocol = BOOT_PROTO_MULTIBOOT2;
	if (walk_tags(info, total_size, out, &st) < 0) {
		memset(out, 0, sizeof(*out)); /* no half-parsed result */
		return -E_INVAL;
	}
	if (out->mem_count == 0 && st.have_basic_meminfo)
		mb_add_basic_meminfo(out, st.mem_lower, st.mem_upper);
	boot_mem_normalize(out);
	return 0;
}

/*
 * Guest image loading plans: format detection and dispatch, flat binaries and
 * the segment checks every format ends with (docs/images.md). ELF is in
 * image_elf.c, Multiboot 0.6.96 in image_multiboot.c, Linux bzImages in
 * image_bzimage.c.
 */
#define LOG_TAG "image"

#include <plinth/errno.h>
#include <plinth/guest.h>
#include <plinth/image.h>
#include <plinth/log.h>
#include <plinth/string.h>

static const char *const format_names[] = {
	[IMAGE_AUTO] = "auto",
	[IMAGE_BZIMAGE] = "bzimage",
	[IMAGE_MULTIBOOT] = "multiboot",
	[IMAGE_ELF] = "elf",
	[IMAGE_FLAT] = "flat",
};

int image_format_parse(const char *name, enum image_format *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_names); i++) {
		if (strcmp(name, format_names[i]) == 0) {
			*out = (enum image_format)i;
			return 0;
		}
	}
	return -E_INVAL;
}

const char *image_format_name(enum image_format f)
{
	if ((size_t)f < ARRAY_SIZE(format_names))
		return format_names[f];
	return "?";
}

int image_add_segment(const char *name, struct image_plan *p, uint64_t gpa,
		      uint64_t off, uint64_t filesz, uint64_t memsz)
{
	if (memsz == 0)
		return 0;
	if (p->segments >= IMAGE_MAX_SEGMENTS) {
		log_error("%s: more than %u loadable segments", name,
			  IMAGE_MAX_SEGMENTS);
		return -E_NOTSUP;
	}
	p->seg[p->segments++] = (struct image_segment){
		.gpa = gpa, .file_offset = off, .file_size = filesz, .mem_size = memsz,
	};
	return 0;
}

int image_check_segments(const char *name, const struct image_plan *p,
			 size_t size, uint64_t ram)
{
	if (p->segments == 0) {
		log_error("%s: nothing to load", name);
		return -E_INVAL;
	}
	for (size_t i = 0; i < p->segments; i++) {
		const struct image_segment *s = &p->seg[i];
		if (s->file_size > s->mem_size) {
			log_error("%s: segment %zu: file size %#llx > memory size %#llx",
				  name, i, (unsigned long long)s->file_size,
				  (unsigned long long)s->mem_size);
			return -E_INVAL;
		}
		if (s->file_offset > size || s->file_size > size - s->file_offset) {
			log_error("%s: segment %zu: file bytes %#llx+%#llx beyond the %zu-byte file",
				  name, i, (unsigned long long)s->file_offset,
				  (unsigned long long)s->file_size, size);
			return -E_INVAL;
		}
		if (s->gpa > ram || s->mem_size > ram - s->gpa) {
			log_error("%s: segment %zu at %#llx+%#llx is outside the guest's %llu KiB of RAM",
				  name, i, (unsigned long long)s->gpa,
				  (unsigned long long)s->mem_size,
				  (unsigned long long)(ram >> 10));
			return -E_RANGE;
		}
		if (s->gpa < IMAGE_LOW_RESERVED) {
			log_error("%s: segment %zu at %#llx is in page 0 (load at %#x or above)",
				  name, i, (unsigned long long)s->gpa,
				  IMAGE_LOW_RESERVED);
			return -E_RANGE;
		}
		if (p->multiboot && s->gpa < IMAGE_VGA_HOLE_END &&
		    s->gpa + s->mem_size > IMAGE_VGA_HOLE) {
			log_error("%s: segment %zu at %#llx+%#llx overlaps 640 KiB..1 MiB, reserved in the multiboot memory map",
				  name, i, (unsigned long long)s->gpa,
				  (unsigned long long)s->mem_size);
			return -E_RANGE;
		}
		for (size_t j = 0; j < i; j++) {
			const struct image_segment *t = &p->seg[j];
			if (s->gpa < t->gpa + t->mem_size &&
			    t->gpa < s->gpa + s->mem_size) {
				log_error("%s: segments %zu (%#llx+%#llx) and %zu (%#llx+%#llx) overlap",
					  name, j, (unsigned long long)t->gpa,
					  (unsigned long long)t->mem_size, i,
					  (unsigned long long)s->gpa,
					  (unsigned long long)s->mem_size);
				return -E_INVAL;
			}
		}
	}
	return 0;
}

static int plan_flat(const char *name, size_t size,
		     enum vcpu_start_mode mode, struct image_plan *out)
{
	uint64_t gpa = mode == VCPU_START_REAL ? IMAGE_FLAT_REAL_GPA
					       : IMAGE_FLAT_PROT32_GPA;

	if (size == 0) {
		log_error("%s: empty image", name);
		return -E_INVAL;
	}
	if (mode == VCPU_START_REAL && size > IMAGE_VGA_HOLE - gpa) {
		log_error("%s: %zu bytes at %#llx reach past 640 KiB, out of a real-mode guest's reach",
			  name, size, (unsigned long long)gpa);
		return -E_RANGE;
	}
	out->start_mode = mode;
	out->entry = gpa;
	return image_add_segment(name, out, gpa, 0, size, size);
}

/* The Linux boot protocol's boot_flag 0xAA55 at 0x1FE and "HdrS" at 0x202. */
#define BZ_BOOT_FLAG_OFF 0x1FE
#define BZ_HDRS_OFF 0x202
#define BZ_HDRS 0x53726448u

static bool is_bzimage(const uint8_t *img, size_t size)
{
	return size >= BZ_HDRS_OFF + 4 && le16_at(img + BZ_BOOT_FLAG_OFF) == 0xAA55 &&
	       le32_at(img + BZ_HDRS_OFF) == BZ_HDRS;
}

static bool is_elf(const uint8_t *img, size_t size)
{
	return size >= 4 && img[0] == 0x7f && img[1] == 'E' && img[2] == 'L' &&
	       img[3] == 'F';
}

int image_plan(const char *name, const void *image, size_t size,
	       enum image_format fmt, uint64_t ram,
	       enum vcpu_start_mode flat_mode, struct image_plan *out)
{
	const uint8_t *img = image;
	long mb = -E_NOENT;
	int rc;

	memset(out, 0, sizeof(*out));
	out->start_mode = VCPU_START_PROT32;
	out->start_eax = GUEST_START_MAGIC;
	if (!img && size) {
		log_error("%s: no image", name);
		return -E_INVAL;
	}

	if (fmt == IMAGE_AUTO || fmt == IMAGE_MULTIBOOT)
		mb = image_find_multiboot(img, size, fmt == IMAGE_AUTO);
	if (fmt == IMAGE_AUTO) {
		if (is_bzimage(img, size))
			fmt = IMAGE_BZIMAGE;
		else if (mb >= 0)
			fmt = IMAGE_MULTIBOOT;
		else if (is_elf(img, size))
			fmt = IMAGE_ELF;
		else
			fmt = IMAGE_FLAT;
	}
	out->format = fmt;

	switch (fmt) {
	case IMAGE_BZIMAGE:
		rc = image_plan_bzimage(name, img, size, ram, out);
		break;
	case IMAGE_MULTIBOOT:
		if (mb < 0) {
			log_error("%s: no multiboot1 header (magic %#x) in the first %u bytes",
				  name, 0x1BADB002u, IMAGE_MB_SCAN);
			return -E_INVAL;
		}
		rc = image_plan_multiboot(name, img, size, (size_t)mb, ram, out);
		break;
	case IMAGE_ELF:
		rc = image_plan_elf(name, img, size, ram, out);
		break;
	case IMAGE_FLAT:
		rc = plan_flat(name, size, flat_mode, out);
		break;
	case IMAGE_AUTO:
	default:
		log_error("%s: unknown image format %d", name, (int)fmt);
		return -E_INVAL;
	}
	if (rc)
		return rc;
	/* Every format ends here: the copy the caller makes is always in bounds. */
	rc = image_check_segments(name, out, size, ram);
	if (rc)
		return rc;
	bool entry_ok = false;
	for (size_t i = 0; i < out->segments; i++) {
		const struct image_segment *s = &out->seg[i];
		if (out->entry >= s->gpa && out->entry - s->gpa < s->file_size)
			entry_ok = true;
	}
	if (!entry_ok) {
		log_error("%s: entry point %#llx is not in the loaded bytes of a segment",
			  name, (unsigned long long)out->entry);
		return -E_INVAL;
	}
	return 0;
}

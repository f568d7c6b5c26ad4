/*
 * Guest image plans (core/image*.c): ELF32/ELF64, multiboot1 (a.out kludge
 * and ELF), flat and bzImage detection. The images are built here byte by
 * byte from the ELF and Multiboot 0.6.96 layouts, independently of the
 * loader; then every lie and every truncation, each in an exact-size malloc
 * so ASan catches any read past the file.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/guest.h>
#include <plinth/image.h>

#define RAM MiB(16)
#define NAME "t: /guests/x"

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

struct seg_spec {
	uint32_t type;
	uint64_t vaddr, paddr, filesz, memsz;
	uint32_t flags;
};

/* ELF image: header, program headers, then each segment's bytes (16-aligned). */
static size_t build_elf(uint8_t *buf, size_t cap, bool is64, uint64_t entry,
			const struct seg_spec *s, size_t n)
{
	size_t eh = is64 ? 64 : 52, ph = is64 ? 56 : 32;
	size_t off = ALIGN_UP(eh + n * ph, 16);
	memset(buf, 0, cap);
	memcpy(buf, "\x7f" "ELF", 4);
	buf[4] = is64 ? 2 : 1;
	buf[5] = 1;
	buf[6] = 1;
	put16(buf + 16, 2);
	put16(buf + 18, is64 ? 62 : 3);
	put32(buf + 20, 1);
	if (is64) {
		put64(buf + 24, entry);
		put64(buf + 32, eh);
		put16(buf + 52, 64);
		put16(buf + 54, 56);
		put16(buf + 56, (uint16_t)n);
	} else {
		put32(buf + 24, (uint32_t)entry);
		put32(buf + 28, (uint32_t)eh);
		put16(buf + 40, 52);
		put16(buf + 42, 32);
		put16(buf + 44, (uint16_t)n);
	}
	for (size_t i = 0; i < n; i++) {
		uint8_t *p = buf + eh + i * ph;
		if (is64) {
			put32(p, s[i].type);
			put32(p + 4, s[i].flags);
			put64(p + 8, off);
			put64(p + 16, s[i].vaddr);
			put64(p + 24, s[i].paddr);
			put64(p + 32, s[i].filesz);
			put64(p + 40, s[i].memsz);
		} else {
			put32(p, s[i].type);
			put32(p + 4, (uint32_t)off);
			put32(p + 8, (uint32_t)s[i].vaddr);
			put32(p + 12, (uint32_t)s[i].paddr);
			put32(p + 16, (uint32_t)s[i].filesz);
			put32(p + 20, (uint32_t)s[i].memsz);
			put32(p + 24, s[i].flags);
		}
		assert_true(off + s[i].filesz <= cap);
		memset(buf + off, 0x90 + (int)i, s[i].filesz);
		off = ALIGN_UP(off + s[i].filesz, 16);
	}
	return off;
}

static const struct seg_spec segs3[] = {
	{ 1, 0x100000, 0x100000, 0x300, 0x300, 5 },  /* text R+X */
	{ 4, 0, 0, 0x20, 0x20, 4 },                   /* PT_NOTE: ignored */
	{ 1, 0x102000, 0x102000, 0x100, 0x2000, 6 },  /* data + bss */
	{ 1, 0x200000, 0x200000, 0, 0x1000, 6 },      /* bss only */
};

static size_t elf32_valid(uint8_t *buf, size_t cap)
{
	return build_elf(buf, cap, false, 0x100010, segs3, 4);
}

static size_t elf64_higher_half(uint8_t *buf, size_t cap)
{
	const struct seg_spec s[] = {
		{ 1, 0xffffffff80100000ull, 0x100000, 0x200, 0x200, 5 },
		{ 1, 0xffffffff80101000ull, 0x101000, 0x80, 0x3000, 6 },
	};
	return build_elf(buf, cap, true, 0xffffffff80100020ull, s, 2);
}

static void mb_header(uint8_t *h, uint32_t flags)
{
	put32(h, 0x1BADB002);
	put32(h + 4, flags);
	put32(h + 8, (uint32_t)-(0x1BADB002u + flags));
}

/* a.out kludge kernel: header at file offset 0x40, loaded at 1 MiB. */
static size_t mb_kludge(uint8_t *buf, size_t cap)
{
	size_t size = 0x400;
	assert_true(cap >= size);
	memset(buf, 0xf4, size);
	uint8_t *h = buf + 0x40;
	mb_header(h, (1 << 16) | 3);
	put32(h + 12, 0x100040); /* header_addr */
	put32(h + 16, 0x100000); /* load_addr */
	put32(h + 20, 0x100300); /* load_end_addr */
	put32(h + 24, 0x104000); /* bss_end_addr */
	put32(h + 28, 0x100080); /* entry_addr */
	return size;
}

/* ELF kernel with a multiboot header (no kludge) in its text. */
static size_t mb_elf(uint8_t *buf, size_t cap)
{
	size_t size = elf32_valid(buf, cap);
	mb_header(buf + 0xc0, 3); /* text starts at 0xc0 (after 4 phdrs) */
	return size;
}

/* Every plan returned must be safe to copy: in the file, in RAM, disjoint. */
static void check_plan(const struct image_plan *p, size_t size, uint64_t ram)
{
	bool entry_ok = false;
	assert_true(p->segments >= 1 && p->segments <= IMAGE_MAX_SEGMENTS);
	for (size_t i = 0; i < p->segments; i++) {
		const struct image_segment *s = &p->seg[i];
		assert_true(s->file_size <= s->mem_size);
		assert_true(s->file_offset <= size && s->file_size <= size - s->file_offset);
		assert_true(s->gpa >= IMAGE_LOW_RESERVED && s->gpa <= ram && s->mem_size <= ram - s->gpa);
		if (p->entry >= s->gpa && p->entry - s->gpa < s->file_size)
			entry_ok = true;
		for (size_t j = 0; j < i; j++)
			assert_true(s->gpa >= p->seg[j].gpa + p->seg[j].mem_size ||
				    p->seg[j].gpa >= s->gpa + s->mem_size);
		if (p->multiboot)
			assert_true(p->info_gpa >= s->gpa + s->mem_size ||
				    s->gpa >= p->info_gpa + p->info_max);
	}
	assert_true(entry_ok);
	assert_true(p->entry <= UINT32_MAX);
	if (p->multiboot)
		assert_true(p->info_gpa >= 0x1000 && p->info_gpa + p->info_max <= 0xA0000);
}

static int plan_copy(const uint8_t *img, size_t n, enum image_format f,
		     struct image_plan *p)
{
	uint8_t *c = malloc(n ? n : 1);
	assert_non_null(c);
	memcpy(c, img, n);
	shim_last_log[0] = 0;
	int rc = image_plan(NAME, n ? c : c, n, f, RAM, VCPU_START_PROT32, p);
	if (rc == 0)
		check_plan(p, n, RAM);
	else
		assert_non_null(strstr(shim_last_log, NAME));
	free(c);
	return rc;
}

static void test_format_parse(void **state)
{
	(void)state;
	enum image_format f;
	assert_int_equal(image_format_parse("auto", &f), 0);
	assert_int_equal(f, IMAGE_AUTO);
	assert_int_equal(image_format_parse("bzimage", &f), 0);
	assert_int_equal(f, IMAGE_BZIMAGE);
	assert_int_equal(image_format_parse("multiboot", &f), 0);
	assert_int_equal(f, IMAGE_MULTIBOOT);
	assert_int_equal(image_format_parse("elf", &f), 0);
	assert_int_equal(image_format_parse("flat", &f), 0);
	assert_int_equal(f, IMAGE_FLAT);
	assert_int_equal(image_format_parse("ELF", &f), -E_INVAL);
	assert_int_equal(image_format_parse("", &f), -E_INVAL);
	assert_string_equal(image_format_name(IMAGE_MULTIBOOT), "multiboot");
}

static void test_elf32_valid(void **state)
{
	(void)state;
	uint8_t buf[4096];
	struct image_plan p;
	size_t n = elf32_valid(buf, sizeof(buf));

	assert_int_equal(plan_copy(buf, n, IMAGE_AUTO, &p), 0);
	assert_int_equal(p.format, IMAGE_ELF);
	assert_false(p.multiboot);
	assert_int_equal(p.start_mode, VCPU_START_PROT32);
	assert_int_equal(p.start_eax, GUEST_START_MAGIC);
	assert_int_equal(p.entry, 0x100010);
	assert_int_equal(p.segments, 3);
	assert_int_equal(p.seg[0].gpa, 0x100000);
	assert_int_equal(p.seg[0].file_size, 0x300);
	assert_int_equal(buf[p.seg[0].file_offset], 0x90);
	assert_int_equal(p.seg[1].gpa, 0x102000);
	assert_int_equal(p.seg[1].file_size, 0x100);
	assert_int_equal(p.seg[1].mem_size, 0x2000);
	assert_int_equal(buf[p.seg[1].file_offset], 0x92);
	assert_int_equal(p.seg[2].file_size, 0);
	assert_int_equal(p.seg[2].mem_size, 0x1000);
	assert_int_equal(plan_copy(buf, n, IMAGE_ELF, &p), 0);
}

static void test_elf64_higher_half(void **state)
{
	(void)state;
	uint8_t buf[4096];
	struct image_plan p;
	size_t n = elf64_higher_half(buf, sizeof(buf));

	assert_int_equal(plan_copy(buf, n, IMAGE_AUTO, &p), 0);
	assert_int_equal(p.format, IMAGE_ELF);
	assert_int_equal(p.entry, 0x100020); /* translated through the segment */
	assert_int_equal(p.segments, 2);
	assert_int_equal(p.seg[1].mem_size, 0x3000);
}

static void test_multiboot_kludge(void **state)
{
	(void)state;
	uint8_t buf[4096];
	struct image_plan p;
	size_t n = mb_kludge(buf, sizeof(buf));

	assert_int_equal(plan_copy(buf, n, IMAGE_AUTO, &p), 0);
	assert_int_equal(p.format, IMAGE_MULTIBOOT);
	assert_true(p.multiboot);
	assert_int_equal(p.start_eax, 0x2BADB002);
	assert_int_equal(p.entry, 0x100080);
	assert_int_equal(p.segments, 1);
	assert_int_equal(p.seg[0].gpa, 0x100000);
	assert_int_equal(p.seg[0].file_offset, 0);
	assert_int_equal(p.seg[0].file_size, 0x300);
	assert_int_equal(p.seg[0].mem_size, 0x4000);
	assert_int_equal(p.info_gpa, 0x1000);

	/* load_end_addr 0: the rest of the file; bss_end 0: no bss. */
	put32(buf + 0x40 + 20, 0);
	put32(buf + 0x40 + 24, 0);
	assert_int_equal(plan_copy(buf, n, IMAGE_MULTIBOOT, &p), 0);
	assert_int_equal(p.seg[0].file_size, 0x400);
	assert_int_equal(p.seg[0].mem_size, 0x400);

	/* Header not at the start of the text: header_addr - load_addr = 0x20 < offset 0x40. */
	put32(buf + 0x40 + 16, 0x100020);
	put32(buf + 0x40 + 12, 0x100040);
	assert_int_equal(plan_copy(buf, n, IMAGE_MULTIBOOT, &p), 0);
	assert_int_equal(p.seg[0].file_offset, 0x20);
	assert_int_equal(p.seg[0].gpa, 0x100020);
}

static void test_multiboot_elf(void **state)
{
	(void)state;
	uint8_t buf[4096];
	struct image_plan p;
	size_t n = mb_elf(buf, sizeof(buf));

	assert_int_equal(plan_copy(buf, n, IMAGE_AUTO, &p), 0);
	assert_int_equal(p.format, IMAGE_MULTIBOOT);
	assert_true(p.multiboot);
	assert_int_equal(p.segments, 3);
	assert_int_equal(p.entry, 0x100010);
	/* Explicit "elf": the multiboot header is ignored. */
	assert_int_equal(plan_copy(buf, n, IMAGE_ELF, &p), 0);
	assert_int_equal(p.format, IMAGE_ELF);
	assert_false(p.multiboot);
	/* Explicit "multiboot" for an image without a header. */
	n = elf32_valid(buf, sizeof(buf));
	assert_int_equal(plan_copy(buf, n, IMAGE_MULTIBOOT, &p), -E_INVAL);
	assert_non_null(strstr(shim_last_log, "no multiboot1 header"));
}

static void test_multiboot_info(void **state)
{
	(void)state;
	uint8_t buf[4096], info[4096];
	struct image_plan p;
	uint64_t gpa;
	size_t len;
	size_t n = mb_kludge(buf, sizeof(buf));

	assert_int_equal(image_plan(NAME, buf, n, IMAGE_AUTO, RAM, VCPU_START_PROT32, &p), 0);
	assert_int_equal(image_build_multiboot_info(&p, RAM, "root=x quiet", info, sizeof(info), &gpa, &len), 0);
	assert_int_equal(gpa, 0x1000);
	assert_true(len <= p.info_max);
	assert_int_equal(get32(info), (1 << 0) | (1 << 2) | (1 << 6) | (1 << 9));
	assert_int_equal(get32(info + 4), 640);
	assert_int_equal(get32(info + 8), 15 * 1024);
	uint32_t cmd = get32(info + 16);
	assert_true(cmd >= gpa && cmd < gpa + len);
	assert_string_equal((char *)info + (cmd - gpa), "root=x quiet");
	uint32_t name = get32(info + 64);
	assert_string_equal((char *)info + (name - gpa), "Plinth");
	uint32_t mlen = get32(info + 44), maddr = get32(info + 48);
	assert_int_equal(mlen, 3 * 24);
	const uint8_t *m = info + (maddr - gpa);
	uint64_t expect[3][3] = { { 0, 0xA0000, 1 }, { 0xA0000, 0x60000, 2 }, { 0x100000, RAM - 0x100000, 1 } };
	for (int i = 0; i < 3; i++) {
		assert_int_equal(get32(m + i * 24), 20);
		assert_int_equal(get64(m + i * 24 + 4), expect[i][0]);
		assert_int_equal(get64(m + i * 24 + 12), expect[i][1]);
		assert_int_equal(get32(m + i * 24 + 20), expect[i][2]);
	}
	/* No command line: flag 2 clear. */
	assert_int_equal(image_build_multiboot_info(&p, RAM, NULL, info, sizeof(info), &gpa, &len), 0);
	assert_int_equal(get32(info) & (1 << 2), 0);
	/* Too small a buffer or too long a command line. */
	assert_int_equal(image_build_multiboot_info(&p, RAM, "x", info, 64, &gpa, &len), -E_NOSPC);
	char longcmd[5000];
	memset(longcmd, 'a', sizeof(longcmd) - 1);
	longcmd[sizeof(longcmd) - 1] = 0;
	assert_int_equal(image_build_multiboot_info(&p, RAM, longcmd, info, sizeof(info), &gpa, &len), -E_NOSPC);
	/* Not a multiboot plan. */
	n = elf32_valid(buf, sizeof(buf));
	assert_int_equal(image_plan(NAME, buf, n, IMAGE_AUTO, RAM, VCPU_START_PROT32, &p), 0);
	assert_int_equal(image_build_multiboot_info(&p, RAM, NULL, info, sizeof(info), &gpa, &len), -E_INVAL);
}

static void test_multiboot_info_placement(void **state)
{
	(void)state;
	uint8_t buf[4096];
	struct image_plan p;
	size_t n = mb_kludge(buf, sizeof(buf));

	/* Load the kernel at 0x1000: the info goes to the next free page. */
	put32(buf + 0x40 + 12, 0x1040);
	put32(buf + 0x40 + 16, 0x1000);
	put32(buf + 0x40 + 20, 0x1300);
	put32(buf + 0x40 + 24, 0x3800);
	put32(buf + 0x40 + 28, 0x1080);
	assert_int_equal(plan_copy(buf, n, IMAGE_AUTO, &p), 0);
	assert_int_equal(p.info_gpa, 0x4000);
	/* A kernel filling all of 4 KiB .. 640 KiB leaves no room. */
	put32(buf + 0x40 + 24, 0x9F800);
	assert_int_equal(plan_copy(buf, n, IMAGE_AUTO, &p), -E_RANGE);
	assert_non_null(strstr(shim_last_log, "boot information"));
	/* ... and reaching into 640 KiB..1 MiB is refused for multiboot. */
	put32(buf + 0x40 + 24, 0xA1000);
	assert_int_equal(plan_copy(buf, n, IMAGE_AUTO, &p), -E_RANGE);
	assert_non_null(strstr(shim_last_log, "640 KiB"));
}

static void test_flat(void **state)
{
	(void)state;
	uint8_t buf[256];
	struct image_plan p;
	memset(buf, 0xf4, sizeof(buf));

	assert_int_equal(plan_copy(buf, sizeof(buf), IMAGE_AUTO, &p), 0);
	assert_int_equal(p.format, IMAGE_FLAT);
	assert_int_equal(p.entry, 0x100000);
	assert_int_equal(p.start_mode, VCPU_START_PROT32);
	assert_int_equal(p.segments, 1);
	assert_int_equal(p.seg[0].mem_size, 256);
	assert_int_equal(image_plan(NAME, buf, sizeof(buf), IMAGE_FLAT, RAM, VCPU_START_REAL, &p), 0);
	assert_int_equal(p.entry, 0x8000);
	assert_int_equal(p.start_mode, VCPU_START_REAL);
	/* An ELF loaded as flat is just bytes. */
	uint8_t e[4096];
	size_t n = elf32_valid(e, sizeof(e));
	assert_int_equal(plan_copy(e, n, IMAGE_FLAT, &p), 0);
	assert_int_equal(p.seg[0].file_size, n);
	/* Empty, too big for RAM, too big for real mode. */
	assert_int_equal(plan_copy(buf, 0, IMAGE_AUTO, &p), -E_INVAL);
	assert_int_equal(image_plan(NAME, buf, sizeof(buf), IMAGE_FLAT, 0x100080, VCPU_START_PROT32, &p), -E_RANGE);
	assert_non_null(strstr(shim_last_log, NAME));
	size_t big = 0xA0000 - 0x8000 + 1;
	uint8_t *b = calloc(1, big);
	assert_int_equal(image_plan(NAME, b, big, IMAGE_FLAT, RAM, VCPU_START_REAL, &p), -E_RANGE);
	assert_int_equal(image_plan(NAME, b, big - 1, IMAGE_FLAT, RAM, VCPU_START_REAL, &p), 0);
	free(b);
}

static void test_bzimage(void **state)
{
	(void)state;
	uint8_t buf[1024];
	struct image_plan p;
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 0x202, "HdrS", 4);
	/* "HdrS" without boot_flag 0xAA55 is not a bzImage. */
	assert_int_equal(plan_copy(buf, sizeof(buf), IMAGE_AUTO, &p), 0);
	assert_int_equal(p.format, IMAGE_FLAT);
	put16(buf + 0x1fe, 0xaa55);
	assert_int_equal(plan_copy(buf, sizeof(buf), IMAGE_AUTO, &p), -E_NOTSUP);
	assert_int_equal(p.format, IMAGE_BZIMAGE);
	assert_non_null(strstr(shim_last_log, "older than 2.06"));
	assert_int_equal(plan_copy(buf, sizeof(buf), IMAGE_BZIMAGE, &p), -E_NOTSUP);
	/* Explicit flat wins over detection. (The loader: test_image_bzimage.c.) */
	assert_int_equal(plan_copy(buf, sizeof(buf), IMAGE_FLAT, &p), 0);
}

/* Cut every valid image at every length: an error or a plan inside the n bytes. */
static void test_truncation(void **state)
{
	(void)state;
	uint8_t buf[4096];
	size_t (*builders[])(uint8_t *, size_t) = { elf32_valid, elf64_higher_half, mb_kludge, mb_elf };
	enum image_format fmts[] = { IMAGE_AUTO, IMAGE_ELF, IMAGE_MULTIBOOT };
	unsigned ok = 0, err = 0;

	for (size_t b = 0; b < ARRAY_SIZE(builders); b++) {
		size_t size = builders[b](buf, sizeof(buf));
		for (size_t n = 0; n < size; n++) {
			for (size_t f = 0; f < ARRAY_SIZE(fmts); f++) {
				struct image_plan p;
				if (plan_copy(buf, n, fmts[f], &p) == 0) {
					ok++;
					assert_true(fmts[f] == IMAGE_AUTO || p.format == fmts[f]);
				} else {
					err++;
				}
				/* Explicit ELF/multiboot at a truncated length: never a full plan of the original. */
				if (fmts[f] != IMAGE_AUTO && n < 52)
					assert_int_not_equal(plan_copy(buf, n, fmts[f], &p), 0);
			}
		}
	}
	assert_true(ok > 0 && err > 0);
}

static int plan_buf(uint8_t *buf, size_t n, enum image_format f)
{
	struct image_plan p;
	return plan_copy(buf, n, f, &p);
}

static void test_elf_lies(void **state)
{
	(void)state;
	uint8_t buf[4096];
	size_t n;

#define FRESH32() (n = elf32_valid(buf, sizeof(buf)))
#define FRESH64() (n = elf64_higher_half(buf, sizeof(buf)))
#define EXPECT(rc, text) do { \
		assert_int_equal(plan_buf(buf, n, IMAGE_ELF), rc); \
		assert_non_null(strstr(shim_last_log, text)); \
	} while (0)

	FRESH32(); buf[4] = 3; EXPECT(-E_INVAL, "class");
	FRESH32(); buf[5] = 2; EXPECT(-E_INVAL, "little-endian");
	FRESH32(); buf[6] = 0; EXPECT(-E_INVAL, "version");
	FRESH32(); put16(buf + 18, 62); EXPECT(-E_INVAL, "machine");
	FRESH64(); put16(buf + 18, 3); EXPECT(-E_INVAL, "machine");
	FRESH32(); put16(buf + 16, 3); EXPECT(-E_INVAL, "ET_EXEC");
	FRESH32(); put16(buf + 40, 40); EXPECT(-E_INVAL, "e_ehsize");
	FRESH32(); put16(buf + 42, 16); EXPECT(-E_INVAL, "e_phentsize");
	FRESH32(); put16(buf + 44, 0); EXPECT(-E_INVAL, "no program headers");
	FRESH32(); put16(buf + 44, 0xffff); EXPECT(-E_NOTSUP, "extended");
	FRESH32(); put32(buf + 28, 0xfffffff0); EXPECT(-E_INVAL, "program headers at");
	FRESH32(); put16(buf + 44, 200); EXPECT(-E_INVAL, "program headers at");
	FRESH64(); put64(buf + 32, UINT64_MAX - 8); EXPECT(-E_INVAL, "program headers at");
	FRESH64(); put16(buf + 54, 0xffff); EXPECT(-E_INVAL, "program headers at");
	/* p_offset + p_filesz wrapping 2^64 (ELF64) and 2^32 (ELF32) */
	FRESH64(); put64(buf + 64 + 8, UINT64_MAX - 0x10); EXPECT(-E_INVAL, "extend past");
	FRESH64(); put64(buf + 64 + 8, 0x10); put64(buf + 64 + 32, UINT64_MAX - 4);
	put64(buf + 64 + 40, UINT64_MAX); EXPECT(-E_INVAL, "extend past");
	FRESH32(); put32(buf + 52 + 4, 0xffffff00); EXPECT(-E_INVAL, "extend past");
	FRESH32(); put32(buf + 52 + 16, 0x400); put32(buf + 52 + 20, 0x300); EXPECT(-E_INVAL, "p_filesz");
	/* beyond RAM, wrapping GPA */
	FRESH32(); put32(buf + 52 + 12, RAM - 0x100); EXPECT(-E_RANGE, "outside the guest");
	FRESH64(); put64(buf + 64 + 24, UINT64_MAX - 0x100); EXPECT(-E_RANGE, "outside the guest");
	FRESH32(); put32(buf + 52 + 2 * 32 + 20, RAM); EXPECT(-E_RANGE, "outside the guest");
	/* page 0 */
	FRESH32(); put32(buf + 52 + 12, 0x800); put32(buf + 24, 0x810); EXPECT(-E_RANGE, "page 0");
	/* overlapping: data moved into text, bss into data */
	FRESH32(); put32(buf + 52 + 2 * 32 + 12, 0x100200); EXPECT(-E_INVAL, "overlap");
	FRESH32(); put32(buf + 52 + 3 * 32 + 12, 0x103000); EXPECT(-E_INVAL, "overlap");
	/* entry outside segments, in bss, in a non-executable segment */
	FRESH32(); put32(buf + 24, 0x500000); EXPECT(-E_INVAL, "entry point");
	FRESH32(); put32(buf + 24, 0x102800); EXPECT(-E_INVAL, "entry point");
	FRESH32(); put32(buf + 24, 0x102010); EXPECT(-E_INVAL, "entry point");
	FRESH32(); put32(buf + 52 + 24, 4); EXPECT(-E_INVAL, "entry point");
	/* 64-bit entry above 4 GiB */
	{
		const struct seg_spec s[] = { { 1, 0x100000, 0x100000, 0x100, 0x100, 5 } };
		n = build_elf(buf, sizeof(buf), true, 0x100000, s, 1);
		assert_int_equal(plan_buf(buf, n, IMAGE_ELF), 0);
		assert_int_equal(image_plan(NAME, buf, n, IMAGE_ELF, GiB(8), VCPU_START_PROT32, &(struct image_plan){0}), 0);
		put64(buf + 64 + 24, GiB(5));
		put64(buf + 64 + 16, GiB(5));
		put64(buf + 24, GiB(5));
		assert_int_equal(image_plan(NAME, buf, n, IMAGE_ELF, GiB(8), VCPU_START_PROT32, &(struct image_plan){0}), -E_RANGE);
		assert_non_null(strstr(shim_last_log, "above 4 GiB"));
	}
	/* too many segments */
	{
		struct seg_spec s[IMAGE_MAX_SEGMENTS + 1];
		for (size_t i = 0; i < ARRAY_SIZE(s); i++)
			s[i] = (struct seg_spec){ 1, 0x100000 + i * 0x1000, 0x100000 + i * 0x1000, 0x10, 0x10, 5 };
		n = build_elf(buf, sizeof(buf), false, 0x100000, s, ARRAY_SIZE(s));
		EXPECT(-E_NOTSUP, "more than");
		n = build_elf(buf, sizeof(buf), false, 0x100000, s, IMAGE_MAX_SEGMENTS);
		assert_int_equal(plan_buf(buf, n, IMAGE_ELF), 0);
	}
	/* only non-PT_LOAD / empty segments */
	{
		const struct seg_spec s[] = { { 4, 0, 0, 0x10, 0x10, 4 }, { 1, 0x100000, 0x100000, 0, 0, 5 } };
		n = build_elf(buf, sizeof(buf), false, 0x100000, s, 2);
		EXPECT(-E_INVAL, "no PT_LOAD");
	}
	/* Not an ELF at all, explicitly. */
	memset(buf, 0, 64);
	n = 64;
	EXPECT(-E_INVAL, "not an ELF");
#undef EXPECT
}

static void test_multiboot_lies(void **state)
{
	(void)state;
	uint8_t buf[4096];
	size_t n;
	uint8_t *h = buf + 0x40;

#define FRESH() (n = mb_kludge(buf, sizeof(buf)))
#define EXPECT(rc, text) do { \
		assert_int_equal(plan_buf(buf, n, IMAGE_AUTO), rc); \
		assert_non_null(strstr(shim_last_log, text)); \
	} while (0)

	/* a bad checksum: an error when multiboot is asked for (auto takes it for data) */
	FRESH(); put32(h + 8, get32(h + 8) + 1);
	assert_int_equal(plan_buf(buf, n, IMAGE_MULTIBOOT), -E_INVAL);
	assert_non_null(strstr(shim_last_log, "checksum"));
	FRESH(); mb_header(h, (1 << 16) | (1 << 3)); EXPECT(-E_NOTSUP, "lacks");
	FRESH(); mb_header(h, (1 << 16) | (1 << 15)); EXPECT(-E_NOTSUP, "lacks");
	/* optional flags 17..31 are ignored; video (bit 2) accepted */
	FRESH(); mb_header(h, (1 << 16) | (1 << 20) | 4); assert_int_equal(plan_buf(buf, n, IMAGE_AUTO), 0);
	/* kludge: header_addr below load_addr; header_addr - load_addr > file offset */
	FRESH(); put32(h + 12, 0xFFFF0); EXPECT(-E_INVAL, "header_addr");
	FRESH(); put32(h + 16, 0x0FFF00); EXPECT(-E_INVAL, "header_addr");
	/* load_end <= load_addr; past the file */
	FRESH(); put32(h + 20, 0x100000); EXPECT(-E_INVAL, "load_end_addr");
	FRESH(); put32(h + 20, 0x100401); EXPECT(-E_INVAL, "extend past");
	FRESH(); put32(h + 20, 0xFFFFFFFF); EXPECT(-E_INVAL, "extend past");
	/* header not inside the loaded text */
	FRESH(); put32(h + 20, 0x100050); EXPECT(-E_INVAL, "not inside");
	/* bss_end below load_end */
	FRESH(); put32(h + 24, 0x100200); EXPECT(-E_INVAL, "bss_end_addr");
	/* entry outside the text (in bss, below) */
	FRESH(); put32(h + 28, 0x100300); EXPECT(-E_INVAL, "entry_addr");
	FRESH(); put32(h + 28, 0xFFFFF); EXPECT(-E_INVAL, "entry_addr");
	/* beyond RAM, page 0 */
	FRESH(); put32(h + 24, RAM + 0x1000); EXPECT(-E_RANGE, "outside the guest");
	FRESH(); put32(h + 12, 0x840); put32(h + 16, 0x800); put32(h + 20, 0xb00);
	put32(h + 24, 0); put32(h + 28, 0x880); EXPECT(-E_RANGE, "page 0");
	/* kludge fields cut off by the end of the file */
	FRESH(); n = 0x40 + 20; EXPECT(-E_INVAL, "cut off");
	/* header past the first 8 KiB is not a header */
	{
		uint8_t *big = calloc(1, 0x3000);
		mb_header(big + 0x2000, 3);
		assert_int_equal(image_plan(NAME, big, 0x3000, IMAGE_MULTIBOOT, RAM, VCPU_START_PROT32, &(struct image_plan){0}), -E_INVAL);
		assert_non_null(strstr(shim_last_log, "no multiboot1 header"));
		mb_header(big + 0x1ff4, 3); /* the last slot that fits */
		assert_int_equal(image_find_multiboot(big, 0x3000, true), 0x1ff4);
		free(big);
	}
	/* a misaligned header is not found; forced, it is refused */
	FRESH(); memset(h, 0, 32); mb_header(buf + 0x42, 3);
	assert_int_equal(image_find_multiboot(buf, n, false), -E_NOENT);
	/* the magic as data (bad checksum): auto takes the image as flat */
	{
		uint8_t data[64] = { 0 };
		struct image_plan p;
		put32(data + 8, 0x1BADB002u);
		assert_int_equal(image_find_multiboot(data, sizeof(data), true), -E_NOENT);
		assert_int_equal(image_find_multiboot(data, sizeof(data), false), 8);
		assert_int_equal(image_plan(NAME, data, sizeof(data), IMAGE_AUTO, RAM, VCPU_START_PROT32, &p), 0);
		assert_int_equal(p.format, IMAGE_FLAT);
		assert_int_equal(image_plan(NAME, data, sizeof(data), IMAGE_MULTIBOOT, RAM, VCPU_START_PROT32, &p), -E_INVAL);
		assert_non_null(strstr(shim_last_log, "bad checksum"));
	}
	assert_int_equal(image_plan_multiboot(NAME, buf, n, 0x42, RAM, &(struct image_plan){0}), -E_INVAL);
	assert_non_null(strstr(shim_last_log, "4-aligned"));
	/* no kludge and not an ELF */
	FRESH(); mb_header(h, 3); EXPECT(-E_INVAL, "must be an ELF");
	/* multiboot ELF: the ELF lies are still caught */
	n = mb_elf(buf, sizeof(buf));
	put32(buf + 24, 0x500000);
	EXPECT(-E_INVAL, "entry point");
#undef EXPECT
#undef FRESH
}

/* Flip random bytes of valid images: never a crash, any plan self-consistent. */
static void test_mutation(void **state)
{
	(void)state;
	uint8_t base[4][4096], work[4096];
	size_t sizes[4];
	size_t (*builders[])(uint8_t *, size_t) = { elf32_valid, elf64_higher_half, mb_kludge, mb_elf };
	unsigned ok = 0;

	for (size_t b = 0; b < 4; b++)
		sizes[b] = builders[b](base[b], sizeof(base[b]));
	rng_seed(0x1A6E);
	for (int iter = 0; iter < 20000; iter++) {
		size_t b = rng_below(4), n = sizes[b];
		memcpy(work, base[b], n);
		unsigned flips = 1 + (unsigned)rng_below(8);
		for (unsigned k = 0; k < flips; k++) {
			/* mostly headers, where the lies matter */
			size_t at = rng_below(4) ? rng_below(MIN(n, (size_t)0xc0)) : rng_below(n);
			work[at] = rng_below(2) ? (uint8_t)rng_next() : (uint8_t)(work[at] ^ (1u << rng_below(8)));
		}
		if (rng_below(4) == 0)
			n = rng_below(n + 1);
		enum image_format f = (enum image_format)rng_below(5);
		struct image_plan p;
		if (plan_copy(work, n, f, &p) == 0)
			ok++;
	}
	assert_true(ok > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		cmocka_unit_test(test_elf32_valid),
		cmocka_unit_test(test_elf64_higher_half),
		cmocka_unit_test(test_multiboot_kludge),
		cmocka_unit_test(test_multiboot_elf),
		cmocka_unit_test(test_multiboot_info),
		cmocka_unit_test(test_multiboot_info_placement),
		cmocka_unit_test(test_flat),
		cmocka_unit_test(test_bzimage),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_elf_lies),
		cmocka_unit_test(test_multiboot_lies),
		cmocka_unit_test(test_mutation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

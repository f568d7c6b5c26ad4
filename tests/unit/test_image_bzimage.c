/*
 * Linux bzImage plans (core/image_bzimage.c): the setup header checks, the
 * placement of the kernel and the initrd, and the zero page. The images are
 * built here from the boot protocol's field offsets, independently of the
 * loader, each planned from an exact-size malloc so ASan catches a read past
 * the file. If build/linux/vmlinuz exists (tools/fetch-linux.sh), the real
 * Debian kernel is planned too; otherwise that test is skipped.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/image.h>

#define NAME "t: /guests/vmlinuz"
#define RAM MiB(64)

static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }
static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t get64(const uint8_t *p) { return get32(p) | (uint64_t)get32(p + 4) << 32; }

/* The setup header fields a test varies (boot.rst, "The real-mode kernel header"). */
struct bz {
	uint8_t setup_sects;   /* 0x1F1 */
	uint16_t boot_flag;    /* 0x1FE */
	uint8_t jump;          /* 0x201: header end = 0x202 + jump */
	uint16_t version;      /* 0x206 */
	uint8_t loadflags;     /* 0x211 */
	uint32_t initrd_max;   /* 0x22C */
	uint32_t align;        /* 0x230 */
	uint8_t relocatable;   /* 0x234 */
	uint32_t cmdline_size; /* 0x238 */
	uint64_t pref;         /* 0x258 */
	uint32_t init_size;    /* 0x260 */
	size_t ksize;          /* protected-mode kernel bytes */
};

/* A 6.1-like kernel: protocol 2.15, 2 MiB aligned, prefers 16 MiB, needs 4 MiB. */
static const struct bz good = {
	.setup_sects = 4, .boot_flag = 0xAA55, .jump = 0x6A, .version = 0x020F,
	.loadflags = 0x01, .initrd_max = 0x7fffffff, .align = 0x200000,
	.relocatable = 1, .cmdline_size = 2047, .pref = 0x1000000,
	.init_size = 0x400000, .ksize = 0x1000,
};

static size_t bz_setup_bytes(const struct bz *b)
{
	return ((size_t)(b->setup_sects ? b->setup_sects : 4) + 1) * 512;
}

/* A malloc'd image of exactly the file's size; *n gets it. */
static uint8_t *build(const struct bz *b, size_t *n)
{
	size_t setup = bz_setup_bytes(b);
	size_t size = MAX(setup + b->ksize, (size_t)0x300);
	uint8_t *img = calloc(1, size);
	assert_non_null(img);
	memset(img + 0x300, 0xcc, size - 0x300); /* setup code */
	img[0x1F1] = b->setup_sects;
	put16(img + 0x1FE, b->boot_flag);
	img[0x200] = 0xEB;
	img[0x201] = b->jump;
	memcpy(img + 0x202, "HdrS", 4);
	put16(img + 0x206, b->version);
	put16(img + 0x20E, 0x100); /* kernel_version: a string pointer, unused */
	img[0x211] = b->loadflags;
	put32(img + 0x214, 0x100000);
	put32(img + 0x22C, b->initrd_max);
	put32(img + 0x230, b->align);
	img[0x234] = b->relocatable;
	img[0x235] = 12;
	put32(img + 0x238, b->cmdline_size);
	put64(img + 0x258, b->pref);
	put32(img + 0x260, b->init_size);
	if (size > setup)
		memset(img + setup, 0x90, size - setup); /* startup_32 */
	*n = size;
	return img;
}

static int plan_bytes(const uint8_t *img, size_t n, enum image_format f,
		      uint64_t ram, struct image_plan *p)
{
	uint8_t *c = malloc(n ? n : 1);
	assert_non_null(c);
	memcpy(c, img, n);
	shim_last_log[0] = 0;
	memset(p, 0xa5, sizeof(*p));
	int rc = image_plan(NAME, c, n, f, ram, VCPU_START_REAL, p);
	if (rc != 0)
		assert_non_null(strstr(shim_last_log, NAME));
	free(c);
	return rc;
}

static int plan_bz(const struct bz *b, uint64_t ram, struct image_plan *p)
{
	size_t n;
	uint8_t *img = build(b, &n);
	int rc = plan_bytes(img, n, IMAGE_BZIMAGE, ram, p);
	free(img);
	return rc;
}

/* What every Linux plan must be: one segment in RAM above 1 MiB, entry at its start. */
static void check_linux_plan(const struct image_plan *p, size_t size, uint64_t ram)
{
	assert_int_equal(p->format, IMAGE_BZIMAGE);
	assert_true(p->linux_boot);
	assert_false(p->multiboot);
	assert_int_equal(p->start_mode, VCPU_START_PROT32);
	assert_int_equal(p->start_eax, 0);
	assert_int_equal(p->segments, 1);
	const struct image_segment *s = &p->seg[0];
	assert_int_equal(p->entry, s->gpa);
	assert_true(s->gpa >= 0x100000);
	assert_true(s->file_size > 0 && s->file_size <= s->mem_size);
	assert_int_equal(s->file_offset + s->file_size, size);
	assert_true(s->file_offset % 512 == 0 && s->file_offset >= 1024);
	assert_true(s->gpa + s->mem_size <= ram);
	assert_true(s->gpa + s->mem_size <= 0x100000000ull);
	assert_int_equal(p->kernel_mem, s->mem_size);
	assert_int_equal(p->kernel_size, s->file_size);
	/* zero page and command line: low memory, apart, not in page 0 */
	assert_true(p->zero_page_gpa >= 0x1000 && p->zero_page_gpa % 4096 == 0);
	assert_true(p->zero_page_gpa + 4096 <= p->cmdline_gpa ||
		    p->cmdline_gpa + p->cmdline_max + 1 <= p->zero_page_gpa);
	assert_true(p->cmdline_gpa >= 0x1000 && p->cmdline_gpa + p->cmdline_max + 1 <= 0x9F000);
	assert_int_equal(p->initrd_gpa, 0);
	assert_int_equal(p->initrd_size, 0);
}

static void test_good(void **state)
{
	(void)state;
	struct image_plan p;
	size_t n;
	uint8_t *img = build(&good, &n);

	/* Detected under auto, and explicitly. */
	assert_int_equal(plan_bytes(img, n, IMAGE_AUTO, RAM, &p), 0);
	check_linux_plan(&p, n, RAM);
	assert_int_equal(plan_bytes(img, n, IMAGE_BZIMAGE, RAM, &p), 0);
	check_linux_plan(&p, n, RAM);
	assert_int_equal(p.entry, 0x1000000);
	assert_int_equal(p.seg[0].file_offset, 5 * 512);
	assert_int_equal(p.seg[0].file_size, 0x1000);
	assert_int_equal(p.seg[0].mem_size, 0x400000);
	assert_int_equal(p.zero_page_gpa, 0x7000);
	assert_int_equal(p.cmdline_gpa, 0x8000);
	assert_int_equal(p.cmdline_max, 2047);
	assert_int_equal(p.initrd_addr_max, 0x7fffffff);
	assert_int_equal(p.linux_version, 0x020F);

	/* A 1 MiB + 5 initrd: at the top of RAM, page-aligned. */
	uint64_t isz = MiB(1) + 5;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, isz), 0);
	assert_int_equal(p.initrd_gpa, RAM - MiB(1) - 4096);
	assert_int_equal(p.initrd_size, isz);

	static uint8_t zp[4096];
	const char *cmd = "console=ttyS0 noapic nolapic acpi=off";
	memset(zp, 0x5a, sizeof(zp));
	assert_int_equal(image_build_linux_params(NAME, &p, img, n, RAM, cmd, zp), 0);
	/* The setup header, 0x1F1 to its end (0x26C), from the image... */
	assert_int_equal(zp[0x1F1], 4);
	assert_int_equal(get16(zp + 0x1FE), 0xAA55);
	assert_memory_equal(zp + 0x202, "HdrS", 4);
	assert_int_equal(get16(zp + 0x206), 0x020F);
	assert_int_equal(get32(zp + 0x230), 0x200000);
	assert_int_equal(get32(zp + 0x238), 2047);
	assert_int_equal(get64(zp + 0x258), 0x1000000);
	assert_int_equal(get32(zp + 0x260), 0x400000);
	/* ...with the loader's fields */
	assert_int_equal(zp[0x210], 0xFF);           /* type_of_loader */
	assert_int_equal(zp[0x211], 0x01);           /* loadflags: LOADED_HIGH only */
	assert_int_equal(get32(zp + 0x214), 0x1000000); /* code32_start */
	assert_int_equal(get32(zp + 0x218), RAM - MiB(1) - 4096); /* ramdisk_image */
	assert_int_equal(get32(zp + 0x21C), isz);    /* ramdisk_size */
	assert_int_equal(get16(zp + 0x224), 0);      /* heap_end_ptr */
	assert_int_equal(get32(zp + 0x228), 0x8000); /* cmd_line_ptr */
	assert_int_equal(get32(zp + 0x0C0), 0);      /* ext_ramdisk_image */
	assert_int_equal(get32(zp + 0x0C4), 0);      /* ext_ramdisk_size */
	assert_int_equal(get32(zp + 0x0C8), 0);      /* ext_cmd_line_ptr */
	assert_int_equal(get32(zp + 0x1E0), (RAM - MiB(1)) >> 10); /* alt_mem_k */
	assert_int_equal(zp[0x1EF], 0);              /* sentinel */
	/* e820: [0, 640K) RAM, [640K, 1M) reserved, [1M, RAM) RAM */
	assert_int_equal(zp[0x1E8], 3);
	const uint64_t e820[3][3] = {
		{ 0, 0xA0000, 1 }, { 0xA0000, 0x60000, 2 }, { 0x100000, RAM - MiB(1), 1 },
	};
	for (int i = 0; i < 3; i++) {
		const uint8_t *e = zp + 0x2D0 + 20 * i;
		assert_int_equal(get64(e), e820[i][0]);
		assert_int_equal(get64(e + 8), e820[i][1]);
		assert_int_equal(get32(e + 16), e820[i][2]);
	}
	/* Everything else is zero: screen_info (no video), acpi_rsdp_addr, the rest. */
	for (size_t i = 0; i < 4096; i++) {
		bool hdr = i >= 0x1F1 && i < 0x26C;
		bool set = (i >= 0x1E0 && i < 0x1E4) || i == 0x1E8 ||
			   (i >= 0x2D0 && i < 0x2D0 + 60);
		if (!hdr && !set && zp[i] != 0)
			fail_msg("zero page byte %#zx is %#x", i, zp[i]);
	}

	/* No command line: an empty one; cmd_line_ptr still points at its NUL. */
	assert_int_equal(image_build_linux_params(NAME, &p, img, n, RAM, NULL, zp), 0);
	assert_int_equal(get32(zp + 0x228), 0x8000);
	/* Not a Linux plan. */
	struct image_plan q = p;
	q.linux_boot = false;
	assert_int_equal(image_build_linux_params(NAME, &q, img, n, RAM, cmd, zp), -E_INVAL);
	assert_int_equal(image_plan_initrd(NAME, &q, RAM, 4096), -E_INVAL);
	assert_non_null(strstr(shim_last_log, "only passed to Linux"));
	free(img);
}

/* Every length short of a kernel is refused with the name; no read past the end. */
static void test_truncated(void **state)
{
	(void)state;
	struct image_plan p;
	size_t n;
	uint8_t *img = build(&good, &n);
	size_t setup = bz_setup_bytes(&good);

	for (size_t len = 0; len <= setup; len++) {
		int rc = plan_bytes(img, len, IMAGE_BZIMAGE, RAM, &p);
		if (rc == 0)
			fail_msg("a %zu-byte cut was planned", len);
		if (len < 0x206)
			assert_non_null(strstr(shim_last_log, "truncated"));
		else if (len < 0x26C)
			assert_non_null(strstr(shim_last_log, len < 0x208 ? "version" : "setup header ends at 0x26c"));
		else
			assert_non_null(strstr(shim_last_log, "no protected-mode kernel"));
	}
	for (size_t len = setup + 1; len <= n; len++) {
		assert_int_equal(plan_bytes(img, len, IMAGE_BZIMAGE, RAM, &p), 0);
		check_linux_plan(&p, len, RAM);
	}
	free(img);
}

#define EXPECT(b, ram, rc, text)                                                   \
	do {                                                                       \
		assert_int_equal(plan_bz(&(b), (ram), &p), (rc));                  \
		if (!strstr(shim_last_log, (text)))                                \
			fail_msg("log \"%s\" lacks \"%s\"", shim_last_log, (text)); \
	} while (0)

static void test_header_refusals(void **state)
{
	(void)state;
	struct image_plan p;
	struct bz b;

	b = good; b.boot_flag = 0x55AA;
	EXPECT(b, RAM, -E_INVAL, "boot_flag at 0x1FE is 0x55aa");
	b = good; b.version = 0x0205;
	EXPECT(b, RAM, -E_NOTSUP, "version 2.05 is older than 2.06 (needed for cmdline_size)");
	b = good; b.version = 0x0100;
	EXPECT(b, RAM, -E_NOTSUP, "older than 2.06");
	/* The jump at 0x200 says where the header ends; 2.10+ needs it through init_size. */
	b = good; b.jump = 0x61;
	EXPECT(b, RAM, -E_INVAL, "protocol 2.15 needs it to reach 0x264");
	b = good; b.jump = 0x80; /* a backward jump: the header would end at 0x182 */
	EXPECT(b, RAM, -E_INVAL, "setup header ends at 0x182");
	b = good; b.jump = 0x7F; /* the longest header */
	assert_int_equal(plan_bz(&b, RAM, &p), 0);
	b = good; b.version = 0x0209; b.jump = 0x39;
	EXPECT(b, RAM, -E_INVAL, "needs it to reach 0x23c");
	b = good; b.loadflags = 0x80;
	EXPECT(b, RAM, -E_NOTSUP, "without LOADED_HIGH: a zImage");
	b = good; b.ksize = 0;
	EXPECT(b, RAM, -E_INVAL, "no protected-mode kernel");
	b = good; b.relocatable = 1; b.align = 0x300000;
	EXPECT(b, RAM, -E_INVAL, "kernel_alignment 0x300000");
	b = good; b.align = 0x800;
	EXPECT(b, RAM, -E_INVAL, "kernel_alignment");
	b = good; b.align = 0;
	EXPECT(b, RAM, -E_INVAL, "kernel_alignment");
	/* Not relocatable: the alignment does not matter. */
	b = good; b.relocatable = 0; b.align = 0;
	assert_int_equal(plan_bz(&b, RAM, &p), 0);

	/* HdrS missing: not detected, and refused when asked for. */
	size_t n;
	uint8_t *img = build(&good, &n);
	img[0x202] = 'h';
	assert_int_equal(plan_bytes(img, n, IMAGE_BZIMAGE, RAM, &p), -E_INVAL);
	assert_non_null(strstr(shim_last_log, "not \"HdrS\""));
	assert_int_equal(plan_bytes(img, n, IMAGE_AUTO, RAM, &p), 0);
	assert_int_equal(p.format, IMAGE_FLAT);
	free(img);

	/* setup_sects 0 means 4; other counts move the kernel. */
	b = good; b.setup_sects = 0;
	assert_int_equal(plan_bz(&b, RAM, &p), 0);
	assert_int_equal(p.seg[0].file_offset, 5 * 512);
	b = good; b.setup_sects = 1;
	assert_int_equal(plan_bz(&b, RAM, &p), 0);
	assert_int_equal(p.seg[0].file_offset, 2 * 512);
	b = good; b.setup_sects = 63;
	assert_int_equal(plan_bz(&b, RAM, &p), 0);
	assert_int_equal(p.seg[0].file_offset, 64 * 512);
}

static void test_placement(void **state)
{
	(void)state;
	struct image_plan p;
	struct bz b;

	/* pref_address when [pref, pref + init_size) fits. */
	b = good;
	assert_int_equal(plan_bz(&b, MiB(20), &p), 0);
	assert_int_equal(p.entry, MiB(16));
	/* One page short: the lowest 2 MiB-aligned address from 1 MiB. */
	assert_int_equal(plan_bz(&b, MiB(20) - 4096, &p), 0);
	assert_int_equal(p.entry, MiB(2));
	check_linux_plan(&p, bz_setup_bytes(&b) + b.ksize, MiB(20) - 4096);
	b.align = 0x400000;
	assert_int_equal(plan_bz(&b, MiB(12), &p), 0);
	assert_int_equal(p.entry, MiB(4));
	b.align = 0x1000;
	assert_int_equal(plan_bz(&b, MiB(12), &p), 0);
	assert_int_equal(p.entry, MiB(1));
	/* Not relocatable: 1 MiB. */
	b = good; b.relocatable = 0;
	assert_int_equal(plan_bz(&b, MiB(12), &p), 0);
	assert_int_equal(p.entry, MiB(1));
	/* A pref_address below 1 MiB is not taken. */
	b = good; b.pref = 0x10000;
	assert_int_equal(plan_bz(&b, RAM, &p), 0);
	assert_int_equal(p.entry, MiB(2));
	/* Nor one reaching above 4 GiB, even with the RAM for it. */
	b = good; b.pref = 0xFFF00000;
	assert_int_equal(plan_bz(&b, MiB(8192), &p), 0);
	assert_int_equal(p.entry, MiB(2));
	/* Protocol 2.06..2.09: no pref_address/init_size, the file size is what is needed. */
	b = good; b.version = 0x0209; b.jump = 0x3A; b.relocatable = 0;
	assert_int_equal(plan_bz(&b, MiB(2), &p), 0);
	assert_int_equal(p.entry, MiB(1));
	assert_int_equal(p.seg[0].mem_size, b.ksize);
	/* init_size smaller than the file: the file. */
	b = good; b.init_size = 0x10;
	assert_int_equal(plan_bz(&b, RAM, &p), 0);
	assert_int_equal(p.seg[0].mem_size, b.ksize);

	/* Too little RAM: say how much is needed. */
	b = good;
	EXPECT(b, MiB(6) - 4096, -E_RANGE, "6144 KiB of RAM, the guest has 6140 KiB");
	b = good; b.init_size = 0x10000000;
	EXPECT(b, MiB(64), -E_RANGE, "init_size 0x10000000");
	assert_non_null(strstr(shim_last_log, "264192 KiB of RAM"));
	b = good; b.relocatable = 0;
	EXPECT(b, MiB(4), -E_RANGE, "at 0x100000 needs 0x400000 bytes");
	b = good; b.ksize = MiB(3);
	EXPECT(b, MiB(2), -E_RANGE, "KiB of RAM");
}

static void test_cmdline(void **state)
{
	(void)state;
	struct image_plan p;
	static uint8_t zp[4096];
	char line[64];
	struct bz b = good;
	b.cmdline_size = 16;
	size_t n;
	uint8_t *img = build(&b, &n);

	assert_int_equal(plan_bytes(img, n, IMAGE_BZIMAGE, RAM, &p), 0);
	assert_int_equal(p.cmdline_max, 16);
	memset(line, 'x', sizeof(line));
	line[16] = 0;
	assert_int_equal(image_build_linux_params(NAME, &p, img, n, RAM, line, zp), 0);
	line[16] = 'x';
	line[17] = 0;
	shim_last_log[0] = 0;
	assert_int_equal(image_build_linux_params(NAME, &p, img, n, RAM, line, zp), -E_RANGE);
	assert_non_null(strstr(shim_last_log, NAME ": the command line has 17 characters, more than the kernel's cmdline_size (16)"));
	free(img);

	/* A huge cmdline_size is capped to the room planned (0x8000..0x10000). */
	b.cmdline_size = 0xffffffff;
	img = build(&b, &n);
	assert_int_equal(plan_bytes(img, n, IMAGE_BZIMAGE, RAM, &p), 0);
	assert_int_equal(p.cmdline_max, 0x7fff);
	check_linux_plan(&p, n, RAM);
	/* A zero page is not built for a header the plan did not come from. */
	img[0x201] = 0x10;
	assert_int_equal(image_build_linux_params(NAME, &p, img, n, RAM, "", zp), -E_INVAL);
	assert_int_equal(image_build_linux_params(NAME, &p, img, 0x200, RAM, "", zp), -E_INVAL);
	free(img);
}

static void test_initrd(void **state)
{
	(void)state;
	struct image_plan p, base;
	struct bz b = good;

	/* Kernel at 16..20 MiB; initrd_addr_max 32 MiB - 1 in 64 MiB of RAM. */
	b.initrd_max = MiB(32) - 1;
	assert_int_equal(plan_bz(&b, RAM, &base), 0);
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, MiB(8)), 0);
	assert_int_equal(p.initrd_gpa, MiB(24));
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, MiB(12)), 0);
	assert_int_equal(p.initrd_gpa, MiB(20)); /* just above the kernel */
	/* 13 MiB would overlap the kernel from below 32 MiB: under it instead. */
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, MiB(13)), 0);
	assert_int_equal(p.initrd_gpa, MiB(3));
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, MiB(15)), 0);
	assert_int_equal(p.initrd_gpa, MiB(1));
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, MiB(15) + 1), -E_RANGE);
	assert_non_null(strstr(shim_last_log, NAME ": initrd: 15728641 bytes do not fit"));
	assert_int_equal(p.initrd_gpa, 0);
	assert_int_equal(p.initrd_size, 0);
	/* No initrd. */
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, 0), 0);
	assert_int_equal(p.initrd_gpa, 0);
	/* Bigger than RAM, and RAM the limit below initrd_addr_max. */
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, RAM + 1), -E_RANGE);
	b.initrd_max = 0x7fffffff;
	assert_int_equal(plan_bz(&b, RAM, &base), 0);
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, 4096), 0);
	assert_int_equal(p.initrd_gpa, RAM - 4096);
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, MiB(44)), 0);
	assert_int_equal(p.initrd_gpa, MiB(20));
	/* One byte more reaches into the kernel, and 15 MiB below it is too little. */
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, MiB(44) + 1), -E_RANGE);
}

static void test_initrd_limits(void **state)
{
	(void)state;
	struct image_plan p, base;
	struct bz b = good;

	/* initrd_addr_max below 1 MiB leaves no room at all. */
	b.initrd_max = 0xFFFFF;
	assert_int_equal(plan_bz(&b, RAM, &base), 0);
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, 4096), -E_RANGE);
	assert_non_null(strstr(shim_last_log, "initrd"));
	/* initrd_addr_max inside the kernel: below it only. */
	b.initrd_max = MiB(18) - 1;
	assert_int_equal(plan_bz(&b, RAM, &base), 0);
	p = base;
	assert_int_equal(image_plan_initrd(NAME, &p, RAM, MiB(4)), 0);
	assert_int_equal(p.initrd_gpa, MiB(12));
	/* The zero page tells the kernel where it is. */
	static uint8_t zp[4096];
	size_t n;
	uint8_t *img = build(&b, &n);
	assert_int_equal(image_build_linux_params(NAME, &p, img, n, RAM, "x", zp), 0);
	assert_int_equal(get32(zp + 0x218), MiB(12));
	assert_int_equal(get32(zp + 0x21C), MiB(4));
	assert_int_equal(get32(zp + 0x22C), MiB(18) - 1);
	free(img);
}

/* Random lies in the header: never a crash; any plan is a sane one. */
static void test_mutation(void **state)
{
	(void)state;
	static uint8_t zp[4096];
	size_t n;
	uint8_t *base = build(&good, &n);
	uint8_t *work = malloc(n);
	unsigned ok = 0;

	assert_non_null(work);
	rng_seed(0xB21A);
	for (int iter = 0; iter < 20000; iter++) {
		memcpy(work, base, n);
		unsigned flips = 1 + (unsigned)rng_below(6);
		for (unsigned k = 0; k < flips; k++) {
			size_t at = 0x1F1 + rng_below(0x270 - 0x1F1);
			work[at] = rng_below(2) ? (uint8_t)rng_next()
						: (uint8_t)(work[at] ^ (1u << rng_below(8)));
		}
		size_t len = rng_below(4) ? n : rng_below(n + 1);
		uint64_t ram = MiB(1 + rng_below(64));
		struct image_plan p;
		if (plan_bytes(work, len, IMAGE_BZIMAGE, ram, &p) != 0)
			continue;
		ok++;
		check_linux_plan(&p, len, ram);
		if (image_plan_initrd(NAME, &p, ram, rng_below(MiB(8))) == 0 && p.initrd_size) {
			assert_true(p.initrd_gpa >= MiB(1) && p.initrd_gpa % 4096 == 0);
			assert_true(p.initrd_gpa + p.initrd_size <= ram);
			assert_true(p.initrd_gpa + p.initrd_size <= (uint64_t)p.initrd_addr_max + 1);
			assert_true(p.initrd_gpa >= p.entry + p.kernel_mem ||
				    p.initrd_gpa + p.initrd_size <= p.entry);
		}
		assert_int_equal(image_build_linux_params(NAME, &p, work, len, ram, "", zp), 0);
		assert_true(zp[0x1E8] >= 2 && zp[0x1E8] <= 3);
	}
	assert_true(ok > 1000);
	free(work);
	free(base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_header_refusals),
		cmocka_unit_test(test_placement),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_initrd),
		cmocka_unit_test(test_initrd_limits),
		cmocka_unit_test(test_mutation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * multiboot1_parse / multiboot2_parse on synthetic loader structures. The
 * builders here write every field at the offset the specifications give,
 * independently of boot/multiboot.h, so a wrong struct layout there fails.
 *
 * Multiboot2 structures are copied into a malloc block of exactly total_size
 * bytes, so ASan reports any read past what the structure declares.
 * Multiboot1 holds 32-bit physical pointers, so its data lives below 4 GiB
 * (MAP_32BIT), each block ending right before an inaccessible page: an
 * over-read faults there instead.
 */
#define _GNU_SOURCE
#include "host_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <plinth/boot_info.h>
#include <plinth/errno.h>

/* ---- little-endian field writers ---------------------------------------- */

static void put_u8(uint8_t *b, size_t off, uint8_t v)
{
	b[off] = v;
}

static void put_u16(uint8_t *b, size_t off, uint16_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void put_u32(uint8_t *b, size_t off, uint32_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

static void put_u64(uint8_t *b, size_t off, uint64_t v)
{
	memcpy(b + off, &v, sizeof(v));
}

struct region {
	uint64_t base, len;
	uint32_t type;
};

static struct boot_info bi; /* 20 KiB: not on the test stack */

static void check_mem(const struct boot_info *got, const struct region *want,
		      size_t n)
{
	assert_int_equal(got->mem_count, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(got->mem[i].base, want[i].base);
		assert_int_equal(got->mem[i].size, want[i].len);
		assert_int_equal(got->mem[i].type, want[i].type);
	}
}

static void check_zeroed(const struct boot_info *got)
{
	static const struct boot_info zero;

	assert_memory_equal(got, &zero, sizeof(zero));
}

static char *repeat_char(char c, size_t n)
{
	char *s = malloc(n + 1);

	assert_non_null(s);
	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* ========================================================================= */
/* Multiboot1                                                                */
/* ========================================================================= */

/* Offsets and flags from the Multiboot 0.6.96 specification, section 3.3. */
enum {
	MB1_FLAGS = 0,
	MB1_MEM_LOWER = 4,
	MB1_MEM_UPPER = 8,
	MB1_CMDLINE = 16,
	MB1_MODS_COUNT = 20,
	MB1_MODS_ADDR = 24,
	MB1_MMAP_LENGTH = 44,
	MB1_MMAP_ADDR = 48,
	MB1_LOADER_NAME = 64,
	MB1_FB_ADDR = 88,
	MB1_FB_PITCH = 96,
	MB1_FB_WIDTH = 100,
	MB1_FB_HEIGHT = 104,
	MB1_FB_BPP = 108,
	MB1_FB_TYPE = 109,
	MB1_FB_COLOR = 110,
	MB1_INFO_SIZE = 116,
};
#define F_MEMORY (1u << 0)
#define F_CMDLINE (1u << 2)
#define F_MODS (1u << 3)
#define F_MMAP (1u << 6)
#define F_LOADER_NAME (1u << 9)
#define F_FRAMEBUFFER (1u << 12)

#define MAX_LOW_BLOCKS 64
static struct {
	void *map;
	size_t len;
} low_blocks[MAX_LOW_BLOCKS];
static size_t low_block_count;

/* `size` bytes below 4 GiB, ending exactly at an inaccessible page. */
static void *low_alloc(size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t data = (size + page - 1) / page * page;
	uint8_t *map;

	if (data == 0)
		data = page;
	map = mmap(NULL, data + page, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	assert_true(map != MAP_FAILED);
	assert_true((uintptr_t)map + data + page <= 0x100000000ull);
	assert_int_equal(mprotect(map + data, page, PROT_NONE), 0);
	assert_true(low_block_count < MAX_LOW_BLOCKS);
	low_blocks[low_block_count].map = map;
	low_blocks[low_block_count].len = data + page;
	low_block_count++;
	memset(map + data - size, 0xA5, size);
	return map + data - size;
}

static int free_low_blocks(void **state)
{
	(void)state;
	for (size_t i = 0; i < low_block_count; i++)
		munmap(low_blocks[i].map, low_blocks[i].len);
	low_block_count = 0;
	return 0;
}

static uint32_t low_addr(const void *p)
{
	return (uint32_t)(uintptr_t)p;
}

static uint32_t low_string(const char *s)
{
	char *p = low_alloc(strlen(s) + 1);

	memcpy(p, s, strlen(s) + 1);
	return low_addr(p);
}

/* A zeroed info structure with `flags`. */
static uint8_t *mb1_info(uint32_t flags)
{
	uint8_t *info = low_alloc(MB1_INFO_SIZE);

	memset(info, 0, MB1_INFO_SIZE);
	put_u32(info, MB1_FLAGS, flags);
	return info;
}

/*
 * Memory map bytes: entry i has size field sizes[i] (NULL: 20) and is
 * padded with 0xAA beyond the 20 defined bytes. Caller frees.
 */
static uint8_t *mb1_mmap_bytes(const struct region *r, const uint32_t *sizes,
			       size_t n, size_t *len)
{
	size_t off = 0;
	uint8_t *map;

	*len = 0;
	for (size_t i = 0; i < n; i++)
		*len += 4 + (sizes ? sizes[i] : 20);
	map = malloc(*len ? *len : 1);
	assert_non_null(map);
	for (size_t i = 0; i < n; i++) {
		uint32_t size = sizes ? sizes[i] : 20;
		uint8_t entry[24];

		put_u32(entry, 0, size);
		put_u64(entry, 4, r[i].base);
		put_u64(entry, 12, r[i].len);
		put_u32(entry, 20, r[i].type);
		memset(map + off, 0xAA, 4 + size);
		memcpy(map + off, entry, MIN(sizeof(entry), 4 + (size_t)size));
		off += 4 + size;
	}
	return map;
}

/* Point info at a low copy of the first `len` bytes of `bytes`. */
static void mb1_set_mmap(uint8_t *info, const uint8_t *bytes, size_t len)
{
	uint8_t *map = low_alloc(len);

	memcpy(map, bytes, len);
	put_u32(info, MB1_MMAP_ADDR, low_addr(map));
	put_u32(info, MB1_MMAP_LENGTH, (uint32_t)len);
}

static void mb1_mmap(uint8_t *info, const struct region *r,
		     const uint32_t *sizes, size_t n)
{
	size_t len;
	uint8_t *bytes = mb1_mmap_bytes(r, sizes, n, &len);

	mb1_set_mmap(info, bytes, len);
	free(bytes);
}

struct t_module {
	uint32_t start, end;
	const char *string; /* NULL: string address 0 */
};

static void mb1_modules(uint8_t *info, const struct t_module *m, size_t n)
{
	uint8_t *mods = low_alloc(16 * n);

	for (size_t i = 0; i < n; i++) {
		put_u32(mods, 16 * i, m[i].start);
		put_u32(mods, 16 * i + 4, m[i].end);
		put_u32(mods, 16 * i + 8, m[i].string ? low_string(m[i].string) : 0);
		put_u32(mods, 16 * i + 12, 0);
	}
	put_u32(info, MB1_MODS_COUNT, (uint32_t)n);
	put_u32(info, MB1_MODS_ADDR, low_addr(mods));
}

/* A typical QEMU/SeaBIOS map, unsorted as firmware is allowed to report. */
static const struct region bios_map[] = {
	{ 0x100000, 0x7ee0000, 1 },
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x7fe0000, 0x20000, 2 },
	{ 0xfffc0000, 0x40000, 2 },
};
static const struct region bios_map_normalized[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xf0000, 0x10000, 2 },
	{ 0x100000, 0x7ee0000, 1 },
	{ 0x7fe0000, 0x20000, 2 },
	{ 0xfffc0000, 0x40000, 2 },
};

static void test_mb1_full(void **state)
{
	static const struct t_module mods[] = {
		{ 0x400000, 0x401234, "/guests/a.elf console=ttyS0" },
		{ 0x402000, 0x402000, NULL },
	};
	uint8_t *info = mb1_info(F_MEMORY | F_CMDLINE | F_MODS | F_MMAP |
				 F_LOADER_NAME | F_FRAMEBUFFER);

	(void)state;
	put_u32(info, MB1_MEM_LOWER, 639);
	put_u32(info, MB1_MEM_UPPER, 4 * 1024 * 1024); /* must be ignored */
	put_u32(info, MB1_CMDLINE, low_string("plinth log=debug"));
	put_u32(info, MB1_LOADER_NAME, low_string("GRUB 0.97"));
	mb1_modules(info, mods, 2);
	mb1_mmap(info, bios_map, NULL, 6);
	put_u64(info, MB1_FB_ADDR, 0x1fd000000ull);
	put_u32(info, MB1_FB_PITCH, 4096);
	put_u32(info, MB1_FB_WIDTH, 1024);
	put_u32(info, MB1_FB_HEIGHT, 768);
	put_u8(info, MB1_FB_BPP, 32);
	put_u8(info, MB1_FB_TYPE, 1);
	put_u8(info, MB1_FB_COLOR + 0, 16);
	put_u8(info, MB1_FB_COLOR + 1, 8);
	put_u8(info, MB1_FB_COLOR + 2, 8);
	put_u8(info, MB1_FB_COLOR + 3, 7);
	put_u8(info, MB1_FB_COLOR + 4, 0);
	put_u8(info, MB1_FB_COLOR + 5, 6);

	assert_int_equal(multiboot1_parse(info, &bi), 0);
	assert_int_equal(bi.protocol, BOOT_PROTO_MULTIBOOT1);
	assert_string_equal(bi.cmdline, "plinth log=debug");
	assert_string_equal(bi.loader_name, "GRUB 0.97");
	check_mem(&bi, bios_map_normalized, 6);
	assert_false(bi.mem_truncated);

	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].start, 0x400000);
	assert_int_equal(bi.modules[0].end, 0x401234);
	assert_string_equal(bi.modules[0].cmdline, "/guests/a.elf console=ttyS0");
	assert_int_equal(bi.modules[1].start, 0x402000);
	assert_int_equal(bi.modules[1].end, 0x402000);
	assert_string_equal(bi.modules[1].cmdline, "");

	assert_true(bi.has_framebuffer);
	assert_int_equal(bi.fb.addr, 0x1fd000000ull);
	assert_int_equal(bi.fb.pitch, 4096);
	assert_int_equal(bi.fb.width, 1024);
	assert_int_equal(bi.fb.height, 768);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.type, FB_TYPE_RGB);
	assert_int_equal(bi.fb.red_pos, 16);
	assert_int_equal(bi.fb.red_size, 8);
	assert_int_equal(bi.fb.green_pos, 8);
	assert_int_equal(bi.fb.green_size, 7);
	assert_int_equal(bi.fb.blue_pos, 0);
	assert_int_equal(bi.fb.blue_size, 6);

	assert_int_equal(bi.rsdp_len, 0);
	assert_int_equal(bi.efi_system_table, 0);
	assert_int_equal(bi.efi_mem_count, 0);
}

/* Entry `size` fields of 20, 28, 24 and 36: the walk must step by size+4. */
static void test_mb1_mmap_entry_sizes(void **state)
{
	static const struct region map[] = {
		{ 0x5000, 0x1000, 1 },
		{ 0x1000, 0x2000, 1 },
		{ 0x3000, 0x1000, 3 },
		{ 0x100000000ull, 0x80000000ull, 1 },
	};
	static const uint32_t sizes[] = { 20, 28, 24, 36 };
	static const struct region want[] = {
		{ 0x1000, 0x2000, 1 },
		{ 0x3000, 0x1000, 3 },
		{ 0x5000, 0x1000, 1 },
		{ 0x100000000ull, 0x80000000ull, 1 },
	};
	uint8_t *info = mb1_info(F_MMAP);

	(void)state;
	mb1_mmap(info, map, sizes, 4);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	check_mem(&bi, want, 4);
}

static void test_mb1_basic_meminfo_fallback(void **state)
{
	static const struct region want[] = {
		{ 0, 639 * 1024, MEM_USABLE },
		{ 0x100000, 130048ull * 1024, MEM_USABLE },
	};
	uint8_t *info = mb1_info(F_MEMORY);

	(void)state;
	put_u32(info, MB1_MEM_LOWER, 639);
	put_u32(info, MB1_MEM_UPPER, 130048);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	check_mem(&bi, want, 2);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader_name, "");
	assert_int_equal(bi.module_count, 0);
	assert_false(bi.has_framebuffer);
}

/* An empty map (flag set, length 0) also falls back to mem_lower/upper. */
static void test_mb1_empty_mmap_falls_back(void **state)
{
	uint8_t *info = mb1_info(F_MEMORY | F_MMAP);

	(void)state;
	put_u32(info, MB1_MEM_LOWER, 600);
	put_u32(info, MB1_MEM_UPPER, 1024);
	put_u32(info, MB1_MMAP_ADDR, 0x1000);
	put_u32(info, MB1_MMAP_LENGTH, 0);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	assert_int_equal(bi.mem_count, 2);
	assert_int_equal(bi.mem[1].size, MiB(1));
}

/* With no flags, every other field is garbage and must not be touched. */
static void test_mb1_no_flags(void **state)
{
	uint8_t *info = low_alloc(MB1_INFO_SIZE);

	(void)state;
	memset(info, 0xFF, MB1_INFO_SIZE);
	put_u32(info, MB1_FLAGS, 0);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	assert_int_equal(bi.protocol, BOOT_PROTO_MULTIBOOT1);
	assert_int_equal(bi.mem_count, 0);
	assert_int_equal(bi.module_count, 0);
	assert_false(bi.has_framebuffer);
	assert_string_equal(bi.cmdline, "");
}

static void expect_mb1_invalid(const uint8_t *info)
{
	memset(&bi, 0x5A, sizeof(bi));
	shim_last_log[0] = '\0';
	assert_int_equal(multiboot1_parse(info, &bi), -E_INVAL);
	check_zeroed(&bi);
	assert_non_null(strstr(shim_last_log, "multiboot1"));
}

static void test_mb1_malformed_mmap(void **state)
{
	static const struct region map[] = {
		{ 0x0, 0x9f000, 1 },
		{ 0x100000, 0x100000, 1 },
	};
	static const uint32_t too_small[] = { 20, 16 };
	static const uint32_t too_big[] = { 20, 2000 };
	uint8_t *info = mb1_info(F_MMAP);
	uint8_t *good;
	size_t len;

	(void)state;
	mb1_mmap(info, map, too_small, 2);
	expect_mb1_invalid(info);
	good = mb1_mmap_bytes(map, too_big, 2, &len);
	mb1_set_mmap(info, good, 48); /* the second entry claims 2000 bytes */
	expect_mb1_invalid(info);
	free(good);

	/* Every cut of a good map either ends on an entry or is rejected. */
	good = mb1_mmap_bytes(map, NULL, 2, &len);
	assert_int_equal(len, 48);
	for (size_t cut = 0; cut <= len; cut++) {
		info = mb1_info(F_MMAP);
		mb1_set_mmap(info, good, cut);
		if (cut % 24 == 0) {
			assert_int_equal(multiboot1_parse(info, &bi), 0);
			assert_int_equal(bi.mem_count, cut / 24);
		} else {
			expect_mb1_invalid(info);
		}
		free_low_blocks(NULL); /* keep the block table small */
	}
	free(good);
}

static void test_mb1_unknown_types_reserved(void **state)
{
	static const struct region map[] = {
		{ 0x0, 0x1000, 0 },
		{ 0x1000, 0x1000, 7 },
		{ 0x2000, 0x1000, 5 },
		{ 0x3000, 0x1000, 4 },
		{ 0x4000, 0x0, 2 }, /* zero-size: dropped */
	};
	static const struct region want[] = {
		{ 0x0, 0x2000, MEM_RESERVED },
		{ 0x2000, 0x1000, MEM_BAD },
		{ 0x3000, 0x1000, MEM_ACPI_NVS },
	};
	uint8_t *info = mb1_info(F_MMAP);

	(void)state;
	mb1_mmap(info, map, NULL, 5);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	check_mem(&bi, want, 3);
}

static void test_mb1_too_many_mmap_entries(void **state)
{
	struct region map[200];
	uint8_t *info = mb1_info(F_MMAP | F_MEMORY);

	(void)state;
	for (size_t i = 0; i < 200; i++) /* every other page: nothing merges */
		map[i] = (struct region){ 0x10000 + i * 0x2000, 0x1000, 1 };
	mb1_mmap(info, map, NULL, 200);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	assert_true(bi.mem_truncated);
	check_mem(&bi, map, BOOT_MAX_MEM_REGIONS);
}

static void test_mb1_long_strings_truncated(void **state)
{
	char *cmd = repeat_char('c', 3000);
	char *name = repeat_char('n', 500);
	char *mod = repeat_char('m', BOOT_NAME_MAX); /* one too long */
	struct t_module m = { 0x1000, 0x2000, mod };
	uint8_t *info = mb1_info(F_CMDLINE | F_LOADER_NAME | F_MODS);

	(void)state;
	put_u32(info, MB1_CMDLINE, low_string(cmd));
	put_u32(info, MB1_LOADER_NAME, low_string(name));
	mb1_modules(info, &m, 1);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_memory_equal(bi.cmdline, cmd, BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.loader_name), BOOT_NAME_MAX - 1);
	assert_int_equal(strlen(bi.modules[0].cmdline), BOOT_NAME_MAX - 1);
	assert_int_equal(bi.modules[0].cmdline[0], 'm');
	free(cmd);
	free(name);
	free(mod);
}

/* A string ending exactly at an inaccessible page must not be over-read. */
static void test_mb1_string_at_page_end(void **state)
{
	char *s = low_alloc(6);
	uint8_t *info = mb1_info(F_CMDLINE);

	(void)state;
	memcpy(s, "quiet", 6);
	put_u32(info, MB1_CMDLINE, low_addr(s));
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	assert_string_equal(bi.cmdline, "quiet");
}

static void test_mb1_too_many_modules(void **state)
{
	struct t_module mods[20];
	char names[20][8];
	uint8_t *info = mb1_info(F_MODS);

	(void)state;
	for (size_t i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "mod%zu", i);
		mods[i] = (struct t_module){ (uint32_t)(i + 1) << 20,
					     ((uint32_t)(i + 1) << 20) + 0x800,
					     names[i] };
	}
	mb1_modules(info, mods, 20);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	assert_int_equal(bi.module_count, BOOT_MAX_MODULES);
	assert_int_equal(bi.modules[15].start, 16 << 20);
	assert_int_equal(bi.modules[15].end, (16 << 20) + 0x800);
	assert_string_equal(bi.modules[15].cmdline, "mod15");
}

/* Non-RGB framebuffers carry a palette or nothing: no field positions. */
static void test_mb1_framebuffer_not_rgb(void **state)
{
	uint8_t *info = mb1_info(F_FRAMEBUFFER);

	(void)state;
	put_u64(info, MB1_FB_ADDR, 0xb8000);
	put_u32(info, MB1_FB_PITCH, 160);
	put_u32(info, MB1_FB_WIDTH, 80);
	put_u32(info, MB1_FB_HEIGHT, 25);
	put_u8(info, MB1_FB_BPP, 16);
	put_u8(info, MB1_FB_TYPE, 2);
	memset(info + MB1_FB_COLOR, 0x77, 6);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	assert_true(bi.has_framebuffer);
	assert_int_equal(bi.fb.addr, 0xb8000);
	assert_int_equal(bi.fb.type, FB_TYPE_EGA_TEXT);
	assert_int_equal(bi.fb.width, 80);
	assert_int_equal(bi.fb.height, 25);
	assert_int_equal(bi.fb.red_pos, 0);
	assert_int_equal(bi.fb.blue_size, 0);

	put_u8(info, MB1_FB_TYPE, 0); /* indexed: palette address + count */
	put_u32(info, MB1_FB_COLOR, 0x12345678);
	put_u16(info, MB1_FB_COLOR + 4, 256);
	assert_int_equal(multiboot1_parse(info, &bi), 0);
	assert_int_equal(bi.fb.type, FB_TYPE_INDEXED);
	assert_int_equal(bi.fb.red_pos, 0);
	assert_int_equal(bi.fb.green_size, 0);
}

static void test_mb1_null_info(void **state)
{
	(void)state;
	assert_int_equal(multiboot1_parse(NULL, &bi), -E_INVAL);
	check_zeroed(&bi);
}

/* ========================================================================= */
/* Multiboot2                                                                */
/* ========================================================================= */

/* Grows a Multiboot2 structure; tags start 8-aligned, padding is 0xEE. */
struct mb2 {
	uint8_t *buf;
	size_t len, cap;
	size_t tag; /* offset of the open tag */
};

static void mb2_reserve(struct mb2 *b, size_t n)
{
	if (b->len + n <= b->cap)
		return;
	b->cap = (b->len + n) * 2;
	b->buf = realloc(b->buf, b->cap);
	assert_non_null(b->buf);
}

static void mb2_bytes(struct mb2 *b, const void *p, size_t n)
{
	mb2_reserve(b, n);
	memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void mb2_u8(struct mb2 *b, uint8_t v)
{
	mb2_bytes(b, &v, sizeof(v));
}

static void mb2_u16(struct mb2 *b, uint16_t v)
{
	mb2_bytes(b, &v, sizeof(v));
}

static void mb2_u32(struct mb2 *b, uint32_t v)
{
	mb2_bytes(b, &v, sizeof(v));
}

static void mb2_u64(struct mb2 *b, uint64_t v)
{
	mb2_bytes(b, &v, sizeof(v));
}

static void mb2_begin(struct mb2 *b)
{
	memset(b, 0, sizeof(*b));
	mb2_u32(b, 0); /* total_size, set by mb2_finish */
	mb2_u32(b, 0);
}

/* Open a tag; its size is written by mb2_close (or forced by the caller). */
static void mb2_open(struct mb2 *b, uint32_t type)
{
	while (b->len % 8)
		mb2_u8(b, 0xEE);
	b->tag = b->len;
	mb2_u32(b, type);
	mb2_u32(b, 0);
}

static void mb2_close(struct mb2 *b)
{
	put_u32(b->buf, b->tag + 4, (uint32_t)(b->len - b->tag));
}

static void mb2_string_tag(struct mb2 *b, uint32_t type, const char *s)
{
	mb2_open(b, type);
	mb2_bytes(b, s, strlen(s) + 1);
	mb2_close(b);
}

static void mb2_module(struct mb2 *b, uint32_t start, uint32_t end,
		       const char *s)
{
	mb2_open(b, 3);
	mb2_u32(b, start);
	mb2_u32(b, end);
	mb2_bytes(b, s, strlen(s) + 1);
	mb2_close(b);
}

static void mb2_meminfo(struct mb2 *b, uint32_t lower, uint32_t upper)
{
	mb2_open(b, 4);
	mb2_u32(b, lower);
	mb2_u32(b, upper);
	mb2_close(b);
}

/* Memory map with entry_size >= 24; bytes past the 24 defined are 0xBB. */
static void mb2_mmap(struct mb2 *b, uint32_t entry_size, uint32_t version,
		     const struct region *r, size_t n)
{
	mb2_open(b, 6);
	mb2_u32(b, entry_size);
	mb2_u32(b, version);
	for (size_t i = 0; i < n; i++) {
		mb2_u64(b, r[i].base);
		mb2_u64(b, r[i].len);
		mb2_u32(b, r[i].type);
		mb2_u32(b, 0);
		for (size_t k = 24; k < entry_size; k++)
			mb2_u8(b, 0xBB);
	}
	mb2_close(b);
}

static void mb2_rsdp(struct mb2 *b, uint32_t type, const char *oem,
		     uint8_t revision, size_t len)
{
	uint8_t rsdp[64];

	assert_true(len <= sizeof(rsdp));
	for (size_t i = 0; i < sizeof(rsdp); i++)
		rsdp[i] = (uint8_t)(0x40 + i);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, oem, 6);
	rsdp[15] = revision;
	mb2_open(b, type);
	mb2_bytes(b, rsdp, len);
	mb2_close(b);
}

struct t_efi_desc {
	uint32_t type;
	uint64_t phys, virt, pages, attr;
};

static void mb2_efi_mmap(struct mb2 *b, uint32_t desc_size,
			 const struct t_efi_desc *d, size_t n)
{
	mb2_open(b, 17);
	mb2_u32(b, desc_size);
	mb2_u32(b, 1);
	for (size_t i = 0; i < n; i++) {
		mb2_u32(b, d[i].type);
		mb2_u32(b, 0xCCCCCCCC); /* padding before PhysicalStart */
		mb2_u64(b, d[i].phys);
		mb2_u64(b, d[i].virt);
		mb2_u64(b, d[i].pages);
		mb2_u64(b, d[i].attr);
		for (size_t k = 40; k < desc_size; k++)
			mb2_u8(b, 0xDD);
	}
	mb2_close(b);
}

/*
 * Append the end tag, set total_size and return an exact-size copy. With
 * `end_tag` false the structure just stops (malformed on purpose).
 */
static uint8_t *mb2_finish_opt(struct mb2 *b, bool end_tag, size_t *size)
{
	uint8_t *info;

	if (end_tag) {
		mb2_open(b, 0);
		mb2_close(b);
	}
	put_u32(b->buf, 0, (uint32_t)b->len);
	info = malloc(b->len);
	assert_non_null(info);
	memcpy(info, b->buf, b->len);
	if (size)
		*size = b->len;
	free(b->buf);
	b->buf = NULL;
	return info;
}

static uint8_t *mb2_finish(struct mb2 *b)
{
	return mb2_finish_opt(b, true, NULL);
}

static int mb2_parse_and_free(uint8_t *info)
{
	int ret = multiboot2_parse(info, &bi);

	free(info);
	return ret;
}

static const struct region mb2_map[] = {
	{ 0x0, 0x9fc00, 1 },
	{ 0x9fc00, 0x400, 2 },
	{ 0xe0000, 0x20000, 2 },
	{ 0x100000, 0x7ee0000, 1 },
	{ 0x7fe0000, 0x20000, 3 },
};

static void test_mb2_full(void **state)
{
	static const struct t_efi_desc efi[] = {
		{ 7, 0x0, 0x0, 0xa0, 0xf },
		{ 2, 0x100000, 0x100000, 0x1000, 0x8000000000000000ull | 0xf },
		{ 10, 0x7fe0000, 0, 0x20, 0x1 },
	};
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	mb2_string_tag(&b, 1, "plinth serial=ttyS0");
	mb2_string_tag(&b, 2, "GRUB 2.06");
	mb2_module(&b, 0x800000, 0x812345, "/guests/linux.elf root=/dev/vda");
	mb2_module(&b, 0x813000, 0x814000, "");
	mb2_meminfo(&b, 639, 4000000); /* ignored: there is a map */
	mb2_open(&b, 21); /* load base address: not used, skipped */
	mb2_u32(&b, 0x200000);
	mb2_close(&b);
	mb2_mmap(&b, 24, 0, mb2_map, 5);
	mb2_open(&b, 8);
	mb2_u64(&b, 0xfd000000);
	mb2_u32(&b, 5120);
	mb2_u32(&b, 1280);
	mb2_u32(&b, 1024);
	mb2_u8(&b, 32);
	mb2_u8(&b, 1);
	mb2_u16(&b, 0);
	mb2_u8(&b, 16);
	mb2_u8(&b, 8);
	mb2_u8(&b, 8);
	mb2_u8(&b, 8);
	mb2_u8(&b, 0);
	mb2_u8(&b, 8);
	mb2_close(&b);
	mb2_open(&b, 99); /* unknown, odd size: the next tag is re-aligned */
	mb2_bytes(&b, "xyzab", 5);
	mb2_close(&b);
	mb2_rsdp(&b, 14, "OLDOEM", 0, 20);
	mb2_rsdp(&b, 15, "BOCHS ", 2, 36);
	mb2_open(&b, 12);
	mb2_u64(&b, 0x7f9e018ull);
	mb2_close(&b);
	mb2_efi_mmap(&b, 48, efi, 3);

	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_int_equal(bi.protocol, BOOT_PROTO_MULTIBOOT2);
	assert_string_equal(bi.cmdline, "plinth serial=ttyS0");
	assert_string_equal(bi.loader_name, "GRUB 2.06");

	assert_int_equal(bi.module_count, 2);
	assert_int_equal(bi.modules[0].start, 0x800000);
	assert_int_equal(bi.modules[0].end, 0x812345);
	assert_string_equal(bi.modules[0].cmdline,
			    "/guests/linux.elf root=/dev/vda");
	assert_int_equal(bi.modules[1].start, 0x813000);
	assert_int_equal(bi.modules[1].end, 0x814000);
	assert_string_equal(bi.modules[1].cmdline, "");

	check_mem(&bi, mb2_map, 5);
	assert_false(bi.mem_truncated);

	assert_true(bi.has_framebuffer);
	assert_int_equal(bi.fb.addr, 0xfd000000);
	assert_int_equal(bi.fb.pitch, 5120);
	assert_int_equal(bi.fb.width, 1280);
	assert_int_equal(bi.fb.height, 1024);
	assert_int_equal(bi.fb.bpp, 32);
	assert_int_equal(bi.fb.type, FB_TYPE_RGB);
	assert_int_equal(bi.fb.red_pos, 16);
	assert_int_equal(bi.fb.red_size, 8);
	assert_int_equal(bi.fb.green_pos, 8);
	assert_int_equal(bi.fb.green_size, 8);
	assert_int_equal(bi.fb.blue_pos, 0);
	assert_int_equal(bi.fb.blue_size, 8);

	assert_int_equal(bi.rsdp_len, 36);
	assert_memory_equal(bi.rsdp, "RSD PTR ", 8);
	assert_memory_equal(bi.rsdp + 9, "BOCHS ", 6);
	assert_int_equal(bi.rsdp[15], 2);
	assert_int_equal(bi.rsdp[35], 0x40 + 35);

	assert_int_equal(bi.efi_system_table, 0x7f9e018ull);
	assert_int_equal(bi.efi_mem_count, 3);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(bi.efi_mem[i].type, efi[i].type);
		assert_int_equal(bi.efi_mem[i].phys, efi[i].phys);
		assert_int_equal(bi.efi_mem[i].pages, efi[i].pages);
		assert_int_equal(bi.efi_mem[i].attr, efi[i].attr);
	}
}

static void test_mb2_minimal(void **state)
{
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_int_equal(bi.protocol, BOOT_PROTO_MULTIBOOT2);
	assert_int_equal(bi.mem_count, 0);
	assert_int_equal(bi.module_count, 0);
	assert_false(bi.has_framebuffer);
	assert_int_equal(bi.rsdp_len, 0);
	assert_int_equal(bi.efi_system_table, 0);
	assert_int_equal(bi.efi_mem_count, 0);
	assert_string_equal(bi.cmdline, "");
	assert_string_equal(bi.loader_name, "");
}

/* Tags after the end tag are not part of the structure. */
static void test_mb2_stops_at_end_tag(void **state)
{
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	mb2_string_tag(&b, 1, "before");
	mb2_open(&b, 0);
	mb2_close(&b);
	mb2_string_tag(&b, 1, "after");
	mb2_open(&b, 3);
	mb2_u32(&b, 0); /* malformed module: must not be looked at */
	mb2_close(&b);
	assert_int_equal(mb2_parse_and_free(mb2_finish_opt(&b, false, NULL)), 0);
	assert_string_equal(bi.cmdline, "before");
}

static void test_mb2_basic_meminfo_fallback(void **state)
{
	static const struct region want[] = {
		{ 0, 640 * 1024, MEM_USABLE },
		{ 0x100000, 0x7ee0000, MEM_USABLE },
	};
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	mb2_meminfo(&b, 640, 0x7ee0000 / 1024);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	check_mem(&bi, want, 2);
}

/* entry_size 40, version 1: later versions append fields to each entry. */
static void test_mb2_mmap_large_entries(void **state)
{
	static const struct region map[] = {
		{ 0x200000000ull, 0x100000000ull, 1 },
		{ 0x0, 0x80000, 1 },
		{ 0x80000, 0x1000, 4 },
	};
	static const struct region want[] = {
		{ 0x0, 0x80000, 1 },
		{ 0x80000, 0x1000, 4 },
		{ 0x200000000ull, 0x100000000ull, 1 },
	};
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	mb2_mmap(&b, 40, 1, map, 3);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	check_mem(&bi, want, 3);
}

/* Two maps (some loaders split them) are merged and normalised. */
static void test_mb2_two_mmap_tags(void **state)
{
	static const struct region first[] = { { 0x0, 0x10000, 1 } };
	static const struct region second[] = { { 0x8000, 0x1000, 2 } };
	static const struct region want[] = {
		{ 0x0, 0x8000, 1 },
		{ 0x8000, 0x1000, 2 },
		{ 0x9000, 0x7000, 1 },
	};
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	mb2_mmap(&b, 24, 0, first, 1);
	mb2_mmap(&b, 24, 0, second, 1);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	check_mem(&bi, want, 3);
}

static void test_mb2_too_many_mmap_entries(void **state)
{
	struct region map[300];
	struct mb2 b;

	(void)state;
	for (size_t i = 0; i < 300; i++)
		map[i] = (struct region){ 0x100000 + i * 0x3000, 0x1000,
					  (uint32_t)(1 + i % 2) };
	mb2_begin(&b);
	mb2_mmap(&b, 24, 0, map, 300);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_true(bi.mem_truncated);
	check_mem(&bi, map, BOOT_MAX_MEM_REGIONS);
}

static void test_mb2_too_many_modules(void **state)
{
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	for (uint32_t i = 0; i < BOOT_MAX_MODULES + 3; i++) {
		char name[16];

		snprintf(name, sizeof(name), "g%u", i);
		mb2_module(&b, i << 20, (i << 20) + 0x1000, name);
	}
	mb2_string_tag(&b, 1, "after the modules");
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_int_equal(bi.module_count, BOOT_MAX_MODULES);
	assert_int_equal(bi.modules[BOOT_MAX_MODULES - 1].start,
			 (BOOT_MAX_MODULES - 1) << 20);
	assert_string_equal(bi.modules[BOOT_MAX_MODULES - 1].cmdline, "g15");
	assert_string_equal(bi.cmdline, "after the modules");
}

static void test_mb2_too_many_efi_descriptors(void **state)
{
	struct t_efi_desc d[300];
	struct mb2 b;

	(void)state;
	for (size_t i = 0; i < 300; i++)
		d[i] = (struct t_efi_desc){ (uint32_t)(i % 15), i << 12, 0,
					    i + 1, i * 3 };
	mb2_begin(&b);
	mb2_efi_mmap(&b, 56, d, 300);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_int_equal(bi.efi_mem_count, BOOT_MAX_EFI_REGIONS);
	for (size_t i = 0; i < BOOT_MAX_EFI_REGIONS; i++) {
		assert_int_equal(bi.efi_mem[i].type, d[i].type);
		assert_int_equal(bi.efi_mem[i].phys, d[i].phys);
		assert_int_equal(bi.efi_mem[i].pages, d[i].pages);
		assert_int_equal(bi.efi_mem[i].attr, d[i].attr);
	}
}

/* The ACPI 2.0+ RSDP wins whichever order the tags come in. */
static void test_mb2_rsdp_preference(void **state)
{
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	mb2_rsdp(&b, 15, "NEWOEM", 2, 36);
	mb2_rsdp(&b, 14, "OLDOEM", 0, 20);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_int_equal(bi.rsdp_len, 36);
	assert_memory_equal(bi.rsdp + 9, "NEWOEM", 6);

	mb2_begin(&b);
	mb2_rsdp(&b, 14, "OLDOEM", 0, 20);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_int_equal(bi.rsdp_len, 20);
	assert_memory_equal(bi.rsdp + 9, "OLDOEM", 6);
	assert_int_equal(bi.rsdp[15], 0);

	/* A longer copy (a future RSDP) is cut to what boot_info holds. */
	mb2_begin(&b);
	mb2_rsdp(&b, 15, "BIGOEM", 3, 52);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_int_equal(bi.rsdp_len, BOOT_RSDP_MAX);
	assert_int_equal(bi.rsdp[BOOT_RSDP_MAX - 1], 0x40 + BOOT_RSDP_MAX - 1);
}

static void test_mb2_strings_bounded(void **state)
{
	char *cmd = repeat_char('k', 2000);
	char *mod = repeat_char('q', 400);
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	mb2_string_tag(&b, 1, cmd);
	mb2_module(&b, 0x1000, 0x2000, mod);
	/* Name without its NUL; the padding after it is 0xEE, not 0. */
	mb2_open(&b, 2);
	mb2_bytes(&b, "LoaderX", 7);
	mb2_close(&b);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_int_equal(strlen(bi.cmdline), BOOT_CMDLINE_MAX - 1);
	assert_int_equal(strlen(bi.modules[0].cmdline), BOOT_NAME_MAX - 1);
	assert_string_equal(bi.loader_name, "LoaderX");

	/* Unterminated and 8-byte sized: the next tag's bytes are "AAAA". */
	mb2_begin(&b);
	mb2_open(&b, 1);
	mb2_bytes(&b, "abcdefgh", 8);
	mb2_close(&b);
	mb2_open(&b, 0x41414141);
	mb2_close(&b);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_string_equal(bi.cmdline, "abcdefgh");
	free(cmd);
	free(mod);
}

static void test_mb2_framebuffer_not_rgb(void **state)
{
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	mb2_open(&b, 8); /* EGA text: no color info at all, size 32 */
	mb2_u64(&b, 0xb8000);
	mb2_u32(&b, 160);
	mb2_u32(&b, 80);
	mb2_u32(&b, 25);
	mb2_u8(&b, 16);
	mb2_u8(&b, 2);
	mb2_u16(&b, 0);
	mb2_close(&b);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_true(bi.has_framebuffer);
	assert_int_equal(bi.fb.type, FB_TYPE_EGA_TEXT);
	assert_int_equal(bi.fb.addr, 0xb8000);
	assert_int_equal(bi.fb.width, 80);
	assert_int_equal(bi.fb.bpp, 16);

	mb2_begin(&b);
	mb2_open(&b, 8); /* indexed: palette count and entries follow */
	mb2_u64(&b, 0xa0000);
	mb2_u32(&b, 320);
	mb2_u32(&b, 320);
	mb2_u32(&b, 200);
	mb2_u8(&b, 8);
	mb2_u8(&b, 0);
	mb2_u16(&b, 0);
	mb2_u16(&b, 2);
	mb2_bytes(&b, "\x10\x20\x30\x40\x50\x60", 6);
	mb2_close(&b);
	assert_int_equal(mb2_parse_and_free(mb2_finish(&b)), 0);
	assert_int_equal(bi.fb.type, FB_TYPE_INDEXED);
	assert_int_equal(bi.fb.red_pos, 0);
	assert_int_equal(bi.fb.red_size, 0);
	assert_int_equal(bi.fb.blue_size, 0);
}

/* ---- malformed Multiboot2 ----------------------------------------------- */

static void expect_mb2_invalid(uint8_t *info)
{
	memset(&bi, 0x5A, sizeof(bi));
	shim_last_log[0] = '\0';
	assert_int_equal(mb2_parse_and_free(info), -E_INVAL);
	check_zeroed(&bi);
	assert_non_null(strstr(shim_last_log, "multiboot2"));
}

/* One tag with a forced size field, after a cmdline tag. */
static uint8_t *mb2_with_tag_size(uint32_t type, uint32_t forced_size,
				  size_t payload)
{
	struct mb2 b;

	mb2_begin(&b);
	mb2_string_tag(&b, 1, "x");
	mb2_open(&b, type);
	for (size_t i = 0; i < payload; i++)
		mb2_u8(&b, 0);
	put_u32(b.buf, b.tag + 4, forced_size);
	return mb2_finish(&b);
}

static void test_mb2_bad_tag_sizes(void **state)
{
	size_t total;
	uint8_t *info;
	struct mb2 b;

	(void)state;
	expect_mb2_invalid(mb2_with_tag_size(1, 0, 8));
	expect_mb2_invalid(mb2_with_tag_size(1, 4, 8));
	expect_mb2_invalid(mb2_with_tag_size(99, 7, 8));
	expect_mb2_invalid(mb2_with_tag_size(99, 0xFFFFFFF8u, 8));
	expect_mb2_invalid(mb2_with_tag_size(0, 4, 0)); /* end tag too */

	/* A tag one byte longer than what is left of total_size. */
	mb2_begin(&b);
	mb2_string_tag(&b, 1, "x");
	info = mb2_finish_opt(&b, true, &total);
	put_u32(info, 8 + 4, (uint32_t)(total - 8 + 1)); /* tag at offset 8 */
	expect_mb2_invalid(info);

	/* A string tag running exactly to total_size: no room for the end. */
	mb2_begin(&b);
	mb2_string_tag(&b, 1, "abcdefg");
	expect_mb2_invalid(mb2_finish_opt(&b, false, NULL));
}

static void test_mb2_bad_total_size(void **state)
{
	uint8_t *info;

	(void)state;
	for (uint32_t total = 0; total < 16; total++) {
		info = calloc(1, MAX(total, 4u));
		assert_non_null(info);
		put_u32(info, 0, total);
		expect_mb2_invalid(info);
	}
	assert_int_equal(multiboot2_parse(NULL, &bi), -E_INVAL);
}

/*
 * Every prefix of a valid structure, presented with total_size = its length,
 * lacks its end tag: each must be rejected without reading past the copy.
 */
static void test_mb2_truncated_everywhere(void **state)
{
	static const struct t_efi_desc efi[] = { { 7, 0x1000, 0, 4, 0xf } };
	size_t full;
	uint8_t *whole;
	struct mb2 b;

	(void)state;
	mb2_begin(&b);
	mb2_string_tag(&b, 1, "cmd");
	mb2_module(&b, 0x1000, 0x2000, "mod");
	mb2_mmap(&b, 24, 0, mb2_map, 5);
	mb2_rsdp(&b, 15, "OEMOEM", 2, 36);
	mb2_efi_mmap(&b, 48, efi, 1);
	whole = mb2_finish_opt(&b, true, &full);
	assert_int_equal(multiboot2_parse(whole, &bi), 0);
	for (size_t len = 16; len < full; len++) {
		uint8_t *cut = malloc(len);

		assert_non_null(cut);
		memcpy(cut, whole, len);
		put_u32(cut, 0, (uint32_t)len);
		expect_mb2_invalid(cut);
	}
	free(whole);
}

static void test_mb2_bad_mmap(void **state)
{
	struct mb2 b;

	(void)state;
	for (uint32_t es = 0; es < 24; es += 4) { /* includes entry_size 0 */
		mb2_begin(&b);
		mb2_mmap(&b, 24, 0, mb2_map, 2);
		put_u32(b.buf, b.tag + 8, es);
		expect_mb2_invalid(mb2_finish(&b));
	}
	/* 48 bytes of entries do not split into 32-byte entries. */
	mb2_begin(&b);
	mb2_mmap(&b, 24, 0, mb2_map, 2);
	put_u32(b.buf, b.tag + 8, 32);
	expect_mb2_invalid(mb2_finish(&b));
	/* A trailing partial entry. */
	mb2_begin(&b);
	mb2_mmap(&b, 24, 0, mb2_map, 2);
	mb2_u32(&b, 0);
	mb2_close(&b);
	expect_mb2_invalid(mb2_finish(&b));
	/* Header cut short. */
	expect_mb2_invalid(mb2_with_tag_size(6, 12, 8));
}

static void test_mb2_bad_efi_mmap(void **state)
{
	static const struct t_efi_desc efi[] = { { 7, 0, 0, 1, 0 } };
	struct mb2 b;

	(void)state;
	for (uint32_t ds = 0; ds < 40; ds += 8) {
		mb2_begin(&b);
		mb2_efi_mmap(&b, 48, efi, 1);
		put_u32(b.buf, b.tag + 8, ds);
		expect_mb2_invalid(mb2_finish(&b));
	}
	mb2_begin(&b);
	mb2_efi_mmap(&b, 48, efi, 1);
	put_u32(b.buf, b.tag + 8, 40); /* 48 bytes: not whole 40-byte ones */
	expect_mb2_invalid(mb2_finish(&b));
	expect_mb2_invalid(mb2_with_tag_size(17, 12, 8));
}

/* Known tags shorter than the fields their type defines. */
static void test_mb2_short_tags(void **state)
{
	struct mb2 b;

	(void)state;
	expect_mb2_invalid(mb2_with_tag_size(3, 12, 8));      /* module */
	expect_mb2_invalid(mb2_with_tag_size(4, 12, 8));      /* meminfo */
	expect_mb2_invalid(mb2_with_tag_size(8, 24, 24));     /* framebuffer */
	expect_mb2_invalid(mb2_with_tag_size(12, 12, 8));     /* EFI64 */
	expect_mb2_invalid(mb2_with_tag_size(14, 8 + 19, 24)); /* RSDP v1 */
	expect_mb2_invalid(mb2_with_tag_size(15, 8 + 35, 40)); /* RSDP v2 */

	/* RGB framebuffer without its six color bytes. */
	mb2_begin(&b);
	mb2_open(&b, 8);
	mb2_u64(&b, 0xfd000000);
	mb2_u32(&b, 4096);
	mb2_u32(&b, 1024);
	mb2_u32(&b, 768);
	mb2_u8(&b, 32);
	mb2_u8(&b, 1);
	mb2_u16(&b, 0);
	mb2_u8(&b, 16);
	mb2_u8(&b, 8);
	mb2_close(&b);
	expect_mb2_invalid(mb2_finish(&b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_mb1_full, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_mmap_entry_sizes, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_basic_meminfo_fallback, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_empty_mmap_falls_back, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_no_flags, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_malformed_mmap, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_unknown_types_reserved, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_too_many_mmap_entries, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_long_strings_truncated, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_string_at_page_end, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_too_many_modules, free_low_blocks),
		cmocka_unit_test_teardown(test_mb1_framebuffer_not_rgb, free_low_blocks),
		cmocka_unit_test(test_mb1_null_info),
		cmocka_unit_test(test_mb2_full),
		cmocka_unit_test(test_mb2_minimal),
		cmocka_unit_test(test_mb2_stops_at_end_tag),
		cmocka_unit_test(test_mb2_basic_meminfo_fallback),
		cmocka_unit_test(test_mb2_mmap_large_entries),
		cmocka_unit_test(test_mb2_two_mmap_tags),
		cmocka_unit_test(test_mb2_too_many_mmap_entries),
		cmocka_unit_test(test_mb2_too_many_modules),
		cmocka_unit_test(test_mb2_too_many_efi_descriptors),
		cmocka_unit_test(test_mb2_rsdp_preference),
		cmocka_unit_test(test_mb2_strings_bounded),
		cmocka_unit_test(test_mb2_framebuffer_not_rgb),
		cmocka_unit_test(test_mb2_bad_tag_sizes),
		cmocka_unit_test(test_mb2_bad_total_size),
		cmocka_unit_test(test_mb2_truncated_everywhere),
		cmocka_unit_test(test_mb2_bad_mmap),
		cmocka_unit_test(test_mb2_bad_efi_mmap),
		cmocka_unit_test(test_mb2_short_tags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

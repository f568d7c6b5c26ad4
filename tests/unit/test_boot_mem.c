/*
 * boot_mem_normalize, boot_mem_add, mem_type_name and boot_info_log.
 * The normaliser is checked on hand-made cases and against a page-by-page
 * reference model on seeded random maps.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <plinth/boot_info.h>

static struct boot_info bi; /* 20 KiB: not on the test stack */

struct region {
	uint64_t base, len;
	uint32_t type;
};

static void set_map(const struct region *r, size_t n)
{
	memset(&bi, 0, sizeof(bi));
	for (size_t i = 0; i < n; i++)
		bi.mem[i] = (struct mem_region){ r[i].base, r[i].len, r[i].type };
	bi.mem_count = n;
}

static void check_map(const struct region *want, size_t n)
{
	for (size_t i = 0; i < MIN(n, bi.mem_count); i++) {
		if (bi.mem[i].base != want[i].base ||
		    bi.mem[i].size != want[i].len ||
		    bi.mem[i].type != want[i].type)
			fail_msg("region %zu: got %#llx+%#llx type %u, want %#llx+%#llx type %u",
				 i, (unsigned long long)bi.mem[i].base,
				 (unsigned long long)bi.mem[i].size,
				 bi.mem[i].type,
				 (unsigned long long)want[i].base,
				 (unsigned long long)want[i].len, want[i].type);
	}
	assert_int_equal(bi.mem_count, n);
}

static void normalize_and_check(const struct region *in, size_t n_in,
				const struct region *want, size_t n_want)
{
	set_map(in, n_in);
	boot_mem_normalize(&bi);
	check_map(want, n_want);
	assert_false(bi.mem_truncated);
}

#define N(a) ARRAY_SIZE(a)

/* ---- hand-made cases ----------------------------------------------------- */

static void test_empty(void **state)
{
	(void)state;
	normalize_and_check(NULL, 0, NULL, 0);
}

static void test_zero_size_dropped(void **state)
{
	static const struct region in[] = {
		{ 0x1000, 0, MEM_RESERVED },
		{ 0x0, 0x1000, MEM_USABLE },
		{ 0x800, 0, MEM_BAD }, /* inside usable: still nothing */
	};
	static const struct region want[] = { { 0x0, 0x1000, MEM_USABLE } };

	(void)state;
	normalize_and_check(in, N(in), want, N(want));
}

static void test_unsorted(void **state)
{
	static const struct region in[] = {
		{ 0x9000, 0x1000, MEM_USABLE },
		{ 0x1000, 0x1000, MEM_RESERVED },
		{ 0x5000, 0x1000, MEM_ACPI_NVS },
		{ 0x0, 0x800, MEM_USABLE },
	};
	static const struct region want[] = {
		{ 0x0, 0x800, MEM_USABLE },
		{ 0x1000, 0x1000, MEM_RESERVED },
		{ 0x5000, 0x1000, MEM_ACPI_NVS },
		{ 0x9000, 0x1000, MEM_USABLE },
	};

	(void)state;
	normalize_and_check(in, N(in), want, N(want));
}

static void test_adjacent_merge(void **state)
{
	static const struct region in[] = {
		{ 0x2000, 0x1000, MEM_USABLE },
		{ 0x0, 0x1000, MEM_USABLE },
		{ 0x1000, 0x1000, MEM_USABLE },
		{ 0x3000, 0x1000, MEM_RESERVED }, /* touches, other type */
		{ 0x4000, 0x1000, MEM_RESERVED },
		{ 0x6000, 0x1000, MEM_RESERVED }, /* gap before: separate */
	};
	static const struct region want[] = {
		{ 0x0, 0x3000, MEM_USABLE },
		{ 0x3000, 0x2000, MEM_RESERVED },
		{ 0x6000, 0x1000, MEM_RESERVED },
	};

	(void)state;
	normalize_and_check(in, N(in), want, N(want));
}

static void test_same_type_overlap_and_duplicates(void **state)
{
	static const struct region in[] = {
		{ 0x0, 0x3000, MEM_USABLE },
		{ 0x2000, 0x3000, MEM_USABLE },
		{ 0x0, 0x3000, MEM_USABLE },
		{ 0x1000, 0x1000, MEM_USABLE },
	};
	static const struct region want[] = { { 0x0, 0x5000, MEM_USABLE } };

	(void)state;
	normalize_and_check(in, N(in), want, N(want));
}

static void test_partial_overlap(void **state)
{
	static const struct region in[] = {
		{ 0x0, 0xa000, MEM_USABLE },
		{ 0x5000, 0xa000, MEM_RESERVED },
		{ 0xe000, 0x4000, MEM_USABLE }, /* usable loses the overlap */
	};
	static const struct region want[] = {
		{ 0x0, 0x5000, MEM_USABLE },
		{ 0x5000, 0xa000, MEM_RESERVED },
		{ 0xf000, 0x3000, MEM_USABLE },
	};

	(void)state;
	normalize_and_check(in, N(in), want, N(want));
}

static void test_containment(void **state)
{
	static const struct region hole[] = {
		{ 0x100000, 0x7f00000, MEM_USABLE },
		{ 0x1000000, 0x10000, MEM_BAD },
	};
	static const struct region hole_want[] = {
		{ 0x100000, 0xf00000, MEM_USABLE },
		{ 0x1000000, 0x10000, MEM_BAD },
		{ 0x1010000, 0x6ff0000, MEM_USABLE },
	};
	static const struct region swallowed[] = {
		{ 0xf0000, 0x10000, MEM_RESERVED },
		{ 0xf4000, 0x1000, MEM_USABLE },
	};
	static const struct region swallowed_want[] = {
		{ 0xf0000, 0x10000, MEM_RESERVED },
	};

	(void)state;
	normalize_and_check(hole, N(hole), hole_want, N(hole_want));
	normalize_and_check(swallowed, N(swallowed), swallowed_want,
			    N(swallowed_want));
}

/* reserved < ACPI reclaimable < ACPI NVS < bad, stacked on one range. */
static void test_non_usable_precedence(void **state)
{
	static const struct region in[] = {
		{ 0x0, 0x10000, MEM_RESERVED },
		{ 0x1000, 0x4000, MEM_ACPI_RECLAIMABLE },
		{ 0x3000, 0x4000, MEM_ACPI_NVS },
		{ 0x4000, 0x1000, MEM_BAD },
		{ 0x8000, 0x1000, MEM_USABLE },
	};
	static const struct region want[] = {
		{ 0x0, 0x1000, MEM_RESERVED },
		{ 0x1000, 0x2000, MEM_ACPI_RECLAIMABLE },
		{ 0x3000, 0x1000, MEM_ACPI_NVS },
		{ 0x4000, 0x1000, MEM_BAD },
		{ 0x5000, 0x2000, MEM_ACPI_NVS },
		{ 0x7000, 0x9000, MEM_RESERVED },
	};

	(void)state;
	normalize_and_check(in, N(in), want, N(want));
}

/* Types outside enum mem_type become reserved (never usable). */
static void test_unknown_types(void **state)
{
	static const struct region in[] = {
		{ 0x0, 0x1000, 0 },
		{ 0x1000, 0x1000, 7 },
		{ 0x2000, 0x1000, 0xffffffffu },
		{ 0x3000, 0x1000, MEM_USABLE },
		{ 0x3000, 0x1000, 12 }, /* over usable: wins */
		{ 0x4000, 0x1000, 6 },
		{ 0x4000, 0x1000, MEM_ACPI_RECLAIMABLE }, /* beats reserved */
	};
	static const struct region want[] = {
		{ 0x0, 0x4000, MEM_RESERVED },
		{ 0x4000, 0x1000, MEM_ACPI_RECLAIMABLE },
	};

	(void)state;
	normalize_and_check(in, N(in), want, N(want));
}

/* A region reaching 2^64 is clipped to end at UINT64_MAX, not wrapped. */
static void test_top_of_address_space(void **state)
{
	static const struct region in[] = {
		{ 0xfffffffffffff000ull, 0x1000, MEM_RESERVED },
		{ 0xffffffffffff0000ull, 0xffffffffffffffffull, MEM_USABLE },
		{ 0x0, 0x1000, MEM_USABLE },
	};
	static const struct region want[] = {
		{ 0x0, 0x1000, MEM_USABLE },
		{ 0xffffffffffff0000ull, 0xf000, MEM_USABLE },
		{ 0xfffffffffffff000ull, 0xfff, MEM_RESERVED },
	};

	(void)state;
	normalize_and_check(in, N(in), want, N(want));
}

static void test_idempotent(void **state)
{
	static const struct region in[] = {
		{ 0x9000, 0x8000, MEM_USABLE },
		{ 0x0, 0xa000, MEM_USABLE },
		{ 0xa000, 0x1000, MEM_ACPI_NVS },
	};
	struct mem_region once[BOOT_MAX_MEM_REGIONS];
	size_t count;

	(void)state;
	set_map(in, N(in));
	boot_mem_normalize(&bi);
	count = bi.mem_count;
	memcpy(once, bi.mem, sizeof(once));
	boot_mem_normalize(&bi);
	assert_int_equal(bi.mem_count, count);
	assert_memory_equal(bi.mem, once, count * sizeof(once[0]));
}

/*
 * One usable range with 127 reserved holes needs 255 output regions. The
 * result keeps the lowest 128, flags the truncation and stays well formed.
 */
static void test_output_overflow_truncates(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	bi.mem[0] = (struct mem_region){ 0x0, 0x1000000, MEM_USABLE };
	for (size_t i = 1; i < BOOT_MAX_MEM_REGIONS; i++)
		bi.mem[i] = (struct mem_region){ i * 0x20000, 0x1000,
						 MEM_RESERVED };
	bi.mem_count = BOOT_MAX_MEM_REGIONS;
	boot_mem_normalize(&bi);
	assert_true(bi.mem_truncated);
	assert_int_equal(bi.mem_count, BOOT_MAX_MEM_REGIONS);
	for (size_t i = 0; i < BOOT_MAX_MEM_REGIONS; i++) {
		size_t hole = (i + 1) / 2; /* usable, hole 1, usable, hole 2 ... */

		if (i % 2 == 0) {
			assert_int_equal(bi.mem[i].type, MEM_USABLE);
			assert_int_equal(bi.mem[i].base,
					 i == 0 ? 0 : hole * 0x20000 + 0x1000);
			assert_int_equal(bi.mem[i].size, i == 0 ? 0x20000 : 0x1f000);
		} else {
			assert_int_equal(bi.mem[i].type, MEM_RESERVED);
			assert_int_equal(bi.mem[i].base, hole * 0x20000);
			assert_int_equal(bi.mem[i].size, 0x1000);
		}
	}
}

/* A count past the array (a caller's bug) is clamped, not trusted. */
static void test_count_clamped(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	for (size_t i = 0; i < BOOT_MAX_MEM_REGIONS; i++)
		bi.mem[i] = (struct mem_region){ i * 0x1000, 0x1000,
						 MEM_USABLE };
	bi.mem_count = 100000;
	boot_mem_normalize(&bi);
	assert_int_equal(bi.mem_count, 1);
	assert_int_equal(bi.mem[0].size, BOOT_MAX_MEM_REGIONS * 0x1000);
}

/* ---- randomized check against a reference model ------------------------- */

#define MODEL_UNITS 256

/* The rule, stated independently: unknown -> reserved, then the max wins. */
static uint32_t model_type(uint32_t type)
{
	return (type >= MEM_USABLE && type <= MEM_BAD) ? type : MEM_RESERVED;
}

/* Output type of the unit at address `a`, 0 if no region covers it. */
static uint32_t output_type_at(uint64_t a)
{
	for (size_t i = 0; i < bi.mem_count; i++)
		if (bi.mem[i].base <= a && a - bi.mem[i].base < bi.mem[i].size)
			return bi.mem[i].type;
	return 0;
}

static void check_well_formed(void)
{
	for (size_t i = 0; i < bi.mem_count; i++) {
		const struct mem_region *r = &bi.mem[i];

		assert_true(r->size > 0);
		assert_true(r->type >= MEM_USABLE && r->type <= MEM_BAD);
		if (i + 1 < bi.mem_count) {
			const struct mem_region *next = &bi.mem[i + 1];

			assert_true(r->base + r->size <= next->base);
			/* touching regions of one type should have merged */
			assert_false(r->base + r->size == next->base &&
				     r->type == next->type);
		}
	}
}

/*
 * Regions of whole `unit`s in [origin, origin + MODEL_UNITS * unit): the
 * model classifies each unit by the rule, the output must agree everywhere.
 */
static void random_round(uint64_t origin, uint64_t unit)
{
	static const uint32_t types[] = { 1, 1, 1, 2, 3, 4, 5, 0, 6, 0x1000 };
	uint32_t model[MODEL_UNITS] = { 0 };
	size_t n = rng_below(48);

	memset(&bi, 0, sizeof(bi));
	for (size_t i = 0; i < n; i++) {
		uint32_t start = rng_below(MODEL_UNITS);
		uint32_t max_len = MIN(MODEL_UNITS - start, 64u);
		/* one in eight is empty; MIN evaluates twice, so no rng_next() in it */
		uint32_t len = rng_below(8) == 0 ? 0 : 1 + rng_below(max_len);
		uint32_t type = types[rng_below(N(types))];

		bi.mem[i] = (struct mem_region){ origin + start * unit,
						 len * unit, type };
		for (uint32_t u = start; u < start + len; u++)
			model[u] = MAX(model[u], model_type(type));
	}
	bi.mem_count = n;
	boot_mem_normalize(&bi);

	assert_false(bi.mem_truncated);
	check_well_formed();
	for (uint32_t u = 0; u < MODEL_UNITS; u++) {
		uint64_t a = origin + u * unit;

		/* first and last byte of the unit: no region ends mid-unit */
		assert_int_equal(output_type_at(a), model[u]);
		assert_int_equal(output_type_at(a + unit - 1), model[u]);
	}
	/* nothing outside the modelled space */
	for (size_t i = 0; i < bi.mem_count; i++) {
		assert_true(bi.mem[i].base >= origin);
		assert_true(bi.mem[i].base + bi.mem[i].size <=
			    origin + MODEL_UNITS * unit);
	}
}

static void test_random_against_model(void **state)
{
	const uint64_t seed = 0x5eed0fb007ull;

	(void)state;
	rng_seed(seed);
	for (int round = 0; round < 3000; round++) {
		/* 4 KiB pages across the 4 GiB line, and bytes from 0 */
		if (round % 2)
			random_round(0xfff80000ull, 4096);
		else
			random_round(0, 1);
	}
}

/* ---- boot_mem_add, mem_type_name ---------------------------------------- */

static void test_boot_mem_add(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	assert_true(boot_mem_add(&bi, 0x1000, 0, MEM_USABLE));
	assert_int_equal(bi.mem_count, 0);
	for (size_t i = 0; i < BOOT_MAX_MEM_REGIONS; i++)
		assert_true(boot_mem_add(&bi, i << 20, 0x1000, 77));
	assert_false(bi.mem_truncated);
	assert_int_equal(bi.mem[5].base, 5 << 20);
	assert_int_equal(bi.mem[5].type, 77); /* raw until normalised */
	assert_false(boot_mem_add(&bi, 0x7000000000ull, 0x1000, MEM_USABLE));
	assert_true(bi.mem_truncated);
	assert_int_equal(bi.mem_count, BOOT_MAX_MEM_REGIONS);
}

static void test_mem_type_name(void **state)
{
	(void)state;
	assert_string_equal(mem_type_name(MEM_USABLE), "usable");
	assert_string_equal(mem_type_name(MEM_RESERVED), "reserved");
	assert_string_equal(mem_type_name(MEM_ACPI_RECLAIMABLE),
			    "ACPI reclaimable");
	assert_string_equal(mem_type_name(MEM_ACPI_NVS), "ACPI NVS");
	assert_string_equal(mem_type_name(MEM_BAD), "bad");
	assert_string_equal(mem_type_name(0), "unknown");
	assert_string_equal(mem_type_name(99), "unknown");
}

/* ---- boot_info_log ------------------------------------------------------ */

/*
 * Everything boot_info_log prints, one "LEVEL [tag] text" line each: the
 * shim echoes log lines to stderr when shim_verbose is set, so stderr is
 * pointed at a temporary file for the call.
 */
static char *capture_log(void)
{
	static char text[16384];
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t len;

	assert_non_null(tmp);
	assert_true(saved >= 0);
	fflush(stderr);
	assert_true(dup2(fileno(tmp), STDERR_FILENO) >= 0);
	shim_verbose = 1;
	boot_info_log(&bi);
	shim_verbose = 0;
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	len = fread(text, 1, sizeof(text) - 1, tmp);
	text[len] = '\0';
	fclose(tmp);
	return text;
}

static void test_log_full(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	bi.protocol = BOOT_PROTO_MULTIBOOT2;
	strcpy(bi.loader_name, "GRUB 2.06");
	strcpy(bi.cmdline, "log=debug");
	bi.mem[0] = (struct mem_region){ 0x0, 0x9fc00, MEM_USABLE };
	bi.mem[1] = (struct mem_region){ 0x9fc00, 0x400, MEM_RESERVED };
	bi.mem[2] = (struct mem_region){ 0x100000, 0x7ee0000, MEM_USABLE };
	bi.mem[3] = (struct mem_region){ 0x7fe0000, 0x20000, MEM_ACPI_NVS };
	bi.mem[4] = (struct mem_region){ 0x100000000ull, 0x40000000ull,
					 MEM_USABLE };
	bi.mem_count = 5;
	bi.mem_truncated = true;
	bi.module_count = 2;
	bi.modules[0] = (struct boot_module){ 0x200000, 0x201000, "/g/a.elf x=1" };
	bi.modules[1] = (struct boot_module){ 0x300000, 0x300000, "" };
	bi.has_framebuffer = true;
	bi.fb = (struct boot_framebuffer){ .addr = 0xfd000000, .pitch = 4096,
					   .width = 1024, .height = 768,
					   .bpp = 32, .type = FB_TYPE_RGB,
					   .red_pos = 16, .red_size = 8,
					   .green_pos = 8, .green_size = 8,
					   .blue_pos = 0, .blue_size = 8 };
	bi.rsdp_len = 36;
	memcpy(bi.rsdp, "RSD PTR \x55" "BOCHS\x01\x02", 16);
	bi.efi_system_table = 0x7f9e018;
	bi.efi_mem_count = 42;

	assert_string_equal(capture_log(),
		"3 [boot] boot protocol multiboot2, loader 'GRUB 2.06'\n"
		"3 [boot] cmdline 'log=debug'\n"
		"3 [boot] mem 0x0000000000000000-0x000000000009fbff usable\n"
		"3 [boot] mem 0x000000000009fc00-0x000000000009ffff reserved\n"
		"3 [boot] mem 0x0000000000100000-0x0000000007fdffff usable\n"
		"3 [boot] mem 0x0000000007fe0000-0x0000000007ffffff ACPI NVS\n"
		"3 [boot] mem 0x0000000100000000-0x000000013fffffff usable\n"
		"2 [boot] memory map truncated to 128 regions\n"
		/* 0x9fc00 + 0x7ee0000 + 1 GiB = 1151.87 MiB, rounded down */
		"3 [boot] usable memory: 1151 MiB\n"
		"3 [boot] module 0: 0x0000000000200000-0x0000000000200fff 4096 bytes '/g/a.elf x=1'\n"
		"3 [boot] module 1: empty at 0x0000000000300000 ''\n"
		"3 [boot] framebuffer 0x00000000fd000000 1024x768 32 bpp pitch 4096 RGB red 16:8 green 8:8 blue 0:8\n"
		"3 [boot] ACPI RSDP: OEM 'BOCHS?' revision 2, 36 bytes, RSDT 0x00000000 XSDT 0x0000000000000000\n"
		"3 [boot] EFI system table at 0x0000000007f9e018\n"
		"3 [boot] EFI memory map: 42 descriptors\n");
}

/* Nothing optional: no module, framebuffer, RSDP or EFI lines. */
static void test_log_minimal(void **state)
{
	(void)state;
	memset(&bi, 0, sizeof(bi));
	bi.protocol = BOOT_PROTO_MULTIBOOT1;
	bi.has_framebuffer = false;
	bi.fb.type = FB_TYPE_EGA_TEXT; /* ignored: has_framebuffer is false */
	assert_string_equal(capture_log(),
		"3 [boot] boot protocol multiboot1, loader ''\n"
		"3 [boot] cmdline ''\n"
		"3 [boot] usable memory: 0 MiB\n");

	bi.has_framebuffer = true;
	bi.fb = (struct boot_framebuffer){ .addr = 0xb8000, .pitch = 160,
					   .width = 80, .height = 25,
					   .bpp = 16, .type = FB_TYPE_EGA_TEXT };
	bi.rsdp_len = 20;
	memcpy(bi.rsdp, "RSD PTR \x00" "OEMID1\x00", 16);
	capture_log();
	assert_string_equal(shim_last_log, "[boot] ACPI RSDP: OEM 'OEMID1' revision 0, 20 bytes, RSDT 0x00000000 XSDT 0x0000000000000000");
	bi.rsdp_len = 0;
	capture_log();
	assert_string_equal(shim_last_log,
			    "[boot] framebuffer 0x00000000000b8000 80x25 16 bpp pitch 160 EGA text");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_zero_size_dropped),
		cmocka_unit_test(test_unsorted),
		cmocka_unit_test(test_adjacent_merge),
		cmocka_unit_test(test_same_type_overlap_and_duplicates),
		cmocka_unit_test(test_partial_overlap),
		cmocka_unit_test(test_containment),
		cmocka_unit_test(test_non_usable_precedence),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_top_of_address_space),
		cmocka_unit_test(test_idempotent),
		cmocka_unit_test(test_output_overflow_truncates),
		cmocka_unit_test(test_count_clamped),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_boot_mem_add),
		cmocka_unit_test(test_mem_type_name),
		cmocka_unit_test(test_log_full),
		cmocka_unit_test(test_log_minimal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Tests for memmap_usable: boot memory map minus reservations. */
#include "host_shim.h"
#include "test_rng.h"

#include <stdlib.h>
#include <string.h>

#include <plinth/memmap.h>

static struct boot_info *g_bi;

static int setup(void **state)
{
	(void)state;
	g_bi = calloc(1, sizeof(*g_bi));
	return g_bi ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	free(g_bi);
	g_bi = NULL;
	return 0;
}

static void add_region(uint64_t base, uint64_t size, uint32_t type)
{
	assert_true(g_bi->mem_count < BOOT_MAX_MEM_REGIONS);
	g_bi->mem[g_bi->mem_count++] = (struct mem_region){ base, size, type };
}

#define MAX_OUT 64

struct result {
	size_t count;
	struct mem_range r[MAX_OUT];
};

static struct result usable_with(const struct mem_range *reserved, size_t n)
{
	struct result res;

	memset(&res, 0xcc, sizeof(res));
	res.count = memmap_usable(g_bi, reserved, n, res.r, MAX_OUT);
	assert_true(res.count <= MAX_OUT);
	return res;
}

static struct result usable(void)
{
	return usable_with(NULL, 0);
}

static void expect_range(const struct result *res, size_t i, uint64_t base,
			 uint64_t end)
{
	assert_true(i < res->count);
	assert_int_equal(res->r[i].base, base);
	assert_int_equal(res->r[i].base + res->r[i].size, end);
}

static void test_single_region_loses_first_mib(void **state)
{
	struct result res;

	(void)state;
	add_region(0, MiB(128), MEM_USABLE);
	res = usable();
	assert_int_equal(res.count, 1);
	expect_range(&res, 0, MiB(1), MiB(128));
}

static void test_low_memory_cut(void **state)
{
	struct result res;

	(void)state;
	add_region(0, 0x9f000, MEM_USABLE);            /* conventional memory */
	add_region(0x9f000, 0x61000, MEM_RESERVED);    /* EBDA, VGA, BIOS */
	add_region(MiB(1) - PAGE_SIZE, MiB(2), MEM_USABLE); /* straddles 1 MiB */
	add_region(MiB(16), MiB(1), MEM_USABLE);
	res = usable();
	assert_int_equal(res.count, 2);
	expect_range(&res, 0, MiB(1), MiB(3) - PAGE_SIZE);
	expect_range(&res, 1, MiB(16), MiB(17));
}

static void test_nothing_usable(void **state)
{
	struct mem_range out[2];

	(void)state;
	assert_int_equal(memmap_usable(g_bi, NULL, 0, out, 2), 0);
	add_region(0, MiB(1), MEM_USABLE);
	add_region(MiB(1), MiB(64), MEM_RESERVED);
	add_region(MiB(64), MiB(64), MEM_ACPI_NVS);
	assert_int_equal(memmap_usable(g_bi, NULL, 0, out, 2), 0);
}

static void test_unsorted_input_sorted_output(void **state)
{
	struct result res;

	(void)state;
	add_region(GiB(4), GiB(2), MEM_USABLE);
	add_region(MiB(64), MiB(32), MEM_USABLE);
	add_region(MiB(2), MiB(8), MEM_USABLE);
	add_region(MiB(10), MiB(2), MEM_ACPI_RECLAIMABLE);
	res = usable();
	assert_int_equal(res.count, 3);
	expect_range(&res, 0, MiB(2), MiB(10));
	expect_range(&res, 1, MiB(64), MiB(96));
	expect_range(&res, 2, GiB(4), GiB(6));
}

static void test_overlapping_and_touching_usable_merge(void **state)
{
	struct result res;

	(void)state;
	add_region(MiB(4), MiB(8), MEM_USABLE);  /* [4M, 12M) */
	add_region(MiB(2), MiB(4), MEM_USABLE);  /* [2M, 6M) overlaps */
	add_region(MiB(12), MiB(4), MEM_USABLE); /* touches at 12M */
	add_region(MiB(5), MiB(1), MEM_USABLE);  /* inside */
	add_region(MiB(32), MiB(1), MEM_USABLE);
	add_region(MiB(32), MiB(1), MEM_USABLE); /* listed twice */
	res = usable();
	assert_int_equal(res.count, 2);
	expect_range(&res, 0, MiB(2), MiB(16));
	expect_range(&res, 1, MiB(32), MiB(33));
}

static void test_reserved_type_beats_usable(void **state)
{
	struct result res;

	(void)state;
	add_region(MiB(1), MiB(63), MEM_USABLE);
	add_region(MiB(8), MiB(1), MEM_RESERVED);     /* inside */
	add_region(MiB(60), MiB(8), MEM_BAD);         /* over the end */
	add_region(0, MiB(2), MEM_ACPI_NVS);          /* over the start */
	add_region(MiB(20), 0x1800, MEM_ACPI_RECLAIMABLE); /* unaligned end */
	res = usable();
	assert_int_equal(res.count, 3);
	expect_range(&res, 0, MiB(2), MiB(8));
	expect_range(&res, 1, MiB(9), MiB(20));
	expect_range(&res, 2, MiB(20) + 2 * PAGE_SIZE, MiB(60));
}

static void test_reserved_ranges_at_edges(void **state)
{
	const struct mem_range reserved[] = {
		{ MiB(2), MiB(1) },            /* start of the first region */
		{ MiB(15), MiB(1) },           /* end of the first region */
		{ MiB(8), 0x10 },              /* a few bytes: costs one page */
		{ MiB(30), MiB(4) },           /* end of one region, start of next */
		{ MiB(48), MiB(16) },          /* a whole region */
		{ MiB(100), 0 },               /* empty: ignored */
	};
	struct result res;

	(void)state;
	add_region(MiB(2), MiB(14), MEM_USABLE);  /* [2M, 16M) */
	add_region(MiB(20), MiB(12), MEM_USABLE); /* [20M, 32M) */
	add_region(MiB(32), MiB(8), MEM_USABLE);  /* [32M, 40M) */
	add_region(MiB(48), MiB(16), MEM_USABLE); /* [48M, 64M) */
	add_region(MiB(96), MiB(8), MEM_USABLE);  /* [96M, 104M) */
	res = usable_with(reserved, ARRAY_SIZE(reserved));
	assert_int_equal(res.count, 5);
	expect_range(&res, 0, MiB(3), MiB(8));
	expect_range(&res, 1, MiB(8) + PAGE_SIZE, MiB(15));
	expect_range(&res, 2, MiB(20), MiB(30));
	expect_range(&res, 3, MiB(34), MiB(40));
	expect_range(&res, 4, MiB(96), MiB(104));
}

static void test_overlapping_reserved_ranges(void **state)
{
	const struct mem_range reserved[] = {
		{ MiB(10), MiB(4) },
		{ MiB(12), MiB(4) },
		{ MiB(11), MiB(1) },
		{ MiB(40), MiB(100) }, /* past the end of memory */
	};
	struct result res;

	(void)state;
	add_region(MiB(1), MiB(63), MEM_USABLE);
	res = usable_with(reserved, ARRAY_SIZE(reserved));
	assert_int_equal(res.count, 2);
	expect_range(&res, 0, MiB(1), MiB(10));
	expect_range(&res, 1, MiB(16), MiB(40));
}

static void test_alignment_inward(void **state)
{
	const struct mem_range reserved[] = {
		{ MiB(4) + 0x800, 0x1000 }, /* straddles two pages: both lost */
	};
	struct result res;

	(void)state;
	add_region(MiB(2) + 1, MiB(4) - 2, MEM_USABLE);  /* [2M+1, 6M-1) */
	add_region(MiB(8) + 0x10, 0xff0, MEM_USABLE);    /* less than a page */
	add_region(MiB(10) + 0x10, 0x1ff0, MEM_USABLE);  /* one whole page */
	res = usable_with(reserved, ARRAY_SIZE(reserved));
	assert_int_equal(res.count, 3);
	expect_range(&res, 0, MiB(2) + PAGE_SIZE, MiB(4));
	expect_range(&res, 1, MiB(4) + 2 * PAGE_SIZE, MiB(6) - PAGE_SIZE);
	expect_range(&res, 2, MiB(10) + PAGE_SIZE, MiB(10) + 2 * PAGE_SIZE);
}

static void test_out_max_too_small(void **state)
{
	struct mem_range out[3];

	(void)state;
	add_region(MiB(2), MiB(1), MEM_USABLE);
	add_region(MiB(4), MiB(1), MEM_USABLE);
	add_region(MiB(6), MiB(1), MEM_USABLE);
	add_region(MiB(8), MiB(1), MEM_USABLE);
	memset(out, 0xcc, sizeof(out));
	assert_int_equal(memmap_usable(g_bi, NULL, 0, out, 2), 4);
	assert_int_equal(out[0].base, MiB(2));
	assert_int_equal(out[1].base, MiB(4));
	assert_int_equal(out[1].size, MiB(1));
	assert_int_equal(out[2].base, 0xccccccccccccccccULL); /* untouched */
	assert_int_equal(memmap_usable(g_bi, NULL, 0, NULL, 0), 4);
}

static void test_extreme_addresses(void **state)
{
	struct result res;

	(void)state;
	add_region(UINT64_MAX - MiB(1) + 1, UINT64_MAX, MEM_USABLE); /* wraps */
	add_region(0, 0, MEM_USABLE);
	add_region(GiB(1), 0, MEM_USABLE);
	add_region(GiB(2), MiB(1), 0x1234); /* unknown type: not usable */
	add_region(GiB(2), MiB(2), MEM_USABLE);
	res = usable();
	assert_int_equal(res.count, 2);
	expect_range(&res, 0, GiB(2) + MiB(1), GiB(2) + MiB(2));
	/* Saturated at the top of the address space, last partial page cut. */
	expect_range(&res, 1, UINT64_MAX - MiB(1) + 1, UINT64_MAX - PAGE_SIZE + 1);
}

static void test_mem_count_clamped(void **state)
{
	struct mem_range out[4];

	(void)state;
	add_region(MiB(2), MiB(1), MEM_USABLE);
	/* A corrupt count must not read past the array (ASan would see it). */
	g_bi->mem_count = BOOT_MAX_MEM_REGIONS + 1000;
	assert_int_equal(memmap_usable(g_bi, NULL, 0, out, 4), 1);
	assert_int_equal(out[0].base, MiB(2));
}

static void test_full_map(void **state)
{
	struct mem_range reserved[BOOT_MAX_MODULES + 1];
	size_t count;
	struct mem_range *out = calloc(512, sizeof(*out));

	(void)state;
	assert_non_null(out);
	/* Every region usable and every reserved range splitting one. */
	for (size_t i = 0; i < BOOT_MAX_MEM_REGIONS; i++)
		add_region(MiB(2) + i * MiB(4), MiB(2), MEM_USABLE);
	for (size_t i = 0; i < ARRAY_SIZE(reserved); i++)
		reserved[i] = (struct mem_range){ MiB(3) + i * MiB(4), PAGE_SIZE };
	count = memmap_usable(g_bi, reserved, ARRAY_SIZE(reserved), out, 512);
	assert_int_equal(count, BOOT_MAX_MEM_REGIONS + ARRAY_SIZE(reserved));
	for (size_t i = 1; i < count; i++)
		assert_true(out[i - 1].base + out[i - 1].size < out[i].base);
	free(out);
}

/* ---- Randomised against a per-page model --------------------------------- */

#define SPACE_PAGES 4096 /* 16 MiB */

/* A byte-granular random range inside the model's space. */
static void random_range(uint64_t *base, uint64_t *size)
{
	uint64_t space = SPACE_PAGES * PAGE_SIZE;

	*base = rng_below(space);
	switch (rng_below(8)) {
	case 0:
		*size = 0;
		break;
	case 1:
	case 2:
		*size = rng_below(space / 4);
		break;
	default:
		*size = rng_below(space / 64);
		break;
	}
	if (*base + *size > space)
		*size = space - *base;
}

/* Mark every page that [base, base+size) touches, even partly, as bad. */
static void model_mark_bad(bool *good, uint64_t base, uint64_t size)
{
	uint64_t last = (base + size + PAGE_SIZE - 1) / PAGE_SIZE;

	if (size == 0)
		return;
	for (uint64_t pg = base / PAGE_SIZE; pg < last && pg < SPACE_PAGES; pg++)
		good[pg] = false;
}

static void test_randomized_against_model(void **state)
{
	struct mem_range reserved[8];
	struct result res;

	(void)state;
	rng_seed(0x1234567887654321ULL);
	for (int iter = 0; iter < 2000; iter++) {
		static bool good[SPACE_PAGES];
		size_t nres = (size_t)rng_below(ARRAY_SIZE(reserved) + 1);
		size_t nregions = 1 + (size_t)rng_below(24), expect_count = 0;
		size_t r = 0;

		memset(g_bi, 0, sizeof(*g_bi));
		memset(good, 0, sizeof(good));
		for (size_t i = 0; i < nregions; i++) {
			uint64_t base, size;
			uint32_t type = rng_below(3) == 0 ? MEM_RESERVED : MEM_USABLE;

			random_range(&base, &size);
			add_region(base, size, type);
		}
		for (size_t i = 0; i < nres; i++)
			random_range(&reserved[i].base, &reserved[i].size);

		/*
		 * A page is good iff the union of usable regions covers all of it
		 * and nothing excluded touches it. Coverage is checked byte-exact,
		 * since touching or overlapping regions may cover a page together.
		 */
		for (uint64_t pg = 0; pg < SPACE_PAGES; pg++) {
			uint64_t lo = pg * PAGE_SIZE, hi = lo + PAGE_SIZE, at = lo;
			bool grew = true;

			/* Is [lo, hi) covered by the union of usable regions? */
			while (grew && at < hi) {
				grew = false;
				for (size_t i = 0; i < g_bi->mem_count; i++) {
					const struct mem_region *m = &g_bi->mem[i];

					if (m->type == MEM_USABLE && m->base <= at &&
					    at < m->base + m->size) {
						at = m->base + m->size;
						grew = true;
					}
				}
			}
			good[pg] = at >= hi;
		}
		for (size_t i = 0; i < g_bi->mem_count; i++)
			if (g_bi->mem[i].type != MEM_USABLE)
				model_mark_bad(good, g_bi->mem[i].base,
					       g_bi->mem[i].size);
		for (size_t i = 0; i < nres; i++)
			model_mark_bad(good, reserved[i].base, reserved[i].size);
		model_mark_bad(good, 0, MEMMAP_LOW_LIMIT);

		res = usable_with(reserved, nres);
		for (uint64_t pg = 0; pg < SPACE_PAGES; pg++) {
			bool in_result = false;

			if (good[pg] && (pg == 0 || !good[pg - 1]))
				expect_count++;
			while (r < res.count &&
			       res.r[r].base + res.r[r].size <= pg * PAGE_SIZE)
				r++;
			if (r < res.count && res.r[r].base <= pg * PAGE_SIZE)
				in_result = true;
			assert_int_equal(in_result, good[pg]);
		}
		assert_int_equal(res.count, expect_count);
		for (size_t i = 0; i < res.count; i++) {
			assert_true(IS_ALIGNED(res.r[i].base, PAGE_SIZE));
			assert_true(IS_ALIGNED(res.r[i].size, PAGE_SIZE));
			assert_true(res.r[i].size > 0);
			if (i > 0)
				assert_true(res.r[i - 1].base + res.r[i - 1].size <
					    res.r[i].base);
		}
	}
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_single_region_loses_first_mib),
		T(test_low_memory_cut),
		T(test_nothing_usable),
		T(test_unsorted_input_sorted_output),
		T(test_overlapping_and_touching_usable_merge),
		T(test_reserved_type_beats_usable),
		T(test_reserved_ranges_at_edges),
		T(test_overlapping_reserved_ranges),
		T(test_alignment_inward),
		T(test_out_max_too_small),
		T(test_extreme_addresses),
		T(test_mem_count_clamped),
		T(test_full_map),
		T(test_randomized_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

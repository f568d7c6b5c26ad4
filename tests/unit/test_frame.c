/*
 * Frame allocator tests. The "physical" addresses here are never backed by
 * host memory: if the allocator ever touched a frame it manages, the test
 * would crash, which checks that all state stays in the metadata buffer.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/frame.h>

static struct frame_allocator g_fa;
static void *g_meta;

static struct frame_allocator *fa_create(paddr_t top)
{
	size_t bytes = frame_meta_bytes(top);

	free(g_meta);
	g_meta = malloc(bytes);
	assert_non_null(g_meta);
	memset(g_meta, 0xa5, bytes); /* init must not rely on zeroed memory */
	assert_int_equal(frame_allocator_init(&g_fa, top, g_meta, bytes), 0);
	return &g_fa;
}

static int teardown(void **state)
{
	(void)state;
	free(g_meta);
	g_meta = NULL;
	return 0;
}

static uint64_t block_bytes(unsigned order)
{
	return PAGE_SIZE << order;
}

/* ---- Init and adding memory ---------------------------------------------- */

static void test_meta_bytes(void **state)
{
	size_t one_gib = frame_meta_bytes(GiB(1));

	(void)state;
	assert_int_equal(frame_meta_bytes(0), 0);
	assert_int_equal(frame_meta_bytes(FRAME_MAX_TOP + PAGE_SIZE), 0);
	assert_true(frame_meta_bytes(FRAME_MAX_TOP) > 0);
	/* About four bits per page: a free and an allocated bitmap per order. */
	assert_in_range(one_gib, KiB(64), KiB(160));
	assert_true(frame_meta_bytes(GiB(64)) <= 64 * one_gib + KiB(4));
	assert_true(frame_meta_bytes(PAGE_SIZE) > 0);
	/* An unaligned top is rounded up to the page. */
	assert_int_equal(frame_meta_bytes(GiB(1) - 1), one_gib);
}

static void test_init_rejects_bad_arguments(void **state)
{
	struct frame_allocator fa;
	size_t bytes = frame_meta_bytes(GiB(1));
	uint64_t *meta = malloc(bytes + 8);
	paddr_t pa;

	(void)state;
	assert_non_null(meta);
	assert_int_equal(frame_allocator_init(&fa, 0, meta, bytes), -E_INVAL);
	assert_int_equal(frame_allocator_init(&fa, FRAME_MAX_TOP + PAGE_SIZE,
					      meta, bytes), -E_INVAL);
	assert_int_equal(frame_allocator_init(&fa, GiB(1), NULL, bytes), -E_INVAL);
	assert_int_equal(frame_allocator_init(&fa, GiB(1), (char *)meta + 4,
					      bytes), -E_INVAL);
	assert_int_equal(frame_allocator_init(&fa, GiB(1), meta, bytes - 8),
			 -E_NOSPC);
	assert_int_equal(frame_allocator_init(&fa, GiB(1), meta, bytes), 0);
	assert_int_equal(frame_total_pages(&fa), 0);
	assert_int_equal(frame_free_pages(&fa), 0);
	assert_int_equal(frame_alloc(&fa, 0, &pa), -E_NOMEM);
	free(meta);
}

static void test_uninitialised_allocator_is_empty(void **state)
{
	struct frame_allocator fa;
	paddr_t pa;

	(void)state;
	memset(&fa, 0, sizeof(fa));
	assert_int_equal(frame_alloc(&fa, 0, &pa), -E_NOMEM);
	assert_int_equal(frame_add_range(&fa, MiB(1), MiB(1)), -E_INVAL);
	assert_false(frame_is_free(&fa, MiB(1)));
}

static void test_add_range_aligns_inward(void **state)
{
	struct frame_allocator *fa = fa_create(MiB(64));

	(void)state;
	/* [0x1001, 0x4001) holds whole pages 0x2000 and 0x3000 only. */
	assert_int_equal(frame_add_range(fa, 0x1001, 0x3000), 0);
	assert_int_equal(frame_total_pages(fa), 2);
	assert_int_equal(frame_free_pages(fa), 2);
	assert_false(frame_is_free(fa, 0x1000));
	assert_true(frame_is_free(fa, 0x2000));
	assert_true(frame_is_free(fa, 0x3fff));
	assert_false(frame_is_free(fa, 0x4000));
	/* Less than a whole page: nothing to add, not an error. */
	assert_int_equal(frame_add_range(fa, 0x8001, 0xfff), 0);
	assert_int_equal(frame_add_range(fa, 0x9000, 0), 0);
	assert_int_equal(frame_total_pages(fa), 2);
}

static void test_add_range_errors(void **state)
{
	struct frame_allocator *fa = fa_create(MiB(64));

	(void)state;
	assert_int_equal(frame_add_range(fa, MiB(1), MiB(2)), 0);
	/* Overlap at either end, inside, or around: nothing is added. */
	assert_int_equal(frame_add_range(fa, MiB(1) - PAGE_SIZE, 2 * PAGE_SIZE),
			 -E_EXIST);
	assert_int_equal(frame_add_range(fa, MiB(3) - PAGE_SIZE, MiB(1)), -E_EXIST);
	assert_int_equal(frame_add_range(fa, MiB(2), PAGE_SIZE), -E_EXIST);
	assert_int_equal(frame_add_range(fa, 0, MiB(8)), -E_EXIST);
	assert_int_equal(frame_total_pages(fa), 512);
	assert_false(frame_is_free(fa, MiB(1) - PAGE_SIZE));
	assert_false(frame_is_free(fa, MiB(3)));

	/* Overlap with allocated (not just free) memory is detected too. */
	{
		paddr_t pa;

		assert_int_equal(frame_alloc(fa, 0, &pa), 0);
		assert_int_equal(frame_add_range(fa, pa, PAGE_SIZE), -E_EXIST);
		frame_free(fa, pa, 0);
	}

	assert_int_equal(frame_add_range(fa, MiB(63), MiB(2)), -E_RANGE);
	assert_int_equal(frame_add_range(fa, UINT64_MAX - 10, 100), -E_RANGE);
	assert_int_equal(frame_add_range(fa, MiB(8), UINT64_MAX), -E_RANGE);
	assert_int_equal(frame_total_pages(fa), 512);
	/* Exactly up to top is fine. */
	assert_int_equal(frame_add_range(fa, MiB(60), MiB(4)), 0);
	assert_int_equal(frame_total_pages(fa), 512 + 1024);
}

/* ---- Allocation ---------------------------------------------------------- */

static void test_alloc_takes_lowest_smallest(void **state)
{
	struct frame_allocator *fa = fa_create(MiB(16));
	paddr_t pa;

	(void)state;
	assert_int_equal(frame_add_range(fa, MiB(1), MiB(1)), 0);
	assert_int_equal(frame_alloc(fa, 0, &pa), 0);
	assert_int_equal(pa, MiB(1));
	/* Splitting left free blocks at +4K (order 0), +8K (1), +16K (2)... */
	assert_int_equal(frame_alloc(fa, 1, &pa), 0);
	assert_int_equal(pa, MiB(1) + KiB(8));
	assert_int_equal(frame_alloc(fa, 0, &pa), 0);
	assert_int_equal(pa, MiB(1) + KiB(4));
	assert_int_equal(frame_alloc(fa, 0, &pa), 0);
	assert_int_equal(pa, MiB(1) + KiB(16));
	assert_int_equal(frame_alloc(fa, 2, &pa), 0);
	assert_int_equal(pa, MiB(1) + KiB(32));
	assert_int_equal(frame_free_pages(fa), 256 - 1 - 2 - 1 - 1 - 4);
	assert_false(frame_is_free(fa, MiB(1) + KiB(8)));
	assert_false(frame_is_free(fa, MiB(1) + KiB(12)));
	assert_true(frame_is_free(fa, MiB(1) + KiB(20)));
}

static void test_alloc_rejects_bad_order(void **state)
{
	struct frame_allocator *fa = fa_create(GiB(2));
	paddr_t pa = 123;

	(void)state;
	assert_int_equal(frame_add_range(fa, 0, GiB(2)), 0);
	assert_int_equal(frame_alloc(fa, FRAME_MAX_ORDER + 1, &pa), -E_INVAL);
	assert_int_equal(frame_alloc(fa, 100, &pa), -E_INVAL);
	assert_int_equal(frame_alloc(fa, 0, NULL), -E_INVAL);
	assert_int_equal(pa, 123);
	assert_int_equal(frame_free_pages(fa), GiB(2) / PAGE_SIZE);
}

static void test_exhaustion_and_restore(void **state)
{
	struct frame_allocator *fa = fa_create(MiB(16));
	paddr_t got[80], pa;
	size_t n = 0;

	(void)state;
	assert_int_equal(frame_add_range(fa, MiB(1), KiB(256)), 0);   /* 64 */
	assert_int_equal(frame_add_range(fa, MiB(2), KiB(64)), 0);    /* 16 */
	while (frame_alloc(fa, 0, &pa) == 0) {
		assert_true(n < ARRAY_SIZE(got));
		for (size_t i = 0; i < n; i++)
			assert_true(got[i] != pa);
		assert_true((pa >= MiB(1) && pa < MiB(1) + KiB(256)) ||
			    (pa >= MiB(2) && pa < MiB(2) + KiB(64)));
		got[n++] = pa;
	}
	assert_int_equal(n, 80);
	assert_int_equal(frame_free_pages(fa), 0);
	for (unsigned order = 0; order <= FRAME_MAX_ORDER; order++)
		assert_int_equal(frame_alloc(fa, order, &pa), -E_NOMEM);
	assert_int_equal(frame_total_pages(fa), 80);

	for (size_t i = 0; i < n; i++)
		frame_free(fa, got[i], 0);
	assert_int_equal(frame_free_pages(fa), 80);
	/* Everything merged back: the 256 KiB range is one order-6 block. */
	assert_int_equal(frame_alloc(fa, 6, &pa), 0);
	assert_int_equal(pa, MiB(1));
	assert_int_equal(frame_alloc(fa, 4, &pa), 0);
	assert_int_equal(pa, MiB(2));
	assert_int_equal(frame_alloc(fa, 0, &pa), -E_NOMEM);
}

struct test_range {
	paddr_t base, end;
};

static bool inside(const struct test_range *r, size_t n, paddr_t pa,
		   unsigned order)
{
	for (size_t i = 0; i < n; i++)
		if (pa >= r[i].base && pa + block_bytes(order) <= r[i].end)
			return true;
	return false;
}

static void test_holes_never_handed_out(void **state)
{
	static const struct test_range ranges[] = {
		{ MiB(1), MiB(3) },
		{ MiB(3) + 5 * PAGE_SIZE, MiB(8) - PAGE_SIZE },
		{ MiB(16), MiB(20) },
	};
	struct frame_allocator *fa = fa_create(MiB(32));
	uint64_t pages = 0, expected = 0;
	unsigned order = 10;
	paddr_t pa;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++) {
		assert_int_equal(frame_add_range(fa, ranges[i].base,
						 ranges[i].end - ranges[i].base), 0);
		expected += (ranges[i].end - ranges[i].base) / PAGE_SIZE;
	}
	assert_int_equal(frame_total_pages(fa), expected);
	/* Take everything, largest blocks first, and check where each lies. */
	for (;;) {
		if (frame_alloc(fa, order, &pa) != 0) {
			if (order == 0)
				break;
			order--;
			continue;
		}
		assert_true(IS_ALIGNED(pa, block_bytes(order)));
		assert_true(inside(ranges, ARRAY_SIZE(ranges), pa, order));
		pages += 1ULL << order;
	}
	assert_int_equal(pages, expected);
	assert_int_equal(frame_free_pages(fa), 0);
}

static void test_large_blocks_aligned_and_inside(void **state)
{
	static const struct test_range ranges[] = {
		{ MiB(1) + 3 * PAGE_SIZE, GiB(3) + 5 * PAGE_SIZE },
		{ GiB(4), GiB(8) - PAGE_SIZE },
	};
	struct frame_allocator *fa = fa_create(GiB(8));
	paddr_t pa, expect_1g[] = { GiB(1), GiB(2), GiB(4), GiB(5), GiB(6) };
	size_t n = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ranges); i++)
		assert_int_equal(frame_add_range(fa, ranges[i].base,
						 ranges[i].end - ranges[i].base), 0);
	while (frame_alloc(fa, FRAME_ORDER_1G, &pa) == 0) {
		assert_true(n < ARRAY_SIZE(expect_1g));
		assert_int_equal(pa, expect_1g[n]);
		assert_true(inside(ranges, ARRAY_SIZE(ranges), pa, FRAME_ORDER_1G));
		n++;
	}
	assert_int_equal(n, ARRAY_SIZE(expect_1g));

	/* The lowest whole 2 MiB block is at 2 MiB (1 MiB + 12 KiB is not). */
	assert_int_equal(frame_alloc(fa, FRAME_ORDER_2M, &pa), 0);
	assert_int_equal(pa, MiB(2));
	n = 1;
	while (frame_alloc(fa, FRAME_ORDER_2M, &pa) == 0) {
		assert_true(IS_ALIGNED(pa, LARGE_PAGE_SIZE));
		assert_true(inside(ranges, ARRAY_SIZE(ranges), pa, FRAME_ORDER_2M));
		n++;
	}
	/* [2M, 1G) and [7G, 8G - 2M) in 2 MiB blocks. */
	assert_int_equal(n, (GiB(1) - MiB(2)) / MiB(2) + (GiB(1) - MiB(2)) / MiB(2));
}

static void test_merge_back_to_1g(void **state)
{
	struct frame_allocator *fa = fa_create(GiB(2));
	const size_t npages = GiB(1) / PAGE_SIZE;
	paddr_t *pages = malloc(npages * sizeof(*pages)), pa;

	(void)state;
	assert_non_null(pages);
	assert_int_equal(frame_add_range(fa, GiB(1), GiB(1)), 0);
	assert_int_equal(frame_alloc(fa, FRAME_ORDER_1G, &pa), 0);
	assert_int_equal(pa, GiB(1));
	frame_free(fa, pa, FRAME_ORDER_1G);

	for (size_t i = 0; i < npages; i++) {
		assert_int_equal(frame_alloc(fa, 0, &pages[i]), 0);
		assert_int_equal(pages[i], GiB(1) + i * PAGE_SIZE);
	}
	assert_int_equal(frame_alloc(fa, 0, &pa), -E_NOMEM);
	/* Free in a shuffled order so merges happen in every pattern. */
	rng_seed(42);
	for (size_t i = npages - 1; i > 0; i--) {
		size_t j = rng_below(i + 1);
		paddr_t t = pages[i];

		pages[i] = pages[j];
		pages[j] = t;
	}
	for (size_t i = 0; i < npages; i++) {
		assert_int_equal(frame_alloc(fa, FRAME_ORDER_1G, &pa), -E_NOMEM);
		frame_free(fa, pages[i], 0);
	}
	assert_int_equal(frame_alloc(fa, FRAME_ORDER_1G, &pa), 0);
	assert_int_equal(pa, GiB(1));
	frame_free(fa, pa, FRAME_ORDER_1G);

	/* Same with 2 MiB pieces. */
	for (size_t i = 0; i < 512; i++)
		assert_int_equal(frame_alloc(fa, FRAME_ORDER_2M, &pages[i]), 0);
	for (size_t i = 0; i < 512; i += 2)
		frame_free(fa, pages[i], FRAME_ORDER_2M);
	assert_int_equal(frame_alloc(fa, FRAME_ORDER_2M + 1, &pa), -E_NOMEM);
	for (size_t i = 1; i < 512; i += 2)
		frame_free(fa, pages[i], FRAME_ORDER_2M);
	assert_int_equal(frame_alloc(fa, FRAME_ORDER_1G, &pa), 0);
	assert_int_equal(pa, GiB(1));
	free(pages);
}

static void test_add_range_merges_with_neighbours(void **state)
{
	struct frame_allocator *fa = fa_create(MiB(64));
	paddr_t pa, low;

	(void)state;
	assert_int_equal(frame_add_range(fa, MiB(2), MiB(1)), 0);
	assert_int_equal(frame_alloc(fa, 0, &low), 0);
	assert_int_equal(low, MiB(2));
	assert_int_equal(frame_add_range(fa, MiB(3), MiB(1)), 0);
	/* [2M, 4M) is all known now but its first page is still allocated. */
	assert_int_equal(frame_alloc(fa, FRAME_ORDER_2M, &pa), -E_NOMEM);
	frame_free(fa, low, 0);
	assert_int_equal(frame_alloc(fa, FRAME_ORDER_2M, &pa), 0);
	assert_int_equal(pa, MiB(2));
	frame_free(fa, pa, FRAME_ORDER_2M);
	/* Adding below merges again, up to an order-10 block at 0. */
	assert_int_equal(frame_add_range(fa, 0, MiB(2)), 0);
	assert_int_equal(frame_alloc(fa, FRAME_ORDER_2M + 1, &pa), 0);
	assert_int_equal(pa, 0);
}

/* ---- Bad frees ----------------------------------------------------------- */

static void test_double_free_panics(void **state)
{
	struct frame_allocator *fa = fa_create(MiB(64));
	paddr_t a, b;

	(void)state;
	assert_int_equal(frame_add_range(fa, MiB(1), MiB(8)), 0);
	assert_int_equal(frame_alloc(fa, 0, &a), 0);
	assert_int_equal(frame_alloc(fa, 0, &b), 0);
	frame_free(fa, a, 0);
	expect_assert_failure(frame_free(fa, a, 0));
	assert_non_null(strstr(shim_last_panic, "double free"));
	/* b's buddy a is free and b is not: state unharmed by the attempt. */
	assert_int_equal(frame_free_pages(fa), 2048 - 1);
	frame_free(fa, b, 0);
	expect_assert_failure(frame_free(fa, b, 0));
	assert_int_equal(frame_free_pages(fa), 2048);

	/* A free page inside a larger free block is also a double free. */
	assert_true(frame_is_free(fa, MiB(4)));
	expect_assert_failure(frame_free(fa, MiB(4), 0));
	expect_assert_failure(frame_free(fa, MiB(4), FRAME_ORDER_2M));
	assert_int_equal(frame_free_pages(fa), 2048);
}

static void test_bad_frees_panic(void **state)
{
	struct frame_allocator *fa = fa_create(MiB(64));
	paddr_t big;

	(void)state;
	assert_int_equal(frame_add_range(fa, MiB(2), MiB(8)), 0);
	assert_int_equal(frame_alloc(fa, FRAME_ORDER_2M, &big), 0);

	expect_assert_failure(frame_free(fa, big + PAGE_SIZE, 0)); /* interior */
	expect_assert_failure(frame_free(fa, big, 0));             /* wrong order */
	expect_assert_failure(frame_free(fa, big, FRAME_ORDER_2M + 1));
	expect_assert_failure(frame_free(fa, big + 1, FRAME_ORDER_2M)); /* misaligned */
	assert_non_null(strstr(shim_last_panic, "not aligned"));
	expect_assert_failure(frame_free(fa, MiB(32), 0)); /* never added */
	assert_non_null(strstr(shim_last_panic, "never added"));
	expect_assert_failure(frame_free(fa, MiB(64), 0)); /* beyond top */
	expect_assert_failure(frame_free(fa, big, FRAME_MAX_ORDER + 1));
	assert_int_equal(frame_free_pages(fa), 2048 - 512);

	frame_free(fa, big, FRAME_ORDER_2M);
	assert_int_equal(frame_free_pages(fa), 2048);
}

/* ---- Randomised run against a reference model ---------------------------- */

#define MODEL_NOT_ADDED UINT32_MAX
#define MODEL_FREE 0u

struct live_block {
	paddr_t pa;
	unsigned order;
};

struct model {
	struct frame_allocator *fa;
	uint32_t *owner; /* per page: NOT_ADDED, FREE, or live id */
	uint64_t npages;
	uint64_t free_pages;
	struct live_block *live;
	size_t live_count, live_max;
	unsigned nomem_checks;
};

static void model_add(struct model *m, paddr_t base, paddr_t end)
{
	assert_int_equal(frame_add_range(m->fa, base, end - base), 0);
	for (uint64_t pg = base / PAGE_SIZE; pg < end / PAGE_SIZE; pg++) {
		assert_int_equal(m->owner[pg], MODEL_NOT_ADDED);
		m->owner[pg] = MODEL_FREE;
	}
	m->free_pages += (end - base) / PAGE_SIZE;
}

static bool model_block_free(const struct model *m, uint64_t pg, unsigned order)
{
	for (uint64_t i = 0; i < (1ULL << order); i++)
		if (m->owner[pg + i] != MODEL_FREE)
			return false;
	return true;
}

/* The buddy invariant: no whole free aligned block of `order` is left. */
static void model_check_nomem(const struct model *m, unsigned order)
{
	for (uint64_t pg = 0; pg + (1ULL << order) <= m->npages; pg += 1ULL << order)
		assert_false(model_block_free(m, pg, order));
}

static void model_check_page(const struct model *m, uint64_t pg)
{
	assert_int_equal(frame_is_free(m->fa, pg * PAGE_SIZE),
			 m->owner[pg] == MODEL_FREE);
}

static unsigned random_order(void)
{
	uint64_t r = rng_below(1000);

	if (r < 550)
		return 0;
	if (r < 800)
		return 1 + (unsigned)rng_below(3);
	if (r < 950)
		return 4 + (unsigned)rng_below(6);
	if (r < 995)
		return 10 + (unsigned)rng_below(5);
	return 15 + (unsigned)rng_below(4);
}

static void model_alloc(struct model *m)
{
	unsigned order = random_order();
	paddr_t pa;
	int err = frame_alloc(m->fa, order, &pa);
	uint32_t id;

	if (err) {
		assert_int_equal(err, -E_NOMEM);
		/* Checking is a scan of all memory, so only now and then. */
		if (m->nomem_checks++ % 16 == 0 && m->nomem_checks < 16 * 64)
			model_check_nomem(m, order);
		return;
	}
	assert_true(IS_ALIGNED(pa, block_bytes(order)));
	assert_true(pa / PAGE_SIZE + (1ULL << order) <= m->npages);
	assert_true(m->live_count < m->live_max);
	id = (uint32_t)m->live_count + 1;
	for (uint64_t i = 0; i < (1ULL << order); i++) {
		uint32_t *o = &m->owner[pa / PAGE_SIZE + i];

		/* Never outside added memory, never overlapping a live block. */
		assert_int_equal(*o, MODEL_FREE);
		*o = id;
	}
	assert_false(frame_is_free(m->fa, pa));
	m->live[m->live_count++] = (struct live_block){ pa, order };
	m->free_pages -= 1ULL << order;
}

static void model_free_at(struct model *m, size_t i)
{
	struct live_block b = m->live[i];
	uint32_t last_id = (uint32_t)m->live_count;

	frame_free(m->fa, b.pa, b.order);
	for (uint64_t p = 0; p < (1ULL << b.order); p++)
		m->owner[b.pa / PAGE_SIZE + p] = MODEL_FREE;
	assert_true(frame_is_free(m->fa, b.pa));
	m->free_pages += 1ULL << b.order;
	/* Move the last live block into slot i, and its pages' id with it. */
	m->live_count--;
	if (i != m->live_count) {
		struct live_block mv = m->live[m->live_count];

		m->live[i] = mv;
		for (uint64_t p = 0; p < (1ULL << mv.order); p++) {
			assert_int_equal(m->owner[mv.pa / PAGE_SIZE + p], last_id);
			m->owner[mv.pa / PAGE_SIZE + p] = (uint32_t)i + 1;
		}
	}
}

/* How many blocks of each order the added memory is, fully merged. */
static void model_merged_blocks(const struct model *m, uint64_t *count)
{
	uint64_t pg = 0;

	memset(count, 0, FRAME_ORDERS * sizeof(*count));
	while (pg < m->npages) {
		uint64_t end;

		if (m->owner[pg] == MODEL_NOT_ADDED) {
			pg++;
			continue;
		}
		for (end = pg; end < m->npages && m->owner[end] != MODEL_NOT_ADDED;)
			end++;
		while (pg < end) {
			unsigned order = FRAME_MAX_ORDER;

			while (!IS_ALIGNED(pg, 1ULL << order) ||
			       pg + (1ULL << order) > end)
				order--;
			count[order]++;
			pg += 1ULL << order;
		}
	}
}

static void test_randomized_against_model(void **state)
{
	const paddr_t top = GiB(6);
	struct model m = {
		.fa = fa_create(top),
		.npages = top / PAGE_SIZE,
		.live_max = 1 << 20,
	};
	uint64_t expect[FRAME_ORDERS];
	paddr_t pa;

	(void)state;
	rng_seed(0x9e3779b97f4a7c15ULL);
	m.owner = malloc(m.npages * sizeof(*m.owner));
	m.live = malloc(m.live_max * sizeof(*m.live));
	assert_non_null(m.owner);
	assert_non_null(m.live);
	for (uint64_t i = 0; i < m.npages; i++)
		m.owner[i] = MODEL_NOT_ADDED;

	/* Sparse low memory with holes and odd edges. */
	model_add(&m, MiB(1), MiB(600) + 3 * PAGE_SIZE);
	model_add(&m, MiB(601), GiB(2) - 7 * PAGE_SIZE);
	model_add(&m, GiB(2) + MiB(512) + PAGE_SIZE, GiB(4) - KiB(64));

	for (unsigned op = 0; op < 200000; op++) {
		/* Phases that mostly allocate, then mostly free, to hit OOM. */
		unsigned alloc_pct = (op / 20000) % 2 == 0 ? 75 : 30;

		if (op == 100000)
			model_add(&m, GiB(4), top - 9 * PAGE_SIZE);
		if (op == 150000) /* fills the hole between two ranges */
			model_add(&m, MiB(600) + 3 * PAGE_SIZE, MiB(601));

		if (m.live_count == 0 || rng_below(100) < alloc_pct)
			model_alloc(&m);
		else
			model_free_at(&m, rng_below(m.live_count));
		assert_int_equal(frame_free_pages(m.fa), m.free_pages);

		if (op % 1000 == 0)
			for (int i = 0; i < 64; i++)
				model_check_page(&m, rng_below(m.npages));
		if (op % 50000 == 0)
			for (uint64_t pg = 0; pg < m.npages; pg += 1)
				model_check_page(&m, pg);
	}
	assert_true(m.nomem_checks > 0); /* the run did reach exhaustion */

	while (m.live_count)
		model_free_at(&m, m.live_count - 1);
	assert_int_equal(frame_free_pages(m.fa), frame_total_pages(m.fa));
	assert_int_equal(frame_free_pages(m.fa), m.free_pages);
	for (uint64_t pg = 0; pg < m.npages; pg++)
		model_check_page(&m, pg);

	/*
	 * Fully merged, the allocator's free blocks are exactly the greedy
	 * aligned decomposition of the added memory. Taking blocks from the
	 * largest order down never splits one, so it counts them per order.
	 */
	model_merged_blocks(&m, expect);
	for (unsigned order = FRAME_MAX_ORDER + 1; order-- > 0;) {
		uint64_t n = 0;

		while (frame_alloc(m.fa, order, &pa) == 0)
			n++;
		assert_int_equal(n, expect[order]);
	}
	assert_int_equal(frame_free_pages(m.fa), 0);
	free(m.owner);
	free(m.live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_bytes),
		cmocka_unit_test(test_init_rejects_bad_arguments),
		cmocka_unit_test(test_uninitialised_allocator_is_empty),
		cmocka_unit_test_teardown(test_add_range_aligns_inward, teardown),
		cmocka_unit_test_teardown(test_add_range_errors, teardown),
		cmocka_unit_test_teardown(test_alloc_takes_lowest_smallest, teardown),
		cmocka_unit_test_teardown(test_alloc_rejects_bad_order, teardown),
		cmocka_unit_test_teardown(test_exhaustion_and_restore, teardown),
		cmocka_unit_test_teardown(test_holes_never_handed_out, teardown),
		cmocka_unit_test_teardown(test_large_blocks_aligned_and_inside, teardown),
		cmocka_unit_test_teardown(test_merge_back_to_1g, teardown),
		cmocka_unit_test_teardown(test_add_range_merges_with_neighbours, teardown),
		cmocka_unit_test_teardown(test_double_free_panics, teardown),
		cmocka_unit_test_teardown(test_bad_frees_panic, teardown),
		cmocka_unit_test_teardown(test_randomized_against_model, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

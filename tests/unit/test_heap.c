/*
 * Kernel heap tests. The page source is the real frame allocator over a host
 * arena ("physical" address pa is arena + pa), as in the kernel. Pages the
 * heap does not hold are ASan-poisoned, so the heap touching a page after
 * giving it back, or writing past an object into a free page, is caught.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdlib.h>
#include <string.h>

#include <sanitizer/asan_interface.h>

#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/heap.h>

#define ARENA_BYTES MiB(16)

static struct {
	uint8_t *arena;
	void *meta;
	struct frame_allocator fa;
	bool poison;
	size_t source_allocs, source_frees;
} src;

static void *source_alloc(void *ctx, unsigned order)
{
	paddr_t pa;

	assert_ptr_equal(ctx, &src);
	if (frame_alloc(&src.fa, order, &pa) != 0)
		return NULL;
	src.source_allocs++;
	ASAN_UNPOISON_MEMORY_REGION(src.arena + pa, PAGE_SIZE << order);
	return src.arena + pa;
}

static void source_free(void *ctx, void *p, unsigned order)
{
	assert_ptr_equal(ctx, &src);
	/* frame_free panics (fails the test) on a wrong order or pointer. */
	frame_free(&src.fa, (paddr_t)((uint8_t *)p - src.arena), order);
	src.source_frees++;
	if (src.poison)
		ASAN_POISON_MEMORY_REGION(p, PAGE_SIZE << order);
}

static const struct heap_page_source arena_source = {
	.alloc = source_alloc,
	.free = source_free,
	.ctx = &src,
};

/* A heap over `pages` pages of arena. */
static void heap_start(size_t pages, bool poison)
{
	size_t meta = frame_meta_bytes(ARENA_BYTES);

	assert_true(pages * PAGE_SIZE <= ARENA_BYTES);
	src.arena = aligned_alloc(PAGE_SIZE, ARENA_BYTES);
	src.meta = malloc(meta);
	assert_non_null(src.arena);
	assert_non_null(src.meta);
	assert_int_equal(frame_allocator_init(&src.fa, ARENA_BYTES, src.meta, meta), 0);
	assert_int_equal(frame_add_range(&src.fa, 0, pages * PAGE_SIZE), 0);
	src.poison = poison;
	src.source_allocs = src.source_frees = 0;
	if (poison)
		ASAN_POISON_MEMORY_REGION(src.arena, ARENA_BYTES);
	assert_int_equal(heap_init(&arena_source), 0);
}

static int teardown(void **state)
{
	(void)state;
	if (src.arena)
		ASAN_UNPOISON_MEMORY_REGION(src.arena, ARENA_BYTES);
	free(src.arena);
	free(src.meta);
	src.arena = NULL;
	src.meta = NULL;
	return 0;
}

static struct heap_stats stats(void)
{
	struct heap_stats s;

	heap_get_stats(&s);
	return s;
}

/* All memory back: no bytes in use, no pages held, source balanced. */
static void assert_heap_empty(void)
{
	struct heap_stats s = stats();

	assert_int_equal(s.bytes_in_use, 0);
	assert_int_equal(s.pages_held, 0);
	assert_int_equal(s.allocs, s.frees);
	assert_int_equal(frame_free_pages(&src.fa), frame_total_pages(&src.fa));
	assert_int_equal(src.source_allocs, src.source_frees);
}

static void fill(void *p, size_t size, uint32_t seed)
{
	uint8_t *b = p;

	for (size_t i = 0; i < size; i++)
		b[i] = (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

static bool check(const void *p, size_t size, uint32_t seed)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < size; i++)
		if (b[i] != (uint8_t)(seed * 131 + i * 7 + (i >> 8)))
			return false;
	return true;
}

/* What the heap should count as in use for a request (independent of it). */
static size_t expected_usable(size_t size)
{
	size_t block = PAGE_SIZE;

	if (size <= HEAP_MAX_CLASS) {
		size_t c = HEAP_MIN_CLASS;

		while (c < size)
			c *= 2;
		return c;
	}
	while (block - 16 < size)
		block *= 2;
	return block - 16;
}

static unsigned expected_order(size_t size)
{
	unsigned order = 0;

	while ((PAGE_SIZE << order) - 16 < size)
		order++;
	return order;
}

/* ---- Tests --------------------------------------------------------------- */

/* Runs first: the heap has never been initialised. */
static void test_kmalloc_before_init_fails(void **state)
{
	(void)state;
	assert_null(kmalloc(16));
	assert_null(kzalloc(5000));
	kfree(NULL);
}

static void test_init_rejects_bad_source(void **state)
{
	struct heap_page_source s = arena_source;

	(void)state;
	assert_int_equal(heap_init(NULL), -E_INVAL);
	s.alloc = NULL;
	assert_int_equal(heap_init(&s), -E_INVAL);
	s = arena_source;
	s.free = NULL;
	assert_int_equal(heap_init(&s), -E_INVAL);
}

static void test_sizes_aligned_and_disjoint(void **state)
{
	enum { N = 2200 };
	static void *p[N];

	(void)state;
	heap_start(4096, true);
	for (uint32_t size = 0; size < N; size++) {
		p[size] = kmalloc(size);
		assert_non_null(p[size]);
		assert_true(IS_ALIGNED((uintptr_t)p[size], HEAP_ALIGN));
		fill(p[size], size, size);
	}
	/* Any overlap would have overwritten an earlier pattern. */
	for (uint32_t size = 0; size < N; size++)
		assert_true(check(p[size], size, size));
	for (uint32_t size = 0; size < N; size += 2)
		kfree(p[size]);
	for (uint32_t size = 1; size < N; size += 2) {
		assert_true(check(p[size], size, size));
		kfree(p[size]);
	}
	assert_heap_empty();
	assert_int_equal(stats().allocs, N);
}

static void test_kmalloc_zero_is_unique(void **state)
{
	void *a, *b;

	(void)state;
	heap_start(16, true);
	a = kmalloc(0);
	b = kmalloc(0);
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);
	assert_int_equal(stats().bytes_in_use, 2 * HEAP_MIN_CLASS);
	kfree(a);
	kfree(b);
	assert_heap_empty();
}

static void test_size_accounting(void **state)
{
	static const size_t sizes[] = { 1, 16, 17, 100, 512, 513, 1024, 1025,
					4080, 4081, 8176, 8177, 100000 };

	(void)state;
	heap_start(4096, true);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		struct heap_stats before = stats(), after;
		void *p = kmalloc(sizes[i]);

		assert_non_null(p);
		after = stats();
		assert_int_equal(after.bytes_in_use - before.bytes_in_use,
				 expected_usable(sizes[i]));
		if (sizes[i] > HEAP_MAX_CLASS)
			assert_int_equal(after.pages_held - before.pages_held,
					 1u << expected_order(sizes[i]));
		kfree(p);
		assert_int_equal(stats().bytes_in_use, before.bytes_in_use);
		assert_int_equal(stats().pages_held, 0);
	}
	assert_heap_empty();
}

static void test_slab_fills_reuses_and_releases(void **state)
{
	/* 4096 - 64 bytes of slab header leave 252 16-byte slots. */
	enum { PER_PAGE = 252 };
	static void *p[PER_PAGE + 1];
	void *again;

	(void)state;
	heap_start(16, true);
	for (int i = 0; i < PER_PAGE; i++) {
		p[i] = kmalloc(16);
		assert_non_null(p[i]);
		/* One slab page: all objects share it. */
		assert_true(((uintptr_t)p[i] & ~(uintptr_t)(PAGE_SIZE - 1)) ==
			    ((uintptr_t)p[0] & ~(uintptr_t)(PAGE_SIZE - 1)));
	}
	assert_int_equal(stats().pages_held, 1);
	p[PER_PAGE] = kmalloc(16);
	assert_int_equal(stats().pages_held, 2);

	/* A slot freed in a full slab is handed out again. */
	kfree(p[100]);
	again = kmalloc(16);
	assert_ptr_equal(again, p[100]);

	/* Other size classes use their own pages. */
	{
		void *q = kmalloc(32);

		assert_int_equal(stats().pages_held, 3);
		kfree(q);
		assert_int_equal(stats().pages_held, 2);
	}
	kfree(p[PER_PAGE]);
	assert_int_equal(stats().pages_held, 1);
	for (int i = 0; i < PER_PAGE; i++)
		kfree(p[i]);
	assert_heap_empty();
}

static void test_kzalloc_zeroes_dirty_memory(void **state)
{
	uint8_t *keep, *p, *big;
	size_t big_size = 3 * PAGE_SIZE;

	(void)state;
	heap_start(64, true);
	keep = kmalloc(200); /* keeps the 256-byte slab alive */
	p = kmalloc(200);
	memset(p, 0xab, 200);
	kfree(p);
	p = kzalloc(200);
	assert_non_null(p);
	for (int i = 0; i < 200; i++)
		assert_int_equal(p[i], 0);

	big = kmalloc(big_size);
	memset(big, 0xcd, big_size);
	kfree(big);
	big = kzalloc(big_size); /* the lowest block again: dirty memory */
	assert_non_null(big);
	for (size_t i = 0; i < big_size; i++)
		assert_int_equal(big[i], 0);
	kfree(big);
	kfree(p);
	kfree(keep);
	assert_heap_empty();
}

static void test_large_allocations(void **state)
{
	static const size_t sizes[] = { 1500, 4080, 5000, 65536, 300000,
					MiB(1), MiB(3) };
	void *p[ARRAY_SIZE(sizes)];
	size_t pages = 0;

	(void)state;
	heap_start(4096, true);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		p[i] = kmalloc(sizes[i]);
		assert_non_null(p[i]);
		assert_true(IS_ALIGNED((uintptr_t)p[i], HEAP_ALIGN));
		fill(p[i], sizes[i], (uint32_t)i);
		pages += 1u << expected_order(sizes[i]);
	}
	assert_int_equal(stats().pages_held, pages);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		assert_true(check(p[i], sizes[i], (uint32_t)i));
		kfree(p[i]);
	}
	assert_heap_empty();
}

static void test_oom_returns_null(void **state)
{
	enum { PAGES = 4, PER_PAGE = 252 };
	static void *p[PAGES * PER_PAGE + 1];
	size_t n = 0;

	(void)state;
	heap_start(PAGES, true);
	while ((p[n] = kmalloc(16)) != NULL) {
		assert_true(n < PAGES * PER_PAGE);
		n++;
	}
	assert_int_equal(n, PAGES * PER_PAGE);
	assert_null(kmalloc(16));
	assert_null(kmalloc(64));
	assert_null(kzalloc(3000));
	assert_int_equal(stats().allocs, n);
	for (size_t i = 0; i < n; i++)
		kfree(p[i]);
	assert_heap_empty();

	/* More than the source has in one block: NULL, nothing leaked. */
	assert_null(kmalloc(PAGES * PAGE_SIZE));
	assert_non_null(p[0] = kmalloc(PAGES * PAGE_SIZE - 16));
	assert_null(kmalloc(16));
	kfree(p[0]);
	assert_heap_empty();
}

static void test_empty_source_returns_null(void **state)
{
	(void)state;
	heap_start(0, true);
	assert_null(kmalloc(1));
	assert_null(kmalloc(100000));
	assert_null(kzalloc(8));
	assert_int_equal(stats().allocs, 0);
	assert_heap_empty();
}

static void test_huge_requests_return_null(void **state)
{
	(void)state;
	heap_start(4096, true);
	assert_null(kmalloc(SIZE_MAX));
	assert_null(kmalloc(SIZE_MAX - 8));
	assert_null(kmalloc((size_t)GiB(1)));     /* larger than the source */
	assert_null(kmalloc((size_t)GiB(1) - 16)); /* exactly max order */
	assert_null(kmalloc((size_t)GiB(2)));     /* beyond the largest order */
	assert_heap_empty();
	assert_int_equal(stats().allocs, 0);
}

static void test_kfree_null_is_noop(void **state)
{
	struct heap_stats before;

	(void)state;
	heap_start(16, true);
	before = stats();
	kfree(NULL);
	assert_memory_equal(&before, &(struct heap_stats){ 0 }, sizeof(before));
	assert_int_equal(stats().frees, 0);
}

static void test_double_free_small_panics(void **state)
{
	void *a, *b;

	(void)state;
	heap_start(16, true);
	a = kmalloc(48);
	b = kmalloc(48); /* keeps the slab alive */
	kfree(a);
	expect_assert_failure(kfree(a));
	assert_non_null(strstr(shim_last_panic, "double free"));
	assert_int_equal(stats().frees, 1);
	kfree(b);
	assert_heap_empty();
}

static void test_double_free_large_panics(void **state)
{
	void *p;

	(void)state;
	heap_start(16, false); /* the second kfree reads a returned page */
	p = kmalloc(6000);
	kfree(p);
	expect_assert_failure(kfree(p));
	assert_non_null(strstr(shim_last_panic, "not a heap pointer"));
	assert_heap_empty();
}

static void test_bad_pointers_panic(void **state)
{
	static uint8_t foreign[2 * 4096] __aligned(4096);
	uint8_t *small, *large;

	(void)state;
	heap_start(64, true);
	small = kmalloc(32);
	large = kmalloc(10000);
	expect_assert_failure(kfree(small + 8));  /* inside an object */
	assert_non_null(strstr(shim_last_panic, "not an object"));
	expect_assert_failure(kfree(small - 64)); /* the slab header */
	expect_assert_failure(kfree(large + 16)); /* inside a large block */
	assert_non_null(strstr(shim_last_panic, "not the start"));
	expect_assert_failure(kfree(large + PAGE_SIZE)); /* its second page */
	expect_assert_failure(kfree(foreign + 32));
	assert_non_null(strstr(shim_last_panic, "not a heap pointer"));
	assert_int_equal(stats().frees, 0);
	kfree(small);
	kfree(large);
	assert_heap_empty();
}

static void *unaligned_alloc(void *ctx, unsigned order)
{
	static uint8_t page[2 * 4096] __aligned(4096);

	(void)ctx;
	(void)order;
	return page + 64;
}

static void unused_free(void *ctx, void *p, unsigned order)
{
	(void)ctx;
	(void)p;
	(void)order;
	fail();
}

static void test_unaligned_source_panics(void **state)
{
	const struct heap_page_source bad = { unaligned_alloc, unused_free, NULL };

	(void)state;
	assert_int_equal(heap_init(&bad), 0);
	expect_assert_failure(kmalloc(16));
	assert_non_null(strstr(shim_last_panic, "unaligned"));
}

/* ---- Randomised run against a reference model ---------------------------- */

struct live_obj {
	uint8_t *p;
	size_t size;
	uint32_t seed;
};

static size_t random_size(uint64_t r)
{
	switch (r % 100) {
	case 0:
		return 16384 + (size_t)(r >> 8) % 200000;
	default:
		if (r % 100 < 10)
			return 1025 + (size_t)(r >> 8) % 15000;
		if (r % 100 < 30)
			return 257 + (size_t)(r >> 8) % 768;
		return (size_t)(r >> 8) % 257;
	}
}

static void test_randomized_against_model(void **state)
{
	enum { OPS = 100000, MAX_LIVE = 1 << 16 };
	struct live_obj *live = calloc(MAX_LIVE, sizeof(*live));
	size_t live_count = 0, bytes = 0, allocs = 0, frees = 0, ooms = 0;

	(void)state;
	assert_non_null(live);
	heap_start(ARENA_BYTES / PAGE_SIZE / 2, true); /* 8 MiB: runs out */
	rng_seed(0xdeadbeefcafef00dULL);
	for (uint32_t op = 0; op < OPS; op++) {
		unsigned alloc_pct = (op / 10000) % 2 == 0 ? 70 : 35;
		uint64_t r = rng_next();

		if (live_count == 0 || (r % 100 < alloc_pct && live_count < MAX_LIVE)) {
			size_t size = random_size(rng_next());
			uint8_t *p = kmalloc(size);

			if (!p) {
				paddr_t pa;

				/* Only when the source really has nothing to give. */
				if (size <= HEAP_MAX_CLASS) {
					assert_int_equal(frame_free_pages(&src.fa), 0);
				} else {
					assert_int_equal(frame_alloc(&src.fa,
						expected_order(size), &pa), -E_NOMEM);
				}
				ooms++;
				continue;
			}
			assert_true(IS_ALIGNED((uintptr_t)p, HEAP_ALIGN));
			fill(p, size, op);
			live[live_count++] = (struct live_obj){ p, size, op };
			bytes += expected_usable(size);
			allocs++;
		} else {
			size_t i = (size_t)(rng_next() % live_count);

			/* An overlap with any later allocation shows up here. */
			assert_true(check(live[i].p, live[i].size, live[i].seed));
			kfree(live[i].p);
			bytes -= expected_usable(live[i].size);
			frees++;
			live[i] = live[--live_count];
		}
		assert_int_equal(stats().bytes_in_use, bytes);
		assert_int_equal(stats().allocs, allocs);
		assert_int_equal(stats().frees, frees);
		assert_int_equal(stats().pages_held,
				 frame_total_pages(&src.fa) - frame_free_pages(&src.fa));
	}
	assert_true(ooms > 0); /* the run did exhaust the source */
	while (live_count) {
		live_count--;
		assert_true(check(live[live_count].p, live[live_count].size,
				  live[live_count].seed));
		kfree(live[live_count].p);
	}
	assert_heap_empty();
	free(live);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kmalloc_before_init_fails),
		cmocka_unit_test(test_init_rejects_bad_source),
		cmocka_unit_test_teardown(test_sizes_aligned_and_disjoint, teardown),
		cmocka_unit_test_teardown(test_kmalloc_zero_is_unique, teardown),
		cmocka_unit_test_teardown(test_size_accounting, teardown),
		cmocka_unit_test_teardown(test_slab_fills_reuses_and_releases, teardown),
		cmocka_unit_test_teardown(test_kzalloc_zeroes_dirty_memory, teardown),
		cmocka_unit_test_teardown(test_large_allocations, teardown),
		cmocka_unit_test_teardown(test_oom_returns_null, teardown),
		cmocka_unit_test_teardown(test_empty_source_returns_null, teardown),
		cmocka_unit_test_teardown(test_huge_requests_return_null, teardown),
		cmocka_unit_test_teardown(test_kfree_null_is_noop, teardown),
		cmocka_unit_test_teardown(test_double_free_small_panics, teardown),
		cmocka_unit_test_teardown(test_double_free_large_panics, teardown),
		cmocka_unit_test_teardown(test_bad_pointers_panic, teardown),
		cmocka_unit_test(test_unaligned_source_panics),
		cmocka_unit_test_teardown(test_randomized_against_model, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

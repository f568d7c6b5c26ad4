/*
 * Unit tests for the generic page-table mapper (mm/pagetable.c) and the x86
 * entry format (arch/x86/pt_x86.c). Table pages come from an arena whose
 * "physical" addresses are fake; the arena can be told to fail after N pages.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/pagetable.h>
#include <plinth/pt_x86.h>

/* ---- Arena of table pages ------------------------------------------------ */

#define ARENA_BASE 0x40000000ULL /* fake physical address of arena page 0 */
#define ARENA_MAX_PAGES 65536
#define POISON 0xa5

struct arena {
	uint8_t *page[ARENA_MAX_PAGES]; /* allocated on first use */
	bool live[ARENA_MAX_PAGES];
	uint32_t free_list[ARENA_MAX_PAGES];
	size_t nfree;
	size_t used;       /* pages ever handed out (high-water index) */
	size_t live_count; /* pages currently allocated */
	long fail_after;   /* allocations that still succeed; -1: no limit */
};

static size_t arena_index(const struct arena *a, paddr_t pa)
{
	size_t i;

	assert_true(pa >= ARENA_BASE && IS_ALIGNED(pa, PAGE_SIZE));
	i = (size_t)((pa - ARENA_BASE) / PAGE_SIZE);
	assert_true(i < a->used);
	assert_true(a->live[i]); /* no use after free, no double free */
	return i;
}

static int arena_alloc(void *ctx, paddr_t *out)
{
	struct arena *a = ctx;
	size_t i;

	if (a->fail_after == 0)
		return -E_NOMEM;
	if (a->fail_after > 0)
		a->fail_after--;
	if (a->nfree) {
		i = a->free_list[--a->nfree];
	} else {
		assert_true(a->used < ARENA_MAX_PAGES);
		i = a->used++;
		a->page[i] = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		assert_non_null(a->page[i]);
	}
	memset(a->page[i], 0, PAGE_SIZE);
	a->live[i] = true;
	a->live_count++;
	*out = ARENA_BASE + i * PAGE_SIZE;
	return 0;
}

static void arena_free(void *ctx, paddr_t pa)
{
	struct arena *a = ctx;
	size_t i = arena_index(a, pa);

	memset(a->page[i], POISON, PAGE_SIZE); /* stale reads show up as garbage */
	a->live[i] = false;
	a->live_count--;
	a->free_list[a->nfree++] = (uint32_t)i;
}

static void *arena_ptr(void *ctx, paddr_t pa)
{
	struct arena *a = ctx;

	return a->page[arena_index(a, pa)];
}

static struct arena *arena_new(void)
{
	struct arena *a = calloc(1, sizeof(*a));

	assert_non_null(a);
	a->fail_after = -1;
	return a;
}

static void arena_delete(struct arena *a)
{
	for (size_t i = 0; i < a->used; i++)
		free(a->page[i]);
	free(a);
}

static struct pt_memory arena_memory(struct arena *a)
{
	return (struct pt_memory){
		.alloc_table = arena_alloc,
		.free_table = arena_free,
		.table_ptr = arena_ptr,
		.ctx = a,
	};
}

static struct arena *pt_new(struct pagetable *pt, const struct pt_format *fmt)
{
	struct arena *a = arena_new();
	struct pt_memory mem = arena_memory(a);

	assert_non_null(fmt);
	assert_int_equal(pt_init(pt, fmt, &mem), 0);
	return a;
}

/* Destroy the table; every table page must come back to the arena. */
static void pt_finish(struct pagetable *pt, struct arena *a)
{
	pt_destroy(pt);
	assert_int_equal(a->live_count, 0);
	arena_delete(a);
}

/* ---- A made-up format: shows the mapper does not assume x86 ---------------
 * bit 63 valid, bit 62 leaf (at every level, 4 KiB included), bits 0..3
 * permissions, bits 4..5 cache type, page frame number in bits 8..35 (40-bit
 * physical addresses). No user permission.
 */
#define TOY_VALID (1ULL << 63)
#define TOY_LEAF (1ULL << 62)
#define TOY_PFN_SHIFT 8
#define TOY_PFN_MASK ((1ULL << 28) - 1)

static uint64_t toy_pfn(paddr_t pa)
{
	return ((pa >> PAGE_SHIFT) & TOY_PFN_MASK) << TOY_PFN_SHIFT;
}

static uint64_t toy_make_table(const struct pt_format *fmt, paddr_t table)
{
	(void)fmt;
	return TOY_VALID | toy_pfn(table);
}

static uint64_t toy_make_leaf(const struct pt_format *fmt, paddr_t pa,
			      unsigned level, unsigned perms, enum pt_cache cache)
{
	(void)fmt;
	assert_true(IS_ALIGNED(pa, pt_level_size(level)));
	return TOY_VALID | TOY_LEAF | toy_pfn(pa) | perms | (uint64_t)cache << 4;
}

static bool toy_is_present(const struct pt_format *fmt, uint64_t e)
{
	(void)fmt;
	return e & TOY_VALID;
}

static bool toy_is_leaf(const struct pt_format *fmt, uint64_t e, unsigned level)
{
	(void)fmt;
	(void)level;
	return e & TOY_LEAF;
}

static paddr_t toy_addr(const struct pt_format *fmt, uint64_t e, unsigned level)
{
	(void)fmt;
	(void)level;
	return ((e >> TOY_PFN_SHIFT) & TOY_PFN_MASK) << PAGE_SHIFT;
}

static unsigned toy_perms(const struct pt_format *fmt, uint64_t e, unsigned level)
{
	(void)fmt;
	(void)level;
	return (unsigned)(e & 0xf);
}

static enum pt_cache toy_cache(const struct pt_format *fmt, uint64_t e,
			       unsigned level)
{
	(void)fmt;
	(void)level;
	return (enum pt_cache)((e >> 4) & 3);
}

static struct pt_format toy_format_with(unsigned max_leaf_level)
{
	return (struct pt_format){
		.name = "toy",
		.max_leaf_level = max_leaf_level,
		.valid_perms = PT_READ | PT_WRITE | PT_EXEC,
		.pa_bits = 40,
		.make_table = toy_make_table,
		.make_leaf = toy_make_leaf,
		.is_present = toy_is_present,
		.is_leaf = toy_is_leaf,
		.addr = toy_addr,
		.perms = toy_perms,
		.cache = toy_cache,
	};
}

/* ---- Walking the tree directly ------------------------------------------- */

struct leaf {
	uint64_t va;
	unsigned level;
	uint64_t entry;
};

struct tree {
	struct leaf *leaves; /* in address order */
	size_t nleaves, cap;
	size_t tables;
};

static void tree_walk_table(const struct pagetable *pt, paddr_t table,
			    unsigned level, uint64_t base, struct tree *t)
{
	const struct pt_format *fmt = pt->fmt;
	const uint64_t *entries = pt->mem.table_ptr(pt->mem.ctx, table);
	size_t present = 0;

	t->tables++;
	for (unsigned i = 0; i < PT_ENTRIES; i++) {
		uint64_t e = entries[i];
		uint64_t va = base + i * pt_level_size(level);

		if (!fmt->is_present(fmt, e))
			continue;
		present++;
		if (!fmt->is_leaf(fmt, e, level)) {
			assert_true(level > 1);
			tree_walk_table(pt, fmt->addr(fmt, e, level), level - 1, va, t);
			continue;
		}
		assert_true(level <= fmt->max_leaf_level);
		if (t->nleaves == t->cap) {
			t->cap = t->cap ? 2 * t->cap : 256;
			t->leaves = realloc(t->leaves, t->cap * sizeof(*t->leaves));
			assert_non_null(t->leaves);
		}
		t->leaves[t->nleaves++] = (struct leaf){ va, level, e };
	}
	/* Tables left empty must have been freed; only the root may be empty. */
	if (level < PT_LEVELS)
		assert_true(present > 0);
}

/* Walk the whole tree; checks the table count against pt and the arena. */
static struct tree tree_walk(const struct pagetable *pt, const struct arena *a)
{
	struct tree t = { 0 };

	tree_walk_table(pt, pt->root, PT_LEVELS, 0, &t);
	assert_int_equal(t.tables, pt->table_pages);
	assert_int_equal(a->live_count, pt->table_pages);
	return t;
}

static void tree_free(struct tree *t)
{
	free(t->leaves);
	t->leaves = NULL;
}

static void assert_tree_equal(const struct tree *x, const struct tree *y)
{
	assert_int_equal(x->tables, y->tables);
	assert_int_equal(x->nleaves, y->nleaves);
	assert_memory_equal(x->leaves, y->leaves, x->nleaves * sizeof(*x->leaves));
}

static size_t count_leaves(const struct tree *t, unsigned level)
{
	size_t n = 0;

	for (size_t i = 0; i < t->nleaves; i++)
		n += t->leaves[i].level == level;
	return n;
}

/* The raw entry at `level` on the walk to va (present tables on the way). */
static uint64_t raw_entry(const struct pagetable *pt, uint64_t va, unsigned level)
{
	const struct pt_format *fmt = pt->fmt;
	paddr_t table = pt->root;

	for (unsigned l = PT_LEVELS;; l--) {
		const uint64_t *entries = pt->mem.table_ptr(pt->mem.ctx, table);
		uint64_t e = entries[pt_index(va, l)];

		if (l == level)
			return e;
		assert_true(fmt->is_present(fmt, e) && !fmt->is_leaf(fmt, e, l));
		table = fmt->addr(fmt, e, l);
	}
}

/* ---- Translation checks ---------------------------------------------------- */

static void assert_maps(const struct pagetable *pt, uint64_t va, paddr_t pa,
			unsigned perms, enum pt_cache cache)
{
	struct pt_translation t;

	assert_int_equal(pt_translate(pt, va, &t), 0);
	assert_int_equal(t.pa, pa);
	assert_int_equal(t.perms, perms);
	assert_int_equal(t.cache, cache);
}

static void assert_unmapped(const struct pagetable *pt, uint64_t va)
{
	struct pt_translation t;

	assert_int_equal(pt_translate(pt, va, &t), -E_NOENT);
}

static uint64_t page_size_at(const struct pagetable *pt, uint64_t va)
{
	uint64_t size = 0;

	assert_int_equal(pt_lookup(pt, va, NULL, NULL, &size), 0);
	return size;
}

/* Every 4 KiB page of [va, va+size) except `skip` maps linearly to pa. */
static void assert_linear(const struct pagetable *pt, uint64_t va, uint64_t size,
			  paddr_t pa, unsigned perms, enum pt_cache cache,
			  uint64_t skip)
{
	for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
		paddr_t got;
		unsigned got_perms;

		if (va + off == skip)
			continue;
		assert_int_equal(pt_lookup(pt, va + off, &got, &got_perms, NULL), 0);
		assert_int_equal(got, pa + off);
		assert_int_equal(got_perms, perms);
	}
	assert_maps(pt, va, pa, perms, cache);
}

/* ---- Init, destroy, arguments ------------------------------------------- */

static void test_init_destroy(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_host_format(3));
	const uint64_t *root = arena_ptr(a, pt.root);

	(void)state;
	assert_int_equal(pt.table_pages, 1);
	assert_int_equal(a->live_count, 1);
	for (unsigned i = 0; i < PT_ENTRIES; i++)
		assert_int_equal(root[i], 0);
	assert_unmapped(&pt, 0);
	pt_finish(&pt, a);
}

static void test_init_rejects_bad_setup(void **state)
{
	struct arena *a = arena_new();
	struct pt_memory mem = arena_memory(a);
	struct pt_memory bad_mem = mem;
	struct pt_format fmt = toy_format_with(2);
	struct pagetable pt;

	(void)state;
	assert_int_equal(pt_init(&pt, NULL, &mem), -E_INVAL);
	fmt.addr = NULL;
	assert_int_equal(pt_init(&pt, &fmt, &mem), -E_INVAL);
	fmt = toy_format_with(4); /* no 512 GiB leaves */
	assert_int_equal(pt_init(&pt, &fmt, &mem), -E_INVAL);
	fmt = toy_format_with(0);
	assert_int_equal(pt_init(&pt, &fmt, &mem), -E_INVAL);
	bad_mem.table_ptr = NULL;
	assert_int_equal(pt_init(&pt, pt_x86_host_format(1), &bad_mem), -E_INVAL);
	a->fail_after = 0;
	assert_int_equal(pt_init(&pt, pt_x86_host_format(1), &mem), -E_NOMEM);
	assert_int_equal(a->live_count, 0);

	assert_null(pt_x86_host_format(0));
	assert_null(pt_x86_host_format(4));
	assert_null(pt_x86_npt_format(0));
	assert_null(pt_x86_npt_format(4));
	assert_int_equal(pt_x86_host_format(2)->max_leaf_level, 2);
	assert_int_equal(pt_x86_npt_format(3)->max_leaf_level, 3);
	arena_delete(a);
}

static void test_invalid_args(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_host_format(3));
	const unsigned rw = PT_READ | PT_WRITE;
	struct tree before, after;

	(void)state;
	assert_int_equal(pt_map(&pt, GiB(1), GiB(1), MiB(2), rw, PT_CACHE_WB), 0);
	before = tree_walk(&pt, a);

	/* Alignment and empty ranges. */
	assert_int_equal(pt_map(&pt, 0x1800, 0, PAGE_SIZE, rw, PT_CACHE_WB), -E_INVAL);
	assert_int_equal(pt_map(&pt, 0, 0x800, PAGE_SIZE, rw, PT_CACHE_WB), -E_INVAL);
	assert_int_equal(pt_map(&pt, 0, 0, 0x1800, rw, PT_CACHE_WB), -E_INVAL);
	assert_int_equal(pt_map(&pt, 0, 0, 0, rw, PT_CACHE_WB), -E_INVAL);
	assert_int_equal(pt_unmap(&pt, GiB(1) + 8, PAGE_SIZE), -E_INVAL);
	assert_int_equal(pt_unmap(&pt, GiB(1), 0), -E_INVAL);
	assert_int_equal(pt_protect(&pt, GiB(1), 100, PT_READ), -E_INVAL);

	/* Permissions and cache types. */
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, PT_WRITE, PT_CACHE_WB), -E_INVAL);
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, 0, PT_CACHE_WB), -E_INVAL);
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, PT_READ | 16, PT_CACHE_WB),
			 -E_INVAL);
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, PT_READ, (enum pt_cache)4),
			 -E_INVAL);
	assert_int_equal(pt_protect(&pt, GiB(1), PAGE_SIZE, PT_EXEC), -E_INVAL);

	/* Input range beyond 48 bits, wrap-around; output beyond 52 bits. */
	assert_int_equal(pt_map(&pt, PT_VA_LIMIT, 0, PAGE_SIZE, rw, PT_CACHE_WB),
			 -E_RANGE);
	assert_int_equal(pt_map(&pt, PT_VA_LIMIT - PAGE_SIZE, 0, 2 * PAGE_SIZE, rw,
				PT_CACHE_WB), -E_RANGE);
	assert_int_equal(pt_unmap(&pt, PT_VA_LIMIT - PAGE_SIZE, 0ULL - PAGE_SIZE),
			 -E_RANGE);
	assert_int_equal(pt_unmap(&pt, 0xffff800000000000ULL, PAGE_SIZE), -E_RANGE);
	assert_int_equal(pt_protect(&pt, 0ULL - PAGE_SIZE, PAGE_SIZE, PT_READ),
			 -E_RANGE);
	assert_int_equal(pt_map(&pt, 0, (1ULL << 52) - PAGE_SIZE, 2 * PAGE_SIZE, rw,
				PT_CACHE_WB), -E_RANGE);
	assert_int_equal(pt_map(&pt, 0, 0ULL - PAGE_SIZE, 2 * PAGE_SIZE, rw,
				PT_CACHE_WB), -E_RANGE);
	assert_int_equal(pt_translate(&pt, PT_VA_LIMIT, &(struct pt_translation){ 0 }),
			 -E_RANGE);

	/* The very last page of the input space is fine. */
	assert_int_equal(pt_map(&pt, PT_VA_LIMIT - PAGE_SIZE, 0, PAGE_SIZE, rw,
				PT_CACHE_WB), 0);
	assert_maps(&pt, PT_VA_LIMIT - 1, PAGE_SIZE - 1, rw, PT_CACHE_WB);
	assert_int_equal(pt_unmap(&pt, PT_VA_LIMIT - PAGE_SIZE, PAGE_SIZE), 0);

	after = tree_walk(&pt, a);
	assert_tree_equal(&before, &after);
	tree_free(&before);
	tree_free(&after);
	pt_finish(&pt, a);
}

/* ---- Page size selection ---------------------------------------------------- */

static void test_map_picks_largest_page(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_host_format(3));
	const unsigned rw = PT_READ | PT_WRITE;
	/* 4K, 2M, 1G, 2M, 4K as va and pa (7 GiB apart) reach each alignment. */
	uint64_t va = GiB(1) - MiB(2) - KiB(4);
	uint64_t size = KiB(4) + MiB(2) + GiB(1) + MiB(2) + KiB(4);
	struct leaf want[] = {
		{ GiB(1) - MiB(2) - KiB(4), 1, 0 }, { GiB(1) - MiB(2), 2, 0 },
		{ GiB(1), 3, 0 }, { GiB(2), 2, 0 }, { GiB(2) + MiB(2), 1, 0 },
	};
	struct tree t;

	(void)state;
	assert_int_equal(pt_map(&pt, va, va + GiB(7), size, rw, PT_CACHE_WB), 0);
	t = tree_walk(&pt, a);
	assert_int_equal(t.nleaves, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		assert_int_equal(t.leaves[i].va, want[i].va);
		assert_int_equal(t.leaves[i].level, want[i].level);
		assert_int_equal(page_size_at(&pt, want[i].va),
				 pt_level_size(want[i].level));
		assert_maps(&pt, want[i].va + 0x123, want[i].va + GiB(7) + 0x123, rw,
			    PT_CACHE_WB);
	}
	/* root, 1 PDPT, 2 PDs (either side of the 1G page), 2 PTs */
	assert_int_equal(pt.table_pages, 6);
	assert_unmapped(&pt, va - 1);
	assert_unmapped(&pt, va + size);
	tree_free(&t);
	pt_finish(&pt, a);
}

/* The page size is limited by the alignment of pa - va, not just of va. */
static void test_map_page_size_follows_pa_alignment(void **state)
{
	static const struct {
		paddr_t pa;
		unsigned level;
		size_t leaves, tables;
	} cases[] = {
		{ GiB(5), 3, 1, 2 },
		{ GiB(5) + MiB(2), 2, 512, 3 },
		{ GiB(5) + KiB(4), 1, 512 * 512, 3 + 512 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct pagetable pt;
		struct arena *a = pt_new(&pt, pt_x86_host_format(3));
		struct tree t;

		assert_int_equal(pt_map(&pt, GiB(1), cases[i].pa, GiB(1), PT_READ,
					PT_CACHE_WB), 0);
		t = tree_walk(&pt, a);
		assert_int_equal(t.nleaves, cases[i].leaves);
		assert_int_equal(count_leaves(&t, cases[i].level), cases[i].leaves);
		assert_int_equal(t.tables, cases[i].tables);
		assert_maps(&pt, GiB(2) - 1, cases[i].pa + GiB(1) - 1, PT_READ,
			    PT_CACHE_WB);
		tree_free(&t);
		pt_finish(&pt, a);
	}
}

static void test_max_leaf_level_respected(void **state)
{
	static const size_t tables[] = { 0, 3 + 512, 3, 2 };

	(void)state;
	for (unsigned max = 1; max <= 3; max++) {
		struct pagetable pt;
		struct arena *a = pt_new(&pt, pt_x86_host_format(max));
		struct tree t;

		assert_int_equal(pt_map(&pt, GiB(3), GiB(1), GiB(1), PT_READ,
					PT_CACHE_WB), 0);
		t = tree_walk(&pt, a);
		assert_int_equal(t.nleaves, GiB(1) / pt_level_size(max));
		assert_int_equal(count_leaves(&t, max), t.nleaves);
		assert_int_equal(t.tables, tables[max]);
		assert_int_equal(page_size_at(&pt, GiB(3) + MiB(700)),
				 pt_level_size(max));
		tree_free(&t);
		pt_finish(&pt, a);
	}
}

/* ---- x86 encoding ------------------------------------------------------------- */

static void test_x86_known_encodings(void **state)
{
	const struct pt_format *f = pt_x86_host_format(3);
	const struct pt_format *npt = pt_x86_npt_format(3);

	(void)state;
	/* P|RW|A|D, NX */
	assert_int_equal(f->make_leaf(f, 0x12345000, 1, PT_READ | PT_WRITE, PT_CACHE_WB),
			 0x8000000012345063ULL);
	/* 2M, read+exec, UC: P|A|D|PS|PWT|PCD */
	assert_int_equal(f->make_leaf(f, 0x40200000, 2, PT_READ | PT_EXEC, PT_CACHE_UC),
			 0x402000f9ULL);
	/* 1G, RWX, WC: PAT in bit 12 */
	assert_int_equal(f->make_leaf(f, 0xc0000000, 3,
				      PT_READ | PT_WRITE | PT_EXEC, PT_CACHE_WC),
			 0xc00010e3ULL);
	/* 4K, WT, user: P|RW|US|PWT|A|D */
	assert_int_equal(f->make_leaf(f, 0x5000, 1, PT_READ | PT_WRITE | PT_EXEC |
				      PT_USER, PT_CACHE_WT), 0x506fULL);
	/* 4K WC: PAT in bit 7 */
	assert_int_equal(f->make_leaf(f, 0x5000, 1, PT_READ | PT_EXEC, PT_CACHE_WC),
			 0x50e1ULL);
	assert_int_equal(f->make_table(f, 0x1234000), 0x1234027ULL);
	/* NPT: US in tables and leaves */
	assert_int_equal(npt->make_table(npt, 0x1234000), 0x1234027ULL);
	assert_int_equal(npt->make_leaf(npt, 0x12345000, 1, PT_READ, PT_CACHE_WB),
			 0x8000000012345065ULL);
	assert_int_equal(PT_X86_PAT_MSR_VALUE, 0x0007040100070406ULL);
}

/* Every perms x cache x level combination round-trips; raw bits checked. */
static void test_x86_round_trip(void **state)
{
	static const unsigned perm_sets[] = {
		PT_READ, PT_READ | PT_WRITE, PT_READ | PT_EXEC,
		PT_READ | PT_WRITE | PT_EXEC, PT_READ | PT_USER,
		PT_READ | PT_WRITE | PT_EXEC | PT_USER,
	};
	const struct pt_format *f = pt_x86_host_format(3);

	(void)state;
	for (unsigned level = 1; level <= 3; level++) {
		/* Address bits up to 51, aligned to the page size. */
		paddr_t pa = 0x000fedcbc0000000ULL + (level < 3 ? MiB(6) : 0) +
			     (level < 2 ? KiB(12) : 0);
		uint64_t pat = level == 1 ? PT_X86_PAT_4K : PT_X86_PAT_LARGE;

		for (size_t p = 0; p < ARRAY_SIZE(perm_sets); p++) {
			for (unsigned c = 0; c < PT_CACHE_COUNT; c++) {
				unsigned perms = perm_sets[p];
				uint64_t e = f->make_leaf(f, pa, level, perms, c);
				uint64_t cache_bits = e & (PT_X86_PWT | PT_X86_PCD | pat);

				assert_true(f->is_present(f, e));
				assert_true(f->is_leaf(f, e, level));
				assert_int_equal(f->addr(f, e, level), pa);
				assert_int_equal(f->perms(f, e, level), perms);
				assert_int_equal(f->cache(f, e, level), c);
				assert_int_equal(!!(e & PT_X86_RW), !!(perms & PT_WRITE));
				assert_int_equal(!!(e & PT_X86_US), !!(perms & PT_USER));
				assert_int_equal(!!(e & PT_X86_NX), !(perms & PT_EXEC));
				if (level > 1)
					assert_true(e & PT_X86_PS);
				switch ((enum pt_cache)c) {
				case PT_CACHE_WB:
					assert_int_equal(cache_bits, 0);
					break;
				case PT_CACHE_WT:
					assert_int_equal(cache_bits, PT_X86_PWT);
					break;
				case PT_CACHE_UC:
					assert_int_equal(cache_bits, PT_X86_PWT | PT_X86_PCD);
					break;
				case PT_CACHE_WC:
					assert_int_equal(cache_bits, pat);
					break;
				}
			}
		}
	}
	/* Table entries are not leaves at levels 2..4; PS is ignored at level 4. */
	for (unsigned level = 2; level <= 4; level++) {
		uint64_t e = f->make_table(f, 0x000ffffffffff000ULL);

		assert_false(f->is_leaf(f, e, level));
		assert_int_equal(f->addr(f, e, level), 0x000ffffffffff000ULL);
	}
	assert_false(f->is_leaf(f, PT_X86_P | PT_X86_PS, 4));
	assert_false(f->is_present(f, 0));
}

/* The mapper's output has the x86 bits in the tables, not just in hooks. */
static void test_x86_bits_in_mapped_tables(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_host_format(3));
	uint64_t e;

	(void)state;
	assert_int_equal(pt_map(&pt, MiB(2), GiB(4), MiB(2), PT_READ | PT_EXEC,
				PT_CACHE_WC), 0);
	assert_int_equal(pt_map(&pt, MiB(4), GiB(8), KiB(4), PT_READ | PT_WRITE,
				PT_CACHE_UC), 0);

	e = raw_entry(&pt, MiB(2), 2);
	assert_int_equal(e & PT_X86_ADDR_MASK & ~PT_X86_PAT_LARGE, GiB(4));
	assert_true(e & PT_X86_PS);
	assert_true(e & PT_X86_PAT_LARGE);
	assert_false(e & (PT_X86_RW | PT_X86_NX | PT_X86_PCD | PT_X86_PWT | PT_X86_US));

	e = raw_entry(&pt, MiB(4), 1);
	assert_int_equal(e & PT_X86_ADDR_MASK, GiB(8));
	assert_true((e & (PT_X86_P | PT_X86_RW | PT_X86_NX | PT_X86_PCD | PT_X86_PWT)) ==
		    (PT_X86_P | PT_X86_RW | PT_X86_NX | PT_X86_PCD | PT_X86_PWT));
	assert_false(e & (PT_X86_PAT_4K | PT_X86_US));

	/* Tables: permissive, never NX or PS. */
	for (unsigned level = 4; level >= 2; level--) {
		e = raw_entry(&pt, MiB(4), level);
		assert_int_equal(e & ~PT_X86_ADDR_MASK,
				 PT_X86_P | PT_X86_RW | PT_X86_US | PT_X86_A);
	}
	pt_finish(&pt, a);
}

static void test_npt_sets_user_everywhere(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_npt_format(2));
	const unsigned rwx = PT_READ | PT_WRITE | PT_EXEC;
	struct tree t;

	(void)state;
	assert_int_equal(pt_map(&pt, 0, GiB(2), MiB(4), rwx, PT_CACHE_WB), 0);
	assert_int_equal(pt_map(&pt, MiB(4), GiB(3), KiB(8), PT_READ, PT_CACHE_UC), 0);
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, PT_READ | PT_USER, PT_CACHE_WB),
			 -E_INVAL);
	assert_int_equal(pt_protect(&pt, 0, PAGE_SIZE, PT_READ | PT_USER), -E_INVAL);

	assert_maps(&pt, MiB(1), GiB(2) + MiB(1), rwx, PT_CACHE_WB);
	assert_maps(&pt, MiB(4) + KiB(5), GiB(3) + KiB(5), PT_READ, PT_CACHE_UC);
	for (unsigned level = 4; level >= 2; level--)
		assert_true(raw_entry(&pt, MiB(4), level) & PT_X86_US);
	t = tree_walk(&pt, a);
	assert_int_equal(t.nleaves, 4);
	for (size_t i = 0; i < t.nleaves; i++)
		assert_true(t.leaves[i].entry & PT_X86_US);
	tree_free(&t);
	pt_finish(&pt, a);

	/* Host tables: US only where asked for. */
	a = pt_new(&pt, pt_x86_host_format(2));
	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, PT_READ, PT_CACHE_WB), 0);
	assert_int_equal(pt_map(&pt, PAGE_SIZE, 0, PAGE_SIZE, PT_READ | PT_USER,
				PT_CACHE_WB), 0);
	assert_false(raw_entry(&pt, 0, 1) & PT_X86_US);
	assert_true(raw_entry(&pt, PAGE_SIZE, 1) & PT_X86_US);
	assert_maps(&pt, PAGE_SIZE, 0, PT_READ | PT_USER, PT_CACHE_WB);
	pt_finish(&pt, a);
}

static void test_x86_canonical_helpers(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_host_format(2));
	uint64_t high = 0xffffffff80000000ULL;

	(void)state;
	assert_int_equal(pt_x86_va48(high), 0xffff80000000ULL);
	assert_int_equal(pt_x86_canonical(0xffff80000000ULL), high);
	assert_int_equal(pt_x86_canonical(0x7fffffffffffULL), 0x7fffffffffffULL);
	assert_true(pt_x86_is_canonical(high));
	assert_true(pt_x86_is_canonical(0x00007fffffffffffULL));
	assert_false(pt_x86_is_canonical(0x0000800000000000ULL));
	assert_false(pt_x86_is_canonical(0xfff0000000000000ULL));

	assert_int_equal(pt_map(&pt, high, MiB(16), MiB(2), PT_READ, PT_CACHE_WB),
			 -E_RANGE);
	assert_int_equal(pt_map(&pt, pt_x86_va48(high), MiB(16), MiB(2), PT_READ,
				PT_CACHE_WB), 0);
	assert_maps(&pt, pt_x86_va48(high + 0x1234), MiB(16) + 0x1234, PT_READ,
		    PT_CACHE_WB);
	assert_int_equal(pt_index(pt_x86_va48(high), 4), 511);
	pt_finish(&pt, a);
}

/* ---- Splitting a 1 GiB page --------------------------------------------- */

#define SPLIT_VA GiB(1)
#define SPLIT_PA GiB(4)
#define SPLIT_TARGET (SPLIT_VA + 0x12345000ULL)
#define SPLIT_PERMS (PT_READ | PT_WRITE)

static struct arena *pt_with_1g_page(struct pagetable *pt)
{
	struct arena *a = pt_new(pt, pt_x86_host_format(3));

	assert_int_equal(pt_map(pt, SPLIT_VA, SPLIT_PA, GiB(1), SPLIT_PERMS,
				PT_CACHE_WT), 0);
	assert_int_equal(page_size_at(pt, SPLIT_TARGET), GiB(1));
	assert_int_equal(pt->table_pages, 2);
	return a;
}

/* After splitting around SPLIT_TARGET: 511 2M pages and 511 (+1) 4K pages. */
static void assert_split_shape(const struct pagetable *pt, const struct arena *a,
			       size_t small_pages)
{
	struct tree t = tree_walk(pt, a);

	assert_int_equal(t.tables, 4);
	assert_int_equal(count_leaves(&t, 3), 0);
	assert_int_equal(count_leaves(&t, 2), 511);
	assert_int_equal(count_leaves(&t, 1), small_pages);
	assert_int_equal(page_size_at(pt, SPLIT_TARGET + MiB(2)), MiB(2));
	assert_int_equal(page_size_at(pt, SPLIT_TARGET ^ PAGE_SIZE), PAGE_SIZE);
	tree_free(&t);
}

static void test_split_1g_by_protect(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_with_1g_page(&pt);

	(void)state;
	assert_int_equal(pt_protect(&pt, SPLIT_TARGET, PAGE_SIZE, PT_READ), 0);
	assert_maps(&pt, SPLIT_TARGET + 7, SPLIT_PA + (SPLIT_TARGET - SPLIT_VA) + 7,
		    PT_READ, PT_CACHE_WT);
	assert_linear(&pt, SPLIT_VA, GiB(1), SPLIT_PA, SPLIT_PERMS, PT_CACHE_WT,
		      SPLIT_TARGET);
	assert_split_shape(&pt, a, 512);

	/* Back to the old permissions: same translations, no merge. */
	assert_int_equal(pt_protect(&pt, SPLIT_TARGET, PAGE_SIZE, SPLIT_PERMS), 0);
	assert_linear(&pt, SPLIT_VA, GiB(1), SPLIT_PA, SPLIT_PERMS, PT_CACHE_WT, 0);
	assert_split_shape(&pt, a, 512);

	/* Protecting a whole 2M page rewrites it in place. */
	assert_int_equal(pt_protect(&pt, SPLIT_VA, MiB(2), PT_READ | PT_EXEC), 0);
	assert_int_equal(page_size_at(&pt, SPLIT_VA), MiB(2));
	assert_maps(&pt, SPLIT_VA, SPLIT_PA, PT_READ | PT_EXEC, PT_CACHE_WT);
	pt_finish(&pt, a);
}

/* Protect with the permissions a large page already has does not split it. */
static void test_protect_same_perms_keeps_large_page(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_with_1g_page(&pt);

	(void)state;
	assert_int_equal(pt_protect(&pt, SPLIT_TARGET, PAGE_SIZE, SPLIT_PERMS), 0);
	assert_int_equal(pt.table_pages, 2);
	assert_int_equal(page_size_at(&pt, SPLIT_TARGET), GiB(1));
	a->fail_after = 0; /* and needs no memory */
	assert_int_equal(pt_protect(&pt, SPLIT_VA, GiB(1), SPLIT_PERMS), 0);
	a->fail_after = -1;
	pt_finish(&pt, a);
}

static void test_split_1g_by_unmap(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_with_1g_page(&pt);

	(void)state;
	assert_int_equal(pt_unmap(&pt, SPLIT_TARGET, PAGE_SIZE), 0);
	assert_unmapped(&pt, SPLIT_TARGET);
	assert_unmapped(&pt, SPLIT_TARGET + PAGE_SIZE - 1);
	assert_linear(&pt, SPLIT_VA, GiB(1), SPLIT_PA, SPLIT_PERMS, PT_CACHE_WT,
		      SPLIT_TARGET);
	assert_split_shape(&pt, a, 511);

	/* Unmapping the rest frees all three tables below the root. */
	assert_int_equal(pt_unmap(&pt, SPLIT_VA, SPLIT_TARGET - SPLIT_VA), 0);
	assert_int_equal(pt.table_pages, 4);
	assert_int_equal(pt_unmap(&pt, SPLIT_TARGET + PAGE_SIZE,
				  SPLIT_VA + GiB(1) - SPLIT_TARGET - PAGE_SIZE), 0);
	assert_int_equal(pt.table_pages, 1);
	assert_int_equal(a->live_count, 1);
	pt_finish(&pt, a);
}

static void test_split_1g_by_remap(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_with_1g_page(&pt);

	(void)state;
	assert_int_equal(pt_map(&pt, SPLIT_TARGET, GiB(100), PAGE_SIZE,
				PT_READ | PT_EXEC, PT_CACHE_UC), 0);
	assert_maps(&pt, SPLIT_TARGET + 0xfff, GiB(100) + 0xfff, PT_READ | PT_EXEC,
		    PT_CACHE_UC);
	assert_linear(&pt, SPLIT_VA, GiB(1), SPLIT_PA, SPLIT_PERMS, PT_CACHE_WT,
		      SPLIT_TARGET);
	/* The split 4K neighbours keep the cache type too (PAT bit moved). */
	assert_maps(&pt, SPLIT_TARGET + PAGE_SIZE,
		    SPLIT_PA + (SPLIT_TARGET - SPLIT_VA) + PAGE_SIZE, SPLIT_PERMS,
		    PT_CACHE_WT);
	assert_split_shape(&pt, a, 512);
	pt_finish(&pt, a);
}

/* A WC large page split into 4K pages: the PAT bit moves from 12 to 7. */
static void test_split_keeps_wc(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_host_format(2));

	(void)state;
	assert_int_equal(pt_map(&pt, MiB(2), MiB(64), MiB(2), PT_READ | PT_WRITE,
				PT_CACHE_WC), 0);
	assert_int_equal(pt_unmap(&pt, MiB(3), PAGE_SIZE), 0);
	assert_maps(&pt, MiB(2), MiB(64), PT_READ | PT_WRITE, PT_CACHE_WC);
	assert_true(raw_entry(&pt, MiB(2), 1) & PT_X86_PAT_4K);
	assert_int_equal(raw_entry(&pt, MiB(2) + PAGE_SIZE, 1) & PT_X86_ADDR_MASK,
			 MiB(64) + PAGE_SIZE);
	pt_finish(&pt, a);
}

/* ---- Unmap, replace, protect holes -------------------------------------- */

static void test_unmap_frees_tables(void **state)
{
	static const struct {
		uint64_t va, pa, size;
	} maps[] = {
		{ 0, GiB(1), PAGE_SIZE },
		{ MiB(2) - PAGE_SIZE, 0, 2 * PAGE_SIZE }, /* straddles two PTs */
		{ GiB(512), GiB(2), MiB(2) },
		{ GiB(1024) + GiB(5), GiB(5), GiB(1) + PAGE_SIZE },
		{ PT_VA_LIMIT - MiB(4), GiB(9) + PAGE_SIZE, MiB(4) },
	};
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_host_format(3));

	(void)state;
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < ARRAY_SIZE(maps); i++)
			assert_int_equal(pt_map(&pt, maps[i].va, maps[i].pa, maps[i].size,
						PT_READ, PT_CACHE_WB), 0);
		assert_true(pt.table_pages > 10);
		if (round == 0) {
			/* One range at a time, exactly. */
			for (size_t i = 0; i < ARRAY_SIZE(maps); i++)
				assert_int_equal(pt_unmap(&pt, maps[i].va, maps[i].size), 0);
		} else {
			/* All at once, holes included. */
			assert_int_equal(pt_unmap(&pt, 0, PT_VA_LIMIT), 0);
		}
		assert_int_equal(pt.table_pages, 1);
		assert_int_equal(a->live_count, 1);
		for (size_t i = 0; i < ARRAY_SIZE(maps); i++)
			assert_unmapped(&pt, maps[i].va);
	}
	/* Unmapping nothing is fine and allocates nothing. */
	a->fail_after = 0;
	assert_int_equal(pt_unmap(&pt, GiB(3), GiB(2)), 0);
	a->fail_after = -1;
	pt_finish(&pt, a);
}

static void test_replace_mappings(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_host_format(3));
	const unsigned rw = PT_READ | PT_WRITE;

	(void)state;
	/* 4K pages (pa only 4K-aligned relative to va) then a 2M page over them. */
	assert_int_equal(pt_map(&pt, MiB(2), GiB(1) + PAGE_SIZE, MiB(2), rw,
				PT_CACHE_WB), 0);
	assert_int_equal(pt.table_pages, 4);
	assert_int_equal(pt_map(&pt, MiB(2), GiB(2), MiB(2), PT_READ, PT_CACHE_UC), 0);
	assert_int_equal(pt.table_pages, 3); /* the PT went away */
	assert_int_equal(page_size_at(&pt, MiB(3)), MiB(2));
	assert_maps(&pt, MiB(3), GiB(2) + MiB(1), PT_READ, PT_CACHE_UC);

	/* Replace the middle 8K of the 2M page; the rest keeps its mapping. */
	assert_int_equal(pt_map(&pt, MiB(3), GiB(7), KiB(8), rw, PT_CACHE_WB), 0);
	assert_maps(&pt, MiB(3) + KiB(4), GiB(7) + KiB(4), rw, PT_CACHE_WB);
	assert_maps(&pt, MiB(3) + KiB(8), GiB(2) + MiB(1) + KiB(8), PT_READ,
		    PT_CACHE_UC);
	assert_maps(&pt, MiB(3) - KiB(4), GiB(2) + MiB(1) - KiB(4), PT_READ,
		    PT_CACHE_UC);
	assert_int_equal(page_size_at(&pt, MiB(2)), PAGE_SIZE);

	/* A 1G page swallows the whole subtree (PD and PT freed). */
	assert_int_equal(pt_map(&pt, 0, GiB(3), GiB(1), PT_READ | PT_EXEC,
				PT_CACHE_WB), 0);
	assert_int_equal(pt.table_pages, 2);
	assert_int_equal(a->live_count, 2);
	assert_maps(&pt, MiB(3) + KiB(4), GiB(3) + MiB(3) + KiB(4),
		    PT_READ | PT_EXEC, PT_CACHE_WB);

	/* Same addresses, new permissions and cache: rewritten in place. */
	assert_int_equal(pt_map(&pt, 0, GiB(3), GiB(1), rw, PT_CACHE_WT), 0);
	assert_int_equal(pt.table_pages, 2);
	assert_maps(&pt, 0, GiB(3), rw, PT_CACHE_WT);

	/* A new mapping straddling the 1G page's end splits only that end. */
	assert_int_equal(pt_map(&pt, GiB(1) - MiB(2), GiB(20), MiB(4), PT_READ,
				PT_CACHE_WB), 0);
	assert_maps(&pt, GiB(1) - MiB(2), GiB(20), PT_READ, PT_CACHE_WB);
	assert_maps(&pt, GiB(1) + MiB(1), GiB(20) + MiB(3), PT_READ, PT_CACHE_WB);
	assert_maps(&pt, GiB(1) - MiB(2) - 1, GiB(4) - MiB(2) - 1, rw, PT_CACHE_WT);
	assert_int_equal(page_size_at(&pt, 0), MiB(2));
	pt_finish(&pt, a);
}

static void test_protect_hole_changes_nothing(void **state)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, pt_x86_host_format(3));
	struct tree before, after;

	(void)state;
	assert_int_equal(pt_map(&pt, 0, GiB(1), KiB(8), PT_READ, PT_CACHE_WB), 0);
	assert_int_equal(pt_map(&pt, KiB(12), GiB(1), KiB(4), PT_READ, PT_CACHE_WB), 0);
	assert_int_equal(pt_map(&pt, GiB(1), GiB(1), GiB(1), PT_READ, PT_CACHE_WB), 0);
	assert_int_equal(pt_unmap(&pt, GiB(2) - MiB(2), PAGE_SIZE), 0);
	before = tree_walk(&pt, a);

	assert_int_equal(pt_protect(&pt, 0, KiB(16), PT_READ | PT_WRITE), -E_NOENT);
	assert_int_equal(pt_protect(&pt, GiB(5), PAGE_SIZE, PT_READ), -E_NOENT);
	/* Hole at the far end of a range that starts with a large page. */
	assert_int_equal(pt_protect(&pt, GiB(1), GiB(1), PT_READ | PT_WRITE), -E_NOENT);
	assert_int_equal(pt_protect(&pt, GiB(1) - PAGE_SIZE, MiB(2), PT_READ | PT_WRITE),
			 -E_NOENT);

	after = tree_walk(&pt, a);
	assert_tree_equal(&before, &after);
	tree_free(&before);
	tree_free(&after);

	assert_int_equal(pt_protect(&pt, KiB(12), KiB(4), PT_READ | PT_EXEC), 0);
	assert_maps(&pt, KiB(12), GiB(1), PT_READ | PT_EXEC, PT_CACHE_WB);
	pt_finish(&pt, a);
}

/* ---- Out of memory mid-operation ---------------------------------------- */

enum oom_op { OOM_MAP, OOM_UNMAP, OOM_PROTECT };

struct oom_case {
	const char *what;
	enum oom_op op;
	uint64_t va, size;
	paddr_t pa;
	unsigned perms;
	size_t min_pages; /* the operation needs at least this many table pages */
};

static int run_oom_op(struct pagetable *pt, const struct oom_case *c)
{
	switch (c->op) {
	case OOM_MAP:
		return pt_map(pt, c->va, c->pa, c->size, c->perms, PT_CACHE_WB);
	case OOM_UNMAP:
		return pt_unmap(pt, c->va, c->size);
	case OOM_PROTECT:
		return pt_protect(pt, c->va, c->size, c->perms);
	}
	return -E_INVAL;
}

/* Starting state: a 1G page, a 2M page, some 4K pages in a third GiB. */
static void oom_populate(struct pagetable *pt)
{
	assert_int_equal(pt_map(pt, GiB(1), GiB(1), GiB(1), PT_READ, PT_CACHE_WB), 0);
	assert_int_equal(pt_map(pt, GiB(2), GiB(8), MiB(2), PT_READ, PT_CACHE_WB), 0);
	assert_int_equal(pt_map(pt, GiB(3), GiB(9) + PAGE_SIZE, MiB(4), PT_READ,
				PT_CACHE_WB), 0);
}

/*
 * Let the allocator fail after 0, 1, 2, ... pages until the operation goes
 * through; every failure must leave the tree exactly as it was.
 */
static void test_nomem_leaves_table_unchanged(void **state)
{
	static const struct oom_case cases[] = {
		{ "4K-aligned 1G map into empty space", OOM_MAP, GiB(600), GiB(1),
		  GiB(33) + PAGE_SIZE, PT_READ, 2 + 512 },
		{ "map over 1G and 2M pages, 4K-aligned", OOM_MAP, GiB(2) - MiB(6),
		  MiB(10), GiB(40) + PAGE_SIZE, PT_READ | PT_WRITE, 6 },
		{ "map over existing 4K tables", OOM_MAP, GiB(3) + MiB(2) + PAGE_SIZE,
		  GiB(1), GiB(50) + MiB(2) + PAGE_SIZE, PT_READ, 2 },
		{ "unmap 4K inside the 1G page", OOM_UNMAP, GiB(1) + MiB(3), PAGE_SIZE,
		  0, 0, 2 },
		{ "unmap across 1G/2M edges", OOM_UNMAP, GiB(2) - PAGE_SIZE,
		  MiB(1), 0, 0, 3 },
		{ "protect 4K inside the 1G page", OOM_PROTECT, GiB(1) + MiB(5),
		  PAGE_SIZE, 0, PT_READ | PT_EXEC, 2 },
		{ "map across a 512 GiB boundary", OOM_MAP, GiB(512) - PAGE_SIZE,
		  2 * PAGE_SIZE, GiB(70), PT_READ, 5 },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct oom_case *c = &cases[i];
		struct pagetable pt;
		struct arena *a = pt_new(&pt, pt_x86_host_format(3));
		struct tree before, after;
		long n;
		int err;

		oom_populate(&pt);
		before = tree_walk(&pt, a);
		for (n = 0;; n++) {
			a->fail_after = n;
			err = run_oom_op(&pt, c);
			a->fail_after = -1;
			if (err != -E_NOMEM)
				break;
			after = tree_walk(&pt, a);
			assert_tree_equal(&before, &after);
			tree_free(&after);
		}
		if (err || (size_t)n < c->min_pages)
			fail_msg("%s: err %d after %ld pages", c->what, err, n);
		tree_free(&before);
		if (c->op == OOM_MAP) {
			assert_maps(&pt, c->va, c->pa, c->perms, PT_CACHE_WB);
			assert_maps(&pt, c->va + c->size - 1, c->pa + c->size - 1,
				    c->perms, PT_CACHE_WB);
		}
		after = tree_walk(&pt, a); /* counts still agree */
		tree_free(&after);
		pt_finish(&pt, a);
	}
}

/* ---- A second format ------------------------------------------------------- */

static void test_toy_format(void **state)
{
	struct pt_format fmt = toy_format_with(2);
	struct pagetable pt;
	struct arena *a = pt_new(&pt, &fmt);
	struct tree t;
	uint64_t e;

	(void)state;
	assert_int_equal(pt_map(&pt, MiB(2), GiB(3), MiB(4) + PAGE_SIZE,
				PT_READ | PT_EXEC, PT_CACHE_WC), 0);
	assert_int_equal(page_size_at(&pt, MiB(2)), MiB(2));
	assert_int_equal(page_size_at(&pt, MiB(6)), PAGE_SIZE);
	assert_maps(&pt, MiB(5) + 3, GiB(3) + MiB(3) + 3, PT_READ | PT_EXEC,
		    PT_CACHE_WC);

	/* Raw entries are the toy layout. */
	e = raw_entry(&pt, MiB(2), 2);
	assert_int_equal(e, TOY_VALID | TOY_LEAF | (GiB(3) >> 12) << 8 |
				    PT_READ | PT_EXEC | PT_CACHE_WC << 4);
	assert_int_equal(raw_entry(&pt, 0, 4) & (TOY_VALID | TOY_LEAF), TOY_VALID);

	/* Split through protect, then unmap everything. */
	assert_int_equal(pt_protect(&pt, MiB(3), PAGE_SIZE, PT_READ), 0);
	assert_maps(&pt, MiB(3), GiB(3) + MiB(1), PT_READ, PT_CACHE_WC);
	assert_linear(&pt, MiB(2), MiB(2), GiB(3), PT_READ | PT_EXEC, PT_CACHE_WC,
		      MiB(3));
	t = tree_walk(&pt, a);
	assert_int_equal(count_leaves(&t, 1), 512 + 1);
	assert_int_equal(count_leaves(&t, 2), 1);
	tree_free(&t);

	assert_int_equal(pt_map(&pt, 0, 0, PAGE_SIZE, PT_READ | PT_USER, PT_CACHE_WB),
			 -E_INVAL);
	assert_int_equal(pt_map(&pt, 0, GiB(1024) - PAGE_SIZE, 2 * PAGE_SIZE, PT_READ,
				PT_CACHE_WB), -E_RANGE); /* 40-bit output */
	assert_int_equal(pt_unmap(&pt, 0, GiB(1)), 0);
	assert_int_equal(pt.table_pages, 1);
	pt_finish(&pt, a);
}

/* ---- Randomized operations against a reference model --------------------- */

#define RAND_SPACE GiB(64)
#define RAND_PA_SPACE (1ULL << 39)
#define RAND_OPS 3000
#define RAND_VERIFY_EVERY 100
#define MODEL_MAX 65536

/* [va, end) maps linearly to pa with these attributes. */
struct extent {
	uint64_t va, end;
	paddr_t pa;
	unsigned perms;
	enum pt_cache cache;
};

struct model {
	struct extent *x; /* sorted by va, disjoint */
	size_t n;
	struct extent *scratch;
};

static int extent_cmp(const void *x, const void *y)
{
	const struct extent *ex = x, *ey = y;

	return ex->va < ey->va ? -1 : ex->va > ey->va;
}

/* Remove [va, end); pieces outside it survive. */
static void model_carve(struct model *m, uint64_t va, uint64_t end)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct extent x = m->x[i];

		if (x.end <= va || x.va >= end) {
			m->scratch[n++] = x;
			continue;
		}
		if (x.va < va)
			m->scratch[n++] = (struct extent){ x.va, va, x.pa, x.perms,
							   x.cache };
		if (x.end > end)
			m->scratch[n++] = (struct extent){
				end, x.end, x.pa + (end - x.va), x.perms, x.cache };
	}
	assert_true(n < MODEL_MAX);
	memcpy(m->x, m->scratch, n * sizeof(*m->x));
	m->n = n;
}

/*
 * Merge neighbours that map linearly with the same attributes, so that the
 * model is canonical: a leaf of the table then lies within one extent.
 */
static void model_merge(struct model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->n; i++) {
		struct extent *prev = n ? &m->x[n - 1] : NULL;
		const struct extent *x = &m->x[i];

		if (prev && prev->end == x->va && prev->pa + (x->va - prev->va) == x->pa &&
		    prev->perms == x->perms && prev->cache == x->cache)
			prev->end = x->end;
		else
			m->x[n++] = *x;
	}
	m->n = n;
}

static void model_add(struct model *m, struct extent x)
{
	assert_true(m->n < MODEL_MAX);
	m->x[m->n++] = x;
	qsort(m->x, m->n, sizeof(*m->x), extent_cmp);
	model_merge(m);
}

static const struct extent *model_find(const struct model *m, uint64_t va)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->x[mid].end <= va)
			lo = mid + 1;
		else if (m->x[mid].va > va)
			hi = mid;
		else
			return &m->x[mid];
	}
	return NULL;
}

static bool model_covers(const struct model *m, uint64_t va, uint64_t end)
{
	while (va < end) {
		const struct extent *x = model_find(m, va);

		if (!x)
			return false;
		va = x->end;
	}
	return true;
}

static void model_protect(struct model *m, uint64_t va, uint64_t end,
			  unsigned perms)
{
	struct extent *pieces = calloc(m->n + 1, sizeof(*pieces));
	size_t n = 0;

	/* The extents overlapping the range, clipped to it. */
	assert_non_null(pieces);
	for (uint64_t cur = va; cur < end; n++) {
		const struct extent *x = model_find(m, cur);
		uint64_t stop;

		assert_non_null(x);
		stop = MIN(x->end, end);
		pieces[n] = (struct extent){ cur, stop, x->pa + (cur - x->va), perms,
					     x->cache };
		cur = stop;
	}
	model_carve(m, va, end);
	for (size_t i = 0; i < n; i++)
		model_add(m, pieces[i]);
	free(pieces);
}

static void assert_matches_model_at(const struct pagetable *pt,
				    const struct model *m, uint64_t va)
{
	const struct extent *x = model_find(m, va);

	if (x)
		assert_maps(pt, va, x->pa + (va - x->va), x->perms, x->cache);
	else
		assert_unmapped(pt, va);
}

/*
 * Exhaustive in one direction: every leaf agrees with the model, and leaves
 * and model cover the same number of bytes, so they are the same set. Then
 * pt_translate at edges of extents and at random addresses.
 */
static void verify_model(const struct pagetable *pt, const struct arena *a,
			 const struct model *m)
{
	const struct pt_format *fmt = pt->fmt;
	struct tree t = tree_walk(pt, a);
	uint64_t leaf_bytes = 0, model_bytes = 0;

	for (size_t i = 0; i < t.nleaves; i++) {
		const struct leaf *l = &t.leaves[i];
		uint64_t size = pt_level_size(l->level);
		const struct extent *x = model_find(m, l->va);

		assert_non_null(x);
		assert_true(l->va + size <= x->end);
		assert_int_equal(fmt->addr(fmt, l->entry, l->level),
				 x->pa + (l->va - x->va));
		assert_int_equal(fmt->perms(fmt, l->entry, l->level), x->perms);
		assert_int_equal(fmt->cache(fmt, l->entry, l->level), x->cache);
		leaf_bytes += size;
	}
	for (size_t i = 0; i < m->n; i++) {
		const struct extent *x = &m->x[i];

		model_bytes += x->end - x->va;
		assert_matches_model_at(pt, m, x->va);
		assert_matches_model_at(pt, m, x->end - 1);
		assert_matches_model_at(pt, m, x->va + rng_below(x->end - x->va));
		if (x->va)
			assert_matches_model_at(pt, m, x->va - 1);
		assert_matches_model_at(pt, m, x->end);
	}
	assert_int_equal(leaf_bytes, model_bytes);
	for (int i = 0; i < 256; i++)
		assert_matches_model_at(pt, m, rng_below(RAND_SPACE + GiB(1)));
	tree_free(&t);
}

static uint64_t random_alignment(void)
{
	uint64_t r = rng_below(10);

	return r < 6 ? PAGE_SIZE : r < 9 ? MiB(2) : GiB(1);
}

/* A range in the space; half the time starting in or near a mapping. */
static void random_range(const struct model *m, uint64_t *va, uint64_t *size)
{
	uint64_t align = random_alignment(), r = rng_below(10);
	uint64_t start, len;

	if (m->n && rng_below(2)) {
		const struct extent *x = &m->x[rng_below(m->n)];

		start = x->va + rng_below((x->end - x->va) / PAGE_SIZE + 8) * PAGE_SIZE;
		start = start >= 4 * PAGE_SIZE ? start - 4 * PAGE_SIZE : 0;
		start = ALIGN_DOWN(start, align);
	} else {
		start = rng_below(RAND_SPACE / align) * align;
	}
	if (r < 6)
		len = (1 + rng_below(32)) * PAGE_SIZE;
	else if (r < 9)
		len = (1 + rng_below(3)) * MiB(2) + rng_below(2) * rng_below(512) * PAGE_SIZE;
	else
		len = GiB(1) + rng_below(4) * MiB(2);
	if (start >= RAND_SPACE)
		start = RAND_SPACE - PAGE_SIZE;
	*va = start;
	*size = MIN(len, RAND_SPACE - start);
}

static unsigned random_perms(const struct pt_format *fmt)
{
	unsigned perms = PT_READ | (unsigned)rng_below(16);

	return perms & fmt->valid_perms;
}

/* Injected allocation failures may fail anything with -E_NOMEM. */
static void check_result(uint64_t seed, int op, int err, int want, bool oom)
{
	if (err == want || (oom && err == -E_NOMEM))
		return;
	fail_msg("seed %#llx op %d: got %d, want %d", (unsigned long long)seed, op,
		 err, want);
}

static void random_ops(const struct pt_format *fmt, uint64_t seed)
{
	struct pagetable pt;
	struct arena *a = pt_new(&pt, fmt);
	struct model m = {
		.x = calloc(MODEL_MAX, sizeof(struct extent)),
		.scratch = calloc(MODEL_MAX, sizeof(struct extent)),
	};
	size_t counts[3][2] = { { 0 } }; /* [op][failed] */
	size_t nomem = 0, noent = 0;
	const char *env = getenv("PT_TEST_SEED");

	assert_non_null(m.x);
	assert_non_null(m.scratch);
	if (env)
		seed = strtoull(env, NULL, 0);
	rng_seed(seed);

	for (int i = 0; i < RAND_OPS; i++) {
		uint64_t va, size, op = rng_below(4);
		unsigned perms = random_perms(fmt);
		bool inject_oom = rng_below(10) == 0;
		int err, want = 0;

		random_range(&m, &va, &size);
		if (op == 3 && m.n && rng_below(10) < 7) {
			/* Protect inside one extent, usually a success. */
			const struct extent *x = &m.x[rng_below(m.n)];
			uint64_t pages = (x->end - x->va) / PAGE_SIZE;
			uint64_t first = rng_below(pages);

			va = x->va + first * PAGE_SIZE;
			size = (1 + rng_below(pages - first)) * PAGE_SIZE;
		}
		if (inject_oom)
			a->fail_after = (long)rng_below(3);

		if (op <= 1) {
			uint64_t pa_align = random_alignment();
			paddr_t pa = rng_below(RAND_PA_SPACE / pa_align) * pa_align;
			enum pt_cache cache = (enum pt_cache)rng_below(PT_CACHE_COUNT);

			if (size >= GiB(1)) {
				/* Keep 1 GiB maps to 2M pages or larger: bounded work. */
				va = ALIGN_DOWN(va, MiB(2));
				pa = ALIGN_DOWN(pa, MiB(2));
			}
			err = pt_map(&pt, va, pa, size, perms, cache);
			check_result(seed, i, err, want, inject_oom);
			if (!err) {
				model_carve(&m, va, va + size);
				model_add(&m, (struct extent){ va, va + size, pa, perms,
							       cache });
			}
			op = 0;
		} else if (op == 2) {
			err = pt_unmap(&pt, va, size);
			check_result(seed, i, err, want, inject_oom);
			if (!err)
				model_carve(&m, va, va + size);
			op = 1;
		} else {
			want = model_covers(&m, va, va + size) ? 0 : -E_NOENT;
			err = pt_protect(&pt, va, size, perms);
			check_result(seed, i, err, want, inject_oom);
			if (!err)
				model_protect(&m, va, va + size, perms);
			op = 2;
		}
		a->fail_after = -1;
		nomem += err == -E_NOMEM;
		noent += err == -E_NOENT;
		counts[op][err != 0]++;
		assert_int_equal(a->live_count, pt.table_pages);
		assert_matches_model_at(&pt, &m, va);
		assert_matches_model_at(&pt, &m, va + size - PAGE_SIZE);
		if (i % RAND_VERIFY_EVERY == RAND_VERIFY_EVERY - 1)
			verify_model(&pt, a, &m);
	}
	verify_model(&pt, a, &m);
	print_message("%s seed %#llx: ok/failed map %zu/%zu unmap %zu/%zu "
		      "protect %zu/%zu (%zu ENOMEM, %zu ENOENT); %zu extents, "
		      "%zu table pages\n",
		      fmt->name, (unsigned long long)seed, counts[0][0], counts[0][1],
		      counts[1][0], counts[1][1], counts[2][0], counts[2][1], nomem,
		      noent, m.n, pt.table_pages);
	/* Each operation succeeded, and both failure paths were taken. */
	for (int op = 0; op < 3; op++)
		assert_true(counts[op][0] > 0);
	assert_true(nomem > 0 && noent > 0);

	assert_int_equal(pt_unmap(&pt, 0, RAND_SPACE), 0);
	assert_int_equal(pt.table_pages, 1);
	free(m.x);
	free(m.scratch);
	pt_finish(&pt, a);
}

static void test_random_x86_host(void **state)
{
	(void)state;
	random_ops(pt_x86_host_format(3), 0x5eed0001);
}

static void test_random_x86_npt_2m(void **state)
{
	(void)state;
	random_ops(pt_x86_npt_format(2), 0x5eed0002);
}

static void test_random_toy(void **state)
{
	struct pt_format fmt = toy_format_with(3);

	(void)state;
	random_ops(&fmt, 0x5eed0003);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_destroy),
		cmocka_unit_test(test_init_rejects_bad_setup),
		cmocka_unit_test(test_invalid_args),
		cmocka_unit_test(test_map_picks_largest_page),
		cmocka_unit_test(test_map_page_size_follows_pa_alignment),
		cmocka_unit_test(test_max_leaf_level_respected),
		cmocka_unit_test(test_x86_known_encodings),
		cmocka_unit_test(test_x86_round_trip),
		cmocka_unit_test(test_x86_bits_in_mapped_tables),
		cmocka_unit_test(test_npt_sets_user_everywhere),
		cmocka_unit_test(test_x86_canonical_helpers),
		cmocka_unit_test(test_split_1g_by_protect),
		cmocka_unit_test(test_protect_same_perms_keeps_large_page),
		cmocka_unit_test(test_split_1g_by_unmap),
		cmocka_unit_test(test_split_1g_by_remap),
		cmocka_unit_test(test_split_keeps_wc),
		cmocka_unit_test(test_unmap_frees_tables),
		cmocka_unit_test(test_replace_mappings),
		cmocka_unit_test(test_protect_hole_changes_nothing),
		cmocka_unit_test(test_nomem_leaves_table_unchanged),
		cmocka_unit_test(test_toy_format),
		cmocka_unit_test(test_random_x86_host),
		cmocka_unit_test(test_random_x86_npt_2m),
		cmocka_unit_test(test_random_toy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

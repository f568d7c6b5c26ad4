/*
 * Generic 4-level page-table mapper, shared by the hypervisor's own page
 * tables and (later) the guests' stage-2 tables (AMD NPT, Intel EPT). The
 * tree shape is fixed: 4 levels of 512 8-byte entries over 48-bit input
 * addresses. How an entry is encoded is left to a struct pt_format
 * (arch/x86/pt_x86.c for host tables and NPT).
 *
 * Levels are numbered like the hardware walks them bottom-up: level 1 entries
 * map 4 KiB, level 2 2 MiB, level 3 1 GiB, level 4 is the root (never a leaf).
 *
 * Addresses: the mapper deals in 48-bit input addresses [0, 2^48). Guest
 * physical addresses are already of that form; host virtual addresses in the
 * upper canonical half must be truncated to 48 bits first (pt_x86_va48()).
 *
 * Concurrency and TLBs: a struct pagetable is not locked; callers serialize
 * all calls on one table. Nothing here flushes a TLB or paging-structure
 * cache: after pt_map (when it replaced something), pt_unmap and pt_protect,
 * the caller invalidates (INVLPG / INVLPGA / INVEPT / ASID or VPID flush).
 * Entries are written with single 64-bit stores, and a table is filled before
 * it is linked in, so a hardware walker running concurrently always sees
 * either the old or the new translation of an address, never a mix; a split
 * of a large page is invisible (the new small pages translate the same way).
 *
 * Failure: every operation is all-or-nothing. pt_map/pt_unmap/pt_protect
 * first walk the range to count the table pages they will need and reserve
 * them; only then do they change anything, and the change cannot fail. So on
 * any error (-E_NOMEM, -E_NOENT, ...) the table is exactly as before and no
 * table page has leaked.
 */
#ifndef PLINTH_PAGETABLE_H
#define PLINTH_PAGETABLE_H

#include <plinth/types.h>

#define PT_LEVELS 4
#define PT_ENTRIES 512
#define PT_INDEX_BITS 9
#define PT_VA_BITS 48
#define PT_VA_LIMIT (1ULL << PT_VA_BITS)

enum pt_perm {
	PT_READ = 1,  /* required for every present mapping */
	PT_WRITE = 2,
	PT_EXEC = 4,
	PT_USER = 8,  /* CPL 3 access; only formats that list it in valid_perms */
};

enum pt_cache {
	PT_CACHE_WB = 0,
	PT_CACHE_UC,
	PT_CACHE_WC,
	PT_CACHE_WT,
};
#define PT_CACHE_COUNT 4

/* log2 of the bytes one entry at `level` (1..4) covers: 12, 21, 30, 39. */
static inline unsigned pt_level_shift(unsigned level)
{
	return PAGE_SHIFT + PT_INDEX_BITS * (level - 1);
}

static inline uint64_t pt_level_size(unsigned level)
{
	return 1ULL << pt_level_shift(level);
}

/* Index of the entry for `va` in its level-`level` table. */
static inline unsigned pt_index(uint64_t va, unsigned level)
{
	return (unsigned)(va >> pt_level_shift(level)) & (PT_ENTRIES - 1);
}

/*
 * An entry encoding. The hooks get the format itself so one set of functions
 * can serve several instances (x86 host tables and NPT differ by one bit).
 * Contract: an all-zero entry is not present (fresh tables are zeroed pages),
 * make_leaf/make_table never produce a non-present entry, and a present
 * level-1 entry is always a leaf.
 */
struct pt_format {
	const char *name;
	unsigned max_leaf_level; /* 1: 4 KiB only, 2: up to 2 MiB, 3: up to 1 GiB */
	unsigned valid_perms;    /* PT_* bits this format can encode */
	unsigned pa_bits;        /* output addresses must lie below 2^pa_bits */

	/* Entry pointing at a next-level table. */
	uint64_t (*make_table)(const struct pt_format *fmt, paddr_t table);
	/* Leaf at `level` (1 = 4 KiB, 2 = 2 MiB, 3 = 1 GiB); pa is aligned to it. */
	uint64_t (*make_leaf)(const struct pt_format *fmt, paddr_t pa, unsigned level,
			      unsigned perms, enum pt_cache cache);
	bool (*is_present)(const struct pt_format *fmt, uint64_t e);
	/* Only asked about present entries. */
	bool (*is_leaf)(const struct pt_format *fmt, uint64_t e, unsigned level);
	/* The next table for a table entry, the page's base for a leaf. */
	paddr_t (*addr)(const struct pt_format *fmt, uint64_t e, unsigned level);
	/* Leaf attributes, as passed to make_leaf. */
	unsigned (*perms)(const struct pt_format *fmt, uint64_t e, unsigned level);
	enum pt_cache (*cache)(const struct pt_format *fmt, uint64_t e, unsigned level);
};

/*
 * Where table pages come from: the page allocator in the kernel, an arena in
 * the unit tests.
 *
 * free_table is called as soon as a table is unlinked, i.e. before the caller
 * has flushed the TLB. A table that hardware may still have cached must not
 * be reused until that flush: on a live table, free_table should queue the
 * page and release it after the invalidation.
 */
struct pt_memory {
	int (*alloc_table)(void *ctx, paddr_t *out); /* a zeroed, aligned 4 KiB page */
	void (*free_table)(void *ctx, paddr_t table);
	void *(*table_ptr)(void *ctx, paddr_t table); /* access a table page */
	void *ctx;
};

struct pagetable {
	const struct pt_format *fmt;
	struct pt_memory mem;
	paddr_t root;       /* for CR3 / nCR3 / EPTP */
	size_t table_pages; /* table pages in the tree, root included */
};

/* What one address translates to. */
struct pt_translation {
	paddr_t pa;          /* the translated address (page base + offset) */
	uint64_t page_size;  /* size of the leaf that maps it */
	unsigned level;      /* level of that leaf: 1, 2 or 3 */
	unsigned perms;
	enum pt_cache cache;
	uint64_t entry;      /* the raw leaf entry */
};

/*
 * Allocate an empty root. -E_INVAL for an incomplete format or memory hooks,
 * -E_NOMEM if the root cannot be allocated.
 */
int pt_init(struct pagetable *pt, const struct pt_format *fmt,
	    const struct pt_memory *mem);

/* Free every table page, root included (not the memory mapped by it). */
void pt_destroy(struct pagetable *pt);

/*
 * Map [va, va+size) to [pa, pa+size), replacing whatever was mapped there.
 * Each piece gets the largest page (up to fmt->max_leaf_level) that va and
 * pa are both aligned to and the rest of the range fills. A large page that
 * is only partly replaced is split; its other pages keep their mapping. A
 * table that a new large page covers is freed. Small pages are never merged
 * back into a large one.
 *
 * va, pa and size must be 4 KiB aligned and size non-zero (-E_INVAL); perms
 * must include PT_READ and only fmt->valid_perms, cache a PT_CACHE_* value
 * (-E_INVAL). -E_RANGE if the va range leaves [0, 2^48) or the pa range
 * reaches 2^fmt->pa_bits. -E_NOMEM if table pages run out.
 */
int pt_map(struct pagetable *pt, uint64_t va, paddr_t pa, uint64_t size,
	   unsigned perms, enum pt_cache cache);

/*
 * Remove every mapping in [va, va+size); holes are fine. Large pages that
 * straddle the edges are split (needs table pages: -E_NOMEM possible).
 * Tables left empty are freed; the root stays. Alignment and range errors as
 * for pt_map.
 */
int pt_unmap(struct pagetable *pt, uint64_t va, uint64_t size);

/*
 * Change the permissions of [va, va+size), keeping addresses and cache
 * types. The whole range must be mapped, else -E_NOENT and nothing changes.
 * Large pages straddling the edges are split unless they already have
 * these permissions. Other errors as for pt_map.
 */
int pt_protect(struct pagetable *pt, uint64_t va, uint64_t size,
	       unsigned perms);

/*
 * Translate va (any alignment, below 2^48, else -E_RANGE). -E_NOENT if
 * unmapped.
 */
int pt_translate(const struct pagetable *pt, uint64_t va,
		 struct pt_translation *out);

/* pt_translate for the common fields; each output may be NULL. */
int pt_lookup(const struct pagetable *pt, uint64_t va, paddr_t *pa,
	      unsigned *perms, uint64_t *page_size);

#endif

/*
 * The generic mapper (see include/plinth/pagetable.h).
 *
 * Every change runs in two passes over the same range, driven by the same
 * per-entry decision (decide()):
 *   1. count: walk the range without writing and count the table pages the
 *      change will create (new tables, split large pages). Tables that would
 *      be created are walked as "virtual" tables whose entries are computed.
 *      Holes that make pt_protect fail are found here too.
 *   2. apply: with exactly that many pages reserved, make the change. It
 *      cannot fail, which is what makes every operation all-or-nothing.
 * Both passes recurse once per level, so the depth is at most PT_LEVELS.
 */
#define LOG_TAG "pt"
#include <plinth/errno.h>
#include <plinth/log.h>
#include <plinth/pagetable.h>
#include <plinth/panic.h>

enum pt_op_kind { OP_MAP, OP_UNMAP, OP_PROTECT };

struct pt_op {
	enum pt_op_kind kind;
	uint64_t va, end;    /* [va, end), 4 KiB aligned, end <= 2^48 */
	paddr_t pa;          /* map: what va maps to */
	unsigned perms;      /* map, protect */
	enum pt_cache cache; /* map */
};

/* What to do with one entry that intersects the operation's range. */
enum pt_action {
	ACT_SKIP,      /* nothing to change here */
	ACT_NOENT,     /* protect found a hole: the operation fails */
	ACT_SET_LEAF,  /* map: write a leaf here (freeing any old subtree) */
	ACT_CLEAR,     /* unmap: clear the entry (freeing any old subtree) */
	ACT_REPROTECT, /* protect: rewrite the leaf with the new permissions */
	ACT_DESCEND,   /* an existing table: recurse into it */
	ACT_NEW_TABLE, /* hole: link an empty table, recurse into it */
	ACT_SPLIT,     /* large leaf: replace by a table of smaller leaves, recurse */
};

/* Pages allocated up front by the count pass, linked through their first word. */
struct pt_reserve {
	paddr_t head;
	size_t count;
};

/* ---- Entries and table pages ------------------------------------------- */

static uint64_t *table_entries(const struct pagetable *pt, paddr_t table)
{
	return pt->mem.table_ptr(pt->mem.ctx, table);
}

/* Hardware walks live tables concurrently: one untorn load or store per entry. */
static uint64_t entry_read(const uint64_t *slot)
{
	return __atomic_load_n(slot, __ATOMIC_RELAXED);
}

/* Release: a table's contents are written before the entry linking it. */
static void entry_write(uint64_t *slot, uint64_t e)
{
	__atomic_store_n(slot, e, __ATOMIC_RELEASE);
}

static bool entry_is_table(const struct pt_format *fmt, uint64_t e, unsigned level)
{
	return fmt->is_present(fmt, e) && !fmt->is_leaf(fmt, e, level);
}

/* Entry i of the table that splitting `leaf` (at leaf_level) produces. */
static uint64_t split_child(const struct pt_format *fmt, uint64_t leaf,
			    unsigned leaf_level, unsigned i)
{
	unsigned level = leaf_level - 1;
	paddr_t pa = fmt->addr(fmt, leaf, leaf_level) + i * pt_level_size(level);

	return fmt->make_leaf(fmt, pa, level, fmt->perms(fmt, leaf, leaf_level),
			      fmt->cache(fmt, leaf, leaf_level));
}

static void free_table_page(struct pagetable *pt, paddr_t table)
{
	pt->mem.free_table(pt->mem.ctx, table);
	pt->table_pages--;
}

/* Free a table and every table below it; `level` is the level of its entries. */
static void free_tree(struct pagetable *pt, paddr_t table, unsigned level)
{
	const struct pt_format *fmt = pt->fmt;

	if (level > 1) {
		const uint64_t *entries = table_entries(pt, table);

		for (unsigned i = 0; i < PT_ENTRIES; i++) {
			uint64_t e = entry_read(&entries[i]);

			if (entry_is_table(fmt, e, level))
				free_tree(pt, fmt->addr(fmt, e, level), level - 1);
		}
	}
	free_table_page(pt, table);
}

static bool table_is_empty(const struct pagetable *pt, paddr_t table)
{
	const uint64_t *entries = table_entries(pt, table);

	for (unsigned i = 0; i < PT_ENTRIES; i++)
		if (pt->fmt->is_present(pt->fmt, entry_read(&entries[i])))
			return false;
	return true;
}

/* ---- Reserve ---------------------------------------------------------------- */

static void reserve_release(struct pagetable *pt, struct pt_reserve *res)
{
	while (res->count) {
		paddr_t page = res->head;
		uint64_t *link = table_entries(pt, page);

		res->head = *link;
		*link = 0; /* hand it back as zeroed as it came */
		res->count--;
		pt->mem.free_table(pt->mem.ctx, page);
	}
}

static int reserve_fill(struct pagetable *pt, struct pt_reserve *res, size_t n)
{
	while (res->count < n) {
		paddr_t page;

		if (pt->mem.alloc_table(pt->mem.ctx, &page)) {
			log_debug("out of table memory: %zu of %zu pages for %s",
				  res->count, n, pt->fmt->name);
			reserve_release(pt, res);
			return -E_NOMEM;
		}
		BUG_ON(!IS_ALIGNED(page, PAGE_SIZE));
		*table_entries(pt, page) = res->head;
		res->head = page;
		res->count++;
	}
	return 0;
}

/* A zeroed page from the reserve, now counted as part of the tree. */
static paddr_t reserve_take(struct pagetable *pt, struct pt_reserve *res)
{
	paddr_t page = res->head;
	uint64_t *link;

	BUG_ON(res->count == 0); /* the count pass undercounted */
	link = table_entries(pt, page);
	res->head = *link;
	*link = 0;
	res->count--;
	pt->table_pages++;
	return page;
}

/* ---- The decision both passes share -------------------------------------- */

/* `e` is the entry at `level` covering [ebase, ebase + its size). */
static enum pt_action decide(const struct pt_format *fmt, const struct pt_op *op,
			     unsigned level, uint64_t e, uint64_t ebase)
{
	uint64_t size = pt_level_size(level);
	bool whole = ebase >= op->va && ebase + size <= op->end;
	bool present = fmt->is_present(fmt, e);
	bool leaf = present && fmt->is_leaf(fmt, e, level);

	switch (op->kind) {
	case OP_MAP:
		/* va and pa both aligned to this page size: same offset mod size. */
		if (whole && level <= fmt->max_leaf_level &&
		    IS_ALIGNED(op->pa - op->va, size))
			return ACT_SET_LEAF;
		if (!present)
			return ACT_NEW_TABLE;
		/* Split even when wholly replaced: no transient hole is visible. */
		return leaf ? ACT_SPLIT : ACT_DESCEND;
	case OP_UNMAP:
		if (!present)
			return ACT_SKIP;
		if (whole)
			return ACT_CLEAR;
		return leaf ? ACT_SPLIT : ACT_DESCEND;
	case OP_PROTECT:
		if (!present)
			return ACT_NOENT;
		if (!leaf)
			return ACT_DESCEND;
		if (fmt->perms(fmt, e, level) == op->perms)
			return ACT_SKIP; /* no need to split a large page */
		return whole ? ACT_REPROTECT : ACT_SPLIT;
	}
	return ACT_SKIP;
}

/* ---- Pass 1: count -------------------------------------------------------- */

enum view_kind {
	VIEW_REAL,  /* an existing table */
	VIEW_EMPTY, /* a table the apply pass would create empty */
	VIEW_SPLIT, /* a table the apply pass would create by splitting a leaf */
};

struct table_view {
	enum view_kind kind;
	paddr_t table;   /* VIEW_REAL */
	uint64_t leaf;   /* VIEW_SPLIT: the leaf one level up */
};

static uint64_t view_entry(const struct pagetable *pt, const struct table_view *v,
			   unsigned level, unsigned i)
{
	switch (v->kind) {
	case VIEW_REAL:
		return entry_read(&table_entries(pt, v->table)[i]);
	case VIEW_EMPTY:
		return 0;
	case VIEW_SPLIT:
		return split_child(pt->fmt, v->leaf, level + 1, i);
	}
	return 0;
}

/*
 * Add to *count the table pages the op needs within the table `v` at
 * `level`, which covers [tbase, tbase + 512 entries). -E_NOENT from protect.
 */
static int count_tables(const struct pagetable *pt, const struct pt_op *op,
			unsigned level, const struct table_view *v,
			uint64_t tbase, size_t *count)
{
	uint64_t size = pt_level_size(level);
	uint64_t stop = MIN(op->end, tbase + PT_ENTRIES * size);

	/* 4 KiB entries never need a table; only protect must look for holes. */
	if (level == 1 && !(v->kind == VIEW_REAL && op->kind == OP_PROTECT))
		return 0;

	for (uint64_t ebase = ALIGN_DOWN(MAX(op->va, tbase), size); ebase < stop;
	     ebase += size) {
		uint64_t e = view_entry(pt, v, level, pt_index(ebase, level));
		struct table_view child = { .kind = VIEW_EMPTY };
		int err;

		switch (decide(pt->fmt, op, level, e, ebase)) {
		case ACT_SKIP:
		case ACT_SET_LEAF:
		case ACT_CLEAR:
		case ACT_REPROTECT:
			continue;
		case ACT_NOENT:
			return -E_NOENT;
		case ACT_DESCEND:
			child = (struct table_view){
				.kind = VIEW_REAL,
				.table = pt->fmt->addr(pt->fmt, e, level),
			};
			break;
		case ACT_NEW_TABLE:
			child = (struct table_view){ .kind = VIEW_EMPTY };
			(*count)++;
			break;
		case ACT_SPLIT:
			child = (struct table_view){ .kind = VIEW_SPLIT, .leaf = e };
			(*count)++;
			break;
		}
		BUG_ON(level == 1); /* format bug: a present 4 KiB entry is a leaf */
		err = count_tables(pt, op, level - 1, &child, ebase, count);
		if (err)
			return err;
	}
	return 0;
}

/* ---- Pass 2: apply -------------------------------------------------------- */

/* The old entry was replaced: free what it pointed to if it was a table. */
static void release_old(struct pagetable *pt, uint64_t old, unsigned level)
{
	if (entry_is_table(pt->fmt, old, level))
		free_tree(pt, pt->fmt->addr(pt->fmt, old, level), level - 1);
}

static paddr_t link_new_table(struct pagetable *pt, uint64_t *slot,
			      struct pt_reserve *res)
{
	paddr_t table = reserve_take(pt, res);

	entry_write(slot, pt->fmt->make_table(pt->fmt, table));
	return table;
}

/* Replace the leaf in *slot by a table of leaves translating the same way. */
static paddr_t link_split_table(struct pagetable *pt, uint64_t *slot,
				uint64_t leaf, unsigned level,
				struct pt_reserve *res)
{
	paddr_t table = reserve_take(pt, res);
	uint64_t *entries = table_entries(pt, table);

	for (unsigned i = 0; i < PT_ENTRIES; i++)
		entries[i] = split_child(pt->fmt, leaf, level, i);
	entry_write(slot, pt->fmt->make_table(pt->fmt, table));
	return table;
}

static void apply(struct pagetable *pt, const struct pt_op *op, unsigned level,
		  paddr_t table, uint64_t tbase, struct pt_reserve *res)
{
	const struct pt_format *fmt = pt->fmt;
	uint64_t *entries = table_entries(pt, table);
	uint64_t size = pt_level_size(level);
	uint64_t stop = MIN(op->end, tbase + PT_ENTRIES * size);

	for (uint64_t ebase = ALIGN_DOWN(MAX(op->va, tbase), size); ebase < stop;
	     ebase += size) {
		uint64_t *slot = &entries[pt_index(ebase, level)];
		uint64_t e = entry_read(slot);
		paddr_t child = 0;

		switch (decide(fmt, op, level, e, ebase)) {
		case ACT_SKIP:
			continue;
		case ACT_NOENT:
			panic("pt: hole at %#llx after the count pass",
			      (unsigned long long)ebase);
		case ACT_SET_LEAF:
			entry_write(slot, fmt->make_leaf(fmt, op->pa + (ebase - op->va),
							 level, op->perms, op->cache));
			release_old(pt, e, level);
			continue;
		case ACT_CLEAR:
			entry_write(slot, 0);
			release_old(pt, e, level);
			continue;
		case ACT_REPROTECT:
			entry_write(slot, fmt->make_leaf(fmt, fmt->addr(fmt, e, level),
							 level, op->perms,
							 fmt->cache(fmt, e, level)));
			continue;
		case ACT_DESCEND:
			child = fmt->addr(fmt, e, level);
			break;
		case ACT_NEW_TABLE:
			child = link_new_table(pt, slot, res);
			break;
		case ACT_SPLIT:
			child = link_split_table(pt, slot, e, level, res);
			break;
		}
		BUG_ON(level == 1);
		apply(pt, op, level - 1, child, ebase, res);
		if (op->kind == OP_UNMAP && table_is_empty(pt, child)) {
			entry_write(slot, 0);
			free_table_page(pt, child);
		}
	}
}

static int run_op(struct pagetable *pt, const struct pt_op *op)
{
	struct table_view root = { .kind = VIEW_REAL, .table = pt->root };
	struct pt_reserve res = { 0 };
	size_t need = 0;
	int err;

	err = count_tables(pt, op, PT_LEVELS, &root, 0, &need);
	if (!err)
		err = reserve_fill(pt, &res, need);
	if (err)
		return err;
	apply(pt, op, PT_LEVELS, pt->root, 0, &res);
	BUG_ON(res.count != 0); /* the count pass overcounted */
	return 0;
}

/* ---- Public interface ------------------------------------------------------ */

static int check_va_range(uint64_t va, uint64_t size)
{
	if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(size, PAGE_SIZE) || size == 0)
		return -E_INVAL;
	if (va >= PT_VA_LIMIT || size > PT_VA_LIMIT - va)
		return -E_RANGE;
	return 0;
}

static bool perms_valid(const struct pt_format *fmt, unsigned perms)
{
	return (perms & PT_READ) && !(perms & ~fmt->valid_perms);
}

static bool format_valid(const struct pt_format *fmt)
{
	return fmt && fmt->make_table && fmt->make_leaf && fmt->is_present &&
	       fmt->is_leaf && fmt->addr && fmt->perms && fmt->cache &&
	       fmt->max_leaf_level >= 1 && fmt->max_leaf_level < PT_LEVELS &&
	       fmt->pa_bits > PAGE_SHIFT && fmt->pa_bits < 64 &&
	       (fmt->valid_perms & PT_READ) && fmt->name;
}

int pt_init(struct pagetable *pt, const struct pt_format *fmt,
	    const struct pt_memory *mem)
{
	paddr_t root;

	if (!format_valid(fmt) || !mem || !mem->alloc_table || !mem->free_table ||
	    !mem->table_ptr)
		return -E_INVAL;
	if (mem->alloc_table(mem->ctx, &root))
		return -E_NOMEM;
	BUG_ON(!IS_ALIGNED(root, PAGE_SIZE));
	pt->fmt = fmt;
	pt->mem = *mem;
	pt->root = root;
	pt->table_pages = 1;
	return 0;
}

void pt_destroy(struct pagetable *pt)
{
	if (!pt->fmt)
		return;
	free_tree(pt, pt->root, PT_LEVELS);
	BUG_ON(pt->table_pages != 0);
	pt->fmt = NULL;
	pt->root = 0;
}

int pt_map(struct pagetable *pt, uint64_t va, paddr_t pa, uint64_t size,
	   unsigned perms, enum pt_cache cache)
{
	uint64_t pa_limit = 1ULL << pt->fmt->pa_bits;
	struct pt_op op = {
		.kind = OP_MAP, .va = va, .end = va + size, .pa = pa,
		.perms = perms, .cache = cache,
	};
	int err = check_va_range(va, size);

	if (!err && !IS_ALIGNED(pa, PAGE_SIZE))
		err = -E_INVAL;
	if (!err && (!perms_valid(pt->fmt, perms) || (unsigned)cache >= PT_CACHE_COUNT))
		err = -E_INVAL;
	if (!err && (pa >= pa_limit || size > pa_limit - pa))
		err = -E_RANGE;
	return err ? err : run_op(pt, &op);
}

int pt_unmap(struct pagetable *pt, uint64_t va, uint64_t size)
{
	struct pt_op op = { .kind = OP_UNMAP, .va = va, .end = va + size };
	int err = check_va_range(va, size);

	return err ? err : run_op(pt, &op);
}

int pt_protect(struct pagetable *pt, uint64_t va, uint64_t size,
	       unsigned perms)
{
	struct pt_op op = {
		.kind = OP_PROTECT, .va = va, .end = va + size, .perms = perms,
	};
	int err = check_va_range(va, size);

	if (!err && !perms_valid(pt->fmt, perms))
		err = -E_INVAL;
	return err ? err : run_op(pt, &op);
}

int pt_translate(const struct pagetable *pt, uint64_t va,
		 struct pt_translation *out)
{
	const struct pt_format *fmt = pt->fmt;
	paddr_t table = pt->root;

	if (va >= PT_VA_LIMIT)
		return -E_RANGE;
	for (unsigned level = PT_LEVELS;; level--) {
		uint64_t e = entry_read(&table_entries(pt, table)[pt_index(va, level)]);
		uint64_t size = pt_level_size(level);

		if (!fmt->is_present(fmt, e))
			return -E_NOENT;
		if (fmt->is_leaf(fmt, e, level)) {
			out->pa = fmt->addr(fmt, e, level) + (va & (size - 1));
			out->page_size = size;
			out->level = level;
			out->perms = fmt->perms(fmt, e, level);
			out->cache = fmt->cache(fmt, e, level);
			out->entry = e;
			return 0;
		}
		BUG_ON(level == 1);
		table = fmt->addr(fmt, e, level);
	}
}

int pt_lookup(const struct pagetable *pt, uint64_t va, paddr_t *pa,
	      unsigned *perms, uint64_t *page_size)
{
	struct pt_translation t;
	int err = pt_translate(pt, va, &t);

	if (err)
		return err;
	if (pa)
		*pa = t.pa;
	if (perms)
		*perms = t.perms;
	if (page_size)
		*page_size = t.page_size;
	return 0;
}

/*
 * Buddy allocator over host-physical frames, with all state in bitmaps kept
 * in hypervisor-owned metadata (see include/plinth/frame.h for why).
 *
 * Per order k there is a summarised "free" bitmap of maximal free blocks and
 * a plain "allocated" bitmap of handed-out blocks. Allocation looks for the
 * lowest free block from order k upward (one bitmap descent per order) and
 * splits it; freeing merges with the buddy while the buddy is free. Both are
 * O(orders x summary levels). The allocated bitmap makes every bad free
 * (double, wrong order, never added) an O(1) exact check.
 */
#define LOG_TAG "mm"
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/string.h>

#define WORD_BITS 64

static uint64_t words_for(uint64_t bits)
{
	return (bits + WORD_BITS - 1) / WORD_BITS;
}

static bool bit_test(const uint64_t *words, uint64_t i)
{
	return (words[i / WORD_BITS] >> (i % WORD_BITS)) & 1;
}

static void bit_set(uint64_t *words, uint64_t i)
{
	words[i / WORD_BITS] |= 1ULL << (i % WORD_BITS);
}

static void bit_clear(uint64_t *words, uint64_t i)
{
	words[i / WORD_BITS] &= ~(1ULL << (i % WORD_BITS));
}

/* Whether any bit in [lo, hi] is set; only used when adding memory. */
static bool bits_any(const uint64_t *words, uint64_t lo, uint64_t hi)
{
	uint64_t first = lo / WORD_BITS, last = hi / WORD_BITS;
	uint64_t lo_mask = ~0ULL << (lo % WORD_BITS);
	uint64_t hi_mask = ~0ULL >> (WORD_BITS - 1 - hi % WORD_BITS);

	if (first == last)
		return (words[first] & lo_mask & hi_mask) != 0;
	if (words[first] & lo_mask)
		return true;
	for (uint64_t w = first + 1; w < last; w++)
		if (words[w])
			return true;
	return (words[last] & hi_mask) != 0;
}

/* ---- Summarised bitmap --------------------------------------------------- */

static bool fbm_test(const struct frame_bitmap *b, uint64_t i)
{
	return bit_test(b->level[0], i);
}

static void fbm_set(struct frame_bitmap *b, uint64_t i)
{
	for (unsigned l = 0; l < b->levels; l++, i /= WORD_BITS) {
		uint64_t *w = &b->level[l][i / WORD_BITS];
		bool was_empty = *w == 0;

		*w |= 1ULL << (i % WORD_BITS);
		if (!was_empty)
			break; /* the summary above already says "non-empty" */
	}
}

static void fbm_clear(struct frame_bitmap *b, uint64_t i)
{
	for (unsigned l = 0; l < b->levels; l++, i /= WORD_BITS) {
		uint64_t *w = &b->level[l][i / WORD_BITS];

		*w &= ~(1ULL << (i % WORD_BITS));
		if (*w != 0)
			break;
	}
}

static bool fbm_find_first(const struct frame_bitmap *b, uint64_t *out)
{
	uint64_t i;

	if (b->levels == 0 || b->level[b->levels - 1][0] == 0)
		return false;
	i = (uint64_t)__builtin_ctzll(b->level[b->levels - 1][0]);
	for (unsigned l = b->levels - 1; l-- > 0;)
		i = i * WORD_BITS + (uint64_t)__builtin_ctzll(b->level[l][i]);
	*out = i;
	return true;
}

/* ---- Metadata layout ----------------------------------------------------- */

/*
 * Carve the bitmaps for npages out of `base` in a fixed order and return the
 * bytes used. With fa == NULL it only measures (for frame_meta_bytes).
 */
static size_t meta_layout(struct frame_allocator *fa, uint64_t npages,
			  uint8_t *base)
{
	size_t used = 0;

	for (unsigned k = 0; k < FRAME_ORDERS; k++) {
		uint64_t bits = (npages + (1ULL << k) - 1) >> k;
		uint64_t words = words_for(bits);
		unsigned levels = 0;

		for (;;) {
			if (fa)
				fa->free[k].level[levels] = (uint64_t *)(base + used);
			used += words * sizeof(uint64_t);
			levels++;
			if (words == 1)
				break;
			words = words_for(words);
		}
		if (fa) {
			fa->free[k].levels = levels;
			fa->blocks[k] = bits;
			fa->allocated[k] = (uint64_t *)(base + used);
		}
		used += words_for(bits) * sizeof(uint64_t);
	}
	return used;
}

size_t frame_meta_bytes(paddr_t top)
{
	if (top == 0 || top > FRAME_MAX_TOP)
		return 0;
	return meta_layout(NULL, ALIGN_UP(top, PAGE_SIZE) >> PAGE_SHIFT, NULL);
}

int frame_allocator_init(struct frame_allocator *fa, paddr_t top, void *meta,
			 size_t meta_bytes)
{
	size_t need = frame_meta_bytes(top);

	if (need == 0 || !meta || !IS_ALIGNED((uintptr_t)meta, sizeof(uint64_t)))
		return -E_INVAL;
	if (meta_bytes < need)
		return -E_NOSPC;
	memset(fa, 0, sizeof(*fa));
	memset(meta, 0, need);
	fa->top = ALIGN_UP(top, PAGE_SIZE);
	fa->npages = fa->top >> PAGE_SHIFT;
	meta_layout(fa, fa->npages, meta);
	return 0;
}

/* ---- Blocks -------------------------------------------------------------- */

/* Mark block idx of `order` free, merging upward while its buddy is free. */
static void release_block(struct frame_allocator *fa, uint64_t idx,
			  unsigned order)
{
	while (order < FRAME_MAX_ORDER) {
		uint64_t buddy = idx ^ 1;

		if (buddy >= fa->blocks[order] || !fbm_test(&fa->free[order], buddy))
			break;
		fbm_clear(&fa->free[order], buddy);
		idx >>= 1;
		order++;
	}
	fbm_set(&fa->free[order], idx);
}

/* Whether any page in [first, end) is already free or allocated. */
static bool pages_known(const struct frame_allocator *fa, uint64_t first,
			uint64_t end)
{
	for (unsigned k = 0; k < FRAME_ORDERS; k++) {
		uint64_t lo = first >> k, hi = (end - 1) >> k;

		if (bits_any(fa->free[k].level[0], lo, hi) ||
		    bits_any(fa->allocated[k], lo, hi))
			return true;
	}
	return false;
}

/* The largest block order that starts at page pg and ends by page end. */
static unsigned largest_fit(uint64_t pg, uint64_t end)
{
	unsigned order = pg ? (unsigned)__builtin_ctzll(pg) : FRAME_MAX_ORDER;

	if (order > FRAME_MAX_ORDER)
		order = FRAME_MAX_ORDER;
	while (pg + (1ULL << order) > end)
		order--;
	return order;
}

int frame_add_range(struct frame_allocator *fa, paddr_t base, uint64_t size)
{
	paddr_t end = base + size;
	uint64_t first, last;

	if (fa->npages == 0)
		return -E_INVAL;
	if (end < base || base > UINT64_MAX - (PAGE_SIZE - 1))
		return -E_RANGE;
	first = ALIGN_UP(base, PAGE_SIZE) >> PAGE_SHIFT;
	last = ALIGN_DOWN(end, PAGE_SIZE) >> PAGE_SHIFT;
	if (first >= last)
		return 0;
	if (last > fa->npages)
		return -E_RANGE;
	if (pages_known(fa, first, last))
		return -E_EXIST;

	for (uint64_t pg = first; pg < last;) {
		unsigned order = largest_fit(pg, last);

		release_block(fa, pg >> order, order);
		pg += 1ULL << order;
	}
	fa->total_pages += last - first;
	fa->free_pages += last - first;
	return 0;
}

int frame_alloc(struct frame_allocator *fa, unsigned order, paddr_t *out)
{
	unsigned k;
	uint64_t idx = 0;

	if (order > FRAME_MAX_ORDER || !out)
		return -E_INVAL;
	for (k = order; k <= FRAME_MAX_ORDER; k++)
		if (fbm_find_first(&fa->free[k], &idx))
			break;
	if (k > FRAME_MAX_ORDER)
		return -E_NOMEM;

	fbm_clear(&fa->free[k], idx);
	/* Keep the low half at each split; the high halves become free. */
	while (k > order) {
		k--;
		idx <<= 1;
		fbm_set(&fa->free[k], idx + 1);
	}
	bit_set(fa->allocated[order], idx);
	fa->free_pages -= 1ULL << order;
	*out = idx << (PAGE_SHIFT + order);
	return 0;
}

void frame_free(struct frame_allocator *fa, paddr_t pa, unsigned order)
{
	uint64_t idx;

	if (order > FRAME_MAX_ORDER)
		panic("frame_free(%#llx): order %u > %u", (unsigned long long)pa,
		      order, FRAME_MAX_ORDER);
	if (!IS_ALIGNED(pa, PAGE_SIZE << order))
		panic("frame_free(%#llx): not aligned to order %u",
		      (unsigned long long)pa, order);
	if (pa >= fa->top)
		panic("frame_free(%#llx): beyond managed top %#llx",
		      (unsigned long long)pa, (unsigned long long)fa->top);

	idx = pa >> (PAGE_SHIFT + order);
	if (!bit_test(fa->allocated[order], idx)) {
		if (frame_is_free(fa, pa))
			panic("frame_free(%#llx): double free (order %u)",
			      (unsigned long long)pa, order);
		panic("frame_free(%#llx): no order-%u block allocated here "
		      "(never added, or allocated with another order)",
		      (unsigned long long)pa, order);
	}
	bit_clear(fa->allocated[order], idx);
	release_block(fa, idx, order);
	fa->free_pages += 1ULL << order;
}

uint64_t frame_free_pages(const struct frame_allocator *fa)
{
	return fa->free_pages;
}

uint64_t frame_total_pages(const struct frame_allocator *fa)
{
	return fa->total_pages;
}

bool frame_is_free(const struct frame_allocator *fa, paddr_t pa)
{
	uint64_t pg = pa >> PAGE_SHIFT;

	if (pa >= fa->top)
		return false;
	for (unsigned k = 0; k < FRAME_ORDERS; k++)
		if (fbm_test(&fa->free[k], pg >> k))
			return true;
	return false;
}

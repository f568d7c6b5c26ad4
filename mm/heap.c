/*
 * Kernel heap core. Every heap page starts with a header whose magic says
 * what the page is, so kfree needs nothing but the pointer:
 *
 *  - slab page (one 4 KiB page): objects of one size class after a 64-byte
 *    header holding a bitmap of the slots in use. Keeping the free state in
 *    the header rather than in free objects means a write through a stale
 *    pointer cannot corrupt the allocator, and a double free is exact to
 *    detect. Slabs with a free slot sit on their class's list; a slab that
 *    empties goes straight back to the page source.
 *  - large block (2^order pages): a 16-byte header, then the object.
 */
#define LOG_TAG "mm"
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/heap.h>
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>

#define SLAB_MAGIC 0x534c4142u  /* "SLAB" */
#define LARGE_MAGIC 0x4c415247u /* "LARG" */

#define NUM_CLASSES 7 /* 16, 32, ..., 1024 */
#define SLAB_HEADER_SIZE 64
#define SLAB_MAX_SLOTS ((PAGE_SIZE - SLAB_HEADER_SIZE) / HEAP_MIN_CLASS)
#define SLAB_MAP_WORDS ((SLAB_MAX_SLOTS + 63) / 64)

struct slab {
	uint32_t magic;
	uint16_t class_idx;
	uint16_t used;
	struct slab *next; /* list of slabs with a free slot */
	struct slab *prev;
	uint64_t in_use[SLAB_MAP_WORDS]; /* bit per slot */
};

struct large_header {
	uint32_t magic;
	uint32_t order;
	uint64_t reserved;
};

_Static_assert(sizeof(struct slab) <= SLAB_HEADER_SIZE, "slab header too big");
_Static_assert(SLAB_HEADER_SIZE % HEAP_ALIGN == 0, "slab objects misaligned");
_Static_assert(sizeof(struct large_header) == HEAP_ALIGN, "large header size");
_Static_assert(HEAP_MIN_CLASS << (NUM_CLASSES - 1) == HEAP_MAX_CLASS,
	       "class count");

static struct {
	bool ready;
	struct heap_page_source src;
	struct slab *partial[NUM_CLASSES];
	struct heap_stats stats;
} heap;

/* Taken around every heap operation; the page source is called under it. */
static spinlock_t heap_lock;

/*
 * Every heap panic happens with heap_lock held. Drop it first: host tests
 * resume after an expected panic and must not find the heap locked.
 */
#define heap_bug(...)                          \
	do {                                   \
		spin_unlock(&heap_lock);       \
		panic(__VA_ARGS__);            \
	} while (0)

static size_t class_size(unsigned idx)
{
	return (size_t)HEAP_MIN_CLASS << idx;
}

static unsigned class_capacity(unsigned idx)
{
	return (unsigned)((PAGE_SIZE - SLAB_HEADER_SIZE) / class_size(idx));
}

static unsigned class_of(size_t size)
{
	unsigned idx = 0;

	while (class_size(idx) < size)
		idx++;
	return idx;
}

static void *source_alloc(unsigned order)
{
	void *p = heap.src.alloc(heap.src.ctx, order);

	if (p && !IS_ALIGNED((uintptr_t)p, PAGE_SIZE))
		heap_bug("heap: page source returned unaligned %p", p);
	if (p)
		heap.stats.pages_held += (size_t)1 << order;
	return p;
}

static void source_free(void *p, unsigned order)
{
	heap.stats.pages_held -= (size_t)1 << order;
	heap.src.free(heap.src.ctx, p, order);
}

int heap_init(const struct heap_page_source *src)
{
	if (!src || !src->alloc || !src->free)
		return -E_INVAL;
	spin_lock(&heap_lock);
	memset(&heap, 0, sizeof(heap));
	heap.src = *src;
	heap.ready = true;
	spin_unlock(&heap_lock);
	return 0;
}

/* ---- Slabs --------------------------------------------------------------- */

static void slab_push(struct slab *s)
{
	struct slab **head = &heap.partial[s->class_idx];

	s->prev = NULL;
	s->next = *head;
	if (*head)
		(*head)->prev = s;
	*head = s;
}

static void slab_unlink(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		heap.partial[s->class_idx] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

static struct slab *slab_new(unsigned idx)
{
	struct slab *s = source_alloc(0);

	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->magic = SLAB_MAGIC;
	s->class_idx = (uint16_t)idx;
	slab_push(s);
	return s;
}

static void *slab_alloc(unsigned idx)
{
	struct slab *s = heap.partial[idx];
	unsigned slot = 0;

	if (!s && !(s = slab_new(idx)))
		return NULL;
	/* used < capacity, so the lowest clear bit is a real slot. */
	for (unsigned w = 0; w < SLAB_MAP_WORDS; w++) {
		if (~s->in_use[w]) {
			slot = w * 64 + (unsigned)__builtin_ctzll(~s->in_use[w]);
			break;
		}
	}
	s->in_use[slot / 64] |= 1ULL << (slot % 64);
	if (++s->used == class_capacity(idx))
		slab_unlink(s);
	heap.stats.bytes_in_use += class_size(idx);
	return (char *)s + SLAB_HEADER_SIZE + slot * class_size(idx);
}

static void slab_free(struct slab *s, void *p)
{
	unsigned idx = s->class_idx;
	uintptr_t off;
	unsigned slot;

	if (idx >= NUM_CLASSES)
		heap_bug("kfree(%p): corrupt slab header (class %u)", p, idx);
	off = (uintptr_t)p - (uintptr_t)s - SLAB_HEADER_SIZE;
	slot = (unsigned)(off / class_size(idx));
	if ((uintptr_t)p < (uintptr_t)s + SLAB_HEADER_SIZE ||
	    off % class_size(idx) != 0 || slot >= class_capacity(idx))
		heap_bug("kfree(%p): not an object of the %zu-byte slab at %p", p,
		      class_size(idx), (void *)s);
	if (!(s->in_use[slot / 64] & (1ULL << (slot % 64))))
		heap_bug("kfree(%p): double free (%zu-byte object)", p,
		      class_size(idx));

	s->in_use[slot / 64] &= ~(1ULL << (slot % 64));
	heap.stats.bytes_in_use -= class_size(idx);
	if (s->used-- == class_capacity(idx))
		slab_push(s); /* was full, so on no list */
	if (s->used == 0) {
		slab_unlink(s);
		s->magic = 0; /* a later kfree into this page must not match */
		source_free(s, 0);
	}
}

/* ---- Large blocks -------------------------------------------------------- */

static void *large_alloc(size_t size)
{
	unsigned order = 0;
	struct large_header *h;

	if (size > (PAGE_SIZE << FRAME_MAX_ORDER) - sizeof(*h))
		return NULL;
	while ((PAGE_SIZE << order) - sizeof(*h) < size)
		order++;
	h = source_alloc(order);
	if (!h)
		return NULL;
	h->magic = LARGE_MAGIC;
	h->order = order;
	h->reserved = 0;
	heap.stats.bytes_in_use += (PAGE_SIZE << order) - sizeof(*h);
	return h + 1;
}

static void large_free(struct large_header *h, void *p)
{
	unsigned order = h->order;

	if (p != (void *)(h + 1) || order > FRAME_MAX_ORDER)
		heap_bug("kfree(%p): not the start of the large block at %p", p,
		      (void *)h);
	heap.stats.bytes_in_use -= (PAGE_SIZE << order) - sizeof(*h);
	h->magic = 0;
	source_free(h, order);
}

/* ---- API ----------------------------------------------------------------- */

void *kmalloc(size_t size)
{
	void *p = NULL;

	spin_lock(&heap_lock);
	if (heap.ready) {
		if (size <= HEAP_MAX_CLASS)
			p = slab_alloc(class_of(size));
		else
			p = large_alloc(size);
	}
	if (p)
		heap.stats.allocs++;
	spin_unlock(&heap_lock);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	void *page = (void *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE);
	uint32_t magic;

	if (!p)
		return;
	spin_lock(&heap_lock);
	magic = *(const uint32_t *)page;
	if (magic == SLAB_MAGIC)
		slab_free(page, p);
	else if (magic == LARGE_MAGIC)
		large_free(page, p);
	else
		heap_bug("kfree(%p): not a heap pointer (page %p has no heap magic)",
			 p, page);
	heap.stats.frees++;
	spin_unlock(&heap_lock);
}

void heap_get_stats(struct heap_stats *out)
{
	spin_lock(&heap_lock);
	*out = heap.stats;
	spin_unlock(&heap_lock);
}

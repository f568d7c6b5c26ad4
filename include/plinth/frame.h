/*
 * Host-physical frame allocator: a buddy allocator over 4 KiB frames, blocks
 * of 2^order frames (order 0..18, 4 KiB..1 GiB), each naturally aligned to
 * its own size.
 *
 * All allocator state lives in a metadata buffer the caller provides at init;
 * the allocator never reads or writes the frames it manages. Guests own those
 * frames, so nothing a guest writes into its RAM can influence the allocator.
 *
 * A struct frame_allocator takes no lock of its own: the host's allocator
 * is locked by its wrappers below (page_alloc, page_free).
 */
#ifndef PLINTH_FRAME_H
#define PLINTH_FRAME_H

#include <plinth/types.h>

#define FRAME_ORDER_2M 9
#define FRAME_ORDER_1G 18
#define FRAME_MAX_ORDER 18
#define FRAME_ORDERS (FRAME_MAX_ORDER + 1)

/* x86-64 physical addresses are at most 52 bits wide. */
#define FRAME_MAX_TOP (1ULL << 52)
/* Summary levels needed for 2^40 bits (FRAME_MAX_TOP in pages): 64^7 > 2^40. */
#define FRAME_BITMAP_LEVELS 7

/*
 * A bitmap with summary levels: bit i of level n+1 is set iff word i of
 * level n is non-zero, and the last level is a single word. Finding the
 * lowest set bit is one count-trailing-zeros per level.
 */
struct frame_bitmap {
	uint64_t *level[FRAME_BITMAP_LEVELS];
	unsigned levels;
};

struct frame_allocator {
	paddr_t top;          /* manages [0, top); a multiple of PAGE_SIZE */
	uint64_t npages;      /* top / PAGE_SIZE */
	uint64_t total_pages; /* pages added with frame_add_range */
	uint64_t free_pages;
	uint64_t blocks[FRAME_ORDERS]; /* bits per order: ceil(npages / 2^order) */
	/* free[k] bit i: block i of order k is free and its buddy is not. */
	struct frame_bitmap free[FRAME_ORDERS];
	/* allocated[k] bit i: block i of order k was handed out by frame_alloc. */
	uint64_t *allocated[FRAME_ORDERS];
};

/* Metadata bytes needed to manage [0, top); 0 if top is 0 or > FRAME_MAX_TOP. */
size_t frame_meta_bytes(paddr_t top);

/*
 * Set up an empty allocator for [0, top) (top is rounded up to a page).
 * `meta` must be 8-byte aligned and hold frame_meta_bytes(top) bytes; it is
 * owned by the allocator from now on. Returns -E_INVAL for a bad top or a
 * misaligned buffer, -E_NOSPC if the buffer is too small.
 */
int frame_allocator_init(struct frame_allocator *fa, paddr_t top, void *meta,
			 size_t meta_bytes);

/*
 * Hand [base, base+size) to the allocator as free memory, shrunk inward to
 * whole pages (an empty result is not an error). Merges with adjacent free
 * memory, so it may be called at any time after init. Returns -E_RANGE if
 * the range reaches beyond top, -E_EXIST if any page was already added
 * (nothing is added then).
 */
int frame_add_range(struct frame_allocator *fa, paddr_t base, uint64_t size);

/*
 * Allocate 2^order contiguous frames aligned to their size. Takes the lowest
 * free block of the smallest order that fits, so results are deterministic
 * and large blocks stay whole as long as possible. Returns -E_INVAL for
 * order > FRAME_MAX_ORDER, -E_NOMEM if no such block exists.
 */
int frame_alloc(struct frame_allocator *fa, unsigned order, paddr_t *out);

/*
 * Return a block; `order` must be the order it was allocated with. Panics on
 * a double free, a misaligned address, or a block that was never allocated
 * (never added, or allocated with another order).
 */
void frame_free(struct frame_allocator *fa, paddr_t pa, unsigned order);

uint64_t frame_free_pages(const struct frame_allocator *fa);
uint64_t frame_total_pages(const struct frame_allocator *fa);

/* Whether the page containing pa is free (for tests and diagnostics). */
bool frame_is_free(const struct frame_allocator *fa, paddr_t pa);

/*
 * ---- The host's allocator (mm/mm_init.c) ----------------------------------
 * page_alloc/page_free are frame_alloc/frame_free on the host allocator,
 * under a spinlock (not IRQ-safe: not for interrupt handlers). page_alloc
 * returns -E_NOMEM before mm_init. host_frames() is for statistics; its
 * counters are read without the lock.
 */
int page_alloc(unsigned order, paddr_t *out);
void page_free(paddr_t pa, unsigned order);
struct frame_allocator *host_frames(void);

/*
 * The hypervisor identity-maps RAM, so these are casts today. They are real
 * functions (not inline) so the mapping can change in one place, and so host
 * unit tests of page-table code can supply their own translation.
 */
void *phys_to_virt(paddr_t pa);
paddr_t virt_to_phys(const void *p);

struct boot_info;

/*
 * Bring up physical memory: reserve the kernel image and boot modules, place
 * the allocator metadata in low memory, add the usable RAM below 4 GiB (all
 * early boot maps), then start the kernel heap. Logs what failed on error.
 */
int mm_init(const struct boot_info *bi);
/* Add the usable RAM at and above 4 GiB, once the page tables map all RAM. */
void mm_add_high_memory(void);
void mm_log_stats(void);

#endif

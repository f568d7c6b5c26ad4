/*
 * Kernel heap: small objects from power-of-two size classes (16..1024 bytes)
 * carved out of single 4 KiB pages, anything larger as a whole buddy block.
 * Every pointer returned is 16-byte aligned.
 *
 * The heap gets its pages from a page source, so the same code runs in the
 * kernel (mm_init wires it to page_alloc) and in host unit tests.
 * One spinlock serialises all calls. It does not mask interrupts, so the
 * heap is not for interrupt handlers, and the page source must not call
 * back into the heap.
 */
#ifndef PLINTH_HEAP_H
#define PLINTH_HEAP_H

#include <plinth/types.h>

#define HEAP_ALIGN 16
#define HEAP_MIN_CLASS 16
#define HEAP_MAX_CLASS 1024

/*
 * alloc returns 4096 << order bytes, 4 KiB aligned, or NULL when out of
 * memory; free takes back exactly what alloc gave, with the same order.
 */
struct heap_page_source {
	void *(*alloc)(void *ctx, unsigned order);
	void (*free)(void *ctx, void *p, unsigned order);
	void *ctx;
};

struct heap_stats {
	size_t bytes_in_use; /* live bytes: size-class size, or the block less its header */
	size_t pages_held;   /* 4 KiB pages taken from the page source */
	size_t allocs;       /* successful kmalloc/kzalloc calls */
	size_t frees;        /* kfree calls with a non-NULL pointer */
};

/*
 * (Re)start the heap on `src`, forgetting all previous state; anything
 * still allocated from an earlier heap is leaked. Returns -E_INVAL if src or
 * one of its callbacks is NULL.
 */
int heap_init(const struct heap_page_source *src);

/*
 * NULL when out of memory or before heap_init. kmalloc(0) returns a unique
 * minimum-size object. Requests above HEAP_MAX_CLASS cost whole pages (plus
 * a 16-byte header, so exactly 4096 bytes takes two pages: use page_alloc
 * for page-sized buffers).
 */
void *kmalloc(size_t size);
void *kzalloc(size_t size);
/*
 * kfree(NULL) does nothing. Panics on a pointer the heap did not return
 * where it can tell: no heap page header, not at an object boundary, or an
 * object that is already free.
 */
void kfree(void *p);

void heap_get_stats(struct heap_stats *out);

#endif

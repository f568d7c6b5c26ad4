/*
 * Physical memory bring-up: turns the boot memory map into the host frame
 * allocator and starts the kernel heap on it.
 *
 * Early boot maps only the first 4 GiB, so mm_init adds just the usable RAM
 * below 4 GiB (and puts the allocator metadata there); mm_add_high_memory
 * adds the rest once the final page tables map all RAM. The usable ranges
 * are kept here between the two calls.
 */
#define LOG_TAG "mm"
#include <plinth/boot_info.h>
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/heap.h>
#include <plinth/log.h>
#include <plinth/memmap.h>
#include <plinth/spinlock.h>
#include <plinth/x86/layout.h>

#define LOW_MEMORY_LIMIT GiB(4)

/* Every reserved range can split one region in two, plus the 1 MiB cut. */
#define MAX_RESERVED (BOOT_MAX_MODULES + 1)
#define MAX_USABLE (BOOT_MAX_MEM_REGIONS + MAX_RESERVED + 1)

static struct frame_allocator host_fa;
static spinlock_t host_fa_lock;
static struct mem_range usable[MAX_USABLE];
static size_t usable_count;
static paddr_t meta_base;
static size_t meta_size;
static bool high_added;

void *phys_to_virt(paddr_t pa)
{
	return (void *)(uintptr_t)pa;
}

paddr_t virt_to_phys(const void *p)
{
	return (paddr_t)(uintptr_t)p;
}

struct frame_allocator *host_frames(void)
{
	return &host_fa;
}

int page_alloc(unsigned order, paddr_t *out)
{
	int err;

	spin_lock(&host_fa_lock);
	err = frame_alloc(&host_fa, order, out);
	spin_unlock(&host_fa_lock);
	return err;
}

void page_free(paddr_t pa, unsigned order)
{
	spin_lock(&host_fa_lock);
	frame_free(&host_fa, pa, order);
	spin_unlock(&host_fa_lock);
}

/* ---- Kernel heap page source --------------------------------------------- */

static void *heap_page_alloc(void *ctx, unsigned order)
{
	paddr_t pa;

	(void)ctx;
	if (page_alloc(order, &pa) != 0)
		return NULL;
	return phys_to_virt(pa);
}

static void heap_page_free(void *ctx, void *p, unsigned order)
{
	(void)ctx;
	page_free(virt_to_phys(p), order);
}

static const struct heap_page_source kernel_heap_pages = {
	.alloc = heap_page_alloc,
	.free = heap_page_free,
	.ctx = NULL,
};

/* ---- Bring-up ------------------------------------------------------------ */

static paddr_t range_end(const struct mem_range *r)
{
	return r->base + r->size;
}

static size_t collect_reserved(const struct boot_info *bi,
			       struct mem_range *out)
{
	paddr_t kstart = virt_to_phys(_kernel_start);
	paddr_t kend = virt_to_phys(_kernel_end);
	size_t n = 0;

	/* The boot_info and everything it copied live in the kernel's bss. */
	out[n++] = (struct mem_range){ kstart, kend - kstart };
	for (size_t i = 0; i < bi->module_count && i < BOOT_MAX_MODULES; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->end <= m->start) {
			log_warn("module %zu has an empty range [%#llx, %#llx)", i,
				 (unsigned long long)m->start,
				 (unsigned long long)m->end);
			continue;
		}
		out[n++] = (struct mem_range){ m->start, m->end - m->start };
	}
	return n;
}

/* The first usable range below 4 GiB that can hold `bytes` at its start. */
static int place_metadata(size_t bytes, size_t *which)
{
	for (size_t i = 0; i < usable_count; i++) {
		paddr_t end = MIN(range_end(&usable[i]), LOW_MEMORY_LIMIT);

		if (usable[i].base < end && end - usable[i].base >= bytes) {
			*which = i;
			return 0;
		}
	}
	return -E_NOMEM;
}

/* Add the part of every usable range inside [lo, hi). */
static int add_usable_between(paddr_t lo, paddr_t hi, uint64_t *added)
{
	*added = 0;
	for (size_t i = 0; i < usable_count; i++) {
		paddr_t base = MAX(usable[i].base, lo);
		paddr_t end = MIN(range_end(&usable[i]), hi);
		int err;

		if (base >= end)
			continue;
		spin_lock(&host_fa_lock);
		err = frame_add_range(&host_fa, base, end - base);
		spin_unlock(&host_fa_lock);
		if (err) {
			log_error("adding RAM [%#llx, %#llx) failed: %s",
				  (unsigned long long)base,
				  (unsigned long long)end, err_name(err));
			return err;
		}
		*added += end - base;
	}
	return 0;
}

static uint64_t firmware_usable_bytes(const struct boot_info *bi)
{
	uint64_t total = 0;

	for (size_t i = 0; i < bi->mem_count && i < BOOT_MAX_MEM_REGIONS; i++)
		if (bi->mem[i].type == MEM_USABLE)
			total += bi->mem[i].size;
	return total;
}

int mm_init(const struct boot_info *bi)
{
	struct mem_range reserved[MAX_RESERVED];
	size_t reserved_count = collect_reserved(bi, reserved);
	size_t needed, slot;
	paddr_t top;
	uint64_t added;
	int err;

	if (usable_count != 0) {
		log_error("mm_init called twice");
		return -E_BUSY;
	}
	needed = memmap_usable(bi, reserved, reserved_count, usable, MAX_USABLE);
	if (needed > MAX_USABLE) {
		log_error("memory map has %zu usable ranges, room for %zu",
			  needed, (size_t)MAX_USABLE);
		return -E_NOSPC;
	}
	usable_count = needed;
	if (usable_count == 0) {
		log_error("no usable RAM above 1 MiB in the memory map");
		return -E_NOMEM;
	}

	top = range_end(&usable[usable_count - 1]);
	meta_size = ALIGN_UP(frame_meta_bytes(top), PAGE_SIZE);
	if (meta_size == 0) {
		log_error("RAM top %#llx is beyond what the frame allocator manages",
			  (unsigned long long)top);
		return -E_RANGE;
	}
	err = place_metadata(meta_size, &slot);
	if (err) {
		log_error("no usable range below 4 GiB holds the %zu KiB of frame "
			  "metadata", meta_size >> 10);
		return err;
	}
	meta_base = usable[slot].base;
	usable[slot].base += meta_size;
	usable[slot].size -= meta_size;

	err = frame_allocator_init(&host_fa, top, phys_to_virt(meta_base),
				   meta_size);
	if (err) {
		log_error("frame allocator init failed: %s", err_name(err));
		return err;
	}
	err = add_usable_between(0, LOW_MEMORY_LIMIT, &added);
	if (err)
		return err;

	log_info("RAM: %llu MiB usable per firmware, %llu MiB added below 4 GiB, "
		 "top %#llx",
		 (unsigned long long)(firmware_usable_bytes(bi) >> 20),
		 (unsigned long long)(added >> 20), (unsigned long long)top);
	log_info("frame metadata: %zu KiB at %#llx", meta_size >> 10,
		 (unsigned long long)meta_base);

	err = heap_init(&kernel_heap_pages);
	if (err) {
		log_error("heap init failed: %s", err_name(err));
		return err;
	}
	return 0;
}

void mm_add_high_memory(void)
{
	uint64_t added;

	if (high_added) {
		log_warn("mm_add_high_memory called twice; ignored");
		return;
	}
	if (usable_count == 0) {
		log_error("mm_add_high_memory before mm_init; nothing added");
		return;
	}
	high_added = true;
	if (add_usable_between(LOW_MEMORY_LIMIT, UINT64_MAX, &added) == 0)
		log_info("RAM: %llu MiB added above 4 GiB",
			 (unsigned long long)(added >> 20));
}

void mm_log_stats(void)
{
	struct heap_stats hs;

	heap_get_stats(&hs);
	/* KiB in use as well: the benchmark's memory-at-rest figure (docs/bench.md). */
	log_info("frames: %llu MiB free of %llu MiB, %llu KiB in use",
		 (unsigned long long)(frame_free_pages(&host_fa) >> 8),
		 (unsigned long long)(frame_total_pages(&host_fa) >> 8),
		 (unsigned long long)((frame_total_pages(&host_fa) - frame_free_pages(&host_fa)) << 2));
	log_info("heap: %zu bytes in %zu live objects, %zu pages held",
		 hs.bytes_in_use, hs.allocs - hs.frees, hs.pages_held);
}

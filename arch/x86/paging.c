/*
 * The hypervisor's own page tables, built once at boot with the generic
 * mapper (mm/pagetable.c) in the x86 host format. Identity mapping keeps
 * physical memory (guest RAM, tables, device registers) one cast away.
 */
#define LOG_TAG "paging"
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/log.h>
#include <plinth/pagetable.h>
#include <plinth/panic.h>
#include <plinth/paging.h>
#include <plinth/pt_x86.h>
#include <plinth/spinlock.h>
#include <plinth/string.h>
#include <plinth/x86/cpu.h>
#include <plinth/x86/cpuinfo.h>
#include <plinth/x86/layout.h>

static struct pagetable host_pt;
/* Changes to the live tables after boot (CPU blocks, trampoline, MMIO). */
static spinlock_t host_pt_lock;

static int host_alloc_table(void *ctx, paddr_t *out)
{
	(void)ctx;
	int err = page_alloc(0, out);

	if (err == 0)
		memset(phys_to_virt(*out), 0, PAGE_SIZE);
	return err;
}

/* Only called while the tables are not live yet, so no TLB can hold them. */
static void host_free_table(void *ctx, paddr_t table)
{
	(void)ctx;
	page_free(table, 0);
}

static void *host_table_ptr(void *ctx, paddr_t table)
{
	(void)ctx;
	return phys_to_virt(table);
}

static bool is_ram(uint32_t type)
{
	return type == MEM_USABLE || type == MEM_ACPI_RECLAIMABLE || type == MEM_ACPI_NVS;
}

struct image_part {
	const char *name;
	uintptr_t start, end;
	unsigned perms;
};

static int map_memory(const struct boot_info *bi)
{
	int err;

	/* Below 4 GiB, whatever is not RAM is device or firmware memory: uncached. */
	err = pt_map(&host_pt, 0, 0, GiB(4), PT_READ | PT_WRITE, PT_CACHE_UC);
	for (size_t i = 0; err == 0 && i < bi->mem_count; i++) {
		const struct mem_region *r = &bi->mem[i];
		uint64_t base = ALIGN_DOWN(r->base, PAGE_SIZE);
		uint64_t end = ALIGN_UP(r->base + r->size, PAGE_SIZE);
		if (is_ram(r->type) && end > base)
			err = pt_map(&host_pt, base, base, end - base, PT_READ | PT_WRITE, PT_CACHE_WB);
	}
	if (err == 0 && bi->has_framebuffer) {
		uint64_t base = ALIGN_DOWN(bi->fb.addr, PAGE_SIZE);
		uint64_t end = ALIGN_UP(bi->fb.addr + (uint64_t)bi->fb.pitch * bi->fb.height, PAGE_SIZE);
		err = pt_map(&host_pt, base, base, end - base, PT_READ | PT_WRITE, PT_CACHE_WC);
	}
	return err;
}

static int map_image(const struct image_part *parts, size_t count)
{
	int err = 0;

	for (size_t i = 0; err == 0 && i < count; i++)
		err = pt_map(&host_pt, parts[i].start, parts[i].start,
			     parts[i].end - parts[i].start, parts[i].perms, PT_CACHE_WB);
	/* Holes that turn bugs into faults: NULL and the stack guard pages. */
	if (err == 0)
		err = pt_unmap(&host_pt, 0, PAGE_SIZE);
	for (unsigned s = 0; err == 0 && s < STACK_COUNT; s++)
		err = pt_unmap(&host_pt, stack_guard_page(s), PAGE_SIZE);
	return err;
}

/* Check the result before trusting it: every image page as intended, no W+X. */
static void verify_image(const struct image_part *parts, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		for (uintptr_t va = parts[i].start; va < parts[i].end; va += PAGE_SIZE) {
			unsigned perms = 0;
			paddr_t pa;
			bool guard = false;
			for (unsigned s = 0; s < STACK_COUNT; s++)
				guard |= va == stack_guard_page(s);
			int err = pt_lookup(&host_pt, va, &pa, &perms, NULL);
			if (guard ? err != -E_NOENT : err != 0 || perms != parts[i].perms || pa != va)
				panic("page table check: %s page %#lx maps as %#x (error %d), expected %s",
				      parts[i].name, (unsigned long)va, perms, err,
				      guard ? "a hole" : "its section's permissions");
		}
	}
}

int paging_init(const struct boot_info *bi)
{
	const struct pt_memory mem = { host_alloc_table, host_free_table, host_table_ptr, NULL };
	const struct image_part parts[] = {
		{ "text", (uintptr_t)_text_start, ALIGN_UP((uintptr_t)_text_end, PAGE_SIZE), PT_READ | PT_EXEC },
		{ "rodata", (uintptr_t)_rodata_start, (uintptr_t)_rodata_end, PT_READ },
		{ "data", (uintptr_t)_data_start, (uintptr_t)_kernel_end, PT_READ | PT_WRITE },
	};
	int err;

	err = pt_init(&host_pt, pt_x86_host_format(boot_cpu()->page_1g ? 3 : 2), &mem);
	if (err)
		return err;
	err = map_memory(bi);
	if (err == 0)
		err = map_image(parts, ARRAY_SIZE(parts));
	if (err) {
		log_error("building the page tables failed: %s", err_name(err));
		pt_destroy(&host_pt);
		return err;
	}
	verify_image(parts, ARRAY_SIZE(parts));

	wrmsr(MSR_PAT, PT_X86_PAT_MSR_VALUE);
	write_cr3(host_pt.root);
	log_info("W^X page tables live: text %#lx-%#lx RX, rodata %#lx-%#lx R, data %#lx-%#lx RW, "
		 "%u guard pages, %zu table pages",
		 (unsigned long)parts[0].start, (unsigned long)parts[0].end,
		 (unsigned long)parts[1].start, (unsigned long)parts[1].end,
		 (unsigned long)parts[2].start, (unsigned long)parts[2].end,
		 STACK_COUNT + 1, host_pt.table_pages);
	return 0;
}

/* ---- Changes to the live tables -------------------------------------------
 * Only the calling CPU's TLB is flushed: every change below is made before
 * another CPU can have used the address (a new CPU block, the trampoline
 * before the first SIPI, an MMIO page before its driver runs).
 */

static void flush_local(uint64_t va, uint64_t size)
{
	for (uint64_t p = va; p < va + size; p += PAGE_SIZE)
		__asm__ volatile("invlpg (%0)" : : "r"(p) : "memory");
}

paddr_t paging_root(void)
{
	return host_pt.root;
}

int paging_unmap_guard(uintptr_t va)
{
	spin_lock(&host_pt_lock);
	int err = pt_unmap(&host_pt, va, PAGE_SIZE);
	spin_unlock(&host_pt_lock);
	flush_local(va, PAGE_SIZE);
	return err;
}

int paging_make_code(uintptr_t va, uint64_t size)
{
	spin_lock(&host_pt_lock);
	int err = pt_protect(&host_pt, va, size, PT_READ | PT_EXEC);
	spin_unlock(&host_pt_lock);
	flush_local(va, size);
	return err;
}

int paging_map_mmio(paddr_t pa, uint64_t size)
{
	uint64_t base = ALIGN_DOWN(pa, PAGE_SIZE);
	uint64_t end = ALIGN_UP(pa + size, PAGE_SIZE);
	struct pt_translation t;
	bool ok = true;
	int err = 0;

	/* Below 4 GiB, map_memory already made every non-RAM page RW+NX+UC. */
	for (uint64_t p = base; ok && p < end; p += PAGE_SIZE)
		ok = pt_translate(&host_pt, p, &t) == 0 && t.pa == p &&
		     t.perms == (PT_READ | PT_WRITE) && t.cache == PT_CACHE_UC;
	if (ok)
		return 0;
	spin_lock(&host_pt_lock);
	err = pt_map(&host_pt, base, base, end - base, PT_READ | PT_WRITE, PT_CACHE_UC);
	spin_unlock(&host_pt_lock);
	flush_local(base, end - base);
	if (err == 0)
		log_info("mapped MMIO %#llx-%#llx uncached", (unsigned long long)base,
			 (unsigned long long)end);
	return err;
}

bool paging_is_mapped(uint64_t va, uint64_t size)
{
	for (uint64_t p = ALIGN_DOWN(va, PAGE_SIZE); p < va + size; p += PAGE_SIZE)
		if (pt_lookup(&host_pt, p, NULL, NULL, NULL) != 0)
			return false;
	return true;
}

/*
 * bench-host: the host half of `make bench` (docs/bench.md), built from the
 * hypervisor's own sources (mm/pagetable.c, arch/x86/pt_x86.c, the config
 * parser) and its structure definitions.
 *
 *   bench-host footprint          per-guest overhead for 256 MiB, 4 GiB, 64 GiB
 *   bench-host stage2 [REPEAT]    time stage-2 map+unmap of 64 GiB
 *   bench-host config [REPEAT]    time parsing generated 16- and 100-guest files
 *
 * Each figure is one line `FIGURE name value unit [note]` for
 * tools/bench/run.py. Times are wall-clock (CLOCK_MONOTONIC) on this
 * machine: reported, never asserted.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <plinth/config.h>
#include <plinth/errno.h>
#include <plinth/guest.h>
#include <plinth/heap.h>
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/pagetable.h>
#include <plinth/pt_x86.h>
#include <plinth/vplatform.h>

#include "../../arch/x86/svm/svm.h"
#include "../../arch/x86/vmx/vmx.h"

/* ---- What the kernel sources call: the log and panic, to stderr ------------- */

void log_printf(enum log_level level, const char *tag, const char *fmt, ...)
{
	va_list ap;

	(void)level;
	fprintf(stderr, "bench-host: [%s] ", tag);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench-host: panic: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- Table pages for the mapper: a pool with fake physical addresses ------- */

#define POOL_BASE 0x40000000ull
#define POOL_MAX_PAGES (1u << 16)

struct pool {
	void *page[POOL_MAX_PAGES];
	uint32_t free_list[POOL_MAX_PAGES];
	size_t used, nfree, live, peak;
};

static int pool_alloc(void *ctx, paddr_t *out)
{
	struct pool *p = ctx;
	size_t i;

	if (p->nfree) {
		i = p->free_list[--p->nfree];
	} else {
		if (p->used == POOL_MAX_PAGES)
			return -E_NOMEM;
		i = p->used++;
		p->page[i] = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
		if (!p->page[i])
			return -E_NOMEM;
	}
	memset(p->page[i], 0, PAGE_SIZE);
	if (++p->live > p->peak)
		p->peak = p->live;
	*out = POOL_BASE + i * PAGE_SIZE;
	return 0;
}

static void pool_free(void *ctx, paddr_t pa)
{
	struct pool *p = ctx;

	p->free_list[p->nfree++] = (uint32_t)((pa - POOL_BASE) / PAGE_SIZE);
	p->live--;
}

static void *pool_ptr(void *ctx, paddr_t pa)
{
	struct pool *p = ctx;

	return p->page[(pa - POOL_BASE) / PAGE_SIZE];
}

static struct pool *pool_new(void)
{
	struct pool *p = calloc(1, sizeof(*p));

	if (!p) {
		fprintf(stderr, "bench-host: out of memory for the table pool\n");
		exit(2);
	}
	return p;
}

static void pool_delete(struct pool *p)
{
	for (size_t i = 0; i < p->used; i++)
		free(p->page[i]);
	free(p);
}

static void must(int err, const char *what)
{
	if (err) {
		fprintf(stderr, "bench-host: %s failed: error %d\n", what, err);
		exit(2);
	}
}

/*
 * Stage-2 table pages (root included) for a guest of `ram` bytes mapped
 * from GPA 0 onto host memory aligned to 1 GiB, with pages up to
 * `max_leaf_level` (2: 2 MiB, 3: 1 GiB) -- the best case, which Plinth gets
 * when the buddy allocator hands out blocks of those sizes.
 */
static size_t stage2_pages(uint64_t ram, unsigned max_leaf_level)
{
	struct pool *p = pool_new();
	struct pt_memory mem = { pool_alloc, pool_free, pool_ptr, p };
	struct pagetable pt;

	must(pt_init(&pt, pt_x86_npt_format(max_leaf_level), &mem), "pt_init");
	must(pt_map(&pt, 0, 1ull << 40, ram, PT_READ | PT_WRITE | PT_EXEC, PT_CACHE_WB), "pt_map");
	size_t pages = pt.table_pages;
	pt_destroy(&pt);
	pool_delete(p);
	return pages;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- footprint ---------------------------------------------------------------- */

/*
 * What kzalloc(size) takes (mm/heap.c, include/plinth/heap.h): a power-of-two
 * slot of 16..1024 bytes, or 2^order pages holding a 16-byte header and the object.
 */
static size_t heap_footprint(size_t size)
{
	size_t slot = HEAP_MIN_CLASS, block = PAGE_SIZE;

	if (size <= 1024) {
		while (slot < size)
			slot <<= 1;
		return slot;
	}
	while (block < size + 16)
		block <<= 1;
	return block;
}

static void footprint(void)
{
	static const struct {
		const char *name;
		uint64_t bytes;
	} sizes[] = { { "256M", 256ull << 20 }, { "4G", 4ull << 30 }, { "64G", 64ull << 30 } };
	/* Per vCPU, besides struct vcpu (inside struct guest): the backend's pages and struct. */
	size_t svm_vcpu = (size_t)PAGE_SIZE + (PAGE_SIZE << SVM_IOPM_ORDER) +
			  (PAGE_SIZE << SVM_MSRPM_ORDER) + heap_footprint(sizeof(struct svm_vcpu));
	size_t vmx_vcpu = (size_t)PAGE_SIZE + (PAGE_SIZE << IO_BITMAPS_ORDER) + PAGE_SIZE +
			  heap_footprint(sizeof(struct vmx_vcpu));
	size_t guest = heap_footprint(sizeof(struct guest));

	printf("FIGURE footprint.struct_guest %zu bytes heap block for struct guest (%zu bytes: %u vCPU slots of %zu, device state %zu)\n",
	       guest, sizeof(struct guest), GUEST_MAX_VCPUS, sizeof(struct vcpu),
	       sizeof(struct vplatform));
	printf("FIGURE footprint.device_state %zu bytes struct vplatform (PIC, PIT, UART, RTC, i8042), part of struct guest\n",
	       sizeof(struct vplatform));
	printf("FIGURE footprint.svm_vcpu %zu bytes VMCB 4 KiB + IOPM %llu KiB + MSRPM %llu KiB + struct svm_vcpu %zu (heap slot)\n",
	       svm_vcpu, (unsigned long long)(PAGE_SIZE << SVM_IOPM_ORDER) >> 10,
	       (unsigned long long)(PAGE_SIZE << SVM_MSRPM_ORDER) >> 10,
	       heap_footprint(sizeof(struct svm_vcpu)));
	printf("FIGURE footprint.vmx_vcpu %zu bytes VMCS 4 KiB + I/O bitmaps %llu KiB + MSR bitmap 4 KiB + struct vmx_vcpu %zu (heap slot)\n",
	       vmx_vcpu, (unsigned long long)(PAGE_SIZE << IO_BITMAPS_ORDER) >> 10,
	       heap_footprint(sizeof(struct vmx_vcpu)));
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		for (unsigned level = 2; level <= 3; level++) {
			size_t pages = stage2_pages(sizes[i].bytes, level);
			const char *pg = level == 3 ? "1g" : "2m";
			/* RAM bookkeeping: one struct guest_ram_block per block (at most 1 GiB each). */
			uint64_t blocks = (sizes[i].bytes + (1ull << 30) - 1) >> 30;
			uint64_t total = guest + svm_vcpu + pages * PAGE_SIZE +
					 heap_footprint(blocks * sizeof(struct guest_ram_block));

			printf("FIGURE footprint.stage2_pages.%s.%s %zu pages stage-2 table pages, root included, %s pages\n",
			       sizes[i].name, pg, pages, level == 3 ? "1 GiB" : "2 MiB");
			printf("FIGURE footprint.per_guest.%s.%s %llu bytes 1-vCPU SVM guest: struct guest + vCPU state + stage-2 tables (%s pages) + RAM block list\n",
			       sizes[i].name, pg, (unsigned long long)total, level == 3 ? "1 GiB" : "2 MiB");
		}
	}
}

/* ---- stage2 ------------------------------------------------------------------- */

static void stage2(unsigned repeat)
{
	static const struct {
		const char *name;
		unsigned level;
		unsigned repeat_div;
	} modes[] = { { "1g", 3, 1 }, { "2m", 2, 1 }, { "4k", 1, 50 } };
	const uint64_t size = 64ull << 30;

	for (size_t m = 0; m < sizeof(modes) / sizeof(modes[0]); m++) {
		struct pool *p = pool_new();
		struct pt_memory mem = { pool_alloc, pool_free, pool_ptr, p };
		struct pagetable pt;
		unsigned n = repeat / modes[m].repeat_div ? repeat / modes[m].repeat_div : 1;
		uint64_t map_size = modes[m].level == 1 ? (1ull << 30) : size; /* 4 KiB: 1 GiB */
		size_t pages = 0;

		must(pt_init(&pt, pt_x86_npt_format(modes[m].level > 1 ? modes[m].level : 2), &mem),
		     "pt_init");
		double t0 = now_ns();
		for (unsigned i = 0; i < n; i++) {
			if (modes[m].level == 1) {
				/* 4 KiB pages: host addresses not 2 MiB aligned force small pages. */
				must(pt_map(&pt, 0, (1ull << 40) + PAGE_SIZE, map_size,
					    PT_READ | PT_WRITE, PT_CACHE_WB), "pt_map");
			} else {
				must(pt_map(&pt, 0, 1ull << 40, map_size, PT_READ | PT_WRITE,
					    PT_CACHE_WB), "pt_map");
			}
			pages = pt.table_pages;
			must(pt_unmap(&pt, 0, map_size), "pt_unmap");
		}
		double per = (now_ns() - t0) / n;
		uint64_t leaves = map_size / (modes[m].level == 3 ? (1ull << 30) :
					      modes[m].level == 2 ? (2ull << 20) : PAGE_SIZE);

		if (modes[m].level == 1)
			printf("FIGURE host.stage2_map_unmap_1g_4k %.0f ns map+unmap of 1 GiB in 4 KiB pages (%llu leaves, %zu table pages; 64 GiB would be 64x), %u runs\n",
			       per, (unsigned long long)leaves, pages, n);
		else
			printf("FIGURE host.stage2_map_unmap_64g_%s %.0f ns map+unmap of 64 GiB in %s pages (%llu leaves, %zu table pages), %u runs\n",
			       modes[m].name, per, modes[m].level == 3 ? "1 GiB" : "2 MiB",
			       (unsigned long long)leaves, pages, n);
		pt_destroy(&pt);
		pool_delete(p);
	}
}

/* ---- config ------------------------------------------------------------------- */

static struct cfg cfg;

static char *guests_file(unsigned guests, size_t *len)
{
	size_t cap = 256 + guests * 256, n = 0;
	char *buf = malloc(cap);

	if (!buf) {
		fprintf(stderr, "bench-host: out of memory for the config text\n");
		exit(2);
	}
	n += (size_t)snprintf(buf + n, cap - n, "[hypervisor]\nsched_slice_ms = 30\n\n");
	for (unsigned i = 0; i < guests; i++)
		n += (size_t)snprintf(buf + n, cap - n,
				      "[[guest]]\nname = \"guest%u\"\nkernel = \"guest%u.bin\"\n"
				      "memory = \"64M\"\nvcpus = 2\nweight = %u\n"
				      "cmdline = \"console=ttyS0 quiet\"\non_crash = \"restart\"\n\n",
				      i, i, 128 + i);
	*len = n;
	return buf;
}

static void config(unsigned repeat)
{
	static const unsigned counts[] = { CFG_MAX_GUESTS, 100 };

	for (size_t c = 0; c < sizeof(counts) / sizeof(counts[0]); c++) {
		size_t len;
		char *text = guests_file(counts[c], &len);
		int err = 0;

		double t0 = now_ns();
		for (unsigned i = 0; i < repeat; i++)
			err = cfg_parse(&cfg, "bench.toml", text, len);
		double per = (now_ns() - t0) / repeat;
		bool over = counts[c] > CFG_MAX_GUESTS;

		if (!over && err) {
			fprintf(stderr, "bench-host: the generated %u-guest file does not parse: %s\n",
				counts[c], cfg.nerrors ? cfg_error(&cfg, 0) : "no message");
			exit(2);
		}
		printf("FIGURE host.config_parse_%u %.0f ns parse of a %u-guest file (%zu bytes)",
		       counts[c], per, counts[c], len);
		if (over)
			printf("; the %u guests past the limit of %u are refused, one error each",
			       counts[c] - CFG_MAX_GUESTS, CFG_MAX_GUESTS);
		printf(", %u runs\n", repeat);
		free(text);
	}
}

static unsigned arg_count(int argc, char **argv, unsigned dflt)
{
	if (argc < 3)
		return dflt;
	char *end;
	errno = 0;
	unsigned long v = strtoul(argv[2], &end, 10);
	if (errno || *end || v == 0 || v > 1000000) {
		fprintf(stderr, "bench-host: REPEAT must be 1..1000000, not '%s'\n", argv[2]);
		exit(2);
	}
	return (unsigned)v;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "footprint") && argc == 2) {
		footprint();
		return 0;
	}
	if (argc >= 2 && argc <= 3 && !strcmp(argv[1], "stage2")) {
		stage2(arg_count(argc, argv, 20));
		return 0;
	}
	if (argc >= 2 && argc <= 3 && !strcmp(argv[1], "config")) {
		config(arg_count(argc, argv, 200));
		return 0;
	}
	fprintf(stderr, "usage: bench-host footprint | stage2 [REPEAT] | config [REPEAT]\n");
	return 2;
}

/*
 * Loader-neutral helpers for struct boot_info: building and normalising the
 * firmware memory map, and the boot summary in the log.
 */
#define LOG_TAG "boot"
#include <plinth/boot_info.h>
#include <plinth/log.h>
#include <plinth/string.h>

const char *mem_type_name(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
		return "usable";
	case MEM_RESERVED:
		return "reserved";
	case MEM_ACPI_RECLAIMABLE:
		return "ACPI reclaimable";
	case MEM_ACPI_NVS:
		return "ACPI NVS";
	case MEM_BAD:
		return "bad";
	default:
		return "unknown";
	}
}

bool boot_mem_add(struct boot_info *bi, uint64_t base, uint64_t size,
		  uint32_t type)
{
	if (size == 0)
		return true;
	if (bi->mem_count >= BOOT_MAX_MEM_REGIONS) {
		if (!bi->mem_truncated)
			log_warn("memory map has more than %d regions, dropping the rest",
				 BOOT_MAX_MEM_REGIONS);
		bi->mem_truncated = true;
		return false;
	}
	bi->mem[bi->mem_count++] = (struct mem_region){
		.base = base, .size = size, .type = type,
	};
	return true;
}

/* ---- boot_mem_normalize ------------------------------------------------- */

/* Types we do not know must never become usable: they count as reserved. */
static uint32_t known_type(uint32_t type)
{
	switch (type) {
	case MEM_USABLE:
	case MEM_RESERVED:
	case MEM_ACPI_RECLAIMABLE:
	case MEM_ACPI_NVS:
	case MEM_BAD:
		return type;
	default:
		return MEM_RESERVED;
	}
}

/*
 * The overlap rule: usable loses to everything, and among the other types
 * the larger E820 number wins (reserved < ACPI reclaimable < ACPI NVS < bad),
 * as Linux does. The ACPI types carry information plain "reserved" would
 * lose (tables to parse, NVS to keep across sleep), and bad RAM stays bad.
 * With MEM_USABLE the smallest value, that is simply the maximum; 0 is
 * "no region here".
 */
static uint32_t stronger_type(uint32_t a, uint32_t b)
{
	return MAX(a, b);
}

/* Exclusive end; a region reaching 2^64 is clipped to end at UINT64_MAX. */
static uint64_t region_end(const struct mem_region *r)
{
	return r->size > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->size;
}

/*
 * Scratch for the sweep. Static rather than on the stack (5 KiB): it runs
 * on the boot CPU before anything else could, on a small early stack.
 */
static uint64_t sweep_edges[2 * BOOT_MAX_MEM_REGIONS];
static struct mem_region sweep_out[BOOT_MAX_MEM_REGIONS];

/* Every region's start and end, sorted, without duplicates. */
static size_t collect_edges(const struct mem_region *mem, size_t count,
			    uint64_t *edges)
{
	size_t n = 0, unique = 0;

	for (size_t i = 0; i < count; i++) {
		if (mem[i].size == 0)
			continue;
		edges[n++] = mem[i].base;
		edges[n++] = region_end(&mem[i]);
	}
	for (size_t i = 1; i < n; i++) { /* insertion sort: n <= 256 */
		uint64_t v = edges[i];
		size_t j = i;

		for (; j > 0 && edges[j - 1] > v; j--)
			edges[j] = edges[j - 1];
		edges[j] = v;
	}
	for (size_t i = 0; i < n; i++)
		if (unique == 0 || edges[unique - 1] != edges[i])
			edges[unique++] = edges[i];
	return unique;
}

/*
 * The type of the piece starting at `at`. Pieces lie between consecutive
 * edges, so each region covers a piece entirely or not at all.
 */
static uint32_t type_at(const struct mem_region *mem, size_t count,
			uint64_t at)
{
	uint32_t type = 0;

	for (size_t i = 0; i < count; i++)
		if (mem[i].size != 0 && mem[i].base <= at &&
		    at < region_end(&mem[i]))
			type = stronger_type(type, known_type(mem[i].type));
	return type;
}

/*
 * Boundary sweep: cut the address space at every region edge, give each
 * piece the strongest type covering it, and emit the pieces in order,
 * joining a piece to the previous one when they touch and share a type.
 * Pieces never overlap, so neither does the result. It can hold more pieces
 * than the input had regions (a hole punched in a region splits it): if they
 * do not fit, the highest addresses are dropped and mem_truncated is set;
 * unlisted memory is never used, so that is safe.
 */
void boot_mem_normalize(struct boot_info *bi)
{
	size_t count = MIN(bi->mem_count, (size_t)BOOT_MAX_MEM_REGIONS);
	size_t n_edges = collect_edges(bi->mem, count, sweep_edges);
	size_t n_out = 0;

	for (size_t i = 0; i + 1 < n_edges; i++) {
		uint64_t start = sweep_edges[i], end = sweep_edges[i + 1];
		uint32_t type = type_at(bi->mem, count, start);
		struct mem_region *last = n_out ? &sweep_out[n_out - 1] : NULL;

		if (type == 0)
			continue; /* a hole nobody described */
		if (last && last->type == type && last->base + last->size == start) {
			last->size += end - start;
			continue;
		}
		if (n_out == BOOT_MAX_MEM_REGIONS) {
			log_warn("memory map needs more than %d regions after normalising, dropping from 0x%016llx",
				 BOOT_MAX_MEM_REGIONS, (unsigned long long)start);
			bi->mem_truncated = true;
			break;
		}
		sweep_out[n_out++] = (struct mem_region){
			.base = start, .size = end - start, .type = type,
		};
	}
	memcpy(bi->mem, sweep_out, n_out * sizeof(sweep_out[0]));
	bi->mem_count = n_out;
}

/* ---- boot_info_log ------------------------------------------------------ */

static const char *protocol_name(enum boot_protocol p)
{
	switch (p) {
	case BOOT_PROTO_NONE:
		return "none";
	case BOOT_PROTO_MULTIBOOT1:
		return "multiboot1";
	case BOOT_PROTO_MULTIBOOT2:
		return "multiboot2";
	case BOOT_PROTO_UEFI:
		return "UEFI";
	}
	return "unknown";
}

static const char *fb_type_name(uint8_t type)
{
	switch (type) {
	case FB_TYPE_INDEXED:
		return "indexed";
	case FB_TYPE_RGB:
		return "RGB";
	case FB_TYPE_EGA_TEXT:
		return "EGA text";
	default:
		return "unknown";
	}
}

static void log_memory(const struct boot_info *bi)
{
	size_t count = MIN(bi->mem_count, (size_t)BOOT_MAX_MEM_REGIONS);
	uint64_t usable = 0;

	for (size_t i = 0; i < count; i++) {
		const struct mem_region *r = &bi->mem[i];

		log_info("mem 0x%016llx-0x%016llx %s",
			 (unsigned long long)r->base,
			 (unsigned long long)(r->base + r->size - 1),
			 mem_type_name(r->type));
		if (r->type == MEM_USABLE)
			usable += r->size;
	}
	if (bi->mem_truncated)
		log_warn("memory map truncated to %d regions",
			 BOOT_MAX_MEM_REGIONS);
	log_info("usable memory: %llu MiB", (unsigned long long)(usable >> 20));
}

static void log_modules(const struct boot_info *bi)
{
	for (size_t i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];

		if (m->end <= m->start)
			log_info("module %zu: empty at 0x%016llx '%s'", i,
				 (unsigned long long)m->start, m->cmdline);
		else
			log_info("module %zu: 0x%016llx-0x%016llx %llu bytes '%s'", i,
				 (unsigned long long)m->start,
				 (unsigned long long)(m->end - 1),
				 (unsigned long long)(m->end - m->start), m->cmdline);
	}
}

static void log_framebuffer(const struct boot_framebuffer *fb)
{
	if (fb->type == FB_TYPE_RGB)
		log_info("framebuffer 0x%016llx %ux%u %u bpp pitch %u RGB red %u:%u green %u:%u blue %u:%u",
			 (unsigned long long)fb->addr, fb->width, fb->height,
			 (unsigned)fb->bpp, fb->pitch, (unsigned)fb->red_pos,
			 (unsigned)fb->red_size, (unsigned)fb->green_pos,
			 (unsigned)fb->green_size, (unsigned)fb->blue_pos,
			 (unsigned)fb->blue_size);
	else
		log_info("framebuffer 0x%016llx %ux%u %u bpp pitch %u %s",
			 (unsigned long long)fb->addr, fb->width, fb->height,
			 (unsigned)fb->bpp, fb->pitch, fb_type_name(fb->type));
}

/*
 * RSDP bytes 9..14 are the OEM id, 15 the revision, 16..19 the RSDT
 * address; revision 2+ adds the XSDT address at 24..31 (ACPI 6.5, 5.2.5.3).
 */
static void log_rsdp(const struct boot_info *bi)
{
	char oem[7];
	uint32_t rsdt;
	uint64_t xsdt = 0;

	if (bi->rsdp_len < 16) {
		log_info("ACPI RSDP: only %u bytes", (unsigned)bi->rsdp_len);
		return;
	}
	for (size_t i = 0; i < 6; i++) {
		uint8_t c = bi->rsdp[9 + i];

		oem[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	oem[6] = '\0';
	if (bi->rsdp_len < 20) {
		log_info("ACPI RSDP: OEM '%s' revision %u, only %u bytes", oem,
			 (unsigned)bi->rsdp[15], (unsigned)bi->rsdp_len);
		return;
	}
	memcpy(&rsdt, bi->rsdp + 16, sizeof(rsdt));
	if (bi->rsdp_len >= 32)
		memcpy(&xsdt, bi->rsdp + 24, sizeof(xsdt));
	log_info("ACPI RSDP: OEM '%s' revision %u, %u bytes, RSDT 0x%08x XSDT 0x%016llx",
		 oem, (unsigned)bi->rsdp[15], (unsigned)bi->rsdp_len, rsdt,
		 (unsigned long long)xsdt);
}

void boot_info_log(const struct boot_info *bi)
{
	log_info("boot protocol %s, loader '%s'", protocol_name(bi->protocol),
		 bi->loader_name);
	log_info("cmdline '%s'", bi->cmdline);
	log_memory(bi);
	log_modules(bi);
	if (bi->has_framebuffer)
		log_framebuffer(&bi->fb);
	if (bi->rsdp_len > 0)
		log_rsdp(bi);
	if (bi->efi_system_table)
		log_info("EFI system table at 0x%016llx",
			 (unsigned long long)bi->efi_system_table);
	if (bi->efi_mem_count > 0)
		log_info("EFI memory map: %zu descriptors", bi->efi_mem_count);
}

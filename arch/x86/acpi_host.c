/*
 * What drivers/acpi*.c needs from the host: a way to read physical memory
 * (struct acpi_mem), and the RSDP when the loader gave none (multiboot1,
 * e.g. QEMU's -kernel), found where BIOS firmware puts it.
 *
 * ACPI tables lie in ACPI-reclaimable or NVS RAM (mapped write-back) or in
 * reserved memory (below 4 GiB mapped uncached): paging.c identity-maps all
 * of them, so reading is a cast. The parser only gets const pointers and
 * never writes; mapping them read-only as well would split the large RAM
 * mappings for no gain. Addresses that are not mapped (page 0, non-RAM
 * above 4 GiB) are refused, so a bad pointer in a table gives an error
 * message instead of a page fault.
 */
#define LOG_TAG "acpi"
#include <plinth/acpi.h>
#include <plinth/frame.h>
#include <plinth/paging.h>
#include <plinth/string.h>

#include "acpi_host.h"

static const void *map_phys(void *ctx, uint64_t phys, size_t len)
{
	(void)ctx;
	if (len == 0 || phys + len < phys || !paging_is_mapped(phys, len))
		return NULL;
	return phys_to_virt(phys);
}

const struct acpi_mem acpi_host_mem = { map_phys, NULL };

#define RSDP_V1_LEN 20
#define RSDP_REVISION 15
#define RSDP_LENGTH 20
#define BIOS_AREA_START 0xE0000u
#define BIOS_AREA_END 0x100000u
#define EBDA_SEARCH_LEN 1024u
#define CONVENTIONAL_MEMORY_END 0xA0000u

/* An RSDP at p (within [p, end)) with a valid ACPI 1.0 checksum: its length, else 0. */
static size_t rsdp_at(const uint8_t *p, const uint8_t *end)
{
	if (end - p < RSDP_V1_LEN || memcmp(p, "RSD PTR ", 8) != 0 ||
	    !acpi_checksum_ok(p, RSDP_V1_LEN))
		return 0;
	if (p[RSDP_REVISION] < 2)
		return RSDP_V1_LEN;
	uint32_t len;
	memcpy(&len, p + RSDP_LENGTH, sizeof(len));
	len = MIN(len, BOOT_RSDP_MAX);
	return (size_t)(end - p) >= len ? len : RSDP_V1_LEN;
}

static size_t search(uint64_t start, uint64_t end, uint8_t *out)
{
	const uint8_t *p = map_phys(NULL, start, end - start);

	if (!p)
		return 0;
	for (uint64_t off = 0; off + RSDP_V1_LEN <= end - start; off += 16) {
		size_t len = rsdp_at(p + off, p + (end - start));
		if (len) {
			memcpy(out, p + off, len);
			return len;
		}
	}
	return 0;
}

/*
 * The EBDA's address is in the BIOS data area in page 0, which is unmapped;
 * the EBDA starts where the memory map's conventional memory ends.
 */
static uint64_t ebda_start(const struct boot_info *bi)
{
	for (size_t i = 0; i < bi->mem_count; i++) {
		const struct mem_region *r = &bi->mem[i];
		uint64_t end = r->base + r->size;

		if (r->type == MEM_USABLE && r->base == 0 && end < CONVENTIONAL_MEMORY_END)
			return end;
	}
	return 0;
}

size_t acpi_find_rsdp_bios(const struct boot_info *bi, uint8_t *out)
{
	uint64_t ebda = ebda_start(bi);
	size_t len = 0;

	if (ebda >= PAGE_SIZE)
		len = search(ebda, MIN(ebda + EBDA_SEARCH_LEN, CONVENTIONAL_MEMORY_END), out);
	if (!len)
		len = search(BIOS_AREA_START, BIOS_AREA_END, out);
	return len;
}

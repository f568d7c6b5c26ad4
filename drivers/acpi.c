/*
 * ACPI root tables: RSDP -> RSDT or XSDT -> MADT (decoded in acpi_madt.c).
 * What is checked before anything is used, all through acpi_mem.map:
 *  - RSDP: at least 20 bytes, signature "RSD PTR ", the ACPI 1.0 checksum over
 *    20 bytes; for revision >= 2 also length (36 .. rsdp_len bytes given) and
 *    the extended checksum over that length. XSDT if revision >= 2 and its
 *    address is non-zero, else the RSDT.
 *  - RSDT/XSDT and MADT: the 36-byte header maps, signature matches, length is
 *    36 .. 1 MiB and does not wrap, the whole table maps, bytes sum to 0.
 *  - Root entries are 4 (RSDT) or 8 (XSDT, unaligned) bytes; trailing bytes
 *    short of an entry are ignored. Zero or unmappable entries are skipped;
 *    the first "APIC" one is the MADT, and any fault in it is an error.
 */
#include <plinth/acpi.h>
#include <plinth/errno.h>
#include <plinth/format.h>
#include <plinth/string.h>
#include "acpi_internal.h"

#define RSDP_V1_LEN 20
#define RSDP_V2_LEN 36
#define RSDP_REVISION 15
#define RSDP_RSDT_ADDR 16
#define RSDP_LENGTH 20
#define RSDP_XSDT_ADDR 24

#define SDT_LENGTH 4
#define ACPI_MAX_TABLE_LEN MiB(1) /* far above any real RSDT/XSDT/MADT */

int acpi_fail(char *err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fmt_vsnprintf(err, ACPI_ERR_LEN, fmt, ap);
	va_end(ap);
	return -code;
}

static uint8_t byte_sum(const void *table, size_t len)
{
	const uint8_t *p = table;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum;
}

bool acpi_checksum_ok(const void *table, size_t len)
{
	return byte_sum(table, len) == 0;
}

/* The root table the RSDP points at. */
struct acpi_root {
	uint64_t phys;
	bool xsdt;
};

static int check_rsdp_v2(const uint8_t *rsdp, size_t rsdp_len, char *err)
{
	uint32_t len = le32_at(rsdp + RSDP_LENGTH);
	if (len < RSDP_V2_LEN || len > rsdp_len)
		return acpi_fail(err, E_INVAL,
				 "RSDP: length is %u, should be %u..%zu (bytes given)",
				 len, RSDP_V2_LEN, rsdp_len);
	uint8_t sum = byte_sum(rsdp, len);
	if (sum != 0)
		return acpi_fail(err, E_INVAL,
				 "RSDP: extended checksum is 0x%02x, should be 0", sum);
	return 0;
}

static int check_rsdp(const uint8_t *rsdp, size_t rsdp_len, struct acpi_root *root,
		      char *err)
{
	if (!rsdp || rsdp_len < RSDP_V1_LEN)
		return acpi_fail(err, E_INVAL, "RSDP: %zu bytes given, should be at least %u",
				 rsdp ? rsdp_len : 0, RSDP_V1_LEN);
	if (memcmp(rsdp, "RSD PTR ", 8) != 0)
		return acpi_fail(err, E_INVAL, "RSDP: signature is not \"RSD PTR \"");
	uint8_t sum = byte_sum(rsdp, RSDP_V1_LEN);
	if (sum != 0)
		return acpi_fail(err, E_INVAL, "RSDP: checksum is 0x%02x, should be 0", sum);

	/*
	 * Revision 0 is ACPI 1.0 (RSDT only); 2 and later add the XSDT. A loader
	 * may hand over only the 1.0 part of a newer RSDP (multiboot2's "old
	 * RSDP" tag): then the RSDT it holds is still valid and is used.
	 */
	if (rsdp[RSDP_REVISION] >= 2 && rsdp_len >= RSDP_V2_LEN) {
		int r = check_rsdp_v2(rsdp, rsdp_len, err);
		if (r)
			return r;
		root->phys = le64_at(rsdp + RSDP_XSDT_ADDR);
		root->xsdt = root->phys != 0;
		if (root->xsdt)
			return 0;
	}
	root->phys = le32_at(rsdp + RSDP_RSDT_ADDR);
	root->xsdt = false;
	if (root->phys == 0)
		return acpi_fail(err, E_INVAL, "RSDP: RSDT address is 0 and there is no XSDT");
	return 0;
}

static const uint8_t *map_header(const struct acpi_mem *mem, uint64_t phys)
{
	return mem->map(mem->ctx, phys, ACPI_SDT_HEADER_LEN);
}

/*
 * Maps the whole table whose header `hdr` (already mapped) is at phys, after
 * checking its length, and verifies the checksum. `name` is for messages.
 */
static int map_table(const struct acpi_mem *mem, uint64_t phys, const uint8_t *hdr,
		     const char *name, const uint8_t **table, size_t *table_len,
		     char *err)
{
	uint32_t len = le32_at(hdr + SDT_LENGTH);
	if (len < ACPI_SDT_HEADER_LEN || len > ACPI_MAX_TABLE_LEN)
		return acpi_fail(err, E_INVAL,
				 "%s at 0x%llx: length is %u, should be %u..%llu",
				 name, (unsigned long long)phys, len,
				 ACPI_SDT_HEADER_LEN, (unsigned long long)ACPI_MAX_TABLE_LEN);
	if (phys + len < phys)
		return acpi_fail(err, E_RANGE,
				 "%s at 0x%llx: length %u runs past the end of memory",
				 name, (unsigned long long)phys, len);
	const uint8_t *t = mem->map(mem->ctx, phys, len);
	if (!t)
		return acpi_fail(err, E_FAULT,
				 "%s at 0x%llx: cannot map its %u bytes (length field)",
				 name, (unsigned long long)phys, len);
	uint8_t sum = byte_sum(t, len);
	if (sum != 0)
		return acpi_fail(err, E_INVAL, "%s at 0x%llx: checksum is 0x%02x, should be 0",
				 name, (unsigned long long)phys, sum);
	*table = t;
	*table_len = len;
	return 0;
}

/* Maps and checks the RSDT or XSDT the RSDP names. */
static int map_root(const struct acpi_mem *mem, const struct acpi_root *root,
		    const uint8_t **table, size_t *len, char *err)
{
	const char *name = root->xsdt ? "XSDT" : "RSDT";
	const uint8_t *hdr = map_header(mem, root->phys);
	if (!hdr)
		return acpi_fail(err, E_FAULT, "%s at 0x%llx: cannot map its %u-byte header",
				 name, (unsigned long long)root->phys, ACPI_SDT_HEADER_LEN);
	if (memcmp(hdr, name, 4) != 0)
		return acpi_fail(err, E_INVAL, "%s at 0x%llx: signature is not \"%s\"",
				 name, (unsigned long long)root->phys, name);
	return map_table(mem, root->phys, hdr, name, table, len, err);
}

static uint64_t root_entry(const uint8_t *table, size_t i, bool xsdt)
{
	const uint8_t *p = table + ACPI_SDT_HEADER_LEN + i * (xsdt ? 8 : 4);
	return xsdt ? le64_at(p) : le32_at(p);
}

/* Finds the first entry with an "APIC" header; *madt_hdr is that header. */
static int find_madt(const struct acpi_mem *mem, const struct acpi_root *root,
		     const uint8_t *table, size_t len, uint64_t *madt_phys,
		     const uint8_t **madt_hdr, char *err)
{
	size_t n = (len - ACPI_SDT_HEADER_LEN) / (root->xsdt ? 8 : 4);
	size_t unmapped = 0;
	for (size_t i = 0; i < n; i++) {
		uint64_t phys = root_entry(table, i, root->xsdt);
		const uint8_t *hdr = phys ? map_header(mem, phys) : NULL;
		if (!hdr) {
			unmapped++; /* firmware bugs happen elsewhere: keep looking */
			continue;
		}
		if (memcmp(hdr, "APIC", 4) == 0) {
			*madt_phys = phys;
			*madt_hdr = hdr;
			return 0;
		}
	}
	return acpi_fail(err, E_NOENT,
			 "%s at 0x%llx: no MADT (\"APIC\") among its %zu entries (%zu zero or unmappable)",
			 root->xsdt ? "XSDT" : "RSDT", (unsigned long long)root->phys,
			 n, unmapped);
}

int acpi_read_madt(const struct acpi_mem *mem, const uint8_t *rsdp, size_t rsdp_len,
		   struct acpi_madt_info *out, char *err)
{
	struct acpi_root root = { 0 };
	const uint8_t *table = NULL, *madt_hdr = NULL;
	size_t len = 0;
	uint64_t madt_phys = 0;

	err[0] = '\0';
	int r = check_rsdp(rsdp, rsdp_len, &root, err);
	if (!r)
		r = map_root(mem, &root, &table, &len, err);
	if (!r)
		r = find_madt(mem, &root, table, len, &madt_phys, &madt_hdr, err);
	if (!r)
		r = map_table(mem, madt_phys, madt_hdr, "MADT", &table, &len, err);
	if (!r)
		r = acpi_madt_decode(table, len, madt_phys, out, err);
	return r;
}

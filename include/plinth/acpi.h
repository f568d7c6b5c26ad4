/*
 * ACPI tables (drivers/acpi*.c): the RSDP the loader handed over, its
 * RSDT/XSDT, and the MADT's list of CPUs and interrupt controllers. Host
 * tested (tests/unit/test_acpi.c) on tables compiled with iasl.
 *
 * Tables are read through `struct acpi_mem`, never by dereferencing a
 * physical address directly, so the host tests serve them from a buffer and
 * every read is bounds-checked. Nothing is trusted: lengths, checksums and
 * entry sizes are verified, and a bad table gives a message naming it.
 */
#ifndef PLINTH_ACPI_H
#define PLINTH_ACPI_H

#include <plinth/types.h>

#define ACPI_MAX_CPUS 64
#define ACPI_MAX_IOAPICS 8
#define ACPI_MAX_OVERRIDES 16
#define ACPI_ERR_LEN 160

/* Maps physical [phys, phys+len) for reading; NULL when that is not readable memory. */
struct acpi_mem {
	const void *(*map)(void *ctx, uint64_t phys, size_t len);
	void *ctx;
};

struct acpi_cpu {
	uint32_t apic_id;   /* xAPIC id (8 bits) or x2APIC id */
	uint32_t acpi_uid;  /* processor UID */
	bool x2apic;        /* from a type-9 (local x2APIC) entry */
	bool enabled;       /* usable now (flags bit 0) */
	bool online_capable;/* disabled but may be brought online (flags bit 1, MADT rev >= 5) */
};

struct acpi_ioapic {
	uint32_t id;
	uint64_t addr;
	uint32_t gsi_base;
};

struct acpi_override {
	uint8_t bus;        /* 0 = ISA */
	uint8_t source_irq;
	uint32_t gsi;
	uint16_t flags;     /* polarity (bits 0-1), trigger mode (bits 2-3) */
};

struct acpi_madt_info {
	uint8_t oem_id[7];            /* NUL-terminated copy of the MADT's OEM id */
	uint8_t revision;
	uint64_t lapic_addr;          /* 32-bit field, or the type-5 override */
	bool pcat_compat;             /* dual 8259s present (flags bit 0) */
	unsigned ncpus;               /* entries in cpus[], enabled or not, in table order */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned cpus_dropped;        /* CPUs beyond ACPI_MAX_CPUS */
	unsigned nioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned noverrides;
	struct acpi_override overrides[ACPI_MAX_OVERRIDES];
	unsigned unknown_entries;     /* entry types we do not use (skipped by length) */
};

/*
 * From the RSDP bytes (as the loader copied them, rsdp_len of them) find the
 * MADT via the XSDT (revision >= 2 and a non-zero XSDT address) or the RSDT,
 * and decode it. Returns 0, or a negative errno with `err` (ACPI_ERR_LEN
 * bytes) saying what is wrong and in which table, e.g.
 * "MADT at 0x7fe1234: checksum is 0x12, should be 0".
 */
int acpi_read_madt(const struct acpi_mem *mem, const uint8_t *rsdp, size_t rsdp_len,
		   struct acpi_madt_info *out, char *err);

/* Sum of bytes == 0 (mod 256). */
bool acpi_checksum_ok(const void *table, size_t len);

#endif

/*
 * MADT ("APIC") decoding: the local APIC address, processors (xAPIC and
 * x2APIC), I/O APICs and interrupt source overrides. Every entry's length is
 * checked against the table end and its type's size before a field is read;
 * types we do not use are only counted and stepped over.
 */
#include <plinth/acpi.h>
#include <plinth/errno.h>
#include <plinth/string.h>
#include "acpi_internal.h"

#define MADT_OEM_ID 10
#define MADT_REVISION 8
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_PCAT_COMPAT (1u << 0)

#define CPU_ENABLED (1u << 0)
#define CPU_ONLINE_CAPABLE (1u << 1) /* defined from MADT revision 5 */
#define MADT_REV_ONLINE_CAPABLE 5

enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_OVERRIDE = 2,
	MADT_LAPIC_ADDR_OVERRIDE = 5,
	MADT_X2APIC = 9,
};

/* Smallest valid entry of each type we decode (later revisions may add bytes). */
static size_t min_entry_len(uint8_t type)
{
	switch (type) {
	case MADT_LAPIC: return 8;
	case MADT_IOAPIC: return 12;
	case MADT_OVERRIDE: return 10;
	case MADT_LAPIC_ADDR_OVERRIDE: return 12;
	case MADT_X2APIC: return 16;
	default: return 2;
	}
}

struct madt_ctx {
	uint64_t phys;
	struct acpi_madt_info *out;
	char *err;
};

static void add_cpu(struct madt_ctx *c, uint32_t apic_id, uint32_t uid, uint32_t flags,
		    bool x2apic)
{
	struct acpi_madt_info *o = c->out;
	if (o->ncpus >= ACPI_MAX_CPUS) {
		o->cpus_dropped++;
		return;
	}
	bool enabled = flags & CPU_ENABLED;
	o->cpus[o->ncpus++] = (struct acpi_cpu){
		.apic_id = apic_id,
		.acpi_uid = uid,
		.x2apic = x2apic,
		.enabled = enabled,
		/* Bit 1 is reserved before revision 5 and when bit 0 is set. */
		.online_capable = !enabled && (flags & CPU_ONLINE_CAPABLE) &&
				  o->revision >= MADT_REV_ONLINE_CAPABLE,
	};
}

static int add_ioapic(struct madt_ctx *c, const uint8_t *e)
{
	struct acpi_madt_info *o = c->out;
	if (o->nioapics >= ACPI_MAX_IOAPICS)
		return acpi_fail(c->err, E_NOSPC, "MADT at 0x%llx: more than %u I/O APICs",
				 (unsigned long long)c->phys, ACPI_MAX_IOAPICS);
	o->ioapics[o->nioapics++] = (struct acpi_ioapic){
		.id = e[2],
		.addr = le32_at(e + 4),
		.gsi_base = le32_at(e + 8),
	};
	return 0;
}

static int add_override(struct madt_ctx *c, const uint8_t *e)
{
	struct acpi_madt_info *o = c->out;
	if (o->noverrides >= ACPI_MAX_OVERRIDES)
		return acpi_fail(c->err, E_NOSPC,
				 "MADT at 0x%llx: more than %u interrupt source overrides",
				 (unsigned long long)c->phys, ACPI_MAX_OVERRIDES);
	o->overrides[o->noverrides++] = (struct acpi_override){
		.bus = e[2],
		.source_irq = e[3],
		.gsi = le32_at(e + 4),
		.flags = le16_at(e + 8),
	};
	return 0;
}

/* One entry, already known to lie inside the table and be long enough. */
static int decode_entry(struct madt_ctx *c, const uint8_t *e)
{
	switch ((enum madt_type)e[0]) {
	case MADT_LAPIC:
		add_cpu(c, e[3], e[2], le32_at(e + 4), false);
		return 0;
	case MADT_X2APIC:
		add_cpu(c, le32_at(e + 4), le32_at(e + 12), le32_at(e + 8), true);
		return 0;
	case MADT_IOAPIC:
		return add_ioapic(c, e);
	case MADT_OVERRIDE:
		return add_override(c, e);
	case MADT_LAPIC_ADDR_OVERRIDE:
		c->out->lapic_addr = le64_at(e + 4);
		return 0;
	}
	c->out->unknown_entries++;
	return 0;
}

/* Checks the entry at `off` fits; *len is its length. */
static int entry_len(struct madt_ctx *c, const uint8_t *madt, size_t len, size_t off,
		     size_t *elen)
{
	unsigned long long phys = (unsigned long long)c->phys;
	if (len - off < 2)
		return acpi_fail(c->err, E_INVAL,
				 "MADT at 0x%llx: entry at offset 0x%zx has %zu byte(s) before the table end (0x%zx), should be at least 2",
				 phys, off, len - off, len);
	uint8_t type = madt[off], l = madt[off + 1];
	size_t min = min_entry_len(type);
	if (l < min)
		return acpi_fail(c->err, E_INVAL,
				 "MADT at 0x%llx: entry at offset 0x%zx (type %u) has length %u, should be at least %zu",
				 phys, off, type, l, min);
	if (l > len - off)
		return acpi_fail(c->err, E_INVAL,
				 "MADT at 0x%llx: entry at offset 0x%zx (type %u) has length %u, past the table end (0x%zx)",
				 phys, off, type, l, len);
	*elen = l;
	return 0;
}

static void decode_header(const uint8_t *madt, struct acpi_madt_info *out)
{
	memcpy(out->oem_id, madt + MADT_OEM_ID, 6);
	out->oem_id[6] = '\0';
	out->revision = madt[MADT_REVISION];
	out->lapic_addr = le32_at(madt + MADT_LAPIC_ADDR);
	out->pcat_compat = le32_at(madt + MADT_FLAGS) & MADT_PCAT_COMPAT;
}

int acpi_madt_decode(const uint8_t *madt, size_t len, uint64_t phys,
		     struct acpi_madt_info *out, char *err)
{
	struct madt_ctx c = { .phys = phys, .out = out, .err = err };

	memset(out, 0, sizeof(*out));
	if (len < ACPI_MADT_HEADER_LEN)
		return acpi_fail(err, E_INVAL, "MADT at 0x%llx: length is %zu, should be at least %u",
				 (unsigned long long)phys, len, ACPI_MADT_HEADER_LEN);
	decode_header(madt, out);

	for (size_t off = ACPI_MADT_HEADER_LEN, elen = 0; off < len; off += elen) {
		int r = entry_len(&c, madt, len, off, &elen);
		if (!r)
			r = decode_entry(&c, madt + off);
		if (r)
			return r;
	}
	if (out->ncpus == 0 && out->cpus_dropped == 0)
		return acpi_fail(err, E_INVAL, "MADT at 0x%llx: lists no processors",
				 (unsigned long long)phys);
	return 0;
}

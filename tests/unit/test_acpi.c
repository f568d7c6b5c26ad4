/*
 * ACPI tables (drivers/acpi*.c). The MADTs come from iasl (the .dsl files in
 * tests/acpi, compiled by tests/unit/acpi.mk and embedded below); the RSDP,
 * RSDT and XSDT that hold physical addresses are built here around them.
 * Physical memory is a list of regions, and every map() returns a fresh
 * malloc of exactly the requested length, so ASan catches any read past what
 * the parser mapped. Then every truncation, lie and bad checksum, and a
 * seeded mutation loop.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/acpi.h>
#include <plinth/errno.h>

#ifndef ACPI_AML_DIR
#error "ACPI_AML_DIR (where acpi.mk puts the compiled tables) is not set"
#endif

/* The iasl output, embedded so the test does not depend on its cwd. */
#define EMBED_AML(name)                                                      \
	__asm__(".pushsection .rodata\n.balign 16\n" #name "_aml:\n"        \
		".incbin \"" ACPI_AML_DIR "/" #name ".aml\"\n" #name "_aml_end:\n" \
		".popsection\n");                                            \
	extern const uint8_t name##_aml[], name##_aml_end[]

EMBED_AML(madt_basic);
EMBED_AML(madt_x2apic);
EMBED_AML(madt_lapic_override);
EMBED_AML(madt_odd);
EMBED_AML(hpet);

struct blob {
	const uint8_t *p;
	size_t len;
};

#define BLOB(name) ((struct blob){ name##_aml, (size_t)(name##_aml_end - name##_aml) })

#define RSDT_PHYS 0x7fe0000ULL
#define XSDT_PHYS 0x7fe0100ULL
#define HPET_PHYS 0x7fe1000ULL
#define MADT_LO_PHYS 0x7fe2000ULL     /* the MADT an RSDT-only firmware lists */
#define ALT_MADT_PHYS 0x7fe3000ULL    /* the RSDT's MADT when there is an XSDT too */
#define MADT_HI_PHYS 0x100002004ULL   /* above 4 GiB and not 8-aligned: XSDT only */
#define NOWHERE_PHYS 0xdead0000ULL

/* ---- Fake physical memory -------------------------------------------------- */

#define MAX_REGIONS 8

struct region {
	uint64_t phys;
	uint8_t *bytes;
	size_t len;
};

struct fake_mem {
	struct region r[MAX_REGIONS];
	size_t nregions;
	void **maps;          /* every map() result, freed by mem_free() */
	size_t nmaps, cap;
};

static const void *fake_map(void *ctx, uint64_t phys, size_t len)
{
	struct fake_mem *m = ctx;
	for (size_t i = 0; i < m->nregions; i++) {
		const struct region *r = &m->r[i];
		if (phys < r->phys || phys - r->phys > r->len || len > r->len - (phys - r->phys))
			continue;
		uint8_t *copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, r->bytes + (phys - r->phys), len);
		if (m->nmaps == m->cap) {
			m->cap = m->cap ? 2 * m->cap : 16;
			m->maps = realloc(m->maps, m->cap * sizeof(*m->maps));
			assert_non_null(m->maps);
		}
		m->maps[m->nmaps++] = copy;
		return copy;
	}
	return NULL;
}

static struct region *mem_add(struct fake_mem *m, uint64_t phys, const void *bytes, size_t len)
{
	assert_true(m->nregions < MAX_REGIONS);
	struct region *r = &m->r[m->nregions++];
	r->phys = phys;
	r->len = len;
	r->bytes = malloc(len ? len : 1);
	assert_non_null(r->bytes);
	memcpy(r->bytes, bytes, len);
	return r;
}

static struct region *mem_find(struct fake_mem *m, uint64_t phys)
{
	for (size_t i = 0; i < m->nregions; i++)
		if (m->r[i].phys == phys)
			return &m->r[i];
	fail_msg("no region at 0x%llx", (unsigned long long)phys);
	return NULL;
}

static void mem_free(struct fake_mem *m)
{
	for (size_t i = 0; i < m->nregions; i++)
		free(m->r[i].bytes);
	for (size_t i = 0; i < m->nmaps; i++)
		free(m->maps[i]);
	free(m->maps);
	memset(m, 0, sizeof(*m));
}

/* ---- Table builders ---------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }
static uint32_t get32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }

static uint8_t sum(const uint8_t *p, size_t len)
{
	uint8_t s = 0;
	for (size_t i = 0; i < len; i++)
		s = (uint8_t)(s + p[i]);
	return s;
}

/* SDT checksum byte (offset 9) so that the bytes sum to 0. */
static void fix_checksum(uint8_t *t, size_t len)
{
	t[9] = 0;
	t[9] = (uint8_t)-sum(t, len);
}

static void sdt_header(uint8_t *t, const char *sig, uint32_t len, uint8_t rev)
{
	memset(t, 0, 36);
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "PLINTH", 6);
	memcpy(t + 16, "TESTROOT", 8);
	put32(t + 24, 1);
	memcpy(t + 28, "TEST", 4);
	put32(t + 32, 1);
}

/* RSDT (4-byte entries) or XSDT (8-byte entries) at `phys`. */
static struct region *add_root(struct fake_mem *m, uint64_t phys, bool xsdt,
			       const uint64_t *entries, size_t n)
{
	size_t esz = xsdt ? 8 : 4, len = 36 + n * esz;
	uint8_t t[36 + 16 * 8];
	assert_true(n <= 16);
	sdt_header(t, xsdt ? "XSDT" : "RSDT", (uint32_t)len, 1);
	for (size_t i = 0; i < n; i++) {
		if (xsdt)
			put64(t + 36 + i * 8, entries[i]);
		else
			put32(t + 36 + i * 4, (uint32_t)entries[i]);
	}
	fix_checksum(t, len);
	return mem_add(m, phys, t, len);
}

static void fix_rsdp(uint8_t *rsdp)
{
	rsdp[8] = 0;
	rsdp[8] = (uint8_t)-sum(rsdp, 20);
	if (rsdp[15] >= 2) {
		rsdp[32] = 0;
		rsdp[32] = (uint8_t)-sum(rsdp, get32(rsdp + 20));
	}
}

/* RSDP bytes as a loader hands them over: 20 for revision 0, else 36. */
static size_t build_rsdp(uint8_t rsdp[36], uint8_t rev, uint32_t rsdt, uint64_t xsdt)
{
	memset(rsdp, 0, 36);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "PLINTH", 6);
	rsdp[15] = rev;
	put32(rsdp + 16, rsdt);
	if (rev >= 2) {
		put32(rsdp + 20, 36);
		put64(rsdp + 24, xsdt);
	}
	fix_rsdp(rsdp);
	return rev >= 2 ? 36 : 20;
}

enum root_kind {
	ROOT_XSDT,    /* revision 2: XSDT -> HPET, MADT above 4 GiB; RSDT -> madt_odd */
	ROOT_RSDT,    /* revision 0 (ACPI 1.0): RSDT -> HPET, MADT */
	ROOT_RSDT_V2, /* revision 2 but a zero XSDT address: the RSDT is used */
};

struct fw {
	struct fake_mem mem;
	struct acpi_mem am;
	uint8_t rsdp[36];
	size_t rsdp_len;
	uint64_t madt_phys;
};

static void fw_build(struct fw *fw, enum root_kind kind, const uint8_t *madt, size_t madt_len)
{
	struct blob hpet = BLOB(hpet), odd = BLOB(madt_odd);
	memset(fw, 0, sizeof(*fw));
	fw->am = (struct acpi_mem){ .map = fake_map, .ctx = &fw->mem };
	mem_add(&fw->mem, HPET_PHYS, hpet.p, hpet.len);
	switch (kind) {
	case ROOT_XSDT: {
		uint64_t x[] = { HPET_PHYS, MADT_HI_PHYS }, r[] = { HPET_PHYS, ALT_MADT_PHYS };
		fw->madt_phys = MADT_HI_PHYS;
		add_root(&fw->mem, XSDT_PHYS, true, x, 2);
		add_root(&fw->mem, RSDT_PHYS, false, r, 2);
		mem_add(&fw->mem, ALT_MADT_PHYS, odd.p, odd.len);
		fw->rsdp_len = build_rsdp(fw->rsdp, 2, RSDT_PHYS, XSDT_PHYS);
		break;
	}
	case ROOT_RSDT:
	case ROOT_RSDT_V2: {
		uint64_t r[] = { HPET_PHYS, MADT_LO_PHYS };
		fw->madt_phys = MADT_LO_PHYS;
		add_root(&fw->mem, RSDT_PHYS, false, r, 2);
		fw->rsdp_len = build_rsdp(fw->rsdp, kind == ROOT_RSDT ? 0 : 2, RSDT_PHYS, 0);
		break;
	}
	}
	mem_add(&fw->mem, fw->madt_phys, madt, madt_len);
}

static void fw_free(struct fw *fw)
{
	mem_free(&fw->mem);
}

static int fw_read(struct fw *fw, struct acpi_madt_info *info, char *err)
{
	memset(err, 'X', ACPI_ERR_LEN);
	int r = acpi_read_madt(&fw->am, fw->rsdp, fw->rsdp_len, info, err);
	assert_non_null(memchr(err, '\0', ACPI_ERR_LEN));
	if (r == 0) {
		assert_int_equal(err[0], '\0');
		assert_true(info->ncpus <= ACPI_MAX_CPUS);
		assert_true(info->ncpus + info->cpus_dropped > 0);
		assert_true(info->nioapics <= ACPI_MAX_IOAPICS);
		assert_true(info->noverrides <= ACPI_MAX_OVERRIDES);
	} else {
		assert_true(r < 0);
		assert_true(err[0] != '\0');
	}
	return r;
}

/* Expects error -code with a message containing `want`. */
static void expect_err(struct fw *fw, int code, const char *want)
{
	static struct acpi_madt_info info;
	char err[ACPI_ERR_LEN];
	int r = fw_read(fw, &info, err);
	if (r != -code || !strstr(err, want))
		fail_msg("got %d \"%s\", want %d \"%s\"", r, err, -code, want);
}

static void expect_ok(struct fw *fw, struct acpi_madt_info *info)
{
	char err[ACPI_ERR_LEN];
	int r = fw_read(fw, info, err);
	if (r != 0)
		fail_msg("got %d \"%s\"", r, err);
}

/* A writable copy of an embedded table. */
static uint8_t *copy_blob(struct blob b)
{
	uint8_t *p = malloc(b.len);
	assert_non_null(p);
	memcpy(p, b.p, b.len);
	return p;
}

/* Offset of the n-th MADT entry of `type` (the table is known good). */
static size_t find_entry(const uint8_t *madt, size_t len, uint8_t type, unsigned n)
{
	for (size_t off = 44; off + 2 <= len && madt[off + 1]; off += madt[off + 1])
		if (madt[off] == type && n-- == 0)
			return off;
	fail_msg("no entry of type %u", type);
	return 0;
}

/* ---- Expected decodings -------------------------------------------------------- */

static void check_cpu(const struct acpi_cpu *c, uint32_t apic_id, uint32_t uid, bool x2apic,
		      bool enabled, bool online_capable)
{
	assert_int_equal(c->apic_id, apic_id);
	assert_int_equal(c->acpi_uid, uid);
	assert_int_equal(c->x2apic, x2apic);
	assert_int_equal(c->enabled, enabled);
	assert_int_equal(c->online_capable, online_capable);
}

static void check_basic(const struct acpi_madt_info *i)
{
	assert_string_equal((const char *)i->oem_id, "PLINTH");
	assert_int_equal(i->revision, 3);
	assert_int_equal(i->lapic_addr, 0xfee00000);
	assert_true(i->pcat_compat);
	assert_int_equal(i->ncpus, 4);
	for (unsigned c = 0; c < 4; c++)
		check_cpu(&i->cpus[c], 2 * c, c, false, true, false);
	assert_int_equal(i->cpus_dropped, 0);
	assert_int_equal(i->nioapics, 1);
	assert_int_equal(i->ioapics[0].id, 0);
	assert_int_equal(i->ioapics[0].addr, 0xfec00000);
	assert_int_equal(i->ioapics[0].gsi_base, 0);
	assert_int_equal(i->noverrides, 2);
	assert_int_equal(i->overrides[0].bus, 0);
	assert_int_equal(i->overrides[0].source_irq, 0);
	assert_int_equal(i->overrides[0].gsi, 2);
	assert_int_equal(i->overrides[0].flags, 0);
	assert_int_equal(i->overrides[1].bus, 0);
	assert_int_equal(i->overrides[1].source_irq, 9);
	assert_int_equal(i->overrides[1].gsi, 9);
	assert_int_equal(i->overrides[1].flags, 0xd); /* active high, level */
	assert_int_equal(i->unknown_entries, 1);      /* the local APIC NMI */
}

static void check_odd(const struct acpi_madt_info *i)
{
	assert_string_equal((const char *)i->oem_id, "ODDITY");
	assert_int_equal(i->revision, 1);
	assert_int_equal(i->ncpus, 1);
	/* flags 3: bit 1 is reserved in revision 1, and meaningless when enabled */
	check_cpu(&i->cpus[0], 3, 7, false, true, false);
	assert_int_equal(i->nioapics, 0);
	assert_int_equal(i->noverrides, 0);
	assert_int_equal(i->unknown_entries, 6);
}

/* ---- Good tables ------------------------------------------------------------------ */

static void test_checksum(void **state)
{
	(void)state;
	const uint8_t z[3] = { 0x10, 0xf0, 0 }, nz[2] = { 1, 2 };
	assert_true(acpi_checksum_ok(z, 3));
	assert_true(acpi_checksum_ok(z, 0));
	assert_false(acpi_checksum_ok(nz, 2));
	struct blob b = BLOB(madt_basic);
	assert_true(acpi_checksum_ok(b.p, b.len)); /* iasl filled it in */
}

static void test_basic_all_roots(void **state)
{
	(void)state;
	static struct acpi_madt_info info;
	struct blob b = BLOB(madt_basic);
	const enum root_kind kinds[] = { ROOT_XSDT, ROOT_RSDT, ROOT_RSDT_V2 };
	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		struct fw fw;
		fw_build(&fw, kinds[k], b.p, b.len);
		expect_ok(&fw, &info);
		check_basic(&info);
		fw_free(&fw);
	}
}

/* With both, the XSDT wins: the RSDT's MADT (madt_odd) must not be read. */
static void test_xsdt_preferred(void **state)
{
	(void)state;
	static struct acpi_madt_info info;
	struct blob b = BLOB(madt_basic);
	struct fw fw;
	fw_build(&fw, ROOT_XSDT, b.p, b.len);
	expect_ok(&fw, &info);
	check_basic(&info);

	/* Zero the XSDT address: now the RSDT and its MADT are used. */
	memset(fw.rsdp + 24, 0, 8);
	fix_rsdp(fw.rsdp);
	expect_ok(&fw, &info);
	check_odd(&info);
	fw_free(&fw);
}

static void test_x2apic(void **state)
{
	(void)state;
	static struct acpi_madt_info info;
	struct blob b = BLOB(madt_x2apic);
	uint8_t *madt = copy_blob(b);
	/* Mark x2APIC 0x12c online-capable (iasl 20200925 cannot encode it). */
	size_t off = find_entry(madt, b.len, 9, 2);
	assert_int_equal(get32(madt + off + 4), 0x12c);
	madt[off + 8] |= 2;
	fix_checksum(madt, b.len);

	struct fw fw;
	fw_build(&fw, ROOT_XSDT, madt, b.len);
	expect_ok(&fw, &info);
	assert_string_equal((const char *)info.oem_id, "X2TEST");
	assert_int_equal(info.revision, 5);
	assert_int_equal(info.lapic_addr, 0xfee00000);
	assert_false(info.pcat_compat);
	assert_int_equal(info.ncpus, 5);
	check_cpu(&info.cpus[0], 0, 0, false, true, false);
	check_cpu(&info.cpus[1], 0x100, 1, true, true, false);
	check_cpu(&info.cpus[2], 0x12345, 0x102, true, false, false);
	check_cpu(&info.cpus[3], 0x12c, 3, true, false, true);
	check_cpu(&info.cpus[4], 5, 4, false, false, true);
	assert_int_equal(info.nioapics, 2);
	assert_int_equal(info.ioapics[0].id, 1);
	assert_int_equal(info.ioapics[0].addr, 0xfec00000);
	assert_int_equal(info.ioapics[0].gsi_base, 0);
	assert_int_equal(info.ioapics[1].id, 2);
	assert_int_equal(info.ioapics[1].addr, 0xfec01000);
	assert_int_equal(info.ioapics[1].gsi_base, 24);
	assert_int_equal(info.noverrides, 0);
	assert_int_equal(info.unknown_entries, 1);
	fw_free(&fw);

	/* The same table as revision 4: flags bit 1 is reserved, not online-capable. */
	madt[8] = 4;
	fix_checksum(madt, b.len);
	fw_build(&fw, ROOT_RSDT, madt, b.len);
	expect_ok(&fw, &info);
	for (unsigned c = 0; c < info.ncpus; c++)
		assert_false(info.cpus[c].online_capable);
	fw_free(&fw);
	free(madt);
}

static void test_lapic_override(void **state)
{
	(void)state;
	static struct acpi_madt_info info;
	struct blob b = BLOB(madt_lapic_override);
	struct fw fw;
	fw_build(&fw, ROOT_RSDT, b.p, b.len);
	expect_ok(&fw, &info);
	assert_int_equal(info.revision, 4);
	assert_int_equal(info.lapic_addr, 0x12fee00000ULL); /* not the 32-bit 0xfee00000 */
	assert_true(info.pcat_compat);
	assert_int_equal(info.ncpus, 2);
	check_cpu(&info.cpus[0], 0, 1, false, true, false);
	check_cpu(&info.cpus[1], 1, 2, false, true, false);
	assert_int_equal(info.nioapics, 1);
	assert_int_equal(info.ioapics[0].id, 8);
	assert_int_equal(info.unknown_entries, 0);
	fw_free(&fw);
}

static void test_odd_entries(void **state)
{
	(void)state;
	static struct acpi_madt_info info;
	struct blob b = BLOB(madt_odd);
	struct fw fw;
	fw_build(&fw, ROOT_RSDT, b.p, b.len);
	expect_ok(&fw, &info);
	check_odd(&info);
	fw_free(&fw);
}

/* ---- Hand-built MADTs for entry-level cases ---------------------------------------- */

struct madt_b {
	uint8_t t[4096];
	size_t len;
};

static void mb_init(struct madt_b *m, uint8_t rev)
{
	sdt_header(m->t, "APIC", 0, rev);
	put32(m->t + 36, 0xfee00000);
	put32(m->t + 40, 1);
	m->len = 44;
}

/* An entry of `len` bytes (its length byte says `len` too), body filled from `body`. */
static uint8_t *mb_entry(struct madt_b *m, uint8_t type, uint8_t len, const uint8_t *body)
{
	uint8_t *e = m->t + m->len;
	assert_true(m->len + MAX(len, 2) <= sizeof(m->t));
	memset(e, 0, MAX(len, 2));
	e[0] = type;
	e[1] = len;
	if (body && len > 2)
		memcpy(e + 2, body, len - 2u);
	m->len += MAX(len, 2);
	return e;
}

static void mb_cpu(struct madt_b *m, uint8_t uid, uint8_t apic_id)
{
	const uint8_t body[6] = { uid, apic_id, 1, 0, 0, 0 };
	mb_entry(m, 0, 8, body);
}

static void mb_x2cpu(struct madt_b *m, uint32_t id, uint32_t uid)
{
	uint8_t body[14] = { 0 };
	put32(body + 2, id);
	put32(body + 6, 1);
	put32(body + 10, uid);
	mb_entry(m, 9, 16, body);
}

/* Sets the length field to `len` (default: what was built) and the checksum. */
static void mb_finish(struct madt_b *m, size_t len)
{
	put32(m->t + 4, (uint32_t)len);
	fix_checksum(m->t, len);
}

static void mb_expect_err(struct madt_b *m, size_t len, int code, const char *want)
{
	struct fw fw;
	mb_finish(m, len);
	fw_build(&fw, ROOT_XSDT, m->t, len);
	expect_err(&fw, code, want);
	fw_free(&fw);
}

static void mb_expect_ok(struct madt_b *m, struct acpi_madt_info *info)
{
	struct fw fw;
	mb_finish(m, m->len);
	fw_build(&fw, ROOT_XSDT, m->t, m->len);
	expect_ok(&fw, info);
	fw_free(&fw);
}

static void test_entry_lengths(void **state)
{
	(void)state;
	static struct madt_b m;
	static struct acpi_madt_info info;

	/* Length 0 would loop forever if accepted. */
	mb_init(&m, 3);
	mb_entry(&m, 0, 0, NULL);
	mb_cpu(&m, 0, 0);
	mb_expect_err(&m, m.len, E_INVAL,
		      "MADT at 0x100002004: entry at offset 0x2c (type 0) has length 0, should be at least 8");

	mb_init(&m, 3);
	mb_cpu(&m, 0, 0);
	mb_entry(&m, 0x80, 1, NULL);
	mb_expect_err(&m, m.len, E_INVAL, "entry at offset 0x34 (type 128) has length 1, should be at least 2");

	/* Shorter than its type needs: each known type. */
	const uint8_t types[] = { 0, 1, 2, 5, 9 }, mins[] = { 8, 12, 10, 12, 16 };
	for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
		char want[80];
		mb_init(&m, 3);
		mb_cpu(&m, 0, 0);
		mb_entry(&m, types[i], (uint8_t)(mins[i] - 1), NULL);
		snprintf(want, sizeof(want), "(type %u) has length %u, should be at least %u",
			 types[i], mins[i] - 1u, mins[i]);
		mb_expect_err(&m, m.len, E_INVAL, want);
	}

	/* The last entry runs past the table end. */
	mb_init(&m, 3);
	mb_cpu(&m, 0, 0);
	mb_entry(&m, 1, 12, NULL);
	mb_expect_err(&m, m.len - 4, E_INVAL,
		      "entry at offset 0x34 (type 1) has length 12, past the table end (0x3c)");

	/* One stray byte at the end: not even a length to read. */
	mb_init(&m, 3);
	mb_cpu(&m, 0, 0);
	m.t[m.len++] = 0;
	mb_expect_err(&m, m.len, E_INVAL, "entry at offset 0x34 has 1 byte(s) before the table end (0x35)");

	/* Longer than needed is fine (later revisions append fields); OEM types skipped. */
	mb_init(&m, 5);
	const uint8_t cpu[10] = { 9, 4, 1, 0, 0, 0, 0xee, 0xee, 0xee, 0xee };
	mb_entry(&m, 0, 12, cpu);
	mb_entry(&m, 0x80, 2, NULL);
	mb_entry(&m, 0xff, 255, NULL);
	mb_entry(&m, 0x7f, 3, NULL);
	mb_expect_ok(&m, &info);
	assert_int_equal(info.ncpus, 1);
	check_cpu(&info.cpus[0], 4, 9, false, true, false);
	assert_int_equal(info.unknown_entries, 3);
}

static void test_table_limits(void **state)
{
	(void)state;
	static struct madt_b m;
	static struct acpi_madt_info info;

	/* More CPUs than ACPI_MAX_CPUS: the first 64 kept in order, the rest counted. */
	mb_init(&m, 5);
	for (unsigned i = 0; i < 70; i++)
		mb_cpu(&m, (uint8_t)i, (uint8_t)(i + 1));
	mb_x2cpu(&m, 1000, 1000);
	mb_expect_ok(&m, &info);
	assert_int_equal(info.ncpus, ACPI_MAX_CPUS);
	assert_int_equal(info.cpus_dropped, 70 + 1 - ACPI_MAX_CPUS);
	for (unsigned i = 0; i < ACPI_MAX_CPUS; i++)
		check_cpu(&info.cpus[i], i + 1, i, false, true, false);

	/* No processors at all. */
	mb_init(&m, 3);
	mb_entry(&m, 1, 12, NULL);
	mb_expect_err(&m, m.len, E_INVAL, "MADT at 0x100002004: lists no processors");
	mb_init(&m, 3);
	mb_expect_err(&m, m.len, E_INVAL, "lists no processors");

	/* Too many I/O APICs or overrides to keep: an error, not a silent drop. */
	mb_init(&m, 3);
	mb_cpu(&m, 0, 0);
	for (unsigned i = 0; i <= ACPI_MAX_IOAPICS; i++)
		mb_entry(&m, 1, 12, NULL);
	mb_expect_err(&m, m.len, E_NOSPC, "more than 8 I/O APICs");
	mb_init(&m, 3);
	mb_cpu(&m, 0, 0);
	for (unsigned i = 0; i <= ACPI_MAX_OVERRIDES; i++)
		mb_entry(&m, 2, 10, NULL);
	mb_expect_err(&m, m.len, E_NOSPC, "more than 16 interrupt source overrides");

	/* An SDT-sized table too short for the MADT's own fields. */
	mb_init(&m, 3);
	mb_expect_err(&m, 40, E_INVAL, "MADT at 0x100002004: length is 40, should be at least 44");
}

/* ---- RSDP and root tables ------------------------------------------------------------ */

static void test_bad_rsdp(void **state)
{
	(void)state;
	struct blob b = BLOB(madt_basic);
	struct fw fw;
	fw_build(&fw, ROOT_XSDT, b.p, b.len);
	uint8_t good[36];
	memcpy(good, fw.rsdp, 36);

	fw.rsdp[3] = 'X';
	fix_rsdp(fw.rsdp);
	expect_err(&fw, E_INVAL, "RSDP: signature is not \"RSD PTR \"");

	memcpy(fw.rsdp, good, 36);
	fw.rsdp[16]++; /* RSDT address, inside the first 20 bytes */
	expect_err(&fw, E_INVAL, "RSDP: checksum is 0x01, should be 0");

	memcpy(fw.rsdp, good, 36);
	fw.rsdp[24]++; /* XSDT address: only the extended checksum covers it */
	expect_err(&fw, E_INVAL, "RSDP: extended checksum is 0x01, should be 0");

	memcpy(fw.rsdp, good, 36);
	put32(fw.rsdp + 20, 40);
	fix_rsdp(fw.rsdp);
	expect_err(&fw, E_INVAL, "RSDP: length is 40, should be 36..36");
	put32(fw.rsdp + 20, 20);
	fix_rsdp(fw.rsdp);
	expect_err(&fw, E_INVAL, "RSDP: length is 20");

	/* A revision-2 RSDP cut to its ACPI 1.0 part: its RSDT (-> madt_odd) is used. */
	memcpy(fw.rsdp, good, 36);
	fw.rsdp_len = 20;
	static struct acpi_madt_info v1_info;
	expect_ok(&fw, &v1_info);
	assert_int_equal(v1_info.ncpus, 1);
	fw.rsdp_len = 19;
	expect_err(&fw, E_INVAL, "RSDP: 19 bytes given, should be at least 20");
	fw.rsdp_len = 0;
	expect_err(&fw, E_INVAL, "RSDP: 0 bytes given");

	/* ACPI 1.0 with no RSDT. */
	fw.rsdp_len = build_rsdp(fw.rsdp, 0, 0, 0);
	expect_err(&fw, E_INVAL, "RSDP: RSDT address is 0 and there is no XSDT");
	fw_free(&fw);
}

static void test_bad_root(void **state)
{
	(void)state;
	struct blob b = BLOB(madt_basic);
	struct fw fw;

	/* Checksum, signature, length of each root kind. */
	for (int xsdt = 0; xsdt < 2; xsdt++) {
		const char *name = xsdt ? "XSDT at 0x7fe0100" : "RSDT at 0x7fe0000";
		char want[ACPI_ERR_LEN];
		fw_build(&fw, xsdt ? ROOT_XSDT : ROOT_RSDT, b.p, b.len);
		struct region *r = mem_find(&fw.mem, xsdt ? XSDT_PHYS : RSDT_PHYS);
		r->bytes[20] ^= 0x11;
		snprintf(want, sizeof(want), "%s: checksum is 0x%02x, should be 0", name, sum(r->bytes, r->len));
		expect_err(&fw, E_INVAL, want);

		r->bytes[20] ^= 0x11;
		r->bytes[0] = 'Z';
		fix_checksum(r->bytes, r->len);
		snprintf(want, sizeof(want), "%s: signature is not \"%s\"", name, xsdt ? "XSDT" : "RSDT");
		expect_err(&fw, E_INVAL, want);

		memcpy(r->bytes, xsdt ? "XSDT" : "RSDT", 4);
		put32(r->bytes + 4, 35);
		snprintf(want, sizeof(want), "%s: length is 35, should be 36..1048576", name);
		expect_err(&fw, E_INVAL, want);
		put32(r->bytes + 4, 0x100001);
		expect_err(&fw, E_INVAL, "length is 1048577, should be 36..1048576");
		put32(r->bytes + 4, (uint32_t)r->len + 1); /* more than there is */
		snprintf(want, sizeof(want), "%s: cannot map its %zu bytes", name, r->len + 1);
		expect_err(&fw, E_FAULT, want);
		fw_free(&fw);
	}

	/* The root itself is not in memory. */
	fw_build(&fw, ROOT_XSDT, b.p, b.len);
	put64(fw.rsdp + 24, NOWHERE_PHYS);
	fix_rsdp(fw.rsdp);
	expect_err(&fw, E_FAULT, "XSDT at 0xdead0000: cannot map its 36-byte header");
	put64(fw.rsdp + 24, 0xfffffffffffffff0ULL);
	fix_rsdp(fw.rsdp);
	expect_err(&fw, E_FAULT, "XSDT at 0xfffffffffffffff0: cannot map");
	fw_free(&fw);

	fw_build(&fw, ROOT_RSDT, b.p, b.len);
	put32(fw.rsdp + 16, (uint32_t)NOWHERE_PHYS);
	fix_rsdp(fw.rsdp);
	expect_err(&fw, E_FAULT, "RSDT at 0xdead0000: cannot map its 36-byte header");
	fw_free(&fw);
}

static void test_madt_missing_or_unmappable(void **state)
{
	(void)state;
	static struct acpi_madt_info info;
	struct blob b = BLOB(madt_basic), h = BLOB(hpet);
	struct fw fw;

	/* XSDT without an APIC entry. */
	fw_build(&fw, ROOT_XSDT, b.p, b.len);
	struct region *x = mem_find(&fw.mem, XSDT_PHYS);
	put64(x->bytes + 36 + 8, HPET_PHYS);
	fix_checksum(x->bytes, x->len);
	expect_err(&fw, E_NOENT, "XSDT at 0x7fe0100: no MADT (\"APIC\") among its 2 entries (0 zero or unmappable)");

	/* Zero and unmappable entries are skipped on the way to the MADT. */
	put64(x->bytes + 36, 0);
	put64(x->bytes + 36 + 8, NOWHERE_PHYS);
	fix_checksum(x->bytes, x->len);
	expect_err(&fw, E_NOENT, "among its 2 entries (2 zero or unmappable)");
	fw_free(&fw);

	const uint64_t entries[] = { 0, NOWHERE_PHYS, HPET_PHYS, UINT64_MAX - 8, MADT_HI_PHYS };
	memset(&fw, 0, sizeof(fw));
	fw.am = (struct acpi_mem){ .map = fake_map, .ctx = &fw.mem };
	add_root(&fw.mem, XSDT_PHYS, true, entries, ARRAY_SIZE(entries));
	mem_add(&fw.mem, HPET_PHYS, h.p, h.len);
	mem_add(&fw.mem, MADT_HI_PHYS, b.p, b.len);
	fw.rsdp_len = build_rsdp(fw.rsdp, 2, 0, XSDT_PHYS);
	expect_ok(&fw, &info);
	check_basic(&info);

	/* An RSDT-only firmware whose entry list has a trailing partial entry. */
	fw_free(&fw);
	fw_build(&fw, ROOT_RSDT, b.p, b.len);
	struct region *r = mem_find(&fw.mem, RSDT_PHYS);
	uint8_t longer[36 + 8 + 3] = { 0 };
	memcpy(longer, r->bytes, r->len);
	put32(longer + 4, sizeof(longer));
	fix_checksum(longer, sizeof(longer));
	free(r->bytes);
	r->bytes = malloc(sizeof(longer));
	memcpy(r->bytes, longer, sizeof(longer));
	r->len = sizeof(longer);
	expect_ok(&fw, &info);
	check_basic(&info);
	fw_free(&fw);

	/* The MADT's header maps but its body does not: an error, not a skip. */
	fw_build(&fw, ROOT_XSDT, b.p, b.len);
	struct region *m = mem_find(&fw.mem, MADT_HI_PHYS);
	m->len = 40;
	expect_err(&fw, E_FAULT, "MADT at 0x100002004: cannot map its 114 bytes (length field)");
	fw_free(&fw);
}

static void test_madt_bad_checksum(void **state)
{
	(void)state;
	struct blob b = BLOB(madt_x2apic);
	struct fw fw;
	fw_build(&fw, ROOT_XSDT, b.p, b.len);
	struct region *m = mem_find(&fw.mem, MADT_HI_PHYS);
	m->bytes[b.len - 1] += 0x12;
	expect_err(&fw, E_INVAL, "MADT at 0x100002004: checksum is 0x12, should be 0");
	m->bytes[b.len - 1] -= 0x12;
	put32(m->bytes + 4, 0x200000);
	fix_checksum(m->bytes, b.len);
	expect_err(&fw, E_INVAL, "MADT at 0x100002004: length is 2097152, should be 36..1048576");
	fw_free(&fw);
}

/* ---- Truncation and mutation ---------------------------------------------------------- */

/* Is `n` the end of an entry of the full table, with a CPU among those before it? */
static bool cut_is_valid(const uint8_t *madt, size_t len, size_t n)
{
	bool cpu = false;
	for (size_t off = 44; off < len; off += madt[off + 1]) {
		if (madt[off] == 0 || madt[off] == 9)
			cpu = true;
		if (off + madt[off + 1] == n)
			return cpu;
	}
	return false;
}

static void test_truncation(void **state)
{
	(void)state;
	static struct acpi_madt_info info;
	const struct blob tables[] = { BLOB(madt_basic), BLOB(madt_x2apic),
				       BLOB(madt_lapic_override), BLOB(madt_odd) };
	for (size_t t = 0; t < ARRAY_SIZE(tables); t++) {
		const struct blob b = tables[t];
		uint8_t *cut = copy_blob(b);
		for (size_t n = 0; n <= b.len; n++) {
			char err[ACPI_ERR_LEN];
			struct fw fw;

			/* Memory ends at n but the header still says b.len. */
			fw_build(&fw, ROOT_XSDT, b.p, n);
			int r = fw_read(&fw, &info, err);
			if (n == b.len)
				assert_int_equal(r, 0);
			else if (n < 36) /* the header does not map: skipped, so no MADT */
				assert_int_equal(r, -E_NOENT);
			else
				assert_int_equal(r, -E_FAULT);
			fw_free(&fw);

			/* The header says n (checksum fixed): entries cut anywhere. */
			if (n < 36)
				continue; /* header unmappable: covered above */
			memcpy(cut, b.p, n);
			put32(cut + 4, (uint32_t)n);
			fix_checksum(cut, n);
			fw_build(&fw, ROOT_XSDT, cut, n);
			r = fw_read(&fw, &info, err);
			bool valid = n >= 44 && cut_is_valid(b.p, b.len, n);
			if (valid != (r == 0))
				fail_msg("table %zu cut at %zu: got %d \"%s\"", t, n, r, err);
			if (r)
				assert_true(strncmp(err, "MADT at 0x100002004: ", 21) == 0);
			fw_free(&fw);
		}
		free(cut);
	}
}

/* Flip bytes anywhere (RSDP, roots, tables); half the time re-fix checksums. */
static void mutate(struct fw *fw)
{
	unsigned flips = 1 + (unsigned)rng_below(4);
	size_t target = (size_t)rng_below(fw->mem.nregions + 1);
	uint8_t *p = target == fw->mem.nregions ? fw->rsdp : fw->mem.r[target].bytes;
	size_t len = target == fw->mem.nregions ? fw->rsdp_len : fw->mem.r[target].len;
	for (unsigned i = 0; i < flips; i++) {
		size_t at = (size_t)rng_below(len);
		/* Lengths and counts are the interesting bytes: favour small values. */
		p[at] = rng_below(2) ? (uint8_t)rng_next() : (uint8_t)rng_below(3);
	}
	if (rng_below(2))
		return;
	if (target == fw->mem.nregions) {
		if (get32(fw->rsdp + 20) <= fw->rsdp_len)
			fix_rsdp(fw->rsdp);
		else {
			fw->rsdp[8] = 0;
			fw->rsdp[8] = (uint8_t)-sum(fw->rsdp, 20);
		}
	} else if (len >= 10) {
		uint32_t l = get32(p + 4);
		fix_checksum(p, l >= 10 && l <= len ? l : len);
	}
}

static void test_mutation(void **state)
{
	(void)state;
	static struct acpi_madt_info info;
	const struct blob tables[] = { BLOB(madt_basic), BLOB(madt_x2apic),
				       BLOB(madt_lapic_override), BLOB(madt_odd) };
	unsigned ok = 0;
	rng_seed(0xac91);
	for (unsigned iter = 0; iter < 20000; iter++) {
		char err[ACPI_ERR_LEN];
		struct fw fw;
		struct blob b = tables[rng_below(ARRAY_SIZE(tables))];
		fw_build(&fw, (enum root_kind)rng_below(3), b.p, b.len);
		unsigned rounds = 1 + (unsigned)rng_below(3);
		for (unsigned i = 0; i < rounds; i++)
			mutate(&fw);
		if (fw_read(&fw, &info, err) == 0)
			ok++;
		fw_free(&fw);
	}
	/* Some mutations must get through to decoding, or the loop proves little. */
	assert_true(ok > 1000);
	assert_true(ok < 19000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_basic_all_roots),
		cmocka_unit_test(test_xsdt_preferred),
		cmocka_unit_test(test_x2apic),
		cmocka_unit_test(test_lapic_override),
		cmocka_unit_test(test_odd_entries),
		cmocka_unit_test(test_entry_lengths),
		cmocka_unit_test(test_table_limits),
		cmocka_unit_test(test_bad_rsdp),
		cmocka_unit_test(test_bad_root),
		cmocka_unit_test(test_madt_missing_or_unmappable),
		cmocka_unit_test(test_madt_bad_checksum),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_mutation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * Unit tests for the guest page-table walker (core/guest_walk.c). Page
 * tables are built in a fake guest memory (an arena of pages at a fixed
 * GPA, read through the walker's callback) for every paging mode; then a
 * randomized run checks 4- and 5-level walks against a reference model.
 */
#include "host_shim.h"
#include "test_rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/errno.h>
#include <plinth/guest_walk.h>

/* Control bits (SDM vol. 3A 2.5). */
#define T_CR0_WP (1ULL << 16)
#define T_CR0_PG (1ULL << 31)
#define T_CR4_PSE (1ULL << 4)
#define T_CR4_PAE (1ULL << 5)
#define T_CR4_LA57 (1ULL << 12)
#define T_CR4_SMEP (1ULL << 20)
#define T_CR4_SMAP (1ULL << 21)
#define T_EFER_LMA (1ULL << 10)
#define T_EFER_NXE (1ULL << 11)

/* Entry bits. */
#define P (1ULL << 0)
#define RW (1ULL << 1)
#define US (1ULL << 2)
#define PS (1ULL << 7)
#define XD (1ULL << 63)
#define TABLE (P | RW | US)
#define ADDR_MASK 0x000FFFFFFFFFF000ULL

#define W GUEST_ACCESS_WRITE
#define X GUEST_ACCESS_EXEC
#define U GUEST_ACCESS_USER
#define AC GUEST_ACCESS_AC

/* ---- Fake guest memory ------------------------------------------------------ */

#define ARENA_GPA 0x200000ULL /* GPA of arena page 0 */
#define ARENA_PAGES 8192

struct memory {
	uint8_t *bytes;
	size_t used;      /* pages handed out */
	unsigned long reads;
};

static struct memory mem;

static int mem_read(void *ctx, uint64_t gpa, uint64_t *value)
{
	struct memory *m = ctx;

	assert_ptr_equal(m, &mem);
	assert_true(IS_ALIGNED(gpa, 8)); /* entries are read whole */
	if (gpa < ARENA_GPA || gpa - ARENA_GPA >= m->used * PAGE_SIZE)
		return -E_FAULT;
	memcpy(value, m->bytes + (gpa - ARENA_GPA), 8);
	m->reads++;
	return 0;
}

static uint64_t new_page(void)
{
	assert_true(mem.used < ARENA_PAGES);
	memset(mem.bytes + mem.used * PAGE_SIZE, 0, PAGE_SIZE);
	return ARENA_GPA + mem.used++ * PAGE_SIZE;
}

static uint8_t *at(uint64_t gpa, size_t len)
{
	assert_true(gpa >= ARENA_GPA && gpa + len <= ARENA_GPA + mem.used * PAGE_SIZE);
	return mem.bytes + (gpa - ARENA_GPA);
}

static uint64_t get64(uint64_t gpa)
{
	uint64_t v;

	memcpy(&v, at(gpa, 8), 8);
	return v;
}

static void put64(uint64_t gpa, uint64_t v) { memcpy(at(gpa, 8), &v, 8); }
static void put32(uint64_t gpa, uint32_t v) { memcpy(at(gpa, 4), &v, 4); }

static int setup(void **state)
{
	(void)state;
	if (!mem.bytes)
		mem.bytes = malloc(ARENA_PAGES * PAGE_SIZE);
	assert_non_null(mem.bytes);
	mem.used = 0;
	mem.reads = 0;
	return 0;
}

static int teardown_all(void **state)
{
	(void)state;
	free(mem.bytes);
	mem.bytes = NULL;
	return 0;
}

/* ---- Builders ---------------------------------------------------------------- */

static unsigned index_at(uint64_t va, unsigned level)
{
	return (unsigned)(va >> (12 + 9 * (level - 1))) & 511;
}

/* The slot for `va` at `level` in a chain of 8-byte tables; creates tables. */
static uint64_t slot8(uint64_t root, unsigned top, uint64_t va, unsigned level)
{
	uint64_t table = root;

	for (unsigned l = top; l > level; l--) {
		uint64_t slot = table + index_at(va, l) * 8;
		uint64_t e = get64(slot);

		if (!(e & P)) {
			e = new_page() | TABLE;
			put64(slot, e);
		}
		assert_false(e & PS);
		table = e & ADDR_MASK;
	}
	return table + index_at(va, level) * 8;
}

/* Map `va` with `leaf` (address and flags) at `level`: 1 4 KiB, 2 2 MiB, 3 1 GiB. */
static void map8(uint64_t root, unsigned top, uint64_t va, unsigned level, uint64_t leaf)
{
	put64(slot8(root, top, va, level), leaf | (level > 1 ? PS : 0));
}

/* Clear or set flags of the entry for `va` at `level` (which must exist). */
static void edit8(uint64_t root, unsigned top, uint64_t va, unsigned level,
		  uint64_t clear, uint64_t set)
{
	uint64_t slot = slot8(root, top, va, level);

	put64(slot, (get64(slot) & ~clear) | set);
}

struct walk_result {
	int err;
	uint64_t gpa;
	uint32_t ec;
};

static struct walk_result walk(const struct guest_paging *p, uint64_t va, unsigned access)
{
	struct walk_result r = { .gpa = 0xdead, .ec = 0xdead };

	r.err = guest_virt_to_phys(p, va, access, mem_read, &mem, &r.gpa, &r.ec);
	return r;
}

#define expect_gpa(p, va, access, want) do { \
	struct walk_result r_ = walk(p, va, access); \
	if (r_.err != 0 || r_.gpa != (uint64_t)(want) || r_.ec != 0) \
		fail_msg("line %d: va %#llx access %#x: err %d gpa %#llx ec %#x, want gpa %#llx", \
			 __LINE__, (unsigned long long)(va), (unsigned)(access), r_.err, \
			 (unsigned long long)r_.gpa, r_.ec, (unsigned long long)(want)); \
} while (0)

#define expect_pf(p, va, access, want_ec) do { \
	struct walk_result r_ = walk(p, va, access); \
	if (r_.err != -E_FAULT || r_.ec != (uint32_t)(want_ec)) \
		fail_msg("line %d: va %#llx access %#x: err %d ec %#x, want #PF ec %#x", \
			 __LINE__, (unsigned long long)(va), (unsigned)(access), r_.err, \
			 r_.ec, (unsigned)(want_ec)); \
} while (0)

#define expect_err(p, va, access, want_err) do { \
	struct walk_result r_ = walk(p, va, access); \
	if (r_.err != (want_err) || r_.ec != 0) \
		fail_msg("line %d: va %#llx access %#x: err %d ec %#x, want err %d", \
			 __LINE__, (unsigned long long)(va), (unsigned)(access), r_.err, \
			 r_.ec, want_err); \
} while (0)

/* ---- Paging off ---------------------------------------------------------------- */

static void test_paging_off(void **state)
{
	struct guest_paging p = { .cr0 = 0x11, .cr4 = T_CR4_PAE, .efer = T_EFER_NXE };

	(void)state;
	expect_gpa(&p, 0, 0, 0);
	expect_gpa(&p, 0xfee00000, W, 0xfee00000);
	expect_gpa(&p, 0xffffffff, X | U, 0xffffffff);
	expect_err(&p, 0x100000000ULL, 0, -E_INVAL);
	assert_int_equal(mem.reads, 0);
	p.efer |= T_EFER_LMA; /* long mode needs paging */
	expect_err(&p, 0x1000, 0, -E_INVAL);
}

/* ---- 32-bit paging ------------------------------------------------------------- */

static void test_32bit(void **state)
{
	uint64_t pd = new_page(), pt = new_page();
	struct guest_paging p = { .cr0 = T_CR0_PG, .cr3 = pd };

	(void)state;
	/* even and odd slots (low and high half of an 8-byte read) */
	put32(pd + 0 * 4, (uint32_t)(pt | TABLE));
	put32(pt + 1 * 4, 0x00123000 | P | RW | US);
	put32(pt + 2 * 4, 0x00456000 | P | US);        /* read-only */
	put32(pt + 3 * 4, 0x00789000 | P | RW);        /* supervisor */
	put32(pt + 4 * 4, 0xfffff000 | RW | US);       /* not present */
	put32(pd + 1 * 4, (uint32_t)(pt | TABLE));     /* same table at 4 MiB */
	put32(pd + 3 * 4, 0x12c00000 | PS | P | RW | US | (1u << 13)); /* 4 MiB with PSE */
	put32(pd + 0x3ff * 4, (uint32_t)(pt | P | RW)); /* supervisor-only directory */

	expect_gpa(&p, 0x1abc, 0, 0x123abc);
	expect_gpa(&p, 0x401abc, U | W, 0x123abc);
	expect_gpa(&p, 0x2fff, U, 0x456fff);
	expect_gpa(&p, 0x3000, W, 0x789000);
	/* no NX in 32-bit paging: fetches are allowed even with EFER.NXE */
	p.efer = T_EFER_NXE;
	expect_gpa(&p, 0x1000, X | U, 0x123000);

	/* not present: directory, then table; I/D only with SMEP */
	expect_pf(&p, 0x800000, 0, 0);
	expect_pf(&p, 0x800000, W | U, PF_ERR_W | PF_ERR_U);
	expect_pf(&p, 0x4000, X, 0);
	expect_pf(&p, 0x5000, X | U, PF_ERR_U);
	p.cr4 = T_CR4_SMEP;
	expect_pf(&p, 0x4000, X, PF_ERR_ID);
	p.cr4 = 0;

	/* protection: U/S, R/W with and without CR0.WP, U/S on the directory */
	expect_pf(&p, 0x3000, U, PF_ERR_P | PF_ERR_U);
	expect_pf(&p, 0x2000, U | W, PF_ERR_P | PF_ERR_W | PF_ERR_U);
	expect_gpa(&p, 0x2000, W, 0x456000);
	p.cr0 |= T_CR0_WP;
	expect_pf(&p, 0x2000, W, PF_ERR_P | PF_ERR_W);
	expect_gpa(&p, 0xffc01000, 0, 0x123000);
	expect_pf(&p, 0xffc01000, U, PF_ERR_P | PF_ERR_U);

	/* 4 MiB page: only with CR4.PSE; PDE bits 20:13 are address bits 39:32 */
	p.cr4 = T_CR4_PSE;
	expect_gpa(&p, 0xc12345, 0, 0x112c12345ULL);
	p.maxphyaddr = 36; /* bits 20:17 now reserved */
	expect_gpa(&p, 0xc12345, 0, 0x112c12345ULL);
	put32(pd + 3 * 4, 0x12c00000 | PS | P | RW | US | (1u << 17));
	expect_pf(&p, 0xc00000, U, PF_ERR_P | PF_ERR_RSVD | PF_ERR_U);
	p.maxphyaddr = 0;
	expect_gpa(&p, 0xc00000, 0, 0x1012c00000ULL); /* bit 17: address bit 36 */
	put32(pd + 3 * 4, 0x12c00000 | PS | P | RW | US | (1u << 21)); /* always reserved */
	expect_pf(&p, 0xc00000, W, PF_ERR_P | PF_ERR_RSVD | PF_ERR_W);
	/* without PSE the PS bit is ignored: the entry names a page table */
	p.cr4 = 0;
	put32(pd + 3 * 4, (uint32_t)(pt | PS | TABLE));
	expect_gpa(&p, 0xc01000, 0, 0x123000);

	/* gva beyond 32 bits, and a directory outside guest RAM */
	expect_err(&p, 0x100001000ULL, 0, -E_INVAL);
	p.cr3 = 0x7000000;
	expect_err(&p, 0x1000, 0, -E_RANGE);
}

/* ---- PAE paging ------------------------------------------------------------------ */

static void test_pae(void **state)
{
	uint64_t pdpt_page = new_page();
	uint64_t pdpt = pdpt_page + 0x20; /* CR3 is 32-byte aligned in PAE mode */
	uint64_t pd = new_page();
	struct guest_paging p = { .cr0 = T_CR0_PG | T_CR0_WP, .cr3 = pdpt, .cr4 = T_CR4_PAE };

	(void)state;
	put64(pdpt + 2 * 8, pd | P); /* 0x80000000..0xbfffffff */
	map8(pd, 2, 0x80001000, 1, 0xabcd000 | P | RW | US);
	map8(pd, 2, 0x80002000, 1, 0xf00000000ULL | P | US | XD);
	map8(pd, 2, 0x80400000, 2, 0x40000000 | P | RW | US);

	/* no NXE: XD is reserved */
	expect_gpa(&p, 0x80001234, U | W, 0xabcd234);
	expect_gpa(&p, 0x80512345, X, 0x40112345);
	expect_pf(&p, 0x80002000, 0, PF_ERR_P | PF_ERR_RSVD);
	expect_pf(&p, 0x80002000, X, PF_ERR_P | PF_ERR_RSVD); /* no I/D without NXE or SMEP */
	p.efer = T_EFER_NXE;
	expect_gpa(&p, 0x80002010, U, 0xf00000010ULL);
	expect_pf(&p, 0x80002000, X, PF_ERR_P | PF_ERR_ID);
	expect_pf(&p, 0x80002000, X | U, PF_ERR_P | PF_ERR_ID | PF_ERR_U);
	expect_pf(&p, 0x80002000, W, PF_ERR_P | PF_ERR_W);
	expect_pf(&p, 0x80003000, X, PF_ERR_ID);  /* not present */
	/* XD on the directory entry covers the whole table */
	edit8(pd, 2, 0x80001000, 2, 0, XD);
	expect_pf(&p, 0x80001000, X, PF_ERR_P | PF_ERR_ID);
	expect_gpa(&p, 0x80001000, W, 0xabcd000);
	edit8(pd, 2, 0x80001000, 2, XD, 0);

	/* PDPTEs: not present, reserved bits (R/W is one), no access rights */
	expect_pf(&p, 0x00001000, 0, 0);
	expect_pf(&p, 0xc0000000, W | U, PF_ERR_W | PF_ERR_U);
	put64(pdpt + 2 * 8, pd | P | RW);
	expect_pf(&p, 0x80001000, 0, PF_ERR_P | PF_ERR_RSVD);
	put64(pdpt + 2 * 8, pd | P | (1ULL << 5));
	expect_pf(&p, 0x80001000, 0, PF_ERR_P | PF_ERR_RSVD);
	put64(pdpt + 2 * 8, pd | P | XD);
	expect_pf(&p, 0x80001000, 0, PF_ERR_P | PF_ERR_RSVD);
	put64(pdpt + 2 * 8, pd | P | (1ULL << 9)); /* ignored bit */
	expect_gpa(&p, 0x80001000, U, 0xabcd000);

	/* PAE reserves bits 62:M (long mode only 51:M), and 20:13 in 2 MiB leaves */
	edit8(pd, 2, 0x80001000, 1, 0, 1ULL << 62);
	expect_pf(&p, 0x80001000, 0, PF_ERR_P | PF_ERR_RSVD);
	edit8(pd, 2, 0x80001000, 1, 1ULL << 62, 0);
	edit8(pd, 2, 0x80400000, 2, 0, 1ULL << 13);
	expect_pf(&p, 0x80400000, U, PF_ERR_P | PF_ERR_RSVD | PF_ERR_U);
	edit8(pd, 2, 0x80400000, 2, 1ULL << 13, 1ULL << 12); /* PAT bit: fine */
	expect_gpa(&p, 0x80400000, 0, 0x40000000);
	p.maxphyaddr = 36; /* 0xf00000000 is below 2^36, 0x1000000000 is not */
	expect_gpa(&p, 0x80002000, 0, 0xf00000000ULL);
	map8(pd, 2, 0x80002000, 1, 0x1000000000ULL | P);
	expect_pf(&p, 0x80002000, 0, PF_ERR_P | PF_ERR_RSVD);
	p.maxphyaddr = 0;
	expect_gpa(&p, 0x80002000, 0, 0x1000000000ULL);

	/* supervisor write to a read-only page: WP decides */
	map8(pd, 2, 0x80005000, 1, 0x5000 | P);
	expect_pf(&p, 0x80005000, W, PF_ERR_P | PF_ERR_W);
	p.cr0 &= ~T_CR0_WP;
	expect_gpa(&p, 0x80005000, W, 0x5000);

	expect_err(&p, 0x180000000ULL, 0, -E_INVAL);
}

/* ---- 4-level paging ------------------------------------------------------------- */

static void test_4level(void **state)
{
	uint64_t pml4 = new_page();
	struct guest_paging p = {
		.cr0 = T_CR0_PG | T_CR0_WP, .cr3 = pml4 | 0x18 /* PWT|PCD */,
		.cr4 = T_CR4_PAE, .efer = T_EFER_LMA | T_EFER_NXE,
	};
	const uint64_t high = 0xffff800000000000ULL; /* first canonical high address */

	(void)state;
	map8(pml4, 4, 0x0000000000401000, 1, 0x0000000012345000 | P | RW | US);
	map8(pml4, 4, 0x0000000040000000, 3, 0x0000000c0000000 | P | RW);          /* 1 GiB */
	map8(pml4, 4, 0x0000000000600000, 2, 0x0000000000e00000 | P | US | XD);     /* 2 MiB */
	map8(pml4, 4, high + 0x5000, 1, 0x000ffffffffff000ULL | P | RW);            /* top of 52 bits */
	map8(pml4, 4, 0xfffffffffffff000ULL, 1, 0x7000 | P | RW | (1ULL << 62));     /* 62:52 ignored */

	expect_gpa(&p, 0x401fff, U | W, 0x12345fff);
	expect_gpa(&p, 0x7fedcba9, W, 0xffedcba9ULL);
	expect_gpa(&p, 0x6abcde, U, 0xeabcde);
	expect_gpa(&p, high + 0x5008, 0, 0x000ffffffffff008ULL);
	expect_gpa(&p, 0xffffffffffffffffULL, X, 0x7fff);
	assert_true(mem.reads > 0);

	/* non-canonical: #GP, not #PF; 5-level range is not 4-level */
	expect_err(&p, 0x0000800000000000ULL, 0, -E_INVAL);
	expect_err(&p, 0xffff7fffffffffffULL, 0, -E_INVAL);

	/* NX at the leaf and higher up; SMEP; SMAP and RFLAGS.AC */
	expect_pf(&p, 0x600000, X | U, PF_ERR_P | PF_ERR_U | PF_ERR_ID);
	edit8(pml4, 4, 0x401000, 4, 0, XD);
	expect_pf(&p, 0x401000, X, PF_ERR_P | PF_ERR_ID);
	edit8(pml4, 4, 0x401000, 4, XD, 0);
	expect_gpa(&p, 0x401000, X, 0x12345000);
	p.cr4 |= T_CR4_SMEP;
	expect_pf(&p, 0x401000, X, PF_ERR_P | PF_ERR_ID);
	expect_gpa(&p, 0x401000, X | U, 0x12345000);
	expect_gpa(&p, 0x401000, W, 0x12345000);
	p.cr4 |= T_CR4_SMAP;
	expect_pf(&p, 0x401000, 0, PF_ERR_P);
	expect_pf(&p, 0x401000, W, PF_ERR_P | PF_ERR_W);
	expect_gpa(&p, 0x401000, W | AC, 0x12345000);
	expect_gpa(&p, 0x401000, U | W, 0x12345000);
	expect_gpa(&p, 0x7fedcba9, 0, 0xffedcba9ULL); /* supervisor page */
	p.cr4 = T_CR4_PAE;

	/* U/S and R/W accumulate over all levels */
	edit8(pml4, 4, 0x401000, 3, US, 0);
	expect_pf(&p, 0x401000, U, PF_ERR_P | PF_ERR_U);
	expect_gpa(&p, 0x401000, W, 0x12345000);
	edit8(pml4, 4, 0x401000, 3, 0, US);
	edit8(pml4, 4, 0x401000, 2, RW, 0);
	expect_pf(&p, 0x401000, U | W, PF_ERR_P | PF_ERR_W | PF_ERR_U);
	expect_pf(&p, 0x401000, W, PF_ERR_P | PF_ERR_W);
	p.cr0 &= ~T_CR0_WP;
	expect_gpa(&p, 0x401000, W, 0x12345000);
	expect_pf(&p, 0x401000, U | W, PF_ERR_P | PF_ERR_W | PF_ERR_U);
	p.cr0 |= T_CR0_WP;
	edit8(pml4, 4, 0x401000, 2, 0, RW);

	/* not present at each level */
	expect_pf(&p, 0x0000008000000000ULL, 0, 0);                  /* PML4E */
	expect_pf(&p, 0x0000000080000000ULL, W, PF_ERR_W);           /* PDPTE */
	expect_pf(&p, 0x0000000000800000ULL, U, PF_ERR_U);           /* PDE */
	expect_pf(&p, 0x0000000000402000ULL, X | U, PF_ERR_U | PF_ERR_ID); /* PTE */

	/* reserved bits */
	edit8(pml4, 4, 0x401000, 4, 0, PS);          /* PS in a PML4E */
	expect_pf(&p, 0x401000, 0, PF_ERR_P | PF_ERR_RSVD);
	edit8(pml4, 4, 0x401000, 4, PS, 0);
	edit8(pml4, 4, 0x600000, 2, 0, 1ULL << 20);  /* 2 MiB leaf, bit 20 */
	expect_pf(&p, 0x600000, U, PF_ERR_P | PF_ERR_RSVD | PF_ERR_U);
	edit8(pml4, 4, 0x600000, 2, 1ULL << 20, 0);
	edit8(pml4, 4, 0x40000000, 3, 0, 1ULL << 29); /* 1 GiB leaf, bit 29 */
	expect_pf(&p, 0x40000000, 0, PF_ERR_P | PF_ERR_RSVD);
	edit8(pml4, 4, 0x40000000, 3, 1ULL << 29, 1ULL << 12); /* PAT: fine */
	expect_gpa(&p, 0x40000000, 0, 0xc0000000);
	p.no_1g_pages = true;                          /* PS in a PDPTE reserved */
	expect_pf(&p, 0x40000000, 0, PF_ERR_P | PF_ERR_RSVD);
	p.no_1g_pages = false;
	p.maxphyaddr = 40;                             /* bits 51:40 reserved */
	expect_pf(&p, high + 0x5000, 0, PF_ERR_P | PF_ERR_RSVD);
	expect_gpa(&p, 0x401000, 0, 0x12345000);
	p.maxphyaddr = 0;
	p.efer &= ~T_EFER_NXE;                         /* XD is reserved without NXE */
	expect_pf(&p, 0x600000, 0, PF_ERR_P | PF_ERR_RSVD);
	expect_pf(&p, 0x600000, X, PF_ERR_P | PF_ERR_RSVD);
	expect_gpa(&p, 0x401000, X, 0x12345000);
	p.efer |= T_EFER_NXE;

	/* a table outside guest RAM */
	edit8(pml4, 4, 0x401000, 2, ADDR_MASK, 0x10000000);
	expect_err(&p, 0x401000, 0, -E_RANGE);
}

/* ---- 5-level paging ------------------------------------------------------------- */

static void test_5level(void **state)
{
	uint64_t pml5 = new_page();
	struct guest_paging p = {
		.cr0 = T_CR0_PG, .cr3 = pml5, .cr4 = T_CR4_PAE | T_CR4_LA57,
		.efer = T_EFER_LMA,
	};

	(void)state;
	map8(pml5, 5, 0x00ff800000001000ULL, 1, 0x3000 | P | RW | US);
	map8(pml5, 5, 0xff00000000200000ULL, 2, 0x800000 | P | RW);
	map8(pml5, 5, 0x0000000000001000ULL, 1, 0x4000 | P);

	expect_gpa(&p, 0x00ff800000001234ULL, U, 0x3234);
	expect_gpa(&p, 0xff000000002fffffULL, W, 0x8fffff);
	expect_gpa(&p, 0x1010, 0, 0x4010);
	expect_err(&p, 0x0100000000000000ULL, 0, -E_INVAL);
	expect_pf(&p, 0x0001000000000000ULL, 0, 0);   /* PML5E not present */
	edit8(pml5, 5, 0x1000, 5, 0, PS);               /* PS in a PML5E */
	expect_pf(&p, 0x1000, 0, PF_ERR_P | PF_ERR_RSVD);
	edit8(pml5, 5, 0x1000, 5, PS, 0);
	edit8(pml5, 5, 0x1000, 5, US, 0);
	expect_pf(&p, 0x1000, U, PF_ERR_P | PF_ERR_U);

	/* the same address under 4-level paging is not canonical */
	p.cr4 &= ~T_CR4_LA57;
	expect_err(&p, 0x00ff800000001000ULL, 0, -E_INVAL);
}

/* ---- Bad arguments ----------------------------------------------------------------- */

static void test_bad_arguments(void **state)
{
	struct guest_paging p = { .cr0 = T_CR0_PG, .cr4 = T_CR4_PAE, .efer = T_EFER_LMA };
	struct guest_paging lma_no_pae = { .cr0 = T_CR0_PG, .efer = T_EFER_LMA };

	(void)state;
	expect_err(&p, 0, 1u << 5, -E_INVAL);
	expect_err(&p, 0, W | X, -E_INVAL);
	expect_err(&lma_no_pae, 0, 0, -E_INVAL);
	p.maxphyaddr = 31;
	expect_err(&p, 0, 0, -E_INVAL);
	p.maxphyaddr = 53;
	expect_err(&p, 0, 0, -E_INVAL);
	assert_int_equal(mem.reads, 0);
}

/* ---- Randomized against a reference ---------------------------------------------- */

#define RAND_MAPPINGS 400
#define RAND_QUERIES 200000
#define RAND_MAXPHYADDR 46 /* bits 51:46 reserved */

struct region {
	uint64_t va, size, pa;
	uint64_t leaf;          /* the leaf's flag bits */
	bool path_rw, path_us;  /* AND over the table entries above the leaf */
	bool reserved;          /* a reserved bit is set in the leaf */
};

struct model {
	struct region r[RAND_MAPPINGS];
	size_t n;
	unsigned levels;
	uint64_t root;
};

static uint64_t canonical_va(uint64_t raw, unsigned levels)
{
	unsigned bits = 12 + 9 * levels;

	return (uint64_t)((int64_t)(raw << (64 - bits)) >> (64 - bits));
}

/* A few index values per level, so mappings share tables and collide. */
static uint64_t random_va(unsigned levels)
{
	static const unsigned picks[] = { 0, 1, 2, 255, 256, 510, 511 };
	uint64_t raw = 0;

	for (unsigned l = 1; l <= levels; l++)
		raw |= (uint64_t)picks[rng_below(ARRAY_SIZE(picks))] << (12 + 9 * (l - 1));
	return canonical_va(raw, levels);
}

static const struct region *model_find(const struct model *m, uint64_t va)
{
	for (size_t i = 0; i < m->n; i++)
		if (va - m->r[i].va < m->r[i].size)
			return &m->r[i];
	return NULL;
}

/*
 * Map a random region unless it would overlap one already there (or need a
 * table where a large leaf is, or the other way round). Table entries get
 * random R/W and U/S when created.
 */
static void model_add(struct model *m)
{
	unsigned level = 1 + (unsigned)rng_below(3);
	uint64_t size = 1ULL << (12 + 9 * (level - 1));
	uint64_t va = random_va(m->levels) & ~(size - 1);
	uint64_t pa = (rng_next() & ((1ULL << RAND_MAXPHYADDR) - 1)) & ~(size - 1);
	uint64_t table = m->root, leaf;
	struct region *r = &m->r[m->n];
	static const uint64_t reserved_bits[] = { 1ULL << 51, 1ULL << RAND_MAXPHYADDR };

	for (size_t i = 0; i < m->n; i++)
		if (va < m->r[i].va + m->r[i].size && m->r[i].va < va + size)
			return;
	*r = (struct region){ .va = va, .size = size, .pa = pa, .path_rw = true, .path_us = true };
	for (unsigned l = m->levels; l > level; l--) {
		uint64_t slot = table + index_at(va, l) * 8, e = get64(slot);

		if (!(e & P)) {
			e = new_page() | P | (rng_below(4) ? RW : 0) | (rng_below(4) ? US : 0);
			put64(slot, e);
		}
		if (e & PS)
			return; /* a large leaf covers this range */
		r->path_rw &= !!(e & RW);
		r->path_us &= !!(e & US);
		table = e & ADDR_MASK;
	}
	if (get64(table + index_at(va, level) * 8) & P)
		return; /* a table hangs here: smaller mappings below */
	leaf = P | (rng_below(3) ? RW : 0) | (rng_below(3) ? US : 0) | (rng_below(3) ? 0 : XD);
	r->leaf = leaf;
	if (rng_below(16) == 0) {
		leaf |= reserved_bits[rng_below(2)] | (level > 1 ? 1ULL << 13 : 0);
		r->reserved = true;
	}
	put64(table + index_at(va, level) * 8, leaf | pa | (level > 1 ? PS : 0));
	m->n++;
}

/* The #PF error code the SDM's tables give, or -1 when the access is allowed. */
static int64_t reference_fault(const struct region *r, const struct guest_paging *p,
			       unsigned access, uint32_t base_code)
{
	bool user = access & U, write = access & W, fetch = access & X;
	bool nxe = p->efer & T_EFER_NXE;
	bool rw = r->path_rw && (r->leaf & RW), us = r->path_us && (r->leaf & US);
	bool xd = nxe && (r->leaf & XD);
	bool allowed;

	if (r->reserved || (!nxe && (r->leaf & XD)))
		return (int64_t)(base_code | PF_ERR_P | PF_ERR_RSVD);
	if (user)
		allowed = us && (!write || rw) && !(fetch && xd);
	else if (fetch)
		allowed = !xd && !(us && (p->cr4 & T_CR4_SMEP));
	else
		allowed = (!write || rw || !(p->cr0 & T_CR0_WP)) &&
			  !(us && (p->cr4 & T_CR4_SMAP) && !(access & AC));
	return allowed ? -1 : (int64_t)(base_code | PF_ERR_P);
}

static void random_run(unsigned levels, uint64_t seed)
{
	struct model *m = calloc(1, sizeof(*m));
	unsigned long ok = 0, not_present = 0, protection = 0, reserved = 0;
	static const unsigned kinds[] = { 0, W, X, U, U | W, U | X, AC, W | AC };

	assert_non_null(m);
	rng_seed(seed);
	m->levels = levels;
	m->root = new_page();
	for (int i = 0; i < RAND_MAPPINGS * 4 && m->n < RAND_MAPPINGS; i++)
		model_add(m);

	for (long q = 0; q < RAND_QUERIES; q++) {
		struct guest_paging p = {
			.cr0 = T_CR0_PG | (rng_below(2) ? T_CR0_WP : 0),
			.cr3 = m->root,
			.cr4 = T_CR4_PAE | (levels == 5 ? T_CR4_LA57 : 0) |
			       (rng_below(2) ? T_CR4_SMEP : 0) | (rng_below(2) ? T_CR4_SMAP : 0),
			.efer = T_EFER_LMA | (rng_below(4) ? T_EFER_NXE : 0),
			.maxphyaddr = RAND_MAXPHYADDR,
		};
		unsigned access = kinds[rng_below(ARRAY_SIZE(kinds))];
		const struct region *hit = &m->r[rng_below(m->n)];
		uint64_t va;
		uint32_t base_code;
		int64_t want;
		struct walk_result got;

		switch (rng_below(4)) {
		case 0: va = hit->va; break;
		case 1: va = hit->va + hit->size - 1; break;
		case 2: va = hit->va + rng_below(hit->size); break;
		default: va = random_va(levels) | rng_below(PAGE_SIZE); break;
		}
		hit = model_find(m, va);
		base_code = ((access & W) ? PF_ERR_W : 0) | ((access & U) ? PF_ERR_U : 0) |
			    ((access & X) && ((p.efer & T_EFER_NXE) || (p.cr4 & T_CR4_SMEP)) ?
			     PF_ERR_ID : 0);
		want = hit ? reference_fault(hit, &p, access, base_code) : (int64_t)base_code;
		got = walk(&p, va, access);
		if (want < 0) {
			if (got.err != 0 || got.gpa != hit->pa + (va - hit->va))
				fail_msg("seed %#llx va %#llx access %#x: err %d gpa %#llx, want %#llx",
					 (unsigned long long)seed, (unsigned long long)va, access,
					 got.err, (unsigned long long)got.gpa,
					 (unsigned long long)(hit->pa + (va - hit->va)));
			ok++;
		} else {
			if (got.err != -E_FAULT || got.ec != (uint32_t)want)
				fail_msg("seed %#llx va %#llx access %#x: err %d ec %#x, want #PF %#x",
					 (unsigned long long)seed, (unsigned long long)va, access,
					 got.err, got.ec, (unsigned)want);
			if (!hit)
				not_present++;
			else if (want & PF_ERR_RSVD)
				reserved++;
			else
				protection++;
		}
	}
	print_message("%u-level seed %#llx: %zu mappings, %zu table pages; %lu translated, "
		      "%lu not present, %lu protection, %lu reserved-bit faults\n",
		      levels, (unsigned long long)seed, m->n, mem.used, ok, not_present,
		      protection, reserved);
	assert_true(ok > 0 && not_present > 0 && protection > 0 && reserved > 0);
	free(m);
}

static void test_random_4level(void **state)
{
	(void)state;
	random_run(4, 0x9a9e0004);
}

static void test_random_5level(void **state)
{
	(void)state;
	random_run(5, 0x9a9e0005);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_paging_off, setup),
		cmocka_unit_test_setup(test_32bit, setup),
		cmocka_unit_test_setup(test_pae, setup),
		cmocka_unit_test_setup(test_4level, setup),
		cmocka_unit_test_setup(test_5level, setup),
		cmocka_unit_test_setup(test_bad_arguments, setup),
		cmocka_unit_test_setup(test_random_4level, setup),
		cmocka_unit_test_setup(test_random_5level, setup),
	};

	return cmocka_run_group_tests(tests, NULL, teardown_all);
}

/*
 * Guest page-table walker (see include/plinth/guest_walk.h). One loop walks
 * the 8-byte-entry formats (PAE, 4-level, 5-level); 32-bit paging, with its
 * 4-byte entries and PSE-36 large pages, has its own short path.
 */
#include <plinth/errno.h>
#include <plinth/guest_walk.h>

/* Control bits the walk depends on (SDM vol. 3A 2.5, 4.1). */
#define GW_CR0_WP (1ULL << 16)
#define GW_CR0_PG (1ULL << 31)
#define GW_CR4_PSE (1ULL << 4)
#define GW_CR4_PAE (1ULL << 5)
#define GW_CR4_LA57 (1ULL << 12)
#define GW_CR4_SMEP (1ULL << 20)
#define GW_CR4_SMAP (1ULL << 21)
#define GW_EFER_LMA (1ULL << 10)
#define GW_EFER_NXE (1ULL << 11)

/* Paging-structure entry bits. */
#define GW_P (1ULL << 0)
#define GW_RW (1ULL << 1)
#define GW_US (1ULL << 2)
#define GW_PS (1ULL << 7)
#define GW_XD (1ULL << 63)

#define GW_ACCESS_ALL (STAGE2_READ | GUEST_ACCESS_WRITE | GUEST_ACCESS_EXEC | \
		       GUEST_ACCESS_USER | GUEST_ACCESS_AC)

struct walk {
	const struct guest_paging *p;
	unsigned access;
	gpa_read_fn read;
	void *ctx;
	unsigned maxphyaddr;
	uint64_t phys_mask;  /* bits maxphyaddr-1 .. 0 */
	bool nx;             /* XD bits count: EFER.NXE with PAE-format entries */
	/* Rights so far: AND of R/W and U/S, and no XD, over the levels used. */
	bool writable, user, executable;
	uint32_t *error;
};

/* Bits lo..hi, inclusive; 0 when lo > hi. */
static uint64_t bit_range(unsigned lo, unsigned hi)
{
	if (lo > hi)
		return 0;
	return (~0ULL >> (63 - hi)) & ~((1ULL << lo) - 1);
}

static int fault(struct walk *w, uint32_t kind)
{
	bool fetch = w->access & GUEST_ACCESS_EXEC;
	uint32_t code = kind;

	if (w->access & GUEST_ACCESS_WRITE)
		code |= PF_ERR_W;
	if (w->access & GUEST_ACCESS_USER)
		code |= PF_ERR_U;
	/* I/D is reported only when fetches can fault on their own (4.7). */
	if (fetch && (w->nx || (w->p->cr4 & GW_CR4_SMEP)))
		code |= PF_ERR_ID;
	*w->error = code;
	return -E_FAULT;
}

static void accumulate_rights(struct walk *w, uint64_t entry)
{
	w->writable = w->writable && (entry & GW_RW);
	w->user = w->user && (entry & GW_US);
	if (w->nx && (entry & GW_XD))
		w->executable = false;
}

/* SDM vol. 3A 4.6: the rights of the whole walk against the access. */
static int check_rights(struct walk *w)
{
	const struct guest_paging *p = w->p;
	bool write = w->access & GUEST_ACCESS_WRITE;
	bool fetch = w->access & GUEST_ACCESS_EXEC;
	bool ok;

	if (w->access & GUEST_ACCESS_USER) {
		ok = w->user && (!write || w->writable);
	} else {
		ok = !write || w->writable || !(p->cr0 & GW_CR0_WP);
		if (w->user && fetch && (p->cr4 & GW_CR4_SMEP))
			ok = false;
		if (w->user && !fetch && (p->cr4 & GW_CR4_SMAP) &&
		    !(w->access & GUEST_ACCESS_AC))
			ok = false;
	}
	if (fetch && !w->executable)
		ok = false;
	return ok ? 0 : fault(w, PF_ERR_P);
}

static int read_entry(struct walk *w, uint64_t gpa, uint64_t *entry)
{
	return w->read(w->ctx, gpa, entry) ? -E_RANGE : 0;
}

/* 32-bit paging: 4-byte entries, 4 MiB pages with CR4.PSE (PSE-36). */
static int walk_32bit(struct walk *w, uint32_t gva, uint64_t *gpa)
{
	unsigned pa_bits = MIN(w->maxphyaddr, 40u); /* PSE-36 reaches 40 bits */
	uint64_t pde, pte, addr;
	int err;

	addr = (w->p->cr3 & 0xFFFFF000ULL) + (gva >> 22) * 4;
	if ((err = read_entry(w, addr & ~7ULL, &pde)))
		return err;
	pde = (uint32_t)(pde >> (8 * (addr & 4)));
	if (!(pde & GW_P))
		return fault(w, 0);
	accumulate_rights(w, pde);
	if ((pde & GW_PS) && (w->p->cr4 & GW_CR4_PSE)) {
		/* bits 20:13 hold physical address bits 39:32; bit 21 is reserved */
		if (pde & bit_range(13 + pa_bits - 32, 21))
			return fault(w, PF_ERR_P | PF_ERR_RSVD);
		*gpa = (pde & 0xFFC00000ULL) | (((pde >> 13) & 0xFF) << 32) |
		       (gva & 0x3FFFFF);
		return check_rights(w);
	}

	addr = (pde & 0xFFFFF000ULL) + ((gva >> 12) & 1023) * 4;
	if ((err = read_entry(w, addr & ~7ULL, &pte)))
		return err;
	pte = (uint32_t)(pte >> (8 * (addr & 4)));
	if (!(pte & GW_P))
		return fault(w, 0);
	accumulate_rights(w, pte);
	*gpa = (pte & 0xFFFFF000ULL) | (gva & 0xFFF);
	return check_rights(w);
}

/*
 * 8-byte entries from `top` (2 for PAE's page directory, 4 or 5 in long
 * mode) down to the leaf. `upper_reserved` is bits 62:M for PAE, 51:M in
 * long mode (where 62:52 are ignored).
 */
static int walk_8byte(struct walk *w, uint64_t table, uint64_t gva,
		      unsigned top, uint64_t upper_reserved, uint64_t *gpa)
{
	for (unsigned level = top; level >= 1; level--) {
		unsigned shift = 12 + 9 * (level - 1);
		uint64_t entry, reserved = upper_reserved;
		bool leaf;
		int err;

		if ((err = read_entry(w, table + ((gva >> shift) & 511) * 8, &entry)))
			return err;
		if (!(entry & GW_P))
			return fault(w, 0);
		if (!w->nx)
			reserved |= GW_XD;
		leaf = level == 1 || (level <= 3 && (entry & GW_PS));
		if (level >= 4 || (level == 3 && w->p->no_1g_pages))
			reserved |= GW_PS; /* no large pages at this level */
		else if (leaf && level > 1)
			reserved |= bit_range(13, shift - 1); /* below the frame, above PAT */
		if (entry & reserved)
			return fault(w, PF_ERR_P | PF_ERR_RSVD);
		accumulate_rights(w, entry);
		if (leaf) {
			uint64_t offset = (1ULL << shift) - 1;

			*gpa = (entry & w->phys_mask & ~offset) | (gva & offset);
			return check_rights(w);
		}
		table = entry & w->phys_mask & ~0xFFFULL;
	}
	return -E_INVAL; /* not reached: level 1 is always a leaf */
}

/* PAE: four PDPTEs at CR3[31:5]; they carry no access rights. */
static int walk_pae(struct walk *w, uint32_t gva, uint64_t *gpa)
{
	uint64_t pdpte;
	int err;

	if ((err = read_entry(w, (w->p->cr3 & 0xFFFFFFE0ULL) + (gva >> 30) * 8, &pdpte)))
		return err;
	if (!(pdpte & GW_P))
		return fault(w, 0);
	if (pdpte & (bit_range(w->maxphyaddr, 63) | bit_range(5, 8) | bit_range(1, 2)))
		return fault(w, PF_ERR_P | PF_ERR_RSVD);
	return walk_8byte(w, pdpte & w->phys_mask & ~0xFFFULL, gva, 2,
			  bit_range(w->maxphyaddr, 62), gpa);
}

static bool canonical(uint64_t va, unsigned bits)
{
	int64_t sign_extended = (int64_t)(va << (64 - bits)) >> (64 - bits);

	return (uint64_t)sign_extended == va;
}

int guest_virt_to_phys(const struct guest_paging *p, uint64_t gva,
		       unsigned access, gpa_read_fn read, void *ctx,
		       uint64_t *gpa, uint32_t *pf_error_code)
{
	struct walk w = {
		.p = p, .access = access, .read = read, .ctx = ctx,
		.maxphyaddr = p->maxphyaddr ? p->maxphyaddr : 52,
		.writable = true, .user = true, .executable = true,
		.error = pf_error_code,
	};
	bool long_mode = p->efer & GW_EFER_LMA;

	*pf_error_code = 0;
	if ((access & ~GW_ACCESS_ALL) ||
	    ((access & GUEST_ACCESS_WRITE) && (access & GUEST_ACCESS_EXEC)))
		return -E_INVAL;
	if (w.maxphyaddr < 32 || w.maxphyaddr > 52)
		return -E_INVAL;
	w.phys_mask = bit_range(0, w.maxphyaddr - 1);

	if (!(p->cr0 & GW_CR0_PG)) {
		if (long_mode || gva >> 32)
			return -E_INVAL;
		*gpa = gva; /* linear addresses are physical */
		return 0;
	}
	if (!(p->cr4 & GW_CR4_PAE)) {
		if (long_mode || gva >> 32)
			return -E_INVAL;
		return walk_32bit(&w, (uint32_t)gva, gpa);
	}
	w.nx = p->efer & GW_EFER_NXE;
	if (!long_mode) {
		if (gva >> 32)
			return -E_INVAL;
		return walk_pae(&w, (uint32_t)gva, gpa);
	}
	if (p->cr4 & GW_CR4_LA57) {
		if (!canonical(gva, 57))
			return -E_INVAL;
		return walk_8byte(&w, p->cr3 & w.phys_mask & ~0xFFFULL, gva, 5,
				  bit_range(w.maxphyaddr, 51), gpa);
	}
	if (!canonical(gva, 48))
		return -E_INVAL;
	return walk_8byte(&w, p->cr3 & w.phys_mask & ~0xFFFULL, gva, 4,
			  bit_range(w.maxphyaddr, 51), gpa);
}

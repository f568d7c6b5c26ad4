/*
 * Why VM entry refused the guest state (exit reason 33). The CPU names no
 * field, so this repeats a few of the checks of SDM vol. 3C, 27.3.1
 * ("Checks on the Guest State Area"; 26.3.1 in older editions) on the values
 * that were entered and names the first that fails. A diagnostic only:
 * NULL means none of these checks fired. Pure.
 */
#include "vmcs_fields.h"
#include "vmx.h"

#define CR0_PE (1ULL << 0)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define RFLAGS_FIXED1 (1ULL << 1)
#define RFLAGS_IF (1ULL << 9)
#define RFLAGS_VM (1ULL << 17)
/* Bits 63:22, 15, 5 and 3 are reserved. */
#define RFLAGS_RESERVED (~0ULL << 22 | 1ULL << 15 | 1ULL << 5 | 1ULL << 3)

#define AR_TYPE(ar) ((ar) & 0xFu)
#define AR_S (1u << 4)
#define AR_DPL(ar) (((ar) >> 5) & 3u)
#define AR_P (1u << 7)
#define AR_L (1u << 13)
#define AR_DB (1u << 14)
#define AR_G (1u << 15)

static const char *check_controls_regs(const struct vmx_guest_check *g,
				       const struct vmx_features *f)
{
	bool ia32e = g->entry_controls & ENTRY_IA32E_GUEST;
	uint64_t cr0_fixed0 = f->cr0_fixed0;

	if (g->proc2 & PROC2_UNRESTRICTED_GUEST)
		cr0_fixed0 &= ~(CR0_PE | CR0_PG);
	if ((g->cr0 & cr0_fixed0) != cr0_fixed0)
		return "guest CR0 lacks a bit IA32_VMX_CR0_FIXED0 requires";
	if (g->cr0 & ~f->cr0_fixed1)
		return "guest CR0 has a bit set that IA32_VMX_CR0_FIXED1 forbids";
	if ((g->cr0 & CR0_PG) && !(g->cr0 & CR0_PE))
		return "guest CR0.PG is set without CR0.PE";
	if ((g->cr4 & f->cr4_fixed0) != f->cr4_fixed0)
		return "guest CR4 lacks a bit IA32_VMX_CR4_FIXED0 requires (CR4.VMXE)";
	if (g->cr4 & ~f->cr4_fixed1)
		return "guest CR4 has a bit set that IA32_VMX_CR4_FIXED1 forbids";
	if (ia32e && !(g->cr0 & CR0_PG))
		return "IA-32e mode guest with CR0.PG clear";
	if (ia32e && !(g->cr4 & CR4_PAE))
		return "IA-32e mode guest with CR4.PAE clear";
	if (g->entry_controls & ENTRY_LOAD_EFER) {
		if (!(g->efer & EFER_LMA) != !ia32e)
			return "guest EFER.LMA differs from the 'IA-32e mode guest' entry control";
		if ((g->cr0 & CR0_PG) && !(g->efer & EFER_LMA) != !(g->efer & EFER_LME))
			return "guest CR0.PG is set and EFER.LME differs from EFER.LMA";
	}
	if (g->link_pointer != ~0ULL)
		return "the VMCS link pointer is not all ones";
	return NULL;
}

static const char *check_rflags(const struct vmx_guest_check *g)
{
	if (!(g->rflags & RFLAGS_FIXED1) || (g->rflags & RFLAGS_RESERVED))
		return "guest RFLAGS: bit 1 clear or a reserved bit set";
	if ((g->rflags & RFLAGS_VM) &&
	    ((g->entry_controls & ENTRY_IA32E_GUEST) || !(g->cr0 & CR0_PE)))
		return "guest RFLAGS.VM set in IA-32e mode or with CR0.PE clear";
	if ((g->interruptibility & INTERRUPTIBILITY_STI) && !(g->rflags & RFLAGS_IF))
		return "blocking by STI while guest RFLAGS.IF is clear";
	if ((g->entry_info & INTR_INFO_VALID) &&
	    ((g->entry_info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) == INTR_TYPE_EXTINT &&
	    (g->interruptibility & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
		return "an external interrupt is injected during blocking by STI or MOV SS";
	return NULL;
}

/* The limit and G must agree: G=1 needs limit[11:0] all ones, G=0 needs limit[31:20] zero. */
static bool limit_fits_g(const struct vmx_seg_state *s)
{
	if ((s->limit & 0xFFFu) != 0xFFFu && (s->ar & AR_G))
		return false;
	if ((s->limit >> 20) && !(s->ar & AR_G))
		return false;
	return true;
}

static const char *check_segments(const struct vmx_guest_check *g)
{
	const struct vmx_seg_state *cs = &g->seg[SEG_CS], *ss = &g->seg[SEG_SS], *tr = &g->seg[SEG_TR];
	bool unrestricted = g->proc2 & PROC2_UNRESTRICTED_GUEST;
	bool ia32e = g->entry_controls & ENTRY_IA32E_GUEST;
	unsigned cs_type = AR_TYPE(cs->ar);

	if (g->rflags & RFLAGS_VM)
		return NULL; /* virtual-8086 segments follow other rules; not checked here */
	if (!(cs_type == 9 || cs_type == 11 || cs_type == 13 || cs_type == 15 ||
	      (unrestricted && cs_type == 3)))
		return "guest CS type is not an accessed code segment";
	if (!(cs->ar & AR_S) || !(cs->ar & AR_P) || (cs->ar & VMX_AR_UNUSABLE))
		return "guest CS is not a present code/data segment";
	if (ia32e && (cs->ar & AR_L) && (cs->ar & AR_DB))
		return "guest CS.L and CS.D are both set in IA-32e mode";
	if (!(ss->ar & VMX_AR_UNUSABLE) && AR_TYPE(ss->ar) != 3 && AR_TYPE(ss->ar) != 7)
		return "guest SS type is not a read/write accessed data segment";
	if (!(g->cr0 & CR0_PE) && !(ss->ar & VMX_AR_UNUSABLE) && AR_DPL(ss->ar) != 0)
		return "guest SS.DPL is not 0 with CR0.PE clear";
	if (tr->ar & VMX_AR_UNUSABLE)
		return "guest TR is unusable";
	if (!(AR_TYPE(tr->ar) == 11 || (!ia32e && AR_TYPE(tr->ar) == 3)))
		return "guest TR type is not a busy TSS (11, or 3 outside IA-32e mode)";
	if ((tr->ar & AR_S) || !(tr->ar & AR_P) || (tr->selector & 4))
		return "guest TR: S set, not present, or selector in the LDT";
	for (unsigned i = 0; i < ARRAY_SIZE(g->seg); i++)
		if (!(g->seg[i].ar & VMX_AR_UNUSABLE) && !limit_fits_g(&g->seg[i]))
			return "a guest segment limit does not match its G bit";
	return NULL;
}

const char *vmx_check_guest(const struct vmx_guest_check *g, const struct vmx_features *f)
{
	const char *why = check_controls_regs(g, f);

	if (!why)
		why = check_rflags(g);
	if (!why)
		why = check_segments(g);
	return why;
}

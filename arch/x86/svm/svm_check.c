/*
 * Why VMRUN answered VMEXIT_INVALID. The CPU does not say, so this repeats
 * the consistency checks of APM vol. 2, 15.5.1 (and the event-injection rules
 * of 15.20) on the VMCB and names the first one that fails. Only a
 * diagnostic: a NULL answer means "none of the checks we know fired".
 * Reserved-bit masks are the architectural ones, not this CPU's.
 */
#define LOG_TAG "svm"
#include <plinth/log.h>

#include "svm.h"

#define CR0_PE (1ULL << 0)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)
#define CR3_MBZ (0xFFFULL << 52)
#define CR4_PAE (1ULL << 5)
/* VME..UMIP, LA57, FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP, PKE, CET. */
#define CR4_DEFINED (0x1FFFULL | 0x7ULL << 16 | 0xFULL << 20)
/* SCE, LME, LMA, NXE, SVME, LMSLE, FFXSR, TCE, MCOMMIT, INTWB, UAIEN, AIBRSE. */
#define EFER_DEFINED (1ULL << 0 | 1ULL << 8 | 0x3FULL << 10 | 3ULL << 17 | 3ULL << 20)

static const char *check_event(uint64_t ev)
{
	unsigned vector = (unsigned)(ev & VMCB_EVENT_VECTOR_MASK);

	if (!(ev & VMCB_EVENT_V))
		return NULL;
	if (ev & VMCB_EVENT_RESERVED)
		return "EVENTINJ has reserved bits 30:12 set";
	switch (vmcb_event_type(ev)) {
	case VMCB_EVENT_TYPE_INTR:
	case VMCB_EVENT_TYPE_NMI:
	case VMCB_EVENT_TYPE_SOFTINT:
		return NULL;
	case VMCB_EVENT_TYPE_EXCEPTION:
		if (vector == 2 || vector > 31)
			return "EVENTINJ injects an exception with vector 2 or above 31";
		return NULL;
	default:
		return "EVENTINJ has a reserved event type";
	}
}

const char *svm_check_vmcb(const struct vmcb *vmcb, const struct svm_features *f)
{
	const struct vmcb_save *s = &vmcb->save;
	const struct vmcb_control *c = &vmcb->control;
	bool long_paging = (s->efer & SVM_EFER_LME) && (s->cr0 & CR0_PG);
	uint8_t tlb = c->tlb_control;

	if (!(s->efer & SVM_EFER_SVME))
		return "EFER.SVME is clear";
	if (!(s->cr0 & CR0_CD) && (s->cr0 & CR0_NW))
		return "CR0.NW is set while CR0.CD is clear";
	if (s->cr0 >> 32)
		return "CR0[63:32] is not zero";
	if (s->cr3 & CR3_MBZ)
		return "CR3 has must-be-zero bits set";
	if (s->cr4 & ~CR4_DEFINED)
		return "CR4 has reserved bits set";
	if (s->dr6 >> 32)
		return "DR6[63:32] is not zero";
	if (s->dr7 >> 32)
		return "DR7[63:32] is not zero";
	if (s->efer & ~EFER_DEFINED)
		return "EFER has reserved bits set";
	if (long_paging && !(s->cr4 & CR4_PAE))
		return "EFER.LME and CR0.PG are set but CR4.PAE is clear";
	if (long_paging && !(s->cr0 & CR0_PE))
		return "EFER.LME and CR0.PG are set but CR0.PE is clear";
	if (long_paging && (s->cr4 & CR4_PAE) && (s->cs.attr & SEG_ATTR_L) &&
	    (s->cs.attr & SEG_ATTR_DB))
		return "long mode with both CS.L and CS.D set";
	if (!(c->intercept_misc2 & VMCB_I2_VMRUN))
		return "the VMRUN intercept is clear";
	if (c->asid == 0)
		return "ASID 0 (the host's)";
	if (f->nasid && c->asid >= f->nasid)
		return "ASID beyond the CPU's number of ASIDs";
	if (tlb != VMCB_TLB_NONE && tlb != VMCB_TLB_FLUSH_ALL && tlb != VMCB_TLB_FLUSH_ASID &&
	    tlb != VMCB_TLB_FLUSH_ASID_NONGLOBAL)
		return "TLB_CONTROL has a reserved value";
	if ((tlb == VMCB_TLB_FLUSH_ASID || tlb == VMCB_TLB_FLUSH_ASID_NONGLOBAL) && !f->flush_by_asid)
		return "TLB_CONTROL flushes by ASID, which this CPU lacks";
	return check_event(c->eventinj);
}

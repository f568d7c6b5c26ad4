/*
 * Guest control registers and segments, read from and written to the VMCB
 * save area. The guest never sees EFER.SVME: VMRUN needs it set in the
 * guest's EFER, so reads hide it and writes keep it on.
 */
#define LOG_TAG "svm"
#include <plinth/errno.h>
#include <plinth/log.h>

#include "svm.h"

#define CR0_ET (1ULL << 4)
#define CR0_PE (1ULL << 0)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)
#define CR3_MBZ (0xFFFULL << 52)
/* VME..UMIP, LA57, FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP, PKE, CET. */
#define CR4_DEFINED (0x1FFFULL | 0x7ULL << 16 | 0xFULL << 20)
#define EFER_WRITABLE (SVM_EFER_SCE | SVM_EFER_LME | SVM_EFER_NXE | SVM_EFER_SVME | \
		       (1ULL << 13) | (1ULL << 14) | (1ULL << 15)) /* LMSLE, FFXSR, TCE */

/* Every PAT entry must be a memory type: UC, WC, WT, WP, WB or UC- (not 2, 3, 8+). */
static bool pat_valid(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		uint8_t type = (uint8_t)(pat >> (8 * i));
		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

uint64_t svm_creg_read(struct vcpu *v, enum vcpu_creg reg)
{
	const struct vmcb_save *s = &to_svm(v)->vmcb->save;

	switch (reg) {
	case VCPU_CR0: return s->cr0;
	case VCPU_CR2: return s->cr2;
	case VCPU_CR3: return s->cr3;
	case VCPU_CR4: return s->cr4;
	case VCPU_EFER: return s->efer & ~SVM_EFER_SVME;
	case VCPU_PAT: return s->g_pat;
	case VCPU_TSC_OFFSET: return to_svm(v)->vmcb->control.tsc_offset;
	case VCPU_CREG_COUNT: break;
	}
	return 0;
}

int svm_creg_write(struct vcpu *v, enum vcpu_creg reg, uint64_t value)
{
	struct vmcb_save *s = &to_svm(v)->vmcb->save;

	if (reg == VCPU_TSC_OFFSET) {
		to_svm(v)->vmcb->control.tsc_offset = value;
		return 0;
	}
	/* Like MOV CR3 on hardware, a paging change drops the guest's cached translations. */
	if (reg != VCPU_CR2)
		to_svm(v)->flush_pending = true;

	switch (reg) {
	case VCPU_CR0:
		/* The illegal combinations MOV CR0 would #GP on (and VMRUN refuse). */
		if ((value >> 32) || ((value & CR0_NW) && !(value & CR0_CD)) ||
		    ((value & CR0_PG) && !(value & CR0_PE)))
			return -E_INVAL;
		s->cr0 = value | CR0_ET; /* ET is hardwired to 1 */
		return 0;
	case VCPU_CR2:
		s->cr2 = value;
		return 0;
	case VCPU_CR3:
		if (value & CR3_MBZ)
			return -E_INVAL;
		s->cr3 = value;
		return 0;
	case VCPU_CR4:
		if (value & ~CR4_DEFINED)
			return -E_INVAL;
		s->cr4 = value;
		return 0;
	case VCPU_EFER:
		/* LMA is the CPU's (read-only, as for WRMSR); SVME must stay on. */
		if (value & ~(EFER_WRITABLE | SVM_EFER_LMA))
			return -E_INVAL;
		/* LME cannot change while paging is on (#GP on hardware). */
		if (((value ^ s->efer) & SVM_EFER_LME) && (s->cr0 & CR0_PG))
			return -E_INVAL;
		s->efer = (value & ~SVM_EFER_LMA) | (s->efer & SVM_EFER_LMA) | SVM_EFER_SVME;
		return 0;
	case VCPU_PAT:
		if (!pat_valid(value))
			return -E_INVAL;
		s->g_pat = value; /* G_PAT: the guest's PAT under nested paging */
		return 0;
	case VCPU_TSC_OFFSET:
	case VCPU_CREG_COUNT:
		break;
	}
	return -E_INVAL;
}

static const struct vmcb_seg *vmcb_seg(const struct vmcb_save *s, enum vcpu_seg seg)
{
	switch (seg) {
	case SEG_ES: return &s->es;
	case SEG_CS: return &s->cs;
	case SEG_SS: return &s->ss;
	case SEG_DS: return &s->ds;
	case SEG_FS: return &s->fs;
	case SEG_GS: return &s->gs;
	case SEG_LDTR: return &s->ldtr;
	case SEG_TR: return &s->tr;
	case SEG_GDTR: return &s->gdtr;
	case SEG_IDTR: return &s->idtr;
	case SEG_COUNT: break;
	}
	return NULL;
}

void svm_seg_read(struct vcpu *v, enum vcpu_seg seg, struct segment *out)
{
	const struct vmcb_seg *s = vmcb_seg(&to_svm(v)->vmcb->save, seg);

	if (!s) {
		*out = (struct segment){ 0 };
		return;
	}
	/* The VMCB keeps attributes in the same packed 12-bit form as struct segment. */
	out->selector = s->selector;
	out->attr = s->attr;
	out->limit = s->limit;
	out->base = s->base;
}

/*
 * Guest control registers and segments through the VMCS. CR0 and CR4 are
 * what the guest believes (read shadow for the host-owned bits, the real
 * register for the rest); the real registers always carry the bits VMX
 * requires. EFER.LMA follows LME and CR0.PG as on MOV CR0, and the
 * "IA-32e mode guest" entry control follows LMA (vmx_run.c). CR2 has no
 * VMCS field: it is kept here and moved in and out around each entry.
 */
#define LOG_TAG "vmx"
#include <plinth/errno.h>
#include <plinth/log.h>

#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"

#define CR0_PE (1ULL << 0)
#define CR0_ET (1ULL << 4)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)
#define CR3_MBZ (0xFFFULL << 52)
#define CR4_VMXE (1ULL << 13)
/* VME..UMIP, LA57, FSGSBASE, PCIDE, OSXSAVE, SMEP, SMAP, PKE, CET. */
#define CR4_KNOWN (0x1FFFULL | 0x7ULL << 16 | 0xFULL << 20)
#define EFER_SCE (1ULL << 0)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)
#define EFER_NXE (1ULL << 11)

uint64_t vmx_cr0_actual(uint64_t guest_cr0)
{
	uint64_t need = vmx_features.cr0_fixed0;

	if (vmx_features.unrestricted)
		need &= ~(CR0_PE | CR0_PG);
	return (guest_cr0 | need) & vmx_features.cr0_fixed1;
}

uint64_t vmx_cr4_actual(uint64_t guest_cr4)
{
	return (guest_cr4 | vmx_features.cr4_fixed0) & vmx_features.cr4_fixed1;
}

/* The guest's view: owned bits from the shadow, the others from the register. */
static uint64_t guest_view(uint64_t field, uint64_t shadow_field, uint64_t mask)
{
	return (vmcs_read(field) & ~mask) | (vmcs_read(shadow_field) & mask);
}

uint64_t vmx_creg_read(struct vcpu *v, enum vcpu_creg reg)
{
	struct vmx_vcpu *xv = to_vmx(v);

	if (!vmx_make_current(xv))
		return 0;
	switch (reg) {
	case VCPU_CR0: return guest_view(VMCS_GUEST_CR0, VMCS_CR0_SHADOW, xv->cr0_mask);
	case VCPU_CR2: return xv->cr2;
	case VCPU_CR3: return vmcs_read(VMCS_GUEST_CR3);
	case VCPU_CR4: return guest_view(VMCS_GUEST_CR4, VMCS_CR4_SHADOW, xv->cr4_mask);
	case VCPU_EFER: return vmcs_read(VMCS_GUEST_EFER);
	case VCPU_PAT: return vmcs_read(VMCS_GUEST_PAT);
	case VCPU_TSC_OFFSET: return vmcs_read(VMCS_TSC_OFFSET);
	case VCPU_CREG_COUNT: break;
	}
	return 0;
}

/* Every PAT entry must be a memory type: 0, 1, 4, 5, 6 or 7. */
static bool pat_ok(uint64_t pat)
{
	for (unsigned shift = 0; shift < 64; shift += 8) {
		unsigned t = (unsigned)(pat >> shift) & 0xFF;
		if (t > 7 || t == 2 || t == 3)
			return false;
	}
	return true;
}

/* EFER.LMA as MOV CR0 / WRMSR EFER would leave it. */
static void update_lma(uint64_t cr0, uint64_t efer)
{
	bool lma = (efer & EFER_LME) && (cr0 & CR0_PG);

	vmcs_write(VMCS_GUEST_EFER, lma ? efer | EFER_LMA : efer & ~EFER_LMA);
}

static int write_cr0(uint64_t value)
{
	if ((value >> 32) || ((value & CR0_NW) && !(value & CR0_CD)) ||
	    ((value & CR0_PG) && !(value & CR0_PE)))
		return -E_INVAL;
	value |= CR0_ET;
	vmcs_write(VMCS_CR0_SHADOW, value);
	vmcs_write(VMCS_GUEST_CR0, vmx_cr0_actual(value));
	update_lma(value, vmcs_read(VMCS_GUEST_EFER));
	return 0;
}

static int write_cr4(uint64_t value)
{
	/* The guest never has VMX (CPUID hides it): CR4.VMXE is reserved for it. */
	if ((value & ~CR4_KNOWN) || (value & CR4_VMXE) ||
	    (value & ~vmx_features.cr4_fixed1))
		return -E_INVAL;
	vmcs_write(VMCS_CR4_SHADOW, value);
	vmcs_write(VMCS_GUEST_CR4, vmx_cr4_actual(value));
	return 0;
}

static int write_efer(uint64_t value)
{
	uint64_t old = vmcs_read(VMCS_GUEST_EFER);
	uint64_t cr0 = vmcs_read(VMCS_GUEST_CR0);

	if (value & ~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
		return -E_INVAL;
	if (((value ^ old) & EFER_LME) && (cr0 & CR0_PG))
		return -E_INVAL; /* #GP on hardware */
	update_lma(cr0, value & ~EFER_LMA);
	return 0;
}

int vmx_creg_write(struct vcpu *v, enum vcpu_creg reg, uint64_t value)
{
	struct vmx_vcpu *xv = to_vmx(v);

	if (reg == VCPU_CR2) {
		xv->cr2 = value;
		return 0;
	}
	if (!vmx_make_current(xv))
		return -E_INVAL;
	if (reg == VCPU_TSC_OFFSET) {
		vmcs_write(VMCS_TSC_OFFSET, value);
		return 0;
	}
	/* Like MOV CR3 on hardware, a paging change drops the guest's cached translations. */
	xv->flush_pending = true;
	switch (reg) {
	case VCPU_CR0:
		return write_cr0(value);
	case VCPU_CR3:
		if (value & CR3_MBZ)
			return -E_INVAL;
		vmcs_write(VMCS_GUEST_CR3, value);
		return 0;
	case VCPU_CR4:
		return write_cr4(value);
	case VCPU_EFER:
		return write_efer(value);
	case VCPU_PAT:
		if (!pat_ok(value))
			return -E_INVAL;
		vmcs_write(VMCS_GUEST_PAT, value);
		return 0;
	case VCPU_CR2:
	case VCPU_TSC_OFFSET:
	case VCPU_CREG_COUNT:
		break;
	}
	return -E_INVAL;
}

void vmx_seg_read(struct vcpu *v, enum vcpu_seg seg, struct segment *out)
{
	unsigned i = (unsigned)seg;

	*out = (struct segment){ 0 };
	if (!vmx_make_current(to_vmx(v)))
		return;
	if (seg == SEG_GDTR || seg == SEG_IDTR) {
		bool gdt = seg == SEG_GDTR;
		out->base = vmcs_read(gdt ? VMCS_GUEST_GDTR_BASE : VMCS_GUEST_IDTR_BASE);
		out->limit = (uint32_t)vmcs_read(gdt ? VMCS_GUEST_GDTR_LIMIT : VMCS_GUEST_IDTR_LIMIT);
		return;
	}
	if (i > (unsigned)SEG_TR)
		return;
	out->selector = (uint16_t)vmcs_read(VMCS_GUEST_SEL_BASE + 2 * i);
	out->attr = vmx_attr_from_ar((uint32_t)vmcs_read(VMCS_GUEST_AR_BASE + 2 * i));
	out->limit = (uint32_t)vmcs_read(VMCS_GUEST_LIMIT_BASE + 2 * i);
	out->base = vmcs_read(VMCS_GUEST_SEGBASE_BASE + 2 * i);
}

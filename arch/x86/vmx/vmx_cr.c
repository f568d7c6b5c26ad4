/*
 * Control-register exits (SDM vol. 3C, 26.1.3 and 28.2.1, table 28-3): MOV
 * to CR0/CR4 that changes a bit the guest/host mask gives the host, and MOV
 * to/from CR3 on CPUs that force CR3 exiting. They are completed here with
 * the same rules as creg_write; an illegal value gets #GP(0). Core never
 * sees these exits (VMEXIT_NONE).
 */
#define LOG_TAG "vmx"
#include <plinth/log.h>
#include <plinth/x86_decode.h>

#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"

#define VECTOR_GP 13

static enum vcpu_creg creg_of(unsigned cr, bool *known)
{
	*known = true;
	switch (cr) {
	case 0: return VCPU_CR0;
	case 3: return VCPU_CR3;
	case 4: return VCPU_CR4;
	default: *known = false; return VCPU_CR0;
	}
}

void vmx_cr_access(struct vcpu *v, uint64_t qualification, uint32_t insn_len,
		   struct vm_exit *exit)
{
	unsigned cr = qualification & CR_QUAL_NUMBER_MASK;
	unsigned type = (qualification >> CR_QUAL_TYPE_SHIFT) & CR_QUAL_TYPE_MASK;
	uint64_t *reg = x86_gpr_ref(&v->regs, (int)((qualification >> CR_QUAL_GPR_SHIFT) & CR_QUAL_GPR_MASK));
	bool known;
	enum vcpu_creg which = creg_of(cr, &known);
	uint64_t value = *reg;

	exit->reason = VMEXIT_NONE;
	if (!known || (type != CR_ACCESS_MOV_TO && type != CR_ACCESS_MOV_FROM)) {
		/* LMSW and CLTS touch only PE, MP, EM, TS: never an owned bit here. */
		exit->reason = VMEXIT_UNKNOWN;
		return;
	}
	if (type == CR_ACCESS_MOV_FROM) {
		*reg = vmx_creg_read(v, which);
	} else {
		/* Outside 64-bit mode the upper half of the source is not used. */
		if (!(vmx_creg_read(v, VCPU_EFER) & (1ULL << 10)))
			value &= 0xFFFFFFFFULL;
		if (vmx_creg_write(v, which, value) != 0) {
			struct vcpu_event gp = { EVENT_EXCEPTION, VECTOR_GP, true, 0 };
			log_debug("vcpu %u: MOV to CR%u of %#llx: #GP", v->id, cr,
				  (unsigned long long)value);
			vmx_inject(v, &gp);
			return;
		}
	}
	v->regs.rip += insn_len;
}

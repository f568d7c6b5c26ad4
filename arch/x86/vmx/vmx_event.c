/*
 * Events into the guest (SDM vol. 3C, 27.6 "Event Injection" and 28.2.4
 * "Information for VM Exits During Event Delivery"): the VM-entry
 * interruption-information field for what core injects, the IDT-vectoring
 * information for an event whose delivery an exit interrupted, and
 * interrupt-window exiting as the window.
 *
 * Re-delivery: an interrupted event is injected again at the next entry
 * unless core injects something else first (core's wins). Software
 * interrupts and INT3/INTO/INT1 the guest executed itself are not: RIP still
 * points at the instruction, which simply runs again.
 */
#define LOG_TAG "vmx"
#include <plinth/errno.h>
#include <plinth/log.h>

#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"

#define RFLAGS_IF (1ULL << 9)
#define CR0_PE (1ULL << 0)
#define VECTOR_NMI 2
#define INFO_ID_MASK (INTR_INFO_VECTOR_MASK | INTR_INFO_TYPE_MASK | INTR_INFO_ERROR_VALID)
/* Bits 30:12 of an interruption-information field are reserved on entry. */
#define INFO_KEEP (INFO_ID_MASK | INTR_INFO_VALID)

static unsigned info_type(uint32_t info)
{
	return (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
}

/* Exceptions that push an error code in protected mode (SDM vol. 3A, 6.15). */
static bool pushes_error_code(unsigned vector)
{
	return vector == 8 || (vector >= 10 && vector <= 14) || vector == 17 || vector == 21 ||
	       vector == 29 || vector == 30;
}

/* The interruption type for an event, or -1 for one VM entry would refuse. */
static int entry_type(const struct vcpu_event *ev)
{
	if (ev->type == EVENT_EXTINT)
		return INTR_TYPE_EXTINT;
	if (ev->type == EVENT_NMI)
		return INTR_TYPE_NMI;
	if (ev->type == EVENT_EXCEPTION)
		return ev->vector == VECTOR_NMI || ev->vector > 31 ? -1 : (int)INTR_TYPE_HW_EXCEPTION;
	/* Core has moved RIP past INTn already: that needs a zero-length injection. */
	if (ev->type == EVENT_SOFTINT && (vmx_features.misc & VMX_MISC_ZERO_LEN_INJECT))
		return INTR_TYPE_SOFT_INT;
	return -1;
}

int vmx_inject(struct vcpu *v, const struct vcpu_event *ev)
{
	struct vmx_vcpu *xv = to_vmx(v);
	int type = entry_type(ev);
	uint32_t vector = type == INTR_TYPE_NMI ? VECTOR_NMI : ev->vector;
	bool with_error;

	if (xv->entry_info & INTR_INFO_VALID)
		return -E_BUSY;
	if (type < 0 || (ev->has_error_code && ev->type != EVENT_EXCEPTION))
		return -E_INVAL;
	/*
	 * VM entry insists that an error code is delivered exactly when the
	 * vector has one and the guest is in protected mode.
	 */
	with_error = type == INTR_TYPE_HW_EXCEPTION && pushes_error_code(vector) &&
		     (vmx_creg_read(v, VCPU_CR0) & CR0_PE);
	if (xv->redeliver & INTR_INFO_VALID) {
		log_debug("vcpu %u: injected event replaces interrupted event %#x", v->id,
			  xv->redeliver);
		xv->redeliver = 0;
	}
	xv->entry_info = vector | (uint32_t)type << INTR_INFO_TYPE_SHIFT | INTR_INFO_VALID |
			 (with_error ? INTR_INFO_ERROR_VALID : 0);
	xv->entry_error = with_error ? ev->error_code : 0;
	xv->entry_len = 0;
	return 0;
}

/* The STI / MOV SS shadow still holds: the guest has not moved since the exit. */
static bool in_shadow(struct vcpu *v)
{
	struct vmx_vcpu *xv = to_vmx(v);

	return (xv->interruptibility & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	       v->regs.rip == xv->exit_rip;
}

bool vmx_irq_ready(struct vcpu *v)
{
	struct vmx_vcpu *xv = to_vmx(v);

	if (!(v->regs.rflags & RFLAGS_IF) || in_shadow(v))
		return false;
	return !(xv->entry_info & INTR_INFO_VALID) && !(xv->redeliver & INTR_INFO_VALID);
}

void vmx_irq_window(struct vcpu *v, bool enable)
{
	struct vmx_vcpu *xv = to_vmx(v);

	if (enable)
		xv->proc |= PROC_IRQ_WINDOW_EXITING;
	else
		xv->proc &= ~PROC_IRQ_WINDOW_EXITING;
}

void vmx_event_before_entry(struct vcpu *v)
{
	struct vmx_vcpu *xv = to_vmx(v);

	if (!(xv->entry_info & INTR_INFO_VALID) && (xv->redeliver & INTR_INFO_VALID)) {
		xv->entry_info = xv->redeliver;
		xv->entry_error = xv->redeliver_error;
		xv->entry_len = xv->redeliver_len;
	}
	xv->redeliver = 0;
	/* Core completed the instruction that started a shadow: the shadow is over. */
	if (!in_shadow(v) && (xv->interruptibility & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))) {
		xv->interruptibility &= ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, xv->interruptibility);
	}
	vmcs_write(VMCS_PROC_CONTROLS, xv->proc);
	vmcs_write(VMCS_ENTRY_INTR_INFO, xv->entry_info);
	if (xv->entry_info & INTR_INFO_VALID) {
		vmcs_write(VMCS_ENTRY_ERROR_CODE, xv->entry_error);
		vmcs_write(VMCS_ENTRY_INSN_LEN, xv->entry_len);
	}
	xv->injected = xv->entry_info;
	xv->injected_error = xv->entry_error;
	xv->injected_len = xv->entry_len;
}

/* Whether the interrupted event must be delivered again. */
static bool must_redeliver(uint32_t info, uint32_t injected)
{
	unsigned type = info_type(info);
	bool ours = (injected & INTR_INFO_VALID) && !((info ^ injected) & INFO_ID_MASK);
	bool guest_insn = type == INTR_TYPE_SOFT_INT || type == INTR_TYPE_SOFT_EXCEPTION ||
			  type == INTR_TYPE_PRIV_SOFT_EXCEPTION;

	return ours || !guest_insn;
}

void vmx_event_after_exit(struct vcpu *v, const struct vm_exit *exit)
{
	struct vmx_vcpu *xv = to_vmx(v);
	uint32_t info;

	xv->interruptibility = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	/* A refused entry ran nothing: keep the event for the diagnostics. */
	if (exit->reason == VMEXIT_INVALID_STATE)
		return;
	/* Delivered, or in the IDT-vectoring information now. */
	xv->entry_info = 0;
	if (exit->reason == VMEXIT_IRQ_WINDOW)
		vmx_irq_window(v, false);
	info = (uint32_t)vmcs_read(VMCS_IDT_VECTORING_INFO);
	if ((info & INTR_INFO_VALID) && must_redeliver(info, xv->injected)) {
		xv->redeliver = info & INFO_KEEP;
		xv->redeliver_error = (info & INTR_INFO_ERROR_VALID)
					      ? (uint32_t)vmcs_read(VMCS_IDT_VECTORING_ERROR) : 0;
		xv->redeliver_len = info_type(info) == info_type(xv->injected) ? xv->injected_len : 0;
	}
	xv->injected = 0;
}

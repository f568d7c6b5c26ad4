/*
 * Events into the guest (APM vol. 2, 15.20-15.21): EVENTINJ for what core
 * injects, EXITINTINFO for an event whose delivery an exit interrupted, and
 * the virtual interrupt (V_IRQ + VINTR intercept) as the interrupt window.
 *
 * Re-delivery rule: when an exit interrupted the delivery of an event, that
 * event is delivered again at the next entry, unless core injects something
 * else before then (core's event wins; the interrupted one is dropped). Two
 * exceptions: the guest's own INTn / INT3 / INTO are not re-delivered, since
 * RIP still points at the instruction and it simply runs again (an injected
 * software event would need the instruction length to return past it).
 */
#define LOG_TAG "svm"
#include <plinth/errno.h>
#include <plinth/log.h>

#include "svm.h"

#define RFLAGS_IF (1ULL << 9)
#define VECTOR_NMI 2
#define VECTOR_BP 3
#define VECTOR_OF 4
/* Vector, type and error-code-valid: what identifies an event. */
#define EVENT_ID_MASK (VMCB_EVENT_VECTOR_MASK | VMCB_EVENT_TYPE_MASK | VMCB_EVENT_EV)

int svm_inject(struct vcpu *v, const struct vcpu_event *ev)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb_control *c = &sv->vmcb->control;
	uint64_t type, vector = ev->vector, e;

	if (c->eventinj & VMCB_EVENT_V)
		return -E_BUSY;
	switch (ev->type) {
	case EVENT_EXTINT:
		type = VMCB_EVENT_TYPE_INTR;
		break;
	case EVENT_NMI:
		type = VMCB_EVENT_TYPE_NMI;
		vector = VECTOR_NMI; /* ignored by the CPU for NMIs */
		break;
	case EVENT_EXCEPTION:
		/* VMRUN refuses exceptions with vector 2 (that is an NMI) or above 31. */
		if (ev->vector == VECTOR_NMI || ev->vector > 31)
			return -E_INVAL;
		type = VMCB_EVENT_TYPE_EXCEPTION;
		break;
	case EVENT_SOFTINT:
		type = VMCB_EVENT_TYPE_SOFTINT;
		break;
	default:
		return -E_INVAL;
	}
	if (ev->has_error_code && ev->type != EVENT_EXCEPTION)
		return -E_INVAL;
	e = vector | type << VMCB_EVENT_TYPE_SHIFT | VMCB_EVENT_V;
	if (ev->has_error_code)
		e |= VMCB_EVENT_EV | (uint64_t)ev->error_code << VMCB_EVENT_ERRCODE_SHIFT;
	if (sv->redeliver & VMCB_EVENT_V) {
		log_debug("vcpu %u: injected event %#llx replaces interrupted event %#llx", v->id,
			  (unsigned long long)e, (unsigned long long)sv->redeliver);
		sv->redeliver = 0;
	}
	c->eventinj = e;
	return 0;
}

bool svm_irq_ready(struct vcpu *v)
{
	struct svm_vcpu *sv = to_svm(v);
	const struct vmcb *vmcb = sv->vmcb;
	/* The shadow (after STI / MOV SS) ends once core has moved RIP past the instruction. */
	bool shadow = (vmcb->control.int_state & VMCB_INT_SHADOW) && v->regs.rip == vmcb->save.rip;

	if (!(v->regs.rflags & RFLAGS_IF) || shadow)
		return false;
	return !(vmcb->control.eventinj & VMCB_EVENT_V) && !(sv->redeliver & VMCB_EVENT_V);
}

/*
 * The window is a virtual interrupt that ignores the virtual TPR: the guest
 * "takes" it as soon as it could take a real one, and the VINTR intercept
 * turns that moment into an exit. Its vector is never delivered.
 */
static void set_window(struct vmcb_control *c, bool on)
{
	const uint32_t bits = VMCB_INT_V_IRQ | VMCB_INT_V_IGN_TPR | VMCB_INT_V_INTR_PRIO_MASK;

	if (on) {
		c->int_ctl |= bits;
		c->intercept_misc1 |= VMCB_I1_VINTR;
	} else {
		c->int_ctl &= ~bits;
		c->intercept_misc1 &= ~VMCB_I1_VINTR;
	}
}

void svm_irq_window(struct vcpu *v, bool enable)
{
	set_window(&to_svm(v)->vmcb->control, enable);
}

void svm_event_before_entry(struct svm_vcpu *sv)
{
	struct vmcb *vmcb = sv->vmcb;
	struct vmcb_control *c = &vmcb->control;

	if (!(c->eventinj & VMCB_EVENT_V) && (sv->redeliver & VMCB_EVENT_V))
		c->eventinj = sv->redeliver;
	sv->redeliver = 0;
	/*
	 * A software interrupt returns to the current RIP: TCG pushes RIP, a
	 * CPU with NRIP save pushes nRIP, so make the two agree. Core moves
	 * RIP past an INTn it emulates before injecting.
	 */
	if ((c->eventinj & VMCB_EVENT_V) && vmcb_event_type(c->eventinj) == VMCB_EVENT_TYPE_SOFTINT)
		c->next_rip = vmcb->save.rip;
	sv->injected = c->eventinj;
}

/* Whether the event in EXITINTINFO must be delivered again. */
static bool must_redeliver(uint64_t info, uint64_t injected)
{
	unsigned type = vmcb_event_type(info);
	unsigned vector = (unsigned)(info & VMCB_EVENT_VECTOR_MASK);
	bool ours = (injected & VMCB_EVENT_V) && !((info ^ injected) & EVENT_ID_MASK);
	bool guest_insn = type == VMCB_EVENT_TYPE_SOFTINT ||
			  (type == VMCB_EVENT_TYPE_EXCEPTION && (vector == VECTOR_BP || vector == VECTOR_OF));

	return ours || !guest_insn;
}

void svm_event_after_exit(struct svm_vcpu *sv, const struct vm_exit *exit)
{
	struct vmcb_control *c = &sv->vmcb->control;
	uint64_t info = c->exitintinfo;

	/* A refused entry ran nothing: leave EVENTINJ for the diagnostics. */
	if (exit->reason == VMEXIT_INVALID_STATE)
		return;
	/* The injected event was delivered, or it is in EXITINTINFO now. */
	c->eventinj = 0;
	if (exit->reason == VMEXIT_IRQ_WINDOW)
		set_window(c, false);
	if ((info & VMCB_EVENT_V) && must_redeliver(info, sv->injected))
		sv->redeliver = info & ~VMCB_EVENT_RESERVED;
	sv->injected = 0;
}

/*
 * One trip into the guest: v->regs and pending work (event, EPT/VPID flush,
 * the IA-32e mode control, CR2, lazy MSRs) into the VMCS and CPU, the world
 * switch (vmx_run.S), then the exit information out of the VMCS, decoded
 * (vmx_exit.c), with its side effects on events (vmx_event.c).
 */
#define LOG_TAG "vmx"
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/string.h>
#include <plinth/x86/cpu.h>

#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"

#define EFER_LMA (1ULL << 10)

/* vmx_run.S addresses struct vcpu_regs by hand: rax..rbp, then r8..r15, 8 bytes apart. */
_Static_assert(offsetof(struct vcpu_regs, rbx) == 8 && offsetof(struct vcpu_regs, rdi) == 40 &&
		       offsetof(struct vcpu_regs, rbp) == 48 && offsetof(struct vcpu_regs, r8) == 56 &&
		       offsetof(struct vcpu_regs, r15) == 112,
	       "struct vcpu_regs changed: update the slots in vmx_run.S");

/*
 * The preemption timer counts down once per 2^rate TSC ticks; 0 would exit
 * before the first guest instruction, so a spent budget still gets one count.
 */
static void arm_preemption_timer(const struct vcpu *v)
{
	unsigned rate = (unsigned)(vmx_features.misc & VMX_MISC_TIMER_RATE_MASK);
	uint64_t counts = v->run_budget_tsc ? v->run_budget_tsc >> rate : UINT32_MAX;

	if (vmx_controls.pin & PIN_PREEMPTION_TIMER)
		vmcs_write(VMCS_PREEMPT_TIMER_VALUE, MAX(MIN(counts, UINT32_MAX), 1));
}

static void load_guest(struct vcpu *v)
{
	uint64_t efer = vmcs_read(VMCS_GUEST_EFER);
	uint32_t entry = vmx_controls.entry & ~ENTRY_IA32E_GUEST;

	vmcs_write(VMCS_GUEST_RSP, v->regs.rsp);
	vmcs_write(VMCS_GUEST_RIP, v->regs.rip);
	vmcs_write(VMCS_GUEST_RFLAGS, v->regs.rflags);
	/* With "load IA32_EFER", IA-32e mode guest must equal EFER.LMA on every entry. */
	vmcs_write(VMCS_ENTRY_CONTROLS, (efer & EFER_LMA) ? entry | ENTRY_IA32E_GUEST : entry);
	arm_preemption_timer(v);
}

static void read_exit(struct vmx_exit_info *x)
{
	x->reason = (uint32_t)vmcs_read(VMCS_EXIT_REASON);
	x->qualification = vmcs_read(VMCS_EXIT_QUALIFICATION);
	x->intr_info = (uint32_t)vmcs_read(VMCS_EXIT_INTR_INFO);
	x->intr_error = (uint32_t)vmcs_read(VMCS_EXIT_INTR_ERROR);
	x->insn_len = (uint32_t)vmcs_read(VMCS_EXIT_INSN_LEN);
	x->gpa = vmcs_read(VMCS_GUEST_PHYS_ADDR);
	x->rip = vmcs_read(VMCS_GUEST_RIP);
}

/* The guest state VM entry refused, as vmx_check_guest() wants it. */
static const char *diagnose(void)
{
	struct vmx_guest_check g;

	memset(&g, 0, sizeof(g));
	g.cr0 = vmcs_read(VMCS_GUEST_CR0);
	g.cr4 = vmcs_read(VMCS_GUEST_CR4);
	g.efer = vmcs_read(VMCS_GUEST_EFER);
	g.rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	g.link_pointer = vmcs_read(VMCS_LINK_POINTER);
	g.entry_controls = (uint32_t)vmcs_read(VMCS_ENTRY_CONTROLS);
	g.proc2 = (uint32_t)vmcs_read(VMCS_PROC2_CONTROLS);
	g.entry_info = (uint32_t)vmcs_read(VMCS_ENTRY_INTR_INFO);
	g.interruptibility = (uint32_t)vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	g.activity = (uint32_t)vmcs_read(VMCS_GUEST_ACTIVITY);
	for (unsigned i = 0; i < ARRAY_SIZE(g.seg); i++) {
		g.seg[i].selector = (uint16_t)vmcs_read(VMCS_GUEST_SEL_BASE + 2 * i);
		g.seg[i].ar = (uint32_t)vmcs_read(VMCS_GUEST_AR_BASE + 2 * i);
		g.seg[i].limit = (uint32_t)vmcs_read(VMCS_GUEST_LIMIT_BASE + 2 * i);
		g.seg[i].base = vmcs_read(VMCS_GUEST_SEGBASE_BASE + 2 * i);
	}
	return vmx_check_guest(&g, &vmx_features);
}

static void log_refused(const struct vcpu *v, const char *what, const char *why)
{
	log_error("vcpu %u: %s: %s", v->id, what, why);
	log_error("  cr0=%#llx cr4=%#llx efer=%#llx rip=%#llx rflags=%#llx entry=%#llx",
		  (unsigned long long)vmcs_read(VMCS_GUEST_CR0),
		  (unsigned long long)vmcs_read(VMCS_GUEST_CR4),
		  (unsigned long long)vmcs_read(VMCS_GUEST_EFER),
		  (unsigned long long)vmcs_read(VMCS_GUEST_RIP),
		  (unsigned long long)vmcs_read(VMCS_GUEST_RFLAGS),
		  (unsigned long long)vmcs_read(VMCS_ENTRY_CONTROLS));
}

/* VMLAUNCH/VMRESUME did not even start the entry: a control or host-state field is wrong. */
static void instruction_failed(struct vcpu *v, struct vm_exit *exit)
{
	uint32_t number = (uint32_t)vmcs_read(VMCS_INSN_ERROR);

	memset(exit, 0, sizeof(*exit));
	exit->reason = VMEXIT_INVALID_STATE;
	exit->invalid.why = vmx_insn_error_text(number);
	exit->invalid.info1 = number;
	log_refused(v, to_vmx(v)->launched ? "VMRESUME failed" : "VMLAUNCH failed", exit->invalid.why);
}

void vmx_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	struct vmx_vcpu *xv = to_vmx(v);
	struct vmx_exit_info x;

	BUG_ON(!vmx_this_cpu()->enabled);
	if (!vmx_make_current(xv)) {
		memset(exit, 0, sizeof(*exit));
		exit->reason = VMEXIT_INVALID_STATE;
		exit->invalid.why = "VMPTRLD of the vCPU's VMCS failed";
		return;
	}
	load_guest(v);
	vmx_event_before_entry(v);
	if (xv->flush_pending) {
		vmx_flush_now(xv);
		xv->flush_pending = false;
	}
	vmx_lazy_msrs_load(v);
	write_cr2(xv->cr2);

	if (vmx_world_switch(&v->regs, xv->launched)) {
		instruction_failed(v, exit);
		return;
	}
	xv->cr2 = read_cr2();
	read_exit(&x);
	v->regs.rsp = vmcs_read(VMCS_GUEST_RSP);
	v->regs.rip = x.rip;
	v->regs.rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	xv->exit_rip = x.rip;

	if (x.reason == EXIT_REASON_CR_ACCESS) {
		memset(exit, 0, sizeof(*exit));
		exit->vendor_code = x.reason;
		vmx_cr_access(v, x.qualification, x.insn_len, exit);
	} else {
		vmx_exit_decode(&x, &v->regs, exit);
	}
	if (exit->reason == VMEXIT_INVALID_STATE) {
		if (!exit->invalid.why)
			exit->invalid.why = diagnose();
		if (!exit->invalid.why)
			exit->invalid.why = "invalid guest state (none of Plinth's checks names the field)";
		log_refused(v, "VM entry refused the guest state", exit->invalid.why);
	} else {
		xv->launched = true;
	}
	vmx_event_after_exit(v, exit);
}

/*
 * One trip into the guest: v->regs into the VMCB, pending work for this
 * entry (event, TLB flush), the world switch (svm_run.S), then the way back:
 * the VMCB into v->regs, the exit decoded (svm_exit.c), its side effects on
 * events (svm_event.c).
 */
#define LOG_TAG "svm"
#include <plinth/log.h>
#include <plinth/panic.h>
#include <plinth/percpu.h>
#include <plinth/string.h>

#include "svm.h"
#include "svm_offsets.h"
#include "svm_probe.h"

static void load_regs(struct vcpu *v, struct vmcb *vmcb)
{
	/*
	 * RIP moved since the exit: core completed the instruction, so an
	 * interrupt shadow it started under (STI; HLT) is over.
	 */
	if (v->regs.rip != vmcb->save.rip)
		vmcb->control.int_state &= ~VMCB_INT_SHADOW;
	vmcb->save.rax = v->regs.rax;
	vmcb->save.rsp = v->regs.rsp;
	vmcb->save.rip = v->regs.rip;
	vmcb->save.rflags = v->regs.rflags;
}

static void store_regs(struct vcpu *v, const struct vmcb *vmcb)
{
	v->regs.rax = vmcb->save.rax;
	v->regs.rsp = vmcb->save.rsp;
	v->regs.rip = vmcb->save.rip;
	v->regs.rflags = vmcb->save.rflags;
}

static void log_invalid(const struct vcpu *v, const struct vmcb *vmcb, const char *why)
{
	const struct vmcb_save *s = &vmcb->save;

	log_error("vcpu %u: VMRUN refused the guest state: %s", v->id, why ? why : "reason unknown");
	log_error("  cr0=%#llx cr3=%#llx cr4=%#llx efer=%#llx rip=%#llx rflags=%#llx",
		  (unsigned long long)s->cr0, (unsigned long long)s->cr3,
		  (unsigned long long)s->cr4, (unsigned long long)s->efer,
		  (unsigned long long)s->rip, (unsigned long long)s->rflags);
	log_error("  cs=%04x/%03x asid=%u tlb_control=%u eventinj=%#llx int_ctl=%#x",
		  s->cs.selector, s->cs.attr, vmcb->control.asid, vmcb->control.tlb_control,
		  (unsigned long long)vmcb->control.eventinj, vmcb->control.int_ctl);
}

static void snapshot_entry(struct svm_vcpu *sv)
{
	const struct vmcb *vmcb = sv->vmcb;

	memcpy(sv->entry.save, &vmcb->save, sizeof(sv->entry.save));
	sv->entry.int_ctl = vmcb->control.int_ctl;
	sv->entry.int_state = vmcb->control.int_state;
	sv->entry.eventinj = vmcb->control.eventinj;
}

/*
 * Nothing ran, but QEMU TCG (and maybe hardware) wrote its current state,
 * the host's, over the guest's: put back what we gave VMRUN, so the
 * diagnosis and core's register dump see the state that was refused.
 */
static void restore_entry(struct svm_vcpu *sv)
{
	struct vmcb *vmcb = sv->vmcb;

	memcpy(&vmcb->save, sv->entry.save, sizeof(sv->entry.save));
	vmcb->control.int_ctl = sv->entry.int_ctl;
	vmcb->control.int_state = sv->entry.int_state;
	vmcb->control.eventinj = sv->entry.eventinj;
}

void svm_vcpu_run(struct vcpu *v, struct vm_exit *exit)
{
	struct svm_vcpu *sv = to_svm(v);
	struct vmcb *vmcb = sv->vmcb;
	struct svm_cpu *cpu = svm_this_cpu();

	BUG_ON(!cpu->enabled);
	if (sv->last_cpu != this_cpu()->cpu) {
		/* This CPU may hold translations of the ASID from before the tables changed. */
		sv->flush_pending = true;
		sv->last_cpu = this_cpu()->cpu;
	}
	load_regs(v, vmcb);
	svm_event_before_entry(sv);
	if (sv->flush_pending)
		vmcb->control.tlb_control = svm_features.flush_by_asid ? VMCB_TLB_FLUSH_ASID
								       : VMCB_TLB_FLUSH_ALL;
	/*
	 * VMCB clean bits would go here: mark the areas (intercepts, IOPM,
	 * ASID, NP, CRx, segments, ...) unchanged since the last VMRUN on
	 * this CPU so it can skip reloading them. None are set: QEMU TCG has
	 * none, and zero is always correct. Setting them also needs a per-CPU
	 * "last VMCB run here" so a vCPU that moved CPUs starts from zero.
	 */
	vmcb->control.clean = 0;
	snapshot_entry(sv);

	svm_world_switch(&v->regs, sv->vmcb_pa, cpu->host_vmcb_pa);

	if ((uint32_t)vmcb->control.exitcode == SVM_EXIT_INVALID)
		restore_entry(sv);
	store_regs(v, vmcb);
	svm_exit_decode(vmcb, &v->regs, &svm_features, exit);
	if (exit->reason == VMEXIT_INVALID_STATE)
		log_invalid(v, vmcb, exit->invalid.why); /* nothing ran, nothing was flushed */
	else
		sv->flush_pending = false;
	/* The CPU does not clear TLB_CONTROL: it would flush on every entry. */
	vmcb->control.tlb_control = VMCB_TLB_NONE;
	svm_event_after_exit(sv, exit);
}

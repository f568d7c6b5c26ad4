/*
 * vCPU life cycle: the VMCB with its interception policy, the I/O and MSR
 * permission maps, an ASID, and the start state.
 *
 * Policy (docs/interception.md): every port and every MSR exits to core,
 * except the MSRs whose guest value lives in the VMCB and that VMLOAD/VMSAVE
 * switch with the guest (FS/GS bases, KernelGSBase, SYSCALL and SYSENTER
 * MSRs). Instructions that would let the guest use SVM itself exit. #DB and
 * #AC are intercepted so core can reflect them: a guest could otherwise make
 * the CPU loop forever delivering them (CVE-2015-5307, CVE-2015-8104).
 */
#define LOG_TAG "svm"
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/heap.h>
#include <plinth/log.h>
#include <plinth/string.h>

#include "svm.h"
#include "svm_probe.h"

#define VECTOR_DB 1
#define VECTOR_AC 17
#define VECTOR_MC 18

/* MSRs the guest reads and writes directly (their values are in the VMCB). */
static const uint32_t passthrough_msrs[] = {
	0xC0000100u, /* FS_BASE */
	0xC0000101u, /* GS_BASE */
	0xC0000102u, /* KERNEL_GS_BASE */
	0xC0000081u, /* STAR */
	0xC0000082u, /* LSTAR */
	0xC0000083u, /* CSTAR */
	0xC0000084u, /* SFMASK */
	0x00000174u, /* SYSENTER_CS */
	0x00000175u, /* SYSENTER_ESP */
	0x00000176u, /* SYSENTER_EIP */
};

static void setup_control(struct svm_vcpu *sv, paddr_t stage2_root)
{
	struct vmcb_control *c = &sv->vmcb->control;

	c->intercept_exc = 1u << VECTOR_DB | 1u << VECTOR_AC | 1u << VECTOR_MC;
	c->intercept_misc1 = VMCB_I1_INTR | VMCB_I1_NMI | VMCB_I1_INIT | VMCB_I1_CPUID |
			     VMCB_I1_HLT | VMCB_I1_INVLPGA | VMCB_I1_IOIO_PROT |
			     VMCB_I1_MSR_PROT | VMCB_I1_SHUTDOWN;
	c->intercept_misc2 = VMCB_I2_VMRUN | VMCB_I2_VMMCALL | VMCB_I2_VMLOAD |
			     VMCB_I2_VMSAVE | VMCB_I2_STGI | VMCB_I2_CLGI | VMCB_I2_SKINIT;
	c->iopm_base_pa = sv->iopm_pa;
	c->msrpm_base_pa = sv->msrpm_pa;
	c->asid = sv->asid;
	/* Physical interrupts stay the host's: the guest's IF masks only virtual ones. */
	c->int_ctl = VMCB_INT_V_INTR_MASKING;
	c->np_control = VMCB_NP_ENABLE;
	c->n_cr3 = stage2_root;
	/* No clean bits: the CPU reloads everything from the VMCB on every VMRUN. */
	c->clean = 0;
}

static void setup_maps(struct svm_vcpu *sv)
{
	uint8_t *msrpm = phys_to_virt(sv->msrpm_pa);

	/* All ones: intercept every port (the whole block, so nothing stale is left). */
	memset(phys_to_virt(sv->iopm_pa), 0xFF, PAGE_SIZE << SVM_IOPM_ORDER);
	svm_msrpm_init(msrpm);
	for (size_t i = 0; i < ARRAY_SIZE(passthrough_msrs); i++)
		svm_msrpm_set(msrpm, passthrough_msrs[i], false, false);
}

int svm_vcpu_create(struct vcpu *v, paddr_t stage2_root, enum vcpu_start_mode mode,
		    uint64_t entry)
{
	struct svm_vcpu *sv;
	int err;

	if (!svm_this_cpu()->enabled) {
		log_error("vcpu_create before cpu_enable");
		return -E_INVAL;
	}
	if (!IS_ALIGNED(stage2_root, PAGE_SIZE))
		return -E_INVAL;
	sv = kzalloc(sizeof(*sv));
	if (!sv)
		return -E_NOMEM;
	err = page_alloc(0, &sv->vmcb_pa);
	if (err)
		goto free_sv;
	err = page_alloc(SVM_IOPM_ORDER, &sv->iopm_pa);
	if (err)
		goto free_vmcb;
	err = page_alloc(SVM_MSRPM_ORDER, &sv->msrpm_pa);
	if (err)
		goto free_iopm;
	err = svm_asid_alloc(svm_features.nasid, &sv->asid);
	if (err)
		goto free_msrpm;

	sv->vmcb = phys_to_virt(sv->vmcb_pa);
	memset(sv->vmcb, 0, PAGE_SIZE);
	err = svm_start_state(&sv->vmcb->save, mode, entry);
	if (err) {
		log_error("vcpu %u: no start state for mode %d at %#llx", v->id, (int)mode,
			  (unsigned long long)entry);
		goto free_asid;
	}
	setup_maps(sv);
	setup_control(sv, stage2_root);
	/* The ASID may have been another vCPU's: drop what the TLB holds for it. */
	sv->flush_pending = true;

	v->backend = sv;
	/* The start RIP/RSP/RFLAGS; core fills the other registers (EAX, EBX). */
	v->regs.rip = sv->vmcb->save.rip;
	v->regs.rsp = sv->vmcb->save.rsp;
	v->regs.rflags = sv->vmcb->save.rflags;
	log_debug("vcpu %u: VMCB %#llx, ASID %u, nCR3 %#llx", v->id,
		  (unsigned long long)sv->vmcb_pa, sv->asid, (unsigned long long)stage2_root);
	return 0;

free_asid:
	svm_asid_free(sv->asid);
free_msrpm:
	page_free(sv->msrpm_pa, SVM_MSRPM_ORDER);
free_iopm:
	page_free(sv->iopm_pa, SVM_IOPM_ORDER);
free_vmcb:
	page_free(sv->vmcb_pa, 0);
free_sv:
	kfree(sv);
	return err;
}

void svm_vcpu_destroy(struct vcpu *v)
{
	struct svm_vcpu *sv = to_svm(v);

	if (!sv)
		return;
	memset(sv->vmcb, 0, PAGE_SIZE);
	page_free(sv->vmcb_pa, 0);
	page_free(sv->iopm_pa, SVM_IOPM_ORDER);
	page_free(sv->msrpm_pa, SVM_MSRPM_ORDER);
	svm_asid_free(sv->asid);
	kfree(sv);
	v->backend = NULL;
}

void svm_stage2_flush(struct vcpu *v)
{
	/* Taken at the next VMRUN (svm_run.c), which is the earliest it can matter. */
	to_svm(v)->flush_pending = true;
}

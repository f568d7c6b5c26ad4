/*
 * vCPU life cycle: a VMCS with the interception policy (docs/interception.md)
 * in its controls, I/O and MSR bitmaps, a VPID, the EPT pointer, the host
 * state and the start state.
 *
 * MSR policy: every MSR exits except the ones the guest can own: FS/GS base
 * and SYSENTER_* live in the VMCS guest area, KERNEL_GS_BASE and the
 * SYSCALL MSRs are switched lazily (vmx_msrs.c). #DB, #AC and #MC are
 * intercepted so core can reflect them (a guest could otherwise make the
 * CPU loop delivering them: CVE-2015-5307, CVE-2015-8104).
 *
 * CR0/CR4: the guest/host masks own the bits IA32_VMX_CR0/CR4_FIXED0 force
 * on (CR0.NE, CR4.VMXE; not CR0.PE/PG with unrestricted guest) and those
 * FIXED1 forbids; the read shadows show the guest its own values, so it
 * neither clears a VMX-required bit nor sees CR4.VMXE. Writes that change
 * an owned bit exit (vmx_cr.c).
 */
#define LOG_TAG "vmx"
#include <plinth/errno.h>
#include <plinth/frame.h>
#include <plinth/heap.h>
#include <plinth/log.h>
#include <plinth/percpu.h>
#include <plinth/string.h>

#include "vmcs_fields.h"
#include "vmx.h"
#include "vmx_insn.h"

#define VECTOR_DB 1
#define VECTOR_AC 17
#define VECTOR_MC 18
#define DR7_INIT 0x400ULL
#define PAT_POWER_ON 0x0007040600070406ULL
#define CR0_PE_PG ((1ULL << 0) | (1ULL << 31))

static const uint32_t passthrough[] = {
	0xC0000100u, /* FS_BASE: guest FS base field */
	0xC0000101u, /* GS_BASE: guest GS base field */
	0x00000174u, /* SYSENTER_CS: guest field */
	0x00000175u, /* SYSENTER_ESP */
	0x00000176u, /* SYSENTER_EIP */
};

static bool checked_write(uint64_t field, uint64_t value)
{
	if (vmcs_write(field, value))
		return true;
	log_error("VMWRITE %#llx = %#llx failed: %s", (unsigned long long)field,
		  (unsigned long long)value, vmx_insn_error_text((uint32_t)vmcs_read(VMCS_INSN_ERROR)));
	return false;
}

static void fill_bitmaps(struct vmx_vcpu *xv)
{
	uint8_t *msr = phys_to_virt(xv->msr_bitmap_pa);

	memset(phys_to_virt(xv->io_bitmaps_pa), 0xFF, PAGE_SIZE << IO_BITMAPS_ORDER);
	memset(msr, 0xFF, PAGE_SIZE);
	for (size_t i = 0; i < ARRAY_SIZE(passthrough); i++)
		vmx_msr_bitmap_passthrough(msr, passthrough[i]);
	for (size_t i = 0; i < VMX_LAZY_MSR_COUNT; i++)
		vmx_msr_bitmap_passthrough(msr, vmx_lazy_msr_index[i]);
}

static bool write_controls(struct vmx_vcpu *xv)
{
	const struct vmx_features *f = &vmx_features;
	uint64_t cr0_owned = (f->cr0_fixed0 | ~f->cr0_fixed1) & ~CR0_PE_PG;
	bool ok = true;

	xv->cr0_mask = cr0_owned;
	xv->cr4_mask = f->cr4_fixed0 | ~f->cr4_fixed1;
	xv->proc = vmx_controls.proc;
	ok &= checked_write(VMCS_PIN_CONTROLS, vmx_controls.pin);
	ok &= checked_write(VMCS_PROC_CONTROLS, xv->proc);
	ok &= checked_write(VMCS_PROC2_CONTROLS, vmx_controls.proc2);
	ok &= checked_write(VMCS_EXIT_CONTROLS, vmx_controls.exit);
	ok &= checked_write(VMCS_ENTRY_CONTROLS, vmx_controls.entry);
	ok &= checked_write(VMCS_EXCEPTION_BITMAP,
			    1u << VECTOR_DB | 1u << VECTOR_AC | 1u << VECTOR_MC);
	ok &= checked_write(VMCS_PF_ERROR_MASK, 0);
	ok &= checked_write(VMCS_PF_ERROR_MATCH, 0);
	ok &= checked_write(VMCS_CR3_TARGET_COUNT, 0);
	ok &= checked_write(VMCS_IO_BITMAP_A, xv->io_bitmaps_pa);
	ok &= checked_write(VMCS_IO_BITMAP_B, xv->io_bitmaps_pa + PAGE_SIZE);
	ok &= checked_write(VMCS_MSR_BITMAP, xv->msr_bitmap_pa);
	ok &= checked_write(VMCS_EXIT_MSR_STORE_COUNT, 0);
	ok &= checked_write(VMCS_EXIT_MSR_LOAD_COUNT, 0);
	ok &= checked_write(VMCS_ENTRY_MSR_LOAD_COUNT, 0);
	ok &= checked_write(VMCS_ENTRY_INTR_INFO, 0);
	ok &= checked_write(VMCS_EPT_POINTER, xv->eptp);
	if (vmx_controls.proc2 & PROC2_VPID)
		ok &= checked_write(VMCS_VPID, xv->vpid);
	ok &= checked_write(VMCS_CR0_MASK, xv->cr0_mask);
	ok &= checked_write(VMCS_CR4_MASK, xv->cr4_mask);
	ok &= checked_write(VMCS_LINK_POINTER, ~0ULL);
	return ok;
}

static bool write_guest_state(const struct vmx_start *s)
{
	bool ok = true;

	for (unsigned i = 0; i < ARRAY_SIZE(s->seg); i++) {
		ok &= checked_write(VMCS_GUEST_SEL_BASE + 2 * i, s->seg[i].selector);
		ok &= checked_write(VMCS_GUEST_AR_BASE + 2 * i, s->seg[i].ar);
		ok &= checked_write(VMCS_GUEST_LIMIT_BASE + 2 * i, s->seg[i].limit);
		ok &= checked_write(VMCS_GUEST_SEGBASE_BASE + 2 * i, s->seg[i].base);
	}
	ok &= checked_write(VMCS_GUEST_GDTR_BASE, s->gdtr_base);
	ok &= checked_write(VMCS_GUEST_GDTR_LIMIT, s->gdtr_limit);
	ok &= checked_write(VMCS_GUEST_IDTR_BASE, s->idtr_base);
	ok &= checked_write(VMCS_GUEST_IDTR_LIMIT, s->idtr_limit);
	ok &= checked_write(VMCS_CR0_SHADOW, s->cr0);
	ok &= checked_write(VMCS_GUEST_CR0, vmx_cr0_actual(s->cr0));
	ok &= checked_write(VMCS_CR4_SHADOW, 0);
	ok &= checked_write(VMCS_GUEST_CR4, vmx_cr4_actual(0));
	ok &= checked_write(VMCS_GUEST_CR3, 0);
	ok &= checked_write(VMCS_GUEST_EFER, 0);
	ok &= checked_write(VMCS_GUEST_PAT, PAT_POWER_ON);
	ok &= checked_write(VMCS_GUEST_DEBUGCTL, 0);
	ok &= checked_write(VMCS_GUEST_DR7, DR7_INIT);
	ok &= checked_write(VMCS_GUEST_RIP, s->rip);
	ok &= checked_write(VMCS_GUEST_RSP, 0);
	ok &= checked_write(VMCS_GUEST_RFLAGS, s->rflags);
	ok &= checked_write(VMCS_GUEST_SYSENTER_CS, 0);
	ok &= checked_write(VMCS_GUEST_SYSENTER_ESP, 0);
	ok &= checked_write(VMCS_GUEST_SYSENTER_EIP, 0);
	ok &= checked_write(VMCS_GUEST_INTERRUPTIBILITY, 0);
	ok &= checked_write(VMCS_GUEST_ACTIVITY, 0);
	ok &= checked_write(VMCS_GUEST_PENDING_DBG, 0);
	return ok;
}

static int alloc_pages(struct vmx_vcpu *xv)
{
	int err = page_alloc(0, &xv->vmcs_pa);

	if (err)
		return err;
	err = page_alloc(IO_BITMAPS_ORDER, &xv->io_bitmaps_pa);
	if (err)
		goto no_io;
	err = page_alloc(0, &xv->msr_bitmap_pa);
	if (err)
		goto no_msr;
	return 0;
no_msr:
	page_free(xv->io_bitmaps_pa, IO_BITMAPS_ORDER);
no_io:
	page_free(xv->vmcs_pa, 0);
	return err;
}

static void free_pages(struct vmx_vcpu *xv)
{
	page_free(xv->msr_bitmap_pa, 0);
	page_free(xv->io_bitmaps_pa, IO_BITMAPS_ORDER);
	page_free(xv->vmcs_pa, 0);
}

/* A fresh VMCS, made current, with everything Plinth programs. */
static int setup_vmcs(struct vcpu *v, struct vmx_vcpu *xv, const struct vmx_start *s)
{
	void *vmcs = phys_to_virt(xv->vmcs_pa);

	memset(vmcs, 0, PAGE_SIZE);
	*(uint32_t *)vmcs = vmx_features.revision;
	if (!vmcs_clear(xv->vmcs_pa)) {
		log_error("vcpu %u: VMCLEAR of a new VMCS failed", v->id);
		return -E_INVAL;
	}
	vmx_this_cpu()->current_vmcs = 0;
	xv->host_cpu = this_cpu()->cpu; /* vmx_write_host_state below is this CPU's */
	if (!vmx_make_current(xv))
		return -E_INVAL;
	fill_bitmaps(xv);
	if (!write_controls(xv) || !vmx_write_host_state() || !write_guest_state(s))
		return -E_INVAL;
	return 0;
}

int vmx_vcpu_create(struct vcpu *v, paddr_t stage2_root, enum vcpu_start_mode mode,
		    uint64_t entry)
{
	struct vmx_start start;
	struct vmx_vcpu *xv;
	int err = vmx_this_cpu()->enabled ? 0 : -E_INVAL;

	if (err) {
		log_error("vcpu %u: VMXON has not run on this CPU (cpu_enable first)", v->id);
		return err;
	}
	err = IS_ALIGNED(stage2_root, PAGE_SIZE) ? vmx_start_state(&start, mode, entry) : -E_INVAL;
	if (err) {
		log_error("vcpu %u: no start state for mode %d at %#llx (EPT root %#llx)", v->id,
			  (int)mode, (unsigned long long)entry, (unsigned long long)stage2_root);
		return err;
	}
	xv = kzalloc(sizeof(*xv));
	if (!xv)
		return -E_NOMEM;
	err = alloc_pages(xv);
	if (err)
		goto free_xv;
	if (vmx_controls.proc2 & PROC2_VPID) {
		xv->vpid = vmx_vpid_alloc();
		if (!xv->vpid) {
			log_error("vcpu %u: out of VPIDs", v->id);
			err = -E_NOSPC;
			goto free_all;
		}
	}
	xv->eptp = vmx_eptp(stage2_root);
	err = setup_vmcs(v, xv, &start);
	if (err)
		goto free_all;
	/* The EPTP and VPID may have been another vCPU's: flush before the first entry. */
	xv->flush_pending = true;
	v->backend = xv;
	v->regs.rip = start.rip;
	v->regs.rsp = 0;
	v->regs.rflags = start.rflags;
	xv->exit_rip = start.rip;
	log_debug("vcpu %u: VMCS %#llx, VPID %u, EPTP %#llx", v->id,
		  (unsigned long long)xv->vmcs_pa, xv->vpid, (unsigned long long)xv->eptp);
	return 0;

free_all:
	vmx_vpid_free(xv->vpid);
	vmcs_clear(xv->vmcs_pa);
	vmx_this_cpu()->current_vmcs = 0;
	free_pages(xv);
free_xv:
	kfree(xv);
	return err;
}

void vmx_vcpu_destroy(struct vcpu *v)
{
	struct vmx_vcpu *xv = to_vmx(v);
	struct vmx_cpu *cpu = vmx_this_cpu();

	if (!xv)
		return;
	/* VMCLEAR writes back what the CPU caches of the VMCS; then the page is free. */
	vmcs_clear(xv->vmcs_pa);
	if (cpu->current_vmcs == xv->vmcs_pa)
		cpu->current_vmcs = 0;
	vmx_lazy_msrs_forget(v);
	memset(phys_to_virt(xv->vmcs_pa), 0, PAGE_SIZE);
	vmx_vpid_free(xv->vpid);
	free_pages(xv);
	kfree(xv);
	v->backend = NULL;
}

/*
 * The vCPU leaves this CPU and may run on another next: a VMCS may be active
 * on one CPU only (SDM vol. 3C 25.11.1), so VMCLEAR it here (the next entry
 * is a VMLAUNCH), and take its lazy MSRs out of this CPU.
 */
void vmx_vcpu_put(struct vcpu *v)
{
	struct vmx_vcpu *xv = to_vmx(v);
	struct vmx_cpu *cpu = vmx_this_cpu();

	vmx_lazy_msrs_save(v);
	vmcs_clear(xv->vmcs_pa);
	if (cpu->current_vmcs == xv->vmcs_pa)
		cpu->current_vmcs = 0;
	xv->launched = false;
}

void vmx_stage2_flush(struct vcpu *v)
{
	/* INVEPT at the next entry (vmx_run.c), the earliest it can matter. */
	to_vmx(v)->flush_pending = true;
}

/*
 * Drop what the CPU cached for this vCPU: the guest-physical mappings of its
 * EPTP (single context when offered, else all contexts) and, with VPIDs, the
 * linear ones tagged with its VPID.
 */
void vmx_flush_now(struct vmx_vcpu *xv)
{
	uint64_t cap = vmx_features.ept_vpid_cap;
	bool ok = cap & EPT_CAP_INVEPT_SINGLE ? vmx_invept(INVEPT_SINGLE_CONTEXT, xv->eptp)
					      : vmx_invept(INVEPT_ALL_CONTEXTS, 0);

	if (ok && xv->vpid)
		ok = cap & EPT_CAP_INVVPID_SINGLE ? vmx_invvpid(INVVPID_SINGLE_CONTEXT, xv->vpid)
						  : vmx_invvpid(INVVPID_ALL_CONTEXTS, 0);
	if (!ok)
		log_error("INVEPT/INVVPID failed: %s",
			  vmx_insn_error_text((uint32_t)vmcs_read(VMCS_INSN_ERROR)));
}

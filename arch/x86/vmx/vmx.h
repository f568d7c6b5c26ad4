/*
 * Private to arch/x86/vmx: the per-CPU and per-vCPU state of the VT-x
 * backend and the functions its files share. Core reaches the backend only
 * through vmx_backend (vmx_backend.c).
 */
#ifndef PLINTH_VMX_H
#define PLINTH_VMX_H

#include <plinth/backend.h>
#include <plinth/types.h>

#include "vmx_caps.h"
#include "vmx_controls.h"

/* Guest MSRs that VMX does not switch; loaded while their vCPU owns the CPU (vmx_msrs.c). */
#define VMX_LAZY_MSR_COUNT 5

/* One per physical CPU (only the boot CPU today). */
struct vmx_cpu {
	bool enabled;          /* VMXON done */
	paddr_t vmxon_pa;      /* the VMXON region */
	paddr_t current_vmcs;  /* what VMPTRLD made current, 0 if none */
	struct vcpu *msr_owner; /* whose lazy MSRs are in the CPU */
};

/* vcpu->backend. */
#define IO_BITMAPS_ORDER 1 /* I/O bitmaps A and B: two pages */

struct vmx_vcpu {
	paddr_t vmcs_pa;
	paddr_t io_bitmaps_pa;  /* A and B: two pages */
	paddr_t msr_bitmap_pa;
	uint64_t eptp;
	uint16_t vpid;          /* 0 when VPIDs are not used */
	bool launched;          /* VMLAUNCH succeeded: VMRESUME from now on */
	bool flush_pending;     /* INVEPT (and INVVPID) before the next entry */
	unsigned host_cpu;      /* whose per-CPU addresses (TR, GDTR, stack) the host state holds */
	uint32_t proc;          /* primary controls, with the interrupt window as asked */
	uint64_t cr0_mask, cr4_mask; /* guest/host masks: host-owned bits */
	uint64_t cr2;           /* the guest's CR2 (the VMCS has no field for it) */
	uint64_t exit_rip;      /* guest RIP at the last exit */
	uint32_t interruptibility; /* at the last exit */
	/* What to inject at the next entry (valid bit 31), and what was injected last. */
	uint32_t entry_info, entry_error, entry_len;
	uint32_t injected, injected_error, injected_len;
	/* An event whose delivery an exit interrupted (IDT-vectoring information). */
	uint32_t redeliver, redeliver_error, redeliver_len;
	uint64_t lazy_msrs[VMX_LAZY_MSR_COUNT];
};

/* Guest state as VM entry checks it: what vmx_check_guest() looks at. */
struct vmx_seg_state {
	uint16_t selector;
	uint32_t ar;            /* VMX access-rights format */
	uint32_t limit;
	uint64_t base;
};

struct vmx_guest_check {
	uint64_t cr0, cr4, efer, rflags, link_pointer;
	uint32_t entry_controls, proc2;
	uint32_t entry_info, interruptibility, activity;
	struct vmx_seg_state seg[8]; /* ES CS SS DS FS GS LDTR TR (enum vcpu_seg order) */
};

/* The start state of a vCPU, in VMCS terms (vmx_start.c). */
struct vmx_start {
	struct vmx_seg_state seg[8];
	uint64_t gdtr_base, idtr_base;
	uint32_t gdtr_limit, idtr_limit;
	uint64_t cr0;           /* as the guest sees it */
	uint64_t rip, rflags;
};

/* The exit information fields one exit is decoded from (vmx_exit.c). */
struct vmx_exit_info {
	uint32_t reason;        /* full exit reason: bit 31 = VM-entry failure */
	uint64_t qualification;
	uint32_t intr_info, intr_error;
	uint32_t insn_len;
	uint64_t gpa;
	uint64_t rip;
};

/* Access rights: VMX bit 16 = unusable. */
#define VMX_AR_UNUSABLE (1u << 16)

/* vmx_probe.c */
bool vmx_cpu_has(void);
int vmx_probe(struct virt_caps *caps);
extern struct vmx_controls vmx_controls;

/* vmx_enable.c */
int vmx_cpu_enable(void);
struct vmx_cpu *vmx_this_cpu(void);
/* Make v's VMCS current on this CPU (VMPTRLD when another one is). */
bool vmx_make_current(struct vmx_vcpu *xv);

/* vmx_host.c: the host-state area of the current VMCS. */
bool vmx_write_host_state(void);

/* vmx_seg.c (pure): packed 12-bit struct segment attributes <-> VMX access rights. */
uint32_t vmx_ar_from_attr(uint16_t attr);
uint16_t vmx_attr_from_ar(uint32_t ar);

/* vmx_start.c (pure) */
int vmx_start_state(struct vmx_start *s, enum vcpu_start_mode mode, uint64_t entry);

/* vmx_exit.c (pure) */
void vmx_exit_decode(const struct vmx_exit_info *x, const struct vcpu_regs *regs,
		     struct vm_exit *exit);

/* vmx_check.c (pure): the first VM-entry guest-state check that fails, or NULL. */
const char *vmx_check_guest(const struct vmx_guest_check *g, const struct vmx_features *f);

/* vmx_errors.c (pure) */
const char *vmx_insn_error_text(uint32_t number);

/* vmx_ept.c */
const struct pt_format *vmx_ept_format(unsigned max_leaf_level);
uint64_t vmx_eptp(paddr_t root);
const struct pt_format *vmx_stage2_format(const struct virt_caps *caps);
void vmx_flush_now(struct vmx_vcpu *xv);

/* vmx_vpid.c */
uint16_t vmx_vpid_alloc(void);
void vmx_vpid_free(uint16_t vpid);

/* vmx_msrs.c */
void vmx_msr_bitmap_passthrough(uint8_t *bitmap, uint32_t msr);
bool vmx_msr_bitmap_exits(const uint8_t *bitmap, uint32_t msr, bool write);
void vmx_lazy_msrs_load(struct vcpu *v);
/* Take v's values out of this CPU (it may run on another next). */
void vmx_lazy_msrs_save(struct vcpu *v);
void vmx_lazy_msrs_forget(struct vcpu *v);
extern const uint32_t vmx_lazy_msr_index[VMX_LAZY_MSR_COUNT];

/* vmx_vcpu.c */
int vmx_vcpu_create(struct vcpu *v, paddr_t stage2_root, enum vcpu_start_mode mode,
		    uint64_t entry);
void vmx_vcpu_destroy(struct vcpu *v);
void vmx_vcpu_put(struct vcpu *v);
void vmx_stage2_flush(struct vcpu *v);

/* vmx_run.c, vmx_run.S */
void vmx_vcpu_run(struct vcpu *v, struct vm_exit *exit);
/* 0 after a VM exit; 1 when VMLAUNCH/VMRESUME failed (VMfail). */
int vmx_world_switch(struct vcpu_regs *regs, int resume);
void vmx_host_return(void);

/* vmx_cr.c: MOV to/from CR0/CR3/CR4 that hit a host-owned bit. */
void vmx_cr_access(struct vcpu *v, uint64_t qualification, uint32_t insn_len,
		   struct vm_exit *exit);

/* vmx_event.c */
void vmx_event_before_entry(struct vcpu *v);
void vmx_event_after_exit(struct vcpu *v, const struct vm_exit *exit);
int vmx_inject(struct vcpu *v, const struct vcpu_event *ev);
bool vmx_irq_ready(struct vcpu *v);
void vmx_irq_window(struct vcpu *v, bool enable);

/* vmx_state.c */
uint64_t vmx_creg_read(struct vcpu *v, enum vcpu_creg reg);
int vmx_creg_write(struct vcpu *v, enum vcpu_creg reg, uint64_t value);
void vmx_seg_read(struct vcpu *v, enum vcpu_seg seg, struct segment *out);
/* CR0/CR4 values the CPU accepts for a guest value (fixed bits applied). */
uint64_t vmx_cr0_actual(uint64_t guest_cr0);
uint64_t vmx_cr4_actual(uint64_t guest_cr4);

static inline struct vmx_vcpu *to_vmx(struct vcpu *v)
{
	return v->backend;
}

#endif

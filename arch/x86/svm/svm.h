/*
 * Private to arch/x86/svm: the per-CPU and per-vCPU state of the AMD-V
 * backend and the functions its files share. Core sees none of this; it
 * reaches the backend through svm_backend (svm_backend.c).
 */
#ifndef PLINTH_SVM_H
#define PLINTH_SVM_H

#include <plinth/backend.h>
#include <plinth/types.h>

#include "svm_caps.h"
#include "vmcb.h"

/* One per physical CPU (svm_enable.c). */
struct svm_cpu {
	bool enabled;         /* EFER.SVME set, VM_HSAVE_PA programmed */
	paddr_t hsave_pa;     /* host save area: VMRUN stores host state here */
	paddr_t host_vmcb_pa; /* VMSAVE/VMLOAD of the host's FS/GS/TR/LDTR/syscall MSRs */
};

/*
 * The architected part of the save area (up to LASTEXCPTO). A refused VMRUN
 * may leave the CPU's (the host's) state in the VMCB, as QEMU TCG does, so
 * svm_run.c keeps a copy of what it loaded.
 */
#define SVM_SAVE_ARCH_BYTES offsetof(struct vmcb_save, reserved_298)

/* What VMRUN was given, to put back when it refuses it (VMEXIT_INVALID). */
struct svm_entry_snapshot {
	uint8_t save[SVM_SAVE_ARCH_BYTES];
	uint32_t int_ctl;
	uint64_t int_state;
	uint64_t eventinj;
};

/* vcpu->backend. */
struct svm_vcpu {
	struct vmcb *vmcb;
	paddr_t vmcb_pa;
	paddr_t iopm_pa;      /* SVM_IOPM_ORDER pages */
	paddr_t msrpm_pa;     /* SVM_MSRPM_ORDER pages */
	uint32_t asid;
	bool flush_pending;   /* flush this vCPU's TLB entries at the next entry */
	unsigned last_cpu;    /* where it ran last: ASIDs are per CPU, stale elsewhere */
	uint64_t injected;    /* EVENTINJ as it was at the last entry */
	uint64_t redeliver;   /* an interrupted event to deliver again (EXITINTINFO) */
	struct svm_entry_snapshot entry;
};

#define SVM_IOPM_ORDER 2  /* the 12 KiB map (APM 15.10.1) in a 16 KiB block */
#define SVM_MSRPM_ORDER 1 /* 8 KiB (APM 15.11) */
#define SVM_MSRPM_BYTES (8 * 1024)

/* IA32_PAT at power-on (WB WT UC- UC, twice): the guest's starting G_PAT. */
#define SVM_GPAT_POWER_ON 0x0007040600070406ULL

/* EFER bits the SVM code cares about. */
#define SVM_EFER_SCE (1ULL << 0)
#define SVM_EFER_LME (1ULL << 8)
#define SVM_EFER_LMA (1ULL << 10)
#define SVM_EFER_NXE (1ULL << 11)
#define SVM_EFER_SVME (1ULL << 12)
#define SVM_MSR_VM_HSAVE_PA 0xC0010117u

/* svm_enable.c */
int svm_cpu_enable(void);
struct svm_cpu *svm_this_cpu(void);

/* svm_asid.c: 1 .. nasid-1, or -E_NOSPC. */
int svm_asid_alloc(uint32_t nasid, uint32_t *out);
void svm_asid_free(uint32_t asid);

/* svm_msrpm.c: pure bitmap helpers (unit-tested). */
void svm_msrpm_init(uint8_t *msrpm);
/* false if the MSR lies outside the three ranges the map covers. */
bool svm_msrpm_set(uint8_t *msrpm, uint32_t msr, bool intercept_read, bool intercept_write);
bool svm_msrpm_intercepts(const uint8_t *msrpm, uint32_t msr, bool write);

/* svm_start.c: the architectural start state of a vCPU (pure). */
int svm_start_state(struct vmcb_save *save, enum vcpu_start_mode mode, uint64_t entry);

/* svm_exit.c: decode the exit in *vmcb (pure, unit-tested). */
void svm_exit_decode(const struct vmcb *vmcb, const struct vcpu_regs *regs,
		     const struct svm_features *f, struct vm_exit *exit);

/* svm_check.c: why VMRUN refused this VMCB, NULL if none of our checks fires (pure). */
const char *svm_check_vmcb(const struct vmcb *vmcb, const struct svm_features *f);

/* svm_event.c */
void svm_event_before_entry(struct svm_vcpu *sv);
void svm_event_after_exit(struct svm_vcpu *sv, const struct vm_exit *exit);
int svm_inject(struct vcpu *v, const struct vcpu_event *ev);
bool svm_irq_ready(struct vcpu *v);
void svm_irq_window(struct vcpu *v, bool enable);

/* svm_vcpu.c */
int svm_vcpu_create(struct vcpu *v, paddr_t stage2_root, enum vcpu_start_mode mode,
		    uint64_t entry);
void svm_vcpu_destroy(struct vcpu *v);
void svm_stage2_flush(struct vcpu *v);

/* svm_run.c and svm_run.S */
void svm_vcpu_run(struct vcpu *v, struct vm_exit *exit);
void svm_world_switch(struct vcpu_regs *regs, paddr_t guest_vmcb_pa, paddr_t host_vmcb_pa);

/* svm_state.c */
uint64_t svm_creg_read(struct vcpu *v, enum vcpu_creg reg);
int svm_creg_write(struct vcpu *v, enum vcpu_creg reg, uint64_t value);
void svm_seg_read(struct vcpu *v, enum vcpu_seg seg, struct segment *out);

static inline struct svm_vcpu *to_svm(struct vcpu *v)
{
	return v->backend;
}

#endif

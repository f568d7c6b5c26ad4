/*
 * The virtualization backend interface. AMD-V (arch/x86/svm) and VT-x
 * (arch/x86/vmx) each fill one `struct backend_ops`; core code sees only this
 * header, never a vendor one. It grows with the vCPU issues (create, run,
 * inject, stage-2 hooks); today it probes the CPU.
 */
#ifndef PLINTH_BACKEND_H
#define PLINTH_BACKEND_H

#include <plinth/types.h>
#include <plinth/vcpu.h>

struct pt_format;

/* Vendor-neutral summary of what the CPU's virtualization offers. */
struct virt_caps {
	bool stage2;          /* nested paging: NPT / EPT */
	bool stage2_2m;       /* 2 MiB stage-2 pages */
	bool stage2_1g;       /* 1 GiB stage-2 pages */
	bool next_rip;        /* the CPU reports the next RIP on exits */
	bool tagged_tlb;      /* ASIDs / VPIDs */
	bool real_mode;       /* guests can run real mode directly */
	bool preempt_timer;   /* a timer that forces an exit (VMX preemption timer) */
	bool firmware_locked; /* present but disabled by firmware */
	/* The guest may run these where the CPU has them (else CPUID hides them). */
	bool guest_rdtscp;
	bool guest_invpcid;
};

struct backend_ops {
	const char *name; /* "svm", "vmx" */
	const char *long_name;
	unsigned hypercall_insn; /* HC_INSN_VMMCALL / HC_INSN_VMCALL (CPUID 0x40000001 EBX) */
	/* CPUID says the CPU has this extension at all. */
	bool (*cpu_has)(void);
	/*
	 * Logs the feature line; 0 with caps filled when usable, otherwise a
	 * negative error after logging why (e.g. disabled by firmware).
	 */
	int (*probe)(struct virt_caps *caps);

	/* Turn virtualization on for the calling CPU (EFER.SVME + host save area / VMXON). */
	int (*cpu_enable)(void);
	/* Entry format of this backend's stage-2 tables (NPT / EPT), given the probed caps. */
	const struct pt_format *(*stage2_format)(const struct virt_caps *caps);

	/*
	 * Allocate and fill the vCPU's VMCB/VMCS: the interception policy
	 * (docs/interception.md), the start state for `mode` at `entry`, the
	 * stage-2 root, a tag (ASID/VPID) of its own. v->guest and v->id are set.
	 */
	int (*vcpu_create)(struct vcpu *v, paddr_t stage2_root, enum vcpu_start_mode mode,
			   uint64_t entry);
	void (*vcpu_destroy)(struct vcpu *v);
	/*
	 * The vCPU stops running on this CPU for now; it may run on another one
	 * next (VT-x clears its VMCS here). NULL when there is nothing to do.
	 */
	void (*vcpu_put)(struct vcpu *v);
	/*
	 * Enter the guest and return at its next exit, decoded into *exit.
	 * v->regs is loaded before entry and saved after the exit, including
	 * RAX, RSP, RIP and RFLAGS; a pending event (inject) is delivered.
	 */
	void (*vcpu_run)(struct vcpu *v, struct vm_exit *exit);

	/* Guest control state as the guest sees it (EFER without SVME, etc.). */
	uint64_t (*creg_read)(struct vcpu *v, enum vcpu_creg reg);
	/* Write a control register / EFER; -E_INVAL if the value is illegal. */
	int (*creg_write)(struct vcpu *v, enum vcpu_creg reg, uint64_t value);
	void (*seg_read)(struct vcpu *v, enum vcpu_seg seg, struct segment *out);

	/* Deliver an event at the next entry; -E_BUSY while one is still pending. */
	int (*inject)(struct vcpu *v, const struct vcpu_event *ev);
	/* Whether the guest can take an external interrupt now (IF=1, no shadow, nothing pending). */
	bool (*irq_ready)(struct vcpu *v);
	/* Exit with VMEXIT_IRQ_WINDOW as soon as it can (or stop asking). */
	void (*irq_window)(struct vcpu *v, bool enable);
	/* Drop this vCPU's cached stage-2 translations after its tables changed. */
	void (*stage2_flush)(struct vcpu *v);
};

/* The backend chosen at boot (core/backend.c), and what its CPU offers. */
extern const struct backend_ops *backend;
extern struct virt_caps backend_caps;

extern const struct backend_ops svm_backend;
extern const struct backend_ops vmx_backend;

/*
 * Probe the backends, keep the first usable one in `backend`/`backend_caps`
 * and return it; NULL (the reason was logged) when there is none.
 */
const struct backend_ops *backend_select(void);

#endif

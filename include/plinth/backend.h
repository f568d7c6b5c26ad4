/*
 * The virtualization backend interface. AMD-V (arch/x86/svm) and VT-x
 * (arch/x86/vmx) each fill one `struct backend_ops`; core code sees only this
 * header, never a vendor one. It grows with the vCPU issues (create, run,
 * inject, stage-2 hooks); today it probes the CPU.
 */
#ifndef PLINTH_BACKEND_H
#define PLINTH_BACKEND_H

#include <plinth/types.h>

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
};

struct backend_ops {
	const char *name; /* "svm", "vmx" */
	const char *long_name;
	/* CPUID says the CPU has this extension at all. */
	bool (*cpu_has)(void);
	/*
	 * Logs the feature line; 0 with caps filled when usable, otherwise a
	 * negative error after logging why (e.g. disabled by firmware).
	 */
	int (*probe)(struct virt_caps *caps);
};

extern const struct backend_ops svm_backend;
extern const struct backend_ops vmx_backend;

/* The first backend whose probe succeeds, or NULL (its reason was logged). */
const struct backend_ops *backend_select(struct virt_caps *caps);

#endif

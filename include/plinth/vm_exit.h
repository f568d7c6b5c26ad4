/*
 * One normalized VM exit. The backend (arch/x86/svm, arch/x86/vmx) decodes its
 * vendor exit into this struct; core/exit.c dispatches on `reason` through one
 * handler table. Nothing here is vendor-specific.
 */
#ifndef PLINTH_VM_EXIT_H
#define PLINTH_VM_EXIT_H

#include <plinth/types.h>

enum vm_exit_reason {
	VMEXIT_NONE = 0,       /* nothing to do (e.g. an exit the backend handled itself) */
	VMEXIT_CPUID,
	VMEXIT_IO,             /* IN/OUT/INS/OUTS */
	VMEXIT_MSR_READ,
	VMEXIT_MSR_WRITE,
	VMEXIT_HLT,
	VMEXIT_HYPERCALL,      /* VMMCALL / VMCALL */
	VMEXIT_STAGE2_FAULT,   /* NPT fault / EPT violation or misconfiguration */
	VMEXIT_EXTINT,         /* a physical interrupt arrived while the guest ran */
	VMEXIT_NMI,
	VMEXIT_IRQ_WINDOW,     /* the guest can now take an interrupt */
	VMEXIT_EXCEPTION,      /* an intercepted guest exception */
	VMEXIT_VIRT_INSN,      /* VMRUN, VMLOAD, VMSAVE, STGI, CLGI, SKINIT, INVLPGA, VMX instructions */
	VMEXIT_INIT,
	VMEXIT_SHUTDOWN,       /* triple fault */
	VMEXIT_INVALID_STATE,  /* VM entry refused the guest state */
	VMEXIT_UNKNOWN,        /* an exit the backend does not decode */
	VMEXIT_TIMER,          /* the run budget ended (VMX preemption timer) */
	VMEXIT_REASON_COUNT
};

enum stage2_access {
	STAGE2_READ = 1,
	STAGE2_WRITE = 2,
	STAGE2_EXEC = 4,
};

struct vm_exit {
	enum vm_exit_reason reason;
	uint64_t vendor_code;   /* SVM EXITCODE / VMX basic exit reason, for logs */
	/*
	 * Where the guest continues when the instruction completes; 0 when the
	 * backend could not tell (core then decodes the instruction).
	 */
	uint64_t next_rip;
	union {
		struct {
			uint16_t port;
			uint8_t size;   /* 1, 2 or 4 */
			bool in;
			bool string;    /* INS/OUTS */
			bool rep;
		} io;
		struct {
			uint32_t index;
			uint64_t value; /* for writes: EDX:EAX */
		} msr;
		struct {
			uint64_t gpa;
			uint8_t access;   /* STAGE2_* of the faulting access */
			bool misconfig;   /* EPT misconfiguration: a bug in our tables */
		} stage2;
		struct {
			uint8_t vector;
			bool has_error_code;
			uint32_t error_code;
			uint64_t cr2;     /* for #PF */
		} exception;
		struct {
			const char *name; /* "VMRUN", "VMLAUNCH", ... */
		} virt_insn;
		struct {
			uint64_t info1, info2; /* vendor detail, printed as is */
			const char *why;       /* decoded reason when the backend knows it */
		} invalid;
	};
};

const char *vm_exit_reason_name(enum vm_exit_reason r);

#endif

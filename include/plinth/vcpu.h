/*
 * A virtual CPU: the vendor-neutral part. The backend keeps its VMCB/VMCS in
 * `backend` and copies RAX, RSP, RIP and RFLAGS into `regs` after every exit
 * (and back before the next entry), so exit handlers only touch `regs`.
 */
#ifndef PLINTH_VCPU_H
#define PLINTH_VCPU_H

#include <plinth/sched.h>
#include <plinth/types.h>
#include <plinth/vm_exit.h>

struct guest;

/* The layout is shared with the backends' world-switch assembly. */
struct vcpu_regs {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rsp, rip, rflags;
};

/* Control state read through backend ops (rarely needed by handlers). */
enum vcpu_creg {
	VCPU_CR0,
	VCPU_CR2,
	VCPU_CR3,
	VCPU_CR4,
	VCPU_EFER,
	VCPU_PAT, /* the guest's IA32_PAT (SVM: G_PAT; VMX: the guest PAT field) */
	VCPU_TSC_OFFSET, /* added to the host TSC for RDTSC and IA32_TSC in the guest */
	VCPU_CREG_COUNT
};

enum vcpu_seg {
	SEG_ES, SEG_CS, SEG_SS, SEG_DS, SEG_FS, SEG_GS,
	SEG_LDTR, SEG_TR, SEG_GDTR, SEG_IDTR,
	SEG_COUNT
};

/* Segment attributes in the packed 12-bit form (type, S, DPL, P, AVL, L, D/B, G). */
#define SEG_ATTR_TYPE(t) ((t) & 0xF)
#define SEG_ATTR_S (1u << 4)
#define SEG_ATTR_DPL(d) (((d) & 3) << 5)
#define SEG_ATTR_P (1u << 7)
#define SEG_ATTR_AVL (1u << 8)
#define SEG_ATTR_L (1u << 9)
#define SEG_ATTR_DB (1u << 10)
#define SEG_ATTR_G (1u << 11)

struct segment {
	uint16_t selector;
	uint16_t attr;
	uint32_t limit;
	uint64_t base;
};

/* How a vCPU starts. */
enum vcpu_start_mode {
	VCPU_START_REAL,   /* real mode, CS:IP = (entry >> 4):(entry & 15)... see guest.c */
	VCPU_START_PROT32, /* 32-bit protected mode, flat 4 GiB segments, paging off */
};

/* An event to deliver into the guest. */
enum vcpu_event_type {
	EVENT_EXTINT,     /* external interrupt */
	EVENT_NMI,
	EVENT_EXCEPTION,  /* hardware exception, with error code if has_error_code */
	EVENT_SOFTINT,
};

struct vcpu_event {
	enum vcpu_event_type type;
	uint8_t vector;
	bool has_error_code;
	uint32_t error_code;
};

enum vcpu_state {
	VCPU_RUNNABLE,
	VCPU_HALTED,  /* HLT: waits for an interrupt */
	VCPU_STOPPED, /* the guest was stopped (exit, crash); never runs again */
};

struct vcpu {
	struct guest *guest;
	unsigned id;
	enum vcpu_state state;
	struct vcpu_regs regs;
	void *backend;                       /* VMCB/VMCS and friends */
	uint64_t exit_counts[VMEXIT_REASON_COUNT];
	uint64_t exits;                      /* all exits */
	uint64_t mtrr_def_type;              /* emulated MSR, no effect on memory types */
	uint8_t fpu[512] __aligned(16);      /* FXSAVE image while another vCPU runs */
	bool yield;                          /* HC_YIELD: let the others run first */
	/*
	 * TSC ticks the vCPU may run from its next entry before it must exit (0 =
	 * no limit). VT-x arms its preemption timer with it; on AMD-V the host's
	 * timer interrupt ends the run instead.
	 */
	uint64_t run_budget_tsc;
	struct sched_vcpu sched;             /* the credit scheduler's view of it */
	uint64_t timer_deadline_ns;          /* HC_SET_TIMER: 0 = none */
	uint8_t timer_vector;
};

#endif

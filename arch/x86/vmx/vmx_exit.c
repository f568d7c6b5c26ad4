/*
 * VM-exit decoding (SDM vol. 3C, 28.2 and appendix C): the exit reason,
 * exit qualification, interruption information and instruction length
 * become one struct vm_exit. Pure: vmx_run.c reads the fields, the host unit
 * test feeds any values. VMX reports the instruction length for every
 * instruction exit, so next_rip is always known for those.
 */
#include <plinth/string.h>

#include "vmcs_fields.h"
#include "vmx.h"

#define VECTOR_PF 14

/*
 * Exits that need nothing but their reason. Instruction exits (`insn`) did
 * not run the instruction: the guest continues after it. The VMX
 * instructions and VMFUNC exit unconditionally in VMX non-root operation;
 * core answers them with #UD.
 */
struct exit_kind {
	uint16_t basic;
	uint8_t reason;    /* enum vm_exit_reason */
	bool insn;
	const char *name;  /* for VMEXIT_VIRT_INSN */
};

static const struct exit_kind kinds[] = {
	{ EXIT_REASON_EXTINT, VMEXIT_EXTINT, false, NULL },
	{ EXIT_REASON_TRIPLE_FAULT, VMEXIT_SHUTDOWN, false, NULL },
	{ EXIT_REASON_INIT, VMEXIT_INIT, false, NULL },
	{ EXIT_REASON_IRQ_WINDOW, VMEXIT_IRQ_WINDOW, false, NULL },
	{ EXIT_REASON_PREEMPT_TIMER, VMEXIT_TIMER, false, NULL },
	{ EXIT_REASON_CPUID, VMEXIT_CPUID, true, NULL },
	{ EXIT_REASON_HLT, VMEXIT_HLT, true, NULL },
	{ EXIT_REASON_VMCALL, VMEXIT_HYPERCALL, true, NULL },
	{ EXIT_REASON_VMCLEAR, VMEXIT_VIRT_INSN, true, "VMCLEAR" },
	{ EXIT_REASON_VMLAUNCH, VMEXIT_VIRT_INSN, true, "VMLAUNCH" },
	{ EXIT_REASON_VMPTRLD, VMEXIT_VIRT_INSN, true, "VMPTRLD" },
	{ EXIT_REASON_VMPTRST, VMEXIT_VIRT_INSN, true, "VMPTRST" },
	{ EXIT_REASON_VMREAD, VMEXIT_VIRT_INSN, true, "VMREAD" },
	{ EXIT_REASON_VMRESUME, VMEXIT_VIRT_INSN, true, "VMRESUME" },
	{ EXIT_REASON_VMWRITE, VMEXIT_VIRT_INSN, true, "VMWRITE" },
	{ EXIT_REASON_VMXOFF, VMEXIT_VIRT_INSN, true, "VMXOFF" },
	{ EXIT_REASON_VMXON, VMEXIT_VIRT_INSN, true, "VMXON" },
	{ EXIT_REASON_INVEPT, VMEXIT_VIRT_INSN, true, "INVEPT" },
	{ EXIT_REASON_INVVPID, VMEXIT_VIRT_INSN, true, "INVVPID" },
	{ EXIT_REASON_VMFUNC, VMEXIT_VIRT_INSN, true, "VMFUNC" },
};

static const struct exit_kind *kind_of(uint32_t basic)
{
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (kinds[i].basic == basic)
			return &kinds[i];
	return NULL;
}

/* Exit reason 0: an NMI, or an exception the exception bitmap selects. */
static void exception_or_nmi(const struct vmx_exit_info *x, struct vm_exit *exit)
{
	unsigned type = (x->intr_info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	unsigned vector = x->intr_info & INTR_INFO_VECTOR_MASK;

	if (type == INTR_TYPE_NMI) {
		exit->reason = VMEXIT_NMI;
		return;
	}
	exit->reason = VMEXIT_EXCEPTION;
	exit->exception.vector = (uint8_t)vector;
	exit->exception.has_error_code = x->intr_info & INTR_INFO_ERROR_VALID;
	exit->exception.error_code = exit->exception.has_error_code ? x->intr_error : 0;
	/* The faulting address of an intercepted #PF is the qualification; CR2 is untouched. */
	exit->exception.cr2 = vector == VECTOR_PF ? x->qualification : 0;
}

/* I/O qualification: size-1 in bits 2:0, IN, string, REP, port in 31:16. */
static void port_io(const struct vmx_exit_info *x, struct vm_exit *exit)
{
	uint64_t q = x->qualification;

	exit->reason = VMEXIT_IO;
	exit->io.port = (uint16_t)(q >> IO_QUAL_PORT_SHIFT);
	exit->io.size = (uint8_t)((q & IO_QUAL_SIZE_MASK) + 1);
	exit->io.in = q & IO_QUAL_IN;
	exit->io.string = q & IO_QUAL_STRING;
	exit->io.rep = q & IO_QUAL_REP;
}

static void ept_fault(const struct vmx_exit_info *x, bool misconfig, struct vm_exit *exit)
{
	exit->reason = VMEXIT_STAGE2_FAULT;
	exit->stage2.gpa = x->gpa;
	exit->stage2.misconfig = misconfig;
	if (misconfig)
		exit->stage2.access = 0; /* a misconfiguration has no qualification */
	else if (x->qualification & EPT_QUAL_FETCH)
		exit->stage2.access = STAGE2_EXEC;
	else if (x->qualification & EPT_QUAL_WRITE)
		exit->stage2.access = STAGE2_WRITE;
	else
		exit->stage2.access = STAGE2_READ;
}

/* A refused VM entry: nothing ran. vmx_run.c names the failed check for reason 33. */
static void entry_failure(const struct vmx_exit_info *x, uint32_t basic, struct vm_exit *exit)
{
	exit->reason = VMEXIT_INVALID_STATE;
	exit->invalid.info1 = x->qualification;
	exit->invalid.info2 = x->reason;
	if (basic == EXIT_REASON_MSR_LOADING)
		exit->invalid.why = "VM entry failed loading an MSR from the VM-entry MSR-load area";
	else if (basic == EXIT_REASON_MACHINE_CHECK)
		exit->invalid.why = "a machine-check event during VM entry";
	else if (basic != EXIT_REASON_BAD_GUEST_STATE)
		exit->invalid.why = "VM entry failed with an unexpected exit reason";
}

/* RDMSR/WRMSR: the index in ECX, the value to write in EDX:EAX. */
static void msr_access(bool write, const struct vcpu_regs *regs, struct vm_exit *exit)
{
	exit->reason = write ? VMEXIT_MSR_WRITE : VMEXIT_MSR_READ;
	exit->msr.index = (uint32_t)regs->rcx;
	if (write)
		exit->msr.value = (uint64_t)(uint32_t)regs->rdx << 32 | (uint32_t)regs->rax;
}

void vmx_exit_decode(const struct vmx_exit_info *x, const struct vcpu_regs *regs,
		     struct vm_exit *exit)
{
	uint32_t basic = x->reason & 0xFFFFu;
	const struct exit_kind *k = kind_of(basic);
	uint64_t after = x->rip + x->insn_len;

	memset(exit, 0, sizeof(*exit));
	exit->vendor_code = x->reason;
	if (x->reason & EXIT_REASON_ENTRY_FAILED) {
		entry_failure(x, basic, exit);
	} else if (k) {
		exit->reason = (enum vm_exit_reason)k->reason;
		exit->virt_insn.name = k->name;
		exit->next_rip = k->insn ? after : 0;
	} else if (basic == EXIT_REASON_RDMSR || basic == EXIT_REASON_WRMSR) {
		msr_access(basic == EXIT_REASON_WRMSR, regs, exit);
		exit->next_rip = after;
	} else if (basic == EXIT_REASON_IO) {
		port_io(x, exit);
		exit->next_rip = after;
	} else if (basic == EXIT_REASON_EXCEPTION_NMI) {
		exception_or_nmi(x, exit);
	} else if (basic == EXIT_REASON_EPT_VIOLATION || basic == EXIT_REASON_EPT_MISCONFIG) {
		ept_fault(x, basic == EXIT_REASON_EPT_MISCONFIG, exit);
	} else {
		exit->reason = VMEXIT_UNKNOWN;
	}
}

/*
 * #VMEXIT decoding: the VMCB control area (EXITCODE, EXITINFO1/2, nRIP) and
 * the guest GPRs become one struct vm_exit. Pure: it reads memory only, so the
 * host unit test (tests/unit/test_svm_exit.c) can feed it any VMCB. Side
 * effects of an exit (event re-delivery, the interrupt window) live in
 * svm_event.c.
 */
#define LOG_TAG "svm"
#include <plinth/log.h>
#include <plinth/string.h>

#include "svm.h"

/* Exceptions that push an error code (APM vol. 2, 8.2); EXITINFO1 holds it. */
static bool exception_has_error_code(unsigned vector)
{
	switch (vector) {
	case 8: case 10: case 11: case 12: case 13: case 14: case 17: case 21: case 29: case 30:
		return true;
	default:
		return false;
	}
}

static void decode_ioio(uint64_t info1, uint64_t info2, struct vm_exit *exit)
{
	exit->reason = VMEXIT_IO;
	exit->io.port = (uint16_t)(info1 >> SVM_IOIO_PORT_SHIFT);
	/* The size bits are one-hot. */
	exit->io.size = info1 & SVM_IOIO_SZ32 ? 4 : info1 & SVM_IOIO_SZ16 ? 2 : 1;
	exit->io.in = info1 & SVM_IOIO_IN;
	exit->io.string = info1 & SVM_IOIO_STR;
	exit->io.rep = info1 & SVM_IOIO_REP;
	/* EXITINFO2 is the next RIP for IOIO even without NRIP save. */
	exit->next_rip = info2;
}

static void decode_npf(uint64_t info1, uint64_t info2, struct vm_exit *exit)
{
	exit->reason = VMEXIT_STAGE2_FAULT;
	exit->stage2.gpa = info2;
	/*
	 * Only the access kind is taken from the error code. Whether the page
	 * was present is not reported: QEMU TCG may leave P clear on permission
	 * faults, so core must look at its own stage-2 tables.
	 */
	if (info1 & SVM_NPF_ID)
		exit->stage2.access = STAGE2_EXEC;
	else if (info1 & SVM_NPF_RW)
		exit->stage2.access = STAGE2_WRITE;
	else
		exit->stage2.access = STAGE2_READ;
	/* Reserved bits set in an NPT entry: our tables are wrong. */
	exit->stage2.misconfig = info1 & SVM_NPF_RSV;
}

static void decode_exception(unsigned vector, uint64_t info1, uint64_t info2,
			     struct vm_exit *exit)
{
	exit->reason = VMEXIT_EXCEPTION;
	exit->exception.vector = (uint8_t)vector;
	exit->exception.has_error_code = exception_has_error_code(vector);
	exit->exception.error_code = exit->exception.has_error_code ? (uint32_t)info1 : 0;
	/* An intercepted #PF has not written CR2 yet; the address is in EXITINFO2. */
	exit->exception.cr2 = vector == 14 ? info2 : 0;
}

static const char *virt_insn_name(uint32_t code)
{
	switch (code) {
	case SVM_EXIT_VMRUN: return "VMRUN";
	case SVM_EXIT_VMLOAD: return "VMLOAD";
	case SVM_EXIT_VMSAVE: return "VMSAVE";
	case SVM_EXIT_STGI: return "STGI";
	case SVM_EXIT_CLGI: return "CLGI";
	case SVM_EXIT_SKINIT: return "SKINIT";
	case SVM_EXIT_INVLPGA: return "INVLPGA";
	default: return NULL;
	}
}

void svm_exit_decode(const struct vmcb *vmcb, const struct vcpu_regs *regs,
		     const struct svm_features *f, struct vm_exit *exit)
{
	const struct vmcb_control *c = &vmcb->control;
	uint64_t info1 = c->exitinfo1;
	uint64_t info2 = c->exitinfo2;
	/* nRIP is only meaningful for instruction intercepts, and only with NRIP save. */
	uint64_t nrip = f->nrips ? c->next_rip : 0;
	uint32_t code = (uint32_t)c->exitcode;
	const char *name;

	memset(exit, 0, sizeof(*exit));
	exit->vendor_code = c->exitcode;

	/* VMEXIT_INVALID is -1; QEMU TCG reports 0x00000000ffffffff. */
	if (code == SVM_EXIT_INVALID) {
		exit->reason = VMEXIT_INVALID_STATE;
		exit->invalid.info1 = info1;
		exit->invalid.info2 = info2;
		exit->invalid.why = svm_check_vmcb(vmcb, f);
		return;
	}
	if (c->exitcode >> 32) {
		exit->reason = VMEXIT_UNKNOWN; /* e.g. VMEXIT_BUSY (-2) */
		return;
	}
	if (code >= SVM_EXIT_EXCP_BASE && code < SVM_EXIT_EXCP_BASE + 32) {
		decode_exception(code - SVM_EXIT_EXCP_BASE, info1, info2, exit);
		return;
	}
	name = virt_insn_name(code);
	if (name) {
		exit->reason = VMEXIT_VIRT_INSN;
		exit->virt_insn.name = name;
		exit->next_rip = nrip;
		return;
	}
	switch (code) {
	case SVM_EXIT_CPUID:
		exit->reason = VMEXIT_CPUID;
		exit->next_rip = nrip;
		break;
	case SVM_EXIT_HLT:
		exit->reason = VMEXIT_HLT;
		exit->next_rip = nrip;
		break;
	case SVM_EXIT_VMMCALL:
		exit->reason = VMEXIT_HYPERCALL;
		exit->next_rip = nrip;
		break;
	case SVM_EXIT_MSR:
		/* EXITINFO1: 0 = RDMSR, 1 = WRMSR. */
		exit->reason = info1 & 1 ? VMEXIT_MSR_WRITE : VMEXIT_MSR_READ;
		exit->msr.index = (uint32_t)regs->rcx;
		if (info1 & 1)
			exit->msr.value = (regs->rdx & 0xFFFFFFFFULL) << 32 |
					  (regs->rax & 0xFFFFFFFFULL);
		exit->next_rip = nrip;
		break;
	case SVM_EXIT_IOIO:
		decode_ioio(info1, info2, exit);
		break;
	case SVM_EXIT_NPF:
		decode_npf(info1, info2, exit);
		break;
	case SVM_EXIT_INTR:
		exit->reason = VMEXIT_EXTINT;
		break;
	case SVM_EXIT_NMI:
		exit->reason = VMEXIT_NMI;
		break;
	case SVM_EXIT_VINTR:
		exit->reason = VMEXIT_IRQ_WINDOW;
		break;
	case SVM_EXIT_INIT:
		exit->reason = VMEXIT_INIT;
		break;
	case SVM_EXIT_SHUTDOWN:
		exit->reason = VMEXIT_SHUTDOWN;
		break;
	default:
		exit->reason = VMEXIT_UNKNOWN;
		break;
	}
}

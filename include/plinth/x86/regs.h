/* The register frame the exception stubs (arch/x86/isr.S) build. */
#ifndef PLINTH_X86_REGS_H
#define PLINTH_X86_REGS_H

#include <plinth/types.h>

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error_code;
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

#endif

/*
 * Offsets into struct vcpu_regs (include/plinth/vcpu.h) for svm_run.S.
 * Written by hand; the C side checks every one against the struct.
 */
#ifndef PLINTH_SVM_OFFSETS_H
#define PLINTH_SVM_OFFSETS_H

#define VREGS_RAX 0
#define VREGS_RBX 8
#define VREGS_RCX 16
#define VREGS_RDX 24
#define VREGS_RSI 32
#define VREGS_RDI 40
#define VREGS_RBP 48
#define VREGS_R8 56
#define VREGS_R9 64
#define VREGS_R10 72
#define VREGS_R11 80
#define VREGS_R12 88
#define VREGS_R13 96
#define VREGS_R14 104
#define VREGS_R15 112

#ifndef __ASSEMBLY__
#include <plinth/vcpu.h>

#define VREGS_CHECK(field, off) \
	_Static_assert(offsetof(struct vcpu_regs, field) == (off), "vcpu_regs." #field " moved")
VREGS_CHECK(rax, VREGS_RAX);
VREGS_CHECK(rbx, VREGS_RBX);
VREGS_CHECK(rcx, VREGS_RCX);
VREGS_CHECK(rdx, VREGS_RDX);
VREGS_CHECK(rsi, VREGS_RSI);
VREGS_CHECK(rdi, VREGS_RDI);
VREGS_CHECK(rbp, VREGS_RBP);
VREGS_CHECK(r8, VREGS_R8);
VREGS_CHECK(r9, VREGS_R9);
VREGS_CHECK(r10, VREGS_R10);
VREGS_CHECK(r11, VREGS_R11);
VREGS_CHECK(r12, VREGS_R12);
VREGS_CHECK(r13, VREGS_R13);
VREGS_CHECK(r14, VREGS_R14);
VREGS_CHECK(r15, VREGS_R15);
#undef VREGS_CHECK
#endif

#endif

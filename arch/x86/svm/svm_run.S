/*
 * The world switch (AMD APM vol. 2, 15.5 and 15.5.2):
 *
 *   void svm_world_switch(struct vcpu_regs *regs,   %rdi
 *                         paddr_t guest_vmcb_pa,    %rsi
 *                         paddr_t host_vmcb_pa);    %rdx
 *
 * VMRUN saves and restores only part of the host (RIP, RSP, RAX, RFLAGS,
 * CR0/3/4, EFER, CS/SS/DS/ES, GDTR/IDTR: into VM_HSAVE_PA) and loads only
 * part of the guest; FS, GS, TR, LDTR, KernelGSBase, STAR/LSTAR/CSTAR/SFMASK
 * and SYSENTER_* move with VMSAVE/VMLOAD. The guest's RAX, RSP, RIP, RFLAGS
 * are in its VMCB (svm_run.c copies them); the other GPRs are ours to move.
 *
 * GIF stays clear from before the host VMSAVE until the host VMLOAD is done:
 * no interrupt, NMI or SMI can reach the host while it runs with the guest's
 * TR or FS/GS. The host keeps RFLAGS.IF = 0 throughout.
 */
#include "svm_offsets.h"

	.text
	.globl svm_world_switch
	.type svm_world_switch, @function
svm_world_switch:
	/* Callee-saved registers; RBP also keeps the frame chain for backtraces. */
	pushq %rbp
	movq %rsp, %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq %rdx			/* 8(%rsp): host VMCB */
	pushq %rdi			/* 0(%rsp): regs */

	clgi
	movq %rdx, %rax
	vmsave %rax			/* host FS/GS/TR/LDTR/MSRs into the host VMCB */
	movq %rsi, %rax
	vmload %rax			/* the guest's, from its VMCB */

	/* Guest GPRs; RDI (the regs pointer) last. RAX stays the VMCB address. */
	movq VREGS_RBX(%rdi), %rbx
	movq VREGS_RCX(%rdi), %rcx
	movq VREGS_RDX(%rdi), %rdx
	movq VREGS_RSI(%rdi), %rsi
	movq VREGS_RBP(%rdi), %rbp
	movq VREGS_R8(%rdi), %r8
	movq VREGS_R9(%rdi), %r9
	movq VREGS_R10(%rdi), %r10
	movq VREGS_R11(%rdi), %r11
	movq VREGS_R12(%rdi), %r12
	movq VREGS_R13(%rdi), %r13
	movq VREGS_R14(%rdi), %r14
	movq VREGS_R15(%rdi), %r15
	movq VREGS_RDI(%rdi), %rdi

	/*
	 * With V_INTR_MASKING the host's IF at VMRUN gates physical interrupts
	 * while the guest runs (APM 15.21.1): IF=1 lets them cause INTR exits.
	 * GIF=0 keeps them from reaching the host until the exit is handled.
	 */
	sti
	vmrun %rax
	/* #VMEXIT: RAX (guest VMCB), RSP and RFLAGS are the host's again. */
	vmsave %rax			/* the guest's FS/GS/TR/LDTR/MSRs back to its VMCB */

	xchgq %rdi, (%rsp)		/* RDI = regs; the guest's RDI waits on the stack */
	movq %rbx, VREGS_RBX(%rdi)
	movq %rcx, VREGS_RCX(%rdi)
	movq %rdx, VREGS_RDX(%rdi)
	movq %rsi, VREGS_RSI(%rdi)
	movq %rbp, VREGS_RBP(%rdi)
	movq %r8, VREGS_R8(%rdi)
	movq %r9, VREGS_R9(%rdi)
	movq %r10, VREGS_R10(%rdi)
	movq %r11, VREGS_R11(%rdi)
	movq %r12, VREGS_R12(%rdi)
	movq %r13, VREGS_R13(%rdi)
	movq %r14, VREGS_R14(%rdi)
	movq %r15, VREGS_R15(%rdi)
	popq %rax
	movq %rax, VREGS_RDI(%rdi)

	popq %rax			/* host VMCB */
	vmload %rax
	cli				/* the host runs with IF=0; GIF=1 again below */
	stgi

	/* Guest values must not linger in caller-saved registers. */
	xorl %ecx, %ecx
	xorl %edx, %edx
	xorl %esi, %esi
	xorl %edi, %edi
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d

	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret
	.size svm_world_switch, . - svm_world_switch

/*
 * The world switch (SDM vol. 3C, 27 "VM Entries", 28.5 "Loading Host State"):
 *
 *   int vmx_world_switch(struct vcpu_regs *regs,   %rdi
 *                        int resume);              %esi: VMRESUME, else VMLAUNCH
 *
 * VM entry loads the guest's RSP, RIP, RFLAGS, control registers and
 * segments from the VMCS (vmx_run.c wrote them); the other GPRs are ours to
 * move. A VM exit continues at vmx_host_return (HOST_RIP) with RSP =
 * HOST_RSP, written here just before entering, and RFLAGS = 2: the host
 * runs with IF=0 from then on, as before the entry. Returns 0 after an exit,
 * 1 when VMLAUNCH/VMRESUME itself failed (CF or ZF set: nothing ran).
 */
#include "vmcs_fields.h"

/* struct vcpu_regs (include/plinth/vcpu.h), 8 bytes each; vmx_run.c checks the layout. */
	.set slot_rax, 0
	.set slot_rbx, 8
	.set slot_rcx, 16
	.set slot_rdx, 24
	.set slot_rsi, 32
	.set slot_rdi, 40
	.set slot_rbp, 48
	.set slot_r8, 56
	.set slot_r9, 64
	.set slot_r10, 72
	.set slot_r11, 80
	.set slot_r12, 88
	.set slot_r13, 96
	.set slot_r14, 104
	.set slot_r15, 112

	.set SAVED_RBX, 8
	.set SAVED_R12, 16
	.set SAVED_R13, 24
	.set SAVED_R14, 32
	.set SAVED_R15, 40
	.set FRAME_BYTES, 48

	.text
	.globl vmx_world_switch
	.type vmx_world_switch, @function
vmx_world_switch:
	pushq %rbp
	movq %rsp, %rbp			/* keeps the frame chain for backtraces */
	/* Frame: regs at 0 (where HOST_RSP points), then the callee-saved registers. */
	subq $FRAME_BYTES, %rsp
	movq %rdi, 0(%rsp)
	movq %rbx, SAVED_RBX(%rsp)
	movq %r12, SAVED_R12(%rsp)
	movq %r13, SAVED_R13(%rsp)
	movq %r14, SAVED_R14(%rsp)
	movq %r15, SAVED_R15(%rsp)

	movq $VMCS_HOST_RSP, %rax
	vmwrite %rsp, %rax
	jbe .Lfailed			/* cannot happen with a current VMCS */

	testl %esi, %esi		/* MOVs below keep ZF */
	movq slot_rax(%rdi), %rax
	movq slot_rbx(%rdi), %rbx
	movq slot_rcx(%rdi), %rcx
	movq slot_rdx(%rdi), %rdx
	movq slot_rsi(%rdi), %rsi
	movq slot_rbp(%rdi), %rbp
	movq slot_r8(%rdi), %r8
	movq slot_r9(%rdi), %r9
	movq slot_r10(%rdi), %r10
	movq slot_r11(%rdi), %r11
	movq slot_r12(%rdi), %r12
	movq slot_r13(%rdi), %r13
	movq slot_r14(%rdi), %r14
	movq slot_r15(%rdi), %r15
	movq slot_rdi(%rdi), %rdi
	jnz .Lresume
	vmlaunch
	jmp .Lfailed
.Lresume:
	vmresume
.Lfailed:
	/* Fell through: VMfailInvalid / VMfailValid. RSP still points at regs. */
	movl $1, %eax
	jmp .Lout

	.globl vmx_host_return
	.type vmx_host_return, @function
vmx_host_return:
	pushq %rdi			/* the guest's RDI; regs is at 8(%rsp) */
	movq 8(%rsp), %rdi
	movq %rax, slot_rax(%rdi)
	movq %rbx, slot_rbx(%rdi)
	movq %rcx, slot_rcx(%rdi)
	movq %rdx, slot_rdx(%rdi)
	movq %rsi, slot_rsi(%rdi)
	movq %rbp, slot_rbp(%rdi)
	movq %r8, slot_r8(%rdi)
	movq %r9, slot_r9(%rdi)
	movq %r10, slot_r10(%rdi)
	movq %r11, slot_r11(%rdi)
	movq %r12, slot_r12(%rdi)
	movq %r13, slot_r13(%rdi)
	movq %r14, slot_r14(%rdi)
	movq %r15, slot_r15(%rdi)
	popq slot_rdi(%rdi)
	xorl %eax, %eax
.Lout:
	/* Callee-saved registers back; no guest value stays in a caller-saved one. */
	movq SAVED_RBX(%rsp), %rbx
	xorl %ecx, %ecx
	movq SAVED_R12(%rsp), %r12
	xorl %edx, %edx
	movq SAVED_R13(%rsp), %r13
	xorl %esi, %esi
	movq SAVED_R14(%rsp), %r14
	xorl %edi, %edi
	movq SAVED_R15(%rsp), %r15
	xorl %r8d, %r8d
	xorl %r9d, %r9d
	xorl %r10d, %r10d
	xorl %r11d, %r11d
	movq FRAME_BYTES(%rsp), %rbp
	addq $FRAME_BYTES + 8, %rsp
	ret
	.size vmx_world_switch, . - vmx_world_switch

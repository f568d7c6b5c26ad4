/*
 * Exception entry stubs. Each pushes a dummy error code where the CPU does
 * not push one, then the vector, so every trap builds the same
 * struct trap_frame (include/plinth/x86/regs.h) for trap_dispatch().
 */
	.text

.macro ISR_NOERR vec
	.balign 16
isr_\vec:
	pushq $0
	pushq $\vec
	jmp isr_common
.endm

.macro ISR_ERR vec
	.balign 16
isr_\vec:
	pushq $\vec
	jmp isr_common
.endm

/* Vectors 8, 10-14, 17, 21, 29, 30 push an error code (SDM vol. 3A 6.13). */
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR 8
ISR_NOERR 9
ISR_ERR 10
ISR_ERR 11
ISR_ERR 12
ISR_ERR 13
ISR_ERR 14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR 17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR 21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR 29
ISR_ERR 30
ISR_NOERR 31
/* Legacy PIC interrupts (remapped to 0x20-0x2F); anything else is unexpected. */
.irp v, 32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
ISR_NOERR \v
.endr
/* LAPIC vectors: spurious, timer, IPIs (descriptors.h). */
.irp v, 239,240,241,242
ISR_NOERR \v
.endr
ISR_NOERR 255

isr_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	cld
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp		/* vector, error code */
	iretq

	.section .rodata
	.balign 8
	.globl isr_stub_table
isr_stub_table:
	.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31,32,33,34,35,36,37,38,39,40,41,42,43,44,45,46,47
	.quad isr_\v
	.endr
	.globl isr_stub_unexpected
isr_stub_unexpected:
	.quad isr_255
	.globl isr_stub_lapic
isr_stub_lapic:
	.irp v, 239,240,241,242
	.quad isr_\v
	.endr

/* void capture_registers(struct trap_frame *f): registers at the call, for panic(). */
	.text
	.globl capture_registers
capture_registers:
	movq %r15, 0(%rdi)
	movq %r14, 8(%rdi)
	movq %r13, 16(%rdi)
	movq %r12, 24(%rdi)
	movq %r11, 32(%rdi)
	movq %r10, 40(%rdi)
	movq %r9, 48(%rdi)
	movq %r8, 56(%rdi)
	movq %rbp, 64(%rdi)
	movq %rdi, 72(%rdi)
	movq %rsi, 80(%rdi)
	movq %rdx, 88(%rdi)
	movq %rcx, 96(%rdi)
	movq %rbx, 104(%rdi)
	movq %rax, 112(%rdi)
	movq $0, 120(%rdi)		/* vector */
	movq $0, 128(%rdi)		/* error code */
	movq (%rsp), %rax		/* return address: where panic() was */
	movq %rax, 136(%rdi)
	movq %cs, %rax
	movq %rax, 144(%rdi)
	pushfq
	popq %rax
	movq %rax, 152(%rdi)
	leaq 8(%rsp), %rax		/* the caller's rsp */
	movq %rax, 160(%rdi)
	movq %ss, %rax
	movq %rax, 168(%rdi)
	movq 112(%rdi), %rax
	ret

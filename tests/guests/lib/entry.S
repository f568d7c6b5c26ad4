/*
 * Guest entry: 32-bit protected mode (Plinth's prot32 start state, flat
 * segments, paging off) to 64-bit mode, then rt_start() in runtime.c.
 *
 * Page tables: 2 MiB pages identity-mapping the first 4 GiB (the top GiB,
 * where MMIO would live, uncached). Everything lives in the guest's own RAM:
 * tables, GDT, IDT (runtime.c), stack.
 *
 * Also the interrupt stubs: one 16-byte stub per vector, pushing a zero error
 * code where the CPU pushes none, then the vector, then the common path that
 * saves the registers and calls rt_trap_handler(struct trap_frame *).
 */
#define EFER_MSR 0xC0000080
#define EFER_LME (1 << 8)
#define CR0_PE 0x00000001
#define CR0_PG 0x80000000
#define CR4_PAE (1 << 5)
#define PTE_P 0x1
#define PTE_RW 0x2
#define PTE_PWT 0x8
#define PTE_PCD 0x10
#define PTE_PS 0x80

#define SEL_CODE64 0x08
#define SEL_DATA 0x10

	.section .text.entry, "ax"
	.code32
	.globl rt_entry32
rt_entry32:
	cli
	cld
	movl %eax, rt_boot_eax
	movl %ebx, rt_boot_ebx

	/* Zero .bss (Plinth zeroes guest RAM, but do not rely on it here). */
	movl $__bss_start, %edi
	movl $__bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb
	movl $rt_stack_top, %esp

	/* PML4[0] -> PDPT; PDPT[0..3] -> the four page directories. */
	movl $rt_pdpt + (PTE_P | PTE_RW), rt_pml4
	movl $rt_pd + (PTE_P | PTE_RW), %eax
	xorl %ecx, %ecx
1:	movl %eax, rt_pdpt(, %ecx, 8)
	addl $4096, %eax
	incl %ecx
	cmpl $4, %ecx
	jb 1b

	/* 2048 entries of 2 MiB: entry i maps i << 21 (all below 4 GiB). */
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $(PTE_P | PTE_RW | PTE_PS), %eax
	cmpl $1536, %ecx                   /* 3..4 GiB: uncached */
	jb 3f
	orl $(PTE_PCD | PTE_PWT), %eax
3:	movl %eax, rt_pd(, %ecx, 8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $rt_pml4, %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	lgdt rt_gdt_ptr
	ljmp $SEL_CODE64, $entry64

	.code64
entry64:
	movw $SEL_DATA, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movq $rt_stack_top, %rsp
	xorl %ebp, %ebp
	call rt_start
4:	cli
	hlt
	jmp 4b

/* ---- Interrupt stubs ---------------------------------------------------- */

	.text
	.balign 16
	.globl rt_isr_stubs
rt_isr_stubs:
	.set vec, 0
	.rept 256
	.balign 16
	/* Vectors where the CPU pushes an error code: 8, 10-14, 17, 21, 29, 30. */
	.if (vec == 8) || ((vec >= 10) && (vec <= 14)) || (vec == 17) || (vec == 21) || (vec == 29) || (vec == 30)
	.else
	pushq $0
	.endif
	pushq $vec
	jmp isr_common
	.set vec, vec + 1
	.endr

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
	call rt_trap_handler
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
	addq $16, %rsp          /* vector, error code */
	iretq

/* ---- Data --------------------------------------------------------------- */

	.data
	.globl rt_boot_eax, rt_boot_ebx
	.balign 4
rt_boot_eax:	.long 0         /* .data, not .bss: written before .bss is zeroed */
rt_boot_ebx:	.long 0

	.balign 8
	.globl rt_gdt
rt_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF  /* 0x08: 64-bit code */
	.quad 0x00CF92000000FFFF  /* 0x10: flat data */
	.quad 0x00CF9A000000FFFF  /* 0x18: flat 32-bit code */
rt_gdt_end:
	.balign 8
	.word 0, 0, 0
rt_gdt_ptr:                       /* limit at an address = 6 mod 8: base aligned */
	.word rt_gdt_end - rt_gdt - 1
	.quad rt_gdt

	.bss
	.balign 4096
	.globl rt_pml4
rt_pml4:	.skip 4096
rt_pdpt:	.skip 4096
rt_pd:		.skip 4 * 4096
	.balign 16
rt_stack:	.skip 16384
rt_stack_top:

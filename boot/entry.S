/*
 * 32-bit entry from a multiboot loader (EAX = magic, EBX = info, paging off)
 * to 64-bit C. Builds an identity map of the first 4 GiB with 2 MiB pages,
 * just enough to reach kmain, which then builds the real W^X page tables.
 */
#include <plinth/x86/layout.h>

#define EFER_MSR 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define CR0_PE_WP_PG 0x80010001
#define CR4_PAE (1 << 5)
#define PTE_P_RW 0x3
#define PDE_P_RW_PS 0x83
#define COM1 0x3F8

	.section .text.boot, "ax"
	.code32
	.globl _start
_start:
	cli
	cld
	/* .data, not .bss: the bss is cleared next */
	movl %eax, boot_mb_magic
	movl %ebx, boot_mb_info
	/* The boot-cost benchmark's start (core/boot_cost.c); EAX/EBX are saved. */
	rdtsc
	movl %eax, boot_entry_tsc
	movl %edx, boot_entry_tsc + 4

	/* Clear .bss: GRUB and QEMU do, but no loader has to. */
	movl $_bss_start, %edi
	movl $_bss_end, %ecx
	subl %edi, %ecx
	xorl %eax, %eax
	rep stosb

	movl $(boot_stacks + GUARDED_STACK_SIZE), %esp

	/* Long mode and NX are required (W^X needs NX). */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	btl $20, %edx
	jnc no_nx

	/* PML4[0] -> PDPT; PDPT[0..3] -> four page directories of 2 MiB pages. */
	movl $early_pdpt, %eax
	orl $PTE_P_RW, %eax
	movl %eax, early_pml4
	xorl %ecx, %ecx
1:	movl %ecx, %eax
	shll $12, %eax
	addl $early_pd, %eax
	orl $PTE_P_RW, %eax
	movl %eax, early_pdpt(,%ecx,8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movl %ecx, %eax
	shll $21, %eax
	orl $PDE_P_RW_PS, %eax
	movl %eax, early_pd(,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $early_pml4, %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movl %cr0, %eax
	orl $CR0_PE_WP_PG, %eax
	movl %eax, %cr0

	lgdt early_gdt_ptr
	ljmp $KERNEL_CS, $long_mode_entry

no_long_mode:
	movl $msg_no_long_mode, %esi
	jmp early_fail
no_nx:
	movl $msg_no_nx, %esi
	/*
	 * Polled COM1 output (LSR bit 5 = THR empty); nothing else exists yet.
	 * The 64-bit UEFI entry (entry_efi.S) jumps here too: these bytes mean
	 * the same in long mode (lodsb then reads through RSI).
	 */
	.globl early_fail, msg_no_nx
early_fail:
	movw $(COM1 + 5), %dx
3:	inb %dx, %al
	testb $0x20, %al
	jz 3b
	lodsb
	testb %al, %al
	jz 4f
	movw $COM1, %dx
	outb %al, %dx
	jmp 3b
4:	cli
	hlt
	jmp 4b

	/* Shared with the UEFI entry (entry_efi.S): EDI/ESI come from boot_mb_*. */
	.code64
	.globl long_mode_entry
long_mode_entry:
	movw $KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq $(boot_stacks + GUARDED_STACK_SIZE), %rsp
	xorl %ebp, %ebp		/* ends the backtrace */
	movl boot_mb_magic, %edi
	movl boot_mb_info, %esi
	call kmain
5:	cli
	hlt
	jmp 5b

	.section .rodata
msg_no_long_mode:
	.asciz "Plinth: this CPU does not support 64-bit long mode; halting.\r\n"
msg_no_nx:
	.asciz "Plinth: this CPU lacks the NX bit, which Plinth needs for W^X; halting.\r\n"

	.balign 16
early_gdt:
	.quad 0
	.quad 0x00AF9B000000FFFF	/* KERNEL_CS: 64-bit code, accessed */
	.quad 0x00CF93000000FFFF	/* KERNEL_DS: data, accessed */
early_gdt_end:
early_gdt_ptr:
	.short early_gdt_end - early_gdt - 1
	.long early_gdt
	/* For lgdt in 64-bit mode (entry_efi.S), which reads an 8-byte base. */
	.balign 8
	.globl early_gdt_ptr64
early_gdt_ptr64:
	.short early_gdt_end - early_gdt - 1
	.quad early_gdt

	.data
	.globl boot_mb_magic, boot_mb_info, boot_entry_tsc
	.balign 8
boot_entry_tsc:
	.quad 0
boot_mb_magic:
	.long 0
boot_mb_info:
	.long 0

	.section .bss.pagetables, "aw", @nobits
	.balign 4096
	.globl early_pml4, early_pdpt, early_pd
early_pml4:
	.skip 4096
early_pdpt:
	.skip 4096
early_pd:
	.skip 4 * 4096

	/*
	 * The boot CPU's block: [guard page][STACK_SIZE] x STACK_COUNT, then
	 * its struct percpu; aligned to its size by linker.ld (see layout.h).
	 */
	.section .bss.stacks, "aw", @nobits
	.balign 4096
	.globl boot_stacks
boot_stacks:
	.skip CPU_BLOCK_SIZE

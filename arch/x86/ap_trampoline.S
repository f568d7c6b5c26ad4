/*
 * Where application processors start (SDM vol. 3A 8.4.4): in real mode, at
 * CS:IP = page:0 after INIT-SIPI-SIPI. smp.c copies ap_trampoline_start ..
 * ap_trampoline_end to a page below 1 MiB, fills in the GDT base, CR0 and
 * CR3 there, then makes the page read+execute (W^X holds: it is written
 * only before that).
 *
 * Real mode goes straight to long mode: PAE, the boot CPU's page tables,
 * EFER.LME+NXE, then PE and PG in one write to CR0 (the boot CPU's CR0, so
 * caching is on: CD/NW are set after INIT). The far jump through the
 * trampoline's GDT lands in 64-bit code in the image, which takes the
 * stack the boot CPU left in ap_boot_stack and calls ap_start (smp.c).
 */
#include <plinth/x86/layout.h>

#define EFER_MSR 0xC0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define CR4_PAE (1 << 5)
#define OFF(sym) ((sym) - ap_trampoline_start)

	/* Only ever copied, never executed here. */
	.section .rodata
	.code16
	.balign 16
	.globl ap_trampoline_start, ap_trampoline_end
	.globl ap_trampoline_gdt_ptr, ap_trampoline_cr0, ap_trampoline_cr3
ap_trampoline_start:
	cli
	cld
	movw %cs, %ax
	movw %ax, %ds
	movl $CR4_PAE, %eax
	movl %eax, %cr4
	movl OFF(ap_trampoline_cr3), %eax
	movl %eax, %cr3
	movl $EFER_MSR, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	lgdtl OFF(ap_trampoline_gdt_ptr)
	movl OFF(ap_trampoline_cr0), %eax
	movl %eax, %cr0
	/* Compatibility mode now; the far jump loads the 64-bit code segment. */
	ljmpl $KERNEL_CS, $ap_long_mode_entry

	.balign 8
ap_trampoline_gdt:
	.quad 0
	.quad 0x00AF9B000000FFFF	/* KERNEL_CS: 64-bit code, accessed (no write to a read-only page) */
	.quad 0x00CF93000000FFFF	/* KERNEL_DS: data, accessed */
ap_trampoline_gdt_end:
	.balign 4
ap_trampoline_cr0:
	.long 0				/* filled in: the boot CPU's CR0 */
ap_trampoline_cr3:
	.long 0				/* filled in: the hypervisor's page tables, below 4 GiB */
	.balign 4
	.word 0
ap_trampoline_gdt_ptr:
	.word ap_trampoline_gdt_end - ap_trampoline_gdt - 1
	.long 0				/* filled in: the linear address of ap_trampoline_gdt */
ap_trampoline_end:

	.globl ap_trampoline_gdt_offset
	.balign 4
ap_trampoline_gdt_offset:
	.long ap_trampoline_gdt - ap_trampoline_start

	.text
	.code64
ap_long_mode_entry:
	movw $KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorw %ax, %ax
	movw %ax, %fs
	movw %ax, %gs
	movq ap_boot_stack(%rip), %rsp
	xorl %ebp, %ebp		/* ends the backtrace */
	call ap_start
1:	cli
	hlt
	jmp 1b

/*
 * 64-bit entry from Plinth's own UEFI loader (boot/efi/), after
 * ExitBootServices: RDI = struct uefi_handoff * (below 4 GiB). The CPU is
 * already in long mode, but on the firmware's GDT, IDT, page tables and
 * stack, possibly with interrupts on. This brings it to the state the
 * multiboot path (entry.S) reaches, then joins that path at long_mode_entry
 * with kmain(PLINTH_UEFI_MAGIC, handoff). The loader finds this entry
 * through the record in header.S (include/plinth/uefi_handoff.h).
 */
#include <plinth/uefi_handoff.h>
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
	.code64
	.globl _start64
_start64:
	cli
	cld
	/* .data, not .bss: the bss is cleared next (entry.S reads them). */
	movl $PLINTH_UEFI_MAGIC, boot_mb_magic(%rip)
	movl %edi, boot_mb_info(%rip)

	/* W^X needs NX; long mode is given. */
	movl $0x80000001, %eax
	cpuid
	btl $20, %edx
	jnc no_nx64

	/* Clear .bss while still on the firmware's stack (outside the image). */
	leaq _bss_start(%rip), %rdi
	leaq _bss_end(%rip), %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	leaq (boot_stacks + GUARDED_STACK_SIZE)(%rip), %rsp

	/* The same early identity map of 4 GiB as entry.S builds. */
	leaq early_pdpt(%rip), %rax
	orq $PTE_P_RW, %rax
	movq %rax, early_pml4(%rip)
	leaq early_pdpt(%rip), %rdi
	leaq early_pd(%rip), %rdx
	xorl %ecx, %ecx
1:	movq %rcx, %rax
	shlq $12, %rax
	addq %rdx, %rax
	orq $PTE_P_RW, %rax
	movq %rax, (%rdi,%rcx,8)
	incl %ecx
	cmpl $4, %ecx
	jb 1b
	xorl %ecx, %ecx
2:	movq %rcx, %rax
	shlq $21, %rax
	orq $PDE_P_RW_PS, %rax
	movq %rax, (%rdx,%rcx,8)
	incl %ecx
	cmpl $2048, %ecx
	jb 2b

	/*
	 * Our tables first (their PCID bits are 0, so CR4 may drop PCIDE),
	 * then CR4 exactly as entry.S leaves it: the kernel adds what it needs
	 * and must not inherit firmware bits it does not expect.
	 */
	leaq early_pml4(%rip), %rax
	movq %rax, %cr3
	movl $CR4_PAE, %eax
	movq %rax, %cr4
	movl $EFER_MSR, %ecx
	rdmsr
	orl $(EFER_LME | EFER_NXE), %eax
	wrmsr
	movq %cr0, %rax
	orl $CR0_PE_WP_PG, %eax
	movq %rax, %cr0

	/* Our GDT (64-bit pseudo-descriptor: 8-byte base), then reload CS. */
	lgdt early_gdt_ptr64(%rip)
	pushq $KERNEL_CS
	leaq long_mode_entry(%rip), %rax
	pushq %rax
	lretq

no_nx64:
	leaq msg_no_nx(%rip), %rsi
	jmp early_fail

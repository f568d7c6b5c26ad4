/*
 * realmode, first part: Plinth starts it in real mode at 0800:0000 (module
 * option mode=real; the image is loaded at 0x8000). It records the start
 * registers, prints its first report line with a hypercall from real mode,
 * enters 32-bit protected mode with its own GDT and continues at the shared
 * entry (entry.S), which goes on to long mode and calls guest_main()
 * (realmode.c).
 *
 * Everything here stays below 64 KiB, so DS = 0 reaches it.
 */
#define START_MAGIC 0x504C4E54 /* "PLNT" */
#define HC_CONSOLE_WRITE 1
#define HC_INSN_VMMCALL 1

	.section .entry16, "awx"
	.code16
	.globl rm_start
rm_start:                          /* CS:IP = 0800:0000, DS = ES = SS = 0 */
	cli
	movl %eax, rm_eax
	movl %ebx, rm_ebx
	movw %cs, rm_cs
	ljmpw $0, $rm_flat         /* CS = 0: offsets are linear addresses */
rm_flat:
	xorw %ax, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw $0x7C00, %sp

	/* CPUID 0x40000001 EBX: 1 = VMMCALL, 2 = VMCALL. */
	movl $0x40000001, %eax
	cpuid
	movb %bl, rm_insn

	movw $msg_fail, %si
	movw $(msg_fail_end - msg_fail), %cx
	cmpl $START_MAGIC, rm_eax
	jne 1f
	cmpw $0x0800, rm_cs
	jne 1f
	movw $msg_pass, %si
	movw $(msg_pass_end - msg_pass), %cx
1:	movzwl %cx, %ecx
	movl %ecx, rm_hc_len
	call console_write
	movl %eax, rm_hc_ret

	/* Protected mode, flat segments, then the shared 32-bit entry. */
	lgdtl rm_gdt_ptr
	movl %cr0, %eax
	orl $1, %eax               /* PE */
	movl %eax, %cr0
	ljmpl $0x08, $rm_pm32

/* HC_CONSOLE_WRITE(%si, %cx) from real mode; returns RAX. */
console_write:
	movzwl %si, %edi
	movzwl %cx, %esi
	movl $HC_CONSOLE_WRITE, %eax
	cmpb $HC_INSN_VMMCALL, rm_insn
	jne 2f
	vmmcall
	ret
2:	vmcall
	ret

	.code32
rm_pm32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movw %ax, %fs
	movw %ax, %gs
	movl rm_eax, %eax          /* the start state entry.S expects */
	movl rm_ebx, %ebx
	jmp rt_entry32

msg_pass:
	.ascii "PASS realmode-start: EAX=0x504c4e54 (PLNT) at CS:IP 0800:0000, printing from real mode\n"
msg_pass_end:
msg_fail:
	.ascii "FAIL realmode-start: EAX or CS at the first instruction not as documented\n"
msg_fail_end:

	.balign 8
rm_gdt:
	.quad 0
	.quad 0x00CF9A000000FFFF   /* 0x08: flat 32-bit code */
	.quad 0x00CF92000000FFFF   /* 0x10: flat data */
rm_gdt_end:
rm_gdt_ptr:
	.word rm_gdt_end - rm_gdt - 1
	.long rm_gdt

	.globl rm_eax, rm_ebx, rm_cs, rm_insn, rm_hc_len, rm_hc_ret
	.balign 4
rm_eax:		.long 0
rm_ebx:		.long 0
rm_hc_len:	.long 0
rm_hc_ret:	.long 0
rm_cs:		.word 0
rm_insn:	.byte 0

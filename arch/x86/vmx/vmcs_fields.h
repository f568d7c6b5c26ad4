/*
 * VMCS field encodings (Intel SDM vol. 3D, appendix B), the bits of the
 * execution, exit and entry controls (vol. 3C, 25.6-25.8), basic exit
 * reasons (appendix C) and the formats of the exit information fields.
 * Usable from assembly (only the #defines).
 */
#ifndef PLINTH_VMCS_FIELDS_H
#define PLINTH_VMCS_FIELDS_H

/* ---- 16-bit fields ---- */
#define VMCS_VPID 0x0000
#define VMCS_GUEST_SEL_BASE 0x0800 /* + 2 * segment (ES CS SS DS FS GS LDTR TR) */
#define VMCS_HOST_ES_SEL 0x0C00
#define VMCS_HOST_CS_SEL 0x0C02
#define VMCS_HOST_SS_SEL 0x0C04
#define VMCS_HOST_DS_SEL 0x0C06
#define VMCS_HOST_FS_SEL 0x0C08
#define VMCS_HOST_GS_SEL 0x0C0A
#define VMCS_HOST_TR_SEL 0x0C0C

/* ---- 64-bit fields ---- */
#define VMCS_IO_BITMAP_A 0x2000
#define VMCS_IO_BITMAP_B 0x2002
#define VMCS_MSR_BITMAP 0x2004
#define VMCS_EXIT_MSR_STORE_ADDR 0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR 0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR 0x200A
#define VMCS_TSC_OFFSET 0x2010
#define VMCS_EPT_POINTER 0x201A
#define VMCS_GUEST_PHYS_ADDR 0x2400
#define VMCS_LINK_POINTER 0x2800
#define VMCS_GUEST_DEBUGCTL 0x2802
#define VMCS_GUEST_PAT 0x2804
#define VMCS_GUEST_EFER 0x2806
#define VMCS_HOST_PAT 0x2C00
#define VMCS_HOST_EFER 0x2C02

/* ---- 32-bit fields ---- */
#define VMCS_PIN_CONTROLS 0x4000
#define VMCS_PROC_CONTROLS 0x4002
#define VMCS_EXCEPTION_BITMAP 0x4004
#define VMCS_PF_ERROR_MASK 0x4006
#define VMCS_PF_ERROR_MATCH 0x4008
#define VMCS_CR3_TARGET_COUNT 0x400A
#define VMCS_EXIT_CONTROLS 0x400C
#define VMCS_EXIT_MSR_STORE_COUNT 0x400E
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CONTROLS 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO 0x4016
#define VMCS_ENTRY_ERROR_CODE 0x4018
#define VMCS_ENTRY_INSN_LEN 0x401A
#define VMCS_PROC2_CONTROLS 0x401E
#define VMCS_INSN_ERROR 0x4400
#define VMCS_EXIT_REASON 0x4402
#define VMCS_EXIT_INTR_INFO 0x4404
#define VMCS_EXIT_INTR_ERROR 0x4406
#define VMCS_IDT_VECTORING_INFO 0x4408
#define VMCS_IDT_VECTORING_ERROR 0x440A
#define VMCS_EXIT_INSN_LEN 0x440C
#define VMCS_GUEST_LIMIT_BASE 0x4800 /* + 2 * segment */
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_AR_BASE 0x4814 /* + 2 * segment */
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY 0x4826
#define VMCS_GUEST_SYSENTER_CS 0x482A
#define VMCS_PREEMPT_TIMER_VALUE 0x482E
#define VMCS_HOST_SYSENTER_CS 0x4C00

/* ---- natural-width fields ---- */
#define VMCS_CR0_MASK 0x6000
#define VMCS_CR4_MASK 0x6002
#define VMCS_CR0_SHADOW 0x6004
#define VMCS_CR4_SHADOW 0x6006
#define VMCS_EXIT_QUALIFICATION 0x6400
#define VMCS_GUEST_LINEAR_ADDR 0x640A
#define VMCS_GUEST_CR0 0x6800
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_SEGBASE_BASE 0x6806 /* + 2 * segment */
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_DR7 0x681A
#define VMCS_GUEST_RSP 0x681C
#define VMCS_GUEST_RIP 0x681E
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_GUEST_PENDING_DBG 0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0 0x6C00
#define VMCS_HOST_CR3 0x6C02
#define VMCS_HOST_CR4 0x6C04
#define VMCS_HOST_FS_BASE 0x6C06
#define VMCS_HOST_GS_BASE 0x6C08
#define VMCS_HOST_TR_BASE 0x6C0A
#define VMCS_HOST_GDTR_BASE 0x6C0C
#define VMCS_HOST_IDTR_BASE 0x6C0E
#define VMCS_HOST_SYSENTER_ESP 0x6C10
#define VMCS_HOST_SYSENTER_EIP 0x6C12
#define VMCS_HOST_RSP 0x6C14
#define VMCS_HOST_RIP 0x6C16

/* ---- pin-based controls ---- */
#define PIN_EXTINT_EXITING (1u << 0)
#define PIN_NMI_EXITING (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)
/* PIN_PREEMPTION_TIMER (bit 6) is in vmx_caps.h */

/* ---- primary processor-based controls ---- */
#define PROC_IRQ_WINDOW_EXITING (1u << 2)
#define PROC_USE_TSC_OFFSETTING (1u << 3)
#define PROC_HLT_EXITING (1u << 7)
#define PROC_CR3_LOAD_EXITING (1u << 15)
#define PROC_CR3_STORE_EXITING (1u << 16)
#define PROC_USE_IO_BITMAPS (1u << 25)
#define PROC_USE_MSR_BITMAPS (1u << 28)
/* PROC_ACTIVATE_SECONDARY (bit 31) is in vmx_caps.h */

/* ---- secondary processor-based controls: PROC2_* in vmx_caps.h ---- */

/* ---- VM-exit controls ---- */
#define EXIT_HOST_ADDR64 (1u << 9)
#define EXIT_ACK_INTERRUPT (1u << 15)
#define EXIT_SAVE_PAT (1u << 18)
#define EXIT_LOAD_PAT (1u << 19)
#define EXIT_SAVE_EFER (1u << 20)
#define EXIT_LOAD_EFER (1u << 21)

/* ---- VM-entry controls ---- */
#define ENTRY_IA32E_GUEST (1u << 9)
#define ENTRY_LOAD_PAT (1u << 14)
#define ENTRY_LOAD_EFER (1u << 15)

/* ---- basic exit reasons (bits 15:0 of the exit reason) ---- */
#define EXIT_REASON_EXCEPTION_NMI 0
#define EXIT_REASON_EXTINT 1
#define EXIT_REASON_TRIPLE_FAULT 2
#define EXIT_REASON_INIT 3
#define EXIT_REASON_IRQ_WINDOW 7
#define EXIT_REASON_CPUID 10
#define EXIT_REASON_HLT 12
#define EXIT_REASON_VMCALL 18
#define EXIT_REASON_VMCLEAR 19
#define EXIT_REASON_VMLAUNCH 20
#define EXIT_REASON_VMPTRLD 21
#define EXIT_REASON_VMPTRST 22
#define EXIT_REASON_VMREAD 23
#define EXIT_REASON_VMRESUME 24
#define EXIT_REASON_VMWRITE 25
#define EXIT_REASON_VMXOFF 26
#define EXIT_REASON_VMXON 27
#define EXIT_REASON_CR_ACCESS 28
#define EXIT_REASON_IO 30
#define EXIT_REASON_RDMSR 31
#define EXIT_REASON_WRMSR 32
#define EXIT_REASON_BAD_GUEST_STATE 33
#define EXIT_REASON_MSR_LOADING 34
#define EXIT_REASON_MACHINE_CHECK 41
#define EXIT_REASON_EPT_VIOLATION 48
#define EXIT_REASON_EPT_MISCONFIG 49
#define EXIT_REASON_INVEPT 50
#define EXIT_REASON_INVVPID 53
#define EXIT_REASON_PREEMPT_TIMER 52
#define EXIT_REASON_VMFUNC 59
#define EXIT_REASON_ENTRY_FAILED (1u << 31)

/* ---- interruption information (exit, IDT vectoring, entry) ---- */
#define INTR_INFO_VECTOR_MASK 0xFFu
#define INTR_INFO_TYPE_SHIFT 8
#define INTR_INFO_TYPE_MASK (7u << 8)
#define INTR_INFO_ERROR_VALID (1u << 11)
#define INTR_INFO_VALID (1u << 31)
#define INTR_TYPE_EXTINT 0u
#define INTR_TYPE_NMI 2u
#define INTR_TYPE_HW_EXCEPTION 3u
#define INTR_TYPE_SOFT_INT 4u
#define INTR_TYPE_PRIV_SOFT_EXCEPTION 5u
#define INTR_TYPE_SOFT_EXCEPTION 6u

/* ---- guest interruptibility state ---- */
#define INTERRUPTIBILITY_STI (1u << 0)
#define INTERRUPTIBILITY_MOV_SS (1u << 1)

/* ---- exit qualifications ---- */
#define IO_QUAL_SIZE_MASK 7u
#define IO_QUAL_IN (1u << 3)
#define IO_QUAL_STRING (1u << 4)
#define IO_QUAL_REP (1u << 5)
#define IO_QUAL_PORT_SHIFT 16
#define EPT_QUAL_READ (1u << 0)
#define EPT_QUAL_WRITE (1u << 1)
#define EPT_QUAL_FETCH (1u << 2)
#define CR_QUAL_NUMBER_MASK 0xFu
#define CR_QUAL_TYPE_SHIFT 4
#define CR_QUAL_TYPE_MASK 3u
#define CR_QUAL_GPR_SHIFT 8
#define CR_QUAL_GPR_MASK 0xFu
#define CR_ACCESS_MOV_TO 0u
#define CR_ACCESS_MOV_FROM 1u

#endif

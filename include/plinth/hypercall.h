/*
 * The Plinth hypercall ABI (docs/hypercalls.md), shared by the hypervisor and
 * guests. A guest executes VMMCALL (AMD) or VMCALL (Intel); CPUID leaf
 * 0x40000001 EBX tells which. RAX holds the number, RDI, RSI, RDX the
 * arguments; the result comes back in RAX: >= 0 success, < 0 a -E_* code.
 */
#ifndef PLINTH_HYPERCALL_H
#define PLINTH_HYPERCALL_H

#define HC_CONSOLE_WRITE 1 /* (gpa, len): write len bytes (<= 4096) to the guest's console; returns len */
#define HC_GUEST_ID 2      /* (): the guest's id, from 1 */
#define HC_YIELD 3         /* (): let other vCPUs run; returns 0 */
#define HC_EXIT 4          /* (code): stop the guest with an exit code; does not return */
#define HC_RAISE_IRQ 5     /* (vector 32..255): deliver an external interrupt to this vCPU
                              when it can take one; returns 0 (a test aid until devices exist) */
#define HC_CLOCK 6         /* (): nanoseconds since the hypervisor started (monotonic, all CPUs) */
#define HC_SET_TIMER 7     /* (deadline, vector 32..255): raise `vector` at HC_CLOCK time
                              `deadline` (at once if past); deadline 0 cancels; returns 0 */

#define HC_CONSOLE_MAX 4096

/* CPUID leaves of the hypervisor range. */
#define CPUID_HV_BASE 0x40000000u   /* EAX: max leaf; EBX,ECX,EDX: "Plinth\0\0\0\0\0\0" */
#define CPUID_HV_FEATURES 0x40000001u /* EAX: ABI version; EBX: HC_INSN_* */
#define HC_ABI_VERSION 1
#define HC_INSN_VMMCALL 1
#define HC_INSN_VMCALL 2

#endif

/* GDT/TSS/IDT set-up and the architectural exception vectors. */
#ifndef PLINTH_X86_DESCRIPTORS_H
#define PLINTH_X86_DESCRIPTORS_H

#include <plinth/x86/regs.h>

enum x86_exception {
	X86_EXC_DE = 0,
	X86_EXC_DB = 1,
	X86_EXC_NMI = 2,
	X86_EXC_BP = 3,
	X86_EXC_OF = 4,
	X86_EXC_BR = 5,
	X86_EXC_UD = 6,
	X86_EXC_NM = 7,
	X86_EXC_DF = 8,
	X86_EXC_TS = 10,
	X86_EXC_NP = 11,
	X86_EXC_SS = 12,
	X86_EXC_GP = 13,
	X86_EXC_PF = 14,
	X86_EXC_MF = 16,
	X86_EXC_AC = 17,
	X86_EXC_MC = 18,
	X86_EXC_XM = 19,
	X86_EXC_VE = 20,
	X86_EXC_CP = 21,
};

/* Vectors with their own stub: exceptions, then the remapped PIC lines. */
#define X86_STUB_VECTORS 48
#define X86_PIC_VECTOR_BASE 0x20
#define X86_PIC_LINES 16

#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3

/* LAPIC vectors (arch/x86/lapic.c), each with its own stub in isr.S. */
#define X86_VECTOR_LAPIC_SPURIOUS 0xEF /* low nibble 0xF: older CPUs hard-wire it */
#define X86_VECTOR_LAPIC_TIMER 0xF0
#define X86_VECTOR_IPI_RESCHEDULE 0xF1
#define X86_VECTOR_IPI_CALL 0xF2
#define X86_LAPIC_VECTOR_FIRST X86_VECTOR_LAPIC_SPURIOUS
#define X86_LAPIC_VECTOR_LAST X86_VECTOR_IPI_CALL

struct x86_tss {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __packed;

#define GDT_ENTRIES 5 /* null, code, data, TSS (two slots) */

/* One CPU's GDT and TSS (the IDT is shared); they live in its struct percpu. */
struct cpu_tables {
	uint64_t gdt[GDT_ENTRIES] __aligned(16);
	struct x86_tss tss __aligned(16);
};

/* Boot CPU: build the shared IDT, load it with this CPU's GDT and TSS. */
void descriptors_init(void);
/*
 * Any CPU: fill `t` (its IST entries point at the stacks of the CPU block
 * at `block`) and load it with the shared IDT.
 */
void descriptors_load_cpu(struct cpu_tables *t, uintptr_t block);
/* Called by the stubs in isr.S for every exception and stray interrupt. */
void trap_dispatch(struct trap_frame *f);
const char *x86_exception_name(unsigned vector);
/* NMIs taken by the host so far. */
uint64_t host_nmi_count(void);

#endif

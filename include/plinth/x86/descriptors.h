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

void descriptors_init(void);
/* Called by the stubs in isr.S for every exception and stray interrupt. */
void trap_dispatch(struct trap_frame *f);
const char *x86_exception_name(unsigned vector);
/* NMIs taken by the host so far. */
uint64_t host_nmi_count(void);

#endif

/* The legacy PIC pair and the PIT tick (arch/x86/pic.c). */
#ifndef PLINTH_X86_PIC_H
#define PLINTH_X86_PIC_H

#include <plinth/types.h>

/* Remap to vectors 0x20-0x2F and mask every line. */
void pic_init(void);
/* Tick on IRQ 0 at `hz` and unmask it. */
void pit_start(unsigned hz);
/* Interrupt handler for PIC line `line` (from trap_dispatch): count and EOI. */
void host_irq(unsigned line);
/* Let pending host interrupts in for one instruction (after an EXTINT exit). */
void host_take_interrupts(void);
uint64_t host_irq_count(unsigned line);

#define PIT_HZ 1193182u
/* Channel 2 one-shot, polled (no interrupt): count `ticks` of PIT_HZ. */
void pit_ch2_start(uint16_t ticks);
/* Whether the count started by pit_ch2_start has reached zero. */
bool pit_ch2_expired(void);

#endif

/*
 * The local APIC (arch/x86/lapic.c): x2APIC through MSRs when CPUID offers
 * it, otherwise xAPIC through its uncached MMIO page. Every CPU uses the
 * mode the boot CPU chose.
 */
#ifndef PLINTH_X86_LAPIC_H
#define PLINTH_X86_LAPIC_H

#include <plinth/types.h>

/*
 * Boot CPU: pick the mode, map the MMIO page at `mmio_phys` (the MADT's
 * address; 0 = the one IA32_APIC_BASE holds) and enable the LAPIC. LINT0
 * stays the 8259's virtual wire (ExtINT), LINT1 NMI. 0 or -E_*.
 */
int lapic_init_boot(uint64_t mmio_phys);
/* Another CPU: enable its LAPIC in the boot CPU's mode, LINT0/LINT1 masked. */
void lapic_init_ap(void);
bool lapic_is_x2apic(void);

uint32_t lapic_id(void);
void lapic_eoi(void);

/* A fixed-vector interrupt to one APIC id. */
void lapic_send_ipi(uint32_t apic_id, uint8_t vector);
/* The start-up sequence (SDM vol. 3A 8.4.4.1): INIT, then SIPI with a page number < 0x100. */
void lapic_send_init(uint32_t apic_id);
void lapic_send_sipi(uint32_t apic_id, uint8_t page);
/* An NMI to every other CPU (panic); false before the LAPIC is set up. */
bool lapic_send_nmi_to_others(void);

/*
 * Timer, one-shot (vector X86_VECTOR_LAPIC_TIMER). The raw calls are for
 * calibration (arch/x86/time.c): start counting down from `count`, read
 * the current count.
 */
void lapic_timer_start_raw(uint32_t count);
uint32_t lapic_timer_current(void);
/* Timer input clock after the divider, as calibrated. */
void lapic_timer_set_hz(uint64_t hz);
uint64_t lapic_timer_hz(void);

/* Interrupt in `ns` nanoseconds on this CPU (rounded up to a timer tick); 0 stops it. */
void lapic_timer_oneshot_ns(uint64_t ns);
/*
 * Called (interrupts off, after EOI) from every CPU's timer interrupt; the
 * scheduler installs it. NULL = only count (percpu timer_fired).
 */
extern void (*volatile lapic_timer_hook)(void);

/* Timer and spurious interrupts, from trap_dispatch. */
void lapic_interrupt(unsigned vector);

#endif

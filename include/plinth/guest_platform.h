/*
 * A guest's emulated PC platform (core/guest_platform.c): the device models
 * of include/plinth/vplatform.h wired to the guest: their console output to
 * the guest's console, a reset request to on_crash, time to Plinth's clock.
 * Every call takes the guest's platform lock: the CPU running the guest and
 * the CPUs checking its timers meet here.
 */
#ifndef PLINTH_GUEST_PLATFORM_H
#define PLINTH_GUEST_PLATFORM_H

#include <plinth/guest.h>

/* Put the devices' port ranges on the I/O bus (once, at boot). 0 or -E_*. */
int guest_platform_register_ports(void);
/* Power-on state for a guest being built. */
void guest_platform_init(struct guest *g);
/* A port access by the guest; false when no device of the platform has the port. */
bool guest_platform_io(struct guest *g, uint16_t port, uint8_t size, bool in, uint32_t *value);
/* The vector the guest's PIC asserts now (time advanced first), or -1. */
int guest_platform_irq_pending(struct guest *g, uint64_t now);
/*
 * Deliver the PIC's interrupt to v if there is one and v can take it now:
 * inject, then acknowledge as the CPU's INTA cycle does. Otherwise ask for an
 * interrupt window when one is pending. Returns true when one went in.
 */
bool guest_platform_deliver(struct guest *g, struct vcpu *v, uint64_t now);
/* When a device next does something on its own (UINT64_MAX: nothing planned). */
uint64_t guest_platform_next_event(struct guest *g, uint64_t now);
/* Whether the guest drives its COM1 (its driver enabled interrupts or OUT2). */
bool guest_platform_uart_in_use(struct guest *g);
/* Bytes typed for the guest's COM1; returns how many it took. */
size_t guest_platform_input(struct guest *g, const char *buf, size_t n);

#endif

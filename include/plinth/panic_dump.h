/*
 * The panic dump: reason, registers, symbolized backtrace, then every CPU
 * stops. panic() (plinth/panic.h) is the C entry; panic_trap() is the one
 * for CPU exceptions taken in the hypervisor.
 */
#ifndef PLINTH_PANIC_DUMP_H
#define PLINTH_PANIC_DUMP_H

#include <plinth/x86/regs.h>

__noreturn void panic_trap(const struct trap_frame *f);

/* Print "#N 0x... name+0xoff" lines walking saved frame pointers from rbp. */
void backtrace_print(uint64_t rip, uint64_t rbp);

/* "name+0xoff" for a text address, or NULL outside the kernel's text. */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

#endif

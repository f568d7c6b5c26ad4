/* Kernel-wide state set up by kmain (core/main.c). */
#ifndef PLINTH_KERNEL_H
#define PLINTH_KERNEL_H

#include <plinth/boot_info.h>

#define PLINTH_VERSION "0.1.0"

/* What the boot loader told us; valid from early boot on. */
const struct boot_info *boot_info_get(void);

void kmain(uint32_t magic, uint32_t info);

#endif

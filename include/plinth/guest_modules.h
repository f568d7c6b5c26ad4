/* Guests described by boot modules (core/guest_modules.c, docs/guests.md). */
#ifndef PLINTH_GUEST_MODULES_H
#define PLINTH_GUEST_MODULES_H

#include <plinth/boot_info.h>
#include <plinth/guest.h>

int guest_desc_from_module(const struct boot_module *m, struct guest_desc *d);
/* Create a guest per module; returns how many started (errors are logged). */
size_t guests_create_from_modules(const struct boot_info *bi);

#endif

/* Guests described by boot modules (core/guest_modules.c, docs/guests.md). */
#ifndef PLINTH_GUEST_MODULES_H
#define PLINTH_GUEST_MODULES_H

#include <plinth/boot_info.h>
#include <plinth/guest.h>

int guest_desc_from_module(const struct boot_module *m, struct guest_desc *d);
/* Create a guest per module (not .toml ones); returns how many started (errors are logged). */
size_t guests_create_from_modules(const struct boot_info *bi);

/* A ".toml" module is the configuration file. */
bool module_is_config(const struct boot_module *m);
/*
 * Guests from the configuration module (core/guest_config.c): -E_NOENT when
 * there is none, else 0 with *started set (errors are logged).
 */
int guests_create_from_config(const struct boot_info *bi, size_t *started);

#endif

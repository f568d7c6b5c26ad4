/*
 * The configuration at boot (core/config_boot.c, docs/config.md): the boot
 * module whose name ends in ".toml", or else the built-in demo
 * (core/demo.toml). Guests name their kernels by module path.
 */
#ifndef PLINTH_CONFIG_BOOT_H
#define PLINTH_CONFIG_BOOT_H

#include <plinth/boot_info.h>
#include <plinth/config.h>

/*
 * Parse the configuration, print its errors (exactly as tools/plinth-cfg
 * check does) and apply [hypervisor]: console and log_level, unless the
 * command line set them (it is the more specific of the two).
 */
void config_load(const struct boot_info *bi);
/* What config_load read (no guests if it could not be parsed at all). */
const struct cfg *config_get(void);
/* Create every valid guest with autostart; returns how many started. */
size_t config_start_guests(const struct boot_info *bi);
/*
 * The console's `start` of a configured guest never made (autostart = false,
 * or it failed at boot): 0, -E_NOENT (no such [[guest]]) or -E_INVAL (it
 * could not be made or scheduled; the log says why).
 */
int config_start_guest_named(const char *name);

#endif

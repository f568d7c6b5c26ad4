/* Boot modules by name (core/boot_modules.c): how the configuration names files. */
#ifndef PLINTH_BOOT_MODULES_H
#define PLINTH_BOOT_MODULES_H

#include <plinth/boot_info.h>

/* The module's path: its string up to the first space; returns its length. */
size_t boot_module_path(const struct boot_module *m, const char **path);
/* A ".toml" module is the configuration file. */
bool boot_module_is_config(const struct boot_module *m);
/*
 * The module a configuration names: "/guests/a.elf" is a module whose path
 * is "/guests/a.elf" or ends in "/guests/a.elf"; "a.elf" also matches
 * ".../a.elf" (not "ba.elf"). NULL when there is none.
 */
const struct boot_module *boot_module_find(const struct boot_info *bi, const char *want);

#endif

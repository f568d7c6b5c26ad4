/* Reading the hypervisor command line (boot_info.cmdline). */
#ifndef PLINTH_CMDLINE_H
#define PLINTH_CMDLINE_H

#include <plinth/types.h>

/*
 * Copy the value of `key=value` into out. Returns 0, -E_NOENT when the key is
 * absent, or -E_NOSPC when the value did not fit (out holds a truncated copy).
 */
int cmdline_get(const char *cmdline, const char *key, char *out, size_t out_size);

/* Decimal or 0x-hex unsigned number, the whole string: 0, -E_INVAL, -E_RANGE. */
int parse_u64(const char *s, uint64_t *out);

/* A number with an optional K/M/G suffix (binary units): "16M" -> 16 MiB. */
int parse_size(const char *s, uint64_t *out);

#endif

/*
 * printf-style formatting without libc. Supports the conversions
 * d i u x X o c s p %, flags "-+ #0", width and precision (also "*"),
 * and length modifiers hh h l ll z t j. Behaviour matches C11 snprintf
 * for everything it supports (checked by tests/unit/test_format.c):
 * returns the length the whole output would have, stores at most size - 1
 * characters and a NUL (buf may be NULL when size is 0).
 *
 * Where C leaves it open, it does what glibc does: %p prints "0x" and
 * lowercase hex, or "(nil)"; %s of NULL prints "(null)". A conversion it
 * does not support (%f, %n, %ls, "%5%", ...) is printed as written and
 * takes no argument. An output longer than INT_MAX returns -1.
 */
#ifndef PLINTH_FORMAT_H
#define PLINTH_FORMAT_H

#include <stdarg.h>
#include <plinth/types.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif

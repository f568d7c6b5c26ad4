/*
 * Host side of the kernel/host boundary for unit tests: the kernel's log and
 * panic functions are provided by host_shim.c. A kernel panic becomes a cmocka
 * assertion failure, so `expect_assert_failure(call)` checks that a call
 * panics (e.g. a double free).
 */
#ifndef PLINTH_HOST_SHIM_H
#define PLINTH_HOST_SHIM_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

/* Last message logged or panicked with, for tests that check the wording. */
extern char shim_last_log[1024];
extern char shim_last_panic[1024];
/* Set to 1 to echo kernel log lines to stderr while debugging a test. */
extern int shim_verbose;

#endif

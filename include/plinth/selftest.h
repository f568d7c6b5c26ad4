/*
 * In-kernel self-tests, chosen with `test=NAME` on the command line. Boot
 * tests (tests/boot/) use them to exercise one path and end the emulator
 * with a status; see docs/command-line.md for the list.
 */
#ifndef PLINTH_SELFTEST_H
#define PLINTH_SELFTEST_H

#include <plinth/types.h>

/* Read `test=` from the command line; an unknown name ends the run as failed. */
void selftest_select(const char *cmdline);
bool selftest_active(void);
/* Run the chosen test (if any) and end the emulator with its result. */
void selftest_run(void);
/* End a self-test run early as failed (e.g. no virtualization support). */
void selftest_fail_if_active(const char *why);

#endif

/* The table of self-tests (core/selftest_cases.c). */
#ifndef PLINTH_SELFTEST_CASES_H
#define PLINTH_SELFTEST_CASES_H

#include <plinth/types.h>

struct selftest {
	const char *name;
	const char *what;
	bool (*run)(void); /* true = pass; the fault tests never return */
};

/* core/selftest_smp.c */
bool selftest_smp(void);
bool selftest_panic_ap(void);

extern const struct selftest selftests[];
extern const size_t selftest_count;

#endif

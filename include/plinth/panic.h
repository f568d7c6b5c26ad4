/* panic(): print the reason, registers and a backtrace, then stop every CPU. */
#ifndef PLINTH_PANIC_H
#define PLINTH_PANIC_H

#include <plinth/types.h>

__noreturn void panic(const char *fmt, ...) __printf(1, 2);

/* Whether another CPU than the caller is panicking (the NMI handler then halts). */
bool panic_on_other_cpu(void);

#define BUG_ON(cond)                                                        \
	do {                                                                \
		if (__builtin_expect(!!(cond), 0))                          \
			panic("BUG_ON(%s) at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)

#endif

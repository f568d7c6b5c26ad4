#include "host_shim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <plinth/log.h>
#include <plinth/panic.h>

char shim_last_log[1024];
char shim_last_panic[1024];
int shim_verbose;

void log_printf(enum log_level level, const char *tag, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(shim_last_log, sizeof(shim_last_log), "[%s] ", tag);

	va_start(ap, fmt);
	vsnprintf(shim_last_log + n, sizeof(shim_last_log) - (size_t)n, fmt, ap);
	va_end(ap);
	if (shim_verbose)
		fprintf(stderr, "%d %s\n", (int)level, shim_last_log);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(shim_last_panic, sizeof(shim_last_panic), fmt, ap);
	va_end(ap);
	/* Longjmps out when the test expects it; reports a failure otherwise. */
	mock_assert(0, shim_last_panic, __FILE__, __LINE__);
	abort();
}

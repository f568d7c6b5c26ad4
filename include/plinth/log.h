/*
 * Levelled, tagged logging. Each source file defines LOG_TAG before including
 * this header; lines come out as "[tag] message".
 */
#ifndef PLINTH_LOG_H
#define PLINTH_LOG_H

#include <plinth/types.h>

enum log_level {
	LOG_PANIC = 0,
	LOG_ERROR = 1,
	LOG_WARN = 2,
	LOG_INFO = 3,
	LOG_DEBUG = 4,
};

#ifndef LOG_TAG
#define LOG_TAG "plinth"
#endif

void log_printf(enum log_level level, const char *tag, const char *fmt, ...)
	__printf(3, 4);
/* Parse "error|warn|info|debug" or a digit; returns -E_INVAL if unknown. */
int log_level_parse(const char *name, enum log_level *out);
void log_set_level(enum log_level level);
/* The newest logged bytes (at most size; the first line may be cut), for the console's `log`. */
size_t log_ring_copy(char *out, size_t size);
enum log_level log_get_level(void);

#define log_error(...) log_printf(LOG_ERROR, LOG_TAG, __VA_ARGS__)
#define log_warn(...) log_printf(LOG_WARN, LOG_TAG, __VA_ARGS__)
#define log_info(...) log_printf(LOG_INFO, LOG_TAG, __VA_ARGS__)
#define log_debug(...) log_printf(LOG_DEBUG, LOG_TAG, __VA_ARGS__)

#endif

/* Error codes: functions return 0 on success or a negative E_* value. */
#ifndef PLINTH_ERRNO_H
#define PLINTH_ERRNO_H

#define E_NOMEM 1   /* out of memory */
#define E_INVAL 2   /* invalid argument */
#define E_RANGE 3   /* value or address out of range */
#define E_EXIST 4   /* already exists / overlaps */
#define E_NOENT 5   /* no such entry */
#define E_NOSPC 6   /* fixed-size table full */
#define E_NOTSUP 7  /* not supported */
#define E_FAULT 8   /* bad address */
#define E_BUSY 9    /* resource in use */
#define E_DISABLED 10 /* present but turned off (e.g. by firmware) */
#define E_NOSYS 11  /* no such call (hypercall number) */
#define E_TIMEDOUT 12 /* another CPU or device did not answer in time */

/* Short name of an error code ("ENOMEM"), for log messages. */
const char *err_name(int err);

#endif

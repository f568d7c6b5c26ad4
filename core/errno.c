/* Names of the E_* error codes, for log messages. */
#include <plinth/errno.h>

/* Accepts -E_NOMEM (what functions return) as well as E_NOMEM. */
const char *err_name(int err)
{
	/* Negate as unsigned so that INT_MIN cannot overflow. */
	unsigned int code =
		err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	switch (code) {
	case E_NOMEM:
		return "ENOMEM";
	case E_INVAL:
		return "EINVAL";
	case E_RANGE:
		return "ERANGE";
	case E_EXIST:
		return "EEXIST";
	case E_NOENT:
		return "ENOENT";
	case E_NOSPC:
		return "ENOSPC";
	case E_NOTSUP:
		return "ENOTSUP";
	case E_FAULT:
		return "EFAULT";
	case E_BUSY:
		return "EBUSY";
	case E_DISABLED:
		return "EDISABLED";
	case E_NOSYS:
		return "ENOSYS";
	case E_TIMEDOUT:
		return "ETIMEDOUT";
	default:
		return "E?";
	}
}

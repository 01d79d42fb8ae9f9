/* errmsg.c - the per-thread one-line explanation behind shmlog_errmsg(). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "shmlog.h"

static __thread char t_msg[512];

int set_err(int err, const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vsnprintf(t_msg, sizeof(t_msg), fmt, ap);
	va_end(ap);
	errno = saved;
	return -err;
}

const char *shmlog_errmsg(void)
{
	return t_msg[0] ? t_msg : "no error";
}

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

/* S as it may be quoted in a one-line error message: control and non-ASCII bytes become '?',
 * and a long string is cut. Returns OUT. */
const char *err_printable(const char *s, char *out, size_t cap)
{
	size_t i = 0;

	if (!s)
		return "(null)";
	for (; s[i] && i + 4 < cap; i++)
		out[i] = (unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f ? '?' : s[i];
	if (s[i]) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

const char *shmlog_errmsg(void)
{
	return t_msg[0] ? t_msg : "no error";
}

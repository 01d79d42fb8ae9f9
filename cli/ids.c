/* ids.c - a user and a mode as the programs' options take them (see ids.h). */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>

#include "ids.h"

int tool_parse_user(const char *s, uid_t *out)
{
	const struct passwd *pw = getpwnam(s);
	char *end;

	if (pw) {
		*out = pw->pw_uid;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	/* (uid_t)-1 means "no change" to chown() and friends: never a user. */
	if (errno || *end || v >= (uid_t)-1)
		return -1;
	*out = (uid_t)v;
	return 0;
}

int tool_parse_mode(const char *s, mode_t *out)
{
	unsigned v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '7')
			return -1;
		v = v * 8 + (unsigned)(*s - '0');
		if (v > 0777)
			return -1;
	}
	*out = (mode_t)v;
	return 0;
}

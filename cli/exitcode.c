/* exitcode.c - a failed library call's message and exit status (see exitcode.h). */
#include <errno.h>
#include <stdio.h>
#include <sysexits.h>

#include "exitcode.h"
#include "shmlog.h"

static int exit_status(int err, const struct tool_exit_map *map)
{
	for (const struct tool_exit *e = map->except; e->err; e++)
		if (e->err == err)
			return e->status;
	switch (err) {
	case ENOENT:
		return EX_NOINPUT;
	case EPROTO:
	case EBADMSG:
		return EX_DATAERR;
	case EPROTONOSUPPORT:
		return EX_PROTOCOL;
	case EACCES:
	case EPERM:
		return EX_NOPERM;
	case EINVAL:
		return EX_USAGE;
	default:
		return map->otherwise;
	}
}

int tool_ring_error(const char *program, int err, const struct tool_exit_map *map)
{
	fprintf(stderr, "%s: %s\n", program, shmlog_errmsg());
	return exit_status(err, map);
}

/* exitcode.h - what the programs (shmlogcat, shmlogd, shmlogger) share for a failed library call:
 * print "program: <shmlog_errmsg()>" and turn the errno into a sysexits.h exit status. */
#ifndef SHMLOG_CLI_EXITCODE_H
#define SHMLOG_CLI_EXITCODE_H

/* One errno and the exit status a program gives it. */
struct tool_exit {
	int err;
	int status;
};

/* A program's own statuses: where it differs from the shared mapping, and what it gives an errno
 * that neither names. */
struct tool_exit_map {
	const struct tool_exit *except; /* looked up first; ends with {0, 0} */
	int otherwise;
};

/* Prints "PROGRAM: <shmlog_errmsg()>" on stderr for a library call that failed with ERR (a
 * positive errno) and returns its exit status: MAP's exception for ERR if it has one, else the
 * shared mapping (ENOENT 66 EX_NOINPUT, EPROTO and EBADMSG 65 EX_DATAERR, EPROTONOSUPPORT 76 EX_PROTOCOL,
 * EACCES and EPERM 77 EX_NOPERM, EINVAL 64 EX_USAGE), else MAP's otherwise. */
int tool_ring_error(const char *program, int err, const struct tool_exit_map *map);

#endif

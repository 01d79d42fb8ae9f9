/* program.h - what each program (shmlogd, shmlogcat, shmlogger) is to its own messages, and the
 * two ways every one of them reports a failure: a usage error and a failed library call.
 *
 * One owner for each: the wording of both lives in program.c, and each program only says who it
 * is, once, by defining this_program in its main.c. A usage error points at --help on the same
 * line ("shmlogd: --nice '40': use a number from -20 to 19; see shmlogd --help"), except in
 * shmlogcat, whose second line is the one coreutils users know ("Try 'shmlogcat --help' for more
 * information."): its tests pin that form, as shmlogd's pin the one line.
 */
#ifndef SHMLOG_CLI_PROGRAM_H
#define SHMLOG_CLI_PROGRAM_H

#include "exitcode.h"

struct program {
	const char *name;              /* what its messages start with */
	struct tool_exit_map exits;    /* its exit statuses for a failed library call */
	int help_hint_on_next_line;    /* shmlogcat's "Try '... --help' ..." line */
};

/* Defined by each program, once, in its main.c. */
extern const struct program this_program;

/* Prints "NAME: <message>" and the pointer to --help on stderr. Returns EX_USAGE (64). */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints "NAME: <shmlog_errmsg()>" on stderr for a library call that failed with ERR (a positive
 * errno) and returns the program's exit status for it (exitcode.h). */
int ring_error(int err);

#endif

/* program.h - what each program (shmlogd, shmlogcat, shmlogger) is to its own messages, and the
 * two ways every one of them reports a failure: a usage error (usage.h) and a failed library
 * call (ring_error(), with its status from the one table of exitcode.h).
 *
 * One owner for each: the wording of both lives in cli/, and each program only says who it is,
 * once, by defining this_program in its main.c.
 */
#ifndef SHMLOG_CLI_PROGRAM_H
#define SHMLOG_CLI_PROGRAM_H

#include "exitcode.h"
#include "usage.h"

struct program {
	const char *name; /* what its messages start with */
	unsigned id;      /* its CLI_* bit: its rows of the exit-status table */
};

/* Defined by each program, once, in its main.c. */
extern const struct program this_program;

/* Prints "NAME: <shmlog_errmsg()>" on stderr for a library call that failed with ERR (a positive
 * errno) and returns its exit status (cli_exit_status()). */
int ring_error(int err);

#endif

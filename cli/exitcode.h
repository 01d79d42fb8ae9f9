/* exitcode.h - the one exit-status table of every program (shmlogd, shmlogcat, shmlogger): each
 * sysexits.h status any of them gives, what it means, which of them can give it, and which errnos
 * of a failed library call lead to it.
 *
 * One owner: a program turns a library errno into its status with cli_exit_status(), and
 * returns the other statuses by their sysexits.h names for the conditions the table words.
 * --help prints the program's rows (cli_print_exit_statuses()), and each man page's EXIT STATUS
 * section lists exactly the program's rows: tests/unit/
 * test_every_man_page_lists_exactly_its_programs_exit_statuses.c keeps them from drifting apart.
 */
#ifndef SHMLOG_CLI_EXITCODE_H
#define SHMLOG_CLI_EXITCODE_H

#include <stddef.h>
#include <stdio.h>

/* Which programs give a status: struct program's id. */
enum {
	CLI_SHMLOGD = 1u << 0,
	CLI_SHMLOGCAT = 1u << 1,
	CLI_SHMLOGGER = 1u << 2,
	CLI_EVERY_PROGRAM = CLI_SHMLOGD | CLI_SHMLOGCAT | CLI_SHMLOGGER,
};

struct cli_exit {
	int status;
	const char *name;     /* "EX_USAGE" */
	const char *meaning;  /* for --help and the man pages: what happened, what to do */
	unsigned programs;    /* CLI_* bits: who can give it */
	int errs[4];          /* library errnos that map to it, 0-ended */
};

/* The table, in order of status; *N gets its length. */
const struct cli_exit *cli_exit_table(size_t *n);

/* The exit status of a library call that failed with ERR (a positive errno): the table's row
 * that lists ERR, else EX_OSERR (71). */
int cli_exit_status(int err);

/* --help's "Exit status:" paragraph: the rows PROGRAM (a CLI_* bit) can give, one a line. */
void cli_print_exit_statuses(FILE *f, unsigned program);

#endif

/* exitcode.c - the exit-status table (see exitcode.h). */
#include <errno.h>
#include <sysexits.h>

#include "exitcode.h"

/* Why a ring that was never initialised is 75 (EX_TEMPFAIL), from every program, and not 69
 * (EX_UNAVAILABLE): an attacher sees an object of size 0 both while its creator is between
 * creating and initialising it and after that creator died there; it waits a while
 * (ETIMEDOUT after that) but cannot tell the two apart. In the first case the same command
 * run again succeeds, which is what EX_TEMPFAIL tells a supervisor (systemd's
 * RestartPreventExitStatus, a retrying script); the message names the fix for the second (remove
 * /dev/shm/shmlog.NAME). 69 stays for what waiting cannot mend: a ring with no free writer slot
 * or too small for a record. */
static const struct cli_exit table[] = {
	{EX_OK, "EX_OK", "success", CLI_EVERY_PROGRAM, {0}},
	{EX_USAGE, "EX_USAGE",
	 "bad command line: an unknown option, a missing or bad value, an unexpected argument, "
	 "or an invalid ring name; see --help",
	 CLI_EVERY_PROGRAM, {EINVAL, 0}},
	{EX_DATAERR, "EX_DATAERR",
	 "not a shmlog ring, or a damaged or truncated one: remove it and restart the processes "
	 "that use it",
	 CLI_EVERY_PROGRAM, {EPROTO, EBADMSG, 0}},
	{EX_NOINPUT, "EX_NOINPUT", "no such ring: check the name, or start its collector",
	 CLI_EVERY_PROGRAM, {ENOENT, 0}},
	{EX_UNAVAILABLE, "EX_UNAVAILABLE",
	 "the ring cannot take this writer: no free writer slot, or fields too large for its "
	 "records",
	 CLI_SHMLOGGER, {ENOSPC, EMSGSIZE, E2BIG, 0}},
	{EX_OSERR, "EX_OSERR", "out of memory, or another system error that the message names",
	 CLI_EVERY_PROGRAM, {ENOMEM, 0}},
	{EX_OSFILE, "EX_OSFILE", "the rings cannot be listed: /dev/shm is unreadable",
	 CLI_SHMLOGCAT, {0}},
	{EX_CANTCREAT, "EX_CANTCREAT",
	 "the output cannot be opened: a missing or unwritable directory, a symlink, or not a "
	 "regular file",
	 CLI_SHMLOGD, {0}},
	{EX_IOERR, "EX_IOERR",
	 "input or output failed: writing the output, or reading standard input",
	 CLI_EVERY_PROGRAM, {EIO, 0}},
	{EX_TEMPFAIL, "EX_TEMPFAIL",
	 "try again: the ring's creator has not initialised it yet (remove it if none is "
	 "running), another collector holds the ring or the output, or the ring was full and "
	 "records were dropped",
	 CLI_EVERY_PROGRAM, {ETIMEDOUT, EBUSY, EAGAIN, ENOBUFS}},
	{EX_PROTOCOL, "EX_PROTOCOL",
	 "the ring was made by a shmlog of another layout version: use matching versions",
	 CLI_EVERY_PROGRAM, {EPROTONOSUPPORT, 0}},
	{EX_NOPERM, "EX_NOPERM",
	 "permission denied, or a ring, file or directory refused as another user's or as too "
	 "open: the message names it and the fix",
	 CLI_EVERY_PROGRAM, {EACCES, EPERM, 0}},
	{EX_CONFIG, "EX_CONFIG",
	 "a setting this version checks but does not carry out yet: --forward "
	 "(docs/FORWARDING.md)",
	 CLI_SHMLOGD, {0}},
};

#define NROWS (sizeof(table) / sizeof(table[0]))

const struct cli_exit *cli_exit_table(size_t *n)
{
	*n = NROWS;
	return table;
}

int cli_exit_status(int err)
{
	for (size_t i = 0; i < NROWS; i++)
		for (size_t j = 0; j < sizeof(table[i].errs) / sizeof(table[i].errs[0]) &&
				   table[i].errs[j];
		     j++)
			if (table[i].errs[j] == err)
				return table[i].status;
	return EX_OSERR;
}

/* Folds TEXT at spaces into lines of at most WIDTH columns, each after INDENT spaces but the
 * first, which continues the line already begun. */
static void fold(FILE *f, const char *text, int indent, int width)
{
	int col = indent;

	while (*text) {
		int n = 0, last = -1;
		while (text[n] && col + n < width)
			if (text[n++] == ' ')
				last = n - 1;
		if (text[n] && last > 0)
			n = last;
		fprintf(f, "%.*s\n", n, text);
		text += n;
		while (*text == ' ')
			text++;
		if (*text)
			fprintf(f, "%*s", indent, "");
		col = indent;
	}
}

void cli_print_exit_statuses(FILE *f, unsigned program)
{
	fprintf(f, "Exit status:\n");
	for (size_t i = 0; i < NROWS; i++)
		if (table[i].programs & program) {
			fprintf(f, "  %3d  ", table[i].status);
			fold(f, table[i].meaning, 7, 79);
		}
}

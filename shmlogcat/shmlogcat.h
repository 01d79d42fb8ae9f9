/* shmlogcat.h - shmlogcat's modes, one per file, and the error reporting they share. */
#ifndef SHMLOGCAT_H
#define SHMLOGCAT_H

#include "options.h"

/* Each mode returns the program's exit status (sysexits.h). */
int run_read(const struct options *opts);  /* reader.c: dump, or -f follow */
int run_stats(const struct options *opts); /* stats.c: --stats */
int run_list(const struct options *opts);  /* list.c: --list */

/* Prints "shmlogcat: <shmlog_errmsg()>" for a library call that failed with ERR (an errno
 * value) and returns the matching exit status. */
int ring_error(int err);

#endif

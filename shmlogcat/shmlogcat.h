/* shmlogcat.h - shmlogcat's modes, one per file, one per file. */
#ifndef SHMLOGCAT_H
#define SHMLOGCAT_H

#include "options.h"

/* Each mode returns the program's exit status (sysexits.h). */
int run_read(const struct options *opts);  /* reader.c: dump, or -f follow */
int run_stats(const struct options *opts); /* stats.c: --stats */
int run_list(const struct options *opts);  /* list.c: --list */

#endif

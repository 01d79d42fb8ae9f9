/* shmlogcat.h - shmlogcat's modes, one per file, one per file. */
#ifndef SHMLOGCAT_H
#define SHMLOGCAT_H

#include "options.h"

/* Each mode returns the program's exit status (sysexits.h). */
int run_read(const struct options *opts);  /* reader.c: dump, or -f follow, of one ring */
int run_sources(const struct options *opts); /* sources.c: files, several rings, --merge */

/* reader.c, shared with sources.c: a follower runs at idle priority (options.h, FOLLOW_NICE),
 * and ends the program when the reader of stdout goes away. */
void follow_nicely(const struct options *opts);
void start_watching_stdout(void);
int run_stats(const struct options *opts); /* stats.c: --stats */
int run_list(const struct options *opts);  /* list.c: --list */

#endif

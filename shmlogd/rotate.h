/* rotate.h - rotation of the output by size and time, retention of rotated files by count and
 * age, and the tidying of half-finished rotations left by a crash. */
#ifndef SHMLOGD_ROTATE_H
#define SHMLOGD_ROTATE_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>

#include "compress.h"
#include "logfile.h"
#include "options.h"
#include "output.h"
#include "trust.h"

/* A rotated file is named <output>.YYYYMMDDTHHMMSS.uuuuuuZ (UTC, the time of the rotation), plus
 * .gz or .zst once compressed: the names sort in the order the files were written. The stamp is
 * logfile/'s (logfile_stamp), which followers of the output read back. */
#define ROTATE_STAMP_LEN LOGFILE_STAMP_LEN

struct rotator {
	const struct options *opt;
	const struct trust *trust; /* rotated files of another user are left alone */
	const struct output *out;  /* the file being written is never a rotated file, whatever its name */
	char dir[PATH_MAX];
	char base[NAME_MAX + 1];
	char stray[PATH_MAX + 64]; /* the rotated name the output was left under (see rotate_now) */
	pthread_mutex_t lock;  /* the rotated files: retention against the worker's swaps */
	struct worker *worker; /* NULL when rotated files need no finishing */
	int64_t next_ms;       /* wall clock: the next time rotation; 0 without --rotate-interval */
	int64_t sweep_ms;      /* monotonic: the next retention-by-age pass; 0 without --max-age */
	int64_t failed_ms;     /* monotonic: when a rotation last failed; 0 if the last one worked */
};

/* Tidies what an earlier run left (stale temporaries, compressions to finish), applies
 * retention and starts the worker, for the output OUT (its path as trust_output_path()
 * resolved it). Files with rotated names that another user made, or that
 * are not a regular file with one link (trust.h), are left alone, said once here, and neither
 * counted nor deleted by retention. Returns 0 or -errno (error printed). */
int rotate_init(struct rotator *r, const struct options *opt, const struct output *out,
		const struct trust *trust);

/* Lets the worker finish its queue, then stops it. */
void rotate_fini(struct rotator *r);

/* Milliseconds until a time rotation or retention pass is due (0: now), -1: never. */
int64_t rotate_timeout(const struct rotator *r);

/* A time rotation is due now. */
int rotate_time_due(const struct rotator *r);

/* A retention-by-age pass is due: runs it. */
void rotate_sweep(struct rotator *r);

/* Gives the output its rotated name and a fresh file the output's name, in one step where the
 * file system can (RENAME_EXCHANGE): the output's name never goes free, so nobody else can take
 * it. The caller must have finished the batch in hand (its DONE state written). An empty file
 * is not rotated. On failure the output is unchanged, the error printed, and -errno returned;
 * rotation then rests for a minute (-EAGAIN meanwhile) instead of failing, and saying so, after
 * every batch. */
int rotate_now(struct rotator *r, struct output *o);

/* Rotation is not resting after a failure. */
int rotate_ready(const struct rotator *r);

#endif

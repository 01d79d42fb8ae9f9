/* output.h - the output file: safe opening, whole-batch appends that leave the file on a line
 * boundary even when they fail, the fsync policy, and error reporting once per change of state. */
#ifndef SHMLOGD_OUTPUT_H
#define SHMLOGD_OUTPUT_H

#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "options.h"
#include "trust.h"

struct output {
	const char *path;
	mode_t mode;
	int fd;               /* -1: closed */
	dev_t dev;
	ino_t ino;
	uint64_t size;        /* the file's clean end: fstat at open, plus what we appended */
	int cut_pending;      /* a failed append left bytes past size that are not cut off yet */
	enum fsync_policy fsync;
	int fsync_interval_ms;
	int dirty;            /* appended since the last fdatasync */
	int64_t dirty_since_ms;
	int state;            /* the errno last reported on stderr, 0 when healthy */
	const struct trust *trust;
	char refusal[TRUST_MSG_MAX]; /* why output_open() last returned -EPERM or -EACCES */
};

/* PATH: the output's path as trust_output_path() resolved it; it must outlive O. */
void output_init(struct output *o, const struct options *opt, const char *path,
		 const struct trust *trust);

/* Opens (creating it with o->mode if missing) the output path for appending, refusing a
 * symlink and anything but a regular file, and an existing file trust_file() refuses (another
 * owner, a second link, more open than --output-mode). Returns 0 or -errno (ELOOP: a symlink;
 * EPERM: refused, the reason in o->refusal; EACCES: this user may not write the file or its
 * directory, which of them in o->refusal); prints nothing. On failure the previously open
 * file, if any, stays open. */
int output_open(struct output *o);
/* Creates a fresh, empty file for the output at PATH (in the output's directory), O_EXCL with
 * o->mode, for rotate.c to swap in under the output's name. Returns the descriptor (*ST gets its
 * stat) or -errno (EEXIST: the name is taken); prints nothing. */
int output_create(const struct output *o, const char *path, struct stat *st);
/* Makes FD, from output_create() and now under the output's name, the output, with ST its stat;
 * the previous file is closed. */
void output_adopt(struct output *o, int fd, const struct stat *st);

/* Why ERR, returned by output_open(), happened: the refusal for -EPERM or -EACCES, else
 * strerror. */
const char *output_why(const struct output *o, int err);

/* Closes without syncing: the caller decides whether the file needs it. */
void output_close(struct output *o);

/* Appends LEN bytes from IOV (N <= BATCH_MAX_IOV entries) as one unit: returns 0 when all were written, or
 * -errno; then the file is cut back to where the append began (or cut_pending is set if even
 * that failed, and the next append retries the cut before writing). */
int output_append(struct output *o, const struct iovec *iov, int n, size_t len);

/* Takes back the last LEN bytes appended, whose sync failed: whether they reached the disk is
 * unknown, so they are cut off and written again. */
void output_retract(struct output *o, size_t len);

/* fdatasync now. Returns 0 or -errno. */
int output_sync(struct output *o);
/* fdatasync(FD), for a descriptor of the output held elsewhere (syncer.c). Returns 0 or -errno. */
int output_fdatasync(int fd);

/* Milliseconds until the interval policy wants a sync (0: now), or -1: nothing to sync. */
int64_t output_sync_due(const struct output *o, int64_t now_ms);

/* Says on stderr (and in the service manager's status) that the output changed state: err < 0
 * the failure (WHAT names the operation; HELD: the records involved stay in the ring), 0 back to
 * healthy. Says it only when the state differs from the last one reported. */
void output_report(struct output *o, int err, const char *what, int held);

#endif

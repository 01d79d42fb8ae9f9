/* compress.h - the background worker that finishes rotated files: compresses them (gzip through
 * zlib, zstd through libzstd) or just syncs them, in its own thread, so a slow disk or a slow
 * compressor never stalls draining the ring. */
#ifndef SHMLOGD_COMPRESS_H
#define SHMLOGD_COMPRESS_H

#include <pthread.h>
#include <sys/types.h>

#include "options.h"
#include "trust.h"

struct worker;

/* Starts the worker. LOCK guards the set of rotated files: the worker holds it while it swaps a
 * file for its compressed copy, so retention (rotate.c) never sees, or deletes, half a swap.
 * TRUST says whose files it may finish: a queued file, or a temporary in the way, that another
 * user made is left alone with a warning. Returns NULL with errno set on failure. */
struct worker *worker_start(enum compress method, int sync, mode_t mode, pthread_mutex_t *lock,
			    const struct trust *trust);

/* Queues the rotated file PATH (copied). Returns 0 or -ENOMEM. */
int worker_submit(struct worker *w, const char *path);

/* Finishes the queued files, then stops the thread and frees the worker. Accepts NULL. */
void worker_stop(struct worker *w);

/* The file name suffix METHOD gives: ".gz", ".zst" or "". */
const char *compress_suffix(enum compress method);

#endif

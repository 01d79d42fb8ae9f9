/* batch.h - the formatted lines of records taken from the ring but not yet committed back to it,
 * kept as an iovec array so one writev() puts a whole batch in the file. */
#ifndef SHMLOGD_BATCH_H
#define SHMLOGD_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "shmlog.h"

#define BATCH_CHUNK (64 * 1024)        /* one iovec's buffer; a longer line gets its own */
#define BATCH_MAX_IOV 32               /* also bounds a batch's memory to 2 MiB of chunks */
#define BATCH_FLUSH_BYTES (1024 * 1024) /* write once this much is waiting */

struct batch {
	struct iovec iov[BATCH_MAX_IOV];
	size_t cap[BATCH_MAX_IOV]; /* capacity of iov[i].iov_base */
	int niov;                  /* iovecs in use */
	size_t bytes;              /* total length of the lines */
	uint64_t events;           /* events taken from the ring since the last commit */
	uint64_t seq_first;        /* first real record this batch may hold (the resume point) */
	uint64_t seq_end;          /* after the last real record added */
	int critical;              /* holds a critical record: sync before committing */
	int64_t started_ms;        /* when the first line was added (monotonic) */
	int has_split;             /* rotate by size between bytes [0, split) and the rest */
	size_t split;
	uint64_t split_seq;        /* seq_end at the split */
	size_t written_to;         /* bytes already appended to a file (a batch may take 2 tries) */
	int rotated;               /* the rotation at the split is done */
};

/* Starts an empty batch whose records follow seq_first. Frees oversized buffers. */
void batch_reset(struct batch *b, uint64_t seq_first);
void batch_free(struct batch *b);

/* Formats REC as one line at the end of the batch, in FORMAT with its fields UNDER
 * (shmlog_format_under()). Always succeeds unless memory runs out (-ENOMEM, batch unchanged):
 * the caller has already taken the record from the ring, so there is no refusing it. Returns
 * the line's length. */
ssize_t batch_add(struct batch *b, const struct shmlog_record *rec, int format,
		  const char *under);

/* True when the batch should be written now: it is big, or the next record might not find an
 * iovec (batch_add must always be able to take one more). */
int batch_full(const struct batch *b);

/* Fills IOV (capacity BATCH_MAX_IOV) with bytes [from, to) of the batch; returns the count. */
int batch_slice(const struct batch *b, size_t from, size_t to, struct iovec *iov);

#endif

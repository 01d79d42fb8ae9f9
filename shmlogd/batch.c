/* batch.c - formats records into reusable 64 KiB buffers, one iovec each (see batch.h). */
#include <errno.h>
#include <stdlib.h>

#include "batch.h"

void batch_reset(struct batch *b, uint64_t seq_first)
{
	/* Keep the standard chunks for the next batch; give back what a huge line made us take. */
	for (int i = 0; i < BATCH_MAX_IOV; i++) {
		if (b->cap[i] > BATCH_CHUNK) {
			free(b->iov[i].iov_base);
			b->iov[i].iov_base = NULL;
			b->cap[i] = 0;
		}
		b->iov[i].iov_len = 0;
	}
	b->niov = 0;
	b->bytes = 0;
	b->events = 0;
	b->seq_first = b->seq_end = seq_first;
	b->critical = 0;
	b->started_ms = 0;
	b->has_split = 0;
	b->split = 0;
	b->split_seq = 0;
	b->written_to = 0;
	b->rotated = 0;
}

void batch_free(struct batch *b)
{
	for (int i = 0; i < BATCH_MAX_IOV; i++) {
		free(b->iov[i].iov_base);
		b->iov[i].iov_base = NULL;
		b->cap[i] = 0;
	}
	b->niov = 0;
}

/* Formats into the free end of iovec I; returns the line length, which fits only if < room. */
static ssize_t format_into(struct batch *b, int i, const struct shmlog_record *rec, int format,
			   const char *under)
{
	struct iovec *v = &b->iov[i];
	return shmlog_format_under(rec, format, 0, under,
				   (char *)v->iov_base + v->iov_len, b->cap[i] - v->iov_len);
}

ssize_t batch_add(struct batch *b, const struct shmlog_record *rec, int format,
		  const char *under)
{
	ssize_t n = -1;

	if (b->niov > 0) {
		int i = b->niov - 1;
		n = format_into(b, i, rec, format, under);
		if (n < 0)
			return n;
		/* shmlog_format also stores a NUL, so the line fits only with a byte to spare. */
		if ((size_t)n < b->cap[i] - b->iov[i].iov_len) {
			b->iov[i].iov_len += (size_t)n;
			b->bytes += (size_t)n;
			return n;
		}
	}
	/* A fresh iovec; batch_full() guaranteed there is one. */
	int i = b->niov;
	if (n < 0) {
		char probe[1];
		n = shmlog_format_under(rec, format, 0, under, probe, sizeof(probe));
		if (n < 0)
			return n;
	}
	size_t want = (size_t)n + 1 > BATCH_CHUNK ? (size_t)n + 1 : BATCH_CHUNK;
	if (b->cap[i] < want) {
		void *p = malloc(want);
		if (!p)
			return -ENOMEM;
		free(b->iov[i].iov_base);
		b->iov[i].iov_base = p;
		b->cap[i] = want;
	}
	b->iov[i].iov_len = 0;
	n = format_into(b, i, rec, format, under);
	b->iov[i].iov_len = (size_t)n;
	b->bytes += (size_t)n;
	b->niov++;
	return n;
}

int batch_full(const struct batch *b)
{
	return b->bytes >= BATCH_FLUSH_BYTES || b->niov >= BATCH_MAX_IOV;
}

int batch_slice(const struct batch *b, size_t from, size_t to, struct iovec *iov)
{
	size_t at = 0;
	int n = 0;

	for (int i = 0; i < b->niov && at < to; i++) {
		size_t len = b->iov[i].iov_len, lo = from > at ? from - at : 0;
		size_t hi = to - at < len ? to - at : len;
		if (lo < hi) {
			iov[n].iov_base = (char *)b->iov[i].iov_base + lo;
			iov[n].iov_len = hi - lo;
			n++;
		}
		at += len;
	}
	return n;
}

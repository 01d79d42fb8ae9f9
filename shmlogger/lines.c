/* lines.c - line splitting for shmlogger's standard input.
 *
 * read(2) into a fixed buffer and memchr for '\n': lines may hold any byte, NUL included, which
 * fgets() would cut and getline() would keep growing without bound. A line that sits whole in the
 * buffer is handed out in place; only lines that cross a refill are copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lines.h"

#define READ_SIZE (64 * 1024)

struct line_reader {
	int fd;
	int eof;
	size_t start, end; /* unread bytes of buf */
	char *line;        /* a line that crossed a refill, up to LINE_KEEP_MAX bytes */
	size_t len, cap;
	int partial;       /* line holds the start of the current line */
	char buf[READ_SIZE];
};

struct line_reader *line_reader_new(int fd)
{
	struct line_reader *lr = calloc(1, sizeof(*lr));

	if (lr)
		lr->fd = fd;
	return lr;
}

void line_reader_free(struct line_reader *lr)
{
	if (!lr)
		return;
	free(lr->line);
	free(lr);
}

/* Appends N bytes to the pending line, keeping at most LINE_KEEP_MAX. */
static int keep(struct line_reader *lr, const char *p, size_t n)
{
	if (n > LINE_KEEP_MAX - lr->len)
		n = LINE_KEEP_MAX - lr->len;
	if (lr->len + n > lr->cap) {
		size_t cap = lr->cap ? lr->cap : 4096;
		char *bigger;

		while (cap < lr->len + n)
			cap *= 2;
		if (cap > LINE_KEEP_MAX)
			cap = LINE_KEEP_MAX;
		if (!(bigger = realloc(lr->line, cap)))
			return -ENOMEM;
		lr->line = bigger;
		lr->cap = cap;
	}
	memcpy(lr->line + lr->len, p, n);
	lr->len += n;
	lr->partial = 1;
	return 0;
}

static int refill(struct line_reader *lr)
{
	ssize_t n;

	do
		n = read(lr->fd, lr->buf, sizeof(lr->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	lr->start = 0;
	lr->end = (size_t)n;
	lr->eof = n == 0;
	return 0;
}

int line_next(struct line_reader *lr, const char **line, size_t *len)
{
	int err;

	if (lr->partial) { /* handed out last time */
		lr->partial = 0;
		lr->len = 0;
	}
	for (;;) {
		char *p = lr->buf + lr->start;
		size_t avail = lr->end - lr->start;
		char *nl = memchr(p, '\n', avail);

		if (nl) {
			size_t n = (size_t)(nl - p);

			lr->start += n + 1;
			if (!lr->partial) {
				*line = p;
				*len = n < LINE_KEEP_MAX ? n : LINE_KEEP_MAX;
				return 1;
			}
			if ((err = keep(lr, p, n)) < 0)
				return err;
			break;
		}
		if (avail && (err = keep(lr, p, avail)) < 0)
			return err;
		lr->start = lr->end;
		if (lr->eof)
			break;
		if ((err = refill(lr)) < 0)
			return err;
		if (lr->eof && !lr->partial)
			return 0;
	}
	if (!lr->partial)
		return 0;
	*line = lr->line;
	*len = lr->len;
	return 1;
}

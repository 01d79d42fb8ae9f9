/* stream.c - a log file's bytes: plain, or gzip through zlib, or zstd through libzstd, told apart
 * by their first bytes (logfile.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

void fmt_err(char *err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, LOGFILE_ERR_MAX, fmt, ap);
	va_end(ap);
}

/* Refills the input buffer. Returns the bytes now buffered, 0 at the end, or -errno. */
static ssize_t fill(struct stream *s)
{
	ssize_t n;

	if (s->in_pos < s->in_len)
		return (ssize_t)(s->in_len - s->in_pos);
	s->in_pos = s->in_len = 0;
	do
		n = read(s->fd, s->in, sizeof(s->in));
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		fmt_err(s->err, "cannot read: %s", strerror(errno));
		return -errno;
	}
	s->in_len = (size_t)n;
	s->in_eof = n == 0;
	return n;
}

int stream_start(struct stream *s, int fd)
{
	static const unsigned char gz[] = {0x1f, 0x8b}, zst[] = {0x28, 0xb5, 0x2f, 0xfd};
	ssize_t n;

	memset(s, 0, sizeof(*s));
	s->fd = fd;
	/* A magic could straddle two reads only on a pipe; files give what they hold. */
	if ((n = fill(s)) < 0)
		return (int)n;
	if (s->in_len >= sizeof(gz) && !memcmp(s->in, gz, sizeof(gz))) {
		s->comp = LOGFILE_GZIP;
		/* 16 + MAX_WBITS: a gzip wrapper, not zlib's. */
		if (inflateInit2(&s->z, 16 + MAX_WBITS) != Z_OK) {
			fmt_err(s->err, "out of memory for the gzip decoder");
			return -ENOMEM;
		}
		s->z_ready = 1;
	} else if (s->in_len >= sizeof(zst) && !memcmp(s->in, zst, sizeof(zst))) {
		s->comp = LOGFILE_ZSTD;
		if (!(s->zs = ZSTD_createDStream()) || ZSTD_isError(ZSTD_initDStream(s->zs))) {
			fmt_err(s->err, "out of memory for the zstd decoder");
			return -ENOMEM;
		}
	}
	return 0;
}

static ssize_t damaged(struct stream *s, const char *what, const char *why)
{
	fmt_err(s->err, "%s data damaged: %s", what, why);
	return -EBADMSG;
}

/* gzip: members one after another (a file made by `cat a.gz b.gz` reads as gzip -d reads it). */
static ssize_t read_gzip(struct stream *s, unsigned char *buf, size_t cap)
{
	for (;;) {
		ssize_t n = fill(s);
		if (n < 0)
			return n;
		if (n == 0)
			return s->z_member_done ? 0 : damaged(s, "gzip", "the file ends inside a member");
		if (s->z_member_done) {
			inflateReset(&s->z);
			s->z_member_done = 0;
		}
		s->z.next_in = s->in + s->in_pos;
		s->z.avail_in = (uInt)(s->in_len - s->in_pos);
		s->z.next_out = buf;
		s->z.avail_out = (uInt)(cap > UINT32_MAX ? UINT32_MAX : cap);
		int rc = inflate(&s->z, Z_NO_FLUSH);
		s->in_pos = s->in_len - s->z.avail_in;
		if (rc == Z_STREAM_END)
			s->z_member_done = 1;
		else if (rc != Z_OK && rc != Z_BUF_ERROR)
			return damaged(s, "gzip", s->z.msg ? s->z.msg : "inflate failed");
		size_t out = cap - s->z.avail_out;
		if (out > 0)
			return (ssize_t)out;
	}
}

static ssize_t read_zstd(struct stream *s, unsigned char *buf, size_t cap)
{
	for (;;) {
		ssize_t n = fill(s);
		if (n < 0)
			return n;
		if (n == 0)
			return s->zs_hint == 0 ? 0 : damaged(s, "zstd", "the file ends inside a frame");
		ZSTD_inBuffer in = {s->in, s->in_len, s->in_pos};
		ZSTD_outBuffer out = {buf, cap, 0};
		size_t rc = ZSTD_decompressStream(s->zs, &out, &in);
		s->in_pos = in.pos;
		if (ZSTD_isError(rc))
			return damaged(s, "zstd", ZSTD_getErrorName(rc));
		s->zs_hint = rc;
		if (out.pos > 0)
			return (ssize_t)out.pos;
	}
}

ssize_t stream_read(struct stream *s, unsigned char *buf, size_t cap)
{
	ssize_t n;
	size_t take;

	switch (s->comp) {
	case LOGFILE_GZIP:
		return read_gzip(s, buf, cap);
	case LOGFILE_ZSTD:
		return read_zstd(s, buf, cap);
	default:
		/* What stream_start() read to look for a magic comes first. */
		if ((n = fill(s)) <= 0)
			return n;
		take = s->in_len - s->in_pos < cap ? s->in_len - s->in_pos : cap;
		memcpy(buf, s->in + s->in_pos, take);
		s->in_pos += take;
		return (ssize_t)take;
	}
}

void stream_end(struct stream *s)
{
	if (s->z_ready)
		inflateEnd(&s->z);
	ZSTD_freeDStream(s->zs);
	if (s->fd >= 0)
		close(s->fd);
	s->z_ready = 0;
	s->zs = NULL;
	s->fd = -1;
}

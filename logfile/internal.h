/* internal.h - what the files of the logfile library share (logfile.h has the design). */
#ifndef SHMLOG_LOGFILE_INTERNAL_H
#define SHMLOG_LOGFILE_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <sys/types.h>
#include <zlib.h>
#include <zstd.h>

#include "logfile.h"

#define STREAM_IN_BUF (64 * 1024)

/* stream.c: one open file's bytes, decompressed. */
struct stream {
	int fd;
	enum logfile_compression comp;
	z_stream z;
	int z_ready, z_member_done;
	ZSTD_DStream *zs;
	size_t zs_hint; /* ZSTD_decompressStream's last return: 0 at the end of a frame */
	unsigned char in[STREAM_IN_BUF];
	size_t in_len, in_pos;
	int in_eof;
	char err[LOGFILE_ERR_MAX];
};

/* Takes FD, looks at its first bytes for a compression magic and gets ready to decompress.
 * Returns 0 or -errno (-ENOMEM, a read error), with S->err set. */
int stream_start(struct stream *s, int fd);
/* Up to CAP decompressed bytes into BUF. Returns how many, 0 at the end (for now, when the file
 * is plain and may grow), or -errno: -EBADMSG damaged or cut compressed data (S->err says). */
ssize_t stream_read(struct stream *s, unsigned char *buf, size_t cap);
/* Closes the descriptor and frees the decompressor. */
void stream_end(struct stream *s);

void fmt_err(char *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* build.c: growing a record's buffers within bounds, and decoding what both formats share. */
int build_reserve(void *pbuf, size_t *cap, size_t need);
int build_add_field(struct logfile_record *r, const struct shmlog_field *f);
/* Marks the fields as damaged, as shmlog_format shows a record whose encoding broke. */
int build_mark_damaged(struct logfile_record *r);
/* "2026-11-21T10:15:03.123456Z" (any fraction of up to 9 digits; Z or +HH:MM) to ns. */
int build_parse_time(const char *s, size_t n, int64_t *ns);
/* A level as either format writes it: text's "INFO ", "WARN ", ... or a shmlog_level_name. */
int build_parse_level(const char *s, size_t n);
/* A decimal integer, the whole of S (N bytes), in [MIN, MAX]. Returns 0 or -1. */
int build_parse_int(const char *s, size_t n, int64_t min, int64_t max, int64_t *out);
/* A float as put_double writes it (a '.' or an exponent), or NaN/Infinity/-Infinity when
 * NAMES. Returns 0 or -1. */
int build_parse_float(const char *s, size_t n, int names, double *out);
/* Whether libshmlog writes V as exactly S (N bytes). */
int build_float_prints_as(double v, const char *s, size_t n);

/* rotated.c: the rotated files a follower missed (see there). */
struct rotation_look {
	const char *dir, *base;
	dev_t old_dev, new_dev;
	ino_t old_ino, new_ino;
	int64_t old_opened_us, new_opened_us; /* wall time just before each was opened */
};
/* Paths (malloc'ed; without .gz/.zst: try those when the plain one is gone) of the files rotated
 * after the old one and before the new one, oldest first. Returns 0 or -errno. */
int rotated_missed(const struct rotation_look *look, char ***paths, size_t *npaths);

/* parse_text.c, parse_json.c */
int parse_text(const char *line, size_t len, struct logfile_record *r);
int parse_json(const char *line, size_t len, struct logfile_record *r);

#endif

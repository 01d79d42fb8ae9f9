/* print.h - prints records on stdout as text, JSON or bare messages, through one large buffer,
 * and holds back the last N lines for -n. */
#ifndef SHMLOGCAT_PRINT_H
#define SHMLOGCAT_PRINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <shmlog.h>

#include "options.h"

struct held_line {
	char *text;
	size_t len, cap;
};

struct printer {
	int fd;
	int format;      /* enum shmlog_format */
	unsigned flags;  /* SHMLOG_FMT_* */
	char *buf;
	size_t len, cap;
	int status;      /* after a failed write: the exit status (0 when the reader went away) */
	struct held_line *held; /* the last lines, a circular array of at most keep */
	size_t keep, nheld, next;
};

/* Prepares to write FORMAT to stdout, coloured as COLOR says; KEEP is how many lines
 * print_hold keeps. Returns 0, or -1 (errno ENOMEM). */
int print_init(struct printer *out, int format, enum color color, size_t keep);
void print_free(struct printer *out);

/* Formats REC into the buffer, writing the buffer out when it is full. Returns 0, or -1 when
 * writing failed: stop, and exit with out->status (already reported). */
int print_record(struct printer *out, const struct shmlog_record *rec);

/* Formats REC into the held lines, dropping the oldest beyond keep. Returns 0, or -1 when
 * memory ran out (reported; out->status set). */
int print_hold(struct printer *out, const struct shmlog_record *rec);

/* Puts the held lines, oldest first, into the buffer and forgets them. Returns as print_record. */
int print_release(struct printer *out);

/* Writes the buffer out. Returns as print_record. */
int print_flush(struct printer *out);

/* reader.c, also for sources.c: says on stderr that RING (NULL: the only one) lost, or skipped,
 * COUNT records (EVENT: SHMLOG_NEXT_*), after writing out what came before. Returns 0, or -1
 * as print_record. */
int report_gap(struct printer *out, const char *ring, int event, uint64_t count);

/* Writes the N bytes at S to FP with every byte outside printable ASCII as \xNN: for names that
 * come from shared memory or /dev/shm, which anyone may have filled with terminal escapes. */
void print_safe(FILE *fp, const char *s, size_t n);

/* BYTES the way shmlogd --size takes it: "64K", "4M", "1G", or plain bytes when not a multiple
 * of 1K. Returns BUF. */
#define SIZE_TEXT_MAX 24
const char *size_text(uint64_t bytes, char buf[SIZE_TEXT_MAX]);

#endif

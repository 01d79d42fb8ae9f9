/* print.h - prints records on stdout as text, JSON (one line or indented) or bare messages,
 * through one large buffer, and holds back the history's lines for -n and -r. */
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
	int pretty;      /* -o json-pretty: each JSON line indented (json_pretty.h) */
	unsigned flags;  /* SHMLOG_FMT_* */
	const char *fields_under; /* JSON: shmlog_format_under()'s; from --fields-under */
	char *buf;
	size_t len, cap;
	char *json;      /* -o json-pretty: the JSON line, before it is indented */
	size_t json_cap;
	int status;      /* after a failed write: the exit status (0 when the reader went away) */
	int holding;     /* -n or -r: print_hold holds the history until print_release */
	int reverse;     /* -r: print_release gives the newest first */
	struct held_line *held; /* the last lines, a circular array of at most keep */
	size_t keep, nheld, next, held_cap;
};

/* Prepares to write records to stdout as O asks: its format (-o), colour (--color), and which
 * of the history's lines to print (-n, -r). Returns 0, or -1 (errno ENOMEM). */
int print_init(struct printer *out, const struct options *o);
void print_free(struct printer *out);

/* Formats REC into the buffer, writing the buffer out when it is full. Returns 0, or -1 when
 * writing failed: stop, and exit with out->status (already reported). */
int print_record(struct printer *out, const struct shmlog_record *rec);

/* REC is part of the history (what a source held before following it, if ever): prints it as
 * print_record does, unless -n or -r asked to hold the history back; then formats it into the
 * held lines, dropping the oldest beyond -n. Every record source calls this for its history, and
 * print_release at its end, so -n and -r work the same for each. Returns 0, or -1 when writing
 * failed or memory ran out (reported; out->status set). */
int print_hold(struct printer *out, const struct shmlog_record *rec);

/* Puts the held lines into the buffer, oldest first (newest first with -r), and forgets them.
 * Returns as print_record. */
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

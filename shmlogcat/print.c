/* print.c - prints records: formats them straight into one large buffer and writes it to
 * stdout in big chunks; a reader that went away (EPIPE) ends the program quietly.
 *
 * The history can be held back (-n N, -r) whatever source it comes from: each record of it is
 * formatted into a held line of its own, and print_release writes them out in order, or
 * reversed. -n keeps a circular array of the last N; -r alone keeps every line, so its memory is
 * the size of the output.
 *
 * shmlog_format escapes every control character a record holds, in every format, so nothing a
 * writer logs can drive the terminal; the only escapes on the output are the colours we add. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "json_pretty.h"
#include "print.h"

/* Large enough that a follower keeping up with a busy ring makes few write calls. */
#define OUTPUT_BUFFER_SIZE (1024 * 1024)

static int want_color(enum color color, int fd)
{
	const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");

	if (color != COLOR_AUTO)
		return color == COLOR_ALWAYS;
	/* https://no-color.org: set and not empty means no colour. */
	return isatty(fd) && !(no_color && *no_color) && !(term && !strcmp(term, "dumb"));
}

int print_init(struct printer *out, const struct options *o)
{
	memset(out, 0, sizeof(*out));
	out->fd = STDOUT_FILENO;
	out->format = o->format;
	out->pretty = o->pretty;
	out->fields_under = o->fields_under;
	if (o->format == SHMLOG_FORMAT_TEXT && want_color(o->color, out->fd))
		out->flags |= SHMLOG_FMT_COLOR;
	out->holding = o->lines != ALL_LINES || o->reverse;
	out->reverse = o->reverse;
	out->keep = o->lines != ALL_LINES ? (size_t)o->lines : SIZE_MAX;
	out->cap = OUTPUT_BUFFER_SIZE;
	if (!(out->buf = malloc(out->cap))) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

void print_free(struct printer *out)
{
	for (size_t i = 0; i < out->nheld; i++)
		free(out->held[i].text);
	free(out->held);
	free(out->buf);
	free(out->json);
	memset(out, 0, sizeof(*out));
}

static int fail(struct printer *out, int err)
{
	if (err == EPIPE) {
		out->status = 0;
	} else {
		fprintf(stderr, PROGRAM_NAME ": cannot write output: %s\n", strerror(err));
		out->status = err == ENOMEM ? EX_OSERR : EX_IOERR;
	}
	return -1;
}

int print_flush(struct printer *out)
{
	size_t done = 0;

	while (done < out->len) {
		ssize_t n = write(out->fd, out->buf + done, out->len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return fail(out, n < 0 ? errno : EIO);
		done += (size_t)n;
	}
	out->len = 0;
	return 0;
}

/* Makes room for NEED more bytes in the buffer: writes it out, or grows it for a line longer
 * than the whole buffer. */
static int make_room(struct printer *out, size_t need)
{
	if (out->cap - out->len >= need)
		return 0;
	if (print_flush(out) < 0)
		return -1;
	if (need > out->cap) {
		char *grown = realloc(out->buf, need);
		if (!grown)
			return fail(out, ENOMEM);
		out->buf = grown;
		out->cap = need;
	}
	return 0;
}

/* -o json-pretty: the library's JSON line for REC, indented into BUF as format_record says. */
static ssize_t format_pretty(struct printer *out, const struct shmlog_record *rec, char *buf,
			     size_t cap)
{
	for (;;) {
		ssize_t n = shmlog_format_under(rec, SHMLOG_FORMAT_JSON,
						out->flags | SHMLOG_FMT_NO_NEWLINE, out->fields_under,
						out->json, out->json_cap);

		if (n < 0)
			return n;
		if ((size_t)n < out->json_cap)
			return (ssize_t)json_pretty(out->json, (size_t)n, buf, cap);
		char *grown = realloc(out->json, (size_t)n + 1);
		if (!grown)
			return -ENOMEM;
		out->json = grown;
		out->json_cap = (size_t)n + 1;
	}
}

/* REC in the output format, into BUF: shmlog_format's contract (the length needed, a NUL after
 * what fits, -errno). */
static ssize_t format_record(struct printer *out, const struct shmlog_record *rec, char *buf,
			     size_t cap)
{
	if (out->pretty)
		return format_pretty(out, rec, buf, cap);
	return shmlog_format_under(rec, out->format, out->flags, out->fields_under, buf, cap);
}

int print_record(struct printer *out, const struct shmlog_record *rec)
{
	for (;;) {
		size_t room = out->cap - out->len;
		ssize_t n = format_record(out, rec, out->buf + out->len, room);

		if (n < 0)
			return fail(out, -(int)n);
		/* Like snprintf, n is the length the line needs; it also wrote a NUL after it. */
		if ((size_t)n < room) {
			out->len += (size_t)n;
			return 0;
		}
		if (make_room(out, (size_t)n + 1) < 0)
			return -1;
	}
}

/* The slot for the next held line: a new one while fewer than keep are held, else the oldest.
 * The array grows by doubling: -r alone holds every line of the history. */
static struct held_line *next_slot(struct printer *out)
{
	if (out->nheld < out->keep && out->next == out->nheld) {
		if (out->nheld == out->held_cap) {
			size_t cap = out->held_cap ? 2 * out->held_cap : 64;
			struct held_line *grown;

			if (cap > out->keep)
				cap = out->keep;
			if (cap > SIZE_MAX / sizeof(*grown) ||
			    !(grown = realloc(out->held, cap * sizeof(*grown))))
				return NULL;
			out->held = grown;
			out->held_cap = cap;
		}
		memset(&out->held[out->nheld], 0, sizeof(*out->held));
		out->nheld++;
	}
	struct held_line *slot = &out->held[out->next];
	out->next = out->next + 1 < out->keep ? out->next + 1 : 0;
	return slot;
}

int print_hold(struct printer *out, const struct shmlog_record *rec)
{
	struct held_line *slot;

	if (!out->holding)
		return print_record(out, rec);
	if (out->keep == 0)
		return 0;
	if (!(slot = next_slot(out)))
		return fail(out, ENOMEM);
	for (;;) {
		ssize_t n = format_record(out, rec, slot->text, slot->cap);

		if (n < 0)
			return fail(out, -(int)n);
		if ((size_t)n < slot->cap) {
			slot->len = (size_t)n;
			return 0;
		}
		char *grown = realloc(slot->text, (size_t)n + 1);
		if (!grown)
			return fail(out, ENOMEM);
		slot->text = grown;
		slot->cap = (size_t)n + 1;
	}
}

int print_release(struct printer *out)
{
	/* Once keep lines are held, the oldest is the one next would overwrite. */
	size_t start = out->nheld == out->keep ? out->next : 0;

	for (size_t i = 0; i < out->nheld; i++) {
		size_t age = out->reverse ? out->nheld - 1 - i : i;
		const struct held_line *line = &out->held[(start + age) % out->nheld];

		if (make_room(out, line->len) < 0)
			return -1;
		memcpy(out->buf + out->len, line->text, line->len);
		out->len += line->len;
	}
	for (size_t i = 0; i < out->nheld; i++)
		free(out->held[i].text);
	free(out->held);
	out->held = NULL;
	out->nheld = out->next = out->held_cap = 0;
	return 0;
}

void print_safe(FILE *fp, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			putc(c, fp);
		else
			fprintf(fp, "\\x%02x", c);
	}
}

const char *size_text(uint64_t bytes, char buf[SIZE_TEXT_MAX])
{
	static const char units[] = "KMGT";
	int u = -1;

	while (u + 1 < (int)sizeof(units) - 1 && bytes >= 1024 && bytes % 1024 == 0) {
		bytes /= 1024;
		u++;
	}
	if (u < 0)
		snprintf(buf, SIZE_TEXT_MAX, "%llu", (unsigned long long)bytes);
	else
		snprintf(buf, SIZE_TEXT_MAX, "%llu%c", (unsigned long long)bytes, units[u]);
	return buf;
}

/* format_pieces.h - the pieces of a formatted record that libshmlog owns and the project's own
 * programs reuse: the output cursor, numbers, the RFC 3339 time, UTF-8 decoding. Private header:
 * never installed, and none of these names is exported from libshmlog.so (libshmlog.map lists
 * the public functions by name); a program reaches them by linking libshmlog.a.
 *
 * Who uses it: the library's own formatter (format.h includes this header and adds what only
 * the text and JSON lines need) and shmlogd's RFC 5424 forwarder (shmlogd/forward/rfc5424.c).
 * A second formatter calls these rather than spelling a time, a number or the ill-formed-UTF-8
 * rule its own way, so that a record reads the same in shmlogd's files and at a syslog server.
 *
 * Every piece goes through the cursor below, which keeps counting past the caller's capacity
 * (the snprintf contract); it is inline because it runs for every separator of every line.
 */
#ifndef SHMLOG_FORMAT_PIECES_H
#define SHMLOG_FORMAT_PIECES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct out {
	char *buf;
	size_t cap;
	size_t len; /* bytes the whole line needs, which may exceed cap */
};

/* Copies N <= 16 bytes as two overlapping moves of 8, 4 or 1 bytes: no loop, no call. Most of
 * a line is short pieces (separators, numbers, tags), for which a memcpy() call costs more than
 * the copy. */
static inline __attribute__((always_inline)) void copy_short(char *d, const char *s, size_t n)
{
	if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

static inline __attribute__((always_inline)) void put_mem(struct out *o, const void *p,
						     size_t n)
{
	if (o->len < o->cap && n <= o->cap - o->len) {
		if (n <= 16)
			copy_short(o->buf + o->len, p, n);
		else
			memcpy(o->buf + o->len, p, n);
	} else if (o->len < o->cap) {
		memcpy(o->buf + o->len, p, o->cap - o->len);
	}
	o->len += n;
}

static inline void put_char(struct out *o, char c)
{
	if (o->len < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

#define PUT_LIT(o, lit) put_mem((o), (lit), sizeof(lit) - 1)

/* escape.c: S, a NUL-terminated string, as it is. */
void put_str(struct out *o, const char *s);

/* number.c */
void put_u64(struct out *o, uint64_t v);
/* F's value when it is an int, a float or a bool, as shmlog_format() writes it: decimal; the
 * shortest of 15, 16 or 17 significant digits that reads back, always with a '.' or an exponent
 * (1.0, not 1), whatever LC_NUMERIC says, or NaN, Infinity, -Infinity; true or false. Writes
 * nothing for a string, which each output escapes its own way. */
struct shmlog_field;
void put_scalar(struct out *o, const struct shmlog_field *f);

/* timestamp.c: TIME_NS as RFC 3339 UTC with microseconds, "2026-11-21T10:15:03.123456Z",
 * truncated; any int64 of nanoseconds (1677 to 2262) has a four-digit year. */
void put_timestamp(struct out *o, int64_t time_ns);

/* escape.c: UTF-8, read one way for every output (RFC 3629: no overlong form, no surrogate,
 * nothing above U+10FFFF). */
#define UTF8_BAD UINT32_MAX /* utf8_decode()'s code point for an ill-formed sequence */
/* The UTF-8 sequence at P (N >= 1 bytes): its length and *CP its code point, or, when it is
 * ill-formed, the length of its maximal subpart (Unicode 3.9: each becomes one U+FFFD) and
 * *CP = UTF8_BAD. */
size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);
/* Whether S (N bytes) is well-formed UTF-8 throughout. */
bool utf8_well_formed(const char *s, size_t n);

#endif

/* format.h - the pieces shmlog_format() is made of, shared by its files. Private header.
 *
 * format.c writes the text and JSON lines; escape.c escapes untrusted bytes and reads UTF-8
 * (the one statement of what a line may contain raw: see its opening comment); timestamp.c
 * writes RFC 3339 times; number.c writes integers and floats. Every piece of a line goes
 * through the cursor below, which keeps counting past the caller's capacity (the snprintf
 * contract); it is inline because it runs for every separator of every line.
 */
#ifndef SHMLOG_FORMAT_H
#define SHMLOG_FORMAT_H

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

static inline void put_hex2(struct out *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[2] = {hex[c >> 4], hex[c & 15]};

	put_mem(o, tmp, 2);
}

/* number.c: "00" "01" ... "99", also the timestamps' digits. */
extern const char digit_pairs[201];
void put_u64(struct out *o, uint64_t v);
void put_i64(struct out *o, int64_t v);
/* The shortest decimal form of V that reads back as V, always with a '.' or an exponent. */
void put_double(struct out *o, double v);
/* "NaN", "Infinity" or "-Infinity": JSON has no spelling for them. */
const char *nonfinite_name(double v);

/* timestamp.c: TIME_NS as RFC 3339 UTC with microseconds, "2026-11-21T10:15:03.123456Z". */
void put_timestamp(struct out *o, int64_t time_ns);

/* escape.c */
void put_str(struct out *o, const char *s);
#define UTF8_BAD UINT32_MAX /* utf8_decode()'s code point for an ill-formed sequence */
enum esc {
	ESC_TEXT,        /* message, tag, unquoted value */
	ESC_TEXT_QUOTED, /* a value between double quotes: '"' becomes \" */
	ESC_TEXT_KEY,    /* a key: ' ', '=' and '"' become \xNN so "k=v" always splits */
	ESC_JSON,        /* inside a JSON string */
};

/* The UTF-8 sequence at P (N >= 1 bytes): its length, *cp its code point or UTF8_BAD. */
size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp);
/* S (N bytes, untrusted) escaped for MODE. */
void put_escaped(struct out *o, const char *s, size_t n, enum esc mode);
/* How many bytes at the start of P (N bytes) MODE copies as they are. */
size_t plain_len(const unsigned char *p, size_t n, enum esc mode);
bool utf8_well_formed(const char *s, size_t n);
/* ECS's labels may not nest, and the ecs-logging specification replaces '.', '*' and '\\' in
 * their keys with '_'. */
static inline bool label_key_replaced(char c)
{
	return c == '.' || c == '*' || c == '\\';
}
/* Whether A and B come out as the same string once ill-formed bytes become U+FFFD, and with
 * LABEL once label_key_replaced() characters become '_'. */
bool same_after_replacement(const char *a, size_t an, const char *b, size_t bn, bool label);

#endif

/* format.h - the pieces shmlog_format() is made of, shared by its files. Private header.
 *
 * format.c writes the text and JSON lines; escape.c escapes untrusted bytes and reads UTF-8
 * (the one statement of what a line may contain raw: see its opening comment); timestamp.c
 * writes RFC 3339 times; number.c writes integers and floats. The cursor every piece goes
 * through, and the pieces another formatter of the project reuses (shmlogd's RFC 5424
 * forwarder), are in ../private/format_pieces.h; this header adds what only these lines need.
 */
#ifndef SHMLOG_FORMAT_H
#define SHMLOG_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "../private/format_pieces.h"

static inline void put_hex2(struct out *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[2] = {hex[c >> 4], hex[c & 15]};

	put_mem(o, tmp, 2);
}

/* number.c: "00" "01" ... "99", also the timestamps' digits. */
extern const char digit_pairs[201];
void put_i64(struct out *o, int64_t v);
/* The shortest of %.15g, %.16g and %.17g that reads back as a finite V, always with a '.' or an
 * exponent. */
void put_double(struct out *o, double v);

/* escape.c */
enum esc {
	ESC_TEXT,        /* message, tag, unquoted value */
	ESC_TEXT_QUOTED, /* a value between double quotes: '"' becomes \" */
	ESC_TEXT_KEY,    /* a key: ' ', '=' and '"' become \xNN so "k=v" always splits */
	ESC_JSON,        /* inside a JSON string */
};

/* S (N bytes, untrusted) escaped for MODE. */
void put_escaped(struct out *o, const char *s, size_t n, enum esc mode);
/* How many bytes at the start of P (N bytes) MODE copies as they are. */
size_t plain_len(const unsigned char *p, size_t n, enum esc mode);
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

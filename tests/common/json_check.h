/* json_check.h - the tests' and the fuzzers' strict JSON Lines checker and reader: RFC 8259
 * grammar, well-formed UTF-8 (no overlong forms, surrogates or code points above U+10FFFF), no
 * lone surrogate escape, no duplicate key in any object, and a line holds exactly one object.
 * Written independently of libshmlog's format.c so the two do not share a blind spot. */
#ifndef SHMLOG_JSON_CHECK_H
#define SHMLOG_JSON_CHECK_H

#include <stdbool.h>
#include <stddef.h>

/* Members per object; an object with more is rejected. */
#define JSON_MAX_MEMBERS 512

struct json_member {
	const char *key; /* the key's text in the line, without quotes, escapes as written */
	size_t key_len;
	const char *value; /* the value's text in the line (a string keeps its quotes) */
	size_t len;
};

/* The top-level members of one line, in the order they appear; they point into the line. */
struct json_object {
	struct json_member m[JSON_MAX_MEMBERS];
	size_t n;
};

/* Whether S (N bytes) is one JSON Lines line: one valid object, then exactly one '\n', which is
 * the last byte. */
bool json_line_valid(const char *s, size_t n);

/* Parses S (N bytes, white space around it allowed) as exactly one JSON object and keeps its
 * top-level members in OBJ. Returns NULL when S is one, else a description of the first error;
 * OBJ then holds nothing useful. */
const char *json_parse_object(const char *s, size_t n, struct json_object *obj);

/* json_parse_object() for LINE (LEN bytes, no newline), as true when the line is valid. */
bool json_parse_line(const char *line, size_t len, struct json_object *obj);

/* The member named KEY (compared after decoding escapes), or NULL. */
const struct json_member *json_get(const struct json_object *obj, const char *key);

/* Whether M's key decodes to the N bytes WANT. */
bool json_key_is(const struct json_member *m, const void *want, size_t n);

/* Whether M's value is a string that decodes to the N bytes WANT. */
bool json_string_is(const struct json_member *m, const void *want, size_t n);

/* Whether M's value is a number. */
bool json_is_number(const struct json_member *m);

/* Sets *OUT to member KEY when it is an integer that fits a long long. Returns false, leaving
 * *OUT alone, when KEY is absent or is not such an integer. */
bool json_get_int(const struct json_object *obj, const char *key, long long *out);

/* Decodes string member KEY into OUT (capacity CAP, always terminated, truncated like snprintf).
 * Returns the decoded length in bytes, or -1 when KEY is absent or not a string. */
long json_str(const struct json_object *obj, const char *key, char *out, size_t cap);

/* Copies the N bytes at S to OUT (room for N + 1) without the white space outside strings, and
 * a NUL: a JSON text indented over many lines becomes the one line it was. Returns the length. */
size_t json_squeeze(const char *s, size_t n, char *out);

/* The value of the hex digit C (0-9, a-f, A-F), or -1. The fuzzers' text unescaper uses it too. */
int json_hex_digit(unsigned char c);

/* The length of the well-formed UTF-8 character at P (AVAIL bytes readable), or 0 when the bytes
 * there are not one. */
size_t json_utf8_char(const unsigned char *p, size_t avail);

#endif

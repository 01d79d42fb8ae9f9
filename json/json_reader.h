/* json_reader.h - the one reader of a JSON object line in the programs, member by member: for
 * shmlogger --parse-json (shmlogger/json_fields.c) and for the JSON lines shmlogd writes, read
 * back (logfile/parse_json.c). The design is at the top of json_reader.c. */
#ifndef SHMLOG_JSON_READER_H
#define SHMLOG_JSON_READER_H

#include <stdbool.h>
#include <stddef.h>

struct json_reader {
	const char *p, *end; /* the unread part of the line */
	bool utf8; /* a string's raw bytes of 0x80 and above must be UTF-8; else taken as they are */
};

enum json_type { JSON_STRING, JSON_NUMBER, JSON_TRUE, JSON_FALSE, JSON_NULL, JSON_ARRAY, JSON_OBJECT };

struct json_value {
	enum json_type type;
	/* A string: decoded, in the caller's buffer; anything else: its text as written in the line
	 * (an array or object whole, checked but not decoded). */
	const char *text;
	size_t len;
	bool is_int; /* a number without fraction or exponent */
};

/* Takes white space and the '{' that opens an object. Returns false when there is none. */
bool json_object_open(struct json_reader *r);

/* Before each member of the object json_object_open opened (*FIRST true before the first one):
 * takes the ',' before it, decodes its key into KEY (CAP bytes) with its length in *KEY_LEN,
 * takes the ':' and the white space after it, and returns 1: the member's value is next. Returns
 * 0 when the '}' that closes the object is taken instead, -1 when the object is not JSON or KEY
 * is too small. Keys are not bounded here (an empty one is a key): that is the caller's policy. */
int json_object_next(struct json_reader *r, bool *first, char *key, size_t cap, size_t *key_len);

/* The value at R->p into *V: a string decoded into OUT (CAP bytes; decoded text is never longer
 * than its JSON text); an array or object checked down to LEVELS levels of nesting (itself the
 * first: 0 refuses any). Returns 0, or -1 when it is not a JSON value, nests deeper or does not
 * fit. */
int json_value(struct json_reader *r, struct json_value *v, char *out, size_t cap, int levels);

/* Whether only white space is left. */
bool json_at_end(struct json_reader *r);

#endif

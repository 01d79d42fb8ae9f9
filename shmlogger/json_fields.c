/* json_fields.c - a small JSON object reader for shmlogger --parse-json.
 *
 * Why a parser of its own: shmlogger needs one flat pass over one object per line, its top-level
 * members as typed fields, and nothing else. The project's only other JSON parser,
 * tests/common/json_check.c, is the tests' oracle for what libshmlog writes and is kept
 * independent of the programs on purpose; a library (jansson) would be a new dependency of the
 * package for one option, builds a tree of every line, and rejects a whole line for an integer
 * beyond 64 bits. This one is RFC 8259's grammar in a few hundred lines, fuzzed by
 * tests/fuzz/fuzz_json_fields.c.
 *
 * The input comes from a pipe and is untrusted. Bounds: the line itself (at most LINE_KEEP_MAX,
 * lines.h), JSON_FIELDS_MAX_MEMBERS members, JSON_FIELDS_MAX_DEPTH levels of nesting (the only
 * recursion), keys of 1..SHMLOG_MAX_KEY bytes. Decoded text never outgrows the text it came
 * from (an escape is longer than what it stands for; a number's copy and its NUL take the place
 * of its text and the ',' or '}' after it), so one buffer of the line's length holds all of it;
 * copy() checks anyway.
 *
 * Leniency where it loses nothing: bytes of 0x80 and above are taken as they are (records carry
 * bytes; the output formats replace invalid UTF-8), and an escaped lone surrogate becomes U+FFFD.
 * \u0000 is a NUL byte, which fields and messages may hold. Duplicate keys are kept, in order
 * (the JSON output keeps the first). Anything else outside the grammar makes the line text.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "json_fields.h"

struct cursor {
	const char *p, *end; /* the unread part of the line */
	char *out, *out_end; /* the unused part of the buffer */
};

static void ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static bool eat(struct cursor *c, char ch)
{
	if (c->p >= c->end || *c->p != ch)
		return false;
	c->p++;
	return true;
}

static bool copy(struct cursor *c, const void *s, size_t n)
{
	if (n > (size_t)(c->out_end - c->out))
		return false;
	memcpy(c->out, s, n);
	c->out += n;
	return true;
}

static int hex(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* The 4 hex digits after "\u" at P (P at the backslash, before END), or -1. */
static long u_escape(const char *p, const char *end)
{
	long v = 0;

	if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (int i = 2; i < 6; i++) {
		if (hex(p[i]) < 0)
			return -1;
		v = v << 4 | hex(p[i]);
	}
	return v;
}

static size_t utf8_encode(uint32_t cp, char out[4])
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* A \u escape at the backslash, a surrogate pair as one character; written out when DECODE. */
static bool unicode_escape(struct cursor *c, bool decode)
{
	long v = u_escape(c->p, c->end), low;
	char u[4];

	if (v < 0)
		return false;
	c->p += 6;
	if (v >= 0xd800 && v <= 0xdbff && (low = u_escape(c->p, c->end)) >= 0xdc00 &&
	    low <= 0xdfff) {
		v = 0x10000 + ((v - 0xd800) << 10) + (low - 0xdc00);
		c->p += 6;
	} else if (v >= 0xd800 && v <= 0xdfff) {
		v = 0xfffd;
	}
	return !decode || copy(c, u, utf8_encode((uint32_t)v, u));
}

/* One escape at the backslash; written out decoded when DECODE. */
static bool escape(struct cursor *c, bool decode)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at;

	if (c->end - c->p < 2)
		return false;
	if (c->p[1] == 'u')
		return unicode_escape(c, decode);
	if (c->p[1] == '\0' || !(at = strchr(from, c->p[1])))
		return false;
	c->p += 2;
	return !decode || copy(c, &to[at - from], 1);
}

/* At the opening quote: a string, decoded into the buffer when DECODE (*S and *N then give it). */
static bool string(struct cursor *c, bool decode, const char **s, size_t *n)
{
	char *start = c->out;

	c->p++;
	while (c->p < c->end && *c->p != '"') {
		const char *run = c->p;

		if (*c->p == '\\') {
			if (!escape(c, decode))
				return false;
			continue;
		}
		while (c->p < c->end && *c->p != '"' && *c->p != '\\' && (unsigned char)*c->p >= 0x20)
			c->p++;
		if (c->p == run || (decode && !copy(c, run, (size_t)(c->p - run))))
			return false; /* a raw control character, or no room */
	}
	if (!eat(c, '"'))
		return false;
	if (decode) {
		*s = start;
		*n = (size_t)(c->out - start);
	}
	return true;
}

static bool digits(struct cursor *c)
{
	const char *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s;
}

/* A number by RFC 8259's grammar; *TEXT and *N give its text in the line. */
static bool number(struct cursor *c, const char **text, size_t *n)
{
	*text = c->p;
	eat(c, '-');
	if (!eat(c, '0') && !digits(c))
		return false;
	if (eat(c, '.') && !digits(c))
		return false;
	if (eat(c, 'e') || eat(c, 'E')) {
		if (!eat(c, '+'))
			eat(c, '-');
		if (!digits(c))
			return false;
	}
	*n = (size_t)(c->p - *text);
	return true;
}

static bool literal(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return false;
	c->p += n;
	return true;
}

static bool skip_value(struct cursor *c, int depth);

/* At the '[' or '{' of a nested value: checks it, down to DEPTH more levels. */
static bool skip_nested(struct cursor *c, int depth)
{
	char close = *c->p == '[' ? ']' : '}';
	const char *s;
	size_t n;

	if (depth == 0)
		return false;
	c->p++;
	ws(c);
	if (eat(c, close))
		return true;
	do {
		ws(c);
		if (close == '}') {
			if (c->p == c->end || *c->p != '"' || !string(c, false, &s, &n))
				return false;
			ws(c);
			if (!eat(c, ':'))
				return false;
		}
		if (!skip_value(c, depth - 1))
			return false;
		ws(c);
	} while (eat(c, ','));
	return eat(c, close);
}

/* Any value, which DEPTH more levels of nesting may hold. */
static bool skip_value(struct cursor *c, int depth)
{
	const char *s;
	size_t n;

	ws(c);
	if (c->p == c->end)
		return false;
	switch (*c->p) {
	case '{':
	case '[':
		return skip_nested(c, depth);
	case '"':
		return string(c, false, &s, &n);
	case 't':
		return literal(c, "true");
	case 'f':
		return literal(c, "false");
	case 'n':
		return literal(c, "null");
	default:
		return number(c, &s, &n);
	}
}

/* A number's value typed as fields.c types KEY=VALUE, from a NUL-terminated copy of its text. */
static bool number_field(struct cursor *c, struct shmlog_field *f)
{
	const char *text;
	size_t n;
	char *copied = c->out;

	if (!number(c, &text, &n) || !copy(c, text, n) || !copy(c, "", 1))
		return false;
	field_type_value(copied, f);
	return true;
}

/* A member's value into F; *IS_STRING says whether it was a JSON string. */
static bool member_value(struct cursor *c, struct shmlog_field *f, bool *is_string)
{
	const char *start = c->p;

	*is_string = false;
	switch (*c->p) {
	case '"':
		f->type = SHMLOG_FIELD_STRING;
		*is_string = true;
		return string(c, true, &f->v.s.ptr, &f->v.s.len);
	case 't':
	case 'f':
		f->type = SHMLOG_FIELD_BOOL;
		f->v.b = *c->p == 't';
		return literal(c, f->v.b ? "true" : "false");
	case '{':
	case '[':
	case 'n':
		if (!skip_value(c, JSON_FIELDS_MAX_DEPTH))
			return false;
		f->type = SHMLOG_FIELD_STRING;
		f->v.s.ptr = start;
		f->v.s.len = (size_t)(c->p - start);
		return true;
	default:
		return number_field(c, f);
	}
}

/* One "key": value member into OBJ's next slot. */
static bool member(struct cursor *c, struct json_fields *obj)
{
	struct shmlog_field *f = &obj->m[obj->n];

	if (obj->n == JSON_FIELDS_MAX_MEMBERS || c->p == c->end || *c->p != '"')
		return false;
	memset(f, 0, sizeof(*f));
	if (!string(c, true, &f->key, &f->key_len) || f->key_len == 0 ||
	    f->key_len > SHMLOG_MAX_KEY)
		return false;
	ws(c);
	if (!eat(c, ':'))
		return false;
	ws(c);
	if (c->p == c->end || !member_value(c, f, &obj->is_string[obj->n]))
		return false;
	obj->n++;
	return true;
}

static bool object(struct cursor *c, struct json_fields *obj)
{
	ws(c);
	if (!eat(c, '{'))
		return false;
	ws(c);
	if (!eat(c, '}')) {
		do {
			ws(c);
			if (!member(c, obj))
				return false;
			ws(c);
		} while (eat(c, ','));
		if (!eat(c, '}'))
			return false;
	}
	ws(c);
	return c->p == c->end;
}

int json_fields_parse(struct json_fields *obj, const char *line, size_t len)
{
	struct cursor c = {line, line + len, NULL, NULL};

	obj->n = 0;
	if (len + 1 > obj->cap) {
		char *bigger = realloc(obj->buf, len + 1);

		if (!bigger)
			return -ENOMEM;
		obj->buf = bigger;
		obj->cap = len + 1;
	}
	c.out = obj->buf;
	c.out_end = obj->buf + obj->cap;
	if (object(&c, obj))
		return 1;
	obj->n = 0;
	return 0;
}

void json_fields_free(struct json_fields *obj)
{
	if (!obj)
		return;
	free(obj->buf);
	obj->buf = NULL;
	obj->cap = 0;
	obj->n = 0;
}

/* json_check.c - the tests' strict JSON Lines checker and reader (see json_check.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"

#define JSON_MAX_DEPTH 64

struct cursor {
	const unsigned char *p, *end;
	int depth;
};

static bool value(struct cursor *j);

static void ws(struct cursor *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool eat(struct cursor *j, char c)
{
	if (j->p >= j->end || *j->p != (unsigned char)c)
		return false;
	j->p++;
	return true;
}

/* Decodes one UTF-8 character by comparing it against the smallest code point of its length,
 * the surrogates and U+10FFFF. Returns its length (0: not well-formed) and sets *CP. */
static size_t utf8_decode(const unsigned char *p, size_t avail, uint32_t *cp)
{
	static const uint32_t min_for_extra[] = {0, 0x80, 0x800, 0x10000};
	size_t extra;
	uint32_t c;

	if (avail == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0)
		extra = 1, c = p[0] & 0x1f;
	else if ((p[0] & 0xf0) == 0xe0)
		extra = 2, c = p[0] & 0x0f;
	else if ((p[0] & 0xf8) == 0xf0)
		extra = 3, c = p[0] & 0x07;
	else
		return 0;
	if (avail <= extra)
		return 0;
	for (size_t i = 1; i <= extra; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min_for_extra[extra] || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return extra + 1;
}

size_t json_utf8_char(const unsigned char *p, size_t avail)
{
	uint32_t cp;

	return utf8_decode(p, avail, &cp);
}

static int hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The 4 hex digits of a \u escape at P (AVAIL bytes readable, P at the backslash); -1 if bad. */
static long u_escape(const unsigned char *p, size_t avail)
{
	long v = 0;

	if (avail < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (int i = 2; i < 6; i++) {
		if (hex_value(p[i]) < 0)
			return -1;
		v = v << 4 | hex_value(p[i]);
	}
	return v;
}

/* One escape; a \u escape of a surrogate is only valid as a high one followed by a low one. */
static bool escape(struct cursor *j)
{
	size_t avail = (size_t)(j->end - j->p);
	long v;

	if (avail < 2)
		return false;
	if (j->p[1] != 'u') {
		if (!strchr("\"\\/bfnrt", j->p[1]) || j->p[1] == '\0')
			return false;
		j->p += 2;
		return true;
	}
	if ((v = u_escape(j->p, avail)) < 0 || (v >= 0xdc00 && v <= 0xdfff))
		return false;
	j->p += 6;
	if (v < 0xd800 || v > 0xdbff)
		return true;
	v = u_escape(j->p, avail - 6);
	if (v < 0xdc00 || v > 0xdfff)
		return false;
	j->p += 6;
	return true;
}

/* A string; *START and *LEN get its text without the quotes. */
static bool string(struct cursor *j, const unsigned char **start, size_t *len)
{
	const unsigned char *s;
	size_t n;

	if (!eat(j, '"'))
		return false;
	s = j->p;
	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return false;
		if (*j->p == '\\') {
			if (!escape(j))
				return false;
		} else if ((n = json_utf8_char(j->p, (size_t)(j->end - j->p))) == 0) {
			return false;
		} else {
			j->p += n;
		}
	}
	*start = s;
	*len = (size_t)(j->p - s);
	return eat(j, '"');
}

/* The next code point of string text already checked by string(), advancing *P past it. */
static uint32_t next_char(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t cp;

	if (*s != '\\') {
		*p += utf8_decode(s, (size_t)(end - s), &cp);
		return cp;
	}
	*p += 2;
	switch (s[1]) {
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	case 'u':
		break;
	default:
		return s[1];
	}
	cp = (uint32_t)u_escape(s, (size_t)(end - s));
	*p += 4;
	if (cp >= 0xd800 && cp <= 0xdbff) {
		cp = 0x10000 + ((cp - 0xd800) << 10) + ((uint32_t)u_escape(s + 6, 6) - 0xdc00);
		*p += 6;
	}
	return cp;
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

/* Whether two keys' texts (escapes as written) decode to the same string. */
static bool same_key(const struct json_member *a, const struct json_member *b)
{
	const unsigned char *p = (const unsigned char *)a->key, *pe = p + a->key_len;
	const unsigned char *q = (const unsigned char *)b->key, *qe = q + b->key_len;

	while (p < pe && q < qe)
		if (next_char(&p, pe) != next_char(&q, qe))
			return false;
	return p == pe && q == qe;
}

static bool digits(struct cursor *j)
{
	const unsigned char *s = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool number(struct cursor *j)
{
	eat(j, '-');
	if (!eat(j, '0') && !(j->p < j->end && *j->p >= '1' && *j->p <= '9' && digits(j)))
		return false;
	if (eat(j, '.') && !digits(j))
		return false;
	if (eat(j, 'e') || eat(j, 'E')) {
		if (!eat(j, '+'))
			eat(j, '-');
		return digits(j);
	}
	return true;
}

static bool literal(struct cursor *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return false;
	j->p += n;
	return true;
}

/* An object, its members copied to OBJ when OBJ is not NULL. */
static bool object(struct cursor *j, struct json_object *obj)
{
	struct json_member m[JSON_MAX_MEMBERS];
	const unsigned char *key, *v;
	size_t n = 0;

	eat(j, '{');
	ws(j);
	if (!eat(j, '}')) {
		do {
			ws(j);
			if (n == JSON_MAX_MEMBERS || !string(j, &key, &m[n].key_len))
				return false;
			m[n].key = (const char *)key;
			for (size_t i = 0; i < n; i++)
				if (same_key(&m[i], &m[n]))
					return false;
			ws(j);
			if (!eat(j, ':'))
				return false;
			ws(j);
			v = j->p;
			if (!value(j))
				return false;
			m[n].value = (const char *)v;
			m[n].len = (size_t)(j->p - v);
			n++;
			ws(j);
		} while (eat(j, ','));
		if (!eat(j, '}'))
			return false;
	}
	if (obj) {
		memcpy(obj->m, m, n * sizeof(m[0]));
		obj->n = n;
	}
	return true;
}

static bool array(struct cursor *j)
{
	eat(j, '[');
	ws(j);
	if (eat(j, ']'))
		return true;
	do {
		if (!value(j))
			return false;
		ws(j);
	} while (eat(j, ','));
	return eat(j, ']');
}

static bool value(struct cursor *j)
{
	const unsigned char *s;
	size_t n;
	bool ok;

	ws(j);
	if (j->p >= j->end || ++j->depth > JSON_MAX_DEPTH)
		return false;
	switch (*j->p) {
	case '{':
		ok = object(j, NULL);
		break;
	case '[':
		ok = array(j);
		break;
	case '"':
		ok = string(j, &s, &n);
		break;
	case 't':
		ok = literal(j, "true");
		break;
	case 'f':
		ok = literal(j, "false");
		break;
	case 'n':
		ok = literal(j, "null");
		break;
	default:
		ok = number(j);
		break;
	}
	j->depth--;
	return ok;
}

static bool parse_line(const char *line, size_t len, struct json_object *obj)
{
	struct cursor j = {(const unsigned char *)line, (const unsigned char *)line + len, 1};

	ws(&j);
	if (j.p >= j.end || *j.p != '{' || !object(&j, obj))
		return false;
	ws(&j);
	return j.p == j.end;
}

bool json_line_valid(const char *s, size_t n)
{
	if (n == 0 || s[n - 1] != '\n' || memchr(s, '\n', n - 1))
		return false;
	return parse_line(s, n - 1, NULL);
}

bool json_parse_line(const char *line, size_t len, struct json_object *obj)
{
	obj->n = 0;
	return parse_line(line, len, obj);
}

/* Whether member M's key decodes to the plain text KEY. */
static bool key_is(const struct json_member *m, const char *key)
{
	const unsigned char *p = (const unsigned char *)m->key, *end = p + m->key_len;
	size_t n = strlen(key), at = 0, k;
	char u[4];

	while (p < end) {
		k = utf8_encode(next_char(&p, end), u);
		if (k > n - at || memcmp(key + at, u, k) != 0)
			return false;
		at += k;
	}
	return at == n;
}

const struct json_member *json_get(const struct json_object *obj, const char *key)
{
	for (size_t i = 0; i < obj->n; i++)
		if (key_is(&obj->m[i], key))
			return &obj->m[i];
	return NULL;
}

bool json_get_int(const struct json_object *obj, const char *key, long long *out)
{
	const struct json_member *m = json_get(obj, key);
	char *end;
	long long v;

	if (!m || !memchr("-0123456789", m->value[0], 11))
		return false;
	errno = 0;
	v = strtoll(m->value, &end, 10);
	if (errno || end != m->value + m->len)
		return false;
	*out = v;
	return true;
}

long long json_int(const struct json_object *obj, const char *key)
{
	long long v = 0;

	if (!json_get_int(obj, key, &v))
		fail_msg("JSON line has no integer key %s", key);
	return v;
}

long json_str(const struct json_object *obj, const char *key, char *out, size_t cap)
{
	const struct json_member *m = json_get(obj, key);
	const unsigned char *p, *end;
	size_t n = 0;
	char u[4];

	if (!m || m->value[0] != '"')
		return -1;
	p = (const unsigned char *)m->value + 1;
	end = (const unsigned char *)m->value + m->len - 1;
	while (p < end) {
		size_t k = utf8_encode(next_char(&p, end), u);
		for (size_t i = 0; i < k; i++, n++)
			if (n + 1 < cap)
				out[n] = u[i];
	}
	if (cap)
		out[n < cap ? n : cap - 1] = '\0';
	return (long)n;
}

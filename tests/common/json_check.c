/* json_check.c - the tests' and the fuzzers' strict JSON Lines checker and reader (see
 * json_check.h). Every failure goes through fail(), so a rejected line always has a reason. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "json_check.h"

#define JSON_MAX_DEPTH 64

struct cursor {
	const unsigned char *p, *end;
	int depth;
	const char *why; /* the first error found */
};

static bool value(struct cursor *j);

/* Notes WHY as the error unless one was noted already (the innermost, found first, stays). */
static bool fail(struct cursor *j, const char *why)
{
	if (!j->why)
		j->why = why;
	return false;
}

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

int json_hex_digit(unsigned char c)
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
		if (json_hex_digit(p[i]) < 0)
			return -1;
		v = v << 4 | json_hex_digit(p[i]);
	}
	return v;
}

/* One escape; a \u escape of a surrogate is only valid as a high one followed by a low one. */
static bool escape(struct cursor *j)
{
	size_t avail = (size_t)(j->end - j->p);
	long v;

	if (avail < 2)
		return fail(j, "cut-off escape");
	if (j->p[1] != 'u') {
		if (!strchr("\"\\/bfnrt", j->p[1]) || j->p[1] == '\0')
			return fail(j, "unknown escape");
		j->p += 2;
		return true;
	}
	if ((v = u_escape(j->p, avail)) < 0)
		return fail(j, "bad \\u escape");
	if (v >= 0xdc00 && v <= 0xdfff)
		return fail(j, "lone low surrogate escape");
	j->p += 6;
	if (v < 0xd800 || v > 0xdbff)
		return true;
	v = u_escape(j->p, avail - 6);
	if (v < 0xdc00 || v > 0xdfff)
		return fail(j, "high surrogate escape without its low half");
	j->p += 6;
	return true;
}

/* At the opening quote: a string; *START and *LEN get its text without the quotes. */
static bool string(struct cursor *j, const unsigned char **start, size_t *len)
{
	const unsigned char *s = ++j->p;
	size_t n;

	while (j->p < j->end && *j->p != '"') {
		if (*j->p < 0x20)
			return fail(j, "raw control character in a string");
		if (*j->p == '\\') {
			if (!escape(j))
				return false;
		} else if ((n = json_utf8_char(j->p, (size_t)(j->end - j->p))) == 0) {
			return fail(j, "ill-formed UTF-8 in a string");
		} else {
			j->p += n;
		}
	}
	*start = s;
	*len = (size_t)(j->p - s);
	return eat(j, '"') || fail(j, "unterminated string");
}

/* The next code point of string text already checked by string(), advancing *P past it. */
static uint32_t next_char(const unsigned char **p, const unsigned char *end)
{
	const unsigned char *s = *p;
	uint32_t cp = 0xfffd; /* string() checked the text: utf8_decode always sets it */

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
	if (eat(j, '0')) {
		if (j->p < j->end && *j->p >= '0' && *j->p <= '9')
			return fail(j, "number with a leading zero");
	} else if (!digits(j)) {
		return fail(j, "bad number");
	}
	if (eat(j, '.') && !digits(j))
		return fail(j, "no digits after the decimal point");
	if (eat(j, 'e') || eat(j, 'E')) {
		if (!eat(j, '+'))
			eat(j, '-');
		if (!digits(j))
			return fail(j, "no digits in the exponent");
	}
	return true;
}

static bool literal(struct cursor *j, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, lit, n) != 0)
		return fail(j, "bad literal");
	j->p += n;
	return true;
}

/* At the '{': an object, its members copied to OBJ when OBJ is not NULL. */
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
			if (n == JSON_MAX_MEMBERS)
				return fail(j, "too many members");
			if (j->p == j->end || *j->p != '"')
				return fail(j, "object key is not a string");
			if (!string(j, &key, &m[n].key_len))
				return false;
			m[n].key = (const char *)key;
			for (size_t i = 0; i < n; i++)
				if (same_key(&m[i], &m[n]))
					return fail(j, "duplicate key");
			ws(j);
			if (!eat(j, ':'))
				return fail(j, "no ':' after a key");
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
			return fail(j, "no ',' or '}' after a member");
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
	return eat(j, ']') || fail(j, "no ',' or ']' after an element");
}

static bool value(struct cursor *j)
{
	const unsigned char *s;
	size_t n;
	bool ok;

	ws(j);
	if (j->p >= j->end)
		return fail(j, "missing value");
	if (++j->depth > JSON_MAX_DEPTH)
		return fail(j, "nested too deeply");
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

/* One object with only white space around it; its members go to OBJ when OBJ is not NULL. */
static const char *parse(const char *s, size_t n, struct json_object *obj)
{
	struct cursor j = {(const unsigned char *)s, (const unsigned char *)s + n, 1, NULL};

	ws(&j);
	if (j.p >= j.end || *j.p != '{')
		return "not an object";
	if (!object(&j, obj))
		return j.why;
	ws(&j);
	return j.p == j.end ? NULL : "bytes after the object";
}

bool json_line_valid(const char *s, size_t n)
{
	if (n == 0 || s[n - 1] != '\n' || memchr(s, '\n', n - 1))
		return false;
	return parse(s, n - 1, NULL) == NULL;
}

const char *json_parse_object(const char *s, size_t n, struct json_object *obj)
{
	obj->n = 0;
	return parse(s, n, obj);
}

bool json_parse_line(const char *line, size_t len, struct json_object *obj)
{
	return json_parse_object(line, len, obj) == NULL;
}

/* Whether the string text from P to END (escapes as written) decodes to the N bytes WANT. */
static bool decodes_to(const unsigned char *p, const unsigned char *end, const void *want, size_t n)
{
	size_t at = 0, k;
	char u[4];

	while (p < end) {
		k = utf8_encode(next_char(&p, end), u);
		if (k > n - at || memcmp((const char *)want + at, u, k) != 0)
			return false;
		at += k;
	}
	return at == n;
}

bool json_key_is(const struct json_member *m, const void *want, size_t n)
{
	const unsigned char *key = (const unsigned char *)m->key;

	return decodes_to(key, key + m->key_len, want, n);
}

bool json_string_is(const struct json_member *m, const void *want, size_t n)
{
	const unsigned char *v = (const unsigned char *)m->value;

	return v[0] == '"' && decodes_to(v + 1, v + m->len - 1, want, n);
}

bool json_is_number(const struct json_member *m)
{
	return m->value[0] == '-' || (m->value[0] >= '0' && m->value[0] <= '9');
}

const struct json_member *json_get(const struct json_object *obj, const char *key)
{
	for (size_t i = 0; i < obj->n; i++)
		if (json_key_is(&obj->m[i], key, strlen(key)))
			return &obj->m[i];
	return NULL;
}

bool json_get_int(const struct json_object *obj, const char *key, long long *out)
{
	const struct json_member *m = json_get(obj, key);
	char *end;
	long long v;

	if (!m || !json_is_number(m))
		return false;
	errno = 0;
	v = strtoll(m->value, &end, 10);
	if (errno || end != m->value + m->len)
		return false;
	*out = v;
	return true;
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

size_t json_squeeze(const char *s, size_t n, char *out)
{
	size_t o = 0;
	bool in_string = false;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (in_string) {
			out[o++] = c;
			if (c == '\\' && i + 1 < n)
				out[o++] = s[++i];
			else if (c == '"')
				in_string = false;
		} else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
			out[o++] = c;
			in_string = c == '"';
		}
	}
	out[o] = '\0';
	return o;
}

/* json_check.c - a strict JSON parser for the fuzzers' oracles (fuzz_util.h): exactly one object,
 * RFC 8259 grammar, UTF-8 only, surrogate escapes only in well-formed pairs, no trailing bytes.
 * It keeps the top-level members, with their string values decoded, so a fuzzer can compare them
 * with the record they came from. Written for the fuzzers, independently of format.c.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"

#define MAX_DEPTH 64

struct jp {
	const uint8_t *p, *end;
	int depth;
	uint8_t *store; /* decoded strings: never longer than their JSON text */
	size_t stored;
	struct fz_json_object *obj;
	size_t cap;
	const char *err;
};

static bool fail(struct jp *j, const char *why)
{
	if (!j->err)
		j->err = why;
	return false;
}

static void skip_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool eat(struct jp *j, uint8_t c)
{
	if (j->p < j->end && *j->p == c) {
		j->p++;
		return true;
	}
	return false;
}

static bool eat_word(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return fail(j, "bad literal");
	j->p += n;
	return true;
}

static int hex4(struct jp *j, uint32_t *out)
{
	uint32_t v = 0;

	if (j->end - j->p < 4)
		return fail(j, "cut-off \\u escape");
	for (int i = 0; i < 4; i++) {
		uint8_t c = j->p[i];
		uint32_t d = c >= '0' && c <= '9'   ? (uint32_t)(c - '0')
			     : c >= 'a' && c <= 'f' ? (uint32_t)(c - 'a' + 10)
			     : c >= 'A' && c <= 'F' ? (uint32_t)(c - 'A' + 10)
						    : 16;
		if (d == 16)
			return fail(j, "bad hex digit in \\u escape");
		v = v << 4 | d;
	}
	j->p += 4;
	*out = v;
	return true;
}

/* After the opening quote: decodes into the store, returns its start and length. */
static bool string_body(struct jp *j, const uint8_t **out, size_t *len)
{
	uint8_t *dst = j->store + j->stored;
	size_t o = 0;

	for (;;) {
		if (j->p >= j->end)
			return fail(j, "unterminated string");
		uint8_t c = *j->p;
		if (c == '"') {
			j->p++;
			break;
		}
		if (c < 0x20)
			return fail(j, "raw control character in a string");
		if (c != '\\') {
			uint32_t cp;
			size_t n = fz_utf8_next(j->p, (size_t)(j->end - j->p), &cp);
			if (cp == FZ_UTF8_BAD)
				return fail(j, "ill-formed UTF-8 in a string");
			memcpy(dst + o, j->p, n);
			o += n;
			j->p += n;
			continue;
		}
		j->p++;
		if (j->p >= j->end)
			return fail(j, "cut-off escape");
		c = *j->p++;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			dst[o++] = c;
			break;
		case 'b':
			dst[o++] = '\b';
			break;
		case 'f':
			dst[o++] = '\f';
			break;
		case 'n':
			dst[o++] = '\n';
			break;
		case 'r':
			dst[o++] = '\r';
			break;
		case 't':
			dst[o++] = '\t';
			break;
		case 'u': {
			uint32_t cp, lo;
			if (!hex4(j, &cp))
				return false;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return fail(j, "lone low surrogate escape");
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (!eat(j, '\\') || !eat(j, 'u') || !hex4(j, &lo) || lo < 0xdc00 ||
				    lo > 0xdfff)
					return fail(j, "high surrogate escape without its low half");
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			}
			o += fz_utf8_put(dst + o, cp);
			break;
		}
		default:
			return fail(j, "unknown escape");
		}
	}
	*out = dst;
	*len = o;
	j->stored += o;
	return true;
}

static bool digits(struct jp *j)
{
	const uint8_t *start = j->p;

	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > start;
}

static bool number(struct jp *j)
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

static bool value(struct jp *j, enum fz_json_kind *kind, const uint8_t **val, size_t *len);

static bool container(struct jp *j, uint8_t close, bool members)
{
	enum fz_json_kind kind;
	const uint8_t *v;
	size_t n;

	if (++j->depth > MAX_DEPTH)
		return fail(j, "nested too deeply");
	skip_ws(j);
	if (!eat(j, close)) {
		do {
			skip_ws(j);
			if (members) {
				if (!eat(j, '"'))
					return fail(j, "object key is not a string");
				if (!string_body(j, &v, &n))
					return false;
				skip_ws(j);
				if (!eat(j, ':'))
					return fail(j, "no ':' after a key");
			}
			if (!value(j, &kind, &v, &n))
				return false;
			skip_ws(j);
		} while (eat(j, ','));
		if (!eat(j, close))
			return fail(j, "no ',' or closing bracket");
	}
	j->depth--;
	return true;
}

static bool value(struct jp *j, enum fz_json_kind *kind, const uint8_t **val, size_t *len)
{
	const uint8_t *start;

	skip_ws(j);
	if (j->p >= j->end)
		return fail(j, "missing value");
	start = j->p;
	*kind = FZ_JSON_OTHER;
	switch (*j->p) {
	case '"':
		j->p++;
		*kind = FZ_JSON_STRING;
		return string_body(j, val, len);
	case '{':
		j->p++;
		if (!container(j, '}', true))
			return false;
		break;
	case '[':
		j->p++;
		if (!container(j, ']', false))
			return false;
		break;
	case 't':
		*kind = FZ_JSON_TRUE;
		if (!eat_word(j, "true"))
			return false;
		break;
	case 'f':
		*kind = FZ_JSON_FALSE;
		if (!eat_word(j, "false"))
			return false;
		break;
	case 'n':
		*kind = FZ_JSON_NULL;
		if (!eat_word(j, "null"))
			return false;
		break;
	default:
		*kind = FZ_JSON_NUMBER;
		if (!number(j))
			return false;
	}
	*val = start;
	*len = (size_t)(j->p - start);
	return true;
}

static bool add_member(struct jp *j, struct fz_json_member *m)
{
	struct fz_json_object *o = j->obj;

	if (o->n == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 16;
		struct fz_json_member *nm = realloc(o->m, cap * sizeof(*nm));
		FZ_CHECK(nm != NULL, "out of memory");
		o->m = nm;
		j->cap = cap;
	}
	o->m[o->n++] = *m;
	return true;
}

const char *fz_json_parse_object(const char *s, size_t n, struct fz_json_object *obj)
{
	struct jp j = {.p = (const uint8_t *)s, .end = (const uint8_t *)s + n, .obj = obj};
	struct fz_json_member m;

	memset(obj, 0, sizeof(*obj));
	obj->store = j.store = malloc(n + 1);
	FZ_CHECK(obj->store != NULL, "out of memory");
	skip_ws(&j);
	if (!eat(&j, '{'))
		return "not an object";
	j.depth = 1;
	skip_ws(&j);
	if (!eat(&j, '}')) {
		do {
			skip_ws(&j);
			if (!eat(&j, '"'))
				return "object key is not a string";
			if (!string_body(&j, &m.key, &m.key_len))
				return j.err;
			skip_ws(&j);
			if (!eat(&j, ':'))
				return "no ':' after a key";
			if (!value(&j, &m.kind, &m.val, &m.val_len))
				return j.err;
			add_member(&j, &m);
			skip_ws(&j);
		} while (eat(&j, ','));
		if (!eat(&j, '}'))
			return "no ',' or '}' after a member";
	}
	skip_ws(&j);
	if (j.p != j.end)
		return "bytes after the object";
	return NULL;
}

void fz_json_free(struct fz_json_object *obj)
{
	free(obj->m);
	free(obj->store);
	memset(obj, 0, sizeof(*obj));
}

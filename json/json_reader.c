/* json_reader.c - a JSON object line read member by member, RFC 8259's grammar.
 *
 * Two programs read untrusted JSON Lines: shmlogger --parse-json takes any producer's line as
 * a record's fields (shmlogger/json_fields.c), and shmlogcat reads back the lines shmlogd wrote
 * (logfile/parse_json.c). The grammar, the string decoding and the bounds checks are the same
 * for both and live here; what differs is theirs to say:
 *   - UTF-8: a string's raw bytes of 0x80 and above are checked with libshmlog's decoder when
 *     json_reader.utf8 is set (shmlogd only writes UTF-8, so a line that is not was not written
 *     by it), and taken as they are otherwise (records carry bytes; the output formats replace
 *     what is not UTF-8).
 *   - What a member is: the caller walks the members (json_object_next) and reads each value
 *     (json_value), or walks a nested object itself (logfile reads the one under "labels").
 *   - Bounds: the caller bounds keys and members; json_value takes how many levels of arrays
 *     and objects a value may hold, the only recursion.
 * The tests' strict parser (tests/common/json_check.c) is an independent oracle of both and is
 * kept apart from this file on purpose: tests/fuzz/fuzz_json_fields.c and fuzz_logfile.c check
 * the two callers against it and against shmlog_format.
 *
 * The same for every caller: an escaped surrogate pair is one character, an escaped lone
 * surrogate becomes U+FFFD (as the formatter makes of bytes that are not UTF-8), \u0000 is a NUL
 * byte, which fields and messages may hold. Duplicate keys are the caller's (both keep them).
 * Decoded text is never longer than its JSON text (an escape is longer than what it stands
 * for), so a buffer of the line's length holds every key and string of it; the copies check
 * their room anyway, and a string read only to check it (inside an array or a nested object) is
 * not copied at all.
 */
#include <stdint.h>
#include <string.h>

#include "format.h" /* libshmlog's UTF-8 decoder */
#include "json_reader.h"

static void ws(struct json_reader *r)
{
	while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool eat(struct json_reader *r, char ch)
{
	if (r->p >= r->end || *r->p != ch)
		return false;
	r->p++;
	return true;
}

/* N bytes at S appended to OUT (CAP bytes, *O used), unless OUT is NULL (a string only checked). */
static bool put(char *out, size_t cap, size_t *o, const char *s, size_t n)
{
	if (!out)
		return true;
	if (n > cap - *o)
		return false;
	memcpy(out + *o, s, n);
	*o += n;
	return true;
}

/* CP (below 0x110000) as UTF-8 into U; returns its length. */
static size_t utf8_put(uint32_t cp, char u[4])
{
	static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
	size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

	for (size_t i = n - 1; i > 0; i--, cp >>= 6)
		u[i] = (char)(0x80 | (cp & 0x3f));
	u[0] = (char)(lead[n] | cp);
	return n;
}

/* The code unit of "\uXXXX" at P (before END), or -1. */
static long u_escape(const char *p, const char *end)
{
	long v = 0;

	if (end - p < 6 || p[0] != '\\' || p[1] != 'u')
		return -1;
	for (int i = 2; i < 6; i++) {
		char h = p[i];
		int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
			: h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;

		if (d < 0)
			return -1;
		v = v << 4 | d;
	}
	return v;
}

/* One escape, at its backslash, decoded onto OUT as put() does. */
static bool escape(struct json_reader *r, char *out, size_t cap, size_t *o)
{
	static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
	const char *at;
	long v, low;
	char u[4];

	if (r->end - r->p < 2)
		return false;
	if (r->p[1] != 'u') {
		if (r->p[1] == '\0' || !(at = strchr(from, r->p[1])))
			return false;
		r->p += 2;
		return put(out, cap, o, &to[at - from], 1);
	}
	if ((v = u_escape(r->p, r->end)) < 0)
		return false;
	r->p += 6;
	if (v >= 0xd800 && v <= 0xdbff && (low = u_escape(r->p, r->end)) >= 0xdc00 &&
	    low <= 0xdfff) {
		v = 0x10000 + ((v - 0xd800) << 10) + (low - 0xdc00);
		r->p += 6;
	} else if (v >= 0xd800 && v <= 0xdfff) {
		v = 0xfffd;
	}
	return put(out, cap, o, u, utf8_put((uint32_t)v, u));
}

/* What a byte is inside a string: 1 one held as it is; 2 one of 0x80 and above, held as it is or
 * the first of a UTF-8 sequence to check; 0 '"', '\\' or a control character, which end a run. */
static const unsigned char byte_class[256] = {
	[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1, [0x5d ... 0x7f] = 1, [0x80 ... 0xff] = 2,
};

/* Past the bytes a string holds as they are (UTF-8 when R says so), up to STOP, copied to *DST
 * unless it is NULL. Reading back a file is mostly this loop, hence the table and one pass. */
static void plain_run(struct json_reader *r, const char *stop, char **dst)
{
	const unsigned char held = r->utf8 ? 1 : 3; /* the classes taken without a look */
	const char *p = r->p;
	char *d = *dst;
	uint32_t cp;
	size_t n;

	for (;;) {
		if (d)
			while (p < stop && (byte_class[(unsigned char)*p] & held))
				*d++ = *p++;
		else
			while (p < stop && (byte_class[(unsigned char)*p] & held))
				p++;
		if (p == stop || byte_class[(unsigned char)*p] != 2)
			break;
		n = utf8_decode((const unsigned char *)p, (size_t)(stop - p), &cp);
		if (cp == UTF8_BAD)
			break;
		if (d) {
			memcpy(d, p, n);
			d += n;
		}
		p += n;
	}
	r->p = p;
	*dst = d;
}

/* The string at its opening quote, decoded onto OUT (CAP bytes; NULL: checked only). Returns
 * its decoded length, or -1. A run of plain bytes is read no further than OUT has room for: a
 * string that does not fit stops there, at a byte that is neither a quote nor an escape. */
static long string(struct json_reader *r, char *out, size_t cap)
{
	size_t o = 0;

	if (!eat(r, '"'))
		return -1;
	for (;;) {
		char *d = out ? out + o : NULL;
		const char *stop = r->end;

		if (out && cap - o < (size_t)(stop - r->p))
			stop = r->p + (cap - o);
		plain_run(r, stop, &d);
		if (out)
			o = (size_t)(d - out);
		if (r->p == r->end)
			return -1;
		if (*r->p == '"') {
			r->p++;
			return (long)o;
		}
		if (*r->p != '\\' || !escape(r, out, cap, &o))
			return -1; /* a raw control character, a byte that is not UTF-8, a bad escape, no room */
	}
}

static bool digits(struct json_reader *r)
{
	const char *s = r->p;

	while (r->p < r->end && *r->p >= '0' && *r->p <= '9')
		r->p++;
	return r->p > s;
}

/* A number by RFC 8259's grammar; *IS_INT when it has no fraction and no exponent. */
static bool number(struct json_reader *r, bool *is_int)
{
	eat(r, '-');
	if (!eat(r, '0') && !digits(r))
		return false;
	*is_int = true;
	if (eat(r, '.')) {
		*is_int = false;
		if (!digits(r))
			return false;
	}
	if (eat(r, 'e') || eat(r, 'E')) {
		*is_int = false;
		if (!eat(r, '+'))
			eat(r, '-');
		if (!digits(r))
			return false;
	}
	return true;
}

static bool literal(struct json_reader *r, const char *lit, size_t n)
{
	if ((size_t)(r->end - r->p) < n || memcmp(r->p, lit, n) != 0)
		return false;
	r->p += n;
	return true;
}

static bool check_value(struct json_reader *r, int levels);

/* At the '[' or '{' of a value that may hold LEVELS levels: checks it whole. */
static bool check_nested(struct json_reader *r, int levels)
{
	char close = *r->p == '[' ? ']' : '}';
	bool first = true;
	size_t n;
	int more;

	if (levels <= 0)
		return false;
	r->p++;
	if (close == '}') {
		while ((more = json_object_next(r, &first, NULL, 0, &n)) == 1)
			if (!check_value(r, levels - 1))
				return false;
		return more == 0;
	}
	ws(r);
	if (eat(r, ']'))
		return true;
	do {
		if (!check_value(r, levels - 1))
			return false;
		ws(r);
	} while (eat(r, ','));
	return eat(r, ']');
}

/* Any value, checked, not decoded; it may hold LEVELS levels of arrays and objects. */
static bool check_value(struct json_reader *r, int levels)
{
	struct json_value v;

	return json_value(r, &v, NULL, 0, levels) == 0;
}

bool json_object_open(struct json_reader *r)
{
	ws(r);
	return eat(r, '{');
}

int json_object_next(struct json_reader *r, bool *first, char *key, size_t cap, size_t *key_len)
{
	long n;

	ws(r);
	if (eat(r, '}'))
		return 0;
	if (!*first && !eat(r, ','))
		return -1;
	*first = false;
	ws(r);
	if ((n = string(r, key, cap)) < 0)
		return -1;
	ws(r);
	if (!eat(r, ':'))
		return -1;
	ws(r);
	*key_len = (size_t)n;
	return 1;
}

int json_value(struct json_reader *r, struct json_value *v, char *out, size_t cap, int levels)
{
	long n;

	ws(r);
	v->text = r->p;
	v->is_int = false;
	if (r->p == r->end)
		return -1;
	if (*r->p == '"') { /* the commonest first: a file's lines are mostly strings */
		v->type = JSON_STRING;
		if ((n = string(r, out, cap)) < 0)
			return -1;
		v->text = out;
		v->len = (size_t)n;
		return 0;
	}
	if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) {
		v->type = JSON_NUMBER;
		if (!number(r, &v->is_int))
			return -1;
	} else if (*r->p == '{' || *r->p == '[') {
		v->type = *r->p == '{' ? JSON_OBJECT : JSON_ARRAY;
		if (!check_nested(r, levels))
			return -1;
	} else if (*r->p == 't') {
		v->type = JSON_TRUE;
		if (!literal(r, "true", 4))
			return -1;
	} else if (*r->p == 'f') {
		v->type = JSON_FALSE;
		if (!literal(r, "false", 5))
			return -1;
	} else {
		v->type = JSON_NULL;
		if (!literal(r, "null", 4))
			return -1;
	}
	v->len = (size_t)(r->p - v->text);
	return 0;
}

bool json_at_end(struct json_reader *r)
{
	ws(r);
	return r->p == r->end;
}

/* parse_json.c - a JSON line (ECS, as libshmlog/src/format.c's format_json writes it) back into
 * a record.
 *
 * One object; the keys the formatter writes itself become the record's header (the table
 * below, the one place that says which key means what), ECS keys the record has no room for are
 * ignored (json_ignored), and every other key is a field, typed as its JSON value: string,
 * integer (a number without '.' or exponent that fits int64), float, true/false. null, arrays and
 * other objects are ignored, except an object under JSON_FIELDS_OBJECT, whose members are fields
 * too (for shmlogd writing fields under a prefix object). The reader is strict JSON (RFC 8259,
 * UTF-8 included), bounded: keys of at most SHMLOG_MAX_KEY bytes, nesting of at most JSON_MAX_DEPTH.
 */
#include <errno.h>
#include <string.h>

#include "format.h" /* libshmlog's UTF-8 decoder */
#include "internal.h"

#define JSON_MAX_DEPTH 16
#define JSON_FIELDS_OBJECT "labels"

enum role {
	R_FIELD,
	R_IGNORED,
	R_TIME,
	R_LEVEL,
	R_TAG,
	R_MESSAGE,
	R_PID,
	R_TID,
	R_SEQ,
	R_TRUNCATED,
	R_ORIGINAL_LENGTH,
	R_SYNTHETIC,
	R_COUNT,
	R_FIELDS_DAMAGED,
};

static const struct {
	const char *key;
	enum role role;
} json_roles[] = {
	{"@timestamp", R_TIME},
	{"log.level", R_LEVEL},
	{"log.logger", R_TAG},
	{"message", R_MESSAGE},
	{"process.pid", R_PID},
	{"process.thread.id", R_TID},
	{"event.sequence", R_SEQ},
	{"shmlog.truncated", R_TRUNCATED},
	{"shmlog.original_length", R_ORIGINAL_LENGTH},
	{"shmlog.synthetic", R_SYNTHETIC},
	{"shmlog.count", R_COUNT},
	{"shmlog.fields_damaged", R_FIELDS_DAMAGED},
	/* ECS says which ECS version the line follows: not part of a record. */
	{"ecs.version", R_IGNORED},
	{"ecs", R_IGNORED},
};

static enum role json_role(const char *k, size_t n)
{
	for (size_t i = 0; i < sizeof(json_roles) / sizeof(json_roles[0]); i++)
		if (strlen(json_roles[i].key) == n && !memcmp(k, json_roles[i].key, n))
			return json_roles[i].role;
	return R_FIELD;
}

struct cursor {
	const char *p, *end;
	struct logfile_record *r;
	size_t used; /* scratch bytes taken by strings still needed */
	int have_time, damaged;
};

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\r' || *c->p == '\n'))
		c->p++;
}

static int eat(struct cursor *c, char ch)
{
	skip_ws(c);
	if (c->p >= c->end || *c->p != ch)
		return -1;
	c->p++;
	return 0;
}

static int hex4(const char *p, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 4; i++) {
		char h = p[i];
		int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10
			: h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
		if (d < 0)
			return -1;
		*v = *v << 4 | (uint32_t)d;
	}
	return 0;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* \uXXXX at c->p (past the backslash and 'u'), a surrogate pair taken whole; a lone surrogate
 * becomes U+FFFD, as the formatter makes of bytes that are not UTF-8. */
static int json_u_escape(struct cursor *c, uint32_t *cp)
{
	uint32_t lo;

	if (c->end - c->p < 4 || hex4(c->p, cp) < 0)
		return -1;
	c->p += 4;
	if (*cp >= 0xd800 && *cp < 0xdc00 && c->end - c->p >= 6 && c->p[0] == '\\' &&
	    c->p[1] == 'u' && hex4(c->p + 2, &lo) == 0 && lo >= 0xdc00 && lo < 0xe000) {
		*cp = 0x10000 + ((*cp - 0xd800) << 10) + (lo - 0xdc00);
		c->p += 6;
	} else if (*cp >= 0xd800 && *cp < 0xe000) {
		*cp = 0xfffd;
	}
	return 0;
}

/* A string at c->p, decoded into OUT (room for CAP; a JSON string never grows when decoded).
 * Returns its length, or -1. */
static long json_string(struct cursor *c, char *out, size_t cap)
{
	static const char named[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
	size_t o = 0;

	if (eat(c, '"') < 0)
		return -1;
	while (c->p < c->end && *c->p != '"') {
		unsigned char ch = (unsigned char)*c->p++;
		uint32_t cp;
		const char *k;

		if (ch < 0x20)
			return -1;
		if (o + 4 > cap)
			return -1;
		if (ch >= 0x80) {
			/* JSON is UTF-8 (shmlogd's always is): a line that is not is not ours. */
			size_t n = utf8_decode((const unsigned char *)c->p - 1, (size_t)(c->end - c->p) + 1, &cp);
			if (cp == UTF8_BAD)
				return -1;
			memcpy(out + o, c->p - 1, n);
			o += n;
			c->p += n - 1;
			continue;
		}
		if (ch != '\\') {
			out[o++] = (char)ch;
			continue;
		}
		if (c->p >= c->end)
			return -1;
		ch = (unsigned char)*c->p++;
		if (ch == 'u') {
			if (json_u_escape(c, &cp) < 0)
				return -1;
			o += put_utf8(out + o, cp);
		} else if (ch && (k = memchr(named, ch, sizeof(named) - 1)) && (k - named) % 2 == 0) {
			out[o++] = k[1];
		} else {
			return -1;
		}
	}
	if (c->p >= c->end)
		return -1;
	c->p++;
	return (long)o;
}

/* The extent of a number at c->p, as JSON spells it. */
static int json_number(struct cursor *c, const char **s, size_t *n, int *is_int)
{
	const char *p = c->p;

	*is_int = 1;
	if (p < c->end && *p == '-')
		p++;
	if (p >= c->end || *p < '0' || *p > '9')
		return -1;
	if (*p == '0')
		p++;
	else
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	if (p < c->end && *p == '.') {
		*is_int = 0;
		if (++p >= c->end || *p < '0' || *p > '9')
			return -1;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	if (p < c->end && (*p == 'e' || *p == 'E')) {
		*is_int = 0;
		if (++p < c->end && (*p == '+' || *p == '-'))
			p++;
		if (p >= c->end || *p < '0' || *p > '9')
			return -1;
		while (p < c->end && *p >= '0' && *p <= '9')
			p++;
	}
	*s = c->p;
	*n = (size_t)(p - c->p);
	c->p = p;
	return 0;
}

static int json_literal(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return -1;
	c->p += n;
	return 0;
}

static int json_skip_value(struct cursor *c, int depth);

/* Skips an object or array (the opening bracket already taken) up to its closing one. */
static int json_skip_container(struct cursor *c, char close, int depth)
{
	skip_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		return 0;
	}
	for (;;) {
		if (close == '}') {
			if (json_string(c, c->r->scratch + c->used, c->r->scratch_cap - c->used) < 0)
				return -1;
			if (eat(c, ':') < 0)
				return -1;
		}
		if (json_skip_value(c, depth + 1) < 0)
			return -1;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		return eat(c, close);
	}
}

static int json_skip_value(struct cursor *c, int depth)
{
	const char *s;
	size_t n;
	int is_int;

	if (depth > JSON_MAX_DEPTH)
		return -1;
	skip_ws(c);
	if (c->p >= c->end)
		return -1;
	switch (*c->p) {
	case '"':
		return json_string(c, c->r->scratch + c->used, c->r->scratch_cap - c->used) < 0 ? -1 : 0;
	case '{':
	case '[':
		c->p++;
		return json_skip_container(c, c->p[-1] == '{' ? '}' : ']', depth);
	case 't':
		return json_literal(c, "true");
	case 'f':
		return json_literal(c, "false");
	case 'n':
		return json_literal(c, "null");
	default:
		return json_number(c, &s, &n, &is_int);
	}
}

/* A JSON value read for a header role or a field. */
struct value {
	enum { V_STRING, V_INT, V_FLOAT, V_BOOL, V_OTHER } type;
	const char *s; /* V_STRING: decoded, in scratch; numbers: their text */
	size_t n;
	int64_t i;
	double f;
	int b;
};

static int json_value(struct cursor *c, struct value *v, int depth)
{
	int is_int;

	skip_ws(c);
	if (c->p >= c->end)
		return -1;
	if (*c->p == '"') {
		char *dst = c->r->scratch + c->used;
		long n = json_string(c, dst, c->r->scratch_cap - c->used);
		if (n < 0)
			return -1;
		v->type = V_STRING;
		v->s = dst;
		v->n = (size_t)n;
		return 0;
	}
	if (*c->p == 't' || *c->p == 'f') {
		v->type = V_BOOL;
		v->b = *c->p == 't';
		return json_literal(c, v->b ? "true" : "false");
	}
	if (*c->p == '-' || (*c->p >= '0' && *c->p <= '9')) {
		if (json_number(c, &v->s, &v->n, &is_int) < 0)
			return -1;
		if (is_int && build_parse_int(v->s, v->n, INT64_MIN, INT64_MAX, &v->i) == 0) {
			v->type = V_INT;
			return 0;
		}
		v->type = V_FLOAT;
		return build_parse_float(v->s, v->n, 0, &v->f) == 0 || is_int ? 0 : -1;
	}
	v->type = V_OTHER;
	return json_skip_value(c, depth);
}

/* Stores V under KEY as a field of its type (null, arrays and objects are dropped). */
static int add_field(struct cursor *c, const char *key, size_t klen, const struct value *v)
{
	struct shmlog_field f = {.key = key, .key_len = klen};
	int rc;

	switch (v->type) {
	case V_STRING:
		f.type = SHMLOG_FIELD_STRING;
		f.v.s.ptr = v->s;
		f.v.s.len = v->n;
		break;
	case V_INT:
		f.type = SHMLOG_FIELD_INT;
		f.v.i = v->i;
		break;
	case V_FLOAT:
		f.type = SHMLOG_FIELD_FLOAT;
		f.v.f = v->f;
		break;
	case V_BOOL:
		f.type = SHMLOG_FIELD_BOOL;
		f.v.b = v->b;
		break;
	default:
		return 0;
	}
	rc = build_add_field(c->r, &f);
	return rc == -ENOMEM ? rc : rc < 0 ? -EBADMSG : 0;
}

/* Puts V in the record's header as ROLE says. Returns 0 or -EBADMSG (wrong type or range). */
static int set_header(struct cursor *c, enum role role, const struct value *v)
{
	struct shmlog_record *rec = &c->r->rec;
	int64_t i = v->i;
	int is_uint = v->type == V_INT && i >= 0;

	switch (role) {
	case R_TIME:
		c->have_time = 1;
		return v->type == V_STRING && build_parse_time(v->s, v->n, &rec->time_ns) == 0 ? 0 : -EBADMSG;
	case R_LEVEL:
		return v->type == V_STRING && (rec->level = build_parse_level(v->s, v->n)) >= 0 ? 0 : -EBADMSG;
	case R_TAG:
		if (v->type != V_STRING || v->n > SHMLOG_MAX_TAG)
			return -EBADMSG;
		memcpy(c->r->tag, v->s, v->n);
		rec->tag_len = v->n;
		return 0;
	case R_MESSAGE:
		if (v->type != V_STRING)
			return -EBADMSG;
		memcpy(c->r->msg, v->s, v->n);
		c->r->msg[v->n] = '\0'; /* not needed, but some regexec()s read up to one */
		rec->msg_len = v->n;
		return 0;
	case R_PID:
	case R_TID:
		if (!is_uint || i > UINT32_MAX)
			return -EBADMSG;
		*(role == R_PID ? &rec->pid : &rec->tid) = (uint32_t)i;
		return 0;
	case R_SEQ:
	case R_ORIGINAL_LENGTH:
	case R_COUNT:
		if (!is_uint)
			return -EBADMSG;
		if (role == R_SEQ)
			rec->seq = (uint64_t)i;
		else if (role == R_COUNT)
			rec->count = (uint64_t)i;
		else
			rec->msg_full_len = (size_t)i;
		return 0;
	case R_TRUNCATED:
	case R_SYNTHETIC:
	case R_FIELDS_DAMAGED:
		if (v->type != V_BOOL)
			return -EBADMSG;
		if (v->b && role == R_FIELDS_DAMAGED)
			c->damaged = 1;
		else if (v->b)
			rec->flags |= role == R_TRUNCATED ? SHMLOG_REC_TRUNCATED : SHMLOG_REC_SYNTHETIC;
		return 0;
	default:
		return 0;
	}
}

static int json_members(struct cursor *c, int fields_only, int depth);

/* One "key": value member. */
static int json_member(struct cursor *c, int fields_only, int depth)
{
	char *key = c->r->scratch + c->used;
	long klen = json_string(c, key, c->r->scratch_cap - c->used);
	struct value v;
	enum role role;
	int rc;

	if (klen <= 0 || klen > SHMLOG_MAX_KEY || eat(c, ':') < 0)
		return -EBADMSG;
	c->used += (size_t)klen;
	role = fields_only ? R_FIELD : json_role(key, (size_t)klen);
	skip_ws(c);
	if (!fields_only && c->p < c->end && *c->p == '{' && klen == sizeof(JSON_FIELDS_OBJECT) - 1 &&
	    !memcmp(key, JSON_FIELDS_OBJECT, (size_t)klen)) {
		c->p++;
		rc = json_members(c, 1, depth + 1);
	} else if (json_value(c, &v, depth) < 0) {
		rc = -EBADMSG;
	} else if (role == R_FIELD) {
		rc = add_field(c, key, (size_t)klen, &v);
	} else {
		rc = set_header(c, role, &v);
	}
	c->used -= (size_t)klen; /* the key and the value are copied where they belong now */
	return rc;
}

/* The members of an object whose '{' is taken, up to its '}'. */
static int json_members(struct cursor *c, int fields_only, int depth)
{
	int rc;

	if (depth > JSON_MAX_DEPTH)
		return -EBADMSG;
	skip_ws(c);
	if (c->p < c->end && *c->p == '}') {
		c->p++;
		return 0;
	}
	for (;;) {
		if ((rc = json_member(c, fields_only, depth)) < 0)
			return rc;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			c->p++;
			continue;
		}
		return eat(c, '}') < 0 ? -EBADMSG : 0;
	}
}

int parse_json(const char *line, size_t len, struct logfile_record *r)
{
	struct cursor c = {.p = line, .end = line + len, .r = r};
	struct shmlog_record *rec = &r->rec;
	size_t full;
	int rc;

	if (eat(&c, '{') < 0)
		return -EBADMSG;
	if ((rc = json_members(&c, 0, 0)) < 0)
		return rc;
	skip_ws(&c);
	if (c.p != c.end || !c.have_time)
		return -EBADMSG;
	full = rec->msg_full_len;
	rec->msg_full_len = rec->flags & SHMLOG_REC_TRUNCATED ? full : rec->msg_len;
	return c.damaged ? build_mark_damaged(r) : 0;
}

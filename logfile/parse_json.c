/* parse_json.c - a JSON line (ECS, as libshmlog/src/format.c's format_json writes it) back into
 * a record.
 *
 * One object; the keys the formatter writes itself become the record's header (the table
 * below, the one place that says which key means what), ECS keys the record has no room for are
 * ignored (json_ignored), and every other key is a field, typed as its JSON value: string,
 * integer (a number without '.' or exponent that fits int64), float (also an integer beyond
 * int64, as shmlogger types one), true/false. null, arrays and other objects are ignored, except
 * an object under JSON_FIELDS_OBJECT, whose members are fields too (for shmlogd writing fields
 * under a prefix object).
 *
 * The JSON is read by the programs' one object reader (json/json_reader.c, shared with shmlogger
 * --parse-json); this file is the policy on top of it: strict JSON (RFC 8259, UTF-8 included:
 * shmlogd writes nothing else), keys of 1..SHMLOG_MAX_KEY bytes, a member's value holding at
 * most JSON_MAX_LEVELS levels of arrays and objects. Decoded keys and strings go to the record's
 * scratch (room for the whole line, which they never outgrow) until they are copied where they
 * belong.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "json_reader.h"

/* Levels of arrays and objects a member's value may hold (one fewer under JSON_FIELDS_OBJECT);
 * a number, string or literal inside the deepest one is no level of its own. */
#define JSON_MAX_LEVELS 17
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
	struct json_reader in; /* the line, strict UTF-8 */
	struct logfile_record *r;
	size_t used; /* scratch bytes taken by strings still needed */
	int have_time, damaged;
};

/* A JSON value read for a header role or a field. */
struct value {
	enum { V_STRING, V_INT, V_FLOAT, V_BOOL, V_OTHER } type;
	const char *s; /* V_STRING: decoded, in scratch; numbers: their text */
	size_t n;
	int64_t i;
	double f;
	int b;
};

/* An integer beyond int64 (S, N digits; shmlogd writes none, another program may): its value as
 * a float, as shmlogger types one. As long as a float's text may be (build_parse_float). */
static int wide_int(const char *s, size_t n, double *f)
{
	char tmp[64];

	if (n >= sizeof(tmp))
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*f = strtod(tmp, NULL); /* digits only: no locale's decimal point in the way */
	return isfinite(*f) ? 0 : -1;
}

/* The value at the reader, which may hold LEVELS levels of arrays and objects. */
static int json_value_of(struct cursor *c, struct value *v, int levels)
{
	struct json_value jv;

	if (json_value(&c->in, &jv, c->r->scratch + c->used, c->r->scratch_cap - c->used, levels) < 0)
		return -1;
	v->s = jv.text;
	v->n = jv.len;
	switch (jv.type) {
	case JSON_STRING:
		v->type = V_STRING;
		return 0;
	case JSON_TRUE:
	case JSON_FALSE:
		v->type = V_BOOL;
		v->b = jv.type == JSON_TRUE;
		return 0;
	case JSON_NUMBER:
		if (jv.is_int && build_parse_int(v->s, v->n, INT64_MIN, INT64_MAX, &v->i) == 0) {
			v->type = V_INT;
			return 0;
		}
		v->type = V_FLOAT;
		return (jv.is_int ? wide_int(v->s, v->n, &v->f) : build_parse_float(v->s, v->n, 0, &v->f));
	default:
		v->type = V_OTHER;
		return 0;
	}
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

static int json_members(struct cursor *c, int fields_only);

/* One "key": value member, its key at KEY (KLEN bytes, in scratch). */
static int json_member(struct cursor *c, const char *key, size_t klen, int fields_only)
{
	struct value v;
	enum role role = fields_only ? R_FIELD : json_role(key, klen);

	if (!fields_only && c->in.p < c->in.end && *c->in.p == '{' &&
	    klen == sizeof(JSON_FIELDS_OBJECT) - 1 && !memcmp(key, JSON_FIELDS_OBJECT, klen))
		return json_members(c, 1);
	if (json_value_of(c, &v, JSON_MAX_LEVELS - fields_only) < 0)
		return -EBADMSG;
	return role == R_FIELD ? add_field(c, key, klen, &v) : set_header(c, role, &v);
}

/* The members of the object at the reader (the line's, or the one under JSON_FIELDS_OBJECT when
 * FIELDS_ONLY), up to its '}'. */
static int json_members(struct cursor *c, int fields_only)
{
	bool first = true;
	size_t klen;
	int more, rc;

	if (!json_object_open(&c->in))
		return -EBADMSG;
	for (;;) {
		char *key = c->r->scratch + c->used;

		more = json_object_next(&c->in, &first, key, c->r->scratch_cap - c->used, &klen);
		if (more <= 0)
			return more < 0 ? -EBADMSG : 0;
		if (klen == 0 || klen > SHMLOG_MAX_KEY)
			return -EBADMSG;
		c->used += klen;
		rc = json_member(c, key, klen, fields_only);
		c->used -= klen; /* the key and the value are copied where they belong now */
		if (rc < 0)
			return rc;
	}
}

int parse_json(const char *line, size_t len, struct logfile_record *r)
{
	struct cursor c = {.in = {line, line + len, true}, .r = r};
	struct shmlog_record *rec = &r->rec;
	size_t full;
	int rc;

	if ((rc = json_members(&c, 0)) < 0)
		return rc;
	if (!json_at_end(&c.in) || !c.have_time)
		return -EBADMSG;
	full = rec->msg_full_len;
	rec->msg_full_len = rec->flags & SHMLOG_REC_TRUNCATED ? full : rec->msg_len;
	return c.damaged ? build_mark_damaged(r) : 0;
}

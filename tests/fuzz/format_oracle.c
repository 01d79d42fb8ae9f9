/* format_oracle.c - the outside view of shmlog_format() and shmlog_record_field() that the fuzzers
 * check every record against (format_oracle.h).
 *
 * What is re-derived here from the documents rather than from format.c: the field layout
 * (record.h's comment), the timestamp (gmtime_r), the text escapes (by undoing them), JSON
 * validity, duplicate keys and string contents (tests/common/json_check.c, with ill-formed UTF-8
 * replaced per Unicode 3.9), the ECS own-key list and its "labels." rule, and the float round trip.
 * What is taken from the library itself: where the tag and message end in a text line, found by
 * formatting the same record without message or fields, each piece then checked on its own.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "format_oracle.h"
#include "fuzz_util.h"
#include "json_check.h"

#define SHOWN_FIELDS 128 /* format.c shows 2 * SHMLOG_MAX_FIELDS, then says the rest is damaged */
#define TIMESTAMP_LEN 27
#define LEVEL_COL (TIMESTAMP_LEN + 1)
#define TAG_COL (LEVEL_COL + 6)
#define LABELS "labels."
#define DAMAGED_TEXT " [damaged fields]"

/* ---- fields, decoded from record.h's description -------------------------------------------- */

struct mfield {
	int type;
	const uint8_t *key;
	size_t key_len;
	const uint8_t *s;
	size_t s_len;
	int64_t i;
	double f;
	int b;
	size_t end; /* offset just past the field */
};

static bool mfield_at(const uint8_t *p, size_t len, size_t off, struct mfield *m)
{
	size_t left = len - off, v;
	uint32_t slen;

	memset(m, 0, sizeof(*m));
	if (left < 2)
		return false;
	m->type = p[off];
	m->key_len = p[off + 1];
	if (m->key_len == 0 || left - 2 < m->key_len)
		return false;
	m->key = p + off + 2;
	v = off + 2 + m->key_len;
	left = len - v;
	switch (m->type) {
	case SHMLOG_FIELD_STRING:
		if (left < 4)
			return false;
		memcpy(&slen, p + v, 4);
		if (left - 4 < slen)
			return false;
		m->s = p + v + 4;
		m->s_len = slen;
		m->end = v + 4 + slen;
		return true;
	case SHMLOG_FIELD_INT:
		if (left < 8)
			return false;
		memcpy(&m->i, p + v, 8);
		m->end = v + 8;
		return true;
	case SHMLOG_FIELD_FLOAT:
		if (left < 8)
			return false;
		memcpy(&m->f, p + v, 8);
		m->end = v + 8;
		return true;
	case SHMLOG_FIELD_BOOL:
		if (left < 1 || p[v] > 1)
			return false;
		m->b = p[v];
		m->end = v + 1;
		return true;
	default:
		return false;
	}
}

/* The fields a formatter shows, and whether it must say the rest is damaged. */
struct shown {
	struct mfield f[SHOWN_FIELDS];
	size_t n;
	bool damaged;
};

static void shown_fields(const struct shmlog_record *rec, struct shown *sh)
{
	size_t off = 0;
	struct mfield m;

	sh->n = 0;
	sh->damaged = false;
	while (off < rec->fields_len) {
		if (sh->n == SHOWN_FIELDS || !mfield_at(rec->fields, rec->fields_len, off, &m)) {
			sh->damaged = true;
			return;
		}
		sh->f[sh->n++] = m;
		off = m.end;
	}
}

void fz_check_fields(const struct shmlog_record *rec)
{
	struct shmlog_field f;
	struct mfield m;
	size_t off = 0, moff = 0, before;
	int r;

	for (;;) {
		before = off;
		r = shmlog_record_field(rec, &off, &f);
		if (moff == rec->fields_len) {
			FZ_CHECK(r == 0, "field iteration at the end returned %d", r);
			FZ_CHECK(off == before, "the end moved the offset");
			break;
		}
		if (!mfield_at(rec->fields, rec->fields_len, moff, &m)) {
			FZ_CHECK(r == -EBADMSG, "damaged field at %zu of %zu: returned %d", moff,
				 rec->fields_len, r);
			FZ_CHECK(off == before, "a refused field moved the offset");
			break;
		}
		FZ_CHECK(r == 1, "valid field at %zu of %zu: returned %d", moff, rec->fields_len, r);
		FZ_CHECK(off == m.end, "field at %zu: offset %zu, expected %zu", moff, off, m.end);
		FZ_CHECK(f.type == m.type && (const uint8_t *)f.key == m.key && f.key_len == m.key_len,
			 "field at %zu: wrong type or key", moff);
		switch (m.type) {
		case SHMLOG_FIELD_STRING:
			FZ_CHECK((const uint8_t *)f.v.s.ptr == m.s && f.v.s.len == m.s_len,
				 "field at %zu: wrong string value", moff);
			break;
		case SHMLOG_FIELD_INT:
			FZ_CHECK(f.v.i == m.i, "field at %zu: wrong integer", moff);
			break;
		case SHMLOG_FIELD_FLOAT:
			FZ_CHECK(memcmp(&f.v.f, &m.f, sizeof(double)) == 0, "field at %zu: wrong float",
				 moff);
			break;
		case SHMLOG_FIELD_BOOL:
			FZ_CHECK(f.v.b == m.b, "field at %zu: wrong bool", moff);
			break;
		}
		moff = m.end;
	}
	/* Past the end, or NULL arguments: refused without reading. */
	off = rec->fields_len + 1;
	FZ_CHECK(shmlog_record_field(rec, &off, &f) == -EBADMSG && off == rec->fields_len + 1,
		 "an offset past the end was not refused");
	FZ_CHECK(shmlog_record_field(NULL, &off, &f) == -EINVAL, "NULL record accepted");
	FZ_CHECK(shmlog_record_field(rec, NULL, &f) == -EINVAL, "NULL offset accepted");
	FZ_CHECK(shmlog_record_field(rec, &off, NULL) == -EINVAL, "NULL output accepted");
}

/* ---- lines ----------------------------------------------------------------------------------- */

struct line {
	char *s;
	size_t n; /* shmlog_format's return: the length without the NUL */
};

static struct line format_line(const struct shmlog_record *rec, int format, unsigned flags)
{
	ssize_t need = shmlog_format(rec, format, flags, NULL, 0), got;
	struct line l;

	FZ_CHECK(need >= 0, "shmlog_format(format %d, flags %u, cap 0) = %zd", format, flags, need);
	l.n = (size_t)need;
	l.s = malloc(l.n + 1);
	FZ_CHECK(l.s != NULL, "out of memory");
	memset(l.s, 0x55, l.n + 1);
	got = shmlog_format(rec, format, flags, l.s, l.n + 1);
	FZ_CHECK(got == need, "format %d: %zd with cap 0, %zd with the room it asked for", format,
		 need, got);
	FZ_CHECK(l.s[l.n] == '\0', "format %d: line not NUL-terminated", format);
	FZ_CHECK(memchr(l.s, '\0', l.n) == NULL, "format %d: a NUL byte inside the line", format);
	return l;
}

/* With CAP below what the line needs: the same return, a NUL-terminated prefix, nothing written
 * past CAP (the buffer is exactly CAP bytes: ASan watches its end). */
static void check_cut(const struct shmlog_record *rec, int format, unsigned flags,
		      const struct line *full, size_t cap)
{
	char *buf = malloc(cap);
	size_t written = full->n < cap ? full->n : cap - 1;
	ssize_t got;

	FZ_CHECK(buf != NULL, "out of memory");
	memset(buf, 0x55, cap);
	got = shmlog_format(rec, format, flags, buf, cap);
	FZ_CHECK(got >= 0 && (size_t)got == full->n, "format %d cap %zu: returned %zd, not %zu",
		 format, cap, got, full->n);
	FZ_CHECK(buf[written] == '\0', "format %d cap %zu: not NUL-terminated", format, cap);
	FZ_CHECK(memcmp(buf, full->s, written) == 0, "format %d cap %zu: not a prefix of the line",
		 format, cap);
	free(buf);
}

static bool starts_with(const char *s, size_t n, const char *prefix, size_t pn)
{
	return n >= pn && memcmp(s, prefix, pn) == 0;
}

static bool ends_with(const char *s, size_t n, const char *suffix, size_t sn)
{
	return n >= sn && memcmp(s + n - sn, suffix, sn) == 0;
}

/* S without its ANSI colour sequences (ESC [ digits/semicolons m), into OUT. */
static size_t strip_ansi(const char *s, size_t n, char *out)
{
	size_t i = 0, o = 0, j;

	while (i < n) {
		if (s[i] == '\033' && i + 1 < n && s[i + 1] == '[') {
			for (j = i + 2; j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';'); j++)
				;
			if (j < n && s[j] == 'm') {
				i = j + 1;
				continue;
			}
		}
		out[o++] = s[i++];
	}
	return o;
}

/* Undoes text escapes of S (N bytes) and checks the result is exactly WANT. */
static void check_unescapes_to(const char *what, const char *s, size_t n, const void *want,
			       size_t want_len)
{
	uint8_t *out = malloc(n + 1);
	long got;

	FZ_CHECK(out != NULL, "out of memory");
	got = fz_text_unescape(s, n, out);
	FZ_CHECK(got >= 0, "%s: malformed escape in \"%.*s\"", what, (int)n, s);
	FZ_CHECK((size_t)got == want_len && (want_len == 0 || memcmp(out, want, want_len) == 0),
		 "%s: \"%.*s\" does not undo to the record's %zu bytes", what, (int)n, s, want_len);
	free(out);
}

static void expected_timestamp(int64_t t, char out[TIMESTAMP_LEN + 1])
{
	int64_t secs = t / 1000000000, ns = t % 1000000000;
	time_t tt;
	struct tm tm;

	if (ns < 0) {
		ns += 1000000000;
		secs--;
	}
	tt = (time_t)secs;
	FZ_CHECK(gmtime_r(&tt, &tm) != NULL, "gmtime_r(%" PRId64 ") failed", secs);
	snprintf(out, TIMESTAMP_LEN + 1, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ns / 1000));
}

static size_t truncation_mark(const struct shmlog_record *rec, char *out, size_t cap)
{
	if (!(rec->flags & SHMLOG_REC_TRUNCATED))
		return 0;
	return (size_t)snprintf(out, cap, " [truncated %zu->%zu bytes]", rec->msg_full_len,
				rec->msg_len);
}

/* A float as written: finite ones read back exactly and look like floats (".0" on integral
 * values), the others are named as JavaScript names them. */
static void check_float_text(const char *what, const char *tok, size_t n, double v)
{
	char buf[64];
	double back;

	if (!isfinite(v)) {
		const char *name = isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
		FZ_CHECK(n == strlen(name) && memcmp(tok, name, n) == 0, "%s: %.*s for a non-finite",
			 what, (int)n, tok);
		return;
	}
	FZ_CHECK(n > 0 && n < sizeof(buf), "%s: float token of %zu bytes", what, n);
	memcpy(buf, tok, n);
	buf[n] = '\0';
	FZ_CHECK(strpbrk(buf, ".eE") != NULL, "%s: float %s looks like an integer", what, buf);
	back = strtod(buf, NULL);
	FZ_CHECK(back == v && !signbit(back) == !signbit(v), "%s: %s does not read back as %.17g",
		 what, buf, v);
}

static void check_int_text(const char *what, const char *tok, size_t n, int64_t v)
{
	char want[24];
	int wn = snprintf(want, sizeof(want), "%" PRId64, v);

	FZ_CHECK(n == (size_t)wn && memcmp(tok, want, n) == 0, "%s: %.*s for %s", what, (int)n, tok,
		 want);
}

/* ---- text ------------------------------------------------------------------------------------ */

static bool text_value_needs_quotes(const uint8_t *s, size_t n)
{
	return n == 0 || memchr(s, ' ', n) || memchr(s, '"', n) || memchr(s, '=', n);
}

/* The " key=value" pairs of a text line, then the damage mark, and nothing else. */
static void check_text_fields(const struct shmlog_record *rec, const char *s, size_t n)
{
	static struct shown sh;
	size_t pos = 0, k, start, end;

	shown_fields(rec, &sh);
	for (k = 0; k < sh.n; k++) {
		const struct mfield *m = &sh.f[k];
		FZ_CHECK(pos < n && s[pos] == ' ', "text field %zu: no separating space", k);
		start = ++pos;
		while (pos < n && s[pos] != '=')
			pos++;
		FZ_CHECK(pos < n, "text field %zu: no '='", k);
		FZ_CHECK(!memchr(s + start, ' ', pos - start) && !memchr(s + start, '"', pos - start),
			 "text field %zu: raw space or quote in the key", k);
		check_unescapes_to("text key", s + start, pos - start, m->key, m->key_len);
		start = ++pos;
		if (m->type == SHMLOG_FIELD_STRING && pos < n && s[pos] == '"') {
			for (pos++; pos < n && s[pos] != '"'; pos++)
				if (s[pos] == '\\')
					pos++;
			FZ_CHECK(pos < n, "text field %zu: unterminated quoted value", k);
			end = ++pos;
			FZ_CHECK(text_value_needs_quotes(m->s, m->s_len),
				 "text field %zu: quoted without need", k);
			check_unescapes_to("quoted text value", s + start + 1, end - start - 2, m->s,
					   m->s_len);
			continue;
		}
		while (pos < n && s[pos] != ' ')
			pos++;
		switch (m->type) {
		case SHMLOG_FIELD_STRING:
			FZ_CHECK(!text_value_needs_quotes(m->s, m->s_len),
				 "text field %zu: value needs quotes, has none", k);
			check_unescapes_to("text value", s + start, pos - start, m->s, m->s_len);
			break;
		case SHMLOG_FIELD_INT:
			check_int_text("text int", s + start, pos - start, m->i);
			break;
		case SHMLOG_FIELD_FLOAT:
			check_float_text("text float", s + start, pos - start, m->f);
			break;
		case SHMLOG_FIELD_BOOL:
			FZ_CHECK(pos - start == (m->b ? 4u : 5u) &&
					 memcmp(s + start, m->b ? "true" : "false", pos - start) == 0,
				 "text field %zu: bad bool", k);
			break;
		}
	}
	if (sh.damaged) {
		FZ_CHECK(starts_with(s + pos, n - pos, DAMAGED_TEXT, strlen(DAMAGED_TEXT)),
			 "text: damaged fields not marked");
		pos += strlen(DAMAGED_TEXT);
	}
	FZ_CHECK(pos == n, "text: %zu unexplained bytes after the fields: \"%.*s\"", n - pos,
		 (int)(n - pos), s + pos);
}

static void check_text(const struct shmlog_record *rec, const struct line *l)
{
	static const char *const names[] = {"UNKN ", "DEBUG", "INFO ", "WARN ", "ERROR", "CRIT "};
	char ts[TIMESTAMP_LEN + 1], pidtid[32], mark[80];
	struct shmlog_record r = *rec;
	struct line head, msg;
	size_t sfx, mn, rn;
	int known = rec->level >= SHMLOG_DEBUG && rec->level <= SHMLOG_CRITICAL;

	expected_timestamp(rec->time_ns, ts);
	FZ_CHECK(starts_with(l->s, l->n, ts, TIMESTAMP_LEN) && l->s[TIMESTAMP_LEN] == ' ',
		 "text: timestamp is not %s: %.*s", ts, (int)l->n, l->s);
	FZ_CHECK(memcmp(l->s + LEVEL_COL, names[known ? rec->level : 0], 5) == 0 &&
			 l->s[LEVEL_COL + 5] == ' ',
		 "text: wrong level column for level %d", rec->level);

	/* The same record with no message or fields ends with the tag and [pid/tid]. */
	r.msg = NULL;
	r.msg_len = 0;
	r.flags &= ~SHMLOG_REC_TRUNCATED;
	r.fields = NULL;
	r.fields_len = 0;
	head = format_line(&r, SHMLOG_FORMAT_TEXT, SHMLOG_FMT_NO_NEWLINE);
	sfx = (size_t)snprintf(pidtid, sizeof(pidtid), "[%u/%u]", rec->pid, rec->tid);
	FZ_CHECK(head.n >= TAG_COL + sfx && ends_with(head.s, head.n, pidtid, sfx),
		 "text: no %s after the tag", pidtid);
	check_unescapes_to("text tag", head.s + TAG_COL, head.n - TAG_COL - sfx, rec->tag,
			   rec->tag_len);

	/* Then the message and the truncation mark. */
	r = *rec;
	r.fields = NULL;
	r.fields_len = 0;
	msg = format_line(&r, SHMLOG_FORMAT_TEXT, SHMLOG_FMT_NO_NEWLINE);
	FZ_CHECK(starts_with(msg.s, msg.n, head.s, head.n), "text: message line changes the head");
	mn = truncation_mark(rec, mark, sizeof(mark));
	rn = msg.n - head.n;
	FZ_CHECK(ends_with(msg.s + head.n, rn, mark, mn), "text: truncation mark missing");
	rn -= mn;
	if (rec->msg_len) {
		FZ_CHECK(rn >= 1 && msg.s[head.n] == ' ', "text: no space before the message");
		check_unescapes_to("text message", msg.s + head.n + 1, rn - 1, rec->msg,
				   rec->msg_len);
	} else {
		FZ_CHECK(rn == 0, "text: bytes for an empty message");
	}

	/* Then the fields. */
	FZ_CHECK(starts_with(l->s, l->n, msg.s, msg.n), "text: fields change the line before them");
	check_text_fields(rec, l->s + msg.n, l->n - 1 - msg.n);
	free(head.s);
	free(msg.s);
}

static void check_cat(const struct shmlog_record *rec, const struct line *l)
{
	char mark[80];
	size_t mn = truncation_mark(rec, mark, sizeof(mark)), n = l->n - 1;

	FZ_CHECK(ends_with(l->s, n, mark, mn), "cat: truncation mark missing");
	check_unescapes_to("cat message", l->s, n - mn, rec->msg, rec->msg_len);
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static const char *const own_keys[] = {
	"@timestamp",	     "log.level",	"log.logger",	"message",	"ecs.version",
	"process.pid",	     "process.thread.id", "event.sequence", "shmlog.truncated",
	"shmlog.original_length", "shmlog.synthetic", "shmlog.count", "shmlog.fields_damaged",
};

/* Whether key K would collide in Elasticsearch with a key the formatter writes itself: equal to
 * one, nested under one ("message.x") or the object one nests in ("process"); or is "labels",
 * the object that renamed keys nest in. */
static bool clashes_with_own(const uint8_t *k, size_t n)
{
	if (n == strlen(LABELS) - 1 && memcmp(k, LABELS, n) == 0)
		return true;
	for (size_t i = 0; i < sizeof(own_keys) / sizeof(own_keys[0]); i++) {
		const char *o = own_keys[i];
		size_t m = strlen(o);
		size_t common = n < m ? n : m;

		if (memcmp(k, o, common) != 0)
			continue;
		if (n == m || (n < m && o[n] == '.') || (n > m && k[m] == '.'))
			return true;
	}
	return false;
}

struct jcursor {
	const struct json_object *obj;
	size_t i;
};

/* Whether M's value is written exactly as TEXT (a number or a literal). */
static bool written_as(const struct json_member *m, const char *text)
{
	return m->len == strlen(text) && memcmp(m->value, text, m->len) == 0;
}

static const struct json_member *next_member(struct jcursor *c, const char *key,
					     const void *key_bytes, size_t key_len)
{
	const struct json_member *m;

	FZ_CHECK(c->i < c->obj->n, "json: member %zu (%s) missing", c->i, key);
	m = &c->obj->m[c->i++];
	FZ_CHECK(json_key_is(m, key_bytes, key_len), "json: member %zu is \"%.*s\", expected %s",
		 c->i - 1, (int)m->key_len, m->key, key);
	return m;
}

static void expect_string(struct jcursor *c, const char *key, const void *want, size_t n)
{
	const struct json_member *m = next_member(c, key, key, strlen(key));

	FZ_CHECK(json_string_is(m, want, n), "json: %s is %.*s", key, (int)m->len, m->value);
}

/* The JSON string for raw record bytes: ill-formed UTF-8 becomes U+FFFD. */
static void expect_replaced(struct jcursor *c, const char *key, const void *raw, size_t n)
{
	uint8_t *want = malloc(3 * n + 1);

	FZ_CHECK(want != NULL, "out of memory");
	expect_string(c, key, want, fz_utf8_replace(raw, n, want));
	free(want);
}

static void expect_number(struct jcursor *c, const char *key, uint64_t v)
{
	const struct json_member *m = next_member(c, key, key, strlen(key));
	char want[24];

	snprintf(want, sizeof(want), "%" PRIu64, v);
	FZ_CHECK(written_as(m, want), "json: %s is %.*s, expected %s", key, (int)m->len, m->value,
		 want);
}

static void expect_true(struct jcursor *c, const char *key)
{
	const struct json_member *m = next_member(c, key, key, strlen(key));

	FZ_CHECK(written_as(m, "true"), "json: %s is not true", key);
}

static void check_json_value(const struct json_member *jm, const struct mfield *m)
{
	uint8_t *want;
	size_t n;

	switch (m->type) {
	case SHMLOG_FIELD_STRING:
		want = malloc(3 * m->s_len + 1);
		FZ_CHECK(want != NULL, "out of memory");
		n = fz_utf8_replace(m->s, m->s_len, want);
		FZ_CHECK(json_string_is(jm, want, n), "json: string field value differs");
		free(want);
		break;
	case SHMLOG_FIELD_INT: /* its decimal text, so a number */
		check_int_text("json int", jm->value, jm->len, m->i);
		break;
	case SHMLOG_FIELD_FLOAT:
		if (isfinite(m->f)) {
			FZ_CHECK(json_is_number(jm), "json: finite float field is not a number");
			check_float_text("json float", jm->value, jm->len, m->f);
		} else { /* the string "NaN", "Infinity" or "-Infinity", without escapes */
			FZ_CHECK(jm->value[0] == '"', "json: non-finite float is not a string");
			check_float_text("json float", jm->value + 1, jm->len - 2, m->f);
		}
		break;
	case SHMLOG_FIELD_BOOL:
		FZ_CHECK(written_as(jm, m->b ? "true" : "false"), "json: bad bool");
		break;
	}
}

/* Fields in order, each under its key (with "labels." when it clashes with an own key), a key
 * already written skipped: the first field wins. */
static void check_json_fields(const struct shmlog_record *rec, struct jcursor *c)
{
	enum { KEY_MAX = sizeof(LABELS) - 1 + 3 * 255 };
	static struct shown sh;
	static uint8_t keys[SHOWN_FIELDS][KEY_MAX];
	size_t key_len[SHOWN_FIELDS], nkeys = 0, k, j, n;

	shown_fields(rec, &sh);
	for (k = 0; k < sh.n; k++) {
		const struct mfield *m = &sh.f[k];
		uint8_t *key = keys[nkeys];

		n = 0;
		if (clashes_with_own(m->key, m->key_len)) {
			memcpy(key, LABELS, sizeof(LABELS) - 1);
			n = sizeof(LABELS) - 1;
		}
		n += fz_utf8_replace(m->key, m->key_len, key + n);
		for (j = 0; j < nkeys; j++)
			if (key_len[j] == n && memcmp(keys[j], key, n) == 0)
				break;
		if (j < nkeys)
			continue;
		key_len[nkeys++] = n;
		check_json_value(next_member(c, "a field", key, n), m);
	}
	if (sh.damaged)
		expect_true(c, "shmlog.fields_damaged");
}

static void check_json(const struct shmlog_record *rec, const struct line *l)
{
	static struct json_object obj;
	struct jcursor c = {.obj = &obj};
	char ts[TIMESTAMP_LEN + 1];
	const char *level = shmlog_level_name(rec->level);
	const char *err = json_parse_object(l->s, l->n - 1, &obj);

	FZ_CHECK(err == NULL, "json: %s in %.*s", err ? err : "", (int)l->n, l->s);
	expected_timestamp(rec->time_ns, ts);
	expect_string(&c, "@timestamp", ts, TIMESTAMP_LEN);
	expect_string(&c, "log.level", level, strlen(level));
	expect_replaced(&c, "message", rec->msg, rec->msg_len);
	expect_string(&c, "ecs.version", "1.6.0", 5);
	expect_replaced(&c, "log.logger", rec->tag, rec->tag_len);
	expect_number(&c, "process.pid", rec->pid);
	expect_number(&c, "process.thread.id", rec->tid);
	expect_number(&c, "event.sequence", rec->seq);
	if (rec->flags & SHMLOG_REC_TRUNCATED) {
		expect_true(&c, "shmlog.truncated");
		expect_number(&c, "shmlog.original_length", rec->msg_full_len);
	}
	if (rec->flags & SHMLOG_REC_SYNTHETIC) {
		expect_true(&c, "shmlog.synthetic");
		expect_number(&c, "shmlog.count", rec->count);
	}
	check_json_fields(rec, &c);
	FZ_CHECK(c.i == obj.n, "json: %zu unexpected members", obj.n - c.i);
}

/* ---- every format and flag ------------------------------------------------------------------- */

static void check_variant(const struct shmlog_record *rec, int format, unsigned flags,
			  const struct line *base, size_t small_cap)
{
	struct line l = format_line(rec, format, flags);
	size_t want_n = base->n - ((flags & SHMLOG_FMT_NO_NEWLINE) ? 1 : 0);
	char *plain = malloc(l.n + 1);
	size_t pn = l.n;

	FZ_CHECK(plain != NULL, "out of memory");
	if (format == SHMLOG_FORMAT_TEXT && (flags & SHMLOG_FMT_COLOR)) {
		FZ_CHECK(fz_line_violation(l.s, l.n, true) == NULL, "colour text: %s",
			 fz_line_violation(l.s, l.n, true));
		pn = strip_ansi(l.s, l.n, plain);
	} else {
		memcpy(plain, l.s, l.n);
	}
	FZ_CHECK(pn == want_n && memcmp(plain, base->s, want_n) == 0,
		 "format %d flags %u: not the plain line %s", format, flags,
		 (flags & SHMLOG_FMT_NO_NEWLINE) ? "without its newline" : "");
	if (flags & SHMLOG_FMT_NO_NEWLINE)
		FZ_CHECK(memchr(l.s, '\n', l.n) == NULL, "NO_NEWLINE line has a newline");
	check_cut(rec, format, flags, &l, small_cap % (l.n + 1) + 1);
	free(plain);
	free(l.s);
}

void fz_check_format(const struct shmlog_record *rec, int format, size_t small_cap)
{
	struct line base = format_line(rec, format, 0);
	const char *bad;
	char one;

	FZ_CHECK(base.n >= 1 && base.s[base.n - 1] == '\n', "format %d: no final newline", format);
	bad = fz_line_violation(base.s, base.n, false);
	FZ_CHECK(bad == NULL, "format %d: %s in %.*s", format, bad, (int)base.n, base.s);

	/* Capacity 0 and exactly enough were format_line's; now too little and more than enough. */
	check_cut(rec, format, 0, &base, 1);
	check_cut(rec, format, 0, &base, base.n); /* everything but the newline */
	check_cut(rec, format, 0, &base, base.n + 16);
	check_cut(rec, format, 0, &base, small_cap % (base.n + 1) + 1);
	FZ_CHECK(shmlog_format(rec, format, 0x4, &one, 1) == -EINVAL, "unknown flag accepted");

	check_variant(rec, format, SHMLOG_FMT_NO_NEWLINE, &base, small_cap);
	check_variant(rec, format, SHMLOG_FMT_COLOR, &base, small_cap);
	check_variant(rec, format, SHMLOG_FMT_COLOR | SHMLOG_FMT_NO_NEWLINE, &base, small_cap);

	switch (format) {
	case SHMLOG_FORMAT_TEXT:
		check_text(rec, &base);
		break;
	case SHMLOG_FORMAT_JSON:
		check_json(rec, &base);
		break;
	case SHMLOG_FORMAT_CAT:
		check_cat(rec, &base);
		break;
	}
	free(base.s);
}

void fz_check_record(const struct shmlog_record *rec, size_t small_cap)
{
	char one;

	fz_check_fields(rec);
	fz_check_format(rec, SHMLOG_FORMAT_TEXT, small_cap);
	fz_check_format(rec, SHMLOG_FORMAT_JSON, small_cap);
	fz_check_format(rec, SHMLOG_FORMAT_CAT, small_cap);
	FZ_CHECK(shmlog_format(rec, 3, 0, &one, 1) == -EINVAL, "unknown format accepted");
}

/* format.c - turns a record into one line of text, JSON or bare message: shmlog_format().
 *
 * It runs once per record in the collector, so it allocates nothing and writes through a small
 * cursor that keeps counting past the caller's capacity (the snprintf contract; format.h).
 * Every string from the record (message, tag, keys, values) goes out through put_escaped()
 * (escape.c), whose one rule keeps any record from forging a line or driving a terminal; times
 * through timestamp.c, numbers through number.c.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "format.h"
#include "internal.h"
#include "shmlog.h"

/* A record carries at most SHMLOG_MAX_FIELDS of its writer's fields and as many context fields;
 * more is damage, and the bound keeps JSON's duplicate-key check cheap. */
#define FMT_MAX_FIELDS (2 * SHMLOG_MAX_FIELDS)

/* The text a line gives a writer's pid and tid: PREFIX, pid, SEP, tid, SUFFIX, the same for
 * every record of that thread. Kept per formatting thread for the last few writer threads
 * (direct-mapped by tid), since a batch is runs of records from the same few writers: it spares
 * two integer conversions and three short copies per line. */
#define ID_CACHE 8
#define ID_TEXT_MAX 96 /* JSON's style, 57 bytes, and two 10-digit numbers fit */

struct id_text {
	uint32_t pid, tid;
	unsigned char len; /* 0: empty */
	char text[ID_TEXT_MAX];
};

struct id_style {
	const char *prefix, *sep, *suffix;
	unsigned char prefix_len, sep_len, suffix_len;
};

#define ID_STYLE(p, m, s) {p, m, s, sizeof(p) - 1, sizeof(m) - 1, sizeof(s) - 1}

static void put_ids_plain(struct out *o, const struct id_style *st, uint32_t pid, uint32_t tid)
{
	put_mem(o, st->prefix, st->prefix_len);
	put_u64(o, pid);
	put_mem(o, st->sep, st->sep_len);
	put_u64(o, tid);
	put_mem(o, st->suffix, st->suffix_len);
}

static void put_ids(struct out *o, struct id_text *cache, const struct id_style *st,
		    uint32_t pid, uint32_t tid)
{
	struct id_text *e = &cache[tid % ID_CACHE];

	if (e->len == 0 || e->pid != pid || e->tid != tid) {
		struct out t = {.buf = e->text, .cap = sizeof(e->text)};
		put_ids_plain(&t, st, pid, tid);
		if (t.len > sizeof(e->text)) { /* a style too long for the cache: not one of ours */
			e->len = 0;
			put_ids_plain(o, st, pid, tid);
			return;
		}
		e->len = (unsigned char)t.len;
		e->pid = pid;
		e->tid = tid;
	}
	put_mem(o, e->text, e->len);
}

/* ---------------------------------------------------------------------------------------------
 * Fields
 * ------------------------------------------------------------------------------------------- */

/* Iterates REC's fields for a formatter, stopping at damage or past FMT_MAX_FIELDS. */
struct field_iter {
	const struct shmlog_record *rec;
	size_t off, count;
	bool damaged;
};

static bool next_field(struct field_iter *it, struct shmlog_field *f)
{
	int r;

	if (it->damaged || it->off == it->rec->fields_len)
		return false; /* most records have no fields */
	r = shmlog_record_field(it->rec, &it->off, f);
	if (r == 1 && it->count++ < FMT_MAX_FIELDS)
		return true;
	it->damaged = r != 0;
	return false;
}

/* ---------------------------------------------------------------------------------------------
 * TEXT and CAT
 * ------------------------------------------------------------------------------------------- */

#define LEVEL_WIDTH 5
#define ANSI_RESET "\033[0m"

/* Names padded to LEVEL_WIDTH, so the common line copies a constant length. */
static const struct {
	char padded[LEVEL_WIDTH + 1];
	unsigned char len;
	const char *color;
} text_levels[] = {
	[SHMLOG_DEBUG] = {"DEBUG", 5, "\033[2m"},
	[SHMLOG_INFO] = {"INFO ", 4, "\033[32m"},
	[SHMLOG_WARNING] = {"WARN ", 4, "\033[33m"},
	[SHMLOG_ERROR] = {"ERROR", 5, "\033[31m"},
	[SHMLOG_CRITICAL] = {"CRIT ", 4, "\033[1;31m"},
};

static void put_text_level(struct out *o, int level, bool color)
{
	if (level < SHMLOG_DEBUG || level > SHMLOG_CRITICAL) {
		PUT_LIT(o, "UNKN ");
	} else if (!color) {
		put_mem(o, text_levels[level].padded, LEVEL_WIDTH);
	} else {
		put_str(o, text_levels[level].color);
		put_mem(o, text_levels[level].padded, text_levels[level].len);
		PUT_LIT(o, ANSI_RESET);
		for (size_t n = text_levels[level].len; n < LEVEL_WIDTH; n++)
			put_char(o, ' ');
	}
}

static void put_truncation_mark(struct out *o, const struct shmlog_record *rec)
{
	if (!(rec->flags & SHMLOG_REC_TRUNCATED))
		return;
	PUT_LIT(o, " [truncated ");
	put_u64(o, rec->msg_full_len);
	PUT_LIT(o, "->");
	put_u64(o, rec->msg_len);
	PUT_LIT(o, " bytes]");
}

static bool text_needs_quotes(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '"' || s[i] == '=')
			return true;
	return n == 0;
}

static void put_text_value(struct out *o, const struct shmlog_field *f)
{
	switch (f->type) {
	case SHMLOG_FIELD_STRING:
		if (text_needs_quotes(f->v.s.ptr, f->v.s.len)) {
			put_char(o, '"');
			put_escaped(o, f->v.s.ptr, f->v.s.len, ESC_TEXT_QUOTED);
			put_char(o, '"');
		} else {
			put_escaped(o, f->v.s.ptr, f->v.s.len, ESC_TEXT);
		}
		break;
	default:
		put_scalar(o, f);
		break;
	}
}

static void format_text(struct out *o, const struct shmlog_record *rec, unsigned flags)
{
	struct field_iter it = {.rec = rec};
	struct shmlog_field f;

	put_timestamp(o, rec->time_ns);
	put_char(o, ' ');
	put_text_level(o, rec->level, flags & SHMLOG_FMT_COLOR);
	put_char(o, ' ');
	put_escaped(o, rec->tag, rec->tag_len, ESC_TEXT);
	static __thread struct id_text ids[ID_CACHE];
	static const struct id_style style = ID_STYLE("[", "/", "]");
	put_ids(o, ids, &style, rec->pid, rec->tid);
	if (rec->msg_len) {
		put_char(o, ' ');
		put_escaped(o, rec->msg, rec->msg_len, ESC_TEXT);
	}
	put_truncation_mark(o, rec);
	while (next_field(&it, &f)) {
		put_char(o, ' ');
		put_escaped(o, f.key, f.key_len, ESC_TEXT_KEY);
		put_char(o, '=');
		put_text_value(o, &f);
	}
	if (it.damaged)
		PUT_LIT(o, " [damaged fields]");
}

static void format_cat(struct out *o, const struct shmlog_record *rec)
{
	put_escaped(o, rec->msg, rec->msg_len, ESC_TEXT);
	put_truncation_mark(o, rec);
}

/* ---------------------------------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------------------------------- */

/* Every key the formatter writes itself. A field may neither repeat one nor nest under one
 * ("message.x") nor be the object one nests in ("process"): Elasticsearch expands dotted keys
 * into objects and rejects the whole document on such a clash. */
#define JSON_OWN_KEYS(X)                                                                         \
	X("@timestamp")                                                                          \
	X("log.level")                                                                           \
	X("log.logger")                                                                          \
	X("message")                                                                             \
	X("ecs.version")                                                                         \
	X("process.pid")                                                                         \
	X("process.thread.id")                                                                   \
	X("event.sequence")                                                                      \
	X("shmlog.truncated")                                                                    \
	X("shmlog.original_length")                                                              \
	X("shmlog.synthetic")                                                                    \
	X("shmlog.count")                                                                        \
	X("shmlog.fields_damaged")

#define OWN_KEY(k) {k, sizeof(k) - 1},
#define OWN_INITIAL(k) || c == (k)[0]

static const struct {
	const char *name;
	size_t len;
} json_own_keys[] = {JSON_OWN_KEYS(OWN_KEY)};

#define LABELS_PREFIX "labels."
#define LABELS_PREFIX_LEN (sizeof(LABELS_PREFIX) - 1)

/* Whether C begins an own key or "labels": most keys of users' fields do not, and skip the
 * table. The comparisons come from the same list, so they fold into constants. */
static bool own_key_initial(char c)
{
	return c == LABELS_PREFIX[0] JSON_OWN_KEYS(OWN_INITIAL);
}

static bool clashes_with_own_key(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || !own_key_initial(k[0]))
		return false;
	/* Renamed keys live under "labels.": a field called just "labels" would make it both a
	 * value and an object, which Elasticsearch rejects (found by fuzz_record_fields' author). */
	if (n == LABELS_PREFIX_LEN - 1 && memcmp(k, LABELS_PREFIX, n) == 0)
		return true;

	for (i = 0; i < sizeof(json_own_keys) / sizeof(json_own_keys[0]); i++) {
		const char *own = json_own_keys[i].name;
		size_t m = json_own_keys[i].len;

		if (k[0] != own[0])
			continue;
		if (n == m && memcmp(k, own, n) == 0)
			return true;
		if (n < m && own[n] == '.' && memcmp(k, own, n) == 0)
			return true;
		if (n > m && k[m] == '.' && memcmp(k, own, m) == 0)
			return true;
	}
	return false;
}

/* Where a line puts the record's fields: shmlog_format_under()'s FIELDS_UNDER, parsed per line. */
struct under {
	enum { UNDER_TOP, UNDER_LABELS, UNDER_NAME } mode;
	const char *name; /* UNDER_NAME: the object, NAME_LEN bytes */
	size_t name_len;
};

#define UNDER_MAX 64

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/* A name of one's own must need no escaping and nest where its writer expects, so it is plain
 * names joined by single dots; it may not be an object the line's own keys use ("log" holds
 * log.level), and not lie inside "labels", whose values ECS keeps flat. */
static int parse_under(const char *name, struct under *u)
{
	size_t n, i;

	u->mode = UNDER_TOP;
	if (!name || !name[0])
		return 0;
	n = strnlen(name, UNDER_MAX + 1);
	for (i = 0; i < n; i++)
		if (!name_char(name[i]) && !(name[i] == '.' && i > 0 && i + 1 < n && name[i - 1] != '.'))
			break;
	if (i < n || n > UNDER_MAX)
		return set_err(EINVAL, "fields under '%.*s': use 1-%d characters of [A-Za-z0-9_], "
				       "names joined by single dots",
			       UNDER_MAX, name, UNDER_MAX);
	if (n == LABELS_PREFIX_LEN - 1 && memcmp(name, LABELS_PREFIX, n) == 0) {
		u->mode = UNDER_LABELS;
		return 0;
	}
	if (n >= LABELS_PREFIX_LEN && memcmp(name, LABELS_PREFIX, LABELS_PREFIX_LEN) == 0)
		return set_err(EINVAL, "fields under '%s': ECS labels hold no objects: use 'labels' "
				       "itself, or a name of your own",
			       name);
	if (clashes_with_own_key(name, n))
		return set_err(EINVAL, "fields under '%s': the line's own keys (@timestamp, log.*, "
				       "message, ecs.*, process.*, event.*, shmlog.*) use that name: "
				       "pick another, such as your application's",
			       name);
	u->mode = UNDER_NAME;
	u->name = name;
	u->name_len = n;
	return 0;
}

/* A field's key as it appears in the JSON object. */
struct json_key {
	const char *key;
	size_t len;
	bool labelled;    /* written with LABELS_PREFIX because it clashed with an own key */
	bool well_formed; /* valid UTF-8, so written byte for byte */
};

/* Under "labels" every key is a label key, compared as shown (label_key_replaced()). */
static bool json_keys_equal(const struct json_key *a, const struct json_key *b, bool labels)
{
	const char *bk = b->key;
	size_t bn = b->len;

	if (labels)
		return (a->len == bn || !a->well_formed || !b->well_formed) &&
		       same_after_replacement(a->key, a->len, bk, bn, true);
	if (a->labelled != b->labelled) {
		if (b->labelled)
			return json_keys_equal(b, a, false);
		if (bn < LABELS_PREFIX_LEN || memcmp(bk, LABELS_PREFIX, LABELS_PREFIX_LEN) != 0)
			return false;
		bk += LABELS_PREFIX_LEN;
		bn -= LABELS_PREFIX_LEN;
	}
	if (a->well_formed && b->well_formed)
		return a->len == bn && memcmp(a->key, bk, bn) == 0;
	return same_after_replacement(a->key, a->len, bk, bn, false);
}

static void put_json_string(struct out *o, const char *s, size_t n)
{
	put_char(o, '"');
	put_escaped(o, s, n, ESC_JSON);
	put_char(o, '"');
}

/* A label key: label_key_replaced() characters as '_'. They are ASCII, so cutting the key at
 * them never splits a UTF-8 sequence. */
static void put_label_key(struct out *o, const char *s, size_t n)
{
	size_t i, start = 0;

	for (i = 0; i < n; i++)
		if (label_key_replaced(s[i])) {
			put_escaped(o, s + start, i - start, ESC_JSON);
			put_char(o, '_');
			start = i + 1;
		}
	put_escaped(o, s + start, n - start, ESC_JSON);
}

/* ,"KEY": with the key under U; PLAIN: the key is ASCII that needs no escape. */
static void put_json_key(struct out *o, const struct json_key *k, const struct under *u,
			 bool plain)
{
	PUT_LIT(o, ",\"");
	if (u->mode == UNDER_NAME) {
		put_mem(o, u->name, u->name_len);
		put_char(o, '.');
	} else if (u->mode == UNDER_LABELS || k->labelled) {
		PUT_LIT(o, LABELS_PREFIX);
	}
	if (u->mode == UNDER_LABELS)
		put_label_key(o, k->key, k->len);
	else if (plain)
		put_mem(o, k->key, k->len);
	else
		put_escaped(o, k->key, k->len, ESC_JSON);
	PUT_LIT(o, "\":");
}

/* AS_STRING: ECS maps labels as keywords, so under "labels" numbers and booleans are written as
 * strings, spelled as text lines spell them, rather than clash with that mapping. */
static void put_json_value(struct out *o, const struct shmlog_field *f, bool as_string)
{
	switch (f->type) {
	case SHMLOG_FIELD_STRING:
		put_json_string(o, f->v.s.ptr, f->v.s.len);
		break;
	case SHMLOG_FIELD_INT:
	case SHMLOG_FIELD_BOOL:
		if (as_string)
			put_char(o, '"');
		put_text_value(o, f);
		if (as_string)
			put_char(o, '"');
		break;
	case SHMLOG_FIELD_FLOAT:
		if (isfinite(f->v.f) && !as_string) {
			put_double(o, f->v.f);
		} else {
			put_char(o, '"');
			put_text_value(o, f);
			put_char(o, '"');
		}
		break;
	}
}

/* Writes the fields as keys of their own, under U. A key already written by an earlier field is
 * skipped: JSON readers disagree on duplicates and Elasticsearch rejects them, and since the
 * writer's own fields come before the thread's context fields, the more specific value is the
 * one kept. */
static bool put_json_fields(struct out *o, const struct shmlog_record *rec, const struct under *u)
{
	struct json_key seen[FMT_MAX_FIELDS];
	struct field_iter it = {.rec = rec};
	struct shmlog_field f;
	size_t nseen = 0, i;
	bool labels = u->mode == UNDER_LABELS;

	while (next_field(&it, &f)) {
		struct json_key *k = &seen[nseen];

		/* A key of plain ASCII (the usual kind) is well-formed and is copied as is. */
		bool plain = plain_len((const unsigned char *)f.key, f.key_len, ESC_JSON) == f.key_len;

		k->key = f.key;
		k->len = f.key_len;
		k->labelled = u->mode == UNDER_TOP && clashes_with_own_key(f.key, f.key_len);
		k->well_formed = plain || utf8_well_formed(f.key, f.key_len);
		for (i = 0; i < nseen && !json_keys_equal(&seen[i], k, labels); i++)
			;
		if (i < nseen)
			continue;
		nseen++;
		put_json_key(o, k, u, plain);
		put_json_value(o, &f, labels);
	}
	return it.damaged;
}

/* shmlog_level_name()'s names (util.c), with their lengths: no strlen() per line. */
static void put_json_level(struct out *o, int level)
{
#define LEVEL_NAME(l, s) [l] = {s, sizeof(s) - 1}
	static const struct {
		char name[9];
		unsigned char len;
	} names[] = {LEVEL_NAME(SHMLOG_DEBUG, "debug"), LEVEL_NAME(SHMLOG_INFO, "info"),
		     LEVEL_NAME(SHMLOG_WARNING, "warning"), LEVEL_NAME(SHMLOG_ERROR, "error"),
		     LEVEL_NAME(SHMLOG_CRITICAL, "critical")};
#undef LEVEL_NAME

	if (level >= SHMLOG_DEBUG && level <= SHMLOG_CRITICAL)
		put_mem(o, names[level].name, names[level].len);
	else
		put_str(o, shmlog_level_name(level));
}

/* The ecs-logging specification (github.com/elastic/ecs-logging, spec/spec.json) asks for
 * "@timestamp", "log.level" and "message" first, in that order, and for "ecs.version" in every
 * line; its keys are dotted at the top level, not nested objects. The version claimed is the
 * one Elastic's own ECS loggers (Go, Python, Node.js) claim; every key below is defined in it. */
#define ECS_VERSION "1.6.0"

static void format_json(struct out *o, const struct shmlog_record *rec, const struct under *u)
{
	PUT_LIT(o, "{\"@timestamp\":\"");
	put_timestamp(o, rec->time_ns);
	PUT_LIT(o, "\",\"log.level\":\"");
	put_json_level(o, rec->level);
	PUT_LIT(o, "\",\"message\":");
	put_json_string(o, rec->msg, rec->msg_len);
	PUT_LIT(o, ",\"ecs.version\":\"" ECS_VERSION "\",\"log.logger\":");
	put_json_string(o, rec->tag, rec->tag_len);
	static __thread struct id_text ids[ID_CACHE];
	static const struct id_style style =
		ID_STYLE(",\"process.pid\":", ",\"process.thread.id\":", ",\"event.sequence\":");
	put_ids(o, ids, &style, rec->pid, rec->tid);
	put_u64(o, rec->seq);
	if (rec->flags & SHMLOG_REC_TRUNCATED) {
		PUT_LIT(o, ",\"shmlog.truncated\":true,\"shmlog.original_length\":");
		put_u64(o, rec->msg_full_len);
	}
	if (rec->flags & SHMLOG_REC_SYNTHETIC) {
		PUT_LIT(o, ",\"shmlog.synthetic\":true,\"shmlog.count\":");
		put_u64(o, rec->count);
	}
	if (put_json_fields(o, rec, u))
		PUT_LIT(o, ",\"shmlog.fields_damaged\":true");
	put_char(o, '}');
}

/* ---------------------------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------------------------- */

/* Fails only on caller errors, with -EINVAL: REC NULL, a NULL tag or message with a non-zero
 * length, BUF NULL with CAP > 0, an unknown format or flag, a malformed FIELDS_UNDER. Damaged
 * fields are not an error: the line shows the fields before the damage and says the rest was
 * damaged. */
ssize_t shmlog_format_under(const struct shmlog_record *rec, int format, unsigned flags,
			    const char *fields_under, char *buf, size_t cap)
{
	struct out o = {.buf = buf, .cap = cap};
	struct under u;

	if (!rec || (!rec->tag && rec->tag_len) || (!rec->msg && rec->msg_len) || (!buf && cap))
		return set_err(EINVAL, "shmlog_format: NULL record, tag, message or buffer");
	if (flags & ~(SHMLOG_FMT_COLOR | SHMLOG_FMT_NO_NEWLINE))
		return set_err(EINVAL, "shmlog_format: unknown flags 0x%x", flags);
	if (parse_under(fields_under, &u) < 0)
		return -EINVAL;
	switch (format) {
	case SHMLOG_FORMAT_TEXT:
		format_text(&o, rec, flags);
		break;
	case SHMLOG_FORMAT_JSON:
		format_json(&o, rec, &u);
		break;
	case SHMLOG_FORMAT_CAT:
		format_cat(&o, rec);
		break;
	default:
		return set_err(EINVAL, "shmlog_format: unknown format %d: use SHMLOG_FORMAT_TEXT, "
				       "SHMLOG_FORMAT_JSON or SHMLOG_FORMAT_CAT",
			       format);
	}
	if (!(flags & SHMLOG_FMT_NO_NEWLINE))
		put_char(&o, '\n');
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return (ssize_t)o.len;
}

ssize_t shmlog_format(const struct shmlog_record *rec, int format, unsigned flags, char *buf,
		      size_t cap)
{
	return shmlog_format_under(rec, format, flags, NULL, buf, cap);
}

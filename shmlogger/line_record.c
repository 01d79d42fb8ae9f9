/* line_record.c - turns a line into a record's level, tag, message and fields.
 *
 * A line is text unless --parse-json is on and it is a JSON object that can become a record
 * (json_fields.h). No line is ever dropped: whatever is not such an object is logged as text.
 *
 * Text: with --parse-level, a level prefix (level_prefix.c) gives the level and is stripped;
 * otherwise the level is -l's (info by default). The fields are the command line's.
 *
 * A JSON object, its keys compared exactly (case matters), the first listed key that fits wins:
 *   message  the first string of "message" (python-json-logger, ECS), "msg", "event"
 *            (structlog), "log" (docker's json-file, whose trailing newline is dropped);
 *            none: an empty message, the members being the record.
 *   level    "level", "levelname", "severity", "log.level": a level word (level_of_word()) or
 *            a syslog severity 0..7. None that fits: --parse-level on the message, then -l.
 *   tag      without -t: the first string of 1..SHMLOG_MAX_TAG bytes (no NUL) of "logger",
 *            "name", "log.logger"; else the -t tag, or the user name.
 * Each member used for one of these is not also a field. Every other member is a field after
 * the command line's KEY=VALUE fields, typed as json_fields.h says (nested values as their JSON
 * text). An object with more fields than a record holds is logged as text, whole.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "json_fields.h"
#include "level_prefix.h"
#include "line_record.h"

struct line_shaper {
	const struct options *o;
	struct json_fields json;
	bool used[JSON_FIELDS_MAX_MEMBERS]; /* json.m[i] is the message, level or tag */
	char tag[SHMLOG_MAX_TAG + 1];
	struct shmlog_field fields[SHMLOG_MAX_FIELDS];
};

static const char *const message_keys[] = {"message", "msg", "event", "log", NULL};
static const char *const level_keys[] = {"level", "levelname", "severity", "log.level", NULL};
static const char *const tag_keys[] = {"logger", "name", "log.logger", NULL};

struct line_shaper *line_shaper_new(const struct options *o)
{
	struct line_shaper *s = calloc(1, sizeof(*s));

	if (s)
		s->o = o;
	return s;
}

void line_shaper_free(struct line_shaper *s)
{
	if (!s)
		return;
	json_fields_free(&s->json);
	free(s);
}

static void text(struct line_shaper *s, const char *line, size_t len, struct out_record *r)
{
	size_t skip = 0;
	int level = s->o->parse_level ? level_prefix(line, len, &skip) : -1;

	r->level = level > 0 ? level : s->o->level;
	r->tag = s->o->tag;
	r->msg = line + skip;
	r->len = len - skip;
	r->fields = s->o->fields;
	r->nfields = s->o->nfields;
}

void line_record_text(struct line_shaper *s, const char *line, size_t len, struct out_record *r)
{
	text(s, line, len, r);
}

/* Whether member I of the object is KEY. */
static bool key_is(const struct json_fields *j, size_t i, const char *key)
{
	return j->m[i].key_len == strlen(key) && memcmp(j->m[i].key, key, j->m[i].key_len) == 0;
}

/* The first member, by the order of KEYS then of the line, that FITS; -1 if none. */
static long find(const struct line_shaper *s, const char *const *keys,
		 bool (*fits)(const struct line_shaper *s, size_t i))
{
	for (; *keys; keys++)
		for (size_t i = 0; i < s->json.n; i++)
			if (key_is(&s->json, i, *keys) && fits(s, i))
				return (long)i;
	return -1;
}

static bool is_message(const struct line_shaper *s, size_t i)
{
	return s->json.is_string[i];
}

/* The level of member I, or -1. */
static int level_of(const struct line_shaper *s, size_t i)
{
	const struct shmlog_field *f = &s->json.m[i];

	if (f->type == SHMLOG_FIELD_INT)
		return level_of_syslog_severity(f->v.i);
	return s->json.is_string[i] ? level_of_word(f->v.s.ptr, f->v.s.len) : -1;
}

static bool is_level(const struct line_shaper *s, size_t i)
{
	return level_of(s, i) > 0;
}

static bool is_tag(const struct line_shaper *s, size_t i)
{
	const struct shmlog_field *f = &s->json.m[i];

	return s->json.is_string[i] && f->v.s.len > 0 && f->v.s.len <= SHMLOG_MAX_TAG &&
	       !memchr(f->v.s.ptr, '\0', f->v.s.len);
}

/* The message: member I (docker's newline dropped) or empty; its level prefix when there is no
 * level member. */
static void json_message(struct line_shaper *s, long i, int level, struct out_record *r)
{
	const struct shmlog_field *f = i >= 0 ? &s->json.m[i] : NULL;
	size_t skip = 0;

	r->msg = f ? f->v.s.ptr : "";
	r->len = f ? f->v.s.len : 0;
	if (f && key_is(&s->json, (size_t)i, "log") && r->len && r->msg[r->len - 1] == '\n')
		r->len--;
	if (level < 0 && s->o->parse_level)
		level = level_prefix(r->msg, r->len, &skip);
	r->msg += skip;
	r->len -= skip;
	r->level = level > 0 ? level : s->o->level;
}

static void json_tag(struct line_shaper *s, long i, struct out_record *r)
{
	const struct shmlog_field *f = &s->json.m[i];

	memcpy(s->tag, f->v.s.ptr, f->v.s.len);
	s->tag[f->v.s.len] = '\0';
	r->tag = s->tag;
}

/* The command line's fields, then the members not used. False when they are too many. */
static bool json_fields(struct line_shaper *s, struct out_record *r)
{
	size_t n = s->o->nfields;

	memcpy(s->fields, s->o->fields, n * sizeof(s->fields[0]));
	for (size_t i = 0; i < s->json.n; i++) {
		if (s->used[i])
			continue;
		if (n == SHMLOG_MAX_FIELDS)
			return false;
		s->fields[n++] = s->json.m[i];
	}
	r->fields = s->fields;
	r->nfields = n;
	return true;
}

/* The object just parsed into *R; false when its fields are more than a record holds. */
static bool json(struct line_shaper *s, struct out_record *r)
{
	long msg = find(s, message_keys, is_message), lvl = find(s, level_keys, is_level);
	long tag = s->o->tag_given ? -1 : find(s, tag_keys, is_tag);

	memset(s->used, 0, sizeof(s->used));
	if (msg >= 0)
		s->used[msg] = true;
	if (lvl >= 0)
		s->used[lvl] = true;
	if (tag >= 0)
		s->used[tag] = true;
	if (!json_fields(s, r))
		return false;
	json_message(s, msg, lvl >= 0 ? level_of(s, (size_t)lvl) : -1, r);
	r->tag = s->o->tag;
	if (tag >= 0)
		json_tag(s, tag, r);
	return true;
}

int line_record(struct line_shaper *s, const char *line, size_t len, struct out_record *r)
{
	if (s->o->parse_json) {
		int rc = json_fields_parse(&s->json, line, len);

		if (rc < 0)
			return rc;
		if (rc == 1 && json(s, r))
			return 1;
	}
	text(s, line, len, r);
	return 0;
}

/* json_fields.c - one line of JSON Lines input as typed fields, for shmlogger --parse-json.
 *
 * The JSON itself is read by the programs' one object reader, json/json_reader.c (RFC 8259's
 * grammar, shared with logfile/parse_json.c; a library such as jansson would be a new dependency
 * for one option, builds a tree of every line, and rejects a whole line for an integer beyond
 * 64 bits). This file is shmlogger's policy on top of it, fuzzed by
 * tests/fuzz/fuzz_json_fields.c against the tests' strict parser:
 *
 * The input comes from a pipe and is untrusted. Bounds: the line itself (at most LINE_KEEP_MAX,
 * lines.h), JSON_FIELDS_MAX_MEMBERS members, JSON_FIELDS_MAX_DEPTH levels of nesting in a
 * member's value, keys of 1..SHMLOG_MAX_KEY bytes. Decoded text never outgrows the text it came
 * from (an escape is longer than what it stands for; a number's copy and its NUL take the place
 * of its text and the ',' or '}' after it), so one buffer of the line's length holds all of it;
 * the reader checks anyway.
 *
 * Leniency where it loses nothing: bytes of 0x80 and above are taken as they are (the reader's
 * utf8 off: records carry bytes; the output formats replace invalid UTF-8), and an escaped lone
 * surrogate becomes U+FFFD. \u0000 is a NUL byte, which fields and messages may hold. Duplicate
 * keys are kept, in order (the JSON output keeps the first). Anything else outside the grammar
 * makes the line text.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "json_fields.h"
#include "json_reader.h"

/* The reader, and the unused part of OBJ's buffer. */
struct cursor {
	struct json_reader in;
	char *out, *out_end;
};

/* A member's value into F; *IS_STRING says whether it was a JSON string. A number is typed as
 * fields.c types KEY=VALUE, from a NUL-terminated copy of its text. */
static bool member_value(struct cursor *c, struct shmlog_field *f, bool *is_string)
{
	struct json_value v;

	if (json_value(&c->in, &v, c->out, (size_t)(c->out_end - c->out), JSON_FIELDS_MAX_DEPTH) < 0)
		return false;
	*is_string = v.type == JSON_STRING;
	switch (v.type) {
	case JSON_STRING:
		c->out += v.len;
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		f->type = SHMLOG_FIELD_BOOL;
		f->v.b = v.type == JSON_TRUE;
		return true;
	case JSON_NUMBER:
		if (v.len >= (size_t)(c->out_end - c->out))
			return false;
		memcpy(c->out, v.text, v.len);
		c->out[v.len] = '\0';
		field_type_value(c->out, f);
		c->out += v.len + 1;
		return true;
	default: /* null, an array or an object: its JSON text */
		break;
	}
	f->type = SHMLOG_FIELD_STRING;
	f->v.s.ptr = v.text;
	f->v.s.len = v.len;
	return true;
}

/* The members of the line's object into OBJ, the object alone on the line. */
static bool object(struct cursor *c, struct json_fields *obj)
{
	bool first = true;
	int more;

	if (!json_object_open(&c->in))
		return false;
	for (;;) {
		char *key = c->out;
		size_t key_len;
		struct shmlog_field *f;

		more = json_object_next(&c->in, &first, key, (size_t)(c->out_end - c->out), &key_len);
		if (more <= 0)
			break;
		if (obj->n == JSON_FIELDS_MAX_MEMBERS || key_len == 0 || key_len > SHMLOG_MAX_KEY)
			return false;
		c->out += key_len;
		f = &obj->m[obj->n];
		memset(f, 0, sizeof(*f));
		f->key = key;
		f->key_len = key_len;
		if (!member_value(c, f, &obj->is_string[obj->n]))
			return false;
		obj->n++;
	}
	return more == 0 && json_at_end(&c->in);
}

int json_fields_parse(struct json_fields *obj, const char *line, size_t len)
{
	struct cursor c = {{line, line + len, false}, NULL, NULL};

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

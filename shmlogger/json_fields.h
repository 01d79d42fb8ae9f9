/* json_fields.h - one line of JSON Lines input as typed shmlog fields, for --parse-json.
 * What is accepted and why is at the top of json_fields.c. */
#ifndef SHMLOGGER_JSON_FIELDS_H
#define SHMLOGGER_JSON_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include <shmlog.h>

/* Members of an object; one with more cannot become a record (64 fields, plus a message, a
 * level and a tag) and is logged as text. */
#define JSON_FIELDS_MAX_MEMBERS (SHMLOG_MAX_FIELDS + 3)
/* Nesting of arrays and objects inside the object's values; deeper is not parsed. */
#define JSON_FIELDS_MAX_DEPTH 32

struct json_fields {
	/* The members in line order: key (decoded) and typed value. A JSON string is a string
	 * field (decoded); a number an int or float field (a string of its text when not finite);
	 * true and false bools; null, arrays and objects a string of their JSON text as written. */
	struct shmlog_field m[JSON_FIELDS_MAX_MEMBERS];
	bool is_string[JSON_FIELDS_MAX_MEMBERS]; /* m[i] came from a JSON string */
	size_t n;
	char *buf; /* decoded keys and strings, number texts; the fields point here or into the line */
	size_t cap;
};

/* Parses LINE (LEN bytes, white space around the object allowed) as one JSON object into OBJ,
 * whose fields then point into LINE and OBJ's buffer until the next call. Returns 1 when it is
 * one that can become a record; 0 when it is not valid JSON, not an object, nests deeper than
 * JSON_FIELDS_MAX_DEPTH, has more than JSON_FIELDS_MAX_MEMBERS members or a key that is empty
 * or longer than SHMLOG_MAX_KEY bytes (OBJ then holds nothing useful); -ENOMEM. */
int json_fields_parse(struct json_fields *obj, const char *line, size_t len);

/* Frees OBJ's buffer; OBJ may be reused (it starts zeroed). */
void json_fields_free(struct json_fields *obj);

#endif

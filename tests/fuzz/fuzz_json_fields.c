/* fuzz_json_fields - shmlogger's readers of untrusted piped lines, json_fields_parse() and
 * level_prefix(), on any line: they never crash, hang or read outside the line; a level found
 * is a shmlog level and what is stripped lies inside the line; and json_fields_parse() agrees
 * with the tests' strict parser (tests/common/json_check.c): every object that one accepts within
 * shmlogger's bounds is accepted with the same members, keys, strings, numbers and texts, and
 * nothing is accepted that is not JSON apart from shmlogger's documented leniencies.
 *
 * Input: the whole input is the line (a heap copy of exactly its length, no NUL after it).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "json_check.h"
#include "json_fields.h"
#include "level_prefix.h"

static struct json_fields parsed;  /* its buffer is reused across inputs, as shmlogger does */
static struct json_object oracle;  /* too big for the stack */

static void check_level_prefix(const char *line, size_t n)
{
	size_t skip = (size_t)-1;
	int level = level_prefix(line, n, &skip);

	FZ_CHECK(level == -1 || (level >= SHMLOG_DEBUG && level <= SHMLOG_CRITICAL),
		 "level_prefix returned %d", level);
	FZ_CHECK(level == -1 || skip < n || (skip == 0 && n == 0), "skip %zu of %zu bytes", skip,
		 n);
}

/* Whether the oracle's first error WHY is one json_fields.c forgives on purpose. */
static bool forgiven(const char *why)
{
	static const char *const lenient[] = {
		"ill-formed UTF-8 in a string", "lone low surrogate escape",
		"high surrogate escape without its low half", "duplicate key",
	};

	for (size_t i = 0; i < sizeof(lenient) / sizeof(lenient[0]); i++)
		if (strcmp(why, lenient[i]) == 0)
			return true;
	return false;
}

/* Whether the oracle's member M is the field F as json_fields.h types it. */
static bool same_value(const struct json_member *m, const struct shmlog_field *f, bool is_string)
{
	char num[64];

	if (m->value[0] == '"')
		return is_string && f->type == SHMLOG_FIELD_STRING &&
		       json_string_is(m, f->v.s.ptr, f->v.s.len);
	if (is_string)
		return false;
	if (m->value[0] == 't' || m->value[0] == 'f')
		return f->type == SHMLOG_FIELD_BOOL && f->v.b == (m->value[0] == 't');
	if (m->value[0] == '{' || m->value[0] == '[' || m->value[0] == 'n')
		return f->type == SHMLOG_FIELD_STRING && f->v.s.len == m->len &&
		       memcmp(f->v.s.ptr, m->value, m->len) == 0;
	if (m->len >= sizeof(num))
		return true; /* a long number: its type is fields.c's business, checked by fuzz_options */
	memcpy(num, m->value, m->len);
	num[m->len] = '\0';
	if (f->type == SHMLOG_FIELD_INT)
		return f->v.i == strtoll(num, NULL, 10);
	if (f->type == SHMLOG_FIELD_FLOAT)
		return f->v.f == strtod(num, NULL);
	return f->type == SHMLOG_FIELD_STRING; /* not finite: its text */
}

/* Within shmlogger's bounds: few enough members, keys of 1..SHMLOG_MAX_KEY bytes, and no more
 * brackets in all than the nesting allowed (a crude, safe bound on the depth). */
static bool within_bounds(const char *line, size_t n)
{
	size_t brackets = 0;

	if (oracle.n > JSON_FIELDS_MAX_MEMBERS)
		return false;
	for (size_t i = 0; i < oracle.n; i++)
		if (oracle.m[i].key_len == 0 || oracle.m[i].key_len > SHMLOG_MAX_KEY)
			return false; /* escapes only shrink: a key this long as written may still fit */
	for (size_t i = 0; i < n; i++)
		brackets += line[i] == '[' || line[i] == '{';
	return brackets <= JSON_FIELDS_MAX_DEPTH;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *line = fz_dup(data, size);
	int rc = json_fields_parse(&parsed, line, size);
	const char *why = json_parse_object(line, size, &oracle);
	bool valid = why == NULL;

	check_level_prefix(line, size);
	FZ_CHECK(rc == 0 || rc == 1 || rc == -ENOMEM, "json_fields_parse returned %d", rc);
	if (valid && within_bounds(line, size))
		FZ_CHECK(rc == 1, "a valid object within bounds was refused");
	if (rc == 1 && !valid)
		FZ_CHECK(forgiven(why), "accepted what is not JSON: %s", why);
	if (rc == 1 && valid) {
		FZ_CHECK(parsed.n == oracle.n, "%zu members, the oracle has %zu", parsed.n, oracle.n);
		for (size_t i = 0; i < parsed.n; i++) {
			const struct shmlog_field *f = &parsed.m[i];

			FZ_CHECK(f->key_len >= 1 && f->key_len <= SHMLOG_MAX_KEY, "key of %zu bytes",
				 f->key_len);
			FZ_CHECK(json_key_is(&oracle.m[i], f->key, f->key_len), "member %zu's key", i);
			FZ_CHECK(same_value(&oracle.m[i], f, parsed.is_string[i]), "member %zu's value",
				 i);
		}
	}
	free(line);
	return 0;
}

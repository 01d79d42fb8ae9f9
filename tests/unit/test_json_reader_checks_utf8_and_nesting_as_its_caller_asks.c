/* test_json_reader_checks_utf8_and_nesting_as_its_caller_asks.c - json/json_reader.c, the one
 * JSON object reader of shmlogger --parse-json and logfile, reads the same grammar for both and
 * leaves the policy to them: raw bytes that are not UTF-8 are refused only when the reader is
 * told to check (logfile) and kept as they are otherwise (shmlogger); arrays and objects nest no
 * deeper than the levels the caller gives, scalars inside them not counting as a level; keys,
 * strings and escapes decode alike, a string checked without a buffer is never written, and a
 * buffer too small is a refusal, not an overflow. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "json_reader.h"

/* Reads LINE as one object of a single member; its value into *V, decoded text into BUF. */
static int read_one(const char *line, bool utf8, int levels, struct json_value *v, char *buf,
		    size_t cap)
{
	struct json_reader r = {line, line + strlen(line), utf8};
	bool first = true;
	size_t key_len;

	if (!json_object_open(&r) || json_object_next(&r, &first, buf, cap, &key_len) != 1)
		return -1;
	if (json_value(&r, v, buf + key_len, cap - key_len, levels) < 0)
		return -1;
	if (json_object_next(&r, &first, NULL, 0, &key_len) != 0 || !json_at_end(&r))
		return -1;
	return 0;
}

static void test_invalid_utf8_is_refused_only_when_checked(void **state)
{
	static const char bad[] = "{\"k\":\"a\xff" "b\"}", good[] = "{\"k\":\"\xc3\xa9\"}";
	struct json_value v;
	char buf[64];

	(void)state;
	assert_int_equal(read_one(bad, true, 1, &v, buf, sizeof(buf)), -1);
	assert_int_equal(read_one(bad, false, 1, &v, buf, sizeof(buf)), 0);
	assert_int_equal(v.type, JSON_STRING);
	assert_int_equal(v.len, 3);
	assert_memory_equal(v.text, "a\xff" "b", 3);
	assert_int_equal(read_one(good, true, 1, &v, buf, sizeof(buf)), 0);
	assert_memory_equal(v.text, "\xc3\xa9", 2);
	/* Inside an array the string is checked the same way, though not decoded. */
	assert_int_equal(read_one("{\"k\":[\"\xff\"]}", true, 1, &v, buf, sizeof(buf)), -1);
	assert_int_equal(read_one("{\"k\":[\"\xff\"]}", false, 1, &v, buf, sizeof(buf)), 0);
	assert_int_equal(v.type, JSON_ARRAY);
	assert_int_equal(v.len, 5);
}

static void test_nesting_stops_at_the_levels_given(void **state)
{
	struct json_value v;
	char buf[64];

	(void)state;
	assert_int_equal(read_one("{\"k\":[[1]]}", true, 2, &v, buf, sizeof(buf)), 0);
	assert_int_equal(v.type, JSON_ARRAY);
	assert_memory_equal(v.text, "[[1]]", 5);
	assert_int_equal(read_one("{\"k\":[[[]]]}", true, 2, &v, buf, sizeof(buf)), -1);
	assert_int_equal(read_one("{\"k\":{\"a\":{}}}", false, 2, &v, buf, sizeof(buf)), 0);
	assert_int_equal(v.type, JSON_OBJECT);
	assert_int_equal(read_one("{\"k\":{\"a\":{\"b\":{}}}}", false, 2, &v, buf, sizeof(buf)), -1);
	assert_int_equal(read_one("{\"k\":[]}", true, 0, &v, buf, sizeof(buf)), -1);
	assert_int_equal(read_one("{\"k\":7}", true, 0, &v, buf, sizeof(buf)), 0);
}

static void test_escapes_numbers_and_literals_read_alike_for_every_caller(void **state)
{
	struct json_value v;
	char buf[64];

	(void)state;
	for (int utf8 = 0; utf8 <= 1; utf8++) {
		assert_int_equal(read_one("{\"k\":\"\\u00e9\\ud83d\\ude00\\ud800x\\n\\u0000\"}", utf8, 1,
					  &v, buf, sizeof(buf)), 0);
		assert_int_equal(v.len, 2 + 4 + 3 + 1 + 1 + 1);
		assert_memory_equal(v.text, "\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx\n", 12);
		assert_int_equal(read_one("{\"k\":-12}", utf8, 1, &v, buf, sizeof(buf)), 0);
		assert_true(v.type == JSON_NUMBER && v.is_int && v.len == 3);
		assert_int_equal(read_one("{\"k\":1.5e-3}", utf8, 1, &v, buf, sizeof(buf)), 0);
		assert_true(v.type == JSON_NUMBER && !v.is_int);
		assert_int_equal(read_one("{\"k\":false}", utf8, 1, &v, buf, sizeof(buf)), 0);
		assert_int_equal(v.type, JSON_FALSE);
		assert_int_equal(read_one("{\"k\":null}", utf8, 1, &v, buf, sizeof(buf)), 0);
		assert_int_equal(v.type, JSON_NULL);
		assert_int_equal(read_one("{\"k\":01}", utf8, 1, &v, buf, sizeof(buf)), -1);
		assert_int_equal(read_one("{\"k\":\"\\x\"}", utf8, 1, &v, buf, sizeof(buf)), -1);
		assert_int_equal(read_one("{\"k\":\"a\tb\"}", utf8, 1, &v, buf, sizeof(buf)), -1);
		assert_int_equal(read_one("{\"k\":1,}", utf8, 1, &v, buf, sizeof(buf)), -1);
	}
}

static void test_a_buffer_too_small_is_refused_and_not_overrun(void **state)
{
	static const char line[] = "{\"k\":\"abcdef\"}";
	struct json_value v;
	char buf[8];

	(void)state;
	memset(buf, '#', sizeof(buf));
	assert_int_equal(read_one(line, true, 1, &v, buf, 6), -1); /* 1 for the key, 6 needed */
	assert_memory_equal(buf + 6, "##", 2);
	assert_int_equal(read_one(line, true, 1, &v, buf, 7), 0);
	assert_memory_equal(v.text, "abcdef", 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invalid_utf8_is_refused_only_when_checked),
		cmocka_unit_test(test_nesting_stops_at_the_levels_given),
		cmocka_unit_test(test_escapes_numbers_and_literals_read_alike_for_every_caller),
		cmocka_unit_test(test_a_buffer_too_small_is_refused_and_not_overrun),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

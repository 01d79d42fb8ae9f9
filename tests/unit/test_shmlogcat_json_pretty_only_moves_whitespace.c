/* test_shmlogcat_json_pretty_only_moves_whitespace.c - json_pretty (shmlogcat -o json-pretty)
 * puts each member of a JSON line on its own line, indented two spaces a level, and changes
 * nothing else: with the white space outside strings taken out, its output is the line again,
 * byte for byte, even when strings hold quotes, backslashes, brackets, commas and colons. It
 * keeps the snprintf contract at every capacity. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "json_check.h"
#include "json_pretty.h"

static const char *const lines[] = {
	"{\"@timestamp\":\"2026-11-21T10:15:03.123456Z\",\"log.level\":\"info\","
	"\"message\":\"request done\",\"process.pid\":4711,\"ok\":true,\"ratio\":0.25}",
	"{\"message\":\"a \\\"quoted\\\" {brace}, [bracket]: colon\\\\\",\"k\\\"\":\"\\\\\"}",
	"{\"nested\":{\"a\":[1,2,{\"b\":null}],\"e\":{},\"f\":[]},\"z\":\"\\u001b[2J\\ufffd\"}",
	"{}",
	"{\"only\":\"one\"}",
};

/* S without the white space outside its strings. */
static char *squeeze(const char *s)
{
	char *out = malloc(strlen(s) + 1);

	assert_non_null(out);
	json_squeeze(s, strlen(s), out);
	return out;
}

static char *pretty(const char *line)
{
	size_t need = json_pretty(line, strlen(line), NULL, 0);
	char *buf = malloc(need + 1);

	assert_non_null(buf);
	assert_int_equal(json_pretty(line, strlen(line), buf, need + 1), need);
	assert_int_equal(strlen(buf), need);
	return buf;
}

static void test_one_member_a_line_indented_two_spaces(void **state)
{
	char *got = pretty("{\"a\":1,\"b\":{\"c\":\"x,y\"},\"d\":[]}");

	(void)state;
	assert_string_equal(got, "{\n"
				 "  \"a\": 1,\n"
				 "  \"b\": {\n"
				 "    \"c\": \"x,y\"\n"
				 "  },\n"
				 "  \"d\": []\n"
				 "}\n");
	free(got);
}

static void test_taking_the_white_space_out_gives_the_line_back(void **state)
{
	static struct json_object a, b;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char *got = pretty(lines[i]), *back = squeeze(got);

		assert_string_equal(back, lines[i]);
		assert_true(got[strlen(got) - 1] == '\n');
		/* Still one JSON object, with the same members. */
		const char *err = json_parse_object(got, strlen(got), &b);
		if (err)
			fail_msg("line %zu: %s in\n%s", i, err, got);
		assert_null(json_parse_object(lines[i], strlen(lines[i]), &a));
		assert_int_equal(a.n, b.n);
		for (size_t m = 0; m < a.n; m++) {
			assert_int_equal(a.m[m].key_len, b.m[m].key_len);
			assert_memory_equal(a.m[m].key, b.m[m].key, a.m[m].key_len);
			if (a.m[m].value[0] == '{' || a.m[m].value[0] == '[')
				continue; /* indented inside: squeeze() compared it */
			assert_int_equal(a.m[m].len, b.m[m].len);
			assert_memory_equal(a.m[m].value, b.m[m].value, a.m[m].len);
		}
		free(back);
		free(got);
	}
}

static void test_every_capacity_keeps_the_snprintf_contract(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		char *whole = pretty(lines[i]);
		size_t need = strlen(whole);

		for (size_t cap = 0; cap <= need + 1; cap++) {
			char *buf = malloc(cap ? cap : 1);

			assert_non_null(buf);
			buf[0] = 'X';
			assert_int_equal(json_pretty(lines[i], strlen(lines[i]), cap ? buf : NULL, cap),
					 need);
			if (cap) {
				size_t kept = need < cap ? need : cap - 1;
				assert_int_equal(strlen(buf), kept);
				assert_memory_equal(buf, whole, kept);
			}
			free(buf);
		}
		free(whole);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_member_a_line_indented_two_spaces),
		cmocka_unit_test(test_taking_the_white_space_out_gives_the_line_back),
		cmocka_unit_test(test_every_capacity_keeps_the_snprintf_contract),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

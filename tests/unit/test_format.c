/* test_format.c - shmlog_format() writes exact text, JSON and cat lines, escapes every byte a
 * record can hold, always yields valid UTF-8 JSON, and keeps the snprintf contract (format.c).
 *
 * JSON validity is checked by the tests' strict parser, tests/common/json_check.c (RFC 8259
 * grammar, strict UTF-8, no duplicate keys), written independently of format.c so the two do not
 * share a blind spot. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "json_check.h"
#include "record.h"
#include "shmlog.h"

#define EXAMPLE_NS 1795256103123456789LL /* 2026-11-21T10:15:03.123456789Z */

/* A text line: valid UTF-8 with no control character (C0, DEL, C1, U+2028/9) but its final
 * '\n'. */
static bool text_line_clean(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + n - 1;

	if (n == 0 || s[n - 1] != '\n')
		return false;
	while (p < end) {
		size_t len = *p < 0x80 ? 1 : json_utf8_char(p, (size_t)(end - p));

		if (len == 0 || *p < 0x20 || *p == 0x7f)
			return false;
		if ((p[0] == 0xc2 && p[1] < 0xa0) ||
		    (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)))
			return false;
		p += len;
	}
	return true;
}

static void test_the_json_checker_itself_tells_valid_from_invalid(void **state)
{
	static const char *const good[] = {
		"{}\n", "{\"a\":[1,-0.5e+3,true,false,null,{\"b\":\"\\u00e9\\n\"}]}\n",
		"{\"\xc3\xa9\xf0\x9f\x98\x80\":0}\n",
	};
	static const char *const bad[] = {
		"{\"a\":1,\"a\":2}\n", "{\"a\":01}\n", "{\"a\":\"\x01\"}\n", "{\"a\":\"\xff\"}\n",
		"{\"a\":\"\xc0\xaf\"}\n", "{\"a\":\"\xed\xa0\x80\"}\n", "{\"a\":\"\\ud800\"}\n",
		"{\"a\":\"\xf4\x90\x80\x80\"}\n", "{\"a\":1.}\n", "{\"a\":NaN}\n", "{\"a\":1}",
		"{\"a\":1}\n\n", "{\"a\":1,}\n", "{\"a\":\"\\x41\"}\n", "[1]\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(json_line_valid(good[i], strlen(good[i])));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(json_line_valid(bad[i], strlen(bad[i])));
}

/* ---------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------- */

static struct shmlog_record example_record(void)
{
	struct shmlog_record rec = {
		.seq = 42,
		.time_ns = EXAMPLE_NS,
		.pid = 4711,
		.tid = 4712,
		.level = SHMLOG_INFO,
		.tag = "worker",
		.tag_len = 6,
		.msg = "request done",
		.msg_len = 12,
		.msg_full_len = 12,
	};

	return rec;
}

static void set_message(struct shmlog_record *rec, const char *msg, size_t len)
{
	rec->msg = msg;
	rec->msg_len = len;
	rec->msg_full_len = len;
}

struct encoded {
	unsigned char bytes[8192];
	size_t len;
};

static void attach_fields(struct shmlog_record *rec, struct encoded *e,
			  const struct shmlog_field *f, size_t n)
{
	size_t i, need;

	e->len = 0;
	for (i = 0; i < n; i++) {
		need = field_encoded_size(&f[i]);
		assert_true(need > 0 && e->len + need <= sizeof(e->bytes));
		e->len += field_encode(e->bytes + e->len, &f[i]);
	}
	rec->fields = e->bytes;
	rec->fields_len = e->len;
	rec->nfields = n;
}

static char line[1 << 17];

/* Formats REC and checks the result against the snprintf contract and the line's own rules. */
static const char *fmt(const struct shmlog_record *rec, int format, unsigned flags)
{
	ssize_t n = shmlog_format(rec, format, flags, line, sizeof(line));

	assert_true(n >= 0 && (size_t)n < sizeof(line));
	assert_int_equal(strlen(line), n);
	if (format == SHMLOG_FORMAT_JSON && !(flags & SHMLOG_FMT_NO_NEWLINE))
		assert_true(json_line_valid(line, (size_t)n));
	if (format != SHMLOG_FORMAT_JSON && !(flags & (SHMLOG_FMT_NO_NEWLINE | SHMLOG_FMT_COLOR)))
		assert_true(text_line_clean(line, (size_t)n));
	return line;
}

static const char *fmt_message(int format, const char *msg, size_t len)
{
	struct shmlog_record rec = example_record();

	set_message(&rec, msg, len);
	return fmt(&rec, format, SHMLOG_FMT_NO_NEWLINE);
}

#define CAT(lit) fmt_message(SHMLOG_FORMAT_CAT, (lit), sizeof(lit) - 1)

/* The JSON "message" value, quotes included, of a record whose message is MSG. */
static const char *json_message(const char *msg, size_t len)
{
	static const char key[] = "\"message\":";
	struct shmlog_record rec = example_record();
	char *start, *end;

	set_message(&rec, msg, len);
	fmt(&rec, SHMLOG_FORMAT_JSON, 0);
	start = strstr(line, key);
	assert_non_null(start);
	start += sizeof(key) - 1;
	end = strstr(start, ",\"ecs.version\"");
	assert_non_null(end);
	*end = '\0';
	return start;
}

#define JSON_MSG(lit) json_message((lit), sizeof(lit) - 1)

/* ---------------------------------------------------------------------------------------------
 * TEXT
 * ------------------------------------------------------------------------------------------- */

static void test_text_line_has_time_level_tag_ids_message_and_fields(void **state)
{
	const struct shmlog_field f[] = {SHMLOG_INT("status", 200), SHMLOG_STR("path", "/a b")};
	struct shmlog_record rec = example_record();
	struct encoded e;

	(void)state;
	attach_fields(&rec, &e, f, 2);
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_TEXT, 0),
			    "2026-11-21T10:15:03.123456Z INFO  worker[4711/4712] request done "
			    "status=200 path=\"/a b\"\n");
}

static void test_text_pads_every_level_name_to_five_columns(void **state)
{
	static const char *const names[] = {NULL, "DEBUG", "INFO ", "WARN ", "ERROR", "CRIT "};
	struct shmlog_record rec = example_record();
	int level;

	(void)state;
	for (level = SHMLOG_DEBUG; level <= SHMLOG_CRITICAL; level++) {
		rec.level = level;
		fmt(&rec, SHMLOG_FORMAT_TEXT, 0);
		assert_memory_equal(line + 28, names[level], 5);
		assert_memory_equal(line + 33, " worker[", 8);
	}
	rec.level = 99;
	fmt(&rec, SHMLOG_FORMAT_TEXT, 0);
	assert_memory_equal(line + 28, "UNKN  worker[", 13);
}

static void test_text_escapes_newline_so_no_record_forges_a_line(void **state)
{
	(void)state;
	assert_string_equal(CAT("ok\n2026-01-01T00:00:00.000000Z CRIT  root[1/1] forged"),
			    "ok\\n2026-01-01T00:00:00.000000Z CRIT  root[1/1] forged");
}

static void test_text_escapes_tab_cr_and_backslash_by_name(void **state)
{
	(void)state;
	assert_string_equal(CAT("a\tb\rc\\d"), "a\\tb\\rc\\\\d");
}

static void test_text_escapes_other_control_bytes_and_del_as_hex(void **state)
{
	(void)state;
	assert_string_equal(CAT("\x00\x01\x08\x0b\x0c\x1f\x7f"), "\\x00\\x01\\x08\\x0b\\x0c\\x1f\\x7f");
}

static void test_text_escapes_the_escape_character_so_no_record_drives_a_terminal(void **state)
{
	struct shmlog_record rec = example_record();

	(void)state;
	assert_string_equal(CAT("\x1b[2J\x1b]0;owned\x07"), "\\x1b[2J\\x1b]0;owned\\x07");
	set_message(&rec, "\x1b[31m", 5);
	fmt(&rec, SHMLOG_FORMAT_TEXT, SHMLOG_FMT_COLOR);
	assert_non_null(strstr(line, "\\x1b[31m"));
	assert_null(strstr(line, "\x1b[31m"));
}

#define RUN_LEN 40

/* RUN_LEN 'a's with the byte at AT written as ESCAPED, between PRE and POST. */
static const char *run_with(size_t at, const char *pre, const char *escaped, const char *post)
{
	static const char as[] = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	static char want[2 * RUN_LEN + 32]; /* gcc's -Wformat-truncation assumes the worst */

	snprintf(want, sizeof(want), "%s%.*s%s%.*s%s", pre, (int)at, as, escaped,
		 (int)(RUN_LEN - 1 - at), as, post);
	return want;
}

/* Long runs of plain bytes are scanned a word at a time: a byte to escape must be found
 * wherever it falls within or across words, in every escaping mode. */
static void test_escapes_are_found_at_every_offset_of_a_long_plain_run(void **state)
{
	struct shmlog_record rec = example_record();
	struct shmlog_field f;
	char run[RUN_LEN];
	struct encoded e;
	size_t at;

	(void)state;
	set_message(&rec, "", 0);
	for (at = 0; at < RUN_LEN; at++) {
		memset(run, 'a', sizeof(run));
		run[at] = '\n';
		assert_string_equal(fmt_message(SHMLOG_FORMAT_CAT, run, sizeof(run)),
				    run_with(at, "", "\\n", ""));
		run[at] = '"';
		assert_string_equal(json_message(run, sizeof(run)), run_with(at, "\"", "\\\"", "\""));
		f = (struct shmlog_field)SHMLOG_STRN("k", run, sizeof(run));
		attach_fields(&rec, &e, &f, 1);
		assert_string_equal(strstr(fmt(&rec, SHMLOG_FORMAT_TEXT, 0), "] ") + 2,
				    run_with(at, "k=\"", "\\\"", "\"\n"));
		run[at] = '=';
		f = (struct shmlog_field)SHMLOG_BOOL(run, 1);
		f.key_len = sizeof(run);
		attach_fields(&rec, &e, &f, 1);
		assert_string_equal(strstr(fmt(&rec, SHMLOG_FORMAT_TEXT, 0), "] ") + 2,
				    run_with(at, "", "\\x3d", "=true\n"));
	}
}

static void test_text_passes_well_formed_utf8_through_raw(void **state)
{
	(void)state;
	assert_string_equal(CAT("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0"),
			    "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xc2\xa0");
}

static void test_text_escapes_ill_formed_utf8_bytes_as_hex(void **state)
{
	(void)state;
	assert_string_equal(CAT("a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d\xe2\x82"),
			    "a\\xff" "b\\xc0\\xaf" "c\\xed\\xa0\\x80" "d\\xe2\\x82");
}

static void test_text_escapes_c1_controls_and_unicode_line_separators(void **state)
{
	(void)state;
	assert_string_equal(CAT("a\xc2\x85" "b\xc2\x9b" "c\xe2\x80\xa8" "d\xe2\x80\xa9"),
			    "a\\xc2\\x85" "b\\xc2\\x9b" "c\\xe2\\x80\\xa8" "d\\xe2\\x80\\xa9");
}

static void test_text_and_json_escape_bidirectional_overrides_and_isolates(void **state)
{
	(void)state;
	/* U+202A U+202E U+2066 U+2069 escaped; U+2029's and U+206A's neighbours left alone. */
	assert_string_equal(CAT("a\xe2\x80\xaa" "b\xe2\x80\xae" "c\xe2\x81\xa6" "d\xe2\x81\xa9"
				"e\xe2\x80\xaf" "f\xe2\x81\xa5"),
			    "a\\xe2\\x80\\xaa" "b\\xe2\\x80\\xae" "c\\xe2\\x81\\xa6" "d\\xe2\\x81\\xa9"
			    "e\xe2\x80\xaf" "f\xe2\x81\xa5");
	assert_string_equal(JSON_MSG("\xe2\x80\xaa\xe2\x80\xae\xe2\x81\xa6\xe2\x81\xa9"),
			    "\"\\u202a\\u202e\\u2066\\u2069\"");
}

static void test_text_escapes_the_tag_like_the_message(void **state)
{
	struct shmlog_record rec = example_record();

	(void)state;
	rec.tag = "w\nk\x1b";
	rec.tag_len = 4;
	fmt(&rec, SHMLOG_FORMAT_TEXT, 0);
	assert_non_null(strstr(line, " w\\nk\\x1b[4711/4712] "));
}

static const char *text_fields(const struct shmlog_field *f, size_t n)
{
	struct shmlog_record rec = example_record();
	struct encoded e;

	set_message(&rec, "", 0);
	attach_fields(&rec, &e, f, n);
	fmt(&rec, SHMLOG_FORMAT_TEXT, SHMLOG_FMT_NO_NEWLINE);
	return strstr(line, "] ") + 2;
}

static void test_text_quotes_values_only_with_space_quote_equals_or_when_empty(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_STR("a", "plain"),  SHMLOG_STR("b", "two words"), SHMLOG_STR("c", "say \"hi\""),
		SHMLOG_STR("d", "x=y"),	   SHMLOG_STR("e", ""),		 SHMLOG_STR("f", "back\\slash"),
		SHMLOG_STR("g", "new\nline"), SHMLOG_STR("h", "tab\tand space"),
	};

	(void)state;
	assert_string_equal(text_fields(f, sizeof(f) / sizeof(f[0])),
			    "a=plain b=\"two words\" c=\"say \\\"hi\\\"\" d=\"x=y\" e=\"\" "
			    "f=back\\\\slash g=new\\nline h=\"tab\\tand space\"");
}

static void test_text_escapes_space_equals_and_quote_in_keys_so_pairs_always_split(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_INT("a b", 1), SHMLOG_INT("c=d", 2), SHMLOG_INT("e\"f", 3), SHMLOG_INT("g\nh", 4),
	};

	(void)state;
	assert_string_equal(text_fields(f, 4), "a\\x20b=1 c\\x3dd=2 e\\x22f=3 g\\nh=4");
}

static void test_text_writes_ints_floats_and_bools_readably(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_INT("min", INT64_MIN), SHMLOG_INT("max", INT64_MAX), SHMLOG_FLOAT("tenth", 0.1),
		SHMLOG_FLOAT("three", 3),     SHMLOG_FLOAT("big", 1e300),   SHMLOG_FLOAT("negz", -0.0),
		SHMLOG_FLOAT("third", 1.0 / 3), SHMLOG_BOOL("yes", 1),      SHMLOG_BOOL("no", 0),
	};

	(void)state;
	assert_string_equal(text_fields(f, sizeof(f) / sizeof(f[0])),
			    "min=-9223372036854775808 max=9223372036854775807 tenth=0.1 three=3.0 "
			    "big=1e+300 negz=-0.0 third=0.3333333333333333 yes=true no=false");
}

static void test_text_writes_nan_and_infinities_by_name(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_FLOAT("a", NAN), SHMLOG_FLOAT("b", INFINITY), SHMLOG_FLOAT("c", -INFINITY),
	};

	(void)state;
	assert_string_equal(text_fields(f, 3), "a=NaN b=Infinity c=-Infinity");
}

static void test_text_marks_a_truncated_message_with_both_lengths(void **state)
{
	struct shmlog_record rec = example_record();

	(void)state;
	rec.flags = SHMLOG_REC_TRUNCATED;
	rec.msg_full_len = 20000;
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_TEXT, SHMLOG_FMT_NO_NEWLINE) + 28,
			    "INFO  worker[4711/4712] request done [truncated 20000->12 bytes]");
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_CAT, 0),
			    "request done [truncated 20000->12 bytes]\n");
}

static void test_text_keeps_fields_before_damage_and_marks_the_rest(void **state)
{
	const struct shmlog_field f[] = {SHMLOG_INT("status", 200), SHMLOG_BOOL("ok", 1)};
	struct shmlog_record rec = example_record();
	struct encoded e;

	(void)state;
	attach_fields(&rec, &e, f, 2);
	e.bytes[e.len - 1] = 7; /* a bool of 7 */
	fmt(&rec, SHMLOG_FORMAT_TEXT, 0);
	assert_non_null(strstr(line, "request done status=200 [damaged fields]\n"));
}

static void test_color_wraps_only_the_level_name_in_its_ansi_colour(void **state)
{
	static const char *const expected[] = {
		NULL,
		"\x1b[2mDEBUG\x1b[0m worker",
		"\x1b[32mINFO\x1b[0m  worker",
		"\x1b[33mWARN\x1b[0m  worker",
		"\x1b[31mERROR\x1b[0m worker",
		"\x1b[1;31mCRIT\x1b[0m  worker",
	};
	struct shmlog_record rec = example_record();
	int level;

	(void)state;
	for (level = SHMLOG_DEBUG; level <= SHMLOG_CRITICAL; level++) {
		rec.level = level;
		fmt(&rec, SHMLOG_FORMAT_TEXT, SHMLOG_FMT_COLOR);
		assert_memory_equal(line + 28, expected[level], strlen(expected[level]));
	}
}

static void test_color_flag_leaves_json_and_cat_without_escape_codes(void **state)
{
	struct shmlog_record rec = example_record();

	(void)state;
	assert_null(strchr(fmt(&rec, SHMLOG_FORMAT_JSON, SHMLOG_FMT_COLOR), '\x1b'));
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_CAT, SHMLOG_FMT_COLOR), "request done\n");
}

static void test_no_newline_flag_omits_the_trailing_newline_in_every_format(void **state)
{
	struct shmlog_record rec = example_record();
	int format;

	(void)state;
	for (format = SHMLOG_FORMAT_TEXT; format <= SHMLOG_FORMAT_CAT; format++) {
		size_t with = strlen(fmt(&rec, format, 0));

		assert_int_equal(line[with - 1], '\n');
		assert_int_equal(strlen(fmt(&rec, format, SHMLOG_FMT_NO_NEWLINE)), with - 1);
		assert_int_not_equal(line[with - 2], '\n');
	}
}

static void test_cat_writes_the_escaped_message_alone(void **state)
{
	struct shmlog_record rec = example_record();

	(void)state;
	set_message(&rec, "a\nb", 3);
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_CAT, 0), "a\\nb\n");
	set_message(&rec, "", 0);
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_CAT, 0), "\n");
}

static void test_text_handles_an_empty_message_and_tag(void **state)
{
	struct shmlog_record rec = example_record();

	(void)state;
	set_message(&rec, NULL, 0);
	rec.tag = NULL;
	rec.tag_len = 0;
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_TEXT, 0) + 28, "INFO  [4711/4712]\n");
}

/* ---------------------------------------------------------------------------------------------
 * Timestamps
 * ------------------------------------------------------------------------------------------- */

static const char *timestamp_of(int64_t ns)
{
	struct shmlog_record rec = example_record();

	rec.time_ns = ns;
	fmt(&rec, SHMLOG_FORMAT_TEXT, 0);
	line[27] = '\0';
	return line;
}

static void test_timestamps_are_rfc3339_utc_with_truncated_microseconds(void **state)
{
	(void)state;
	assert_string_equal(timestamp_of(0), "1970-01-01T00:00:00.000000Z");
	assert_string_equal(timestamp_of(EXAMPLE_NS), "2026-11-21T10:15:03.123456Z");
	assert_string_equal(timestamp_of(946684799999999999LL), "1999-12-31T23:59:59.999999Z");
	assert_string_equal(timestamp_of(951782400LL * 1000000000), "2000-02-29T00:00:00.000000Z");
	assert_string_equal(timestamp_of(1709164800LL * 1000000000), "2024-02-29T00:00:00.000000Z");
	assert_string_equal(timestamp_of(4107542400LL * 1000000000), "2100-03-01T00:00:00.000000Z");
}

static void test_timestamps_before_1970_count_backwards_correctly(void **state)
{
	(void)state;
	assert_string_equal(timestamp_of(-1), "1969-12-31T23:59:59.999999Z");
	assert_string_equal(timestamp_of(-1000), "1969-12-31T23:59:59.999999Z");
	assert_string_equal(timestamp_of(-1001), "1969-12-31T23:59:59.999998Z");
	assert_string_equal(timestamp_of(-86400LL * 1000000000), "1969-12-31T00:00:00.000000Z");
	assert_string_equal(timestamp_of(-2208988800LL * 1000000000), "1900-01-01T00:00:00.000000Z");
}

static void test_timestamps_at_the_ends_of_int64_are_still_valid(void **state)
{
	(void)state;
	assert_string_equal(timestamp_of(INT64_MIN), "1677-09-21T00:12:43.145224Z");
	assert_string_equal(timestamp_of(INT64_MAX), "2262-04-11T23:47:16.854775Z");
}

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_timestamps_agree_with_gmtime_across_the_whole_range(void **state)
{
	char expected[96]; /* room for any int, to satisfy -Wformat-truncation */
	int round;

	(void)state;
	for (round = 0; round < 5000; round++) {
		int64_t ns = (int64_t)rng();
		int64_t secs = ns / 1000000000, frac = ns % 1000000000;
		time_t t;
		struct tm tm;

		if (frac < 0) {
			frac += 1000000000;
			secs--;
		}
		t = (time_t)secs;
		assert_non_null(gmtime_r(&t, &tm));
		snprintf(expected, sizeof(expected), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ",
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, (int)(frac / 1000));
		assert_string_equal(timestamp_of(ns), expected);
	}
}

/* ---------------------------------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------------------------------- */

static void test_json_line_has_the_ecs_keys_in_the_order_ecs_logging_asks(void **state)
{
	const struct shmlog_field f[] = {SHMLOG_INT("status", 200), SHMLOG_STR("path", "/a b")};
	struct shmlog_record rec = example_record();
	struct encoded e;

	(void)state;
	attach_fields(&rec, &e, f, 2);
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_JSON, 0),
			    "{\"@timestamp\":\"2026-11-21T10:15:03.123456Z\",\"log.level\":\"info\","
			    "\"message\":\"request done\",\"ecs.version\":\"1.6.0\","
			    "\"log.logger\":\"worker\",\"process.pid\":4711,\"process.thread.id\":4712,"
			    "\"event.sequence\":42,\"status\":200,\"path\":\"/a b\"}\n");
}

/* Lines keep each writer's pid and tid text from one record to the next (format.c's per-thread
 * cache): records of many writers interleaved, tids that share a cache entry, a pid reused with
 * another tid and a tid with another pid, and the largest ids, must each get their own. */
static void test_ids_of_interleaved_writers_are_never_mixed_up(void **state)
{
	static const uint32_t ids[][2] = {
		{4711, 4712}, {4711, 4720}, {100, 4712}, {100, 100}, {4711, 4712},
		{UINT32_MAX, UINT32_MAX}, {1, 9}, {1, 1}, {9, 1}, {4711, 4720}, {0, 0},
		{UINT32_MAX, 8}, {4711, 4712},
	};
	char want[256];

	(void)state;
	for (int round = 0; round < 3; round++)
		for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
			struct shmlog_record rec = example_record();
			rec.pid = ids[i][0];
			rec.tid = ids[i][1];
			snprintf(want, sizeof(want),
				 "2026-11-21T10:15:03.123456Z INFO  worker[%u/%u] request done\n",
				 rec.pid, rec.tid);
			assert_string_equal(fmt(&rec, SHMLOG_FORMAT_TEXT, 0), want);
			snprintf(want, sizeof(want),
				 "{\"@timestamp\":\"2026-11-21T10:15:03.123456Z\",\"log.level\":"
				 "\"info\",\"message\":\"request done\",\"ecs.version\":\"1.6.0\","
				 "\"log.logger\":\"worker\",\"process.pid\":%u,\"process.thread.id\":%u,"
				 "\"event.sequence\":42}\n",
				 rec.pid, rec.tid);
			assert_string_equal(fmt(&rec, SHMLOG_FORMAT_JSON, 0), want);
		}
}

static void test_json_names_every_level_in_lower_case(void **state)
{
	struct shmlog_record rec = example_record();
	int level;

	(void)state;
	for (level = 0; level <= SHMLOG_CRITICAL + 1; level++) {
		char expected[64];

		rec.level = level;
		snprintf(expected, sizeof(expected), "\"log.level\":\"%s\"", shmlog_level_name(level));
		assert_non_null(strstr(fmt(&rec, SHMLOG_FORMAT_JSON, 0), expected));
	}
}

static void test_json_escapes_quote_backslash_and_named_controls(void **state)
{
	(void)state;
	assert_string_equal(JSON_MSG("\"\\\b\f\n\r\t/"), "\"\\\"\\\\\\b\\f\\n\\r\\t/\"");
}

static void test_json_escapes_other_controls_del_and_c1_as_unicode_escapes(void **state)
{
	(void)state;
	assert_string_equal(JSON_MSG("\x00\x01\x1b\x1f\x7f"),
			    "\"\\u0000\\u0001\\u001b\\u001f\\u007f\"");
	assert_string_equal(JSON_MSG("\xc2\x80\xc2\x85\xc2\x9f"), "\"\\u0080\\u0085\\u009f\"");
	assert_string_equal(JSON_MSG("\xe2\x80\xa8\xe2\x80\xa9"), "\"\\u2028\\u2029\"");
}

static void test_json_passes_well_formed_utf8_through_at_every_boundary(void **state)
{
	(void)state;
	/* U+00A0 U+07FF U+0800 U+D7FF U+E000 U+FFFD U+FFFF U+10000 U+10FFFF */
	assert_string_equal(JSON_MSG("\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
				     "\xef\xbf\xbd\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf"),
			    "\"\xc2\xa0\xdf\xbf\xe0\xa0\x80\xed\x9f\xbf\xee\x80\x80"
			    "\xef\xbf\xbd\xef\xbf\xbf\xf0\x90\x80\x80\xf4\x8f\xbf\xbf\"");
}

#define FFFD "\xef\xbf\xbd"

static void test_json_replaces_invalid_utf8_with_replacement_char(void **state)
{
	(void)state;
	/* Lone continuation bytes, and bytes that never start a sequence. */
	assert_string_equal(JSON_MSG("a\x80" "b\xbf" "c\xfe" "d\xff"), "\"a" FFFD "b" FFFD "c" FFFD "d" FFFD "\"");
	assert_string_equal(JSON_MSG("\xf5\x80\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\"");
}

static void test_json_replaces_overlong_encodings_with_replacement_chars(void **state)
{
	(void)state;
	assert_string_equal(JSON_MSG("\xc0\xaf"), "\"" FFFD FFFD "\"");
	assert_string_equal(JSON_MSG("\xc1\xbf"), "\"" FFFD FFFD "\"");
	assert_string_equal(JSON_MSG("\xe0\x80\xaf"), "\"" FFFD FFFD FFFD "\"");
	assert_string_equal(JSON_MSG("\xe0\x9f\xbf"), "\"" FFFD FFFD FFFD "\"");
	assert_string_equal(JSON_MSG("\xf0\x8f\xbf\xbf"), "\"" FFFD FFFD FFFD FFFD "\"");
}

static void test_json_replaces_encoded_surrogates_with_replacement_chars(void **state)
{
	(void)state;
	assert_string_equal(JSON_MSG("\xed\xa0\x80"), "\"" FFFD FFFD FFFD "\"");
	assert_string_equal(JSON_MSG("\xed\xbf\xbf"), "\"" FFFD FFFD FFFD "\"");
	assert_string_equal(JSON_MSG("\xed\xa0\xbd\xed\xb8\x80"), "\"" FFFD FFFD FFFD FFFD FFFD FFFD "\"");
}

static void test_json_replaces_code_points_above_10ffff_with_replacement_chars(void **state)
{
	(void)state;
	assert_string_equal(JSON_MSG("\xf4\x90\x80\x80"), "\"" FFFD FFFD FFFD FFFD "\"");
	assert_string_equal(JSON_MSG("\xf7\xbf\xbf\xbf"), "\"" FFFD FFFD FFFD FFFD "\"");
}

static void test_json_replaces_each_truncated_sequence_with_one_replacement_char(void **state)
{
	(void)state;
	assert_string_equal(JSON_MSG("\xe2\x82"), "\"" FFFD "\"");
	assert_string_equal(JSON_MSG("\xf0\x9f\x98" "x"), "\"" FFFD "x\"");
	assert_string_equal(JSON_MSG("\xc3"), "\"" FFFD "\"");
	assert_string_equal(JSON_MSG("\xe2\x82\xe2\x82\xac"), "\"" FFFD "\xe2\x82\xac\"");
	assert_string_equal(JSON_MSG("\xf0\x9f\x98\""), "\"" FFFD "\\\"\"");
}

static void test_json_escapes_the_tag_and_keys_and_values_too(void **state)
{
	const struct shmlog_field f[] = {SHMLOG_STR("k\"\n\xff", "v\\\x01\xc0")};
	struct shmlog_record rec = example_record();
	struct encoded e;

	(void)state;
	rec.tag = "t\"\xff";
	rec.tag_len = 3;
	attach_fields(&rec, &e, f, 1);
	fmt(&rec, SHMLOG_FORMAT_JSON, 0);
	assert_non_null(strstr(line, "\"log.logger\":\"t\\\"" FFFD "\""));
	assert_non_null(strstr(line, ",\"k\\\"\\n" FFFD "\":\"v\\\\\\u0001" FFFD "\"}"));
}

static const char *json_fields(const struct shmlog_field *f, size_t n)
{
	struct shmlog_record rec = example_record();
	struct encoded e;

	attach_fields(&rec, &e, f, n);
	fmt(&rec, SHMLOG_FORMAT_JSON, SHMLOG_FMT_NO_NEWLINE);
	return strstr(line, "\"event.sequence\":42") + strlen("\"event.sequence\":42");
}

static void test_json_writes_fields_with_their_json_types(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_INT("i", -7),	     SHMLOG_INT("min", INT64_MIN), SHMLOG_FLOAT("f", 0.25),
		SHMLOG_FLOAT("whole", 2),    SHMLOG_FLOAT("tiny", 1e-5), SHMLOG_BOOL("t", 1),
		SHMLOG_BOOL("n", 0),	     SHMLOG_STR("s", "x"),
	};

	(void)state;
	assert_string_equal(json_fields(f, sizeof(f) / sizeof(f[0])),
			    ",\"i\":-7,\"min\":-9223372036854775808,\"f\":0.25,\"whole\":2.0,"
			    "\"tiny\":1e-05,\"t\":true,\"n\":false,\"s\":\"x\"}");
}

static void test_json_writes_nan_and_infinities_as_strings(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_FLOAT("a", NAN), SHMLOG_FLOAT("b", INFINITY), SHMLOG_FLOAT("c", -INFINITY),
	};

	(void)state;
	assert_string_equal(json_fields(f, 3), ",\"a\":\"NaN\",\"b\":\"Infinity\",\"c\":\"-Infinity\"}");
}

static void test_json_prefixes_keys_that_clash_with_its_own_keys_with_labels(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_INT("message", 1),	  SHMLOG_INT("@timestamp", 2), SHMLOG_INT("log.level", 3),
		SHMLOG_INT("event.sequence", 4), SHMLOG_INT("shmlog.count", 5),
	};

	(void)state;
	assert_string_equal(json_fields(f, 5),
			    ",\"labels.message\":1,\"labels.@timestamp\":2,\"labels.log.level\":3,"
			    "\"labels.event.sequence\":4,\"labels.shmlog.count\":5}");
}

static void test_json_prefixes_every_key_it_writes_itself(void **state)
{
	/* Every key shmlog_format() writes, one field each: none may come out unprefixed. */
	static const char *const own[] = {
		"@timestamp",	    "log.level",	"log.logger",	 "message",	"ecs.version",
		"process.pid",	    "process.thread.id", "event.sequence", "shmlog.truncated",
		"shmlog.original_length", "shmlog.synthetic", "shmlog.count",	 "shmlog.fields_damaged",
	};
	struct shmlog_field f[sizeof(own) / sizeof(own[0])];
	char want[1024] = "";
	size_t n = sizeof(own) / sizeof(own[0]);

	(void)state;
	for (size_t i = 0; i < n; i++) {
		f[i] = SHMLOG_INT(own[i], (int64_t)i);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), ",\"labels.%s\":%zu", own[i], i);
	}
	strcat(want, "}");
	assert_string_equal(json_fields(f, n), want);
}

static void test_json_prefixes_keys_that_would_nest_into_or_around_its_own_keys(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_INT("process", 1), SHMLOG_INT("process.thread", 2), SHMLOG_INT("message.id", 3),
		SHMLOG_INT("log", 4),	  SHMLOG_INT("event", 5),
	};

	(void)state;
	assert_string_equal(json_fields(f, 5),
			    ",\"labels.process\":1,\"labels.process.thread\":2,"
			    "\"labels.message.id\":3,\"labels.log\":4,\"labels.event\":5}");
}

static void test_json_prefixes_a_field_named_labels_so_it_cannot_clash_with_renamed_ones(void **state)
{
	const struct shmlog_field f[] = {SHMLOG_STR("labels", "x"), SHMLOG_STR("message", "y"),
					 SHMLOG_STR("labels.env", "z")};

	(void)state;
	/* "labels":"x" next to "labels.message" would make labels a value and an object. */
	assert_string_equal(json_fields(f, 3), ",\"labels.labels\":\"x\",\"labels.message\":\"y\","
					       "\"labels.env\":\"z\"}");
}

static void test_json_keeps_keys_that_merely_resemble_its_own(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_INT("messages", 1), SHMLOG_INT("log_level", 2), SHMLOG_INT("processes", 3),
		SHMLOG_INT("Message", 4),  SHMLOG_INT("process.name", 5),
	};

	(void)state;
	assert_string_equal(json_fields(f, 5), ",\"messages\":1,\"log_level\":2,\"processes\":3,"
					       "\"Message\":4,\"process.name\":5}");
}

static void test_json_keeps_only_the_first_of_fields_with_the_same_key(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_STR("user", "explicit"), SHMLOG_INT("message", 1),
		SHMLOG_STR("user", "from context"), SHMLOG_INT("labels.message", 2),
		SHMLOG_INT("k\xff", 3), SHMLOG_INT("k\xfe", 4), SHMLOG_INT("k" FFFD, 5),
	};

	(void)state;
	assert_string_equal(json_fields(f, sizeof(f) / sizeof(f[0])),
			    ",\"user\":\"explicit\",\"labels.message\":1,\"k" FFFD "\":3}");
}

/* The fields of a JSON line formatted with its fields under UNDER, from the first one on. */
static const char *json_fields_under(const char *under, const struct shmlog_field *f, size_t n)
{
	struct shmlog_record rec = example_record();
	struct encoded e;
	ssize_t len;

	attach_fields(&rec, &e, f, n);
	len = shmlog_format_under(&rec, SHMLOG_FORMAT_JSON, 0, under, line, sizeof(line));
	assert_true(len > 0 && (size_t)len < sizeof(line));
	assert_true(json_line_valid(line, (size_t)len));
	line[len - 1] = '\0';
	return strstr(line, "\"event.sequence\":42") + strlen("\"event.sequence\":42");
}

static void test_json_puts_fields_under_a_name_of_ones_own_with_their_types(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_INT("status", 200), SHMLOG_FLOAT("ms", 1.25), SHMLOG_BOOL("ok", 1),
		SHMLOG_STR("request.id", "r-17"), SHMLOG_INT("message", 1),
	};

	(void)state;
	/* Nothing under the name can clash, so even "message" keeps its key. */
	assert_string_equal(json_fields_under("myapp.f", f, 5),
			    ",\"myapp.f.status\":200,\"myapp.f.ms\":1.25,\"myapp.f.ok\":true,"
			    "\"myapp.f.request.id\":\"r-17\",\"myapp.f.message\":1}");
	assert_string_equal(json_fields_under(NULL, f, 2), ",\"status\":200,\"ms\":1.25}");
	assert_string_equal(json_fields_under("", f, 2), ",\"status\":200,\"ms\":1.25}");
}

static void test_json_under_labels_writes_every_value_as_a_string_with_flat_keys(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_INT("status", 200),	 SHMLOG_FLOAT("ms", 1.25),   SHMLOG_BOOL("ok", 0),
		SHMLOG_FLOAT("inf", INFINITY),	 SHMLOG_STR("request.id", "r-17"),
		SHMLOG_STR("a*b\\c", "\"q\""), SHMLOG_STR("request_id", "dup"),
	};

	(void)state;
	/* ECS maps labels as keywords and keeps them flat (ecs-logging replaces '.', '*', '\\'):
	 * "request.id" and "request_id" become one key, and the first one wins. */
	assert_string_equal(json_fields_under("labels", f, 7),
			    ",\"labels.status\":\"200\",\"labels.ms\":\"1.25\",\"labels.ok\":\"false\","
			    "\"labels.inf\":\"Infinity\",\"labels.request_id\":\"r-17\","
			    "\"labels.a_b_c\":\"\\\"q\\\"\"}");
}

static void test_json_under_labels_keeps_one_of_keys_equal_once_replaced(void **state)
{
	const struct shmlog_field f[] = {
		SHMLOG_INT("k\xff.x", 1), SHMLOG_INT("k" FFFD "_x", 2), SHMLOG_INT("k\xfe*x", 3),
		SHMLOG_INT("k\xff.y", 4),
	};

	(void)state;
	assert_string_equal(json_fields_under("labels", f, 4),
			    ",\"labels.k" FFFD "_x\":\"1\",\"labels.k" FFFD "_y\":\"4\"}");
}

static void test_fields_under_refuses_names_that_are_malformed_or_taken(void **state)
{
	static const char *const bad[] = {
		"log", "event", "process", "process.thread", "ecs", "shmlog", "message",
		"labels.app", "log.level.x", "a..b", ".a", "a.", "a b", "a-b", "caf\xc3\xa9",
		/* 65 characters, one too many */
		"a1234567890123456789012345678901234567890123456789012345678901234",
	};
	static const char *const good[] = {
		"labels", "myapp", "App", "my_app.fields", "logs", "labels_x", "Log",
		"a123456789012345678901234567890123456789012345678901234567890123", /* 64 */
	};
	struct shmlog_record rec = example_record();
	char buf[512];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (shmlog_format_under(&rec, SHMLOG_FORMAT_JSON, 0, bad[i], buf, sizeof(buf)) !=
		    -EINVAL)
			fail_msg("fields under '%s' accepted", bad[i]);
		assert_non_null(strstr(shmlog_errmsg(), "fields under"));
		/* Whatever the format: a bad name is the caller's mistake however it is used. */
		assert_int_equal(shmlog_format_under(&rec, SHMLOG_FORMAT_TEXT, 0, bad[i], NULL, 0),
				 -EINVAL);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(shmlog_format_under(&rec, SHMLOG_FORMAT_JSON, 0, good[i], buf,
						sizeof(buf)) > 0);
}

static void test_text_lines_are_the_same_whatever_the_fields_are_under(void **state)
{
	const struct shmlog_field f[] = {SHMLOG_INT("status", 200), SHMLOG_STR("a.b", "c")};
	struct shmlog_record rec = example_record();
	struct encoded e;
	char under[512];

	(void)state;
	attach_fields(&rec, &e, f, 2);
	shmlog_format_under(&rec, SHMLOG_FORMAT_TEXT, 0, "labels", under, sizeof(under));
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_TEXT, 0), under);
}

static void test_json_marks_a_truncated_message_with_its_original_length(void **state)
{
	struct shmlog_record rec = example_record();

	(void)state;
	rec.flags = SHMLOG_REC_TRUNCATED;
	rec.msg_full_len = 20000;
	assert_non_null(strstr(fmt(&rec, SHMLOG_FORMAT_JSON, 0),
			       ",\"event.sequence\":42,\"shmlog.truncated\":true,"
			       "\"shmlog.original_length\":20000}"));
}

static void test_json_marks_a_synthetic_loss_record_with_its_count(void **state)
{
	static const char msg[] = "pid 4711 dropped 52 records (ring full)";
	struct shmlog_record rec = example_record();

	(void)state;
	rec.flags = SHMLOG_REC_SYNTHETIC;
	rec.count = 52;
	rec.level = SHMLOG_WARNING;
	rec.tag = "shmlog";
	rec.tag_len = 6;
	set_message(&rec, msg, sizeof(msg) - 1);
	assert_string_equal(fmt(&rec, SHMLOG_FORMAT_JSON, 0),
			    "{\"@timestamp\":\"2026-11-21T10:15:03.123456Z\",\"log.level\":\"warning\","
			    "\"message\":\"pid 4711 dropped 52 records (ring full)\","
			    "\"ecs.version\":\"1.6.0\",\"log.logger\":\"shmlog\",\"process.pid\":4711,"
			    "\"process.thread.id\":4712,\"event.sequence\":42,\"shmlog.synthetic\":true,"
			    "\"shmlog.count\":52}\n");
}

static void test_json_keeps_fields_before_damage_and_marks_the_rest(void **state)
{
	const struct shmlog_field f[] = {SHMLOG_INT("status", 200), SHMLOG_STR("path", "/x")};
	struct shmlog_record rec = example_record();
	struct encoded e;

	(void)state;
	attach_fields(&rec, &e, f, 2);
	rec.fields_len--;
	assert_non_null(strstr(fmt(&rec, SHMLOG_FORMAT_JSON, 0),
			       ",\"status\":200,\"shmlog.fields_damaged\":true}\n"));
}

static void test_json_treats_more_fields_than_a_writer_can_attach_as_damage(void **state)
{
	static struct shmlog_field f[2 * SHMLOG_MAX_FIELDS + 1];
	struct shmlog_record rec = example_record();
	static struct encoded e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		f[i] = (struct shmlog_field)SHMLOG_BOOL("b", 1);
	attach_fields(&rec, &e, f, sizeof(f) / sizeof(f[0]));
	assert_non_null(strstr(fmt(&rec, SHMLOG_FORMAT_JSON, 0), ",\"b\":true,\"shmlog.fields_damaged\":true}"));
	assert_non_null(strstr(fmt(&rec, SHMLOG_FORMAT_TEXT, 0), " b=true [damaged fields]\n"));
}

/* printf and strtod follow LC_NUMERIC, which an application may set to a locale whose decimal
 * point is a comma. Skipped when no such locale is installed (LOCPATH may point to one). */
static void test_json_numbers_use_a_dot_whatever_lc_numeric_says(void **state)
{
	static const char *const comma_locales[] = {"de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8",
						     "fr_FR.utf8", "de_DE", "fr_FR"};
	const struct shmlog_field f[] = {SHMLOG_FLOAT("a", 0.5), SHMLOG_FLOAT("b", 1.0 / 3)};
	const char *got = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(comma_locales) / sizeof(comma_locales[0]) && !got; i++)
		got = setlocale(LC_NUMERIC, comma_locales[i]);
	if (!got)
		skip();
	got = json_fields(f, 2);
	setlocale(LC_NUMERIC, "C");
	assert_string_equal(got, ",\"a\":0.5,\"b\":0.3333333333333333}");
}

/* ---------------------------------------------------------------------------------------------
 * The snprintf contract and bad arguments
 * ------------------------------------------------------------------------------------------- */

static void test_format_returns_the_full_length_and_cuts_like_snprintf(void **state)
{
	const struct shmlog_field f[] = {SHMLOG_STR("path", "/a b\xff")};
	struct shmlog_record rec = example_record();
	char full[1024], small[1024];
	struct encoded e;
	int format;

	(void)state;
	attach_fields(&rec, &e, f, 1);
	for (format = SHMLOG_FORMAT_TEXT; format <= SHMLOG_FORMAT_CAT; format++) {
		ssize_t n = shmlog_format(&rec, format, 0, full, sizeof(full));
		size_t caps[] = {1, 2, (size_t)n - 1, (size_t)n, (size_t)n + 1, (size_t)n + 2};
		size_t i;

		assert_true(n > 0 && (size_t)n < sizeof(full));
		assert_int_equal(shmlog_format(&rec, format, 0, NULL, 0), n);
		memset(small, '#', sizeof(small));
		assert_int_equal(shmlog_format(&rec, format, 0, small, 0), n);
		assert_int_equal(small[0], '#');
		for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
			size_t cap = caps[i], kept = cap - 1 < (size_t)n ? cap - 1 : (size_t)n;

			memset(small, '#', sizeof(small));
			assert_int_equal(shmlog_format(&rec, format, 0, small, cap), n);
			assert_memory_equal(small, full, kept);
			assert_int_equal(small[kept], '\0');
			assert_int_equal(small[cap], '#');
		}
	}
}

static void test_format_rejects_bad_arguments_with_einval(void **state)
{
	struct shmlog_record rec = example_record();
	char buf[256];

	(void)state;
	assert_int_equal(shmlog_format(NULL, SHMLOG_FORMAT_TEXT, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(shmlog_format(&rec, 3, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(shmlog_format(&rec, -1, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(shmlog_format(&rec, SHMLOG_FORMAT_TEXT, 0x4, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(shmlog_format(&rec, SHMLOG_FORMAT_TEXT, 0, NULL, 8), -EINVAL);
	rec.msg = NULL;
	assert_int_equal(shmlog_format(&rec, SHMLOG_FORMAT_TEXT, 0, buf, sizeof(buf)), -EINVAL);
	rec = example_record();
	rec.tag = NULL;
	assert_int_equal(shmlog_format(&rec, SHMLOG_FORMAT_JSON, 0, buf, sizeof(buf)), -EINVAL);
	assert_non_null(strstr(shmlog_errmsg(), "shmlog_format"));
}

/* ---------------------------------------------------------------------------------------------
 * Every byte, and random records
 * ------------------------------------------------------------------------------------------- */

static void test_every_byte_value_yields_valid_json_and_clean_text(void **state)
{
	struct shmlog_record rec = example_record();
	char all[256];
	int format, i;

	(void)state;
	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	set_message(&rec, all, sizeof(all));
	for (format = SHMLOG_FORMAT_TEXT; format <= SHMLOG_FORMAT_CAT; format++)
		fmt(&rec, format, 0);
	for (i = 0; i < 256; i++) {
		set_message(&rec, all + i, 1);
		for (format = SHMLOG_FORMAT_TEXT; format <= SHMLOG_FORMAT_CAT; format++)
			fmt(&rec, format, 0);
	}
}

/* Mostly the bytes that need care: controls, quotes, backslashes, spaces, '=', pieces of UTF-8. */
static unsigned char nasty_byte(void)
{
	static const unsigned char pool[] = {0x00, 0x0a, 0x1b, 0x7f, '"',  '\\', ' ',  '=',
					     'a',  0x80, 0xbf, 0xc2, 0xe0, 0xed, 0xf0, 0xf4,
					     0xff, 0x9f, 0xa0, 0x8f, 0xe2, 0xa8, '.',  'l'};
	uint64_t x = rng();

	return x % 3 ? pool[(x >> 8) % sizeof(pool)] : (unsigned char)(x >> 16);
}

static char *random_bytes(size_t len)
{
	char *s = malloc(len ? len : 1);
	size_t i;

	assert_non_null(s);
	for (i = 0; i < len; i++)
		s[i] = (char)nasty_byte();
	return s;
}

static struct shmlog_field random_field(char *key, size_t key_len, char *value, size_t value_len)
{
	static const char *const keys[] = {"message", "labels.message", "log", "user", "process"};
	struct shmlog_field f = {.key = key, .key_len = key_len};
	uint64_t x = rng();

	if (x % 4 == 0) {
		f.key = keys[(x >> 4) % (sizeof(keys) / sizeof(keys[0]))];
		f.key_len = strlen(f.key);
	}
	f.type = (int)((x >> 12) % 4) + 1;
	switch (f.type) {
	case SHMLOG_FIELD_STRING:
		f.v.s.ptr = value;
		f.v.s.len = value_len;
		break;
	case SHMLOG_FIELD_INT:
		f.v.i = (int64_t)rng();
		break;
	case SHMLOG_FIELD_FLOAT: {
		uint64_t bits = rng();

		memcpy(&f.v.f, &bits, sizeof(bits));
		break;
	}
	default:
		f.v.b = (int)(x >> 20) & 1;
	}
	return f;
}

/* Each record's message, tag and fields sit in heap blocks of exactly their size, so ASan
 * catches a formatter that reads one byte too far. */
static void test_random_records_always_give_valid_json_and_clean_text(void **state)
{
	enum { NF = 6 };
	int round, format;

	(void)state;
	for (round = 0; round < 400; round++) {
		struct shmlog_record rec = example_record();
		struct shmlog_field f[NF];
		char *keys[NF], *values[NF], *msg, *tag;
		unsigned char *fields;
		static struct encoded e;
		size_t i, nf = rng() % (NF + 1), msg_len = rng() % 64, tag_len = rng() % 8;

		msg = random_bytes(msg_len);
		tag = random_bytes(tag_len);
		set_message(&rec, msg, msg_len);
		rec.tag = tag;
		rec.tag_len = tag_len;
		rec.time_ns = (int64_t)rng();
		rec.level = (int)(rng() % 8);
		rec.flags = (uint32_t)(rng() % 4);
		for (i = 0; i < nf; i++) {
			size_t klen = rng() % 12 + 1, vlen = rng() % 24;

			keys[i] = random_bytes(klen);
			values[i] = random_bytes(vlen);
			f[i] = random_field(keys[i], klen, values[i], vlen);
		}
		attach_fields(&rec, &e, f, nf);
		if (e.len && rng() % 4 == 0)
			e.bytes[rng() % e.len] = (unsigned char)rng();
		fields = malloc(e.len ? e.len : 1);
		assert_non_null(fields);
		memcpy(fields, e.bytes, e.len);
		rec.fields = fields;
		for (format = SHMLOG_FORMAT_TEXT; format <= SHMLOG_FORMAT_CAT; format++)
			fmt(&rec, format, 0);
		for (i = 0; i < nf; i++) {
			free(keys[i]);
			free(values[i]);
		}
		free(fields);
		free(msg);
		free(tag);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_the_json_checker_itself_tells_valid_from_invalid),
		cmocka_unit_test(test_text_line_has_time_level_tag_ids_message_and_fields),
		cmocka_unit_test(test_text_pads_every_level_name_to_five_columns),
		cmocka_unit_test(test_text_escapes_newline_so_no_record_forges_a_line),
		cmocka_unit_test(test_text_escapes_tab_cr_and_backslash_by_name),
		cmocka_unit_test(test_text_escapes_other_control_bytes_and_del_as_hex),
		cmocka_unit_test(test_text_escapes_the_escape_character_so_no_record_drives_a_terminal),
		cmocka_unit_test(test_escapes_are_found_at_every_offset_of_a_long_plain_run),
		cmocka_unit_test(test_text_passes_well_formed_utf8_through_raw),
		cmocka_unit_test(test_text_escapes_ill_formed_utf8_bytes_as_hex),
		cmocka_unit_test(test_text_escapes_c1_controls_and_unicode_line_separators),
		cmocka_unit_test(test_text_and_json_escape_bidirectional_overrides_and_isolates),
		cmocka_unit_test(test_text_escapes_the_tag_like_the_message),
		cmocka_unit_test(test_text_quotes_values_only_with_space_quote_equals_or_when_empty),
		cmocka_unit_test(test_text_escapes_space_equals_and_quote_in_keys_so_pairs_always_split),
		cmocka_unit_test(test_text_writes_ints_floats_and_bools_readably),
		cmocka_unit_test(test_text_writes_nan_and_infinities_by_name),
		cmocka_unit_test(test_text_marks_a_truncated_message_with_both_lengths),
		cmocka_unit_test(test_text_keeps_fields_before_damage_and_marks_the_rest),
		cmocka_unit_test(test_color_wraps_only_the_level_name_in_its_ansi_colour),
		cmocka_unit_test(test_color_flag_leaves_json_and_cat_without_escape_codes),
		cmocka_unit_test(test_no_newline_flag_omits_the_trailing_newline_in_every_format),
		cmocka_unit_test(test_cat_writes_the_escaped_message_alone),
		cmocka_unit_test(test_text_handles_an_empty_message_and_tag),
		cmocka_unit_test(test_timestamps_are_rfc3339_utc_with_truncated_microseconds),
		cmocka_unit_test(test_timestamps_before_1970_count_backwards_correctly),
		cmocka_unit_test(test_timestamps_at_the_ends_of_int64_are_still_valid),
		cmocka_unit_test(test_timestamps_agree_with_gmtime_across_the_whole_range),
		cmocka_unit_test(test_json_line_has_the_ecs_keys_in_the_order_ecs_logging_asks),
		cmocka_unit_test(test_ids_of_interleaved_writers_are_never_mixed_up),
		cmocka_unit_test(test_json_names_every_level_in_lower_case),
		cmocka_unit_test(test_json_escapes_quote_backslash_and_named_controls),
		cmocka_unit_test(test_json_escapes_other_controls_del_and_c1_as_unicode_escapes),
		cmocka_unit_test(test_json_passes_well_formed_utf8_through_at_every_boundary),
		cmocka_unit_test(test_json_replaces_invalid_utf8_with_replacement_char),
		cmocka_unit_test(test_json_replaces_overlong_encodings_with_replacement_chars),
		cmocka_unit_test(test_json_replaces_encoded_surrogates_with_replacement_chars),
		cmocka_unit_test(test_json_replaces_code_points_above_10ffff_with_replacement_chars),
		cmocka_unit_test(test_json_replaces_each_truncated_sequence_with_one_replacement_char),
		cmocka_unit_test(test_json_escapes_the_tag_and_keys_and_values_too),
		cmocka_unit_test(test_json_writes_fields_with_their_json_types),
		cmocka_unit_test(test_json_writes_nan_and_infinities_as_strings),
		cmocka_unit_test(test_json_prefixes_keys_that_clash_with_its_own_keys_with_labels),
		cmocka_unit_test(test_json_prefixes_every_key_it_writes_itself),
		cmocka_unit_test(test_json_prefixes_keys_that_would_nest_into_or_around_its_own_keys),
		cmocka_unit_test(test_json_prefixes_a_field_named_labels_so_it_cannot_clash_with_renamed_ones),
		cmocka_unit_test(test_json_keeps_keys_that_merely_resemble_its_own),
		cmocka_unit_test(test_json_keeps_only_the_first_of_fields_with_the_same_key),
		cmocka_unit_test(test_json_puts_fields_under_a_name_of_ones_own_with_their_types),
		cmocka_unit_test(test_json_under_labels_writes_every_value_as_a_string_with_flat_keys),
		cmocka_unit_test(test_json_under_labels_keeps_one_of_keys_equal_once_replaced),
		cmocka_unit_test(test_fields_under_refuses_names_that_are_malformed_or_taken),
		cmocka_unit_test(test_text_lines_are_the_same_whatever_the_fields_are_under),
		cmocka_unit_test(test_json_marks_a_truncated_message_with_its_original_length),
		cmocka_unit_test(test_json_marks_a_synthetic_loss_record_with_its_count),
		cmocka_unit_test(test_json_keeps_fields_before_damage_and_marks_the_rest),
		cmocka_unit_test(test_json_treats_more_fields_than_a_writer_can_attach_as_damage),
		cmocka_unit_test(test_json_numbers_use_a_dot_whatever_lc_numeric_says),
		cmocka_unit_test(test_format_returns_the_full_length_and_cuts_like_snprintf),
		cmocka_unit_test(test_format_rejects_bad_arguments_with_einval),
		cmocka_unit_test(test_every_byte_value_yields_valid_json_and_clean_text),
		cmocka_unit_test(test_random_records_always_give_valid_json_and_clean_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

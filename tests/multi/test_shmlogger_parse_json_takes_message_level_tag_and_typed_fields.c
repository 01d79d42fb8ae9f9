/* test_shmlogger_parse_json_takes_message_level_tag_and_typed_fields.c - with --parse-json, a
 * line that is a JSON object as docker's json-file driver, python-json-logger and structlog's
 * JSONRenderer write it becomes a record with the object's message, level and logger (as the tag
 * unless -t is given), and every other member as a typed field (nested values as their JSON
 * text, after the command line's fields); a line that is not such an object is logged as text,
 * level prefix and all, never dropped. Read back through the consumer, and once through
 * shmlogcat -o json to see the fields come out typed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "json_check.h"
#include "test_shmlogger_helpers.h"

/* Pipes IN to shmlogger --parse-json with ARGS after it (NULL-terminated; the macro's
 * argument list may be just NULL) and returns its consumer. */
static struct shmlog_consumer *log_json(const char *ring, const char *in, const char *const *args)
{
	struct shmlog_consumer *c = open_consumer(ring, 1 << 20);
	const char *argv[16] = {"-r", ring, "-T", "0", "--parse-json"};
	size_t argc = 5;
	char err[4096];
	int fd = input_file(in, strlen(in));

	for (; *args; args++)
		argv[argc++] = *args;
	argv[argc] = NULL;
	assert_int_equal(logger_run(argv, fd, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	close(fd);
	return c;
}

#define LOG_JSON(ring, in, ...) log_json((ring), (in), (const char *const[]){__VA_ARGS__, NULL})

static void assert_tag(const struct shmlog_record *rec, const char *want)
{
	if (rec->tag_len != strlen(want) || memcmp(rec->tag, want, rec->tag_len) != 0)
		fail_msg("tag '%.*s', expected '%s'", (int)rec->tag_len, rec->tag, want);
}

static void test_docker_json_file_lines(void **state)
{
	const char *ring = ring_name("docker");
	struct shmlog_consumer *c =
		LOG_JSON(ring,
			 "{\"log\":\"ERROR connection refused\\n\",\"stream\":\"stderr\","
			 "\"time\":\"2026-12-07T10:00:00.123456789Z\"}\n"
			 "{\"log\":\"listening on :8080\\n\",\"stream\":\"stdout\","
			 "\"time\":\"2026-12-07T10:00:01Z\"}\n",
			 "-t", "web");
	struct shmlog_record rec;

	(void)state;
	/* docker has no level member: the level prefix of the log text gives it. */
	next_record(c, &rec, 2000);
	assert_msg(&rec, "connection refused");
	assert_int_equal(rec.level, SHMLOG_ERROR);
	assert_tag(&rec, "web");
	assert_int_equal(rec.nfields, 2);
	assert_string_field(&rec, "stream", "stderr");
	assert_string_field(&rec, "time", "2026-12-07T10:00:00.123456789Z");
	next_record(c, &rec, 2000);
	assert_msg(&rec, "listening on :8080");
	assert_int_equal(rec.level, SHMLOG_INFO);
	assert_string_field(&rec, "stream", "stdout");
	assert_no_more(c, 100);
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

static void test_python_json_logger_lines(void **state)
{
	const char *ring = ring_name("pjl");
	struct shmlog_consumer *c = LOG_JSON(
		ring,
		"{\"asctime\": \"2026-12-07 10:00:00,123\", \"name\": \"app.db\", \"levelname\": "
		"\"WARNING\", \"message\": \"slow query\", \"took\": 1.25, \"rows\": 1200, "
		"\"cached\": false, \"sql\": {\"table\": \"users\", \"args\": [1, \"x\"]}, "
		"\"exc_info\": null}\n",
		"env=prod");
	struct shmlog_record rec;
	struct shmlog_field f;

	(void)state;
	next_record(c, &rec, 2000);
	assert_msg(&rec, "slow query");
	assert_int_equal(rec.level, SHMLOG_WARNING);
	assert_tag(&rec, "app.db");
	assert_int_equal(rec.nfields, 7);
	assert_string_field(&rec, "env", "prod"); /* the command line's come first */
	assert_string_field(&rec, "asctime", "2026-12-07 10:00:00,123");
	f = record_field(&rec, "took");
	assert_int_equal(f.type, SHMLOG_FIELD_FLOAT);
	assert_true(f.v.f == 1.25);
	f = record_field(&rec, "rows");
	assert_int_equal(f.type, SHMLOG_FIELD_INT);
	assert_int_equal(f.v.i, 1200);
	f = record_field(&rec, "cached");
	assert_int_equal(f.type, SHMLOG_FIELD_BOOL);
	assert_int_equal(f.v.b, 0);
	assert_string_field(&rec, "sql", "{\"table\": \"users\", \"args\": [1, \"x\"]}");
	assert_string_field(&rec, "exc_info", "null");
	assert_no_more(c, 100);
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

static void test_structlog_json_renderer_lines(void **state)
{
	const char *ring = ring_name("structlog");
	struct shmlog_consumer *c = LOG_JSON(
		ring,
		"{\"user\": \"ana\", \"event\": \"login failed\", \"level\": \"error\", "
		"\"logger\": \"auth\", \"timestamp\": \"2026-12-07T10:00:00.5Z\", "
		"\"attempt\": 3}\n"
		"{\"event\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\"\\ttab\", \"level\": \"critical\", "
		"\"logger\": \"auth\"}\n",
		NULL);
	struct shmlog_record rec;

	(void)state;
	next_record(c, &rec, 2000);
	assert_msg(&rec, "login failed");
	assert_int_equal(rec.level, SHMLOG_ERROR);
	assert_tag(&rec, "auth");
	assert_int_equal(rec.nfields, 3);
	assert_string_field(&rec, "user", "ana");
	assert_string_field(&rec, "timestamp", "2026-12-07T10:00:00.5Z");
	assert_int_equal(record_field(&rec, "attempt").v.i, 3);
	next_record(c, &rec, 2000);
	assert_msg(&rec, "caf\xc3\xa9 \xf0\x9f\x98\x80 \"q\"\ttab");
	assert_int_equal(rec.level, SHMLOG_CRITICAL);
	assert_no_more(c, 100);
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

/* Which member wins, and what a member that does not fit its role becomes. */
static void test_keys_in_order_of_preference_and_tag_from_t_first(void **state)
{
	const char *ring = ring_name("prefer");
	struct shmlog_consumer *c = LOG_JSON(
		ring,
		"{\"msg\":\"second\",\"message\":\"first\",\"severity\":3,\"name\":\"n\"}\n"
		"{\"message\":42,\"msg\":\"text wins\",\"level\":\"loud\",\"levelname\":\"debug\"}\n"
		"{\"log.level\":\"warn\",\"message\":\"ECS\",\"log.logger\":\"ecs\"}\n"
		"{\"level\":99,\"message\":\"[ERROR] prefix, since no level member fits\"}\n"
		"{\"count\":2}\n",
		"-l", "info");
	struct shmlog_record rec;
	struct shmlog_field f;

	(void)state;
	next_record(c, &rec, 2000);
	assert_msg(&rec, "first");
	assert_int_equal(rec.level, SHMLOG_ERROR); /* syslog severity 3 */
	assert_tag(&rec, "n");
	assert_string_field(&rec, "msg", "second");
	next_record(c, &rec, 2000);
	assert_msg(&rec, "text wins");
	assert_int_equal(rec.level, SHMLOG_DEBUG);
	assert_int_equal(record_field(&rec, "message").v.i, 42);
	assert_string_field(&rec, "level", "loud");
	next_record(c, &rec, 2000);
	assert_msg(&rec, "ECS");
	assert_int_equal(rec.level, SHMLOG_WARNING);
	assert_tag(&rec, "ecs");
	next_record(c, &rec, 2000);
	assert_msg(&rec, "prefix, since no level member fits");
	assert_int_equal(rec.level, SHMLOG_ERROR);
	assert_int_equal(record_field(&rec, "level").v.i, 99);
	next_record(c, &rec, 2000); /* no message member: the members are the record */
	assert_msg(&rec, "");
	f = record_field(&rec, "count");
	assert_int_equal(f.type, SHMLOG_FIELD_INT);
	assert_no_more(c, 100);
	shmlog_consumer_close(c);

	/* -t is the tag even when the object names a logger, which stays a field. */
	c = LOG_JSON(ring, "{\"message\":\"m\",\"logger\":\"from.json\"}\n", "-t", "given");
	next_record(c, &rec, 2000);
	assert_tag(&rec, "given");
	assert_string_field(&rec, "logger", "from.json");
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

/* 65 members: one more field than a record holds. */
static void too_many_fields(char *out, size_t cap)
{
	size_t n = (size_t)snprintf(out, cap, "{\"message\":\"m\"");

	for (int i = 0; i < SHMLOG_MAX_FIELDS + 1; i++)
		n += (size_t)snprintf(out + n, cap - n, ",\"k%d\":%d", i, i);
	snprintf(out + n, cap - n, "}");
}

static void test_lines_that_are_not_usable_objects_are_logged_as_text(void **state)
{
	static const char *const lines[] = {
		"ERROR not json at all",
		"{\"message\":\"cut off\"",
		"{\"message\":\"trailing\"} x",
		"[\"an\", \"array\"]",
		"\"a string\"",
		"{\"message\":\"raw\ttab in a string\"}",
		"{\"message\":\"bad escape \\q\"}",
		"{\"\":\"empty key\"}",
		"{\"message\":01}",
		"{\"deep\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", /* 33 levels: one too many */
		"{message: \"unquoted key\"}",
		"",
	};
	const char *ring = ring_name("text");
	struct shmlog_record rec;
	char in[8192], many[2048];
	size_t len = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		len += (size_t)snprintf(in + len, sizeof(in) - len, "%s\n", lines[i]);
	too_many_fields(many, sizeof(many));
	snprintf(in + len, sizeof(in) - len, "%s\n", many);

	struct shmlog_consumer *c = LOG_JSON(ring, in, "-l", "warning");
	next_record(c, &rec, 2000);
	assert_msg(&rec, "not json at all"); /* --parse-level still applies */
	assert_int_equal(rec.level, SHMLOG_ERROR);
	for (size_t i = 1; i < sizeof(lines) / sizeof(lines[0]); i++) {
		next_record(c, &rec, 2000);
		assert_msg(&rec, lines[i]);
		assert_int_equal(rec.level, SHMLOG_WARNING);
		assert_int_equal(rec.nfields, 0);
	}
	next_record(c, &rec, 2000);
	assert_msg(&rec, many);
	assert_no_more(c, 100);
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

/* A string field of 100000 bytes: more than a record of any ring holds (64 KiB). The line goes
 * in as text, truncated and marked like any long line, and the next line is JSON again. */
static void test_an_object_too_large_for_a_record_is_logged_as_truncated_text(void **state)
{
	const char *ring = ring_name("huge");
	size_t blob = 100000, n = 0;
	char *in = malloc(blob + 256);
	struct shmlog_consumer *c;
	struct shmlog_record rec;

	(void)state;
	assert_non_null(in);
	n += (size_t)sprintf(in, "{\"message\":\"big\",\"blob\":\"");
	memset(in + n, 'x', blob);
	n += blob;
	sprintf(in + n, "\"}\n{\"message\":\"small\",\"level\":\"error\"}\n");
	c = LOG_JSON(ring, in, NULL);
	next_record(c, &rec, 2000);
	assert_true(rec.flags & SHMLOG_REC_TRUNCATED);
	assert_int_equal(rec.msg_len, SHMLOG_MAX_MESSAGE);
	assert_memory_equal(rec.msg, in, SHMLOG_MAX_MESSAGE);
	assert_int_equal(rec.nfields, 0);
	assert_int_equal(rec.level, SHMLOG_INFO);
	next_record(c, &rec, 2000);
	assert_msg(&rec, "small");
	assert_int_equal(rec.level, SHMLOG_ERROR);
	assert_no_more(c, 100);
	free(in);
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

/* The record through shmlogcat -o json: the members are typed in the output as in the input. */
static void test_fields_reach_shmlogcat_json_typed(void **state)
{
	const char *ring = ring_name("cat");
	struct shmlog_consumer *c = LOG_JSON(
		ring, "{\"message\":\"m\",\"n\":-7,\"big\":18446744073709551616,\"ok\":true}\n",
		NULL);
	struct shmlog_record rec;
	struct json_object obj;
	char cmd[8192], line[4096];
	long long n;
	FILE *p;

	(void)state;
	next_record(c, &rec, 2000);
	snprintf(cmd, sizeof(cmd), "%s/shmlogcat -o json %s", getenv("SHMLOG_TEST_BIN_DIR"), ring);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(line, sizeof(line), p));
	assert_int_equal(pclose(p), 0);
	assert_true(json_parse_line(line, strlen(line) - 1, &obj));
	assert_true(json_get_int(&obj, "n", &n));
	assert_int_equal(n, -7);
	assert_true(json_is_number(json_get(&obj, "big")));
	assert_memory_equal(json_get(&obj, "ok")->value, "true", 4);
	assert_true(json_string_is(json_get(&obj, "message"), "m", 1));
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker_json_file_lines),
		cmocka_unit_test(test_python_json_logger_lines),
		cmocka_unit_test(test_structlog_json_renderer_lines),
		cmocka_unit_test(test_keys_in_order_of_preference_and_tag_from_t_first),
		cmocka_unit_test(test_lines_that_are_not_usable_objects_are_logged_as_text),
		cmocka_unit_test(test_an_object_too_large_for_a_record_is_logged_as_truncated_text),
		cmocka_unit_test(test_fields_reach_shmlogcat_json_typed),
	};

	shmlogger_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_logfile_reads_every_line_shmlogd_writes_back_into_the_same_line.c - logfile_parse()
 * (logfile/) turns each text and JSON line shmlog_format() writes back into a record that
 * formats as the very same line: escaped characters, every field type, truncation and loss
 * reports, damaged fields; also for records of random bytes. JSON keeps the fields' types; lines
 * that are not records are refused, never crash. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logfile.h"
#include "record.h"
#include "shmlog.h"

#define EXAMPLE_NS 1795256103123456000LL /* 2026-11-21T10:15:03.123456Z: files keep microseconds */
#define LINE_MAX_TEST (256 * 1024)

static char line1[LINE_MAX_TEST], line2[LINE_MAX_TEST];

/* Encodes FIELDS into BUF as a record's field bytes. */
static size_t encode(unsigned char *buf, const struct shmlog_field *fields, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++) {
		struct shmlog_field f = fields[i];
		if (!f.key_len)
			f.key_len = strlen(f.key);
		if (f.type == SHMLOG_FIELD_STRING && f.v.s.len == (size_t)-1)
			f.v.s.len = strlen(f.v.s.ptr);
		len += field_encode(buf + len, &f);
	}
	return len;
}

/* Formats REC as FORMAT, parses the line, formats the result: the two lines must be equal. */
static void assert_round_trip(const struct shmlog_record *rec, int format,
			      struct logfile_record *back)
{
	ssize_t n1 = shmlog_format(rec, format, SHMLOG_FMT_NO_NEWLINE, line1, sizeof(line1));
	assert_true(n1 > 0 && (size_t)n1 < sizeof(line1));
	int rc = logfile_parse(line1, (size_t)n1, back);
	if (rc != 0)
		fail_msg("line did not parse (%d): %s", rc, line1);
	assert_int_equal(back->format, format);
	ssize_t n2 = shmlog_format(&back->rec, format, SHMLOG_FMT_NO_NEWLINE, line2, sizeof(line2));
	if (n1 != n2 || memcmp(line1, line2, (size_t)n1))
		fail_msg("round trip changed the line:\n  %s\n  %s", line1, line2);
}

static struct shmlog_record example(const char *msg, size_t msg_len, const unsigned char *fields,
				    size_t fields_len, size_t nfields)
{
	struct shmlog_record rec = {
		.seq = 42, .time_ns = EXAMPLE_NS, .pid = 4711, .tid = 4712, .level = SHMLOG_WARNING,
		.tag = "web.req", .tag_len = 7, .msg = msg, .msg_len = msg_len, .msg_full_len = msg_len,
		.fields = fields, .fields_len = fields_len, .nfields = nfields,
	};
	return rec;
}

static void test_escapes_and_every_field_type_come_back_as_the_same_line(void **state)
{
	static const char msg[] = "tab\there \"quoted\" back\\slash \x01 nl\nbidi \xe2\x80\xae bad \xff k=v";
	const struct shmlog_field fields[] = {
		SHMLOG_INT("status", 200), SHMLOG_INT("neg", INT64_MIN), SHMLOG_FLOAT("ratio", 0.1),
		SHMLOG_FLOAT("big", 1e300), SHMLOG_FLOAT("whole", 3.0), SHMLOG_FLOAT("nan", NAN),
		SHMLOG_FLOAT("inf", -INFINITY), SHMLOG_BOOL("ok", 1), SHMLOG_BOOL("bad", 0),
		SHMLOG_STR("empty", ""), SHMLOG_STR("spaced", "a b=\"c\" \\ \t"),
		SHMLOG_STR("looks_int", "200"), SHMLOG_STR("looks_float", "1.50"),
		SHMLOG_STR("key with space", "x"), SHMLOG_STR("message", "clashes in JSON"),
		SHMLOG_STR("utf8", "\xc3\xa9\xf0\x9f\x98\x80"),
	};
	unsigned char enc[4096];
	size_t len = encode(enc, fields, sizeof(fields) / sizeof(fields[0]));
	struct shmlog_record rec = example(msg, sizeof(msg) - 1, enc, len, 16);
	struct logfile_record back = {0};

	(void)state;
	assert_round_trip(&rec, SHMLOG_FORMAT_TEXT, &back);
	assert_int_equal(back.rec.pid, 4711);
	assert_int_equal(back.rec.tid, 4712);
	assert_int_equal(back.rec.level, SHMLOG_WARNING);
	assert_true(back.rec.time_ns == EXAMPLE_NS);
	assert_round_trip(&rec, SHMLOG_FORMAT_JSON, &back);
	assert_true(back.rec.seq == 42);
	/* JSON keeps each field's type: the string "200" stays a string, 3.0 a float. */
	size_t off = 0;
	struct shmlog_field f;
	int types[32], n = 0;
	while (shmlog_record_field(&back.rec, &off, &f) == 1 && n < 32)
		types[n++] = f.type;
	assert_int_equal(n, 16);
	assert_int_equal(types[0], SHMLOG_FIELD_INT);
	assert_int_equal(types[2], SHMLOG_FIELD_FLOAT);
	assert_int_equal(types[4], SHMLOG_FIELD_FLOAT);
	assert_int_equal(types[7], SHMLOG_FIELD_BOOL);
	assert_int_equal(types[11], SHMLOG_FIELD_STRING);
	logfile_record_free(&back);
}

static void test_truncated_synthetic_damaged_and_empty_records_come_back(void **state)
{
	struct logfile_record back = {0};
	unsigned char enc[64];
	const struct shmlog_field one = SHMLOG_INT("n", 1);
	size_t len = encode(enc, &one, 1);
	struct shmlog_record rec;

	(void)state;
	rec = example("cut here", 8, NULL, 0, 0);
	rec.flags = SHMLOG_REC_TRUNCATED;
	rec.msg_full_len = 20000;
	for (int fmt = SHMLOG_FORMAT_TEXT; fmt <= SHMLOG_FORMAT_JSON; fmt++) {
		assert_round_trip(&rec, fmt, &back);
		assert_true(back.rec.flags & SHMLOG_REC_TRUNCATED);
		assert_int_equal(back.rec.msg_full_len, 20000);
	}
	rec = example("pid 9 dropped 52 records (ring full)", 36, NULL, 0, 0);
	rec.flags = SHMLOG_REC_SYNTHETIC;
	rec.count = 52;
	assert_round_trip(&rec, SHMLOG_FORMAT_JSON, &back);
	assert_int_equal(back.rec.count, 52);
	enc[len] = 0; /* a field of no type: damage after the first field */
	rec = example("", 0, enc, len + 1, 2);
	assert_round_trip(&rec, SHMLOG_FORMAT_TEXT, &back);
	assert_round_trip(&rec, SHMLOG_FORMAT_JSON, &back);
	rec = example("", 0, NULL, 0, 0);
	rec.tag_len = 0;
	rec.level = 0;
	assert_round_trip(&rec, SHMLOG_FORMAT_TEXT, &back);
	assert_round_trip(&rec, SHMLOG_FORMAT_JSON, &back);
	logfile_record_free(&back);
}

/* Random bytes in the message, tag, keys and string values, random numbers: every line still
 * comes back the same. */
static void test_records_of_random_bytes_come_back_as_the_same_line(void **state)
{
	static const char alphabet[] = "ab =\"\\[]/{}:,.\t\n\x01\x7f\xc3\xa9\xe2\x80\xae\xff 0123";
	struct logfile_record back = {0};
	unsigned seed = (unsigned)(getenv("SEED") ? atoi(getenv("SEED")) : 17);

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		char tag[16], msg[64], keys[4][8], vals[4][16];
		struct shmlog_field f[4];
		unsigned char enc[1024];
		size_t nf = (size_t)(rand_r(&seed) % 5), tl = (size_t)(rand_r(&seed) % sizeof(tag)),
		       ml = (size_t)(rand_r(&seed) % sizeof(msg));

		for (size_t i = 0; i < tl; i++)
			tag[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		for (size_t i = 0; i < ml; i++)
			msg[i] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
		for (size_t i = 0; i < nf; i++) {
			size_t kl = 1 + (size_t)(rand_r(&seed) % 7), vl = (size_t)(rand_r(&seed) % 16);
			for (size_t j = 0; j < kl; j++)
				keys[i][j] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
			for (size_t j = 0; j < vl; j++)
				vals[i][j] = alphabet[rand_r(&seed) % (sizeof(alphabet) - 1)];
			int t = rand_r(&seed) % 4;
			f[i] = t == 0   ? (struct shmlog_field)SHMLOG_STRN(keys[i], vals[i], vl)
			       : t == 1 ? (struct shmlog_field)SHMLOG_INT(keys[i], (int64_t)rand_r(&seed) - RAND_MAX / 2)
			       : t == 2 ? (struct shmlog_field)SHMLOG_FLOAT(keys[i], rand_r(&seed) / 7.0)
					: (struct shmlog_field)SHMLOG_BOOL(keys[i], rand_r(&seed) & 1);
			f[i].key_len = kl;
		}
		size_t len = encode(enc, f, nf);
		struct shmlog_record rec = example(msg, ml, enc, len, nf);
		rec.tag = tag;
		rec.tag_len = tl;
		rec.level = rand_r(&seed) % 6;
		rec.time_ns = EXAMPLE_NS + (int64_t)(rand_r(&seed) % 1000000) * 1000;
		assert_round_trip(&rec, SHMLOG_FORMAT_TEXT, &back);
		assert_round_trip(&rec, SHMLOG_FORMAT_JSON, &back);
	}
	logfile_record_free(&back);
}

static void test_lines_that_are_not_records_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "hello", "2026-11-21T10:15:03.123456Z", "2026-11-21T10:15:03.123456Z INFO  x",
		"2026-13-21T10:15:03.123456Z INFO  x[1/2] m", "2026-11-21T10:15:03.123456Z NOPE  x[1/2] m",
		"2026-11-21T10:15:03.123456Z INFO  x[1/2] bad \\q escape",
		"2026-11-21T10:15:03.123456Z INFO  x[1/99999999999] m",
		"{", "{}", "{\"message\":\"no time\"}", "{\"@timestamp\":\"2026-11-21T10:15:03Z\",}",
		"{\"@timestamp\":\"2026-11-21T10:15:03Z\",\"process.pid\":-1}",
		"{\"@timestamp\":\"2026-11-21T10:15:03Z\",\"message\":\"\\ud800\\\"}",
		"{\"@timestamp\":\"2026-11-21T10:15:03Z\",\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]}",
		"{\"@timestamp\":\"2026-11-21T10:15:03Z\"} trailing",
	};
	struct logfile_record back = {0};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (logfile_parse(bad[i], strlen(bad[i]), &back) != -EBADMSG)
			fail_msg("accepted as a record: %s", bad[i]);
	/* ECS keys a record has no room for are ignored; a "labels" object holds fields. */
	static const char ecs[] = "{\"@timestamp\":\"2026-11-21T10:15:03.5+01:00\",\"ecs.version\":"
				  "\"8.11\",\"ecs\":{\"version\":\"8\"},\"labels\":{\"k\":1},"
				  "\"log.level\":\"error\",\"message\":\"m\"}";
	assert_int_equal(logfile_parse(ecs, sizeof(ecs) - 1, &back), 0);
	assert_int_equal(back.rec.nfields, 1);
	assert_int_equal(back.rec.level, SHMLOG_ERROR);
	assert_true(back.rec.time_ns == 1795252503500000000LL);
	logfile_record_free(&back);
}

/* shmlogd writes no integer beyond int64, but a line from elsewhere may hold one: it is read as
 * the float of its value (as shmlogger types it), which prints back the same way every time. */
static void test_an_integer_beyond_int64_is_read_as_its_float(void **state)
{
	static const char line[] = "{\"@timestamp\":\"2026-11-21T10:15:03Z\",\"big\":"
				   "12345678901234567890,\"small\":-98765432109876543210}";
	struct logfile_record back = {0}, again = {0};
	struct shmlog_field f;
	size_t off = 0;

	(void)state;
	assert_int_equal(logfile_parse(line, sizeof(line) - 1, &back), 0);
	assert_int_equal(shmlog_record_field(&back.rec, &off, &f), 1);
	assert_int_equal(f.type, SHMLOG_FIELD_FLOAT);
	assert_true(f.v.f == 12345678901234567890.0);
	assert_int_equal(shmlog_record_field(&back.rec, &off, &f), 1);
	assert_int_equal(f.type, SHMLOG_FIELD_FLOAT);
	assert_true(f.v.f == -98765432109876543210.0);
	assert_round_trip(&back.rec, SHMLOG_FORMAT_JSON, &again);
	logfile_record_free(&again);
	logfile_record_free(&back);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_and_every_field_type_come_back_as_the_same_line),
		cmocka_unit_test(test_truncated_synthetic_damaged_and_empty_records_come_back),
		cmocka_unit_test(test_records_of_random_bytes_come_back_as_the_same_line),
		cmocka_unit_test(test_lines_that_are_not_records_are_refused),
		cmocka_unit_test(test_an_integer_beyond_int64_is_read_as_its_float),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

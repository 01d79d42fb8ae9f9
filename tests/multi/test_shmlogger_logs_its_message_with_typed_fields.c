/* test_shmlogger_logs_its_message_with_typed_fields.c - `shmlogger -r RING [options] KEY=VALUE...
 * MESSAGE...` logs one record: the words joined by spaces, the level and tag asked for, and each
 * field typed by its value (bool, JSON integer, JSON float, else string; KEY:=VALUE always a
 * string); "--" ends the fields. It waits for the collector, and when none comes it warns but
 * succeeds, because the record is safe in the ring. Checked through the library's consumer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_shmlogger_helpers.h"

static void test_message_level_tag_and_typed_fields(void **state)
{
	const char *ring = ring_name("fields");
	struct shmlog_consumer *c = open_consumer(ring, 1 << 20);
	struct shmlog_record rec;
	struct shmlog_field f;
	char err[4096];

	(void)state;
	assert_int_equal(LOGGER(err, -1, "-r", ring, "-l", "warning", "-t", "backup", "-T", "0",
				"count=42", "neg=-7", "ratio=0.25", "big=1e3",
				"huge=18446744073709551616", "ok=true", "bad=false", "zip=007",
				"hex=0x1f", "plus=+1", "empty=", "nan=nan", "words=two words",
				"forced:=42", "disk almost", "full"),
			 0);
	assert_string_equal(err, "");

	next_record(c, &rec, 2000);
	assert_msg(&rec, "disk almost full");
	assert_int_equal(rec.level, SHMLOG_WARNING);
	assert_int_equal(rec.tag_len, 6);
	assert_memory_equal(rec.tag, "backup", 6);
	assert_int_equal(rec.nfields, 14);

	f = record_field(&rec, "count");
	assert_int_equal(f.type, SHMLOG_FIELD_INT);
	assert_int_equal(f.v.i, 42);
	f = record_field(&rec, "neg");
	assert_int_equal(f.type, SHMLOG_FIELD_INT);
	assert_int_equal(f.v.i, -7);
	f = record_field(&rec, "ratio");
	assert_int_equal(f.type, SHMLOG_FIELD_FLOAT);
	assert_true(f.v.f == 0.25);
	f = record_field(&rec, "big");
	assert_int_equal(f.type, SHMLOG_FIELD_FLOAT);
	assert_true(f.v.f == 1000.0);
	f = record_field(&rec, "huge");
	assert_int_equal(f.type, SHMLOG_FIELD_FLOAT);
	assert_true(f.v.f == 18446744073709551616.0);
	f = record_field(&rec, "ok");
	assert_int_equal(f.type, SHMLOG_FIELD_BOOL);
	assert_int_equal(f.v.b, 1);
	f = record_field(&rec, "bad");
	assert_int_equal(f.type, SHMLOG_FIELD_BOOL);
	assert_int_equal(f.v.b, 0);
	assert_string_field(&rec, "zip", "007");
	assert_string_field(&rec, "hex", "0x1f");
	assert_string_field(&rec, "plus", "+1");
	assert_string_field(&rec, "empty", "");
	assert_string_field(&rec, "nan", "nan");
	assert_string_field(&rec, "words", "two words");
	assert_string_field(&rec, "forced", "42");
	assert_no_more(c, 100);

	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

static void test_double_dash_ends_the_fields(void **state)
{
	const char *ring = ring_name("dashdash");
	struct shmlog_consumer *c = open_consumer(ring, 1 << 20);
	struct shmlog_record rec;
	char err[4096];

	(void)state;
	/* Right after the options: getopt takes the "--", and it still ends the fields. */
	assert_int_equal(LOGGER(err, -1, "-r", ring, "-T", "0", "--", "ratio=1/3", "reached"), 0);
	next_record(c, &rec, 2000);
	assert_msg(&rec, "ratio=1/3 reached");
	assert_int_equal(rec.nfields, 0);

	/* After fields; and a "--" that is the argument of -t is a tag, not a separator. */
	assert_int_equal(LOGGER(err, -1, "-r", ring, "-T", "0", "-t", "--", "a=1", "--", "b=2"), 0);
	next_record(c, &rec, 2000);
	assert_msg(&rec, "b=2");
	assert_int_equal(rec.nfields, 1);
	assert_memory_equal(rec.tag, "--", 2);
	assert_int_equal(record_field(&rec, "a").v.i, 1);

	/* Options end at the message, so message words may start with '-'. */
	assert_int_equal(LOGGER(err, -1, "-r", ring, "-T", "0", "x", "-l", "-5"), 0);
	next_record(c, &rec, 2000);
	assert_msg(&rec, "x -l -5");
	assert_int_equal(rec.level, SHMLOG_INFO);
	assert_no_more(c, 100);

	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

/* Plays the collector in a child: drains and commits RING until killed. */
static pid_t start_collector(const char *ring)
{
	pid_t parent = getpid(), pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct shmlog_consumer *c;
		struct shmlog_record rec;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || !(c = shmlog_consumer_open(ring, NULL)))
			_exit(1);
		for (;;)
			if (shmlog_consumer_next(c, &rec, 20) == SHMLOG_NEXT_EMPTY)
				shmlog_consumer_commit(c);
	}
	return pid;
}

static void test_waits_for_the_collector_and_warns_without_one(void **state)
{
	const char *ring = ring_name("flush");
	struct shmlog *log = shmlog_open(ring, NULL);
	struct shmlog_stats st;
	struct shmlog_observer *o;
	char err[4096];
	pid_t col;

	(void)state;
	assert_non_null(log);
	/* No collector: a warning that names the ring, exit 0, and the record stays in the ring. */
	assert_int_equal(LOGGER(err, -1, "-r", ring, "-T", "100", "left", "behind"), 0);
	assert_non_null(strstr(err, "warning"));
	assert_non_null(strstr(err, ring));
	assert_non_null(strstr(err, "stay in the ring"));
	assert_int_equal(strchr(err, '\n') - err, (long)strlen(err) - 1); /* one line */
	assert_non_null(o = shmlog_observer_open(ring, SHMLOG_OBSERVE_OLDEST));
	assert_int_equal(shmlog_observer_stats(o, &st, NULL, 0), 0);
	assert_int_equal(st.head_seq - st.tail_seq, 1);

	/* -q: the same, silently. */
	assert_int_equal(LOGGER(err, -1, "-r", ring, "-T", "50", "-q", "quiet"), 0);
	assert_string_equal(err, "");

	/* With a collector: shmlogger returns once everything is consumed, without a word. */
	col = start_collector(ring);
	assert_int_equal(LOGGER(err, -1, "-r", ring, "-T", "10000", "collected"), 0);
	assert_string_equal(err, "");
	assert_int_equal(shmlog_observer_stats(o, &st, NULL, 0), 0);
	assert_int_equal(st.head_seq, st.tail_seq);
	assert_int_equal(st.head_seq, 3);

	kill(col, SIGKILL);
	waitpid(col, NULL, 0);
	shmlog_observer_close(o);
	shmlog_close(log);
	shmlog_unlink(ring);
}

static void test_usage_errors_and_missing_rings_exit_with_sysexits_codes(void **state)
{
	char err[4096];

	(void)state;
	assert_int_equal(LOGGER(err, -1, "message"), 64);
	assert_non_null(strstr(err, "-r NAME"));
	assert_non_null(strstr(err, "--help"));
	assert_int_equal(LOGGER(err, -1, "-r", "x", "-l", "loud", "m"), 64);
	assert_non_null(strstr(err, "loud"));
	assert_int_equal(LOGGER(err, -1, "-r", "bad name", "m"), 64);
	assert_int_equal(LOGGER(err, -1, "-r", ring_name("absent"), "--no-create", "m"), 66);
	assert_non_null(strstr(err, "no ring named"));
	assert_int_equal(LOGGER(err, -1, "--help"), 0);
	assert_string_equal(err, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_message_level_tag_and_typed_fields),
		cmocka_unit_test(test_double_dash_ends_the_fields),
		cmocka_unit_test(test_waits_for_the_collector_and_warns_without_one),
		cmocka_unit_test(test_usage_errors_and_missing_rings_exit_with_sysexits_codes),
	};

	shmlogger_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

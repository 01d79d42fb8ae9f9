/* test_shmlogcat_dump_and_filters_select_exactly_the_right_records.c - `shmlogcat NAME` prints
 * exactly the records in the ring, in every format; every -o json line parses and carries the
 * ECS keys, and -o json-pretty is the same JSON indented; -n, -r (newest first), each filter
 * (-p priorities as journalctl takes them too) and their combinations select exactly the records
 * they should, in the order they should.
 *
 * Three processes write 200 self-describing records (field i = their index) in two batches with
 * a known instant between them; the test keeps its own model of each record and checks every
 * shmlogcat output against that model, record by record. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_shmlogcat_helpers.h"

#define NRECORDS 200
#define BATCH_B 150 /* records from here on are written after the instant `between` */
#define PER_WRITER 50

static const char *const tags[] = {"web", "db.pool", "db.query"};
static const char *const users[] = {"alice", "bob"};

struct spec {
	pid_t pid;
	int level, tag, user, odd, timeout;
};

static struct spec model[NRECORDS];
static const char *ring;
static int64_t between_ns; /* after batch A, before batch B */

static void write_record(struct shmlog *log, int i)
{
	const struct spec *s = &model[i];
	struct shmlog_field fields[] = {
		SHMLOG_INT("i", i),
		SHMLOG_STR("user", users[s->user]),
		SHMLOG_BOOL("odd", s->odd),
		SHMLOG_FLOAT("ratio", i / 4.0),
	};
	char msg[128];
	int n = snprintf(msg, sizeof(msg), "request %d %s", i, s->timeout ? "TIMEOUT" : "ok");

	/* Some messages carry what a terminal or a JSON parser would choke on. */
	if (i % 11 == 0) {
		static const char nasty[] = "\t\x1b[2J\xff\xfe\"\\\n";
		memcpy(msg + n, nasty, sizeof(nasty) - 1);
		n += (int)sizeof(nasty) - 1;
	}
	assert_int_equal(shmlog_write_fields(log, s->level, tags[s->tag], msg, (size_t)n, fields, 4),
			 0);
}

static void plan(int i)
{
	struct spec *s = &model[i];

	s->level = i % 5 + 1;
	s->tag = i % 3;
	s->user = (i / 2) % 2;
	s->odd = i % 2;
	s->timeout = i % 7 == 0;
}

/* Writes records [from, to) from a child process, so they carry its pid. */
static void write_from_child(int from, int to)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		struct shmlog *log = shmlog_open(ring, NULL);
		for (int i = from; i < to && log; i++)
			write_record(log, i);
		shmlog_close(log);
		_exit(log ? 0 : 1);
	}
	for (int i = from; i < to; i++)
		model[i].pid = pid;
	assert_int_equal(wait_status(pid), 0);
}

static int setup(void **state)
{
	struct shmlog *log;

	(void)state;
	ring = ring_name("filters");
	log = open_ring(ring, 1 << 20, SHMLOG_ON_FULL_BLOCK);
	for (int i = 0; i < NRECORDS; i++)
		plan(i);
	for (int i = 0; i < PER_WRITER; i++) {
		model[i].pid = getpid();
		write_record(log, i);
	}
	write_from_child(PER_WRITER, 2 * PER_WRITER);
	write_from_child(2 * PER_WRITER, BATCH_B);
	sleep_ms(20);
	between_ns = now_ns(CLOCK_REALTIME);
	sleep_ms(20);
	for (int i = BATCH_B; i < NRECORDS; i++) {
		model[i].pid = getpid();
		write_record(log, i);
	}
	shmlog_close(log);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	shmlog_unlink(ring);
	return 0;
}

/* What the library's own formatter makes of every record an observer reads from the ring. */
static char *expected_output(int format)
{
	struct shmlog_observer *o = shmlog_observer_open(ring, SHMLOG_OBSERVE_OLDEST);
	struct shmlog_record rec;
	struct buf out = {0};
	char line[70000];
	int n = 0;

	assert_non_null(o);
	buf_add(&out, "", 0);
	while (shmlog_observer_next(o, &rec, 0) == SHMLOG_NEXT_RECORD) {
		ssize_t len = shmlog_format(&rec, format, 0, line, sizeof(line));
		assert_true(len > 0 && (size_t)len < sizeof(line));
		buf_add(&out, line, (size_t)len);
		n++;
	}
	shmlog_observer_close(o);
	assert_int_equal(n, NRECORDS);
	return out.data;
}

static void test_dump_prints_exactly_the_records_in_the_ring(void **state)
{
	static const struct {
		const char *name;
		int format;
	} formats[] = {{"text", SHMLOG_FORMAT_TEXT}, {"json", SHMLOG_FORMAT_JSON},
		       {"cat", SHMLOG_FORMAT_CAT}};
	struct run r;

	(void)state;
	for (size_t f = 0; f < 3; f++) {
		char *want = expected_output(formats[f].format);

		RUN_CAT(&r, "-o", formats[f].name, ring);
		assert_int_equal(r.status, 0);
		assert_string_equal(r.err.data, "");
		assert_int_equal(count_lines(r.out.data), NRECORDS);
		assert_string_equal(r.out.data, want);
		free(want);
		run_free(&r);
	}
	/* Text is the default; colour only when asked for (stdout is a pipe here). */
	RUN_CAT(&r, ring);
	assert_null(strchr(r.out.data, '\x1b'));
	assert_int_equal(count_lines(r.out.data), NRECORDS);
	run_free(&r);
	RUN_CAT(&r, "--color=always", ring);
	assert_non_null(strstr(r.out.data, "\x1b[31mERROR\x1b[0m"));
	run_free(&r);
}

static void test_every_json_line_parses_and_carries_the_ecs_keys(void **state)
{
	static const char *const ecs[] = {"@timestamp",	 "log.level",	      "message",
					  "ecs.version", "log.logger",	      "process.pid",
					  "process.thread.id", "event.sequence"};
	static struct json_object obj;
	struct run r;
	char *line;
	int i = 0;

	(void)state;
	RUN_CAT(&r, "-o", "json", ring);
	assert_int_equal(r.status, 0);
	for (line = r.out.data; *line; i++) {
		char *nl = strchr(line, '\n');
		char want[64];

		assert_non_null(nl);
		if (!json_parse_line(line, (size_t)(nl - line), &obj))
			fail_msg("line %d is not one valid JSON object: %.*s", i, (int)(nl - line), line);
		for (size_t k = 0; k < sizeof(ecs) / sizeof(ecs[0]); k++)
			if (!json_get(&obj, ecs[k]))
				fail_msg("line %d lacks %s", i, ecs[k]);
		assert_int_equal(json_int(&obj, "i"), i);
		assert_int_equal(json_int(&obj, "event.sequence"), i);
		assert_int_equal(json_int(&obj, "process.pid"), model[i].pid);
		snprintf(want, sizeof(want), "\"%s\"", shmlog_level_name(model[i].level));
		assert_memory_equal(json_get(&obj, "log.level")->value, want, strlen(want));
		snprintf(want, sizeof(want), "\"%s\"", tags[model[i].tag]);
		assert_memory_equal(json_get(&obj, "log.logger")->value, want, strlen(want));
		assert_memory_equal(json_get(&obj, "ecs.version")->value, "\"1.6.0\"", 7);
		line = nl + 1;
	}
	assert_int_equal(i, NRECORDS);
	run_free(&r);
}

/* Checks that the JSON-pretty records in PRETTY are the JSON lines in JSON, the FIRST (0-based)
 * to the LAST, each indented: "{" alone, members indented, "}" alone; the newest first when
 * REVERSED. */
static void check_pretty(const char *pretty, const char *json, int first, int last, int reversed)
{
	const char *lines[NRECORDS];
	int n = 0;

	for (const char *l = json; *l && n < NRECORDS; n++) {
		lines[n] = l;
		l = strchr(l, '\n') + 1;
	}
	assert_int_equal(n, NRECORDS);
	for (int k = 0; k <= last - first; k++) {
		int i = reversed ? last - k : first + k;
		const char *end = strstr(pretty, "\n}\n"), *nl = strchr(lines[i], '\n');
		size_t len = (size_t)(nl - lines[i]);
		char squeezed[70000];

		if (!end || strncmp(pretty, "{\n  \"", 5))
			fail_msg("record %d of -o json-pretty is not an indented object: %.200s", i,
				 pretty);
		assert_true((size_t)(end + 3 - pretty) < sizeof(squeezed));
		json_squeeze(pretty, (size_t)(end + 3 - pretty), squeezed);
		if (strlen(squeezed) != len || memcmp(squeezed, lines[i], len))
			fail_msg("record %d: -o json-pretty squeezed is\n%s\n-o json is\n%.*s", i,
				 squeezed, (int)len, lines[i]);
		for (const char *l = strchr(pretty, '\n') + 1; l < end; l = strchr(l, '\n') + 1)
			if (strncmp(l, "  \"", 3))
				fail_msg("record %d: a member not indented: %.80s", i, l);
		pretty = end + 3;
	}
	assert_string_equal(pretty, "");
}

static void test_json_pretty_is_each_json_line_indented(void **state)
{
	struct run json, pretty;

	(void)state;
	RUN_CAT(&json, "-o", "json", ring);
	assert_int_equal(json.status, 0);
	RUN_CAT(&pretty, "-o", "json-pretty", ring);
	assert_int_equal(pretty.status, 0);
	assert_string_equal(pretty.err.data, "");
	check_pretty(pretty.out.data, json.out.data, 0, NRECORDS - 1, 0);
	run_free(&pretty);
	/* Held back and reversed, records stay whole. */
	RUN_CAT(&pretty, "-o", "json-pretty", "-r", "-n", "3", ring);
	assert_int_equal(pretty.status, 0);
	check_pretty(pretty.out.data, json.out.data, NRECORDS - 3, NRECORDS - 1, 1);
	run_free(&pretty);
	RUN_CAT(&pretty, "-o", "json-pretty", "-n", "4", ring);
	check_pretty(pretty.out.data, json.out.data, NRECORDS - 4, NRECORDS - 1, 0);
	run_free(&pretty);
	run_free(&json);
}

/* ---------------------------------------------------------------------------------------------
 * Filters: each case is shmlogcat arguments and the model's answer.
 * ------------------------------------------------------------------------------------------- */

typedef int (*pick_fn)(int i);

static int any(int i) { return (void)i, 1; }
static int none(int i) { return (void)i, 0; }
static int warning_up(int i) { return model[i].level >= SHMLOG_WARNING; }
static int error_up(int i) { return model[i].level >= SHMLOG_ERROR; }
static int critical(int i) { return model[i].level == SHMLOG_CRITICAL; }
static int debug_info(int i) { return model[i].level <= SHMLOG_INFO; }
static int warning_error(int i)
{
	return model[i].level == SHMLOG_WARNING || model[i].level == SHMLOG_ERROR;
}
static int first_child(int i) { return i >= PER_WRITER && i < 2 * PER_WRITER; }
static int children(int i) { return i >= PER_WRITER && i < BATCH_B; }
static int tag_web(int i) { return model[i].tag == 0; }
static int tag_db(int i) { return model[i].tag != 0; }
static int tag_web_or_query(int i) { return model[i].tag != 1; }
static int timeout(int i) { return model[i].timeout; }
static int ends_in_5(int i) { return i % 10 == 5; }
static int batch_a(int i) { return i < BATCH_B; }
static int batch_b(int i) { return i >= BATCH_B; }
static int bob(int i) { return model[i].user == 1; }
static int odd(int i) { return model[i].odd; }
static int bob_even(int i) { return model[i].user == 1 && !model[i].odd; }
static int is_7_or_9(int i) { return i == 7 || i == 9; }
static int ratio_2_5(int i) { return i == 10; }
static int combo(int i)
{
	return model[i].level >= SHMLOG_ERROR && model[i].tag != 0 && model[i].user == 0 &&
	       i >= BATCH_B;
}
static int crit_child(int i) { return model[i].level == SHMLOG_CRITICAL && first_child(i); }

/* Runs shmlogcat -o json ARGS and checks the printed records are exactly those PICK accepts,
 * the last LAST of them (-1: all), in order, or newest first when REVERSED. */
static void check_order(const char *const *args, pick_fn pick, int last, int reversed)
{
	const char *argv[32] = {"-o", "json", ring};
	static struct json_object obj;
	int want[NRECORDS], nwant = 0, got = 0;
	size_t n = 3;
	struct run r;

	for (; *args; args++)
		argv[n++] = *args;
	argv[n] = NULL;
	for (int i = 0; i < NRECORDS; i++)
		if (pick(i))
			want[nwant++] = i;
	int skip = last >= 0 && nwant > last ? nwant - last : 0;

	if (reversed) /* the newest first: the same records, read from the end */
		for (int a = skip, b = nwant - 1; a < b; a++, b--) {
			int t = want[a];
			want[a] = want[b];
			want[b] = t;
		}

	run_cat_as(&r, (uid_t)-1, argv);
	if (r.status != 0)
		fail_msg("%s: status %d, %s", argv[3], r.status, r.err.data);
	for (char *line = r.out.data; *line; got++) {
		char *nl = strchr(line, '\n');
		assert_true(nl && json_parse_line(line, (size_t)(nl - line), &obj));
		if (skip + got >= nwant || json_int(&obj, "i") != want[skip + got])
			fail_msg("%s ...: record %d printed is i=%lld, expected %d", argv[3], got,
				 json_int(&obj, "i"), skip + got < nwant ? want[skip + got] : -1);
		line = nl + 1;
	}
	if (got != nwant - skip)
		fail_msg("%s ...: printed %d records, expected %d", argv[3], got, nwant - skip);
	run_free(&r);
}

#define CHECK(pick, last, ...) \
	check_order((const char *const[]){__VA_ARGS__, NULL}, (pick), (last), 0)
#define CHECK_REVERSED(pick, last, ...) \
	check_order((const char *const[]){__VA_ARGS__, NULL}, (pick), (last), 1)

static void rfc3339(char *out, size_t cap, int64_t ns, int offset_min)
{
	time_t secs = (time_t)(ns / 1000000000) + offset_min * 60;
	struct tm tm;
	char zone[16] = "Z";

	gmtime_r(&secs, &tm);
	if (offset_min)
		snprintf(zone, sizeof(zone), "%c%02d:%02d", offset_min < 0 ? '-' : '+',
			 abs(offset_min) / 60, abs(offset_min) % 60);
	snprintf(out, cap, "%04d-%02d-%02dT%02d:%02d:%02d.%09lld%s", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (long long)(ns % 1000000000), zone);
}

static void test_each_filter_selects_exactly_its_records(void **state)
{
	char pid1[16], pid2[16], t_utc[64], t_east[64], t_west[64];

	(void)state;
	snprintf(pid1, sizeof(pid1), "%d", (int)model[PER_WRITER].pid);
	snprintf(pid2, sizeof(pid2), "%d", (int)model[2 * PER_WRITER].pid);
	rfc3339(t_utc, sizeof(t_utc), between_ns, 0);
	rfc3339(t_east, sizeof(t_east), between_ns, 120);
	rfc3339(t_west, sizeof(t_west), between_ns, -330);

	CHECK(warning_up, -1, "-l", "warning");
	CHECK(warning_up, -1, "--level=WARN");
	CHECK(first_child, -1, "--pid", pid1);
	CHECK(children, -1, "--pid", pid1, "--pid", pid2);
	CHECK(tag_web, -1, "-t", "web");
	CHECK(tag_db, -1, "-t", "db.*");
	CHECK(tag_web_or_query, -1, "-t", "web", "--tag=db.query");
	CHECK(none, -1, "-t", "we");
	CHECK(timeout, -1, "-g", "TIMEOUT");
	CHECK(timeout, -1, "-g", "timeout", "-i");
	CHECK(none, -1, "-g", "timeout");
	CHECK(ends_in_5, -1, "-g", "^request [0-9]*5 ");
	CHECK(batch_b, -1, "--since", t_utc);
	CHECK(batch_b, -1, "--since", t_east);
	CHECK(batch_b, -1, "--since", t_west);
	CHECK(batch_a, -1, "--until", t_utc);
	CHECK(any, -1, "--since", "-1h");
	CHECK(any, -1, "--since=-1d", "--until=now");
	CHECK(none, -1, "--until", "-1h");
	CHECK(bob, -1, "user=bob");
	CHECK(any, -1, "user=bob", "user=alice");
	CHECK(odd, -1, "odd=true");
	CHECK(bob_even, -1, "user=bob", "odd=false");
	CHECK(is_7_or_9, -1, "i=7", "i=9");
	CHECK(ratio_2_5, -1, "ratio=2.5");
	CHECK(none, -1, "nosuchfield=1");
}

static void test_filters_combine_and_n_keeps_the_last_matching(void **state)
{
	char parent[16], child[16], since[64];

	(void)state;
	snprintf(parent, sizeof(parent), "%d", (int)getpid());
	snprintf(child, sizeof(child), "%d", (int)model[PER_WRITER].pid);
	rfc3339(since, sizeof(since), between_ns, 0);
	CHECK(combo, -1, "-l", "error", "-t", "db.*", "user=alice", "--pid", parent, "--since", since,
	      "-g", "^request");
	CHECK(any, 5, "-n", "5");
	CHECK(any, 0, "-n", "0");
	CHECK(any, -1, "-n", "100000");
	CHECK(warning_up, 7, "-n", "7", "-l", "warning");
	CHECK(crit_child, 3, "-n", "3", "-l", "critical", "--pid", child);
}

static void test_priority_selects_a_level_or_worse_or_a_range_as_journalctl_does(void **state)
{
	char child[16];

	(void)state;
	snprintf(child, sizeof(child), "%d", (int)model[PER_WRITER].pid);
	CHECK(error_up, -1, "-p", "err");
	CHECK(error_up, -1, "-p", "3");
	CHECK(error_up, -1, "--priority=error");
	CHECK(critical, -1, "-p", "emerg");
	CHECK(critical, -1, "-p", "0");
	CHECK(critical, -1, "-p", "crit");
	CHECK(warning_up, -1, "-p", "notice");
	CHECK(warning_up, -1, "-p", "warning");
	CHECK(any, -1, "-p", "debug");
	CHECK(any, -1, "-p", "7");
	CHECK(debug_info, -1, "-p", "info..debug");
	CHECK(debug_info, -1, "-p", "6..7");
	CHECK(debug_info, -1, "-p", "notice..debug");
	CHECK(warning_error, -1, "-p", "warning..err");
	CHECK(warning_error, -1, "-p", "err..notice");
	/* The last of -l and -p counts: -l LEVEL is LEVEL and every worse one again. */
	CHECK(warning_up, -1, "-p", "info..debug", "-l", "warning");
	CHECK(debug_info, -1, "-l", "warning", "-p", "info..debug");
	CHECK(crit_child, 3, "-n", "3", "-p", "alert", "--pid", child);
}

static void test_reverse_prints_the_same_records_newest_first(void **state)
{
	char child[16];

	(void)state;
	snprintf(child, sizeof(child), "%d", (int)model[PER_WRITER].pid);
	CHECK_REVERSED(any, -1, "-r");
	CHECK_REVERSED(any, 5, "-r", "-n", "5");
	CHECK_REVERSED(any, 0, "--reverse", "-n", "0");
	CHECK_REVERSED(any, -1, "-n", "100000", "-r");
	CHECK_REVERSED(warning_error, -1, "-r", "-p", "warning..err");
	CHECK_REVERSED(crit_child, 3, "-r", "-n", "3", "-l", "critical", "--pid", child);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_prints_exactly_the_records_in_the_ring),
		cmocka_unit_test(test_every_json_line_parses_and_carries_the_ecs_keys),
		cmocka_unit_test(test_json_pretty_is_each_json_line_indented),
		cmocka_unit_test(test_each_filter_selects_exactly_its_records),
		cmocka_unit_test(test_filters_combine_and_n_keeps_the_last_matching),
		cmocka_unit_test(test_priority_selects_a_level_or_worse_or_a_range_as_journalctl_does),
		cmocka_unit_test(test_reverse_prints_the_same_records_newest_first),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* test_shmlogcat_reads_text_and_json_files_shmlogd_wrote_with_filters.c - shmlogd writes the same
 * five records (escapes, fields of every type) as text and as JSON; shmlogcat FILE prints each
 * file back byte for byte in its own format, and every filter (level, tag glob, -g, --pid,
 * --since/--until, KEY=VALUE, -n) picks exactly the expected lines of the file; -o cat gives the
 * messages, the JSON file in -o text gives the text file's lines (after their times). */
#include "test_shmlogcat_files_helpers.h"

#define NREC 5

static void log_records(const char *ring)
{
	struct shmlog *log = shmlog_open(ring, NULL);

	CHECK(log, "shmlog_open(%s): %s", ring, shmlog_errmsg());
	const struct shmlog_field f0[] = {SHMLOG_INT("status", 200), SHMLOG_BOOL("ok", 1)};
	const struct shmlog_field f1[] = {SHMLOG_FLOAT("ms", 1234.5), SHMLOG_STR("user", "ann smith")};
	const struct shmlog_field f2[] = {SHMLOG_INT("attempt", 3)};
	const struct shmlog_field f3[] = {SHMLOG_STR("key", "a=b")};
	CHECK(shmlog_log_fields(log, SHMLOG_INFO, "web", f0, 2, "GET /index done") == 0, "log");
	h_sleep_ms(2); /* distinct microseconds, for --since and --until */
	CHECK(shmlog_log_fields(log, SHMLOG_WARNING, "db.pool", f1, 2, "slow query\tover \"1s\"") == 0, "log");
	h_sleep_ms(2);
	CHECK(shmlog_log_fields(log, SHMLOG_ERROR, "db.conn", f2, 1, "connection lost\\nretrying") == 0, "log");
	h_sleep_ms(2);
	CHECK(shmlog_log_fields(log, SHMLOG_DEBUG, "web", f3, 1, "cache miss") == 0, "log");
	h_sleep_ms(2);
	CHECK(shmlog_log(log, SHMLOG_CRITICAL, "web", "disk full \xe2\x80\xae") == 0, "log");
	CHECK(shmlog_flush(log, 10000 * test_slow_factor()) == 0, "flush timed out");
	shmlog_close(log);
}

/* The file's lines by number, 0-based. */
static int split_lines(char *text, char *lines[NREC + 1])
{
	int n = 0;

	for (char *p = text; *p && n <= NREC; n++) {
		char *nl = strchr(p, '\n');
		CHECK(nl, "a line without its newline");
		lines[n] = p;
		*nl = '\0';
		p = nl + 1;
	}
	return n;
}

/* shmlogcat ARGS must print exactly the lines WANT (indexes into LINES, -1 ends). */
static void expect(char *const lines[], const int *want, const char *const *args)
{
	struct cat_run r;
	char expected[8192] = "";

	for (; *want >= 0; want++) {
		strcat(expected, lines[*want]);
		strcat(expected, "\n");
	}
	cat_run(&r, args);
	CHECK(r.status == 0 && !strcmp(r.out, expected),
	      "shmlogcat %s %s %s: status %d, stderr '%s', got:\n%s\nexpected:\n%s", args[0],
	      args[1] ? args[1] : "", args[1] && args[2] ? args[2] : "", r.status, r.err, r.out,
	      expected);
	cat_free(&r);
}

#define EXPECT(lines, want, ...) expect((lines), (const int[]){want}, (const char *const[]){__VA_ARGS__, NULL})
#define L(...) __VA_ARGS__, -1

static void check_file(const char *path, const char *format, char *text)
{
	char *lines[NREC + 1], since[64], until[64], pid[32];

	CHECK(split_lines(text, lines) == NREC, "%s: not %d lines", path, NREC);
	/* The times as the file has them: RFC 3339 either way. */
	const char *t2 = strstr(lines[2], "20"), *t1 = strstr(lines[1], "20");
	snprintf(since, sizeof(since), "--since=%.27s", t2);
	snprintf(until, sizeof(until), "--until=%.27s", t1);
	snprintf(pid, sizeof(pid), "--pid=%d", (int)getpid());
	EXPECT(lines, L(0, 1, 2, 3, 4), "-o", format, path);
	EXPECT(lines, L(2, 4), "-o", format, "-l", "error", path);
	EXPECT(lines, L(1, 2), "-o", format, "-t", "db.*", path);
	EXPECT(lines, L(2, 4), "-o", format, "-g", "lost|full", path);
	EXPECT(lines, L(0), "-o", format, path, "status=200");
	EXPECT(lines, L(2), "-o", format, path, "attempt=3");
	EXPECT(lines, L(1), "-o", format, path, "user=ann smith");
	EXPECT(lines, L(3), "-o", format, path, "key=a=b");
	EXPECT(lines, L(2, 3, 4), "-o", format, since, path);
	EXPECT(lines, L(0, 1), "-o", format, until, path);
	EXPECT(lines, L(0, 1, 2, 3, 4), "-o", format, pid, path);
	EXPECT(lines, L(3, 4), "-o", format, "-n", "2", path);
	EXPECT(lines, L(4), "-o", format, "-n", "1", "-t", "web", "-l", "warning", path);
}

int main(void)
{
	const char *rt = h_ring("text"), *rj = h_ring("json");
	struct daemon dt, dj;
	struct cat_run r;

	/* A fresh directory: shmlogd appends to what an earlier run left. */
	CHECK(system("rm -rf files && mkdir files") == 0 && chdir("files") == 0, "no scratch directory");
	h_start_ready(&dt, (const char *const[]){"--ring", rt, "--output", "./app.log", NULL}, "d.err");
	h_start_ready(&dj, (const char *const[]){"--ring", rj, "--output", "./app.jsonl", "--format",
						 "json", NULL},
		      "d.err");
	log_records(rt);
	log_records(rj);
	CHECK(h_stop(&dt) == 0 && h_stop(&dj) == 0, "shmlogd did not exit 0");

	char *text = slurp("app.log"), *json = slurp("app.jsonl");
	CAT_RUN(&r, "./app.log");
	CHECK(r.status == 0 && !strcmp(r.out, text) && !*r.err,
	      "text file not printed back byte for byte:\n%s\n%s", text, r.out);
	cat_free(&r);
	CAT_RUN(&r, "--file", "app.jsonl", "-o", "json");
	CHECK(r.status == 0 && !strcmp(r.out, json) && !*r.err,
	      "JSON file not printed back byte for byte:\n%s\n%s", json, r.out);
	cat_free(&r);
	/* The same records in the other format: the text file's lines after their times. */
	CAT_RUN(&r, "./app.jsonl");
	for (char *a = r.out, *b = text; *a || *b;) {
		char *na = strchr(a, '\n'), *nb = strchr(b, '\n');
		CHECK(na && nb && na - a == nb - b && !memcmp(a + 27, b + 27, (size_t)(na - a) - 27),
		      "the JSON file as text differs from the text file:\n%s\n%s", r.out, text);
		a = na + 1;
		b = nb + 1;
	}
	cat_free(&r);
	CAT_RUN(&r, "-o", "cat", "./app.log", "-l", "error");
	CHECK(!strcmp(r.out, "connection lost\\\\nretrying\ndisk full \\xe2\\x80\\xae\n"),
	      "-o cat: '%s'", r.out);
	cat_free(&r);
	CAT_RUN(&r, "--color=always", "./app.log", "-l", "error");
	CHECK(strstr(r.out, "\033[31mERROR\033[0m"), "--color=always: no colour in '%s'", r.out);
	cat_free(&r);

	check_file("./app.log", "text", text);
	check_file("./app.jsonl", "json", json);
	printf("text and JSON files read back byte for byte; 13 filters each give exactly the "
	       "expected lines\n");
	free(text);
	free(json);
	h_cleanup();
	return 0;
}

/* test_shmlogcat_merges_two_files_and_a_ring_by_time.c - a text file, a JSON file and a live ring
 * whose records' times interleave: shmlogcat FILE FILE RING prints them as one stream ordered by
 * time (a tie goes to the source listed first), each line marked with its source
 * (shmlog.source=NAME in text and JSON, "NAME: " before the message with -o cat); -n 3 keeps the
 * last three of the merged stream; --merge with one file marks nothing. */
#include "test_shmlogcat_files_helpers.h"

/* RFC 3339 for NOW_S + DELTA seconds, as files have it. */
static void stamp(char *buf, size_t cap, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%S.000000Z", &tm);
}

int main(void)
{
	const char *ring = h_ring("merge");
	time_t now = time(NULL);
	char t[6][40], text[2048], json[2048];
	struct shmlog_options opts;
	struct cat_run r;

	for (int i = 0; i < 6; i++)
		stamp(t[i], sizeof(t[i]), now + (i < 3 ? -30 + 10 * i : 60 * (i - 2)));
	/* a.log: t0, t2(tie with b), t4; b.jsonl: t1, t2, t5; the ring: now, between t2 and t3. */
	snprintf(text, sizeof(text),
		 "%s INFO  a[1/1] a0\n%s INFO  a[1/1] a2\n%s INFO  a[1/1] a4\n", t[0], t[2], t[4]);
	write_file("a.log", text);
	snprintf(json, sizeof(json),
		 "{\"@timestamp\":\"%s\",\"log.level\":\"info\",\"log.logger\":\"b\",\"message\":\"b1\"}\n"
		 "{\"@timestamp\":\"%s\",\"log.level\":\"info\",\"log.logger\":\"b\",\"message\":\"b2\"}\n"
		 "{\"@timestamp\":\"%s\",\"log.level\":\"info\",\"log.logger\":\"b\",\"message\":\"b5\"}\n",
		 t[1], t[2], t[5]);
	write_file("b.jsonl", json);
	shmlog_options_init(&opts);
	opts.flags = SHMLOG_OPEN_REALTIME_CLOCK;
	struct shmlog *log = shmlog_open(ring, &opts);
	CHECK(log, "shmlog_open: %s", shmlog_errmsg());
	CHECK(shmlog_log(log, SHMLOG_INFO, "r", "ring now") == 0, "log");

	CAT_RUN(&r, "-o", "cat", "./a.log", "./b.jsonl", ring);
	char want[1024];
	snprintf(want, sizeof(want),
		 "./a.log: a0\n./b.jsonl: b1\n./a.log: a2\n./b.jsonl: b2\n%s: ring now\n./a.log: a4\n"
		 "./b.jsonl: b5\n",
		 ring);
	CHECK(r.status == 0 && !strcmp(r.out, want), "merged -o cat: status %d, stderr '%s':\n%s",
	      r.status, r.err, r.out);
	cat_free(&r);

	CAT_RUN(&r, "./a.log", "./b.jsonl", ring, "-n", "3");
	snprintf(want, sizeof(want),
		 "%s INFO  r[%d/%d] ring now shmlog.source=%s\n%s INFO  a[1/1] a4 "
		 "shmlog.source=./a.log\n%s INFO  b[0/0] b5 shmlog.source=./b.jsonl\n",
		 "", (int)getpid(), (int)getpid(), ring, t[4], t[5]);
	/* The ring's line begins with its own time: compare from its level on. */
	char *ring_line = strstr(r.out, " INFO  r[");
	CHECK(r.status == 0 && ring_line && count_char(r.out, '\n') == 3 &&
		      !strcmp(ring_line, want), "merged -n 3:\n%s\nwant (after the first time):\n%s", r.out, want);
	cat_free(&r);

	CAT_RUN(&r, "-o", "json", "./a.log", "./b.jsonl", ring);
	CHECK(r.status == 0 && count_char(r.out, '\n') == 7 &&
		      strstr(r.out, "\"message\":\"b2\",\"ecs.version\":\"1.6.0\",\"log.logger\":\"b\","
				    "\"process.pid\":0,\"process.thread.id\":0,\"event.sequence\":0,"
				    "\"shmlog.source\":\"./b.jsonl\"}"),
	      "merged JSON:\n%s", r.out);
	cat_free(&r);

	CAT_RUN(&r, "--merge", "./a.log");
	CHECK(r.status == 0 && !strcmp(r.out, text), "--merge of one file changed it:\n%s", r.out);
	cat_free(&r);
	shmlog_close(log);
	printf("two files and a ring merged by time, each line marked with its source\n");
	h_cleanup();
	return 0;
}

/* test_every_reader_prints_the_same_time_for_the_same_record.c - a writer (shmlogger, one thread)
 * logs NRECORDS records spread over a dozen of its TSC anchor windows into a ring that shmlogd
 * drains to JSON; shmlogcat prints them as text at once and as JSON more than a second later:
 * every record has the same @timestamp, to the microsecond, in all three, and one thread's times
 * never go back. The ring is made with SHMLOG_CLOCK=tsc, so that on x86-64 writers take their
 * times from the TSC even in a VM whose kernel does not use it (where readers once converted raw
 * ticks each against an anchor of its own, and disagreed by microseconds).
 *
 * Only the built programs touch the ring, so the test also judges other builds of them
 * (SHMLOG_TEST_BIN_DIR). */
#include "ring.h"
#include "shmlogd_harness.h"

#define NRECORDS 40
#define TS_LEN 27 /* 2026-11-21T10:15:03.123456Z */

/* Each reader's timestamp of record i, "" until seen. */
struct times {
	char ts[NRECORDS][TS_LEN + 1];
};

/* Record i's message is "same-time <i>": notes TS for it. */
static void note(struct times *t, const char *msg, const char *ts, size_t ts_len,
		 const char *who)
{
	int i;

	if (sscanf(msg, "same-time %d", &i) != 1)
		return;
	CHECK(i >= 0 && i < NRECORDS, "%s: a record the test did not write: %s", who, msg);
	CHECK(ts_len == TS_LEN, "%s: record %d's timestamp is %zu bytes", who, i, ts_len);
	CHECK(!t->ts[i][0], "%s: record %d twice", who, i);
	memcpy(t->ts[i], ts, TS_LEN);
}

static void note_json_line(struct times *t, const char *line, size_t len, const char *who)
{
	static struct json_object obj;
	char msg[64], ts[64];

	CHECK(json_parse_line(line, len, &obj), "%s: not a JSON line: %.*s", who, (int)len, line);
	if (json_str(&obj, "message", msg, sizeof(msg)) < 0)
		FAIL("%s: no message: %.*s", who, (int)len, line);
	long n = json_str(&obj, "@timestamp", ts, sizeof(ts));
	CHECK(n > 0, "%s: no @timestamp: %.*s", who, (int)len, line);
	note(t, msg, ts, (size_t)n, who);
}

/* "2026-11-21T10:15:03.123456Z INFO  same[pid/tid] same-time 7": the time is the first word. */
static void note_text_line(struct times *t, const char *line, size_t len, const char *who)
{
	struct text_line tl;
	const char *space = memchr(line, ' ', len);
	char msg[64];

	CHECK(space && text_line_split(line, len, &tl) == 0, "%s: not a text line: %.*s", who,
	      (int)len, line);
	snprintf(msg, sizeof(msg), "%.*s", (int)tl.msg_len, tl.msg);
	note(t, msg, line, (size_t)(space - line), who);
}

/* Reads every line of F into T, as JSON or text. */
static void read_lines(struct times *t, FILE *f, int json, const char *who)
{
	char line[4096];

	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);
		CHECK(len > 0 && line[len - 1] == '\n', "%s: a line without its newline", who);
		if (json)
			note_json_line(t, line, len - 1, who);
		else
			note_text_line(t, line, len - 1, who);
	}
}

/* shmlogcat ARGS RING, its output read into T. */
static void shmlogcat(struct times *t, const char *ring, const char *args, const char *who)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "%s'%s' %s %s", test_wrapper_prefix(), h_program(1, "shmlogcat"),
		 args, ring);
	FILE *p = popen(cmd, "r");
	CHECK(p, "popen: %s", strerror(errno));
	read_lines(t, p, strstr(args, "json") != NULL, who);
	CHECK(pclose(p) == 0, "%s: shmlogcat failed", who);
}

/* One shmlogger, one thread, one record every 3 ms: a dozen anchor windows (tsc.h). */
static void write_records(const char *ring)
{
	char cmd[8400];

	snprintf(cmd, sizeof(cmd), "%s'%s' -r %s -T 5000 -t same", test_wrapper_prefix(),
		 h_program(0, "shmlogger"), ring);
	FILE *p = popen(cmd, "w");
	CHECK(p, "popen: %s", strerror(errno));
	setvbuf(p, NULL, _IOLBF, 0);
	for (int i = 0; i < NRECORDS; i++) {
		fprintf(p, "same-time %d\n", i);
		fflush(p);
		h_sleep_ms(3);
	}
	CHECK(pclose(p) == 0, "shmlogger failed");
}

static void say_clock(const char *ring)
{
	struct ring r;

	CHECK(ring_attach(&r, ring, NULL, 0) == 0, "attach: %s", shmlog_errmsg());
	printf("ring clock: %s, tsc_hz %llu\n",
	       r.clock_source == CLOCK_SRC_TSC ? "raw TSC ticks" : "ns since the epoch",
	       (unsigned long long)r.tsc_hz);
	ring_detach(&r);
}

int main(void)
{
	static struct times cat_now, cat_later, daemon_json;
	const char *ring = h_ring("sametime");
	char out[64];
	struct daemon d;

	setenv("SHMLOG_CLOCK", "tsc", 1); /* for the ring shmlogd creates (tsc.h) */
	h_path(out, sizeof(out), "same-time.jsonl");
	unlink(".same-time.jsonl.shmlogd-state");
	const char *args[] = {"--ring", ring, "--output", out, "--format", "json", NULL};
	h_start_ready(&d, args, NULL);
	say_clock(ring);
	write_records(ring);

	shmlogcat(&cat_now, ring, "-o text", "shmlogcat (text, at once)");
	/* The point of the test: a reader that comes later, its own anchor long after the first
	 * one's, must still print what the first one printed. */
	h_sleep_ms(1500);
	shmlogcat(&cat_later, ring, "-o json", "shmlogcat (json, 1.5 s later)");
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0");
	FILE *f = fopen(out, "r");
	CHECK(f, "%s: %s", out, strerror(errno));
	read_lines(&daemon_json, f, 1, "shmlogd (json)");
	fclose(f);

	for (int i = 0; i < NRECORDS; i++) {
		CHECK(cat_now.ts[i][0] && cat_later.ts[i][0] && daemon_json.ts[i][0],
		      "record %d missing from a reader", i);
		CHECK(!strcmp(cat_now.ts[i], cat_later.ts[i]) &&
			      !strcmp(cat_now.ts[i], daemon_json.ts[i]),
		      "record %d: shmlogcat %s, shmlogcat later %s, shmlogd %s", i, cat_now.ts[i],
		      cat_later.ts[i], daemon_json.ts[i]);
		CHECK(i == 0 || strcmp(cat_now.ts[i - 1], cat_now.ts[i]) <= 0,
		      "record %d at %s, before record %d of the same thread at %s", i,
		      cat_now.ts[i], i - 1, cat_now.ts[i - 1]);
	}
	printf("%d records, the same time in every reader: %s ... %s\n", NRECORDS, cat_now.ts[0],
	       cat_now.ts[NRECORDS - 1]);
	h_cleanup();
	return 0;
}

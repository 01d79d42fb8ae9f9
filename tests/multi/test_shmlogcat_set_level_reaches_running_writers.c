/* test_shmlogcat_set_level_reaches_running_writers.c - `shmlogcat --set-level LEVEL NAME`
 * changes the ring's minimum level under a writer that is already running: once it returns,
 * no new debug or info record appears while warnings keep coming, and setting debug again
 * brings them back. --stats reports the level. Each look lasts 400 ms, longer if the follower
 * (at SCHED_IDLE) has not seen 3 records it should by then: a busy machine starves it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_shmlogcat_helpers.h"

#define WATCH_MS 400
#define WATCH_MAX_MS 10000 /* a follower runs at SCHED_IDLE: on a busy machine it may wait */
#define SETTLE_MS 20 /* a record that passed the level check just before the change commits */

/* A writer process that logs debug, info and warning records until killed. */
static pid_t start_writer(const char *ring)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		struct shmlog *log = shmlog_open(ring, NULL);
		for (int i = 0; log; i++) {
			shmlog_log(log, SHMLOG_DEBUG, "w", "debug %d", i);
			shmlog_log(log, SHMLOG_INFO, "w", "info %d", i);
			shmlog_log(log, SHMLOG_WARNING, "w", "warning %d", i);
			sleep_ms(2);
		}
		_exit(1);
	}
	return pid;
}

/* Counts, by level, the records a new follower sees during WATCH_MS, and longer if it has not
 * seen 3 records of level EXPECT by then (up to WATCH_MAX_MS). */
static void watch(const char *ring, int counts[SHMLOG_CRITICAL + 1], int expect)
{
	int64_t start = now_ns(CLOCK_MONOTONIC), end = start + (int64_t)WATCH_MS * 1000000;
	int64_t last = start + (int64_t)WATCH_MAX_MS * 1000000;
	static struct json_object obj;
	struct follower f;
	const char *line;

	memset(counts, 0, sizeof(int) * (SHMLOG_CRITICAL + 1));
	FOLLOW(&f, "-f", "-n", "0", "-o", "json", ring);
	for (;;) {
		int64_t now = now_ns(CLOCK_MONOTONIC);
		if (now >= last || (now >= end && counts[expect] >= 3))
			break;
		if ((line = follow_line(&f, 50)) == NULL)
			continue;
		const struct json_member *m;
		char level[32];

		assert_true(json_parse_line(line, strlen(line), &obj));
		assert_non_null(m = json_get(&obj, "log.level"));
		snprintf(level, sizeof(level), "%.*s", (int)m->len - 2, m->value + 1);
		counts[shmlog_level_parse(level)]++;
	}
	while (now_ns(CLOCK_MONOTONIC) < end && follow_line(&f, 50))
		;
	free(follow_stop(&f));
}

static void set_level(const char *ring, const char *level)
{
	struct run r;

	RUN_CAT(&r, "--set-level", level, ring);
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err.data, "");
	run_free(&r);
	sleep_ms(SETTLE_MS);
}

static void test_set_level_takes_effect_in_a_running_writer(void **state)
{
	const char *ring = ring_name("setlevel");
	struct shmlog *log = open_ring(ring, 1 << 20, SHMLOG_ON_FULL_BLOCK);
	int counts[SHMLOG_CRITICAL + 1];
	struct collector col;
	struct run r;
	pid_t writer;

	(void)state;
	collector_start(&col, ring);
	writer = start_writer(ring);

	watch(ring, counts, SHMLOG_DEBUG);
	printf("level debug:   %d debug, %d info, %d warning\n", counts[1], counts[2], counts[3]);
	assert_true(counts[SHMLOG_DEBUG] > 0 && counts[SHMLOG_INFO] > 0);

	set_level(ring, "warning");
	watch(ring, counts, SHMLOG_WARNING);
	printf("level warning: %d debug, %d info, %d warning\n", counts[1], counts[2], counts[3]);
	assert_int_equal(counts[SHMLOG_DEBUG], 0);
	assert_int_equal(counts[SHMLOG_INFO], 0);
	assert_true(counts[SHMLOG_WARNING] > 0);
	assert_int_equal(shmlog_get_level(log), SHMLOG_WARNING);
	RUN_CAT(&r, "--stats", "--interval", "0", ring);
	assert_non_null(strstr(r.out.data, "minimum level warning"));
	run_free(&r);

	set_level(ring, "debug");
	watch(ring, counts, SHMLOG_DEBUG);
	printf("level debug:   %d debug, %d info, %d warning\n", counts[1], counts[2], counts[3]);
	assert_true(counts[SHMLOG_DEBUG] > 0);

	kill(writer, SIGKILL);
	wait_status(writer);
	collector_stop(&col);
	shmlog_close(log);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_level_takes_effect_in_a_running_writer),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

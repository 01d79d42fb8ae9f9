/* test_shmlogd_recovers_from_a_crash_in_the_middle_of_a_skip.c - the library's crash point inside
 * the consumer's skip (CONSUMER_MID_SKIP): a writer dies between reserving a record and claiming
 * it; a second of grace later shmlogd starts marking the reservation SKIPPED and is killed after
 * the second 16-byte step. The next shmlogd finds the half-marked range, finishes the skip and
 * goes on: every record of the live writers exactly once and in order, the dead writer's records
 * before its death all there, and its lost record reported as abandoned. Needs a build with
 * SHMLOG_TEST_HOOKS (skips otherwise). */
#include "shmlogd_harness.h"
#include "testhook.h"

#define WRITERS 2
#define PER_WRITER 3000L
#define DEAD_BEFORE 10 /* records the dying writer commits first */

/* Logs "w<WRITERS> n<i>" for i < DEAD_BEFORE, then dies after reserving the next one. */
static pid_t dying_writer(const char *ring)
{
	fflush(NULL);
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid)
		return pid;
	struct shmlog *log = shmlog_open(ring, NULL);
	if (!log)
		_exit(2);
	for (long i = 0; i < DEAD_BEFORE; i++)
		if (shmlog_log(log, SHMLOG_INFO, "t", "w%d n%ld", WRITERS, i) < 0)
			_exit(4);
	testhook_arm(TH_WRITER_AFTER_RESERVE, 1);
	shmlog_log(log, SHMLOG_INFO, "t", "w%d n%d", WRITERS, DEAD_BEFORE);
	_exit(5); /* not reached: the hook kills us */
}

int main(void)
{
#ifndef SHMLOG_TEST_HOOKS
	h_skip("built without SHMLOG_TEST_HOOKS: the library has no crash points");
#endif
	const char *ring = h_ring("midskip");
	pid_t pids[WRITERS];
	struct daemon d;
	struct checker k;
	int st;

	unlink("out.jsonl");
	unlink(".out.jsonl.shmlogd-state");
	unlink("shmlogd.stderr");
	const char *args[] = {"--ring", ring, "--output", "out.jsonl", "--format", "json", NULL};
	setenv("SHMLOG_CRASH_AT", "CONSUMER_MID_SKIP:2", 1);
	h_start_ready(&d, args, "shmlogd.stderr");
	unsetenv("SHMLOG_CRASH_AT");

	pid_t dead = dying_writer(ring);
	CHECK(waitpid(dead, &st, 0) == dead && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
	      "the writer did not die at its reserve hook");
	/* Records behind the dead reservation wait for its grace, then shmlogd skips it. */
	h_writers_start(pids, WRITERS,
			(struct writer_spec){.ring = ring, .n = PER_WRITER, .pace_every = 10,
					     .pace_us = 200 * test_slow_factor()});
	CHECK(h_reap(&d, 20000 * test_slow_factor()) == 128 + SIGKILL,
	      "shmlogd was not killed in the middle of its skip");

	h_start_ready(&d, args, "shmlogd.stderr");
	h_writers_done(pids, WRITERS, 1);
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");

	h_checker_init(&k, 1, WRITERS + 1, PER_WRITER, 0);
	h_check_file(&k, "out.jsonl");
	for (int w = 0; w < WRITERS; w++)
		CHECK(k.next[w] == PER_WRITER, "writer %d: %ld of %ld records", w, k.next[w],
		      PER_WRITER);
	CHECK(k.next[WRITERS] == DEAD_BEFORE, "the dead writer: %ld records, expected its first %d",
	      k.next[WRITERS], DEAD_BEFORE);
	CHECK(h_count_in_file("out.jsonl", "abandoned") >= 1,
	      "the dead writer's reservation is not reported as abandoned");
	printf("crash in the middle of a skip: %ld records exactly once, %d of the dead writer, "
	       "its lost record reported as abandoned\n",
	       k.records, DEAD_BEFORE);
	h_cleanup();
	return 0;
}

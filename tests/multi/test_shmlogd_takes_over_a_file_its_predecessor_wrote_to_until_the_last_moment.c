/* test_shmlogd_takes_over_a_file_its_predecessor_wrote_to_until_the_last_moment.c - a shmlogd
 * that starts while the previous one still writes the output (a restart that overlaps the old
 * process's drain at SIGTERM) waits for the state file's lock, and only then looks at the file:
 * records the old one appended meanwhile are neither cut off nor written twice when the new one
 * crashes halfway through its first batch and a third one recovers. Needs a build with
 * SHMLOG_TEST_HOOKS (skips otherwise). */
#include "shmlogd_harness.h"

#define PER_WRITER 1000L
#define DELAY_MS 1500

int main(void)
{
#ifndef SHMLOG_TEST_HOOKS
	h_skip("built without SHMLOG_TEST_HOOKS: shmlogd has no delay or crash points");
#endif
	const char *ring = h_ring("handover");
	const char *args[] = {"--ring", ring, "--output", "handover.log", NULL};
	struct daemon a, b, c;
	struct writer_spec w = {.ring = ring, .n = PER_WRITER};
	struct checker k;
	pid_t pid;
	char delay[64];

	unlink("handover.log");
	unlink(".handover.log.shmlogd-state");
	unlink("a.stderr");
	unlink("b.stderr");
	unlink("c.stderr");
	h_start_ready(&a, args, "a.stderr");
	w.id = 0;
	pid = h_writer(&w);
	h_writers_done(&pid, 1, 1);

	/* B opens the output, then stalls before the lock while A writes writer 1's records and
	 * exits; B then takes over, and dies halfway through writing its first batch. */
	snprintf(delay, sizeof(delay), "before_lock:%d", DELAY_MS * test_slow_factor());
	setenv("SHMLOGD_DELAY", delay, 1);
	setenv("SHMLOG_CRASH_AT", "mid_write:1", 1);
	int64_t b_started = h_now_ms();
	h_start(&b, args, "b.stderr");
	unsetenv("SHMLOGD_DELAY");
	unsetenv("SHMLOG_CRASH_AT");
	CHECK(h_wait_lines("b.stderr", "before_lock takes", 1, 10000 * test_slow_factor()) >= 0,
	      "shmlogd B never reached its delay before the lock (see b.stderr)");
	w.id = 1;
	pid = h_writer(&w);
	h_writers_done(&pid, 1, 1);
	CHECK(h_stop(&a) == 0, "shmlogd A did not exit 0 after SIGTERM");
	CHECK(h_now_ms() - b_started < DELAY_MS * test_slow_factor(),
	      "A's records came after B's delay: the test did not make them overlap; rerun");
	CHECK(h_wait_notify(&b, "READY=1", 10000 * test_slow_factor()) == 0,
	      "shmlogd B did not take over after A exited (see b.stderr)");
	w.id = 2;
	pid = h_writer(&w);
	int st = h_reap(&b, 20000 * test_slow_factor());
	CHECK(st == 128 + SIGKILL, "shmlogd B exited with %d, not killed halfway through a write",
	      st);

	h_start_ready(&c, args, "c.stderr");
	h_writers_done(&pid, 1, 1);
	CHECK(h_stop(&c) == 0, "shmlogd C did not exit 0 after SIGTERM");

	h_checker_init(&k, 0, 3, PER_WRITER, 0);
	h_check_file(&k, "handover.log");
	h_check_complete(&k);
	printf("3 x %ld records exactly once, in order, across a takeover that overlapped the old "
	       "collector's last writes and a crash of the new one\n",
	       PER_WRITER);
	h_cleanup();
	return 0;
}

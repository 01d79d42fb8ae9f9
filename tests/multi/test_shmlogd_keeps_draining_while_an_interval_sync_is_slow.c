/* test_shmlogd_keeps_draining_while_an_interval_sync_is_slow.c - with --fsync interval:MS the
 * fdatasync runs in shmlogd's sync thread, so a slow disk does not hold up draining: while one
 * sync takes 5 s (SHMLOGD_DELAY=sync:5000, a test hook), records logged one at a time still
 * reach the file within the flush interval. Done in the drain loop, as it once was, each would
 * have waited for the sync. SIGTERM then waits for the sync in flight (which shows one was) and
 * exits 0 with every record in the file.
 *
 * Needs shmlogd built with SHMLOG_TEST_HOOKS (skips otherwise).
 */
#include "test_shmlogd_harness.h"

#define SYNC_DELAY_MS 5000
#define PROBES 10
#define PROBE_GAP_MS 100
#define LATE_MS 1500 /* the flush interval is 100 ms; an inline sync would take seconds */

/* Logs MSG and returns how long it took to show up in PATH (-1: not within 10 s). */
static int64_t time_to_file(struct shmlog *lg, const char *path, const char *msg)
{
	int64_t t0 = h_now_ms();

	CHECK(shmlog_write(lg, SHMLOG_INFO, "t", msg, strlen(msg)) == 0, "shmlog_write: %s",
	      shmlog_errmsg());
	while (h_now_ms() - t0 < 10000) {
		if (h_count_in_file(path, msg) == 1)
			return h_now_ms() - t0;
		h_sleep_ms(2);
	}
	return -1;
}

int main(void)
{
#ifndef SHMLOG_TEST_HOOKS
	h_skip("shmlogd's test hooks are not compiled in (SHMLOG_TEST_HOOKS)");
#endif
	const char *ring = h_ring("slowsync");
	char out[64], msg[64], delay[32];
	struct daemon d;

	h_path(out, sizeof(out), "slowsync.log");
	unlink(".slowsync.log.shmlogd-state");
	snprintf(delay, sizeof(delay), "sync:%d", SYNC_DELAY_MS);
	setenv("SHMLOGD_DELAY", delay, 1);
	const char *args[] = {"--ring", ring, "--output", out, "--fsync", "interval:100", NULL};
	h_start_ready(&d, args, "slowsync.stderr");
	unsetenv("SHMLOGD_DELAY");

	struct shmlog *lg = shmlog_open(ring, NULL);
	CHECK(lg, "shmlog_open: %s", shmlog_errmsg());
	/* The first record makes the file dirty; 100 ms later its sync starts and takes 5 s. */
	int64_t t_first = h_now_ms();
	CHECK(time_to_file(lg, out, "first") >= 0, "the first record never reached %s", out);
	h_sleep_ms(300);

	int64_t worst = 0;
	for (int i = 0; i < PROBES; i++) {
		snprintf(msg, sizeof(msg), "probe %d", i);
		int64_t took = time_to_file(lg, out, msg);
		CHECK(took >= 0, "'%s' never reached %s", msg, out);
		printf("'%s' reached the file in %lld ms\n", msg, (long long)took);
		CHECK(took < LATE_MS,
		      "'%s' took %lld ms to reach the file while a sync was running: the drain "
		      "loop waited for the disk",
		      msg, (long long)took);
		worst = took > worst ? took : worst;
		h_sleep_ms(PROBE_GAP_MS);
	}
	int64_t t_term = h_now_ms();
	CHECK(t_term - t_first < SYNC_DELAY_MS - 1000,
	      "the probes took %lld ms: too long to be sure they ran during the slow sync",
	      (long long)(t_term - t_first));

	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM (see slowsync.stderr)");
	int64_t exit_ms = h_now_ms() - t_term;
	printf("worst probe %lld ms; exit after SIGTERM took %lld ms (the slow sync's rest)\n",
	       (long long)worst, (long long)exit_ms);
	/* The sync began at about t_first + 100 ms and ends 5 s later: exit must wait for it. */
	CHECK(h_now_ms() >= t_first + SYNC_DELAY_MS,
	      "shmlogd exited %lld ms after the first record, before the 5 s sync could end: "
	      "was no sync running?",
	      (long long)(h_now_ms() - t_first));
	CHECK(h_count_in_file(out, "first") == 1, "'first' is not in %s exactly once", out);
	for (int i = 0; i < PROBES; i++) {
		snprintf(msg, sizeof(msg), "probe %d", i);
		CHECK(h_count_in_file(out, msg) == 1, "'%s' is not in %s exactly once", msg, out);
	}
	shmlog_close(lg);
	h_cleanup();
	return 0;
}

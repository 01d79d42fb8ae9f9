/* test_shmlogd_keeps_draining_while_an_interval_sync_is_slow.c - with --fsync interval:MS the
 * fdatasync runs in shmlogd's sync thread, so a slow disk does not hold up draining. One sync is
 * made to take 5 s (SHMLOGD_DELAY=sync:5000, a test hook that says on stderr which thread it
 * runs in). Checked:
 *   - the slow sync runs in the sync thread, not the drain loop's;
 *   - records logged one at a time meanwhile reach the file within the flush interval (done in
 *     the loop, as it once was, each waited for the sync);
 *   - meanwhile the loop sleeps: under 100 ms of CPU in a second (no spinning on a sync that is
 *     due but cannot start);
 *   - once the slow sync ends, the bytes written during it get their own sync at once (its end
 *     wakes the loop, which hands over the next);
 *   - SIGTERM: exit 0 with every record in the file exactly once.
 *
 * Needs shmlogd built with SHMLOG_TEST_HOOKS (skips otherwise).
 */
#include "shmlogd_harness.h"

#define SYNC_DELAY_MS 5000
#define PROBES 10
#define PROBE_GAP_MS 100
#define LATE_MS 1500   /* the flush interval is 100 ms; an inline sync would take seconds */
#define CPU_LIMIT_NS (100 * 1000000LL)
#define SYNC_THREAD_HOOK "sync takes 5000 ms in the sync thread"
#define SYNC_BY_THREAD "fdatasync in the sync thread"

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
	const char *err = "slowsync.stderr";
	char out[64], msg[64];
	struct daemon d;
	int exact;

	h_path(out, sizeof(out), "slowsync.log");
	unlink(".slowsync.log.shmlogd-state");
	h_start_slow_sync(&d, ring, out, err, SYNC_DELAY_MS);

	struct shmlog *lg = shmlog_open(ring, NULL);
	CHECK(lg, "shmlog_open: %s", shmlog_errmsg());
	/* The first record makes the file dirty; 100 ms later its sync starts and takes 5 s. */
	CHECK(time_to_file(lg, out, "first") >= 0, "the first record never reached %s", out);
	CHECK(h_wait_lines(err, "sync takes 5000 ms", 1, 3000) >= 0,
	      "no slow sync began within 3 s of the first record (see %s)", err);
	int64_t t_sync = h_now_ms();
	CHECK(h_count_in_file(err, SYNC_THREAD_HOOK) == 1,
	      "the slow sync does not run in the sync thread (see %s)", err);

	int64_t worst = 0;
	for (int i = 0; i < PROBES; i++) {
		snprintf(msg, sizeof(msg), "probe %d", i);
		int64_t took = time_to_file(lg, out, msg);
		CHECK(took >= 0, "'%s' never reached %s", msg, out);
		CHECK(took < LATE_MS,
		      "'%s' took %lld ms to reach the file while a sync was running: the drain "
		      "loop waited for the disk",
		      msg, (long long)took);
		worst = took > worst ? took : worst;
		h_sleep_ms(PROBE_GAP_MS);
	}
	printf("%d records logged during the slow sync reached the file in at most %lld ms\n",
	       PROBES, (long long)worst);

	/* The file is dirty again and its interval has passed, but the thread is busy. */
	long long cpu0 = h_cpu_ns(d.pid, &exact);
	h_sleep_ms(1000);
	long long cpu = h_cpu_ns(d.pid, &exact) - cpu0;
	printf("CPU while a sync was due but the thread was busy: %.3f ms in 1 s\n", cpu / 1e6);
	CHECK(cpu < CPU_LIMIT_NS, "shmlogd used %.1f ms of CPU in 1 s while waiting for the sync "
				  "thread: is the loop spinning?",
	      cpu / 1e6);
	int64_t during = h_now_ms() - t_sync;
	CHECK(during < SYNC_DELAY_MS - 200,
	      "the checks took %lld ms: too long to be sure they ran during the slow sync",
	      (long long)during);

	/* When the slow sync ends, the probes' bytes are synced next, without a new record. */
	CHECK(h_count_in_file(err, SYNC_BY_THREAD) == 1, "a second sync began while the first ran");
	int64_t waited = h_wait_lines(err, SYNC_BY_THREAD, 2, SYNC_DELAY_MS + 3000);
	CHECK(waited >= 0, "no sync of the bytes written during the slow one within 3 s of its end "
			   "(see %s): did its end wake the loop?",
	      err);
	printf("the next sync began %lld ms after the slow one (%d ms) was seen to begin\n",
	       (long long)(h_now_ms() - t_sync), SYNC_DELAY_MS);

	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM (see %s)", err);
	CHECK(h_count_in_file(out, "first") == 1, "'first' is not in %s exactly once", out);
	for (int i = 0; i < PROBES; i++) {
		snprintf(msg, sizeof(msg), "probe %d", i);
		CHECK(h_count_in_file(out, msg) == 1, "'%s' is not in %s exactly once", msg, out);
	}
	shmlog_close(lg);
	h_cleanup();
	return 0;
}

/* test_shmlogd_syncs_the_old_file_at_sighup_while_a_sync_runs.c - SIGHUP while the sync thread
 * is in a slow fdatasync of the output (SHMLOGD_DELAY=sync:5000, a test hook), after logrotate
 * renamed the file and something else took its name, so the reopen fails:
 *   - the old file is still synced in the drain loop before the reopen, as SIGHUP promises,
 *     even though the loop had handed its last bytes to the sync thread;
 *   - the reopen's failure is reported, and the slow sync's success, which was for the old
 *     file, does not make shmlogd claim the output "works again" while it cannot be opened;
 *   - once the path is free again, the next record goes to the new file, and only then does
 *     shmlogd say it works again. Nothing is lost or written twice.
 *
 * Needs shmlogd built with SHMLOG_TEST_HOOKS (skips otherwise).
 */
#include "shmlogd_harness.h"

#define SYNC_DELAY_MS 5000

static void log_msg(struct shmlog *lg, const char *msg)
{
	CHECK(shmlog_write(lg, SHMLOG_INFO, "t", msg, strlen(msg)) == 0, "shmlog_write: %s",
	      shmlog_errmsg());
}

int main(void)
{
#ifndef SHMLOG_TEST_HOOKS
	h_skip("shmlogd's test hooks are not compiled in (SHMLOG_TEST_HOOKS)");
#endif
	const char *ring = h_ring("hupsync");
	const char *err = "hupsync.stderr";
	char out[64], old[64];
	struct daemon d;

	h_path(out, sizeof(out), "hupsync.log");
	h_path(old, sizeof(old), "hupsync.log.1");
	rmdir(out);
	unlink(".hupsync.log.shmlogd-state");
	h_start_slow_sync(&d, ring, out, err, SYNC_DELAY_MS);

	struct shmlog *lg = shmlog_open(ring, NULL);
	CHECK(lg, "shmlog_open: %s", shmlog_errmsg());
	log_msg(lg, "before the rename");
	CHECK(h_wait_lines(err, "sync takes 5000 ms in the sync thread", 1, 3000) >= 0,
	      "no slow sync began in the sync thread within 3 s of the first record (see %s)", err);
	int64_t t_sync = h_now_ms();
	CHECK(h_count_in_file(out, "before the rename") == 1, "the first record is not in %s", out);
	CHECK(h_count_in_file(err, "fdatasync in the drain thread") == 0,
	      "a sync ran in the drain loop before SIGHUP (see %s)", err);

	/* logrotate's rename, then something else takes the name: the reopen must fail. */
	CHECK(rename(out, old) == 0, "rename: %s", strerror(errno));
	CHECK(mkdir(out, 0755) == 0, "mkdir %s: %s", out, strerror(errno));
	CHECK(kill(d.pid, SIGHUP) == 0, "kill: %s", strerror(errno));
	CHECK(h_wait_lines(err, "reopening", 1, 3000) >= 0,
	      "no error reported for the failed reopen within 3 s (see %s)", err);
	CHECK(h_count_in_file(err, "fdatasync in the drain thread") == 1,
	      "SIGHUP did not sync the old file before reopening (the sync thread had its last "
	      "bytes; see %s)",
	      err);

	/* The slow sync of the old file ends, successfully: that says nothing of the output. */
	int64_t left = t_sync + SYNC_DELAY_MS + 500 - h_now_ms();
	if (left > 0)
		h_sleep_ms(left);
	CHECK(h_count_in_file(err, "works again") == 0,
	      "shmlogd said the output works again while %s is a directory (see %s)", out, err);

	/* The path is free again: the next record opens the new file. */
	CHECK(rmdir(out) == 0, "rmdir %s: %s", out, strerror(errno));
	log_msg(lg, "after the rename");
	CHECK(shmlog_flush(lg, 10000) == 0, "shmlog_flush: %s", shmlog_errmsg());
	CHECK(h_wait_lines(err, "works again", 1, 3000) >= 0,
	      "no 'works again' once the new file could be opened (see %s)", err);
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM (see %s)", err);

	CHECK(h_count_in_file(old, "before the rename") == 1, "'before' is not in %s once", old);
	CHECK(h_count_in_file(old, "after the rename") == 0, "'after' went to the old file");
	CHECK(h_count_in_file(out, "after the rename") == 1, "'after' is not in %s once", out);
	CHECK(h_count_in_file(out, "before the rename") == 0, "'before' was written twice");
	printf("SIGHUP during a 5 s sync: old file synced in the loop, reopen failure reported, "
	       "no false recovery; the next record went to the new file\n");
	shmlog_close(lg);
	h_cleanup();
	return 0;
}

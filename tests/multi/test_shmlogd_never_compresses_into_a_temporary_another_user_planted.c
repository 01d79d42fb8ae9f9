/* test_shmlogd_never_compresses_into_a_temporary_another_user_planted.c - shmlogd compresses a
 * rotated file into NAME.gz.tmp and renames that into place. In a sticky directory another user
 * can make NAME.gz.tmp first, between the start-up tidying and the compression (a test hook
 * holds the worker there: SHMLOGD_DELAY=before_tmp). Writing the log into their file would give
 * them its contents, and the .gz itself. The temporary is created O_EXCL: nobody's file stays
 * empty and theirs, no .gz appears, the rotated file stays as it was, and a warning names the
 * temporary. */
#include "test_shmlogd_trust.h"

#define ROTATED "pub/app.log.20200101T000000.000000Z"
#define DELAY_MS 3000

int main(void)
{
	struct daemon d;
	char delay[64];
	uid_t uid;
	off_t size;

	t_need_other_user();
	const char *ring = t_ring_with_records("tmp");
	t_dir("pub", 01777);
	t_file(ROTATED, 0640, "ours, rotated before\n");

	snprintf(delay, sizeof(delay), "before_tmp:%d", DELAY_MS * test_slow_factor());
	setenv("SHMLOGD_DELAY", delay, 1);
	const char *args[] = {"--ring", ring, "--output", "pub/app.log", "--compress", "gzip", NULL};
	unlink("accepted.stderr");
	h_start_ready(&d, args, "accepted.stderr");
	/* The worker gets there a moment after READY=1; without hooks it never says so. */
	if (h_wait_lines("accepted.stderr", "before_tmp", 1, 2000 * test_slow_factor()) < 0) {
		h_kill(&d);
		h_skip("shmlogd has no test hooks (SHMLOG_TEST_HOOKS) to hold the worker");
	}
	t_as_other("umask 0; : > " ROTATED ".gz.tmp");
	h_sleep_ms(DELAY_MS * test_slow_factor() + 500);
	CHECK(h_stop(&d) == 0, "shmlogd did not stop cleanly (see accepted.stderr)");

	t_owner_size(ROTATED ".gz.tmp", &uid, &size);
	CHECK(uid == 65534 && size == 0, "the planted temporary was written to (%lld bytes)",
	      (long long)size);
	CHECK(access(ROTATED ".gz", F_OK) != 0, "a .gz appeared through the planted temporary");
	t_owner_size(ROTATED, &uid, &size);
	CHECK(uid == 0 && size == 21, "the rotated file was changed");
	CHECK(h_count_in_file("accepted.stderr", ROTATED ".gz.tmp") >= 1,
	      "no warning names the planted temporary");
	printf("the planted temporary is untouched; %s left uncompressed, said on stderr\n", ROTATED);
	h_cleanup();
	return 0;
}

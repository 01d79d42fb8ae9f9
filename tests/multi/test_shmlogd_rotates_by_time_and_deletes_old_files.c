/* test_shmlogd_rotates_by_time_and_deletes_old_files.c - with --rotate-interval 1 a trickle of
 * records is spread over a new file each second, each rotated one gzipped (valid for gzip -t) and
 * all of them together holding every record once, in order; at start-up a rotated file older
 * than --max-age is deleted, and a compression temporary left by a crash is cleaned away. */
#include "shmlogd_harness.h"

int main(void)
{
	const char *ring = h_ring("time");
	const char *old = "tdir/time.log.20000101T000000.000000Z.gz";
	const char *stale = "tdir/time.log.20000101T000001.000000Z.gz.tmp";
	struct timespec t2000[2] = {{946684800, 0}, {946684800, 0}};
	struct daemon d;
	struct checker k;
	pid_t pid;

	CHECK(system("rm -rf tdir && mkdir tdir") == 0, "cannot make tdir");
	for (int i = 0; i < 2; i++) {
		const char *p = i ? stale : old;
		int fd = open(p, O_WRONLY | O_CREAT, 0640);
		CHECK(fd >= 0 && futimens(fd, t2000) == 0, "%s: %s", p, strerror(errno));
		close(fd);
	}
	const char *args[] = {"--ring", ring, "--output", "tdir/time.log", "--format", "json",
			      "--rotate-interval", "1", "--max-age", "1d", "--compress", "gzip", NULL};
	h_start_ready(&d, args, "time.stderr");
	CHECK(access(old, F_OK) < 0, "%s, older than --max-age, was not deleted", old);
	CHECK(access(stale, F_OK) < 0, "the stale temporary %s was not removed", stale);

	struct writer_spec w = {.ring = ring, .n = 70, .pace_every = 1, .pace_us = 50000};
	pid = h_writer(&w);
	h_writers_done(&pid, 1, 1);
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");

	h_checker_init(&k, 1, 1, 70, 0);
	k.contiguous = 1;
	int rotated = h_check_rotated(&k, "tdir", "time.log");
	h_check_complete(&k);
	CHECK(rotated >= 2, "only %d rotations in 3.5 s with --rotate-interval 1", rotated);
	CHECK(system("gzip -t tdir/time.log.*.gz") == 0, "gzip -t rejects a rotated file");
	printf("%d time rotations, %ld records exactly once and in order; old file and stale "
	       "temporary removed\n",
	       rotated, k.records);
	h_cleanup();
	return 0;
}

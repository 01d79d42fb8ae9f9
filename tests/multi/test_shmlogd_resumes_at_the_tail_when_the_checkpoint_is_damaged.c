/* test_shmlogd_resumes_at_the_tail_when_the_checkpoint_is_damaged.c - a ring whose checkpoint
 * a stray write scribbled over (both copies misaligned) still has a sound head and tail: a
 * shmlogd started on it says so in one line, resumes at the tail its predecessor left, and the
 * output holds every record exactly once, those written before the damage and those after. */
#include "test_shmlogd_harness.h"

#define HALF 500L

int main(void)
{
	const char *ring = h_ring("badcp");
	const char *args[] = {"--ring", ring, "--output", "badcp.log", NULL};
	struct daemon d;
	struct checker k;
	long i = 0;

	unlink("badcp.log");
	unlink(".badcp.log.shmlogd-state");
	unlink("badcp.stderr");
	h_start_ready(&d, args, "badcp.stderr");
	struct shmlog *log = shmlog_open(ring, NULL);
	CHECK(log, "open %s: %s", ring, shmlog_errmsg());
	for (; i < HALF; i++)
		CHECK(shmlog_log(log, SHMLOG_INFO, "t", "w0 n%ld", i) == 0, "log: %s",
		      shmlog_errmsg());
	CHECK(shmlog_flush(log, 10000 * test_slow_factor()) == 0, "flush: %s", shmlog_errmsg());
	CHECK(h_stop(&d) == 0, "the first shmlogd did not exit 0 after SIGTERM");
	for (; i < 2 * HALF; i++)
		CHECK(shmlog_log(log, SHMLOG_INFO, "t", "w0 n%ld", i) == 0, "log: %s",
		      shmlog_errmsg());

	/* Both checkpoint positions (offsets 200 and 216, docs/FORMAT.md) made misaligned. */
	char shm_path[128];
	snprintf(shm_path, sizeof(shm_path), "/dev/shm/shmlog.%s", ring);
	int fd = open(shm_path, O_WRONLY);
	uint64_t bad = 5;
	CHECK(fd >= 0 && pwrite(fd, &bad, sizeof(bad), 200) == sizeof(bad) &&
		      pwrite(fd, &bad, sizeof(bad), 216) == sizeof(bad),
	      "scribble %s: %s", shm_path, strerror(errno));
	close(fd);

	h_start_ready(&d, args, "badcp.stderr");
	CHECK(shmlog_flush(log, 10000 * test_slow_factor()) == 0, "flush: %s", shmlog_errmsg());
	shmlog_close(log);
	CHECK(h_stop(&d) == 0, "the second shmlogd did not exit 0 after SIGTERM");
	CHECK(h_count_in_file("badcp.stderr", "its checkpoint was damaged (head at") == 1,
	      "shmlogd did not say once that the checkpoint was damaged (see badcp.stderr)");
	h_checker_init(&k, 0, 1, 2 * HALF, 0);
	h_check_file(&k, "badcp.log");
	h_check_complete(&k);
	printf("%ld records exactly once, %ld of them after the checkpoint was damaged\n",
	       2 * HALF, HALF);
	return 0;
}

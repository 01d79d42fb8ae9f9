/* test_shmlogd_says_once_when_its_ring_is_removed_and_keeps_draining.c - the ring's name taken
 * from /dev/shm (rm, shmlog_unlink(), systemd-logind's RemoveIPC=) while shmlogd sleeps on it:
 * shmlogd says so in one line within a second, without polling (inotify), and only once; a file
 * of a similar name going away says nothing; the processes still attached keep logging into the
 * ring and shmlogd keeps writing their records, each once, in order. */
#include "shmlogd_harness.h"

#define RECORDS 100L

static void log_record(struct shmlog *log, long i)
{
	CHECK(shmlog_log(log, SHMLOG_INFO, "t", "w0 n%ld", i) == 0, "record %ld not logged: %s", i,
	      shmlog_errmsg());
}

int main(void)
{
	const char *ring = h_ring("gone");
	const char *needle = "was removed from /dev/shm";
	char out[64], other[160];
	struct daemon d;
	struct checker k;

	h_path(out, sizeof(out), "gone.log");
	unlink(".gone.log.shmlogd-state");
	unlink("gone.stderr");
	const char *args[] = {"--ring", ring, "--output", out, NULL};
	h_start_ready(&d, args, "gone.stderr");
	struct shmlog *log = shmlog_open(ring, NULL);
	CHECK(log, "open the ring: %s", shmlog_errmsg());
	log_record(log, 0);
	CHECK(shmlog_flush(log, 10000) == 0, "record 0 not written within 10 s");

	/* A neighbour's file going away is not ours. */
	snprintf(other, sizeof(other), "/dev/shm/shmlog.%s-other", ring);
	int fd = open(other, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create %s: %s", other, strerror(errno));
	close(fd);
	CHECK(unlink(other) == 0, "unlink %s: %s", other, strerror(errno));
	h_sleep_ms(300);
	CHECK(h_count_in_file("gone.stderr", needle) == 0,
	      "shmlogd said its ring was removed when another file went");

	int64_t t0 = h_now_ms();
	CHECK(shmlog_unlink(ring) == 0, "shmlog_unlink: %s", shmlog_errmsg());
	int64_t said_ms = h_wait_lines("gone.stderr", needle, 1, 1000 * test_slow_factor());
	if (said_ms < 0)
		h_print_file("gone.stderr");
	CHECK(said_ms >= 0, "shmlogd did not say within 1 s that its ring was removed");
	printf("ring removed: said so after %lld ms\n", (long long)(h_now_ms() - t0));

	for (long i = 1; i < RECORDS; i++)
		log_record(log, i);
	CHECK(shmlog_flush(log, 10000) == 0,
	      "records logged into the removed ring were not written within 10 s");
	shmlog_close(log);
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	int said = h_count_in_file("gone.stderr", needle);
	if (said != 1)
		h_print_file("gone.stderr");
	CHECK(said == 1, "shmlogd said %d times that its ring was removed, expected once", said);
	h_checker_init(&k, 0, 1, RECORDS, 0);
	h_check_file(&k, out);
	h_check_complete(&k);
	printf("the attached writer's %ld records were all written, once each\n", k.records);
	h_cleanup();
	return 0;
}

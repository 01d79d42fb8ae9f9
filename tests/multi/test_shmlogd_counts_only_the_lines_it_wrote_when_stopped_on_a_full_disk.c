/* test_shmlogd_counts_only_the_lines_it_wrote_when_stopped_on_a_full_disk.c - shmlogd's last word
 * is how many lines it wrote. Stopped while its disk is full, it must not count the lines it
 * formatted but could not write: it says how many it wrote and how many stay in the ring, exits
 * with EX_IOERR, and the next shmlogd writes them all, says so, and does not speak of a batch
 * cut off by a crash (none reached the file). Needs to mount a tmpfs (root);
 * skips otherwise. */
#include <sysexits.h>

#include "shmlogd_harness.h"

#define RECORDS 500L
#define MNT "count-mnt"
#define PAGE 4096L /* tmpfs gives a file whole pages */

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

int main(void)
{
	const char *ring = h_ring("count");
	char want[128];
	struct daemon d;
	struct checker k;

	h_mount_tmpfs(MNT, "64k");
	unlink("count.stderr");
	unlink("count2.stderr");
	/* Two records written first, so that the state file has its page and the output's page
	 * is exactly full: then only the output cannot grow, and the batch's INTENT is recorded
	 * before its write fails. (With room left in the output's last page, a first small batch
	 * of the records below could still be written.) */
	const char *args[] = {"--ring", ring, "--output", MNT "/out.log", NULL};
	h_start_ready(&d, args, "count.stderr");
	struct shmlog *log = shmlog_open(ring, NULL);
	CHECK(log, "open the ring: %s", shmlog_errmsg());
	CHECK(shmlog_log(log, SHMLOG_INFO, "t", "w0 n0") == 0, "record 0 not logged");
	CHECK(shmlog_flush(log, 10000) == 0, "record 0 not written within 10 s");
	long first = file_size(MNT "/out.log");
	long prefix = first - (long)strlen("w0 n0") - 1; /* the line before its message */
	long pad = PAGE - first - prefix - 1 - (long)strlen("w0 n1 ");
	CHECK(first > 0 && pad >= 0, "record 0's line is %ld bytes", first);
	static char xs[PAGE];
	memset(xs, 'x', sizeof(xs));
	CHECK(shmlog_log(log, SHMLOG_INFO, "t", "w0 n1 %.*s", (int)pad, xs) == 0,
	      "record 1 not logged");
	CHECK(shmlog_flush(log, 10000) == 0, "record 1 not written within 10 s");
	CHECK(file_size(MNT "/out.log") == PAGE, "the output is %ld bytes, not one page",
	      file_size(MNT "/out.log"));
	static char block[4096];
	int fd = open(MNT "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CHECK(fd >= 0, "create the filler: %s", strerror(errno));
	while (write(fd, block, sizeof(block)) > 0)
		;
	while (write(fd, block, 1) > 0)
		;
	close(fd);

	/* Committed to the ring (they fit), not waited for: nothing can be written. */
	for (long i = 2; i < RECORDS + 2; i++)
		CHECK(shmlog_log(log, SHMLOG_INFO, "t", "w0 n%ld", i) == 0, "record %ld not logged", i);
	shmlog_close(log);
	h_sleep_ms(300);
	int st = h_stop(&d);
	CHECK(st == EX_IOERR, "shmlogd stopped on a full disk exited with %d, expected EX_IOERR (%d)",
	      st, EX_IOERR);
	snprintf(want, sizeof(want), "stopped: 2 lines written");
	int said = h_count_in_file("count.stderr", want);
	snprintf(want, sizeof(want), "%ld records not written stay in the ring", RECORDS);
	int stays = h_count_in_file("count.stderr", want);
	if (said != 1 || stays != 1)
		h_print_file("count.stderr");
	CHECK(said == 1 && stays == 1,
	      "the last line does not say 2 lines written and %ld left in the ring", RECORDS);

	CHECK(unlink(MNT "/filler") == 0, "unlink the filler: %s", strerror(errno));
	h_start_ready(&d, args, "count2.stderr");
	CHECK(h_wait_lines(MNT "/out.log", "", (int)RECORDS + 2, 10000) >= 0,
	      "the next shmlogd did not write the %ld records within 10 s", RECORDS);
	CHECK(h_stop(&d) == 0, "the next shmlogd did not exit 0 after SIGTERM");
	snprintf(want, sizeof(want), "stopped: %ld lines written", RECORDS);
	said = h_count_in_file("count2.stderr", want);
	if (said != 1)
		h_print_file("count2.stderr");
	CHECK(said == 1, "the next shmlogd does not say it wrote %ld lines", RECORDS);
	CHECK(h_count_in_file("count2.stderr", "cut off") == 0,
	      "the next shmlogd speaks of cutting off a batch that was never written");
	h_checker_init(&k, 0, 1, RECORDS + 2, 0);
	h_check_file(&k, MNT "/out.log");
	h_check_complete(&k);
	printf("stopped on a full disk: 2 written, %ld left in the ring; the file then held all %ld\n",
	       RECORDS, k.records);
	h_unmount(MNT);
	h_cleanup();
	return 0;
}

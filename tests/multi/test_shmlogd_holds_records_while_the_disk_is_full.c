/* test_shmlogd_holds_records_while_the_disk_is_full.c - the output lives on a 1 MiB tmpfs that is
 * full: shmlogd says so once on stderr (not once per retry), writes nothing, commits nothing, so
 * the records stay in the ring and the writers wait on it; once space returns it resumes by
 * itself, says so once, and the file holds every record exactly once, in order. Needs to mount a
 * tmpfs (root); skips otherwise. */

#include "shmlogd_harness.h"

#define WRITERS 2
#define PER_WRITER 3000L
#define MNT "full-mnt"

static void fill(const char *path)
{
	static char block[4096];
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	CHECK(fd >= 0, "create %s: %s", path, strerror(errno));
	while (write(fd, block, sizeof(block)) > 0)
		;
	CHECK(errno == ENOSPC, "filling %s: %s, expected ENOSPC", path, strerror(errno));
	/* Fill the last partial page too. */
	while (write(fd, block, 1) > 0)
		;
	close(fd);
}

int main(void)
{
	const char *ring = h_ring("full");
	pid_t pids[WRITERS];
	struct daemon d;
	struct checker k;
	struct stat st;

	h_mount_tmpfs(MNT, "1m");
	unlink("full.stderr");
	fill(MNT "/filler");
	const char *args[] = {"--ring", ring, "--output", MNT "/out.log", "--size", "256K", NULL};
	h_start_ready(&d, args, "full.stderr");
	h_writers_start(pids, WRITERS, (struct writer_spec){.ring = ring, .n = PER_WRITER});

	h_sleep_ms(2500); /* long enough for several retries */
	CHECK(stat(MNT "/out.log", &st) == 0 && st.st_size == 0,
	      "the output has %lld bytes while the disk is full; expected none (no torn lines)",
	      (long long)st.st_size);
	CHECK(!h_writers_done(pids, WRITERS, 0),
	      "writers finished while nothing could be written: records were committed unwritten");
	int reports = h_count_in_file("full.stderr", "No space left on device");
	if (reports != 1)
		h_print_file("full.stderr");
	CHECK(reports == 1, "%d reports of the full disk on stderr, expected exactly 1", reports);

	CHECK(unlink(MNT "/filler") == 0, "unlink filler: %s", strerror(errno));
	int64_t t0 = h_now_ms();
	h_writers_done(pids, WRITERS, 1);
	int64_t resumed_ms = h_now_ms() - t0;
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	int recoveries = h_count_in_file("full.stderr", "works again");
	CHECK(recoveries == 1, "%d reports of recovery on stderr, expected exactly 1", recoveries);

	h_checker_init(&k, 0, WRITERS, PER_WRITER, 0);
	h_check_file(&k, MNT "/out.log");
	h_check_complete(&k);
	printf("disk full: held %ld records, 1 report; all written %lld ms after space returned\n",
	       k.records, (long long)resumed_ms);
	h_unmount(MNT);
	h_cleanup();
	return 0;
}

/* test_shmlogcat_follows_a_file_across_shmlogd_rotation_losing_nothing.c - shmlogcat -f on the
 * text file shmlogd writes, while shmlogd rotates it every 64K (compressing with zstd, so a
 * rotated file changes inode soon after) and two writers log in bursts: the follower shows every
 * record exactly once, in order per writer, up to the last ones (waited for by content), across
 * every rotation, including those that happened twice between two of its looks. */
#include "test_shmlogcat_files_helpers.h"

#define WRITERS 2
#define PER_WRITER 15000L

int main(void)
{
	const char *ring = h_ring("follow");
	struct cat_follower f;
	struct checker k;
	pid_t pids[WRITERS];
	struct daemon d;
	int last_seen = 0;

	CHECK(system("rm -rf rot && mkdir rot") == 0, "no scratch directory");
	h_start_ready(&d, (const char *const[]){"--ring", ring, "--output", "rot/out.log",
						"--rotate-size", "64K", "--keep", "0", "--compress",
						"zstd", NULL},
		      "d.err");
	FOLLOWER_START(&f, "-f", "rot/out.log");
	/* The follower is reading once it shows a record logged now: the writers start after. */
	struct shmlog *log = shmlog_open(ring, NULL);
	CHECK(log && shmlog_log(log, SHMLOG_INFO, "t", "follower ready") == 0, "log the marker");
	shmlog_close(log);
	const char *first = follower_line(&f, 20000);
	CHECK(first && strstr(first, "] follower ready"), "the follower did not start: %s", first);
	h_writers_start(pids, WRITERS,
			(struct writer_spec){.ring = ring, .n = PER_WRITER, .pace_every = 500, .pace_us = 2000});
	h_checker_init(&k, 0, WRITERS, PER_WRITER, 0);
	while (last_seen < WRITERS) {
		const char *line = follower_line(&f, 30000);
		CHECK(line, "the follower stopped after %ld lines, %d writers complete", k.lines, last_seen);
		h_check_line(&k, line, strlen(line), "follower");
		last_seen += strstr(line, "] w0 n14999") || strstr(line, "] w1 n14999");
	}
	h_check_complete(&k);
	h_writers_done(pids, WRITERS, 1);
	int rotations = h_generations("rot", "out.log");
	CHECK(rotations >= 5, "only %d rotations: the test did not test rotation", rotations);
	/* Nothing more may come: every record was shown once. */
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0");
	const char *extra = follower_line(&f, 300);
	CHECK(!extra, "a line after the last record: %s", extra);
	char *err = follower_stop(&f);
	CHECK(!*err, "the follower said: %s", err);
	free(err);
	printf("%ld records followed across %d rotations: each once, in order\n", k.records, rotations);
	h_cleanup();
	return 0;
}

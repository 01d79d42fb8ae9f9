/* test_shmlogd_keeps_its_output_name_when_another_user_races_a_rotation.c - in a sticky
 * directory nobody tries to take the output's name in the middle of a rotation (a test hook,
 * SHMLOGD_DELAY=mid_rotation, holds shmlogd there). Had the name gone free, nobody's file would
 * be the output and shmlogd would write on under the rotated name, where retention may delete
 * it. The name never goes free: shmlogd's fresh file has it, nobody's attempt fails, and every
 * record is once in the output or a rotated file. */
#include "test_shmlogd_trust.h"

#define WRITERS 1
#define PER_WRITER 3000L
#define DELAY_MS 2000

int main(void)
{
	struct daemon d;
	struct checker k;
	pid_t pids[WRITERS];
	char delay[64];
	uid_t uid;
	off_t size;

	t_need_other_user();
	const char *ring = h_ring("race");
	t_dir("pub", 01777);
	snprintf(delay, sizeof(delay), "mid_rotation:%d", DELAY_MS * test_slow_factor());
	setenv("SHMLOGD_DELAY", delay, 1);
	const char *args[] = {"--ring", ring, "--output", "pub/app.log", "--rotate-size", "16K",
			      "--keep", "0", NULL};
	unlink("accepted.stderr");
	h_start_ready(&d, args, "accepted.stderr");
	unsetenv("SHMLOGD_DELAY");
	h_writers_start(pids, WRITERS,
			(struct writer_spec){.ring = ring, .n = PER_WRITER, .pace_every = 10,
					     .pace_us = 200 * test_slow_factor()});
	if (h_wait_lines("accepted.stderr", "mid_rotation", 1, 10000 * test_slow_factor()) < 0) {
		h_kill(&d);
		h_skip("shmlogd has no test hooks (SHMLOG_TEST_HOOKS) to hold it mid-rotation");
	}
	/* noclobber: an O_EXCL create, as a file of nobody's own. Whether it works is the point. */
	fflush(NULL);
	int planted = system("runuser -u " T_OTHER " -- sh -c 'umask 022; set -C; : > pub/app.log' "
			     "2>/dev/null") == 0;
	h_writers_done(pids, WRITERS, 1);
	CHECK(h_stop(&d) == 0, "shmlogd did not stop cleanly (see accepted.stderr)");

	h_print_file("accepted.stderr");
	t_owner_size("pub/app.log", &uid, &size);
	CHECK(!planted && uid == 0, "nobody took the output's name mid-rotation (owner uid %u)",
	      (unsigned)uid);
	CHECK(h_count_in_file("accepted.stderr", "cannot create") == 0,
	      "shmlogd could not make its new output after a rotation");
	h_checker_init(&k, 0, WRITERS, PER_WRITER, 0);
	int rotated = h_check_rotated(&k, "pub", "app.log");
	h_check_complete(&k);
	CHECK(rotated >= 2, "only %d rotated files", rotated);
	printf("the output's name never went free: %ld records once, %d rotated files\n", k.records,
	       rotated);
	h_cleanup();
	return 0;
}

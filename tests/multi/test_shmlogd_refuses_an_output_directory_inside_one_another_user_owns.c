/* test_shmlogd_refuses_an_output_directory_inside_one_another_user_owns.c - a directory of
 * root's (mode 0755) inside one nobody owns: nobody can rename it away and put one of its own
 * under the same path after shmlogd checked it. shmlogd checks every ancestor of the output's
 * directory, refuses (EX_NOPERM, one line naming nobody's directory, its owner, mode and
 * --allow-owner), and with --allow-owner nobody starts and delivers every record the ring held
 * before the refusal. */
#include "test_shmlogd_trust.h"

int main(void)
{
	t_need_other_user();
	const char *ring = t_ring_with_records("ancestor");
	t_dir("pub", 01777);
	t_as_other("mkdir -m 0755 pub/theirs");
	CHECK(mkdir("pub/theirs/ours", 0755) == 0, "mkdir: %s", strerror(errno));

	const char *args[] = {"--ring", ring, "--output", "pub/theirs/ours/app.log", NULL};
	t_expect_refused(args, "pub/theirs belongs to nobody (uid 65534)", "mode 0755",
			 "--allow-owner nobody", NULL);
	CHECK(access("pub/theirs/ours/app.log", F_OK) != 0, "a refused shmlogd created its output");

	const char *shared[] = {"--ring", ring, "--output", "pub/theirs/ours/app.log",
				"--allow-owner", "nobody", NULL};
	t_expect_delivered(shared, "pub/theirs/ours/app.log");
	h_cleanup();
	return 0;
}

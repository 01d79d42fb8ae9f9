/* test_shmlogd_refuses_an_output_directory_owned_by_another_user.c - a directory nobody owns
 * (mode 0755) is nobody's to rearrange: they could swap our output for a file of theirs. shmlogd
 * refuses it (EX_NOPERM, one line naming it, its owner, "insecure parent directory" and
 * --allow-owner); with --allow-owner nobody it starts and delivers every record the ring held
 * before the refusal. */
#include "test_shmlogd_trust.h"

int main(void)
{
	t_need_other_user();
	const char *ring = t_ring_with_records("dirowner");
	t_dir("pub", 01777);
	t_as_other("mkdir -m 0755 pub/theirs");

	const char *args[] = {"--ring", ring, "--output", "pub/theirs/app.log", NULL};
	t_expect_refused(args, "pub/theirs", "belongs to nobody (uid 65534)", "mode 0755",
			 "insecure parent directory", "--allow-owner nobody", NULL);
	CHECK(access("pub/theirs/app.log", F_OK) != 0, "a refused shmlogd created its output");

	const char *shared[] = {"--ring", ring, "--output", "pub/theirs/app.log", "--allow-owner",
				"nobody", NULL};
	t_expect_delivered(shared, "pub/theirs/app.log");
	h_cleanup();
	return 0;
}

/* test_shmlogd_refuses_a_state_file_another_user_planted.c - the state file
 * .app.log.shmlogd-state says which records the output holds already (recover.c): one that
 * nobody made first in a sticky directory could make shmlogd skip records, or cut the output.
 * It is refused (EX_NOPERM, one line naming it, its owner and --allow-owner), not taken over;
 * with --allow-owner nobody shmlogd starts and delivers every record the ring held before. */
#include "test_shmlogd_trust.h"

int main(void)
{
	uid_t uid;
	off_t size;

	t_need_other_user();
	const char *ring = t_ring_with_records("state");
	t_dir("pub", 01777);
	t_as_other("umask 077; : > pub/.app.log.shmlogd-state");

	const char *args[] = {"--ring", ring, "--output", "pub/app.log", NULL};
	t_expect_refused(args, "pub/.app.log.shmlogd-state", "belongs to nobody (uid 65534)",
			 "--allow-owner nobody", NULL);
	t_owner_size("pub/.app.log.shmlogd-state", &uid, &size);
	CHECK(uid == 65534 && size == 0, "the planted state file was written to");

	const char *shared[] = {"--ring", ring, "--output", "pub/app.log", "--allow-owner", "nobody",
				NULL};
	t_expect_delivered(shared, "pub/app.log");
	h_cleanup();
	return 0;
}

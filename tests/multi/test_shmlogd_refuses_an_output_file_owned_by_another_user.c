/* test_shmlogd_refuses_an_output_file_owned_by_another_user.c - issue 14: in a sticky
 * world-writable directory, nobody makes app.log first (mode 0600, so only its owner is wrong).
 * shmlogd, run by root, refuses it (EX_NOPERM, one line naming the file, its owner, its mode and
 * --allow-owner) and writes nothing into it; with --allow-owner nobody the sharing is intended,
 * and that shmlogd delivers every record the ring held before the refusal. */
#include "test_shmlogd_trust.h"

int main(void)
{
	uid_t uid;
	off_t size;

	t_need_other_user();
	const char *ring = t_ring_with_records("owner");
	t_dir("pub", 01777);
	t_as_other("umask 077; : > pub/app.log");

	const char *plain[] = {"--ring", ring, "--output", "pub/app.log", NULL};
	t_expect_refused(plain, "pub/app.log", "belongs to nobody (uid 65534)", "mode 0600",
			 "not to this user (root)", "--allow-owner nobody", NULL);
	t_owner_size("pub/app.log", &uid, &size);
	CHECK(uid == 65534 && size == 0, "the planted file was written to (%lld bytes)",
	      (long long)size);

	const char *shared[] = {"--ring", ring, "--output", "pub/app.log", "--allow-owner", "nobody",
				NULL};
	t_expect_delivered(shared, "pub/app.log");
	h_cleanup();
	return 0;
}

/* test_shmlogd_refuses_an_output_directory_writable_by_others_without_the_sticky_bit.c -
 * logrotate's rule: in a directory that group or others may write and that is not sticky,
 * anyone can rename our files away and put theirs in their place. shmlogd refuses 0777 and 0775
 * (EX_NOPERM, one line naming the directory, its mode and "insecure parent directory") and
 * creates nothing there; the same directory with the sticky bit (01777, like /tmp) is accepted,
 * and that shmlogd delivers every record the ring held before the refusals. */
#include "test_shmlogd_trust.h"

int main(void)
{
	const char *ring = t_ring_with_records("dirmode");
	const char *args[] = {"--ring", ring, "--output", "open/app.log", NULL};

	t_dir("open", 0777);
	t_expect_refused(args, "open", "without the sticky bit", "mode 0777",
			 "insecure parent directory", NULL);
	CHECK(chmod("open", 0775) == 0, "chmod: %s", strerror(errno));
	t_expect_refused(args, "open", "writable by group without the sticky bit", "mode 0775",
			 NULL);
	CHECK(access("open/app.log", F_OK) != 0 && access("open/.app.log.shmlogd-state", F_OK) != 0,
	      "a refused shmlogd created files in the insecure directory");

	CHECK(chmod("open", 01777) == 0, "chmod: %s", strerror(errno));
	t_expect_delivered(args, "open/app.log");
	h_cleanup();
	return 0;
}

/* test_shmlogd_refuses_a_state_file_writable_or_readable_by_others.c - our own state file with
 * mode 0666 (anyone could rewrite what shmlogd skips at restart) is refused, and so is one with
 * 0644, readable beyond --output-mode 0640: EX_NOPERM, one line naming it and its mode each. At
 * 0600 shmlogd starts and delivers every record the ring held before the refusals. */
#include "test_shmlogd_trust.h"

int main(void)
{
	const char *ring = t_ring_with_records("statemode");

	t_dir("d", 0755);
	t_file("d/.app.log.shmlogd-state", 0666, "");
	const char *args[] = {"--ring", ring, "--output", "d/app.log", NULL};
	t_expect_refused(args, "d/.app.log.shmlogd-state", "writable by group or others",
			 "mode 0666", NULL);
	CHECK(chmod("d/.app.log.shmlogd-state", 0644) == 0, "chmod: %s", strerror(errno));
	t_expect_refused(args, "d/.app.log.shmlogd-state", "mode 0644", NULL);

	CHECK(chmod("d/.app.log.shmlogd-state", 0600) == 0, "chmod: %s", strerror(errno));
	t_expect_delivered(args, "d/app.log");
	h_cleanup();
	return 0;
}

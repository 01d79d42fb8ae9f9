/* test_shmlogd_refuses_an_output_file_writable_by_group_or_others.c - an existing output of our
 * own with mode 0666 (anyone could put lines in it, or truncate it) is refused: EX_NOPERM, one
 * line naming the file, its mode and "chmod go-w". Once it is 0640, shmlogd starts and delivers
 * every record the ring held before the refusal. */
#include "test_shmlogd_trust.h"

int main(void)
{
	const char *ring = t_ring_with_records("gowrite");

	t_dir("d", 0755);
	t_file("d/app.log", 0666, "");
	const char *args[] = {"--ring", ring, "--output", "d/app.log", NULL};
	t_expect_refused(args, "d/app.log", "writable by group or others", "mode 0666",
			 "chmod go-w", NULL);

	CHECK(chmod("d/app.log", 0640) == 0, "chmod: %s", strerror(errno));
	t_expect_delivered(args, "d/app.log");
	h_cleanup();
	return 0;
}

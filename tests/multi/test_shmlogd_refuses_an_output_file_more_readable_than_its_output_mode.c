/* test_shmlogd_refuses_an_output_file_more_readable_than_its_output_mode.c - an existing output
 * of our own with mode 0644 lets everyone read what --output-mode 0640 (the default) keeps from
 * them: refused, EX_NOPERM, one line naming the file, --output-mode 0640, its mode and the chmod
 * that fixes it. With --output-mode 0644 that mode is what was asked for: shmlogd starts and
 * delivers every record the ring held before the refusal. */
#include "test_shmlogd_trust.h"

int main(void)
{
	const char *ring = t_ring_with_records("readable");

	t_dir("d", 0755);
	t_file("d/app.log", 0644, "");
	const char *args[] = {"--ring", ring, "--output", "d/app.log", NULL};
	t_expect_refused(args, "d/app.log", "--output-mode 0640", "mode 0644", "chmod 0640", NULL);

	const char *wider[] = {"--ring", ring, "--output", "d/app.log", "--output-mode", "0644", NULL};
	t_expect_delivered(wider, "d/app.log");
	h_cleanup();
	return 0;
}

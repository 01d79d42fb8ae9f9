/* test_shmlogd_refuses_an_output_file_with_a_second_hard_link.c - a hard link planted at the
 * output path would make a root collector append to whatever file it names: an output with more
 * than one link is refused (EX_NOPERM, one line naming the file and its 2 links), and the file
 * behind it is untouched. Once the link is gone, shmlogd creates its own file and delivers every
 * record the ring held before the refusal. */
#include "test_shmlogd_trust.h"

int main(void)
{
	const char *ring = t_ring_with_records("hardlink");
	char buf[64];

	t_dir("d", 0755);
	t_file("d/victim", 0600, "untouched\n");
	CHECK(link("d/victim", "d/app.log") == 0, "link: %s", strerror(errno));
	const char *args[] = {"--ring", ring, "--output", "d/app.log", NULL};
	t_expect_refused(args, "d/app.log", "2 links", NULL);
	int fd = open("d/victim", O_RDONLY);
	CHECK(fd >= 0 && read(fd, buf, sizeof(buf)) == 10 && !memcmp(buf, "untouched\n", 10),
	      "the linked file was written to");
	close(fd);

	CHECK(unlink("d/app.log") == 0, "unlink: %s", strerror(errno));
	t_expect_delivered(args, "d/app.log");
	h_cleanup();
	return 0;
}

/* test_shmlogd_leaves_alone_a_rotated_name_hard_linked_to_another_file.c - a file with a rotated
 * name that is a second link to a secret of shmlogd's user (0600), made by someone who could:
 * shmlogd must not compress it into a file its --output-mode lets others read, nor delete it. It
 * is left exactly as it is, with a warning naming it, and the ring's records are delivered. */
#include "test_shmlogd_trust.h"

#define ROTATED "logs/app.log.20260101T000000.000000Z"

int main(void)
{
	struct stat st;
	char buf[64] = "";

	const char *ring = t_ring_with_records("hardlink");
	t_dir("logs", 0755);
	t_file("secret", 0600, "TOPSECRET\n");
	CHECK(link("secret", ROTATED) == 0, "link: %s", strerror(errno));

	const char *args[] = {"--ring", ring, "--output", "logs/app.log", "--compress", "gzip",
			      "--rotate-size", "1M", "--output-mode", "0644", NULL};
	t_expect_delivered(args, "logs/app.log");
	CHECK(access(ROTATED ".gz", F_OK) != 0, "the linked secret was compressed into " ROTATED ".gz");
	CHECK(lstat(ROTATED, &st) == 0, ROTATED " is gone: %s", strerror(errno));
	CHECK(st.st_nlink == 2 && (st.st_mode & 07777) == 0600 && st.st_size == 10,
	      ROTATED " was changed: %ju links, mode %04o, %lld bytes", (uintmax_t)st.st_nlink,
	      (unsigned)(st.st_mode & 07777), (long long)st.st_size);
	FILE *f = fopen("secret", "r");
	CHECK(f && fgets(buf, sizeof(buf), f) && !strcmp(buf, "TOPSECRET\n"), "the secret changed");
	fclose(f);
	CHECK(h_count_in_file("accepted.stderr", ROTATED) >= 1, "no warning names " ROTATED);
	printf("the hard-linked rotated name is left alone, said on stderr\n");
	h_cleanup();
	return 0;
}

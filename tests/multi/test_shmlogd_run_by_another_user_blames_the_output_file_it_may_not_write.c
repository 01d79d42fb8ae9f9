/* test_shmlogd_run_by_another_user_blames_the_output_file_it_may_not_write.c - issue 17: a
 * shmlogd run as nobody, given an output file that exists and belongs to root (mode 0640) in a
 * directory of root's, said "check that its directory exists and is writable by this user". It
 * now exits EX_CANTCREAT with one line that names the file, its owner and mode, and what to do,
 * and says nothing of the directory; the file is left as it was. */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "runas.h"
#include "shmlogd_harness.h"

int main(void)
{
	struct tu_user nobody;
	const char *why;
	struct stat st;
	char err[2048];

	if (geteuid() != 0 || tu_other_user("nobody", &nobody, &why) < 0)
		h_skip(geteuid() != 0 ? "needs root, to run shmlogd as nobody" : why);
	const char *ring = h_ring("blame");
	unlink("rootdir/app.log");
	rmdir("rootdir"); /* a run before */
	CHECK(mkdir("rootdir", 0755) == 0 && chmod("rootdir", 0755) == 0, "mkdir rootdir");
	int fd = open("rootdir/app.log", O_WRONLY | O_CREAT | O_EXCL, 0640);
	CHECK(fd >= 0 && fchmod(fd, 0640) == 0 && write(fd, "root's\n", 7) == 7, "create app.log");
	close(fd);

	const char *argv[] = {h_shmlogd(), "--ring", ring, "--output", "rootdir/app.log", NULL};
	int rc = tu_run_as(&nobody, (gid_t)-1, argv, err, sizeof(err));
	printf("exit %d: %s", rc, err);
	CHECK(rc == EX_CANTCREAT, "exit %d, not EX_CANTCREAT (73): %s", rc, err);
	CHECK(strchr(err, '\n') == err + strlen(err) - 1, "not one line: %s", err);
	static const char *const words[] = {
		"shmlogd: ", "rootdir/app.log belongs to root (uid 0) with mode 0640",
		"this user (nobody) may not write it", "run shmlogd as root", "remove the file",
		"another --output"};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		CHECK(strstr(err, words[i]), "'%s' not in: %s", words[i], err);
	CHECK(!strstr(err, "directory"), "the directory is blamed: %s", err);
	CHECK(stat("rootdir/app.log", &st) == 0 && st.st_uid == 0 && st.st_size == 7,
	      "rootdir/app.log was changed");
	h_cleanup();
	return 0;
}

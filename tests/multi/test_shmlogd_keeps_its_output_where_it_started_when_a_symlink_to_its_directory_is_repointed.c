/* test_shmlogd_keeps_its_output_where_it_started_when_a_symlink_to_its_directory_is_repointed.c -
 * nobody owns a symlink, in a sticky directory, to a directory of root's: shmlogd accepts an
 * output through it, since the files land in root's directory. nobody then points the link at a
 * directory of its own. After a logrotate-style rename and SIGHUP, shmlogd makes its new output
 * in root's directory, where it started, not in nobody's: it resolves the directory once, at
 * start, and uses that path from then on. */
#include "test_shmlogd_trust.h"

int main(void)
{
	char cwd[2048], cmd[4200];
	struct daemon d;

	t_need_other_user();
	CHECK(getcwd(cwd, sizeof(cwd)), "getcwd: %s", strerror(errno));
	const char *ring = t_ring_with_records("repoint");
	t_dir("safe", 0755);
	t_dir("pub", 01777);
	snprintf(cmd, sizeof(cmd), "mkdir -m 0755 pub/theirs && ln -s %s/safe pub/link", cwd);
	t_as_other(cmd);

	const char *args[] = {"--ring", ring, "--output", "pub/link/app.log", NULL};
	unlink("accepted.stderr");
	h_start_ready(&d, args, "accepted.stderr");
	CHECK(h_wait_lines("safe/app.log", "w0 n499", 1, 10000 * test_slow_factor()) >= 0,
	      "the records never reached safe/app.log");
	snprintf(cmd, sizeof(cmd), "ln -sfn %s/pub/theirs pub/link", cwd);
	t_as_other(cmd);
	CHECK(rename("safe/app.log", "safe/app.log.1") == 0, "rename: %s", strerror(errno));
	CHECK(kill(d.pid, SIGHUP) == 0, "kill: %s", strerror(errno));
	for (int64_t end = h_now_ms() + 5000 * test_slow_factor();
	     access("safe/app.log", F_OK) != 0 && access("pub/theirs/app.log", F_OK) != 0;)
		CHECK(h_now_ms() < end, "no new output appeared after SIGHUP");
	CHECK(h_stop(&d) == 0, "shmlogd did not stop cleanly (see accepted.stderr)");

	CHECK(access("pub/theirs/app.log", F_OK) != 0,
	      "shmlogd made its output in nobody's directory after the link was re-pointed");
	CHECK(access("safe/app.log", F_OK) == 0, "no new output in safe/: %s", strerror(errno));
	struct checker k;
	h_checker_init(&k, 0, 1, T_RECORDS, 0);
	h_check_file(&k, "safe/app.log.1");
	h_check_complete(&k);
	printf("the re-pointed link changed nothing: the new output is safe/app.log\n");
	h_cleanup();
	return 0;
}

/* test_shmlogd_rotates_by_size_after_its_output_comes_back.c - with --rotate-size 64K, the output
 * is renamed away and a directory put in its place before SIGHUP: shmlogd cannot reopen it and
 * holds what the writers log in the ring. Once the directory is gone, the records it held (far
 * more than 64K) go out as a series of files none of which passes 64K, because the cut is planned
 * for the file actually opened, and the files hold every record exactly once, in order. */
#include "shmlogd_harness.h"

#define WRITERS 2
#define PER_WRITER 5000L
#define ROTATE_SIZE (64 * 1024)

int main(void)
{
	const char *ring = h_ring("back");
	const char *dir = "back-dir";
	char out[96], moved[96], cmd[256], *names[H_MAX_FILES], path[4096];
	pid_t pids[WRITERS];
	struct daemon d;
	struct checker k;
	struct stat st;

	snprintf(out, sizeof(out), "%s/out.log", dir);
	snprintf(moved, sizeof(moved), "%s/moved.log", dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", dir, dir);
	CHECK(system(cmd) == 0, "%s failed", cmd);
	const char *args[] = {"--ring", ring,	     "--output", out,   "--rotate-size",
			      "64K",   "--keep", "1000",	    "--compress", "none", NULL};
	h_start_ready(&d, args, "back.stderr");

	CHECK(rename(out, moved) == 0, "rename %s: %s", out, strerror(errno));
	CHECK(mkdir(out, 0750) == 0, "mkdir %s: %s", out, strerror(errno));
	CHECK(kill(d.pid, SIGHUP) == 0, "kill -HUP: %s", strerror(errno));
	h_sleep_ms(200); /* the reopen fails: the output is closed */
	h_writers_start(pids, WRITERS, (struct writer_spec){.ring = ring, .n = PER_WRITER});
	h_sleep_ms(500); /* they log everything; shmlogd holds it in the ring */
	CHECK(!h_writers_done(pids, WRITERS, 0), "the writers finished: nothing was held");
	CHECK(rmdir(out) == 0, "rmdir %s: %s", out, strerror(errno));
	CHECK(h_writers_done(pids, WRITERS, 1), "a writer failed");
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");

	int n = h_rotated(dir, "out.log", names, 0);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		CHECK(stat(path, &st) == 0 && st.st_size <= ROTATE_SIZE,
		      "%s has %lld bytes, over the 64K limit", path, (long long)st.st_size);
		free(names[i]);
	}
	CHECK(stat(out, &st) == 0 && st.st_size <= ROTATE_SIZE, "%s has %lld bytes, over 64K", out,
	      (long long)st.st_size);
	CHECK(n >= 5, "only %d rotated files for %ld records", n, WRITERS * PER_WRITER);
	h_checker_init(&k, 0, WRITERS, PER_WRITER, 0);
	h_check_file(&k, moved);
	h_check_rotated(&k, dir, "out.log");
	h_check_complete(&k);
	CHECK(h_count_in_file("back.stderr", "reopening") > 0,
	      "shmlogd did not report that it could not reopen %s", out);
	printf("held %ld records while %s was a directory, then wrote them as %d files of at most "
	       "64K, exactly once and in order\n",
	       k.records, out, n + 1);
	h_cleanup();
	return 0;
}

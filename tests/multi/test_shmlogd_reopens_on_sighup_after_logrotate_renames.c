/* test_shmlogd_reopens_on_sighup_after_logrotate_renames.c - while 4 writers log, the output is
 * renamed away and shmlogd sent SIGHUP, again and again (what logrotate does with a postrotate
 * script): records logged between the rename and the signal land in the renamed file, later ones
 * in a new file of mode 0640, and the files in rename order hold every record exactly once, in
 * order. */
#include "shmlogd_harness.h"

#define WRITERS 4
#define PER_WRITER 20000L
#define RENAMES 8

int main(void)
{
	const char *ring = h_ring("hup");
	char out[64], name[64];
	pid_t pids[WRITERS];
	struct daemon d;
	struct checker k;
	struct stat st;
	int renames = 0;

	h_path(out, sizeof(out), "hup.log");
	for (int i = 1; i <= RENAMES; i++) {
		snprintf(name, sizeof(name), "hup.log.%d", i);
		unlink(name);
	}
	unlink(".hup.log.shmlogd-state");
	const char *args[] = {"--ring", ring, "--output", out, NULL};
	h_start_ready(&d, args, "hup.stderr");
	h_writers_start(pids, WRITERS,
			(struct writer_spec){.ring = ring, .n = PER_WRITER, .pace_every = 10,
					     .pace_us = 300});
	while (!h_writers_done(pids, WRITERS, 0)) {
		h_sleep_ms(60);
		if (renames == RENAMES)
			continue;
		snprintf(name, sizeof(name), "hup.log.%d", ++renames);
		CHECK(rename(out, name) == 0, "rename %s: %s", out, strerror(errno));
		h_sleep_ms(10); /* records keep going to the renamed file until the signal */
		CHECK(kill(d.pid, SIGHUP) == 0, "kill -HUP: %s", strerror(errno));
		if (renames % 2)
			continue; /* half the time, the next rename or the SIGTERM races the reopen */
		int64_t end = h_now_ms() + 5000;
		while (access(out, F_OK) < 0 && h_now_ms() < end)
			h_sleep_ms(1);
		CHECK(access(out, F_OK) == 0, "no new %s 5 s after SIGHUP", out);
	}
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	CHECK(renames >= 5, "the writers finished after only %d renames; slow them down", renames);

	h_checker_init(&k, 0, WRITERS, PER_WRITER, 0);
	for (int i = 1; i <= renames; i++) {
		long before = k.records;
		snprintf(name, sizeof(name), "hup.log.%d", i);
		h_check_file(&k, name);
		CHECK(k.records > before, "%s is empty: nothing went to the file before SIGHUP", name);
	}
	h_check_file(&k, out);
	h_check_complete(&k);
	CHECK(stat(out, &st) == 0 && (st.st_mode & 0777) == 0640, "%s has mode %o, not 0640", out,
	      st.st_mode & 0777);
	printf("%d renames + SIGHUP: %ld records exactly once and in order across %d files\n",
	       renames, k.records, renames + 1);
	h_cleanup();
	return 0;
}

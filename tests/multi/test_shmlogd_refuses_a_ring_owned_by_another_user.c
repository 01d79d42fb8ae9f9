/* test_shmlogd_refuses_a_ring_owned_by_another_user.c - a ring squatted under a service's name:
 * nobody creates it first, mode 0666. Root's shmlogd and shmlogger refuse it with one line that
 * names the owner, the mode and the fix; the refusal leaves the ring as it was (no collector
 * claimed, nothing of root's in it); root's shmlogcat --stats says whose it is; and once the
 * sharing is asked for (--allow-owner nobody --mode 0666) the record nobody logged before the
 * refusals is written, once. */
#include <sysexits.h>

#include "runas.h"
#include "shmlogd_harness.h"

/* One line on stderr, with every NEEDLE in it. */
static void check_one_line(const char *err, const char *who, const char *const *needles)
{
	const char *nl = strchr(err, '\n');
	CHECK(nl && nl[1] == '\0', "%s: not exactly one line on stderr: '%s'", who, err);
	for (; *needles; needles++)
		CHECK(strstr(err, *needles), "%s: '%s' is not in its message: %s", who, *needles, err);
}

static void ring_stats(const char *ring, struct shmlog_stats *st)
{
	struct shmlog_observer *o = shmlog_observer_open(ring, SHMLOG_OBSERVE_OLDEST);
	CHECK(o, "observer: %s", shmlog_errmsg());
	CHECK(shmlog_observer_stats(o, st, NULL, 0) == 0, "stats: %s", shmlog_errmsg());
	shmlog_observer_close(o);
}

int main(void)
{
	struct tu_user nobody;
	const char *why;
	char err[2048], out[64];

	if (tu_other_user("nobody", &nobody, &why) < 0)
		h_skip(why);
	const char *shmlogger = h_program(0, "shmlogger"), *shmlogcat = h_program(1, "shmlogcat");
	h_shmlogd();
	const char *ring = h_ring("squat");
	h_path(out, sizeof(out), "squat.log");
	unlink(".squat.log.shmlogd-state");

	const char *squat[] = {shmlogger, "-r", ring, "-m", "0666", "-T", "0", "nobody was here",
			       NULL};
	CHECK(tu_run_as(&nobody, (gid_t)-1, squat, err, sizeof(err)) == 0,
	      "nobody could not create the ring: %s", err);

	/* Root's collector refuses it, before it claims anything. */
	struct daemon d;
	const char *args[] = {"--ring", ring, "--output", out, NULL};
	unlink("refused.stderr");
	h_start(&d, args, "refused.stderr");
	int st = h_reap(&d, 10000 * test_slow_factor());
	FILE *f = fopen("refused.stderr", "r");
	CHECK(f, "shmlogd wrote no stderr");
	size_t n = fread(err, 1, sizeof(err) - 1, f);
	err[n] = '\0';
	fclose(f);
	CHECK(st == EX_NOPERM, "shmlogd exited %d on a ring nobody owns, expected EX_NOPERM (%d): %s",
	      st, EX_NOPERM, err);
	check_one_line(err, "shmlogd",
		       (const char *const[]){"shmlogd: ", "nobody (uid", "0666", "--allow-owner",
					     NULL});
	printf("shmlogd refused: %s", err);

	/* Root's writer refuses it too: the secret never enters the ring. */
	const char *secret[] = {shmlogger, "-r", ring, "-T", "0", "root secret password=hunter2",
				NULL};
	st = tu_run_as(NULL, (gid_t)-1, secret, err, sizeof(err));
	CHECK(st == EX_NOPERM, "shmlogger exited %d on a ring nobody owns: %s", st, err);
	check_one_line(err, "shmlogger", (const char *const[]){"nobody (uid", "0666", NULL});
	printf("shmlogger refused: %s", err);

	struct shmlog_stats s;
	ring_stats(ring, &s);
	CHECK(s.consumer_pid == 0, "the refused shmlogd claimed the ring (consumer pid %d)",
	      (int)s.consumer_pid);
	CHECK(s.head_seq == 1, "the ring holds %llu records, expected nobody's one",
	      (unsigned long long)s.head_seq);
	CHECK(s.owner_uid == nobody.uid && s.mode == 0666, "stats: owner %u mode %04o",
	      (unsigned)s.owner_uid, s.mode);

	/* A reader may read it, and is told whose it is. */
	char text[4096], cmd[8192];
	snprintf(cmd, sizeof(cmd), "%s --stats %s", shmlogcat, ring);
	FILE *p = popen(cmd, "r");
	CHECK(p, "popen: %s", strerror(errno));
	n = fread(text, 1, sizeof(text) - 1, p);
	text[n] = '\0';
	CHECK(pclose(p) == 0, "shmlogcat --stats failed on a foreign ring");
	CHECK(strstr(text, "owner") && strstr(text, "nobody (uid") && strstr(text, "not yours"),
	      "shmlogcat --stats does not say whose the ring is:\n%s", text);

	/* --allow-owner alone is not enough: the ring lets others write more than --mode. */
	const char *owner_only[] = {"--ring", ring, "--output", out, "--allow-owner", "nobody",
				    NULL};
	unlink("mode.stderr");
	h_start(&d, owner_only, "mode.stderr");
	st = h_reap(&d, 10000 * test_slow_factor());
	CHECK(st == EX_NOPERM, "shmlogd --allow-owner nobody exited %d on a 0666 ring", st);
	CHECK(h_count_in_file("mode.stderr", "mode 0666") == 1, "the refusal does not name the mode");

	/* Asked for, the sharing works, and the refusals lost nothing. */
	const char *shared[] = {"--ring", ring, "--output", out, "--allow-owner", "nobody",
				"--mode", "0666", NULL};
	h_start_ready(&d, shared, "shared.stderr");
	CHECK(h_wait_lines(out, "nobody was here", 1, 10000 * test_slow_factor()) >= 0,
	      "nobody's record was not written");
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	CHECK(h_count_in_file(out, "nobody was here") == 1, "nobody's record is not there once");
	CHECK(h_count_in_file(out, "hunter2") == 0, "root's refused record reached the log");
	printf("with --allow-owner nobody --mode 0666: nobody's record written once\n");
	h_cleanup();
	return 0;
}

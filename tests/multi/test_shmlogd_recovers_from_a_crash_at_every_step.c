/* test_shmlogd_recovers_from_a_crash_at_every_step.c - shmlogd kills itself at each step of its
 * write protocol (after the intent record, halfway through a batch, after the write, after the
 * done record, after the commit, and inside the library's commit), of rotation (after the rename) and of compression (before and
 * after swapping in the compressed file); restarted, it leaves every record exactly once across
 * the output and its rotated files, with no temporary left behind. Needs a build with
 * SHMLOG_TEST_HOOKS (skips otherwise).
 *
 * Each step is a ctest test of its own (tests/CMakeLists.txt): `STEP-ID` runs one step,
 * `--expect ID...` checks that the ids ctest runs are exactly the steps below, and no argument
 * runs them all. */
#include "shmlogd_harness.h"

#define WRITERS 2
#define PER_WRITER 3000L

struct step {
	const char *id;
	const char *point;
	int nth;
	int rotate;       /* --rotate-size 16K */
	const char *compress;
	const char *note; /* a line shmlogd must print when it restarts, or NULL */
};

static const struct step steps[] = {
	{"after_intent_1", "after_intent", 1, 0, NULL, NULL},
	{"after_intent_5", "after_intent", 5, 0, NULL, NULL},
	{"mid_write_1", "mid_write", 1, 0, NULL, "cut off"},
	{"mid_write_5", "mid_write", 5, 0, NULL, "cut off"},
	{"after_write_5", "after_write", 5, 0, NULL, "skipped"},
	{"after_done_5", "after_done", 5, 0, NULL, "skipped"},
	{"after_commit_5", "after_commit", 5, 0, NULL, NULL},
	/* the library's own point, in the consumer's commit */
	{"consumer_mid_commit_5", "CONSUMER_MID_COMMIT", 5, 0, NULL, NULL},
	{"mid_write_3_rotating", "mid_write", 3, 1, NULL, "cut off"},
	{"after_rename_2", "after_rename", 2, 1, NULL, NULL},
	{"before_swap_2_gzip", "before_swap", 2, 1, "gzip", NULL},
	{"after_swap_2_zstd", "after_swap", 2, 1, "zstd", NULL},
};

#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static void run(const struct step *s, int json)
{
	const char *ring = h_ring("step");
	char dir[64], out[96], err[96], arm[64];
	pid_t pids[WRITERS];
	struct daemon d;
	struct checker k;

	snprintf(dir, sizeof(dir), "step-%s-%d-%d", s->point, s->nth, json);
	snprintf(out, sizeof(out), "%s/out.log", dir);
	snprintf(err, sizeof(err), "%s/stderr", dir);
	snprintf(arm, sizeof(arm), "%s:%d", s->point, s->nth);
	char cmd[256];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir '%s'", dir, dir);
	CHECK(system(cmd) == 0, "%s failed", cmd);
	const char *args[] = {"--ring", ring, "--output", out, "--format", json ? "json" : "text",
			      "--compress", s->compress ? s->compress : "none", "--keep", "0",
			      s->rotate ? "--rotate-size" : NULL, "16K", NULL};

	/* Upper-case points are libshmlog's (testhook.h), the others shmlogd's (crash.h): one
	 * variable arms either. */
	setenv("SHMLOG_CRASH_AT", arm, 1);
	h_start_ready(&d, args, err);
	unsetenv("SHMLOG_CRASH_AT");
	/* Paced so that shmlogd makes many batches, the Nth crash point's among them; a shmlogd
	 * under valgrind (SHMLOG_TEST_SLOW) drains more per batch, so the writers slow down too. */
	h_writers_start(pids, WRITERS,
			(struct writer_spec){.ring = ring, .n = PER_WRITER, .pace_every = 10,
					     .pace_us = 200 * test_slow_factor()});
	int st = h_reap(&d, 20000);
	CHECK(st == 128 + SIGKILL, "%s: shmlogd exited with %d, not killed at the crash point", arm,
	      st);
	h_start_ready(&d, args, err);
	h_writers_done(pids, WRITERS, 1);
	CHECK(h_stop(&d) == 0, "%s: shmlogd did not exit 0 after SIGTERM", arm);

	h_checker_init(&k, json, WRITERS, PER_WRITER, 0);
	k.contiguous = json;
	int rotated = h_check_rotated(&k, dir, "out.log");
	h_check_complete(&k);
	CHECK(!s->rotate || rotated > 2, "%s: only %d rotated files", arm, rotated);
	CHECK(!s->note || h_count_in_file(err, s->note) > 0,
	      "%s: shmlogd did not say '%s' when it restarted", arm, s->note);
	printf("crash at %-14s %s: %ld records exactly once, %d rotated files\n", arm,
	       json ? "json" : "text", k.records, rotated);
	shmlog_unlink(ring);
	h_nrings--;
}

static const struct step *find_step(const char *id, size_t *index)
{
	for (size_t i = 0; i < NSTEPS; i++)
		if (!strcmp(steps[i].id, id)) {
			*index = i;
			return &steps[i];
		}
	return NULL;
}

/* --expect ID...: every step once, and nothing else, so no crash point goes untested. */
static void expect_exactly(int n, char **ids)
{
	int seen[NSTEPS] = {0};
	size_t i;

	for (int a = 0; a < n; a++) {
		CHECK(find_step(ids[a], &i), "ctest runs step '%s', which this test does not have", ids[a]);
		seen[i]++;
	}
	for (i = 0; i < NSTEPS; i++)
		CHECK(seen[i] == 1, "step '%s' is run by %d ctest tests, not 1 (tests/CMakeLists.txt)",
		      steps[i].id, seen[i]);
	printf("%zu crash steps, each a ctest test of its own\n", NSTEPS);
}

int main(int argc, char **argv)
{
	size_t i;

	if (argc > 1 && !strcmp(argv[1], "--expect")) {
		expect_exactly(argc - 2, argv + 2);
		return 0;
	}
#ifndef SHMLOG_TEST_HOOKS
	h_skip("built without SHMLOG_TEST_HOOKS: shmlogd has no crash points");
#endif
	if (argc > 1) {
		const struct step *s = find_step(argv[1], &i);
		CHECK(s, "no crash step '%s'", argv[1]);
		run(s, (int)(i & 1));
	} else {
		for (i = 0; i < NSTEPS; i++)
			run(&steps[i], (int)(i & 1));
	}
	h_cleanup();
	return 0;
}

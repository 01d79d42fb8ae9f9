/* test_shmlogd_survives_sigkill_without_loss_or_duplicates.c - shmlogd is SIGKILLed at random
 * moments (at least 20 times, in start-up, mid-batch, mid-commit, idle) while 8 writers log, and
 * restarted each time: the output, text and JSON alike, still holds every record exactly once, in
 * each writer's order. The ring is small so that batches are many and writers often wait on it.
 * Set SHMLOG_TEST_SEED to replay a run. */
#include "shmlogd_harness.h"

#define WRITERS 8
#define PER_WRITER 20000L
#define KILLS 20

static void run(int json, unsigned seed)
{
	const char *ring = h_ring(json ? "killj" : "killt");
	char out[64], state[80];
	pid_t pids[WRITERS];
	struct daemon d;
	struct checker k;
	int kills = 0, done = 0, ready = 1; /* ready: d said READY=1 */

	snprintf(out, sizeof(out), "kill.%s", json ? "jsonl" : "log");
	snprintf(state, sizeof(state), ".%s.shmlogd-state", out);
	unlink(out);
	unlink(state);
	unlink("kill.stderr");
	const char *args[] = {"--ring", ring, "--output", out, "--format", json ? "json" : "text",
			      "--size", "64K", NULL};
	h_start_ready(&d, args, "kill.stderr");
	int64_t t0 = h_now_ms();
	h_writers_start(pids, WRITERS,
			(struct writer_spec){.ring = ring, .n = PER_WRITER, .pace_every = 10,
					     .pace_us = 1000});
	while (kills < KILLS || !done) {
		/* A writer waiting on a full ring drops once it has seen no collector for 3 s (the
		 * orphan rule, FORMAT.md §13). On a loaded machine a shmlogd that is killed again and
		 * again before it claims the ring would leave the writers that long alone, so each
		 * one is let start before the next kill, except the deliberate kills in start-up. */
		CHECK(ready || h_wait_notify(&d, "READY=1", 10000 * test_slow_factor()) == 0,
		      "shmlogd did not say READY=1 within %d s of a restart (see kill.stderr)",
		      10 * test_slow_factor());
		ready = 0;
		h_sleep_ms(5 + rand_r(&seed) % 150);
		h_kill(&d);
		kills++;
		done = h_writers_done(pids, WRITERS, 0);
		h_start(&d, args, "kill.stderr");
		/* Sometimes kill it again before it is even ready. */
		if (rand_r(&seed) % 4 == 0) {
			h_sleep_ms(rand_r(&seed) % 3);
			h_kill(&d);
			kills++;
			h_start(&d, args, "kill.stderr");
		}
	}
	CHECK(h_wait_notify(&d, "READY=1", 10000 * test_slow_factor()) == 0,
	      "the last shmlogd did not start");
	h_writers_done(pids, WRITERS, 1);
	int64_t t1 = h_now_ms();
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");

	h_checker_init(&k, json, WRITERS, PER_WRITER, 0);
	k.contiguous = json;
	h_check_file(&k, out);
	h_check_complete(&k);
	CHECK(k.synthetic == 0, "%ld loss reports, expected none", k.synthetic);
	printf("%s: %d SIGKILLs in %lld ms, %ld records exactly once and in order; %d restarts "
	       "resumed from the state file\n",
	       json ? "json" : "text", kills, (long long)(t1 - t0), k.records,
	       h_count_in_file("kill.stderr", "resuming after record"));
}

int main(void)
{
	const char *s = getenv("SHMLOG_TEST_SEED");
	unsigned seed = s ? (unsigned)strtoul(s, NULL, 0) : (unsigned)time(NULL) ^ (unsigned)getpid();

	printf("seed %u (SHMLOG_TEST_SEED=%u replays it)\n", seed, seed);
	run(1, seed);
	run(0, seed + 1);
	h_cleanup();
	return 0;
}

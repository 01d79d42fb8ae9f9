/* test_shmlogd_keeps_every_record_of_8_writers_in_order.c - 8 writer processes log 100,000
 * records each while shmlogd drains the ring to JSON Lines: every line is valid JSON, every
 * record is there exactly once, and each writer's records are in the order it logged them. */
#include "shmlogd_harness.h"

#define WRITERS 8
#define PER_WRITER 100000L

int main(void)
{
	const char *ring = h_ring("eight");
	char out[64];
	struct daemon d;
	pid_t pids[WRITERS];
	struct checker k;

	h_path(out, sizeof(out), "eight.jsonl");
	unlink(".eight.jsonl.shmlogd-state");
	const char *args[] = {"--ring", ring, "--output", out, "--format", "json", NULL};
	h_start_ready(&d, args, "eight.stderr");
	int64_t t0 = h_now_ms();
	h_writers_start(pids, WRITERS, (struct writer_spec){.ring = ring, .n = PER_WRITER});
	h_writers_done(pids, WRITERS, 1);
	int64_t t1 = h_now_ms();
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");

	h_checker_init(&k, 1, WRITERS, PER_WRITER, 0);
	k.contiguous = 1;
	h_check_file(&k, out);
	h_check_complete(&k);
	CHECK(k.synthetic == 0, "%ld loss reports, expected none", k.synthetic);
	printf("%ld records from %d writers in %lld ms, all present once and in order\n", k.records,
	       WRITERS, (long long)(t1 - t0));
	h_cleanup();
	return 0;
}

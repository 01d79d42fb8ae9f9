/* test_shmlogd_sleeps_when_idle.c - shmlogd with nothing to do sleeps on the ring's futex and
 * polls nothing: over 10 idle seconds (after a burst of records, so its fsync timer has fired)
 * it uses under 10 ms of CPU (the figure, from /proc/PID/task/, is printed; where only clock
 * ticks are to be had, one tick more is allowed for their rounding); and a record logged after
 * the idle spell still reaches the file at once. */
#include "shmlogd_harness.h"

#define IDLE_MS 10000
#define LIMIT_NS (10 * 1000000LL)

int main(void)
{
	const char *ring = h_ring("idle");
	char out[64];
	struct daemon d;
	struct checker k;
	int exact;
	pid_t pid;

	h_path(out, sizeof(out), "idle.log");
	unlink(".idle.log.shmlogd-state");
	const char *args[] = {"--ring", ring, "--output", out, "--rotate-size", "1G", NULL};
	h_start_ready(&d, args, "idle.stderr");
	struct writer_spec w = {.ring = ring, .n = 1000};
	pid = h_writer(&w);
	h_writers_done(&pid, 1, 1);
	h_sleep_ms(1500); /* past the default fsync interval: the last timer has fired */

	long long before = h_cpu_ns(d.pid, &exact);
	h_sleep_ms(IDLE_MS);
	long long used = h_cpu_ns(d.pid, &exact) - before;
	printf("idle for %d s: shmlogd used %.3f ms of CPU (%s)\n", IDLE_MS / 1000, used / 1e6,
	       exact ? "schedstat, ns" : "stat, clock ticks");
	long long limit = LIMIT_NS + (exact ? 0 : 1000000000LL / sysconf(_SC_CLK_TCK));
	CHECK(used < limit, "shmlogd used %.3f ms of CPU in %d idle seconds: is it polling?",
	      used / 1e6, IDLE_MS / 1000);

	/* Still awake to records. */
	w.n = 1;
	w.id = 1;
	int64_t t0 = h_now_ms();
	pid = h_writer(&w);
	h_writers_done(&pid, 1, 1);
	printf("a record after the idle spell was written in %lld ms\n", (long long)(h_now_ms() - t0));
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	h_checker_init(&k, 0, 2, 1000, 0);
	k.n = 1000;
	h_check_file(&k, out);
	CHECK(k.next[0] == 1000 && k.next[1] == 1, "records missing: writer 0 has %ld, writer 1 %ld",
	      k.next[0], k.next[1]);
	h_cleanup();
	return 0;
}

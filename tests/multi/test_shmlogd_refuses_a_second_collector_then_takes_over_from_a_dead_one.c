/* test_shmlogd_refuses_a_second_collector_then_takes_over_from_a_dead_one.c - a second shmlogd on
 * a ring that has one exits with EX_TEMPFAIL and one line on stderr naming the running one's pid;
 * after the first is SIGKILLed, a new one takes the ring over and drains it. */
#include <sysexits.h>

#include "shmlogd_harness.h"

int main(void)
{
	const char *ring = h_ring("two");
	char out[64], other[64], line[512], want[64];
	struct daemon first, second, third;
	struct checker k;
	pid_t pid;

	h_path(out, sizeof(out), "two.log");
	h_path(other, sizeof(other), "other.log");
	unlink(".two.log.shmlogd-state");
	unlink("second.stderr");
	const char *args[] = {"--ring", ring, "--output", out, NULL};
	const char *args2[] = {"--ring", ring, "--output", other, NULL};
	h_start_ready(&first, args, "two.stderr");

	h_start(&second, args2, "second.stderr");
	int st = h_reap(&second, 10000);
	CHECK(st == EX_TEMPFAIL, "the second shmlogd exited with %d, expected EX_TEMPFAIL (%d)", st,
	      EX_TEMPFAIL);
	FILE *f = fopen("second.stderr", "r");
	CHECK(f && fgets(line, sizeof(line), f), "the second shmlogd printed nothing on stderr");
	CHECK(fgetc(f) == EOF, "the second shmlogd printed more than one line");
	fclose(f);
	snprintf(want, sizeof(want), "pid %d", (int)first.pid);
	CHECK(strstr(line, want) && !strncmp(line, "shmlogd: ", 9),
	      "the refusal does not name the running collector (%s): %s", want, line);
	printf("refused: %s", line);

	h_kill(&first);
	h_start_ready(&third, args, "two.stderr");
	struct writer_spec w = {.ring = ring, .n = 1000};
	pid = h_writer(&w);
	h_writers_done(&pid, 1, 1);
	CHECK(h_stop(&third) == 0, "the new shmlogd did not exit 0 after SIGTERM");
	h_checker_init(&k, 0, 1, 1000, 0);
	h_check_file(&k, out);
	h_check_complete(&k);
	printf("after SIGKILL of the first, a new shmlogd took over and wrote %ld records\n",
	       k.records);
	h_cleanup();
	return 0;
}

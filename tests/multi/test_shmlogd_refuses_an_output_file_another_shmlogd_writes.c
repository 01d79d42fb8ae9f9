/* test_shmlogd_refuses_an_output_file_another_shmlogd_writes.c - two collectors of two rings
 * pointed at one file (a copied unit, say) would overwrite each other's state file, and a crash
 * of either would then write records twice. The second exits with EX_TEMPFAIL and one line naming
 * the first's pid, leaving the file and the first's records alone; once the first is SIGKILLed,
 * its lock is gone and a collector can use the file again. */
#include <sysexits.h>

#include "shmlogd_harness.h"

int main(void)
{
	const char *ring_a = h_ring("shareda"), *ring_b = h_ring("sharedb");
	char out[64], line[512], want[64];
	struct daemon first, second, third;
	struct checker k;
	pid_t pid;

	h_path(out, sizeof(out), "shared.log");
	unlink(".shared.log.shmlogd-state");
	unlink("shared-second.stderr");
	const char *args_a[] = {"--ring", ring_a, "--output", out, NULL};
	const char *args_b[] = {"--ring", ring_b, "--output", out, NULL};
	h_start_ready(&first, args_a, "shared-first.stderr");

	h_start(&second, args_b, "shared-second.stderr");
	int st = h_reap(&second, 10000);
	CHECK(st == EX_TEMPFAIL, "the second shmlogd exited with %d, expected EX_TEMPFAIL (%d)", st,
	      EX_TEMPFAIL);
	FILE *f = fopen("shared-second.stderr", "r");
	CHECK(f && fgets(line, sizeof(line), f), "the second shmlogd printed nothing on stderr");
	CHECK(fgetc(f) == EOF, "the second shmlogd printed more than one line");
	fclose(f);
	snprintf(want, sizeof(want), "pid %d", (int)first.pid);
	CHECK(strstr(line, want) && strstr(line, out) && strstr(line, "--output"),
	      "the refusal does not name the running collector (%s), the file and the fix: %s", want,
	      line);
	printf("refused: %s", line);

	/* The first still owns the file and its state: its records arrive, once each. */
	struct writer_spec w = {.ring = ring_a, .n = 2000};
	pid = h_writer(&w);
	h_writers_done(&pid, 1, 1);
	CHECK(h_stop(&first) == 0, "the first shmlogd did not exit 0 after SIGTERM");
	h_checker_init(&k, 0, 1, 2000, 0);
	h_check_file(&k, out);
	h_check_complete(&k);
	printf("the first shmlogd wrote its %ld records, once each\n", k.records);

	/* A killed holder leaves no lock behind. */
	h_start_ready(&first, args_a, "shared-first.stderr");
	h_kill(&first);
	h_start_ready(&third, args_b, "shared-third.stderr");
	CHECK(h_stop(&third) == 0, "the shmlogd started after SIGKILL of the holder did not exit 0");
	printf("after SIGKILL of the holder, another shmlogd opened the file\n");
	h_cleanup();
	return 0;
}

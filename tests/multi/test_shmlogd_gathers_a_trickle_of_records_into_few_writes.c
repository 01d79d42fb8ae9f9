/* test_shmlogd_gathers_a_trickle_of_records_into_few_writes.c - a writer that leaves the ring
 * empty between records (here it busy-waits GAP_US after each one; in life, Python's logging module
 * needs about that much a record) does not make shmlogd write a batch every few records: a
 * small batch waits a moment for more before it is written. Shown by shmlogd's count of write
 * system calls (/proc/PID/io syscw: a writev of the lines plus the state file's pwrites, about
 * three a batch): under one per 20 records. Before the wait, shmlogd wrote whatever it had
 * each time the ring ran empty, and made more than one call per 10 records here. Every record
 * still arrives once and in order. */
#include "shmlogd_harness.h"

#define RECORDS 20000
#define GAP_US 10

static long long write_calls(pid_t pid)
{
	char path[64], line[128];
	long long n = -1;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("SKIP: %s cannot be read (%s): no count of shmlogd's writes to judge by\n",
		       path, strerror(errno));
		h_cleanup();
		exit(0);
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "syscw: %lld", &n) == 1)
			break;
	fclose(f);
	CHECK(n >= 0, "no syscw line in %s", path);
	return n;
}

int main(void)
{
	const char *ring = h_ring("gather");
	char out[64];
	struct daemon d;
	struct checker k;

	h_path(out, sizeof(out), "gather.log");
	unlink(".gather.log.shmlogd-state");
	const char *args[] = {"--ring", ring, "--output", out, "--fsync", "none", NULL};
	h_start_ready(&d, args, "gather.stderr");
	long long before = write_calls(d.pid);

	struct writer_spec w = {.ring = ring, .n = RECORDS, .spin_us = GAP_US, .level = SHMLOG_INFO};
	int64_t t0 = h_now_ms();
	pid_t pid = h_writer(&w);
	h_writers_done(&pid, 1, 1); /* its flush returns once shmlogd has written everything */
	long long calls = write_calls(d.pid) - before;
	printf("%d records, one every %d+ us over %lld ms: shmlogd made %lld write calls\n",
	       RECORDS, GAP_US, (long long)(h_now_ms() - t0), calls);
	CHECK(calls * 20 < RECORDS, "shmlogd made %lld write calls for %d records: it writes a "
	      "trickle a few records at a time", calls, RECORDS);

	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	h_checker_init(&k, 0, 1, RECORDS, 0);
	h_check_file(&k, out);
	CHECK(k.next[0] == RECORDS, "records missing: the writer has %ld of %d", k.next[0], RECORDS);
	h_cleanup();
	return 0;
}

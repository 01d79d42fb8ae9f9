/* test_shmlogd_writes_every_record_once_when_the_checkpoint_is_damaged.c - a stray write over
 * the ring's checkpoint, between two runs of shmlogd, costs no record and repeats none:
 * - both checkpoint positions made misaligned: the second shmlogd says so in one line and
 *   resumes at the tail its predecessor left;
 * - both checkpoint sequence numbers made small (positions sound): the consumer finds them at
 *   odds with the record at the checkpoint and takes the writers' numbering, so shmlogd does not
 *   take the records after it for ones it already wrote.
 * Either way the output holds every record exactly once, before the damage and after. */
#include "shmlogd_harness.h"

#define HALF 500L

/* Offsets in the ring's header (docs/FORMAT.md): checkpoint pairs {pos, seq} at 200 and 216. */
static void scribble(const char *ring, off_t first, off_t second, uint64_t value)
{
	char shm_path[128];
	snprintf(shm_path, sizeof(shm_path), "/dev/shm/shmlog.%s", ring);
	int fd = open(shm_path, O_WRONLY);
	CHECK(fd >= 0 && pwrite(fd, &value, sizeof(value), first) == sizeof(value) &&
		      pwrite(fd, &value, sizeof(value), second) == sizeof(value),
	      "scribble %s: %s", shm_path, strerror(errno));
	close(fd);
}

static void run(const char *tag, off_t first, off_t second, uint64_t value, const char *says)
{
	const char *ring = h_ring(tag);
	char out[64], state[80], err[64];
	struct daemon d;
	struct checker k;
	long i = 0;

	snprintf(out, sizeof(out), "%s.log", tag);
	snprintf(state, sizeof(state), ".%s.log.shmlogd-state", tag);
	snprintf(err, sizeof(err), "%s.stderr", tag);
	unlink(out);
	unlink(state);
	unlink(err);
	const char *args[] = {"--ring", ring, "--output", out, NULL};
	h_start_ready(&d, args, err);
	struct shmlog *log = shmlog_open(ring, NULL);
	CHECK(log, "open %s: %s", ring, shmlog_errmsg());
	for (; i < HALF; i++)
		CHECK(shmlog_log(log, SHMLOG_INFO, "t", "w0 n%ld", i) == 0, "log: %s",
		      shmlog_errmsg());
	CHECK(shmlog_flush(log, 10000 * test_slow_factor()) == 0, "flush: %s", shmlog_errmsg());
	CHECK(h_stop(&d) == 0, "%s: the first shmlogd did not exit 0 after SIGTERM", tag);
	for (; i < 2 * HALF; i++)
		CHECK(shmlog_log(log, SHMLOG_INFO, "t", "w0 n%ld", i) == 0, "log: %s",
		      shmlog_errmsg());

	scribble(ring, first, second, value);
	h_start_ready(&d, args, err);
	CHECK(shmlog_flush(log, 10000 * test_slow_factor()) == 0, "flush: %s", shmlog_errmsg());
	shmlog_close(log);
	CHECK(h_stop(&d) == 0, "%s: the second shmlogd did not exit 0 after SIGTERM", tag);
	if (says && h_count_in_file(err, says) != 1) {
		h_print_file(err);
		CHECK(0, "%s: shmlogd did not say once '%s'", tag, says);
	}
	CHECK(h_count_in_file(err, "skipped as already written") == 2 &&
		      h_count_in_file(err, ", 0 records skipped as already written") == 2,
	      "%s: shmlogd skipped records it took for written ones (see %s)", tag, err);
	h_checker_init(&k, 0, 1, 2 * HALF, 0);
	h_check_file(&k, out);
	h_check_complete(&k);
	printf("%s: %ld records exactly once, %ld of them after the damage\n", tag, 2 * HALF, HALF);
	shmlog_unlink(ring);
}

int main(void)
{
	run("cppos", 200, 216, 5, "its checkpoint was damaged (head at");
	run("cpseq", 208, 224, 3, NULL);
	return 0;
}

/* test_shmlogger_logs_100000_stdin_lines_exactly_once.c - without a message, shmlogger logs each
 * line of its standard input as one record: 100,000 numbered lines of varied length, written
 * into a pipe in odd-sized chunks, through a ring small enough that shmlogger must wait for the
 * collector again and again, arrive exactly once, in order, byte for byte, with the fields of
 * the command line; shmlogger then exits 0 without a word. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_shmlogger_helpers.h"

#define LINES 100000
#define RING_SIZE (256 * 1024) /* ~10 MB of records: the ring fills some 40 times over */

/* Line I: "seq=I " then filler whose length and bytes follow from I. */
static size_t make_line(char *buf, unsigned i)
{
	size_t len = (size_t)sprintf(buf, "seq=%u ", i);
	size_t fill = (i * 7919u) % 97;

	for (size_t k = 0; k < fill; k++)
		buf[len++] = (char)('a' + (i + k) % 26);
	return len;
}

/* Feeds every line into FD from a child, in chunks of varying size, so that lines cross the
 * reader's buffer boundaries. */
static pid_t start_feeder(int fd)
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		static char chunk[1 << 16];
		size_t used = 0, limit = 1;

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		for (unsigned i = 0; i < LINES; i++) {
			used += make_line(chunk + used, i);
			chunk[used++] = '\n';
			if (used >= limit || i == LINES - 1) {
				if (write(fd, chunk, used) != (ssize_t)used)
					_exit(1);
				used = 0;
				limit = limit * 3 % 4099 + 1;
			}
		}
		_exit(0);
	}
	close(fd);
	return pid;
}

static void test_every_line_arrives_exactly_once_in_order(void **state)
{
	const char *ring = ring_name("stdin");
	struct shmlog_consumer *c = open_consumer(ring, RING_SIZE);
	struct shmlog_record rec;
	struct logger_run run;
	char want[256], err[4096];
	int in[2], status, ev;
	pid_t feeder;
	unsigned next = 0;

	(void)state;
	assert_int_equal(pipe2(in, O_CLOEXEC), 0);
	logger_start(&run, (const char *const[]){"-r", ring, "-t", "feed", "job=7", NULL}, in[0]);
	close(in[0]);
	feeder = start_feeder(in[1]);

	while (next < LINES) {
		ev = next_event(c, &rec, 10000);
		if (ev != SHMLOG_NEXT_RECORD)
			fail_msg("after %u lines: event %d (%.*s)", next, ev, (int)rec.msg_len,
				 rec.msg ? rec.msg : "");
		size_t len = make_line(want, next);
		if (rec.msg_len != len || memcmp(rec.msg, want, len) != 0)
			fail_msg("record %u is '%.*s', expected '%.*s'", next, (int)rec.msg_len,
				 rec.msg, (int)len, want);
		assert_int_equal(rec.level, SHMLOG_INFO);
		assert_int_equal(rec.nfields, 1);
		assert_int_equal(record_field(&rec, "job").v.i, 7);
		next++;
	}
	assert_no_more(c, 300);
	assert_int_equal(shmlog_consumer_commit(c), 0);

	status = logger_wait(&run, err, sizeof(err));
	assert_string_equal(err, "");
	assert_int_equal(status, 0);
	assert_true(waitpid(feeder, &status, 0) == feeder);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	printf("%u lines, each exactly once and in order\n", next);

	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_line_arrives_exactly_once_in_order),
	};

	shmlogger_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_shmlogcat_follow_exits_quietly_when_its_reader_goes_away.c - `shmlogcat -f R | head -1`
 * ends promptly with status 0 and nothing on stderr, both on a quiet ring (nothing more will
 * ever be written, so it must notice the closed pipe without writing) and on a busy one (where
 * it finds out from a write), and through a real shell pipeline. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_shmlogcat_helpers.h"

#define PROMPT_MS 2000

/* Reads one line from a follower of RING, closes the pipe like head does, and checks that the
 * follower ends on its own, quietly, within PROMPT_MS. */
static void read_one_line_and_close(const char *ring, const char *how)
{
	struct follower f;
	char err[256];
	int64_t start;
	ssize_t n;
	int status = -1;

	FOLLOW(&f, "-f", ring);
	assert_non_null(follow_line(&f, 5000));
	close(f.out);
	start = now_ns(CLOCK_MONOTONIC);
	while (now_ns(CLOCK_MONOTONIC) - start < (int64_t)PROMPT_MS * 1000000) {
		int st;
		if (waitpid(f.pid, &st, WNOHANG) == f.pid) {
			status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
			break;
		}
		sleep_ms(5);
	}
	printf("%s: follower ended %.1f ms after its reader with status %d\n", how,
	       (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e6, status);
	if (status < 0) {
		kill(f.pid, SIGKILL);
		wait_status(f.pid);
		fail_msg("%s: follower still running %d ms after its reader went away", how, PROMPT_MS);
	}
	n = read(f.err, err, sizeof(err) - 1);
	err[n > 0 ? n : 0] = '\0';
	assert_int_equal(status, 0);
	assert_string_equal(err, "");
	close(f.err);
	free(f.pending.data);
}

static void test_follower_of_a_quiet_ring_exits_when_the_pipe_closes(void **state)
{
	const char *ring = ring_name("quiet");
	struct shmlog *log = open_ring(ring, 1 << 16, SHMLOG_ON_FULL_DROP);

	(void)state;
	shmlog_log(log, SHMLOG_INFO, "t", "the only record");
	read_one_line_and_close(ring, "quiet ring");
	shmlog_close(log);
	shmlog_unlink(ring);
}

static void test_follower_of_a_busy_ring_exits_when_the_pipe_closes(void **state)
{
	const char *ring = ring_name("busy");
	struct shmlog *log = open_ring(ring, 1 << 20, SHMLOG_ON_FULL_DROP);
	struct collector col;
	pid_t writer = fork_child();

	(void)state;
	if (writer == 0) {
		for (int i = 0;; i++) {
			shmlog_log(log, SHMLOG_INFO, "t", "busy %d", i);
			if (i % 100 == 0)
				sleep_ms(1);
		}
	}
	/* Started after the fork: the collector keeps room in the ring, so records keep coming. */
	collector_start(&col, ring);
	read_one_line_and_close(ring, "busy ring");
	kill(writer, SIGKILL);
	wait_status(writer);
	collector_stop(&col);
	shmlog_close(log);
	shmlog_unlink(ring);
}

static void test_follower_piped_into_head_in_a_shell_exits_quietly(void **state)
{
	const char *ring = ring_name("head");
	struct shmlog *log = open_ring(ring, 1 << 16, SHMLOG_ON_FULL_DROP);
	char cmd[8192], line[512], err[512] = "";
	int64_t start;
	int status = -1;
	size_t n;
	FILE *p;

	(void)state;
	shmlog_log(log, SHMLOG_INFO, "t", "first");
	shmlog_log(log, SHMLOG_INFO, "t", "second");
	/* dash has no pipefail: shmlogcat's status and stderr go to files in the work directory. */
	snprintf(cmd, sizeof(cmd),
		 "{ %s'%s' -f -o cat '%s' 2>cat.err; echo $? >cat.status; } | head -1",
		 test_wrapper_prefix(), shmlogcat_path(), ring);
	start = now_ns(CLOCK_MONOTONIC);
	assert_non_null(p = popen(cmd, "r"));
	assert_non_null(fgets(line, sizeof(line), p));
	assert_string_equal(line, "first\n");
	assert_int_equal(pclose(p), 0);
	printf("shell pipeline finished in %.1f ms\n",
	       (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e6);
	assert_true(now_ns(CLOCK_MONOTONIC) - start < (int64_t)PROMPT_MS * 1000000);
	assert_non_null(p = fopen("cat.status", "r"));
	assert_int_equal(fscanf(p, "%d", &status), 1);
	fclose(p);
	assert_non_null(p = fopen("cat.err", "r"));
	n = fread(err, 1, sizeof(err) - 1, p);
	fclose(p);
	assert_int_equal(n, 0);
	assert_int_equal(status, 0);
	shmlog_close(log);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follower_of_a_quiet_ring_exits_when_the_pipe_closes),
		cmocka_unit_test(test_follower_of_a_busy_ring_exits_when_the_pipe_closes),
		cmocka_unit_test(test_follower_piped_into_head_in_a_shell_exits_quietly),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

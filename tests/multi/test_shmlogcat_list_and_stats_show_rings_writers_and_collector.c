/* test_shmlogcat_list_and_stats_show_rings_writers_and_collector.c - --list shows a ring with
 * its size, live writers and collector; --stats shows its size, positions, a record rate while
 * a writer is busy, drops, the collector's pid and lag, and the producer table with each
 * writer's pid, process name and record count. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/prctl.h>

#include "test_shmlogcat_helpers.h"

#define WRITER_RECORDS 100

/* A writer named NAME that logs WRITER_RECORDS records, then (if BUSY) more as fast as it can,
 * staying attached until killed. */
static pid_t start_writer(const char *ring, const char *name, int busy)
{
	pid_t pid = fork_child();

	if (pid == 0) {
		struct shmlog *log;
		prctl(PR_SET_NAME, name, 0, 0, 0);
		if (!(log = shmlog_open(ring, NULL)))
			_exit(1);
		for (int i = 0; i < WRITER_RECORDS; i++)
			shmlog_log(log, SHMLOG_INFO, "t", "%s %d", name, i);
		while (busy) /* until stop_writer() */
			shmlog_log(log, SHMLOG_DEBUG, "busy", "busy");
		for (;;)
			pause();
	}
	return pid;
}

static void stop_writer(pid_t pid)
{
	kill(pid, SIGTERM);
	assert_int_equal(wait_status(pid), 128 + SIGTERM);
}

/* The line of TEXT that starts with LABEL (after spaces). */
static const char *line_of(const char *text, const char *label)
{
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		while (*p == ' ')
			p++;
		if (!strncmp(p, label, strlen(label)))
			return p;
	}
	fail_msg("no line starting with '%s' in:\n%s", label, text);
	return NULL;
}

static void test_list_and_stats_show_the_ring(void **state)
{
	const char *ring = ring_name("stats");
	struct shmlog *log = open_ring(ring, 1 << 20, SHMLOG_ON_FULL_BLOCK);
	pid_t quiet, busy;
	struct collector col;
	char want[256], pid[16], size[16];
	char name[16], alive[16];
	unsigned long long records, drops;
	unsigned writers;
	int collector_pid;
	const char *row;
	struct run r;

	(void)state;
	shmlog_close(log); /* the test process itself is no writer */
	collector_start(&col, ring);
	quiet = start_writer(ring, "catquiet", 0);
	/* Busy until stopped, so still busy while --stats measures its rate however long --list
	 * took before it (a never-initialised ring left in /dev/shm makes --list wait for it). */
	busy = start_writer(ring, "catbusy", 1);
	sleep_ms(300);

	RUN_CAT(&r, "--list");
	printf("%s", r.out.data);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, "NAME"));
	row = line_of(r.out.data, ring);
	assert_int_equal(sscanf(row, "%*s %15s %*s %u pid %d", size, &writers, &collector_pid), 3);
	assert_string_equal(size, "1M");
	assert_int_equal(writers, 2);
	assert_int_equal(collector_pid, getpid());
	run_free(&r);

	RUN_CAT(&r, "--stats", "--interval", "0.3", ring);
	printf("%s", r.out.data);
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(line_of(r.out.data, "size"), "1M (1048576 bytes)"));
	line_of(r.out.data, "head");
	line_of(r.out.data, "tail");
	line_of(r.out.data, "drops");
	line_of(r.out.data, "abandoned");
	assert_true(strtod(line_of(r.out.data, "rate") + 4, NULL) > 0);
	snprintf(want, sizeof(want), "collector   pid %d, alive, lag ", (int)getpid());
	assert_non_null(strstr(r.out.data, want));
	/* The test process opened the ring, then closed it: its slot shows as gone. */
	assert_non_null(strstr(line_of(r.out.data, "producers"), "(2 alive)"));
	snprintf(pid, sizeof(pid), "%d ", (int)quiet);
	row = line_of(r.out.data, pid);
	assert_int_equal(sscanf(row, "%*d %15s %15s %llu %llu", name, alive, &records, &drops), 4);
	assert_string_equal(name, "catquiet");
	assert_string_equal(alive, "alive");
	assert_int_equal(records, WRITER_RECORDS);
	assert_int_equal(drops, 0);
	snprintf(pid, sizeof(pid), "%d ", (int)busy);
	assert_non_null(strstr(line_of(r.out.data, pid), "catbusy"));
	run_free(&r);

	stop_writer(quiet);
	stop_writer(busy);
	collector_stop(&col);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_and_stats_show_the_ring),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

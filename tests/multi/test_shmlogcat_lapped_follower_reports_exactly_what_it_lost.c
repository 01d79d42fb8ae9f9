/* test_shmlogcat_lapped_follower_reports_exactly_what_it_lost.c - a follower that writers lap
 * (it is stopped while several rings' worth of records go through, drained by a collector)
 * says "-- lost N records --" with the exact N, then resumes with intact records: the records it
 * prints after the marker plus those it reports lost are exactly the records written. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_shmlogcat_helpers.h"

#define RING_SIZE (64 * 1024)
#define WRITTEN 5000 /* about 7 laps of a 64K ring */

/* A record that checks itself: its number and a body derived from it. */
static void record_text(char *out, size_t cap, int i)
{
	snprintf(out, cap, "n=%d body=%08x%08x", i, (unsigned)i * 2654435761u, ~(unsigned)i);
}

static void test_lapped_follower_reports_the_exact_loss_and_resumes(void **state)
{
	const char *ring = ring_name("lapped");
	struct shmlog *log = open_ring(ring, RING_SIZE, SHMLOG_ON_FULL_BLOCK);
	unsigned long long lost = 0, n;
	int printed = 0, first = -1, next = -1, notes = 0;
	struct collector col;
	struct follower f;
	const char *line;
	char text[64], *err, *p;

	(void)state;
	collector_start(&col, ring);
	FOLLOW(&f, "-f", "-o", "cat", ring);
	shmlog_log(log, SHMLOG_INFO, "t", "start");
	line = follow_line(&f, 5000);
	assert_non_null(line);
	assert_string_equal(line, "start");

	assert_int_equal(kill(f.pid, SIGSTOP), 0);
	for (int i = 0; i < WRITTEN; i++) {
		record_text(text, sizeof(text), i);
		assert_int_equal(shmlog_log(log, SHMLOG_INFO, "t", "%s", text), 0);
	}
	assert_int_equal(shmlog_flush(log, 10000), 0);
	assert_int_equal(kill(f.pid, SIGCONT), 0);
	shmlog_log(log, SHMLOG_INFO, "t", "end");

	while ((line = follow_line(&f, 5000)) && strcmp(line, "end")) {
		int i;

		if (sscanf(line, "n=%d", &i) != 1)
			fail_msg("unexpected line '%s'", line);
		record_text(text, sizeof(text), i);
		if (strcmp(line, text))
			fail_msg("torn record: '%s', expected '%s'", line, text);
		if (first < 0)
			first = next = i;
		if (i != next)
			fail_msg("record %d after %d: the records after a loss must follow on", i,
				 next - 1);
		next = i + 1;
		printed++;
	}
	assert_non_null(line);
	err = follow_stop(&f);
	for (p = err; (p = strstr(p, "-- lost ")); p++) {
		assert_int_equal(sscanf(p, "-- lost %llu records --", &n), 1);
		lost += n;
		notes++;
	}
	printf("follower lapped: %d notes, %llu records lost, %d printed (first n=%d), %d written\n",
	       notes, lost, printed, first, WRITTEN);
	assert_true(notes >= 1);
	assert_true(lost > 0);
	assert_int_equal(next, WRITTEN);
	assert_int_equal(lost + (unsigned long long)printed, WRITTEN);
	assert_int_equal(lost, (unsigned long long)first);
	free(err);
	collector_stop(&col);
	shmlog_close(log);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lapped_follower_reports_the_exact_loss_and_resumes),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

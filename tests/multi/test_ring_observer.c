/* test_ring_observer - an observer lapped by writers reports exactly how many records it lost,
 * resumes on intact records, and never returns a torn one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

enum { WRITERS = 2, PER_WRITER = 150000 };

static const char *g_name;

static int writer(void *arg, int w)
{
	(void)arg;
	struct shmlog *lg = shmlog_open(g_name, NULL);
	uint64_t rnd = (uint64_t)w + 1;
	char buf[700];
	if (!lg)
		return 1;
	for (uint64_t i = 0; i < PER_WRITER; i++) {
		size_t n = tu_payload(buf, sizeof(buf), (unsigned)w, i, tu_rand(&rnd) % 600);
		if (shmlog_write(lg, SHMLOG_INFO, "lap", buf, n) != 0)
			return 2;
	}
	shmlog_close(lg);
	return 0;
}

static int collector(void *arg, int want)
{
	(void)arg;
	struct shmlog_consumer *c = shmlog_consumer_open(g_name, NULL);
	if (!c)
		return 1;
	long got = tu_drain(c, want, 5000, NULL, NULL);
	shmlog_consumer_close(c);
	return got == want ? 0 : 3;
}

static void test_lapped_observer_reports_exact_loss_and_never_a_torn_record(void **s)
{
	(void)s;
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 64 * 1024;
	g_name = tu_ring_name("lap");
	struct shmlog *keep = shmlog_open(g_name, &o); /* creates the ring with our size */
	assert_non_null(keep);
	struct shmlog_observer *ob = shmlog_observer_open(g_name, SHMLOG_OBSERVE_NEWEST);
	assert_non_null(ob);
	pid_t col = tu_fork(collector, NULL, WRITERS * PER_WRITER);
	pid_t pids[WRITERS];
	for (int w = 0; w < WRITERS; w++)
		pids[w] = tu_fork(writer, NULL, w);

	uint64_t next_seq = 0, records = 0, lost = 0, lost_events = 0, last_index[WRITERS] = {0};
	int seen_any[WRITERS] = {0}, started = 0, quiet = 0;
	long torn = 0, seq_breaks = 0, order_breaks = 0;
	struct shmlog_record rec;
	while (quiet < 20) {
		int ev = shmlog_observer_next(ob, &rec, 50);
		assert_true(ev >= 0);
		if (ev == SHMLOG_NEXT_EMPTY) {
			quiet++;
			continue;
		}
		quiet = 0;
		if (ev == SHMLOG_NEXT_LOST) {
			lost += rec.count;
			lost_events++;
			next_seq += rec.count; /* the next record's seq must be exactly past the loss */
			continue;
		}
		assert_int_equal(ev, SHMLOG_NEXT_RECORD);
		if (started && rec.seq != next_seq)
			seq_breaks++;
		started = 1;
		next_seq = rec.seq + 1;
		records++;
		unsigned w;
		uint64_t i;
		if (tu_payload_check(rec.msg, rec.msg_len, &w, &i) < 0 || w >= WRITERS) {
			torn++;
			continue;
		}
		if (seen_any[w] && i <= last_index[w])
			order_breaks++;
		seen_any[w] = 1;
		last_index[w] = i;
		if (records % 500 == 0)
			usleep(20000); /* fall behind: let the writers lap us */
	}
	for (int w = 0; w < WRITERS; w++)
		assert_int_equal(tu_wait(pids[w]), 0);
	assert_int_equal(tu_wait(col), 0);
	printf("# observer: %llu records, %llu lost in %llu events\n", (unsigned long long)records,
	       (unsigned long long)lost, (unsigned long long)lost_events);
	assert_int_equal(torn, 0);
	assert_int_equal(seq_breaks, 0);
	assert_int_equal(order_breaks, 0);
	assert_true(lost_events > 0); /* the test did make the writers lap it */
	/* Everything written is accounted for: read or reported lost. */
	assert_int_equal(records + lost, WRITERS * PER_WRITER);
	shmlog_observer_close(ob);
	shmlog_close(keep);
	shmlog_unlink(g_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lapped_observer_reports_exact_loss_and_never_a_torn_record),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

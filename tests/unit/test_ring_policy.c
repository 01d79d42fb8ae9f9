/* test_ring_policy - what a writer does when the ring is full: block waits and resumes, drop
 * counts exactly, timeout waits then drops, and nobody stalls again and again without a
 * collector. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ring.h"
#include "testutil.h"

static struct shmlog_options small_ring(int policy)
{
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 64 * 1024;
	o.on_full = policy;
	return o;
}

struct tally {
	long records;
	uint64_t dropped;
	pid_t dropped_pid;
};

static int count_events(void *arg, int ev, const struct shmlog_record *rec)
{
	struct tally *t = arg;
	if (ev == SHMLOG_NEXT_RECORD)
		t->records++;
	if (ev == SHMLOG_NEXT_DROPPED) {
		t->dropped += rec->count;
		t->dropped_pid = (pid_t)rec->pid;
		assert_true(rec->flags & SHMLOG_REC_SYNTHETIC);
		assert_non_null(strstr(rec->msg, "dropped"));
	}
	return 0;
}

/* A small drop ring, its consumer, and one writer that wrote N 200-byte records into it. */
struct overfilled {
	const char *name;
	struct shmlog_consumer *c;
	struct shmlog *lg;
	long ok, dropped; /* records written, and refused with -ENOBUFS */
};

static void overfill_drop_ring(struct overfilled *r, const char *tag, int n)
{
	struct shmlog_options o = small_ring(SHMLOG_ON_FULL_DROP);
	char msg[200];

	memset(r, 0, sizeof(*r));
	r->name = tu_ring_name(tag);
	r->c = shmlog_consumer_open(r->name, &o);
	r->lg = shmlog_open(r->name, &o);
	assert_non_null(r->c);
	assert_non_null(r->lg);
	memset(msg, 'd', sizeof(msg));
	for (int i = 0; i < n; i++) {
		int rc = shmlog_write(r->lg, SHMLOG_INFO, "drop", msg, sizeof(msg));
		if (rc == 0)
			r->ok++;
		else if (rc == -ENOBUFS)
			r->dropped++;
		else
			fail_msg("unexpected %d", rc);
	}
}

static void test_drop_policy_counts_every_dropped_record_exactly(void **state)
{
	(void)state;
	struct overfilled r;
	overfill_drop_ring(&r, "drop", 2000);
	assert_true(r.ok > 100 && r.dropped > 1000);
	struct tally t = {0};
	tu_drain(r.c, r.ok + 1, 300, count_events, &t);
	assert_int_equal(t.records, r.ok);
	assert_int_equal(t.dropped, r.dropped);
	assert_int_equal(t.dropped_pid, getpid());
	/* Reported once: after the commit, nothing more is reported. */
	struct shmlog_record rec;
	assert_int_equal(shmlog_consumer_next(r.c, &rec, 100), SHMLOG_NEXT_EMPTY);
	shmlog_close(r.lg);
	shmlog_consumer_close(r.c);
	shmlog_unlink(r.name);
}

static void test_drops_of_a_writer_that_closed_are_reported_exactly_once(void **state)
{
	(void)state;
	struct overfilled r;
	overfill_drop_ring(&r, "dropclose", 1000);
	/* Reported while the writer is open, committed after it closed (LIVE -> CLOSED). */
	struct shmlog_record rec;
	int ev;
	while ((ev = shmlog_consumer_next(r.c, &rec, 0)) == SHMLOG_NEXT_RECORD)
		;
	shmlog_close(r.lg);
	struct tally t = {0};
	if (ev == SHMLOG_NEXT_DROPPED)
		count_events(&t, ev, &rec);
	tu_drain(r.c, 100000, 300, count_events, &t);
	tu_drain(r.c, 100000, 300, count_events, &t);
	assert_int_equal(t.dropped, r.dropped);
	shmlog_consumer_close(r.c);
	shmlog_unlink(r.name);
}

static void test_a_mark_settles_the_drops_reported_before_it_not_after(void **state)
{
	(void)state;
	struct overfilled r;
	overfill_drop_ring(&r, "dropmark", 1000);
	long d1 = r.dropped;
	/* Read up to the first drop report and mark right after it. */
	struct shmlog_record rec;
	int ev;
	while ((ev = shmlog_consumer_next(r.c, &rec, 0)) == SHMLOG_NEXT_RECORD)
		;
	assert_int_equal(ev, SHMLOG_NEXT_DROPPED);
	assert_int_equal(rec.count, (uint64_t)d1);
	struct shmlog_mark m;
	shmlog_consumer_mark(r.c, &m);
	/* Nothing committed, so the ring is still full: more drops, reported after the mark
	 * (as when a collector's next batch fills while the previous one is being stored). */
	char msg[200];
	memset(msg, 'e', sizeof(msg));
	long d2 = 0;
	for (int i = 0; i < 50; i++)
		d2 += shmlog_write(r.lg, SHMLOG_INFO, "drop", msg, sizeof(msg)) == -ENOBUFS;
	assert_int_equal(d2, 50);
	struct tally t = {0};
	while ((ev = shmlog_consumer_next(r.c, &rec, 100)) != SHMLOG_NEXT_EMPTY) {
		assert_true(ev >= 0);
		count_events(&t, ev, &rec); /* read, not committed */
	}
	assert_int_equal(t.dropped, d2);
	/* Committing the mark settles the first report only; a consumer that takes over from
	 * here (a crashed collector's successor) reports the second again, and only it. */
	assert_int_equal(shmlog_consumer_commit_mark(r.c, &m), 0);
	shmlog_consumer_close(r.c);
	r.c = shmlog_consumer_open(r.name, NULL);
	assert_non_null(r.c);
	struct tally again = {0};
	tu_drain(r.c, 100000, 300, count_events, &again);
	assert_int_equal(again.dropped, d2);
	shmlog_close(r.lg);
	shmlog_consumer_close(r.c);
	shmlog_unlink(r.name);
}

static int block_writer(void *arg, int n)
{
	const char *name = arg;
	struct shmlog *lg = shmlog_open(name, NULL);
	char msg[1000];
	memset(msg, 'b', sizeof(msg));
	for (int i = 0; i < n; i++)
		if (!lg || shmlog_write(lg, SHMLOG_INFO, "block", msg, sizeof(msg)) != 0)
			return 1;
	shmlog_close(lg);
	return 0;
}

static uint64_t ring_head(const char *name)
{
	struct shmlog_observer *ob = shmlog_observer_open(name, SHMLOG_OBSERVE_NEWEST);
	struct shmlog_stats st;
	assert_non_null(ob);
	assert_int_equal(shmlog_observer_stats(ob, &st, NULL, 0), 0);
	shmlog_observer_close(ob);
	return st.head;
}

static void test_block_policy_waits_for_room_then_resumes_losing_nothing(void **state)
{
	(void)state;
	const char *name = tu_ring_name("block");
	struct shmlog_options o = small_ring(SHMLOG_ON_FULL_BLOCK);
	struct shmlog_consumer *c = shmlog_consumer_open(name, &o);
	assert_non_null(c);
	pid_t pid = tu_fork(block_writer, (void *)name, 500);
	/* The writer fills the ring and then waits: head stops moving, the child stays alive. */
	usleep(300 * 1000);
	uint64_t h1 = ring_head(name);
	usleep(200 * 1000);
	assert_int_equal(ring_head(name), h1);
	assert_int_equal(waitpid(pid, NULL, WNOHANG), 0);
	struct tally t = {0};
	assert_int_equal(tu_drain(c, 500, 2000, count_events, &t), 500);
	assert_int_equal(t.dropped, 0);
	assert_int_equal(tu_wait(pid), 0);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

/* Fills the ring to the last 16 bytes through a drop-policy handle of its own; returns how many
 * of its writes were dropped on the way. */
static uint64_t fill(const char *name)
{
	uint64_t misses = 0;
	struct shmlog_options o = small_ring(SHMLOG_ON_FULL_DROP);
	struct shmlog *lg = shmlog_open(name, &o);
	char msg[1000];
	assert_non_null(lg);
	memset(msg, 'f', sizeof(msg));
	for (size_t len = sizeof(msg); len > 0; len /= 2)
		while (shmlog_write(lg, SHMLOG_INFO, "", msg, len) == 0 || (misses++, 0))
			;
	while (shmlog_write(lg, SHMLOG_INFO, "", msg, 0) == 0 || (misses++, 0))
		;
	shmlog_close(lg);
	return misses;
}

static void test_timeout_policy_waits_its_time_then_drops(void **state)
{
	(void)state;
	const char *name = tu_ring_name("timeout");
	struct shmlog_options o = small_ring(SHMLOG_ON_FULL_DROP);
	struct shmlog_consumer *c = shmlog_consumer_open(name, &o);
	uint64_t misses = fill(name);
	struct shmlog_options w = small_ring(SHMLOG_ON_FULL_TIMEOUT);
	w.full_timeout_ms = 150;
	struct shmlog *lg = shmlog_open(name, &w);
	assert_non_null(lg);
	int64_t t0 = tu_now_ms();
	assert_int_equal(shmlog_log(lg, SHMLOG_INFO, "t", "late"), -ENOBUFS);
	int64_t took = tu_now_ms() - t0;
	assert_true(took >= 140 && took < 1000);
	struct tally t = {0};
	tu_drain(c, 100000, 300, count_events, &t);
	assert_int_equal(t.dropped, misses + 1);
	shmlog_close(lg);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

/* A binding's fast handle: a full ring returns -EAGAIN at once and counts no drop; the ring
 * created through such a handle still makes every other writer block. */
static void test_eagain_handle_neither_waits_nor_counts_a_drop(void **state)
{
	(void)state;
	const char *name = tu_ring_name("eagain");
	struct shmlog_options w = small_ring(SHMLOG_ON_FULL_EAGAIN);
	struct shmlog *lg = shmlog_open(name, &w); /* creates it */
	assert_non_null(lg);
	struct shmlog_options o = small_ring(SHMLOG_ON_FULL_DEFAULT);
	struct shmlog_consumer *c = shmlog_consumer_open(name, &o);
	assert_non_null(c);
	struct shmlog_stats st;
	struct shmlog_observer *ob = shmlog_observer_open(name, SHMLOG_OBSERVE_OLDEST);
	assert_int_equal(shmlog_observer_stats(ob, &st, NULL, 0), 0);
	assert_int_equal(st.policy, SHMLOG_ON_FULL_BLOCK);
	char msg[200];
	memset(msg, 'e', sizeof(msg));
	long written = 0;
	int rc;
	int64_t t0 = tu_now_ms();
	while ((rc = shmlog_write(lg, SHMLOG_INFO, "t", msg, sizeof(msg))) == 0)
		written++;
	assert_int_equal(rc, -EAGAIN);
	assert_true(tu_now_ms() - t0 < 1000);
	assert_non_null(strstr(shmlog_errmsg(), "full"));
	assert_int_equal(shmlog_observer_stats(ob, &st, NULL, 0), 0);
	assert_int_equal(st.drops, 0);
	struct tally t = {0};
	tu_drain(c, written, 2000, count_events, &t);
	assert_int_equal(t.records, written);
	assert_int_equal(t.dropped, 0);
	assert_int_equal(shmlog_write(lg, SHMLOG_INFO, "t", msg, sizeof(msg)), 0);
	shmlog_observer_close(ob);
	shmlog_close(lg);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

/* EAGAIN is a handle's own policy: in the shared policy word it is garbage, dropped and counted
 * like any unknown policy, never a way to lose records uncounted. */
static void test_a_ring_policy_word_of_eagain_drops_and_counts(void **state)
{
	(void)state;
	const char *name = tu_ring_name("word4");
	struct shmlog_options o = small_ring(SHMLOG_ON_FULL_DEFAULT);
	struct shmlog_consumer *c = shmlog_consumer_open(name, &o);
	struct ring r;
	assert_int_equal(ring_attach(&r, name, NULL, RING_WRITE), 0);
	r.hdr->policy = SHMLOG_ON_FULL_EAGAIN;
	struct shmlog *lg = shmlog_open(name, &o);
	assert_non_null(lg);
	char msg[200];
	memset(msg, 'w', sizeof(msg));
	int rc;
	long written = 0;
	while ((rc = shmlog_write(lg, SHMLOG_INFO, "t", msg, sizeof(msg))) == 0)
		written++;
	assert_int_equal(rc, -ENOBUFS);
	assert_int_equal(r.hdr->drops, 1);
	struct tally t = {0};
	tu_drain(c, written + 1, 2000, count_events, &t);
	assert_int_equal(t.records, written);
	assert_int_equal(t.dropped, 1);
	ring_detach(&r);
	shmlog_close(lg);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

static void test_blocking_writer_without_collector_stalls_once_then_drops_at_once(void **state)
{
	(void)state;
	const char *name = tu_ring_name("orphan");
	struct shmlog_options o = small_ring(SHMLOG_ON_FULL_BLOCK);
	struct shmlog *lg = shmlog_open(name, &o);
	assert_non_null(lg);
	uint64_t misses = fill(name); /* no consumer: the first write past full waits 3 s, then drops */
	int64_t t0 = tu_now_ms();
	assert_int_equal(shmlog_log(lg, SHMLOG_INFO, "t", "x"), -ENOBUFS);
	int64_t first = tu_now_ms() - t0;
	assert_true(first >= 2900 && first < 6000);
	t0 = tu_now_ms();
	for (int i = 0; i < 100; i++)
		assert_int_equal(shmlog_log(lg, SHMLOG_INFO, "t", "x"), -ENOBUFS);
	assert_true(tu_now_ms() - t0 < 100); /* no stall again and again */
	/* A collector arrives: blocking is lossless again. */
	struct shmlog_consumer *c = shmlog_consumer_open(name, &o);
	assert_non_null(c);
	struct tally t = {0};
	tu_drain(c, 100000, 200, count_events, &t);
	assert_int_equal(t.dropped, misses + 101);
	assert_int_equal(shmlog_log(lg, SHMLOG_INFO, "t", "after"), 0);
	shmlog_close(lg);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_drop_policy_counts_every_dropped_record_exactly),
		cmocka_unit_test(test_drops_of_a_writer_that_closed_are_reported_exactly_once),
		cmocka_unit_test(test_a_mark_settles_the_drops_reported_before_it_not_after),
		cmocka_unit_test(test_block_policy_waits_for_room_then_resumes_losing_nothing),
		cmocka_unit_test(test_timeout_policy_waits_its_time_then_drops),
		cmocka_unit_test(test_eagain_handle_neither_waits_nor_counts_a_drop),
		cmocka_unit_test(test_a_ring_policy_word_of_eagain_drops_and_counts),
		cmocka_unit_test(test_blocking_writer_without_collector_stalls_once_then_drops_at_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_ring_fork - a handle opened before fork() works in the child, under the child's own pid,
 * tid and producer slot; a level change reaches writers that are already running. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "testutil.h"

static struct shmlog *g_lg;
static int g_logged[2], g_release[2]; /* child -> parent: logged; parent -> child: close now */

static int child_logs(void *arg, int n)
{
	char c = 0;
	(void)arg;
	alarm(20); /* never outlive a parent whose assertion failed */
	for (int i = 0; i < n; i++)
		if (shmlog_log(g_lg, SHMLOG_INFO, "child", "c%d", i) != 0)
			return 1;
	/* Keep the producer slot until the parent has looked at the table. */
	if (write(g_logged[1], &c, 1) != 1 || read(g_release[0], &c, 1) != 1)
		return 2;
	shmlog_close(g_lg);
	return 0;
}

struct seen {
	pid_t parent, child;
	int from_parent, from_child, tid_ok;
};

static int classify(void *arg, int ev, const struct shmlog_record *rec)
{
	struct seen *s = arg;
	if (ev != SHMLOG_NEXT_RECORD)
		return 0;
	if ((pid_t)rec->pid == s->parent)
		s->from_parent++;
	else if ((pid_t)rec->pid == s->child)
		s->from_child++;
	/* Both log from their main thread, whose tid is the pid. */
	s->tid_ok += rec->tid == rec->pid;
	return 0;
}

static void test_handle_opened_before_fork_writes_as_the_child_in_the_child(void **state)
{
	(void)state;
	const char *name = tu_ring_name("fork");
	struct shmlog_consumer *c = shmlog_consumer_open(name, NULL);
	g_lg = shmlog_open(name, NULL);
	assert_non_null(c);
	assert_non_null(g_lg);
	/* The parent's tid cache is warm before the fork: the child must not inherit it. */
	assert_int_equal(shmlog_log(g_lg, SHMLOG_INFO, "parent", "before"), 0);
	assert_int_equal(pipe(g_logged), 0);
	assert_int_equal(pipe(g_release), 0);
	pid_t child = tu_fork(child_logs, NULL, 50);
	for (int i = 0; i < 50; i++)
		assert_int_equal(shmlog_log(g_lg, SHMLOG_INFO, "parent", "p%d", i), 0);
	char byte = 0;
	assert_int_equal(read(g_logged[0], &byte, 1), 1);
	struct seen s = {.parent = getpid(), .child = child};
	assert_int_equal(tu_drain(c, 101, 500, classify, &s), 101);
	assert_int_equal(s.from_parent, 51);
	assert_int_equal(s.from_child, 50);
	assert_int_equal(s.tid_ok, 101);

	struct shmlog_observer *ob = shmlog_observer_open(name, SHMLOG_OBSERVE_OLDEST);
	struct shmlog_producer_info prods[8];
	struct shmlog_stats st;
	assert_non_null(ob);
	assert_int_equal(shmlog_observer_stats(ob, &st, prods, 8), 0);
	int parent_slot = -1, child_slot = -1;
	for (uint32_t i = 0; i < st.nproducers; i++) {
		if (prods[i].pid == s.parent)
			parent_slot = (int)prods[i].slot;
		if (prods[i].pid == child)
			child_slot = (int)prods[i].slot;
	}
	assert_true(parent_slot >= 0 && child_slot >= 0 && parent_slot != child_slot);
	assert_int_equal(write(g_release[1], &byte, 1), 1);
	assert_int_equal(tu_wait(child), 0);
	for (int i = 0; i < 2; i++) {
		close(g_logged[i]);
		close(g_release[i]);
	}
	shmlog_observer_close(ob);
	shmlog_close(g_lg);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

static int child_uses_inherited_consumer(void *arg, int unused)
{
	struct shmlog_consumer *c = arg;
	struct shmlog_record rec;
	(void)unused;
	if (shmlog_consumer_next(c, &rec, 0) != -EBUSY || shmlog_consumer_commit(c) != -EBUSY)
		return 1;
	shmlog_consumer_close(c); /* must not release the parent's role */
	return 0;
}

static void test_consumer_handle_is_refused_in_a_child_and_the_role_stays_the_parents(void **s)
{
	(void)s;
	const char *name = tu_ring_name("forkcons");
	/* No writer handle in this process: the fork guard must not depend on one. */
	struct shmlog_consumer *c = shmlog_consumer_open(name, NULL);
	assert_non_null(c);
	assert_int_equal(tu_wait(tu_fork(child_uses_inherited_consumer, c, 0)), 0);
	assert_null(shmlog_consumer_open(name, NULL));
	assert_int_equal(errno, EBUSY);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

static void *thread_logs(void *arg)
{
	long *tid = arg;
	*tid = (long)syscall(SYS_gettid);
	shmlog_log(g_lg, SHMLOG_INFO, "thread", "from a thread");
	return NULL;
}

static int tid_is(void *arg, int ev, const struct shmlog_record *rec)
{
	long *tid = arg;
	if (ev == SHMLOG_NEXT_RECORD && rec->tag_len == 6)
		assert_int_equal(rec->tid, *tid);
	return 0;
}

static void test_records_carry_the_thread_id_of_the_logging_thread(void **state)
{
	(void)state;
	const char *name = tu_ring_name("tid");
	struct shmlog_consumer *c = shmlog_consumer_open(name, NULL);
	g_lg = shmlog_open(name, NULL);
	pthread_t t;
	long tid = 0;
	assert_int_equal(pthread_create(&t, NULL, thread_logs, &tid), 0);
	pthread_join(t, NULL);
	assert_true(tid != getpid());
	assert_int_equal(tu_drain(c, 1, 500, tid_is, &tid), 1);
	shmlog_close(g_lg);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

static int chatty_writer(void *arg, int ms)
{
	const char *name = arg;
	struct shmlog *lg = shmlog_open(name, NULL);
	int64_t end = tu_now_ms() + ms;
	if (!lg)
		return 1;
	for (long i = 0; tu_now_ms() < end; i++) {
		shmlog_log(lg, SHMLOG_DEBUG, "chatty", "debug %ld", i);
		usleep(200);
	}
	int level = shmlog_get_level(lg);
	shmlog_log(lg, SHMLOG_ERROR, "chatty", "done");
	shmlog_close(lg);
	return level == SHMLOG_WARNING ? 0 : 2;
}

struct levels {
	int phase; /* 0: before the change, 1: after marker */
	int debug_before, debug_after, done;
};

static int watch_levels(void *arg, int ev, const struct shmlog_record *rec)
{
	struct levels *l = arg;
	if (ev != SHMLOG_NEXT_RECORD)
		return 0;
	if (rec->msg_len == 6 && memcmp(rec->msg, "marker", 6) == 0)
		l->phase = 1;
	else if (rec->level == SHMLOG_DEBUG)
		*(l->phase ? &l->debug_after : &l->debug_before) += 1;
	else if (rec->msg_len == 4 && memcmp(rec->msg, "done", 4) == 0)
		l->done = 1;
	return l->done;
}

static void test_level_change_reaches_writers_that_are_already_running(void **state)
{
	(void)state;
	const char *name = tu_ring_name("level");
	struct shmlog_consumer *c = shmlog_consumer_open(name, NULL);
	struct shmlog *lg = shmlog_open(name, NULL);
	assert_non_null(c);
	pid_t child = tu_fork(chatty_writer, (void *)name, 1200);
	usleep(300 * 1000);
	assert_int_equal(shmlog_ring_set_level(name, SHMLOG_WARNING), 0);
	usleep(50 * 1000); /* a debug record the writer had already admitted may still land */
	assert_int_equal(shmlog_log(lg, SHMLOG_WARNING, "test", "marker"), 0);
	struct levels l = {0};
	tu_drain(c, 1000000, 3000, watch_levels, &l);
	assert_int_equal(tu_wait(child), 0);
	assert_true(l.debug_before > 10);
	assert_int_equal(l.debug_after, 0);
	assert_int_equal(l.done, 1);
	shmlog_close(lg);
	shmlog_consumer_close(c);
	shmlog_unlink(name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handle_opened_before_fork_writes_as_the_child_in_the_child),
		cmocka_unit_test(test_records_carry_the_thread_id_of_the_logging_thread),
		cmocka_unit_test(test_consumer_handle_is_refused_in_a_child_and_the_role_stays_the_parents),
		cmocka_unit_test(test_level_change_reaches_writers_that_are_already_running),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

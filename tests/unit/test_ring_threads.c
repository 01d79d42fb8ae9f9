/* test_ring_threads - one handle shared by many threads of a process, with the consumer in yet
 * another thread: every record once, in each thread's order (the ThreadSanitizer build runs
 * this one). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>

#include "testutil.h"

enum { THREADS = 4, PER_THREAD = 20000 };

static struct shmlog *g_lg;

static void *writer(void *arg)
{
	unsigned w = (unsigned)(uintptr_t)arg;
	uint64_t rnd = w;
	char buf[400];
	struct shmlog_field ctx = SHMLOG_INT("thread", (int64_t)w);
	int token = shmlog_context_push(&ctx, 1);
	for (uint64_t i = 0; i < PER_THREAD; i++) {
		size_t n = tu_payload(buf, sizeof(buf), w, i, tu_rand(&rnd) % 300);
		if (shmlog_write(g_lg, SHMLOG_INFO, "thr", buf, n) != 0)
			return (void *)1;
	}
	shmlog_context_pop(token);
	return NULL;
}

struct check {
	uint64_t next[THREADS];
	long bad;
};

static int verify(void *arg, int ev, const struct shmlog_record *rec)
{
	struct check *c = arg;
	unsigned w;
	uint64_t i;
	struct shmlog_field f;
	size_t off = 0;
	if (ev != SHMLOG_NEXT_RECORD || tu_payload_check(rec->msg, rec->msg_len, &w, &i) < 0 ||
	    w >= THREADS || i != c->next[w]) {
		c->bad++;
		return 0;
	}
	/* The context field is the writing thread's own, never another thread's. */
	if (shmlog_record_field(rec, &off, &f) != 1 || f.v.i != (int64_t)w)
		c->bad++;
	c->next[w] = i + 1;
	return 0;
}

struct drain_arg {
	struct shmlog_consumer *c;
	struct check chk;
	long got;
};

static void *drainer(void *arg)
{
	struct drain_arg *d = arg;
	d->got = tu_drain(d->c, (long)THREADS * PER_THREAD, 5000, verify, &d->chk);
	return NULL;
}

static void test_threads_sharing_one_handle_deliver_every_record_once_in_order(void **s)
{
	(void)s;
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 64 * 1024;
	const char *name = tu_ring_name("threads");
	struct drain_arg d = {.c = shmlog_consumer_open(name, &o)};
	g_lg = shmlog_open(name, &o);
	assert_non_null(d.c);
	assert_non_null(g_lg);
	pthread_t t[THREADS], dt;
	assert_int_equal(pthread_create(&dt, NULL, drainer, &d), 0);
	for (unsigned w = 0; w < THREADS; w++)
		assert_int_equal(pthread_create(&t[w], NULL, writer, (void *)(uintptr_t)w), 0);
	for (unsigned w = 0; w < THREADS; w++) {
		void *ret;
		pthread_join(t[w], &ret);
		assert_null(ret);
	}
	pthread_join(dt, NULL);
	assert_int_equal(d.got, (long)THREADS * PER_THREAD);
	assert_int_equal(d.chk.bad, 0);
	shmlog_close(g_lg);
	shmlog_consumer_close(d.c);
	shmlog_unlink(name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_sharing_one_handle_deliver_every_record_once_in_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

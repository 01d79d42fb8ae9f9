/* test_ring_scribble - random bytes written over a live ring's header and data while writers, a
 * consumer and an observer run: none of them crashes, hangs or touches memory outside the
 * mapping (run under ASan in CI); a hostile writer can only lose records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ring.h"
#include "testutil.h"

enum { RUN_MS = 3000, SIZE = 64 * 1024 };

static const char *g_name;
static int g_ready[2]; /* each child writes a byte once attached: scribbling starts after */

static void attached(void)
{
	char c = 0;
	if (write(g_ready[1], &c, 1) != 1)
		_exit(3);
}

static int writer(void *arg, int w)
{
	(void)arg;
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.on_full = SHMLOG_ON_FULL_TIMEOUT;
	o.full_timeout_ms = 5;
	struct shmlog *lg = shmlog_open(g_name, &o);
	int64_t end = tu_now_ms() + RUN_MS;
	char buf[600];
	uint64_t rnd = (uint64_t)w;
	if (!lg)
		return 1;
	attached();
	for (uint64_t i = 0; tu_now_ms() < end; i++) {
		size_t n = tu_payload(buf, sizeof(buf), (unsigned)w, i, tu_rand(&rnd) % 500);
		struct shmlog_field f = SHMLOG_INT("i", (int64_t)i);
		shmlog_write_fields(lg, SHMLOG_INFO, "scribble", buf, n, &f, 1);
	}
	shmlog_close(lg);
	return 0;
}

/* Reads and formats everything it is given, as shmlogd and shmlogcat would. */
static void consume(const struct shmlog_record *rec)
{
	static char line[1 << 17];
	struct shmlog_field f;
	size_t off = 0;
	shmlog_format(rec, SHMLOG_FORMAT_JSON, 0, line, sizeof(line));
	shmlog_format(rec, SHMLOG_FORMAT_TEXT, 0, line, sizeof(line));
	while (shmlog_record_field(rec, &off, &f) == 1)
		;
}

static int consumer(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	struct shmlog_consumer *c = shmlog_consumer_open(g_name, NULL);
	struct shmlog_record rec;
	int64_t end = tu_now_ms() + RUN_MS + 500;
	if (!c)
		return 1;
	attached();
	while (tu_now_ms() < end) {
		int ev = shmlog_consumer_next(c, &rec, 20);
		if (ev < 0)
			return 2;
		if (ev == SHMLOG_NEXT_EMPTY)
			shmlog_consumer_commit(c);
		else
			consume(&rec);
	}
	shmlog_consumer_close(c);
	return 0;
}

static int observer(void *arg, int unused)
{
	(void)arg;
	(void)unused;
	struct shmlog_observer *o = shmlog_observer_open(g_name, SHMLOG_OBSERVE_OLDEST);
	struct shmlog_record rec;
	struct shmlog_stats st;
	struct shmlog_producer_info p[16];
	int64_t end = tu_now_ms() + RUN_MS + 500;
	if (!o)
		return 1;
	attached();
	while (tu_now_ms() < end) {
		int ev = shmlog_observer_next(o, &rec, 20);
		if (ev < 0)
			return 2;
		if (ev != SHMLOG_NEXT_EMPTY)
			consume(&rec);
		else
			shmlog_observer_stats(o, &st, p, 16);
	}
	shmlog_observer_close(o);
	return 0;
}

static void test_random_bytes_over_a_live_ring_never_crash_or_hang_its_readers(void **s)
{
	(void)s;
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = SIZE;
	g_name = tu_ring_name("scribble");
	struct shmlog *keep = shmlog_open(g_name, &o);
	assert_non_null(keep);
	char path[128];
	snprintf(path, sizeof(path), "/shmlog.%s", g_name);
	int fd = shm_open(path, O_RDWR, 0);
	assert_true(fd >= 0);
	size_t len = RING_HEADER_SIZE + SIZE;
	unsigned char *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(map != MAP_FAILED);
	close(fd);

	pid_t pids[4];
	assert_int_equal(pipe(g_ready), 0);
	pids[0] = tu_fork(consumer, NULL, 0);
	pids[1] = tu_fork(observer, NULL, 0);
	pids[2] = tu_fork(writer, NULL, 0);
	pids[3] = tu_fork(writer, NULL, 1);
	uint64_t rnd = 12345;
	long hits = 0;
	/* The identity line is validated and copied at attach: scribbling it before a child
	 * attached would only test that attach refuses a damaged ring (test_ring_open does). */
	alarm(60); /* a child that failed to attach never writes its byte: fail, don't hang */
	for (int i = 0; i < 4; i++) {
		char c;
		assert_int_equal(read(g_ready[0], &c, 1), 1);
	}
	alarm(0);
	int64_t end = tu_now_ms() + RUN_MS;
	while (tu_now_ms() < end) {
		/* Mostly small scribbles; now and then a whole burst; header lines included, the
		 * identity line too (it is copied at attach, so only later attachers notice). */
		uint64_t r = tu_rand(&rnd);
		size_t off = (r & 1) ? (size_t)(tu_rand(&rnd) % 1024)
				     : RING_HEADER_SIZE + (size_t)(tu_rand(&rnd) % SIZE);
		if ((r & 6) == 0)
			off = RING_SLOTS_OFFSET + (size_t)(tu_rand(&rnd) % (RING_SLOTS * 128));
		size_t n = 1 + (size_t)(tu_rand(&rnd) % ((r & 0x70) == 0 ? 4096 : 16));
		for (size_t k = 0; k < n && off + k < len; k++)
			map[off + k] = (unsigned char)tu_rand(&rnd);
		hits++;
		if (hits % 64 == 0)
			usleep(1000);
	}
	/* Every process finishes by itself, in time, with status 0: no crash, no hang. */
	int64_t deadline = tu_now_ms() + 15000;
	for (int i = 0; i < 4; i++) {
		int st = 0;
		pid_t r;
		while ((r = waitpid(pids[i], &st, WNOHANG)) == 0 && tu_now_ms() < deadline)
			usleep(10000);
		if (r == 0) {
			kill(pids[i], SIGKILL);
			fail_msg("process %d hung", i);
		}
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	printf("# %ld scribbles survived\n", hits);
	close(g_ready[0]);
	close(g_ready[1]);
	munmap(map, len);
	shmlog_close(keep);
	shmlog_unlink(g_name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_bytes_over_a_live_ring_never_crash_or_hang_its_readers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_ring_open - creating and attaching to rings: names, permissions, the creation race, and
 * clear refusals of objects that are not usable rings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ring.h"
#include "testutil.h"

static void make_shm_file(const char *name, const void *bytes, size_t len, size_t file_size)
{
	char path[128];
	snprintf(path, sizeof(path), "/shmlog.%s", name);
	int fd = shm_open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)file_size), 0);
	if (len)
		assert_int_equal(pwrite(fd, bytes, len, 0), (ssize_t)len);
	close(fd);
}

static void test_open_creates_missing_ring_with_mode_0600(void **state)
{
	(void)state;
	const char *name = tu_ring_name("mode");
	struct shmlog *lg = shmlog_open(name, NULL);
	assert_non_null(lg);
	char path[128];
	struct stat st;
	snprintf(path, sizeof(path), "/dev/shm/shmlog.%s", name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal((uint64_t)st.st_size, RING_HEADER_SIZE + SHMLOG_DEFAULT_SIZE);
	shmlog_close(lg);
	shmlog_unlink(name);
}

static void test_open_honours_requested_mode_despite_umask(void **state)
{
	(void)state;
	const char *name = tu_ring_name("mode2");
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.mode = 0640;
	o.size = 64 * 1024;
	mode_t old = umask(077);
	struct shmlog *lg = shmlog_open(name, &o);
	umask(old);
	assert_non_null(lg);
	char path[128];
	struct stat st;
	snprintf(path, sizeof(path), "/dev/shm/shmlog.%s", name);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0640);
	shmlog_close(lg);
	shmlog_unlink(name);
}

static void test_open_rejects_names_with_slash_dotdot_or_bad_length(void **state)
{
	(void)state;
	const char *bad[] = {"", "a/b", "..", ".", "a b", "x\n",
			     "0123456789012345678901234567890123456789012345678901234567890123X"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		errno = 0;
		assert_null(shmlog_open(bad[i], NULL));
		assert_int_equal(errno, EINVAL);
		assert_non_null(strstr(shmlog_errmsg(), "invalid"));
	}
	assert_null(shmlog_open(NULL, NULL));
	assert_int_equal(errno, EINVAL);
}

static void test_open_rejects_size_that_is_not_a_power_of_two(void **state)
{
	(void)state;
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 100000;
	assert_null(shmlog_open(tu_ring_name("size"), &o));
	assert_int_equal(errno, EINVAL);
	assert_non_null(strstr(shmlog_errmsg(), "power of two"));
}

static void test_nocreate_reports_a_missing_ring_by_name(void **state)
{
	(void)state;
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.flags = SHMLOG_OPEN_NOCREATE;
	const char *name = tu_ring_name("missing");
	assert_null(shmlog_open(name, &o));
	assert_int_equal(errno, ENOENT);
	assert_non_null(strstr(shmlog_errmsg(), name));
	assert_null(shmlog_observer_open(name, SHMLOG_OBSERVE_OLDEST));
	assert_int_equal(errno, ENOENT);
}

static void test_attach_refuses_an_object_that_is_not_a_ring(void **state)
{
	(void)state;
	const char *name = tu_ring_name("junk");
	char junk[4096];
	memset(junk, 'x', sizeof(junk));
	make_shm_file(name, junk, sizeof(junk), 1 << 20);
	assert_null(shmlog_open(name, NULL));
	assert_int_equal(errno, EPROTO);
	assert_non_null(strstr(shmlog_errmsg(), "not a shmlog ring"));
	assert_null(shmlog_observer_open(name, SHMLOG_OBSERVE_OLDEST));
	assert_int_equal(errno, EPROTO);
	shmlog_unlink(name);
}

static void test_attach_refuses_a_ring_of_another_layout_version(void **state)
{
	(void)state;
	const char *name = tu_ring_name("version");
	struct ring_hdr h;
	memset(&h, 0, sizeof(h));
	h.magic = RING_MAGIC;
	h.layout_version = RING_LAYOUT_VERSION + 1;
	h.header_size = RING_HEADER_SIZE;
	h.data_size = 65536;
	make_shm_file(name, &h, sizeof(h), RING_HEADER_SIZE + 65536);
	assert_null(shmlog_open(name, NULL));
	assert_int_equal(errno, EPROTONOSUPPORT);
	assert_non_null(strstr(shmlog_errmsg(), "layout version"));
	shmlog_unlink(name);
}

static void test_attach_refuses_a_truncated_ring(void **state)
{
	(void)state;
	const char *name = tu_ring_name("trunc");
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 65536;
	struct shmlog *lg = shmlog_open(name, &o);
	assert_non_null(lg);
	shmlog_close(lg);
	char path[128];
	snprintf(path, sizeof(path), "/dev/shm/shmlog.%s", name);
	assert_int_equal(truncate(path, RING_HEADER_SIZE + 4096), 0);
	assert_null(shmlog_open(name, NULL));
	assert_int_equal(errno, EPROTO);
	assert_non_null(strstr(shmlog_errmsg(), "truncated"));
	/* Shorter than the header page itself. */
	assert_int_equal(truncate(path, 100), 0);
	assert_null(shmlog_open(name, NULL));
	assert_int_equal(errno, EPROTO);
	shmlog_unlink(name);
}

static void test_attach_times_out_on_a_ring_whose_creator_never_finished(void **state)
{
	(void)state;
	const char *name = tu_ring_name("unfinished");
	make_shm_file(name, NULL, 0, RING_HEADER_SIZE + 65536); /* zeroed: magic never set */
	int64_t t0 = tu_now_ms();
	assert_null(shmlog_open(name, NULL));
	assert_int_equal(errno, ETIMEDOUT);
	assert_true(tu_now_ms() - t0 >= 1500);
	assert_non_null(strstr(shmlog_errmsg(), "never initialised"));
	shmlog_unlink(name);
}

struct race {
	const char *name;
	int go[2];
	int out[2];
};

static int race_child(void *arg, int i)
{
	struct race *r = arg;
	char c;
	close(r->go[1]);
	if (read(r->go[0], &c, 1) != 0)
		return 2;
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = 65536;
	struct shmlog *lg = shmlog_open(r->name, &o);
	if (!lg)
		return 3;
	struct shmlog_observer *ob = shmlog_observer_open(r->name, SHMLOG_OBSERVE_OLDEST);
	struct shmlog_stats st;
	if (!ob || shmlog_observer_stats(ob, &st, NULL, 0) < 0)
		return 4;
	if (write(r->out[1], &st.ring_id, sizeof(st.ring_id)) != sizeof(st.ring_id))
		return 5;
	shmlog_log(lg, SHMLOG_INFO, "race", "child %d", i);
	shmlog_observer_close(ob);
	shmlog_close(lg);
	return 0;
}

static void test_creation_race_makes_one_ring_and_every_process_attaches(void **state)
{
	(void)state;
	enum { N = 24 };
	struct race r = {.name = tu_ring_name("race")};
	pid_t pids[N];
	assert_int_equal(pipe(r.go), 0);
	assert_int_equal(pipe(r.out), 0);
	for (int i = 0; i < N; i++)
		pids[i] = tu_fork(race_child, &r, i);
	close(r.go[1]); /* releases every child at once */
	for (int i = 0; i < N; i++)
		assert_int_equal(tu_wait(pids[i]), 0);
	close(r.out[1]);
	uint64_t first = 0, id;
	int n = 0;
	while (read(r.out[0], &id, sizeof(id)) == sizeof(id)) {
		if (n++ == 0)
			first = id;
		assert_true(id == first);
	}
	assert_int_equal(n, N);
	struct shmlog_consumer *c = shmlog_consumer_open(r.name, NULL);
	assert_non_null(c);
	assert_int_equal(tu_drain(c, N, 500, NULL, NULL), N);
	shmlog_consumer_close(c);
	shmlog_unlink(r.name);
	close(r.go[0]);
	close(r.out[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_creates_missing_ring_with_mode_0600),
		cmocka_unit_test(test_open_honours_requested_mode_despite_umask),
		cmocka_unit_test(test_open_rejects_names_with_slash_dotdot_or_bad_length),
		cmocka_unit_test(test_open_rejects_size_that_is_not_a_power_of_two),
		cmocka_unit_test(test_nocreate_reports_a_missing_ring_by_name),
		cmocka_unit_test(test_attach_refuses_an_object_that_is_not_a_ring),
		cmocka_unit_test(test_attach_refuses_a_ring_of_another_layout_version),
		cmocka_unit_test(test_attach_refuses_a_truncated_ring),
		cmocka_unit_test(test_attach_times_out_on_a_ring_whose_creator_never_finished),
		cmocka_unit_test(test_creation_race_makes_one_ring_and_every_process_attaches),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

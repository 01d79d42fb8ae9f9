/* test_shmlogcat_helpers.h - what the shmlogcat tests share: running the built shmlogcat (through
 * $SHMLOG_TEST_WRAPPER, test_wrapper.h) and capturing its output, following it line by line, a
 * collector thread; JSON Lines are read with tests/common/json_check.h. Include after cmocka.h;
 * every function is static, each test uses what it needs. */
#ifndef TEST_SHMLOGCAT_HELPERS_H
#define TEST_SHMLOGCAT_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json_check.h"
#include "shmlog.h"
#include "test_wrapper.h"

#define SKIP_STATUS 77
#define RUN_TIMEOUT_MS 20000

static inline int64_t now_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static inline void sleep_ms(int ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

/* The built shmlogcat, or exit 77 (skip) when there is none. */
static inline const char *shmlogcat_path(void)
{
	static char path[4096];
	const char *dir = getenv("SHMLOG_TEST_BIN_DIR");

	if (!path[0]) {
		snprintf(path, sizeof(path), "%s/shmlogcat", dir ? dir : ".");
		if (access(path, X_OK) != 0) {
			printf("skipped: no shmlogcat at %s (SHMLOG_TEST_BIN_DIR)\n", path);
			exit(SKIP_STATUS);
		}
	}
	return path;
}

/* fork() for the tests' children: they die with the test, so a failed assertion (which leaves
 * the test function early) cannot leave a writer or a follower running forever. */
static inline pid_t fork_child(void)
{
	pid_t parent = getpid(), pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
	}
	return pid;
}

/* A ring name of this test process: "t-cat-<pid>-<what>". */
static inline const char *ring_name(const char *what)
{
	static char names[8][64];
	static int next;
	char *name = names[next++ % 8];

	snprintf(name, sizeof(names[0]), "t-cat-%d-%s", (int)getpid(), what);
	return name;
}

static inline struct shmlog *open_ring(const char *name, uint64_t size, int on_full)
{
	struct shmlog_options o;
	struct shmlog *log;

	shmlog_unlink(name);
	shmlog_options_init(&o);
	o.size = size;
	o.on_full = on_full;
	o.mode = 0644;
	/* Wall-clock record times are read back identically by every reader, so tests can
	 * compare shmlogcat's lines byte for byte with the library's formatting. With TSC times
	 * each reader converts against its own anchor and may differ in the last microsecond
	 * (test_ring_clock checks those times). */
	o.flags = SHMLOG_OPEN_REALTIME_CLOCK;
	log = shmlog_open(name, &o);
	if (!log)
		fail_msg("shmlog_open(%s): %s", name, shmlog_errmsg());
	return log;
}

/* ---------------------------------------------------------------------------------------------
 * Running shmlogcat
 * ------------------------------------------------------------------------------------------- */

struct buf {
	char *data;
	size_t len, cap;
};

static inline void buf_add(struct buf *b, const char *p, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = realloc(b->data, b->cap);
		assert_non_null(b->data);
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

struct run {
	int status;      /* exit status, or 128 + signal */
	struct buf out, err;
	double seconds;
};

static inline void run_free(struct run *r)
{
	free(r->out.data);
	free(r->err.data);
	memset(r, 0, sizeof(*r));
}

/* Starts shmlogcat with ARGS (NULL-terminated, without argv[0]) as user AS_UID (-1: as we
 * are), with its stdout and stderr on pipes. */
static inline pid_t spawn_cat(const char *const *args, uid_t as_uid, int *out_fd, int *err_fd)
{
	const char *argv[64] = {"shmlogcat"};
	int out[2], err[2];
	size_t n = 1;
	pid_t pid;

	for (; args[n - 1]; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	/* Close-on-exec: other children must not hold these pipes open. */
	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	pid = fork_child();
	if (pid == 0) {
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		close(out[0]), close(out[1]), close(err[0]), close(err[1]);
		if (as_uid != (uid_t)-1 && (setgid(as_uid) < 0 || setuid(as_uid) < 0))
			_exit(126);
		test_exec(shmlogcat_path(), (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	*out_fd = out[0];
	*err_fd = err[0];
	return pid;
}

static inline int wait_status(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		assert_int_equal(errno, EINTR);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Runs shmlogcat to the end, collecting its output; kills it after RUN_TIMEOUT_MS (times
 * test_slow_factor()). */
static inline void run_cat_as(struct run *r, uid_t as_uid, const char *const *args)
{
	int64_t start = now_ns(CLOCK_MONOTONIC);
	int out, err, open_fds = 2, timeout_ms = RUN_TIMEOUT_MS * test_slow_factor();
	pid_t pid;

	memset(r, 0, sizeof(*r));
	buf_add(&r->out, "", 0);
	buf_add(&r->err, "", 0);
	pid = spawn_cat(args, as_uid, &out, &err);
	while (open_fds) {
		struct pollfd p[2] = {{.fd = out, .events = POLLIN}, {.fd = err, .events = POLLIN}};
		int left = timeout_ms - (int)((now_ns(CLOCK_MONOTONIC) - start) / 1000000);
		char chunk[65536];

		if (left <= 0 || poll(p, 2, left) == 0) {
			kill(pid, SIGKILL);
			fail_msg("shmlogcat %s ... did not finish in %d ms", args[0], timeout_ms);
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(p[i].fd, chunk, sizeof(chunk));
			if (n > 0) {
				buf_add(i ? &r->err : &r->out, chunk, (size_t)n);
			} else if (n == 0) {
				close(p[i].fd);
				*(i ? &err : &out) = -1;
				open_fds--;
			}
		}
	}
	r->status = wait_status(pid);
	r->seconds = (double)(now_ns(CLOCK_MONOTONIC) - start) / 1e9;
}

#define RUN_CAT(r, ...) run_cat_as((r), (uid_t)-1, (const char *const[]){__VA_ARGS__, NULL})

static inline size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/* Asserts a failure that says one line on stderr, "shmlogcat: ...", and nothing on stdout. */
static inline void assert_one_line_error(const struct run *r, int status, const char *needle)
{
	if (r->status != status || count_lines(r->err.data) != 1 || r->out.len ||
	    strncmp(r->err.data, "shmlogcat: ", 11) || !strstr(r->err.data, needle))
		fail_msg("expected status %d and one line with '%s'; got status %d, stderr '%s', "
			 "stdout '%.200s'",
			 status, needle, r->status, r->err.data, r->out.data);
}

/* Member KEY of a JSON line as an integer; fails the running test when it is absent or not an
 * integer (json_check.h leaves failing to the caller: the fuzzers use it too). */
static inline long long json_int(const struct json_object *obj, const char *key)
{
	long long v = 0;

	if (!json_get_int(obj, key, &v))
		fail_msg("JSON line has no integer key %s", key);
	return v;
}

/* ---------------------------------------------------------------------------------------------
 * Following
 * ------------------------------------------------------------------------------------------- */

struct follower {
	pid_t pid;
	int out, err;
	struct buf pending; /* bytes read from stdout, not yet returned as lines */
	char line[70000];
};

static inline void follow_start(struct follower *f, const char *const *args)
{
	memset(f, 0, sizeof(*f));
	buf_add(&f->pending, "", 0);
	f->pid = spawn_cat(args, (uid_t)-1, &f->out, &f->err);
}

#define FOLLOW(f, ...) follow_start((f), (const char *const[]){__VA_ARGS__, NULL})

/* The next line of the follower's stdout without its newline, or NULL after TIMEOUT_MS or at
 * the end of its output. */
static inline const char *follow_line(struct follower *f, int timeout_ms)
{
	int64_t deadline = now_ns(CLOCK_MONOTONIC) + (int64_t)timeout_ms * 1000000;

	for (;;) {
		char *nl = memchr(f->pending.data, '\n', f->pending.len);
		if (nl) {
			size_t n = (size_t)(nl - f->pending.data);
			assert_true(n < sizeof(f->line));
			memcpy(f->line, f->pending.data, n);
			f->line[n] = '\0';
			memmove(f->pending.data, nl + 1, f->pending.len - n - 1);
			f->pending.len -= n + 1;
			return f->line;
		}
		int left = (int)((deadline - now_ns(CLOCK_MONOTONIC)) / 1000000);
		struct pollfd p = {.fd = f->out, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, left) <= 0)
			return NULL;
		char chunk[65536];
		ssize_t n = read(f->out, chunk, sizeof(chunk));
		if (n <= 0)
			return NULL;
		buf_add(&f->pending, chunk, (size_t)n);
	}
}

/* Stops the follower and returns everything it wrote on stderr (caller frees). */
static inline char *follow_stop(struct follower *f)
{
	struct buf err = {0};
	char chunk[4096];
	ssize_t n;

	kill(f->pid, SIGTERM);
	wait_status(f->pid);
	buf_add(&err, "", 0);
	while ((n = read(f->err, chunk, sizeof(chunk))) > 0)
		buf_add(&err, chunk, (size_t)n);
	close(f->out);
	close(f->err);
	free(f->pending.data);
	return err.data;
}

/* ---------------------------------------------------------------------------------------------
 * A collector: the library's consumer in a thread, draining the ring like shmlogd would.
 * ------------------------------------------------------------------------------------------- */

struct collector {
	pthread_t thread;
	struct shmlog_consumer *c;
	int stop; /* __atomic */
	uint64_t records;
};

static inline void *collector_main(void *arg)
{
	struct collector *col = arg;
	struct shmlog_record rec;

	while (!__atomic_load_n(&col->stop, __ATOMIC_ACQUIRE)) {
		int ev = shmlog_consumer_next(col->c, &rec, 1000);
		if (ev == SHMLOG_NEXT_RECORD)
			col->records++;
		if (ev != SHMLOG_NEXT_EMPTY)
			shmlog_consumer_commit(col->c);
	}
	return NULL;
}

static inline void collector_start(struct collector *col, const char *ring)
{
	memset(col, 0, sizeof(*col));
	col->c = shmlog_consumer_open(ring, NULL);
	if (!col->c)
		fail_msg("shmlog_consumer_open(%s): %s", ring, shmlog_errmsg());
	assert_int_equal(pthread_create(&col->thread, NULL, collector_main, col), 0);
}

static inline void collector_stop(struct collector *col)
{
	__atomic_store_n(&col->stop, 1, __ATOMIC_RELEASE);
	shmlog_consumer_interrupt(col->c);
	pthread_join(col->thread, NULL);
	shmlog_consumer_close(col->c);
}

#endif

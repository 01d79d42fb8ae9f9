/* test_shmlogger_helpers.h - what the shmlogger tests share: running the built shmlogger with a
 * chosen standard input, capturing its standard error, and reading what it logged back through
 * the library's consumer. Include after cmocka.h; every function is static inline. */
#ifndef TEST_SHMLOGGER_HELPERS_H
#define TEST_SHMLOGGER_HELPERS_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shmlog.h"

#define SKIP_STATUS 77

/* The built shmlogger, or exit 77 (skip) when there is none. */
static inline const char *shmlogger_path(void)
{
	static char path[4096];
	const char *dir = getenv("SHMLOG_TEST_BIN_DIR");

	if (!path[0]) {
		snprintf(path, sizeof(path), "%s/shmlogger", dir ? dir : ".");
		if (access(path, X_OK) != 0) {
			printf("skipped: no shmlogger at %s (SHMLOG_TEST_BIN_DIR)\n", path);
			exit(SKIP_STATUS);
		}
	}
	return path;
}

/* A ring name of this test process: "t-logger-<pid>-<what>", removed first. */
static inline const char *ring_name(const char *what)
{
	static char names[8][64];
	static int next;
	char *name = names[next++ % 8];

	snprintf(name, sizeof(names[0]), "t-logger-%d-%s", (int)getpid(), what);
	shmlog_unlink(name);
	return name;
}

/* The ring's consumer, created with SIZE bytes: the test plays the collector. */
static inline struct shmlog_consumer *open_consumer(const char *ring, uint64_t size)
{
	struct shmlog_options o;
	struct shmlog_consumer *c;

	shmlog_options_init(&o);
	o.size = size;
	o.on_full = SHMLOG_ON_FULL_BLOCK;
	c = shmlog_consumer_open(ring, &o);
	if (!c)
		fail_msg("shmlog_consumer_open(%s): %s", ring, shmlog_errmsg());
	return c;
}

/* A temporary file holding LEN bytes of DATA, opened for reading at its start. */
static inline int input_file(const char *data, size_t len)
{
	char path[] = "shmlogger-input-XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

struct logger_run {
	pid_t pid;
	int err_fd; /* the read end of its stderr */
};

/* Starts shmlogger with ARGS (NULL-terminated, without argv[0]) reading IN_FD (-1: /dev/null).
 * It dies with the test, so a failed assertion cannot leave it running. */
static inline void logger_start(struct logger_run *r, const char *const *args, int in_fd)
{
	const char *argv[80] = {"shmlogger"};
	pid_t parent = getpid();
	int err[2];
	size_t n = 1;

	for (; args[n - 1] && n < 79; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	assert_int_equal(pipe2(err, O_CLOEXEC), 0);
	fflush(NULL);
	r->pid = fork();
	assert_true(r->pid >= 0);
	if (r->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		if (in_fd < 0)
			in_fd = open("/dev/null", O_RDONLY);
		dup2(in_fd, 0);
		dup2(err[1], 2);
		execv(shmlogger_path(), (char *const *)argv);
		_exit(127);
	}
	close(err[1]);
	r->err_fd = err[0];
}

/* Waits for it; returns its exit status (128 + signal if killed) and its stderr in ERR. */
static inline int logger_wait(struct logger_run *r, char *err, size_t cap)
{
	size_t len = 0;
	ssize_t n;
	int st;

	while ((n = read(r->err_fd, err + len, cap - 1 - len)) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			len += (size_t)n;
	err[len] = '\0';
	close(r->err_fd);
	assert_true(waitpid(r->pid, &st, 0) == r->pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* Runs shmlogger to completion with ARGS and standard input IN_FD; see logger_wait. */
static inline int logger_run(const char *const *args, int in_fd, char *err, size_t cap)
{
	struct logger_run r;

	logger_start(&r, args, in_fd);
	return logger_wait(&r, err, cap);
}

#define LOGGER(err, in_fd, ...) \
	logger_run((const char *const[]){__VA_ARGS__, NULL}, (in_fd), (err), sizeof(err))

/* The next event of the consumer, committing whenever the ring is momentarily empty, as a
 * collector does (so that writers blocked on a full ring and shmlogger's flush get going). */
static inline int next_event(struct shmlog_consumer *c, struct shmlog_record *rec, int timeout_ms)
{
	int ev = shmlog_consumer_next(c, rec, 0);

	if (ev == SHMLOG_NEXT_EMPTY) {
		assert_int_equal(shmlog_consumer_commit(c), 0);
		ev = shmlog_consumer_next(c, rec, timeout_ms);
	}
	assert_true(ev >= 0);
	return ev;
}

/* The next record; fails the test on a loss report or when none comes within TIMEOUT_MS. */
static inline void next_record(struct shmlog_consumer *c, struct shmlog_record *rec,
			       int timeout_ms)
{
	int ev = next_event(c, rec, timeout_ms);

	if (ev != SHMLOG_NEXT_RECORD)
		fail_msg("expected a record, got event %d (%.*s)", ev, (int)rec->msg_len,
			 rec->msg ? rec->msg : "");
}

/* Asserts that nothing more arrives within TIMEOUT_MS. */
static inline void assert_no_more(struct shmlog_consumer *c, int timeout_ms)
{
	struct shmlog_record rec;
	int ev = next_event(c, &rec, timeout_ms);

	if (ev != SHMLOG_NEXT_EMPTY)
		fail_msg("unexpected event %d: '%.*s'", ev, (int)rec.msg_len, rec.msg ? rec.msg : "");
}

/* The field KEY of REC, or fails the test. */
static inline struct shmlog_field record_field(const struct shmlog_record *rec, const char *key)
{
	struct shmlog_field f = {0};
	size_t off = 0;
	int rc;

	while ((rc = shmlog_record_field(rec, &off, &f)) == 1)
		if (f.key_len == strlen(key) && memcmp(f.key, key, f.key_len) == 0)
			return f;
	assert_int_equal(rc, 0);
	fail_msg("record has no field '%s'", key);
	return f;
}

static inline void assert_msg(const struct shmlog_record *rec, const char *want)
{
	if (rec->msg_len != strlen(want) || memcmp(rec->msg, want, rec->msg_len) != 0)
		fail_msg("message '%.*s', expected '%s'", (int)rec->msg_len, rec->msg, want);
}

static inline void assert_string_field(const struct shmlog_record *rec, const char *key,
				       const char *want)
{
	struct shmlog_field f = record_field(rec, key);

	assert_int_equal(f.type, SHMLOG_FIELD_STRING);
	if (f.v.s.len != strlen(want) || memcmp(f.v.s.ptr, want, f.v.s.len) != 0)
		fail_msg("field %s is '%.*s', expected '%s'", key, (int)f.v.s.len, f.v.s.ptr, want);
}

#endif

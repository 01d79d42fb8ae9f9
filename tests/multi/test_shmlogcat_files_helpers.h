/* test_shmlogcat_files_helpers.h - what the tests of shmlogcat reading files share: running the
 * built shmlogcat to its end with its output captured, and following it line by line, on top of
 * tests/common/shmlogd_harness.h (CHECK, FAIL, h_program, h_start_ready). Every function is
 * static; each test uses what it needs. */
#ifndef TEST_SHMLOGCAT_FILES_HELPERS_H
#define TEST_SHMLOGCAT_FILES_HELPERS_H

#include "shmlogd_harness.h"

struct cat_run {
	int status;
	char *out, *err; /* NUL-terminated, malloc'ed */
	size_t out_len;
};

/* Starts shmlogcat with ARGS (NULL-terminated, without argv[0]); its stdout and stderr on pipes. */
static inline pid_t cat_spawn(const char *const *args, int *out_fd, int *err_fd)
{
	const char *argv[64] = {"shmlogcat"};
	int out[2], err[2];
	size_t n = 1;

	for (; args[n - 1] && n < 63; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	CHECK(pipe2(out, O_CLOEXEC) == 0 && pipe2(err, O_CLOEXEC) == 0, "pipe2: %s", strerror(errno));
	const char *path = h_program(0, "shmlogcat");
	pid_t pid = fork();
	CHECK(pid >= 0, "fork: %s", strerror(errno));
	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		test_exec(path, (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	*out_fd = out[0];
	*err_fd = err[0];
	return pid;
}

static inline void cat_append(char **buf, size_t *len, const char *p, size_t n)
{
	*buf = realloc(*buf, *len + n + 1);
	CHECK(*buf, "out of memory");
	memcpy(*buf + *len, p, n);
	*len += n;
	(*buf)[*len] = '\0';
}

/* Runs shmlogcat ARGS to its end (at most 60 s times the slow factor). */
static inline void cat_run(struct cat_run *r, const char *const *args)
{
	int fds[2], open_fds = 2;
	size_t err_len = 0;
	int64_t deadline = h_now_ms() + 60000LL * test_slow_factor();
	pid_t pid = cat_spawn(args, &fds[0], &fds[1]);

	memset(r, 0, sizeof(*r));
	cat_append(&r->out, &r->out_len, "", 0);
	cat_append(&r->err, &err_len, "", 0);
	while (open_fds) {
		struct pollfd p[2] = {{.fd = fds[0], .events = POLLIN}, {.fd = fds[1], .events = POLLIN}};
		char chunk[65536];
		int64_t left = deadline - h_now_ms();

		if (left <= 0 || poll(p, 2, (int)left) == 0) {
			kill(pid, SIGKILL);
			FAIL("shmlogcat %s ... did not finish in time", args[0]);
		}
		for (int i = 0; i < 2; i++) {
			if (p[i].fd < 0 || !(p[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t n = read(p[i].fd, chunk, sizeof(chunk));
			if (n > 0) {
				if (i)
					cat_append(&r->err, &err_len, chunk, (size_t)n);
				else
					cat_append(&r->out, &r->out_len, chunk, (size_t)n);
			} else if (n == 0) {
				close(fds[i]);
				fds[i] = -1;
				open_fds--;
			}
		}
	}
	int st;
	while (waitpid(pid, &st, 0) < 0)
		CHECK(errno == EINTR, "waitpid: %s", strerror(errno));
	r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define CAT_RUN(r, ...) cat_run((r), (const char *const[]){__VA_ARGS__, NULL})

static inline void cat_free(struct cat_run *r)
{
	free(r->out);
	free(r->err);
}

static inline size_t count_char(const char *s, char c)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == c;
	return n;
}

/* Reads the whole file PATH (malloc'ed, NUL-terminated). */
static inline char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, chunk[65536];
	size_t len = 0, n;

	CHECK(f, "cannot open %s: %s", path, strerror(errno));
	cat_append(&buf, &len, "", 0);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		cat_append(&buf, &len, chunk, n);
	fclose(f);
	return buf;
}

static inline void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	CHECK(f && fputs(text, f) >= 0 && fclose(f) == 0, "cannot write %s", path);
}

/* A shmlogcat running with -f: its stdout read line by line. */
struct cat_follower {
	pid_t pid;
	int out, err;
	char *pending;
	size_t len;
	char line[70000];
};

static inline void follower_start(struct cat_follower *f, const char *const *args)
{
	memset(f, 0, sizeof(*f));
	f->pid = cat_spawn(args, &f->out, &f->err);
	h_daemons[H_MAX_DAEMONS - 1] = f->pid; /* killed by h_cleanup() if the test fails */
	cat_append(&f->pending, &f->len, "", 0);
}

#define FOLLOWER_START(f, ...) follower_start((f), (const char *const[]){__VA_ARGS__, NULL})

/* The follower's next line (without '\n'), or NULL after TIMEOUT_MS. */
static inline const char *follower_line(struct cat_follower *f, int timeout_ms)
{
	int64_t deadline = h_now_ms() + (int64_t)timeout_ms * test_slow_factor();

	for (;;) {
		char *nl = memchr(f->pending, '\n', f->len);
		if (nl) {
			size_t n = (size_t)(nl - f->pending);
			CHECK(n < sizeof(f->line), "line too long");
			memcpy(f->line, f->pending, n);
			f->line[n] = '\0';
			memmove(f->pending, nl + 1, f->len - n - 1);
			f->len -= n + 1;
			return f->line;
		}
		int64_t left = deadline - h_now_ms();
		struct pollfd p = {.fd = f->out, .events = POLLIN};
		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			return NULL;
		char chunk[65536];
		ssize_t n = read(f->out, chunk, sizeof(chunk));
		if (n <= 0)
			return NULL;
		cat_append(&f->pending, &f->len, chunk, (size_t)n);
	}
}

/* Stops the follower; returns what it said on stderr (malloc'ed). */
static inline char *follower_stop(struct cat_follower *f)
{
	char *err = NULL, chunk[4096];
	size_t len = 0;
	ssize_t n;
	int st;

	kill(f->pid, SIGTERM);
	waitpid(f->pid, &st, 0);
	h_daemons[H_MAX_DAEMONS - 1] = 0;
	cat_append(&err, &len, "", 0);
	while ((n = read(f->err, chunk, sizeof(chunk))) > 0)
		cat_append(&err, &len, chunk, (size_t)n);
	close(f->out);
	close(f->err);
	free(f->pending);
	return err;
}

#endif

/* test_example_prefork_httpd.c - the example server (examples/prefork-httpd) with 4 workers
 * answers 10,000 requests from ab(1) behind a running shmlogd, and the collector's JSON output
 * then holds exactly 10,000 request records: each with a distinct request id and its typed
 * fields (method, path, status, bytes, duration_ms), served by all 4 workers. Both the server
 * and shmlogd stop cleanly on SIGTERM. Skips (77) when shmlogd, the example or ab is missing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json_check.h"
#include "shmlog.h"

#define REQUESTS 10000
#define WORKERS 4
#define CONCURRENCY "8"
#define START_TIMEOUT_MS 10000
#define STOP_TIMEOUT_MS 20000

static char shmlogd[4096], httpd[4096], ab[4096];
static char ring[64], output[128];

static void skip_test(const char *why, const char *path)
{
	printf("skipped: %s (%s)\n", why, path);
	exit(77);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void find_programs(void)
{
	const char *dir = getenv("SHMLOG_TEST_BIN_DIR");
	const char *path = getenv("PATH");

	snprintf(shmlogd, sizeof(shmlogd), "%s/shmlogd", dir ? dir : ".");
	if (access(shmlogd, X_OK) != 0)
		skip_test("shmlogd is not built yet: $SHMLOG_TEST_BIN_DIR/shmlogd missing", shmlogd);
	snprintf(httpd, sizeof(httpd), "%s/prefork-httpd", dir ? dir : ".");
	if (access(httpd, X_OK) != 0)
		skip_test("the example server is not built", httpd);
	for (const char *p = path ? path : "/usr/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(ab, sizeof(ab), "%.*s/ab", (int)n, p);
		if (access(ab, X_OK) == 0)
			return;
		p += n + (p[n] == ':');
	}
	skip_test("ab not found: scripts/setup-deps.sh installs apache2-utils", "PATH");
}

/* Starts ARGV[0] with its stdout on a pipe (*out_fd, unless NULL) and stderr to ERR_PATH. */
static pid_t start(char *const argv[], int *out_fd, const char *err_path)
{
	pid_t parent = getpid(), pid;
	int out[2];

	assert_int_equal(pipe2(out, O_CLOEXEC), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent || err < 0)
			_exit(126);
		dup2(out[1], 1);
		dup2(err, 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	if (out_fd)
		*out_fd = out[0];
	else
		close(out[0]);
	return pid;
}

/* Waits up to TIMEOUT_MS for PID; returns its exit status, 128 + signal, or -1 on timeout. */
static int wait_exit(pid_t pid, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	int st;

	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);

		assert_true(r >= 0);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (now_ms() > end)
			return -1;
		usleep(5000);
	}
}

/* Reads FD until EOF or TIMEOUT_MS, into BUF (NUL-terminated); returns the length. */
static size_t read_until(int fd, char *buf, size_t cap, const char *stop_at, int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	size_t len = 0;

	buf[0] = '\0';
	while (len + 1 < cap && (!stop_at || !strstr(buf, stop_at))) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int64_t left = end - now_ms();
		ssize_t n;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
			break;
		n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
	}
	return len;
}

/* Waits until shmlogd (PID) is the ring's consumer. */
static void wait_for_collector(pid_t pid)
{
	int64_t end = now_ms() + START_TIMEOUT_MS;

	for (;;) {
		struct shmlog_observer *o = shmlog_observer_open(ring, SHMLOG_OBSERVE_NEWEST);
		struct shmlog_stats st;
		int ready = o && shmlog_observer_stats(o, &st, NULL, 0) == 0 &&
			    st.consumer_pid == pid && st.consumer_alive;

		shmlog_observer_close(o);
		if (ready)
			return;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			fail_msg("shmlogd exited at start: see shmlogd.err");
		if (now_ms() > end)
			fail_msg("shmlogd did not attach to ring %s within %d ms", ring,
				 START_TIMEOUT_MS);
		usleep(10000);
	}
}

/* Whether member KEY of OBJ is the string WANT. */
static int has_string(const struct json_object *obj, const char *key, const char *want)
{
	char value[256];

	return json_str(obj, key, value, sizeof(value)) >= 0 && strcmp(value, want) == 0;
}

/* Whether member KEY of OBJ is a JSON number. */
static int has_number(const struct json_object *obj, const char *key)
{
	const struct json_member *m = json_get(obj, key);

	return m && json_is_number(m);
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Checks every request record of the JSON output; returns how many there are. */
static long check_output(void)
{
	static char *ids[REQUESTS + 1];
	static struct json_object obj;
	char line[4096], id[64], pid[32], pids[WORKERS][32];
	FILE *f = fopen(output, "r");
	long n = 0, lines = 0;
	int npids = 0;
	long long status, worker;

	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		lines++;
		if (!json_parse_line(line, strcspn(line, "\n"), &obj))
			fail_msg("line %ld is not valid JSON: %s", lines, line);
		if (!has_string(&obj, "log.logger", "access"))
			continue;
		if (n == REQUESTS)
			fail_msg("more than %d request records; extra: %s", REQUESTS, line);
		/* json_str() returns -1 when the id is missing, sizeof(id) or more when cut short. */
		if ((size_t)json_str(&obj, "request_id", id, sizeof(id)) >= sizeof(id) ||
		    !has_string(&obj, "method", "GET") ||
		    !has_string(&obj, "path", "/") || !json_get_int(&obj, "status", &status) ||
		    status != 200 || !has_number(&obj, "bytes") || !has_number(&obj, "duration_ms") ||
		    !has_string(&obj, "message", "GET / 200") ||
		    !json_get_int(&obj, "process.pid", &worker))
			fail_msg("request record without its id or fields: %s", line);
		assert_non_null(ids[n] = strdup(id));
		n++;
		/* The request id starts with the pid of the worker that served it. */
		snprintf(pid, sizeof(pid), "%lld", worker);
		assert_int_equal(strncmp(id, pid, strlen(pid)), 0);
		int known = 0;
		for (int i = 0; i < npids; i++)
			known |= strcmp(pids[i], pid) == 0;
		if (!known) {
			if (npids == WORKERS)
				fail_msg("requests served by more than %d processes", WORKERS);
			strcpy(pids[npids++], pid);
		}
	}
	fclose(f);
	qsort(ids, (size_t)n, sizeof(ids[0]), compare_strings);
	for (long i = 1; i < n; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			fail_msg("request id %s appears twice", ids[i]);
	for (long i = 0; i < n; i++)
		free(ids[i]);
	printf("%ld lines, %ld request records with distinct ids, from %d workers\n", lines, n,
	       npids);
	assert_int_equal(npids, WORKERS);
	return n;
}

static void test_every_request_is_logged_exactly_once_with_its_fields(void **state)
{
	char buf[8192], url[64];
	int out, port = 0, status;
	pid_t collector, server, load;

	(void)state;
	collector = start((char *const[]){shmlogd, "--ring", ring, "--output", output, "--format",
					  "json", "--size", "16M", NULL},
			  NULL, "shmlogd.err");
	wait_for_collector(collector);

	server = start((char *const[]){httpd, "-p", "0", "-w", "4", "-r", ring, NULL}, &out,
		       "httpd.err");
	read_until(out, buf, sizeof(buf), "/\n", START_TIMEOUT_MS);
	if (sscanf(buf, "listening on http://127.0.0.1:%d/", &port) != 1)
		fail_msg("prefork-httpd did not say where it listens: '%s' (see httpd.err)", buf);

	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", port);
	load = start((char *const[]){ab, "-q", "-n", "10000", "-c", CONCURRENCY, url, NULL}, &out,
		     "ab.err");
	read_until(out, buf, sizeof(buf), NULL, 120000);
	assert_int_equal(wait_exit(load, 1000), 0);
	if (!strstr(buf, "Complete requests:      10000") || !strstr(buf, "Failed requests:        0"))
		fail_msg("ab did not complete 10000 requests without failure:\n%s", buf);

	kill(server, SIGTERM);
	status = wait_exit(server, STOP_TIMEOUT_MS);
	assert_int_equal(status, 0);
	kill(collector, SIGTERM);
	status = wait_exit(collector, STOP_TIMEOUT_MS);
	assert_int_equal(status, 0);

	assert_int_equal(check_output(), REQUESTS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_request_is_logged_exactly_once_with_its_fields),
	};
	int rc;

	find_programs();
	snprintf(ring, sizeof(ring), "t-httpd-%d", (int)getpid());
	snprintf(output, sizeof(output), "httpd.json");
	shmlog_unlink(ring);
	unlink(output);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	shmlog_unlink(ring);
	return rc;
}

/* common.c - helpers shared by the benchmarks (see common.h). */
#include "common.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shmlog.h>

static void die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void cpu_model(char *out, size_t cap)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	snprintf(out, cap, "unknown");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');
		if (strncmp(line, "model name", 10) != 0 || !colon)
			continue;
		snprintf(out, cap, "%s", colon + 2);
		out[strcspn(out, "\n")] = '\0';
		break;
	}
	fclose(f);
}

void bench_banner(const char *title)
{
	char model[128], date[64];
	struct utsname u;
	time_t now = time(NULL);
	double load[3] = {0, 0, 0};

	cpu_model(model, sizeof(model));
	if (uname(&u) < 0)
		die("uname");
	strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", gmtime(&now));
	if (getloadavg(load, 3) < 0)
		load[0] = -1;
	printf("## %s\n\n", title);
	printf("Machine: %ld CPUs (nproc), %s, Linux %s %s; load average %.2f; %s\n\n",
	       sysconf(_SC_NPROCESSORS_ONLN), model, u.release, u.machine, load[0], date);
	fflush(stdout);
}

long long bench_reported_kib(void)
{
	FILE *f = fopen("/sys/module/page_reporting/parameters/reported_kib", "r");
	long long kib = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%lld", &kib) != 1)
		kib = -1;
	fclose(f);
	return kib;
}

int64_t bench_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

struct bench_stat bench_stat_of(double *v, size_t n)
{
	struct bench_stat s = {0, 0, 0};

	if (n == 0)
		return s;
	qsort(v, n, sizeof(*v), cmp_double);
	s.min = v[0];
	s.max = v[n - 1];
	s.med = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	return s;
}

const char *bench_stat_str(char *buf, size_t cap, struct bench_stat s, const char *fmt)
{
	char f[64];
	snprintf(f, sizeof(f), "%s (%s–%s)", fmt, fmt, fmt);
	snprintf(buf, cap, f, s.med, s.min, s.max);
	return buf;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return (x > y) - (x < y);
}

void bench_sort_u32(uint32_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_u32);
}

uint32_t bench_percentile_u32(const uint32_t *sorted, size_t n, double p)
{
	if (n == 0)
		return 0;
	size_t rank = (size_t)(p / 100.0 * (double)n + 0.999999);
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return sorted[rank - 1];
}

const char *bench_ring_name(char *buf, size_t cap, const char *what)
{
	static unsigned counter;
	snprintf(buf, cap, "bench-%s-%ld-%u", what, (long)getpid(), counter++);
	return buf;
}

int bench_find_prog(const char *prog, char *out, size_t cap)
{
	const char *env = getenv("SHMLOG_BIN_DIR");
	char self[PATH_MAX];

	if (env && *env) {
		snprintf(out, cap, "%s/%s", env, prog);
	} else {
		ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			die("readlink /proc/self/exe");
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash)
			*slash = '\0';
		snprintf(out, cap, "%s/%s", self, prog);
	}
	if (access(out, X_OK) == 0)
		return 0;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", out);
	snprintf(out, cap, "%s not found at %s (%s); build it, or set SHMLOG_BIN_DIR", prog, path,
		 env && *env ? "from SHMLOG_BIN_DIR" : "next to this benchmark");
	return -1;
}

void *bench_shared(size_t bytes)
{
	void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	return p;
}

void bench_gate_init(struct bench_gate *g)
{
	if (pipe(g->fd) < 0)
		die("pipe");
}

void bench_gate_wait(struct bench_gate *g)
{
	char c;
	close(g->fd[1]);
	while (read(g->fd[0], &c, 1) < 0 && errno == EINTR)
		;
	close(g->fd[0]);
}

void bench_gate_go(struct bench_gate *g)
{
	close(g->fd[0]);
	close(g->fd[1]); /* every child's read() returns 0 at once */
}

pid_t bench_fork(void)
{
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	return pid;
}

int bench_reap(pid_t pid)
{
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid");
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void bench_tmpdir(char *out, size_t cap)
{
	const char *base = getenv("TMPDIR");
	snprintf(out, cap, "%s/shmlog-bench.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(out))
		die("mkdtemp");
}

void bench_rmtree(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[PATH_MAX];

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

int bench_parse_ws(const char *msg, size_t len, int *w, long *seq)
{
	const char *end = msg + len, *p = memmem(msg, len, "w=", 2);
	long v;

	if (!p)
		return -1;
	p += 2;
	for (v = 0; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	if (end - p < 5 || memcmp(p, " seq=", 5) != 0)
		return -1;
	*w = (int)v;
	p += 5;
	if (p >= end || *p < '0' || *p > '9')
		return -1;
	for (v = 0; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	*seq = v;
	return 0;
}

void bench_seqcheck_init(struct bench_seqcheck *c, int nwriters)
{
	memset(c, 0, sizeof(*c));
	c->nwriters = nwriters;
	c->next = calloc((size_t)nwriters, sizeof(*c->next));
	if (!c->next)
		die("calloc");
}

void bench_seqcheck_note(struct bench_seqcheck *c, int w, long seq)
{
	if (w < 0 || w >= c->nwriters)
		c->foreign++;
	else if (seq == c->next[w])
		c->next[w]++;
	else
		c->bad++;
}

int bench_seqcheck_exact(const struct bench_seqcheck *c, long per_writer)
{
	if (c->bad || c->foreign)
		return 0;
	for (int w = 0; w < c->nwriters; w++)
		if (c->next[w] != per_writer)
			return 0;
	return 1;
}

void bench_seqcheck_free(struct bench_seqcheck *c)
{
	free(c->next);
	c->next = NULL;
}

static double proc_stat_cpu(pid_t pid)
{
	char path[64], buf[1024];
	unsigned long ut, st;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/stat");
	if (!(f = fopen(path, "r")))
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* The name in parentheses may hold spaces: fields count from the last ')'. utime and stime
	 * are fields 14 and 15; field 3 (the state) follows ") ". */
	const char *p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

double bench_proc_cpu(pid_t pid)
{
	clockid_t clk;
	struct timespec ts;

	if (clock_getcpuclockid(pid, &clk) == 0 && clock_gettime(clk, &ts) == 0)
		return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	return proc_stat_cpu(pid);
}

long bench_proc_hwm_kb(pid_t pid)
{
	char path[64], line[256];
	long kb = -1;
	FILE *f;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/status");
	if (!(f = fopen(path, "r")))
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

int bench_reap_cpu(pid_t pid, double *cpu)
{
	struct rusage ru;
	int st;
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
	       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

void bench_pipe(int fd[2])
{
	if (pipe(fd) < 0)
		die("pipe");
}

void bench_wait_ready(int fd, const char *who)
{
	char c;

	if (read(fd, &c, 1) != 1) {
		fprintf(stderr, "bench: %s did not start\n", who);
		exit(1);
	}
}

void bench_say_ready(int fd)
{
	if (write(fd, "r", 1) != 1)
		_exit(1);
	close(fd);
}

struct shmlog_consumer *bench_consumer_attach(const char *name, const struct shmlog_options *opts,
					      int ready_fd)
{
	struct shmlog_consumer *c = shmlog_consumer_open(name, opts);

	if (!c) {
		fprintf(stderr, "bench: consumer: %s\n", shmlog_errmsg());
		_exit(1);
	}
	bench_say_ready(ready_fd);
	return c;
}

long bench_drain(struct shmlog_consumer *c, const volatile int *stop, int spin,
		 void (*on_record)(void *arg, const struct shmlog_record *rec), void *arg)
{
	struct shmlog_record rec;
	int since_commit = 0;
	long events = 0;

	for (;;) {
		int rc = shmlog_consumer_next(c, &rec, 0);
		if (rc == SHMLOG_NEXT_EMPTY) {
			/* Caught up: commit, then sleep until a writer wakes us (unless SPIN). */
			shmlog_consumer_commit(c);
			since_commit = 0;
			if (*stop)
				break;
			if (spin)
				continue;
			rc = shmlog_consumer_next(c, &rec, 100);
		}
		if (rc == SHMLOG_NEXT_RECORD) {
			on_record(arg, &rec);
			if (++since_commit >= BENCH_COMMIT_EVERY) {
				shmlog_consumer_commit(c);
				since_commit = 0;
			}
		} else if (rc != SHMLOG_NEXT_EMPTY) {
			events++; /* lost, abandoned, dropped or an error: the run is lossy */
			if (rc < 0)
				break;
		}
	}
	shmlog_consumer_commit(c);
	return events;
}

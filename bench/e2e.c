/* e2e.c - end-to-end lines/s into one file from P writer processes: shmlog through the real
 * shmlogd (text and JSON) beside write(2) to one shared O_APPEND file and a pipe to one collector
 * process that writes 64 KiB batches (issue 3, acceptance 8).
 *
 * Every writer logs N records "w=W seq=S ..." (level info, tag "bench", two integers, formatted
 * in the writer). shmlog writers call shmlog_log and shmlogd formats the line; the other writers
 * format the same text line themselves (timestamp, level, tag[pid/tid], message: ~100 bytes) and
 * write(2) it. A run is timed from releasing the writers (each has opened its handle, file or
 * pipe) until the file holds every line: for shmlog, every writer returned from shmlog_flush and
 * shmlogd, sent SIGTERM, drained and exited; for the pipe, the collector exited after EOF; for
 * O_APPEND, every writer exited. Then the file is read back: each writer's records must be there
 * exactly once, in order, with the exact message; a run that fails this is reported as lossy,
 * and its speed is not counted. Variants alternate within each round; rounds repeat.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <shmlog.h>

#include "common.h"

#define MSG_FMT "w=%d seq=%09ld request done status=200 bytes=5120"
#define BATCH (64 * 1024)
#define MAX_P 16
#define RUN_TIMEOUT_S 300

enum variant { V_SHM_TEXT, V_SHM_JSON, V_APPEND, V_PIPE, NVARIANTS };
static const char *const variant_name[NVARIANTS] = {
	"shmlog → shmlogd, text", "shmlog → shmlogd, json", "write(2) to one O_APPEND file",
	"pipe → collector, 64 KiB writes"};

struct opts {
	int rounds;
	long n;         /* records per writer */
	int p[8], np;   /* writer counts */
	int standin;    /* a library consumer instead of shmlogd: tests the harness only */
	char shmlogd[4096];
	int have_shmlogd;
	char dir[4096];
};

struct result {
	double secs;
	double collector_cpu; /* seconds of CPU the collector used (shmlogd, pipe collector) */
	double bytes_per_line;
	int exact;
	char why[600];
};

/* ------------------------------------------------------------------ watchdog */

static volatile sig_atomic_t g_timed_out;
static pid_t g_kids[MAX_P + 2];
static int g_nkids;

static void on_alarm(int sig)
{
	(void)sig;
	g_timed_out = 1;
	for (int i = 0; i < g_nkids; i++)
		kill(g_kids[i], SIGKILL);
}

static pid_t spawn(void)
{
	pid_t pid = bench_fork();
	if (pid > 0 && g_nkids < MAX_P + 2)
		g_kids[g_nkids++] = pid;
	return pid;
}

/* Waits for PID; returns its exit status (128 + signal if killed) and its CPU time in *cpu. */
static int reap(pid_t pid, double *cpu)
{
	struct rusage ru;
	int st;
	while (wait4(pid, &st, 0, &ru) < 0)
		if (errno != EINTR) {
			perror("bench: wait4");
			exit(1);
		}
	if (cpu)
		*cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_stime.tv_sec +
		       ((double)ru.ru_utime.tv_usec + (double)ru.ru_stime.tv_usec) / 1e6;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* ------------------------------------------------------------------ lines */

static int format_msg(char *buf, size_t cap, int w, long seq)
{
	return snprintf(buf, cap, MSG_FMT, w, seq);
}

/* The text line a writer formats for itself, like shmlogd's text format; the date part is
 * cached per second, as servers that format their own log lines do. */
struct linefmt {
	time_t sec;
	char date[32];
	int pid;
};

static int format_line(struct linefmt *lf, char *buf, size_t cap, int w, long seq)
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	if (ts.tv_sec != lf->sec) {
		lf->sec = ts.tv_sec;
		gmtime_r(&ts.tv_sec, &tm);
		strftime(lf->date, sizeof(lf->date), "%Y-%m-%dT%H:%M:%S", &tm);
	}
	return snprintf(buf, cap, "%s.%06ldZ INFO  %s[%d/%d] " MSG_FMT "\n", lf->date,
			ts.tv_nsec / 1000, BENCH_TAG, lf->pid, lf->pid, w, seq);
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = write(fd, p, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* ------------------------------------------------------------------ verification */

/* Reads PATH back: every writer's records 0..n-1 exactly once, in order, message intact. */
static void verify(const char *path, int nw, long n, int json, struct result *res)
{
	struct bench_seqcheck chk;
	struct stat st;
	long lines = 0, content_bad = 0;
	char want[160];
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(res->why, sizeof(res->why), "cannot read %.100s: %s", path, strerror(errno));
		res->exact = 0;
		if (fd >= 0)
			close(fd);
		return;
	}
	const char *data = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
				      : "";
	close(fd);
	if (data == MAP_FAILED) {
		perror("bench: mmap");
		exit(1);
	}
	bench_seqcheck_init(&chk, nw);
	for (const char *p = data, *end = data + st.st_size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		int w;
		long seq;

		lines++;
		if (bench_parse_ws(p, (size_t)(eol - p), &w, &seq) < 0) {
			chk.foreign++;
		} else {
			bench_seqcheck_note(&chk, w, seq);
			int k = format_msg(want, sizeof(want), w, seq);
			const char *m = memmem(p, (size_t)(eol - p), want, (size_t)k);
			/* text: the message ends the line; json: it is the whole "message" value */
			if (!m || (json ? m < p + 11 || memcmp(m - 11, "\"message\":\"", 11) != 0 ||
						  m[k] != '"'
					: m + k != eol))
				content_bad++;
		}
		p = eol + 1;
	}
	res->exact = bench_seqcheck_exact(&chk, n) && content_bad == 0 && lines == (long)nw * n;
	res->bytes_per_line = lines ? (double)st.st_size / (double)lines : 0;
	if (!res->exact) {
		long got = 0;
		for (int w = 0; w < nw; w++)
			got += chk.next[w];
		snprintf(res->why, sizeof(res->why),
			 "%ld lines for %ld records: %ld in order, %ld out of order/duplicated, "
			 "%ld foreign, %ld with wrong bytes",
			 lines, (long)nw * n, got, chk.bad, chk.foreign, content_bad);
	}
	bench_seqcheck_free(&chk);
	if (st.st_size)
		munmap((void *)data, (size_t)st.st_size);
}

/* ------------------------------------------------------------------ the collectors */

static volatile sig_atomic_t g_stop;
static struct shmlog_consumer *g_consumer;

static void on_term(int sig)
{
	(void)sig;
	g_stop = 1;
	if (g_consumer)
		shmlog_consumer_interrupt(g_consumer);
}

/* --standin: a minimal collector on the library consumer, to test the harness before shmlogd
 * exists. Formats each record, writes 64 KiB batches, commits after writing. */
static void standin_main(const char *ring, const char *out, int json)
{
	static char buf[BATCH + 20000];
	struct shmlog_record rec;
	size_t len = 0;
	int fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	signal(SIGTERM, on_term);
	g_consumer = shmlog_consumer_open(ring, NULL);
	if (fd < 0 || !g_consumer)
		_exit(1);
	for (;;) {
		/* Store and commit as soon as nothing is left, before sleeping in next(). */
		int rc = shmlog_consumer_next(g_consumer, &rec, 0);
		if (rc == SHMLOG_NEXT_EMPTY && len == 0 && !g_stop)
			rc = shmlog_consumer_next(g_consumer, &rec, 100);
		if (rc == SHMLOG_NEXT_EMPTY || len >= BATCH) {
			if (write_all(fd, buf, len) < 0)
				_exit(1);
			len = 0;
			shmlog_consumer_commit(g_consumer);
			if (rc == SHMLOG_NEXT_EMPTY && g_stop)
				break;
		}
		if (rc < 0)
			_exit(1);
		if (rc != SHMLOG_NEXT_EMPTY) {
			ssize_t k = shmlog_format(&rec, json ? SHMLOG_FORMAT_JSON : SHMLOG_FORMAT_TEXT, 0,
						  buf + len, sizeof(buf) - len);
			if (k < 0 || (size_t)k >= sizeof(buf) - len)
				_exit(1);
			len += (size_t)k;
		}
	}
	shmlog_consumer_close(g_consumer);
	_exit(0);
}

/* Starts shmlogd (or the stand-in) on a fresh RING writing OUT; returns once it holds the ring. */
static pid_t start_collector(const struct opts *o, const char *ring, const char *out, int json,
			     char *why, size_t cap)
{
	char errpath[4200];

	snprintf(errpath, sizeof(errpath), "%s/shmlogd.stderr", o->dir);
	pid_t pid = spawn();
	if (pid == 0) {
		if (o->standin)
			standin_main(ring, out, json);
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd >= 0) {
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
		}
		execl(o->shmlogd, "shmlogd", "--ring", ring, "--output", out, "--format",
		      json ? "json" : "text", (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 5000; i++) {
		struct shmlog_stats st;
		struct shmlog_observer *ob = shmlog_observer_open(ring, SHMLOG_OBSERVE_NEWEST);
		int held = ob && shmlog_observer_stats(ob, &st, NULL, 0) == 0 &&
			   st.consumer_pid == pid && st.consumer_alive;
		shmlog_observer_close(ob);
		if (held)
			return pid;
		int status;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			snprintf(why, cap, "the collector exited (status %d) before attaching; see %.150s",
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
				 errpath);
			return -1;
		}
		usleep(1000);
	}
	kill(pid, SIGKILL);
	reap(pid, NULL);
	snprintf(why, cap, "the collector did not attach to ring %s within 5 s", ring);
	return -1;
}

static void pipe_collector_main(int in, const char *out)
{
	static char buf[BATCH];
	size_t len = 0;
	int fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0)
		_exit(1);
	for (;;) {
		ssize_t k = read(in, buf + len, sizeof(buf) - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			_exit(1);
		len += (size_t)k;
		if (k == 0 || len == sizeof(buf)) {
			if (write_all(fd, buf, len) < 0)
				_exit(1);
			len = 0;
		}
		if (k == 0)
			break;
	}
	_exit(close(fd) < 0);
}

/* ------------------------------------------------------------------ writers */

struct shared {
	long failed;      /* calls that failed, over all writers */
	int first_err;    /* the first failure: its return value and which call */
	char first_call[16];
};

static void note_failure(struct shared *sh, int err, const char *call)
{
	if (__atomic_fetch_add(&sh->failed, 1, __ATOMIC_RELAXED) == 0) {
		sh->first_err = err;
		snprintf(sh->first_call, sizeof(sh->first_call), "%s", call);
	}
}

static void writer_main(enum variant v, const char *target, int fd, int w, long n,
			struct bench_gate *gate, int ready_fd, struct shared *sh)
{
	struct linefmt lf = {.sec = -1, .pid = (int)getpid()};
	struct shmlog *lg = NULL;
	char line[256];
	int rc;

	if (v == V_SHM_TEXT || v == V_SHM_JSON) {
		lg = shmlog_open(target, NULL);
		if (!lg)
			_exit(1);
	} else if (v == V_APPEND) {
		fd = open(target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd < 0)
			_exit(1);
	}
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	close(ready_fd);
	bench_gate_wait(gate);
	for (long seq = 0; seq < n; seq++) {
		if (lg) {
			if ((rc = shmlog_log(lg, SHMLOG_INFO, BENCH_TAG, MSG_FMT, w, seq)) != 0)
				note_failure(sh, rc, "shmlog_log");
		} else {
			int k = format_line(&lf, line, sizeof(line), w, seq);
			if (write_all(fd, line, (size_t)k) < 0)
				note_failure(sh, -errno, "write");
		}
	}
	if (lg) {
		if ((rc = shmlog_flush(lg, RUN_TIMEOUT_S * 1000)) != 0)
			note_failure(sh, rc, "shmlog_flush");
		shmlog_close(lg);
	} else if (close(fd) < 0) {
		note_failure(sh, -errno, "close");
	}
	_exit(0);
}

/* ------------------------------------------------------------------ one run */

static void run_once(const struct opts *o, enum variant v, int p, struct result *res)
{
	char out[4200], ring[80];
	int pfd[2] = {-1, -1}, ready[2];
	pid_t collector = -1, writers[MAX_P];
	struct bench_gate gate;
	struct shared *sh = bench_shared(sizeof(*sh));
	int json = v == V_SHM_JSON, status = 0;
	char c;

	memset(res, 0, sizeof(*res));
	g_nkids = 0;
	g_timed_out = 0;
	snprintf(out, sizeof(out), "%s/out.log", o->dir);
	unlink(out);
	bench_ring_name(ring, sizeof(ring), "e2e");
	if (v == V_SHM_TEXT || v == V_SHM_JSON) {
		shmlog_unlink(ring);
		collector = start_collector(o, ring, out, json, res->why, sizeof(res->why));
		if (collector < 0)
			goto out;
	} else if (v == V_PIPE) {
		if (pipe(pfd) < 0) {
			perror("bench: pipe");
			exit(1);
		}
		collector = spawn();
		if (collector == 0) {
			close(pfd[1]);
			pipe_collector_main(pfd[0], out);
		}
		close(pfd[0]);
	}
	if (pipe(ready) < 0) {
		perror("bench: pipe");
		exit(1);
	}
	bench_gate_init(&gate);
	for (int w = 0; w < p; w++) {
		writers[w] = spawn();
		if (writers[w] == 0) {
			close(ready[0]);
			writer_main(v, v == V_APPEND ? out : ring, pfd[1], w, o->n, &gate, ready[1], sh);
		}
	}
	close(ready[1]);
	if (pfd[1] >= 0)
		close(pfd[1]); /* the writers hold the pipe now: EOF once they are all gone */
	for (int w = 0; w < p; w++)
		if (read(ready[0], &c, 1) != 1)
			status = 1;
	close(ready[0]);

	alarm(RUN_TIMEOUT_S);
	int64_t t0 = bench_now_ns();
	bench_gate_go(&gate);
	for (int w = 0; w < p; w++)
		status |= reap(writers[w], NULL);
	if (collector > 0) {
		if (v != V_PIPE)
			kill(collector, SIGTERM);
		status |= reap(collector, &res->collector_cpu);
	}
	int64_t t1 = bench_now_ns();
	alarm(0);

	res->secs = (double)(t1 - t0) / 1e9;
	verify(out, p, o->n, json, res);
	if (g_timed_out || status || sh->failed) {
		char file[400];
		snprintf(file, sizeof(file), "%.300s", res->exact ? "file complete" : res->why);
		res->exact = 0;
		snprintf(res->why, sizeof(res->why),
			 "%s%ld failed calls (first: %s returned %d, %s), exit status %d; %s",
			 g_timed_out ? "timed out; " : "", sh->failed, sh->failed ? sh->first_call : "-",
			 sh->first_err, sh->failed ? strerror(-sh->first_err) : "-", status, file);
	}
out:
	if (v == V_SHM_TEXT || v == V_SHM_JSON)
		shmlog_unlink(ring);
	unlink(out);
	munmap(sh, sizeof(*sh));
}

/* ------------------------------------------------------------------ report */

struct cell {
	double *rate;   /* per round; 0 = no valid figure (lossy or skipped) */
	double *cpu_us; /* collector CPU per record, per round */
	double bpl;
	int exact, lossy;
	char why[600];
};

static const char *rate_str(char *buf, size_t cap, const struct cell *c, int rounds)
{
	double v[64];
	int n = 0;
	for (int r = 0; r < rounds; r++)
		if (c->rate[r] > 0)
			v[n++] = c->rate[r] / 1000;
	if (n == 0)
		return c->lossy ? "**LOSSY**" : "skipped";
	char s[96];
	bench_stat_str(s, sizeof(s), bench_stat_of(v, (size_t)n), "%.0f");
	snprintf(buf, cap, "%s%s", s, c->lossy ? " (**some runs LOSSY**)" : "");
	return buf;
}

/* Median over rounds of A[r] / B[r], where both ran cleanly. */
static const char *ratio_str(char *buf, size_t cap, const struct cell *a, const struct cell *b,
			     int rounds, double *med)
{
	double v[64];
	int n = 0;
	for (int r = 0; r < rounds; r++)
		if (a->rate[r] > 0 && b->rate[r] > 0)
			v[n++] = a->rate[r] / b->rate[r];
	*med = 0;
	if (n == 0)
		return "n/a";
	struct bench_stat s = bench_stat_of(v, (size_t)n);
	*med = s.med;
	return bench_stat_str(buf, cap, s, "%.2f");
}

static void report(const struct opts *o, struct cell cells[][NVARIANTS])
{
	char a[128], b[128];

	printf("| writers | variant | lines/s (thousands) | bytes/line | collector CPU µs/line | "
	       "every line once, in order |\n|---|---|---|---|---|---|\n");
	for (int i = 0; i < o->np; i++)
		for (int v = 0; v < NVARIANTS; v++) {
			struct cell *c = &cells[i][v];
			double cpu[64];
			int n = 0;
			for (int r = 0; r < o->rounds; r++)
				if (c->rate[r] > 0 && c->cpu_us[r] > 0)
					cpu[n++] = c->cpu_us[r];
			if (n)
				bench_stat_str(b, sizeof(b), bench_stat_of(cpu, (size_t)n), "%.2f");
			else
				snprintf(b, sizeof(b), "—");
			char ok[300];
			if (c->exact + c->lossy == 0)
				snprintf(ok, sizeof(ok), "skipped (see above)");
			else if (c->lossy)
				snprintf(ok, sizeof(ok), "**LOSSY in %d of %d runs**: %s", c->lossy,
					 c->exact + c->lossy, c->why);
			else
				snprintf(ok, sizeof(ok), "yes, %d of %d runs", c->exact, c->exact);
			char bpl[32] = "—";
			if (c->bpl > 0)
				snprintf(bpl, sizeof(bpl), "%.0f", c->bpl);
			printf("| %d | %s%s | %s | %s | %s | %s |\n", o->p[i], variant_name[v],
			       o->standin && v <= V_SHM_JSON ? " (STAND-IN collector, not shmlogd)" : "",
			       rate_str(a, sizeof(a), c, o->rounds), bpl, b, ok);
		}
	printf("\nRatios (per round, same round; median (min–max)). Goal: ≥ 3× O_APPEND and ≥ 2× "
	       "pipe at 2 and 4 writers.\n\n");
	printf("| writers | text / O_APPEND | json / O_APPEND | text / pipe | json / pipe | goal |\n"
	       "|---|---|---|---|---|---|\n");
	for (int i = 0; i < o->np; i++) {
		static const enum variant num[4] = {V_SHM_TEXT, V_SHM_JSON, V_SHM_TEXT, V_SHM_JSON};
		static const enum variant den[4] = {V_APPEND, V_APPEND, V_PIPE, V_PIPE};
		char buf[4][96];
		const char *r[4];
		double m[4];
		for (int k = 0; k < 4; k++)
			r[k] = ratio_str(buf[k], sizeof(buf[k]), &cells[i][num[k]], &cells[i][den[k]],
					 o->rounds, &m[k]);
		const char *goal = "—";
		if (o->p[i] >= 2 && m[0] > 0 && m[1] > 0 && m[2] > 0 && m[3] > 0)
			goal = m[0] >= 3 && m[1] >= 3 && m[2] >= 2 && m[3] >= 2 ? "met" : "**missed**";
		printf("| %d | %s | %s | %s | %s | %s |\n", o->p[i], r[0], r[1], r[2], r[3], goal);
	}
	printf("\n");
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *to)
{
	fprintf(to,
		"usage: bench_e2e [--quick] [--rounds R] [--n N] [--writers 1,2,4] [--standin]\n"
		"End-to-end lines/s into a file: shmlog through shmlogd (text, json), write(2) to\n"
		"one O_APPEND file, a pipe to a collector. Defaults: --rounds 7 --n 200000 (records\n"
		"per writer) --writers 1,2,4; --quick: --rounds 3 --n 50000. shmlogd is taken from\n"
		"$SHMLOG_BIN_DIR, else from this program's directory; without it the shmlog rows are\n"
		"skipped. --standin replaces shmlogd by a library consumer in the benchmark, to test\n"
		"the harness only: its figures are not shmlogd's.\n");
}

static int parse_writers(struct opts *o, const char *s)
{
	o->np = 0;
	for (char *end; *s && o->np < 8; s = *end ? end + 1 : end) {
		long v = strtol(s, &end, 10);
		if (end == s || v < 1 || v > MAX_P || (*end && *end != ','))
			return -1;
		o->p[o->np++] = (int)v;
	}
	return o->np ? 0 : -1;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"quick", no_argument, NULL, 'q'},   {"rounds", required_argument, NULL, 'r'},
		{"n", required_argument, NULL, 'n'}, {"writers", required_argument, NULL, 'w'},
		{"standin", no_argument, NULL, 's'}, {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	struct opts o = {.rounds = 0, .n = 0};
	int quick = 0, opt;
	char skip[4300] = "";

	parse_writers(&o, "1,2,4");
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			quick = 1;
			break;
		case 'r':
			o.rounds = atoi(optarg);
			break;
		case 'n':
			o.n = atol(optarg);
			break;
		case 'w':
			if (parse_writers(&o, optarg) < 0) {
				fprintf(stderr, "bench: --writers takes a list such as 1,2,4 (1-%d)\n",
					MAX_P);
				return 64;
			}
			break;
		case 's':
			o.standin = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (o.rounds <= 0)
		o.rounds = quick ? 3 : 7;
	if (o.n <= 0)
		o.n = quick ? 50000 : 200000;
	if (o.rounds > 64) {
		fprintf(stderr, "bench: --rounds at most 64\n");
		return 64;
	}
	o.have_shmlogd = o.standin || bench_find_prog("shmlogd", o.shmlogd, sizeof(o.shmlogd)) == 0;
	if (!o.have_shmlogd)
		snprintf(skip, sizeof(skip), "%s", o.shmlogd);
	struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: wait4 returns EINTR */
	sigaction(SIGALRM, &sa, NULL);
	bench_tmpdir(o.dir, sizeof(o.dir));

	bench_banner("End to end: lines/s into one file");
	printf("Each writer process logs %ld records (level info, tag \"%s\", message \"%s\" with "
	       "two integers, formatted in the writer); %d rounds, variants alternating within each "
	       "round; lines/s = writers × records / time from start until the file holds every "
	       "line. Cells: median (min–max) over clean runs. Output files in %s (%s).\n",
	       o.n, BENCH_TAG, MSG_FMT, o.rounds, o.dir,
	       o.standin ? "collector: STAND-IN library consumer, not shmlogd"
	       : o.have_shmlogd ? o.shmlogd : "shmlogd not found");
	if (!o.have_shmlogd)
		printf("\nshmlog rows skipped: %s\n", skip);
	printf("\n");
	fflush(stdout);

	struct cell cells[8][NVARIANTS];
	memset(cells, 0, sizeof(cells));
	for (int i = 0; i < o.np; i++)
		for (int v = 0; v < NVARIANTS; v++) {
			cells[i][v].rate = calloc((size_t)o.rounds * 2, sizeof(double));
			cells[i][v].cpu_us = cells[i][v].rate + o.rounds;
		}
	for (int r = 0; r < o.rounds; r++)
		for (int i = 0; i < o.np; i++)
			for (int k = 0; k < NVARIANTS; k++) {
				enum variant v = (enum variant)((r + k) % NVARIANTS);
				struct cell *c = &cells[i][v];
				struct result res;
				if (v <= V_SHM_JSON && !o.have_shmlogd)
					continue;
				run_once(&o, v, o.p[i], &res);
				double lines = (double)o.p[i] * (double)o.n;
				if (res.exact) {
					c->exact++;
					c->rate[r] = lines / res.secs;
					c->cpu_us[r] = res.collector_cpu * 1e6 / lines;
					c->bpl = res.bytes_per_line;
				} else {
					c->lossy++;
					snprintf(c->why, sizeof(c->why), "%s", res.why);
				}
				fprintf(stderr, "  round %d, %d writers, %s: %.3f s%s%s\n", r + 1,
					o.p[i], variant_name[v], res.secs, res.exact ? "" : ", LOSSY: ",
					res.exact ? "" : res.why);
			}
	report(&o, cells);
	bench_rmtree(o.dir);
	return 0;
}

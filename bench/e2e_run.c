/* e2e_run.c - one end-to-end run of bench_e2e (see e2e.h and e2e.c): start the variant's
 * collector, release P writers together, time until the file holds every line, measure, check.
 *
 * Every writer logs N lines "w=W seq=S request done status=200 bytes=5120" (level info, tag
 * "bench"). Writers of the shmlog variants hand the record to the ring and shmlogd formats the
 * line; the O_APPEND and pipe writers format the same text line themselves (timestamp with
 * microseconds, level, tag[pid/tid], message: ~106 bytes); the syslog writers format what glibc's
 * syslog(3) sends and rsyslogd writes it with RSYSLOG_FileFormat (RFC 3339 timestamp, host,
 * tag[pid]: message); spdlog's pattern mimics shmlogd's text line.
 *
 * When the run ends:
 *   shmlog      every writer returned from shmlog_flush, then shmlogd got SIGTERM, drained and
 *               exited (its exit is counted against it);
 *   O_APPEND    every writer exited;
 *   pipe        the collector read EOF, wrote its last batch and exited;
 *   syslog      every writer exited and the file holds P x N lines (read as it grows; 3 s
 *               without growth ends the run as lossy: rsyslogd may drop under load);
 *   spdlog      measured inside bench_spdlog_async: threads joined, queue drained, file closed.
 * Then the file is read back: each writer's lines exactly once, in order, message intact.
 *
 * Collectors run at the same priority: shmlogd raises itself to nice -5 (its --nice default,
 * as root), so the pipe collector and rsyslogd are started at nice -5 too.
 */
#include "e2e.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <shmlog.h>

#include "common.h"
#include "syslog_client.h"
#include "timer.h"

#define MSG_FMT "w=%d seq=%09ld request done status=200 bytes=5120"
#define FIELDS_FMT "request done status=%d bytes=%d"
#define FIELDS_MSG "request done status=200 bytes=5120"
#define BATCH (64 * 1024)
#define RUN_TIMEOUT_S 120
#define SYSLOG_STALL_MS 3000
#define COLLECTOR_NICE (-5) /* shmlogd's default --nice: every collector gets the same */

const char *const e2e_variant_name[NVARIANTS] = {
	"shmlog_log → shmlogd, text",
	"shmlog_log → shmlogd, json",
	"shmlog_log_fields (2 int fields) → shmlogd, json",
	"snprintf + shmlog_write → shmlogd, text",
	"shmlog_log → shmlogd, json, default --fsync interval:1000",
	"write(2) to one O_APPEND file",
	"pipe → collector, 64 KiB writes",
	"syslog(3) format → private rsyslogd",
	"spdlog async (1 process, P threads)",
	"ceiling: text lines, preformatted, 1 MiB write(2)s",
	"ceiling: json lines, preformatted, 1 MiB write(2)s",
};
const char *const e2e_variant_id[NVARIANTS] = {"shm_text", "shm_json",  "shm_fields", "shm_write", "shm_json_sync",
					       "append",   "pipe",      "syslog",     "spdlog",
					       "ceil_text", "ceil_json"};

/* ------------------------------------------------------------------ processes */

static volatile sig_atomic_t g_timed_out;
static pid_t g_kids[E2E_MAX_P + 2];
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
	if (pid == 0)
		prctl(PR_SET_PDEATHSIG, SIGKILL); /* no collector outlives the benchmark */
	else if (g_nkids < E2E_MAX_P + 2)
		g_kids[g_nkids++] = pid;
	return pid;
}

/* Stdout and stderr of a program we run go to DIR/NAME.stderr. */
static void redirect_output(const char *dir, const char *name)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s.stderr", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
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
			return k < 0 ? -errno : -EIO;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* ------------------------------------------------------------------ verification */

/* The fields variant's JSON line ends with ,"w":W,"seq":S}. Returns 0 with W and SEQ, or -1. */
static int parse_fields(const char *line, size_t len, int *w, long *seq)
{
	const char *end = line + len, *p = memmem(line, len, ",\"w\":", 5);
	long v;

	if (!p)
		return -1;
	for (p += 5, v = 0; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	*w = (int)v;
	if (end - p < 8 || memcmp(p, ",\"seq\":", 7) != 0)
		return -1;
	for (p += 7, v = 0; p < end && *p >= '0' && *p <= '9'; p++)
		v = v * 10 + (*p - '0');
	*seq = v;
	return p + 1 == end && *p == '}' ? 0 : -1;
}

/* Is the message of writer W's line SEQ intact in LINE? text: it ends the line; json: it is
 * the whole "message" value. */
static int content_ok(enum variant v, const char *line, size_t len, int w, long seq)
{
	char want[160];
	int k;
	const char *m;

	if (v == V_SHM_FIELDS)
		return memmem(line, len, "\"message\":\"" FIELDS_MSG "\"",
			      sizeof("\"message\":\"" FIELDS_MSG "\"") - 1) != NULL;
	k = format_msg(want, sizeof(want), w, seq);
	m = memmem(line, len, want, (size_t)k);
	if (!m)
		return 0;
	if (v == V_SHM_JSON || v == V_SHM_JSON_SYNC || v == V_CEIL_JSON)
		return m >= line + 11 && memcmp(m - 11, "\"message\":\"", 11) == 0 && m[k] == '"';
	return m + k == line + len;
}

/* Reads PATH back: every writer's lines 0..n-1 exactly once, in order, message intact. */
static void verify(const char *path, enum variant v, int nw, long n, struct e2e_result *res)
{
	long lines = 0, foreign = 0, dup = 0, disorder = 0, content_bad = 0, got = 0;
	unsigned char *seen = calloc((size_t)nw * (size_t)n, 1);
	long *last = calloc((size_t)nw, sizeof(long));
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (!seen || !last) {
		perror("bench: calloc");
		exit(1);
	}
	res->exact = 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(res->why, sizeof(res->why), "cannot read %.100s: %s", path, strerror(errno));
		goto out;
	}
	const char *data = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0)
				      : "";
	if (data == MAP_FAILED) {
		perror("bench: mmap");
		exit(1);
	}
	for (int w = 0; w < nw; w++)
		last[w] = -1;
	for (const char *p = data, *end = data + st.st_size; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		size_t len = (size_t)(eol - p);
		int w;
		long seq;

		lines++;
		if ((v == V_SHM_FIELDS ? parse_fields(p, len, &w, &seq) : bench_parse_ws(p, len, &w, &seq)) <
			    0 ||
		    w < 0 || w >= nw || seq < 0 || seq >= n) {
			foreign++;
		} else {
			unsigned char *s = &seen[(size_t)w * (size_t)n + (size_t)seq];
			if (*s)
				dup++;
			else
				got++;
			*s = 1;
			if (seq < last[w])
				disorder++;
			last[w] = seq;
			if (!content_ok(v, p, len, w, seq))
				content_bad++;
		}
		p = eol + 1;
	}
	res->exact = got == (long)nw * n && lines == got && !dup && !disorder && !content_bad;
	res->bytes_per_line = lines ? (double)st.st_size / (double)lines : 0;
	if (!res->exact)
		snprintf(res->why, sizeof(res->why),
			 "%ld lines for %ld records: %ld missing, %ld duplicated, %ld out of order, "
			 "%ld foreign, %ld with wrong bytes",
			 lines, (long)nw * n, (long)nw * n - got, dup, disorder, foreign, content_bad);
	if (st.st_size)
		munmap((void *)data, (size_t)st.st_size);
out:
	if (fd >= 0)
		close(fd);
	free(seen);
	free(last);
}

/* Counts the lines of PATH as it grows: reads from *OFF on, adds newlines to *LINES. */
static void count_new_lines(const char *path, off_t *off, long *lines)
{
	static char buf[1 << 16];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t k;

	if (fd < 0)
		return;
	while ((k = pread(fd, buf, sizeof(buf), *off)) > 0) {
		for (const char *p = buf; (p = memchr(p, '\n', (size_t)(buf + k - p))); p++)
			(*lines)++;
		*off += k;
	}
	close(fd);
}

/* ------------------------------------------------------------------ state shared with writers */

struct shared {
	long failed;        /* calls that failed, over all writers */
	int first_err;      /* the first failure: its return value and which call */
	char first_call[24];
	long hwm_kb[E2E_MAX_P + 1]; /* VmHWM of each writer; [E2E_MAX_P]: the pipe collector */
	long nsamples[E2E_MAX_P][2];
	size_t cap;         /* samples per writer per kind */
	uint32_t samples[]; /* [writer][kind: 0 whole call, 1 transport][cap], in ticks */
};

static uint32_t *samples_of(struct shared *sh, int w, int kind)
{
	return sh->samples + ((size_t)w * 2 + (size_t)kind) * sh->cap;
}

static void note_failure(struct shared *sh, int err, const char *call)
{
	if (__atomic_fetch_add(&sh->failed, 1, __ATOMIC_RELAXED) == 0) {
		sh->first_err = err;
		snprintf(sh->first_call, sizeof(sh->first_call), "%s", call);
	}
}

/* Percentiles of samples VALS (N ticks, sorted here) in ns; p50 = -1 when there are none. */
static struct e2e_pct pct_of(uint32_t *vals, size_t n, double tpn)
{
	struct e2e_pct p = {-1, -1, -1};
	if (n == 0)
		return p;
	bench_sort_u32(vals, n);
	p.p50 = bench_percentile_u32(vals, n, 50) / tpn;
	p.p99 = bench_percentile_u32(vals, n, 99) / tpn;
	p.p999 = bench_percentile_u32(vals, n, 99.9) / tpn;
	return p;
}

static struct e2e_pct merged_pct(struct shared *sh, int p, int kind, double tpn)
{
	size_t n = 0;
	uint32_t *all = malloc(sizeof(uint32_t) * sh->cap * (size_t)p + 1);
	if (!all) {
		perror("bench: malloc");
		exit(1);
	}
	for (int w = 0; w < p; w++) {
		memcpy(all + n, samples_of(sh, w, kind), sizeof(uint32_t) * (size_t)sh->nsamples[w][kind]);
		n += (size_t)sh->nsamples[w][kind];
	}
	struct e2e_pct r = pct_of(all, n, tpn);
	free(all);
	return r;
}

/* ------------------------------------------------------------------ collectors */

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
static pid_t start_shmlogd(const struct e2e_opts *o, const char *ring, const char *out, int json,
			   int nosync, char *why, size_t cap)
{
	pid_t pid = spawn();
	if (pid == 0) {
		if (o->standin)
			standin_main(ring, out, json);
		redirect_output(o->dir, "shmlogd");
		/* --fsync none unless asked: neither the O_APPEND writers nor the pipe's
		 * collector sync, so the comparison is of the same work. */
		execl(o->shmlogd, "shmlogd", "--ring", ring, "--output", out, "--format",
		      json ? "json" : "text", "--fsync", nosync ? "none" : "interval:1000",
		      (char *)NULL);
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
			snprintf(why, cap, "shmlogd exited (status %d) before attaching; see %.150s/shmlogd.stderr",
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), o->dir);
			return -1;
		}
		usleep(1000);
	}
	kill(pid, SIGKILL);
	bench_reap(pid);
	snprintf(why, cap, "shmlogd did not attach to ring %s within 5 s", ring);
	return -1;
}

static void pipe_collector_main(int in, const char *out, struct shared *sh)
{
	static char buf[BATCH];
	size_t len = 0;
	int fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	setpriority(PRIO_PROCESS, 0, COLLECTOR_NICE); /* as shmlogd does, where permitted */
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
	sh->hwm_kb[E2E_MAX_P] = bench_proc_hwm_kb(0);
	_exit(close(fd) < 0);
}

/* Starts a private rsyslogd: imuxsock on DIR/log.sock only (not /dev/log), no rate limiting,
 * facility user to OUT with RSYSLOG_FileFormat. Returns once the socket exists. */
static pid_t start_rsyslogd(const struct e2e_opts *o, const char *sock, const char *out, char *why,
			    size_t cap)
{
	char conf[4200], pidfile[4200];
	struct stat st;

	snprintf(conf, sizeof(conf), "%s/rsyslog.conf", o->dir);
	snprintf(pidfile, sizeof(pidfile), "%s/rsyslogd.pid", o->dir);
	unlink(sock);
	unlink(pidfile);
	FILE *f = fopen(conf, "w");
	if (!f) {
		snprintf(why, cap, "cannot write %.200s: %s", conf, strerror(errno));
		return -1;
	}
	fprintf(f,
		"global(workDirectory=\"%s\")\n"
		"module(load=\"imuxsock\" SysSock.Use=\"off\")\n"
		"input(type=\"imuxsock\" Socket=\"%s\" RateLimit.Interval=\"0\")\n"
		"user.* action(type=\"omfile\" file=\"%s\" template=\"RSYSLOG_FileFormat\")\n",
		o->dir, sock, out);
	if (fclose(f) != 0) {
		snprintf(why, cap, "cannot write %.200s", conf);
		return -1;
	}
	pid_t pid = spawn();
	if (pid == 0) {
		redirect_output(o->dir, "rsyslogd");
		setpriority(PRIO_PROCESS, 0, COLLECTOR_NICE);
		execl(o->rsyslogd, "rsyslogd", "-n", "-f", conf, "-i", pidfile, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 5000; i++) {
		int status;
		if (stat(sock, &st) == 0 && S_ISSOCK(st.st_mode))
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			snprintf(why, cap, "rsyslogd exited (status %d) at start; see %.150s/rsyslogd.stderr",
				 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), o->dir);
			return -1;
		}
		usleep(1000);
	}
	kill(pid, SIGKILL);
	bench_reap(pid);
	snprintf(why, cap, "rsyslogd did not create its socket within 5 s");
	return -1;
}

int e2e_probe_rsyslogd(const struct e2e_opts *o, char *why, size_t cap)
{
	char out[4200], sock[4200];

	snprintf(out, sizeof(out), "%s/probe.log", o->dir);
	snprintf(sock, sizeof(sock), "%s/log.sock", o->dir);
	g_nkids = 0;
	pid_t pid = start_rsyslogd(o, sock, out, why, cap);
	if (pid < 0)
		return -1;
	kill(pid, SIGTERM);
	int st = bench_reap(pid);
	unlink(out);
	if (st != 0) {
		snprintf(why, cap, "rsyslogd exited with status %d on SIGTERM; see %.150s/rsyslogd.stderr",
			 st, o->dir);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ writers */

static void writer_main(const struct e2e_opts *o, enum variant v, const char *target, int fd, int w,
			struct bench_gate *gate, int ready_fd, struct shared *sh)
{
	struct linefmt lf = {.sec = -1, .pid = (int)getpid()};
	struct shmlog *lg = NULL;
	struct bench_syslog sl;
	uint32_t *whole = samples_of(sh, w, 0), *transport = samples_of(sh, w, 1);
	long nwhole = 0, ntransport = 0;
	int every = o->sample_every, half = o->sample_every / 2;
	char line[256];
	int rc;

	if (e2e_is_shmlog(v)) {
		lg = shmlog_open(target, NULL);
		if (!lg)
			_exit(1);
	} else if (v == V_APPEND) {
		fd = open(target, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
		if (fd < 0)
			_exit(1);
	} else if (v == V_SYSLOG) {
		if (bench_syslog_open(&sl, target, BENCH_TAG) < 0)
			_exit(1);
	}
	if (write(ready_fd, "r", 1) != 1)
		_exit(1);
	close(ready_fd);
	bench_gate_wait(gate);
	for (long seq = 0; seq < o->n; seq++) {
		/* One call in EVERY is timed whole; another, half-way, has its transport timed. */
		long phase = every > 0 ? seq % every : -1;
		int time_whole = phase == 0, time_tr = every > 1 && phase == half;
		uint64_t t0 = time_whole ? tick_begin() : 0, tt = 0, t1;
		const char *call;
		int k;

		switch (v) {
		case V_SHM_TEXT:
		case V_SHM_JSON:
		case V_SHM_JSON_SYNC:
			call = "shmlog_log";
			rc = shmlog_log(lg, SHMLOG_INFO, BENCH_TAG, MSG_FMT, w, seq);
			break;
		case V_SHM_FIELDS: {
			struct shmlog_field f[2] = {SHMLOG_INT("w", w), SHMLOG_INT("seq", seq)};
			call = "shmlog_log_fields";
			rc = shmlog_log_fields(lg, SHMLOG_INFO, BENCH_TAG, f, 2, FIELDS_FMT, 200, 5120);
			break;
		}
		case V_SHM_WRITE:
			call = "shmlog_write";
			k = format_msg(line, sizeof(line), w, seq);
			t1 = time_tr ? tick_begin() : 0;
			rc = shmlog_write(lg, SHMLOG_INFO, BENCH_TAG, line, (size_t)k);
			tt = time_tr ? tick_end() - t1 : 0;
			break;
		case V_SYSLOG:
			call = "send";
			rc = bench_syslog(&sl, LOG_USER | LOG_INFO, time_tr ? &tt : NULL, MSG_FMT, w, seq);
			break;
		default: /* V_APPEND, V_PIPE */
			call = "write";
			k = format_line(&lf, line, sizeof(line), w, seq);
			t1 = time_tr ? tick_begin() : 0;
			rc = write_all(fd, line, (size_t)k);
			tt = time_tr ? tick_end() - t1 : 0;
			break;
		}
		if (time_whole)
			whole[nwhole++] = bench_ticks32(tick_end() - t0);
		if (time_tr && tt)
			transport[ntransport++] = bench_ticks32(tt);
		if (rc)
			note_failure(sh, rc, call);
	}
	if (lg) {
		if ((rc = shmlog_flush(lg, RUN_TIMEOUT_S * 1000)) != 0)
			note_failure(sh, rc, "shmlog_flush");
		shmlog_close(lg);
	} else if (v == V_SYSLOG) {
		bench_syslog_close(&sl);
	} else if (close(fd) < 0) {
		note_failure(sh, -errno, "close");
	}
	sh->nsamples[w][0] = nwhole;
	sh->nsamples[w][1] = ntransport;
	sh->hwm_kb[w] = bench_proc_hwm_kb(0);
	_exit(0);
}

/* ------------------------------------------------------------------ the file's ceiling */

#define CEIL_WRITE (1024 * 1024) /* shmlogd's BATCH_FLUSH_BYTES */

/* The ceiling: all P x N lines exactly as shmlogd writes them (shmlog_format on records like
 * the writers'), formatted before the clock starts, then appended by this one process in
 * 1 MiB write(2) calls. It measures what the file system takes for these bytes with no
 * formatting, no transport and no contention: no collector can put the same lines in one file
 * faster, so the ratio of shmlog to it is how much of the machine's limit shmlog reaches. */
static void ceiling_main(const struct e2e_opts *o, enum variant v, const char *out, int p,
			 struct bench_gate *gate, int ready_fd, struct shared *sh)
{
	size_t cap = (size_t)p * (size_t)o->n * 512, len = 0;
	char *buf = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char msg[160];
	struct timespec ts;
	uint64_t seq = 0;

	if (buf == MAP_FAILED)
		_exit(1);
	clock_gettime(CLOCK_REALTIME, &ts);
	for (long i = 0; i < o->n; i++)
		for (int w = 0; w < p; w++) {
			struct shmlog_record rec = {
				.seq = seq++, .time_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec,
				.pid = (uint32_t)getpid(), .tid = (uint32_t)getpid() + (uint32_t)w,
				.level = SHMLOG_INFO, .tag = BENCH_TAG, .tag_len = strlen(BENCH_TAG),
				.msg = msg};
			rec.msg_len = rec.msg_full_len = (size_t)format_msg(msg, sizeof(msg), w, i);
			ssize_t k = shmlog_format(&rec, v == V_CEIL_JSON ? SHMLOG_FORMAT_JSON
								: SHMLOG_FORMAT_TEXT,
						  0, buf + len, cap - len);
			if (k < 0 || (size_t)k >= cap - len)
				_exit(1);
			len += (size_t)k;
		}
	int fd = open(out, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (fd < 0 || write(ready_fd, "r", 1) != 1)
		_exit(1);
	close(ready_fd);
	bench_gate_wait(gate);
	for (size_t off = 0; off < len; off += CEIL_WRITE) {
		int rc = write_all(fd, buf + off, len - off < CEIL_WRITE ? len - off : CEIL_WRITE);
		if (rc)
			note_failure(sh, rc, "write");
	}
	if (close(fd) < 0)
		note_failure(sh, -errno, "close");
	sh->hwm_kb[0] = bench_proc_hwm_kb(0);
	_exit(0);
}

/* ------------------------------------------------------------------ spdlog */

/* Runs bench_spdlog_async with P threads; fills RES from its report and samples. Returns its
 * exit status. */
static int run_spdlog(const struct e2e_opts *o, int p, const char *out, struct e2e_result *res)
{
	char nbuf[32], pbuf[16], ebuf[16], samples[4200], report[4200], line[512];
	long hwm = -1, failed = 0;
	double secs = 0, cpu = -1;
	int status;

	snprintf(nbuf, sizeof(nbuf), "%ld", o->n);
	snprintf(pbuf, sizeof(pbuf), "%d", p);
	snprintf(ebuf, sizeof(ebuf), "%d", o->sample_every);
	snprintf(samples, sizeof(samples), "%s/spdlog.samples", o->dir);
	snprintf(report, sizeof(report), "%s/spdlog_async.stderr", o->dir);
	pid_t pid = spawn();
	if (pid == 0) {
		redirect_output(o->dir, "spdlog_async");
		execl(o->spdlog, "bench_spdlog_async", "--threads", pbuf, "--n", nbuf, "--out", out,
		      "--samples", samples, "--sample-every", ebuf, (char *)NULL);
		_exit(127);
	}
	status = bench_reap(pid);
	FILE *f = fopen(report, "r");
	while (f && fgets(line, sizeof(line), f))
		sscanf(line, "secs=%lf backend_cpu=%lf hwm_kb=%ld failed=%ld", &secs, &cpu, &hwm, &failed);
	if (f)
		fclose(f);
	res->secs = secs;
	res->collector_cpu = cpu;
	res->writer_hwm_kb = hwm;
	res->collector_hwm_kb = -1; /* the backend thread lives in the writers' process */
	f = fopen(samples, "rb");
	if (f) {
		size_t cap = (size_t)p * ((size_t)o->n / (size_t)o->sample_every + 2);
		uint32_t *v = malloc(cap * sizeof(uint32_t));
		size_t n = v ? fread(v, sizeof(uint32_t), cap, f) : 0;
		res->whole = pct_of(v, n, o->tpn);
		free(v);
		fclose(f);
	}
	unlink(samples);
	return status || secs <= 0 || failed ? (status ? status : 1) : 0;
}

/* ------------------------------------------------------------------ warm-up */

#define WARM_BYTES_PER_LINE 256 /* more than any variant's line: JSON is about 215 */

/* Writes and deletes, twice, a scratch file as large as the run's output, next to it. On this
 * Firecracker VM a page-cache page written for the first time costs the host a page fault, and
 * pages freed a while ago are given back to the host: a plain write(2) loop then goes at 0.45
 * GB/s instead of 5, and the figures would measure the host's memory more than the variants.
 * Twice is what it takes here for the run to find pages the guest already has (measured: 0.44-
 * 0.84 GB/s cold, 0.7-1.0 after one pass, 5.0-5.1 after two). Every variant gets the same. */
static void warm_page_cache(const struct e2e_opts *o, int p)
{
	static char buf[1 << 20];
	char path[4200];
	size_t want = (size_t)p * (size_t)o->n * WARM_BYTES_PER_LINE;

	memset(buf, 'w', sizeof(buf));
	snprintf(path, sizeof(path), "%s/warm.tmp", o->dir);
	for (int pass = 0; pass < 2; pass++) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		for (size_t done = 0; fd >= 0 && done < want; done += sizeof(buf))
			if (write_all(fd, buf, sizeof(buf)) < 0)
				break;
		if (fd >= 0)
			close(fd);
		unlink(path);
	}
}

/* ------------------------------------------------------------------ one run */

void e2e_run(const struct e2e_opts *o, enum variant v, int p, struct e2e_result *res)
{
	static int armed;
	char out[4200], ring[80], sock[4200];
	int pfd[2] = {-1, -1}, ready[2];
	pid_t collector = -1, writers[E2E_MAX_P];
	struct bench_gate gate;
	size_t cap = (size_t)o->n / (size_t)(o->sample_every > 0 ? o->sample_every : 1) + 2;
	size_t shbytes = sizeof(struct shared) + sizeof(uint32_t) * cap * 2 * (size_t)p;
	struct shared *sh = bench_shared(shbytes);
	int status = 0;
	double cpu0 = 0;
	char c;

	if (!armed) {
		struct sigaction sa = {.sa_handler = on_alarm}; /* no SA_RESTART: waits return EINTR */
		sigaction(SIGALRM, &sa, NULL);
		armed = 1;
	}
	memset(res, 0, sizeof(*res));
	res->collector_cpu = -1;
	res->collector_hwm_kb = -1;
	res->whole.p50 = res->transport.p50 = -1;
	sh->cap = cap;
	g_nkids = 0;
	g_timed_out = 0;
	snprintf(out, sizeof(out), "%s/out.log", o->dir);
	snprintf(sock, sizeof(sock), "%s/log.sock", o->dir);
	unlink(out);
	bench_ring_name(ring, sizeof(ring), "e2e");
	if (!o->cold)
		warm_page_cache(o, p);

	if (v == V_SPDLOG) {
		alarm(RUN_TIMEOUT_S);
		status = run_spdlog(o, p, out, res);
		alarm(0);
		goto check;
	}
	if (e2e_is_shmlog(v)) {
		shmlog_unlink(ring);
		collector = start_shmlogd(o, ring, out, e2e_is_json(v), v != V_SHM_JSON_SYNC,
					  res->why, sizeof(res->why));
	} else if (v == V_SYSLOG) {
		collector = start_rsyslogd(o, sock, out, res->why, sizeof(res->why));
	} else if (v == V_PIPE) {
		bench_pipe(pfd);
		collector = spawn();
		if (collector == 0) {
			close(pfd[1]);
			pipe_collector_main(pfd[0], out, sh);
		}
		close(pfd[0]);
	}
	if (collector < 0 && v != V_APPEND && !e2e_is_ceiling(v))
		goto out;
	bench_pipe(ready);
	bench_gate_init(&gate);
	int nproc = e2e_is_ceiling(v) ? 1 : p;
	for (int w = 0; w < nproc; w++) {
		writers[w] = spawn();
		if (writers[w] == 0) {
			close(ready[0]);
			if (e2e_is_ceiling(v))
				ceiling_main(o, v, out, p, &gate, ready[1], sh);
			writer_main(o, v, v == V_APPEND ? out : v == V_SYSLOG ? sock : ring, pfd[1], w,
				    &gate, ready[1], sh);
		}
	}
	close(ready[1]);
	if (pfd[1] >= 0)
		close(pfd[1]); /* the writers hold the pipe now: EOF once they are all gone */
	for (int w = 0; w < nproc; w++)
		if (read(ready[0], &c, 1) != 1)
			status = 1;
	close(ready[0]);

	alarm(RUN_TIMEOUT_S);
	if (collector > 0)
		cpu0 = bench_proc_cpu(collector); /* its start-up is not the run's */
	int64_t t0 = bench_now_ns();
	bench_gate_go(&gate);
	for (int w = 0; w < nproc; w++)
		status |= bench_reap(writers[w]);
	if (v == V_SYSLOG) {
		/* rsyslogd writes as it goes: the run ends when the file holds every line. */
		long lines = 0, want = (long)p * o->n, before = -1;
		off_t off = 0;
		int64_t last_growth = bench_now_ns();
		while (lines < want && !g_timed_out) {
			count_new_lines(out, &off, &lines);
			if (lines != before)
				last_growth = bench_now_ns(), before = lines;
			else if (bench_now_ns() - last_growth > (int64_t)SYSLOG_STALL_MS * 1000000)
				break;
			if (lines < want)
				usleep(1000);
		}
	}
	int64_t t1 = bench_now_ns(); /* for syslog: the file is complete (or stalled) */
	if (collector > 0) {
		double cpu;
		if (v != V_PIPE) {
			res->collector_hwm_kb = bench_proc_hwm_kb(collector);
			if (v == V_SYSLOG) /* its work is done; its shutdown is not the run's */
				res->collector_cpu = bench_proc_cpu(collector) - cpu0;
			kill(collector, SIGTERM);
		}
		/* rsyslogd exits 0 on SIGTERM; shmlogd must (it drains first). */
		status |= bench_reap_cpu(collector, &cpu);
		if (v != V_SYSLOG) {
			t1 = bench_now_ns();
			res->collector_cpu = cpu - cpu0;
		}
		if (v == V_PIPE)
			res->collector_hwm_kb = sh->hwm_kb[E2E_MAX_P];
	} else {
		t1 = bench_now_ns();
	}
	alarm(0);
	res->secs = (double)(t1 - t0) / 1e9;
	for (int w = 0; w < p; w++)
		if (sh->hwm_kb[w] > res->writer_hwm_kb)
			res->writer_hwm_kb = sh->hwm_kb[w];
	res->whole = merged_pct(sh, p, 0, o->tpn);
	res->transport = merged_pct(sh, p, 1, o->tpn);

check:
	verify(out, v, p, o->n, res);
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
	if (e2e_is_shmlog(v))
		shmlog_unlink(ring);
	unlink(out);
	munmap(sh, shbytes);
}

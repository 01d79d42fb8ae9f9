/* common.h - what the benchmarks share: the machine banner, clocks, statistics over repeated
 * runs, the self-checking "w=W seq=S" messages, and the plumbing between forked processes.
 *
 * The benchmarks are programs: on a setup failure these helpers print one line and exit(1).
 */
#ifndef SHMLOG_BENCH_COMMON_H
#define SHMLOG_BENCH_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_TAG "bench"

/* Prints the Markdown header every run starts with: what runs, the machine, the date. */
void bench_banner(const char *title);
/* KiB of free memory this VM's kernel has reported to its host so far
 * (/sys/module/page_reporting/parameters/reported_kib), or -1 where it does not say. */
long long bench_reported_kib(void);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t bench_now_ns(void);

/* Median, minimum and maximum of N values (sorts V). */
struct bench_stat {
	double med, min, max;
};
struct bench_stat bench_stat_of(double *v, size_t n);
/* "med (min–max)" with FMT for each number, e.g. "%.0f". */
const char *bench_stat_str(char *buf, size_t cap, struct bench_stat s, const char *fmt);

void bench_sort_u32(uint32_t *v, size_t n);
/* The P-th percentile (0..100) of N sorted values, nearest-rank. */
uint32_t bench_percentile_u32(const uint32_t *sorted, size_t n, double p);

/* A ring name no other run uses: "bench-WHAT-PID-COUNTER". */
const char *bench_ring_name(char *buf, size_t cap, const char *what);

/* Finds program PROG in $SHMLOG_BIN_DIR, else next to this executable (build/<dir>/bin).
 * Returns 0 with its path in OUT, or -1 with the reason in OUT. */
int bench_find_prog(const char *prog, char *out, size_t cap);

/* Zeroed memory shared with the children forked after this call. */
void *bench_shared(size_t bytes);

/* A start line for forked processes: children block in wait() until the parent calls go(). */
struct bench_gate {
	int fd[2];
};
void bench_gate_init(struct bench_gate *g);
void bench_gate_wait(struct bench_gate *g); /* in a child */
void bench_gate_go(struct bench_gate *g);   /* in the parent */

/* fork() that exits on failure. */
pid_t bench_fork(void);
/* Waits for PID; returns its exit status, or 128 + signal. */
int bench_reap(pid_t pid);

/* A fresh directory under $TMPDIR (or /tmp), and its removal with everything in it. */
void bench_tmpdir(char *out, size_t cap);
void bench_rmtree(const char *dir);

/* Finds "w=W seq=S" in MSG. Returns 0, or -1 if it is not there. */
int bench_parse_ws(const char *msg, size_t len, int *w, long *seq);

/* Checks that each writer's records arrive exactly once and in order: writer w's sequence
 * numbers must be 0, 1, 2, ... */
struct bench_seqcheck {
	int nwriters;
	long *next;    /* next expected seq, per writer */
	long bad;      /* out of order, duplicated or skipped */
	long foreign;  /* not a benchmark record (or an unknown writer) */
};
void bench_seqcheck_init(struct bench_seqcheck *c, int nwriters);
void bench_seqcheck_note(struct bench_seqcheck *c, int w, long seq);
/* 1 when every writer's records 0..per_writer-1 arrived exactly once, in order, and nothing
 * else did. */
int bench_seqcheck_exact(const struct bench_seqcheck *c, long per_writer);
void bench_seqcheck_free(struct bench_seqcheck *c);

/* The consumer of a run, in a forked child. bench_consumer_attach opens ring NAME as its consumer
 * (OPTS: NULL for the defaults; exits 1 if it cannot) and says so on READY_FD. bench_drain then
 * drains it as a collector does until *STOP is set and the ring is empty: it commits every
 * BENCH_COMMIT_EVERY records and whenever it catches up, and sleeps in next() while the ring is
 * empty unless SPIN (a diagnostic: writers never have to wake it). ON_RECORD(ARG, REC) sees every
 * record. Returns how many other events there were: lost, abandoned or dropped records, or the
 * error that ended the drain. */
#define BENCH_COMMIT_EVERY 64
struct shmlog_consumer;
struct shmlog_options;
struct shmlog_record;
struct shmlog_consumer *bench_consumer_attach(const char *name, const struct shmlog_options *opts,
					      int ready_fd);
long bench_drain(struct shmlog_consumer *c, const volatile int *stop, int spin,
		 void (*on_record)(void *arg, const struct shmlog_record *rec), void *arg);

/* pipe() that exits on failure. */
void bench_pipe(int fd[2]);
/* A child says it is ready with one byte on FD, which it then closes; it exits 1 if it cannot.
 * bench_wait_ready, in the parent, reads that byte from FD, or says "bench: WHO did not start"
 * and exits 1. */
void bench_say_ready(int fd);
void bench_wait_ready(int fd, const char *who);

/* Process figures (PID 0: this process). bench_proc_cpu: user + system seconds of every thread
 * of PID, living or exited, from its CPU-time clock (clock_getcpuclockid: the kernel's runtime
 * in ns, the sum that /proc/PID/stat reports as utime + stime in 10 ms clock ticks, which is too
 * coarse for runs of a tenth of a second); /proc/PID/stat when that clock is not available.
 * Returns -1 when PID is gone. bench_proc_hwm_kb: VmHWM from /proc/PID/status (peak resident
 * set, KiB); -1 when PID is gone or a zombie. */
double bench_proc_cpu(pid_t pid);
long bench_proc_hwm_kb(pid_t pid);
/* Waits for PID like bench_reap and returns its CPU seconds (user + system, all threads) in
 * *CPU, from wait4's rusage (ns-based, like bench_proc_cpu). */
int bench_reap_cpu(pid_t pid, double *cpu);

#endif

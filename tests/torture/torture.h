/* torture.h - what the parts of the torture driver share: the run's settings, the state of the
 * processes it runs (collector, writers, followers), the figures for the summary line, and the
 * failure list.
 *
 * The driver is one process that forks everything else. It owns:
 *   - one ring (/dev/shm/shmlog.<ring>), created by the first shmlogd and unlinked at exit;
 *   - a work directory: the output directory (on a small private tmpfs when we may mount one),
 *     an archive directory for finished rotated files, the followers' output, stderr of every
 *     child, and "writers.state", a shared mapping in which every writer thread publishes what
 *     it attempted, committed and had dropped (so a SIGKILLed writer still tells the verifier
 *     how far it got);
 *   - a seeded schedule of faults (faults.c), then the verification of every output file
 *     (verify.c) against what the writers published.
 *
 * Every failure found is added with fail() (one line each, the first TORTURE_MAX_FAILS printed);
 * the driver never exits early on a failure it can survive, so one run reports all it saw.
 */
#ifndef TORTURE_H
#define TORTURE_H

#include <stdint.h>
#include <sys/types.h>

#include "shmlog.h"

#define TORTURE_MAX_WRITERS 256 /* writer ids, replacements included */
#define TORTURE_MAX_THREADS 4   /* threads per writer process */
#define TORTURE_MAX_FOLLOWERS 64
#define TORTURE_MAX_FAILS 20    /* failure lines printed; the rest are counted */
#define TORTURE_MAX_RECOVERIES 1024

/* ------------------------------------------------------------------ settings */

struct config {
	unsigned seconds;      /* how long faults are injected */
	unsigned long seed;
	int writers;           /* writer processes alive at any time */
	unsigned rate;         /* records per second, all writers together (0: full speed) */
	uint64_t ring_size;
	const char *bin_dir;   /* shmlogd and shmlogcat */
	const char *workdir;
	const char *format;    /* text or json: shmlogd's output */
	const char *compress;  /* none, gzip or zstd: shmlogd's rotated files */
	uint64_t tmpfs_bytes;  /* size of the output tmpfs (disk-fill fault) */
	int no_disk_fill;      /* --no-disk-fill */
	int verbose;
};

/* ------------------------------------------------------------------ writers (writers.c) */

enum writer_state { W_UNUSED = 0, W_RUNNING, W_EXITED, W_KILLED, W_FAILED };

/* One writer thread's account, published in the shared mapping as it goes. Written only by
 * that thread, in this order per record: next (before the call), then committed or enobufs
 * (after it). A SIGKILL thus leaves at most the record numbered next-1 of unknown outcome. */
struct thread_account {
	int64_t next;      /* records attempted: 0..next-1 */
	int64_t committed; /* shmlog_write returned 0 */
	int64_t enobufs;   /* shmlog_write returned -ENOBUFS: dropped (ring full) or given up */
	int64_t errors;    /* any other return: a failure */
	int64_t bytes;     /* message bytes committed */
};

struct writer_account {
	int32_t pid;
	int32_t threads;
	int32_t on_full;   /* SHMLOG_ON_FULL_BLOCK or _DROP */
	int32_t stop;      /* the driver sets 1: finish the record in hand, flush, exit 0 */
	int32_t opened;    /* the handle is open (the writer is logging) */
	int32_t pad;
	struct thread_account t[TORTURE_MAX_THREADS];
};

struct writers_shared {
	struct writer_account w[TORTURE_MAX_WRITERS];
};

/* ------------------------------------------------------------------ the run */

struct follower {
	pid_t pid;
	int id;
	int json;
	int64_t stop_at_ms;
};

struct run {
	struct config cfg;
	char ring[SHMLOG_NAME_MAX + 1];
	char outdir[4096];      /* where shmlogd writes (the tmpfs when mounted) */
	char archive[4096];     /* finished rotated files moved off the tmpfs */
	char output[4096];      /* outdir/out.log */
	char shmlogd[4096], shmlogcat[4096];
	int json;               /* shmlogd writes JSON lines */
	int tmpfs_mounted;

	/* shmlogd */
	pid_t collector;
	int notify_fd;          /* -1: none */
	int awaiting_ready;     /* collector_wait_ready() is reading notify_fd */
	int collector_stopped;  /* SIGSTOPped (ring fill) */
	int size_rotation;      /* this shmlogd rotates by size; else we rotate logrotate-style */
	int rotate_pending;     /* renamed, SIGHUP sent, the new file not seen yet */

	/* writers */
	struct writers_shared *shared;
	int nwriters;           /* ids handed out */
	int wstate[TORTURE_MAX_WRITERS];
	int64_t wcont_at[TORTURE_MAX_WRITERS]; /* SIGCONT due (ms), 0: not stopped */

	/* followers */
	struct follower followers[TORTURE_MAX_FOLLOWERS];
	int nfollowers;

	/* figures */
	long kills_writer, kills_collector, stop_cont, ring_fills, hup_rotations, disk_fills;
	long followers_started, follower_lines, follower_lost;
	int64_t ready_ms[TORTURE_MAX_RECOVERIES], caught_up_ms[TORTURE_MAX_RECOVERIES];
	int nrecoveries;
	int collector_killed_ever;
	unsigned rnd;           /* the schedule's random state */
};

/* ------------------------------------------------------------------ helpers (torture.c) */

extern struct run *R;

void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long fail_count(void);
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* with --verbose */
int64_t now_ms(void);
void sleep_ms(int64_t ms);
unsigned rnd_below(unsigned n); /* seeded: [0, n) */
int64_t rnd_between(int64_t lo, int64_t hi);

/* ------------------------------------------------------------------ parts */

/* writers.c */
int writers_init(void);
int writer_start(void);              /* a new writer id, or -1 */
void writer_kill(int id);
void writers_reap(void);             /* notices writers that exited on their own */
void writers_stop_all(void);         /* clean stop of the survivors; waits */
int writer_alive(int id);

/* collector.c */
int collector_start(void);           /* forks shmlogd; 0 or -1 */
int collector_wait_ready(int timeout_ms);
int collector_check(void);           /* 0 while it runs; fails and -1 if it exited */
void collector_drain_notify(void);   /* reads what it said on $NOTIFY_SOCKET */
void collector_kill_and_restart(void);
void collector_pause(int64_t ms);    /* SIGSTOP ... SIGCONT, pumping meanwhile */
void collector_hup_rotate(void);
int collector_wait_caught_up(int64_t timeout_ms, int64_t *took_ms);
int collector_stop(void);            /* SIGTERM; its exit status */
void collector_kill_quietly(void);

/* followers.c */
void follower_start(void);
void followers_pump(void);           /* stops the ones whose time is up, checks their output */
void followers_stop_all(void);

/* faults.c */
int disk_setup(void);                /* mounts the tmpfs if we can; 0 or -1 */
void disk_teardown(void);
void faults_run(void);               /* the schedule, for cfg.seconds */
void pump(void);                     /* due SIGCONTs, followers, reaping, archiving */
void archive_finished_files(int force);

/* verify.c */
struct totals {
	long long records_written, verified, dropped_reported, abandoned_reported, duplicates,
		unaccounted, files, rotations, bytes, enobufs;
};
void verify_all(struct totals *t);

#endif

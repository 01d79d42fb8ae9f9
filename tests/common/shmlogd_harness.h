/* shmlogd_harness.h - what the shmlogd tests share: unique ring names, writer processes with
 * self-checking records ("w<writer> n<index>"), starting the built shmlogd (through
 * $SHMLOG_TEST_WRAPPER, test_wrapper.h) and waiting for its READY=1 on $NOTIFY_SOCKET, stopping
 * it, and reading its output back (JSON validated) to check that every record is there exactly
 * once, in order per writer.
 *
 * Compiled once (shmlogd_harness.c) into the tests' helper library, shmlog_testlib, which every
 * test links (tests/CMakeLists.txt). Failures print one line with the file, line and what was wrong, then exit 1; exit 77 skips.
 */
#ifndef SHMLOGD_HARNESS_H
#define SHMLOGD_HARNESS_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "json_check.h"
#include "text_line.h"
#include "shmlog.h"
#include "test_wrapper.h"

#define FAIL(...)                                                            \
	do {                                                                 \
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);         \
		fprintf(stderr, __VA_ARGS__);                                \
		fputc('\n', stderr);                                         \
		h_cleanup();                                                 \
		exit(1);                                                     \
	} while (0)
#define CHECK(cond, ...)                    \
	do {                                \
		if (!(cond))                \
			FAIL(__VA_ARGS__);  \
	} while (0)

#define H_MAX_RINGS 8
#define H_MAX_DAEMONS 8

struct daemon {
	pid_t pid;
	int notify_fd;
};

extern char h_rings[H_MAX_RINGS][SHMLOG_NAME_MAX + 1];
extern int h_nrings;
extern pid_t h_daemons[H_MAX_DAEMONS]; /* shmlogd processes running, 0: free */

/* Kills what a failing test leaves behind, so ctest never waits on an orphan. (Children also
 * get SIGKILL if the test process dies some other way: PR_SET_PDEATHSIG.) */
void h_cleanup(void);

int64_t h_now_ns(void);
int64_t h_now_ms(void);

void h_sleep_ms(int64_t ms);

void h_skip(const char *why);

/* Mounts a fresh tmpfs of SIZE (e.g. "1m") at DIR, made if missing, for a full-disk test; skips
 * the test, saying why, where that is not allowed (it needs root). h_unmount() after. */
void h_mount_tmpfs(const char *dir, const char *size);

void h_unmount(const char *dir);

/* The shmlogd under test, from $SHMLOG_TEST_BIN_DIR, or a skip when it is missing. */
const char *h_shmlogd(void);

/* The built program NAME (shmlogger, shmlogcat) in $SHMLOG_TEST_BIN_DIR, or a skip when it is
 * missing. The path lives until the next call for the same slot (SLOT < 4). */
const char *h_program(int slot, const char *name);

/* A ring name unique to this test process, removed (also when failing) by h_cleanup. */
const char *h_ring(const char *tag);

/* A path in the test's scratch directory (the working directory), removed first. */
const char *h_path(char *buf, size_t cap, const char *name);

/* ------------------------------------------------------------------ shmlogd */

/* Starts shmlogd with ARGS (NULL-terminated, without argv[0]); its stderr goes to ERR_PATH
 * (appended) unless NULL. Readiness comes as READY=1 on a socket named in $NOTIFY_SOCKET. */
void h_start(struct daemon *d, const char *const *args, const char *err_path);

void h_forget(struct daemon *d);

/* Waits for exit; returns the exit status (128 + signal if killed). */
int h_reap(struct daemon *d, int timeout_ms);

/* Waits up to timeout_ms for MSG ("READY=1", "STOPPING=1") from shmlogd. Returns 0, or -1 if it
 * exited first or the time ran out. */
int h_wait_notify(struct daemon *d, const char *msg, int timeout_ms);

void h_start_ready(struct daemon *d, const char *const *args, const char *err_path);

/* CPU time of every thread of PID in ns, from schedstat (exact), or from stat's clock ticks. */
long long h_cpu_ns(pid_t pid, int *exact);

/* SIGTERM, then the exit status. */
int h_stop(struct daemon *d);

void h_kill(struct daemon *d);

/* ------------------------------------------------------------------ writers */

struct writer_spec {
	const char *ring;
	int id;
	long n;
	int pace_every; /* after this many records sleep pace_us (0: full speed) */
	int pace_us;
	int spin_us;    /* after every record, busy-wait this long: a ring left empty for a
			 * moment, as by a slow writer, with no sleep (whose least is ~50 us) */
	int level;      /* 0: info, with a critical record every 1000 */
};

/* A child process logging "w<id> n<i>" for i in [0, n), then waiting until the collector has
 * written everything. Exits 0, or 2 if the ring could not be opened, 3 if the flush timed out. */
pid_t h_writer(const struct writer_spec *w);

void h_writers_start(pid_t *pids, int nw, struct writer_spec spec);

/* Returns 1 when every writer has exited (each with status 0, or the test fails). */
int h_writers_done(pid_t *pids, int nw, int block);

struct line_info {
	char message[256];
	char tag[64];
	long long seq; /* event.sequence, -1 if absent (text) */
	int synthetic;
	long long count; /* shmlog.count of a loss report */
};

/* Validates one JSON Lines object (the whole line) and extracts what the checks need. */
int h_parse_json(const char *s, size_t len, struct line_info *li);

/* "2026-11-21T10:15:03.123456Z INFO  tag[pid/tid] message" */
int h_parse_text(const char *s, size_t len, struct line_info *li);

/* ------------------------------------------------------------------ checking the output */

struct checker {
	int json;
	int nw;
	long n;           /* records per writer */
	long next[64];    /* next index expected per writer; -1: any (the first kept file) */
	long long last_seq;
	long lines, records, synthetic;
	int contiguous;   /* event.sequence must grow by exactly 1 (no writer was lost) */
};

void h_checker_init(struct checker *k, int json, int nw, long n, int from_anywhere);

void h_check_line(struct checker *k, const char *line, size_t len, const char *where);

/* Checks every line of F; a last line without '\n' fails. */
void h_check_stream(struct checker *k, FILE *f, const char *where);

void h_check_file(struct checker *k, const char *path);

/* Every writer's records all arrived. */
void h_check_complete(const struct checker *k);

/* The number of lines in a file holding LINE (0 if absent). */
int h_count_in_file(const char *path, const char *needle);

/* Starts shmlogd on RING into OUT with --fsync interval:100 and two test hooks armed (builds
 * with SHMLOG_TEST_HOOKS): its first fdatasync takes DELAY_MS, and each fdatasync is noted on its
 * stderr, ERR, with the thread that ran it. */
void h_start_slow_sync(struct daemon *d, const char *ring, const char *out, const char *err,
		       int delay_ms);

/* Waits until PATH has at least N lines holding NEEDLE; returns the ms it waited, or -1 once
 * TIMEOUT_MS have passed. */
int64_t h_wait_lines(const char *path, const char *needle, int n, int64_t timeout_ms);

void h_print_file(const char *path);

/* ------------------------------------------------------------------ rotated files */

#define H_MAX_FILES 256

/* Names (malloc'ed, sorted: oldest first) of the rotated files of DIR/BASE: BASE.<stamp>[.gz|.zst],
 * and with tmp also the compressor's temporaries. Returns the count. */
int h_rotated(const char *dir, const char *base, char **names, int tmp);

/* Rotated files (compressed or not) counted once each, without temporaries. */
int h_generations(const char *dir, const char *base);

/* Checks the rotated files of DIR/BASE, oldest first (decompressed with the system's gzip and
 * zstd), then DIR/BASE itself. Returns how many rotated files there were. */
int h_check_rotated(struct checker *k, const char *dir, const char *base);

#endif

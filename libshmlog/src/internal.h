/* internal.h - small private services shared by the library's roles: errors, clocks, futexes,
 * and what the kernel says about other processes. */
#ifndef SHMLOG_INTERNAL_H
#define SHMLOG_INTERNAL_H

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <linux/futex.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "atomics.h"

/* errmsg.c: records a one-line explanation for shmlog_errmsg() and returns -err. */
int set_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* S made safe to quote in such a line (control and non-ASCII bytes become '?', long strings are
 * cut), in OUT of CAP bytes; returns OUT, or "(null)". */
const char *err_printable(const char *s, char *out, size_t cap);

/* ring.c: bumped in the child after fork() in every process that attached a ring; handles
 * compare it with the value they were made under to notice they now live in a child. */
extern sw32 ring_fork_gen;

/* proc.c */
/* The start time of PID in clock ticks since boot, 0 if it is a zombie or exited while we read,
 * PROC_START_UNKNOWN if /proc does not tell us (no entry: gone, or hidden by hidepid). Callers
 * decide "gone" with kill(pid, 0) first. */
#define PROC_START_UNKNOWN UINT64_MAX
uint64_t proc_start_time(pid_t pid);
/* 1 if PID is still the process that started at START, 0 if it is gone (or a zombie). When
 * /proc cannot be read it trusts kill(pid, 0): a live writer must never be judged dead. */
int proc_alive(pid_t pid, uint64_t start);
/* This process's name (comm), NUL-terminated in 16 bytes. */
void proc_comm(char out[16]);

/* format.c: writes the decimal digits of V ending at END; returns where they start. */
char *write_digits(char *end, uint64_t v);

/* printf.c: vsnprintf(BUF, CAP, FMT, AP)'s result for the conversions log messages use, faster;
 * -1 (AP untouched, BUF's bytes unspecified) for a format it leaves to vsnprintf. */
int msg_vformat(char *buf, size_t cap, const char *fmt, va_list ap);

static inline int64_t clock_ns(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
static inline int64_t mono_ms(void)
{
	return clock_ns(CLOCK_MONOTONIC) / 1000000;
}

/* Milliseconds left of a wait of TIMEOUT_MS (negative: forever, and then -1 is returned; 0: the
 * time is up) that began at the first call: *DEADLINE starts at -1, so the clock is read only
 * once there is something to wait for, not on every call of a reader's next(). */
static inline int64_t wait_left_ms(int64_t *deadline, int timeout_ms)
{
	if (timeout_ms < 0)
		return -1;
	int64_t now = mono_ms();
	if (*deadline < 0)
		*deadline = now + timeout_ms;
	return *deadline > now ? *deadline - now : 0;
}

/* Futexes on shared memory: never FUTEX_PRIVATE_FLAG, the waiters are in other processes.
 * timeout_ms < 0 waits without limit. Returns 0 when woken or the word had changed, -ETIMEDOUT
 * or -EINTR otherwise. */
static inline int futex_wait(sw32 *addr, unsigned expected, int timeout_ms)
{
	struct timespec ts, *tp = NULL;
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
		tp = &ts;
	}
	if (syscall(SYS_futex, addr, FUTEX_WAIT, expected, tp, NULL, 0) == 0)
		return 0;
	return errno == EAGAIN ? 0 : -errno;
}
static inline void futex_wake_all(sw32 *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

#endif

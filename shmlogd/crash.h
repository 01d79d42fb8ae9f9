/* crash.h - named crash points for shmlogd's crash tests, compiled in only with
 * SHMLOG_TEST_HOOKS (test builds; never in a build you ship).
 *
 * A test sets SHMLOG_CRASH_AT=NAME:N in shmlogd's environment (libshmlog's mechanism and
 * variable, testhook.h, which also arms the library's own points); the Nth time the point NAME is
 * reached, shmlogd kills itself with SIGKILL right there, so every step of the write protocol
 * (recover.c) and of compression (compress.c) can be interrupted on purpose, not by luck.
 * SHMLOGD_DELAY=NAME:MS makes the first pass through crash_delay(NAME) take MS milliseconds;
 * SHMLOGD_TRACE=1 makes crash_note() say on stderr what it is passed.
 */
#ifndef SHMLOGD_CRASH_H
#define SHMLOGD_CRASH_H

#include <sys/uio.h>

#ifdef SHMLOG_TEST_HOOKS
/* Dies at the Nth call naming the armed point. */
void crash_point(const char *name);
/* Armed as "mid_write:N": appends the first half of the N-th batch, then dies. */
void crash_mid_write(int fd, const struct iovec *iov, int n, size_t len);
/* Sleeps MS milliseconds the first time NAME is reached when $SHMLOGD_DELAY is "NAME:MS",
 * saying so on stderr with the thread it runs in. */
void crash_delay(const char *name);
/* Says WHAT on stderr, with the thread, when $SHMLOGD_TRACE is set: for tests that check what
 * happened where and when. */
void crash_note(const char *what);
#else
#define crash_point(name) ((void)0)
#define crash_mid_write(fd, iov, n, len) ((void)0)
#define crash_delay(name) ((void)0)
#define crash_note(what) ((void)0)
#endif

#endif

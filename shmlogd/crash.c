/* crash.c - the crash points of crash.h (empty unless built with SHMLOG_TEST_HOOKS). Whether a
 * point is due is libshmlog's to say: one variable, SHMLOG_CRASH_AT, one parser (testhook.c). */
#include "crash.h"

#ifdef SHMLOG_TEST_HOOKS
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* libshmlog/src/testhook.h's, in libshmlog.a of a test build (shmlogd sees only shmlog.h):
 * true the Nth time NAME is asked about when SHMLOG_CRASH_AT is "NAME[:N]". */
int testhook_due(const char *name);

void crash_point(const char *name)
{
	if (testhook_due(name))
		raise(SIGKILL);
}

void crash_mid_write(int fd, const struct iovec *iov, int n, size_t len)
{
	size_t left = len / 2;

	if (!testhook_due("mid_write"))
		return;
	for (int i = 0; i < n && left; i++) {
		size_t k = iov[i].iov_len < left ? iov[i].iov_len : left;
		if (write(fd, iov[i].iov_base, k) != (ssize_t)k)
			break;
		left -= k;
	}
	raise(SIGKILL);
}

static const char *thread_name(void)
{
	return gettid() == getpid() ? "drain" : "sync";
}

void crash_delay(const char *name)
{
	static int done; /* once: one slow step, reached from any thread */
	const char *arm = getenv("SHMLOGD_DELAY");
	size_t n = strlen(name);

	if (!arm || strncmp(arm, name, n) || arm[n] != ':' ||
	    __atomic_exchange_n(&done, 1, __ATOMIC_SEQ_CST))
		return;
	long ms = atol(arm + n + 1);
	if (ms <= 0)
		return;
	/* The test checks where the slow step runs: in the drain loop's thread or another. */
	fprintf(stderr, "shmlogd: test hook: %s takes %ld ms in the %s thread\n", name, ms,
		thread_name());
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void crash_note(const char *what)
{
	if (getenv("SHMLOGD_TRACE"))
		fprintf(stderr, "shmlogd: test hook: %s in the %s thread\n", what, thread_name());
}
#endif

/* testhook.h - named crash points for the crash-injection tests (built with SHMLOG_TEST_HOOKS).
 *
 * Private header. The one crash-injection mechanism of the project: a test arms a point with
 * SHMLOG_CRASH_AT=NAME[:N] in the environment (read once, before main, by the one parser in
 * testhook.c) or testhook_arm() (before the process starts threads); the Nth time the point is
 * reached the process kills itself with SIGKILL, exactly there. The library's points are the
 * upper-case ones below; shmlogd's (shmlogd/crash.h, lower-case names) ask testhook_due().
 * Without SHMLOG_TEST_HOOKS the hooks compile to nothing.
 */
#ifndef SHMLOG_TESTHOOK_H
#define SHMLOG_TESTHOOK_H

enum testhook_point {
	TH_NONE = 0,
	TH_WRITER_AFTER_RESERVE, /* head moved, record not claimed */
	TH_WRITER_AFTER_CLAIM,   /* claimed, payload not committed */
	TH_CONSUMER_MID_COMMIT,  /* checkpoint written, tail not yet moved */
	TH_CONSUMER_MID_SKIP,    /* some words of an unclaimed reservation marked SKIPPED */
	TH_COUNT
};

#ifdef SHMLOG_TEST_HOOKS
extern volatile int testhook_armed;
void testhook_hit(enum testhook_point p);
void testhook_arm(enum testhook_point p, int nth);
/* True the Nth time it is asked about NAME when SHMLOG_CRASH_AT is "NAME[:N]". For points
 * outside the library (shmlogd's): each point runs in one thread only, and only the armed one
 * counts. */
int testhook_due(const char *name);
#define TESTHOOK(name)                                   \
	do {                                             \
		if (__builtin_expect(testhook_armed, 0)) \
			testhook_hit(TH_##name);         \
	} while (0)
#else
#define TESTHOOK(name) ((void)0)
#endif

#endif

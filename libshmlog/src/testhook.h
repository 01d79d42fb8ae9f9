/* testhook.h - named crash points for the crash-injection tests (built with SHMLOG_TEST_HOOKS).
 *
 * Private header. A test arms a point with SHMLOG_CRASH_AT=NAME[:N] in the environment (read
 * once, before main) or testhook_arm() (before the process starts threads); the Nth time the point is reached the
 * process kills itself with SIGKILL, exactly there. Without SHMLOG_TEST_HOOKS the hooks compile
 * to nothing.
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
#define TESTHOOK(name)                                   \
	do {                                             \
		if (__builtin_expect(testhook_armed, 0)) \
			testhook_hit(TH_##name);         \
	} while (0)
#else
#define TESTHOOK(name) ((void)0)
#endif

#endif

/* testhook.c - arming and firing the crash points of testhook.h (test builds only). */
#ifdef SHMLOG_TEST_HOOKS
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "testhook.h"

static const char *const names[TH_COUNT] = {
	[TH_WRITER_AFTER_RESERVE] = "WRITER_AFTER_RESERVE",
	[TH_WRITER_AFTER_CLAIM] = "WRITER_AFTER_CLAIM",
	[TH_CONSUMER_MID_COMMIT] = "CONSUMER_MID_COMMIT",
	[TH_CONSUMER_MID_SKIP] = "CONSUMER_MID_SKIP",
};

volatile int testhook_armed;
static enum testhook_point armed_point;
static int armed_left;

void testhook_arm(enum testhook_point p, int nth)
{
	armed_point = p;
	armed_left = nth > 0 ? nth : 1;
	testhook_armed = p != TH_NONE;
}

/* Read before main(), so no thread can race with it. */
__attribute__((constructor)) static void read_env(void)
{
	const char *v = getenv("SHMLOG_CRASH_AT");
	if (!v)
		return;
	for (int i = 1; i < TH_COUNT; i++) {
		size_t n = strlen(names[i]);
		if (strncmp(v, names[i], n) == 0 && (v[n] == '\0' || v[n] == ':'))
			testhook_arm((enum testhook_point)i, v[n] == ':' ? atoi(v + n + 1) : 1);
	}
}

void testhook_hit(enum testhook_point p)
{
	if (p == armed_point && armed_left > 0 && --armed_left == 0)
		raise(SIGKILL);
}
#else
typedef int testhook_unused_t; /* ISO C forbids an empty translation unit */
#endif

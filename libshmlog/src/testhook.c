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
static char armed_name[64]; /* SHMLOG_CRASH_AT's NAME, for testhook_due() */
static int armed_nth, name_hits;

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
	size_t n = strcspn(v, ":");
	if (n == 0 || n >= sizeof(armed_name))
		return;
	memcpy(armed_name, v, n);
	armed_nth = v[n] == ':' ? atoi(v + n + 1) : 1;
	for (int i = 1; i < TH_COUNT; i++)
		if (strcmp(armed_name, names[i]) == 0)
			testhook_arm((enum testhook_point)i, armed_nth);
}

int testhook_due(const char *name)
{
	return armed_name[0] && strcmp(name, armed_name) == 0 && ++name_hits == armed_nth;
}

void testhook_hit(enum testhook_point p)
{
	if (p == armed_point && armed_left > 0 && --armed_left == 0)
		raise(SIGKILL);
}
#else
typedef int testhook_unused_t; /* ISO C forbids an empty translation unit */
#endif

/* test_wrapper.h - starting the programs under test (shmlogd, shmlogcat) through the command
 * prefix in $SHMLOG_TEST_WRAPPER, split on spaces: scripts/test.sh's valgrind phase sets it to
 * "valgrind --error-exitcode=99 ...", so every start of those programs in the tests runs under
 * memcheck. Unset or empty, the programs run directly, as always.
 *
 * $SHMLOG_TEST_SLOW=N (1 to 100; default 1) says the programs run N times slower than usual
 * (valgrind: 20-50 times): the helpers then wait N times longer for them, and a test whose
 * checks depend on the programs' speed (how many batches a collector makes of paced writers)
 * scales its pace by test_slow_factor().
 *
 * Included by shmlogd_harness.h and tests/multi/test_shmlogcat_helpers.h; header-only.
 */
#ifndef TEST_WRAPPER_H
#define TEST_WRAPPER_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEST_WRAPPER_ENV "SHMLOG_TEST_WRAPPER"
#define TEST_SLOW_ENV "SHMLOG_TEST_SLOW"

/* N from $SHMLOG_TEST_SLOW, or 1 when it is unset or not a number from 1 to 100. */
static inline int test_slow_factor(void)
{
	const char *s = getenv(TEST_SLOW_ENV);
	int n = s ? atoi(s) : 1;

	return n >= 1 && n <= 100 ? n : 1;
}

/* Execs PATH with ARGV (ARGV[0] is the program's name, as for execv), through the wrapper if
 * there is one: then the wrapper's words, PATH, ARGV[1...]. Returns only when the exec failed
 * (a wrapper too long to copy fails too, E2BIG: never a silent run without it). Safe in the
 * child of fork() in a threaded process: no allocation. */
static inline void test_exec(const char *path, char *const *argv)
{
	static char words[1024];
	char *wargv[128], *save = NULL;
	const char *w = getenv(TEST_WRAPPER_ENV);
	int n = 0;

	if (w && *w) {
		if (strlen(w) >= sizeof(words)) {
			errno = E2BIG;
			return;
		}
		strcpy(words, w);
		for (char *t = strtok_r(words, " ", &save); t && n < 64; t = strtok_r(NULL, " ", &save))
			wargv[n++] = t;
	}
	if (n == 0) {
		execv(path, argv);
		return;
	}
	wargv[n++] = (char *)path;
	for (int i = 1; argv[i] && n < 127; i++)
		wargv[n++] = argv[i];
	wargv[n] = NULL;
	execvp(wargv[0], wargv);
}

/* The wrapper followed by a space, or "", to put before a program's path in a shell command. */
static inline const char *test_wrapper_prefix(void)
{
	static char prefix[1100];
	const char *w = getenv(TEST_WRAPPER_ENV);

	if (!prefix[0] && w && *w)
		snprintf(prefix, sizeof(prefix), "%s ", w);
	return prefix;
}

#endif

/* test_shmlogcat_and_shmlogger_exit_75_on_a_ring_never_initialised.c - issue 17: an empty ring
 * object whose creator never initialised it made shmlogcat exit 75 and shmlogger 69. Both now
 * exit EX_TEMPFAIL (75: the creator may still be at work; cli/exitcode.c says why), with one
 * line naming the ring and the file to remove. */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>

#include "runas.h"
#include "shmlogd_harness.h"

static void expect_75(const char *const *argv, const char *ring)
{
	char err[2048], file[128];
	int rc = tu_run_as(NULL, (gid_t)-1, argv, err, sizeof(err));

	snprintf(file, sizeof(file), "/dev/shm/shmlog.%s", ring);
	CHECK(rc == EX_TEMPFAIL, "%s: exit %d, not EX_TEMPFAIL (75): %s", argv[0], rc, err);
	CHECK(strchr(err, '\n') == err + strlen(err) - 1 && strstr(err, "never initialised") &&
		      strstr(err, file),
	      "%s: not one line naming %s: %s", argv[0], file, err);
	printf("exit 75: %s", err);
}

int main(void)
{
	const char *ring = h_ring("empty");
	char path[128];

	snprintf(path, sizeof(path), "/dev/shm/shmlog.%s", ring);
	FILE *f = fopen(path, "w");
	CHECK(f && fclose(f) == 0, "cannot plant %s", path);
	const char *cat[] = {h_program(0, "shmlogcat"), ring, NULL};
	const char *logger[] = {h_program(1, "shmlogger"), "-n", "-r", ring, "hello", NULL};
	expect_75(cat, ring);
	expect_75(logger, ring);
	h_cleanup();
	return 0;
}

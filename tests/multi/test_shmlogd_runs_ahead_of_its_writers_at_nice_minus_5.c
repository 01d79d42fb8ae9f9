/* test_shmlogd_runs_ahead_of_its_writers_at_nice_minus_5.c - writers that find the ring full wait
 * for shmlogd, so shmlogd raises its priority to nice -5 where it may (root here); --nice N sets
 * another; started at another nice than 0 it keeps it, since whoever started it chose. The
 * compression thread still runs at nice 10 (compress.c). Needs root (skips otherwise). */
#include <sys/resource.h>

#include "shmlogd_harness.h"

/* Field 19 of /proc/PID/stat: the nice value. */
static int nice_of(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	CHECK(f && fgets(buf, sizeof(buf), f), "cannot read %s", path);
	fclose(f);
	const char *p = strrchr(buf, ')');
	long v[17];
	CHECK(p && sscanf(p + 2, "%*c %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld %ld "
				 "%ld %ld",
			  &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9],
			  &v[10], &v[11], &v[12], &v[13], &v[14], &v[15], &v[16]) == 17,
	      "cannot parse %s", path);
	return (int)v[15]; /* fields 4..20 are v[0..16]: nice is field 19 */
}

static int nice_with(const char *ring, const char *nice_arg, int start_nice)
{
	struct daemon d;
	const char *args[] = {"--ring", ring, "--output", "nice.log", nice_arg ? "--nice" : NULL,
			      nice_arg, NULL};

	CHECK(setpriority(PRIO_PROCESS, 0, start_nice) == 0, "setpriority: %s", strerror(errno));
	h_start_ready(&d, args, "nice.stderr");
	CHECK(setpriority(PRIO_PROCESS, 0, 0) == 0, "setpriority: %s", strerror(errno));
	int n = nice_of(d.pid);
	CHECK(h_stop(&d) == 0, "shmlogd did not exit 0 after SIGTERM");
	return n;
}

int main(void)
{
	if (geteuid() != 0)
		h_skip("raising a priority needs root (or CAP_SYS_NICE)");
	const char *ring = h_ring("nice");
	int n;

	CHECK((n = nice_with(ring, NULL, 0)) == -5, "started at nice 0: runs at %d, not -5", n);
	CHECK((n = nice_with(ring, "3", 0)) == 3, "--nice 3: runs at %d", n);
	CHECK((n = nice_with(ring, NULL, 2)) == 2, "started at nice 2: runs at %d, not 2", n);
	CHECK((n = nice_with(ring, "-7", 2)) == -7, "--nice -7 started at nice 2: runs at %d", n);
	printf("nice -5 by default, --nice N when given, the starter's nice kept otherwise\n");
	h_cleanup();
	return 0;
}

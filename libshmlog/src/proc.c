/* proc.c - what /proc says about a process: its start time (so a reused pid can't pass for a
 * dead writer) and its name. Only used off the hot path: at open, and by the consumer deciding
 * whether a stuck record's owner is dead. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "internal.h"

uint64_t proc_start_time(pid_t pid)
{
	int err;

	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	/* With hidepid=invisible, a live process of another user has no /proc entry: an entry we
	 * cannot read tells nothing, only a zombie's state (below) or kill()'s ESRCH does. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return PROC_START_UNKNOWN;
	n = read(fd, buf, sizeof(buf) - 1);
	err = errno;
	close(fd);
	if (n <= 0)
		return n < 0 && err == ESRCH ? 0 : PROC_START_UNKNOWN;
	buf[n] = '\0';
	/* The name in parentheses may hold spaces and ')': fields resume after the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return 0;
	p += 2;
	if (*p == 'Z' || *p == 'X')
		return 0;
	/* p is at field 3 (state); start time is field 22. */
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return 0;
		p++;
	}
	return strtoull(p, NULL, 10);
}

int proc_alive(pid_t pid, uint64_t start)
{
	if (pid <= 0)
		return 0;
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return 0;
	uint64_t now = proc_start_time(pid);
	/* /proc hidden from us (hidepid): kill() says it exists, and that is all we can know. */
	return now == start || now == PROC_START_UNKNOWN;
}

void proc_comm(char out[16])
{
	memset(out, 0, 16);
	if (prctl(PR_GET_NAME, out, 0, 0, 0) < 0)
		strcpy(out, "?");
	out[15] = '\0';
}

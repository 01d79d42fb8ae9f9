/* list.c - --list: the rings on this machine (shmlog_list()), each with its size, fill, live
 * writers and collector, or why it cannot be read. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "print.h"
#include "shmlogcat.h"

#define NAME_WIDTH 24

/* Why a ring could not be opened, in a few words for a table cell; the full messages are
 * what `shmlogcat NAME` prints. */
static const char *short_reason(int err)
{
	switch (err) {
	case ENOENT:
		return "vanished";
	case EPROTO:
		return "not a shmlog ring, or damaged";
	case EPROTONOSUPPORT:
		return "made by another shmlog layout version";
	case EACCES:
	case EPERM:
		return "permission denied";
	case EINVAL:
		return "invalid ring name";
	case EAGAIN:
	case ETIMEDOUT:
		return "not initialised (being created, or its creator died)";
	default:
		return strerror(err);
	}
}

static void print_name(const char *name)
{
	size_t len = strlen(name);

	print_safe(stdout, name, len);
	/* A name that does not fit its column gets one of its own. */
	if (len < NAME_WIDTH)
		printf("%*s", (int)(NAME_WIDTH - len), "");
	else
		printf("\n%*s", NAME_WIDTH, "");
}

static void print_ring(const char *name)
{
	/* NOWAIT: a ring whose creator has not initialised it is shown as such at once; waiting for
	 * each one in turn would stall the whole listing. */
	struct shmlog_observer *obs =
		shmlog_observer_open(name, SHMLOG_OBSERVE_NEWEST | SHMLOG_OBSERVE_NOWAIT);
	struct shmlog_stats st;
	char size[SIZE_TEXT_MAX];

	print_name(name);
	if (!obs) {
		printf(" %s\n", short_reason(errno));
		return;
	}
	int err = shmlog_observer_stats(obs, &st, NULL, 0);
	shmlog_observer_close(obs);
	if (err < 0) {
		printf(" %s\n", short_reason(-err));
		return;
	}
	if (st.health == SHMLOG_HEALTH_POSITIONS_DAMAGED)
		printf(" %6s %6s %7u  ", size_text(st.size, size), "DAMAGED", st.producers_live);
	else if (st.health == SHMLOG_HEALTH_CHECKPOINT_DAMAGED)
		printf(" %6s %6s %7u  ", size_text(st.size, size), "?", st.producers_live);
	else
		printf(" %6s %5.1f%% %7u  ", size_text(st.size, size),
		       st.size ? 100.0 * (double)st.used / (double)st.size : 0.0, st.producers_live);
	if (st.consumer_pid)
		printf("pid %d%s\n", (int)st.consumer_pid, st.consumer_alive ? "" : " (dead)");
	else
		printf("none\n");
}

int run_list(const struct options *o)
{
	char **names;
	int n = shmlog_list(&names), status = 0;

	(void)o;
	if (n < 0) {
		fprintf(stderr, PROGRAM_NAME ": %s\n", shmlog_errmsg());
		status = n == -ENOMEM ? EX_OSERR : EX_OSFILE;
		n = 0;
	} else {
		printf("%-*s %6s %6s %7s  %s\n", NAME_WIDTH, "NAME", "SIZE", "USED", "WRITERS",
		       "COLLECTOR");
	}
	for (int i = 0; i < n; i++)
		print_ring(names[i]);
	shmlog_list_free(names, n);
	if (fflush(stdout) != 0 && errno != EPIPE) {
		fprintf(stderr, PROGRAM_NAME ": cannot write output: %s\n", strerror(errno));
		return EX_IOERR;
	}
	return status;
}

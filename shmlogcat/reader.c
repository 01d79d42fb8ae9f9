/* reader.c - dump and follow: reads a ring through a read-only observer, filters and prints its
 * records, and reports lost and abandoned records on stderr.
 *
 * The history is what the ring held when we attached: the records before the head sequence
 * number seen then. A dump prints it and exits, even while writers keep adding records; -f goes
 * on from there. The history goes through print_hold, which keeps it back for -n and -r (print.c)
 * until it ends. */
#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sysexits.h>
#include <unistd.h>

#include "print.h"
#include "program.h"
#include "shmlogcat.h"

/* A follower the writers lapped cannot keep up with them: it pauses before catching up again,
 * rather than compete for the CPU and the cache lines they are using, 20 ms the first time and
 * twice as long each time it is lapped again, up to 320 ms, until it catches up or has shown
 * LAPPED_RECOVERED records without another loss (writers that fill a lap within a pause would
 * otherwise keep it at the longest pause, lapped anew at every one). What it lost is still
 * counted exactly. */
#define LAPPED_PAUSE_MIN_MS 20
#define LAPPED_PAUSE_MAX_MS 320
#define LAPPED_RECOVERED 256

struct reader {
	const struct options *opts;
	struct shmlog_observer *obs;
	struct printer out;
	int in_history;
	uint64_t end_seq; /* the history is the records before this one */
};

/* Ends the program as soon as the reader of stdout goes away (`shmlogcat -f app | head -1`)
 * rather than when the next record comes to be written, which on a quiet ring may be never.
 * Polling for no event still reports POLLERR and POLLHUP; on files, which have neither, it just
 * sleeps. */
static void *watch_stdout(void *unused)
{
	struct pollfd p = {.fd = STDOUT_FILENO, .events = 0};

	(void)unused;
	while (poll(&p, 1, -1) < 0 && errno == EINTR)
		;
	if (p.revents & (POLLERR | POLLHUP))
		_exit(0);
	return NULL;
}

void start_watching_stdout(void)
{
	pthread_t thread;

	/* Without the watcher we still stop at the next write (EPIPE): nothing to report. */
	if (pthread_create(&thread, NULL, watch_stdout, NULL) == 0)
		pthread_detach(thread);
}

/* Tells stderr that records were lost (we were lapped) or skipped (their writers died, or their
 * bytes were damaged), after writing out what came before so the note lands in the right place. */
int report_gap(struct printer *out, const char *ring, int event, uint64_t count)
{
	if (print_flush(out) < 0)
		return -1;
	fputs("-- ", stderr);
	if (ring)
		fprintf(stderr, "%s: ", ring);
	if (event == SHMLOG_NEXT_LOST)
		fprintf(stderr, "lost %llu records --\n", (unsigned long long)count);
	else if (event == SHMLOG_NEXT_DAMAGED)
		fprintf(stderr, "skipped %llu damaged records --\n", (unsigned long long)count);
	else
		fprintf(stderr, "skipped %llu records of dead writers --\n",
			(unsigned long long)count);
	return 0;
}

static int note_gap(struct reader *r, int event, uint64_t count)
{
	return report_gap(&r->out, NULL, event, count);
}

/* The history ends at the first record past end_seq, or when the ring has no more. Returns 1
 * when there is nothing more to do (a dump), 0 to go on following, -1 on error. */
static int end_history(struct reader *r)
{
	r->in_history = 0;
	if (print_release(&r->out) < 0 || print_flush(&r->out) < 0)
		return -1;
	if (!r->opts->follow)
		return 1;
	start_watching_stdout();
	return 0;
}

/* Reads events until the dump is done, or forever when following. Returns 0 or -1. */
static int read_loop(struct reader *r)
{
	const struct options *o = r->opts;
	int timeout = 0, rc;
	int pause_ms = LAPPED_PAUSE_MIN_MS, since_loss = 0;
	struct shmlog_record rec;

	for (;;) {
		int ev = shmlog_observer_next(r->obs, &rec, timeout);

		if (ev < 0) {
			fprintf(stderr, PROGRAM_NAME ": reading ring '%s' failed: %s\n", o->ring,
				strerror(-ev));
			r->out.status = cli_exit_status(-ev);
			return -1;
		}
		if (r->in_history &&
		    (ev == SHMLOG_NEXT_EMPTY || (ev == SHMLOG_NEXT_RECORD && rec.seq >= r->end_seq)))
			if ((rc = end_history(r)) != 0)
				return rc > 0 ? 0 : -1;
		switch (ev) {
		case SHMLOG_NEXT_RECORD:
			timeout = 0;
			if (++since_loss >= LAPPED_RECOVERED)
				pause_ms = LAPPED_PAUSE_MIN_MS;
			if (!filter_match(&o->filter, &rec))
				break;
			if ((r->in_history ? print_hold(&r->out, &rec) : print_record(&r->out, &rec)) < 0)
				return -1;
			break;
		case SHMLOG_NEXT_LOST:
		case SHMLOG_NEXT_ABANDONED:
		case SHMLOG_NEXT_DAMAGED:
			timeout = 0;
			if (note_gap(r, ev, rec.count) < 0)
				return -1;
			if (ev == SHMLOG_NEXT_LOST && o->follow && o->nice >= 0 && !r->in_history) {
				since_loss = 0;
				poll(NULL, 0, pause_ms);
				if (pause_ms < LAPPED_PAUSE_MAX_MS)
					pause_ms *= 2;
			}
			break;
		default: /* SHMLOG_NEXT_EMPTY: a batch is over; show it now, then sleep */
			if (print_flush(&r->out) < 0)
				return -1;
			pause_ms = LAPPED_PAUSE_MIN_MS; /* caught up */
			/* The observer sleeps on the ring's futex and knows when to look again
			 * (no collector to wake it, a collector that died). */
			timeout = -1;
			break;
		}
	}
}

void follow_nicely(const struct options *o)
{
	if (o->follow && o->nice >= 0) {
		struct sched_param sp = {0};
		if (sched_setscheduler(0, SCHED_IDLE, &sp) < 0)
			setpriority(PRIO_PROCESS, 0, o->nice);
	}
}

int run_read(const struct options *o)
{
	/* -n 0 -f: no history at all, so start after the newest record. */
	int only_new = o->follow && o->lines == 0;
	struct reader r = {.opts = o, .in_history = !only_new, .end_seq = UINT64_MAX};
	struct shmlog_stats st;
	int status;

	r.obs = shmlog_observer_open(o->ring, only_new ? SHMLOG_OBSERVE_NEWEST : SHMLOG_OBSERVE_OLDEST);
	if (!r.obs)
		return ring_error(errno);
	if (print_init(&r.out, o) < 0) {
		shmlog_observer_close(r.obs);
		fputs(PROGRAM_NAME ": out of memory\n", stderr);
		return EX_OSERR;
	}
	if (shmlog_observer_stats(r.obs, &st, NULL, 0) == 0)
		r.end_seq = st.head_seq;
	/* Never disturb the watched: a follower runs only on a CPU that would otherwise idle
	 * (SCHED_IDLE; nice 19 where that is refused), one that cannot keep up backs off
	 * (LAPPED_PAUSE_MIN_MS) and is told exactly what it lost. bench/followers has the
	 * figures (bench/README.md). */
	follow_nicely(o);
	if (only_new)
		start_watching_stdout();
	status = read_loop(&r) < 0 ? r.out.status : 0;
	print_free(&r.out);
	shmlog_observer_close(r.obs);
	return status;
}

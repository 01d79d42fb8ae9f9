/* drain.c - the collector's reading thread: takes records from the ring into a batch, hands
 * each finished batch to the storing thread (store.c, collector.h), and commits it back to the
 * ring once it is stored.
 *
 * A batch is handed over as soon as the ring runs empty and the storing thread is free, so a
 * trickle of records reaches the file at once; under load a batch grows while the previous one
 * is being written (group commit): the busier the ring, the fewer system calls per record.
 * --flush-interval bounds how long a record can wait when the ring never runs empty. Idle, the
 * thread sleeps in shmlog_consumer_next() on the ring's futex, woken by writers, by a signal or
 * by the storing thread: no polling. The timers (interval fsync, time rotation, retention) are
 * the storing thread's.
 *
 * Invariant: every event next() returned is in the filling batch, in the handed one, or was
 * skipped because the output already holds it; a mark is committed only once every batch
 * before it is in the file; and next() is called only while the filling batch can take one
 * more line.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sysexits.h>
#include <unistd.h>

#include "attach.h"
#include "clock.h"
#include "collector.h"
#include "drain.h"
#include "notify.h"

#define CLOCK_EVERY 32 /* records between looks at the flush deadline */

atomic_int stop_requested, reopen_requested;
atomic_uint hups;
static struct shmlog_consumer *volatile signal_target;

static void on_signal(int sig)
{
	int saved = errno;
	struct shmlog_consumer *c = signal_target;

	if (sig == SIGHUP) {
		atomic_store(&reopen_requested, 1);
		atomic_fetch_add(&hups, 1);
	} else {
		atomic_store(&stop_requested, 1);
	}
	if (c)
		shmlog_consumer_interrupt(c); /* async-signal-safe: wakes the futex sleep */
	errno = saved;
}
static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGHUP);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* ------------------------------------------------------------------ setting up */

static int open_output(struct collector *c)
{
	const char *path = c->opt->output;
	int err;

	output_init(&c->out, c->opt);
	err = output_open(&c->out);
	if (err == -ELOOP)
		warnx("%s is a symbolic link; refusing to follow it: remove it, or give the real "
		      "path with --output",
		      path);
	else if (err == -EINVAL)
		warnx("%s is not a regular file; give a file path with --output", path);
	else if (err)
		warnx("cannot open %s for appending: %s; check that its directory exists and is "
		      "writable by this user",
		      path, strerror(-err));
	if (err)
		return EX_CANTCREAT;
	err = recover_open(&c->rec, path, c->ring_id);
	if (err) {
		warnx("cannot open the state file next to %s: %s", path, strerror(-err));
		return EX_CANTCREAT;
	}
	c->resume = recover_resume(&c->rec, &c->out);
	c->fill = &c->batches[0];
	batch_reset(c->fill, c->resume);
	return 0;
}

/* Writers that find the ring full wait for us: we should not also wait behind them for a CPU
 * (--nice). The default applies only where permitted, and only if whoever started us left the
 * priority alone; the compression thread lowers its own (compress.c). */
static void set_priority(const struct options *o)
{
	errno = 0;
	int now = getpriority(PRIO_PROCESS, 0);

	if (errno || now == o->nice || (!o->nice_given && now != 0))
		return;
	if (setpriority(PRIO_PROCESS, 0, o->nice) < 0 && o->nice_given)
		warnx("cannot run at nice %d (%s); running at nice %d", o->nice, strerror(errno),
		      now);
}

static int setup(struct collector *c)
{
	int rc;

	set_priority(c->opt);
	install_signals();
	if ((rc = attach_ring(c->opt, &c->cons, &c->obs, &c->ring_id)) != 0)
		return rc;
	signal_target = c->cons;
	if ((rc = open_output(c)) != 0)
		return rc;
	if (rotate_init(&c->rot, c->opt) < 0)
		return EX_OSERR;
	c->rot_started = 1;
	if ((rc = store_start(c)) < 0) {
		warnx("cannot start the storing thread: %s", strerror(-rc));
		return EX_OSERR;
	}
	notify("READY=1\nSTATUS=draining the ring");
	return 0;
}

/* ------------------------------------------------------------------ batches */

/* Hands the filling batch to the storing thread, which must be idle, and starts the other. */
static void hand(struct collector *c)
{
	struct batch *b = c->fill;
	struct shmlog_mark m;

	shmlog_consumer_mark(c->cons, &m);
	store_hand(c, &m);
	c->fill = b == &c->batches[0] ? &c->batches[1] : &c->batches[0];
	batch_reset(c->fill, b->seq_end);
}

/* Hands the filling batch over once the storing thread is done with the previous one. Returns
 * 0, or -1 when that one failed (told to stop while the output is failing). */
static int hand_when_free(struct collector *c)
{
	if (store_idle(c, 1) < 0)
		return -1;
	if (c->fill->events)
		hand(c);
	return 0;
}

/* Adds one event to the batch, unless the output already has it. Returns 0, or -ENOMEM. */
static int take(struct collector *c, const struct shmlog_record *rec, int event)
{
	struct batch *b = c->fill;

	if (b->events++ == 0)
		b->started_ms = mono_ms();
	/* After a restart the consumer hands out again what followed its last commit. An abandoned
	 * report carries the sequence number of the record after it, so the same test covers it.
	 * A drop report does not belong to a place in the stream: it counts the drops not yet
	 * settled when it is made, and carries whatever seq the consumer is at. One made while we
	 * hand out old records may count drops no collector ever reported (made while none ran),
	 * so it is always written: at least once, never lost (a dead collector may have written
	 * part of its count already). */
	if (rec->seq < c->resume && event != SHMLOG_NEXT_DROPPED) {
		c->skipped++;
		return 0;
	}
	if (c->skipped && !c->skip_reported) {
		c->skip_reported = 1;
		warnx("skipped %" PRIu64 " records handed out again that %s already had",
		      c->skipped, c->opt->output);
	}
	ssize_t n = batch_add(b, rec, c->opt->format);
	if (n < 0) {
		warnx("cannot format a record: %s", strerror((int)-n));
		return (int)n;
	}
	c->lines++;
	return 0;
}

static int flush_due(const struct collector *c)
{
	const struct batch *b = c->fill;

	return batch_full(b) || (b->events % CLOCK_EVERY == 0 &&
				 mono_ms() - b->started_ms >= c->opt->flush_interval_ms);
}

/* ------------------------------------------------------------------ the loop */

static int is_event(int r)
{
	return r == SHMLOG_NEXT_RECORD || r == SHMLOG_NEXT_ABANDONED || r == SHMLOG_NEXT_DROPPED;
}

/* SIGTERM/SIGINT: write out what was committed to the ring when the signal came, then stop. */
static int finish(struct collector *c)
{
	struct shmlog_record rec;
	struct shmlog_stats st;
	uint64_t stop_seq = UINT64_MAX;

	notify("STOPPING=1");
	/* A storing thread retrying a failing write gives up now; one that has a SIGHUP to act
	 * on (it came with the SIGTERM: the file was renamed away) reopens before the next
	 * batch, so what we write now lands in the new file. */
	store_kick(c);
	if (hand_when_free(c) < 0)
		goto failing;
	if (shmlog_observer_stats(c->obs, &st, NULL, 0) == 0)
		stop_seq = st.head_seq;
	for (;;) {
		int r = shmlog_consumer_next(c->cons, &rec, 0);
		if (!is_event(r))
			break;
		if (take(c, &rec, r) < 0)
			return EX_OSERR;
		int last = !(rec.flags & SHMLOG_REC_SYNTHETIC) && rec.seq + 1 >= stop_seq;
		if ((last || flush_due(c)) && hand_when_free(c) < 0)
			goto failing;
		if (last)
			break;
	}
	if (hand_when_free(c) < 0 || store_idle(c, 1) < 0)
		goto failing;
	return 0;
failing:
	warnx("stopping with %s failing; the records not written stay in ring '%s' for the next "
	      "collector",
	      c->opt->output, c->opt->ring);
	return EX_IOERR;
}

static int drain(struct collector *c)
{
	struct shmlog_record rec;

	for (;;) {
		if (atomic_load(&stop_requested))
			return finish(c);
		unsigned h = atomic_load(&hups);
		if (h != c->hup_seen) {
			c->hup_seen = h;
			store_kick(c);
		}
		int idle = store_idle(c, 0) == 1; /* commits a stored batch */
		/* Asleep until a writer commits, a signal comes or the storing thread is done;
		 * with records in hand and the storing thread idle, just a look. */
		int r = shmlog_consumer_next(c->cons, &rec, c->fill->events && idle ? 0 : -1);
		if (r < 0) {
			warnx("reading ring '%s': %s", c->opt->ring, shmlog_errmsg());
			return EX_SOFTWARE;
		}
		if (r == SHMLOG_NEXT_EMPTY) {
			if (c->fill->events && store_idle(c, 0) == 1)
				hand(c);
			continue;
		}
		if (!is_event(r))
			continue;
		if (take(c, &rec, r) < 0)
			return EX_OSERR;
		if (flush_due(c))
			hand_when_free(c); /* a failure means we are stopping: the loop sees it */
	}
}

static void teardown(struct collector *c)
{
	signal_target = NULL;
	store_stop(c);
	store_final_sync(c);
	if (c->rot_started)
		rotate_fini(&c->rot);
	batch_free(&c->batches[0]);
	batch_free(&c->batches[1]);
	recover_close(&c->rec);
	output_close(&c->out);
	shmlog_observer_close(c->obs);
	shmlog_consumer_close(c->cons);
}

int collector_run(const struct options *opt)
{
	struct collector c = {.opt = opt, .rec = {.fd = -1}, .out = {.fd = -1}};
	int rc = setup(&c);

	if (rc == 0) {
		if (c.resume)
			warnx("ring '%s' into %s: resuming after record %" PRIu64, opt->ring,
			      opt->output, c.resume - 1);
		rc = drain(&c);
		warnx("stopped: %" PRIu64 " lines written, %" PRIu64
		      " records skipped as already written",
		      c.lines, c.skipped);
	}
	teardown(&c);
	return rc;
}

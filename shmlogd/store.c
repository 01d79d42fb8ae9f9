/* store.c - the storing thread: appends each batch the reading thread hands over to the output,
 * with the intent/done protocol of recover.c around every append, rotates by size (cutting a
 * batch at the last line that fits) and by time, syncs by the --fsync policy, applies retention,
 * and reopens the output on SIGHUP. collector.h says how the two threads divide the work.
 *
 * Handing over: the reading thread sets handed and state BUSY under mu and signals wake_store;
 * this thread writes the batch, sets STORED (or FAILED) under mu, signals wake_drain and
 * interrupts the consumer's sleep, so a reading thread asleep in next() wakes up to commit.
 * The mutex orders the batch's contents before their use on either side.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "collector.h"
#include "crash.h"

#define BACKOFF_MIN_MS 100  /* first retry after a failed write */
#define BACKOFF_MAX_MS 1000 /* retries never get rarer than this: space may be back any moment */
#define SIGNAL_LOOK_MS 50   /* waiting for a batch to be stored, look at the signals this often */

/* Waits on COND for at most MS milliseconds (negative: no limit). MU is held. */
static void wait_ms(struct collector *c, pthread_cond_t *cond, int64_t ms)
{
	struct timespec ts;

	if (ms < 0) {
		pthread_cond_wait(cond, &c->mu);
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(cond, &c->mu, &ts);
}

/* Told to give up a write that keeps failing: SIGTERM, or the reading thread is leaving. */
static int giving_up(struct collector *c)
{
	return atomic_load(&stop_requested) || atomic_load(&c->quit);
}

/* Sleeps MS milliseconds between retries, or less if the reading thread has news (a signal). */
static void pause_ms(struct collector *c, int64_t ms)
{
	pthread_mutex_lock(&c->mu);
	if (!c->kicked && !giving_up(c))
		wait_ms(c, &c->wake_store, ms);
	c->kicked = 0;
	pthread_mutex_unlock(&c->mu);
}

/* Opens the output anew (SIGHUP). If that fails, the old file is closed all the same: after a
 * logrotate rename it is on its way to compression and deletion, and records written there now
 * could be lost. The next append retries the open until it works. */
static void reopen(struct collector *c)
{
	int err;

	atomic_store(&reopen_requested, 0);
	if (c->out.fd >= 0 && c->out.dirty && c->opt->fsync != FSYNC_NONE)
		output_sync(&c->out);
	err = output_open(&c->out);
	if (err) {
		output_close(&c->out);
		output_report(&c->out, err, "reopening", 1);
	}
}

/* Appends bytes [from, to) of batch B, a whole number of lines, with the intent/done protocol
 * around it. One try: returns 0, or -errno with *WHAT naming the step that failed. */
static int write_span(struct collector *c, struct batch *b, size_t from, size_t to,
		      const char **what)
{
	struct output *o = &c->out;
	struct iovec iov[BATCH_MAX_IOV];
	int n = batch_slice(b, from, to, iov);
	size_t len = to - from;
	uint64_t seq_end = batch_seq_at(b, to);
	int need_sync = c->opt->fsync == FSYNC_ALWAYS || (b->critical && c->opt->fsync != FSYNC_NONE);

	*what = "writing";
	int err = recover_intent(&c->rec, o, len, batch_seq_at(b, from), seq_end);
	crash_point("after_intent");
	if (!err)
		err = output_append(o, iov, n, len);
	crash_point("after_write");
	if (!err && need_sync && (err = output_sync(o)) < 0) {
		output_retract(o, len);
		*what = "syncing";
	}
	if (err)
		return err;
	recover_done(&c->rec, o, seq_end); /* if it fails, INTENT's sizes say the same */
	crash_point("after_done");
	b->written_to = to;
	return 0;
}

/* Where the next span of B ends: with --rotate-size, the last line that fits the open file.
 * Rotates first when not even one line fits a file that has something in it; a line longer
 * than the size goes alone into a fresh file. */
static size_t plan_span(struct collector *c, struct batch *b)
{
	uint64_t limit = c->opt->rotate_size;
	size_t from = b->written_to;

	while (limit && rotate_ready(&c->rot)) {
		size_t to = batch_fit(b, from, c->out.size < limit ? limit - c->out.size : 0);
		if (to > from)
			return to;
		if (c->out.size == 0)
			return batch_line_after(b, from);
		if (rotate_now(&c->rot, &c->out) < 0 || c->out.fd < 0)
			break; /* rotation rests after a failure: everything goes to this file */
	}
	return b->bytes;
}

/* Writes the whole batch, the file (re)opened as needed. Retries with backoff until it works;
 * returns -errno only when told to give up while the output is failing. */
static int store_batch(struct collector *c, struct batch *b)
{
	struct output *o = &c->out;
	int64_t backoff = BACKOFF_MIN_MS;

	while (b->written_to < b->bytes) {
		const char *what = "opening";
		if (atomic_load(&reopen_requested))
			reopen(c);
		/* Opened before the plan, so the sizes it fits lines to are this file's. */
		int err = o->fd < 0 ? output_open(o) : 0;
		if (!err)
			err = write_span(c, b, b->written_to, plan_span(c, b), &what);
		if (!err) {
			output_report(o, 0, NULL, 0);
			backoff = BACKOFF_MIN_MS;
			continue;
		}
		output_report(o, err, what, 1);
		if (giving_up(c))
			return err;
		pause_ms(c, backoff);
		backoff = backoff * 2 < BACKOFF_MAX_MS ? backoff * 2 : BACKOFF_MAX_MS;
	}
	if (c->opt->rotate_size && o->size >= c->opt->rotate_size)
		rotate_now(&c->rot, o);
	return 0;
}

/* --fsync interval:MS. The records are committed already: a failure here loses nothing that
 * is still in the ring, so it is reported and tried again an interval later. */
static void sync_if_due(struct collector *c)
{
	if (output_sync_due(&c->out, mono_ms()) == 0)
		output_report(&c->out, output_sync(&c->out), "syncing", 0);
}

static void run_timers(struct collector *c)
{
	sync_if_due(c);
	if (rotate_time_due(&c->rot))
		rotate_now(&c->rot, &c->out);
	rotate_sweep(&c->rot);
}

/* Milliseconds until the nearest timer (interval fsync, time rotation, retention), -1: none. */
static int64_t idle_timeout(const struct collector *c)
{
	int64_t t = rotate_timeout(&c->rot), s = output_sync_due(&c->out, mono_ms());

	return s >= 0 && (t < 0 || s < t) ? s : t;
}

static void *store_main(void *arg)
{
	struct collector *c = arg;

	pthread_mutex_lock(&c->mu);
	for (;;) {
		int64_t t;
		while (!c->kicked && !atomic_load(&c->quit) && atomic_load(&c->state) != STORE_BUSY &&
		       (t = idle_timeout(c)) != 0) {
			wait_ms(c, &c->wake_store, t);
			if (t > 0)
				break; /* a timer may be due: look */
		}
		int busy = atomic_load(&c->state) == STORE_BUSY;
		struct batch *b = c->handed;
		c->kicked = 0;
		pthread_mutex_unlock(&c->mu);

		if (atomic_load(&reopen_requested))
			reopen(c);
		if (busy) {
			int rc = store_batch(c, b);
			pthread_mutex_lock(&c->mu);
			atomic_store(&c->state, rc < 0 ? STORE_FAILED : STORE_STORED);
			pthread_cond_signal(&c->wake_drain);
			shmlog_consumer_interrupt(c->cons); /* it may be asleep in next() */
			pthread_mutex_unlock(&c->mu);
		}
		run_timers(c); /* after the batch is out of hand: the commit need not wait */

		pthread_mutex_lock(&c->mu);
		if (atomic_load(&c->quit) && atomic_load(&c->state) != STORE_BUSY)
			break;
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

int store_start(struct collector *c)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	int err;

	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&c->wake_store, &ca);
	pthread_cond_init(&c->wake_drain, &ca);
	pthread_condattr_destroy(&ca);
	atomic_store(&c->state, STORE_IDLE);
	/* Signals go to the reading thread, which passes them on (store_kick). */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&c->thread, NULL, store_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	c->thread_started = 1;
	return 0;
}

void store_stop(struct collector *c)
{
	if (!c->thread_started)
		return;
	pthread_mutex_lock(&c->mu);
	atomic_store(&c->quit, 1); /* a write failing on and on is given up */
	pthread_cond_signal(&c->wake_store);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	c->thread_started = 0;
}

void store_hand(struct collector *c, const struct shmlog_mark *m)
{
	pthread_mutex_lock(&c->mu);
	c->handed = c->fill;
	c->mark = *m;
	atomic_store(&c->state, STORE_BUSY);
	pthread_cond_signal(&c->wake_store);
	pthread_mutex_unlock(&c->mu);
}

int store_idle(struct collector *c, int wait)
{
	int s = atomic_load(&c->state);

	if (s == STORE_BUSY && wait) {
		pthread_mutex_lock(&c->mu);
		while (atomic_load(&c->state) == STORE_BUSY) {
			/* Signals reach this thread only: pass them on while we wait (a failing
			 * write must hear SIGTERM now, not after its retry pause). */
			wait_ms(c, &c->wake_drain, SIGNAL_LOOK_MS);
			unsigned h = atomic_load(&hups);
			if (atomic_load(&stop_requested) || h != c->hup_seen) {
				c->hup_seen = h;
				c->kicked = 1;
				pthread_cond_signal(&c->wake_store);
			}
		}
		pthread_mutex_unlock(&c->mu);
		s = atomic_load(&c->state);
	}
	if (s == STORE_STORED) {
		/* Only this thread leaves STORED, and only it writes the mark. */
		if (shmlog_consumer_commit_mark(c->cons, &c->mark) < 0)
			warnx("cannot commit to ring '%s': %s", c->opt->ring, shmlog_errmsg());
		crash_point("after_commit");
		atomic_store(&c->state, STORE_IDLE);
		return 1;
	}
	return s == STORE_IDLE ? 1 : s == STORE_BUSY ? 0 : -1;
}

void store_kick(struct collector *c)
{
	pthread_mutex_lock(&c->mu);
	c->kicked = 1;
	pthread_cond_signal(&c->wake_store);
	pthread_mutex_unlock(&c->mu);
}

void store_final_sync(struct collector *c)
{
	if (c->out.dirty && c->opt->fsync != FSYNC_NONE)
		output_report(&c->out, output_sync(&c->out), "syncing", 0);
}

/* drain.c - the collector's loop: takes records from the ring into a batch, writes the batch with
 * the crash-safe protocol of recover.c, and only then commits it back to the ring.
 *
 * The loop writes when the ring runs empty, and under load a batch grows while the previous one
 * is being written (group commit): the busier the ring, the fewer system calls per record. A
 * small batch first lingers up to GATHER_MS for more: writers that each need microseconds per
 * record (Python's logging) leave the ring empty between records, and writing every few records
 * cost the collector more CPU per record than the writers' own logging call. The linger is an
 * unannounced nap in next(), so writers pay no wake-up for it, and the clock is read only when
 * the ring ran empty, never per record. --flush-interval bounds how long a record can wait when
 * the ring never runs empty. Idle, the loop sleeps in
 * shmlog_consumer_next() on the ring's futex with a timeout set by the nearest timer (interval
 * fsync, time rotation, retention), or none at all: no polling. The interval fsync itself runs
 * in a thread of its own (syncer.h): the loop never waits for the disk between batches.
 *
 * Invariant: every event next() returned since the last commit is in the batch, or was skipped
 * because the output already holds it. commit() covers all of them, so it runs only after the
 * whole batch is in the file; and next() is called only while the batch can take one more line.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sysexits.h>

#include "clock.h"
#include "crash.h"
#include "drain.h"
#include "exitcode.h"
#include "notify.h"

#define BACKOFF_MIN_MS 100  /* first retry after a failed write */
#define BACKOFF_MAX_MS 1000 /* retries never get rarer than this: space may be back any moment */
#define CLOCK_EVERY 32      /* records between looks at the flush deadline */
#define GATHER_MS 2         /* a small batch waits this long (at most) for more records */
#define GATHER_EVENTS 256   /* a batch this large is written at once: its syscalls are amortised */

/* ------------------------------------------------------------------ writing */

/* Opens the output anew (SIGHUP). If that fails, the old file is closed all the same: after a
 * logrotate rename it is on its way to compression and deletion, and records written there now
 * could be lost. The batch loop then retries the open until it works. */
static void reopen(struct collector *c)
{
	int err;

	reopen_requested = 0;
	/* Also while the sync thread is at it: a second fdatasync returns only once everything
	 * written before it is on disk too, and the old file must be before we go on. */
	if (c->out.fd >= 0 && (c->out.dirty || syncer_busy(&c->syncer)) &&
	    c->opt->fsync != FSYNC_NONE)
		output_sync(&c->out);
	err = output_open(&c->out);
	if (err) {
		output_close(&c->out);
		output_report(&c->out, err, "reopening", 1);
	}
}

/* Appends bytes [from, to) of the batch, holding the real records [seq_first, seq_end), with
 * the intent/done protocol around it. Retries with backoff until it works; returns -errno only
 * when told to stop while the output is failing. */
static int write_span(struct collector *c, size_t from, size_t to, uint64_t seq_first,
		      uint64_t seq_end)
{
	struct batch *b = &c->b;
	struct output *o = &c->out;
	struct iovec iov[BATCH_MAX_IOV];
	int n = batch_slice(b, from, to, iov);
	size_t len = to - from;
	int need_sync = c->opt->fsync == FSYNC_ALWAYS || (b->critical && c->opt->fsync != FSYNC_NONE);
	int64_t backoff = BACKOFF_MIN_MS;

	if (len == 0)
		return 0;
	for (;;) {
		const char *what = "writing";
		int err = o->fd < 0 ? output_open(o) : 0;
		if (err)
			what = "opening";
		if (!err)
			err = recover_intent(&c->rec, o, len, seq_first, seq_end);
		crash_point("after_intent");
		if (!err)
			err = output_append(o, iov, n, len);
		crash_point("after_write");
		if (!err && need_sync && (err = output_sync(o)) < 0) {
			output_retract(o, len);
			what = "syncing";
		}
		if (!err) {
			recover_done(&c->rec, o, seq_end); /* if it fails, INTENT's sizes say the same */
			crash_point("after_done");
			output_report(o, 0, NULL, 0);
			b->written_to = to;
			return 0;
		}
		output_report(o, err, what, 1);
		if (stop_requested)
			return err;
		pause_ms(backoff);
		backoff = backoff * 2 < BACKOFF_MAX_MS ? backoff * 2 : BACKOFF_MAX_MS;
		if (reopen_requested)
			reopen(c);
	}
}

/* Reports the result of the syncer's last sync, if it finished. The records are committed
 * already: a failure loses nothing still in the ring, so it is reported and the file synced
 * again an interval later (or at exit). */
static void collect_sync(struct collector *c)
{
	struct output *o = &c->out;
	int result;

	if (!syncer_collect(&c->syncer, &result))
		return;
	if (o->fd < 0 || o->dev != c->synced_dev || o->ino != c->synced_ino) {
		/* A file we no longer write (SIGHUP, rotation): its result says nothing about
		 * the output's state. A rotated one is synced again by the worker. */
		if (result < 0)
			warnx("syncing the previous %s: %s", o->path, strerror(-result));
		return;
	}
	if (result < 0) {
		o->dirty = 1;
		o->dirty_since_ms = mono_ms();
	}
	output_report(o, result, "syncing", 0);
}

/* --fsync interval:MS: hands the output to the syncer thread and goes on (syncer.h). While a
 * sync runs, the next waits for it: its end interrupts the loop, which then comes back here. */
static void sync_if_due(struct collector *c)
{
	struct output *o = &c->out;

	collect_sync(c);
	if (output_sync_due(o, mono_ms()) != 0)
		return;
	int err = syncer_request(&c->syncer, o->fd);
	if (err == 0) {
		o->dirty = 0; /* the sync covers every byte appended until now */
		c->synced_dev = o->dev;
		c->synced_ino = o->ino;
	} else if (err != -EBUSY) {
		output_report(o, output_sync(o), "syncing", 0);
	}
}

/* Says once that the ring's name was taken away (watch.h): shmlogd still drains the processes
 * attached to it, but nobody drains the ring that the next one to open the name makes. */
static void check_ring_name(struct collector *c)
{
	if (!ring_watch_check(&c->watch, c->opt->ring, c->ring_id))
		return;
	warnx("ring '%s' was removed from /dev/shm (rm, shmlog_unlink(), or systemd-logind's "
	      "RemoveIPC=yes at its owner's logout): processes attached to it still log here, but "
	      "one that opens '%s' now makes a new ring that no collector drains; restart the "
	      "programs that log to it, then shmlogd",
	      c->opt->ring, c->opt->ring);
	notify("STATUS=ring removed from /dev/shm: restart the programs that log to it, then "
	       "shmlogd");
}

/* Writes the batch (rotating at its split point if it has one), then commits it to the ring.
 * Returns 0, or -errno when told to stop while the output is failing (nothing committed). */
static int flush(struct collector *c)
{
	struct batch *b = &c->b;
	uint64_t seq_first = b->seq_first;

	if (!b->events)
		return 0;
	if (b->has_split) {
		if (write_span(c, b->written_to, b->split, seq_first, b->split_seq) < 0)
			return -1;
		c->lines += c->pending_before_split;
		c->pending -= c->pending_before_split;
		c->pending_before_split = 0;
		if (!b->rotated) {
			rotate_now(&c->rot, &c->out);
			b->rotated = 1;
		}
		seq_first = b->split_seq;
	}
	if (write_span(c, b->written_to, b->bytes, seq_first, b->seq_end) < 0)
		return -1;
	c->lines += c->pending;
	c->pending = 0;
	shmlog_consumer_commit(c->cons);
	crash_point("after_commit");
	batch_reset(b, b->seq_end);
	check_ring_name(c);
	sync_if_due(c);
	if (rotate_time_due(&c->rot) ||
	    (c->opt->rotate_size && c->out.size >= c->opt->rotate_size))
		rotate_now(&c->rot, &c->out);
	return 0;
}

/* Adds one event to the batch, unless the output already has it. Returns 0, or -ENOMEM. */
static int take(struct collector *c, const struct shmlog_record *rec, int event)
{
	struct batch *b = &c->b;
	size_t before = b->bytes;
	uint64_t seq_before = b->seq_end;
	uint64_t limit = c->opt->rotate_size;

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
	ssize_t n = batch_add(b, rec, c->opt->format, c->opt->fields_under);
	if (n < 0) {
		warnx("cannot format a record: %s", strerror((int)-n));
		return (int)n;
	}
	c->pending++;
	if (!(rec->flags & SHMLOG_REC_SYNTHETIC)) {
		b->seq_end = rec->seq + 1;
		if (rec->level >= SHMLOG_CRITICAL)
			b->critical = 1;
	}
	/* Rotate before the line that would take the file past --rotate-size, not after. */
	if (limit && !b->has_split && c->out.size + before > 0 && c->out.size + b->bytes > limit &&
	    rotate_ready(&c->rot)) {
		b->has_split = 1;
		b->split = before;
		b->split_seq = seq_before;
		c->pending_before_split = c->pending - 1;
	}
	return 0;
}

static int flush_due(const struct collector *c)
{
	const struct batch *b = &c->b;

	return b->has_split || batch_full(b) ||
	       (b->events % CLOCK_EVERY == 0 &&
		mono_ms() - b->started_ms >= c->opt->flush_interval_ms);
}

/* ------------------------------------------------------------------ the loop */

static int idle_timeout(struct collector *c)
{
	int64_t t = rotate_timeout(&c->rot), s = output_sync_due(&c->out, mono_ms());

	if (syncer_busy(&c->syncer))
		s = -1; /* the sync's end interrupts the sleep */

	if (s >= 0 && (t < 0 || s < t))
		t = s;
	return t > INT_MAX ? INT_MAX : (int)t;
}

static void run_timers(struct collector *c)
{
	check_ring_name(c);
	sync_if_due(c);
	if (rotate_time_due(&c->rot))
		rotate_now(&c->rot, &c->out);
	rotate_sweep(&c->rot);
}

static int is_event(int r)
{
	return r == SHMLOG_NEXT_RECORD || r == SHMLOG_NEXT_ABANDONED || r == SHMLOG_NEXT_DROPPED ||
	       r == SHMLOG_NEXT_DAMAGED;
}

/* SIGTERM/SIGINT: write out what was committed to the ring when the signal came, then stop. */
static int finish(struct collector *c)
{
	struct shmlog_record rec;
	struct shmlog_stats st;
	uint64_t stop_seq = UINT64_MAX;

	notify("STOPPING=1");
	if (flush(c) < 0)
		goto failing;
	/* A SIGHUP that came with the SIGTERM: the file was renamed away, and what we write now
	 * belongs in the new one (the old may be compressed and deleted already). */
	if (reopen_requested)
		reopen(c);
	if (shmlog_observer_stats(c->obs, &st, NULL, 0) == 0)
		stop_seq = st.head_seq;
	for (;;) {
		int r = shmlog_consumer_next(c->cons, &rec, 0);
		if (!is_event(r))
			break;
		if (take(c, &rec, r) < 0)
			return EX_OSERR;
		int last = !(rec.flags & SHMLOG_REC_SYNTHETIC) && rec.seq + 1 >= stop_seq;
		if ((last || flush_due(c)) && flush(c) < 0)
			goto failing;
		if (last)
			break;
	}
	if (flush(c) < 0)
		goto failing;
	syncer_stop(&c->syncer);
	collect_sync(c);
	if (c->out.dirty && c->opt->fsync != FSYNC_NONE)
		output_report(&c->out, output_sync(&c->out), "syncing", 0);
	return 0;
failing:
	warnx("stopping with %s failing; the records not written stay in ring '%s' for the next "
	      "collector",
	      c->opt->output, c->opt->ring);
	return EX_IOERR;
}

/* How long the batch may still wait for more records now that the ring ran empty: 0 to write
 * it now. Bounded by --flush-interval, so 0 there means no waiting at all. */
static int gather_ms(const struct collector *c)
{
	const struct batch *b = &c->b;
	int64_t limit = c->opt->flush_interval_ms < GATHER_MS ? c->opt->flush_interval_ms : GATHER_MS;

	if (b->events >= GATHER_EVENTS || b->has_split)
		return 0;
	int64_t age = mono_ms() - b->started_ms;
	return age >= limit ? 0 : (int)(limit - age);
}

int drain_run(struct collector *c)
{
	struct shmlog_record rec;
	int gather = 0; /* the next call may wait this long for more before we write the batch */

	for (;;) {
		if (stop_requested)
			return finish(c);
		if (reopen_requested && flush(c) == 0)
			reopen(c);
		int r = shmlog_consumer_next(c->cons, &rec, c->b.events ? gather : idle_timeout(c));
		gather = 0;
		if (r < 0) {
			warnx("reading ring '%s': %s", c->opt->ring, shmlog_errmsg());
			return cli_exit_status(-r);
		}
		if (r == SHMLOG_NEXT_EMPTY) {
			if (c->b.events && (gather = gather_ms(c)) > 0)
				continue;
			if (flush(c) == 0)
				run_timers(c);
			continue;
		}
		if (!is_event(r))
			continue;
		if (take(c, &rec, r) < 0)
			return EX_OSERR;
		if (flush_due(c))
			flush(c);
	}
}


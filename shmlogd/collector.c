/* collector.c - shmlogd's life: sets up the collector (priority, signals, output, state file,
 * ring, rotation, sync thread), hands it to the drain loop (drain.c), and tears it down with a
 * last word on what was written and what stays in the ring.
 *
 * The order of setup is the rule: the output and its state file first, so that a start refused
 * there leaves no ring behind; the ring next; only then the resume point, which needs both.
 */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sysexits.h>
#include <unistd.h>

#include "attach.h"
#include "collector.h"
#include "crash.h"
#include "drain.h"
#include "notify.h"

volatile sig_atomic_t stop_requested, reopen_requested;
static struct shmlog_consumer *volatile signal_target;

static void on_signal(int sig)
{
	int saved = errno;
	struct shmlog_consumer *c = signal_target;

	if (sig == SIGHUP)
		reopen_requested = 1;
	else
		stop_requested = 1;
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

/* Sleeps MS milliseconds, or less if a signal asks for something. The signals are blocked
 * between the look at the flags and the sleep, which unblocks them atomically: a signal in
 * between cuts the sleep short instead of being noticed only after it. */
void pause_ms(int64_t ms)
{
	sigset_t block, old;
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigprocmask(SIG_BLOCK, &block, &old);
	if (!stop_requested && !reopen_requested)
		ppoll(NULL, 0, &ts, &old);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

/* ------------------------------------------------------------------ setting up */

static int report_open_error(const struct output *o, int err)
{
	const char *path = o->path;

	if (err == -EPERM && o->refusal[0]) {
		warnx("%s", o->refusal);
		return EX_NOPERM;
	}
	if (err == -EACCES && o->refusal[0]) {
		warnx("%s", o->refusal);
		return EX_CANTCREAT;
	}
	if (err == -ELOOP)
		warnx("%s is a symbolic link; refusing to follow it: remove it, or give the real "
		      "path with --output",
		      path);
	else if (err == -EINVAL)
		warnx("%s is not a regular file; give a file path with --output", path);
	else if (err == -EISDIR)
		warnx("%s is a directory; give the path of a file in it with --output", path);
	else
		warnx("cannot open %s for appending: %s; check that its directory exists and is "
		      "writable by this user",
		      path, strerror(-err));
	return EX_CANTCREAT;
}

/* Resolves and checks the output's directory, opens the output, takes the lock on its state file,
 * then opens the output again. The first open only checks the path, so that a bad one is named as such.
 * Only the second counts: a shmlogd that held the lock until a moment ago may have appended to
 * the file, or rotated it away, after the first, and recovery must see the file as that one
 * left it. Anything refused by trust.h's rules stops us here, before the ring is touched. */
static int open_output(struct collector *c)
{
	const char *path = c->path;
	char why[TRUST_MSG_MAX];
	int err = trust_output_path(&c->trust, c->opt->output, c->path, sizeof(c->path), why,
				    sizeof(why));

	if (err == -EPERM) {
		warnx("%s", why);
		return EX_NOPERM;
	}
	if (err) {
		/* Not opened at all: a path we could not check is not ours to create. */
		output_init(&c->out, c->opt, c->opt->output, &c->trust);
		return report_open_error(&c->out, err);
	}
	output_init(&c->out, c->opt, path, &c->trust);
	if ((err = output_open(&c->out)) != 0)
		return report_open_error(&c->out, err);
	crash_delay("before_lock");
	pid_t holder = 0;
	err = recover_open(&c->rec, path, &c->trust, &holder);
	if (err == -EBUSY) {
		char who[32] = "";
		if (holder > 0)
			snprintf(who, sizeof(who), " (pid %d)", (int)holder);
		warnx("another shmlogd%s writes to %s: give each ring its own --output", who, path);
		return EX_TEMPFAIL;
	}
	if (err == -EPERM && c->rec.sf.refusal[0]) {
		warnx("%s", c->rec.sf.refusal);
		return EX_NOPERM;
	}
	if (err) {
		warnx("cannot open the state file %s: %s; shmlogd needs to create and write it "
		      "next to the output",
		      c->rec.sf.path ? c->rec.sf.path : "next to the output", strerror(-err));
		return EX_CANTCREAT;
	}
	if ((err = output_open(&c->out)) != 0)
		return report_open_error(&c->out, err);
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
	trust_init(&c->trust, c->opt);
	/* The output first: a start that fails on it leaves no ring behind. */
	if ((rc = open_output(c)) != 0)
		return rc;
	if ((rc = attach_ring(c->opt, &c->cons, &c->obs, &c->ring_id)) != 0)
		return rc;
	signal_target = c->cons;
	ring_watch_start(&c->watch, c->opt->ring, c->cons); /* without inotify: no warning, no more */
	c->rec.ring_id = c->ring_id;
	c->resume = recover_resume(&c->rec, &c->out);
	batch_reset(&c->b, c->resume);
	if (rotate_init(&c->rot, c->opt, &c->out, &c->trust) < 0)
		return EX_OSERR;
	c->rot_started = 1;
	if (c->opt->fsync == FSYNC_INTERVAL && (rc = syncer_start(&c->syncer, c->cons)) < 0)
		warnx("cannot start the sync thread (%s): syncing in the drain loop instead",
		      strerror(-rc));
	notify("READY=1\nSTATUS=draining the ring");
	return 0;
}

/* ------------------------------------------------------------------ tearing down */

static void teardown(struct collector *c)
{
	signal_target = NULL;
	ring_watch_stop(&c->watch);
	if (c->rot_started)
		rotate_fini(&c->rot);
	syncer_stop(&c->syncer);
	batch_free(&c->b);
	recover_close(&c->rec);
	output_close(&c->out);
	shmlog_observer_close(c->obs);
	shmlog_consumer_close(c->cons);
}

/* Records in the ring that no collector has written: those in our unwritten batch and any
 * committed after it. Not those below the batch's first unwritten record, though the ring still
 * holds them: the output has them (the resume point, or the part before a rotation point that
 * was written when the rest failed), and the next shmlogd skips them. */
static uint64_t left_in_ring(const struct collector *c)
{
	const struct batch *b = &c->b;
	uint64_t from = b->has_split && b->written_to >= b->split ? b->split_seq : b->seq_first;
	struct shmlog_stats st;

	if (shmlog_observer_stats(c->obs, &st, NULL, 0) == 0) {
		if (st.tail_seq > from && st.tail_seq <= st.head_seq) /* else: a damaged checkpoint */
			from = st.tail_seq;
		if (st.head_seq >= from)
			return st.head_seq - from;
	}
	return c->pending;
}

int collector_run(const struct options *opt)
{
	struct collector c = {.opt = opt,
			      .rec = {.sf = {.fd = -1}},
			      .out = {.fd = -1},
			      .watch = {.inotify_fd = -1, .stop_fd = -1}};
	int rc = setup(&c);

	if (rc == 0) {
		if (c.resume)
			warnx("ring '%s' into %s: resuming after record %" PRIu64, opt->ring,
			      opt->output, c.resume - 1);
		rc = drain_run(&c);
		if (c.pending)
			warnx("stopped: %" PRIu64 " lines written, %" PRIu64
			      " records skipped as already written; %" PRIu64
			      " records not written stay in the ring for the next shmlogd",
			      c.lines, c.skipped, left_in_ring(&c));
		else
			warnx("stopped: %" PRIu64 " lines written, %" PRIu64
			      " records skipped as already written",
			      c.lines, c.skipped);
	}
	teardown(&c);
	return rc;
}

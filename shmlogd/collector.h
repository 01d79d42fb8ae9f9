/* collector.h - shmlogd's life: one struct collector, set up from the options, handed to the drain
 * loop (drain.h) and its sinks, torn down at exit; and the signals that end or redirect it.
 *
 * collector.c owns the struct and the signal flags; drain.c reads them. A sink that is coming
 * (a forwarder) gets its state here beside the output's and its start and stop in setup() and
 * teardown(), so the drain loop's protocol stays one file.
 */
#ifndef SHMLOGD_COLLECTOR_H
#define SHMLOGD_COLLECTOR_H

#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "batch.h"
#include "options.h"
#include "output.h"
#include "recover.h"
#include "rotate.h"
#include "shmlog.h"
#include "syncer.h"
#include "trust.h"
#include "watch.h"

struct collector {
	const struct options *opt;
	struct shmlog_consumer *cons;
	struct shmlog_observer *obs;
	uint64_t ring_id;
	struct trust trust;   /* whose files and directories we use (trust.h) */
	char path[PATH_MAX];  /* the output, its directory resolved once at start: every later open,
			       * rename and unlink goes through this, never through --output again */
	struct output out;
	struct recovery rec;
	struct rotator rot;
	int rot_started;
	struct batch b;
	struct syncer syncer; /* --fsync interval:MS; not started: syncs run inline */
	struct ring_watch watch; /* the ring's name removed from /dev/shm */
	dev_t synced_dev;     /* the file handed to the syncer last */
	ino_t synced_ino;
	uint64_t resume;  /* real records below this sequence number are already in the output */
	uint64_t lines;   /* written by this run */
	uint64_t pending; /* lines in the batch, not written yet */
	uint64_t pending_before_split; /* of which before the batch's rotation point */
	uint64_t skipped; /* handed out again after a restart and skipped */
	int skip_reported;
};

/* Set by the signal handler, read (and reopen_requested cleared) by the drain loop:
 * SIGTERM/SIGINT ask it to write what is committed and stop, SIGHUP to reopen the output. */
extern volatile sig_atomic_t stop_requested, reopen_requested;

/* Sleeps MS milliseconds, or less if a signal asks for something (a failing output's backoff). */
void pause_ms(int64_t ms);

/* Runs the collector in the foreground until SIGTERM/SIGINT. Returns the process exit status:
 * 0, or a sysexits.h code after printing the reason on stderr. */
int collector_run(const struct options *opt);

#endif

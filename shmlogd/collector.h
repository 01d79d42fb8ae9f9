/* collector.h - the collector's two threads and what they share.
 *
 * The reading thread (drain.c) takes records from the ring and formats them into a batch; the
 * storing thread (store.c) appends a finished batch to the output with the crash-safe protocol
 * of recover.c, rotating it by size and time. Formatting the next batch thus overlaps the
 * kernel's copy of the previous one into the page cache, which is most of a busy collector's
 * time. There are two batches: one filling, one being stored.
 *
 * Only the reading thread touches the consumer (next, mark, commit): when the storing thread
 * has stored a batch it says so, and the reading thread commits the mark taken where that batch
 * ended. A record's space thus goes back to writers only once its batch is in the file, as with
 * one thread. The output, the state file and the rotator belong to the storing thread once it
 * runs, and to the main thread again once it has stopped.
 */
#ifndef SHMLOGD_COLLECTOR_H
#define SHMLOGD_COLLECTOR_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "batch.h"
#include "options.h"
#include "output.h"
#include "recover.h"
#include "rotate.h"
#include "shmlog.h"

/* Where the batch handed to the storing thread is. */
enum store_state {
	STORE_IDLE,   /* nothing handed over, or its mark committed */
	STORE_BUSY,   /* being written */
	STORE_STORED, /* in the file: its mark may be committed */
	STORE_FAILED, /* told to stop while the output was failing: not stored */
};

struct collector {
	const struct options *opt;
	struct shmlog_consumer *cons;
	struct shmlog_observer *obs;
	uint64_t ring_id;

	/* The storing thread's. */
	struct output out;
	struct recovery rec;
	struct rotator rot;
	int rot_started;

	/* The reading thread's. */
	struct batch batches[2];
	struct batch *fill;  /* the one being filled */
	uint64_t resume;     /* real records below this sequence number are already in the output */
	uint64_t lines;      /* formatted by this run */
	uint64_t skipped;    /* handed out again after a restart and skipped */
	int skip_reported;
	unsigned hup_seen;   /* SIGHUPs passed on to the storing thread */

	/* Between the two; mu guards all but state's fast reads. */
	pthread_t thread;
	int thread_started;
	pthread_mutex_t mu;
	pthread_cond_t wake_store; /* a batch, a SIGHUP or the end */
	pthread_cond_t wake_drain; /* a batch stored */
	struct batch *handed;      /* the batch of STORE_BUSY / STORE_STORED / STORE_FAILED */
	struct shmlog_mark mark;   /* where it ends in the consumer's stream */
	atomic_int state;          /* enum store_state */
	int kicked;                /* something for the storing thread besides a batch */
	atomic_int quit;           /* stop once idle; give up a failing write */
};

/* Set by the signal handlers (drain.c), read by both threads; hups counts SIGHUPs. */
extern atomic_int stop_requested, reopen_requested;
extern atomic_uint hups;

/* Starts the storing thread (with the signals blocked in it: they go to the reading thread).
 * Returns 0 or -errno. */
int store_start(struct collector *c);

/* Stops it once it has stored what it holds, and joins it. */
void store_stop(struct collector *c);

/* Hands the filling batch, ending at mark M, to the storing thread. The previous one must have
 * been committed (store_idle). */
void store_hand(struct collector *c, const struct shmlog_mark *m);

/* Commits the handed batch if it is stored. With WAIT, waits while it is being written first.
 * Returns 1 when the storing thread is idle afterwards, 0 when it is still busy, -1 when the
 * batch failed (told to stop while the output was failing: nothing committed). */
int store_idle(struct collector *c, int wait);

/* Wakes the storing thread to look at the signal flags. */
void store_kick(struct collector *c);

/* The final sync at the end of a run (main thread, after store_stop). */
void store_final_sync(struct collector *c);

#endif

/* syncer.h - the interval fsync (--fsync interval:MS) in a thread of its own, so the drain loop
 * never waits for the disk between batches.
 *
 * An fdatasync() of a file that grows at hundreds of MB/s can take a large part of a second; done
 * inline it stopped draining for that long while the writers filled the ring and waited. Here the
 * loop hands the syncer a dup() of the output and goes on; the sync covers every byte appended
 * before the hand-over. One sync at a time: while one runs, the next waits for it, so a slow disk
 * gets one fdatasync() after another, never a queue. --fsync always, the sync after a critical
 * record, and the syncs at SIGHUP and at exit stay inline: they promise the data is on disk
 * before the collector goes on.
 */
#ifndef SHMLOGD_SYNCER_H
#define SHMLOGD_SYNCER_H

#include <pthread.h>

#include "shmlog.h"

struct syncer {
	pthread_t thread;
	pthread_mutex_t mu; /* guards the fields below */
	pthread_cond_t cv;
	int fd;             /* a dup() of the file being synced or to sync; -1: none (not busy) */
	int finished;       /* a sync finished and its result was not collected yet */
	int result;         /* 0 or -errno of that sync */
	int stopping;
	int started;
	struct shmlog_consumer *wake; /* interrupted when a sync finishes: the loop collects it */
};

/* Starts the thread; WAKE is the consumer the drain loop sleeps on. Returns 0 or -errno. */
int syncer_start(struct syncer *s, struct shmlog_consumer *wake);

/* Asks for an fdatasync() of the file open on FD. Returns 0 when handed over, -EBUSY while the
 * previous sync runs (ask again once it is collected), -ENOSYS if the thread is not running, or
 * -errno if FD cannot be duplicated. */
int syncer_request(struct syncer *s, int fd);

/* Whether a sync is waiting or running (0 if the thread is not running). */
int syncer_busy(struct syncer *s);

/* 1 with *RESULT set (0 or -errno) when a sync finished since the last call, else 0. The result
 * is that of the file handed over, which may no longer be the output (SIGHUP, rotation). */
int syncer_collect(struct syncer *s, int *result);

/* Waits for the sync in flight, if any, and stops the thread. Its result can still be
 * collected. Accepts a syncer that was never started. */
void syncer_stop(struct syncer *s);

#endif

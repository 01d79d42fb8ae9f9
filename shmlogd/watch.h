/* watch.h - notices the ring's name being removed from /dev/shm while shmlogd drains it.
 *
 * `rm /dev/shm/shmlog.NAME`, `shmlog_unlink()`, or systemd-logind removing a user's IPC objects
 * at logout (RemoveIPC=yes) take the name away from the ring shmlogd has mapped. Processes that
 * have it open go on logging into it, and shmlogd goes on draining them; but a process that opens
 * the name afterwards makes a new ring that no collector drains. Nothing in the ring says so, and
 * an idle shmlogd sleeps, so a thread waits on inotify for the name to go and interrupts the
 * loop's sleep: no polling. The loop then checks by name (ring_watch_check()) and says it once.
 */
#ifndef SHMLOGD_WATCH_H
#define SHMLOGD_WATCH_H

#include <pthread.h>
#include <stdint.h>

#include "shmlog.h"

struct ring_watch {
	pthread_t thread;
	int started;
	int inotify_fd, stop_fd; /* stop_fd: an eventfd that ends the thread */
	pthread_mutex_t mu;      /* guards fired */
	int fired;               /* the name went away since the last check */
	int reported;            /* the loop said so already */
	char entry[SHMLOG_NAME_MAX + 16]; /* "shmlog.NAME", as in /dev/shm */
	struct shmlog_consumer *wake;
};

/* Starts watching /dev/shm for RING's name to go. Where inotify or /dev/shm is missing, it does
 * nothing and returns -errno; shmlogd runs on without the warning. */
int ring_watch_start(struct ring_watch *w, const char *ring, struct shmlog_consumer *wake);

/* After the watch fired: whether RING no longer names the ring RING_ID (gone, or made again).
 * Returns 1 the first time that is so, 0 otherwise. Cheap when the watch did not fire. */
int ring_watch_check(struct ring_watch *w, const char *ring, uint64_t ring_id);

void ring_watch_stop(struct ring_watch *w);

#endif

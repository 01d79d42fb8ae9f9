/* watch.c - the ring's name removed from its directory (/dev/shm, as shmlog_ring_path() says):
 * noticed by inotify, checked by name (see watch.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "thread.h"
#include "watch.h"

static int names_our_entry(const struct ring_watch *w, const char *buf, ssize_t n)
{
	for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
		const struct inotify_event *ev = (const struct inotify_event *)(const void *)(buf + off);
		if (ev->len && !strcmp(ev->name, w->entry))
			return 1;
		if (ev->mask & IN_Q_OVERFLOW)
			return 1; /* events were lost: let the loop look */
		off += (ssize_t)sizeof(*ev) + ev->len;
	}
	return 0;
}

static void *watch_main(void *arg)
{
	struct ring_watch *w = arg;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	struct pollfd fds[2] = {{.fd = w->inotify_fd, .events = POLLIN},
				{.fd = w->stop_fd, .events = POLLIN}};

	for (;;) {
		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		ssize_t n = read(w->inotify_fd, buf, sizeof(buf));
		if (n <= 0 || !names_our_entry(w, buf, n))
			continue;
		pthread_mutex_lock(&w->mu);
		w->fired = 1;
		pthread_mutex_unlock(&w->mu);
		shmlog_consumer_interrupt(w->wake); /* thread-safe: wakes the loop's sleep */
	}
	return NULL;
}

int ring_watch_start(struct ring_watch *w, const char *ring, struct shmlog_consumer *wake)
{
	char dir[SHMLOG_PATH_MAX];
	int len = shmlog_ring_path(ring, dir, sizeof(dir));
	char *slash = len > 0 && (size_t)len < sizeof(dir) ? strrchr(dir, '/') : NULL;

	*w = (struct ring_watch){.inotify_fd = -1, .stop_fd = -1, .wake = wake};
	if (!slash || strlen(slash + 1) >= sizeof(w->entry))
		return -EINVAL;
	/* The directory is watched; the entry is the ring's name in it. */
	snprintf(w->entry, sizeof(w->entry), "%s", slash + 1);
	*slash = '\0';
	w->inotify_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (w->inotify_fd < 0)
		return -errno;
	int err = 0;
	if (inotify_add_watch(w->inotify_fd, dir, IN_DELETE | IN_MOVED_FROM) < 0 ||
	    (w->stop_fd = eventfd(0, EFD_CLOEXEC)) < 0)
		err = -errno;
	pthread_mutex_init(&w->mu, NULL);
	if (!err && (err = -thread_start(&w->thread, watch_main, w)) == 0) {
		w->started = 1;
		return 0;
	}
	ring_watch_stop(w);
	return err;
}

int ring_watch_check(struct ring_watch *w, const char *ring, uint64_t ring_id)
{
	if (!w->started || w->reported)
		return 0;
	pthread_mutex_lock(&w->mu);
	int fired = w->fired;
	w->fired = 0;
	pthread_mutex_unlock(&w->mu);
	if (!fired)
		return 0;
	/* Another file may have gone under a similar name, or the ring been renamed back: look. */
	struct shmlog_observer *ob = shmlog_observer_open(ring, SHMLOG_OBSERVE_NEWEST);
	struct shmlog_stats st;
	int same = ob && shmlog_observer_stats(ob, &st, NULL, 0) == 0 && st.ring_id == ring_id;
	shmlog_observer_close(ob);
	if (same)
		return 0;
	w->reported = 1;
	return 1;
}

void ring_watch_stop(struct ring_watch *w)
{
	if (w->started) {
		/* An eventfd write fails only when its counter would overflow: never from 0 here.
		 * The thread must be gone before its descriptors and mutex are. */
		uint64_t one = 1;
		while (write(w->stop_fd, &one, sizeof(one)) < 0 && errno == EINTR)
			;
		pthread_join(w->thread, NULL);
		w->started = 0;
	}
	if (w->inotify_fd >= 0 || w->stop_fd >= 0)
		pthread_mutex_destroy(&w->mu);
	if (w->inotify_fd >= 0)
		close(w->inotify_fd);
	if (w->stop_fd >= 0)
		close(w->stop_fd);
	w->inotify_fd = w->stop_fd = -1;
}

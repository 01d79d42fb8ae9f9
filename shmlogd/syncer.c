/* syncer.c - the interval fsync thread (see syncer.h). */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "output.h"
#include "syncer.h"
#include "thread.h"

static void *syncer_main(void *arg)
{
	struct syncer *s = arg;

	pthread_mutex_lock(&s->mu);
	for (;;) {
		while (s->fd < 0 && !s->stopping)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->fd < 0)
			break; /* stopping, nothing waiting */
		int fd = s->fd;
		pthread_mutex_unlock(&s->mu);
		int err = output_fdatasync(fd);
		close(fd);
		pthread_mutex_lock(&s->mu);
		s->fd = -1;
		s->finished = 1;
		s->result = err;
		if (s->wake)
			shmlog_consumer_interrupt(s->wake); /* thread-safe: wakes the loop's sleep */
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

int syncer_start(struct syncer *s, struct shmlog_consumer *wake)
{
	*s = (struct syncer){.fd = -1, .wake = wake};
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	int err = thread_start(&s->thread, syncer_main, s);
	if (err) {
		pthread_cond_destroy(&s->cv);
		pthread_mutex_destroy(&s->mu);
		return -err;
	}
	s->started = 1;
	return 0;
}

int syncer_request(struct syncer *s, int fd)
{
	int err = 0;

	if (!s->started)
		return -ENOSYS;
	pthread_mutex_lock(&s->mu);
	if (s->fd >= 0) {
		err = -EBUSY;
	} else {
		/* A dup: the loop may close or rotate its descriptor while the sync runs. */
		int d = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (d < 0) {
			err = -errno;
		} else {
			s->fd = d;
			pthread_cond_signal(&s->cv);
		}
	}
	pthread_mutex_unlock(&s->mu);
	return err;
}

int syncer_busy(struct syncer *s)
{
	if (!s->started)
		return 0;
	pthread_mutex_lock(&s->mu);
	int busy = s->fd >= 0;
	pthread_mutex_unlock(&s->mu);
	return busy;
}

int syncer_collect(struct syncer *s, int *result)
{
	int locked = s->started; /* once stopped (or never started) the thread is gone */

	if (locked)
		pthread_mutex_lock(&s->mu);
	int finished = s->finished;
	if (finished) {
		*result = s->result;
		s->finished = 0;
	}
	if (locked)
		pthread_mutex_unlock(&s->mu);
	return finished;
}

void syncer_stop(struct syncer *s)
{
	if (!s->started)
		return;
	pthread_mutex_lock(&s->mu);
	s->stopping = 1;
	pthread_cond_signal(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->thread, NULL); /* after the sync in flight: the loop finishes it first */
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	s->started = 0;
}

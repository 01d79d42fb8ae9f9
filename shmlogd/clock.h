/* clock.h - the clocks shmlogd reads, and their one owner: monotonic for timeouts and deadlines,
 * wall for rotated files' names, retention and time rotation (on UTC boundaries). */
#ifndef SHMLOGD_CLOCK_H
#define SHMLOGD_CLOCK_H

#include <stdint.h>
#include <time.h>

static inline int64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Microseconds: a rotated file's name carries them. */
static inline int64_t wall_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static inline int64_t wall_ms(void)
{
	return wall_us() / 1000;
}

#endif

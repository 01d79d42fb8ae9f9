/* thread.h - starting shmlogd's helper threads (compression, sync). */
#ifndef SHMLOGD_THREAD_H
#define SHMLOGD_THREAD_H

#include <pthread.h>

/* pthread_create with every signal blocked in the new thread: signals are the drain loop's
 * business (its pause_ms() relies on getting SIGTERM, SIGINT and SIGHUP itself). Returns 0 or
 * an errno value, like pthread_create. */
int thread_start(pthread_t *t, void *(*fn)(void *), void *arg);

#endif

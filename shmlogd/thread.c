/* thread.c - helper threads that leave signals to the drain loop (see thread.h). */
#include <signal.h>

#include "thread.h"

int thread_start(pthread_t *t, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;

	/* The new thread inherits the mask in force when it is created. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	int err = pthread_create(t, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

/* worker.h - one worker process of the example server: accepts connections and serves them. */
#ifndef PREFORK_HTTPD_WORKER_H
#define PREFORK_HTTPD_WORKER_H

#include <shmlog.h>
#include <signal.h>

/* Serves connections from LISTEN_FD (non-blocking) until SIGTERM, logging through LOG (the
 * master's handle, inherited across fork()), then flushes the log and exits. SIGTERM must be
 * blocked on entry: the worker only takes it while it waits, so no request is cut half-way. */
void worker_run(int listen_fd, struct shmlog *log, int id) __attribute__((noreturn));

#endif

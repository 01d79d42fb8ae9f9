/* drain.h - the collector proper: attach to the ring, drain it to the output until told to stop. */
#ifndef SHMLOGD_DRAIN_H
#define SHMLOGD_DRAIN_H

#include "options.h"

/* Runs the collector in the foreground until SIGTERM/SIGINT. Returns the process exit status:
 * 0, or a sysexits.h code after printing the reason on stderr. */
int collector_run(const struct options *opt);

#endif

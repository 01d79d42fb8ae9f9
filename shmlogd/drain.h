/* drain.h - the drain protocol: next -> batch -> write -> commit, until told to stop. */
#ifndef SHMLOGD_DRAIN_H
#define SHMLOGD_DRAIN_H

#include "collector.h"

/* Drains the ring of a set-up collector into its output until stop_requested, then writes what
 * was committed when the signal came. Returns the process exit status: 0, or a sysexits.h code
 * after printing the reason on stderr. */
int drain_run(struct collector *c);

#endif

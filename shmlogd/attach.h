/* attach.h - shmlogd's side of opening a ring: consumer, observer, ring id, exit codes. */
#ifndef SHMLOGD_ATTACH_H
#define SHMLOGD_ATTACH_H

#include <stdint.h>

#include "options.h"
#include "shmlog.h"

/* Opens ring o->ring as its consumer (creating it as the options say if it is missing) and as an
 * observer, and fills *ring_id. Returns 0, or a sysexits.h code after printing the library's
 * one-line explanation on stderr; what was opened is left in *cons and *obs for the caller to
 * close. */
int attach_ring(const struct options *o, struct shmlog_consumer **cons,
		struct shmlog_observer **obs, uint64_t *ring_id);

#endif

/* ringcheck.h - how the programs put a ring's health, as shmlog_observer_stats() judges it
 * (enum shmlog_health: the library owns the rules, docs/FORMAT.md section 3), into words, and how
 * full a sound ring is. */
#ifndef SHMLOG_TOOLS_RINGCHECK_H
#define SHMLOG_TOOLS_RINGCHECK_H

#include <stdint.h>
#include <stdio.h>

#include "shmlog.h"

/* The bytes of a sound ring not yet collected; 0 unless st->health is SHMLOG_HEALTH_SOUND. When
 * damaged, BUF names the positions. The head is read before the checkpoint, so on a busy ring
 * the checkpoint may pass the head that was read: that counts as empty. */
static inline uint64_t tool_ring_used(const struct shmlog_stats *st, char *buf, size_t cap)
{
	if (st->health != SHMLOG_HEALTH_SOUND) {
		snprintf(buf, cap, "head at %llu, tail at %llu, checkpoint at %llu, for a data area "
			 "of %llu bytes",
			 (unsigned long long)st->head, (unsigned long long)st->tail_word,
			 (unsigned long long)st->tail, (unsigned long long)st->size);
		return 0;
	}
	return st->head >= st->tail ? st->head - st->tail : 0;
}

#endif

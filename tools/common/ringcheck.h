/* ringcheck.h - whether a ring's positions, as shmlog_observer_stats() reports them, could be
 * real (docs/FORMAT.md, section 3): every position a multiple of RING_ALIGN (16) and at most
 * RING_POS_MAX (2^62). A writer refuses a ring whose head is not, and readers and the collector
 * find nothing to read in it; the tools say so instead of showing an empty or impossibly full
 * ring. (head - tail <= SIZE is not checked: head and tail are read one after the other, and a
 * busy ring can break that between the two reads.) */
#ifndef SHMLOG_TOOLS_RINGCHECK_H
#define SHMLOG_TOOLS_RINGCHECK_H

#include <stdio.h>

#include "shmlog.h"

/* NULL if the positions are possible; else BUF, describing them. */
static inline const char *tool_ring_damage(const struct shmlog_stats *st, char *buf, size_t cap)
{
	if (st->head % 16 == 0 && st->tail % 16 == 0 && st->head <= (1ull << 62) &&
	    st->tail <= (1ull << 62))
		return NULL;
	snprintf(buf, cap, "head at %llu, tail at %llu, for a data area of %llu bytes",
		 (unsigned long long)st->head, (unsigned long long)st->tail,
		 (unsigned long long)st->size);
	return buf;
}

#endif

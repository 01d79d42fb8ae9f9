/* ringcheck.h - whether a ring's positions, as shmlog_observer_stats() reports them, could be
 * real (docs/FORMAT.md, section 3), and how full the ring is when they could.
 *
 * Two kinds of damage differ in what they cost:
 * - a head that is not a multiple of RING_ALIGN (16) or is above RING_POS_MAX (2^62): writers
 *   refuse the ring and readers find nothing in it; only a new ring helps.
 * - a checkpoint (what the stats call the tail) that is misaligned, above RING_POS_MAX, more than
 *   a lap behind the head or more than a lap ahead of it: the collector resumes at the ring's
 *   tail word, or at the oldest intact record, and its next commit writes a sound checkpoint.
 *   Writers and readers go on.
 * The head is read before the checkpoint, so on a busy ring the checkpoint may pass the head that
 * was read (a consumer commits in between): up to a lap ahead counts as empty, not as damage. */
#ifndef SHMLOG_TOOLS_RINGCHECK_H
#define SHMLOG_TOOLS_RINGCHECK_H

#include <stdint.h>
#include <stdio.h>

#include "shmlog.h"

enum tool_ring_health {
	TOOL_RING_SOUND,
	TOOL_RING_CHECKPOINT_DAMAGED, /* the collector recovers */
	TOOL_RING_HEAD_DAMAGED,       /* nothing can be written or read */
};

static inline int tool_ring_pos_ok(uint64_t pos)
{
	return pos % 16 == 0 && pos <= (1ull << 62);
}

/* The ring's health; *used is the bytes not yet collected (0 unless SOUND). When damaged, BUF
 * names the positions. */
static inline enum tool_ring_health tool_ring_health(const struct shmlog_stats *st,
						     uint64_t *used, char *buf, size_t cap)
{
	uint64_t behind = st->head >= st->tail ? st->head - st->tail : 0;
	uint64_t ahead = st->tail > st->head ? st->tail - st->head : 0;
	enum tool_ring_health h = TOOL_RING_SOUND;

	if (!tool_ring_pos_ok(st->head))
		h = TOOL_RING_HEAD_DAMAGED;
	else if (!tool_ring_pos_ok(st->tail) || behind > st->size || ahead > st->size)
		h = TOOL_RING_CHECKPOINT_DAMAGED;

	*used = h == TOOL_RING_SOUND ? behind : 0;
	if (h != TOOL_RING_SOUND)
		snprintf(buf, cap, "head at %llu, checkpoint at %llu, for a data area of %llu bytes",
			 (unsigned long long)st->head, (unsigned long long)st->tail,
			 (unsigned long long)st->size);
	return h;
}

#endif

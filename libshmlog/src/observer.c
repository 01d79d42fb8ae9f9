/* observer.c - a read-only view of a live ring: never writes a byte of shared memory, reports
 * being lapped by writers as an exact count of lost records, never returns a torn record. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"
#include "record.h"
#include "ring.h"

#define INFLIGHT_WAIT_MS 10 /* a record reserved but not committed yet: look again soon */
#define NO_CONSUMER_WAIT_MS 50 /* no collector to wake us: writers only wake through it */
#define CONSUMER_CHECK_MS 1000 /* how long we trust a collector to wake us before checking it */
/* After reading records, look again this soon, by a plain sleep: while records flow we do not
 * wait on the futex at all. A writer waking the consumer wakes every waiter on data_futex, and
 * so does the consumer going idle; followers woken at that rate cost the writers (a wake-up
 * each, and the CPU they then take), and a consumer that never catches up would never wake us
 * anyway. A trickle (fewer than BUSY_RECORDS since the last sleep) still waits on the futex, to
 * be shown at once. */
#define BUSY_WAIT_MS 20
#define BUSY_RECORDS 256 /* records read since the last sleep that make the ring busy */

/* Why seq is unknown: we were lapped, records were abandoned by writers that died, or committed
 * records were damaged afterwards (as the consumer tells the last two apart, consumer.c). */
enum jump { JUMP_NONE, JUMP_LOST, JUMP_ABANDONED, JUMP_DAMAGED };

struct shmlog_observer {
	struct ring r;
	uint64_t cursor, seq;
	uint64_t head;        /* head as last read: see fresh_head() */
	int seq_known;
	enum jump jump;       /* why seq is unknown */
	int behind;           /* lapped since the cursor last reached head: see resync() */
	uint64_t lost, abandoned, damaged; /* not reported yet */
	uint64_t damaged_pos; /* the first of the damaged records */
	uint64_t stall_pos;   /* the record we wait on, and since when */
	int64_t stall_since;
	int have_stash;
	unsigned delivered;   /* records returned since we last slept (saturates) */
	struct shmlog_record stash;
	unsigned char *buf;
	char synth[128];
	struct clock_conv clock;
};

/* head {pos, seq} as one consistent pair: both change together in every CAS2, and pos only
 * grows, so an unchanged pos around the seq load brackets it. */
static void head_snapshot(const struct ring *r, uint64_t *pos, uint64_t *seq)
{
	for (int i = 0; i < 1000; i++) {
		uint64_t p1 = at_load_acquire(&r->hdr->head_pos);
		uint64_t s = at_load_acquire(&r->hdr->head_seq);
		at_fence_read();
		if (at_load(&r->hdr->head_pos) == p1 || i == 999) {
			*pos = p1;
			*seq = s;
			return;
		}
	}
}

/* Writers CAS head for every record they reserve. Reading it for every record we read took the
 * line from the next writer's CAS (as it did for the consumer), so we keep the head we last read
 * and read it again only when the cursor reaches it or a check needs a fresher one. */
static uint64_t fresh_head(struct shmlog_observer *o)
{
	o->head = at_load_acquire(&o->r.hdr->head_pos);
	return o->head;
}

/* Have writers reserved past POS + SIZE, so that what we read at POS may be a newer lap's?
 * Writers reserve at most SIZE past a tail they read, so while the tail has not passed POS
 * nobody has: the tail's line changes once per commit, not once per record, and is the cheap
 * first look. */
static int lapped(struct shmlog_observer *o, uint64_t pos)
{
	/* [B-reserve] our earlier loads complete before we look at tail and head. A writer that
	 * wrote over bytes we copied reserved them against a tail past POS that it had loaded with
	 * acquire (its own cached_tail or the shared tail: both acquire loads of a value the
	 * consumer released), and that acquire orders its later stores; having seen one of those
	 * stores, after our read fence we see that tail too ([B-tail]). A scribbled tail defeats
	 * this, as it defeats writers (FORMAT.md §15.3). */
	at_fence_read();
	if (at_load_acquire(&o->r.hdr->tail) <= pos)
		return 0;
	uint64_t head = fresh_head(o);
	return head > pos && head - pos > o->r.size; /* a head behind us is damage, not a lap */
}

/* Moves the cursor to the first live record at or after FROM (and within the last lap).
 *
 * Where a lapped observer resumes. The first time, at the oldest record still in the ring: with
 * the writers idle (a follower that was stopped, then let go) that shows a whole lap. But while
 * writers write, the oldest record is the next one they overwrite, so an observer resumed there
 * that pauses (shmlogcat does, after reporting a loss), or merely gets no CPU for a moment, is
 * lapped again at once, resumes at the oldest again, and so on: one record a lap for as long as
 * the writers go on, which is how a follower left at damaged bytes a full ring's writers then
 * rushed past never recovered. So once it has been lapped again before catching up with head,
 * it resumes no earlier than the tail: writers reserve at most SIZE past a tail they read, so no
 * record from the tail on can be overwritten before the consumer has moved past it and writers
 * have filled a lap more. What it jumps is still counted exactly, by seq. The tail is shared
 * and may be garbage: bounded to [oldest, head], it costs records at worst, and FROM only moves
 * forwards. */
static void resync(struct shmlog_observer *o, uint64_t from, enum jump why)
{
	const struct ring *r = &o->r;
	uint64_t head = fresh_head(o);
	uint64_t oldest = head > r->size ? head - r->size : 0;
	/* head is shared and may be garbage: scan to an aligned end (an aligned p could step over
	 * an unaligned head near 2^64 and wrap round), and keep our cursor aligned. */
	uint64_t end = head & ~(uint64_t)(RING_ALIGN - 1);
	/* A skip that starts behind the oldest byte was overtaken by writers: a lap too. */
	int overtaken = why == JUMP_LOST || (why != JUMP_NONE && from < oldest);

	if (overtaken && o->behind && head <= RING_POS_MAX) {
		uint64_t tail = at_load_acquire(&r->hdr->tail);
		tail = tail < oldest ? oldest : tail > head ? head : tail;
		if (from < tail)
			from = tail;
	}
	o->behind |= overtaken;
	if (from < oldest)
		from = oldest;
	from = ring_align(from);
	/* Never backwards, even when a damaged head lies behind FROM. */
	o->cursor = ring_align(head) > from ? ring_align(head) : from;
	for (uint64_t p = from; p < end; p += RING_ALIGN)
		if (ring_live_word(r, at_load_acquire(&ring_rec(r, p)->state), p)) {
			o->cursor = p;
			break;
		}
	if (o->seq_known && why != JUMP_NONE)
		o->jump = why;
	o->seq_known = 0;
}

struct shmlog_observer *shmlog_observer_open(const char *name, int start)
{
	struct shmlog_observer *o = calloc(1, sizeof(*o));
	int err;

	if (!o) {
		errno = ENOMEM;
		return NULL;
	}
	err = ring_attach(&o->r, name, NULL, start & SHMLOG_OBSERVE_NOWAIT ? RING_NOWAIT : 0);
	if (err == 0 && !(o->buf = malloc(o->r.max_record)))
		err = set_err(ENOMEM, "out of memory");
	if (err < 0) {
		ring_detach(&o->r);
		free(o->buf);
		free(o);
		errno = -err;
		return NULL;
	}
	clock_conv_init(&o->clock, o->r.clock_source, o->r.tsc_hz);
	o->stall_pos = UINT64_MAX; /* no record watched yet: the grace starts when we see one */
	if ((start & ~SHMLOG_OBSERVE_NOWAIT) == SHMLOG_OBSERVE_NEWEST) {
		head_snapshot(&o->r, &o->cursor, &o->seq);
		o->head = o->cursor;
		o->seq_known = o->cursor % RING_ALIGN == 0;
		o->cursor = ring_align(o->cursor);
	} else {
		resync(o, 0, JUMP_NONE);
	}
	return o;
}

void shmlog_observer_close(struct shmlog_observer *o)
{
	if (!o)
		return;
	ring_detach(&o->r);
	free(o->buf);
	free(o);
}

/* Fills REC as a loss report, like the consumer's: at the seq and position of the record the
 * loss precedes. */
static int synthetic(struct shmlog_observer *o, struct shmlog_record *rec, int event,
		     uint64_t count)
{
	int n = event == SHMLOG_NEXT_DAMAGED
			? snprintf(o->synth, sizeof(o->synth),
				   "skipped %llu damaged record%s at position %llu",
				   (unsigned long long)count, count == 1 ? "" : "s",
				   (unsigned long long)o->damaged_pos)
			: snprintf(o->synth, sizeof(o->synth), "%s %llu records",
				   event == SHMLOG_NEXT_LOST ? "reader was lapped: lost"
							     : "writers died: abandoned",
				   (unsigned long long)count);
	record_synthetic(rec, o->have_stash ? o->stash.seq : o->seq,
			 o->have_stash ? o->stash.pos : o->cursor, 0, count, o->synth, n);
	return event;
}

/* Remembers where damaged records begin, for the report that counts them. */
static void note_damage_at(struct shmlog_observer *o, uint64_t pos)
{
	if (!o->damaged && o->jump != JUMP_DAMAGED)
		o->damaged_pos = pos;
}

/* Accounts for the seq jump to S after a resync or a skip. */
static void adopt_seq(struct shmlog_observer *o, uint64_t s)
{
	/* No more records can be missing than were ever reserved. */
	uint64_t head_seq = at_load_acquire(&o->r.hdr->head_seq);
	uint64_t gap = s >= o->seq && s <= head_seq ? s - o->seq : 0;
	if (o->jump == JUMP_LOST)
		o->lost += gap;
	else if (o->jump == JUMP_ABANDONED)
		o->abandoned += gap;
	else if (o->jump == JUMP_DAMAGED)
		o->damaged += gap;
	o->jump = JUMP_NONE;
	o->seq = s;
	o->seq_known = 1;
}

enum ostep { O_RECORD, O_MOVED, O_EMPTY, O_INFLIGHT };

/* A resync that found no record to resume at leaves the cursor at head with a gap pending, as
 * when a lapped observer resumes at a tail the consumer has brought up to head. The record
 * reserved there next gets head.seq, so the gap is known now: count it now rather than at that
 * record, which may never come (writers that lapped us and stopped). Returns 1 if it did. */
static int settle_at_head(struct shmlog_observer *o)
{
	uint64_t pos, seq;

	if (o->seq_known || o->jump == JUMP_NONE)
		return 0;
	head_snapshot(&o->r, &pos, &seq);
	if (pos != o->cursor)
		return 0;
	adopt_seq(o, seq);
	return 1;
}

/* Without a live consumer nobody skips a dead writer's record for us: past the consumer's grace
 * periods, a CLAIMED record whose owner is dead, or a reservation never claimed, is abandoned. */
static int abandoned_here(struct shmlog_observer *o, uint64_t w)
{
	const struct ring *r = &o->r;
	int64_t now = mono_ms();

	if (o->stall_pos != o->cursor) {
		o->stall_pos = o->cursor;
		o->stall_since = now;
		return 0;
	}
	if (ring_consumer_alive(r))
		return 0;
	if (w == ring_word(r, o->cursor, ST_CLAIMED)) {
		uint64_t meta = at_load(&ring_rec(r, o->cursor)->meta);
		return now - o->stall_since >= GRACE_MS &&
		       !ring_owner_alive(r, meta_slot(meta), meta_gen(meta));
	}
	return now - o->stall_since >= LONG_GRACE_MS;
}

static enum ostep take(struct shmlog_observer *o, struct shmlog_record *rec, uint64_t head)
{
	const struct ring *r = &o->r;
	uint64_t pos = o->cursor;
	const struct rec_hdr *rh = ring_rec(r, pos);
	uint32_t len = meta_len(at_load(&rh->meta));

	/* A record committed after we last read head may end past the head we know. */
	if (!ring_len_valid(r, pos, len, head) && !ring_len_valid(r, pos, len, fresh_head(o))) {
		/* A torn read of a lapped record, or a damaged one: one look decides both. */
		int lap = lapped(o, pos);
		if (!lap)
			note_damage_at(o, pos);
		resync(o, lap ? pos : pos + RING_ALIGN, lap ? JUMP_LOST : JUMP_DAMAGED);
		return O_MOVED;
	}
	memcpy(o->buf, (const void *)rh, len);
	/* A reservation that could have overwritten the copy shows in head. */
	if (lapped(o, pos)) {
		resync(o, pos, JUMP_LOST);
		return O_MOVED;
	}
	const struct rec_hdr *copy = (const void *)o->buf;
	if (copy->state != ring_word(r, pos, ST_COMMITTED) ||
	    record_decode(&o->clock, o->buf, len, rec) < 0) {
		/* With seq unknown there is no reference to count from: we just started. */
		if (o->seq_known) {
			note_damage_at(o, pos);
			o->seq++;
			o->damaged++;
		}
		o->cursor += len;
		return O_MOVED;
	}
	if (!o->seq_known)
		adopt_seq(o, copy->seq);
	rec->seq = o->seq++;
	rec->pos = pos;
	o->cursor += len;
	return O_RECORD;
}

static enum ostep ostep(struct shmlog_observer *o, struct shmlog_record *rec)
{
	const struct ring *r = &o->r;
	uint64_t head = o->head, pos = o->cursor;

	if (head <= pos || head > RING_POS_MAX)
		head = fresh_head(o);
	if (head <= pos || head > RING_POS_MAX) {
		o->behind &= head > pos; /* caught up: a lap from here on starts afresh */
		return settle_at_head(o) ? O_MOVED : O_EMPTY;
	}
	if (head - pos > r->size) {
		resync(o, pos, JUMP_LOST);
		return O_MOVED;
	}
	const struct rec_hdr *rh = ring_rec(r, pos);
	/* [B-commit] pairs with the writer's release of COMMITTED. */
	uint64_t w = at_load_acquire(&rh->state);
	if (w == ring_word(r, pos, ST_COMMITTED))
		return take(o, rec, head);
	if (w == ring_word(r, pos, ST_PADDING)) {
		uint64_t len = r->size - (pos & r->mask);
		/* meta before the lap check, which then covers it too: a newer lap's meta read
		 * here must show as a lap (LOST), not as damage (ABANDONED). */
		uint32_t meta_length = meta_len(at_load(&rh->meta));
		if (lapped(o, pos))
			resync(o, pos, JUMP_LOST);
		else if (meta_length != len) {
			note_damage_at(o, pos);
			resync(o, pos + RING_ALIGN, JUMP_DAMAGED);
		}
		else
			o->cursor += len;
		return O_MOVED;
	}
	/* Not committed. If writers lapped us meanwhile, what we read is a newer lap's. */
	if (lapped(o, pos)) {
		resync(o, pos, JUMP_LOST);
		return O_MOVED;
	}
	/* Claimed, reserved or skipped. Once the consumer has moved past, it judged the record
	 * abandoned, and so do we; with no consumer, we judge by the same rules it would. */
	uint64_t cp_pos, cp_seq;
	ring_read_checkpoint(r, &cp_pos, &cp_seq);
	/* The consumer may have passed pos because the writer committed after we looked and the
	 * consumer read the record: [B-cp] makes the word it saw visible to us now, so look again
	 * before calling the record abandoned. */
	if (cp_pos > pos && at_load_acquire(&rh->state) != w)
		return O_MOVED;
	if (cp_pos > pos || abandoned_here(o, w)) {
		resync(o, pos + RING_ALIGN, JUMP_ABANDONED);
		return O_MOVED;
	}
	return O_INFLIGHT;
}

int shmlog_observer_next(struct shmlog_observer *o, struct shmlog_record *rec, int timeout_ms)
{
	int64_t deadline = -1; /* set at the first wait (wait_left_ms) */

	if (!o || !rec)
		return -EINVAL;
	for (;;) {
		if (o->lost || o->damaged || o->abandoned) {
			int ev = o->lost ? SHMLOG_NEXT_LOST
				 : o->damaged ? SHMLOG_NEXT_DAMAGED : SHMLOG_NEXT_ABANDONED;
			uint64_t *n = o->lost ? &o->lost : o->damaged ? &o->damaged : &o->abandoned;
			uint64_t count = *n;
			*n = 0;
			return synthetic(o, rec, ev, count);
		}
		if (o->have_stash) {
			o->have_stash = 0;
			*rec = o->stash;
			o->delivered += o->delivered < UINT_MAX;
			return SHMLOG_NEXT_RECORD;
		}
		unsigned v = at_load32_acquire(&o->r.hdr->data_futex);
		enum ostep s = ostep(o, rec);
		if (s == O_RECORD) {
			if (o->lost || o->damaged || o->abandoned) {
				o->stash = *rec;
				o->have_stash = 1;
				continue;
			}
			o->delivered += o->delivered < UINT_MAX;
			return SHMLOG_NEXT_RECORD;
		}
		if (s == O_MOVED)
			continue;
		if (timeout_ms == 0)
			return SHMLOG_NEXT_EMPTY;
		int64_t left = wait_left_ms(&deadline, timeout_ms);
		if (left == 0)
			return SHMLOG_NEXT_EMPTY;
		/* Writers wake us only through a live consumer (see ring.h): without one, look
		 * again soon; with one, still check now and then that it has not died. While
		 * records flow, look again soon, asleep off the futex. */
		int busy = o->delivered >= BUSY_RECORDS && s != O_INFLIGHT;
		int cap = s == O_INFLIGHT		? INFLIGHT_WAIT_MS
			  : o->delivered		? BUSY_WAIT_MS
			  : ring_consumer_alive(&o->r) ? CONSUMER_CHECK_MS
						  : NO_CONSUMER_WAIT_MS;
		o->delivered = 0;
		if (cap >= 0 && (left < 0 || cap < left))
			left = cap;
		if (busy) {
			struct timespec ts = {left / 1000, (long)(left % 1000) * 1000000};
			nanosleep(&ts, NULL);
		} else {
			futex_wait(&o->r.hdr->data_futex, v, left > INT32_MAX ? -1 : (int)left);
		}
	}
}

int shmlog_observer_stats(struct shmlog_observer *o, struct shmlog_stats *st,
			  struct shmlog_producer_info *producers, size_t max)
{
	if (!o || !st)
		return -EINVAL;
	const struct ring *r = &o->r;
	const struct ring_hdr *h = r->hdr;

	memset(st, 0, sizeof(*st));
	st->layout_version = RING_LAYOUT_VERSION;
	st->ring_id = h->ring_id;
	st->size = r->size;
	head_snapshot(r, &st->head, &st->head_seq);
	st->tail_word = at_load_acquire(&h->tail);
	ring_read_checkpoint(r, &st->tail, &st->tail_seq);
	st->tail_seq &= ~(1ull << 63);
	st->health = ring_health(r, st->head, st->tail_word, st->tail,
				 at_load_acquire(&h->head_pos));
	if (st->health == SHMLOG_HEALTH_SOUND && st->head >= st->tail)
		st->used = st->head - st->tail;
	st->drops = at_load(&h->drops);
	st->abandoned = at_load(&h->abandoned);
	st->policy = (int)at_load32(&h->policy);
	st->full_timeout_ms = (int)at_load32(&h->full_timeout_ms);
	st->min_level = (int)at_load32(&h->min_level);
	st->consumer_pid = (pid_t)at_load(&h->consumer_pid);
	st->consumer_alive = ring_consumer_alive(r);
	st->created_ns = h->created_ns;
	st->owner_uid = r->owner_uid;
	st->owner_gid = r->owner_gid;
	st->mode = r->mode;
	for (uint32_t i = 0; i < RING_SLOTS; i++) {
		const struct ring_slot *s = &r->slots[i];
		/* [B-slot] acquire: then the pid, comm and counters its owner wrote. */
		unsigned state = slot_st(at_load32_acquire(&s->state));
		if (state != SLOT_LIVE && state != SLOT_CLOSED)
			continue;
		int alive = state == SLOT_LIVE && proc_alive((pid_t)s->pid, s->start);
		st->producers_live += alive;
		if (!producers || st->nproducers >= max)
			continue;
		struct shmlog_producer_info *p = &producers[st->nproducers++];
		p->slot = i;
		p->pid = (pid_t)s->pid;
		memcpy(p->comm, s->comm, sizeof(p->comm));
		p->comm[15] = '\0';
		p->drops = at_load(&s->drops);
		p->consumed = at_load(&s->consumed);
		p->abandoned = at_load(&s->abandoned);
		p->alive = alive;
	}
	return 0;
}

int shmlog_stats_positions(const struct shmlog_stats *st, char *buf, size_t cap)
{
	return snprintf(buf, cap, "head at %llu, tail at %llu, checkpoint at %llu, for a data area "
			"of %llu bytes",
			(unsigned long long)st->head, (unsigned long long)st->tail_word,
			(unsigned long long)st->tail, (unsigned long long)st->size);
}

/* consumer.c - the ring's one consumer: reads committed records in order, recovers records of
 * dead writers, reports loss, and hands space back only when told the records are stored.
 *
 * The protocol is in ring.h. State private to this file: the cursor (next record to read) runs
 * ahead of the shared checkpoint/tail, which move only in shmlog_consumer_commit().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "record.h"
#include "ring.h"
#include "testhook.h"

#define DROP_CHECK_EVERY 256
#define RECLAIM_EVERY_MS 1000
#define SEQ_UNKNOWN (1ull << 63) /* checkpoint flag: the seq at pos is not known yet */
#define NAP_MS 1 /* first idle sleep, unannounced: writers in a burst skip FUTEX_WAKE */

/* A drop report returned by next() and not yet settled. A commit whose mark comes after it
 * settles it: adds its count to the slot's drops_reported. */
struct report {
	uint64_t index; /* the how-manieth report */
	uint64_t count;
	uint32_t slot;
	unsigned word;  /* the slot's state word when reported: its owner */
};

struct shmlog_consumer {
	struct ring r;
	uint64_t cursor, seq; /* next record to read and its sequence number */
	uint64_t head;        /* head as last read: reloaded only when the cursor reaches it */
	int seq_known;        /* 0 after a skip: adopt the next committed record's seq */
	int seq_ref;          /* seq is a sound reference to count a gap from (not garbage) */
	uint64_t cp_gen;
	uint64_t stall_pos;   /* the record we are waiting on, and since when */
	int64_t stall_since;
	int64_t inflight_wait; /* backoff while a record is in flight: 1 ms, doubling */
	uint64_t abandoned;   /* skipped records not yet reported, and whose (0: unknown) */
	uint32_t abandoned_pid;
	uint64_t damaged;     /* committed records found damaged, not yet reported, and where */
	uint64_t damaged_pos;
	int gap_damaged;      /* the seq jump ahead (seq_known 0) is damage at gap_pos, not death */
	uint64_t gap_pos;
	uint64_t seen_drops;
	uint32_t until_drop_check, drop_scan;
	struct report *reps;                /* drop reports not yet settled, oldest first: */
	size_t rep_head, rep_tail, rep_cap; /* [rep_head, rep_tail) of reps */
	uint64_t reports;                   /* drop reports returned: marks name a count */
	uint64_t committed;                 /* the position of our last commit (or of open) */
	int64_t last_reclaim;
	int delivered;        /* records handed out since we last went idle */
	int napped;           /* this idle spell began with a nap already */
	sw32 interrupted;
	int have_stash;       /* a record parsed but held back behind a loss report */
	struct shmlog_record stash;
	unsigned char *buf;   /* the current record, copied out of shared memory */
	char synth[160];
	uint64_t my_pid, my_start;
	struct clock_conv clock;
	unsigned fork_gen;    /* ring_fork_gen at open: a handle inherited by a child is refused */
};

/* Could POS be where the consumer resumes: aligned, reserved, within one lap of head? */
static int pos_sane(const struct ring *r, uint64_t pos, uint64_t head)
{
	return pos % RING_ALIGN == 0 && pos <= head && head - pos <= r->size;
}

/* Whether SEQ can be the sequence number of the record at POS, the checkpoint's pair. Each
 * reservation takes a seq and at least ring_align(REC_HDR_SIZE) bytes, so head_seq - seq can be
 * no more than the records that fit between pos and head (head_seq is loaded before head, so a
 * writer reserving in between only loosens the bound). Where the record at pos, or past a
 * padding record the one at the next lap's start, is committed, its own seq must agree unless it
 * fails the same bound (then the record is the damaged one): the tail never passes the
 * checkpoint, so no writer rewrites that record. A seq that fails would misnumber every record
 * from here on, and callers that recognise records by seq (shmlogd) would drop or repeat them. */
static int seq_sane(const struct ring *r, uint64_t pos, uint64_t seq)
{
	const uint64_t min_resv = ring_align(REC_HDR_SIZE);
	uint64_t head_seq = at_load(&r->hdr->head_seq), head = at_load(&r->hdr->head_pos);

	if (head < pos)
		return 0;
	uint64_t most = (head - pos) / min_resv; /* reservations that fit in [pos, head) */
	if (seq > head_seq || head_seq - seq > most)
		return 0;
	for (int i = 0; i < 2 && pos < head; i++) {
		const struct rec_hdr *rh = ring_rec(r, pos);
		/* [B-commit] the seq below was stored before COMMITTED was released. */
		uint64_t w = at_load_acquire(&rh->state);
		if (w == ring_word(r, pos, ST_COMMITTED)) {
			uint64_t own = rh->seq;
			return own == seq || own > head_seq || head_seq - own > most;
		}
		if (w != ring_word(r, pos, ST_PADDING))
			return 1; /* in flight or skipped: nothing more to compare with */
		pos = (pos | r->mask) + 1;
	}
	return 1;
}

/* The first self-identifying record of the last lap before head, or head itself. */
static uint64_t oldest_live(const struct ring *r, uint64_t head)
{
	uint64_t p = ring_align(head > r->size ? head - r->size : 0);
	for (head &= ~(uint64_t)(RING_ALIGN - 1); p < head; p += RING_ALIGN)
		if (ring_live_word(r, at_load(&ring_rec(r, p)->state), p))
			return p;
	return head;
}

/* A ring whose head is impossible, or whose tail and checkpoint both are, is refused before the
 * role is claimed, so that the ring stays as it was for whoever looks at it next: resuming there
 * would move the tail up to the damaged head, and writers would then fill a ring that lost
 * everything before it. With one of the two sound the consumer resumes from it, and repairs the
 * tail at open (shmlog_consumer_open). */
static int refuse_damaged(const struct ring *r)
{
	uint64_t head = at_load_acquire(&r->hdr->head_pos), tail = at_load_acquire(&r->hdr->tail);
	uint64_t cp, seq;

	ring_read_checkpoint(r, &cp, &seq);
	uint64_t after = at_load_acquire(&r->hdr->head_pos);
	if (ring_head_sane(head) &&
	    (ring_pos_sane(r, head, tail, after) || ring_pos_sane(r, head, cp, after)))
		return 0;
	return ring_refuse_damaged(r, head, tail);
}

/* ------------------------------------------------------------------ claim of the role */

static int claim_role(struct shmlog_consumer *c)
{
	struct ring_hdr *h = c->r.hdr;

	c->my_pid = (uint64_t)getpid();
	c->my_start = proc_start_time(getpid());
	for (int tries = 0; tries < 100; tries++) {
		uint64_t pid = at_load(&h->consumer_pid), start = at_load(&h->consumer_start);
		if (pid && (pid == c->my_pid || proc_alive((pid_t)pid, start)))
			return set_err(EBUSY,
				       "ring '%s' already has a collector: pid %llu; stop it first "
				       "(one consumer per ring)",
				       c->r.name, (unsigned long long)pid);
		if (at_cas2_full(&h->consumer_pid, pid, start, c->my_pid, c->my_start))
			return 0;
	}
	return set_err(EBUSY, "ring '%s': could not take the consumer role", c->r.name);
}

struct shmlog_consumer *shmlog_consumer_open(const char *name, const struct shmlog_options *opts)
{
	struct shmlog_consumer *c = calloc(1, sizeof(*c));
	int err;

	if (!c) {
		errno = -set_err(ENOMEM, "out of memory");
		return NULL;
	}
	err = ring_attach(&c->r, name, opts, ring_open_how(opts) | RING_WRITE | RING_TRUSTED);
	if (err == 0 && !(c->buf = malloc(c->r.max_record)))
		err = set_err(ENOMEM, "out of memory");
	if (err == 0)
		err = refuse_damaged(&c->r);
	if (err == 0)
		err = claim_role(c);
	if (err < 0) {
		ring_detach(&c->r);
		free(c->buf);
		free(c);
		errno = -err;
		return NULL;
	}
	struct ring_hdr *h = c->r.hdr;
	uint64_t seq, head = at_load(&h->head_pos);
	ring_read_checkpoint(&c->r, &c->cursor, &seq);
	c->seq = seq & ~SEQ_UNKNOWN;
	c->seq_known = !(seq & SEQ_UNKNOWN);
	c->seq_ref = 1;
	if (!pos_sane(&c->r, c->cursor, head)) {
		/* A damaged checkpoint: resume at the tail, which writers never pass; failing
		 * that, at the oldest record still in the ring. */
		uint64_t tail = at_load(&h->tail);
		c->cursor = pos_sane(&c->r, tail, head) ? tail : oldest_live(&c->r, head);
		c->seq_known = 0;
		c->seq_ref = 0; /* the pair's seq is as damaged as its pos: count no gap from it */
	} else if (c->seq_known && !seq_sane(&c->r, c->cursor, c->seq)) {
		c->seq_known = 0;
		c->seq_ref = 0; /* take the writers' numbering at the next record */
	}
	c->fork_gen = at_load32(&ring_fork_gen);
	c->cp_gen = at_load(&h->cp_gen);
	c->committed = c->cursor;
	/* A predecessor killed between checkpoint and tail left the tail behind: catch it up. A
	 * tail above the head is damage that stops every writer: put it where we resume. */
	uint64_t tail = at_load(&h->tail);
	if (tail < c->cursor || tail > at_load(&h->head_pos))
		at_store_release(&h->tail, c->cursor);
	clock_conv_init(&c->clock, c->r.clock_source, c->r.tsc_hz);
	c->stall_pos = UINT64_MAX; /* no record watched yet: the grace starts when we see one */
	c->seen_drops = (uint64_t)-1;
	c->inflight_wait = 1;
	c->last_reclaim = mono_ms();
	return c;
}

static int in_child(const struct shmlog_consumer *c)
{
	return at_load32(&ring_fork_gen) != c->fork_gen;
}

void shmlog_consumer_close(struct shmlog_consumer *c)
{
	if (!c)
		return;
	/* In a child after fork() the role is still the parent's: only drop our copy. */
	if (!in_child(c))
		at_cas2_full(&c->r.hdr->consumer_pid, c->my_pid, c->my_start, 0, 0);
	ring_detach(&c->r);
	free(c->reps);
	free(c->buf);
	free(c);
}

void shmlog_consumer_checkpoint(const struct shmlog_consumer *c, uint64_t *pos, uint64_t *seq)
{
	uint64_t s;
	ring_read_checkpoint(&c->r, pos, &s);
	*seq = s & ~SEQ_UNKNOWN;
}

void shmlog_consumer_interrupt(struct shmlog_consumer *c)
{
	at_store32_release(&c->interrupted, 1);
	at_fetch_add32_full(&c->r.hdr->data_futex, 1);
	futex_wake_all(&c->r.hdr->data_futex);
}

/* ------------------------------------------------------------------ loss reports */

/* Fills REC as a loss report whose message, N bytes, the caller wrote to c->synth. It carries the
 * seq and position of the next record to be delivered, the point in the stream where the loss
 * shows. */
static int synthetic_as(struct shmlog_consumer *c, struct shmlog_record *rec, int event,
			uint32_t pid, uint64_t count, int n)
{
	record_synthetic(rec, c->have_stash ? c->stash.seq : c->seq,
			 c->have_stash ? c->stash.pos : c->cursor, pid, count, c->synth, n);
	return event;
}

/* Fills REC as a loss report: "pid 4711 dropped 52 records (ring full)". */
static int synthetic(struct shmlog_consumer *c, struct shmlog_record *rec, int event, uint32_t pid,
		     uint64_t count, const char *verb, const char *why)
{
	int n = pid ? snprintf(c->synth, sizeof(c->synth), "pid %u %s %llu records (%s)", pid, verb,
			       (unsigned long long)count, why)
		    : snprintf(c->synth, sizeof(c->synth), "%s %llu records (%s)", verb,
			       (unsigned long long)count, why);
	return synthetic_as(c, rec, event, pid, count, n);
}

static int remember_report(struct shmlog_consumer *c, uint32_t slot, unsigned word,
			   uint64_t count)
{
	if (c->rep_tail == c->rep_cap) {
		if (c->rep_head > 0) {
			memmove(c->reps, c->reps + c->rep_head,
				(c->rep_tail - c->rep_head) * sizeof(*c->reps));
			c->rep_tail -= c->rep_head;
			c->rep_head = 0;
		} else {
			size_t cap = c->rep_cap ? c->rep_cap * 2 : 64;
			struct report *p = realloc(c->reps, cap * sizeof(*p));
			if (!p)
				return -ENOMEM;
			c->reps = p;
			c->rep_cap = cap;
		}
	}
	c->reps[c->rep_tail++] = (struct report){c->reports++, count, slot, word};
	return 0;
}

/* Drops of the slot's owner (its state word WORD) reported but not settled yet. A report made
 * under another generation belonged to a former owner, whose counters the new one reset. */
static uint64_t unsettled(const struct shmlog_consumer *c, uint32_t slot, unsigned word)
{
	uint64_t n = 0;

	for (size_t k = c->rep_head; k < c->rep_tail; k++)
		if (c->reps[k].slot == slot && slot_gen(c->reps[k].word) == slot_gen(word))
			n += c->reps[k].count;
	return n;
}

/* Finds a producer whose drop counter is ahead of what was reported. */
static int report_drops(struct shmlog_consumer *c, struct shmlog_record *rec)
{
	uint64_t total = at_load(&c->r.hdr->drops);
	if (total == c->seen_drops)
		return 0;
	for (uint32_t n = 0; n < RING_SLOTS; n++) {
		uint32_t i = (c->drop_scan + n) % RING_SLOTS;
		struct ring_slot *s = &c->r.slots[i];
		/* [B-slot] acquire: then the drops of the owner this word names. */
		unsigned w = at_load32_acquire(&s->state), st = slot_st(w);
		if (st != SLOT_LIVE && st != SLOT_CLOSED)
			continue;
		uint64_t d = at_load(&s->drops);
		uint64_t r = at_load(&s->drops_reported) + unsettled(c, i, w);
		if (d > r) {
			if (remember_report(c, i, w, d - r) < 0)
				return 0; /* out of memory: report it later */
			c->drop_scan = i + 1;
			return synthetic(c, rec, SHMLOG_NEXT_DROPPED, s->pid, d - r, "dropped",
					 "ring full");
		}
	}
	c->seen_drops = total;
	return 0;
}

/* The slot a record was written through, if it still belongs to that record's writer. */
static struct ring_slot *owner_slot(const struct ring *r, uint64_t meta)
{
	uint32_t slot = meta_slot(meta);
	if (slot >= RING_SLOTS)
		return NULL;
	struct ring_slot *s = &r->slots[slot];
	/* [B-slot] plain: the generation alone is compared; the caller's counters are atomic. */
	return (slot_gen(at_load32(&s->state)) & 0xff) == meta_gen(meta) ? s : NULL;
}

/* Committed records whose bytes were damaged after their writer wrote them (a stray write into
 * the ring): skipped, and reported as damage at POS, not as records of a writer that died. */
static void note_damaged(struct shmlog_consumer *c, uint64_t n, uint64_t pos)
{
	if (!c->damaged)
		c->damaged_pos = pos;
	c->damaged += n;
	at_fetch_add_full(&c->r.hdr->abandoned, n); /* the header's count of records skipped */
}

/* From here on the seq is unknown: the next committed record's own seq says how many records
 * were skipped, and the first cause of the run (DAMAGED at POS, or a dead writer) names them. */
static void seq_gap(struct shmlog_consumer *c, int damaged, uint64_t pos)
{
	if (c->seq_known) {
		c->gap_damaged = damaged;
		c->gap_pos = pos;
	}
	c->seq_known = 0;
}

static void note_abandoned(struct shmlog_consumer *c, uint64_t n, struct ring_slot *s,
			   uint32_t pid)
{
	c->abandoned += n;
	c->abandoned_pid = c->abandoned_pid && c->abandoned_pid != pid ? 0 : pid;
	at_fetch_add_full(&c->r.hdr->abandoned, n);
	if (s)
		at_store(&s->abandoned, at_load(&s->abandoned) + n);
}

/* ------------------------------------------------------------------ reading */

/* STEP_STUCK: damaged bytes at the cursor and no live record after them yet; a writer's next
 * commit (which wakes us) makes one. */
enum step { STEP_RECORD, STEP_MOVED, STEP_EMPTY, STEP_INFLIGHT, STEP_STUCK };

/* Marks [cursor, Q) SKIPPED, where Q is the first live record after the cursor; a writer still
 * to claim in there then fails its claim CAS and cannot write into space we hand back. DAMAGED:
 * the cursor is at a committed record whose bytes no longer parse, rather than at a reservation
 * a dead writer left. Returns STEP_MOVED, or STEP_STUCK when no live record follows yet (keep
 * waiting). */
static enum step skip_to_next_live(struct shmlog_consumer *c, uint64_t from, uint64_t head,
				   int64_t *wait_ms, int damaged)
{
	struct ring *r = &c->r;
	uint64_t limit = c->cursor + r->size;

	/* A skip needs every reservation made so far, not the ones we knew of. Scan to an aligned
	 * end: an aligned p could step over a damaged, unaligned head and wrap round. */
	head = c->head = at_load(&r->hdr->head_pos);
	if (head > limit)
		head = limit;
	head &= ~(uint64_t)(RING_ALIGN - 1);
	uint64_t q = head;
	for (uint64_t p = from; p < head; p += RING_ALIGN)
		if (ring_live_word(r, at_load(&ring_rec(r, p)->state), p)) {
			q = p;
			break;
		}
	if (q >= head) {
		*wait_ms = GRACE_MS;
		return STEP_STUCK;
	}
	if (q == c->cursor)
		return STEP_MOVED; /* the late writer claimed: nothing to skip after all */
	for (uint64_t p = from; p < q; p += RING_ALIGN) {
		sw64 *w = &ring_rec(r, p)->state;
		for (;;) {
			uint64_t v = at_load(w);
			if (v == ring_word(r, p, ST_SKIPPED))
				break;
			if (ring_live_word(r, v, p)) {
				q = p; /* a late writer claimed here first: its record is live */
				break;
			}
			if (at_cas_full(w, v, ring_word(r, p, ST_SKIPPED)))
				break;
		}
		TESTHOOK(CONSUMER_MID_SKIP);
	}
	seq_gap(c, damaged, c->cursor);
	c->cursor = q;
	c->stall_pos = UINT64_MAX;
	return STEP_MOVED;
}

/* Past its grace period, is the record at the cursor stuck for good? */
static int stalled_for(struct shmlog_consumer *c, int64_t grace, int64_t *left)
{
	int64_t now = mono_ms();
	if (c->stall_pos != c->cursor) {
		c->stall_pos = c->cursor;
		c->stall_since = now;
	}
	*left = c->stall_since + grace - now;
	return *left <= 0;
}

static enum step take_committed(struct shmlog_consumer *c, struct shmlog_record *rec,
				uint64_t head, int64_t *wait_ms)
{
	struct ring *r = &c->r;
	struct rec_hdr *rh = ring_rec(r, c->cursor);
	uint32_t len = meta_len(at_load(&rh->meta));

	if (!ring_len_valid(r, c->cursor, len, head))
		return skip_to_next_live(c, c->cursor + RING_ALIGN, head, wait_ms, 1);
	memcpy(c->buf, rh, len);
	const struct rec_hdr *copy = (const void *)c->buf;
	if (record_decode(&c->clock, c->buf, len, rec) < 0) {
		/* Length sound, body not: step over it; the seq jump counts it. */
		seq_gap(c, 1, c->cursor);
		c->cursor += len;
		return STEP_MOVED;
	}
	if (!c->seq_known) {
		uint64_t s = copy->seq;
		uint64_t gap = s >= c->seq && s - c->seq <= r->size / RING_ALIGN ? s - c->seq : 1;
		if (!c->seq_ref) {
			c->seq = s; /* nothing sound to count from: take the writers' numbering */
			gap = 0;
			c->seq_ref = 1;
		}
		if (gap && c->gap_damaged)
			note_damaged(c, gap, c->gap_pos);
		else if (gap)
			note_abandoned(c, gap, NULL, 0);
		c->gap_damaged = 0;
		c->seq += gap;
		c->seq_known = 1;
	}
	rec->seq = c->seq++;
	rec->pos = c->cursor;
	c->cursor += len;
	struct ring_slot *s = owner_slot(r, copy->meta);
	if (s)
		at_store(&s->consumed, at_load(&s->consumed) + 1);
	return STEP_RECORD;
}

static enum step step(struct shmlog_consumer *c, struct shmlog_record *rec, int64_t *wait_ms)
{
	struct ring *r = &c->r;
	uint64_t pos = c->cursor;

	/* Reading head pulls its line away from the next writer's CAS: only look when the
	 * reservations we already know of are used up. */
	if (c->head <= pos)
		c->head = at_load(&r->hdr->head_pos);
	uint64_t head = c->head;
	if (head <= pos || head > RING_POS_MAX)
		return STEP_EMPTY;
	if (head - pos > r->size)
		head = pos + r->size; /* a damaged head: never read past one lap */
	struct rec_hdr *rh = ring_rec(r, pos);
	/* [B-commit] pairs with the writer's release of COMMITTED. */
	uint64_t w = at_load_acquire(&rh->state);

	if (w == ring_word(r, pos, ST_COMMITTED))
		return take_committed(c, rec, head, wait_ms);
	if (w == ring_word(r, pos, ST_PADDING)) {
		uint64_t len = meta_len(at_load(&rh->meta));
		if (len != r->size - (pos & r->mask) || pos + len > head)
			return skip_to_next_live(c, pos + RING_ALIGN, head, wait_ms, 1);
		c->cursor += len;
		return STEP_MOVED;
	}
	if (w == ring_word(r, pos, ST_CLAIMED)) {
		if (!stalled_for(c, GRACE_MS, wait_ms))
			return STEP_INFLIGHT;
		uint64_t meta = at_load(&rh->meta);
		if (ring_owner_alive(r, meta_slot(meta), meta_gen(meta))) {
			c->stall_since = mono_ms(); /* check again a grace period from now */
			*wait_ms = GRACE_MS;
			return STEP_INFLIGHT;
		}
		uint32_t len = meta_len(meta);
		struct ring_slot *owner = owner_slot(r, meta);
		uint32_t pid = owner ? owner->pid : 0; /* a reused slot names someone else */
		if (!ring_len_valid(r, pos, len, head))
			return skip_to_next_live(c, pos + RING_ALIGN, head, wait_ms, 0);
		c->cursor += len;
		/* With seq unknown, the jump to the next record's seq counts this one. */
		if (c->seq_known) {
			note_abandoned(c, 1, owner, pid);
			c->seq++;
		}
		return STEP_MOVED;
	}
	if (w == ring_word(r, pos, ST_SKIPPED))
		return skip_to_next_live(c, pos, head, wait_ms, 0); /* a predecessor began it */
	/* Reserved, not claimed yet: its writer is slow, stopped, or died right after its CAS. */
	if (!stalled_for(c, LONG_GRACE_MS, wait_ms))
		return STEP_INFLIGHT;
	return skip_to_next_live(c, pos, head, wait_ms, 0);
}

/* Sleeps until a writer commits, the timeout passes, or we are interrupted. */
static void wait_for_data(struct shmlog_consumer *c, int64_t timeout_ms, enum step s)
{
	int inflight = s == STEP_INFLIGHT;
	struct ring_hdr *h = c->r.hdr;

	if (c->delivered) {
		/* Going idle after delivering: wake followers, whom writers only wake through us. */
		c->delivered = 0;
		c->napped = 0;
		at_fetch_add32_full(&h->data_futex, 1);
		futex_wake_all(&h->data_futex);
	}
	unsigned v = at_load32(&h->data_futex);
	if (s == STEP_EMPTY && !c->napped) {
		/* A writer pays a syscall to wake us only if we said we sleep: in a burst with
		 * short gaps, a brief unannounced nap lets it skip that. One extra wake-up per
		 * idle spell, then we sleep for good. */
		c->napped = 1;
		if (!at_load32(&c->interrupted))
			futex_wait(&h->data_futex, v,
				   timeout_ms >= 0 && timeout_ms < NAP_MS ? (int)timeout_ms : NAP_MS);
		return;
	}
	at_store32_release(&h->consumer_sleeping, 1);
	/* [B-sleep] pairs with the writer's CAS2 on head then load of consumer_sleeping. */
	at_fence_full();
	uint64_t w = at_load_acquire(&ring_rec(&c->r, c->cursor)->state);
	uint64_t head = at_load(&h->head_pos);
	int idle = head <= c->cursor || head > RING_POS_MAX; /* nothing we can read */
	/* The record we wait on may have been committed since we looked; and a writer that
	 * committed before seeing our flag has not woken us, so in-flight sleeps stay short
	 * (doubling from 1 ms) instead of lasting a whole grace period. */
	if (inflight && w != ring_word(&c->r, c->cursor, ST_COMMITTED)) {
		if (timeout_ms < 0 || c->inflight_wait < timeout_ms)
			timeout_ms = c->inflight_wait;
		c->inflight_wait = c->inflight_wait * 2 < GRACE_MS ? c->inflight_wait * 2 : GRACE_MS;
	} else if (!idle && s != STEP_STUCK) {
		timeout_ms = 0; /* committed or reserved since we looked: go and see */
	}
	if (timeout_ms != 0 && !at_load32(&c->interrupted))
		futex_wait(&h->data_futex, v, timeout_ms > INT32_MAX ? -1 : (int)timeout_ms);
	at_store32_release(&h->consumer_sleeping, 0);
}

/* What next() owes before it reads on: a damage or abandonment report, then the record read
 * before it and stashed so that the report comes first, in stream order. Returns the event, or
 * -1 when nothing is owed. */
static int owed_event(struct shmlog_consumer *c, struct shmlog_record *rec)
{
	if (c->damaged) {
		uint64_t n = c->damaged;
		c->damaged = 0;
		int len = snprintf(c->synth, sizeof(c->synth),
				   "skipped %llu damaged record%s at position %llu (its bytes "
				   "in the ring were overwritten after it was committed)",
				   (unsigned long long)n, n == 1 ? "" : "s",
				   (unsigned long long)c->damaged_pos);
		return synthetic_as(c, rec, SHMLOG_NEXT_DAMAGED, 0, n, len);
	}
	if (c->abandoned) {
		uint64_t n = c->abandoned;
		c->abandoned = 0;
		synthetic(c, rec, SHMLOG_NEXT_ABANDONED, c->abandoned_pid, n, "abandoned",
			  "writer died before committing");
		c->abandoned_pid = 0;
		return SHMLOG_NEXT_ABANDONED;
	}
	if (c->have_stash) {
		c->have_stash = 0;
		*rec = c->stash;
		c->delivered = 1;
		return SHMLOG_NEXT_RECORD;
	}
	return -1;
}

int shmlog_consumer_next(struct shmlog_consumer *c, struct shmlog_record *rec, int timeout_ms)
{
	/* The clock is read only once we have to wait: the collector calls us with timeout 0
	 * for every record of a busy ring, and a clock read would be a good part of its cost. */
	int64_t deadline = -1;

	if (!c || !rec)
		return -EINVAL;
	if (in_child(c))
		return set_err(EBUSY, "a consumer handle cannot be used in a child after fork(): "
				      "open a new one there");
	for (;;) {
		int owed = owed_event(c, rec);
		if (owed >= 0)
			return owed;
		if (c->until_drop_check-- == 0) {
			c->until_drop_check = DROP_CHECK_EVERY;
			if (report_drops(c, rec))
				return SHMLOG_NEXT_DROPPED;
		}
		int64_t wait_ms = -1;
		enum step s = step(c, rec, &wait_ms);
		if (s != STEP_INFLIGHT)
			c->inflight_wait = 1;
		if (s == STEP_RECORD) {
			if (c->abandoned || c->damaged) {
				c->stash = *rec; /* report the loss first, in stream order */
				c->have_stash = 1;
				continue;
			}
			c->delivered = 1;
			return SHMLOG_NEXT_RECORD;
		}
		if (s == STEP_MOVED)
			continue;
		if (s == STEP_EMPTY && report_drops(c, rec))
			return SHMLOG_NEXT_DROPPED;
		/* Taken with a CAS, not a load and a store: another thread (a collector's storing
		 * thread) may interrupt us again in between, and that must not be wiped out. */
		if (at_load32(&c->interrupted) && at_cas32_full(&c->interrupted, 1, 0))
			return SHMLOG_NEXT_EMPTY;
		if (timeout_ms == 0)
			return SHMLOG_NEXT_EMPTY;
		int64_t left = wait_left_ms(&deadline, timeout_ms);
		if (left == 0)
			return SHMLOG_NEXT_EMPTY;
		if ((s == STEP_INFLIGHT || s == STEP_STUCK) && (left < 0 || wait_ms < left))
			left = wait_ms < 1 ? 1 : wait_ms;
		wait_for_data(c, left, s);
	}
}

/* ------------------------------------------------------------------ commit */

/* Settles the drop reports returned before report number UPTO: they are stored. */
static void settle_reports(struct shmlog_consumer *c, uint64_t upto)
{
	while (c->rep_head < c->rep_tail && c->reps[c->rep_head].index < upto) {
		const struct report *p = &c->reps[c->rep_head++];
		struct ring_slot *s = &c->r.slots[p->slot];
		/* Only if the slot still has the owner whose drops we reported. [B-slot] plain:
		 * the generation alone is compared, and only the consumer writes drops_reported. */
		if (slot_gen(at_load32(&s->state)) == slot_gen(p->word))
			at_store(&s->drops_reported, at_load(&s->drops_reported) + p->count);
	}
	if (c->rep_head == c->rep_tail)
		c->rep_head = c->rep_tail = 0;
}

static void settle_and_reclaim(struct shmlog_consumer *c, uint64_t upto)
{
	struct ring *r = &c->r;

	settle_reports(c, upto);
	int64_t now = mono_ms();
	if (now - c->last_reclaim < RECLAIM_EVERY_MS)
		return; /* the common commit: nothing to walk the producer table for */
	c->last_reclaim = now;
	for (uint32_t i = 0; i < RING_SLOTS; i++) {
		struct ring_slot *s = &r->slots[i];
		/* [B-slot] acquire: pid, start and drops as the owner left them. */
		unsigned w = at_load32_acquire(&s->state), st = slot_st(w);
		if ((st == SLOT_CLOSED ||
		     (st == SLOT_LIVE && !proc_alive((pid_t)s->pid, s->start))) &&
		    at_load(&s->drops) == at_load(&s->drops_reported))
			/* [B-slot] full: freed only if the word did not change since. */
			at_cas32_full(&s->state, w, slot_word(slot_gen(w), SLOT_FREE));
	}
}

void shmlog_consumer_mark(const struct shmlog_consumer *c, struct shmlog_mark *m)
{
	m->pos = c->have_stash ? c->stash.pos : c->cursor;
	m->seq = c->have_stash ? c->stash.seq : c->seq;
	if (!c->seq_known && !c->have_stash)
		m->seq |= SEQ_UNKNOWN;
	m->reports = c->reports;
}

int shmlog_consumer_commit(struct shmlog_consumer *c)
{
	struct shmlog_mark m;

	if (!c)
		return -EINVAL;
	shmlog_consumer_mark(c, &m);
	return shmlog_consumer_commit_mark(c, &m);
}

int shmlog_consumer_commit_mark(struct shmlog_consumer *c, const struct shmlog_mark *m)
{
	if (!c || !m)
		return -EINVAL;
	if (in_child(c))
		return set_err(EBUSY, "a consumer handle cannot be used in a child after fork(): "
				      "open a new one there");
	struct ring_hdr *h = c->r.hdr;
	uint64_t g = c->cp_gen + 1;
	uint64_t pos = m->pos, seq = m->seq;

	if (pos < c->committed || pos > c->cursor || m->reports > c->reports)
		return set_err(EINVAL, "a mark behind the last commit or ahead of the consumer");
	c->committed = pos;
	at_store(&h->cp[g & 1][0], pos);
	at_store(&h->cp[g & 1][1], seq);
	/* [B-cp] the pair is complete before the generation names it. */
	at_store_release(&h->cp_gen, g);
	c->cp_gen = g;
	TESTHOOK(CONSUMER_MID_COMMIT);
	/* [B-tail] we are done reading everything below pos. */
	at_store_release(&h->tail, pos);
	/* [B-space] pairs with the waiter's increment of space_waiters before reading tail. */
	at_fence_full();
	if (at_load32(&h->space_waiters)) {
		at_fetch_add32_full(&h->space_futex, 1);
		futex_wake_all(&h->space_futex);
	}
	/* Drop reports made after the mark are not stored yet: they wait for a later mark. */
	settle_and_reclaim(c, m->reports);
	return 0;
}

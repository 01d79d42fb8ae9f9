/* writer.c - the writer API: reserve, claim, fill, commit (the protocol is in ring.h).
 *
 * The common path makes no syscall, takes no lock and allocates nothing: a level check, the
 * time (rdtsc against the thread's anchor, or the vDSO's clock: tsc.h), one CAS2 to reserve,
 * one CAS2 to claim, memcpy, one release store to commit and one load to see whether the
 * consumer sleeps. Everything else (a full ring, the first write after fork(), a sleeping
 * consumer) is off to the side.
 */
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "record.h"
#include "ring.h"
#include "testhook.h"

/* How long a blocking writer waits for a collector that has gone, counted from when it was last
 * seen alive: long enough for a crashed collector to be restarted, short enough that an
 * application without one never hangs. */
#define ORPHAN_WAIT_MS 3000
#define CTX_BYTES 4096
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

struct shmlog {
	struct ring r;
	int on_full;         /* this handle's policy; SHMLOG_ON_FULL_DEFAULT: the ring's */
	int full_timeout_ms; /* for SHMLOG_ON_FULL_TIMEOUT; 0: the ring's */
	uint32_t slot, gen;  /* our producer slot, and its generation */
	uint32_t pid;        /* the process that owns the slot */
	sw32 reg_gen;        /* fork generation our slot was registered in */
	sw32 registering;    /* 1 while a thread re-registers after fork() */
	sw64 cached_tail;    /* last tail seen: spares the shared tail line on most writes */
	sw64 orphan_pid;     /* consumer claim {pid, start} when we gave up waiting for a consumer */
	sw64 orphan_start;
	sw32 orphaned;
	uint64_t tsc_mult;   /* tsc_mult() of the ring's rate; 0: times from CLOCK_REALTIME */
};


static __thread uint32_t t_tid, t_tid_gen;
static __thread struct tsc_clock t_clock; /* this thread's TSC anchor, for every ring */
static __thread unsigned char t_ctx[CTX_BYTES];
static __thread uint32_t t_ctx_len, t_ctx_n;

static uint32_t current_tid(void)
{
	unsigned g = at_load32(&ring_fork_gen);
	if (unlikely(t_tid_gen != g)) {
		t_tid = (uint32_t)syscall(SYS_gettid);
		t_tid_gen = g;
	}
	return t_tid;
}

/* ------------------------------------------------------------------ producer slots */

static int slot_reclaimable(struct ring_slot *s, unsigned state)
{
	if (at_load(&s->drops) != at_load(&s->drops_reported))
		return 0; /* the consumer has still to report its drops */
	return state == SLOT_CLOSED || (state == SLOT_LIVE && !proc_alive((pid_t)s->pid, s->start));
}

/* Takes a free slot, or one whose process is gone and whose drops were reported. */
static int slot_register(struct shmlog *lg)
{
	struct ring *r = &lg->r;
	uint64_t start = proc_start_time(getpid());

	for (int pass = 0; pass < 2; pass++) {
		for (uint32_t i = 0; i < RING_SLOTS; i++) {
			struct ring_slot *s = &r->slots[i];
			/* [B-slot] acquire: a reclaimable slot's pid, start and counters as its
			 * owner left them. */
			unsigned w = at_load32_acquire(&s->state);
			if (pass == 0 ? slot_st(w) != SLOT_FREE : !slot_reclaimable(s, slot_st(w)))
				continue;
			unsigned gen = (slot_gen(w) + 1) & 0xffffff;
			/* [B-slot] full: ours only if nobody changed the word since (new gen). */
			if (!at_cas32_full(&s->state, w, slot_word(gen, SLOT_BUSY)))
				continue;
			s->pid = (uint32_t)getpid();
			s->start = start;
			proc_comm(s->comm);
			at_store(&s->drops, 0);
			at_store(&s->drops_reported, 0);
			at_store(&s->consumed, 0);
			at_store(&s->abandoned, 0);
			lg->gen = gen;
			lg->slot = i;
			lg->pid = s->pid;
			/* Records carry (slot, gen): the consumer judges their owner by both.
			 * [B-slot] release: the fields written while BUSY before LIVE. */
			at_store32_release(&s->state, slot_word(gen, SLOT_LIVE));
			return 0;
		}
	}
	return set_err(ENOSPC,
		       "ring '%s' has no free producer slot (%u live processes): close unused "
		       "handles",
		       r->name, RING_SLOTS);
}

static void slot_release(struct shmlog *lg)
{
	struct ring_slot *s = &lg->r.slots[lg->slot];
	/* CLOSED, not FREE: drops not yet reported must survive until the consumer sees them.
	 * [B-slot] full: our drops count before the word says CLOSED. */
	at_cas32_full(&s->state, slot_word(lg->gen, SLOT_LIVE), slot_word(lg->gen, SLOT_CLOSED));
}

/* After fork() the child writes through its own slot; the parent's stays the parent's. */
static int ensure_registered(struct shmlog *lg)
{
	unsigned g = at_load32(&ring_fork_gen);
	if (likely(at_load32_acquire(&lg->reg_gen) == g))
		return 0;
	for (;;) {
		if (at_cas32_full(&lg->registering, 0, 1)) {
			int err = 0;
			/* Another thread may have finished just before we won. */
			if (at_load32_acquire(&lg->reg_gen) != g && (err = slot_register(lg)) == 0)
				at_store32_release(&lg->reg_gen, g);
			at_store32_release(&lg->registering, 0);
			/* On failure the next write tries again: never the parent's slot. */
			return err;
		}
		while (at_load32_acquire(&lg->registering))
			sched_yield();
		if (at_load32_acquire(&lg->reg_gen) == g)
			return 0;
	}
}

/* ------------------------------------------------------------------ open / close */

struct shmlog *shmlog_open(const char *name, const struct shmlog_options *opts)
{
	struct shmlog *lg = calloc(1, sizeof(*lg));
	int err;

	if (!lg) {
		errno = -set_err(ENOMEM, "out of memory opening ring '%s'", name ? name : "");
		return NULL;
	}
	err = ring_attach(&lg->r, name, opts, ring_open_how(opts) | RING_WRITE | RING_TRUSTED);
	if (err == 0)
		err = slot_register(lg);
	if (err < 0) {
		ring_detach(&lg->r);
		free(lg);
		errno = -err;
		return NULL;
	}
	lg->reg_gen = at_load32(&ring_fork_gen);
	lg->on_full = opts ? opts->on_full : SHMLOG_ON_FULL_DEFAULT;
	lg->full_timeout_ms = opts ? opts->full_timeout_ms : 0;
	lg->cached_tail = at_load_acquire(&lg->r.hdr->tail);
	lg->tsc_mult = lg->r.clock_source == CLOCK_SRC_REALTIME ? tsc_mult(lg->r.tsc_hz) : 0;
	return lg;
}

void shmlog_close(struct shmlog *lg)
{
	if (!lg)
		return;
	if (at_load32(&lg->reg_gen) == at_load32(&ring_fork_gen))
		slot_release(lg);
	ring_detach(&lg->r);
	free(lg);
}

/* ------------------------------------------------------------------ full ring */

static void count_drop(struct shmlog *lg)
{
	at_fetch_add_full(&lg->r.slots[lg->slot].drops, 1);
	at_fetch_add_full(&lg->r.hdr->drops, 1);
}

/* Waits until the tail moves past SEEN_TAIL, per policy. Returns 0 to retry the reservation,
 * -ENOBUFS when the record must be dropped, or -EAGAIN for a handle that waits elsewhere.
 *
 * Sleeps on space_futex in slices, nudging the consumer and checking that it is alive. A full
 * ring is common under load and usually over within microseconds, so the first slice costs
 * the least it can: it nudges only a consumer that says it sleeps (a nudge wakes followers
 * too), and skips the liveness check (a kill() and a /proc read); a consumer that died is found
 * one slice later, well inside the orphan rule's 3 s. */
/* Whether to give up waiting because no consumer is alive (for ORPHAN_WAIT_MS, or at all when
 * TIMED_OUT): then the handle remembers the dead claim, so that it drops at once until the claim
 * changes. *ABSENT_SINCE: when the consumer was first seen gone, -1 while it is present. */
static int orphaned_now(struct shmlog *lg, int64_t now, int timed_out, int64_t *absent_since)
{
	struct ring_hdr *h = lg->r.hdr;
	int present = ring_consumer_alive(&lg->r);

	if (present)
		*absent_since = -1;
	else if (*absent_since < 0)
		*absent_since = now;
	if (present || (now - *absent_since < ORPHAN_WAIT_MS && !timed_out))
		return 0;
	at_store(&lg->orphan_pid, at_load(&h->consumer_pid));
	at_store(&lg->orphan_start, at_load(&h->consumer_start));
	at_store32_release(&lg->orphaned, 1);
	return 1;
}

static int wait_for_space(struct shmlog *lg, uint64_t seen_tail)
{
	struct ring_hdr *h = lg->r.hdr;
	int policy = lg->on_full ? lg->on_full : (int)at_load32(&h->policy);
	int limit = lg->full_timeout_ms ? lg->full_timeout_ms : (int)at_load32(&h->full_timeout_ms);
	int64_t start = mono_ms(), absent_since = -1;

	/* EAGAIN is a handle's own way of waiting; in the shared policy word it is garbage, and
	 * like any unknown policy there it means drop (and count). */
	if (lg->on_full == SHMLOG_ON_FULL_EAGAIN)
		return set_err(EAGAIN, "ring '%s' is full: write again through a handle that waits",
			       lg->r.name);
	if (policy != SHMLOG_ON_FULL_BLOCK && policy != SHMLOG_ON_FULL_TIMEOUT)
		return -ENOBUFS;
	/* A writer must not stall again and again while no collector runs: once it gave up,
	 * it drops at once until the consumer claim changes. */
	if (at_load32(&lg->orphaned) && at_load(&h->consumer_pid) == at_load(&lg->orphan_pid) &&
	    at_load(&h->consumer_start) == at_load(&lg->orphan_start))
		return -ENOBUFS;
	at_store32_release(&lg->orphaned, 0);
	if (policy == SHMLOG_ON_FULL_BLOCK)
		limit = -1;
	for (int round = 0;; round++) {
		int64_t now = mono_ms(), waited = now - start;
		int timed_out = limit >= 0 && waited >= limit;
		if ((round > 0 || timed_out) && orphaned_now(lg, now, timed_out, &absent_since))
			return -ENOBUFS;
		if (timed_out)
			return -ENOBUFS;
		/* Nudge the consumer: if the writer that should have woken it died between
		 * clearing consumer_sleeping and FUTEX_WAKE, we are the ones to do it. */
		if (round > 0 || at_load32(&h->consumer_sleeping)) {
			at_fetch_add32_full(&h->data_futex, 1);
			futex_wake_all(&h->data_futex);
		}
		unsigned v = at_load32(&h->space_futex);
		/* [B-space] count ourselves before re-reading tail; pairs with the consumer's fence
		 * between storing tail and reading space_waiters. */
		at_fetch_add32_full(&h->space_waiters, 1);
		uint64_t tail = at_load_acquire(&h->tail);
		int slice = 100;
		if (limit >= 0 && limit - waited < slice)
			slice = (int)(limit - waited);
		if (tail == seen_tail)
			futex_wait(&h->space_futex, v, slice < 1 ? 1 : slice);
		at_fetch_add32_full(&h->space_waiters, (unsigned)-1);
		if (at_load_acquire(&h->tail) != seen_tail)
			return 0;
	}
}

/* ------------------------------------------------------------------ reserve / claim / commit */

/* -EBADMSG, said as every role says it; spelled out here so the compiler sees the error. */
static int refuse_damaged(const struct ring *r, uint64_t head, uint64_t tail)
{
	ring_refuse_damaged(r, head, tail);
	return -EBADMSG;
}

/* Confirms damage seen in positions loaded in no particular order, by loading them again in the
 * order in which a ring in use always passes (ring.h, ring_pos_sane). */
static int positions_damaged(const struct ring *r, uint64_t *head, uint64_t *tail)
{
	*head = at_load_acquire(&r->hdr->head_pos);
	*tail = at_load_acquire(&r->hdr->tail);
	uint64_t after = at_load_acquire(&r->hdr->head_pos);
	return !ring_head_sane(*head) || !ring_pos_sane(r, *head, *tail, after);
}

struct resv {
	uint64_t pos;  /* where the reservation starts (the padding, if any) */
	uint64_t seq;
	uint32_t pad;  /* padding bytes before the record */
};

static int reserve(struct shmlog *lg, uint32_t need, struct resv *rv)
{
	struct ring *r = &lg->r;
	struct ring_hdr *h = r->hdr;

	for (int bad_tail = 0;;) {
		uint64_t pos = at_load(&h->head_pos), seq = at_load(&h->head_seq);
		uint64_t off = pos & r->mask;

		/* A scribbled head would send our CAS2 to an unaligned address (SIGSEGV). */
		if (unlikely(pos % RING_ALIGN || pos > RING_POS_MAX))
			return refuse_damaged(r, pos, at_load(&h->tail));
		uint32_t pad = off + need > r->size ? (uint32_t)(r->size - off) : 0;
		uint64_t end = pos + pad + need;
		/* Acquire/release on the cache too: a thread trusting a tail another thread read
		 * must inherit that thread's [B-tail] ordering (plain moves on x86). */
		uint64_t tail = at_load_acquire(&lg->cached_tail);

		if (unlikely(end - tail > r->size || tail > pos)) {
			/* [B-tail] the consumer is done with the bytes below the tail it released. */
			tail = at_load_acquire(&h->tail);
			at_store_release(&lg->cached_tail, tail);
			if (tail > pos) {
				uint64_t h2, t2;
				if (++bad_tail > 1000 && positions_damaged(r, &h2, &t2))
					return refuse_damaged(r, h2, t2);
				continue;
			}
			if (end - tail > r->size) {
				uint64_t h2, t2;
				if (unlikely(pos - tail > r->size) && positions_damaged(r, &h2, &t2))
					return refuse_damaged(r, h2, t2);
				int err = wait_for_space(lg, tail);
				if (err < 0)
					return err;
				continue;
			}
		}
		/* [B-reserve] [B-sleep] full barrier: see ring.h. */
		if (at_cas2_full(&h->head_pos, pos, seq, end, seq + 1)) {
			rv->pos = pos;
			rv->seq = seq;
			rv->pad = pad;
			return 0;
		}
	}
}

/* CAS2 the state and meta words of the record at POS from whatever stale bytes they hold. Fails
 * only if we stalled past the consumer's long grace and lost the record: the consumer marked POS
 * skipped, or, later still, the ring lapped and a newer record now lives there. */
static int claim(const struct ring *r, uint64_t pos, unsigned state, uint64_t meta)
{
	struct rec_hdr *rec = ring_rec(r, pos);
	uint64_t want = ring_word(r, pos, state), skipped = ring_word(r, pos, ST_SKIPPED);

	for (int i = 0; i < 64; i++) {
		/* [B-reserve] acquire loads of the word, then of head: ordered before our stores
		 * on ARMv8, where our CAS2 on head was acquire-release only (ring.h section 5). */
		uint64_t o0 = at_load_acquire(&rec->state), o1 = at_load(&rec->meta);
		/* Whoever put o0 there reserved past pos + SIZE first (their CAS2 on head precedes
		 * their claim), so if o0 is a newer lap's word, head shows it. */
		if (o0 == skipped || at_load_acquire(&r->hdr->head_pos) - pos > r->size)
			return -1;
		if (at_cas2_full(&rec->state, o0, o1, want, meta))
			return 0;
	}
	return -1;
}

static void wake_consumer(struct ring_hdr *h)
{
	/* [B-sleep] the consumer set this flag, fenced, then looked at head. */
	if (at_load32(&h->consumer_sleeping) && at_cas32_full(&h->consumer_sleeping, 1, 0)) {
		at_fetch_add32_full(&h->data_futex, 1);
		futex_wake_all(&h->data_futex);
	}
}

struct body {
	const char *tag;
	size_t tag_len;
	const char *msg;
	size_t msg_len, msg_full_len;
	const struct shmlog_field *fields;
	size_t nfields;
	size_t fields_len; /* writer's fields, encoded */
};

/* The message bytes of B that a record of FIXED other bytes may carry in ring R (at most
 * SHMLOG_MAX_MESSAGE, and what the ring's largest record leaves), or -EMSGSIZE when the fields
 * alone leave no room. */
static inline __attribute__((always_inline)) int64_t fit_message(const struct ring *r,
								  size_t fixed,
								  const struct body *b)
{
	size_t msg_len = b->msg_len;

	if (msg_len > SHMLOG_MAX_MESSAGE)
		msg_len = SHMLOG_MAX_MESSAGE;
	if (fixed + msg_len > r->max_record) {
		if (fixed + 16 > r->max_record)
			return set_err(EMSGSIZE,
				       "record fields take %zu bytes, more than ring '%s' allows "
				       "(%u): log fewer or shorter fields",
				       fixed, r->name, r->max_record);
		msg_len = r->max_record - fixed;
	}
	return (int64_t)msg_len;
}

/* The record's time, read before reserving: ns since the epoch from the thread's TSC anchor or
 * from CLOCK_REALTIME, or raw ticks on a CLOCK_SRC_TSC ring that an older version made, whose
 * readers convert them (tsc.h). */
static inline __attribute__((always_inline)) uint64_t record_time(const struct shmlog *lg)
{
	if (likely(lg->tsc_mult))
		return (uint64_t)tsc_clock_ns(&t_clock, lg->tsc_mult);
	if (lg->r.clock_source == CLOCK_SRC_TSC)
		return clock_tsc();
	return (uint64_t)clock_ns(CLOCK_REALTIME);
}

/* Writes the header fields and payload of the claimed record REC (all but its state word). */
static inline __attribute__((always_inline)) void fill_record(struct rec_hdr *rec,
							       const struct shmlog *lg,
							       const struct body *b, uint64_t seq,
							       uint64_t now, size_t msg_len)
{
	rec->seq = seq;
	rec->time_ns = (int64_t)now;
	rec->pid = lg->pid;
	rec->tid = current_tid();
	rec->msg_len = (uint32_t)msg_len;
	rec->msg_full_len = (uint32_t)(b->msg_full_len > UINT32_MAX ? UINT32_MAX : b->msg_full_len);
	rec->fields_len = (uint32_t)(b->fields_len + t_ctx_len);
	rec->tag_len = (uint8_t)b->tag_len;
	rec->nfields = (uint8_t)(b->nfields + t_ctx_n);
	rec->flags = msg_len < b->msg_full_len ? SHMLOG_REC_TRUNCATED : 0;
	unsigned char *p = (unsigned char *)rec + REC_HDR_SIZE;
	memcpy(p, b->tag, b->tag_len);
	p += b->tag_len;
	memcpy(p, b->msg, msg_len);
	if (unlikely(b->nfields | t_ctx_len)) {
		p += msg_len;
		for (size_t i = 0; i < b->nfields; i++)
			p += field_encode(p, &b->fields[i]);
		memcpy(p, t_ctx, t_ctx_len);
	}
}

static int commit_record(struct shmlog *lg, int level, const struct body *b)
{
	struct ring *r = &lg->r;
	struct resv rv;
	size_t fixed = REC_HDR_SIZE + b->tag_len + b->fields_len + t_ctx_len;
	int64_t fit = fit_message(r, fixed, b);

	if (fit < 0)
		return (int)fit;
	size_t msg_len = (size_t)fit;
	uint32_t need = (uint32_t)ring_align(fixed + msg_len);
	uint64_t now = record_time(lg);
	int err = reserve(lg, need, &rv);
	if (unlikely(err < 0)) {
		if (err == -ENOBUFS)
			count_drop(lg);
		return err;
	}
	TESTHOOK(WRITER_AFTER_RESERVE);
	if (unlikely(rv.pad) && claim(r, rv.pos, ST_PADDING, meta_make(rv.pad, lg->slot, lg->gen,
									 0)) < 0)
		return -ENOBUFS;
	uint64_t pos = rv.pos + rv.pad;
	if (unlikely(claim(r, pos, ST_CLAIMED, meta_make(need, lg->slot, lg->gen, level)) < 0))
		return -ENOBUFS;
	TESTHOOK(WRITER_AFTER_CLAIM);

	struct rec_hdr *rec = ring_rec(r, pos);
	fill_record(rec, lg, b, rv.seq, now, msg_len);
	/* [B-commit] the payload above is visible before the state says COMMITTED. */
	at_store_release(&rec->state, ring_word(r, pos, ST_COMMITTED));
	wake_consumer(r->hdr);
	return 0;
}

/* Checks arguments and the level; returns 1 to write, 0 to skip quietly, -errno on misuse. */
static int admit(struct shmlog *lg, int level)
{
	if (unlikely(!lg || level < SHMLOG_DEBUG || level > SHMLOG_CRITICAL))
		return set_err(EINVAL, "invalid handle or level %d", level);
	if (level < (int)at_load32(&lg->r.hdr->min_level))
		return 0;
	if (unlikely(ensure_registered(lg) < 0))
		return -ENOSPC;
	return 1;
}

static size_t fields_size(const struct shmlog_field *f, size_t n, int *bad)
{
	size_t total = 0;

	*bad = n > SHMLOG_MAX_FIELDS || (n && !f) || n + t_ctx_n > 255;
	for (size_t i = 0; i < n && !*bad; i++) {
		size_t s = field_encoded_size(&f[i]);
		*bad = s == 0;
		total += s;
	}
	return total;
}

int shmlog_write_fields(struct shmlog *lg, int level, const char *tag, const char *msg,
			size_t len, const struct shmlog_field *fields, size_t nfields)
{
	int ok = admit(lg, level), bad;
	if (ok <= 0)
		return ok;
	struct body b = {.tag = tag ? tag : "", .msg = msg ? msg : "", .msg_len = msg ? len : 0,
			 .fields = fields, .nfields = nfields};
	b.tag_len = strnlen(b.tag, SHMLOG_MAX_TAG);
	b.msg_full_len = b.msg_len;
	b.fields_len = nfields ? fields_size(fields, nfields, &bad) : (bad = 0);
	if (bad)
		return set_err(EINVAL, "invalid fields: each needs a key of 1-%d bytes and a known "
				       "type, at most %d per record",
			       SHMLOG_MAX_KEY, SHMLOG_MAX_FIELDS);
	return commit_record(lg, level, &b);
}

int shmlog_write(struct shmlog *lg, int level, const char *tag, const char *msg, size_t len)
{
	return shmlog_write_fields(lg, level, tag, msg, len, NULL, 0);
}

/* Formats into a per-thread buffer: no allocation; a message past SHMLOG_MAX_MESSAGE keeps its
 * full length for the truncation mark. */
static int log_formatted(struct shmlog *lg, int level, const char *tag,
			 const struct shmlog_field *fields, size_t nfields, const char *fmt,
			 va_list ap)
{
	static __thread char buf[SHMLOG_MAX_MESSAGE + 1];
	int ok = admit(lg, level), bad;
	if (ok <= 0)
		return ok;
	if (!fmt)
		fmt = "";
	int n = msg_vformat(buf, sizeof(buf), fmt, ap);
	if (n < 0) /* a conversion msg_vformat leaves to the C library */
		n = vsnprintf(buf, sizeof(buf), fmt, ap);
	if (n < 0)
		return set_err(EINVAL, "invalid format string");
	struct body b = {.tag = tag ? tag : "", .msg = buf, .fields = fields, .nfields = nfields};
	b.tag_len = strnlen(b.tag, SHMLOG_MAX_TAG);
	b.msg_full_len = (size_t)n;
	b.msg_len = (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	b.fields_len = nfields ? fields_size(fields, nfields, &bad) : (bad = 0);
	if (bad)
		return set_err(EINVAL, "invalid fields");
	return commit_record(lg, level, &b);
}

int shmlog_logv(struct shmlog *lg, int level, const char *tag, const char *fmt, va_list ap)
{
	return log_formatted(lg, level, tag, NULL, 0, fmt, ap);
}

int shmlog_log(struct shmlog *lg, int level, const char *tag, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = log_formatted(lg, level, tag, NULL, 0, fmt, ap);
	va_end(ap);
	return ret;
}

int shmlog_log_fields(struct shmlog *lg, int level, const char *tag,
		      const struct shmlog_field *fields, size_t nfields, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int ret = log_formatted(lg, level, tag, fields, nfields, fmt, ap);
	va_end(ap);
	return ret;
}

/* ------------------------------------------------------------------ context, level, flush */

int shmlog_context_push(const struct shmlog_field *fields, size_t nfields)
{
	int token = (int)(t_ctx_n << 16 | t_ctx_len), bad;
	size_t size = fields_size(fields, nfields, &bad);

	if (bad)
		return set_err(EINVAL, "invalid context fields");
	if (t_ctx_len + size > CTX_BYTES || t_ctx_n + nfields > SHMLOG_MAX_FIELDS)
		return set_err(E2BIG, "thread context would exceed %d bytes or %d fields: pop what "
				      "you pushed",
			       CTX_BYTES, SHMLOG_MAX_FIELDS);
	for (size_t i = 0; i < nfields; i++)
		t_ctx_len += (uint32_t)field_encode(t_ctx + t_ctx_len, &fields[i]);
	t_ctx_n += (uint32_t)nfields;
	return token;
}

void shmlog_context_pop(int token)
{
	if (token < 0)
		return;
	uint32_t len = (uint32_t)token & 0xffff, n = (uint32_t)token >> 16;
	if (len <= t_ctx_len && n <= t_ctx_n) {
		t_ctx_len = len;
		t_ctx_n = n;
	}
}

int shmlog_get_level(const struct shmlog *lg)
{
	return lg ? (int)at_load32(&lg->r.hdr->min_level) : -EINVAL;
}

int shmlog_set_level(struct shmlog *lg, int level)
{
	if (!lg || level < SHMLOG_DEBUG || level > SHMLOG_CRITICAL)
		return set_err(EINVAL, "level %d is invalid: use 1 (debug) to 5 (critical)", level);
	at_store32_release(&lg->r.hdr->min_level, (unsigned)level);
	return 0;
}

int shmlog_flush(struct shmlog *lg, int timeout_ms)
{
	if (!lg)
		return -EINVAL;
	struct ring_hdr *h = lg->r.hdr;
	uint64_t target = at_load(&h->head_pos);
	int64_t deadline = timeout_ms < 0 ? INT64_MAX : mono_ms() + timeout_ms;

	for (;;) {
		unsigned v = at_load32(&h->space_futex);
		at_fetch_add32_full(&h->space_waiters, 1); /* [B-space] */
		uint64_t tail = at_load_acquire(&h->tail);
		int64_t left = deadline - mono_ms();
		if (tail < target && left > 0)
			futex_wait(&h->space_futex, v, left > 1000 ? 1000 : (int)left);
		at_fetch_add32_full(&h->space_waiters, (unsigned)-1);
		if (at_load_acquire(&h->tail) >= target)
			return 0;
		if (deadline - mono_ms() <= 0)
			return set_err(ETIMEDOUT,
				       "ring '%s': the collector did not consume everything within "
				       "%d ms: is shmlogd running?",
				       lg->r.name, timeout_ms);
	}
}

/* ring.h - the shared-memory ring: its layout, its record state machine and its protocol.
 *
 * Private header. docs/FORMAT.md says the same for people who never open the code.
 *
 * 1. LAYOUT
 *
 * A ring is the POSIX shared-memory object "/shmlog.NAME": a header, then a data area of SIZE
 * bytes (a power of two). All integers are native-endian (the ring never leaves the machine).
 *
 *   offset      size        what                                  written by, ordering
 *   0           64          identity line (struct ring_hdr)       creator, before magic (release);
 *                           includes the clock of record times    (tsc.h)
 *   64          16          head {pos, seq}                       writers, CAS2 [B-reserve]
 *   128         8           tail                                  consumer, release [B-tail]
 *   192         40          checkpoint {gen, {pos,seq}[2]}        consumer, release on gen [B-cp]
 *   256         8           data futex word, consumer_sleeping    writers bump / consumer sets
 *   320         8           space futex word, space_waiters       consumer bumps / writers count
 *   384         12          policy, full_timeout_ms, min_level    creator; min_level: set_level
 *   448         16          drops, abandoned counters             writers FAA / consumer
 *   512         16          consumer claim {pid, start time}      consumers, CAS2
 *   4096        128 * 1024  producer table (struct ring_slot)     see struct ring_slot
 *   HEADER_SIZE SIZE        data area: records
 *
 * Positions (head, tail, a record's pos) are 64-bit byte counters that only grow; the byte of
 * position p is data[p & (SIZE - 1)]. At 1 GB/s they last 500 years, so they never wrap and a
 * stale value can never be mistaken for a current one (no ABA). A head above RING_POS_MAX (2^62)
 * is damage: writers refuse it with -EBADMSG, as they refuse a head not a multiple of 16 or a
 * lap away from the tail, the consumer refuses to attach, and readers see nothing to read. Readers keep their cursors aligned whatever head holds, so no
 * arithmetic on positions can wrap round 2^64. head.seq counts reservations:
 * every record gets a dense sequence number, reserved together with its bytes in one CAS2, which
 * is what lets readers count exactly how many records they missed.
 *
 * 2. RECORDS
 *
 * Records start 16-byte aligned and never straddle the end of the data area: a reservation that
 * would is made of a padding record up to the end plus the record at the start, in one CAS2.
 *
 *   offset  size  field
 *   0       8     state word: ((pos ^ key) & ~15) | state       key: from the ring id
 *   8       8     meta: total length u32 | slot u16 | slot gen u8 | level u8
 *   16      8     seq
 *   24      8     time: ns since the epoch, or TSC ticks if the header says CLOCK_SRC_TSC
 *                 (only rings made by older versions: tsc.h)
 *   32      4+4   pid, tid
 *   40      4+4   stored message length, message length before truncation
 *   48      4     encoded fields length
 *   52      1+1+2 tag length, field count, flags
 *   56      ...   tag, message, fields (record.h), then a gap up to a multiple of 16 that is
 *                 not zeroed (it holds whatever an earlier lap left there)
 *
 * The state word carries the record's own position, mixed with a key derived from the random
 * ring id: a word that does not decode to the position where it is read is stale data from an
 * earlier lap or payload, never a header. That self-identification lets any reader
 * resynchronise from any point by scanning 16-byte steps.
 *
 * 3. STATES
 *
 *        CAS2 on head            CAS2 on words 0-1             release store
 *   free -------------> reserved -----------------> CLAIMED -----------------> COMMITTED
 *                           |                          |  owner dead past grace
 *                           | unclaimed past           +------> skipped by the consumer
 *                           | long grace: consumer CASes
 *                           +------> SKIPPED (the writer's claim then gives up: -ENOBUFS, and
 *                                    the consumer counts the record as abandoned, not dropped)
 *   PADDING is written directly by the claim CAS2 of a wrapping reservation.
 *
 * The claim is a CAS2 over the state word and the meta word, so a reader that sees CLAIMED also
 * sees the record's length and owner. It is a CAS rather than a store so that a writer stalled
 * between reserving and claiming (SIGSTOP, preemption) for longer than the consumer's long grace
 * cannot write into space the consumer already skipped: the consumer's SKIPPED mark makes the late
 * claim give up. Once the ring has lapped the mark is overwritten, so before its CAS2 the claim
 * also re-reads head and gives up if head has passed pos + SIZE: whoever wrote a newer lap's bytes
 * at pos reserved them first, and the acquire load of the word makes that reservation visible.
 *
 * 4. ALGORITHM
 *
 * Writer: load head and tail; give up with -EBADMSG if head is unaligned or above RING_POS_MAX,
 * or if head and tail are more than a lap apart (ring_positions_sane: no room can ever come);
 * pad is the padding a record that would cross the end needs; if
 * head.pos + pad + need - tail > SIZE apply the full-ring policy (a blocking writer sleeps on
 * the space futex in slices, waking a consumer that says it sleeps, and from the second slice
 * on waking it anyway and checking it is alive); CAS2(head, {pos, seq} ->
 * {pos + pad + need, seq + 1}); claim the padding, if any, then the record, giving up if the word
 * is SKIPPED or head has passed pos + SIZE; copy the payload; store COMMITTED with release; if the
 * consumer said it sleeps, wake it.
 *
 * Consumer: at its cursor (reloading head only when the cursor reaches the head it last read),
 * load the state word with acquire. COMMITTED: copy out, validate, hand over, step. PADDING: step
 * to the next lap. CLAIMED: wait; past the grace period, if the owner is dead (the slot's state
 * word is no longer LIVE with the record's generation, or its pid + process start time are gone),
 * step over it as abandoned. Not self-identifying and head beyond: a reservation not claimed yet;
 * past the long grace, mark each 16-byte step SKIPPED until a self-identifying record, and count
 * the sequence numbers jumped as abandoned. Scans end at an aligned bound, at most a lap past the
 * cursor; with no live record after damaged bytes yet, it sleeps until a writer commits
 * (STEP_STUCK). The grace clocks start when the cursor first waits on a record. While a record
 * is in flight it sleeps 1 ms, then doubles, up to the grace period. Commit (after the caller
 * stored the records): write the checkpoint, then the tail. At open, a damaged checkpoint
 * (misaligned, beyond head, or more than a lap behind) makes it resume at the tail if the tail
 * passes the same tests, else at the oldest self-identifying record of the last lap; a sound
 * position whose seq exceeds head_seq, claims more records than fit before head, or disagrees
 * with the committed record there makes it take the writers' numbering instead. A consumer
 * handle inherited through fork() is refused for next() and commit(), and its close() leaves the
 * parent's role alone.
 *
 * Observer: like the consumer but read-only, and like it reloads head only when its cursor
 * reaches the head it knows. After copying a record, and before concluding anything from a word
 * that is not committed, it checks for a lap: not lapped while tail <= pos (writers reserve at
 * most SIZE past a tail they read); otherwise it re-reads head; if head went past pos + SIZE what
 * it read may be a newer lap's, so it resynchronises by scanning from max(pos, head - SIZE) and
 * reports the sequence numbers it jumped as lost (never more than head.seq allows). Lapped again
 * before its cursor reached head (a skip that starts behind head - SIZE counts as a lap), it
 * scans from no earlier than the tail, bounded to [head - SIZE, head]: while writers write, the
 * oldest bytes are the next they overwrite, and resuming there each time shows one record a
 * lap, while nothing from the tail on can be overwritten before the consumer passes it; with no
 * record left to resume at, it counts the gap from a {head, head.seq} pair whose pos is its
 * cursor, rather than at a next record that may never come. A head
 * behind its cursor is damage, not a lap; its cursor stays aligned and never moves backwards.
 * A record the consumer's checkpoint has passed is abandoned; with no live consumer, the
 * observer applies the consumer's grace periods itself. A damaged committed record it steps over
 * counts as one damaged record while its seq is known (SHMLOG_NEXT_DAMAGED, as the consumer). Writers never wake observers: the
 * consumer does when it goes idle after delivering. An observer that read records looks again
 * within 20 ms (a consumer that never catches up never goes idle), after 256 or more by a plain
 * sleep, off the futex (so that wakes meant for the consumer do not wake it too), and wakes at
 * least every second to check the consumer is alive.
 *
 * 5. BARRIER PAIRS
 *
 *   [B-reserve] writer's CAS2 on head (full on x86; on ARMv8 acquire-release, which the
 *               claim's acquire loads of the word and of head then order before the writer's
 *               stores)    <-> observer's read fence before re-reading tail and head:
 *               a reservation that overwrites a record is visible once its bytes could be, and
 *               so is the tail the writer reserved against (its acquire load of tail, or of its
 *               cached copy, orders its stores). (A stalled writer's claim relies on the same
 *               order: acquire load of the word, then of head.)
 *   [B-commit]  writer's release of COMMITTED   <-> reader's acquire load of the state word:
 *               the payload is visible before the state says it is there.
 *   [B-tail]    consumer's release of tail      <-> writer's acquire load of tail: the consumer
 *               finished reading the bytes it hands back before writers reuse them.
 *   [B-cp]      consumer's release of cp.gen    <-> reader's acquire of cp.gen, loads of the
 *               pair, read fence, re-load of cp.gen: the pair counts only if cp.gen did not move.
 *   [B-sleep]   consumer: sleeping = 1, full fence, load the cursor's state word and head  <->
 *               writer: CAS2 on head (full), load sleeping after committing: either the consumer
 *               sees the reservation or the writer sees it sleeping and wakes it. The commit of a
 *               record already reserved is a release store and is not covered: the consumer's
 *               re-load of the state word, and its short in-flight sleeps, bound that case.
 *   [B-space]   writer: space_waiters += 1 (full), load tail  <-> consumer: store tail, full
 *               fence, load space_waiters: a waiter sees the new tail or is woken.
 *   [B-magic]   creator's release of magic      <-> attacher's acquire of magic, through a
 *               temporary read-only mapping: the header is initialised before anyone uses it.
 *   [B-slot]    a producer slot's state word (struct ring_slot): the registering writer writes
 *               pid, start, comm and zeroes the counters while the word says BUSY, then
 *               releases LIVE  <-> whoever judges the slot (a writer looking for a free one,
 *               the consumer reporting drops or reclaiming, an observer's stats, the owner-alive
 *               check) acquire-loads the word before reading those fields: a LIVE or CLOSED word
 *               shows its owner's fields. Every change of state is a CAS from the word read
 *               (full), and the word carries the generation, so a slot that changed hands since
 *               it was read is never acted on (no ABA). Loads that only compare the generation
 *               are plain.
 *
 * 6. FAILURES
 *
 * Writer killed after CAS, before claim: unclaimed reservation, skipped after the long grace.
 * Writer killed after claim: CLAIMED with a dead owner, stepped over after the grace period.
 * Writer stalled past the long grace: its claim finds SKIPPED or a lapped head, and gives up.
 * Writer killed between clearing consumer_sleeping and FUTEX_WAKE: writers blocked on a full
 * ring wake the consumer on each round of their wait.
 * Writer killed while registering: its slot stays BUSY, a leak of one slot.
 * fork(): a pthread_atfork child handler, installed when a process first attaches a ring, bumps
 * ring_fork_gen; a writer handle then takes a slot of its own at the child's first write, and a
 * consumer handle is refused there.
 * Consumer killed anywhere: the next consumer resumes at the checkpoint; records after it are
 * delivered again, and the caller (shmlogd) recognises the ones it already stored.
 * Any shared word may be garbage: every length and position is validated before use, loops are
 * bounded, and garbage costs records, never memory safety or liveness.
 */
#ifndef SHMLOG_RING_H
#define SHMLOG_RING_H

#include <stddef.h>
#include <stdint.h>

#include "atomics.h"
#include "tsc.h"
#include "shmlog.h"

#define RING_MAGIC 0x3152474f4c4d4853ull /* "SHMLOGR1" */
#define RING_LAYOUT_VERSION 1u
#define RING_SLOTS 1024u
#define RING_SLOTS_OFFSET 4096u
#define RING_HEADER_SIZE (RING_SLOTS_OFFSET + RING_SLOTS * 128u)
#define RING_ALIGN 16u
#define RING_MAX_RECORD (64u * 1024)
/* No real ring gets near this (over a century at 1 GB/s); a head above it is damage, so no
 * reader or writer arithmetic can ever wrap round 2^64. */
#define RING_POS_MAX (1ull << 62)

/* Readers' patience, shared by the consumer and by observers judging without a consumer. */
#define GRACE_MS 100       /* a CLAIMED record older than this: is its owner dead? */
#define LONG_GRACE_MS 1000 /* a reservation unclaimed for longer than this is abandoned */

/* Record states: the low 4 bits of a state word. 0 is never valid (fresh zeroed memory). */
enum { ST_CLAIMED = 1, ST_COMMITTED = 2, ST_PADDING = 3, ST_SKIPPED = 4 };

struct ring_hdr {
	/* Identity: written once by the creator before magic is released [B-magic]. */
	sw64 magic;
	uint32_t layout_version;
	uint32_t header_size;
	uint64_t data_size;
	uint64_t ring_id;
	int64_t created_ns;
	uint32_t nslots;
	uint32_t max_record;
	uint32_t creator_pid;
	uint32_t clock_source; /* CLOCK_SRC_*: what writers put in a record's time (tsc.h) */
	uint64_t tsc_hz;       /* TSC ticks per second, or 0: writers' rate (tsc.h) */

	/* Writers: CAS2 [B-reserve], [B-sleep]. Readers: plain loads. */
	sw64 head_pos __attribute__((aligned(64)));
	sw64 head_seq;

	/* Consumer: release [B-tail]. Writers: acquire. */
	sw64 tail __attribute__((aligned(64)));

	/* Consumer: writes the inactive pair, then releases gen [B-cp]. Pair gen & 1 is current. */
	sw64 cp_gen __attribute__((aligned(64)));
	sw64 cp[2][2];

	/* data_futex: bumped by a writer waking the consumer, by writers blocked on a full ring
	 * (a nudge), and by the consumer going idle (to wake followers).
	 * consumer_sleeping: set by the consumer [B-sleep], cleared by the waker. */
	sw32 data_futex __attribute__((aligned(64)));
	sw32 consumer_sleeping;

	/* space_futex: bumped by the consumer after moving tail while space_waiters > 0 [B-space]. */
	sw32 space_futex __attribute__((aligned(64)));
	sw32 space_waiters;

	/* Policy: creator; min_level: anyone with write access (plain store/load, a hint). */
	sw32 policy __attribute__((aligned(64)));
	sw32 full_timeout_ms;
	sw32 min_level;

	/* Counters: drops by writers (FAA), abandoned by the consumer. */
	sw64 drops __attribute__((aligned(64)));
	sw64 abandoned;

	/* Consumer claim {pid, start time}: CAS2 by would-be consumers. */
	sw64 consumer_pid __attribute__((aligned(64)));
	sw64 consumer_start;
};

_Static_assert(offsetof(struct ring_hdr, tsc_hz) == 56, "layout");
_Static_assert(offsetof(struct ring_hdr, head_pos) == 64, "layout");
_Static_assert(offsetof(struct ring_hdr, tail) == 128, "layout");
_Static_assert(offsetof(struct ring_hdr, cp_gen) == 192, "layout");
_Static_assert(offsetof(struct ring_hdr, data_futex) == 256, "layout");
_Static_assert(offsetof(struct ring_hdr, space_futex) == 320, "layout");
_Static_assert(offsetof(struct ring_hdr, policy) == 384, "layout");
_Static_assert(offsetof(struct ring_hdr, drops) == 448, "layout");
_Static_assert(offsetof(struct ring_hdr, consumer_pid) == 512, "layout");
_Static_assert(sizeof(struct ring_hdr) <= RING_SLOTS_OFFSET, "layout");

/* A producer: one per writer handle. The first line is the writer's, the second the consumer's
 * (the writer resets it once, while the slot is BUSY), so they never share a cache line. */
enum { SLOT_FREE = 0, SLOT_BUSY = 1, SLOT_LIVE = 2, SLOT_CLOSED = 3 };

/* A slot's state word holds its generation above its state, so that one CAS changes both: a
 * process reclaiming a dead owner's slot can never act on a slot that changed hands since it
 * looked (no ABA). Records carry the low 8 bits of the generation of the slot they were written
 * through. */
static inline unsigned slot_st(unsigned w)
{
	return w & 0xff;
}
static inline unsigned slot_gen(unsigned w)
{
	return w >> 8;
}
static inline unsigned slot_word(unsigned gen, unsigned st)
{
	return (gen & 0xffffff) << 8 | st;
}

struct ring_slot {
	sw32 state;        /* slot_word(gen, FREE/BUSY/LIVE/CLOSED): CAS by whoever changes it,
			      the owner's release of LIVE [B-slot] */
	uint32_t pid;      /* owner; written while BUSY */
	uint64_t start;    /* owner's start time (clock ticks since boot); written while BUSY */
	sw64 drops;        /* records the owner dropped: owner FAA */
	uint32_t reserved;
	char comm[16];     /* owner's process name; written while BUSY */
	uint32_t pad0[3];

	sw64 drops_reported __attribute__((aligned(64))); /* consumer */
	sw64 consumed;                                    /* consumer */
	sw64 abandoned;                                   /* consumer */
};

_Static_assert(sizeof(struct ring_slot) == 128, "layout");
_Static_assert(offsetof(struct ring_slot, drops_reported) == 64, "layout");

/* The record header, as it sits in the data area. */
struct rec_hdr {
	sw64 state;
	sw64 meta;
	uint64_t seq;
	int64_t time_ns;
	uint32_t pid, tid;
	uint32_t msg_len, msg_full_len;
	uint32_t fields_len;
	uint8_t tag_len, nfields;
	uint16_t flags;
};

#define REC_HDR_SIZE 56u
_Static_assert(sizeof(struct rec_hdr) == REC_HDR_SIZE, "layout");
_Static_assert(offsetof(struct rec_hdr, seq) == 16, "layout");
_Static_assert(offsetof(struct rec_hdr, pid) == 32, "layout");
_Static_assert(offsetof(struct rec_hdr, msg_len) == 40, "layout");
_Static_assert(offsetof(struct rec_hdr, fields_len) == 48, "layout");

/* A mapped ring, as every role sees it. */
struct ring {
	struct ring_hdr *hdr;
	unsigned char *data;
	struct ring_slot *slots;
	uint64_t size, mask, key;
	uint32_t max_record;
	uint32_t clock_source;
	uint64_t tsc_hz;
	size_t map_len;
	int writable;
	uid_t owner_uid;      /* the object's owner and permission bits when it was attached */
	gid_t owner_gid;
	uint32_t mode;
	char name[SHMLOG_NAME_MAX + 1];
};

static inline uint64_t ring_word(const struct ring *r, uint64_t pos, unsigned state)
{
	return ((pos ^ r->key) & ~(uint64_t)15) | state;
}
/* Does W, read at POS, start a live record (claimed, committed or padding) of this lap? */
static inline int ring_live_word(const struct ring *r, uint64_t w, uint64_t pos)
{
	return w == ring_word(r, pos, ST_CLAIMED) || w == ring_word(r, pos, ST_COMMITTED) ||
	       w == ring_word(r, pos, ST_PADDING);
}

/* Damage to the positions (FORMAT.md §6) is judged from acquire loads in this order: the head
 * (BEFORE), the tail or the checkpoint (POS), the head again (AFTER). A ring in use passes
 * however far apart the loads are, so a reader stalled between them never cries damage:
 * - a head is never unaligned or above RING_POS_MAX;
 * - POS is never unaligned, never past a head loaded after it, and never more than a lap
 *   behind a head loaded before it (writers reserve at most SIZE past a tail they read, and
 *   the checkpoint, written before the tail, never lags it).
 * Anything else is damage that no writer can get past: writers say so with -EBADMSG instead of
 * waiting for room that never comes, the consumer refuses to resume from it, the tools name it. */
static inline int ring_head_sane(uint64_t head)
{
	return head % RING_ALIGN == 0 && head <= RING_POS_MAX;
}
static inline int ring_pos_sane(const struct ring *r, uint64_t before, uint64_t pos,
				uint64_t after)
{
	return pos % RING_ALIGN == 0 && pos <= after && (before <= pos || before - pos <= r->size);
}

/* Could a record of LEN bytes start at POS, below HEAD, without straddling the end? */
static inline int ring_len_valid(const struct ring *r, uint64_t pos, uint64_t len, uint64_t head)
{
	return len >= REC_HDR_SIZE && len % RING_ALIGN == 0 && len <= r->max_record &&
	       (pos & r->mask) + len <= r->size && pos + len <= head;
}

static inline uint64_t meta_make(uint32_t len, uint32_t slot, uint32_t gen, int level)
{
	return (uint64_t)len | (uint64_t)(slot & 0xffff) << 32 | (uint64_t)(gen & 0xff) << 48 |
	       (uint64_t)(level & 0xff) << 56;
}
static inline uint32_t meta_len(uint64_t m)
{
	return (uint32_t)m;
}
static inline uint32_t meta_slot(uint64_t m)
{
	return (uint32_t)(m >> 32) & 0xffff;
}
static inline uint32_t meta_gen(uint64_t m)
{
	return (uint32_t)(m >> 48) & 0xff;
}
static inline int meta_level(uint64_t m)
{
	return (int)(m >> 56);
}
/* The record at POS. Positions reaching here are aligned by construction; the mask also clears
 * the low bits so that even a garbage position names an aligned header inside the data area. */
static inline struct rec_hdr *ring_rec(const struct ring *r, uint64_t pos)
{
	return (struct rec_hdr *)(r->data + (pos & r->mask & ~(uint64_t)(RING_ALIGN - 1)));
}
static inline uint64_t ring_align(uint64_t n)
{
	return (n + RING_ALIGN - 1) & ~(uint64_t)(RING_ALIGN - 1);
}

/* ring.c */
int ring_name_valid(const char *name);
/* names.c: the name shm_open() takes for ring NAME ("/shmlog.NAME"). */
void ring_shm_name(char *out, size_t cap, const char *name);
/* How ring_attach() attaches. RING_TRUSTED: the caller will log to the ring or take its records,
 * so an existing ring must pass the trust rules of shmlog_options (owner, group/other write). */
/* RING_NOWAIT: a ring its creator has not initialised yet is -EAGAIN at once, not waited for. */
enum { RING_CREATE = 0x1, RING_WRITE = 0x2, RING_TRUSTED = 0x4, RING_NOWAIT = 0x8 };
int ring_attach(struct ring *r, const char *name, const struct shmlog_options *opts,
		unsigned how);
/* RING_CREATE unless OPTS ask for SHMLOG_OPEN_NOCREATE. */
static inline unsigned ring_open_how(const struct shmlog_options *opts)
{
	return opts && (opts->flags & SHMLOG_OPEN_NOCREATE) ? 0 : RING_CREATE;
}
void ring_detach(struct ring *r);
void ring_read_checkpoint(const struct ring *r, uint64_t *pos, uint64_t *seq);
int ring_owner_alive(const struct ring *r, uint32_t slot, uint32_t gen);
/* Says that the positions HEAD and TAIL are damaged (-EBADMSG), in the words every role uses: a
 * writer finds no room that can ever come, a consumer nothing it could read. */
int ring_refuse_damaged(const struct ring *r, uint64_t head, uint64_t tail);
/* enum shmlog_health of the ring's positions: the head, the tail word, the checkpoint and the
 * head again, loaded in that order. */
int ring_health(const struct ring *r, uint64_t before, uint64_t tail, uint64_t checkpoint,
		uint64_t after);
/* Is the process holding the consumer role alive? (Syscalls: never on a writer's hot path.) */
int ring_consumer_alive(const struct ring *r);

#endif

/* fuzz_ring_reader - the readers' promise about untrusted shared memory (ring.h, section 6): over
 * any ring contents, observers (OLDEST and NEWEST) and the consumer never crash, hang, or read
 * outside the mapping, and what they hand out is sane: records in position order, loss events
 * with a count, every record formattable (format_oracle.h).
 *
 * One real 64 KiB ring is created per process ("fuzz-ring-<pid>"); each input rewrites its live
 * header words, its producer table and its data area (never the identity line, which readers
 * validate once at attach and copy), then runs the readers for a bounded number of next() calls
 * with timeout 0. The consumer is opened per input, so it re-reads the checkpoint. PROT_NONE
 * guard pages on both sides of the mapping turn a read outside it into a crash.
 *
 * Input: a control block, then the body bytes for the data area.
 *   u8  mode       bit 0 observer OLDEST, 1 observer NEWEST, 2 consumer, 3 tile the body over the
 *                  whole data area, 4 move head after each round, 5 consumer before the observers,
 *                  6 commit between rounds, 7 raw positions (u64 head/cp/tail after the slots)
 *   u8  lap        positions are in lap LAP: head = LAP * SIZE + head_off
 *   u16 head_off   u16 cp_back (cp pos = head - cp_back)   u16 tail_back
 *   u32 head_seq   u32 cp_seq (bit 31: the consumer's "seq unknown" flag)   u8 cp_gen
 *   u8  misc       bit 0 consumer_sleeping, 1 space_waiters, 2-3 policy, 4-6 min_level, 7 this
 *                  process holds the consumer role while the observers run (a live collector)
 *   u16 head_fwd   after each round head moves on by head_fwd (head_seq by head_fwd / 64) when
 *                  mode bit 4 is set: two moves can lap a reader that is stuck
 *   u16 body_at    the body starts at data[body_at * 16 mod SIZE]
 *   u8  warp       2 bits per round: how far the monotonic clock jumps before it (0, 150 ms,
 *                  1.1 s, 5 s), so grace periods can expire without waiting
 *   u8  nslots     low 2 bits: that many producer slots follow, each
 *                  u16 index | u32 state | u32 pid (0xffffffff: this process) | u64 start |
 *                  u32 drops | u32 drops_reported
 * In the data area, every 16-byte aligned word whose top byte is 0xA5 becomes the state word
 * (its low 4 bits) of the position that index has in the lap before head, 0xA6 the same one lap
 * earlier (stale), 0xA7 one lap later (live once head has moved on): the ring key is random, so
 * the fuzzer could not write these itself.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "format_oracle.h"
#include "fuzz_util.h"
#include "internal.h"
#include "ring.h"

#define SIZE (64u * 1024)
#define NAME_PREFIX "fuzz-ring-"
#define MAX_EVENTS 1024    /* next() calls per reader per round: more than records fit */
#define ORACLE_EVENTS 1    /* events of each kind per reader put through the format oracle */
#define ROUNDS 3
#define MARK_LIVE 0xa5
#define MARK_STALE 0xa6
#define MARK_NEXT 0xa7
#define GUARD 4096

enum {
	M_OLDEST = 1 << 0,
	M_NEWEST = 1 << 1,
	M_CONSUMER = 1 << 2,
	M_TILE = 1 << 3,
	M_MOVE = 1 << 4,
	M_CONSUMER_FIRST = 1 << 5,
	M_COMMIT = 1 << 6,
	M_RAW = 1 << 7,
};

struct ctl {
	uint8_t mode, misc, warp;
	uint64_t head, head_seq, cp_pos, cp_seq, tail;
	uint8_t cp_gen;
	uint16_t head_fwd;
	size_t body_at;
};

static struct ring g_ring; /* holds the mapping every reader of this process shares */
static char g_name[SHMLOG_NAME_MAX + 1];
static uint64_t g_my_start;
/* SHMLOG_FUZZ_ALIGN_HEAD=1 keeps head 16-byte aligned. It once stepped around the observer's
 * unaligned-head bug, fixed in 95efbc1 (corpus/ring_reader/crash-observer-unaligned-head); by
 * default unaligned heads are fuzzed too. */
static bool g_align_head;
static bool g_verbose; /* SHMLOG_FUZZ_VERBOSE=1: print every event, to see what a seed reaches */

/* ---- a monotonic clock the harness can move ------------------------------------------------- */

/* The library's grace periods read CLOCK_MONOTONIC (mono_ms). Linked with
 * -Wl,--wrap=clock_gettime, its calls come here, and the harness adds g_warp_ns, so a record
 * can sit "stuck" for seconds in no time. libFuzzer's own timers use CLOCK_REALTIME. */
static int64_t g_warp_ns;

int __real_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts);

int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	int r = __real_clock_gettime(id, ts);

	if (r == 0 && id == CLOCK_MONOTONIC && g_warp_ns) {
		int64_t ns = (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec + g_warp_ns;
		ts->tv_sec = ns / 1000000000;
		ts->tv_nsec = ns % 1000000000;
	}
	return r;
}

/* ---- the ring ------------------------------------------------------------------------------- */

/* Rings left behind by fuzzers that crashed (libFuzzer exits with _exit then). */
static void remove_stale_rings(void)
{
	DIR *d = opendir("/dev/shm");
	struct dirent *e;
	char path[300];

	if (!d)
		return;
	while ((e = readdir(d))) {
		const char *prefix = "shmlog." NAME_PREFIX;
		char *end;
		long pid;

		if (strncmp(e->d_name, prefix, strlen(prefix)) != 0)
			continue;
		pid = strtol(e->d_name + strlen(prefix), &end, 10);
		if (*end || pid <= 0 || (kill((pid_t)pid, 0) == -1 && errno == ESRCH)) {
			snprintf(path, sizeof(path), "/%s", e->d_name);
			shm_unlink(path);
		}
	}
	closedir(d);
}

static void remove_ring(void)
{
	ring_detach(&g_ring);
	shmlog_unlink(g_name);
}

/* Reserves PROT_NONE pages with a hole of exactly LEN bytes between two guard pages. mmap puts a
 * new mapping in the highest gap that fits, which is this hole: the ring's mapping then has a
 * guard page on each side, and a read past either end of it faults. Returns the hole. */
static char *reserve_guarded_hole(size_t len)
{
	char *p = mmap(NULL, len + 2 * GUARD, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
		       -1, 0);

	FZ_CHECK(p != MAP_FAILED, "cannot reserve address space");
	FZ_CHECK(munmap(p + GUARD, len) == 0, "cannot punch the hole");
	return p + GUARD;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct shmlog_options o;
	const char *align;
	char *hole;
	int err;

	(void)argc;
	(void)argv;
	remove_stale_rings();
	snprintf(g_name, sizeof(g_name), NAME_PREFIX "%d", (int)getpid());
	shmlog_unlink(g_name);
	shmlog_options_init(&o);
	o.size = SIZE;
	hole = reserve_guarded_hole(RING_HEADER_SIZE + SIZE);
	err = ring_attach(&g_ring, g_name, &o, RING_CREATE | RING_WRITE);
	FZ_CHECK(err == 0, "cannot create ring %s: %s", g_name, shmlog_errmsg());
	atexit(remove_ring);
	if ((char *)g_ring.hdr != hole)
		fprintf(stderr, "fuzz_ring_reader: warning: the ring was not mapped between guard "
				"pages; a read just past the mapping may go unnoticed\n");
	g_my_start = proc_start_time(getpid());
	align = getenv("SHMLOG_FUZZ_ALIGN_HEAD");
	g_align_head = align && strcmp(align, "1") == 0;
	g_verbose = getenv("SHMLOG_FUZZ_VERBOSE") != NULL;
	return 0;
}

/* The position data index I has in the lap that ends at HEAD. */
static uint64_t position_of(uint64_t i, uint64_t head)
{
	uint64_t p = (head & ~(uint64_t)(SIZE - 1)) + i;

	return p >= head && p >= SIZE ? p - SIZE : p;
}

static void fill_data(const struct ctl *c, const uint8_t *body, size_t n)
{
	unsigned char *data = g_ring.data;
	size_t end = (c->mode & M_TILE) && n ? SIZE : n;

	memset(data, 0, SIZE);
	for (size_t k = 0, at = c->body_at & (SIZE - 1), chunk; k < end; k += chunk) {
		chunk = end - k;
		if (chunk > SIZE - at)
			chunk = SIZE - at;
		if (chunk > n - k % n)
			chunk = n - k % n;
		memcpy(data + at, body + k % n, chunk);
		at = (at + chunk) & (SIZE - 1);
	}
	for (uint64_t i = 0; i < SIZE; i += RING_ALIGN) {
		uint64_t w;
		memcpy(&w, data + i, sizeof(w));
		if (w >> 56 == MARK_LIVE)
			w = ring_word(&g_ring, position_of(i, c->head), w & 15);
		else if (w >> 56 == MARK_STALE)
			w = ring_word(&g_ring, position_of(i, c->head) - SIZE, w & 15);
		else if (w >> 56 == MARK_NEXT)
			w = ring_word(&g_ring, position_of(i, c->head) + SIZE, w & 15);
		else
			continue;
		memcpy(data + i, &w, sizeof(w));
	}
}

static void fill_slot(struct fz *in)
{
	struct ring_slot *s = &g_ring.slots[fz_u16(in) % RING_SLOTS];
	uint32_t pid;

	s->state = fz_u32(in);
	pid = fz_u32(in);
	s->start = fz_u64(in);
	if (pid == UINT32_MAX) {
		pid = (uint32_t)getpid();
		s->start = g_my_start;
	}
	s->pid = pid;
	s->drops = fz_u32(in);
	s->drops_reported = fz_u32(in);
}

/* Decodes the control block and rewrites everything but the identity line. */
static void setup(struct fz *in, struct ctl *c)
{
	struct ring_hdr *h = g_ring.hdr;
	uint16_t head_off, cp_back, tail_back;
	uint8_t lap, nslots;

	memset(c, 0, sizeof(*c));
	memset((char *)h + 64, 0, RING_SLOTS_OFFSET - 64);
	memset(g_ring.slots, 0, RING_SLOTS * sizeof(struct ring_slot));

	c->mode = fz_u8(in);
	lap = fz_u8(in);
	head_off = fz_u16(in);
	cp_back = fz_u16(in);
	tail_back = fz_u16(in);
	c->head_seq = fz_u32(in);
	c->cp_seq = fz_u32(in);
	if (c->cp_seq & 0x80000000u)
		c->cp_seq = (c->cp_seq & 0x7fffffffu) | 1ull << 63;
	c->cp_gen = fz_u8(in);
	c->misc = fz_u8(in);
	c->head_fwd = fz_u16(in);
	c->body_at = (size_t)fz_u16(in) * RING_ALIGN;
	c->warp = fz_u8(in);
	nslots = fz_u8(in) & 3;
	for (unsigned i = 0; i < nslots; i++)
		fill_slot(in);
	c->head = (uint64_t)lap * SIZE + head_off;
	c->cp_pos = c->head - cp_back;
	c->tail = c->head - tail_back;
	if (c->mode & M_RAW) {
		c->head = fz_u64(in);
		c->cp_pos = fz_u64(in);
		c->tail = fz_u64(in);
	}
	if (g_align_head) {
		c->head &= ~(uint64_t)(RING_ALIGN - 1);
		c->head_fwd &= ~(RING_ALIGN - 1);
	}

	h->head_pos = c->head;
	h->head_seq = c->head_seq;
	h->tail = c->tail;
	h->cp_gen = c->cp_gen;
	h->cp[c->cp_gen & 1][0] = c->cp_pos;
	h->cp[c->cp_gen & 1][1] = c->cp_seq;
	h->cp[~c->cp_gen & 1][0] = c->cp_pos + RING_ALIGN; /* the stale pair must not be used */
	h->cp[~c->cp_gen & 1][1] = c->cp_seq + 1;
	h->consumer_sleeping = c->misc & 1;
	h->space_waiters = (c->misc >> 1) & 1;
	h->policy = (c->misc >> 2) & 3;
	h->min_level = (c->misc >> 4) & 7;
}

/* Writers went on: head is MOVES times head_fwd past where the input put it. Each reader starts
 * at MOVES = 0 and sees one more move after each of its rounds. */
static void move_head(const struct ctl *c, int moves)
{
	g_ring.hdr->head_pos = c->head + (uint64_t)moves * c->head_fwd;
	g_ring.hdr->head_seq = c->head_seq + (uint64_t)moves * (c->head_fwd / 64);
}

static void warp(const struct ctl *c, int round)
{
	static const int64_t jump_ms[] = {0, 150, 1100, 5000};

	g_warp_ns += jump_ms[(c->warp >> (2 * round)) & 3] * 1000000;
}

/* ---- what readers hand out ------------------------------------------------------------------ */

struct seen {
	const char *who;
	uint64_t last_pos, last_seq;
	/* events of each kind (enum shmlog_next, indexed by it) through the format oracle */
	int checked[SHMLOG_NEXT_DAMAGED + 1];
	bool any;
};

/* Reads every byte a record points at, so ASan checks each lies in the reader's buffer; the
 * format oracle (fuzzed on its own by fuzz_record_fields) is too slow to run on every record. */
static void touch(const struct shmlog_record *rec)
{
	unsigned char x = 0;

	for (size_t i = 0; i < rec->tag_len; i++)
		x ^= (unsigned char)rec->tag[i];
	for (size_t i = 0; i < rec->msg_len; i++)
		x ^= (unsigned char)rec->msg[i];
	for (size_t i = 0; i < rec->fields_len; i++)
		x ^= rec->fields[i];
	__asm__ volatile("" : : "r"(x)); /* the loads must happen */
}

static void check_contents(struct seen *s, int ev, const struct shmlog_record *rec)
{
	if (s->checked[ev]++ < ORACLE_EVENTS) {
		fz_check_record(rec, rec->msg_len / 2);
	} else {
		touch(rec);
		fz_check_fields(rec);
	}
}

static bool forward(uint64_t from, uint64_t to)
{
	return to != from && to - from < 1ull << 63;
}

static void check_event(struct seen *s, int ev, const struct shmlog_record *rec, bool consumer)
{
	uint64_t body;

	if (g_verbose)
		fprintf(stderr, "%s: event %d pos %llu seq %llu count %llu: %.*s\n", s->who, ev,
			(unsigned long long)rec->pos, (unsigned long long)rec->seq,
			(unsigned long long)rec->count, (int)rec->msg_len, rec->msg);
	FZ_CHECK(ev == SHMLOG_NEXT_RECORD || ev == SHMLOG_NEXT_ABANDONED ||
			 ev == SHMLOG_NEXT_DAMAGED ||
			 (consumer ? ev == SHMLOG_NEXT_DROPPED : ev == SHMLOG_NEXT_LOST),
		 "%s: next() returned %d (%s)", s->who, ev, shmlog_errmsg());
	if (ev != SHMLOG_NEXT_RECORD) {
		FZ_CHECK(rec->flags == SHMLOG_REC_SYNTHETIC && rec->count > 0,
			 "%s: loss event %d with count %llu, flags %u", s->who, ev,
			 (unsigned long long)rec->count, rec->flags);
		check_contents(s, ev, rec);
		return;
	}
	body = (uint64_t)rec->tag_len + rec->msg_len + rec->fields_len;
	FZ_CHECK(rec->level >= SHMLOG_DEBUG && rec->level <= SHMLOG_CRITICAL,
		 "%s: record with level %d", s->who, rec->level);
	FZ_CHECK((rec->flags & ~SHMLOG_REC_TRUNCATED) == 0, "%s: record flags %u", s->who,
		 rec->flags);
	FZ_CHECK(rec->tag_len <= SHMLOG_MAX_TAG && REC_HDR_SIZE + body <= g_ring.max_record,
		 "%s: record of %llu bytes", s->who, (unsigned long long)body);
	FZ_CHECK(rec->msg_full_len >= rec->msg_len, "%s: full length below stored length", s->who);
	FZ_CHECK(rec->pos % RING_ALIGN == 0, "%s: record at unaligned position %llu", s->who,
		 (unsigned long long)rec->pos);
	/* Forward only; a garbage head near 2^64 may carry positions and seqs over zero. */
	FZ_CHECK(!s->any || forward(s->last_pos, rec->pos), "%s: position went from %llu to %llu",
		 s->who, (unsigned long long)s->last_pos, (unsigned long long)rec->pos);
	/* The consumer numbers what it delivers densely and never goes back. */
	FZ_CHECK(!consumer || !s->any || forward(s->last_seq, rec->seq),
		 "%s: seq went from %llu to %llu", s->who, (unsigned long long)s->last_seq,
		 (unsigned long long)rec->seq);
	s->any = true;
	s->last_pos = rec->pos;
	s->last_seq = rec->seq;
	check_contents(s, ev, rec);
}

static void drain_observer(struct shmlog_observer *o, struct seen *s)
{
	struct shmlog_record rec;

	for (int i = 0; i < MAX_EVENTS; i++) {
		int ev = shmlog_observer_next(o, &rec, 0);
		if (ev == SHMLOG_NEXT_EMPTY)
			return;
		check_event(s, ev, &rec, false);
	}
}

static void drain_consumer(struct shmlog_consumer *c, struct seen *s)
{
	struct shmlog_record rec;

	for (int i = 0; i < MAX_EVENTS; i++) {
		int ev = shmlog_consumer_next(c, &rec, 0);
		if (ev == SHMLOG_NEXT_EMPTY)
			return;
		check_event(s, ev, &rec, true);
	}
}

static void run_observer(const struct ctl *c, int start)
{
	struct seen s = {.who = start == SHMLOG_OBSERVE_OLDEST ? "observer(oldest)"
								: "observer(newest)"};
	struct shmlog_producer_info prod[4];
	struct shmlog_observer *o;
	struct shmlog_stats st;

	move_head(c, 0);
	g_ring.hdr->consumer_pid = c->misc & 0x80 ? (uint64_t)getpid() : 0;
	g_ring.hdr->consumer_start = c->misc & 0x80 ? g_my_start : 0;
	o = shmlog_observer_open(g_name, start);
	FZ_CHECK(o != NULL, "observer_open: %s", shmlog_errmsg());
	for (int round = 0; round < ROUNDS; round++) {
		warp(c, round);
		drain_observer(o, &s);
		if (c->mode & M_MOVE)
			move_head(c, round + 1);
	}
	FZ_CHECK(shmlog_observer_stats(o, &st, prod, 4) == 0, "observer_stats failed");
	FZ_CHECK(st.size == SIZE && st.nproducers <= 4, "observer_stats: nonsense");
	shmlog_observer_close(o);
}

static void run_consumer(const struct ctl *c)
{
	struct seen s = {.who = "consumer"};
	struct shmlog_consumer *con;
	uint64_t pos, seq;

	/* Whoever the input said was the consumer, the role is free now. */
	move_head(c, 0);
	g_ring.hdr->consumer_pid = 0;
	g_ring.hdr->consumer_start = 0;
	con = shmlog_consumer_open(g_name, NULL);
	if (!con && errno == EBADMSG) {
		/* Refused, and only for positions no ring in use can have. */
		uint64_t head = g_ring.hdr->head_pos, tail = g_ring.hdr->tail, cp;
		ring_read_checkpoint(&g_ring, &cp, &seq);
		FZ_CHECK(!ring_head_sane(head) || (!ring_pos_sane(&g_ring, head, tail, head) &&
						    !ring_pos_sane(&g_ring, head, cp, head)),
			 "consumer_open refused sound positions: %s", shmlog_errmsg());
		return;
	}
	FZ_CHECK(con != NULL, "consumer_open: %s", shmlog_errmsg());
	for (int round = 0; round < ROUNDS; round++) {
		warp(c, round);
		drain_consumer(con, &s);
		if (c->mode & M_COMMIT)
			FZ_CHECK(shmlog_consumer_commit(con) == 0, "commit failed");
		if (c->mode & M_MOVE)
			move_head(c, round + 1);
	}
	shmlog_consumer_checkpoint(con, &pos, &seq);
	FZ_CHECK(!(c->mode & M_COMMIT) || pos % RING_ALIGN == 0,
		 "consumer committed an unaligned checkpoint %llu", (unsigned long long)pos);
	shmlog_consumer_close(con);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	const uint8_t *body;
	struct ctl c;
	size_t n;

	g_warp_ns = 0;
	setup(&in, &c);
	n = fz_bytes(&in, in.n, &body);
	fill_data(&c, body, n);

	if ((c.mode & M_CONSUMER) && (c.mode & M_CONSUMER_FIRST))
		run_consumer(&c);
	if (c.mode & M_OLDEST)
		run_observer(&c, SHMLOG_OBSERVE_OLDEST);
	if (c.mode & M_NEWEST)
		run_observer(&c, SHMLOG_OBSERVE_NEWEST);
	if ((c.mode & M_CONSUMER) && !(c.mode & M_CONSUMER_FIRST))
		run_consumer(&c);
	g_warp_ns = 0;
	return 0;
}

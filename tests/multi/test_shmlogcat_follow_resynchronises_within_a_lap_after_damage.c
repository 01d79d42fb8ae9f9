/* test_shmlogcat_follow_resynchronises_within_a_lap_after_damage.c - `shmlogcat -f` on a live
 * 64K ring whose data area is damaged (record lengths 0xFFFFFFFF and 0x80000000, garbage state
 * words, random bytes) steps over the damage while it can read it, and once the damaged span
 * has been overwritten behind it resynchronises within one lap: every record written from one
 * lap after the damage was overwritten is shown, and every gap between two records it shows is
 * exactly the sum of the "-- lost N --" and "-- skipped N --" notes it printed between them.
 *
 * The schedule is driven by what the follower prints, never by time:
 *  1. a collector (the library's consumer, in a thread) is held; the follower shows every record
 *     so far and is stopped; records then fill the ring;
 *  2. records ahead of the follower are damaged; it is let go and shows the records up to the
 *     first garbage state word, where it waits for the collector to judge it;
 *  3. it is stopped again, the collector let go: the collector waits out its long grace at the
 *     garbage, skips it, and the test writes until the damaged span has been overwritten;
 *  4. the follower is let go, lapped. From then on the test writes a record for each line the
 *     follower prints, and a burst each time it reports a loss (writers do not stop while a
 *     lapped follower pauses), until two more laps have gone through. A follower that reads at
 *     all keeps up with that pace, however little CPU it gets.
 * Stdout and stderr share one pipe, so the notes sit between the records they explain. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/mman.h>

#include "ring.h"
#include "testutil.h"
#include "test_shmlogcat_helpers.h"

#define RING_SIZE (64 * 1024)
#define FIRST 100         /* records the follower shows before anything is damaged */
#define CREDIT 128        /* records the writer may be ahead of the follower's lines */
#define BURST 64          /* records written when the follower reports a loss */
#define LINE_WAIT_MS 20000
#define MAX_RECORDS 20000 /* far more than the run needs: the shown[] table */

/* A record that checks itself: its number and a body derived from it. */
static void record_text(char *out, size_t cap, int i)
{
	snprintf(out, cap, "n=%d body=%08x%08x", i, (unsigned)i * 2654435761u, ~(unsigned)i);
}

/* ---------------------------------------------------------------------------------------------
 * A collector that can be held still (the records it has not read stay in the ring).
 * ------------------------------------------------------------------------------------------- */

struct held_collector {
	pthread_t thread;
	struct shmlog_consumer *c;
	int hold, held, stop; /* __atomic */
};

static void *held_collector_main(void *arg)
{
	struct held_collector *col = arg;
	struct shmlog_record rec;

	while (!__atomic_load_n(&col->stop, __ATOMIC_ACQUIRE)) {
		if (__atomic_load_n(&col->hold, __ATOMIC_ACQUIRE)) {
			__atomic_store_n(&col->held, 1, __ATOMIC_RELEASE);
			sleep_ms(1);
			continue;
		}
		__atomic_store_n(&col->held, 0, __ATOMIC_RELEASE);
		if (shmlog_consumer_next(col->c, &rec, 20) != SHMLOG_NEXT_EMPTY)
			shmlog_consumer_commit(col->c);
	}
	return NULL;
}

static void hold_collector(struct held_collector *col, int hold)
{
	__atomic_store_n(&col->hold, hold, __ATOMIC_RELEASE);
	while (__atomic_load_n(&col->held, __ATOMIC_ACQUIRE) != hold)
		sleep_ms(1);
}

/* ---------------------------------------------------------------------------------------------
 * The run: the ring seen through a writable mapping, the writer, the follower's lines.
 * ------------------------------------------------------------------------------------------- */

struct run_state {
	struct shmlog *log;
	struct ring_hdr *hdr;
	unsigned char *data;
	size_t map_len;
	int written;               /* records written: the next one's number */
	struct follower f;         /* stdout and stderr of shmlogcat, on one pipe */
	int last_shown;            /* -1 before the first record */
	unsigned long long noted;  /* records the notes since the last record shown account for */
	unsigned long long lost, skipped;
	int notes, shown;
	int last_gap_end;          /* the record that ended the last gap, -1 if none */
	long long credit;          /* records the writer may still write in step 4 */
};

static uint64_t head_pos(const struct run_state *s)
{
	return at_load_acquire(&s->hdr->head_pos);
}

static uint64_t tail_pos(const struct run_state *s)
{
	return at_load_acquire(&s->hdr->tail);
}

static void write_record(struct run_state *s)
{
	char text[64];

	assert_true(s->written < MAX_RECORDS);
	record_text(text, sizeof(text), s->written);
	assert_int_equal(shmlog_log(s->log, SHMLOG_INFO, "t", "%s", text), 0);
	s->written++;
}

/* Starts `shmlogcat -f -o cat RING` with stderr on its stdout's pipe. */
static void follow_merged(struct follower *f, const char *ring)
{
	const char *argv[] = {"shmlogcat", "-f", "-o", "cat", ring, NULL};
	int p[2];

	memset(f, 0, sizeof(*f));
	buf_add(&f->pending, "", 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	f->pid = fork_child();
	if (f->pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		dup2(p[1], STDERR_FILENO);
		test_exec(shmlogcat_path(), (char *const *)argv);
		_exit(127);
	}
	close(p[1]);
	f->out = p[0];
	f->err = -1;
}

static void stop_follower(struct follower *f)
{
	int st;

	assert_int_equal(kill(f->pid, SIGSTOP), 0);
	assert_int_equal(waitpid(f->pid, &st, WUNTRACED), f->pid);
	assert_true(WIFSTOPPED(st));
}

static void cont_follower(struct follower *f)
{
	assert_int_equal(kill(f->pid, SIGCONT), 0);
}

static void report(const struct run_state *s, const char *when)
{
	printf("%s: %d written, %d shown (last n=%d), %d notes: %llu lost, %llu skipped; last gap "
	       "ended at n=%d\n",
	       when, s->written, s->shown, s->last_shown, s->notes, s->lost, s->skipped,
	       s->last_gap_end);
}

/* Reads one line of the follower and checks it: an intact record that follows the last one
 * shown, with the notes printed since then accounting for exactly the records in between; or
 * a note. Returns the record's number, or -1 for a note. */
static int next_line(struct run_state *s)
{
	unsigned long long n;
	const char *line = follow_line(&s->f, LINE_WAIT_MS * test_slow_factor());
	char text[64];
	int i;

	if (!line) {
		report(s, "follower went quiet");
		fail_msg("no line from the follower in %d ms", LINE_WAIT_MS * test_slow_factor());
	}
	if (sscanf(line, "-- lost %llu records --", &n) == 1 ||
	    sscanf(line, "-- skipped %llu records of dead writers --", &n) == 1 ||
	    sscanf(line, "-- skipped %llu damaged records --", &n) == 1) {
		*(line[3] == 'l' ? &s->lost : &s->skipped) += n;
		s->noted += n;
		s->notes++;
		return -1;
	}
	if (sscanf(line, "n=%d", &i) != 1)
		fail_msg("unexpected line '%s'", line);
	record_text(text, sizeof(text), i);
	if (strcmp(line, text))
		fail_msg("torn record: '%s', expected '%s'", line, text);
	if (i <= s->last_shown || i >= s->written)
		fail_msg("record %d after %d (%d written): out of order, repeated or made up", i,
			 s->last_shown, s->written);
	if ((unsigned long long)(i - s->last_shown - 1) != s->noted) {
		report(s, "inexact loss count");
		fail_msg("records %d to %d not shown, but the notes before n=%d account for %llu",
			 s->last_shown + 1, i - 1, i, s->noted);
	}
	if (s->noted)
		s->last_gap_end = i;
	s->noted = 0;
	s->last_shown = i;
	s->shown++;
	return i;
}

static void show_until(struct run_state *s, int n)
{
	while (s->last_shown < n)
		next_line(s);
}

struct rec_at {
	uint64_t pos;
	uint32_t len;
};

/* The committed records in [from, to), in order (padding stepped over). */
static int walk(const struct run_state *s, uint64_t from, uint64_t to, struct rec_at *out, int max)
{
	int n = 0;

	for (uint64_t p = from; p < to && n < max;) {
		const struct rec_hdr *h = (const void *)(s->data + (p & (RING_SIZE - 1)));
		uint32_t len = meta_len(at_load(&h->meta));

		assert_true(len >= REC_HDR_SIZE && len % RING_ALIGN == 0);
		if ((at_load(&h->state) & 15) == ST_COMMITTED)
			out[n++] = (struct rec_at){p, len};
		p += len;
	}
	return n;
}

static struct rec_hdr *rec(const struct run_state *s, const struct rec_at *r)
{
	return (struct rec_hdr *)(s->data + (r->pos & (RING_SIZE - 1)));
}

/* The number of the record R (read before it is damaged). */
static int number(const struct run_state *s, const struct rec_at *r)
{
	const struct rec_hdr *h = rec(s, r);
	const char *msg = (const char *)h + REC_HDR_SIZE + h->tag_len;
	char text[64];
	int i;

	assert_true(h->msg_len < sizeof(text));
	memcpy(text, msg, h->msg_len);
	text[h->msg_len] = '\0';
	assert_int_equal(sscanf(text, "n=%d", &i), 1);
	return i;
}

/* Damages records ahead of the follower, from the 6th after FROM on, and returns the end of the
 * damaged span; *marker is the last record the follower can show before the first garbage state
 * word, where it must wait for the collector to judge. It steps over the two bad lengths itself;
 * the rest, overwritten before it gets there, the collector skips. */
static uint64_t damage(struct run_state *s, uint64_t from, int *marker)
{
	struct rec_at r[16];
	uint64_t rnd = 0x5eed;
	int n = walk(s, from, head_pos(s), r, 16);

	assert_int_equal(n, 16);
	/* The key that makes state words self-identifying, from a word that is (ring.h §2). */
	uint64_t key = (at_load(&rec(s, &r[0])->state) ^ r[0].pos) & ~(uint64_t)15;
	uint64_t meta;

	*marker = number(s, &r[8]);
	meta = at_load(&rec(s, &r[5])->meta);
	at_store(&rec(s, &r[5])->meta, (meta & ~0xffffffffull) | 0xffffffffull);
	meta = at_load(&rec(s, &r[7])->meta);
	at_store(&rec(s, &r[7])->meta, (meta & ~0xffffffffull) | 0x80000000ull);
	at_store(&rec(s, &r[9])->state, 0x9e3779b97f4a7c15ull);
	/* Self-identifying, but for another position: as much garbage as any other word. */
	at_store(&rec(s, &r[10])->state,
		 (((r[10].pos + RING_ALIGN) ^ key) & ~(uint64_t)15) | ST_COMMITTED);
	/* Random bytes over two whole records (not wrapping round the end of the data area). */
	unsigned char *p = (unsigned char *)rec(s, &r[11]), *end = (unsigned char *)rec(s, &r[12]);
	if (end > p)
		for (end += r[12].len; p < end; p++)
			*p = (unsigned char)tu_rand(&rnd);
	return r[12].pos + r[12].len;
}

static void test_follower_resynchronises_within_a_lap_after_damage(void **state)
{
	const char *ring = ring_name("damage");
	struct held_collector col = {0};
	struct run_state s = {.last_shown = -1, .last_gap_end = -1};
	int marker, fd;
	char path[128];

	(void)state;
	s.log = open_ring(ring, RING_SIZE, SHMLOG_ON_FULL_BLOCK);
	snprintf(path, sizeof(path), "/shmlog.%s", ring);
	fd = shm_open(path, O_RDWR, 0);
	assert_true(fd >= 0);
	s.map_len = RING_HEADER_SIZE + RING_SIZE;
	s.hdr = mmap(NULL, s.map_len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(s.hdr != MAP_FAILED);
	close(fd);
	s.data = (unsigned char *)s.hdr + RING_HEADER_SIZE;
	col.c = shmlog_consumer_open(ring, NULL);
	if (!col.c)
		fail_msg("shmlog_consumer_open(%s): %s", ring, shmlog_errmsg());
	assert_int_equal(pthread_create(&col.thread, NULL, held_collector_main, &col), 0);
	follow_merged(&s.f, ring);

	/* 1. Everything so far shown; collector held, follower stopped; the ring fills. */
	while (s.written < FIRST)
		write_record(&s);
	show_until(&s, FIRST - 1);
	hold_collector(&col, 1);
	stop_follower(&s.f);
	uint64_t h0 = head_pos(&s);
	while (head_pos(&s) - tail_pos(&s) + 256 <= RING_SIZE)
		write_record(&s);

	/* 2. Damage ahead of the follower, which steps over what it can judge itself. */
	uint64_t damage_end = damage(&s, h0, &marker);
	cont_follower(&s.f);
	show_until(&s, marker);
	report(&s, "waiting at the garbage");
	assert_int_equal(s.skipped, 2);

	/* 3. The collector skips the garbage; writers overwrite the damaged span behind the
	 * stopped follower (the first write waits for the collector's long grace). */
	stop_follower(&s.f);
	hold_collector(&col, 0);
	while (head_pos(&s) < damage_end + RING_SIZE)
		write_record(&s);
	uint64_t overwritten = head_pos(&s);
	while (tail_pos(&s) != head_pos(&s))
		sleep_ms(1); /* the collector catches up: the end of this step, not a pace */
	int first_after = s.written, lap_later = -1;

	/* 4. The follower, lapped, must be back within a lap: every record written from one lap
	 * after the damage was overwritten is shown. */
	cont_follower(&s.f);
	s.credit = CREDIT;
	while (head_pos(&s) < overwritten + 3 * (uint64_t)RING_SIZE) {
		for (; s.credit > 0; s.credit--) {
			if (lap_later < 0 && head_pos(&s) >= overwritten + RING_SIZE)
				lap_later = s.written;
			write_record(&s);
		}
		s.credit += next_line(&s) < 0 ? BURST : 1;
		if (lap_later >= 0 && s.last_gap_end > lap_later) {
			report(&s, "lost again after a lap");
			fail_msg("the follower lost records up to n=%d, more than a lap (n=%d on) "
				 "after the damage was overwritten (n=%d on)",
				 s.last_gap_end - 1, lap_later, first_after);
		}
	}
	int last = s.written;
	write_record(&s);
	show_until(&s, last);
	report(&s, "done");
	printf("damage overwritten from n=%d on, a lap later from n=%d on\n", first_after,
	       lap_later);
	assert_true(s.lost > 0);
	assert_true(s.last_gap_end <= lap_later);

	kill(s.f.pid, SIGTERM);
	wait_status(s.f.pid);
	close(s.f.out);
	free(s.f.pending.data);
	__atomic_store_n(&col.stop, 1, __ATOMIC_RELEASE);
	pthread_join(col.thread, NULL);
	shmlog_consumer_close(col.c);
	munmap(s.hdr, s.map_len);
	shmlog_close(s.log);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_follower_resynchronises_within_a_lap_after_damage),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

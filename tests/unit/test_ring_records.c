/* test_ring_records - what goes into a record comes out of the consumer: every size, the
 * truncation mark, padding at the wrap, typed and context fields, level filtering, flush. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ring.h"
#include "testutil.h"

struct fixture {
	const char *name;
	struct shmlog *lg;
	struct shmlog_consumer *c;
};

static int setup_size(void **state, uint64_t size)
{
	static struct fixture f;
	struct shmlog_options o;
	shmlog_options_init(&o);
	o.size = size;
	f.name = tu_ring_name("rec");
	f.c = shmlog_consumer_open(f.name, &o);
	f.lg = shmlog_open(f.name, &o);
	if (!f.c || !f.lg)
		return -1;
	*state = &f;
	return 0;
}
static int setup(void **state)
{
	return setup_size(state, 1 << 20);
}
static int setup_small(void **state)
{
	return setup_size(state, 64 * 1024);
}
static int teardown(void **state)
{
	struct fixture *f = *state;
	shmlog_close(f->lg);
	shmlog_consumer_close(f->c);
	shmlog_unlink(f->name);
	return 0;
}

/* The next event, which must be a record. */
static void next_record(struct fixture *f, struct shmlog_record *rec)
{
	int ev = shmlog_consumer_next(f->c, rec, 1000);
	assert_int_equal(ev, SHMLOG_NEXT_RECORD);
}

static void test_every_message_size_from_empty_to_maximum_round_trips(void **state)
{
	struct fixture *f = *state;
	static char msg[SHMLOG_MAX_MESSAGE];
	uint64_t st = 42;
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (char)tu_rand(&st); /* any bytes, NULs included */
	for (size_t len = 0; len <= SHMLOG_MAX_MESSAGE; len += len < 4096 ? 1 : 61) {
		assert_int_equal(shmlog_write(f->lg, SHMLOG_INFO, "sz", msg, len), 0);
		struct shmlog_record rec;
		next_record(f, &rec);
		assert_int_equal(rec.msg_len, len);
		assert_int_equal(rec.msg_full_len, len);
		assert_int_equal(rec.flags & SHMLOG_REC_TRUNCATED, 0);
		assert_memory_equal(rec.msg, msg, len);
		assert_int_equal(rec.tag_len, 2);
		assert_memory_equal(rec.tag, "sz", 2);
		assert_int_equal(rec.pid, getpid());
		if (len % 64 == 0)
			shmlog_consumer_commit(f->c);
	}
	/* The maximum itself. */
	assert_int_equal(shmlog_write(f->lg, SHMLOG_INFO, "sz", msg, SHMLOG_MAX_MESSAGE), 0);
	struct shmlog_record rec;
	next_record(f, &rec);
	assert_int_equal(rec.msg_len, SHMLOG_MAX_MESSAGE);
	assert_memory_equal(rec.msg, msg, SHMLOG_MAX_MESSAGE);
}

static void test_message_above_maximum_is_truncated_and_marked(void **state)
{
	struct fixture *f = *state;
	size_t big = SHMLOG_MAX_MESSAGE * 3;
	char *msg = malloc(big);
	memset(msg, 'z', big);
	assert_int_equal(shmlog_write(f->lg, SHMLOG_WARNING, "big", msg, big), 0);
	struct shmlog_record rec;
	next_record(f, &rec);
	assert_int_equal(rec.msg_len, SHMLOG_MAX_MESSAGE);
	assert_int_equal(rec.msg_full_len, big);
	assert_true(rec.flags & SHMLOG_REC_TRUNCATED);
	char line[SHMLOG_MAX_MESSAGE + 256];
	assert_true(shmlog_format(&rec, SHMLOG_FORMAT_TEXT, 0, line, sizeof(line)) > 0);
	assert_non_null(strstr(line, "truncated"));
	/* printf-style messages are truncated the same way. */
	memset(msg + SHMLOG_MAX_MESSAGE + 10, 0, 1);
	assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "big", "%s", msg), 0);
	next_record(f, &rec);
	assert_int_equal(rec.msg_len, SHMLOG_MAX_MESSAGE);
	assert_int_equal(rec.msg_full_len, SHMLOG_MAX_MESSAGE + 10);
	assert_true(rec.flags & SHMLOG_REC_TRUNCATED);
	free(msg);
}

static void test_log_formats_like_printf(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(shmlog_log(f->lg, SHMLOG_ERROR, "fmt", "n=%d s=%s x=%#x", 42, "ok", 255), 0);
	struct shmlog_record rec;
	next_record(f, &rec);
	assert_int_equal(rec.level, SHMLOG_ERROR);
	assert_int_equal(rec.msg_len, strlen("n=42 s=ok x=0xff"));
	assert_memory_equal(rec.msg, "n=42 s=ok x=0xff", rec.msg_len);

	/* Refused by the library's own formatter only at the end, after nine integers (past the
	 * registers), a '*' width and a double: vsnprintf must get the arguments from the start. */
	char want[256];
	int n = snprintf(want, sizeof(want), "%d %d %d %d %d %d %d %d %*d %.2f", 1, 2, 3, 4, 5, 6,
			 7, 8, 6, 9, 2.5);
	assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "fmt", "%d %d %d %d %d %d %d %d %*d %.2f",
				    1, 2, 3, 4, 5, 6, 7, 8, 6, 9, 2.5),
			 0);
	next_record(f, &rec);
	assert_int_equal(rec.msg_len, (size_t)n);
	assert_memory_equal(rec.msg, want, rec.msg_len);
}

static void test_wrap_pads_to_the_end_and_records_never_straddle(void **state)
{
	struct fixture *f = *state;
	char msg[3000];
	uint64_t expect_seq = 0, lap_starts = 0;
	memset(msg, 'w', sizeof(msg));
	for (int i = 0; i < 400; i++) {
		size_t len = 100 + (size_t)(i * 37) % 2800;
		assert_int_equal(shmlog_write(f->lg, SHMLOG_INFO, "wrap", msg, len), 0);
		struct shmlog_record rec;
		next_record(f, &rec);
		assert_int_equal(rec.msg_len, len);
		assert_int_equal(rec.seq, expect_seq++);
		uint64_t off = rec.pos & (64 * 1024 - 1);
		assert_true(off + ring_align(REC_HDR_SIZE + 4 + len) <= 64 * 1024);
		lap_starts += off == 0 && rec.pos > 0;
		shmlog_consumer_commit(f->c);
	}
	assert_true(lap_starts >= 5); /* the ring really wrapped, with padding each time */
}

static void test_typed_fields_round_trip_with_their_types(void **state)
{
	struct fixture *f = *state;
	struct shmlog_field in[] = {
		SHMLOG_STR("path", "/a b"),
		SHMLOG_INT("status", -200),
		SHMLOG_FLOAT("ms", 1.25),
		SHMLOG_BOOL("cached", 1),
		SHMLOG_STRN("bin", "x\0y", 3),
	};
	assert_int_equal(shmlog_write_fields(f->lg, SHMLOG_INFO, "http", "done", 4, in, 5), 0);
	struct shmlog_record rec;
	next_record(f, &rec);
	assert_int_equal(rec.nfields, 5);
	size_t off = 0;
	struct shmlog_field out;
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_int_equal(out.type, SHMLOG_FIELD_STRING);
	assert_memory_equal(out.key, "path", 4);
	assert_int_equal(out.v.s.len, 4);
	assert_memory_equal(out.v.s.ptr, "/a b", 4);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_int_equal(out.type, SHMLOG_FIELD_INT);
	assert_int_equal(out.v.i, -200);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_int_equal(out.type, SHMLOG_FIELD_FLOAT);
	assert_true(out.v.f == 1.25);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_int_equal(out.type, SHMLOG_FIELD_BOOL);
	assert_int_equal(out.v.b, 1);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_int_equal(out.v.s.len, 3);
	assert_memory_equal(out.v.s.ptr, "x\0y", 3);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 0);
}

static void test_invalid_fields_are_refused_and_nothing_is_written(void **state)
{
	struct fixture *f = *state;
	struct shmlog_field nokey = {.key = NULL, .type = SHMLOG_FIELD_INT};
	struct shmlog_field badtype = {.key = "k", .type = 99};
	assert_int_equal(shmlog_write_fields(f->lg, SHMLOG_INFO, "t", "m", 1, &nokey, 1), -EINVAL);
	assert_int_equal(shmlog_write_fields(f->lg, SHMLOG_INFO, "t", "m", 1, &badtype, 1), -EINVAL);
	struct shmlog_record rec;
	assert_int_equal(shmlog_consumer_next(f->c, &rec, 0), SHMLOG_NEXT_EMPTY);
}

static void test_context_fields_attach_to_every_record_until_popped(void **state)
{
	struct fixture *f = *state;
	struct shmlog_field req = SHMLOG_STR("request.id", "r-17");
	struct shmlog_field user = SHMLOG_INT("user", 5);
	int t1 = shmlog_context_push(&req, 1);
	assert_true(t1 >= 0);
	int t2 = shmlog_context_push(&user, 1);
	assert_true(t2 >= 0);
	struct shmlog_field own = SHMLOG_INT("own", 1);
	assert_int_equal(shmlog_log_fields(f->lg, SHMLOG_INFO, "ctx", &own, 1, "a"), 0);
	shmlog_context_pop(t2);
	assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "ctx", "b"), 0);
	shmlog_context_pop(t1);
	assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "ctx", "c"), 0);

	struct shmlog_record rec;
	struct shmlog_field out;
	size_t off = 0;
	next_record(f, &rec);
	assert_int_equal(rec.nfields, 3);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_memory_equal(out.key, "own", 3); /* the writer's own fields come first */
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_memory_equal(out.key, "request.id", 10);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_memory_equal(out.key, "user", 4);
	next_record(f, &rec);
	assert_int_equal(rec.nfields, 1);
	off = 0;
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_memory_equal(out.key, "request.id", 10);
	next_record(f, &rec);
	assert_int_equal(rec.nfields, 0);
}

static void test_context_refuses_more_than_its_capacity(void **state)
{
	(void)state;
	static char big[5000];
	memset(big, 'c', sizeof(big) - 1);
	struct shmlog_field huge = SHMLOG_STR("big", big);
	assert_int_equal(shmlog_context_push(&huge, 1), -E2BIG);
}

static void test_records_below_the_ring_minimum_level_are_skipped(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(shmlog_set_level(f->lg, SHMLOG_WARNING), 0);
	assert_int_equal(shmlog_get_level(f->lg), SHMLOG_WARNING);
	assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "lvl", "skipped"), 0);
	assert_int_equal(shmlog_log(f->lg, SHMLOG_ERROR, "lvl", "kept"), 0);
	struct shmlog_record rec;
	next_record(f, &rec);
	assert_int_equal(rec.level, SHMLOG_ERROR);
	assert_int_equal(shmlog_consumer_next(f->c, &rec, 0), SHMLOG_NEXT_EMPTY);
	assert_int_equal(shmlog_set_level(f->lg, 9), -EINVAL);
	assert_int_equal(shmlog_log(f->lg, 0, "lvl", "bad level"), -EINVAL);
	assert_int_equal(shmlog_set_level(f->lg, SHMLOG_DEBUG), 0);
}

static void test_compile_time_filter_drops_calls_without_evaluating_arguments(void **state)
{
	struct fixture *f = *state;
	int evaluated = 0;
#undef SHMLOG_COMPILE_MIN_LEVEL
#define SHMLOG_COMPILE_MIN_LEVEL SHMLOG_WARNING
	shmlog_debug(f->lg, "cmp", "%d", ++evaluated);
	shmlog_info(f->lg, "cmp", "%d", ++evaluated);
	shmlog_error(f->lg, "cmp", "%d", ++evaluated);
	assert_int_equal(evaluated, 1);
	struct shmlog_record rec;
	next_record(f, &rec);
	assert_int_equal(rec.level, SHMLOG_ERROR);
	assert_int_equal(shmlog_consumer_next(f->c, &rec, 0), SHMLOG_NEXT_EMPTY);
}

static void test_flush_returns_once_the_consumer_committed(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "fl", "one"), 0);
	/* Nobody consumed yet: a short flush times out. */
	assert_int_equal(shmlog_flush(f->lg, 50), -ETIMEDOUT);
	struct shmlog_record rec;
	next_record(f, &rec);
	assert_int_equal(shmlog_flush(f->lg, 50), -ETIMEDOUT); /* read but not committed */
	shmlog_consumer_commit(f->c);
	assert_int_equal(shmlog_flush(f->lg, 50), 0);
}

static void test_a_scribbled_unaligned_head_is_refused_not_a_crash(void **state)
{
	struct fixture *f = *state;
	struct ring r;
	assert_int_equal(ring_attach(&r, f->name, NULL, RING_WRITE), 0);
	uint64_t saved = r.hdr->head_pos;
	r.hdr->head_pos = saved + 8; /* what a stray write from a buggy process could leave */
	assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "t", "x"), -EBADMSG);
	assert_non_null(strstr(shmlog_errmsg(), "damaged"));
	/* Readers neither crash nor read outside the ring (ASan checks), whatever they return. */
	struct shmlog_record rec;
	for (int start = 0; start < 2; start++) {
		struct shmlog_observer *o = shmlog_observer_open(f->name, start);
		assert_non_null(o);
		for (int i = 0; i < 8; i++)
			assert_true(shmlog_observer_next(o, &rec, 0) >= 0);
		shmlog_observer_close(o);
	}
	r.hdr->head_pos = saved;
	assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "t", "after repair"), 0);
	ring_detach(&r);
}

/* A tail word scribbled over while the checkpoint is sound: writers refuse the ring (-EBADMSG,
 * it can never have room), and a consumer that opens resumes at the checkpoint and repairs the
 * tail, so writers go on; the ring is not given up as damaged. */
static void test_a_scribbled_tail_is_repaired_by_a_consumer_resuming_at_its_checkpoint(void **state)
{
	struct fixture *f = *state;
	struct shmlog_record rec;
	for (int i = 0; i < 4; i++)
		assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "t", "%d", i), 0);
	for (int i = 0; i < 2; i++)
		next_record(f, &rec);
	assert_int_equal(shmlog_consumer_commit(f->c), 0);
	shmlog_consumer_close(f->c);
	f->c = NULL;
	struct ring r;
	assert_int_equal(ring_attach(&r, f->name, NULL, RING_WRITE), 0);
	uint64_t sound = r.hdr->tail;
	r.hdr->tail = r.hdr->head_pos + 4 * r.size; /* above the head: no writer gets past it */
	struct shmlog *fresh = shmlog_open(f->name, NULL); /* no good tail cached from before */
	assert_non_null(fresh);
	assert_int_equal(shmlog_log(fresh, SHMLOG_INFO, "t", "refused"), -EBADMSG);
	assert_non_null(strstr(shmlog_errmsg(), "is damaged"));
	shmlog_close(fresh);
	f->c = shmlog_consumer_open(f->name, NULL);
	assert_non_null(f->c);
	assert_int_equal(r.hdr->tail, sound);
	for (int i = 2; i < 4; i++) {
		next_record(f, &rec);
		assert_int_equal(rec.seq, (uint64_t)i);
	}
	assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "t", "after repair"), 0);
	next_record(f, &rec);
	assert_memory_equal(rec.msg, "after repair", rec.msg_len);
	ring_detach(&r);
}

/* A committed record whose length, or whose level, is scribbled over afterwards: an observer
 * reports it as damaged where it is, never as a record of a writer that died, and goes on. */
static void test_an_observer_reports_a_damaged_record_as_damaged_not_abandoned(void **state)
{
	struct fixture *f = *state;
	struct shmlog_record rec;
	struct ring r;
	char want[96];
	for (int i = 0; i < 5; i++)
		assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "t", "record %d", i), 0);
	assert_int_equal(ring_attach(&r, f->name, NULL, RING_WRITE), 0);
	uint64_t pos1 = meta_len(ring_rec(&r, 0)->meta);
	uint64_t pos3 = pos1 + meta_len(ring_rec(&r, pos1)->meta);
	pos3 += meta_len(ring_rec(&r, pos3)->meta);
	ring_rec(&r, pos1)->meta |= 0xffffffffull;                                /* length */
	ring_rec(&r, pos3)->meta = (ring_rec(&r, pos3)->meta & ~(0xffull << 56)) | 9ull << 56; /* level */
	struct shmlog_observer *o = shmlog_observer_open(f->name, SHMLOG_OBSERVE_OLDEST);
	assert_non_null(o);
	const uint64_t damaged_at[] = {pos1, pos3};
	for (int i = 0, d = 0; i < 5; i++) {
		int ev = shmlog_observer_next(o, &rec, 1000);
		if (i == 1 || i == 3) {
			assert_int_equal(ev, SHMLOG_NEXT_DAMAGED);
			assert_int_equal(rec.count, 1);
			snprintf(want, sizeof(want), "skipped 1 damaged record at position %llu",
				 (unsigned long long)damaged_at[d++]);
			assert_int_equal(rec.msg_len, strlen(want));
			assert_memory_equal(rec.msg, want, rec.msg_len);
			continue;
		}
		assert_int_equal(ev, SHMLOG_NEXT_RECORD);
		snprintf(want, sizeof(want), "record %d", i);
		assert_memory_equal(rec.msg, want, rec.msg_len);
	}
	assert_int_equal(shmlog_observer_next(o, &rec, 0), SHMLOG_NEXT_EMPTY);
	shmlog_observer_close(o);
	ring_detach(&r);
}

/* Positions read by a reader that stalls between its loads for laps of traffic still look
 * sound; the same values read without the stall's excuse do not. */
static void test_a_reader_stalled_between_its_loads_never_calls_a_ring_in_use_damaged(void **state)
{
	struct fixture *f = *state;
	struct ring r;
	assert_int_equal(ring_attach(&r, f->name, NULL, 0), 0);
	uint64_t lap = r.size, before = 10 * lap;
	/* The consumer moved 3 laps on between the first head load and the tail load. */
	assert_int_equal(ring_health(&r, before, before + 3 * lap, before + 3 * lap, before + 3 * lap + 64),
			 SHMLOG_HEALTH_SOUND);
	assert_int_equal(ring_health(&r, before, before - lap, before - lap, before), SHMLOG_HEALTH_SOUND);
	/* Never: a tail past a head loaded after it, or more than a lap behind one loaded before. */
	assert_int_equal(ring_health(&r, before, before + 3 * lap, before, before),
			 SHMLOG_HEALTH_POSITIONS_DAMAGED);
	assert_int_equal(ring_health(&r, before, before - lap - 16, before, before),
			 SHMLOG_HEALTH_POSITIONS_DAMAGED);
	assert_int_equal(ring_health(&r, before, before, before + 3 * lap, before),
			 SHMLOG_HEALTH_CHECKPOINT_DAMAGED);
	assert_int_equal(ring_health(&r, RING_POS_MAX + 16, 0, 0, RING_POS_MAX + 16),
			 SHMLOG_HEALTH_POSITIONS_DAMAGED);
	ring_detach(&r);
}

static void test_a_damaged_checkpoint_resumes_at_the_tail_with_the_writers_numbering(void **state)
{
	struct fixture *f = *state;
	struct shmlog_record rec;
	for (int i = 0; i < 10; i++)
		assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "cp", "%d", i), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(shmlog_consumer_next(f->c, &rec, 1000), SHMLOG_NEXT_RECORD);
	assert_int_equal(shmlog_consumer_commit(f->c), 0);
	shmlog_consumer_close(f->c);
	/* Scribble both checkpoint pairs: unaligned positions, garbage seqs. The tail is sound. */
	struct ring r;
	assert_int_equal(ring_attach(&r, f->name, NULL, RING_WRITE), 0);
	for (int k = 0; k < 2; k++) {
		r.hdr->cp[k][0] = 12345;
		r.hdr->cp[k][1] = 0x7777777777ull;
	}
	ring_detach(&r);
	f->c = shmlog_consumer_open(f->name, NULL);
	assert_non_null(f->c);
	for (int i = 5; i < 10; i++) {
		assert_int_equal(shmlog_consumer_next(f->c, &rec, 1000), SHMLOG_NEXT_RECORD);
		assert_int_equal(rec.seq, (uint64_t)i); /* no invented loss, no garbage numbering */
	}
	assert_int_equal(shmlog_consumer_next(f->c, &rec, 0), SHMLOG_NEXT_EMPTY);
}

static void test_a_mark_commits_only_what_was_read_before_it(void **state)
{
	struct fixture *f = *state;
	struct shmlog_record rec;
	struct shmlog_mark m3, m6;
	for (int i = 0; i < 10; i++)
		assert_int_equal(shmlog_log(f->lg, SHMLOG_INFO, "mk", "%d", i), 0);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(shmlog_consumer_next(f->c, &rec, 1000), SHMLOG_NEXT_RECORD);
		if (i == 2)
			shmlog_consumer_mark(f->c, &m3);
		if (i == 5)
			shmlog_consumer_mark(f->c, &m6);
	}
	/* Read up to 8; commit to 3, then 6: space comes back only up to each mark. */
	assert_int_equal(shmlog_consumer_commit_mark(f->c, &m3), 0);
	uint64_t pos, seq;
	shmlog_consumer_checkpoint(f->c, &pos, &seq);
	assert_int_equal(seq, 3);
	assert_int_equal(shmlog_consumer_commit_mark(f->c, &m6), 0);
	shmlog_consumer_checkpoint(f->c, &pos, &seq);
	assert_int_equal(seq, 6);
	/* Marks go forward only. */
	assert_int_equal(shmlog_consumer_commit_mark(f->c, &m3), -EINVAL);
	assert_non_null(strstr(shmlog_errmsg(), "mark"));
	/* A new consumer resumes at the last committed mark: 6, not 8. */
	shmlog_consumer_close(f->c);
	f->c = shmlog_consumer_open(f->name, NULL);
	assert_non_null(f->c);
	for (int i = 6; i < 10; i++) {
		assert_int_equal(shmlog_consumer_next(f->c, &rec, 1000), SHMLOG_NEXT_RECORD);
		assert_int_equal(rec.seq, (uint64_t)i);
	}
	assert_int_equal(shmlog_consumer_next(f->c, &rec, 0), SHMLOG_NEXT_EMPTY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_every_message_size_from_empty_to_maximum_round_trips, setup, teardown),
		cmocka_unit_test_setup_teardown(test_message_above_maximum_is_truncated_and_marked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_formats_like_printf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_pads_to_the_end_and_records_never_straddle, setup_small, teardown),
		cmocka_unit_test_setup_teardown(test_typed_fields_round_trip_with_their_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_fields_are_refused_and_nothing_is_written, setup, teardown),
		cmocka_unit_test_setup_teardown(test_context_fields_attach_to_every_record_until_popped, setup, teardown),
		cmocka_unit_test(test_context_refuses_more_than_its_capacity),
		cmocka_unit_test_setup_teardown(test_records_below_the_ring_minimum_level_are_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compile_time_filter_drops_calls_without_evaluating_arguments, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flush_returns_once_the_consumer_committed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_scribbled_unaligned_head_is_refused_not_a_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_damaged_checkpoint_resumes_at_the_tail_with_the_writers_numbering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_scribbled_tail_is_repaired_by_a_consumer_resuming_at_its_checkpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_reader_stalled_between_its_loads_never_calls_a_ring_in_use_damaged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_an_observer_reports_a_damaged_record_as_damaged_not_abandoned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_a_mark_commits_only_what_was_read_before_it, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_fields.c - typed fields survive encode -> iterate, and damaged encodings are refused
 * without a byte read out of bounds (record.c). Run under ASan to make the second half bite:
 * every damaged buffer lives in a heap block of exactly its own size. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "record.h"
#include "shmlog.h"

#define MAX_ENCODED 4096

struct encoded {
	unsigned char bytes[MAX_ENCODED];
	size_t len;
};

static void encode_all(struct encoded *e, const struct shmlog_field *f, size_t n)
{
	size_t i, need;

	e->len = 0;
	for (i = 0; i < n; i++) {
		need = field_encoded_size(&f[i]);
		assert_true(need > 0);
		assert_true(e->len + need <= sizeof(e->bytes));
		assert_int_equal(field_encode(e->bytes + e->len, &f[i]), need);
		e->len += need;
	}
}

static struct shmlog_record record_over(const unsigned char *fields, size_t len)
{
	struct shmlog_record rec = {.seq = 7, .fields = fields, .fields_len = len};

	return rec;
}

/* Encodes F alone and reads it back into *out, checking the iterator then reports the end. */
static void round_trip(const struct shmlog_field *f, struct encoded *e, struct shmlog_field *out)
{
	struct shmlog_record rec;
	size_t off = 0;

	encode_all(e, f, 1);
	rec = record_over(e->bytes, e->len);
	assert_int_equal(shmlog_record_field(&rec, &off, out), 1);
	assert_int_equal(off, e->len);
	assert_int_equal(shmlog_record_field(&rec, &off, out), 0);
	assert_int_equal(out->type, f->type);
	assert_int_equal(out->key_len, strlen(f->key));
	assert_memory_equal(out->key, f->key, out->key_len);
}

static void test_int_fields_round_trip_including_extremes(void **state)
{
	static const int64_t values[] = {0, 1, -1, 200, INT64_MIN, INT64_MAX};
	struct shmlog_field out;
	struct encoded e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct shmlog_field f = SHMLOG_INT("status", values[i]);

		round_trip(&f, &e, &out);
		assert_true(out.v.i == values[i]);
	}
}

static void test_float_fields_round_trip_bit_for_bit(void **state)
{
	const double values[] = {0.1, -0.0, 1e308, 4.9e-324, INFINITY, -INFINITY, NAN, 3.0};
	struct shmlog_field out;
	struct encoded e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		struct shmlog_field f = SHMLOG_FLOAT("ratio", values[i]);

		round_trip(&f, &e, &out);
		assert_memory_equal(&out.v.f, &values[i], sizeof(double));
	}
}

static void test_bool_fields_round_trip_as_zero_or_one(void **state)
{
	struct shmlog_field f = SHMLOG_BOOL("ok", 1), out;
	struct encoded e;

	(void)state;
	round_trip(&f, &e, &out);
	assert_int_equal(out.v.b, 1);
	f.v.b = 0;
	round_trip(&f, &e, &out);
	assert_int_equal(out.v.b, 0);
	f.v.b = 42; /* set directly, bypassing the macro's !! */
	round_trip(&f, &e, &out);
	assert_int_equal(out.v.b, 1);
}

static void test_string_fields_round_trip_with_embedded_nul_and_any_byte(void **state)
{
	static const char value[] = "a\0b\n\xff\x1b[31m";
	struct shmlog_field f = SHMLOG_STRN("path", value, sizeof(value) - 1), out;
	struct encoded e;

	(void)state;
	round_trip(&f, &e, &out);
	assert_int_equal(out.v.s.len, sizeof(value) - 1);
	assert_memory_equal(out.v.s.ptr, value, sizeof(value) - 1);
}

static void test_nul_terminated_string_fields_take_their_length_from_strlen(void **state)
{
	struct shmlog_field f = SHMLOG_STR("path", "/a b"), out;
	struct encoded e;

	(void)state;
	round_trip(&f, &e, &out);
	assert_int_equal(out.v.s.len, 4);
	assert_memory_equal(out.v.s.ptr, "/a b", 4);
}

static void test_empty_and_null_string_values_come_back_empty(void **state)
{
	struct shmlog_field f = SHMLOG_STR("user", ""), out;
	struct encoded e;

	(void)state;
	round_trip(&f, &e, &out);
	assert_int_equal(out.v.s.len, 0);
	f = (struct shmlog_field)SHMLOG_STR("user", NULL);
	round_trip(&f, &e, &out);
	assert_int_equal(out.v.s.len, 0);
	f = (struct shmlog_field)SHMLOG_STRN("user", NULL, 5);
	round_trip(&f, &e, &out);
	assert_int_equal(out.v.s.len, 0);
}

static void test_explicit_key_len_allows_keys_that_are_not_nul_terminated(void **state)
{
	struct shmlog_field f = SHMLOG_INT("request_id_and_more", 5), out;
	struct shmlog_record rec;
	struct encoded e;
	size_t off = 0;

	(void)state;
	f.key_len = 7;
	encode_all(&e, &f, 1);
	rec = record_over(e.bytes, e.len);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_int_equal(out.key_len, 7);
	assert_memory_equal(out.key, "request", 7);
}

static void test_keys_of_one_to_255_bytes_are_accepted(void **state)
{
	char key[SHMLOG_MAX_KEY + 1];
	struct shmlog_field f = SHMLOG_BOOL(key, 1), out;
	struct encoded e;

	(void)state;
	memset(key, 'k', sizeof(key) - 1);
	key[sizeof(key) - 1] = '\0';
	round_trip(&f, &e, &out);
	assert_int_equal(out.key_len, SHMLOG_MAX_KEY);
	key[1] = '\0';
	round_trip(&f, &e, &out);
	assert_int_equal(out.key_len, 1);
}

static void test_encoded_size_is_zero_for_a_field_that_cannot_be_encoded(void **state)
{
	char long_key[SHMLOG_MAX_KEY + 2];
	struct shmlog_field f = SHMLOG_INT("k", 1);

	(void)state;
	memset(long_key, 'k', sizeof(long_key) - 1);
	long_key[sizeof(long_key) - 1] = '\0';
	assert_int_equal(field_encoded_size(NULL), 0);
	f.key = NULL;
	assert_int_equal(field_encoded_size(&f), 0);
	f.key = "";
	assert_int_equal(field_encoded_size(&f), 0);
	f.key = long_key;
	assert_int_equal(field_encoded_size(&f), 0);
	f.key = "k";
	f.key_len = SHMLOG_MAX_KEY + 1;
	assert_int_equal(field_encoded_size(&f), 0);
	f.key_len = 0;
	f.type = 0;
	assert_int_equal(field_encoded_size(&f), 0);
	f.type = 5;
	assert_int_equal(field_encoded_size(&f), 0);
	f.type = SHMLOG_FIELD_STRING;
	f.v.s.ptr = "x";
	f.v.s.len = (size_t)UINT32_MAX + 1;
	assert_int_equal(field_encoded_size(&f), 0);
}

static void test_encoded_size_matches_the_layout_in_record_h(void **state)
{
	struct shmlog_field s = SHMLOG_STR("key", "value"), i = SHMLOG_INT("key", 1),
			    d = SHMLOG_FLOAT("key", 1), b = SHMLOG_BOOL("key", 1);

	(void)state;
	assert_int_equal(field_encoded_size(&s), 2 + 3 + 4 + 5);
	assert_int_equal(field_encoded_size(&i), 2 + 3 + 8);
	assert_int_equal(field_encoded_size(&d), 2 + 3 + 8);
	assert_int_equal(field_encoded_size(&b), 2 + 3 + 1);
}

static void test_mixed_fields_come_back_in_order_at_unaligned_offsets(void **state)
{
	const struct shmlog_field in[] = {
		SHMLOG_BOOL("b", 1),	    SHMLOG_INT("status", 200), SHMLOG_STR("path", "/a b"),
		SHMLOG_FLOAT("ratio", 0.5), SHMLOG_STR("e", ""),	   SHMLOG_INT("neg", -3),
	};
	struct shmlog_field out;
	struct shmlog_record rec;
	struct encoded e;
	size_t off = 0, n = 0;

	(void)state;
	encode_all(&e, in, sizeof(in) / sizeof(in[0]));
	rec = record_over(e.bytes, e.len);
	while (shmlog_record_field(&rec, &off, &out) == 1) {
		assert_int_equal(out.type, in[n].type);
		assert_int_equal(out.key_len, strlen(in[n].key));
		assert_memory_equal(out.key, in[n].key, out.key_len);
		n++;
	}
	assert_int_equal(n, sizeof(in) / sizeof(in[0]));
	assert_int_equal(off, e.len);
	off = 0;
	for (n = 0; n < 2; n++)
		assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_int_equal(out.v.i, 200);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_memory_equal(out.v.s.ptr, "/a b", 4);
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	assert_true(out.v.f == 0.5);
}

static void test_a_record_without_fields_ends_at_once(void **state)
{
	struct shmlog_record rec = record_over(NULL, 0);
	struct shmlog_field out;
	size_t off = 0;

	(void)state;
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 0);
	assert_int_equal(off, 0);
}

static void test_null_arguments_are_rejected_with_einval(void **state)
{
	struct shmlog_record rec = record_over(NULL, 0);
	struct shmlog_field out;
	size_t off = 0;

	(void)state;
	assert_int_equal(shmlog_record_field(NULL, &off, &out), -EINVAL);
	assert_int_equal(shmlog_record_field(&rec, NULL, &out), -EINVAL);
	assert_int_equal(shmlog_record_field(&rec, &off, NULL), -EINVAL);
}

/* Iterates BYTES (copied into a heap block of exactly LEN bytes) to the end or the first error;
 * every field returned must lie inside the block. Returns the last result. */
static int walk_copy(const unsigned char *bytes, size_t len, size_t *nfields)
{
	unsigned char *copy = malloc(len ? len : 1);
	struct shmlog_record rec;
	struct shmlog_field out;
	size_t off = 0, prev;
	int r;

	assert_non_null(copy);
	if (len)
		memcpy(copy, bytes, len);
	rec = record_over(copy, len);
	*nfields = 0;
	for (;;) {
		prev = off;
		r = shmlog_record_field(&rec, &off, &out);
		if (r != 1)
			break;
		assert_true(off > prev && off <= len);
		assert_true((const unsigned char *)out.key >= copy);
		assert_true((const unsigned char *)out.key + out.key_len <= copy + off);
		if (out.type == SHMLOG_FIELD_STRING)
			assert_true((const unsigned char *)out.v.s.ptr + out.v.s.len <= copy + off);
		++*nfields;
	}
	if (r != 0)
		assert_int_equal(off, prev);
	free(copy);
	return r;
}

static void test_every_cut_short_encoding_is_refused_as_ebadmsg(void **state)
{
	const struct shmlog_field in[] = {
		SHMLOG_STR("path", "/a b"),
		SHMLOG_INT("status", 200),
		SHMLOG_FLOAT("ratio", 0.5),
		SHMLOG_BOOL("ok", 0),
	};
	size_t bounds[] = {0, 0, 0, 0, 0}, cut, nb = 1, nfields;
	struct encoded e;
	int r;

	(void)state;
	encode_all(&e, in, 4);
	for (cut = 0; cut < 4; cut++) {
		bounds[nb] = bounds[nb - 1] + field_encoded_size(&in[cut]);
		nb++;
	}
	for (cut = 0; cut <= e.len; cut++) {
		bool at_boundary = false;
		size_t i;

		for (i = 0; i < nb; i++)
			at_boundary |= bounds[i] == cut;
		r = walk_copy(e.bytes, cut, &nfields);
		assert_int_equal(r, at_boundary ? 0 : -EBADMSG);
	}
}

static void assert_damaged(const unsigned char *bytes, size_t len)
{
	size_t nfields;

	assert_int_equal(walk_copy(bytes, len, &nfields), -EBADMSG);
}

static void test_zero_key_length_unknown_type_and_bad_bool_are_refused(void **state)
{
	static const unsigned char zero_key[] = {SHMLOG_FIELD_BOOL, 0, 1};
	static const unsigned char type0[] = {0, 1, 'k', 1};
	static const unsigned char type5[] = {5, 1, 'k', 1};
	static const unsigned char bool2[] = {SHMLOG_FIELD_BOOL, 1, 'k', 2};
	static const unsigned char one_byte[] = {SHMLOG_FIELD_INT};

	(void)state;
	assert_damaged(zero_key, sizeof(zero_key));
	assert_damaged(type0, sizeof(type0));
	assert_damaged(type5, sizeof(type5));
	assert_damaged(bool2, sizeof(bool2));
	assert_damaged(one_byte, sizeof(one_byte));
}

static void test_string_length_past_the_end_is_refused(void **state)
{
	static const uint32_t too_long[] = {4, 0x80000000u, UINT32_MAX};
	unsigned char bytes[3 + 4 + 3] = {SHMLOG_FIELD_STRING, 1, 'k'};
	uint32_t fits = 3;
	size_t i, nfields;

	(void)state;
	for (i = 0; i < sizeof(too_long) / sizeof(too_long[0]); i++) {
		memcpy(bytes + 3, &too_long[i], sizeof(uint32_t));
		assert_damaged(bytes, sizeof(bytes));
	}
	memcpy(bytes + 3, &fits, sizeof(fits));
	assert_int_equal(walk_copy(bytes, sizeof(bytes), &nfields), 0);
	assert_int_equal(nfields, 1);
}

static void test_an_offset_past_the_end_is_refused(void **state)
{
	static const unsigned char bytes[] = {SHMLOG_FIELD_BOOL, 1, 'k', 1};
	struct shmlog_record rec = record_over(bytes, sizeof(bytes));
	struct shmlog_field out;
	size_t off = sizeof(bytes) + 1;

	(void)state;
	assert_int_equal(shmlog_record_field(&rec, &off, &out), -EBADMSG);
	assert_int_equal(off, sizeof(bytes) + 1);
	off = SIZE_MAX;
	assert_int_equal(shmlog_record_field(&rec, &off, &out), -EBADMSG);
	rec.fields = NULL;
	off = 0;
	assert_int_equal(shmlog_record_field(&rec, &off, &out), -EBADMSG);
}

static void test_damage_leaves_offset_and_output_untouched_and_explains_itself(void **state)
{
	static const unsigned char bytes[] = {SHMLOG_FIELD_BOOL, 1, 'k', 1, 9, 1, 'x', 0};
	struct shmlog_record rec = record_over(bytes, sizeof(bytes));
	struct shmlog_field out, before;
	size_t off = 0;

	(void)state;
	assert_int_equal(shmlog_record_field(&rec, &off, &out), 1);
	before = out;
	assert_int_equal(shmlog_record_field(&rec, &off, &out), -EBADMSG);
	assert_int_equal(off, 4);
	assert_memory_equal(&out, &before, sizeof(out));
	assert_non_null(strstr(shmlog_errmsg(), "damaged"));
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Random bytes are mostly refused at the first field; the small type and length values make
 * some of them parse a few fields first, which is where out-of-bounds reads would hide. */
static void test_random_bytes_never_make_the_iterator_read_out_of_bounds(void **state)
{
	unsigned char bytes[64];
	size_t round, i, len, nfields, parsed = 0;
	int r;

	(void)state;
	for (round = 0; round < 2000; round++) {
		len = rng() % sizeof(bytes);
		for (i = 0; i < len; i++) {
			uint64_t x = rng();

			bytes[i] = (unsigned char)(x % 4 == 0 ? x >> 8 : (x >> 8) % 6);
		}
		r = walk_copy(bytes, len, &nfields);
		assert_true(r == 0 || r == -EBADMSG);
		parsed += nfields;
	}
	assert_true(parsed > 100);
}

static void test_bit_flips_in_valid_encodings_never_read_out_of_bounds(void **state)
{
	const struct shmlog_field in[] = {
		SHMLOG_STR("path", "/a b"), SHMLOG_INT("status", 200), SHMLOG_FLOAT("ratio", 0.5),
		SHMLOG_BOOL("ok", 1),	    SHMLOG_STR("user", "x"),
	};
	struct encoded e, damaged;
	size_t round, nfields;
	int r;

	(void)state;
	encode_all(&e, in, sizeof(in) / sizeof(in[0]));
	for (round = 0; round < 2000; round++) {
		damaged = e;
		damaged.bytes[rng() % e.len] ^= (unsigned char)(1u << (rng() % 8));
		if (round % 2)
			damaged.bytes[rng() % e.len] = (unsigned char)rng();
		r = walk_copy(damaged.bytes, e.len, &nfields);
		assert_true(r == 0 || r == -EBADMSG);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_fields_round_trip_including_extremes),
		cmocka_unit_test(test_float_fields_round_trip_bit_for_bit),
		cmocka_unit_test(test_bool_fields_round_trip_as_zero_or_one),
		cmocka_unit_test(test_string_fields_round_trip_with_embedded_nul_and_any_byte),
		cmocka_unit_test(test_nul_terminated_string_fields_take_their_length_from_strlen),
		cmocka_unit_test(test_empty_and_null_string_values_come_back_empty),
		cmocka_unit_test(test_explicit_key_len_allows_keys_that_are_not_nul_terminated),
		cmocka_unit_test(test_keys_of_one_to_255_bytes_are_accepted),
		cmocka_unit_test(test_encoded_size_is_zero_for_a_field_that_cannot_be_encoded),
		cmocka_unit_test(test_encoded_size_matches_the_layout_in_record_h),
		cmocka_unit_test(test_mixed_fields_come_back_in_order_at_unaligned_offsets),
		cmocka_unit_test(test_a_record_without_fields_ends_at_once),
		cmocka_unit_test(test_null_arguments_are_rejected_with_einval),
		cmocka_unit_test(test_every_cut_short_encoding_is_refused_as_ebadmsg),
		cmocka_unit_test(test_zero_key_length_unknown_type_and_bad_bool_are_refused),
		cmocka_unit_test(test_string_length_past_the_end_is_refused),
		cmocka_unit_test(test_an_offset_past_the_end_is_refused),
		cmocka_unit_test(test_damage_leaves_offset_and_output_untouched_and_explains_itself),
		cmocka_unit_test(test_random_bytes_never_make_the_iterator_read_out_of_bounds),
		cmocka_unit_test(test_bit_flips_in_valid_encodings_never_read_out_of_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

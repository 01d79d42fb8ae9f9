/* test_printf.c - shmlog_log()'s formatter (libshmlog/src/printf.c) against the C library's
 * vsnprintf(): for every format it accepts, the same bytes and the same return value, whatever
 * the buffer's size; everything else refused, so that vsnprintf() formats it.
 *
 * The random formats draw flags, widths and precisions (digits and '*'), length modifiers and
 * conversions, now and then something msg_vformat() must refuse ('#', '\'', %o, %p, %m, a NULL
 * string...), and arguments at the edges (0, -1, INT64_MIN, UINT64_MAX, bytes 0-255, empty and
 * long strings; widths and precisions small, near 100 and near the 4096 limit). Arguments are passed as 64-bit integers and pointers and read back as whatever
 * the format says: on x86-64 and AArch64 an int read from a 64-bit slot is its low half, the
 * same for both sides. $SHMLOG_PRINTF_ROUNDS sets the number of formats (default 200,000).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <cmocka.h>

#include "internal.h"

#define NARGS 16 /* a format here reads at most 4 x 3 */
#define BUF 1024

struct rng {
	uint64_t s;
};

static uint64_t next(struct rng *r)
{
	r->s ^= r->s << 13; /* xorshift64: reproducible from the seed printed on failure */
	r->s ^= r->s >> 7;
	r->s ^= r->s << 17;
	return r->s;
}

static unsigned below(struct rng *r, unsigned n)
{
	return (unsigned)(next(r) % n);
}

/* Both formatters on the same arguments; returns msg_vformat's result, fails on a mismatch. */
static int compare(size_t cap, const char *fmt, ...)
{
	char ours[BUF + 16], theirs[BUF + 16];
	va_list ap;

	memset(ours, 'U', sizeof(ours));
	memset(theirs, 'U', sizeof(theirs));
	va_start(ap, fmt);
	int n = msg_vformat(ours, cap, fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	va_start(ap, fmt);
	int want = vsnprintf(theirs, cap, fmt, ap);
	va_end(ap);
	if (n != want || memcmp(ours, theirs, sizeof(ours)) != 0) {
		print_error("format \"%s\", capacity %zu: vsnprintf gave %d \"%.*s\", msg_vformat %d "
			    "\"%.*s\"\n",
			    fmt, cap, want, cap ? (int)cap : 0, theirs, n, cap ? (int)cap : 0, ours);
		fail();
	}
	return n;
}

static const char *const strings[] = {"", "x", "hello", "request done", "ünïcödé",
				      "a string that is longer than most widths used here, "
				      "a string that is longer than most widths used here"};

static uint64_t int_arg(struct rng *r)
{
	static const uint64_t edges[] = {0,
					 1,
					 (uint64_t)-1,
					 9,
					 10,
					 99,
					 100,
					 255,
					 256,
					 32767,
					 32768,
					 65535,
					 (uint64_t)INT32_MAX,
					 (uint64_t)INT32_MIN,
					 UINT32_MAX,
					 (uint64_t)INT64_MAX,
					 (uint64_t)INT64_MIN,
					 UINT64_MAX,
					 999999999,
					 1000000000};
	switch (below(r, 4)) {
	case 0:
		return edges[below(r, sizeof(edges) / sizeof(edges[0]))];
	case 1:
		return below(r, 1000);
	case 2:
		return (uint64_t)-(int64_t)below(r, 100000);
	default:
		return next(r);
	}
}

/* A width or precision: mostly small, sometimes around 100 (three digits) or around the 4096
 * that msg_vformat takes at most. */
static unsigned field_value(struct rng *r)
{
	switch (below(r, 8)) {
	case 0:
		return 90 + below(r, 45);
	case 1:
		return 4090 + below(r, 12);
	default:
		return below(r, 30);
	}
}

/* Appends one conversion to F (at *N) and the arguments it takes to ARGS (at *NA). */
static void conversion(struct rng *r, char *f, size_t *n, uint64_t *args, int *na)
{
	static const char *const lengths[] = {"", "", "", "", "hh", "h", "l", "ll", "z", "j", "t"};
	static const char convs[] = "ddddiuuuxxXccsssso%pm";

	f[(*n)++] = '%';
	for (int i = 0; i < 3; i++) {
		unsigned k = below(r, 16);
		if (k < 4)
			f[(*n)++] = "-0+ "[k];
		else if (k == 4 && below(r, 8) == 0)
			f[(*n)++] = below(r, 2) ? '#' : '\'';
	}
	unsigned w = below(r, 10);
	if (w < 3) {
		*n += (size_t)sprintf(f + *n, "%u", field_value(r));
	} else if (w < 5) {
		f[(*n)++] = '*';
		args[(*na)++] = (uint64_t)(int64_t)(below(r, 2) ? (int)field_value(r)
								: -(int)field_value(r));
	}
	unsigned q = below(r, 10);
	if (q < 3) {
		*n += (size_t)sprintf(f + *n, ".%u", field_value(r));
	} else if (q == 3) {
		f[(*n)++] = '.';
	} else if (q < 6) {
		memcpy(f + *n, ".*", 2);
		*n += 2;
		args[(*na)++] = (uint64_t)(int64_t)(below(r, 4) ? (int)field_value(r)
								: -(int)field_value(r));
	}
	char c = convs[below(r, sizeof(convs) - 1)];
	if (c != '%' && c != 'm') {
		const char *l = (c == 'c' || c == 's' || c == 'p') && below(r, 8) ? ""
						: lengths[below(r, sizeof(lengths) / sizeof(lengths[0]))];
		*n += (size_t)sprintf(f + *n, "%s", l);
	}
	f[(*n)++] = c;
	if (c == '%' || c == 'm')
		return;
	if (c == 's')
		args[(*na)++] = below(r, 50) == 0 ? 0
						  : (uint64_t)(uintptr_t)strings[below(
							    r, sizeof(strings) / sizeof(strings[0]))];
	else if (c == 'c')
		args[(*na)++] = below(r, 4) ? below(r, 256) : int_arg(r); /* the int is cut to a byte */
	else
		args[(*na)++] = int_arg(r);
}

static void test_messages_format_exactly_like_vsnprintf(void **state)
{
	static const size_t caps[] = {0, 1, 2, 7, 16, 64, 512, BUF};
	const char *env = getenv("SHMLOG_PRINTF_ROUNDS");
	long rounds = env ? atol(env) : 200000, accepted = 0;
	struct rng r = {.s = 0x9e3779b97f4a7c15ull};
	char f[512];

	(void)state;
	for (long i = 0; i < rounds; i++) {
		uint64_t a[NARGS] = {0};
		int na = 0;
		size_t n = 0;
		int pieces = (int)below(&r, 5);

		for (int k = 0; k < pieces; k++) {
			if (below(&r, 3) == 0) {
				const char *lit = strings[below(&r, 5)];
				memcpy(f + n, lit, strlen(lit));
				n += strlen(lit);
			} else {
				conversion(&r, f, &n, a, &na);
			}
		}
		f[n] = '\0';
		assert_true(na <= NARGS);
		/* Each argument has the kind its conversion reads (a %s never meets an integer);
		 * the unread ones are ignored. */
		int got = compare(caps[below(&r, 8)], f, a[0], a[1], a[2], a[3], a[4], a[5], a[6],
				  a[7], a[8], a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
		accepted += got >= 0;
		/* Now and then every capacity up to the whole output and two bytes more. */
		for (int cap = 0; got >= 0 && i % 64 == 0 && cap <= got + 2 && cap <= BUF; cap++)
			compare((size_t)cap, f, a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8],
				a[9], a[10], a[11], a[12], a[13], a[14], a[15]);
	}
	printf("%ld random formats: %ld formatted by msg_vformat, identical to vsnprintf; the rest "
	       "refused (left to vsnprintf)\n",
	       rounds, accepted);
	/* Most must be ours, or this compares nothing. */
	assert_true(accepted > rounds / 3);
}

/* The conversions and flags msg_vformat leaves to vsnprintf are refused, not half done. */
static void test_what_it_does_not_know_is_left_to_vsnprintf(void **state)
{
	char buf[64];
	int dummy;

	(void)state;
	assert_int_equal(compare(sizeof(buf), "%f", 1.5), -1);
	assert_int_equal(compare(sizeof(buf), "%g", 1.5), -1);
	assert_int_equal(compare(sizeof(buf), "%p", (void *)buf), -1);
	assert_int_equal(compare(sizeof(buf), "%n", &dummy), -1);
	assert_int_equal(compare(sizeof(buf), "%m"), -1);
	assert_int_equal(compare(sizeof(buf), "%o", 8u), -1);
	assert_int_equal(compare(sizeof(buf), "%#x", 255u), -1);
	assert_int_equal(compare(sizeof(buf), "%'d", 1000000), -1);
	assert_int_equal(compare(sizeof(buf), "%1$d", 5), -1);
	assert_int_equal(compare(sizeof(buf), "%ls", L"wide"), -1);
	assert_int_equal(compare(sizeof(buf), "%lc", (wchar_t)'w'), -1);
	assert_int_equal(compare(sizeof(buf), "%s", (char *)NULL), -1);
	assert_int_equal(compare(sizeof(buf), "%5%"), -1);
	assert_int_equal(compare(sizeof(buf), "%99999d", 1), -1);
	assert_int_equal(compare(sizeof(buf), "%Lf", (long double)1), -1);
	assert_int_equal(compare(sizeof(buf), "trailing %"), -1);
}

/* The edges of '*' and of digit widths: taken up to 4096, refused beyond, never negated past
 * INT_MIN. */
static void test_widths_and_precisions_at_their_limits(void **state)
{
	static const int stars[] = {INT32_MIN, -4097, -4096, -1, 0, 4096, 4097, INT32_MAX};

	(void)state;
	for (size_t i = 0; i < sizeof(stars) / sizeof(stars[0]); i++) {
		int ok = stars[i] >= -4096 && stars[i] <= 4096;
		assert_int_equal(compare(BUF, "[%*d]", stars[i], 42) >= 0, ok);
		assert_int_equal(compare(BUF, "[%.*d]", stars[i], 42) >= 0, stars[i] <= 4096);
		assert_int_equal(compare(BUF, "[%-*s]", stars[i], "x") >= 0, ok);
	}
	assert_true(compare(BUF, "[%4096d]", 1) >= 0);
	assert_int_equal(compare(BUF, "[%4097d]", 1), -1);
	assert_true(compare(BUF, "[%.4096u]", 1u) >= 0);
	assert_int_equal(compare(BUF, "[%.4097u]", 1u), -1);
}

/* A precision bounds what %s reads: a buffer without a NUL is fine (ASan builds would catch a
 * read past it). */
static void test_string_precision_never_reads_past_it(void **state)
{
	char *s = malloc(5);

	(void)state;
	assert_non_null(s);
	memcpy(s, "abcde", 5);
	assert_int_equal(compare(BUF, "%.5s|%.3s|%8.5s|%-8.2s|", s, s, s, s), 28);
	assert_int_equal(compare(BUF, "%.*s", 4, s), 4);
	free(s);
}

/* What the writers of shmlog_log use most, spelled out. */
static void test_common_log_formats_come_out_as_vsnprintf_makes_them(void **state)
{
	(void)state;
	assert_true(compare(BUF, "w=%d seq=%09ld request done status=200 bytes=5120", 3,
			    123456L) > 0);
	assert_true(compare(BUF, "%s:%d %-8s|%8s|%.3s", "file.c", 42, "left", "right",
			    "truncated") > 0);
	assert_true(compare(BUF, "%zu bytes, %zd, %jd, %td, %hhu, %hd, %llx, %llX", (size_t)12,
			    (ssize_t)-3, (intmax_t)-7, (ptrdiff_t)9, 300, 70000, 0xdeadbeefull,
			    0xcafef00dull) > 0);
	assert_true(compare(BUF, "%+d % d %+05d %-5d| %05.3d %.0d|%c", 5, 5, -5, -5, 7, 0, 'z') > 0);
	assert_int_equal(compare(3, "%d", 123456), 6); /* cut like vsnprintf, full length back */
	assert_int_equal(compare(0, "%s", "nothing stored"), 14);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_messages_format_exactly_like_vsnprintf),
		cmocka_unit_test(test_what_it_does_not_know_is_left_to_vsnprintf),
		cmocka_unit_test(test_widths_and_precisions_at_their_limits),
		cmocka_unit_test(test_string_precision_never_reads_past_it),
		cmocka_unit_test(test_common_log_formats_come_out_as_vsnprintf_makes_them),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

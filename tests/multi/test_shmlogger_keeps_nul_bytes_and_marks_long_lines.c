/* test_shmlogger_keeps_nul_bytes_and_marks_long_lines.c - shmlogger's standard input mode keeps
 * every byte of a line (NUL, carriage return, invalid UTF-8), cuts a line longer than the
 * library's limit with the library's truncation mark and original length, logs a last line that
 * has no newline, and with -s skips empty lines. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_shmlogger_helpers.h"

#define LONG_LINE 40000
#define HUGE_LINE (3 * 1024 * 1024)
#define LINE_KEEP_MAX (1024 * 1024) /* shmlogger/lines.h */

static void assert_bytes(const struct shmlog_record *rec, const char *want, size_t len)
{
	assert_int_equal(rec->msg_len, len);
	assert_memory_equal(rec->msg, want, len);
	assert_int_equal(rec->flags & SHMLOG_REC_TRUNCATED, 0);
}

static void test_every_byte_is_kept_and_long_lines_are_marked(void **state)
{
	const char *ring = ring_name("bytes");
	struct shmlog_consumer *c = open_consumer(ring, 4 << 20);
	size_t total = 9 + LONG_LINE + 1 + HUGE_LINE + 1 + 1 + 4;
	char *in = malloc(total), *p = in, err[4096];
	struct shmlog_record rec;
	int fd;

	(void)state;
	assert_non_null(in);
	memcpy(p, "a\0b\r\n\xff\xfe!\n", 9);
	p += 9;
	memset(p, 'x', LONG_LINE);
	p += LONG_LINE;
	*p++ = '\n';
	memset(p, 'y', HUGE_LINE);
	p += HUGE_LINE;
	*p++ = '\n';
	*p++ = '\n';
	memcpy(p, "last", 4);
	fd = input_file(in, total);

	assert_int_equal(LOGGER(err, fd, "-r", ring, "-T", "0"), 0);
	assert_string_equal(err, "");
	next_record(c, &rec, 2000);
	assert_bytes(&rec, "a\0b\r", 4);
	next_record(c, &rec, 2000);
	assert_bytes(&rec, "\xff\xfe!", 3);

	next_record(c, &rec, 2000);
	assert_true(rec.flags & SHMLOG_REC_TRUNCATED);
	assert_int_equal(rec.msg_len, SHMLOG_MAX_MESSAGE);
	assert_int_equal(rec.msg_full_len, LONG_LINE);
	for (size_t i = 0; i < rec.msg_len; i++)
		assert_int_equal(rec.msg[i], 'x');

	/* Longer than shmlogger keeps: cut, and reported with the length it kept. */
	next_record(c, &rec, 2000);
	assert_true(rec.flags & SHMLOG_REC_TRUNCATED);
	assert_int_equal(rec.msg_len, SHMLOG_MAX_MESSAGE);
	assert_int_equal(rec.msg_full_len, LINE_KEEP_MAX);

	next_record(c, &rec, 2000);
	assert_bytes(&rec, "", 0);
	next_record(c, &rec, 2000);
	assert_bytes(&rec, "last", 4);
	assert_no_more(c, 100);
	close(fd);

	/* -s: empty lines are skipped, the others kept. */
	fd = input_file("\n\none\n\ntwo\n\n", 12);
	assert_int_equal(LOGGER(err, fd, "-r", ring, "-T", "0", "-s"), 0);
	next_record(c, &rec, 2000);
	assert_bytes(&rec, "one", 3);
	next_record(c, &rec, 2000);
	assert_bytes(&rec, "two", 3);
	assert_no_more(c, 100);
	close(fd);

	/* Empty input: no record at all. */
	assert_int_equal(LOGGER(err, -1, "-r", ring, "-T", "0"), 0);
	assert_no_more(c, 100);

	free(in);
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_byte_is_kept_and_long_lines_are_marked),
	};

	shmlogger_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

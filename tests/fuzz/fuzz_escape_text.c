/* fuzz_escape_text - no message can forge a line or drive a terminal: through SHMLOG_FORMAT_TEXT
 * and SHMLOG_FORMAT_CAT, any message bytes come out as one line that ends in its only '\n', with
 * no other byte below 0x20, no DEL and no ESC, and undoing the escapes gives the message back
 * byte for byte. The same record then goes through the whole format oracle (format_oracle.h),
 * JSON included.
 *
 * Input: u8 tag length, the tag, then the message (the rest of the input).
 */
#include <stdlib.h>
#include <string.h>

#include "format_oracle.h"
#include "fuzz_util.h"

#define EXAMPLE_NS 1795256103123456789LL /* 2026-11-21T10:15:03.123456789Z */

static void check_one_safe_line(const char *what, const char *s, size_t n)
{
	FZ_CHECK(n >= 1 && s[n - 1] == '\n', "%s: does not end in a newline", what);
	for (size_t i = 0; i + 1 < n; i++) {
		unsigned char c = (unsigned char)s[i];
		FZ_CHECK(c >= 0x20 && c != 0x7f, "%s: raw byte 0x%02x at %zu of %zu", what, c, i, n);
	}
}

/* Formats REC as FORMAT into a buffer of exactly the size it needs. */
static char *format(const struct shmlog_record *rec, int fmt, size_t *len)
{
	ssize_t need = shmlog_format(rec, fmt, 0, NULL, 0);
	char *buf;

	FZ_CHECK(need > 0, "shmlog_format returned %zd", need);
	buf = malloc((size_t)need + 1);
	FZ_CHECK(buf != NULL, "out of memory");
	FZ_CHECK(shmlog_format(rec, fmt, 0, buf, (size_t)need + 1) == need, "length changed");
	*len = (size_t)need;
	return buf;
}

/* The escaped message must undo to the message. */
static void check_recovers(const char *what, const char *esc, size_t n, const uint8_t *msg,
			   size_t msg_len)
{
	uint8_t *back = malloc(n + 1);
	long got;

	FZ_CHECK(back != NULL, "out of memory");
	got = fz_text_unescape(esc, n, back);
	FZ_CHECK(got >= 0, "%s: malformed escape", what);
	FZ_CHECK((size_t)got == msg_len && memcmp(back, msg, msg_len) == 0,
		 "%s: unescaping gives %ld bytes that differ from the %zu-byte message", what, got,
		 msg_len);
	free(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	struct shmlog_record rec;
	const uint8_t *tag, *msg;
	size_t tag_len, msg_len, n, head_n;
	char *line, *head;

	tag_len = fz_bytes(&in, fz_u8(&in), &tag);
	msg_len = fz_bytes(&in, in.n, &msg);
	memset(&rec, 0, sizeof(rec));
	rec.time_ns = EXAMPLE_NS;
	rec.pid = 4711;
	rec.tid = 4712;
	rec.level = SHMLOG_INFO;
	rec.tag = fz_dup(tag, tag_len);
	rec.tag_len = tag_len;
	rec.msg = fz_dup(msg, msg_len);
	rec.msg_len = rec.msg_full_len = msg_len;

	/* cat: the escaped message and the newline, nothing else. */
	line = format(&rec, SHMLOG_FORMAT_CAT, &n);
	check_one_safe_line("cat", line, n);
	check_recovers("cat", line, n - 1, msg, msg_len);
	free(line);

	/* text: the line of the same record without a message, then " " and the message. */
	line = format(&rec, SHMLOG_FORMAT_TEXT, &n);
	check_one_safe_line("text", line, n);
	rec.msg_len = 0;
	head = format(&rec, SHMLOG_FORMAT_TEXT, &head_n);
	rec.msg_len = msg_len;
	check_one_safe_line("text head", head, head_n);
	head_n--; /* its newline */
	FZ_CHECK(n > head_n && memcmp(line, head, head_n) == 0, "text: the message changes the head");
	if (msg_len) {
		FZ_CHECK(line[head_n] == ' ', "text: no space before the message");
		check_recovers("text", line + head_n + 1, n - head_n - 2, msg, msg_len);
	} else {
		FZ_CHECK(n == head_n + 1, "text: bytes for an empty message");
	}
	free(head);
	free(line);

	fz_check_record(&rec, msg_len);
	free((void *)rec.tag);
	free((void *)rec.msg);
	return 0;
}

/* rfc5424.c - a record as an RFC 5424 message; rfc5424.h says what each part holds and why.
 *
 * What the record's facts look like in any output, libshmlog owns, and this file calls it
 * (libshmlog/private/format_pieces.h): the output cursor, which keeps counting past the
 * caller's capacity (the snprintf contract), the RFC 3339 time, numbers and booleans as
 * shmlog_format() spells them, and UTF-8 with its one rule for ill-formed bytes. So a record
 * reads the same at the syslog server as in shmlogd's own files. What is RFC 5424's alone is
 * here: the header's character sets and limits, PARAM-NAMEs, PARAM-VALUE escaping, the BOM.
 */
#include <stdint.h>
#include <string.h>

#include "format_pieces.h"
#include "rfc5424.h"

#define UTF8_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

/* Whether a PARAM-VALUE takes B (ASCII) only after a '\' (RFC 5424 6.3.3). */
static int param_value_escaped(unsigned char b)
{
	return b == '"' || b == '\\' || b == ']';
}

/* A PARAM-VALUE: UTF-8 with '"', '\' and ']' escaped; each ill-formed sequence (its maximal
 * subpart: utf8_decode()) becomes one U+FFFD, as in the JSON output. Runs that need neither go
 * out with one put_mem(). */
static void put_param_value(struct out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, len = 1;
	uint32_t cp;

	if (n == 0)
		return; /* S may be NULL then */
	while (i < n) {
		if (p[i] < 0x80) {
			len = 1;
			if (!param_value_escaped(p[i])) {
				i++;
				continue;
			}
		} else {
			len = utf8_decode(p + i, n - i, &cp);
			if (cp != UTF8_BAD) {
				i += len;
				continue;
			}
		}
		put_mem(o, p + start, i - start);
		if (p[i] < 0x80) {
			put_char(o, '\\');
			put_char(o, (char)p[i]);
		} else {
			PUT_LIT(o, UTF8_REPLACEMENT);
		}
		i += len;
		start = i;
	}
	put_mem(o, p + start, n - start);
}

/* A header field (HOSTNAME, APP-NAME): printable ASCII cut to MAX, '_' for anything else, "-"
 * when empty. Returns whether the bytes went out unchanged. */
static int put_header_field(struct out *o, const char *s, size_t n, size_t max)
{
	int same = n <= max;

	if (n == 0) {
		put_char(o, '-');
		return 1;
	}
	for (size_t i = 0; i < n && i < max; i++) {
		unsigned char c = (unsigned char)s[i];
		int ok = c >= 33 && c <= 126;
		put_char(o, ok ? (char)c : '_');
		same &= ok;
	}
	return same;
}

/* TIMESTAMP: the library's RFC 3339 time (the same text as shmlogd's files), or the nil value
 * "-" before 1970 (rfc5424.h). */
static void put_rfc5424_time(struct out *o, int64_t time_ns)
{
	if (time_ns < 0)
		put_char(o, '-');
	else
		put_timestamp(o, time_ns);
}

/* shmlog's own parameter names, which a field's key may not take (rfc5424.h). */
static const char *const own_names[] = {"ring", "seq", "ringid", "tid", "tag", "truncated",
					"count", "damaged"};

/* A field's key as a PARAM-NAME (rfc5424.h). */
static void put_param_name(struct out *o, const char *key, size_t n)
{
	char name[RFC5424_SD_NAME_MAX + 1];
	size_t len = 0;

	for (size_t i = 0; i < sizeof(own_names) / sizeof(own_names[0]); i++)
		if (strlen(own_names[i]) == n && !memcmp(own_names[i], key, n))
			name[len++] = '_';
	for (size_t i = 0; i < n && len < RFC5424_SD_NAME_MAX; i++) {
		unsigned char c = (unsigned char)key[i];
		int ok = c >= 33 && c <= 126 && c != '=' && c != ']' && c != '"';
		name[len++] = ok ? (char)c : '_';
	}
	if (len == 0)
		name[len++] = '_';
	put_mem(o, name, len);
}

static void put_field(struct out *o, const struct shmlog_field *f)
{
	put_char(o, ' ');
	put_param_name(o, f->key, f->key_len);
	put_mem(o, "=\"", 2);
	if (f->type == SHMLOG_FIELD_STRING)
		put_param_value(o, f->v.s.ptr, f->v.s.len);
	else
		put_scalar(o, f);
	put_char(o, '"');
}

/* A parameter of shmlog's own whose value is a number. */
static void put_own_number(struct out *o, const char *name, uint64_t v)
{
	put_char(o, ' ');
	put_str(o, name);
	put_mem(o, "=\"", 2);
	put_u64(o, v);
	put_char(o, '"');
}

/* ringid=".." : the ring's id in 16 hex digits. */
static void put_ring_id(struct out *o, uint64_t id)
{
	static const char hex[] = "0123456789abcdef";
	char digits[16];

	for (int i = 15; i >= 0; i--, id >>= 4)
		digits[i] = hex[id & 15];
	PUT_LIT(o, " ringid=\"");
	put_mem(o, digits, sizeof(digits));
	put_char(o, '"');
}

/* [shmlog@32473 ring=".." seq=".." (ringid) tid=".." (tag, truncated, count) fields...] */
static void put_structured_data(struct out *o, const struct shmlog_record *rec,
				const struct rfc5424_origin *origin, int tag_changed)
{
	struct shmlog_field f;
	size_t off = 0;
	int r;

	put_str(o, "[" RFC5424_SD_ID " ring=\"");
	put_param_value(o, origin->ring, strlen(origin->ring));
	put_char(o, '"');
	put_own_number(o, "seq", rec->seq);
	if (origin->ring_id)
		put_ring_id(o, origin->ring_id);
	put_own_number(o, "tid", rec->tid);
	if (tag_changed) {
		put_str(o, " tag=\"");
		put_param_value(o, rec->tag, rec->tag_len);
		put_char(o, '"');
	}
	if (rec->flags & SHMLOG_REC_TRUNCATED)
		put_own_number(o, "truncated", rec->msg_full_len);
	if (rec->flags & SHMLOG_REC_SYNTHETIC)
		put_own_number(o, "count", rec->count);
	while ((r = shmlog_record_field(rec, &off, &f)) == 1)
		put_field(o, &f);
	if (r < 0)
		put_str(o, " damaged=\"fields\"");
	put_char(o, ']');
}

/* Whether MSG goes as MSG-UTF8 (with a BOM): it holds a byte above 0x7f, all well-formed. */
static int message_is_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return utf8_well_formed(s + i, n - i);
	return 0;
}

size_t rfc5424_format(const struct shmlog_record *rec, const struct rfc5424_origin *origin,
		      char *buf, size_t cap)
{
	struct out o = {buf, cap, 0};
	int severity = shmlog_level_syslog(rec->level);
	const char *host = origin->hostname ? origin->hostname : "";

	put_char(&o, '<');
	put_u64(&o, (uint64_t)origin->facility * 8 + (uint64_t)(severity < 0 ? 5 : severity));
	put_mem(&o, ">1 ", 3);
	put_rfc5424_time(&o, rec->time_ns);
	put_char(&o, ' ');
	put_header_field(&o, host, strlen(host), RFC5424_HOSTNAME_MAX);
	put_char(&o, ' ');
	int tag_same = put_header_field(&o, rec->tag, rec->tag_len, RFC5424_APP_NAME_MAX);
	put_char(&o, ' ');
	put_u64(&o, rec->pid);
	put_mem(&o, " - ", 3);
	put_structured_data(&o, rec, origin, !tag_same);
	if (rec->msg_len > 0) {
		put_char(&o, ' ');
		if (message_is_utf8(rec->msg, rec->msg_len))
			put_mem(&o, "\xef\xbb\xbf", 3);
		put_mem(&o, rec->msg, rec->msg_len);
	}
	return o.len;
}

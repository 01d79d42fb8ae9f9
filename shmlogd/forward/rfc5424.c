/* rfc5424.c - a record as an RFC 5424 message; rfc5424.h says what each part holds and why.
 *
 * Every piece goes through a cursor that keeps counting past the caller's capacity (the
 * snprintf contract), like the library's own formatter, whose helpers are private to it.
 */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rfc5424.h"

struct out {
	char *buf;
	size_t cap;
	size_t len; /* what the whole message needs, which may exceed cap */
};

static void put_mem(struct out *o, const void *p, size_t n)
{
	if (o->len < o->cap)
		memcpy(o->buf + o->len, p, n < o->cap - o->len ? n : o->cap - o->len);
	o->len += n;
}

static void put_char(struct out *o, char c)
{
	put_mem(o, &c, 1);
}

static void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[24];
	put_mem(o, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRIu64, v));
}

/* The length of the well-formed UTF-8 sequence at P (N >= 1 bytes), or 0 when it is ill-formed
 * (RFC 3629: no overlong form, no surrogate, nothing above U+10FFFF). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t len = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
		     : c >= 0xf0 && c <= 0xf4 ? 4 : 0;

	if (len == 0 || len > n)
		return 0;
	for (size_t i = 1; i < len; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] > 0x9f) || (c == 0xf0 && p[1] < 0x90) ||
	    (c == 0xf4 && p[1] > 0x8f))
		return 0;
	return len;
}

/* The length of the ill-formed sequence at P (N >= 1 bytes, utf8_len() 0): its maximal subpart
 * (Unicode 3.9, D93b), the longest start of a well-formed sequence, or 1 byte. Each becomes one
 * U+FFFD, as in libshmlog's JSON output. */
static size_t ill_formed_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0];
	size_t want = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
		      : c >= 0xf0 && c <= 0xf4 ? 4 : 1;
	unsigned char lo = c == 0xe0 ? 0xa0 : c == 0xf0 ? 0x90 : 0x80;
	unsigned char hi = c == 0xed ? 0x9f : c == 0xf4 ? 0x8f : 0xbf;
	size_t i = 1;

	if (want > 1 && i < n && p[i] >= lo && p[i] <= hi)
		for (i++; i < want && i < n && (p[i] & 0xc0) == 0x80; i++)
			;
	return i;
}

/* A PARAM-VALUE: UTF-8 with '"', '\' and ']' escaped; ill-formed bytes become U+FFFD. */
static void put_param_value(struct out *o, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	for (size_t i = 0; i < n;) {
		size_t len = utf8_len(p + i, n - i);
		if (len == 0) {
			put_mem(o, "\xef\xbf\xbd", 3);
			i += ill_formed_len(p + i, n - i);
			continue;
		}
		if (p[i] == '"' || p[i] == '\\' || p[i] == ']')
			put_char(o, '\\');
		put_mem(o, p + i, len);
		i += len;
	}
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

static void put_timestamp(struct out *o, int64_t time_ns)
{
	time_t secs = (time_t)(time_ns / 1000000000);
	struct tm tm;
	char tmp[40];

	if (time_ns < 0 || !gmtime_r(&secs, &tm)) {
		put_char(o, '-');
		return;
	}
	int n = snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
			 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
			 (int)(time_ns % 1000000000 / 1000));
	put_mem(o, tmp, (size_t)n);
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

/* The shortest decimal form of V that reads back as V. */
static void put_double(struct out *o, double v)
{
	char tmp[40];

	if (isnan(v) || isinf(v)) {
		put_str(o, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	put_str(o, tmp);
}

static void put_field(struct out *o, const struct shmlog_field *f)
{
	char tmp[24];

	put_char(o, ' ');
	put_param_name(o, f->key, f->key_len);
	put_mem(o, "=\"", 2);
	switch (f->type) {
	case SHMLOG_FIELD_STRING:
		put_param_value(o, f->v.s.ptr, f->v.s.len);
		break;
	case SHMLOG_FIELD_INT:
		put_mem(o, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%" PRId64, f->v.i));
		break;
	case SHMLOG_FIELD_FLOAT:
		put_double(o, f->v.f);
		break;
	default:
		put_str(o, f->v.b ? "true" : "false");
		break;
	}
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
	if (origin->ring_id) {
		char hex[32];
		put_mem(o, hex, (size_t)snprintf(hex, sizeof(hex), " ringid=\"%016" PRIx64 "\"",
						 origin->ring_id));
	}
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
	const unsigned char *p = (const unsigned char *)s;
	int wide = 0;

	for (size_t i = 0, len; i < n; i += len) {
		len = utf8_len(p + i, n - i);
		if (len == 0)
			return 0;
		wide |= len > 1;
	}
	return wide;
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
	put_timestamp(&o, rec->time_ns);
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

/* format.c - turns a record into one line of text, JSON or bare message: shmlog_format().
 *
 * It runs once per record in the collector, so it allocates nothing and writes through a small
 * cursor that keeps counting past the caller's capacity (the snprintf contract). Record bytes are
 * untrusted and escaped on the way out, with one rule for every string (message, tag, keys,
 * values): no record can put a raw control character on the output, so none can forge a line or
 * drive a terminal. That covers C0, DEL, the C1 controls (U+0080-U+009F, which some terminals
 * obey), U+2028/U+2029 (line breaks to JavaScript-based viewers) and the bidirectional
 * overrides and isolates (which reorder what follows them on screen). Bytes that are not
 * well-formed UTF-8 become \xNN in text and U+FFFD in JSON, so text output is valid UTF-8 too.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "shmlog.h"

/* A record carries at most SHMLOG_MAX_FIELDS of its writer's fields and as many context fields;
 * more is damage, and the bound keeps JSON's duplicate-key check cheap. */
#define FMT_MAX_FIELDS (2 * SHMLOG_MAX_FIELDS)

#define NS_PER_SEC 1000000000
#define SECS_PER_DAY 86400

#define UTF8_BAD UINT32_MAX

struct out {
	char *buf;
	size_t cap;
	size_t len; /* bytes the whole line needs, which may exceed cap */
};

/* Copies N <= 16 bytes as two overlapping moves of 8, 4 or 1 bytes: no loop, no call. Most of
 * a line is short pieces (separators, numbers, tags), for which a memcpy() call costs more than
 * the copy. */
static inline __attribute__((always_inline)) void copy_short(char *d, const char *s, size_t n)
{
	if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n / 2] = s[n / 2];
		d[n - 1] = s[n - 1];
	}
}

static inline __attribute__((always_inline)) void put_mem(struct out *o, const void *p,
						     size_t n)
{
	if (o->len < o->cap && n <= o->cap - o->len) {
		if (n <= 16)
			copy_short(o->buf + o->len, p, n);
		else
			memcpy(o->buf + o->len, p, n);
	} else if (o->len < o->cap) {
		memcpy(o->buf + o->len, p, o->cap - o->len);
	}
	o->len += n;
}

static void put_char(struct out *o, char c)
{
	if (o->len < o->cap)
		o->buf[o->len] = c;
	o->len++;
}

#define PUT_LIT(o, lit) put_mem((o), (lit), sizeof(lit) - 1)

static void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

/* "00" "01" ... "99": numbers are written two digits per division, which halves the divisions
 * the collector spends on pids, tids and sequence numbers. */
static const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930"
				     "31323334353637383940414243444546474849505152535455565758596061"
				     "62636465666768697071727374757677787980818283848586878889909192"
				     "93949596979899";

static unsigned decimal_digits(uint64_t v)
{
	unsigned n = 1;

	for (; v >= 10000; v /= 10000)
		n += 4;
	return n + (v >= 10) + (v >= 100) + (v >= 1000);
}

/* Writes the digits of V ending at END, two per division; 32-bit divisions once V fits.
 * Returns where they start. Also printf.c's (internal.h). */
char *write_digits(char *end, uint64_t v)
{
	while (v > UINT32_MAX) {
		end -= 2;
		memcpy(end, digit_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	uint32_t w = (uint32_t)v;
	while (w >= 100) {
		end -= 2;
		memcpy(end, digit_pairs + (w % 100) * 2, 2);
		w /= 100;
	}
	if (w >= 10) {
		end -= 2;
		memcpy(end, digit_pairs + w * 2, 2);
	} else {
		*--end = (char)('0' + w);
	}
	return end;
}

/* Straight into the line when there is room for any number (the collector's case), else
 * through a scratch copy that put_mem() cuts to the capacity. */
static void put_u64(struct out *o, uint64_t v)
{
	unsigned n = decimal_digits(v);

	if (o->len < o->cap && o->cap - o->len >= 20) {
		write_digits(o->buf + o->len + n, v);
		o->len += n;
	} else {
		char tmp[20];
		write_digits(tmp + n, v);
		put_mem(o, tmp, n);
	}
}

static void put_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		put_char(o, '-');
		put_u64(o, -(uint64_t)v);
	} else {
		put_u64(o, (uint64_t)v);
	}
}

/* The text a line gives a writer's pid and tid: PREFIX, pid, SEP, tid, SUFFIX, the same for
 * every record of that thread. Kept per formatting thread for the last few writer threads
 * (direct-mapped by tid), since a batch is runs of records from the same few writers: it spares
 * two integer conversions and three short copies per line. */
#define ID_CACHE 8
#define ID_TEXT_MAX 96 /* JSON's style, 57 bytes, and two 10-digit numbers fit */

struct id_text {
	uint32_t pid, tid;
	unsigned char len; /* 0: empty */
	char text[ID_TEXT_MAX];
};

struct id_style {
	const char *prefix, *sep, *suffix;
	unsigned char prefix_len, sep_len, suffix_len;
};

#define ID_STYLE(p, m, s) {p, m, s, sizeof(p) - 1, sizeof(m) - 1, sizeof(s) - 1}

static void put_ids_plain(struct out *o, const struct id_style *st, uint32_t pid, uint32_t tid)
{
	put_mem(o, st->prefix, st->prefix_len);
	put_u64(o, pid);
	put_mem(o, st->sep, st->sep_len);
	put_u64(o, tid);
	put_mem(o, st->suffix, st->suffix_len);
}

static void put_ids(struct out *o, struct id_text *cache, const struct id_style *st,
		    uint32_t pid, uint32_t tid)
{
	struct id_text *e = &cache[tid % ID_CACHE];

	if (e->len == 0 || e->pid != pid || e->tid != tid) {
		struct out t = {.buf = e->text, .cap = sizeof(e->text)};
		put_ids_plain(&t, st, pid, tid);
		if (t.len > sizeof(e->text)) { /* a style too long for the cache: not one of ours */
			e->len = 0;
			put_ids_plain(o, st, pid, tid);
			return;
		}
		e->len = (unsigned char)t.len;
		e->pid = pid;
		e->tid = tid;
	}
	put_mem(o, e->text, e->len);
}

static void put_hex2(struct out *o, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[2] = {hex[c >> 4], hex[c & 15]};

	put_mem(o, tmp, 2);
}

/* ---------------------------------------------------------------------------------------------
 * Timestamps
 * ------------------------------------------------------------------------------------------- */

struct civil {
	int year;
	unsigned month, day;
};

/* The proleptic Gregorian date DAYS days after 1970-01-01, without the C library's time zone
 * and locale machinery. Years are counted from March 1 so that the leap day is the last day of
 * a year, which turns month lengths into a linear formula; 400-year eras (146097 days) repeat
 * exactly, so only the day within an era needs the year/leap arithmetic. */
static struct civil civil_from_days(int64_t days)
{
	int64_t z = days + 719468; /* days since 0000-03-01 */
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);                           /* [0, 146096] */
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; /* [0, 399] */
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                /* [0, 365] */
	unsigned mp = (5 * doy + 2) / 153;                                     /* March = 0 */
	struct civil c;

	c.day = doy - (153 * mp + 2) / 5 + 1;
	c.month = mp < 10 ? mp + 3 : mp - 9;
	c.year = (int)(yoe + era * 400 + (c.month <= 2));
	return c;
}

/* Writes V as exactly WIDTH digits (an even number), zero-padded, at P; returns the end. */
static char *put_digits(char *p, unsigned v, int width)
{
	for (int i = width - 2; i >= 0; i -= 2) {
		memcpy(p + i, digit_pairs + (v % 100) * 2, 2);
		v /= 100;
	}
	return p + width;
}

#define TIMESTAMP_LEN 27 /* 2026-11-21T10:15:03.123456Z */
#define SECOND_LEN 20    /* 2026-11-21T10:15:03. */

/* The "YYYY-MM-DDTHH:MM:SS." of the second SECS. */
static void format_second(char out[SECOND_LEN], int64_t secs)
{
	int64_t days, sod;
	char *p = out;
	struct civil c;

	days = secs / SECS_PER_DAY;
	sod = secs % SECS_PER_DAY;
	if (sod < 0) {
		sod += SECS_PER_DAY;
		days--;
	}
	c = civil_from_days(days);
	p = put_digits(p, (unsigned)c.year, 4);
	*p++ = '-';
	p = put_digits(p, c.month, 2);
	*p++ = '-';
	p = put_digits(p, c.day, 2);
	*p++ = 'T';
	p = put_digits(p, (unsigned)(sod / 3600), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod / 60 % 60), 2);
	*p++ = ':';
	p = put_digits(p, (unsigned)(sod % 60), 2);
	*p = '.';
}

/* RFC 3339 UTC with microseconds, truncated (never rounded up into the next second). Any int64
 * of nanoseconds lies between 1677 and 2262, so the year always has four digits. Consecutive
 * records nearly always share their second, so its text is kept per thread. */
static void put_timestamp(struct out *o, int64_t time_ns)
{
	static __thread int64_t cached_sec = INT64_MIN;
	static __thread char cached[SECOND_LEN];
	int64_t secs = time_ns / NS_PER_SEC, ns = time_ns % NS_PER_SEC;
	char ts[TIMESTAMP_LEN];
	unsigned us;

	if (ns < 0) {
		ns += NS_PER_SEC;
		secs--;
	}
	if (secs != cached_sec) {
		format_second(cached, secs);
		cached_sec = secs;
	}
	memcpy(ts, cached, SECOND_LEN);
	us = (unsigned)(ns / 1000);
	put_digits(ts + SECOND_LEN, us / 100, 4);
	ts[SECOND_LEN + 4] = digit_pairs[(us % 100) * 2];
	ts[SECOND_LEN + 5] = digit_pairs[(us % 100) * 2 + 1];
	ts[TIMESTAMP_LEN - 1] = 'Z';
	put_mem(o, ts, sizeof(ts));
}

/* ---------------------------------------------------------------------------------------------
 * Escaping
 * ------------------------------------------------------------------------------------------- */

enum esc {
	ESC_TEXT,        /* message, tag, unquoted value */
	ESC_TEXT_QUOTED, /* a value between double quotes: '"' becomes \" */
	ESC_TEXT_KEY,    /* a key: ' ', '=' and '"' become \xNN so "k=v" always splits */
	ESC_JSON,        /* inside a JSON string */
};

/* Decodes the UTF-8 sequence at P (N >= 1 bytes). Returns its length with *cp set, or, for an
 * ill-formed sequence, the length of its maximal subpart with *cp = UTF8_BAD: one U+FFFD per
 * maximal subpart is the substitution Unicode recommends (chapter 3.9) and what browsers and
 * Python do. The ranges of the second byte exclude overlongs (E0, F0), surrogates (ED) and code
 * points above U+10FFFF (F4). */
static size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t need, i;
	uint32_t v;

	if (p[0] < 0xc2 || p[0] > 0xf4) {
		*cp = p[0] < 0x80 ? p[0] : UTF8_BAD;
		return 1;
	}
	if (p[0] < 0xe0) {
		need = 1;
		v = p[0] & 0x1f;
	} else if (p[0] < 0xf0) {
		need = 2;
		v = p[0] & 0x0f;
		lo = p[0] == 0xe0 ? 0xa0 : 0x80;
		hi = p[0] == 0xed ? 0x9f : 0xbf;
	} else {
		need = 3;
		v = p[0] & 0x07;
		lo = p[0] == 0xf0 ? 0x90 : 0x80;
		hi = p[0] == 0xf4 ? 0x8f : 0xbf;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || p[i] < lo || p[i] > hi) {
			*cp = UTF8_BAD;
			return i;
		}
		v = v << 6 | (p[i] & 0x3f);
		lo = 0x80;
		hi = 0xbf;
	}
	*cp = v;
	return need + 1;
}

/* Per byte, one bit per enum esc mode: set when that mode copies the byte as is. Bytes from 0x80
 * on are left to the UTF-8 decoder. The only statement of which ASCII bytes each mode escapes:
 * ascii_needs_escape() and the byte loop read this table; the 8- and 16-byte scans below test
 * the same bytes in bulk (a control, DEL, '\\', and per mode '"', ' ', '='). */
#define PLAIN_BITS(c)                                                                       \
	((c) < 0x20 || (c) >= 0x7f || (c) == '\\'	  ? 0                                  \
	 : (c) == '"'				  ? 1u << ESC_TEXT                     \
	 : (c) == ' ' || (c) == '='		  ? 15u & ~(1u << ESC_TEXT_KEY)        \
						  : 15u)
#define PLAIN4(c) PLAIN_BITS(c), PLAIN_BITS((c) + 1), PLAIN_BITS((c) + 2), PLAIN_BITS((c) + 3)
#define PLAIN16(c) PLAIN4(c), PLAIN4((c) + 4), PLAIN4((c) + 8), PLAIN4((c) + 12)
#define PLAIN64(c) PLAIN16(c), PLAIN16((c) + 16), PLAIN16((c) + 32), PLAIN16((c) + 48)
static const unsigned char plain_byte[256] = {PLAIN64(0), PLAIN64(64), PLAIN64(128), PLAIN64(192)};

/* For an ASCII byte (below 0x80): the one rule, PLAIN_BITS, read from its table. */
static bool ascii_needs_escape(unsigned char c, enum esc mode)
{
	return !(plain_byte[c] >> mode & 1);
}

/* Eight bytes at a time (SWAR): each test leaves the high bit set in the bytes it matches. A
 * borrow can also mark bytes after a true match, never before one, so the lowest mark is exact. */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull

static uint64_t bytes_below(uint64_t w, unsigned char c)
{
	return (w - ONES * c) & ~w & HIGHS;
}

static uint64_t bytes_equal(uint64_t w, unsigned char c)
{
	return bytes_below(w ^ (ONES * c), 1);
}

#if defined(__SSE2__)
/* One bit per byte of the 16 at P that MODE does not copy as is. As signed bytes, both controls
 * (< 0x20) and non-ASCII (>= 0x80, negative) compare below 0x20, so one compare covers both. */
static unsigned special16(const unsigned char *p, enum esc mode)
{
	__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
	__m128i m = _mm_or_si128(_mm_cmplt_epi8(v, _mm_set1_epi8(0x20)),
				 _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)),
					      _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
	if (mode != ESC_TEXT)
		m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
	if (mode == ESC_TEXT_KEY)
		m = _mm_or_si128(m, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(' ')),
						 _mm_cmpeq_epi8(v, _mm_set1_epi8('='))));
	return (unsigned)_mm_movemask_epi8(m);
}
#endif

/* The high bit of each of the 8 bytes in W that MODE does not copy as is. */
static uint64_t special8(uint64_t w, enum esc mode)
{
	uint64_t hit = (w & HIGHS) | bytes_below(w, 0x20) | bytes_equal(w, 0x7f) |
		       bytes_equal(w, '\\');
	if (mode != ESC_TEXT)
		hit |= bytes_equal(w, '"');
	if (mode == ESC_TEXT_KEY)
		hit |= bytes_equal(w, ' ') | bytes_equal(w, '=');
	return hit;
}

/* How many bytes from P on are plain ASCII that MODE copies as is. Most of a message is such
 * bytes, so checking eight or sixteen per step pays: the escaping loop was the formatter's main
 * cost. The last partial step re-reads bytes already checked (an overlapping load ending at
 * P + N) rather than going byte by byte. */
static inline __attribute__((always_inline)) size_t plain_run(const unsigned char *p, size_t n,
							       enum esc mode)
{
	size_t i = 0;

#if defined(__SSE2__)
	if (n >= 16) {
		unsigned mask;
		for (; i + 16 <= n; i += 16)
			if ((mask = special16(p + i, mode)) != 0)
				return i + (size_t)__builtin_ctz(mask);
		if (i == n)
			return n;
		/* Bytes [n - 16, i) passed already: look at the rest. */
		mask = special16(p + n - 16, mode) >> (16 - (n - i));
		return mask ? i + (size_t)__builtin_ctz(mask) : n;
	}
#endif
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	if (n >= 8) {
		uint64_t w, hit;
		for (; i + 8 <= n; i += 8) {
			memcpy(&w, p + i, sizeof(w));
			if ((hit = special8(w, mode)) != 0)
				return i + (size_t)__builtin_ctzll(hit) / 8;
		}
		if (i == n)
			return n;
		/* A borrow marks only bytes after a true match, and the bytes shifted out passed
		 * already, so the lowest mark left is exact. */
		memcpy(&w, p + n - 8, sizeof(w));
		hit = special8(w, mode) >> (8 * (8 - (n - i)));
		return hit ? i + (size_t)__builtin_ctzll(hit) / 8 : n;
	}
#endif
	while (i < n && (plain_byte[p[i]] >> mode & 1))
		i++;
	return i;
}

/* Also the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069): a record could
 * otherwise make the rest of its line, or what a terminal shows after it, read backwards. */
static bool codepoint_needs_escape(uint32_t cp)
{
	return cp == UTF8_BAD || (cp >= 0x80 && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static const char *text_named_escape(unsigned char c, enum esc mode)
{
	switch (c) {
	case '\n':
		return "\\n";
	case '\t':
		return "\\t";
	case '\r':
		return "\\r";
	case '\\':
		return "\\\\";
	case '"':
		return mode == ESC_TEXT_QUOTED ? "\\\"" : NULL;
	default:
		return NULL;
	}
}

/* One escaped character in text: the usual backslash forms, else every byte as \xNN. */
static void put_text_escape(struct out *o, const unsigned char *p, size_t len, enum esc mode)
{
	const char *named = len == 1 ? text_named_escape(p[0], mode) : NULL;
	size_t i;

	if (named) {
		put_str(o, named);
		return;
	}
	for (i = 0; i < len; i++) {
		PUT_LIT(o, "\\x");
		put_hex2(o, p[i]);
	}
}

static void put_json_escape(struct out *o, uint32_t cp)
{
	switch (cp) {
	case '"':
		PUT_LIT(o, "\\\"");
		return;
	case '\\':
		PUT_LIT(o, "\\\\");
		return;
	case '\b':
		PUT_LIT(o, "\\b");
		return;
	case '\f':
		PUT_LIT(o, "\\f");
		return;
	case '\n':
		PUT_LIT(o, "\\n");
		return;
	case '\r':
		PUT_LIT(o, "\\r");
		return;
	case '\t':
		PUT_LIT(o, "\\t");
		return;
	case UTF8_BAD:
		PUT_LIT(o, "\xef\xbf\xbd");
		return;
	}
	PUT_LIT(o, "\\u");
	put_hex2(o, (unsigned char)(cp >> 8));
	put_hex2(o, (unsigned char)cp);
}

/* Copies each run of bytes that need no escaping with one put_mem. */
static void put_escaped(struct out *o, const char *s, size_t n, enum esc mode)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, start = 0, len;
	uint32_t cp;

	if (n == 0)
		return; /* S may be NULL then */
	while (i < n) {
		i += plain_run(p + i, n - i, mode);
		if (i == n)
			break;
		if (p[i] < 0x80) {
			if (!ascii_needs_escape(p[i], mode)) {
				i++;
				continue;
			}
			cp = p[i];
			len = 1;
		} else {
			len = utf8_decode(p + i, n - i, &cp);
			if (!codepoint_needs_escape(cp)) {
				i += len;
				continue;
			}
		}
		put_mem(o, p + start, i - start);
		if (mode == ESC_JSON)
			put_json_escape(o, cp);
		else
			put_text_escape(o, p + i, len, mode);
		i += len;
		start = i;
	}
	put_mem(o, p + start, i - start);
}

/* ---------------------------------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------------------------------- */

/* The shortest of %.15g, %.16g and %.17g that reads back as V, so 0.1 prints as 0.1 and every
 * value round-trips. printf and strtod follow LC_NUMERIC, which the application may have set:
 * both use the same decimal point, so the round-trip test holds, and it is then rewritten to
 * '.' because JSON and log parsers know no other. Integral values get ".0" so that they stay
 * floats to a reader (Elasticsearch would otherwise map the field as an integer). */
static void put_double(struct out *o, double v)
{
	char tmp[48], num[48];
	size_t i, n = 0;
	bool is_float = false;
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (prec == 17 || strtod(tmp, NULL) == v)
			break;
	}
	for (i = 0; tmp[i]; i++) {
		char c = tmp[i];

		if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
			num[n++] = c;
			is_float |= c == 'e';
		} else if (n > 0 && num[n - 1] != '.') {
			num[n++] = '.';
			is_float = true;
		}
	}
	put_mem(o, num, n);
	if (!is_float)
		PUT_LIT(o, ".0");
}

/* JSON has no NaN or infinities; these are the spellings JavaScript and Python print. */
static const char *nonfinite_name(double v)
{
	if (isnan(v))
		return "NaN";
	return v > 0 ? "Infinity" : "-Infinity";
}

/* ---------------------------------------------------------------------------------------------
 * Fields
 * ------------------------------------------------------------------------------------------- */

/* Iterates REC's fields for a formatter, stopping at damage or past FMT_MAX_FIELDS. */
struct field_iter {
	const struct shmlog_record *rec;
	size_t off, count;
	bool damaged;
};

static bool next_field(struct field_iter *it, struct shmlog_field *f)
{
	int r;

	if (it->damaged || it->off == it->rec->fields_len)
		return false; /* most records have no fields */
	r = shmlog_record_field(it->rec, &it->off, f);
	if (r == 1 && it->count++ < FMT_MAX_FIELDS)
		return true;
	it->damaged = r != 0;
	return false;
}

/* ---------------------------------------------------------------------------------------------
 * TEXT and CAT
 * ------------------------------------------------------------------------------------------- */

#define LEVEL_WIDTH 5
#define ANSI_RESET "\033[0m"

/* Names padded to LEVEL_WIDTH, so the common line copies a constant length. */
static const struct {
	char padded[LEVEL_WIDTH + 1];
	unsigned char len;
	const char *color;
} text_levels[] = {
	[SHMLOG_DEBUG] = {"DEBUG", 5, "\033[2m"},
	[SHMLOG_INFO] = {"INFO ", 4, "\033[32m"},
	[SHMLOG_WARNING] = {"WARN ", 4, "\033[33m"},
	[SHMLOG_ERROR] = {"ERROR", 5, "\033[31m"},
	[SHMLOG_CRITICAL] = {"CRIT ", 4, "\033[1;31m"},
};

static void put_text_level(struct out *o, int level, bool color)
{
	if (level < SHMLOG_DEBUG || level > SHMLOG_CRITICAL) {
		PUT_LIT(o, "UNKN ");
	} else if (!color) {
		put_mem(o, text_levels[level].padded, LEVEL_WIDTH);
	} else {
		put_str(o, text_levels[level].color);
		put_mem(o, text_levels[level].padded, text_levels[level].len);
		PUT_LIT(o, ANSI_RESET);
		for (size_t n = text_levels[level].len; n < LEVEL_WIDTH; n++)
			put_char(o, ' ');
	}
}

static void put_truncation_mark(struct out *o, const struct shmlog_record *rec)
{
	if (!(rec->flags & SHMLOG_REC_TRUNCATED))
		return;
	PUT_LIT(o, " [truncated ");
	put_u64(o, rec->msg_full_len);
	PUT_LIT(o, "->");
	put_u64(o, rec->msg_len);
	PUT_LIT(o, " bytes]");
}

static bool text_needs_quotes(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == ' ' || s[i] == '"' || s[i] == '=')
			return true;
	return n == 0;
}

static void put_text_value(struct out *o, const struct shmlog_field *f)
{
	switch (f->type) {
	case SHMLOG_FIELD_STRING:
		if (text_needs_quotes(f->v.s.ptr, f->v.s.len)) {
			put_char(o, '"');
			put_escaped(o, f->v.s.ptr, f->v.s.len, ESC_TEXT_QUOTED);
			put_char(o, '"');
		} else {
			put_escaped(o, f->v.s.ptr, f->v.s.len, ESC_TEXT);
		}
		break;
	case SHMLOG_FIELD_INT:
		put_i64(o, f->v.i);
		break;
	case SHMLOG_FIELD_FLOAT:
		if (isfinite(f->v.f))
			put_double(o, f->v.f);
		else
			put_str(o, nonfinite_name(f->v.f));
		break;
	case SHMLOG_FIELD_BOOL:
		put_str(o, f->v.b ? "true" : "false");
		break;
	}
}

static void format_text(struct out *o, const struct shmlog_record *rec, unsigned flags)
{
	struct field_iter it = {.rec = rec};
	struct shmlog_field f;

	put_timestamp(o, rec->time_ns);
	put_char(o, ' ');
	put_text_level(o, rec->level, flags & SHMLOG_FMT_COLOR);
	put_char(o, ' ');
	put_escaped(o, rec->tag, rec->tag_len, ESC_TEXT);
	static __thread struct id_text ids[ID_CACHE];
	static const struct id_style style = ID_STYLE("[", "/", "]");
	put_ids(o, ids, &style, rec->pid, rec->tid);
	if (rec->msg_len) {
		put_char(o, ' ');
		put_escaped(o, rec->msg, rec->msg_len, ESC_TEXT);
	}
	put_truncation_mark(o, rec);
	while (next_field(&it, &f)) {
		put_char(o, ' ');
		put_escaped(o, f.key, f.key_len, ESC_TEXT_KEY);
		put_char(o, '=');
		put_text_value(o, &f);
	}
	if (it.damaged)
		PUT_LIT(o, " [damaged fields]");
}

static void format_cat(struct out *o, const struct shmlog_record *rec)
{
	put_escaped(o, rec->msg, rec->msg_len, ESC_TEXT);
	put_truncation_mark(o, rec);
}

/* ---------------------------------------------------------------------------------------------
 * JSON
 * ------------------------------------------------------------------------------------------- */

/* Every key the formatter writes itself. A field may neither repeat one nor nest under one
 * ("message.x") nor be the object one nests in ("process"): Elasticsearch expands dotted keys
 * into objects and rejects the whole document on such a clash. */
#define JSON_OWN_KEYS(X)                                                                         \
	X("@timestamp")                                                                          \
	X("log.level")                                                                           \
	X("log.logger")                                                                          \
	X("message")                                                                             \
	X("process.pid")                                                                         \
	X("process.thread.id")                                                                   \
	X("event.sequence")                                                                      \
	X("shmlog.truncated")                                                                    \
	X("shmlog.original_length")                                                              \
	X("shmlog.synthetic")                                                                    \
	X("shmlog.count")                                                                        \
	X("shmlog.fields_damaged")

#define OWN_KEY(k) {k, sizeof(k) - 1},
#define OWN_INITIAL(k) || c == (k)[0]

static const struct {
	const char *name;
	size_t len;
} json_own_keys[] = {JSON_OWN_KEYS(OWN_KEY)};

#define LABELS_PREFIX "labels."
#define LABELS_PREFIX_LEN (sizeof(LABELS_PREFIX) - 1)

/* Whether C begins an own key or "labels": most keys of users' fields do not, and skip the
 * table. The comparisons come from the same list, so they fold into constants. */
static bool own_key_initial(char c)
{
	return c == LABELS_PREFIX[0] JSON_OWN_KEYS(OWN_INITIAL);
}

static bool clashes_with_own_key(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || !own_key_initial(k[0]))
		return false;
	/* Renamed keys live under "labels.": a field called just "labels" would make it both a
	 * value and an object, which Elasticsearch rejects (found by fuzz_record_fields' author). */
	if (n == LABELS_PREFIX_LEN - 1 && memcmp(k, LABELS_PREFIX, n) == 0)
		return true;

	for (i = 0; i < sizeof(json_own_keys) / sizeof(json_own_keys[0]); i++) {
		const char *own = json_own_keys[i].name;
		size_t m = json_own_keys[i].len;

		if (k[0] != own[0])
			continue;
		if (n == m && memcmp(k, own, n) == 0)
			return true;
		if (n < m && own[n] == '.' && memcmp(k, own, n) == 0)
			return true;
		if (n > m && k[m] == '.' && memcmp(k, own, m) == 0)
			return true;
	}
	return false;
}

/* A field's key as it appears in the JSON object. */
struct json_key {
	const char *key;
	size_t len;
	bool labelled;    /* written with LABELS_PREFIX */
	bool well_formed; /* valid UTF-8, so written byte for byte */
};

static bool utf8_well_formed(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;

	while (i < n) {
		i += utf8_decode(p + i, n - i, &cp);
		if (cp == UTF8_BAD)
			return false;
	}
	return true;
}

/* Whether A and B come out as the same string once ill-formed bytes become U+FFFD. */
static bool same_after_replacement(const char *a, size_t an, const char *b, size_t bn)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	size_t i = 0, j = 0;
	uint32_t cp, cq;

	while (i < an && j < bn) {
		i += utf8_decode(p + i, an - i, &cp);
		j += utf8_decode(q + j, bn - j, &cq);
		if ((cp == UTF8_BAD ? 0xfffd : cp) != (cq == UTF8_BAD ? 0xfffd : cq))
			return false;
	}
	return i == an && j == bn;
}

static bool json_keys_equal(const struct json_key *a, const struct json_key *b)
{
	const char *bk = b->key;
	size_t bn = b->len;

	if (a->labelled != b->labelled) {
		if (b->labelled)
			return json_keys_equal(b, a);
		if (bn < LABELS_PREFIX_LEN || memcmp(bk, LABELS_PREFIX, LABELS_PREFIX_LEN) != 0)
			return false;
		bk += LABELS_PREFIX_LEN;
		bn -= LABELS_PREFIX_LEN;
	}
	if (a->well_formed && b->well_formed)
		return a->len == bn && memcmp(a->key, bk, bn) == 0;
	return same_after_replacement(a->key, a->len, bk, bn);
}

static void put_json_string(struct out *o, const char *s, size_t n)
{
	put_char(o, '"');
	put_escaped(o, s, n, ESC_JSON);
	put_char(o, '"');
}

static void put_json_value(struct out *o, const struct shmlog_field *f)
{
	switch (f->type) {
	case SHMLOG_FIELD_STRING:
		put_json_string(o, f->v.s.ptr, f->v.s.len);
		break;
	case SHMLOG_FIELD_INT:
		put_i64(o, f->v.i);
		break;
	case SHMLOG_FIELD_FLOAT:
		if (isfinite(f->v.f)) {
			put_double(o, f->v.f);
		} else {
			put_char(o, '"');
			put_str(o, nonfinite_name(f->v.f));
			put_char(o, '"');
		}
		break;
	case SHMLOG_FIELD_BOOL:
		put_str(o, f->v.b ? "true" : "false");
		break;
	}
}

/* Writes the fields as keys of their own. A key already written by an earlier field is skipped:
 * JSON readers disagree on duplicates and Elasticsearch rejects them, and since the writer's
 * own fields come before the thread's context fields, the more specific value is the one kept. */
static bool put_json_fields(struct out *o, const struct shmlog_record *rec)
{
	struct json_key seen[FMT_MAX_FIELDS];
	struct field_iter it = {.rec = rec};
	struct shmlog_field f;
	size_t nseen = 0, i;

	while (next_field(&it, &f)) {
		struct json_key *k = &seen[nseen];

		/* A key of plain ASCII (the usual kind) is well-formed and is copied as is. */
		bool plain = plain_run((const unsigned char *)f.key, f.key_len, ESC_JSON) == f.key_len;

		k->key = f.key;
		k->len = f.key_len;
		k->labelled = clashes_with_own_key(f.key, f.key_len);
		k->well_formed = plain || utf8_well_formed(f.key, f.key_len);
		for (i = 0; i < nseen && !json_keys_equal(&seen[i], k); i++)
			;
		if (i < nseen)
			continue;
		nseen++;
		PUT_LIT(o, ",\"");
		if (k->labelled)
			PUT_LIT(o, LABELS_PREFIX);
		if (plain)
			put_mem(o, f.key, f.key_len);
		else
			put_escaped(o, f.key, f.key_len, ESC_JSON);
		PUT_LIT(o, "\":");
		put_json_value(o, &f);
	}
	return it.damaged;
}

/* shmlog_level_name()'s names (util.c), with their lengths: no strlen() per line. */
static void put_json_level(struct out *o, int level)
{
#define LEVEL_NAME(l, s) [l] = {s, sizeof(s) - 1}
	static const struct {
		char name[9];
		unsigned char len;
	} names[] = {LEVEL_NAME(SHMLOG_DEBUG, "debug"), LEVEL_NAME(SHMLOG_INFO, "info"),
		     LEVEL_NAME(SHMLOG_WARNING, "warning"), LEVEL_NAME(SHMLOG_ERROR, "error"),
		     LEVEL_NAME(SHMLOG_CRITICAL, "critical")};
#undef LEVEL_NAME

	if (level >= SHMLOG_DEBUG && level <= SHMLOG_CRITICAL)
		put_mem(o, names[level].name, names[level].len);
	else
		put_str(o, shmlog_level_name(level));
}

static void format_json(struct out *o, const struct shmlog_record *rec)
{
	PUT_LIT(o, "{\"@timestamp\":\"");
	put_timestamp(o, rec->time_ns);
	PUT_LIT(o, "\",\"log.level\":\"");
	put_json_level(o, rec->level);
	PUT_LIT(o, "\",\"log.logger\":");
	put_json_string(o, rec->tag, rec->tag_len);
	PUT_LIT(o, ",\"message\":");
	put_json_string(o, rec->msg, rec->msg_len);
	static __thread struct id_text ids[ID_CACHE];
	static const struct id_style style =
		ID_STYLE(",\"process.pid\":", ",\"process.thread.id\":", ",\"event.sequence\":");
	put_ids(o, ids, &style, rec->pid, rec->tid);
	put_u64(o, rec->seq);
	if (rec->flags & SHMLOG_REC_TRUNCATED) {
		PUT_LIT(o, ",\"shmlog.truncated\":true,\"shmlog.original_length\":");
		put_u64(o, rec->msg_full_len);
	}
	if (rec->flags & SHMLOG_REC_SYNTHETIC) {
		PUT_LIT(o, ",\"shmlog.synthetic\":true,\"shmlog.count\":");
		put_u64(o, rec->count);
	}
	if (put_json_fields(o, rec))
		PUT_LIT(o, ",\"shmlog.fields_damaged\":true");
	put_char(o, '}');
}

/* ---------------------------------------------------------------------------------------------
 * Entry point
 * ------------------------------------------------------------------------------------------- */

/* Fails only on caller errors, with -EINVAL: REC NULL, a NULL tag or message with a non-zero
 * length, BUF NULL with CAP > 0, an unknown format or flag. Damaged fields are not an error: the
 * line shows the fields before the damage and says the rest was damaged. */
ssize_t shmlog_format(const struct shmlog_record *rec, int format, unsigned flags, char *buf,
		      size_t cap)
{
	struct out o = {.buf = buf, .cap = cap};

	if (!rec || (!rec->tag && rec->tag_len) || (!rec->msg && rec->msg_len) || (!buf && cap))
		return set_err(EINVAL, "shmlog_format: NULL record, tag, message or buffer");
	if (flags & ~(SHMLOG_FMT_COLOR | SHMLOG_FMT_NO_NEWLINE))
		return set_err(EINVAL, "shmlog_format: unknown flags 0x%x", flags);
	switch (format) {
	case SHMLOG_FORMAT_TEXT:
		format_text(&o, rec, flags);
		break;
	case SHMLOG_FORMAT_JSON:
		format_json(&o, rec);
		break;
	case SHMLOG_FORMAT_CAT:
		format_cat(&o, rec);
		break;
	default:
		return set_err(EINVAL, "shmlog_format: unknown format %d: use SHMLOG_FORMAT_TEXT, "
				       "SHMLOG_FORMAT_JSON or SHMLOG_FORMAT_CAT",
			       format);
	}
	if (!(flags & SHMLOG_FMT_NO_NEWLINE))
		put_char(&o, '\n');
	if (cap)
		buf[o.len < cap ? o.len : cap - 1] = '\0';
	return (ssize_t)o.len;
}

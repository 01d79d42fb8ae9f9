/* escape.c - untrusted record bytes made safe for a line: escaping and UTF-8 (format.h).
 *
 * Record bytes are untrusted and escaped on the way out, with one rule for every string
 * (message, tag, keys, values): no record can put a raw control character on the output, so
 * none can forge a line or drive a terminal. That covers C0, DEL, the C1 controls
 * (U+0080-U+009F, which some terminals obey), U+2028/U+2029 (line breaks to JavaScript-based
 * viewers) and the bidirectional overrides and isolates (which reorder what follows them on
 * screen). Bytes that are not well-formed UTF-8 become \xNN in text and U+FFFD in JSON, so text
 * output is valid UTF-8 too. Runs of bytes that need nothing are found 16 (SSE2) or 8 (SWAR)
 * bytes at a time and copied with one put_mem.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "format.h"

/* Not inline: the named escapes are literals, and a copy_short() of a known short length makes
 * gcc warn about the moves it never takes. */
void put_str(struct out *o, const char *s)
{
	put_mem(o, s, strlen(s));
}

/* Decodes the UTF-8 sequence at P (N >= 1 bytes). Returns its length with *cp set, or, for an
 * ill-formed sequence, the length of its maximal subpart with *cp = UTF8_BAD: one U+FFFD per
 * maximal subpart is the substitution Unicode recommends (chapter 3.9) and what browsers and
 * Python do. The ranges of the second byte exclude overlongs (E0, F0), surrogates (ED) and code
 * points above U+10FFFF (F4). */
size_t utf8_decode(const unsigned char *p, size_t n, uint32_t *cp)
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

size_t plain_len(const unsigned char *p, size_t n, enum esc mode)
{
	return plain_run(p, n, mode);
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

/* JSON's two-character escapes (RFC 8259, section 7), by ASCII byte; the other controls take
 * \u00XX. */
static const char *const json_named[0x60] = {
	['"'] = "\\\"", ['\\'] = "\\\\", ['\b'] = "\\b", ['\f'] = "\\f",
	['\n'] = "\\n", ['\r'] = "\\r", ['\t'] = "\\t",
};

static void put_json_escape(struct out *o, uint32_t cp)
{
	const char *named = cp < sizeof(json_named) / sizeof(*json_named) ? json_named[cp] : NULL;

	if (named) {
		put_mem(o, named, 2);
		return;
	}
	if (cp == UTF8_BAD) {
		PUT_LIT(o, "\xef\xbf\xbd");
		return;
	}
	PUT_LIT(o, "\\u");
	put_hex2(o, (unsigned char)(cp >> 8));
	put_hex2(o, (unsigned char)cp);
}

/* Copies each run of bytes that need no escaping with one put_mem. */
void put_escaped(struct out *o, const char *s, size_t n, enum esc mode)
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

bool utf8_well_formed(const char *s, size_t n)
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

/* The code point a JSON string shows for CP: U+FFFD for an ill-formed sequence, and for a label
 * key '_' in place of the characters label_key_replaced() names. */
static uint32_t shown_cp(uint32_t cp, bool label)
{
	if (cp == UTF8_BAD)
		return 0xfffd;
	return label && cp < 0x80 && label_key_replaced((char)cp) ? '_' : cp;
}

/* Whether A and B come out as the same string once ill-formed bytes become U+FFFD (and, with
 * LABEL, once a label key's '.', '*' and '\\' become '_'). */
bool same_after_replacement(const char *a, size_t an, const char *b, size_t bn, bool label)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	size_t i = 0, j = 0;
	uint32_t cp, cq;

	while (i < an && j < bn) {
		i += utf8_decode(p + i, an - i, &cp);
		j += utf8_decode(q + j, bn - j, &cq);
		if (shown_cp(cp, label) != shown_cp(cq, label))
			return false;
	}
	return i == an && j == bn;
}

/* fuzz_util.c - input cursor, invariant failure, UTF-8 and text-escape oracles (fuzz_util.h).
 *
 * The UTF-8 decoder here is deliberately not format.c's: it tracks the range of code points a
 * prefix can still become and stops at the first byte that makes the range empty, instead of
 * checking the second byte against per-lead-byte ranges. Two derivations that agree on every
 * input are better evidence than one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "json_check.h"

void fz_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\nfuzz invariant violated at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

/* ---- input ----------------------------------------------------------------------------------- */

static uint64_t take_le(struct fz *f, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		uint64_t b = 0;
		if (f->n) {
			b = *f->p++;
			f->n--;
		}
		v |= b << (8 * i);
	}
	return v;
}

uint8_t fz_u8(struct fz *f)
{
	return (uint8_t)take_le(f, 1);
}

uint16_t fz_u16(struct fz *f)
{
	return (uint16_t)take_le(f, 2);
}

uint32_t fz_u32(struct fz *f)
{
	return (uint32_t)take_le(f, 4);
}

uint64_t fz_u64(struct fz *f)
{
	return take_le(f, 8);
}

size_t fz_bytes(struct fz *f, size_t n, const uint8_t **out)
{
	if (n > f->n)
		n = f->n;
	*out = f->p;
	f->p += n;
	f->n -= n;
	return n;
}

void *fz_dup(const void *p, size_t n)
{
	void *q = malloc(n ? n : 1);

	FZ_CHECK(q != NULL, "out of memory");
	if (n)
		memcpy(q, p, n);
	return q;
}

/* ---- UTF-8 ----------------------------------------------------------------------------------- */

/* Whether a sequence of LEN bytes whose known bits are V, with REST bits still to come, can
 * still become a well-formed code point: not overlong, not a surrogate, at most U+10FFFF. */
static bool prefix_viable(uint32_t v, unsigned rest, size_t len)
{
	static const uint32_t min_cp[] = {0, 0, 0x80, 0x800, 0x10000};
	uint32_t lo = v << rest, hi = lo | ((1u << rest) - 1);

	return hi >= min_cp[len] && lo <= 0x10ffff && !(lo >= 0xd800 && hi <= 0xdfff);
}

size_t fz_utf8_next(const uint8_t *p, size_t n, uint32_t *cp)
{
	uint8_t b = p[0];
	size_t len, i;
	uint32_t v;

	*cp = FZ_UTF8_BAD;
	if (b < 0x80) {
		*cp = b;
		return 1;
	}
	if ((b & 0xe0) == 0xc0) {
		len = 2;
		v = b & 0x1f;
	} else if ((b & 0xf0) == 0xe0) {
		len = 3;
		v = b & 0x0f;
	} else if ((b & 0xf8) == 0xf0) {
		len = 4;
		v = b & 0x07;
	} else {
		return 1; /* a continuation byte or F8..FF */
	}
	if (!prefix_viable(v, 6 * (unsigned)(len - 1), len))
		return 1;
	for (i = 1; i < len; i++) {
		if (i >= n || (p[i] & 0xc0) != 0x80)
			return i;
		if (!prefix_viable(v << 6 | (p[i] & 0x3f), 6 * (unsigned)(len - 1 - i), len))
			return i;
		v = v << 6 | (p[i] & 0x3f);
	}
	*cp = v;
	return len;
}

size_t fz_utf8_replace(const uint8_t *s, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0, len;
	uint32_t cp;

	while (i < n) {
		len = fz_utf8_next(s + i, n - i, &cp);
		if (cp == FZ_UTF8_BAD) {
			memcpy(out + o, "\xef\xbf\xbd", 3); /* U+FFFD */
			o += 3;
		} else {
			memcpy(out + o, s + i, len);
			o += len;
		}
		i += len;
	}
	return o;
}

const char *fz_line_violation(const char *s, size_t n, bool allow_esc)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, len;
	uint32_t cp;

	while (i < n) {
		len = fz_utf8_next(p + i, n - i, &cp);
		if (cp == FZ_UTF8_BAD)
			return "ill-formed UTF-8";
		if (cp == '\n' && i + 1 != n)
			return "a raw newline before the end of the line";
		if (cp < 0x20 && cp != '\n' && !(cp == 0x1b && allow_esc))
			return "a raw C0 control character";
		if (cp == 0x7f)
			return "a raw DEL";
		if (cp >= 0x80 && cp <= 0x9f)
			return "a raw C1 control character";
		if (cp == 0x2028 || cp == 0x2029)
			return "a raw U+2028/U+2029 line separator";
		i += len;
	}
	return NULL;
}

/* ---- text escapes ---------------------------------------------------------------------------- */

long fz_text_unescape(const char *s, size_t n, uint8_t *out)
{
	size_t i = 0, o = 0;

	while (i < n) {
		if (s[i] != '\\') {
			out[o++] = (uint8_t)s[i++];
			continue;
		}
		if (i + 1 >= n)
			return -1;
		switch (s[i + 1]) {
		case 'n':
			out[o++] = '\n';
			break;
		case 't':
			out[o++] = '\t';
			break;
		case 'r':
			out[o++] = '\r';
			break;
		case '\\':
			out[o++] = '\\';
			break;
		case '"':
			out[o++] = '"';
			break;
		case 'x': {
			int hi = i + 3 < n ? json_hex_digit((unsigned char)s[i + 2]) : -1;
			int lo = i + 3 < n ? json_hex_digit((unsigned char)s[i + 3]) : -1;
			if (hi < 0 || lo < 0)
				return -1;
			out[o++] = (uint8_t)(hi << 4 | lo);
			i += 2;
			break;
		}
		default:
			return -1;
		}
		i += 2;
	}
	return (long)o;
}

/* number.c - integers, floats and booleans as a line shows them, for shmlog_format(), printf.c
 * and shmlogd's RFC 5424 forwarder (format.h, internal.h, format_pieces.h). */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "internal.h"
#include "shmlog.h"

/* "00" "01" ... "99": numbers are written two digits per division, which halves the divisions
 * the collector spends on pids, tids and sequence numbers. */
const char digit_pairs[201] = "00010203040506070809101112131415161718192021222324252627282930"
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
void put_u64(struct out *o, uint64_t v)
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

void put_i64(struct out *o, int64_t v)
{
	if (v < 0) {
		put_char(o, '-');
		put_u64(o, -(uint64_t)v);
	} else {
		put_u64(o, (uint64_t)v);
	}
}

/* The shortest of %.15g, %.16g and %.17g that reads back as V, so 0.1 prints as 0.1 and every
 * value round-trips. printf and strtod follow LC_NUMERIC, which the application may have set:
 * both use the same decimal point, so the round-trip test holds, and it is then rewritten to
 * '.' because JSON and log parsers know no other. Integral values get ".0" so that they stay
 * floats to a reader (Elasticsearch would otherwise map the field as an integer). */
void put_double(struct out *o, double v)
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

/* Every output spells a number or a boolean the same way, so a value reads the same in a text
 * line, a JSON line and a forwarded RFC 5424 message; only strings are escaped each its own way. */
void put_scalar(struct out *o, const struct shmlog_field *f)
{
	switch (f->type) {
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
	default:
		break; /* a string: the caller's */
	}
}

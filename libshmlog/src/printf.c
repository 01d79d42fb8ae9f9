/* printf.c - shmlog_log()'s message formatter: vsnprintf()'s output, byte for byte, for the
 * conversions log messages are made of, at a fraction of glibc's cost.
 *
 * shmlog_log() formats every message in the writer, on the application's own CPU, and glibc's
 * vsnprintf() spends about 1,370 instructions on "w=%d seq=%09ld request done status=200
 * bytes=5120": four fifths of the whole call. msg_vformat() knows %d %i %u %x %X %c %s and %%,
 * with the flags '-' '0' '+' ' ', a width and a precision (digits or '*'), and the length
 * modifiers hh h l ll z j t. A format with anything else (floating point, %p, %n, %m, %o, '#',
 * '\'', positional arguments, wide characters, a NULL string, a width or precision past 4096) is
 * refused as a whole, and the caller hands it to vsnprintf(), which overwrites whatever was put
 * in the buffer so far: either way the result is vsnprintf()'s. test_printf checks that against
 * vsnprintf() itself, on 200,000 random formats a run.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include "internal.h"

#define FIELD_MAX 4096 /* larger widths and precisions are left to vsnprintf */

struct sink {
	char *buf;
	size_t cap; /* bytes we may store, the NUL excluded */
	size_t len; /* bytes the whole output needs */
};

static inline void put(struct sink *s, const char *p, size_t n)
{
	if (s->len < s->cap)
		memcpy(s->buf + s->len, p, n < s->cap - s->len ? n : s->cap - s->len);
	s->len += n;
}

static inline void fill(struct sink *s, char c, size_t n)
{
	if (s->len < s->cap)
		memset(s->buf + s->len, c, n < s->cap - s->len ? n : s->cap - s->len);
	s->len += n;
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE, LEN_MAX, LEN_PTRDIFF };

struct spec {
	int left, zero, plus, space;
	size_t width;
	int prec; /* -1: none */
	enum length length;
};

/* Digits of V in BASE (10 or 16) ending at END; returns where they start. */
static char *digits(char *end, uint64_t v, unsigned base, int upper)
{
	const char *hex = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	if (base == 10)
		return write_digits(end, v); /* format.c's, two digits per division */
	do {
		*--end = hex[v & 15];
		v >>= 4;
	} while (v);
	return end;
}

/* One integer conversion: SIGN ('\0', '-', '+' or ' '), then at least PREC digits, padded to
 * the width with spaces (or zeros after the sign, for '0' without a precision). */
static void put_int(struct sink *s, const struct spec *sp, char sign, uint64_t v, unsigned base,
		    int upper)
{
	char tmp[24], *end = tmp + sizeof(tmp);
	char *d = sp->prec == 0 && v == 0 ? end : digits(end, v, base, upper);
	size_t nd = (size_t)(end - d);
	size_t zeros = sp->prec > 0 && (size_t)sp->prec > nd ? (size_t)sp->prec - nd : 0;
	size_t body = (sign != '\0') + zeros + nd;

	if (sp->zero && !sp->left && sp->prec < 0 && sp->width > body) {
		zeros += sp->width - body;
		body = sp->width;
	}
	if (!sp->left && sp->width > body)
		fill(s, ' ', sp->width - body);
	if (sign)
		put(s, &sign, 1);
	fill(s, '0', zeros);
	put(s, d, nd);
	if (sp->left && sp->width > body)
		fill(s, ' ', sp->width - body);
}

static void put_padded(struct sink *s, const struct spec *sp, const char *p, size_t n)
{
	if (!sp->left && sp->width > n)
		fill(s, ' ', sp->width - n);
	put(s, p, n);
	if (sp->left && sp->width > n)
		fill(s, ' ', sp->width - n);
}

/* Reads a decimal field (a width or a precision) at *P; -1 when it is too large for us. */
static long field(const char **p)
{
	long v = 0;

	while (**p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		if (v > FIELD_MAX)
			return -1;
		(*p)++;
	}
	return v;
}

/* The length modifier at P (hh, h, ll, l, z, j, t) into SP; returns what follows it. */
static inline __attribute__((always_inline)) const char *parse_length(const char *p,
								      struct spec *sp)
{
	switch (*p) {
	case 'h':
		sp->length = p[1] == 'h' ? LEN_CHAR : LEN_SHORT;
		p += p[1] == 'h' ? 2 : 1;
		break;
	case 'l':
		sp->length = p[1] == 'l' ? LEN_LLONG : LEN_LONG;
		p += p[1] == 'l' ? 2 : 1;
		break;
	case 'z':
		sp->length = LEN_SIZE;
		p++;
		break;
	case 'j':
		sp->length = LEN_MAX;
		p++;
		break;
	case 't':
		sp->length = LEN_PTRDIFF;
		p++;
		break;
	}
	return p;
}

/* Parses the conversion after a '%' up to its letter (left at *P). Returns 0, or -1 for what we
 * leave to vsnprintf. Consumes the '*' arguments. */
static int parse(const char **pp, struct spec *sp, va_list *ap)
{
	const char *p = *pp;

	*sp = (struct spec){.prec = -1};
	for (;; p++) {
		if (*p == '-')
			sp->left = 1;
		else if (*p == '0')
			sp->zero = 1;
		else if (*p == '+')
			sp->plus = 1;
		else if (*p == ' ')
			sp->space = 1;
		else
			break;
	}
	if (*p == '*') {
		int w = va_arg(*ap, int);
		if (w < -FIELD_MAX || w > FIELD_MAX)
			return -1;
		sp->left |= w < 0;
		sp->width = (size_t)(w < 0 ? -w : w);
		p++;
	} else {
		long w = field(&p);
		if (w < 0 || *p == '$') /* "%1$d": positional arguments */
			return -1;
		sp->width = (size_t)w;
	}
	if (*p == '.') {
		p++;
		if (*p == '*') {
			int q = va_arg(*ap, int);
			if (q > FIELD_MAX)
				return -1;
			sp->prec = q < 0 ? -1 : q; /* a negative precision is taken as none */
			p++;
		} else {
			long q = field(&p);
			if (q < 0)
				return -1;
			sp->prec = (int)q;
		}
	}
	*pp = parse_length(p, sp);
	return 0;
}

static int64_t signed_arg(enum length l, va_list *ap)
{
	switch (l) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return va_arg(*ap, ssize_t);
	case LEN_MAX:
		return va_arg(*ap, intmax_t);
	case LEN_PTRDIFF:
		return va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, int);
	}
}

static uint64_t unsigned_arg(enum length l, va_list *ap)
{
	switch (l) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	case LEN_MAX:
		return va_arg(*ap, uintmax_t);
	case LEN_PTRDIFF:
		return (uint64_t)va_arg(*ap, ptrdiff_t);
	default:
		return va_arg(*ap, unsigned);
	}
}

/* Writes the conversion C of SP, taking its argument from *AP. Returns 0, or -1 for what we
 * leave to vsnprintf. */
static inline __attribute__((always_inline)) int convert(struct sink *s, const struct spec *sp,
							  char c, va_list *ap)
{
	if (c == 'd' || c == 'i') {
		int64_t v = signed_arg(sp->length, ap);
		char sign = v < 0 ? '-' : sp->plus ? '+' : sp->space ? ' ' : '\0';
		put_int(s, sp, sign, v < 0 ? -(uint64_t)v : (uint64_t)v, 10, 0);
	} else if (c == 'u' || c == 'x' || c == 'X') {
		if (sp->plus || sp->space)
			return -1;
		put_int(s, sp, '\0', unsigned_arg(sp->length, ap), c == 'u' ? 10 : 16, c == 'X');
	} else if (c == 's' || c == 'c') {
		if (sp->zero || sp->plus || sp->space || sp->length != LEN_INT)
			return -1;
		if (c == 'c') {
			if (sp->prec >= 0)
				return -1;
			char ch = (char)(unsigned char)va_arg(*ap, int);
			put_padded(s, sp, &ch, 1);
		} else {
			const char *str = va_arg(*ap, const char *);
			if (!str) /* glibc prints "(null)", or nothing when the precision is short */
				return -1;
			put_padded(s, sp, str, sp->prec >= 0 ? strnlen(str, (size_t)sp->prec)
							     : strlen(str));
		}
	} else {
		return -1;
	}
	return 0;
}

int msg_vformat(char *buf, size_t cap, const char *fmt, va_list args)
{
	struct sink s = {.buf = buf, .cap = cap ? cap - 1 : 0};
	const char *p = fmt;
	struct spec sp;
	va_list ap;
	int ok = 0;

	va_copy(ap, args); /* through a pointer below: va_list may be an array type */
	for (;;) {
		const char *pct = strchr(p, '%');
		if (!pct) {
			put(&s, p, strlen(p));
			break;
		}
		put(&s, p, (size_t)(pct - p));
		p = pct + 1;
		if (*p == '%') { /* "%%" alone: with flags or a width glibc has its own ideas */
			put(&s, "%", 1);
			p++;
			continue;
		}
		if (parse(&p, &sp, &ap) < 0)
			goto refuse;
		if (convert(&s, &sp, *p++, &ap) < 0)
			goto refuse;
	}
	if (s.len > INT32_MAX)
		goto refuse;
	if (cap)
		buf[s.len < cap ? s.len : cap - 1] = '\0';
	ok = 1;
refuse:
	va_end(ap);
	return ok ? (int)s.len : -1;
}

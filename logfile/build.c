/* build.c - a parsed line's record: its buffers, grown within bounds, and the pieces both formats
 * write the same way (times, levels, numbers). Fields are encoded by libshmlog's own encoder
 * (libshmlog/src/record.h), the one owner of that encoding. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "record.h"

/* Twice the fields a record can carry (its writer's and its context's). */
#define MAX_FIELDS (2 * SHMLOG_MAX_FIELDS)

void logfile_record_free(struct logfile_record *r)
{
	if (!r)
		return;
	free(r->tag);
	free(r->msg);
	free(r->scratch);
	free(r->check);
	free(r->fields);
	memset(r, 0, sizeof(*r));
}

int build_reserve(void *pbuf, size_t *cap, size_t need)
{
	unsigned char **buf = pbuf;
	size_t n = *cap ? *cap : 256;

	if (need <= *cap && *buf)
		return 0;
	while (n < need)
		n *= 2;
	unsigned char *grown = realloc(*buf, n);
	if (!grown)
		return -ENOMEM;
	*buf = grown;
	*cap = n;
	return 0;
}

/* Makes sure the record's fields are in R's own buffer, with room for EXTRA more bytes. */
static int own_fields(struct logfile_record *r, size_t extra)
{
	struct shmlog_record *rec = &r->rec;
	const unsigned char *old = rec->fields;
	int rc;

	if (old == r->fields) {
		if ((rc = build_reserve(&r->fields, &r->fields_cap, rec->fields_len + extra)) < 0)
			return rc;
	} else {
		/* A ring record's fields live in the observer's buffer: copy them over. */
		unsigned char *mine = NULL;
		size_t cap = 0;
		if ((rc = build_reserve(&mine, &cap, rec->fields_len + extra)) < 0)
			return rc;
		if (rec->fields_len)
			memcpy(mine, old, rec->fields_len);
		free(r->fields);
		r->fields = mine;
		r->fields_cap = cap;
	}
	rec->fields = r->fields;
	return 0;
}

int build_add_field(struct logfile_record *r, const struct shmlog_field *f)
{
	size_t need = field_encoded_size(f);
	int rc;

	if (need == 0)
		return -EINVAL;
	if (r->rec.nfields >= MAX_FIELDS)
		return -E2BIG;
	if ((rc = own_fields(r, need)) < 0)
		return rc;
	r->rec.fields_len += field_encode(r->fields + r->rec.fields_len, f);
	r->rec.nfields++;
	return 0;
}

int build_mark_damaged(struct logfile_record *r)
{
	int rc;

	if ((rc = own_fields(r, 1)) < 0)
		return rc;
	/* No field has type 0: the formatter stops there and says the fields were damaged. */
	r->fields[r->rec.fields_len++] = 0;
	return 0;
}

int logfile_record_add_string(struct logfile_record *r, const char *key, const char *value,
			      size_t value_len)
{
	struct shmlog_field f = SHMLOG_STRN(key, value, value_len);
	size_t klen = strlen(key);

	if (klen == 0 || klen > SHMLOG_MAX_KEY)
		return -EINVAL;
	f.key_len = klen;
	return build_add_field(r, &f);
}

/* ---------------------------------------------------------------------------------------------
 * Values
 * ------------------------------------------------------------------------------------------- */

/* The digits at *P (at most MAX of them, at least MIN) before END. Returns -1 if fewer. */
static int64_t digits(const char **p, const char *end, int min, int max)
{
	int64_t v = 0;
	int n = 0;

	while (*p < end && n < max && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n < min ? -1 : v;
}

/* Days from 1970-01-01 to Y-M-D, proleptic Gregorian (the inverse of timestamp.c's). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static int expect(const char **p, const char *end, char c)
{
	if (*p >= end || **p != c)
		return -1;
	(*p)++;
	return 0;
}

int build_parse_time(const char *s, size_t n, int64_t *ns)
{
	const char *p = s, *end = s + n;
	int64_t y, mo, d, h, mi, sec, frac = 0, off = 0;

	if ((y = digits(&p, end, 4, 4)) < 0 || expect(&p, end, '-') ||
	    (mo = digits(&p, end, 2, 2)) < 1 || mo > 12 || expect(&p, end, '-') ||
	    (d = digits(&p, end, 2, 2)) < 1 || d > 31 || (p < end && *p != 'T' && *p != ' ') ||
	    p++ >= end || (h = digits(&p, end, 2, 2)) < 0 || h > 23 || expect(&p, end, ':') ||
	    (mi = digits(&p, end, 2, 2)) < 0 || mi > 59 || expect(&p, end, ':') ||
	    (sec = digits(&p, end, 2, 2)) < 0 || sec > 60)
		return -1;
	if (p < end && *p == '.') {
		const char *f0 = ++p;
		if ((frac = digits(&p, end, 1, 9)) < 0)
			return -1;
		for (long k = p - f0; k < 9; k++)
			frac *= 10;
		while (p < end && *p >= '0' && *p <= '9')
			p++; /* beyond nanoseconds */
	}
	if (p < end && (*p == '+' || *p == '-')) {
		int sign = *p++ == '-' ? -1 : 1;
		int64_t oh, om;
		if ((oh = digits(&p, end, 2, 2)) < 0 || oh > 23 || expect(&p, end, ':') ||
		    (om = digits(&p, end, 2, 2)) < 0 || om > 59)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	} else if (p < end && (*p == 'Z' || *p == 'z')) {
		p++;
	} else {
		return -1;
	}
	if (p != end)
		return -1;
	int64_t secs = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 +
		       sec - off;
	/* int64 nanoseconds reach from 1677 to 2262. */
	if (secs <= INT64_MIN / 1000000000 + 1 || secs >= INT64_MAX / 1000000000 - 1)
		return -1;
	*ns = secs * 1000000000 + frac;
	return 0;
}

int build_parse_level(const char *s, size_t n)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{"DEBUG", SHMLOG_DEBUG}, {"INFO", SHMLOG_INFO}, {"WARN", SHMLOG_WARNING},
		{"ERROR", SHMLOG_ERROR}, {"CRIT", SHMLOG_CRITICAL}, {"UNKN", 0},
		{"debug", SHMLOG_DEBUG}, {"info", SHMLOG_INFO}, {"warning", SHMLOG_WARNING},
		{"error", SHMLOG_ERROR}, {"critical", SHMLOG_CRITICAL}, {"unknown", 0},
	};

	while (n > 0 && s[n - 1] == ' ')
		n--; /* text pads to five */
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == n && !memcmp(s, names[i].name, n))
			return names[i].level;
	return -1;
}

int build_parse_int(const char *s, size_t n, int64_t min, int64_t max, int64_t *out)
{
	const char *p = s, *end = s + n;
	int neg = p < end && *p == '-';
	uint64_t v = 0, lim;

	p += neg;
	if (p == end || (*p == '0' && end - p > 1))
		return -1; /* no digits, or a leading zero put_i64 never writes */
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9' || v > (lim - (uint64_t)(*p - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (neg && v == 0)
		return -1; /* "-0" */
	int64_t r = neg ? (int64_t)(0 - v) : (int64_t)v;
	if (r < min || r > max)
		return -1;
	*out = r;
	return 0;
}

int build_parse_float(const char *s, size_t n, int names, double *out)
{
	char tmp[64], *end;
	int has_mark = 0;

	if (names && n == 3 && !memcmp(s, "NaN", 3)) {
		*out = NAN;
		return 0;
	}
	if (names && ((n == 8 && !memcmp(s, "Infinity", 8)) || (n == 9 && !memcmp(s, "-Infinity", 9)))) {
		*out = s[0] == '-' ? -INFINITY : INFINITY;
		return 0;
	}
	if (n == 0 || n >= sizeof(tmp))
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' ||
		      c == 'E'))
			return -1;
		has_mark |= c == '.' || c == 'e' || c == 'E';
	}
	if (!has_mark)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	/* strtod follows LC_NUMERIC; put_double writes '.', whatever the locale. */
	*out = strtod(tmp, &end);
	return end == tmp + n && isfinite(*out) ? 0 : -1;
}

int build_float_prints_as(double v, const char *s, size_t n)
{
	struct shmlog_field f = SHMLOG_FLOAT("k", v);
	struct shmlog_record rec = {0};
	unsigned char enc[32];
	char out[128];
	ssize_t len;

	/* libshmlog's formatter owns how a float is written: ask it rather than mimic it. */
	f.key_len = 1;
	rec.fields = enc;
	rec.fields_len = field_encode(enc, &f);
	rec.nfields = 1;
	len = shmlog_format(&rec, SHMLOG_FORMAT_TEXT, SHMLOG_FMT_NO_NEWLINE, out, sizeof(out));
	return len > 0 && (size_t)len < sizeof(out) && (size_t)len >= n + 2 &&
	       !memcmp(out + len - n - 2, "k=", 2) && !memcmp(out + len - n, s, n);
}

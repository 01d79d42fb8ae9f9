/* filter.c - decides which records shmlogcat shows, and parses the filters' arguments. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "filter.h"

#define NS_PER_SEC 1000000000LL
#define MAX_RELATIVE_SEC (100LL * 366 * 86400) /* "-N<unit>" reaches back at most a century */

void filter_init(struct filter *f)
{
	memset(f, 0, sizeof(*f));
	f->max_level = INT_MAX;
	f->since_ns = INT64_MIN;
	f->until_ns = INT64_MAX;
}

void filter_free(struct filter *f)
{
	free(f->pids);
	free(f->tags);
	for (size_t i = 0; i < f->nfields; i++)
		free(f->fields[i].values);
	free(f->fields);
	if (f->has_regex)
		regfree(&f->regex);
	filter_init(f);
}

/* ARRAY (N elements of SIZE bytes) with room for one more, zeroed; NULL (ARRAY unchanged) when
 * memory runs out. */
static void *grow(void *array, size_t n, size_t size)
{
	char *grown = realloc(array, (n + 1) * size);

	if (grown)
		memset(grown + n * size, 0, size);
	return grown;
}

int filter_add_pid(struct filter *f, const char *arg)
{
	char *end;
	long v;
	pid_t *p;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || end == arg || *end || v <= 0 || v > INT32_MAX)
		return -1;
	if (!(p = grow(f->pids, f->npids, sizeof(*p))))
		return -1;
	f->pids = p;
	p[f->npids++] = (pid_t)v;
	return 0;
}

int filter_add_tag(struct filter *f, const char *arg)
{
	const char **t;

	if (!*arg || strlen(arg) > SHMLOG_MAX_TAG || !(t = grow(f->tags, f->ntags, sizeof(*t))))
		return -1;
	f->tags = t;
	t[f->ntags++] = arg;
	return 0;
}

/* Parses VALUE for every type it could be compared with. */
static void parse_value(struct field_value *v, const char *text)
{
	char *end;

	v->text = text;
	v->len = strlen(text);
	errno = 0;
	v->i = strtoll(text, &end, 10);
	v->has_int = *text && !*end && !errno;
	errno = 0;
	v->f = strtod(text, &end);
	v->has_float = *text && !*end && !errno;
	v->has_bool = 1;
	if (!strcmp(text, "true") || !strcmp(text, "1"))
		v->b = 1;
	else if (!strcmp(text, "false") || !strcmp(text, "0"))
		v->b = 0;
	else
		v->has_bool = 0;
}

int filter_add_field(struct filter *f, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t key_len = eq ? (size_t)(eq - arg) : 0;
	struct field_match *m = NULL;
	struct field_value *v;

	if (key_len == 0 || key_len > SHMLOG_MAX_KEY)
		return -1;
	for (size_t i = 0; i < f->nfields && !m; i++)
		if (f->fields[i].key_len == key_len && !memcmp(f->fields[i].key, arg, key_len))
			m = &f->fields[i];
	if (!m) {
		if (!(m = grow(f->fields, f->nfields, sizeof(*m))))
			return -1;
		f->fields = m;
		m = &f->fields[f->nfields++];
		m->key = arg;
		m->key_len = key_len;
	}
	if (!(v = grow(m->values, m->nvalues, sizeof(*v))))
		return -1;
	m->values = v;
	parse_value(&v[m->nvalues++], eq + 1);
	return 0;
}

int filter_compile(struct filter *f, char *err, size_t errlen)
{
	int rc;

	if (!f->pattern)
		return 0;
	rc = regcomp(&f->regex, f->pattern, REG_EXTENDED | REG_NOSUB | (f->icase ? REG_ICASE : 0));
	if (rc) {
		regerror(rc, &f->regex, err, errlen);
		return rc;
	}
	f->has_regex = 1;
	return 0;
}

/* ---------------------------------------------------------------------------------------------
 * Times
 * ------------------------------------------------------------------------------------------- */

/* Reads exactly N digits at *p into *out. */
static int digits(const char **p, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* Days from 1970-01-01 to the proleptic Gregorian date Y-M-D, counting years from March so the
 * leap day ends a year (the inverse of format.c's civil_from_days). */
static int64_t days_from_civil(int y, int m, int d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return days[m - 1] + (m == 2 && leap);
}

/* "[.fraction]" after the seconds, as nanoseconds. */
static int64_t fraction_ns(const char **p)
{
	int64_t ns = 0, scale = NS_PER_SEC;

	if (**p != '.' && **p != ',')
		return 0;
	for ((*p)++; isdigit((unsigned char)**p); (*p)++)
		if (scale /= 10)
			ns += (**p - '0') * scale;
	return ns;
}

/* "Z", "+HH:MM", "-HHMM" or nothing (*local = 1). Returns the offset east of UTC in seconds. */
static int zone_offset(const char **p, int *local, int *offset)
{
	int sign, hh, mm;

	*local = 0;
	*offset = 0;
	if (**p == 'Z' || **p == 'z') {
		(*p)++;
		return 0;
	}
	if (**p != '+' && **p != '-') {
		*local = 1;
		return 0;
	}
	sign = **p == '-' ? -1 : 1;
	(*p)++;
	if (digits(p, 2, &hh) < 0)
		return -1;
	if (**p == ':')
		(*p)++;
	if (digits(p, 2, &mm) < 0 || hh > 23 || mm > 59)
		return -1;
	*offset = sign * (hh * 3600 + mm * 60);
	return 0;
}

/* SECS seconds plus FRAC (0 to 999999999) nanoseconds since the epoch, as nanoseconds. Returns
 * 0, or -1 when that does not fit in 64 bits (before 1677-09-21, after 2262-04-11). */
static int to_ns(int64_t secs, int64_t frac, int64_t *out_ns)
{
	int64_t ns;

	if (secs < 0 && frac > 0) { /* the exact minimum is -9223372037 s + 145224192 ns */
		secs++;
		frac -= NS_PER_SEC;
	}
	if (__builtin_mul_overflow(secs, NS_PER_SEC, &ns) || __builtin_add_overflow(ns, frac, &ns))
		return -1;
	*out_ns = ns;
	return 0;
}

/* "HH:MM" or "HH:MM:SS[.fraction]" at *P, moving *P past it. Returns 0, or -1 when it is
 * neither or out of range (a leap second, :60, is let through). */
static int time_of_day(const char **p, int *h, int *mi, int *sec, int64_t *frac)
{
	if (digits(p, 2, h) < 0 || *(*p)++ != ':' || digits(p, 2, mi) < 0)
		return -1;
	if (**p == ':') {
		(*p)++;
		if (digits(p, 2, sec) < 0)
			return -1;
		*frac = fraction_ns(p);
	}
	return *h > 23 || *mi > 59 || *sec > 60 ? -1 : 0;
}

static int parse_absolute(const char *s, int64_t *out_ns)
{
	int y, mo, d, h = 0, mi = 0, sec = 0, local, offset;
	int64_t frac = 0;
	const char *p = s;

	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (time_of_day(&p, &h, &mi, &sec, &frac) < 0)
			return -1;
	}
	if (zone_offset(&p, &local, &offset) < 0 || *p)
		return -1;
	if (local) {
		struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
				.tm_hour = h, .tm_min = mi, .tm_sec = sec, .tm_isdst = -1};
		time_t t;
		errno = 0;
		if ((t = mktime(&tm)) == (time_t)-1 && errno)
			return -1;
		return to_ns((int64_t)t, frac, out_ns);
	}
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
	return to_ns(secs, frac, out_ns);
}

/* "-N" followed by s, m, h, d or w (no unit: seconds). */
static int parse_relative(const char *s, int64_t now_ns, int64_t *out_ns)
{
	static const struct {
		char unit;
		int64_t secs;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 7 * 86400}};
	char *end;
	long long n;

	if (s[0] != '-' || !isdigit((unsigned char)s[1]))
		return -1;
	errno = 0;
	n = strtoll(s + 1, &end, 10);
	if (errno || n > MAX_RELATIVE_SEC)
		return -1;
	if (!*end) {
		*out_ns = now_ns - n * NS_PER_SEC;
		return 0;
	}
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (end[0] == units[i].unit && !end[1] && n <= MAX_RELATIVE_SEC / units[i].secs) {
			*out_ns = now_ns - n * units[i].secs * NS_PER_SEC;
			return 0;
		}
	return -1;
}

/* The local time H:MI:SEC (plus FRAC ns) on the day DAYS days after the day of NOW_NS, in the
 * local time zone (TZ). Midnight is 00:00 of that day even across a daylight-saving change; a
 * time the change skips is read as mktime(3) does, an hour later. */
static int local_time_of_day(int64_t now_ns, int days, int h, int mi, int sec, int64_t frac,
			     int64_t *out_ns)
{
	time_t now = (time_t)(now_ns / NS_PER_SEC - (now_ns % NS_PER_SEC < 0)), t;
	struct tm tm;

	if (!localtime_r(&now, &tm))
		return -1;
	tm.tm_mday += days;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	errno = 0;
	if ((t = mktime(&tm)) == (time_t)-1 && errno)
		return -1;
	return to_ns((int64_t)t, frac, out_ns);
}

/* "today", "yesterday", "tomorrow": that day's local midnight. */
static int parse_day(const char *s, int64_t now_ns, int64_t *out_ns)
{
	static const struct {
		const char *word;
		int days;
	} days[] = {{"today", 0}, {"yesterday", -1}, {"tomorrow", 1}};

	for (size_t i = 0; i < sizeof(days) / sizeof(days[0]); i++)
		if (!strcmp(s, days[i].word))
			return local_time_of_day(now_ns, days[i].days, 0, 0, 0, 0, out_ns);
	return -1;
}

/* "HH:MM" or "HH:MM:SS[.fraction]": that time today, local time. */
static int parse_clock(const char *s, int64_t now_ns, int64_t *out_ns)
{
	const char *p = s;
	int h, mi, sec = 0;
	int64_t frac = 0;

	if (time_of_day(&p, &h, &mi, &sec, &frac) < 0 || *p)
		return -1;
	return local_time_of_day(now_ns, 0, h, mi, sec, frac, out_ns);
}

/* "@SECONDS[.fraction]" since the epoch, as date(1) takes it. */
static int parse_epoch(const char *s, int64_t *out_ns)
{
	const char *p = s + 1;
	char *end;
	long long secs;
	int64_t frac;

	if (!isdigit((unsigned char)*p))
		return -1;
	errno = 0;
	secs = strtoll(p, &end, 10);
	p = end;
	frac = fraction_ns(&p);
	if (errno || *p)
		return -1;
	return to_ns(secs, frac, out_ns);
}

int filter_parse_time(const char *s, int64_t now_ns, int64_t *out_ns)
{
	if (!strcmp(s, "now")) {
		*out_ns = now_ns;
		return 0;
	}
	if (s[0] == '-')
		return parse_relative(s, now_ns, out_ns);
	if (s[0] == '@')
		return parse_epoch(s, out_ns);
	if (isalpha((unsigned char)s[0]))
		return parse_day(s, now_ns, out_ns);
	if (s[0] && s[1] && s[2] == ':')
		return parse_clock(s, now_ns, out_ns);
	return parse_absolute(s, out_ns);
}

/* ---------------------------------------------------------------------------------------------
 * Matching
 * ------------------------------------------------------------------------------------------- */

static int pid_matches(const struct filter *f, uint32_t pid)
{
	for (size_t i = 0; i < f->npids; i++)
		if ((uint32_t)f->pids[i] == pid)
			return 1;
	return f->npids == 0;
}

static int tag_matches(const struct filter *f, const char *tag, size_t len)
{
	char copy[SHMLOG_MAX_TAG + 1];

	if (f->ntags == 0)
		return 1;
	/* fnmatch needs a string: a tag holding a NUL byte (a buggy writer) matches no pattern. */
	if (len > SHMLOG_MAX_TAG || (len && memchr(tag, '\0', len)))
		return 0;
	memcpy(copy, tag, len);
	copy[len] = '\0';
	for (size_t i = 0; i < f->ntags; i++)
		if (fnmatch(f->tags[i], copy, 0) == 0)
			return 1;
	return 0;
}

static int value_equals(const struct field_value *v, const struct shmlog_field *field)
{
	switch (field->type) {
	case SHMLOG_FIELD_STRING:
		return field->v.s.len == v->len && !memcmp(field->v.s.ptr, v->text, v->len);
	case SHMLOG_FIELD_INT:
		return v->has_int && field->v.i == v->i;
	case SHMLOG_FIELD_FLOAT:
		return v->has_float && field->v.f == v->f;
	case SHMLOG_FIELD_BOOL:
		return v->has_bool && !field->v.b == !v->b;
	default:
		return 0;
	}
}

/* Whether one of REC's fields named M->key equals one of M's values. A record whose fields are
 * damaged matches on the fields before the damage. */
static int field_matches(const struct field_match *m, const struct shmlog_record *rec)
{
	struct shmlog_field field;
	size_t off = 0;

	while (shmlog_record_field(rec, &off, &field) == 1) {
		if (field.key_len != m->key_len || memcmp(field.key, m->key, m->key_len))
			continue;
		for (size_t i = 0; i < m->nvalues; i++)
			if (value_equals(&m->values[i], &field))
				return 1;
	}
	return 0;
}

static int message_matches(const struct filter *f, const struct shmlog_record *rec)
{
	/* REG_STARTEND: the message is not NUL-terminated and may contain NUL bytes. */
	regmatch_t range = {.rm_so = 0, .rm_eo = (regoff_t)rec->msg_len};

	return regexec(&f->regex, rec->msg ? rec->msg : "", 1, &range, REG_STARTEND) == 0;
}

int filter_match(const struct filter *f, const struct shmlog_record *rec)
{
	if (rec->level < f->min_level || rec->level > f->max_level)
		return 0;
	if (rec->time_ns < f->since_ns || rec->time_ns > f->until_ns)
		return 0;
	if (!pid_matches(f, rec->pid) || !tag_matches(f, rec->tag, rec->tag_len))
		return 0;
	for (size_t i = 0; i < f->nfields; i++)
		if (!field_matches(&f->fields[i], rec))
			return 0;
	return !f->has_regex || message_matches(f, rec);
}

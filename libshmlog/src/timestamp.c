/* timestamp.c - a record's time as RFC 3339 UTC with microseconds, for shmlog_format(), without
 * the C library's time zone and locale machinery (format.h). */
#include <stdint.h>
#include <string.h>

#include "format.h"

#define NS_PER_SEC 1000000000
#define SECS_PER_DAY 86400

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
void put_timestamp(struct out *o, int64_t time_ns)
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

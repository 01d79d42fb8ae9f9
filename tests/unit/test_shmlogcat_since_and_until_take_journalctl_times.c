/* test_shmlogcat_since_and_until_take_journalctl_times.c - filter_parse_time (shmlogcat's
 * --since and --until) reads the times journalctl takes besides RFC 3339 and -5m: today,
 * yesterday and tomorrow at local midnight, HH:MM[:SS] today in local time, and @EPOCH; around
 * local midnight it counts days in the local zone, not UTC's, and across a daylight-saving
 * change a day can be 23 hours long. Anything else is refused.
 *
 * The zones are POSIX TZ strings, which need no tzdata: Berlin (UTC+1, summer UTC+2) and New
 * York (UTC-5, summer UTC-4, from 2026-03-08 02:00). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <time.h>

#include "filter.h"

#define NS 1000000000LL
#define BERLIN "CET-1CEST,M3.5.0,M10.5.0/3"
#define NEW_YORK "EST5EDT,M3.2.0,M11.1.0"

static void use_zone(const char *tz)
{
	assert_int_equal(setenv("TZ", tz, 1), 0);
	tzset();
}

/* Y-M-D H:M:S UTC, plus NSEC, as ns since the epoch. */
static int64_t utc(int y, int mo, int d, int h, int mi, int s, int64_t nsec)
{
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d,
			.tm_hour = h, .tm_min = mi, .tm_sec = s};

	return (int64_t)timegm(&tm) * NS + nsec;
}

/* S, parsed at NOW, is WANT. */
static void check_time(const char *s, int64_t now, int64_t want)
{
	int64_t got = 0;

	if (filter_parse_time(s, now, &got) != 0)
		fail_msg("'%s' refused", s);
	if (got != want)
		fail_msg("'%s': %lld ns, expected %lld (%+lld s)", s, (long long)got, (long long)want,
			 (long long)((got - want) / NS));
}

static void check_refused(const char *s)
{
	int64_t got = 42;

	if (filter_parse_time(s, utc(2026, 12, 7, 12, 0, 0, 0), &got) != -1 || got != 42)
		fail_msg("'%s' accepted (%lld)", s, (long long)got);
}

static void test_today_yesterday_tomorrow_are_local_midnights(void **state)
{
	/* 2026-12-07 15:30:00 in Berlin is 14:30 UTC. */
	int64_t now = utc(2026, 12, 7, 14, 30, 0, 0);

	(void)state;
	use_zone(BERLIN);
	check_time("today", now, utc(2026, 12, 6, 23, 0, 0, 0));
	check_time("yesterday", now, utc(2026, 12, 5, 23, 0, 0, 0));
	check_time("tomorrow", now, utc(2026, 12, 7, 23, 0, 0, 0));
	use_zone("UTC0");
	check_time("today", now, utc(2026, 12, 7, 0, 0, 0, 0));
}

static void test_days_turn_at_local_midnight_not_at_utc_midnight(void **state)
{
	(void)state;
	use_zone(BERLIN);
	/* The last instant of 2026 in Berlin: still 2026-12-31 there. */
	int64_t last = utc(2026, 12, 31, 22, 59, 59, NS - 1);
	check_time("today", last, utc(2026, 12, 30, 23, 0, 0, 0));
	check_time("tomorrow", last, utc(2026, 12, 31, 23, 0, 0, 0));
	/* The first instant of 2027 in Berlin, while UTC is still in 2026: a new day, month and
	 * year there; today is now itself. */
	int64_t first = utc(2026, 12, 31, 23, 0, 0, 0);
	check_time("today", first, first);
	check_time("yesterday", first, utc(2026, 12, 30, 23, 0, 0, 0));
	check_time("tomorrow", first, utc(2027, 1, 1, 23, 0, 0, 0));
	check_time("00:00", first, first);
	/* Half an hour later, 00:30 in Berlin: 23:45 is tonight, not last night. */
	check_time("23:45", first + 1800 * NS, utc(2027, 1, 1, 22, 45, 0, 0));
}

static void test_a_day_across_the_spring_change_is_23_hours(void **state)
{
	/* 2026-03-09 00:30 in New York (EDT, UTC-4) is 04:30 UTC; the day before began at 00:00 EST
	 * (UTC-5). */
	int64_t now = utc(2026, 3, 9, 4, 30, 0, 0), today, yesterday;

	(void)state;
	use_zone(NEW_YORK);
	assert_int_equal(filter_parse_time("today", now, &today), 0);
	assert_int_equal(filter_parse_time("yesterday", now, &yesterday), 0);
	assert_true(today == utc(2026, 3, 9, 4, 0, 0, 0));
	assert_true(yesterday == utc(2026, 3, 8, 5, 0, 0, 0));
	assert_true(today - yesterday == 23 * 3600 * NS);
	/* 01:59 that Sunday was still EST; 03:00 already EDT. */
	check_time("01:59", utc(2026, 3, 8, 12, 0, 0, 0), utc(2026, 3, 8, 6, 59, 0, 0));
	check_time("03:00", utc(2026, 3, 8, 12, 0, 0, 0), utc(2026, 3, 8, 7, 0, 0, 0));
}

static void test_a_clock_time_is_today_in_local_time(void **state)
{
	int64_t now = utc(2026, 12, 7, 14, 30, 0, 0); /* 15:30 in Berlin */

	(void)state;
	use_zone(BERLIN);
	check_time("10:15", now, utc(2026, 12, 7, 9, 15, 0, 0));
	check_time("10:15:03", now, utc(2026, 12, 7, 9, 15, 3, 0));
	check_time("10:15:03.25", now, utc(2026, 12, 7, 9, 15, 3, 250000000));
	check_time("23:59:59", now, utc(2026, 12, 7, 22, 59, 59, 0)); /* later today: fine */
	/* Summer time: Berlin is UTC+2. */
	check_time("10:15", utc(2026, 7, 1, 12, 0, 0, 0), utc(2026, 7, 1, 8, 15, 0, 0));
}

static void test_at_epoch_is_seconds_since_1970_with_a_fraction(void **state)
{
	(void)state;
	use_zone(BERLIN); /* no zone in it */
	check_time("@0", 0, 0);
	check_time("@1700000000", 0, 1700000000 * NS);
	check_time("@1700000000.25", 0, 1700000000 * NS + 250000000);
	check_time("@1700000000.123456789123", 0, 1700000000 * NS + 123456789);
	check_time("@9223372036", 0, 9223372036 * NS); /* 2262-04-11, the last whole second */
}

static void test_the_forms_from_before_still_parse(void **state)
{
	int64_t now = utc(2026, 12, 7, 14, 30, 0, 0);

	(void)state;
	use_zone(BERLIN);
	check_time("now", now, now);
	check_time("-5m", now, now - 300 * NS);
	check_time("2026-11-21T10:15:03Z", now, utc(2026, 11, 21, 10, 15, 3, 0));
	check_time("2026-11-21", now, utc(2026, 11, 20, 23, 0, 0, 0));
}

static void test_anything_else_is_refused(void **state)
{
	static const char *const bad[] = {
		"", "Today", "today ", "todays", "yesterday2", "noon", "24:00", "10:60",
		"10:15:61", "1:00", "10:5", "10:15:", "10:15:03x", "10", "@", "@-1", "@x", "@1x",
		"@1.5.5", "@ 1", "@99999999999", "@9223372037", "--5m",
	};

	(void)state;
	use_zone(BERLIN);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_refused(bad[i]);
	/* ... while RFC 3339 without seconds is one of the old forms. */
	int64_t got;
	assert_int_equal(filter_parse_time("2026-11-21T10:15", 0, &got), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_today_yesterday_tomorrow_are_local_midnights),
		cmocka_unit_test(test_days_turn_at_local_midnight_not_at_utc_midnight),
		cmocka_unit_test(test_a_day_across_the_spring_change_is_23_hours),
		cmocka_unit_test(test_a_clock_time_is_today_in_local_time),
		cmocka_unit_test(test_at_epoch_is_seconds_since_1970_with_a_fraction),
		cmocka_unit_test(test_the_forms_from_before_still_parse),
		cmocka_unit_test(test_anything_else_is_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_shmlogcat_priority_maps_journalctl_priorities_onto_shmlog_levels.c - filter_parse_priority
 * (shmlogcat -p) takes what journalctl -p takes: a syslog name or number 0-7 meaning that or
 * worse, or a range FROM..TO either way round; and shmlog's own level names. emerg, alert and
 * crit are shmlog's critical; notice, which shmlog lacks, is a bound between info and warning.
 * Anything else, and a range with no shmlog level in it, is refused without touching the
 * filter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>

#include "filter.h"

#define D SHMLOG_DEBUG
#define I SHMLOG_INFO
#define W SHMLOG_WARNING
#define E SHMLOG_ERROR
#define C SHMLOG_CRITICAL
#define ANY INT_MAX /* no upper bound: the range reaches critical */

static void check(const char *s, int want_min, int want_max)
{
	int min = -1, max = -1;
	int rc = filter_parse_priority(s, &min, &max);

	if (rc != 0 || min != want_min || max != want_max)
		fail_msg("-p '%s': rc %d, levels %d..%d; expected %d..%d", s, rc, min, max, want_min,
			 want_max);
}

static void check_refused(const char *s, int want_rc)
{
	int min = -1, max = -1;
	int rc = filter_parse_priority(s, &min, &max);

	if (rc != want_rc || min != -1 || max != -1)
		fail_msg("-p '%s': rc %d (expected %d), levels %d..%d", s, rc, want_rc, min, max);
}

static void test_a_syslog_name_or_number_means_it_or_worse(void **state)
{
	static const struct {
		const char *name, *number;
		int min;
	} table[] = {
		{"emerg", "0", C}, {"alert", "1", C},  {"crit", "2", C},  {"err", "3", E},
		{"warning", "4", W}, {"notice", "5", W}, {"info", "6", I}, {"debug", "7", D},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		check(table[i].name, table[i].min, ANY);
		check(table[i].number, table[i].min, ANY);
	}
	check("EMERG", C, ANY);
	check("Notice", W, ANY);
}

static void test_shmlog_level_names_mean_the_same_as_with_l(void **state)
{
	(void)state;
	check("debug", D, ANY);
	check("info", I, ANY);
	check("warning", W, ANY);
	check("warn", W, ANY);
	check("error", E, ANY);
	check("ERROR", E, ANY);
	check("critical", C, ANY);
}

static void test_a_range_selects_the_levels_within_it_either_way_round(void **state)
{
	(void)state;
	check("err..warning", W, E);
	check("warning..err", W, E);
	check("4..3", W, E);
	check("debug..info", D, I);
	check("7..6", D, I);
	check("emerg..err", E, ANY);
	check("0..0", C, ANY);
	check("alert..alert", C, ANY);
	check("debug..emerg", D, ANY);
	check("info..info", I, I);
	check("error..critical", E, ANY);
	/* notice holds no level, but bounds a range between warning and info. */
	check("notice..debug", D, I);
	check("err..notice", W, E);
	check("5..6", I, I);
}

static void test_other_text_and_empty_ranges_are_refused(void **state)
{
	static const char *const bad[] = {
		"", "8", "9", "12", "1234", "-1", "loud", "warnings", "..", "err..", "..err",
		"err...warning", "err..warning..info", "err,warning", " err", "1 ", "0x3",
		"emergency-but-much-longer-than-any-name",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check_refused(bad[i], PRIORITY_INVALID);
	check_refused("notice..notice", PRIORITY_NO_LEVEL);
	check_refused("5..5", PRIORITY_NO_LEVEL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_syslog_name_or_number_means_it_or_worse),
		cmocka_unit_test(test_shmlog_level_names_mean_the_same_as_with_l),
		cmocka_unit_test(test_a_range_selects_the_levels_within_it_either_way_round),
		cmocka_unit_test(test_other_text_and_empty_ranges_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_shmlogcat_usage_errors_point_to_help.c - shmlogcat's command line: --help goes to stdout
 * with exit 0 and shows the defaults; every malformed option or operand is a usage error
 * (EX_USAGE): one line on stderr that says what is wrong and points to --help; every documented time
 * format is accepted. No ring is needed: a well-formed command on a missing ring gets as far as
 * opening it (EX_NOINPUT). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sysexits.h>

#include "../multi/test_shmlogcat_helpers.h"

#define MISSING "t-cat-no-such-ring"

static void test_help_goes_to_stdout_with_the_defaults(void **state)
{
	struct run r;

	(void)state;
	RUN_CAT(&r, "--help");
	assert_int_equal(r.status, 0);
	assert_string_equal(r.err.data, "");
	assert_non_null(strstr(r.out.data, "Usage: shmlogcat"));
	assert_non_null(strstr(r.out.data, "text   one line per record for people (default)"));
	assert_non_null(strstr(r.out.data, "auto (default)"));
	assert_non_null(strstr(r.out.data, "(default 1;"));
	assert_non_null(strstr(r.out.data, "--set-level"));
	run_free(&r);
	RUN_CAT(&r, "--version");
	assert_int_equal(r.status, 0);
	assert_non_null(strstr(r.out.data, shmlog_version()));
	run_free(&r);
}

/* Runs ARGS and checks for a usage error: one line holding NEEDLE, in the wording of every
 * program (cli/usage.h). */
static void check_usage_error(const char *const *args, const char *needle)
{
	static const char hint[] = "; see shmlogcat --help\n";
	struct run r;

	run_cat_as(&r, (uid_t)-1, args);
	if (r.status != EX_USAGE || r.out.len || !strstr(r.err.data, needle) ||
	    strncmp(r.err.data, "shmlogcat: ", 11) || count_lines(r.err.data) != 1 ||
	    r.err.len < sizeof(hint) || strcmp(r.err.data + r.err.len - (sizeof(hint) - 1), hint))
		fail_msg("shmlogcat %s %s: expected a usage error with '%s'; got status %d, "
			 "stderr '%s'",
			 args[0], args[1] ? args[1] : "", needle, r.status, r.err.data);
	run_free(&r);
}

#define USAGE_ERROR(needle, ...) check_usage_error((const char *const[]){__VA_ARGS__, NULL}, needle)

static void test_malformed_command_lines_are_usage_errors(void **state)
{
	(void)state;
	USAGE_ERROR("a ring NAME is required", "-f");
	USAGE_ERROR("unknown option '--bogus'", "--bogus", MISSING);
	USAGE_ERROR("unknown option '-Z'", "-Z", MISSING);
	USAGE_ERROR("option '-l' needs a value", MISSING, "-l");
	USAGE_ERROR("-l 'loud': use debug", "-l", "loud", MISSING);
	USAGE_ERROR("-o 'xml': use text, json or cat", "-o", "xml", MISSING);
	USAGE_ERROR("-n '-3'", "-n", "-3", MISSING);
	USAGE_ERROR("-n 'ten'", "-n", "ten", MISSING);
	USAGE_ERROR("--color 'sometimes'", "--color=sometimes", MISSING);
	USAGE_ERROR("-p '0'", "-p", "0", MISSING);
	USAGE_ERROR("-p '12x'", "-p", "12x", MISSING);
	USAGE_ERROR("-t ''", "-t", "", MISSING);
	USAGE_ERROR("-g '(unclosed': not a regular expression", "-g", "(unclosed", MISSING);
	USAGE_ERROR("--since 'yesterday'", "--since", "yesterday", MISSING);
	USAGE_ERROR("--since '2026-13-01'", "--since", "2026-13-01", MISSING);
	USAGE_ERROR("--until '2026-02-30T00:00:00Z'", "--until", "2026-02-30T00:00:00Z", MISSING);
	USAGE_ERROR("--until '2026-11-21T25:00Z'", "--until", "2026-11-21T25:00Z", MISSING);
	USAGE_ERROR("--since '-5y'", "--since", "-5y", MISSING);
	USAGE_ERROR("--interval '-1'", "--stats", "--interval", "-1", MISSING);
	USAGE_ERROR("cannot be combined", "--stats", "--list");
	USAGE_ERROR("--follow only applies when reading records", "--stats", "-f", MISSING);
	USAGE_ERROR("--level only applies when reading", "--set-level", "info", "-l", "info",
		    MISSING);
	USAGE_ERROR("unexpected argument '" MISSING "': --list takes no ring name", "--list", MISSING);
	USAGE_ERROR("unexpected argument 'other': one ring name only", MISSING, "other");
	USAGE_ERROR("field match '=x': use KEY=VALUE", MISSING, "=x");
	USAGE_ERROR("only apply when reading records", "--stats", MISSING, "k=v");
	USAGE_ERROR("--set-level 'loud'", "--set-level", "loud", MISSING);
}

static void test_every_documented_time_format_is_accepted(void **state)
{
	static const char *const times[] = {
		"2026-11-21", "2026-11-21 10:15", "2026-11-21T10:15:03Z", "2026-11-21t10:15:03z",
		"2026-11-21T10:15:03.123456789+05:30", "2026-11-21T10:15:03,5-0800",
		"2024-02-29T00:00:00Z", "now", "-90", "-30s", "-5m", "-2h", "-1d", "-1w",
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		RUN_CAT(&r, "--since", times[i], "--until", times[i], MISSING);
		if (r.status != EX_NOINPUT)
			fail_msg("--since '%s': status %d, %s", times[i], r.status, r.err.data);
		run_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_goes_to_stdout_with_the_defaults),
		cmocka_unit_test(test_malformed_command_lines_are_usage_errors),
		cmocka_unit_test(test_every_documented_time_format_is_accepted),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

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
	assert_non_null(strstr(r.out.data, "text        one line per record for people (default)"));
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
	USAGE_ERROR("-o 'xml': use text, json, json-pretty or cat", "-o", "xml", MISSING);
	USAGE_ERROR("-n '-3'", "-n", "-3", MISSING);
	USAGE_ERROR("-n 'ten'", "-n", "ten", MISSING);
	USAGE_ERROR("--color 'sometimes'", "--color=sometimes", MISSING);
	USAGE_ERROR("--pid '0': use a process id", "--pid", "0", MISSING);
	USAGE_ERROR("--pid '12x'", "--pid", "12x", MISSING);
	USAGE_ERROR("-p 'loud': use a level", "-p", "loud", MISSING);
	USAGE_ERROR("-p '12x'", "-p", "12x", MISSING);
	USAGE_ERROR("-p 'notice..notice': holds no shmlog level", "-p", "notice..notice", MISSING);
	USAGE_ERROR("-r (--reverse) cannot be combined with -f", "-r", "-f", MISSING);
	USAGE_ERROR("cannot be combined with -f", "--follow", "--reverse", "-n", "5", MISSING);
	USAGE_ERROR("--reverse only applies when reading records", "--stats", "-r", MISSING);
	USAGE_ERROR("-t ''", "-t", "", MISSING);
	USAGE_ERROR("-g '(unclosed': not a regular expression", "-g", "(unclosed", MISSING);
	USAGE_ERROR("--since 'someday': use RFC 3339 (2026-11-21T10:15:03Z), now, today, "
		    "yesterday, tomorrow, HH:MM[:SS], @EPOCH or a relative time such as -5m",
		    "--since", "someday", MISSING);
	USAGE_ERROR("--until '25:00'", "--until", "25:00", MISSING);
	USAGE_ERROR("--until '@-5'", "--until", "@-5", MISSING);
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
	USAGE_ERROR("unexpected argument 'other': --stats and --set-level take one ring name",
		    "--stats", MISSING, "other");
	USAGE_ERROR("unexpected argument './app.log': a file: --stats, --list and --set-level take "
		    "a ring name",
		    "--stats", "./app.log");
	USAGE_ERROR("--file only applies when reading", "--stats", "--file", "app.log", MISSING);
	USAGE_ERROR("field match '=x': use KEY=VALUE", MISSING, "=x");
	USAGE_ERROR("only apply when reading records", "--stats", MISSING, "k=v");
	USAGE_ERROR("--set-level 'loud'", "--set-level", "loud", MISSING);
	USAGE_ERROR("--fields-under 'log': use labels", "-o", "json", "--fields-under", "log",
		    MISSING);
	USAGE_ERROR("--fields-under 'labels.x'", "-o", "json", "--fields-under", "labels.x",
		    MISSING);
	USAGE_ERROR("--fields-under shapes JSON:", "--fields-under", "labels", MISSING);
}

/* The old -p PID says in one line where the pid filter went. */
static void test_the_old_p_pid_says_the_pid_filter_moved_to_pid(void **state)
{
	struct run r;

	(void)state;
	RUN_CAT(&r, "-p", "4711", MISSING);
	assert_int_equal(r.status, EX_USAGE);
	assert_string_equal(r.err.data, "shmlogcat: -p is now --priority, as in journalctl; the pid "
					"filter moved to --pid: use --pid 4711; see shmlogcat --help\n");
	run_free(&r);
	/* What it says to type works (as far as the missing ring), and so do priorities. */
	RUN_CAT(&r, "--pid", "4711", "--pid=4712", MISSING);
	assert_int_equal(r.status, EX_NOINPUT);
	run_free(&r);
	RUN_CAT(&r, "-p", "3", "--priority=err..warning", "-r", "-o", "json-pretty", MISSING);
	assert_int_equal(r.status, EX_NOINPUT);
	run_free(&r);
}

static void test_every_documented_time_format_is_accepted(void **state)
{
	static const char *const times[] = {
		"2026-11-21", "2026-11-21 10:15", "2026-11-21T10:15:03Z", "2026-11-21t10:15:03z",
		"2026-11-21T10:15:03.123456789+05:30", "2026-11-21T10:15:03,5-0800",
		"2024-02-29T00:00:00Z", "now", "-90", "-30s", "-5m", "-2h", "-1d", "-1w",
		"today", "yesterday", "tomorrow", "10:15", "10:15:03", "10:15:03.5", "@1700000000",
		"@1700000000.25",
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
		cmocka_unit_test(test_the_old_p_pid_says_the_pid_filter_moved_to_pid),
		cmocka_unit_test(test_every_documented_time_format_is_accepted),
	};

	shmlogcat_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_util.c - level names and mappings, size parsing and the version string (util.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "shmlog.h"
#include "size.h"

static const int all_levels[] = {SHMLOG_DEBUG, SHMLOG_INFO, SHMLOG_WARNING, SHMLOG_ERROR,
				 SHMLOG_CRITICAL};
#define NLEVELS (sizeof(all_levels) / sizeof(all_levels[0]))

static void test_level_names_are_the_documented_lower_case_words(void **state)
{
	(void)state;
	assert_string_equal(shmlog_level_name(SHMLOG_DEBUG), "debug");
	assert_string_equal(shmlog_level_name(SHMLOG_INFO), "info");
	assert_string_equal(shmlog_level_name(SHMLOG_WARNING), "warning");
	assert_string_equal(shmlog_level_name(SHMLOG_ERROR), "error");
	assert_string_equal(shmlog_level_name(SHMLOG_CRITICAL), "critical");
}

static void test_level_name_parses_back_to_the_same_level(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NLEVELS; i++)
		assert_int_equal(shmlog_level_parse(shmlog_level_name(all_levels[i])), all_levels[i]);
}

static void test_level_name_of_an_unknown_level_is_unknown(void **state)
{
	(void)state;
	assert_string_equal(shmlog_level_name(0), "unknown");
	assert_string_equal(shmlog_level_name(6), "unknown");
	assert_string_equal(shmlog_level_name(-1), "unknown");
	assert_string_equal(shmlog_level_name(INT_MAX), "unknown");
	assert_string_equal(shmlog_level_name(INT_MIN), "unknown");
}

static void test_level_parse_accepts_any_case_short_aliases_and_digits(void **state)
{
	(void)state;
	assert_int_equal(shmlog_level_parse("INFO"), SHMLOG_INFO);
	assert_int_equal(shmlog_level_parse("Debug"), SHMLOG_DEBUG);
	assert_int_equal(shmlog_level_parse("WARNING"), SHMLOG_WARNING);
	assert_int_equal(shmlog_level_parse("warn"), SHMLOG_WARNING);
	assert_int_equal(shmlog_level_parse("WARN"), SHMLOG_WARNING);
	assert_int_equal(shmlog_level_parse("err"), SHMLOG_ERROR);
	assert_int_equal(shmlog_level_parse("Error"), SHMLOG_ERROR);
	assert_int_equal(shmlog_level_parse("crit"), SHMLOG_CRITICAL);
	assert_int_equal(shmlog_level_parse("CRITICAL"), SHMLOG_CRITICAL);
	assert_int_equal(shmlog_level_parse("1"), SHMLOG_DEBUG);
	assert_int_equal(shmlog_level_parse("3"), SHMLOG_WARNING);
	assert_int_equal(shmlog_level_parse("5"), SHMLOG_CRITICAL);
}

static void test_level_parse_rejects_everything_else_with_einval(void **state)
{
	static const char *const junk[] = {
		"", "0", "6", "15", "info ", " info", "infoo", "inf", "warnin", "critical!",
		"debug\n", "1.0", "information", "-1", "+2",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_int_equal(shmlog_level_parse(junk[i]), -EINVAL);
	assert_int_equal(shmlog_level_parse(NULL), -EINVAL);
}

static void test_level_parse_failure_explains_itself_in_errmsg(void **state)
{
	(void)state;
	assert_int_equal(shmlog_level_parse("verbose"), -EINVAL);
	assert_non_null(strstr(shmlog_errmsg(), "verbose"));
	assert_non_null(strstr(shmlog_errmsg(), "warning"));
}

static void test_levels_map_to_syslog_severities(void **state)
{
	(void)state;
	assert_int_equal(shmlog_level_syslog(SHMLOG_DEBUG), LOG_DEBUG);
	assert_int_equal(shmlog_level_syslog(SHMLOG_INFO), LOG_INFO);
	assert_int_equal(shmlog_level_syslog(SHMLOG_WARNING), LOG_WARNING);
	assert_int_equal(shmlog_level_syslog(SHMLOG_ERROR), LOG_ERR);
	assert_int_equal(shmlog_level_syslog(SHMLOG_CRITICAL), LOG_CRIT);
	assert_int_equal(shmlog_level_syslog(0), -EINVAL);
	assert_int_equal(shmlog_level_syslog(6), -EINVAL);
}

static void test_levels_map_to_opentelemetry_severity_numbers(void **state)
{
	(void)state;
	assert_int_equal(shmlog_level_otel(SHMLOG_DEBUG), 5);
	assert_int_equal(shmlog_level_otel(SHMLOG_INFO), 9);
	assert_int_equal(shmlog_level_otel(SHMLOG_WARNING), 13);
	assert_int_equal(shmlog_level_otel(SHMLOG_ERROR), 17);
	assert_int_equal(shmlog_level_otel(SHMLOG_CRITICAL), 21);
	assert_int_equal(shmlog_level_otel(0), -EINVAL);
	assert_int_equal(shmlog_level_otel(-5), -EINVAL);
}

static void assert_size(const char *s, uint64_t expected)
{
	uint64_t v = 12345;

	assert_int_equal(cli_parse_size(s, &v), 0);
	assert_true(v == expected);
}

static void assert_not_size(const char *s)
{
	uint64_t v = 12345;

	assert_int_equal(cli_parse_size(s, &v), -EINVAL);
	assert_true(v == 12345);
}

static void test_parse_size_reads_plain_bytes(void **state)
{
	(void)state;
	assert_size("0", 0);
	assert_size("1", 1);
	assert_size("65536", 65536);
	assert_size("007", 7);
	assert_size("18446744073709551615", UINT64_MAX);
}

static void test_parse_size_applies_binary_suffixes_in_any_case(void **state)
{
	(void)state;
	assert_size("64K", 64 * 1024);
	assert_size("64k", 64 * 1024);
	assert_size("64KiB", 64 * 1024);
	assert_size("64kib", 64 * 1024);
	assert_size("4M", 4u << 20);
	assert_size("4m", 4u << 20);
	assert_size("4MiB", 4u << 20);
	assert_size("1G", 1u << 30);
	assert_size("1g", 1u << 30);
	assert_size("16GiB", 16ull << 30);
	assert_size("0K", 0);
}

static void test_parse_size_rejects_junk_and_leaves_output_unchanged(void **state)
{
	static const char *const junk[] = {
		"", "K", "KiB", "-1", "+1", "-0", "1 ", " 1", "1 K", "1T",
		"1KB", "1B", "1Ki", "1iB", "1KiBB", "1.5M", "0x10", "1e3", "4M\n", "ten",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(junk) / sizeof(junk[0]); i++)
		assert_not_size(junk[i]);
}

static void test_parse_size_rejects_values_that_overflow_64_bits(void **state)
{
	(void)state;
	assert_not_size("18446744073709551616");
	assert_not_size("99999999999999999999999");
	assert_not_size("17179869184G"); /* exactly 2^64 */
	assert_size("17179869183G", 17179869183ull << 30);
	assert_not_size("18014398509481984K");
	assert_size("18014398509481983K", 18014398509481983ull << 10);
}

static void test_parse_size_rejects_null_arguments(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(cli_parse_size(NULL, &v), -EINVAL);
	assert_int_equal(cli_parse_size("1", NULL), -EINVAL);
}

static void test_version_is_built_from_the_version_macros(void **state)
{
	char expected[32];

	(void)state;
	snprintf(expected, sizeof(expected), "%d.%d.%d", SHMLOG_VERSION_MAJOR, SHMLOG_VERSION_MINOR,
		 SHMLOG_VERSION_PATCH);
	assert_string_equal(shmlog_version(), expected);
	assert_string_equal(shmlog_version(), "0.1.0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_level_names_are_the_documented_lower_case_words),
		cmocka_unit_test(test_level_name_parses_back_to_the_same_level),
		cmocka_unit_test(test_level_name_of_an_unknown_level_is_unknown),
		cmocka_unit_test(test_level_parse_accepts_any_case_short_aliases_and_digits),
		cmocka_unit_test(test_level_parse_rejects_everything_else_with_einval),
		cmocka_unit_test(test_level_parse_failure_explains_itself_in_errmsg),
		cmocka_unit_test(test_levels_map_to_syslog_severities),
		cmocka_unit_test(test_levels_map_to_opentelemetry_severity_numbers),
		cmocka_unit_test(test_parse_size_reads_plain_bytes),
		cmocka_unit_test(test_parse_size_applies_binary_suffixes_in_any_case),
		cmocka_unit_test(test_parse_size_rejects_junk_and_leaves_output_unchanged),
		cmocka_unit_test(test_parse_size_rejects_values_that_overflow_64_bits),
		cmocka_unit_test(test_parse_size_rejects_null_arguments),
		cmocka_unit_test(test_version_is_built_from_the_version_macros),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* test_shmlogger_takes_the_level_from_a_prefix_of_each_line.c - piped lines keep their level:
 * shmlogger recognises a syslog <PRI> and a level word ([ERROR], <error>, error:, ERROR), takes
 * the level from it and strips it with the blanks after it; words that only look like a level
 * ("Errors found: 3", "INFOrmation", "Error connecting") are left alone at -l's level; a line
 * that is nothing but a prefix keeps its text; --no-parse-level keeps every line verbatim; a
 * message given as arguments is parsed only with --parse-level. Read back through the consumer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "test_shmlogger_helpers.h"

struct expect {
	const char *line;
	int level;
	const char *msg; /* NULL: the line itself */
};

/* Pipes the lines of WANT to shmlogger with ARGS (after -r RING -T 0), then checks that each
 * one arrives with its level and message, in order, and nothing else does. */
static void check_lines(const char *what, const char *const *args, const struct expect *want,
			size_t n)
{
	const char *ring = ring_name(what);
	struct shmlog_consumer *c = open_consumer(ring, 1 << 20);
	const char *argv[16] = {"-r", ring, "-T", "0"};
	struct shmlog_record rec;
	size_t argc = 4, len = 0;
	char in[8192], err[4096];
	int fd;

	for (; *args; args++)
		argv[argc++] = *args;
	argv[argc] = NULL;
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(in + len, sizeof(in) - len, "%s\n", want[i].line);
	assert_true(len < sizeof(in));
	fd = input_file(in, len);
	assert_int_equal(logger_run(argv, fd, err, sizeof(err)), 0);
	close(fd);
	assert_string_equal(err, "");
	for (size_t i = 0; i < n; i++) {
		next_record(c, &rec, 2000);
		assert_msg(&rec, want[i].msg ? want[i].msg : want[i].line);
		if (rec.level != want[i].level)
			fail_msg("'%s': level %d, expected %d", want[i].line, rec.level,
				 want[i].level);
	}
	assert_no_more(c, 100);
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

#define CHECK(what, want, ...) \
	check_lines((what), (const char *const[]){__VA_ARGS__, NULL}, (want), \
		    sizeof(want) / sizeof((want)[0]))

static const struct expect every_form[] = {
	{"ERROR something broke", SHMLOG_ERROR, "something broke"},
	{"WARN disk 93%", SHMLOG_WARNING, "disk 93%"},
	{"WARNING  padded", SHMLOG_WARNING, "padded"},
	{"INFO\tstarted", SHMLOG_INFO, "started"},
	{"DEBUG x=1", SHMLOG_DEBUG, "x=1"},
	{"TRACE entering f", SHMLOG_DEBUG, "entering f"},
	{"NOTICE reload", SHMLOG_INFO, "reload"},
	{"CRIT cpu on fire", SHMLOG_CRITICAL, "cpu on fire"},
	{"CRITICAL cpu on fire", SHMLOG_CRITICAL, "cpu on fire"},
	{"FATAL out of disk", SHMLOG_CRITICAL, "out of disk"},
	{"[ERROR] bracketed", SHMLOG_ERROR, "bracketed"},
	{"[warn] lower case", SHMLOG_WARNING, "lower case"},
	{"[Info]tight", SHMLOG_INFO, "tight"},
	{"[CRIT]: colon after", SHMLOG_CRITICAL, "colon after"},
	{"<error> angle", SHMLOG_ERROR, "angle"},
	{"<Debug> angle", SHMLOG_DEBUG, "angle"},
	{"ERROR: colon", SHMLOG_ERROR, "colon"},
	{"error: gcc style", SHMLOG_ERROR, "gcc style"},
	{"Warning: mixed case", SHMLOG_WARNING, "mixed case"},
	{"ERROR:root:python's default", SHMLOG_ERROR, "root:python's default"},
	{"<3>sd-daemon style", SHMLOG_ERROR, "sd-daemon style"},
	{"<11> user.err", SHMLOG_ERROR, "user.err"},
	/* Any case, bare words too: a sentence that starts with a level word is taken for one. */
	{"Error connecting to db", SHMLOG_ERROR, "connecting to db"},
	{"error something broke", SHMLOG_ERROR, "something broke"},
	{"Debug build started", SHMLOG_DEBUG, "build started"},
	{"fatal: not a git repository", SHMLOG_CRITICAL, "not a git repository"},
	{"plain line", SHMLOG_WARNING, NULL}, /* no prefix: -l's level */
};

static void test_each_level_form_is_recognised_and_stripped(void **state)
{
	(void)state;
	CHECK("forms", every_form, "-l", "warning");
}

static const struct expect not_levels[] = {
	{"Errors found: 3", SHMLOG_INFO, NULL},
	{"INFOrmation is power", SHMLOG_INFO, NULL},
	{"ERRORS: 3", SHMLOG_INFO, NULL},
	{"WARNING! no delimiter", SHMLOG_INFO, NULL},
	{"ERROR-42 code", SHMLOG_INFO, NULL},
	{" ERROR leading blank", SHMLOG_INFO, NULL},
	{"2026-12-07 ERROR after a timestamp", SHMLOG_INFO, NULL},
	{"[ERROR unclosed", SHMLOG_INFO, NULL},
	{"[ERROR> mismatched", SHMLOG_INFO, NULL},
	{"[] empty", SHMLOG_INFO, NULL},
	{"[OK] not a level", SHMLOG_INFO, NULL},
	{"<html> not a level", SHMLOG_INFO, NULL},
	{"ER", SHMLOG_INFO, NULL},
	{"", SHMLOG_INFO, NULL},
};

static void test_words_that_only_look_like_a_level_are_left_alone(void **state)
{
	(void)state;
	CHECK("false", not_levels, "--parse-level");
}

static const struct expect only_a_prefix[] = {
	{"ERROR", SHMLOG_ERROR, NULL},
	{"error:", SHMLOG_ERROR, NULL},
	{"[WARN]  ", SHMLOG_WARNING, NULL},
	{"<2>", SHMLOG_CRITICAL, NULL},
};

static void test_a_line_that_is_only_a_level_keeps_its_text(void **state)
{
	(void)state;
	CHECK("only", only_a_prefix, "-s");
}

/* facility * 8 + severity for every severity, under facilities 0 (kern), 1 (user), 16 (local0)
 * and 23 (local7, the highest: <191>); out of range and leading zeros are text. */
static const struct expect priorities[] = {
	{"<0>emerg", SHMLOG_CRITICAL, "emerg"},	     {"<9>alert", SHMLOG_CRITICAL, "alert"},
	{"<130>crit", SHMLOG_CRITICAL, "crit"},	     {"<187>err", SHMLOG_ERROR, "err"},
	{"<4>warning", SHMLOG_WARNING, "warning"},   {"<13>notice", SHMLOG_INFO, "notice"},
	{"<134>info", SHMLOG_INFO, "info"},	     {"<191>debug", SHMLOG_DEBUG, "debug"},
	{"<7>debug", SHMLOG_DEBUG, "debug"},	     {"<192>too big", SHMLOG_INFO, NULL},
	{"<1000>too long", SHMLOG_INFO, NULL},	     {"<03>leading zero", SHMLOG_INFO, NULL},
	{"<3 unclosed", SHMLOG_INFO, NULL},	     {"<-3>negative", SHMLOG_INFO, NULL},
	{"<3>ERROR only one prefix", SHMLOG_ERROR, "ERROR only one prefix"},
};

static void test_syslog_priorities_give_their_severity_and_drop_the_facility(void **state)
{
	(void)state;
	CHECK("pri", priorities, "-t", "pri");
}

static const struct expect verbatim[] = {
	{"ERROR something broke", SHMLOG_ERROR, NULL},
	{"<3>message", SHMLOG_ERROR, NULL},
	{"[DEBUG] x", SHMLOG_ERROR, NULL},
	{"warning: y", SHMLOG_ERROR, NULL},
};

static void test_no_parse_level_keeps_every_line_verbatim(void **state)
{
	(void)state;
	CHECK("verbatim", verbatim, "--no-parse-level", "-l", "error");
	CHECK("lastwins", verbatim, "--parse-level", "--no-parse-level", "-l", "error");
}

static void test_a_message_argument_is_parsed_only_with_parse_level(void **state)
{
	const char *ring = ring_name("args");
	struct shmlog_consumer *c = open_consumer(ring, 1 << 20);
	struct shmlog_record rec;
	char err[4096];

	(void)state;
	assert_int_equal(LOGGER(err, -1, "-r", ring, "-T", "0", "ERROR:", "as", "typed"), 0);
	next_record(c, &rec, 2000);
	assert_msg(&rec, "ERROR: as typed");
	assert_int_equal(rec.level, SHMLOG_INFO);

	assert_int_equal(LOGGER(err, -1, "-r", ring, "-T", "0", "--parse-level", "-l", "debug",
				"ERROR:", "parsed"),
			 0);
	next_record(c, &rec, 2000);
	assert_msg(&rec, "parsed");
	assert_int_equal(rec.level, SHMLOG_ERROR);
	assert_no_more(c, 100);
	shmlog_consumer_close(c);
	shmlog_unlink(ring);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_level_form_is_recognised_and_stripped),
		cmocka_unit_test(test_words_that_only_look_like_a_level_are_left_alone),
		cmocka_unit_test(test_a_line_that_is_only_a_level_keeps_its_text),
		cmocka_unit_test(test_syslog_priorities_give_their_severity_and_drop_the_facility),
		cmocka_unit_test(test_no_parse_level_keeps_every_line_verbatim),
		cmocka_unit_test(test_a_message_argument_is_parsed_only_with_parse_level),
	};

	shmlogger_path();
	return cmocka_run_group_tests(tests, NULL, NULL);
}

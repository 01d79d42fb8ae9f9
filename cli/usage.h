/* usage.h - the one wording of a usage error, for every program (shmlogd, shmlogcat, shmlogger).
 *
 * Every usage error is one line on stderr, the program's name first and a pointer to --help
 * last, and exits EX_USAGE (64):
 *
 *   PROG: unknown option '--bogus'; see PROG --help
 *   PROG: option '--ring' needs a value; see PROG --help
 *   PROG: option '--help' takes no value; see PROG --help
 *   PROG: option '--f' is ambiguous: type more of its name; see PROG --help
 *   PROG: --size '32G': the largest ring is 16G; see PROG --help       (a refused value)
 *   PROG: unexpected argument 'x'; see PROG --help                     (an operand)
 *   PROG: --ring NAME is required; see PROG --help
 *
 * The first four come from cli_getopt(), which wraps getopt_long with getopt's own messages
 * turned off (opterr = 0): a program's option table is all it needs for a new option to get
 * them. The others are for the programs' own checks. The pattern is pinned by
 * tests/multi/test_every_program_words_a_usage_error_the_same_way.c.
 */
#ifndef SHMLOG_CLI_USAGE_H
#define SHMLOG_CLI_USAGE_H

#include <getopt.h>

/* getopt_long with our messages: returns the next option character (or long option value), -1
 * after the last option, or '?' after printing the usage error for an unknown, ambiguous or
 * malformed option: the caller then exits EX_USAGE without printing anything more. SHORTOPTS
 * need not start with ':' (after an optional '+'): that is added. */
int cli_getopt(int argc, char *const argv[], const char *shortopts,
	       const struct option *longopts);

/* The option cli_getopt() returned last, as the user named it: "--lines" or "-n" (a long option
 * by its full name, even when abbreviated). For messages about its value. */
const char *cli_option(void);

/* Prints "PROG: <message>; see PROG --help" on stderr. Returns EX_USAGE (64). */
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A value OPTION refuses: "PROG: OPTION 'VALUE': <what to give instead>; see PROG --help".
 * Returns EX_USAGE. */
int usage_bad_value(const char *option, const char *value, const char *fix_fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A value the library refused (shmlog_level_parse(), say): usage_bad_value() with the part of
 * shmlog_errmsg() after its first ": ", where the library says what to give instead. */
int usage_refused_by_library(const char *option, const char *value);

/* An operand the program does not take: "PROG: unexpected argument 'ARG'", then ": WHY" when
 * WHY is not NULL. Returns EX_USAGE. */
int usage_unexpected(const char *arg, const char *why);

/* Something the command line must say: "PROG: WHAT is required". Returns EX_USAGE. */
int usage_required(const char *what);

#endif

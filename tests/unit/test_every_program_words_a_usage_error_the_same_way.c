/* test_every_program_words_a_usage_error_the_same_way.c - issue 17: shmlogd, shmlogcat and
 * shmlogger, given the same kinds of bad command line (an unknown long or short option, a value
 * given to an option that takes none, a missing value, a refused value, an argument too many, a
 * required one left out), each exit EX_USAGE (64) with one line on stderr in the one wording of
 * cli/usage.h, and nothing of getopt's own ("unrecognized option", "invalid option", "requires
 * an argument"). No ring is needed: a usage error comes before any. */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "runas.h"
#include "shmlogd_harness.h"

/* What differs between the programs: an option that takes a value and a value it refuses, a
 * command line with an argument too many, and what a bare command line lacks. */
struct program {
	const char *name;
	const char *opt, *bad_value;
	const char *const *extra; /* ends with the argument too many, then NULL */
	const char *required;
};

#define RING "t-usage-no-such-ring"

static const char *const shmlogd_extra[] = {"--ring", RING, "--output", "a.log", "surplus", NULL};
/* Several rings and files are read merged; --stats looks at one. */
static const char *const shmlogcat_extra[] = {"--stats", RING, "surplus", NULL};
static const char *const *shmlogger_extra; /* 65 fields: made in main() */

/* Runs P's program with ARGS (NULL-ended); the test fails unless it exits 64 with one line on
 * stderr that starts "NAME: <START>" and ends "; see NAME --help", and, when EXACT, holds nothing
 * between the two. */
static void expect(const struct program *p, const char *const *args, const char *start, int exact)
{
	const char *argv[100] = {h_program(0, p->name)};
	char err[2048], head[512], tail[128];
	size_t n = 1;

	for (; args[n - 1] && n < 99; n++)
		argv[n] = args[n - 1];
	argv[n] = NULL;
	int rc = tu_run_as(NULL, (gid_t)-1, argv, err, sizeof(err));
	snprintf(head, sizeof(head), "%s: %s", p->name, start);
	snprintf(tail, sizeof(tail), "; see %s --help\n", p->name);
	size_t len = strlen(err), hlen = strlen(head), tlen = strlen(tail);
	CHECK(rc == EX_USAGE, "%s %s ...: exit %d, not EX_USAGE (64): %s", p->name,
	      args[0] ? args[0] : "", rc, err);
	CHECK(len >= hlen + tlen && !strncmp(err, head, hlen) && !strcmp(err + len - tlen, tail) &&
		      strchr(err, '\n') == err + len - 1 && (!exact || len == hlen + tlen),
	      "%s %s ...:\n  said:     %s  expected: %s%s%s", p->name, args[0] ? args[0] : "",
	      err, head, exact ? "" : "...", tail);
	printf("exit 64: %s", err);
}

#define EXPECT(p, what, ...) expect((p), (const char *const[]){__VA_ARGS__, NULL}, (what), 1)

static void check(const struct program *p)
{
	const char *const bare[] = {NULL};
	const char *const bad[] = {p->opt, p->bad_value, NULL};
	const char *surplus = NULL;
	char what[256];

	EXPECT(p, "unknown option '--bogus'", "--bogus");
	EXPECT(p, "unknown option '--bogus'", "--bogus=1");
	EXPECT(p, "unknown option '-Z'", "-Z");
	EXPECT(p, "option '--help' takes no value", "--help=x");
	snprintf(what, sizeof(what), "option '%s' needs a value", p->opt);
	EXPECT(p, what, p->opt);
	/* What to give instead is each option's own: the wording around it is common. */
	snprintf(what, sizeof(what), "%s '%s': ", p->opt, p->bad_value);
	expect(p, bad, what, 0);
	for (const char *const *a = p->extra; *a; a++)
		surplus = *a;
	snprintf(what, sizeof(what), "unexpected argument '%s'", surplus);
	expect(p, p->extra, what, 0);
	snprintf(what, sizeof(what), "%s is required", p->required);
	expect(p, bare, what, 1);
}

int main(void)
{
	static char fields[65][16];
	/* -n: were the 65th field taken, no ring would be made for it. */
	static const char *shmlogger_args[70] = {"-n", "-r", RING};

	for (int i = 0; i < 65; i++) {
		snprintf(fields[i], sizeof(fields[i]), "k%d=v", i);
		shmlogger_args[3 + i] = fields[i];
	}
	shmlogger_extra = shmlogger_args;
	const struct program programs[] = {
		{"shmlogd", "--format", "xml", shmlogd_extra, "--ring NAME"},
		{"shmlogcat", "--output", "xml", shmlogcat_extra, "a ring NAME"},
		{"shmlogger", "--level", "loud", shmlogger_extra, "-r NAME"},
	};
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++)
		check(&programs[i]);
	return 0;
}

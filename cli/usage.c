/* usage.c - usage errors in one wording, and getopt_long without getopt's own (see usage.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "program.h"
#include "shmlog.h"

static char typed[80]; /* cli_option() */

static void vsay(const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: ", this_program.name);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "; see %s --help\n", this_program.name);
}

int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay(fmt, ap);
	va_end(ap);
	return EX_USAGE;
}

int usage_bad_value(const char *option, const char *value, const char *fix_fmt, ...)
{
	va_list ap;
	char fix[512];

	va_start(ap, fix_fmt);
	vsnprintf(fix, sizeof(fix), fix_fmt, ap);
	va_end(ap);
	return usage_error("%s '%s': %s", option, value, fix);
}

int usage_refused_by_library(const char *option, const char *value)
{
	const char *msg = shmlog_errmsg(), *fix = strstr(msg, ": ");

	return usage_bad_value(option, value, "%s", fix ? fix + 2 : msg);
}

int usage_unexpected(const char *arg, const char *why)
{
	return usage_error("unexpected argument '%s'%s%s", arg, why ? ": " : "", why ? why : "");
}

int usage_required(const char *what)
{
	return usage_error("%s is required", what);
}

const char *cli_option(void)
{
	return typed;
}

/* SHORTOPTS with ':' after its optional '+' or '-', so that getopt tells a missing value (':')
 * from an unknown option ('?'). */
static const char *with_colon(const char *shortopts, char *buf, size_t cap)
{
	size_t lead = shortopts[0] == '+' || shortopts[0] == '-';

	if (shortopts[lead] == ':' || strlen(shortopts) + 2 > cap)
		return shortopts;
	snprintf(buf, cap, "%.*s:%s", (int)lead, shortopts, shortopts + lead);
	return buf;
}

/* Whether the option getopt_long just failed on was a long one. A long option always moves
 * optind past its argument word, which starts "--"; a short one inside a cluster ("-fZ") leaves
 * optind where it was (BEFORE), and argv[optind - 1] is then an earlier word, which may well be
 * a long option. */
static int was_long(char *const argv[], int before)
{
	const char *w = optind > before && optind > 0 ? argv[optind - 1] : "";

	return w[0] == '-' && w[1] == '-' && w[2];
}

/* How many long options start with the N bytes of NAME: more than one, and none exactly NAME, is
 * what getopt_long calls ambiguous. */
static int matches(const struct option *longopts, const char *name, size_t n)
{
	int count = 0;

	for (const struct option *o = longopts; o && o->name; o++) {
		if (!strncmp(o->name, name, n) && o->name[n] == '\0')
			return 1;
		count += !strncmp(o->name, name, n);
	}
	return count;
}

/* Prints the usage error for getopt_long's C ('?' or ':') and returns '?'. */
static int report(int c, char *const argv[], int before, const struct option *longopts)
{
	int is_long = was_long(argv, before);

	if (is_long) {
		const char *w = argv[optind - 1] + 2;
		size_t n = strcspn(w, "=");
		snprintf(typed, sizeof(typed), "--%.*s", (int)n, w);
		if (c == ':')
			usage_error("option '%s' needs a value", typed);
		else if (optopt)
			usage_error("option '%s' takes no value", typed);
		else if (matches(longopts, w, n) > 1)
			usage_error("option '%s' is ambiguous: type more of its name", typed);
		else
			usage_error("unknown option '%s'", typed);
	} else {
		snprintf(typed, sizeof(typed), "-%c", optopt);
		if (c == ':')
			usage_error("option '%s' needs a value", typed);
		else
			usage_error("unknown option '%s'", typed);
	}
	return '?';
}

int cli_getopt(int argc, char *const argv[], const char *shortopts,
	       const struct option *longopts)
{
	char buf[256];
	int before = optind > 0 ? optind : 1, idx = -1, c;

	opterr = 0; /* our messages, in our wording */
	c = getopt_long(argc, argv, with_colon(shortopts, buf, sizeof(buf)), longopts, &idx);
	if (c == '?' || c == ':')
		return report(c, argv, before, longopts);
	if (c != -1 && idx >= 0)
		snprintf(typed, sizeof(typed), "--%s", longopts[idx].name);
	else if (c != -1)
		snprintf(typed, sizeof(typed), "-%c", c);
	return c;
}

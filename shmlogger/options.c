/* options.c - parses shmlogger's command line: options, then KEY=VALUE fields, then the message.
 *
 * Options end at the first argument that is not one ("+" in the getopt string), as in POSIX,
 * so a message word that starts with '-' needs no quoting once the message has begun. An
 * argument "--" ends the options and the fields: everything after it is the message.
 */
#include <getopt.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "fields.h"
#include "ids.h"
#include "options.h"
#include "program.h"

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: " PROGRAM_NAME " -r RING [OPTION]... [KEY=VALUE]... [MESSAGE]...\n"
		"Log MESSAGE to the shmlog ring RING as one record; with no MESSAGE, log each\n"
		"line of standard input as a record (myprog 2>&1 | " PROGRAM_NAME " -r app -t myprog).\n"
		"\n"
		"  -r, --ring NAME          the ring: 1-64 characters of [A-Za-z0-9._-]; created\n"
		"                           if missing, unless --no-create\n"
		"  -l, --level LEVEL        debug, info, warning, error or critical\n"
		"                           (default %s)\n"
		"  -t, --tag TAG            the records' tag (default: your user name)\n"
		"  -T, --flush-timeout MS   at exit, wait up to MS milliseconds for the collector to\n"
		"                           write the records out; 0: don't wait, -1: no limit\n"
		"                           (default %d)\n"
		"  -n, --no-create          fail if RING does not exist\n"
		"  -m, --mode MODE          permissions of a ring this creates, octal, and the\n"
		"                           most group and others may write of one that exists\n"
		"                           (default %04o)\n"
		"  -u, --allow-owner USER   log to a ring that USER (name or number) owns: a\n"
		"                           ring of another user is refused unless named here\n"
		"  -s, --skip-empty         don't log empty lines of standard input\n"
		"      --parse-level        take the level from a prefix of the message and\n"
		"                           strip it: <3>, [ERROR], error:, ERROR (default for\n"
		"                           standard input; -l is then the level of lines\n"
		"                           without one)\n"
		"      --no-parse-level     log lines verbatim at -l's level\n"
		"      --parse-json         a line that is a JSON object gives the message\n"
		"                           (message, msg, event, log), level (level, levelname,\n"
		"                           severity), tag (logger, name; unless -t) and fields;\n"
		"                           any other line is logged as text\n"
		"  -q, --quiet              no warning when the collector is not done in time\n"
		"  -h, --help               show this help and exit\n"
		"  -V, --version            show the version and exit\n"
		"\n"
		"Fields: KEY=VALUE arguments before the message become typed fields of every\n"
		"record: true/false are booleans, JSON numbers are integers or floats, anything\n"
		"else is a string; KEY:=VALUE is always a string. \"--\" ends options and fields.\n"
		"\n"
		"Standard input: each line is one record, without its newline; NUL bytes are\n"
		"kept; messages longer than %d bytes are truncated, and marked so.\n"
		"\n",
		shmlog_level_name(DEFAULT_LEVEL), DEFAULT_FLUSH_TIMEOUT_MS, DEFAULT_MODE,
		SHMLOG_MAX_MESSAGE);
	cli_print_exit_statuses(out, this_program.id);
	fprintf(out, "0 also when the collector is not done within the flush timeout: a warning.\n"
		     "See " PROGRAM_NAME "(1).\n");
}

/* logger(1)'s default tag: the name of the user running us. */
static const char *default_tag(void)
{
	const struct passwd *pw = getpwuid(geteuid());

	return pw && pw->pw_name[0] ? pw->pw_name : FALLBACK_TAG;
}

static int parse_timeout(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < -1 || v > INT_MAX)
		return usage_bad_value(cli_option(), s, "use milliseconds, 0, or -1 for no limit");
	*out = (int)v;
	return OPTIONS_RUN;
}

static int parse_fields_and_message(struct options *o, int argc, char **argv, int fields_done)
{
	int i = optind;

	for (; i < argc && !fields_done; i++) {
		struct shmlog_field f;

		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		}
		if (!field_parse(argv[i], &f))
			break;
		if (o->nfields == SHMLOG_MAX_FIELDS)
			return usage_error("unexpected argument '%s': at most %d fields",
					   argv[i], SHMLOG_MAX_FIELDS);
		o->fields[o->nfields++] = f;
	}
	if (i < argc) {
		o->words = argv + i;
		o->nwords = argc - i;
	}
	return OPTIONS_RUN;
}

/* ---- one setter an option: OPTIONS_RUN, or EX_USAGE after printing why ---- */

static int set_ring(struct options *o, const char *arg)
{
	o->ring = arg;
	return OPTIONS_RUN;
}

static int set_level(struct options *o, const char *arg)
{
	if ((o->level = shmlog_level_parse(arg)) < 0)
		return usage_refused_by_library(cli_option(), arg);
	return OPTIONS_RUN;
}

static int set_tag(struct options *o, const char *arg)
{
	o->tag = arg;
	o->tag_given = 1;
	return OPTIONS_RUN;
}

static int set_flush_timeout(struct options *o, const char *arg)
{
	return parse_timeout(arg, &o->flush_timeout_ms);
}

static int set_no_create(struct options *o, const char *arg)
{
	(void)arg;
	o->no_create = 1;
	return OPTIONS_RUN;
}

static int set_mode(struct options *o, const char *arg)
{
	if (tool_parse_mode(arg, &o->mode) < 0)
		return usage_bad_value(cli_option(), arg, "use octal up to 0777, e.g. 0660");
	return OPTIONS_RUN;
}

static int set_allow_owner(struct options *o, const char *arg)
{
	if (tool_parse_user(arg, &o->allow_owner) < 0)
		return usage_bad_value(cli_option(), arg, "no such user name, and not a number");
	o->allow_owner_given = 1;
	return OPTIONS_RUN;
}

static int set_skip_empty(struct options *o, const char *arg)
{
	(void)arg;
	o->skip_empty = 1;
	return OPTIONS_RUN;
}

static int set_quiet(struct options *o, const char *arg)
{
	(void)arg;
	o->quiet = 1;
	return OPTIONS_RUN;
}

static int set_parse_level(struct options *o, const char *arg)
{
	(void)arg;
	o->parse_level = 1;
	return OPTIONS_RUN;
}

static int set_no_parse_level(struct options *o, const char *arg)
{
	(void)arg;
	o->parse_level = 0;
	return OPTIONS_RUN;
}

static int set_parse_json(struct options *o, const char *arg)
{
	(void)arg;
	o->parse_json = 1;
	return OPTIONS_RUN;
}

/* Options with no short form. */
enum { OPT_PARSE_LEVEL = 256, OPT_NO_PARSE_LEVEL, OPT_PARSE_JSON };

/* Every option, once: getopt's table is made from this one (long_options()), and apply() finds
 * the option's setter here. */
static const struct setting {
	const char *name;
	int opt;
	int has_arg;
	int (*set)(struct options *o, const char *arg); /* NULL: --help, --version */
} settings[] = {
	{"ring", 'r', required_argument, set_ring},
	{"level", 'l', required_argument, set_level},
	{"tag", 't', required_argument, set_tag},
	{"flush-timeout", 'T', required_argument, set_flush_timeout},
	{"no-create", 'n', no_argument, set_no_create},
	{"mode", 'm', required_argument, set_mode},
	{"allow-owner", 'u', required_argument, set_allow_owner},
	{"skip-empty", 's', no_argument, set_skip_empty},
	{"quiet", 'q', no_argument, set_quiet},
	{"parse-level", OPT_PARSE_LEVEL, no_argument, set_parse_level},
	{"no-parse-level", OPT_NO_PARSE_LEVEL, no_argument, set_no_parse_level},
	{"parse-json", OPT_PARSE_JSON, no_argument, set_parse_json},
	{"help", 'h', no_argument, NULL},
	{"version", 'V', no_argument, NULL},
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* getopt_long's table of SETTINGS, ended by a zeroed entry. */
static void long_options(struct option out[NSETTINGS + 1])
{
	for (size_t i = 0; i < NSETTINGS; i++)
		out[i] = (struct option){settings[i].name, settings[i].has_arg, NULL, settings[i].opt};
	out[NSETTINGS] = (struct option){NULL, 0, NULL, 0};
}

/* Applies option C (getopt's result, ARG its argument). Returns OPTIONS_RUN, or the status to
 * exit with: 0 after --help or --version, EX_USAGE after a usage error. */
static int apply(struct options *o, int c, const char *arg)
{
	for (size_t i = 0; i < NSETTINGS; i++)
		if (settings[i].opt == c && settings[i].set)
			return settings[i].set(o, arg);
	switch (c) {
	case 'h':
		usage(stdout);
		return 0;
	case 'V':
		printf(PROGRAM_NAME " (shmlog) %s\n", shmlog_version());
		return 0;
	default: /* cli_getopt() has said what is wrong */
		return EX_USAGE;
	}
}

int options_parse(struct options *o, int argc, char **argv)
{
	struct option longopts[NSETTINGS + 1];
	const char *last_arg = NULL; /* the last option argument, to tell it from a real "--" */
	int c, rc;

	memset(o, 0, sizeof(*o));
	o->level = DEFAULT_LEVEL;
	o->flush_timeout_ms = DEFAULT_FLUSH_TIMEOUT_MS;
	o->mode = DEFAULT_MODE;
	o->parse_level = -1; /* until we know where the message comes from */
	long_options(longopts);
	while ((c = cli_getopt(argc, argv, "+r:l:t:T:nm:u:sqhV", longopts)) != -1) {
		last_arg = optarg;
		if ((rc = apply(o, c, optarg)) != OPTIONS_RUN)
			return rc;
	}
	if (!o->ring)
		return usage_required("-r NAME");
	if (!o->tag)
		o->tag = default_tag();
	if (strlen(o->tag) > SHMLOG_MAX_TAG)
		return usage_bad_value("-t", o->tag, "use 1 to %d bytes", SHMLOG_MAX_TAG);
	/* getopt consumed a "--" that ended the options: it ends the fields too. */
	int dashdash = optind > 1 && strcmp(argv[optind - 1], "--") == 0 &&
		       argv[optind - 1] != last_arg;
	if ((rc = parse_fields_and_message(o, argc, argv, dashdash)) != OPTIONS_RUN)
		return rc;
	/* Piped lines announce their level; a MESSAGE typed with -l already has one. */
	if (o->parse_level < 0)
		o->parse_level = o->words == NULL;
	return OPTIONS_RUN;
}

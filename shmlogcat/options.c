/* options.c - parses and checks shmlogcat's command line, and prints --help. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "fields.h"
#include "options.h"
#include "program.h"

#define MAX_INTERVAL_SEC 3600

enum {
	OPT_COLOR = 256,
	OPT_SINCE,
	OPT_UNTIL,
	OPT_STATS,
	OPT_INTERVAL,
	OPT_LIST,
	OPT_SET_LEVEL,
	OPT_NO_NICE,
	OPT_PID,
	OPT_FIELDS_UNDER,
	OPT_FILE,
	OPT_MERGE,
};

static const struct option long_options[] = {
	{"follow", no_argument, NULL, 'f'},
	{"reverse", no_argument, NULL, 'r'},
	{"lines", required_argument, NULL, 'n'},
	{"output", required_argument, NULL, 'o'},
	{"color", optional_argument, NULL, OPT_COLOR},
	{"fields-under", required_argument, NULL, OPT_FIELDS_UNDER},
	{"level", required_argument, NULL, 'l'},
	{"priority", required_argument, NULL, 'p'},
	{"pid", required_argument, NULL, OPT_PID},
	{"tag", required_argument, NULL, 't'},
	{"grep", required_argument, NULL, 'g'},
	{"ignore-case", no_argument, NULL, 'i'},
	{"since", required_argument, NULL, OPT_SINCE},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"stats", no_argument, NULL, OPT_STATS},
	{"interval", required_argument, NULL, OPT_INTERVAL},
	{"list", no_argument, NULL, OPT_LIST},
	{"set-level", required_argument, NULL, OPT_SET_LEVEL},
	{"no-nice", no_argument, NULL, OPT_NO_NICE},
	{"file", required_argument, NULL, OPT_FILE},
	{"merge", no_argument, NULL, OPT_MERGE},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

static const char short_options[] = "frn:o:l:p:t:g:ihV";

static const struct {
	const char *name;
	int format, pretty;
	const char *what;
} formats[] = {
	{"text", SHMLOG_FORMAT_TEXT, 0, "one line per record for people"},
	{"json", SHMLOG_FORMAT_JSON, 0, "JSON Lines, ECS keys, as shmlogd writes"},
	{"json-pretty", SHMLOG_FORMAT_JSON, 1, "the same JSON, indented over many lines"},
	{"cat", SHMLOG_FORMAT_CAT, 0, "the message alone"},
};

static const struct {
	const char *name;
	enum color color;
} colors[] = {
	{"auto", COLOR_AUTO},
	{"always", COLOR_ALWAYS},
	{"never", COLOR_NEVER},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *default_mark(int is_default)
{
	return is_default ? " (default)" : "";
}

static void print_help(void)
{
	printf("Usage: %s [OPTION]... NAME|FILE... [KEY=VALUE]...\n"
	       "       %s --stats [--interval SECONDS] NAME\n"
	       "       %s --list\n"
	       "       %s --set-level LEVEL NAME\n"
	       "Print the records held in the shmlog ring NAME (/dev/shm/shmlog.NAME),\n"
	       "or follow it live, without disturbing its writers or its collector;\n"
	       "or read them back from a FILE shmlogd wrote (an operand with a '/', such as\n"
	       "./app.log: text or JSON, plain, gzip or zstd).\n\n",
	       PROGRAM_NAME, PROGRAM_NAME, PROGRAM_NAME, PROGRAM_NAME);
	printf("Reading:\n"
	       "  -f, --follow          then print new records as they are committed\n"
	       "  -r, --reverse         newest first (with -n N: the N newest); not with -f\n"
	       "      --no-nice         follow at normal CPU priority, without pausing when\n"
	       "                        lapped (default: only on idle CPUs, SCHED_IDLE or nice\n"
	       "                        %d, and pause when lapped, so the writers come first)\n"
	       "  -n, --lines=N         only the last N records in the ring (with -f, of\n"
	       "                        those already there; -n 0 -f: only new records)\n"
	       "      --file=PATH       read the file PATH shmlogd wrote (repeatable; -f\n"
	       "                        follows it across shmlogd's rotation)\n"
	       "      --merge           interleave several rings and files by time, each\n"
	       "                        line marked shmlog.source=NAME (what several\n"
	       "                        sources do anyway)\n"
	       "  -o, --output=FORMAT   output format:\n",
	       FOLLOW_NICE);
	for (size_t i = 0; i < COUNT(formats); i++)
		printf("                          %-12s%s%s\n", formats[i].name, formats[i].what,
		       default_mark(formats[i].format == DEFAULT_FORMAT && !formats[i].pretty));
	printf("      --color[=WHEN]    colour by level, WHEN:");
	for (size_t i = 0; i < COUNT(colors); i++)
		printf(" %s%s%s", colors[i].name, default_mark(colors[i].color == DEFAULT_COLOR),
		       i + 1 < COUNT(colors) ? "," : "");
	printf("\n                        (auto: stdout is a terminal, NO_COLOR unset)\n"
	       "      --fields-under=NAME  json: records' fields under NAME, not at the\n"
	       "                        top level: labels (ECS labels: values as strings),\n"
	       "                        or a name of your own such as myapp\n\n");
	printf("Filters (a record must pass all; repeat --pid, -t or KEY for alternatives):\n"
	       "  -l, --level=LEVEL     only LEVEL and above: debug, info, warning, error,\n"
	       "                        critical (or 1-5)\n"
	       "  -p, --priority=PRIO   as journalctl: PRIO or worse, or a range FROM..TO;\n"
	       "                        PRIO is a level above, a syslog name (emerg, alert\n"
	       "                        and crit: critical; err; warning; notice: warning\n"
	       "                        and worse; info; debug) or a syslog number 0-7\n"
	       "      --pid=PID         only records of process PID (-p up to 0.1)\n"
	       "  -t, --tag=TAG         only records whose tag (logger name) is TAG or\n"
	       "                        matches it as a shell glob ('db.*')\n"
	       "  -g, --grep=REGEX      only messages matching REGEX (POSIX extended)\n"
	       "  -i, --ignore-case     -g ignores case\n"
	       "      --since=TIME      only records at or after TIME: RFC 3339 such as\n"
	       "                        2026-11-21T10:15:03Z (no offset: local time),\n"
	       "                        now, today, yesterday, tomorrow (midnight),\n"
	       "                        HH:MM[:SS] (today), @EPOCH (seconds since 1970),\n"
	       "                        or relative: -30s, -5m, -2h, -1d, -1w\n"
	       "      --until=TIME      only records at or before TIME\n"
	       "  KEY=VALUE             only records with a field KEY equal to VALUE\n\n");
	printf("Other modes:\n"
	       "      --stats           size, fill, positions, rates, losses, collector and\n"
	       "                        producers of ring NAME\n"
	       "      --interval=SECS   measure the --stats rates over SECS seconds\n"
	       "                        (default %g; 0: no rates)\n"
	       "      --list            the rings on this machine: size, writers, collector\n"
	       "      --set-level=LEVEL set ring NAME's minimum level; running writers\n"
	       "                        obey at once (needs write permission)\n"
	       "  -h, --help            show this help and exit\n"
	       "  -V, --version         show the version and exit\n\n",
	       DEFAULT_INTERVAL_MS / 1000.0);
	cli_print_exit_statuses(stdout, this_program.id);
	printf("See shmlogcat(1).\n");
}

static int parse_format(struct options *o, const char *arg)
{
	for (size_t i = 0; i < COUNT(formats); i++)
		if (!strcmp(arg, formats[i].name)) {
			o->format = formats[i].format;
			o->pretty = formats[i].pretty;
			return 0;
		}
	return usage_bad_value(cli_option(), arg, "use text, json, json-pretty or cat");
}

static int parse_fields_under(struct options *o, const char *arg)
{
	if (cli_fields_under_check(arg) < 0)
		return usage_bad_value(cli_option(), arg, CLI_FIELDS_UNDER_RULE);
	o->fields_under = arg;
	return 0;
}

static int parse_color(struct options *o, const char *arg)
{
	if (!arg) {
		o->color = COLOR_ALWAYS;
		return 0;
	}
	for (size_t i = 0; i < COUNT(colors); i++)
		if (!strcmp(arg, colors[i].name)) {
			o->color = colors[i].color;
			return 0;
		}
	return usage_bad_value(cli_option(), arg, "use auto, always or never");
}

static int parse_lines(struct options *o, const char *arg)
{
	char *end;

	errno = 0;
	o->lines = strtoll(arg, &end, 10);
	if (errno || end == arg || *end || o->lines < 0)
		return usage_bad_value(cli_option(), arg, "use a number of records, 0 or more");
	return 0;
}

static int parse_level(int *out, const char *arg, const char *option)
{
	int level = shmlog_level_parse(arg);

	if (level < 0)
		return usage_refused_by_library(option, arg);
	*out = level;
	return 0;
}

/* -l LEVEL: that level and every worse one. */
static int parse_min_level(struct filter *f, const char *arg)
{
	if (parse_level(&f->min_level, arg, "-l"))
		return EX_USAGE;
	f->max_level = INT_MAX;
	return 0;
}

/* -p PRIORITY. Until 0.1, -p took a pid: a number beyond the syslog severities says where that
 * went rather than that it is not a priority. */
static int parse_priority(struct filter *f, const char *arg)
{
	int rc = filter_parse_priority(arg, &f->min_level, &f->max_level);

	if (rc == PRIORITY_NO_LEVEL)
		return usage_bad_value(cli_option(), arg, "holds no shmlog level (shmlog has no "
				       "notice): widen the range, e.g. notice..info");
	if (rc < 0 && arg[0] && strspn(arg, "0123456789") == strlen(arg))
		return usage_error("-p is now --priority, as in journalctl; the pid filter moved to "
				   "--pid: use --pid %s",
				   arg);
	if (rc < 0)
		return usage_bad_value(cli_option(), arg, "use a level (debug, info, warning, error, "
				       "critical), a syslog name or number 0-7, or a range FROM..TO");
	return 0;
}

static int parse_time(int64_t *out, const char *arg, const char *option)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	if (filter_parse_time(arg, (int64_t)now.tv_sec * 1000000000 + now.tv_nsec, out) < 0)
		return usage_bad_value(option, arg,
				       "use RFC 3339 (2026-11-21T10:15:03Z), now, today, yesterday, "
				       "tomorrow, HH:MM[:SS], @EPOCH or a relative time such as -5m");
	return 0;
}

static int parse_interval(struct options *o, const char *arg)
{
	char *end;
	double secs;

	errno = 0;
	secs = strtod(arg, &end);
	if (errno || end == arg || *end || !(secs >= 0 && secs <= MAX_INTERVAL_SEC))
		return usage_bad_value(cli_option(), arg, "use seconds from 0 to %d",
				       MAX_INTERVAL_SEC);
	o->interval_ms = (int)(secs * 1000 + 0.5);
	return 0;
}

static int set_mode(struct options *o, enum mode mode)
{
	if (o->mode != MODE_READ && o->mode != mode)
		return usage_error("--stats, --list and --set-level cannot be combined");
	o->mode = mode;
	return 0;
}

static int memory_error(void)
{
	fputs(PROGRAM_NAME ": out of memory\n", stderr);
	return EX_OSERR;
}

static int add_pid(struct filter *f, const char *arg)
{
	if (filter_add_pid(f, arg) < 0)
		return errno == ENOMEM ? memory_error()
				       : usage_bad_value(cli_option(), arg, "use a process id");
	return 0;
}

static int add_tag(struct filter *f, const char *arg)
{
	if (filter_add_tag(f, arg) < 0)
		return errno == ENOMEM ? memory_error()
				       : usage_bad_value(cli_option(), arg, "use 1 to %d bytes",
							 SHMLOG_MAX_TAG);
	return 0;
}

/* Adds NAME as a ring or a file to read; the first ring is also the one other modes use. */
static int add_source(struct options *o, const char *name, int is_file)
{
	struct source_name *grown = realloc(o->sources, (o->nsources + 1) * sizeof(*grown));

	if (!grown)
		return memory_error();
	o->sources = grown;
	o->sources[o->nsources++] = (struct source_name){name, is_file};
	if (!is_file && !o->ring)
		o->ring = name;
	return 0;
}

/* The long name of option C, for messages. */
static const char *option_name(int c)
{
	for (const struct option *lo = long_options; lo->name; lo++)
		if (lo->val == c)
			return lo->name;
	return "?";
}

/* Options that only make sense when reading records. */
static int is_read_option(int c)
{
	return c != OPT_STATS && c != OPT_LIST && c != OPT_SET_LEVEL && c != OPT_INTERVAL &&
	       c != 'h' && c != 'V' && c != '?';
}

/* Applies option C. Returns 0, or the status to exit with. *DONE is set after --help and
 * --version, which end the program successfully. */
static int apply(struct options *o, int c, const char *arg, int *done)
{
	struct filter *f = &o->filter;

	switch (c) {
	case 'f':
		o->follow = 1;
		return 0;
	case 'r':
		o->reverse = 1;
		return 0;
	case OPT_NO_NICE:
		o->nice = -1;
		return 0;
	case OPT_FILE:
		return add_source(o, arg, 1);
	case OPT_MERGE:
		o->merge = 1;
		return 0;
	case 'n':
		return parse_lines(o, arg);
	case 'o':
		return parse_format(o, arg);
	case OPT_COLOR:
		return parse_color(o, arg);
	case OPT_FIELDS_UNDER:
		return parse_fields_under(o, arg);
	case 'l':
		return parse_min_level(f, arg);
	case 'p':
		return parse_priority(f, arg);
	case OPT_PID:
		return add_pid(f, arg);
	case 't':
		return add_tag(f, arg);
	case 'g':
		f->pattern = arg;
		return 0;
	case 'i':
		f->icase = 1;
		return 0;
	case OPT_SINCE:
		return parse_time(&f->since_ns, arg, "--since");
	case OPT_UNTIL:
		return parse_time(&f->until_ns, arg, "--until");
	case OPT_STATS:
		return set_mode(o, MODE_STATS);
	case OPT_INTERVAL:
		return parse_interval(o, arg);
	case OPT_LIST:
		return set_mode(o, MODE_LIST);
	case OPT_SET_LEVEL:
		if (set_mode(o, MODE_SET_LEVEL))
			return EX_USAGE;
		return parse_level(&o->level, arg, "--set-level");
	case 'h':
		print_help();
		*done = 1;
		return 0;
	case 'V':
		printf("%s (shmlog) %s\n", PROGRAM_NAME, shmlog_version());
		*done = 1;
		return 0;
	default: /* cli_getopt() has said what is wrong */
		return EX_USAGE;
	}
}

/* The operands: ring NAMEs, FILEs (with a '/': a ring name has none) and, when reading,
 * KEY=VALUE matches (a ring name has no '='; a file name with one: --file). */
static int parse_operands(struct options *o, int n, char **args)
{
	for (int i = 0; i < n; i++) {
		if (!strchr(args[i], '=')) {
			if (o->mode != MODE_READ && o->ring)
				return usage_unexpected(args[i], "--stats and --set-level take one "
								 "ring name, and one was given already");
			if (o->mode != MODE_READ && strchr(args[i], '/'))
				return usage_unexpected(args[i], "a file: --stats, --list and "
								 "--set-level take a ring name");
			if (add_source(o, args[i], strchr(args[i], '/') != NULL))
				return EX_OSERR;
		} else if (o->mode != MODE_READ) {
			return usage_unexpected(args[i], "field matches only apply when reading "
							 "records");
		} else if (filter_add_field(&o->filter, args[i]) < 0) {
			return errno == ENOMEM ? memory_error()
					       : usage_bad_value("field match", args[i],
								 "use KEY=VALUE");
		}
	}
	if (o->mode == MODE_LIST && o->nsources)
		return usage_unexpected(o->sources[0].name, "--list takes no ring name");
	if (o->mode == MODE_READ ? !o->nsources : o->mode != MODE_LIST && !o->ring)
		return usage_required("a ring NAME");
	return 0;
}

int options_parse(struct options *o, int argc, char **argv)
{
	const char *read_opt = NULL;
	char err[256];
	int c, rc, done = 0;

	memset(o, 0, sizeof(*o));
	o->mode = MODE_READ;
	o->lines = ALL_LINES;
	o->format = DEFAULT_FORMAT;
	o->nice = FOLLOW_NICE;
	o->color = DEFAULT_COLOR;
	o->interval_ms = DEFAULT_INTERVAL_MS;
	filter_init(&o->filter);

	while ((c = cli_getopt(argc, argv, short_options, long_options)) != -1) {
		if (is_read_option(c) && !read_opt)
			read_opt = option_name(c);
		if ((rc = apply(o, c, optarg, &done)) != 0)
			return rc;
		if (done)
			return 0;
	}
	if (o->mode != MODE_READ && read_opt)
		return usage_error("--%s only applies when reading records, not with --%s", read_opt,
				   o->mode == MODE_STATS ? "stats"
				   : o->mode == MODE_LIST ? "list"
							  : "set-level");
	if (o->reverse && o->follow)
		return usage_error("-r (--reverse) cannot be combined with -f (--follow): new records "
				   "come last; use -r -n N for the N newest");
	if ((rc = parse_operands(o, argc - optind, argv + optind)) != 0)
		return rc;
	if (o->fields_under && *o->fields_under && o->format != SHMLOG_FORMAT_JSON)
		return usage_error("--fields-under shapes JSON: add -o json or -o json-pretty, or leave it out");
	if (filter_compile(&o->filter, err, sizeof(err)) != 0)
		return usage_bad_value("-g", o->filter.pattern, "not a regular expression: %s", err);
	return OPTIONS_RUN;
}

void options_free(struct options *o)
{
	free(o->sources);
	o->sources = NULL;
	filter_free(&o->filter);
}

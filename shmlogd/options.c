/* options.c - parses shmlogd's command line into struct options and prints --help. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"
#include "ids.h"
#include "options.h"
#include "program.h"
#include "shmlog.h"
#include "size.h"

/* --help after the output's options: rotation, trust, scheduling, exit statuses. */
static void usage_rest(FILE *f)
{
	fprintf(f,
		"Rotation (the output is renamed to PATH.YYYYMMDDTHHMMSS.uuuuuuZ):\n"
		"      --rotate-size SIZE     rotate before the file would exceed SIZE\n"
		"                             (default 0: never)\n"
		"      --rotate-interval T    hourly, daily or seconds, on UTC boundaries\n"
		"                             (default 0: never)\n"
		"      --keep N               rotated files to keep, 0 for no limit (default %d)\n"
		"      --max-age AGE          delete rotated files older than AGE: seconds or\n"
		"                             with s, m, h, d suffix (default 0: no limit)\n"
		"      --compress METHOD      none, gzip or zstd for rotated files (default %s)\n"
		"\n"
		"Trust (shmlogd refuses what another user could have planted or can read):\n"
		"      --allow-owner USER     accept a ring, output file, state file or\n"
		"                             directory owned by USER (name or number) as\n"
		"                             if it were shmlogd's own; modes are still checked\n"
		"\n"
		"Forwarding (RFC 5424 to a central rsyslog; docs/FORWARDING.md):\n"
		"      --forward URL          relp://HOST:PORT, relp+tls://HOST:PORT or\n"
		"                             tcp://HOST:PORT (octet-counted); repeatable\n"
		"      --forward-ca FILE      CA that signed the server's certificate\n"
		"                             (required by relp+tls://)\n"
		"      --forward-cert FILE    our certificate, with --forward-key FILE\n"
		"      --forward-facility F   syslog facility name or 0-23 (default %s)\n"
		"\n"
		"Scheduling:\n"
		"      --nice N               priority to run at, -20 to 19 (default %d where\n"
		"                             permitted, if started at nice 0): writers that\n"
		"                             find the ring full wait for shmlogd, so it runs\n"
		"                             ahead of them\n"
		"\n"
		"  -h, --help                 show this help and exit\n"
		"  -V, --version              show the version and exit\n"
		"\n",
		DEFAULT_KEEP, DEFAULT_COMPRESS_NAME, FORWARD_DEFAULT_FACILITY_NAME, DEFAULT_NICE);
	cli_print_exit_statuses(f, this_program.id);
	fprintf(f, "0 is also a stop by SIGTERM or SIGINT with everything written.\n"
		   "See shmlogd(8) and docs/COLLECTOR.md.\n");
}

static void usage(FILE *f)
{
	char size[32], min[32], max[32];

	fprintf(f,
		"Usage: shmlogd --ring NAME --output PATH [OPTION]...\n"
		"Drain the shared-memory log ring NAME into the file PATH, in the foreground.\n"
		"SIGTERM/SIGINT: write everything committed, then exit 0. SIGHUP: reopen PATH.\n"
		"\n"
		"Ring (--size, --mode, --group and --on-full apply when shmlogd creates it):\n"
		"  -r, --ring NAME            ring name: 1-%d characters of [A-Za-z0-9._-]\n"
		"      --size SIZE            data area, a power of two from %s to %s, with\n"
		"                             K, M or G suffix (default %s)\n"
		"      --mode MODE            ring permissions, octal (default %04o)\n"
		"      --group GROUP          ring group, name or number (default: yours)\n"
		"      --on-full POLICY       writers' full-ring policy: block, drop or\n"
		"                             timeout:MS (default %s)\n"
		"\n"
		"Output:\n"
		"  -o, --output PATH          file to append to; never follows a symlink\n"
		"  -f, --format FORMAT        text or json (default %s)\n"
		"      --fields-under NAME    json: records' fields under NAME, not at the top\n"
		"                             level: labels (ECS labels: values as strings),\n"
		"                             or a name of your own such as myapp\n"
		"      --output-mode MODE     permissions of files created, octal (default %04o)\n"
		"      --flush-interval MS    longest a record waits in memory before it is\n"
		"                             written, in milliseconds (default %d)\n"
		"      --fsync POLICY         none, interval:MS or always (default %s);\n"
		"                             a batch holding a critical record is synced at\n"
		"                             once unless POLICY is none\n"
		"\n",
		SHMLOG_NAME_MAX, cli_size_name(SHMLOG_MIN_SIZE, min, sizeof(min)),
		cli_size_name(SHMLOG_MAX_SIZE, max, sizeof(max)),
		cli_size_name(SHMLOG_DEFAULT_SIZE, size, sizeof(size)), DEFAULT_RING_MODE,
		DEFAULT_ON_FULL_NAME, DEFAULT_FORMAT_NAME, DEFAULT_OUTPUT_MODE, DEFAULT_FLUSH_INTERVAL_MS,
		DEFAULT_FSYNC_NAME);
	usage_rest(f);
}

static int bad(const char *opt, const char *val, const char *why)
{
	usage_bad_value(opt, val, "%s", why);
	return -1;
}

/* A decimal number in [0, max], nothing else. */
static int parse_num(const char *s, uint64_t max, uint64_t *out)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end || v > max)
		return -1;
	*out = v;
	return 0;
}

/* A nice value: an optional '-', then digits, from -20 to 19. */
static int parse_nice(const char *s, int *out)
{
	int neg = s[0] == '-';
	uint64_t v;

	if (parse_num(s + neg, neg ? 20 : 19, &v) < 0)
		return -1;
	*out = neg ? -(int)v : (int)v;
	return 0;
}

/* "90", "90s", "15m", "12h", "7d" -> seconds, at most INT32_MAX days. */
static int parse_duration(const char *s, int64_t *out)
{
	static const struct {
		char unit;
		uint64_t secs;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
	uint64_t mult = 1, v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	if (*end) {
		size_t i = 0;
		while (i < sizeof(units) / sizeof(units[0]) && units[i].unit != *end)
			i++;
		if (i == sizeof(units) / sizeof(units[0]) || end[1])
			return -1;
		mult = units[i].secs;
	}
	if (v > (uint64_t)INT32_MAX * 86400 / mult)
		return -1;
	*out = (int64_t)(v * mult);
	return 0;
}

static int parse_group(const char *s, gid_t *out)
{
	uint64_t v;
	struct group *g = getgrnam(s);

	if (g) {
		*out = g->gr_gid;
		return 0;
	}
	if (parse_num(s, INT32_MAX, &v) < 0)
		return -1;
	*out = (gid_t)v;
	return 0;
}

/* The fixed words an option takes, and what each sets. */
struct word {
	const char *name;
	int value;
};

static const struct word format_words[] = {
	{"text", SHMLOG_FORMAT_TEXT}, {"json", SHMLOG_FORMAT_JSON}, {NULL, 0}};
static const struct word on_full_words[] = {
	{"block", SHMLOG_ON_FULL_BLOCK}, {"drop", SHMLOG_ON_FULL_DROP}, {NULL, 0}};
static const struct word fsync_words[] = {
	{"none", FSYNC_NONE}, {"always", FSYNC_ALWAYS}, {NULL, 0}};
static const struct word rotate_words[] = {
	{"hourly", ROTATE_HOURLY}, {"daily", ROTATE_DAILY}, {NULL, 0}};
static const struct word compress_words[] = {
	{"none", COMPRESS_NONE}, {"gzip", COMPRESS_GZIP}, {"zstd", COMPRESS_ZSTD}, {NULL, 0}};

static int parse_word(const struct word *w, const char *s, int *out)
{
	for (; w->name; w++)
		if (!strcmp(s, w->name)) {
			*out = w->value;
			return 0;
		}
	return -1;
}

/* PREFIX, then milliseconds from 1 to INT32_MAX: "timeout:MS", "interval:MS". */
static int parse_prefixed_ms(const char *s, const char *prefix, int *out)
{
	size_t n = strlen(prefix);
	uint64_t ms;

	if (strncmp(s, prefix, n) || parse_num(s + n, INT32_MAX, &ms) < 0 || ms == 0)
		return -1;
	*out = (int)ms;
	return 0;
}

/* ---- one setter an option: 0, or -1 for a value it refuses (the table below says why) ---- */

static int set_ring(struct options *o, const char *s)
{
	o->ring = s;
	return 0;
}

static int set_output(struct options *o, const char *s)
{
	if (!*s)
		return -1;
	o->output = s;
	return 0;
}

static int set_format(struct options *o, const char *s)
{
	return parse_word(format_words, s, &o->format);
}

static int set_fields_under(struct options *o, const char *s)
{
	o->fields_under = s;
	return cli_fields_under_check(s);
}

/* What a setter whose table entry has no fixed refusal says is wrong. */
static char refusal[160];

static int set_size(struct options *o, const char *s)
{
	if (cli_parse_size(s, &o->ring_size) < 0) {
		cli_ring_size_hint(refusal, sizeof(refusal));
		return -1;
	}
	if (cli_ring_size_check(o->ring_size, refusal, sizeof(refusal)) < 0)
		return -1;
	o->size_given = 1;
	return 0;
}

static int set_ring_mode(struct options *o, const char *s)
{
	return tool_parse_mode(s, &o->ring_mode);
}

static int set_group(struct options *o, const char *s)
{
	o->group_given = 1;
	return parse_group(s, &o->ring_group);
}

static int set_on_full(struct options *o, const char *s)
{
	o->on_full_given = 1;
	o->full_timeout_ms = 0;
	if (parse_word(on_full_words, s, &o->on_full) == 0)
		return 0;
	if (parse_prefixed_ms(s, "timeout:", &o->full_timeout_ms) < 0)
		return -1;
	o->on_full = SHMLOG_ON_FULL_TIMEOUT;
	return 0;
}

static int set_output_mode(struct options *o, const char *s)
{
	return tool_parse_mode(s, &o->output_mode);
}

static int set_flush_interval(struct options *o, const char *s)
{
	uint64_t v;

	if (parse_num(s, 3600 * 1000, &v) < 0 || v == 0)
		return -1;
	o->flush_interval_ms = (int)v;
	return 0;
}

static int set_fsync(struct options *o, const char *s)
{
	int v;

	if (parse_word(fsync_words, s, &v) == 0) {
		o->fsync = (enum fsync_policy)v;
		return 0;
	}
	if (parse_prefixed_ms(s, "interval:", &o->fsync_interval_ms) < 0)
		return -1;
	o->fsync = FSYNC_INTERVAL;
	return 0;
}

static int set_rotate_size(struct options *o, const char *s)
{
	return cli_parse_size(s, &o->rotate_size) < 0 ? -1 : 0;
}

static int set_rotate_interval(struct options *o, const char *s)
{
	int v;

	if (parse_word(rotate_words, s, &v) == 0) {
		o->rotate_interval = v;
		return 0;
	}
	return parse_duration(s, &o->rotate_interval);
}

static int set_keep(struct options *o, const char *s)
{
	uint64_t v;

	if (parse_num(s, 100000, &v) < 0)
		return -1;
	o->keep = (unsigned)v;
	return 0;
}

static int set_max_age(struct options *o, const char *s)
{
	return parse_duration(s, &o->max_age);
}

static int set_compress(struct options *o, const char *s)
{
	int v;

	if (parse_word(compress_words, s, &v) < 0)
		return -1;
	o->compress = (enum compress)v;
	return 0;
}

static int set_nice(struct options *o, const char *s)
{
	if (parse_nice(s, &o->nice) < 0)
		return -1;
	o->nice_given = 1;
	return 0;
}

static int set_allow_owner(struct options *o, const char *s)
{
	o->allow_owner_given = 1;
	return tool_parse_user(s, &o->allow_owner);
}

static int set_forward(struct options *o, const char *s)
{
	return forward_config_add_url(&o->forward, s);
}

static int set_forward_ca(struct options *o, const char *s)
{
	return forward_config_set_ca(&o->forward, s);
}

static int set_forward_cert(struct options *o, const char *s)
{
	return forward_config_set_cert(&o->forward, s);
}

static int set_forward_key(struct options *o, const char *s)
{
	return forward_config_set_key(&o->forward, s);
}

static int set_forward_facility(struct options *o, const char *s)
{
	return forward_config_set_facility(&o->forward, s);
}

enum {
	OPT_SIZE = 256,
	OPT_MODE,
	OPT_GROUP,
	OPT_ON_FULL,
	OPT_OUTPUT_MODE,
	OPT_FLUSH_INTERVAL,
	OPT_FSYNC,
	OPT_ROTATE_SIZE,
	OPT_ROTATE_INTERVAL,
	OPT_KEEP,
	OPT_MAX_AGE,
	OPT_COMPRESS,
	OPT_NICE,
	OPT_ALLOW_OWNER,
	OPT_FIELDS_UNDER,
	OPT_FORWARD,
	OPT_FORWARD_CA,
	OPT_FORWARD_CERT,
	OPT_FORWARD_KEY,
	OPT_FORWARD_FACILITY,
};

/* Every option, once: getopt's table is made from this one (long_options()), and apply() finds
 * the option's setter here, with what the usage error tells a value it refuses. The order is
 * getopt's too. */
static const struct setting {
	const char *name;
	int opt;
	int (*set)(struct options *o, const char *arg); /* NULL: --help, --version (no value) */
	const char *refused; /* NULL: the setter wrote it to refusal */
} settings[] = {
	{"ring", 'r', set_ring, NULL},
	{"output", 'o', set_output, "give the path of the file to write"},
	{"format", 'f', set_format, "use text or json"},
	{"fields-under", OPT_FIELDS_UNDER, set_fields_under, CLI_FIELDS_UNDER_RULE},
	{"size", OPT_SIZE, set_size, NULL /* refusal */},
	{"mode", OPT_MODE, set_ring_mode, "use octal up to 0777, e.g. 0660"},
	{"group", OPT_GROUP, set_group, "no such group name, and not a number"},
	{"on-full", OPT_ON_FULL, set_on_full, "use block, drop or timeout:MS"},
	{"output-mode", OPT_OUTPUT_MODE, set_output_mode, "use octal up to 0777, e.g. 0640"},
	{"flush-interval", OPT_FLUSH_INTERVAL, set_flush_interval,
	 "use milliseconds from 1 to 3600000"},
	{"fsync", OPT_FSYNC, set_fsync, "use none, interval:MS or always"},
	{"rotate-size", OPT_ROTATE_SIZE, set_rotate_size, "use a size such as 100M or 1G"},
	{"rotate-interval", OPT_ROTATE_INTERVAL, set_rotate_interval,
	 "use hourly, daily or seconds (s, m, h, d suffix)"},
	{"keep", OPT_KEEP, set_keep, "use a number of files from 0 (no limit) to 100000"},
	{"max-age", OPT_MAX_AGE, set_max_age, "use seconds, or a number with s, m, h or d"},
	{"compress", OPT_COMPRESS, set_compress, "use none, gzip or zstd"},
	{"nice", OPT_NICE, set_nice, "use a number from -20 to 19"},
	{"allow-owner", OPT_ALLOW_OWNER, set_allow_owner, "no such user name, and not a number"},
	{"forward", OPT_FORWARD, set_forward, "give at most 8 --forward targets"},
	{"forward-ca", OPT_FORWARD_CA, set_forward_ca, "give the path of a PEM file"},
	{"forward-cert", OPT_FORWARD_CERT, set_forward_cert, "give the path of a PEM file"},
	{"forward-key", OPT_FORWARD_KEY, set_forward_key, "give the path of a PEM file"},
	{"forward-facility", OPT_FORWARD_FACILITY, set_forward_facility,
	 "use a facility name (user, daemon, local0 ... local7) or a number from 0 to 23"},
	{"help", 'h', NULL, NULL},
	{"version", 'V', NULL, NULL},
};

#define NSETTINGS (sizeof(settings) / sizeof(settings[0]))

/* getopt_long's table of SETTINGS, ended by a zeroed entry. */
static void long_options(struct option out[NSETTINGS + 1])
{
	for (size_t i = 0; i < NSETTINGS; i++)
		out[i] = (struct option){settings[i].name,
					 settings[i].set ? required_argument : no_argument, NULL,
					 settings[i].opt};
	out[NSETTINGS] = (struct option){NULL, 0, NULL, 0};
}

/* Applies one option. Returns 0, 1 (help/version printed) or -1 (error printed). */
static int apply(struct options *o, int opt, const char *arg)
{
	const char *name = cli_option();

	for (size_t i = 0; i < NSETTINGS; i++)
		if (settings[i].opt == opt && settings[i].set)
			return settings[i].set(o, arg) < 0
				       ? bad(name, arg, settings[i].refused ? settings[i].refused : refusal)
				       : 0;
	switch (opt) {
	case 'h':
		usage(stdout);
		return 1;
	case 'V':
		printf("shmlogd (shmlog) %s\n", shmlog_version());
		return 1;
	default: /* cli_getopt() has said what is wrong */
		return -1;
	}
}

int options_parse(struct options *o, int argc, char **argv)
{
	*o = (struct options){
		.format = SHMLOG_FORMAT_TEXT,
		.on_full = SHMLOG_ON_FULL_BLOCK,
		.ring_mode = DEFAULT_RING_MODE,
		.output_mode = DEFAULT_OUTPUT_MODE,
		.flush_interval_ms = DEFAULT_FLUSH_INTERVAL_MS,
		.keep = DEFAULT_KEEP,
		.compress = COMPRESS_NONE,
		.fsync = FSYNC_INTERVAL,
		.fsync_interval_ms = DEFAULT_FSYNC_INTERVAL_MS,
		.nice = DEFAULT_NICE,
	};
	struct option long_opts[NSETTINGS + 1];
	int opt;
	char why[512];

	forward_config_init(&o->forward);
	long_options(long_opts);
	while ((opt = cli_getopt(argc, argv, "r:o:f:hV", long_opts)) != -1) {
		int r = apply(o, opt, optarg);
		if (r)
			return r;
	}
	if (optind < argc) {
		usage_unexpected(argv[optind], "shmlogd takes options only");
		return -1;
	}
	if (!o->ring || !o->output) {
		usage_required(!o->ring ? "--ring NAME" : "--output PATH");
		return -1;
	}
	if (o->fields_under && *o->fields_under && o->format != SHMLOG_FORMAT_JSON) {
		usage_error("--fields-under shapes JSON lines: add --format json, or leave it out");
		return -1;
	}
	int json = o->format == SHMLOG_FORMAT_JSON;
	if (forward_config_check(&o->forward, json, why, sizeof(why)) < 0) {
		usage_error("%s", why);
		return -1;
	}
	return 0;
}

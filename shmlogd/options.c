/* options.c - parses shmlogd's command line into struct options and prints --help. */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "options.h"
#include "program.h"
#include "shmlog.h"

/* "4M", "64K": a size as --size takes it. */
static const char *size_name(uint64_t v, char *buf, size_t cap)
{
	if (v % (1024 * 1024) == 0)
		snprintf(buf, cap, "%" PRIu64 "M", v / (1024 * 1024));
	else
		snprintf(buf, cap, "%" PRIu64 "K", v / 1024);
	return buf;
}

static void usage(FILE *f)
{
	char size[32];

	fprintf(f,
		"Usage: shmlogd --ring NAME --output PATH [OPTION]...\n"
		"Drain the shared-memory log ring NAME into the file PATH, in the foreground.\n"
		"SIGTERM/SIGINT: write everything committed, then exit 0. SIGHUP: reopen PATH.\n"
		"\n"
		"Ring (--size, --mode, --group and --on-full apply when shmlogd creates it):\n"
		"  -r, --ring NAME            ring name: 1-%d characters of [A-Za-z0-9._-]\n"
		"      --size SIZE            data area, a power of two with K, M or G suffix\n"
		"                             (default %s)\n"
		"      --mode MODE            ring permissions, octal (default %04o)\n"
		"      --group GROUP          ring group, name or number (default: yours)\n"
		"      --on-full POLICY       writers' full-ring policy: block, drop or\n"
		"                             timeout:MS (default %s)\n"
		"\n"
		"Output:\n"
		"  -o, --output PATH          file to append to; never follows a symlink\n"
		"  -f, --format FORMAT        text or json (default %s)\n"
		"      --output-mode MODE     permissions of files created, octal (default %04o)\n"
		"      --flush-interval MS    longest a record waits in memory before it is\n"
		"                             written, in milliseconds (default %d)\n"
		"      --fsync POLICY         none, interval:MS or always (default %s);\n"
		"                             a batch holding a critical record is synced at\n"
		"                             once unless POLICY is none\n"
		"\n"
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
		"Scheduling:\n"
		"      --nice N               priority to run at, -20 to 19 (default %d where\n"
		"                             permitted, if started at nice 0): writers that\n"
		"                             find the ring full wait for shmlogd, so it runs\n"
		"                             ahead of them\n"
		"\n"
		"  -h, --help                 show this help and exit\n"
		"  -V, --version              show the version and exit\n"
		"\n"
		"Exit status: 0 after SIGTERM/SIGINT with everything written; otherwise a\n"
		"sysexits.h code (64 usage, 66 no ring, 73 output not creatable, 74 output\n"
		"failing at exit, 75 ring busy, 65 not a ring, 77 no permission, or a file\n"
		"or directory refused as another user's or too open).\n"
		"See shmlogd(8) and docs/COLLECTOR.md.\n",
		SHMLOG_NAME_MAX, size_name(SHMLOG_DEFAULT_SIZE, size, sizeof(size)), DEFAULT_RING_MODE, DEFAULT_ON_FULL_NAME,
		DEFAULT_FORMAT_NAME, DEFAULT_OUTPUT_MODE, DEFAULT_FLUSH_INTERVAL_MS, DEFAULT_FSYNC_NAME,
		DEFAULT_KEEP, DEFAULT_COMPRESS_NAME, DEFAULT_NICE);
}

static int bad(const char *opt, const char *val, const char *why)
{
	usage_error("%s '%s': %s", opt, val, why);
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

static int parse_on_full(struct options *o, const char *s)
{
	uint64_t ms;

	o->full_timeout_ms = 0;
	if (!strcmp(s, "block"))
		o->on_full = SHMLOG_ON_FULL_BLOCK;
	else if (!strcmp(s, "drop"))
		o->on_full = SHMLOG_ON_FULL_DROP;
	else if (!strncmp(s, "timeout:", 8) && parse_num(s + 8, INT32_MAX, &ms) == 0 && ms > 0) {
		o->on_full = SHMLOG_ON_FULL_TIMEOUT;
		o->full_timeout_ms = (int)ms;
	} else
		return -1;
	return 0;
}

static int parse_fsync(struct options *o, const char *s)
{
	uint64_t ms;

	if (!strcmp(s, "none"))
		o->fsync = FSYNC_NONE;
	else if (!strcmp(s, "always"))
		o->fsync = FSYNC_ALWAYS;
	else if (!strncmp(s, "interval:", 9) && parse_num(s + 9, INT32_MAX, &ms) == 0 && ms > 0) {
		o->fsync = FSYNC_INTERVAL;
		o->fsync_interval_ms = (int)ms;
	} else
		return -1;
	return 0;
}

static int parse_rotate_interval(struct options *o, const char *s)
{
	if (!strcmp(s, "hourly"))
		o->rotate_interval = ROTATE_HOURLY;
	else if (!strcmp(s, "daily"))
		o->rotate_interval = ROTATE_DAILY;
	else
		return parse_duration(s, &o->rotate_interval);
	return 0;
}

static int parse_compress(struct options *o, const char *s)
{
	if (!strcmp(s, "none"))
		o->compress = COMPRESS_NONE;
	else if (!strcmp(s, "gzip"))
		o->compress = COMPRESS_GZIP;
	else if (!strcmp(s, "zstd"))
		o->compress = COMPRESS_ZSTD;
	else
		return -1;
	return 0;
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
};

static const struct option long_opts[] = {
	{"ring", required_argument, NULL, 'r'},
	{"output", required_argument, NULL, 'o'},
	{"format", required_argument, NULL, 'f'},
	{"size", required_argument, NULL, OPT_SIZE},
	{"mode", required_argument, NULL, OPT_MODE},
	{"group", required_argument, NULL, OPT_GROUP},
	{"on-full", required_argument, NULL, OPT_ON_FULL},
	{"output-mode", required_argument, NULL, OPT_OUTPUT_MODE},
	{"flush-interval", required_argument, NULL, OPT_FLUSH_INTERVAL},
	{"fsync", required_argument, NULL, OPT_FSYNC},
	{"rotate-size", required_argument, NULL, OPT_ROTATE_SIZE},
	{"rotate-interval", required_argument, NULL, OPT_ROTATE_INTERVAL},
	{"keep", required_argument, NULL, OPT_KEEP},
	{"max-age", required_argument, NULL, OPT_MAX_AGE},
	{"compress", required_argument, NULL, OPT_COMPRESS},
	{"nice", required_argument, NULL, OPT_NICE},
	{"allow-owner", required_argument, NULL, OPT_ALLOW_OWNER},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, 'V'},
	{NULL, 0, NULL, 0},
};

/* Applies one option. Returns 0, 1 (help/version printed) or -1 (error printed). */
static int apply(struct options *o, int opt, const char *arg, const char *name)
{
	uint64_t v;

	switch (opt) {
	case 'r':
		o->ring = arg;
		return 0;
	case 'o':
		if (!*arg)
			return bad(name, arg, "give the path of the file to write");
		o->output = arg;
		return 0;
	case 'f':
		if (!strcmp(arg, "text"))
			o->format = SHMLOG_FORMAT_TEXT;
		else if (!strcmp(arg, "json"))
			o->format = SHMLOG_FORMAT_JSON;
		else
			return bad(name, arg, "use text or json");
		return 0;
	case OPT_SIZE:
		if (shmlog_parse_size(arg, &o->ring_size) < 0 || o->ring_size == 0)
			return bad(name, arg, "use a size such as 64K, 4M or 1G");
		o->size_given = 1;
		return 0;
	case OPT_MODE:
		return tool_parse_mode(arg, &o->ring_mode) < 0 ? bad(name, arg, "use octal up to 0777, e.g. 0660")
							  : 0;
	case OPT_GROUP:
		o->group_given = 1;
		return parse_group(arg, &o->ring_group) < 0
			       ? bad(name, arg, "no such group name, and not a number")
			       : 0;
	case OPT_ON_FULL:
		o->on_full_given = 1;
		return parse_on_full(o, arg) < 0 ? bad(name, arg, "use block, drop or timeout:MS") : 0;
	case OPT_OUTPUT_MODE:
		return tool_parse_mode(arg, &o->output_mode) < 0
			       ? bad(name, arg, "use octal up to 0777, e.g. 0640")
			       : 0;
	case OPT_FLUSH_INTERVAL:
		if (parse_num(arg, 3600 * 1000, &v) < 0 || v == 0)
			return bad(name, arg, "use milliseconds from 1 to 3600000");
		o->flush_interval_ms = (int)v;
		return 0;
	case OPT_FSYNC:
		return parse_fsync(o, arg) < 0 ? bad(name, arg, "use none, interval:MS or always") : 0;
	case OPT_ROTATE_SIZE:
		return shmlog_parse_size(arg, &o->rotate_size) < 0
			       ? bad(name, arg, "use a size such as 100M or 1G")
			       : 0;
	case OPT_ROTATE_INTERVAL:
		return parse_rotate_interval(o, arg) < 0
			       ? bad(name, arg, "use hourly, daily or seconds (s, m, h, d suffix)")
			       : 0;
	case OPT_KEEP:
		if (parse_num(arg, 100000, &v) < 0)
			return bad(name, arg, "use a number of files from 0 (no limit) to 100000");
		o->keep = (unsigned)v;
		return 0;
	case OPT_MAX_AGE:
		return parse_duration(arg, &o->max_age) < 0
			       ? bad(name, arg, "use seconds, or a number with s, m, h or d")
			       : 0;
	case OPT_COMPRESS:
		return parse_compress(o, arg) < 0 ? bad(name, arg, "use none, gzip or zstd") : 0;
	case OPT_NICE:
		if (parse_nice(arg, &o->nice) < 0)
			return bad(name, arg, "use a number from -20 to 19");
		o->nice_given = 1;
		return 0;
	case OPT_ALLOW_OWNER:
		o->allow_owner_given = 1;
		return tool_parse_user(arg, &o->allow_owner) < 0
			       ? bad(name, arg, "no such user name, and not a number")
			       : 0;
	case 'h':
		usage(stdout);
		return 1;
	case 'V':
		printf("shmlogd (shmlog) %s\n", shmlog_version());
		return 1;
	case ':':
		usage_error("%s needs an argument", name);
		return -1;
	default:
		usage_error("unknown option '%s'", name);
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
	int opt, idx = -1;

	opterr = 0; /* our messages, in our format */
	while ((opt = getopt_long(argc, argv, ":r:o:f:hV", long_opts, &idx)) != -1) {
		char name[64];
		if (idx >= 0)
			snprintf(name, sizeof(name), "--%s", long_opts[idx].name);
		else if (opt == '?' || opt == ':')
			snprintf(name, sizeof(name), "%s", argv[optind - 1]);
		else
			snprintf(name, sizeof(name), "-%c", opt);
		int r = apply(o, opt, optarg, name);
		if (r)
			return r;
		idx = -1;
	}
	if (optind < argc) {
		usage_error("unexpected argument '%s'", argv[optind]);
		return -1;
	}
	if (!o->ring || !o->output) {
		usage_error("%s is required", !o->ring ? "--ring NAME" : "--output PATH");
		return -1;
	}
	return 0;
}

/* fuzz_options - shmlogd's and shmlogcat's command lines: each program's options_parse() on any
 * argv never crashes, never reads past an argument, never leaks, and either accepts, with every
 * setting in its documented range, or rejects with its usage status; and what the manual pages
 * document (durations, sizes, the fsync and on-full policies, octal modes, RFC 3339, relative
 * and journalctl times, journalctl priorities) agrees with reference parsers written here from
 * that documentation.
 *
 * Input: the first byte picks the mode (its value mod 4), the rest is
 *   0  shmlogd's arguments, separated by NUL bytes (each a heap copy of exactly its bytes and
 *      its NUL, so ASan flags a read past one)
 *   1  shmlogcat's arguments, likewise
 *   2  one string (up to the first NUL), given to every shmlogd option with a grammar
 *   3  one string, given to shmlogcat's --since, --until, -n, --interval, --pid, -p, -t, -l,
 *      KEY=VALUE
 *
 * Skipped: an argument with a '{' or more than 6 '+' (mode 1 would give it to regcomp as -g):
 * glibc's regcomp expands "x+" and "x{m,n}" by copying x, so 'y++++...' or '((a{99}){99}){99}'
 * takes memory exponential in the pattern (found by this fuzzer: libFuzzer's out-of-memory
 * after 7 minutes, the crash-grep-* input). It is a property of glibc, for a pattern the user
 * types, and POSIX leaves repeated repetitions undefined: not what this fuzzer is for.
 *
 * Both programs call their parser options_parse(); tests/fuzz/CMakeLists.txt builds each
 * program's options.c with its names prefixed (shmlogd_options_parse, shmlogcat_options_parse),
 * and this file includes both options.h with the same renaming. What the parsers print goes to
 * /dev/null unless SHMLOG_FUZZ_VERBOSE is set. TZ is UTC, so "local time" is UTC.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include "size.h"
#include "fuzz_util.h"
#include "shmlog.h"

#define options shmlogd_options
#define options_parse shmlogd_options_parse
#include "../../shmlogd/options.h"
#undef options
#undef options_parse

#define options shmlogcat_options
#define options_parse shmlogcat_options_parse
#define options_free shmlogcat_options_free
#include "../../shmlogcat/options.h"
#undef options
#undef options_parse
#undef options_free

#include "../../cli/program.h"

#define MAX_ARGS 64
#define NS 1000000000LL
#define MAX_RELATIVE_SEC (100LL * 366 * 86400) /* shmlogcat: "-N<unit>" reaches back a century */

/* Both parsers report usage errors through cli/program.c, which asks who the program
 * is; the name is only printed, and printing goes to /dev/null. */
const struct program this_program = {"fuzz_options", CLI_EVERY_PROGRAM};

static FILE *devnull;
static bool verbose;
static regex_t rfc3339, clock_time, epoch;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* YYYY-MM-DD, then optionally T/t/space HH:MM, optionally :SS and a fraction, then an
	 * optional zone Z/z or +HH:MM/-HHMM. Groups: 1-3 date, 5-6 time, 8 seconds, 10 fraction,
	 * 11 zone, 12 sign, 13-14 offset. */
	static const char re[] = "^([0-9]{4})-([0-9]{2})-([0-9]{2})"
				 "([Tt ]([0-9]{2}):([0-9]{2})(:([0-9]{2})([.,]([0-9]*))?)?)?"
				 "([Zz]|([+-])([0-9]{2}):?([0-9]{2}))?$";

	(void)argc;
	(void)argv;
	setenv("TZ", "UTC", 1);
	tzset();
	verbose = getenv("SHMLOG_FUZZ_VERBOSE") != NULL;
	devnull = fopen("/dev/null", "w");
	FZ_CHECK(devnull != NULL, "cannot open /dev/null");
	/* HH:MM, optionally :SS and a fraction (groups 1, 2, 4, 6); @SECONDS and a fraction (1, 3). */
	static const char clock_re[] = "^([0-9]{2}):([0-9]{2})(:([0-9]{2})([.,]([0-9]*))?)?$";
	static const char epoch_re[] = "^@([0-9]+)([.,]([0-9]*))?$";
	FZ_CHECK(regcomp(&rfc3339, re, REG_EXTENDED) == 0 &&
			 regcomp(&clock_time, clock_re, REG_EXTENDED) == 0 &&
			 regcomp(&epoch, epoch_re, REG_EXTENDED) == 0,
		 "reference regex does not compile");
	return 0;
}

/* ---- running a parser ------------------------------------------------------------------------ */

/* The parsers print usage errors and --help with stdio; glibc's stdout and stderr are plain
 * variables, pointed at /dev/null while a parser runs (a sanitizer report still reaches fd 2)
 * and back before any check can fail. */
static FILE *saved_out, *saved_err;

static void hush(void)
{
	saved_out = stdout;
	saved_err = stderr;
	if (!verbose)
		stdout = stderr = devnull;
}

static void unhush(void)
{
	stdout = saved_out;
	stderr = saved_err;
}

static int parse_shmlogd(struct shmlogd_options *o, int argc, char **argv)
{
	optind = 0; /* glibc: start afresh, as for a new program */
	hush();
	int r = shmlogd_options_parse(o, argc, argv);
	unhush();
	FZ_CHECK(r == 0 || r == 1 || r == -1, "shmlogd options_parse returned %d", r);
	return r;
}

static int parse_shmlogcat(struct shmlogcat_options *o, int argc, char **argv)
{
	optind = 0;
	opterr = 1; /* as a program starts: cli_getopt() must turn it off itself */
	hush();
	int r = shmlogcat_options_parse(o, argc, argv);
	unhush();
	FZ_CHECK(r == OPTIONS_RUN || r == 0 || r == EX_USAGE || r == EX_OSERR,
		 "shmlogcat options_parse returned %d", r);
	return r;
}

/* ---- what an accepted command line must hold ------------------------------------------------- */

static void check_shmlogd(const struct shmlogd_options *o)
{
	FZ_CHECK(o->ring && o->output && o->output[0], "accepted without --ring or --output");
	FZ_CHECK(o->format == SHMLOG_FORMAT_TEXT || o->format == SHMLOG_FORMAT_JSON, "format %d",
		 o->format);
	FZ_CHECK(o->on_full == SHMLOG_ON_FULL_BLOCK || o->on_full == SHMLOG_ON_FULL_DROP ||
			 (o->on_full == SHMLOG_ON_FULL_TIMEOUT && o->full_timeout_ms > 0),
		 "on-full %d/%d", o->on_full, o->full_timeout_ms);
	FZ_CHECK(o->ring_mode <= 0777 && o->output_mode <= 0777, "modes %o %o",
		 (unsigned)o->ring_mode, (unsigned)o->output_mode);
	FZ_CHECK(o->flush_interval_ms >= 1 && o->flush_interval_ms <= 3600000,
		 "flush interval %d", o->flush_interval_ms);
	FZ_CHECK(o->keep <= 100000, "keep %u", o->keep);
	FZ_CHECK(o->rotate_interval >= 0 && o->max_age >= 0, "rotate interval %" PRId64
		 ", max age %" PRId64, o->rotate_interval, o->max_age);
	FZ_CHECK(o->compress == COMPRESS_NONE || o->compress == COMPRESS_GZIP ||
			 o->compress == COMPRESS_ZSTD, "compress %d", (int)o->compress);
	FZ_CHECK(o->fsync == FSYNC_NONE || o->fsync == FSYNC_ALWAYS ||
			 (o->fsync == FSYNC_INTERVAL && o->fsync_interval_ms > 0),
		 "fsync %d/%d", (int)o->fsync, o->fsync_interval_ms);
	FZ_CHECK(o->forward.facility >= 0 && o->forward.facility <= 23, "facility %d",
		 o->forward.facility);
	FZ_CHECK(o->forward.nurls <= FORWARD_MAX_TARGETS, "%zu --forward", o->forward.nurls);
	FZ_CHECK(!o->forward.nurls || o->format == SHMLOG_FORMAT_JSON, "--forward with text");
	for (size_t i = 0; i < o->forward.nurls; i++) {
		const struct forward_target *t = &o->forward.targets[i];
		long port = strtol(t->port, NULL, 10);
		FZ_CHECK(t->host[0] && port >= 1 && port <= 65535, "--forward %s: host '%s' port '%s'",
			 o->forward.urls[i], t->host, t->port);
	}
}

static void check_shmlogcat(const struct shmlogcat_options *o)
{
	const struct filter *f = &o->filter;

	FZ_CHECK(o->mode == MODE_READ || o->mode == MODE_STATS || o->mode == MODE_LIST ||
			 o->mode == MODE_SET_LEVEL, "mode %d", (int)o->mode);
	/* Reading takes rings and files (names with a '/', or --file's); the other modes but
	 * --list take exactly one ring, the first one named. */
	FZ_CHECK(o->mode == MODE_LIST	? o->nsources == 0 && !o->ring
		 : o->mode == MODE_READ ? o->nsources > 0
					: o->ring != NULL,
		 "%zu sources, ring %s in mode %d", o->nsources, o->ring ? o->ring : "(none)",
		 (int)o->mode);
	const char *first_ring = NULL;
	for (size_t i = 0; i < o->nsources; i++) {
		const struct source_name *sn = &o->sources[i];
		FZ_CHECK(sn->is_file || (!strchr(sn->name, '=') && !strchr(sn->name, '/')),
			 "ring name %s holds '=' or '/'", sn->name);
		if (!sn->is_file && !first_ring)
			first_ring = sn->name;
	}
	FZ_CHECK(o->mode != MODE_READ || o->ring == first_ring, "ring %s is not the first named",
		 o->ring ? o->ring : "(none)");
	FZ_CHECK(o->lines == ALL_LINES || o->lines >= 0, "-n %lld", o->lines);
	FZ_CHECK(o->format == SHMLOG_FORMAT_TEXT || o->format == SHMLOG_FORMAT_JSON ||
			 o->format == SHMLOG_FORMAT_CAT, "format %d", o->format);
	FZ_CHECK(!o->pretty || o->format == SHMLOG_FORMAT_JSON, "json-pretty in format %d",
		 o->format);
	FZ_CHECK(!(o->reverse && o->follow), "-r accepted with -f");
	FZ_CHECK(o->interval_ms >= 0 && o->interval_ms <= 3600 * 1000, "interval %d ms",
		 o->interval_ms);
	FZ_CHECK(o->mode != MODE_SET_LEVEL ||
			 (o->level >= SHMLOG_DEBUG && o->level <= SHMLOG_CRITICAL),
		 "--set-level %d", o->level);
	FZ_CHECK(f->min_level >= 0 && f->min_level <= SHMLOG_CRITICAL, "-l %d", f->min_level);
	FZ_CHECK(f->max_level == INT_MAX ||
			 (f->max_level >= f->min_level && f->max_level < SHMLOG_CRITICAL),
		 "-p levels %d..%d", f->min_level, f->max_level);
	FZ_CHECK(!f->pattern == !f->has_regex, "-g given but not compiled, or the reverse");
	for (size_t i = 0; i < f->npids; i++)
		FZ_CHECK(f->pids[i] > 0, "--pid %d", (int)f->pids[i]);
	for (size_t i = 0; i < f->ntags; i++)
		FZ_CHECK(f->tags[i][0] && strlen(f->tags[i]) <= SHMLOG_MAX_TAG, "-t '%s'",
			 f->tags[i]);
	for (size_t i = 0; i < f->nfields; i++)
		FZ_CHECK(f->fields[i].key_len >= 1 && f->fields[i].key_len <= SHMLOG_MAX_KEY &&
				 f->fields[i].nvalues >= 1,
			 "field match %zu", i);
	FZ_CHECK(o->mode == MODE_READ || (!f->npids && !f->ntags && !f->nfields && !f->pattern),
		 "read filters accepted in mode %d", (int)o->mode);
}

/* ---- modes 0 and 1: any argv ----------------------------------------------------------------- */

static char *dup_str(const void *p, size_t n)
{
	char *s = malloc(n + 1);

	FZ_CHECK(s != NULL, "out of memory");
	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/* Whether regcomp would take memory exponential in S (see the top of the file). */
static bool regcomp_blowup(const char *s)
{
	int plus = 0;

	for (; *s; s++) {
		if (*s == '{')
			return true;
		plus += *s == '+';
	}
	return plus > 6;
}

static void fuzz_argv(bool cat, const uint8_t *p, size_t n)
{
	char *owned[MAX_ARGS + 1], *argv[MAX_ARGS + 2];
	int argc = 0;
	bool skip = false;

	owned[argc++] = dup_str(cat ? "shmlogcat" : "shmlogd", cat ? 9 : 7);
	while (n && argc < MAX_ARGS + 1) {
		const uint8_t *nul = memchr(p, '\0', n);
		size_t len = nul ? (size_t)(nul - p) : n;
		owned[argc] = dup_str(p, len);
		skip = skip || (cat && regcomp_blowup(owned[argc]));
		argc++;
		p += len + (nul != NULL);
		n -= len + (nul != NULL);
	}
	memcpy(argv, owned, sizeof(*argv) * (size_t)argc); /* getopt_long reorders argv */
	argv[argc] = NULL;
	if (cat && !skip) {
		struct shmlogcat_options o;
		if (parse_shmlogcat(&o, argc, argv) == OPTIONS_RUN)
			check_shmlogcat(&o);
		shmlogcat_options_free(&o);
	} else if (!cat) {
		struct shmlogd_options o;
		if (parse_shmlogd(&o, argc, argv) == 0)
			check_shmlogd(&o);
	}
	for (int i = 0; i < argc; i++)
		free(owned[i]);
}

/* ---- reference parsers ----------------------------------------------------------------------- */

/* A run of decimal digits from S (at least one), as a number capped at 2^70; *end after it. */
static unsigned __int128 ref_digits(const char *s, const char **end)
{
	unsigned __int128 v = 0, cap = (unsigned __int128)1 << 70;

	for (*end = s; **end >= '0' && **end <= '9'; (*end)++) {
		v = v * 10 + (unsigned)(**end - '0');
		if (v > cap)
			v = cap;
	}
	return v;
}

/* Only decimal digits (at least one), at most MAX. */
static bool ref_number(const char *s, uint64_t max, uint64_t *out)
{
	const char *end;
	unsigned __int128 v = ref_digits(s, &end);

	if (end == s || *end || v > max)
		return false;
	*out = (uint64_t)v;
	return true;
}

/* shmlogd(8) --max-age, --rotate-interval: seconds, or a number with s, m, h or d; at most
 * INT32_MAX days. */
static bool ref_duration(const char *s, int64_t *out)
{
	const char *end;
	unsigned __int128 v = ref_digits(s, &end), mult = 1;

	if (end == s)
		return false;
	if (*end) {
		if (end[1])
			return false;
		switch (*end) {
		case 's':
			break;
		case 'm':
			mult = 60;
			break;
		case 'h':
			mult = 3600;
			break;
		case 'd':
			mult = 86400;
			break;
		default:
			return false;
		}
	}
	if (v * mult > (unsigned __int128)INT32_MAX * 86400)
		return false;
	*out = (int64_t)(v * mult);
	return true;
}

/* "WORD:N" with N decimal from 1 to INT32_MAX. */
static bool ref_prefixed_ms(const char *s, const char *word, int *out)
{
	size_t n = strlen(word);
	uint64_t v;

	if (strncmp(s, word, n) || s[n] != ':' || !ref_number(s + n + 1, INT32_MAX, &v) || !v)
		return false;
	*out = (int)v;
	return true;
}

/* Octal digits only, at most 0777: no setuid, setgid or sticky bit. */
static bool ref_mode(const char *s, mode_t *out)
{
	unsigned v = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '7' || (v = v * 8 + (unsigned)(*s - '0')) > 0777)
			return false;
	}
	*out = (mode_t)v;
	return true;
}

static int group_int(const char *s, regmatch_t m)
{
	int v = 0;

	for (regoff_t i = m.rm_so; i < m.rm_eo; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

/* A fraction's digits, S[M.rm_so..M.rm_eo), as nanoseconds (digits past the ninth ignored). */
static int64_t group_fraction(const char *s, regmatch_t m)
{
	int64_t frac = 0, scale = NS / 10;

	if (m.rm_so >= 0)
		for (regoff_t i = m.rm_so; i < m.rm_eo && scale; i++, scale /= 10)
			frac += (s[i] - '0') * scale;
	return frac;
}

/* journalctl's forms: today, yesterday, tomorrow (midnight), HH:MM[:SS[.fraction]] (today),
 * @SECONDS[.fraction]; local time is UTC here. */
static bool ref_journal_time(const char *s, int64_t now, __int128 *out)
{
	static const char *const days[] = {"yesterday", "today", "tomorrow"};
	__int128 midnight = (__int128)(now / (86400 * NS)) * 86400 * NS;
	regmatch_t m[7];

	for (int d = 0; d < 3; d++)
		if (!strcmp(s, days[d])) {
			*out = midnight + (__int128)(d - 1) * 86400 * NS;
			return true;
		}
	if (regexec(&clock_time, s, 7, m, 0) == 0) {
		int h = group_int(s, m[1]), mi = group_int(s, m[2]);
		int sec = m[4].rm_so >= 0 ? group_int(s, m[4]) : 0;
		if (h > 23 || mi > 59 || sec > 60)
			return false;
		*out = midnight + (__int128)(h * 3600 + mi * 60 + sec) * NS + group_fraction(s, m[6]);
		return true;
	}
	if (regexec(&epoch, s, 4, m, 0) == 0) {
		const char *end;
		*out = (__int128)ref_digits(s + 1, &end) * NS + group_fraction(s, m[3]);
		return *out <= INT64_MAX;
	}
	return false;
}

/* shmlogcat(1) --since/--until, parsed at NOW: RFC 3339 (a date alone, or without seconds, is
 * allowed; no zone means local time, UTC here), "now", -N with s, m, h, d or w (none: seconds),
 * at most a century back, or journalctl's forms (ref_journal_time). Absolute times must fit in
 * int64 nanoseconds. */
static bool ref_time(const char *s, int64_t now, __int128 *out)
{
	regmatch_t m[15];

	if (!strcmp(s, "now")) {
		*out = now;
		return true;
	}
	if (s[0] == '-') {
		const char *end;
		unsigned __int128 v = ref_digits(s + 1, &end);
		static const char units[] = "smhdw";
		static const int64_t secs[] = {1, 60, 3600, 86400, 7 * 86400};
		int64_t unit = 1;
		if (end == s + 1)
			return false;
		if (*end) {
			const char *u = strchr(units, *end);
			if (!u || end[1])
				return false;
			unit = secs[u - units];
		}
		if (v * (unsigned)unit > MAX_RELATIVE_SEC)
			return false;
		*out = now - (__int128)v * unit * NS;
		return true;
	}
	if (ref_journal_time(s, now, out))
		return true;
	if (regexec(&rfc3339, s, 15, m, 0) != 0)
		return false;
	int y = group_int(s, m[1]), mo = group_int(s, m[2]), d = group_int(s, m[3]);
	int h = m[5].rm_so >= 0 ? group_int(s, m[5]) : 0;
	int mi = m[6].rm_so >= 0 ? group_int(s, m[6]) : 0;
	int sec = m[8].rm_so >= 0 ? group_int(s, m[8]) : 0;
	int off = 0;
	if (m[13].rm_so >= 0) {
		int zh = group_int(s, m[13]), zm = group_int(s, m[14]);
		if (zh > 23 || zm > 59)
			return false;
		off = (s[m[12].rm_so] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
	}
	if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 60)
		return false;
	/* The day must exist: glibc's timegm normalises 02-30 to March; gmtime says so. */
	struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d}, back;
	time_t day = timegm(&tm);
	FZ_CHECK(gmtime_r(&day, &back) != NULL, "gmtime_r failed for year %d", y);
	if (back.tm_mday != d || back.tm_mon != mo - 1)
		return false;
	__int128 ns = ((__int128)day + h * 3600 + mi * 60 + sec - off) * NS + group_fraction(s, m[10]);
	if (ns < INT64_MIN || ns > INT64_MAX)
		return false;
	*out = ns;
	return true;
}

/* The syslog severity NAME (N bytes) stands for in shmlogcat(1) -p: 0-7, emerg .. debug, or a
 * shmlog level name (upper case too): debug 7, info 6, warning/warn 4, error/err 3,
 * critical/crit 2. -1 for anything else. */
static int ref_severity(const char *name, size_t n)
{
	static const char *const names[] = {"emerg", "alert",   "crit", "err",
					    "warning", "notice", "info", "debug"};
	static const struct {
		const char *name;
		int sev;
	} levels[] = {{"warn", 4}, {"error", 3}, {"critical", 2}};

	if (n == 1 && name[0] >= '0' && name[0] <= '7')
		return name[0] - '0';
	for (int i = 0; i < 8; i++)
		if (strlen(names[i]) == n && !strncasecmp(name, names[i], n))
			return i;
	for (int i = 0; i < 3; i++)
		if (strlen(levels[i].name) == n && !strncasecmp(name, levels[i].name, n))
			return levels[i].sev;
	return -1;
}

/* shmlogcat(1) -p: PRIORITY means 0..PRIORITY, FROM..TO either way round; the levels shown are
 * those whose severities meet it (critical stands for 0-2, error 3, warning 4, info 6, debug 7;
 * nothing for 5), at least one; a range that reaches critical has no upper bound. */
static bool ref_priority(const char *s, int *min, int *max)
{
	static const int worst[] = {[SHMLOG_DEBUG] = 7, 6, 4, 3, 0};
	static const int mildest[] = {[SHMLOG_DEBUG] = 7, 6, 4, 3, 2};
	const char *dots = strstr(s, "..");
	int a = dots ? ref_severity(s, (size_t)(dots - s)) : 0;
	int b = dots ? ref_severity(dots + 2, strlen(dots + 2)) : ref_severity(s, strlen(s));

	if (a < 0 || b < 0)
		return false;
	if (a > b) {
		int t = a;
		a = b;
		b = t;
	}
	*min = *max = 0;
	for (int level = SHMLOG_CRITICAL; level >= SHMLOG_DEBUG; level--)
		if (worst[level] <= b && mildest[level] >= a) {
			*min = level;
			*max = *max ? *max : level == SHMLOG_CRITICAL ? INT_MAX : level;
		}
	return *min != 0;
}

/* ---- mode 2: one value for every shmlogd option with a grammar ------------------------------- */

/* shmlogd --ring r --output o OPT VAL; returns options_parse's result. */
static int shmlogd_with(struct shmlogd_options *o, const char *opt, const char *val)
{
	char prog[] = "shmlogd", ring[] = "--ring", r[] = "r", output[] = "--output", out[] = "o";
	char *argv[] = {prog, ring, r, output, out, (char *)opt, (char *)val, NULL};
	int rc = parse_shmlogd(o, 7, argv);

	FZ_CHECK(rc == 0 || rc == -1, "%s '%s': options_parse returned %d", opt, val, rc);
	if (rc == 0)
		check_shmlogd(o);
	return rc;
}

#define AGREE(ok, rc, opt, s)                                                                \
	FZ_CHECK((ok) == ((rc) == 0), "%s '%s': reference %s, shmlogd %s", opt, s,           \
		 (ok) ? "accepts" : "rejects", (rc) == 0 ? "accepts" : "rejects")

/* The facility --forward-facility S names (RFC 5424 table 1), or -1. */
static int ref_facility(const char *s)
{
	static const char *const names[] = {"kern", "user", "mail", "daemon", "auth", "syslog",
					    "lpr", "news", "uucp", "cron", "authpriv", "ftp"};
	uint64_t v;

	for (int i = 0; i < 12; i++)
		if (!strcmp(s, names[i]))
			return i;
	if (!strncmp(s, "local", 5) && s[5] >= '0' && s[5] <= '7' && !s[6])
		return 16 + s[5] - '0';
	if (ref_number(s, 23, &v) && (s[0] != '0' || !s[1]))
		return (int)v;
	return -1;
}

/* Whether S is tcp://HOST:PORT as forward/url.c documents it (relp:// is refused in the fuzz
 * build, which has no librelp, and relp+tls:// without --forward-ca); *port set. */
static bool ref_tcp_url(const char *s, uint64_t *port)
{
	size_t n = 0;

	if (strncmp(s, "tcp://", 6))
		return false;
	s += 6;
	if (*s == '[') {
		for (s++; s[n] && (strchr("0123456789abcdefABCDEF:.%", s[n]) ||
				   (s[n] >= 'g' && s[n] <= 'z') || (s[n] >= 'G' && s[n] <= 'Z') ||
				   s[n] == '-');
		     n++)
			;
		if (!n || n > 255 || s[n] != ']')
			return false;
		s += n + 1;
	} else {
		while (s[n] && (strchr(".-", s[n]) || (s[n] >= '0' && s[n] <= '9') ||
				(s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z')))
			n++;
		if (!n || n > 255)
			return false;
		s += n;
	}
	return *s == ':' && s[1] != '0' && ref_number(s + 1, 65535, port) && *port > 0;
}

/* shmlogd --ring r --output o --format json --forward URL. */
static int shmlogd_forward_with(struct shmlogd_options *o, const char *url)
{
	char prog[] = "shmlogd", ring[] = "--ring", r[] = "r", output[] = "--output", out[] = "o",
	     format[] = "--format", json[] = "json", fwd[] = "--forward";
	char *argv[] = {prog, ring, r, output, out, format, json, fwd, (char *)url, NULL};
	int rc = parse_shmlogd(o, 9, argv);

	FZ_CHECK(rc == 0 || rc == -1, "--forward '%s': options_parse returned %d", url, rc);
	if (rc == 0)
		check_shmlogd(o);
	return rc;
}

static void check_forward_values(const char *s)
{
	struct shmlogd_options o;
	uint64_t port = 0;
	int f = ref_facility(s);
	int rc = shmlogd_with(&o, "--forward-facility", s);

	AGREE(f >= 0, rc, "--forward-facility", s);
	FZ_CHECK(f < 0 || o.forward.facility == f, "--forward-facility '%s': %d, reference %d", s,
		 o.forward.facility, f);
	bool ok = ref_tcp_url(s, &port);
	rc = shmlogd_forward_with(&o, s);
	AGREE(ok, rc, "--forward", s);
	FZ_CHECK(!ok || (o.forward.nurls == 1 && strtoull(o.forward.targets[0].port, NULL, 10) == port),
		 "--forward '%s': port %s, reference %" PRIu64, s, o.forward.targets[0].port, port);
}

static void check_shmlogd_values(const char *s)
{
	static const char *const durations[] = {"--max-age", "--rotate-interval"};
	static const char *const sizes[] = {"--size", "--rotate-size"};
	static const char *const modes[] = {"--mode", "--output-mode"};
	struct shmlogd_options o;
	int64_t secs = 0;
	uint64_t v = 0;
	mode_t mode = 0;
	bool ok;
	int rc, ms = 0;

	for (int i = 0; i < 2; i++) {
		rc = shmlogd_with(&o, durations[i], s);
		if (i == 1 && (!strcmp(s, "hourly") || !strcmp(s, "daily"))) {
			FZ_CHECK(rc == 0 && o.rotate_interval == (s[0] == 'h' ? 3600 : 86400),
				 "--rotate-interval %s", s);
			continue;
		}
		ok = ref_duration(s, &secs);
		AGREE(ok, rc, durations[i], s);
		if (ok)
			FZ_CHECK((i ? o.rotate_interval : o.max_age) == secs,
				 "%s '%s': %" PRId64 " s, reference %" PRId64, durations[i], s,
				 i ? o.rotate_interval : o.max_age, secs);
	}
	for (int i = 0; i < 2; i++) {
		uint64_t want = 0;
		rc = shmlogd_with(&o, sizes[i], s);
		/* fuzz_parsers checks cli_parse_size against a reference; a ring's size must be a
		 * power of two within the library's range, checked at once */
		ok = cli_parse_size(s, &want) == 0 &&
		     (i == 1 || (want >= SHMLOG_MIN_SIZE && want <= SHMLOG_MAX_SIZE &&
				 (want & (want - 1)) == 0));
		AGREE(ok, rc, sizes[i], s);
		if (ok)
			FZ_CHECK((i ? o.rotate_size : o.ring_size) == want && (i || o.size_given),
				 "%s '%s'", sizes[i], s);
	}
	for (int i = 0; i < 2; i++) {
		rc = shmlogd_with(&o, modes[i], s);
		ok = ref_mode(s, &mode);
		AGREE(ok, rc, modes[i], s);
		if (ok)
			FZ_CHECK((i ? o.output_mode : o.ring_mode) == mode, "%s '%s'", modes[i], s);
	}

	rc = shmlogd_with(&o, "--flush-interval", s);
	ok = ref_number(s, 3600000, &v) && v > 0;
	AGREE(ok, rc, "--flush-interval", s);
	FZ_CHECK(!ok || o.flush_interval_ms == (int)v, "--flush-interval '%s'", s);

	rc = shmlogd_with(&o, "--keep", s);
	ok = ref_number(s, 100000, &v);
	AGREE(ok, rc, "--keep", s);
	FZ_CHECK(!ok || o.keep == v, "--keep '%s'", s);

	rc = shmlogd_with(&o, "--fsync", s);
	ok = !strcmp(s, "none") || !strcmp(s, "always") || ref_prefixed_ms(s, "interval", &ms);
	AGREE(ok, rc, "--fsync", s);
	FZ_CHECK(!ok || (s[0] == 'n' && o.fsync == FSYNC_NONE) ||
			 (s[0] == 'a' && o.fsync == FSYNC_ALWAYS) ||
			 (o.fsync == FSYNC_INTERVAL && o.fsync_interval_ms == ms),
		 "--fsync '%s'", s);

	rc = shmlogd_with(&o, "--on-full", s);
	ok = !strcmp(s, "block") || !strcmp(s, "drop") || ref_prefixed_ms(s, "timeout", &ms);
	AGREE(ok, rc, "--on-full", s);
	FZ_CHECK(!ok || (s[0] == 'b' && o.on_full == SHMLOG_ON_FULL_BLOCK) ||
			 (s[0] == 'd' && o.on_full == SHMLOG_ON_FULL_DROP) ||
			 (o.on_full == SHMLOG_ON_FULL_TIMEOUT && o.full_timeout_ms == ms),
		 "--on-full '%s'", s);

	rc = shmlogd_with(&o, "--format", s);
	AGREE(!strcmp(s, "text") || !strcmp(s, "json"), rc, "--format", s);
	rc = shmlogd_with(&o, "--compress", s);
	AGREE(!strcmp(s, "none") || !strcmp(s, "gzip") || !strcmp(s, "zstd"), rc, "--compress", s);
	check_forward_values(s);
}

/* ---- mode 3: one value for shmlogcat's options with a grammar -------------------------------- */

static int64_t realtime_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

/* shmlogcat [ARGS...] ring: options_parse's result in *o (freed by the caller). */
static int shmlogcat_with(struct shmlogcat_options *o, int n, char **args)
{
	char prog[] = "shmlogcat", ring[] = "ring";
	char *argv[8] = {prog};

	for (int i = 0; i < n; i++)
		argv[i + 1] = args[i];
	argv[n + 1] = ring;
	argv[n + 2] = NULL;
	int rc = parse_shmlogcat(o, n + 2, argv);
	if (rc == OPTIONS_RUN)
		check_shmlogcat(o);
	else
		FZ_CHECK(rc == EX_USAGE || rc == EX_OSERR, "'%s': status %d", args[n - 1], rc);
	return rc;
}

static void check_times(char *s)
{
	char since[] = "--since", until[] = "--until";
	char *args[] = {since, s, until, s};
	struct shmlogcat_options o;
	__int128 lo = 0, hi = 0;
	int64_t before = realtime_ns();
	int rc = shmlogcat_with(&o, 4, args);
	int64_t after = realtime_ns();
	/* What depends on the moment of parsing ("now", -5m, today, 10:15) lies between the
	 * reference's answers just before and just after it. */
	bool ok = ref_time(s, before, &lo) && ref_time(s, after, &hi);

	FZ_CHECK(ok == (rc == OPTIONS_RUN), "--since '%s': reference %s, shmlogcat %s", s,
		 ok ? "accepts" : "rejects", rc == OPTIONS_RUN ? "accepts" : "rejects");
	if (ok) {
		const int64_t got[] = {o.filter.since_ns, o.filter.until_ns};
		for (int i = 0; i < 2; i++)
			FZ_CHECK(got[i] >= lo && got[i] <= hi,
				 "--%s '%s': %" PRId64 " ns, reference %" PRId64 " to %" PRId64,
				 i ? "until" : "since", s, got[i], (int64_t)lo, (int64_t)hi);
	}
	shmlogcat_options_free(&o);
}

static void check_shmlogcat_values(char *s)
{
	char opt_n[] = "-n", opt_interval[] = "--interval", opt_pid[] = "--pid", opt_p[] = "-p",
	     opt_t[] = "-t", opt_l[] = "-l", stats[] = "--stats";
	int min = 0, max = 0;
	struct shmlogcat_options o;
	uint64_t v;
	int rc;

	check_times(s);

	/* -n: a number of records, 0 or more. strtoll also takes leading blanks and a sign: what
	 * it accepts beyond the digits must still be 0 or more. */
	rc = shmlogcat_with(&o, 2, (char *[]){opt_n, s});
	if (ref_number(s, INT64_MAX, &v))
		FZ_CHECK(rc == OPTIONS_RUN && o.lines == (long long)v, "-n '%s'", s);
	shmlogcat_options_free(&o);

	rc = shmlogcat_with(&o, 3, (char *[]){stats, opt_interval, s});
	if (ref_number(s, 3600, &v))
		FZ_CHECK(rc == OPTIONS_RUN && o.interval_ms == (int)v * 1000, "--interval '%s'", s);
	shmlogcat_options_free(&o);

	rc = shmlogcat_with(&o, 2, (char *[]){opt_pid, s});
	if (ref_number(s, INT32_MAX, &v) && v > 0)
		FZ_CHECK(rc == OPTIONS_RUN && o.filter.npids == 1 && o.filter.pids[0] == (pid_t)v,
			 "--pid '%s'", s);
	shmlogcat_options_free(&o);

	rc = shmlogcat_with(&o, 2, (char *[]){opt_p, s});
	bool ok = ref_priority(s, &min, &max);
	FZ_CHECK(ok == (rc == OPTIONS_RUN) &&
			 (!ok || (o.filter.min_level == min && o.filter.max_level == max)),
		 "-p '%s': status %d, levels %d..%d, reference %s %d..%d", s, rc,
		 o.filter.min_level, o.filter.max_level, ok ? "accepts" : "rejects", min, max);
	shmlogcat_options_free(&o);

	rc = shmlogcat_with(&o, 2, (char *[]){opt_t, s});
	FZ_CHECK((rc == OPTIONS_RUN) == (*s && strlen(s) <= SHMLOG_MAX_TAG), "-t '%s': status %d",
		 s, rc);
	shmlogcat_options_free(&o);

	rc = shmlogcat_with(&o, 2, (char *[]){opt_l, s});
	FZ_CHECK((rc == OPTIONS_RUN) == (shmlog_level_parse(s) > 0) &&
			 (rc != OPTIONS_RUN || (o.filter.min_level == shmlog_level_parse(s) &&
						o.filter.max_level == INT_MAX)),
		 "-l '%s': status %d", s, rc);
	shmlogcat_options_free(&o);

	/* KEY=VALUE after the ring name (and "--", so that it is never an option): a key of 1 to
	 * SHMLOG_MAX_KEY bytes. */
	const char *eq = strchr(s, '=');
	char prog[] = "shmlogcat", dashes[] = "--", ring[] = "ring";
	char *argv[] = {prog, dashes, ring, s, NULL};
	rc = parse_shmlogcat(&o, eq ? 4 : 3, argv);
	if (eq) {
		size_t key = (size_t)(eq - s);
		FZ_CHECK((rc == OPTIONS_RUN) == (key >= 1 && key <= SHMLOG_MAX_KEY),
			 "field match '%s': status %d", s, rc);
		if (rc == OPTIONS_RUN)
			FZ_CHECK(o.filter.nfields == 1 && o.filter.fields[0].key_len == key &&
					 !strcmp(o.filter.fields[0].values[0].text, eq + 1),
				 "field match '%s'", s);
	}
	shmlogcat_options_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	int mode = data[0] % 4;
	const uint8_t *p = data + 1;
	size_t n = size - 1;

	if (mode < 2) {
		fuzz_argv(mode == 1, p, n);
		return 0;
	}
	const uint8_t *nul = memchr(p, '\0', n);
	char *s = dup_str(p, nul ? (size_t)(nul - p) : n);
	if (mode == 2)
		check_shmlogd_values(s);
	else
		check_shmlogcat_values(s);
	free(s);
	return 0;
}

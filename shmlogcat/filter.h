/* filter.h - which records shmlogcat shows: level, pids, tags, message regex, time window and
 * field matches, all of which must hold (values given for one pid, tag or key are alternatives). */
#ifndef SHMLOGCAT_FILTER_H
#define SHMLOGCAT_FILTER_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <shmlog.h>

/* One VALUE of a KEY=VALUE match, parsed once for each field type it could be compared with. */
struct field_value {
	const char *text;
	size_t len;
	int has_int, has_float, has_bool;
	int64_t i;
	double f;
	int b;
};

/* All the values given for one key: a record matches when one of its fields with that key
 * equals one of them. */
struct field_match {
	const char *key;
	size_t key_len;
	struct field_value *values;
	size_t nvalues;
};

struct filter {
	int min_level;    /* 0: any level */
	int max_level;    /* INT_MAX: any level; -p FROM..TO may lower it */
	pid_t *pids;      /* empty: any pid */
	size_t npids;
	const char **tags; /* exact tags or fnmatch(3) globs; empty: any tag */
	size_t ntags;
	const char *pattern; /* -g, compiled by filter_compile() */
	int icase;
	regex_t regex;
	int has_regex;
	int64_t since_ns, until_ns; /* inclusive bounds on the record's wall-clock time */
	struct field_match *fields;
	size_t nfields;
};

/* Empties *f: it then matches every record. */
void filter_init(struct filter *f);
void filter_free(struct filter *f);

/* Each add returns 0, or -1 when ARG is not valid for it (nothing is changed then) or memory ran
 * out (errno ENOMEM). ARG must outlive the filter. */
int filter_add_pid(struct filter *f, const char *arg);
int filter_add_tag(struct filter *f, const char *arg);
int filter_add_field(struct filter *f, const char *key_equals_value);

/* Compiles f->pattern (if set) as a POSIX extended regex. Returns 0, or a regcomp error with a
 * description in err. */
int filter_compile(struct filter *f, char *err, size_t errlen);

/* Parses a point in time: RFC 3339 ("2026-11-21T10:15:03Z", "2026-11-21 10:15:03.5+01:00"; no
 * offset means local time; a date alone means its midnight), "now", a time relative to NOW_NS
 * such as "-5m", "-90s", "-2h", "-1d", as journalctl(1) also takes: "today", "yesterday",
 * "tomorrow" (that day's midnight, local time), "HH:MM" or "HH:MM:SS[.fraction]" (today, local
 * time), or "@SECONDS[.fraction]" since the epoch. Returns 0, or -1 if S is none of these (or
 * out of the 64-bit nanosecond range). */
int filter_parse_time(const char *s, int64_t now_ns, int64_t *out_ns);

/* Parses a journalctl(1) priority for -p (priority.c): a syslog severity 0-7, a syslog name
 * (emerg, alert, crit, err, warning, notice, info, debug), or a shmlog level name, meaning that
 * severity or worse; or a range FROM..TO of them. On success sets the shmlog levels shown,
 * *MIN_LEVEL to *MAX_LEVEL (INT_MAX when the range reaches critical), and returns 0. Returns
 * PRIORITY_INVALID when S is none of these, PRIORITY_NO_LEVEL for a range that holds no shmlog
 * level (notice..notice: shmlog has no notice); nothing is changed then. */
enum { PRIORITY_INVALID = -1, PRIORITY_NO_LEVEL = -2 };
int filter_parse_priority(const char *s, int *min_level, int *max_level);

/* Whether REC passes every condition in F. */
int filter_match(const struct filter *f, const struct shmlog_record *rec);

#endif

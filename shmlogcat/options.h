/* options.h - shmlogcat's command line: what the user asked for, parsed and checked. */
#ifndef SHMLOGCAT_OPTIONS_H
#define SHMLOGCAT_OPTIONS_H

#include "filter.h"

#define PROGRAM_NAME "shmlogcat"

/* Defaults, shown by --help from these same constants. */
#define DEFAULT_FORMAT SHMLOG_FORMAT_TEXT
#define DEFAULT_COLOR COLOR_AUTO
#define DEFAULT_INTERVAL_MS 1000

#define ALL_LINES (-1LL)

enum mode {
	MODE_READ,      /* dump or follow records */
	MODE_STATS,     /* --stats */
	MODE_LIST,      /* --list */
	MODE_SET_LEVEL, /* --set-level */
};

enum color { COLOR_AUTO, COLOR_ALWAYS, COLOR_NEVER };

/* A place to read records from: a ring, or a file shmlogd wrote (logfile/). */
struct source_name {
	const char *name;
	int is_file;
};

struct options {
	enum mode mode;
	const char *ring;  /* the first ring named: the one --stats and --set-level look at */
	struct source_name *sources; /* every ring and file named, in order */
	size_t nsources;
	int merge;         /* --merge, or implied by several sources: interleave by time */
	int follow;
	int reverse;       /* -r: newest first; never with follow */
	int nice;          /* follow at this CPU priority (FOLLOW_NICE), or -1 to keep ours */
	long long lines;   /* -n: show only the last N records of the history; ALL_LINES */
	int format;        /* enum shmlog_format */
	int pretty;        /* -o json-pretty: format is JSON, and print.c indents each line */
	const char *fields_under; /* --fields-under: where JSON puts fields; NULL: top level */
	enum color color;
	int level;         /* --set-level */
	int interval_ms;   /* --stats rate measurement; 0: no rates */
	struct filter filter;
};

/* A follower yields the CPU to the processes it watches: it runs as SCHED_IDLE, or at this nice
 * value where that is refused. On an idle machine it still runs at once; on a saturated one it
 * falls behind and reports what it lost. */
#define FOLLOW_NICE 19

/* Returned by options_parse when the program should go on and run *opts. */
#define OPTIONS_RUN (-1)

/* Parses argv into *opts. Returns OPTIONS_RUN, or the status to exit with right away: 0 after
 * --help or --version, EX_USAGE after printing a usage error. Call options_free either way. */
int options_parse(struct options *opts, int argc, char **argv);
void options_free(struct options *opts);

#endif

/* options.h - shmlogger's command line: what the user asked for, parsed and checked. */
#ifndef SHMLOGGER_OPTIONS_H
#define SHMLOGGER_OPTIONS_H

#include <shmlog.h>
#include <sys/types.h>

#define PROGRAM_NAME "shmlogger"

/* Defaults, shown by --help from these same constants. */
#define DEFAULT_LEVEL SHMLOG_INFO
#define DEFAULT_FLUSH_TIMEOUT_MS 5000
#define DEFAULT_MODE 0600
#define FALLBACK_TAG PROGRAM_NAME

struct options {
	const char *ring;
	int level;
	const char *tag;
	int tag_given;        /* -t: a JSON line's logger does not replace it */
	int flush_timeout_ms; /* 0: don't wait for the collector; negative: wait as long as it takes */
	int no_create;
	mode_t mode;          /* of a ring we create; what group and others may write of one we find */
	uid_t allow_owner;    /* a user besides us whose ring we log to, if allow_owner_given */
	int allow_owner_given;
	int skip_empty;
	int quiet;
	int parse_level;      /* --parse-level: on by default for standard input, off for MESSAGE */
	int parse_json;       /* --parse-json */
	struct shmlog_field fields[SHMLOG_MAX_FIELDS];
	size_t nfields;
	char **words; /* the message, one word per argument; NULL: read lines from stdin */
	int nwords;
};

/* Returned by options_parse when the program should go on and run *opts. */
#define OPTIONS_RUN (-1)

/* Parses argv into *opts (which points into argv). Returns OPTIONS_RUN, or the status to exit
 * with right away: 0 after --help or --version, EX_USAGE after printing a usage error. */
int options_parse(struct options *opts, int argc, char **argv);

#endif

/* options.h - shmlogd's command line: the settings every part of the collector reads, and their
 * defaults (the same constants the --help text prints). */
#ifndef SHMLOGD_OPTIONS_H
#define SHMLOGD_OPTIONS_H

#include <stdint.h>
#include <sys/types.h>

#include "forward/forward.h"

#define DEFAULT_FORMAT_NAME "text"
#define DEFAULT_ON_FULL_NAME "block"
#define DEFAULT_RING_MODE 0600
#define DEFAULT_OUTPUT_MODE 0640
#define DEFAULT_FLUSH_INTERVAL_MS 100
#define DEFAULT_KEEP 10
#define DEFAULT_FSYNC_INTERVAL_MS 1000
#define DEFAULT_FSYNC_NAME "interval:1000"
#define DEFAULT_COMPRESS_NAME "none"
#define DEFAULT_NICE (-5)
#define ROTATE_HOURLY 3600
#define ROTATE_DAILY 86400

enum fsync_policy { FSYNC_NONE, FSYNC_INTERVAL, FSYNC_ALWAYS };
enum compress { COMPRESS_NONE, COMPRESS_GZIP, COMPRESS_ZSTD };

struct options {
	const char *ring;
	const char *output;
	int format;               /* SHMLOG_FORMAT_TEXT or SHMLOG_FORMAT_JSON */
	const char *fields_under; /* JSON: the object fields go in; NULL: top level */
	uint64_t ring_size;       /* 0: the library's default */
	int size_given;           /* --size was on the command line (warn if the ring differs) */
	int on_full;              /* enum shmlog_on_full */
	int full_timeout_ms;
	int on_full_given;
	mode_t ring_mode;
	gid_t ring_group;
	int group_given;
	mode_t output_mode;
	int flush_interval_ms;
	uint64_t rotate_size;     /* 0: no size rotation */
	int64_t rotate_interval;  /* seconds; 0: no time rotation */
	unsigned keep;            /* rotated files kept; 0: no limit */
	int64_t max_age;          /* seconds; 0: no limit */
	enum compress compress;
	enum fsync_policy fsync;
	int fsync_interval_ms;
	int nice;                 /* scheduling priority to run at (setpriority) */
	int nice_given;           /* --nice was on the command line */
	uid_t allow_owner;        /* --allow-owner: a ring, output, state file or directory of this
				   * user is trusted as shmlogd's own (docs/COLLECTOR.md, "Trust") */
	int allow_owner_given;
	struct forward_config forward; /* --forward*: checked, not yet run (forward/forward.h) */
};

/* Fills *o from argv. Returns 0 to run, 1 when --help or --version was printed (exit 0), or -1
 * after printing a usage error on stderr (exit EX_USAGE). */
int options_parse(struct options *o, int argc, char **argv);

#endif

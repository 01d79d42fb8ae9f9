/* e2e.h - one end-to-end run of bench_e2e: P writers, one variant, every line checked.
 *
 * e2e_run.c starts the variant's collector (shmlogd, the pipe collector, a private rsyslogd, or
 * the spdlog program), forks the writers, releases them together, times the run until the file
 * holds every line, measures the collector's CPU and peak RSS and the writers' peak RSS, gathers
 * the sampled call latencies, and reads the file back. e2e.c repeats runs and reports.
 */
#ifndef SHMLOG_BENCH_E2E_H
#define SHMLOG_BENCH_E2E_H

#include <stddef.h>

#define E2E_MAX_P 16

enum variant {
	V_SHM_TEXT,   /* shmlog_log -> shmlogd --format text */
	V_SHM_JSON,   /* shmlog_log -> shmlogd --format json */
	V_SHM_FIELDS, /* shmlog_log_fields (two SHMLOG_INT fields) -> shmlogd --format json */
	V_SHM_WRITE,  /* snprintf + shmlog_write (the transport alone) -> shmlogd --format text */
	V_SHM_JSON_SYNC, /* V_SHM_JSON with shmlogd's default --fsync interval:1000 (the others
			  * run --fsync none, like every alternative: nothing syncs there) */
	V_APPEND,     /* format + write(2) to one shared O_APPEND file */
	V_PIPE,       /* format + write(2) to a pipe; one collector writes 64 KiB batches */
	V_SYSLOG,     /* syslog(3) format + send to a private rsyslogd on our own socket */
	V_SPDLOG,     /* spdlog async logger, one process with P threads */
	V_CEIL_TEXT,  /* the file's ceiling: shmlogd's text lines, preformatted, one process */
	V_CEIL_JSON,  /* the same with shmlogd's JSON lines */
	NVARIANTS
};

extern const char *const e2e_variant_name[NVARIANTS]; /* for tables */
extern const char *const e2e_variant_id[NVARIANTS];   /* for CSV and plots */

/* Whether shmlogd writes JSON in shmlog variant V. */
static inline int e2e_is_json(enum variant v)
{
	return v == V_SHM_JSON || v == V_SHM_FIELDS || v == V_SHM_JSON_SYNC;
}

static inline int e2e_is_shmlog(enum variant v)
{
	return v <= V_SHM_JSON_SYNC;
}

static inline int e2e_is_ceiling(enum variant v)
{
	return v == V_CEIL_TEXT || v == V_CEIL_JSON;
}

/* The ceiling of the same output format as shmlog variant V. */
static inline enum variant e2e_ceiling_of(enum variant v)
{
	return e2e_is_json(v) ? V_CEIL_JSON : V_CEIL_TEXT;
}

struct e2e_opts {
	long n;            /* lines per writer */
	int sample_every;  /* time one call in this many (alternately whole call and transport) */
	double tpn;        /* timer ticks per ns */
	int standin;       /* a library consumer instead of shmlogd: tests the harness only */
	int cold;          /* no page-cache warm-up before each run (--cold) */
	char dir[4096];    /* scratch directory for output files, sockets, configs */
	/* Each program: its path, or why it is missing (the variant is then skipped). */
	int have_shmlogd, have_rsyslogd, have_spdlog;
	char shmlogd[4096], rsyslogd[4096], spdlog[4096];
};

/* Percentiles of sampled call latencies, in ns; negative when there is no such figure. */
struct e2e_pct {
	double p50, p99, p999;
};

struct e2e_result {
	double secs;              /* release of the writers until the file holds every line */
	double collector_cpu;     /* user + system seconds of the collector; < 0: none */
	long collector_hwm_kb;    /* its VmHWM; < 0: none (or the same process as the writers) */
	long writer_hwm_kb;       /* the largest VmHWM of the writer processes */
	double bytes_per_line;
	int exact;                /* every line once, in order, intact; no call failed */
	char why[600];            /* when not exact: what went wrong */
	struct e2e_pct whole;     /* one logging call, formatting included */
	struct e2e_pct transport; /* the hand-over alone (preformatted line); p50 < 0: n/a */
};

/* Starts and stops the private rsyslogd once. Returns 0, or -1 with the reason in WHY. */
int e2e_probe_rsyslogd(const struct e2e_opts *o, char *why, size_t cap);

void e2e_run(const struct e2e_opts *o, enum variant v, int p, struct e2e_result *res);

#endif

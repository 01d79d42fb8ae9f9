/* torture.c - the torture driver's main: options, the run from start to verdict, the summary.
 *
 * One run: mount the tmpfs if we may (faults.c), start shmlogd and the writers, inject faults on
 * a seeded schedule for --seconds, then stop the surviving writers cleanly, let shmlogd catch
 * up, SIGTERM it (it must drain and exit 0), verify every output file (verify.c), and print one
 * summary line. Exit 0 on PASS, 1 on any failure (each printed on a line of its own first), 77
 * when shmlogd or shmlogcat is not built. tests/torture/README.md explains the figures.
 */
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "size.h"
#include "torture.h"

#define DEFAULT_SECONDS 60
#define DEFAULT_WRITERS 6
#define DEFAULT_RATE 5000
#define DEFAULT_RING "256K"
#define DEFAULT_TMPFS "256M"

static struct run the_run;
struct run *R = &the_run;
static long nfails;

/* ------------------------------------------------------------------ helpers */

void fail(const char *fmt, ...)
{
	va_list ap;

	if (nfails++ >= TORTURE_MAX_FAILS)
		return;
	fprintf(stdout, "FAIL: ");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

long fail_count(void)
{
	return nfails;
}

void note(const char *fmt, ...)
{
	va_list ap;

	if (!R->cfg.verbose)
		return;
	fprintf(stdout, "torture: %7.3f s: ", (double)now_ms() / 1000.0);
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	fflush(stdout);
}

int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void sleep_ms(int64_t ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

unsigned rnd_below(unsigned n)
{
	return n ? (unsigned)rand_r(&R->rnd) % n : 0;
}

int64_t rnd_between(int64_t lo, int64_t hi)
{
	uint64_t r = ((uint64_t)rand_r(&R->rnd) << 31) ^ (uint64_t)rand_r(&R->rnd);
	return lo + (int64_t)(r % (uint64_t)(hi - lo + 1));
}

/* ------------------------------------------------------------------ options */

static void usage(FILE *to)
{
	fprintf(to,
		"Usage: torture [OPTION]...\n"
		"Run writers, followers and shmlogd against one ring while injecting faults on a\n"
		"seeded schedule, then verify every record of the output. tests/torture/README.md.\n"
		"\n"
		"  --seconds N        inject faults for N seconds (default %d)\n"
		"  --seed S           the schedule's seed (default: from the time; printed)\n"
		"  --writers W        writer processes alive at once (default %d)\n"
		"  --rate R           records per second, all writers together, 0: full speed\n"
		"                     (default %d)\n"
		"  --ring-size SIZE   ring data area, K/M/G (default %s)\n"
		"  --format FMT       text or json, shmlogd's output (default: by the seed)\n"
		"  --compress M       none, gzip or zstd for rotated files (default: by the seed)\n"
		"  --tmpfs-size SIZE  the output tmpfs for the disk-fill fault (default %s)\n"
		"  --no-disk-fill     leave the disk-fill fault out (and the tmpfs)\n"
		"  --bin-dir DIR      where shmlogd and shmlogcat are (default $SHMLOG_TEST_BIN_DIR)\n"
		"  --workdir DIR      scratch directory (default $SHMLOG_TEST_WORK_DIR, else .);\n"
		"                     the run's files go to DIR/torture-PID, removed after a PASS\n"
		"  --keep             keep the run's files after a PASS too\n"
		"  -v, --verbose      say what happens as it happens\n"
		"  -h, --help         show this help and exit\n"
		"\n"
		"Exit status: 0 PASS, 1 FAIL, 64 usage error, 77 skipped (programs not built).\n",
		DEFAULT_SECONDS, DEFAULT_WRITERS, DEFAULT_RATE, DEFAULT_RING, DEFAULT_TMPFS);
}

static int keep_files;

static int parse_options(int argc, char **argv, struct config *c)
{
	enum { O_SECONDS = 256, O_SEED, O_WRITERS, O_RATE, O_RING, O_FORMAT, O_COMPRESS, O_TMPFS,
	       O_NODISK, O_BIN, O_WORK, O_KEEP };
	static const struct option longopts[] = {
		{"seconds", 1, NULL, O_SECONDS}, {"seed", 1, NULL, O_SEED},
		{"writers", 1, NULL, O_WRITERS}, {"rate", 1, NULL, O_RATE},
		{"ring-size", 1, NULL, O_RING},  {"format", 1, NULL, O_FORMAT},
		{"compress", 1, NULL, O_COMPRESS}, {"tmpfs-size", 1, NULL, O_TMPFS},
		{"no-disk-fill", 0, NULL, O_NODISK}, {"bin-dir", 1, NULL, O_BIN},
		{"workdir", 1, NULL, O_WORK},    {"keep", 0, NULL, O_KEEP},
		{"verbose", 0, NULL, 'v'},       {"help", 0, NULL, 'h'},
		{NULL, 0, NULL, 0}};
	const char *ring = DEFAULT_RING, *tmpfs = DEFAULT_TMPFS;
	int opt, have_seed = 0;

	c->seconds = DEFAULT_SECONDS;
	c->writers = DEFAULT_WRITERS;
	c->rate = DEFAULT_RATE;
	c->bin_dir = getenv("SHMLOG_TEST_BIN_DIR");
	c->workdir = getenv("SHMLOG_TEST_WORK_DIR");
	while ((opt = getopt_long(argc, argv, "vh", longopts, NULL)) != -1) {
		switch (opt) {
		case O_SECONDS: c->seconds = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_SEED: c->seed = strtoul(optarg, NULL, 0), have_seed = 1; break;
		case O_WRITERS: c->writers = atoi(optarg); break;
		case O_RATE: c->rate = (unsigned)strtoul(optarg, NULL, 10); break;
		case O_RING: ring = optarg; break;
		case O_FORMAT: c->format = optarg; break;
		case O_COMPRESS: c->compress = optarg; break;
		case O_TMPFS: tmpfs = optarg; break;
		case O_NODISK: c->no_disk_fill = 1; break;
		case O_BIN: c->bin_dir = optarg; break;
		case O_WORK: c->workdir = optarg; break;
		case O_KEEP: keep_files = 1; break;
		case 'v': c->verbose = 1; break;
		case 'h': usage(stdout); exit(0);
		default: fprintf(stderr, "torture: see --help\n"); return -1;
		}
	}
	if (optind < argc || c->writers < 2 || c->writers > 32 ||
	    cli_parse_size(ring, &c->ring_size) < 0 || cli_parse_size(tmpfs, &c->tmpfs_bytes) < 0 ||
	    (c->format && strcmp(c->format, "text") && strcmp(c->format, "json")) ||
	    (c->compress && strcmp(c->compress, "none") && strcmp(c->compress, "gzip") &&
	     strcmp(c->compress, "zstd"))) {
		fprintf(stderr, "torture: bad arguments (writers 2..32, sizes like 256K, format "
				"text|json, compress none|gzip|zstd); see --help\n");
		return -1;
	}
	if (!have_seed)
		c->seed = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
	return 0;
}

/* ------------------------------------------------------------------ setting up */

static int rm_entry(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb, (void)type, (void)ftw;
	remove(path);
	return 0;
}

static void find_programs(void)
{
	const char *dir = R->cfg.bin_dir ? R->cfg.bin_dir : ".";

	snprintf(R->shmlogd, sizeof(R->shmlogd), "%s/shmlogd", dir);
	snprintf(R->shmlogcat, sizeof(R->shmlogcat), "%s/shmlogcat", dir);
	if (access(R->shmlogd, X_OK) < 0 || access(R->shmlogcat, X_OK) < 0) {
		printf("SKIP: %s or %s is not built (set --bin-dir or SHMLOG_TEST_BIN_DIR)\n",
		       R->shmlogd, R->shmlogcat);
		exit(77);
	}
}

/* The run's directory, made fresh: run/, run/out (the tmpfs), run/archive. */
static int make_dirs(char *rundir, size_t cap)
{
	char base[PATH_MAX];

	if (!realpath(R->cfg.workdir ? R->cfg.workdir : ".", base)) {
		fprintf(stderr, "torture: workdir %s: %s\n", R->cfg.workdir, strerror(errno));
		return -1;
	}
	snprintf(rundir, cap, "%.3900s/torture-%d", base, (int)getpid());
	nftw(rundir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	snprintf(R->outdir, sizeof(R->outdir), "%.4000s/out", rundir);
	snprintf(R->archive, sizeof(R->archive), "%.4000s/archive", rundir);
	snprintf(R->output, sizeof(R->output), "%.4000s/out.log", R->outdir);
	if (mkdir(rundir, 0755) < 0 || mkdir(R->outdir, 0755) < 0 || mkdir(R->archive, 0755) < 0) {
		fprintf(stderr, "torture: mkdir in %s: %s\n", rundir, strerror(errno));
		return -1;
	}
	return 0;
}

/* Seeded choices the options left open. */
static void choose(struct config *c)
{
	static const char *const methods[] = {"none", "gzip", "zstd"};

	R->rnd = (unsigned)(c->seed ^ (c->seed >> 32));
	if (!c->format)
		c->format = rnd_below(2) ? "json" : "text";
	if (!c->compress)
		c->compress = methods[rnd_below(3)];
	R->json = !strcmp(c->format, "json");
}

/* ------------------------------------------------------------------ the end */

static int64_t percentile(const int64_t *v, int n, int pct)
{
	int64_t s[TORTURE_MAX_RECOVERIES];
	int m = 0;

	for (int i = 0; i < n; i++)
		if (v[i] >= 0)
			s[m++] = v[i];
	if (!m)
		return 0;
	for (int i = 1; i < m; i++)
		for (int j = i; j > 0 && s[j - 1] > s[j]; j--) {
			int64_t t = s[j];
			s[j] = s[j - 1];
			s[j - 1] = t;
		}
	return s[(m - 1) * pct / 100];
}

static void summary(const struct totals *t, int64_t elapsed_ms)
{
	const struct config *c = &R->cfg;

	printf("torture: seed=%lu seconds=%u (%.1f s in all) writers=%d (%d started) format=%s "
	       "compress=%s records written=%lld verified=%lld dropped(reported)=%lld "
	       "enobufs=%lld abandoned=%lld duplicates=%lld unaccounted=%lld kills: writer=%ld "
	       "shmlogd=%ld stop/cont=%ld followers=%ld (%ld lines, %ld lost) ring-fills=%ld "
	       "rotations=%lld (%ld by rename) disk-fills=%ld recovery p50=%lldms max=%lldms "
	       "caught-up p50=%lldms max=%lldms files=%lld bytes=%lld -> %s\n",
	       c->seed, c->seconds, (double)elapsed_ms / 1000.0, c->writers, R->nwriters, c->format,
	       c->compress, t->records_written, t->verified, t->dropped_reported, t->enobufs,
	       t->abandoned_reported, t->duplicates, t->unaccounted, R->kills_writer,
	       R->kills_collector, R->stop_cont, R->followers_started, R->follower_lines,
	       R->follower_lost, R->ring_fills, t->rotations, R->hup_rotations, R->disk_fills,
	       (long long)percentile(R->ready_ms, R->nrecoveries, 50),
	       (long long)percentile(R->ready_ms, R->nrecoveries, 100),
	       (long long)percentile(R->caught_up_ms, R->nrecoveries, 50),
	       (long long)percentile(R->caught_up_ms, R->nrecoveries, 100), t->files, t->bytes,
	       fail_count() ? "FAIL" : "PASS");
}

/* Stops the survivors cleanly, lets shmlogd write everything out, stops it. */
static void wind_down(void)
{
	followers_stop_all();
	if (R->collector <= 0 && collector_start() == 0)
		collector_wait_ready(20000);
	writers_stop_all();
	if (collector_wait_caught_up(30000, NULL) < 0)
		fail("shmlogd did not catch up within 30 s after the writers stopped");
	sleep_ms(500); /* an empty ring makes the collector report the last drops */
	int st = collector_stop();
	if (st != 0)
		fail("shmlogd exited with status %d after SIGTERM, expected 0 (see shmlogd.stderr)",
		     st);
}

static void cleanup(void)
{
	followers_stop_all();
	for (int id = 0; id < R->nwriters; id++)
		if (R->wstate[id] == W_RUNNING)
			writer_kill(id);
	collector_kill_quietly();
	archive_finished_files(1);
	disk_teardown();
	shmlog_unlink(R->ring);
}

int main(int argc, char **argv)
{
	char rundir[PATH_MAX + 32];
	struct totals t;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (parse_options(argc, argv, &R->cfg) < 0)
		return 64;
	choose(&R->cfg);
	printf("torture: seed %lu (--seed %lu replays the schedule), %u s, %d writers, %s output, "
	       "compress %s\n",
	       R->cfg.seed, R->cfg.seed, R->cfg.seconds, R->cfg.writers, R->cfg.format,
	       R->cfg.compress);
	find_programs();
	if (make_dirs(rundir, sizeof(rundir)) < 0)
		return 1;
	R->cfg.workdir = rundir;
	R->notify_fd = -1;
	snprintf(R->ring, sizeof(R->ring), "torture-%d", (int)getpid());
	shmlog_unlink(R->ring);
	int64_t t0 = now_ms();
	if (disk_setup() == 0 && writers_init() == 0 && collector_start() == 0 &&
	    collector_wait_ready(20000) == 0) {
		for (int i = 0; i < R->cfg.writers; i++)
			writer_start();
		faults_run();
		wind_down();
	}
	archive_finished_files(1);
	verify_all(&t);
	cleanup();
	summary(&t, now_ms() - t0);
	if (fail_count())
		printf("torture: the run's files are in %s\n", rundir);
	else if (!keep_files)
		nftw(rundir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return fail_count() ? 1 : 0;
}

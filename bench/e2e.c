/* e2e.c - end-to-end lines/s into one file from P writer processes, shmlog beside what users
 * would otherwise pick (issues 3 and 6): shmlog through the real shmlogd (text; JSON; structured
 * fields to JSON; preformatted lines), write(2) to one shared O_APPEND file, a pipe to one
 * collector process writing 64 KiB batches, syslog(3) into a private rsyslogd, and spdlog's async
 * logger in one process with P threads, for reference.
 *
 * Per run (e2e_run.c): lines/s, the collector's CPU per line and peak RSS, the writers' peak RSS,
 * and sampled per-call latencies (one call in K timed whole, another its transport alone). Every
 * run's file is read back; a run that lost, duplicated, reordered or damaged a line is reported
 * as LOSSY, never as a speed. Variants alternate within each round, in an order that rotates
 * every round, so that drift on a shared machine spreads over all of them; rounds repeat, and
 * cells are medians (min–max) over the clean runs. P=1 gets more rounds than the others (10 by
 * default) for the slowest-of-10 figure. --csv DIR writes every run and the summary as CSV.
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "e2e.h"
#include "timer.h"

#define MAX_ROUNDS 32
#define MAX_NP 8

enum metric {
	M_RATE,  /* lines/s */
	M_CPU,   /* collector CPU, µs per line */
	M_CHWM,  /* collector VmHWM, MiB */
	M_WHWM,  /* writer VmHWM, MiB */
	M_W50,   /* whole call, ns */
	M_W99,
	M_W999,
	M_T50,   /* transport alone, ns */
	M_T99,
	M_T999,
	NMETRICS
};
static const char *const metric_id[NMETRICS] = {"lines_per_s",    "collector_cpu_us_per_line",
						"collector_hwm_mib", "writer_hwm_mib",
						"whole_p50_ns",   "whole_p99_ns",
						"whole_p999_ns",  "transport_p50_ns",
						"transport_p99_ns", "transport_p999_ns"};

struct cell {
	double m[NMETRICS][MAX_ROUNDS]; /* NAN: no figure (lossy, skipped, or n/a) */
	int clean, lossy;
	double bpl;
	char why[600];
};

struct driver {
	struct e2e_opts o;
	int rounds, rounds_p1;
	int p[MAX_NP], np;
	int use[NVARIANTS];
	char skip[NVARIANTS][4400]; /* why a variant is skipped; "" when it runs */
	const char *csv;            /* directory for CSV files, or NULL */
	struct cell cells[MAX_NP][NVARIANTS];
};

static int rounds_for(const struct driver *d, int i)
{
	return d->p[i] == 1 ? d->rounds_p1 : d->rounds;
}

/* ------------------------------------------------------------------ statistics */

static int clean_values(const struct cell *c, enum metric m, double *out)
{
	int n = 0;
	for (int r = 0; r < MAX_ROUNDS; r++)
		if (!isnan(c->m[m][r]) && !isnan(c->m[M_RATE][r]))
			out[n++] = c->m[m][r];
	return n;
}

/* "med (min–max)" of metric M over clean runs, SCALE applied, or "—". */
static const char *cell_str(char *buf, size_t cap, const struct cell *c, enum metric m,
			    double scale, const char *fmt)
{
	double v[MAX_ROUNDS];
	int n = clean_values(c, m, v);
	if (n == 0)
		return snprintf(buf, cap, "—"), buf;
	for (int i = 0; i < n; i++)
		v[i] *= scale;
	return bench_stat_str(buf, cap, bench_stat_of(v, (size_t)n), fmt);
}

/* Per round A / B of lines/s, where both ran cleanly. Returns how many rounds. */
static int ratios(const struct cell *a, const struct cell *b, double *out)
{
	int n = 0;
	for (int r = 0; r < MAX_ROUNDS; r++)
		if (!isnan(a->m[M_RATE][r]) && !isnan(b->m[M_RATE][r]))
			out[n++] = a->m[M_RATE][r] / b->m[M_RATE][r];
	return n;
}

/* ------------------------------------------------------------------ report */

static const char *rate_cell(char *buf, size_t cap, const struct cell *c, int skipped)
{
	char s[128];
	if (skipped)
		return "skipped";
	if (c->clean == 0)
		return c->lossy ? "**LOSSY**" : "—";
	cell_str(s, sizeof(s), c, M_RATE, 1e-3, "%.0f");
	snprintf(buf, cap, "%s%s", s, c->lossy ? " **+ LOSSY runs**" : "");
	return buf;
}

static void pivot(const struct driver *d, const char *title, enum metric m, double scale,
		  const char *fmt, int shmlog_only_collector)
{
	char buf[160];
	printf("%s\n\n| variant |", title);
	for (int i = 0; i < d->np; i++)
		printf(" P=%d |", d->p[i]);
	printf("\n|---|");
	for (int i = 0; i < d->np; i++)
		printf("---|");
	printf("\n");
	for (int v = 0; v < NVARIANTS; v++) {
		if (!d->use[v] || (shmlog_only_collector && v == V_APPEND))
			continue;
		printf("| %s |", e2e_variant_name[v]);
		for (int i = 0; i < d->np; i++) {
			const struct cell *c = &d->cells[i][v];
			if (m == M_RATE)
				printf(" %s |", rate_cell(buf, sizeof(buf), c, d->skip[v][0] != 0));
			else if (d->skip[v][0])
				printf(" skipped |");
			else
				printf(" %s |", cell_str(buf, sizeof(buf), c, m, scale, fmt));
		}
		printf("\n");
	}
	printf("\n");
}

static void report_checks(const struct driver *d)
{
	printf("Every line once, in order, intact (clean runs / runs):\n\n| variant |");
	for (int i = 0; i < d->np; i++)
		printf(" P=%d |", d->p[i]);
	printf("\n|---|");
	for (int i = 0; i < d->np; i++)
		printf("---|");
	printf("\n");
	for (int v = 0; v < NVARIANTS; v++) {
		if (!d->use[v])
			continue;
		printf("| %s |", e2e_variant_name[v]);
		for (int i = 0; i < d->np; i++) {
			const struct cell *c = &d->cells[i][v];
			if (d->skip[v][0])
				printf(" skipped |");
			else if (c->lossy)
				printf(" **LOSSY %d of %d** |", c->lossy, c->clean + c->lossy);
			else
				printf(" %d of %d |", c->clean, c->clean);
		}
		printf("\n");
	}
	printf("\n");
	for (int v = 0; v < NVARIANTS; v++)
		for (int i = 0; i < d->np; i++)
			if (d->cells[i][v].lossy)
				printf("- LOSSY: %s, P=%d, last such run: %s\n", e2e_variant_name[v], d->p[i],
				       d->cells[i][v].why);
	printf("\n");
}

static void report_latency(const struct driver *d, double timer_ns)
{
	char b[6][96];
	printf("Call latency under load, ns (sampled: 1 call in %d timed whole, another its transport "
	       "alone; percentiles over all writers of a run, then median (min–max) over runs). "
	       "Whole call: the logging call the application makes, formatting included. Transport: "
	       "handing over an already formatted line (shmlog_write, write(2), send(2)); — where "
	       "the variant has no such step. Each figure includes the timer's own cost, %.0f ns "
	       "(median of an empty timed region, %s). The ring is full part of the time here: "
	       "bench_writer_latency measures calls with room in the ring.\n\n",
	       d->o.sample_every, timer_ns, BENCH_TIMER_NAME);
	printf("| P | variant | whole p50 | whole p99 | whole p99.9 | transport p50 | transport p99 | "
	       "transport p99.9 |\n|---|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < d->np; i++)
		for (int v = 0; v < NVARIANTS; v++) {
			const struct cell *c = &d->cells[i][v];
			if (!d->use[v] || d->skip[v][0])
				continue;
			for (int k = 0; k < 6; k++)
				cell_str(b[k], sizeof(b[k]), c, (enum metric)(M_W50 + k), 1, "%.0f");
			printf("| %d | %s | %s | %s | %s | %s | %s | %s |\n", d->p[i], e2e_variant_name[v],
			       b[0], b[1], b[2], b[3], b[4], b[5]);
		}
	printf("\n");
}

struct goal {
	enum variant against;
	double want;
	const char *name;
};
static const struct goal goals[] = {{V_APPEND, 3, "O_APPEND"},
				    {V_PIPE, 2, "pipe"},
				    {V_SYSLOG, 12, "syslog → rsyslogd"},
				    {V_SPDLOG, 1.6, "spdlog async"}};

/* Prints " median (min–max) |" of A's lines/s over B's, round by round, or " n/a |". */
static void ratio_cell(const struct cell *a, const struct cell *b)
{
	char buf[96];
	double v[MAX_ROUNDS];
	int n = ratios(a, b, v);

	printf(" %s |", n ? bench_stat_str(buf, sizeof(buf), bench_stat_of(v, (size_t)n), "%.2f")
			  : "n/a");
}

static void report_ratios(const struct driver *d)
{
	static const enum variant shm[] = {V_SHM_TEXT, V_SHM_JSON, V_SHM_FIELDS, V_SHM_WRITE,
					   V_SHM_JSON_SYNC};

	printf("shmlog's lines/s divided by each alternative's, per round (same round), median "
	       "(min–max). The last column divides by the ceiling of the same output format (one "
	       "process writing the same lines, preformatted): the share of what this file system "
	       "allows that shmlog reaches.\n\n| P | shmlog variant |");
	for (size_t g = 0; g < sizeof(goals) / sizeof(goals[0]); g++)
		printf(" ÷ %s |", goals[g].name);
	printf(" ÷ ceiling |\n|---|---|---|---|---|---|---|\n");
	for (int i = 0; i < d->np; i++)
		for (size_t s = 0; s < sizeof(shm) / sizeof(shm[0]); s++) {
			if (!d->use[shm[s]] || d->skip[shm[s]][0])
				continue;
			printf("| %d | %s |", d->p[i], e2e_variant_name[shm[s]]);
			for (size_t g = 0; g <= sizeof(goals) / sizeof(goals[0]); g++) {
				enum variant other = g < sizeof(goals) / sizeof(goals[0])
							     ? goals[g].against
							     : e2e_ceiling_of(shm[s]);
				ratio_cell(&d->cells[i][shm[s]], &d->cells[i][other]);
			}
			printf("\n");
		}
	printf("\n");
}

/* How far the file system itself lets any collector go past the goals' baselines. */
static void report_ceilings(const struct driver *d)
{
	static const enum variant ceil[] = {V_CEIL_TEXT, V_CEIL_JSON};

	if (!d->use[V_CEIL_TEXT] && !d->use[V_CEIL_JSON])
		return;
	printf("The ceiling's lines/s divided by the baselines', per round, median (min–max): where "
	       "this is below a goal (3× O_APPEND, 2× the pipe), no collector writing these lines "
	       "into one file can meet that goal on this machine.\n\n| P | ceiling | ÷ O_APPEND | "
	       "÷ pipe |\n|---|---|---|---|\n");
	for (int i = 0; i < d->np; i++)
		for (size_t c = 0; c < sizeof(ceil) / sizeof(ceil[0]); c++) {
			if (!d->use[ceil[c]])
				continue;
			printf("| %d | %s |", d->p[i], e2e_variant_name[ceil[c]]);
			for (int g = 0; g < 2; g++)
				ratio_cell(&d->cells[i][ceil[c]], &d->cells[i][goals[g].against]);
			printf("\n");
		}
	printf("\n");
}

/* Prints " ratio | verdict |" for VARIANT against goal G in row I (median of the per-round
 * ratios), or " n/a | not measured |". */
static void goal_cells(const struct driver *d, int i, enum variant variant, const struct goal *g)
{
	double v[MAX_ROUNDS];
	int n = d->use[variant] && !d->skip[variant][0] && d->use[g->against] && !d->skip[g->against][0]
			? ratios(&d->cells[i][variant], &d->cells[i][g->against], v)
			: 0;
	if (n == 0) {
		printf(" n/a | not measured |\n");
		return;
	}
	double med = bench_stat_of(v, (size_t)n).med;
	printf(" %.2f× | %s |\n", med, round(med * 100) >= round(g->want * 100) ? "met" : "**missed**");
}

/* Issue 6's goals at P=1, and the slowest of the P=1 runs against their median. */
static void report_goals(const struct driver *d)
{
	int i1 = -1;
	double v[MAX_ROUNDS];
	for (int i = 0; i < d->np; i++)
		if (d->p[i] == 1)
			i1 = i;
	if (i1 < 0 || !d->use[V_SHM_TEXT] || d->skip[V_SHM_TEXT][0])
		return;
	printf("Goals (issue 6) at P=1, shmlog = shmlog_log → shmlogd, text; ratio = median of the "
	       "per-round ratios:\n\n| goal | measured | verdict |\n|---|---|---|\n");
	for (size_t g = 0; g < sizeof(goals) / sizeof(goals[0]); g++) {
		printf("| ≥ %.1f× %s |", goals[g].want, goals[g].name);
		goal_cells(d, i1, V_SHM_TEXT, &goals[g]);
	}
	for (int s = V_SHM_TEXT; e2e_is_shmlog(s); s++) {
		const struct cell *c = &d->cells[i1][s];
		int n = clean_values(c, M_RATE, v);
		if (!d->use[s] || n == 0)
			continue;
		struct bench_stat st = bench_stat_of(v, (size_t)n);
		printf("| slowest of %d runs ≥ 70%% of the median (%s) | %.0f%% (%.0f vs %.0f thousand "
		       "lines/s) | %s |\n",
		       n, e2e_variant_name[s], 100 * st.min / st.med, st.min / 1e3, st.med / 1e3,
		       s != V_SHM_TEXT ? "(for information)" : st.min >= 0.7 * st.med ? "met" : "**missed**");
	}
	printf("\n");
}

/* Issue 3's goals: at P=2 and P=4, shmlog_log into text and into JSON, >= 3x O_APPEND and
 * >= 2x the pipe. The baselines write the text line: the JSON rows are held to the same
 * figures although their lines are twice as long. */
static void report_goals_at_load(const struct driver *d)
{
	static const enum variant shm[] = {V_SHM_TEXT, V_SHM_JSON};
	int any = 0;

	for (int i = 0; i < d->np; i++) {
		if (d->p[i] != 2 && d->p[i] != 4)
			continue;
		if (!any++)
			printf("Goals (issue 3) at P=2 and P=4: shmlog_log → shmlogd, text and JSON, beside "
			       "the O_APPEND writers and the pipe (both writing the ~106-byte text line); "
			       "ratio = median of the per-round ratios:\n\n| P | variant | goal | "
			       "measured | verdict |\n|---|---|---|---|---|\n");
		for (size_t s = 0; s < sizeof(shm) / sizeof(shm[0]); s++)
			for (size_t g = 0; g < 2; g++) {
				printf("| %d | %s | ≥ %.1f× %s |", d->p[i], e2e_variant_name[shm[s]],
				       goals[g].want, goals[g].name);
				goal_cells(d, i, shm[s], &goals[g]);
			}
	}
	if (any)
		printf("\n");
}

static void report(const struct driver *d, double timer_ns)
{
	printf("### Lines per second (thousands), median (min–max) over clean runs\n\n");
	pivot(d, "End to end: from releasing the writers until the file holds every line.", M_RATE, 1,
	      "%.0f", 0);
	report_ratios(d);
	report_ceilings(d);
	report_goals(d);
	report_goals_at_load(d);
	report_checks(d);
	printf("### Collector and memory\n\n");
	pivot(d, "Collector CPU per line, µs: user + system time of shmlogd, the pipe collector or "
		 "rsyslogd during the run (the sum /proc/PID/stat gives as utime + stime, read at ns "
		 "resolution from the process's CPU clock and wait4's rusage); spdlog: the process "
		 "minus its writer threads:", M_CPU, 1, "%.2f", 1);
	pivot(d, "Collector peak RSS (VmHWM), MiB (spdlog: — , its backend thread lives in the "
		 "writers' process):", M_CHWM, 1, "%.1f", 1);
	pivot(d, "Writer peak RSS (VmHWM), MiB: the largest writer process (spdlog: the one "
		 "process):", M_WHWM, 1, "%.1f", 0);
	printf("### Call latency under load\n\n");
	report_latency(d, timer_ns);
}

/* ------------------------------------------------------------------ CSV */

static FILE *csv_open(const struct driver *d, const char *name)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/%s", d->csv, name);
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(1);
	}
	return f;
}

static void csv_num(FILE *f, double x)
{
	if (isnan(x))
		fprintf(f, ",NaN");
	else
		fprintf(f, ",%.6g", x);
}

static void csv_run(FILE *f, int round, int p, enum variant v, const struct e2e_result *res,
		    const double *m)
{
	fprintf(f, "%d,%d,%s,%d,%.6f", round + 1, p, e2e_variant_id[v], res->exact, res->secs);
	for (int k = 0; k < NMETRICS; k++)
		csv_num(f, m[k]);
	fprintf(f, ",%.1f,\"", res->bytes_per_line);
	for (const char *s = res->exact ? "" : res->why; *s; s++)
		fputc(*s == '"' ? '\'' : *s, f);
	fprintf(f, "\"\n");
	fflush(f);
}

/* One row per variant and P, sorted by variant then P (gnuplot draws a line per variant). */
static void csv_summary(const struct driver *d)
{
	FILE *f = csv_open(d, "e2e_summary.csv");
	double v[MAX_ROUNDS];
	fprintf(f, "variant,p,clean_runs,lossy_runs");
	for (int k = 0; k < NMETRICS; k++)
		fprintf(f, ",%s_med,%s_min,%s_max", metric_id[k], metric_id[k], metric_id[k]);
	fprintf(f, ",ratio_text_over_this_med\n");
	for (int vi = 0; vi < NVARIANTS; vi++) {
		if (!d->use[vi] || d->skip[vi][0])
			continue;
		for (int i = 0; i < d->np; i++) {
			const struct cell *c = &d->cells[i][vi];
			fprintf(f, "%s,%d,%d,%d", e2e_variant_id[vi], d->p[i], c->clean, c->lossy);
			for (int k = 0; k < NMETRICS; k++) {
				int n = clean_values(c, (enum metric)k, v);
				struct bench_stat s = n ? bench_stat_of(v, (size_t)n)
							: (struct bench_stat){NAN, NAN, NAN};
				csv_num(f, s.med);
				csv_num(f, s.min);
				csv_num(f, s.max);
			}
			int n = ratios(&d->cells[i][V_SHM_TEXT], c, v);
			csv_num(f, n ? bench_stat_of(v, (size_t)n).med : NAN);
			fprintf(f, "\n");
		}
	}
	fclose(f);
}

/* ------------------------------------------------------------------ running */

static void record(struct driver *d, int i, int r, enum variant v, const struct e2e_result *res,
		   FILE *runs)
{
	struct cell *c = &d->cells[i][v];
	double lines = (double)d->p[i] * (double)d->o.n, m[NMETRICS];

	for (int k = 0; k < NMETRICS; k++)
		m[k] = NAN;
	if (res->exact && res->secs > 0) {
		m[M_RATE] = lines / res->secs;
		if (res->collector_cpu >= 0)
			m[M_CPU] = res->collector_cpu * 1e6 / lines;
		if (res->collector_hwm_kb >= 0)
			m[M_CHWM] = (double)res->collector_hwm_kb / 1024;
		if (res->writer_hwm_kb > 0)
			m[M_WHWM] = (double)res->writer_hwm_kb / 1024;
		const struct e2e_pct *pc[2] = {&res->whole, &res->transport};
		for (int k = 0; k < 2; k++)
			if (pc[k]->p50 >= 0) {
				m[M_W50 + 3 * k] = pc[k]->p50;
				m[M_W99 + 3 * k] = pc[k]->p99;
				m[M_W999 + 3 * k] = pc[k]->p999;
			}
		c->clean++;
		c->bpl = res->bytes_per_line;
	} else {
		c->lossy++;
		snprintf(c->why, sizeof(c->why), "%s", res->why);
	}
	for (int k = 0; k < NMETRICS; k++)
		c->m[k][r] = m[k];
	if (runs)
		csv_run(runs, r, d->p[i], v, res, m);
	fprintf(stderr, "  round %d, P=%d, %s: %.3f s, %.0f thousand lines/s%s%s\n", r + 1, d->p[i],
		e2e_variant_name[v], res->secs, isnan(m[M_RATE]) ? 0 : m[M_RATE] / 1e3,
		res->exact ? "" : ", LOSSY: ", res->exact ? "" : res->why);
}

static void run_all(struct driver *d)
{
	FILE *runs = NULL;
	int nv = 0, order[NVARIANTS];
	int maxr = d->rounds > d->rounds_p1 ? d->rounds : d->rounds_p1;

	for (int v = 0; v < NVARIANTS; v++)
		if (d->use[v] && !d->skip[v][0])
			order[nv++] = v;
	if (d->csv) {
		runs = csv_open(d, "e2e_runs.csv");
		fprintf(runs, "round,p,variant,exact,secs");
		for (int k = 0; k < NMETRICS; k++)
			fprintf(runs, ",%s", metric_id[k]);
		fprintf(runs, ",bytes_per_line,why\n");
	}
	for (int i = 0; i < MAX_NP; i++)
		for (int v = 0; v < NVARIANTS; v++)
			for (int k = 0; k < NMETRICS; k++)
				for (int r = 0; r < MAX_ROUNDS; r++)
					d->cells[i][v].m[k][r] = NAN;
	for (int r = 0; r < maxr; r++)
		for (int i = 0; i < d->np; i++) {
			if (r >= rounds_for(d, i))
				continue;
			for (int k = 0; k < nv; k++) {
				enum variant v = (enum variant)order[(r + k) % nv];
				struct e2e_result res;
				e2e_run(&d->o, v, d->p[i], &res);
				record(d, i, r, v, &res, runs);
			}
		}
	if (runs)
		fclose(runs);
}

/* The median cost of an empty timed region, in ns. */
static double timer_cost_ns(double tpn)
{
	enum { N = 100000 };
	static uint32_t t[N];
	for (int i = 0; i < N; i++) {
		uint64_t a = tick_begin(), b = tick_end();
		t[i] = bench_ticks32(b - a);
	}
	bench_sort_u32(t, N);
	return bench_percentile_u32(t, N, 50) / tpn;
}

/* Finds what each variant needs; a variant that cannot run is skipped with the reason. */
static void find_programs(struct driver *d)
{
	struct e2e_opts *o = &d->o;
	char self[4000];

	o->have_shmlogd = o->standin || bench_find_prog("shmlogd", o->shmlogd, sizeof(o->shmlogd)) == 0;
	if (!o->have_shmlogd)
		for (int v = V_SHM_TEXT; e2e_is_shmlog(v); v++)
			snprintf(d->skip[v], sizeof(d->skip[v]), "%s", o->shmlogd);

	const char *rs = getenv("SHMLOG_BENCH_RSYSLOGD");
	snprintf(o->rsyslogd, sizeof(o->rsyslogd), "%s", rs && *rs ? rs : "/usr/sbin/rsyslogd");
	o->have_rsyslogd = access(o->rsyslogd, X_OK) == 0;
	if (!o->have_rsyslogd)
		snprintf(d->skip[V_SYSLOG], sizeof(d->skip[V_SYSLOG]),
			 "%s not found (apt-get install rsyslog; bench/run.sh does)", o->rsyslogd);

	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = '\0';
	self[sizeof(self) - 100] = '\0'; /* room for the program's name */
	char *slash = strrchr(self, '/');
	if (slash)
		*slash = '\0';
	snprintf(o->spdlog, sizeof(o->spdlog), "%s/bench_spdlog_async", self);
	o->have_spdlog = access(o->spdlog, X_OK) == 0;
	if (!o->have_spdlog)
		snprintf(d->skip[V_SPDLOG], sizeof(d->skip[V_SPDLOG]),
			 "%s not built (needs g++ and libspdlog-dev; bench/run.sh installs them)",
			 o->spdlog);
}

/* ------------------------------------------------------------------ main */

static void usage(FILE *to)
{
	fprintf(to,
		"usage: bench_e2e [--quick] [--rounds R] [--rounds-p1 R1] [--n N] [--writers 1,2,4,8]\n"
		"                 [--variants shm_text,append,...] [--sample-every K] [--csv DIR]\n"
		"                 [--standin] [--cold]\n"
		"End-to-end lines/s into one file from P writer processes: shmlog through shmlogd\n"
		"(text, json, structured fields, preformatted), write(2) to one O_APPEND file, a pipe\n"
		"to a collector, syslog(3) into a private rsyslogd, spdlog async (P threads); and\n"
		"the file's ceiling: shmlogd's lines, preformatted, written by one process.\n"
		"Defaults: --rounds 4 (10 at P=1: --rounds-p1) --n 160000 (lines per writer)\n"
		"--writers 1,2,4,8 --sample-every 8; --quick: --rounds 2 --n 50000.\n"
		"Variants: shm_text shm_json shm_fields shm_write shm_json_sync append pipe syslog spdlog\n"
		"ceil_text ceil_json.\n"
		"shmlogd is taken from $SHMLOG_BIN_DIR, else from this program's directory;\n"
		"rsyslogd from $SHMLOG_BENCH_RSYSLOGD, else /usr/sbin/rsyslogd; bench_spdlog_async\n"
		"from this program's directory. A variant whose program is missing is skipped, with\n"
		"the reason. --standin replaces shmlogd by a library consumer in the benchmark, to\n"
		"test the harness only: its figures are not shmlogd's. Before each run a scratch\n"
		"file as large as the run's output is written and deleted twice, so that every\n"
		"variant writes into page-cache memory the machine already has (on a VM whose host\n"
		"hands out memory lazily, writing fresh pages is 10x slower); --cold skips that.\n");
}

static int parse_writers(struct driver *d, const char *s)
{
	d->np = 0;
	for (char *end; *s && d->np < MAX_NP; s = *end ? end + 1 : end) {
		long v = strtol(s, &end, 10);
		if (end == s || v < 1 || v > E2E_MAX_P || (*end && *end != ','))
			return -1;
		d->p[d->np++] = (int)v;
	}
	return d->np ? 0 : -1;
}

static int parse_variants(struct driver *d, const char *s)
{
	memset(d->use, 0, sizeof(d->use));
	while (*s) {
		size_t len = strcspn(s, ",");
		int v;
		for (v = 0; v < NVARIANTS; v++)
			if (strlen(e2e_variant_id[v]) == len && !strncmp(s, e2e_variant_id[v], len))
				break;
		if (v == NVARIANTS)
			return -1;
		d->use[v] = 1;
		s += len + (s[len] == ',');
	}
	return 0;
}

/* Says how much freed memory this VM handed back to its host during the run: the next write
 * into such a page costs a host fault, which slows the variants bound by the page-cache copy
 * (bench/README.md, "Free page reporting"). */
static void report_page_reporting(long long before, long long after)
{
	if (before < 0 || after < 0)
		return;
	if (after - before >= 1024)
		printf("Free page reporting handed %lld MiB of freed memory back to the host during the "
		       "run: writing into those pages again costs host faults, which slows what the "
		       "page-cache copy limits (shmlogd into JSON, the ceilings) from run to run. "
		       "bench/run.sh holds reporting back.\n\n", (after - before) / 1024);
	else
		printf("Free page reporting: nothing handed back to the host during the run.\n\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"quick", no_argument, NULL, 'q'},        {"rounds", required_argument, NULL, 'r'},
		{"rounds-p1", required_argument, NULL, '1'}, {"n", required_argument, NULL, 'n'},
		{"writers", required_argument, NULL, 'w'}, {"variants", required_argument, NULL, 'v'},
		{"sample-every", required_argument, NULL, 'e'}, {"csv", required_argument, NULL, 'c'},
		{"standin", no_argument, NULL, 's'},      {"help", no_argument, NULL, 'h'},
		{"cold", no_argument, NULL, 'C'},
		{NULL, 0, NULL, 0}};
	static struct driver d;
	int quick = 0, opt;

	parse_writers(&d, "1,2,4,8");
	for (int v = 0; v < NVARIANTS; v++)
		d.use[v] = 1;
	d.o.sample_every = 8;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'q':
			quick = 1;
			break;
		case 'r':
			d.rounds = atoi(optarg);
			break;
		case '1':
			d.rounds_p1 = atoi(optarg);
			break;
		case 'n':
			d.o.n = atol(optarg);
			break;
		case 'w':
			if (parse_writers(&d, optarg) < 0) {
				fprintf(stderr, "bench: --writers takes a list such as 1,2,4,8 (1-%d, at "
						"most %d entries)\n", E2E_MAX_P, MAX_NP);
				return 64;
			}
			break;
		case 'v':
			if (parse_variants(&d, optarg) < 0) {
				fprintf(stderr, "bench: --variants: a list of shm_text shm_json shm_fields "
						"shm_write shm_json_sync append pipe syslog spdlog\n");
				return 64;
			}
			break;
		case 'e':
			d.o.sample_every = atoi(optarg);
			break;
		case 'c':
			d.csv = optarg;
			break;
		case 's':
			d.o.standin = 1;
			break;
		case 'C':
			d.o.cold = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 64;
		}
	}
	if (d.rounds <= 0)
		d.rounds = quick ? 2 : 4;
	if (d.rounds_p1 <= 0)
		d.rounds_p1 = 10;
	if (d.o.n <= 0)
		d.o.n = quick ? 50000 : 160000;
	if (d.rounds > MAX_ROUNDS || d.rounds_p1 > MAX_ROUNDS || d.o.sample_every < 2) {
		fprintf(stderr, "bench: --rounds and --rounds-p1 at most %d, --sample-every at least 2\n",
			MAX_ROUNDS);
		return 64;
	}
	find_programs(&d);
	bench_tmpdir(d.o.dir, sizeof(d.o.dir));
	if (d.use[V_SYSLOG] && d.o.have_rsyslogd) {
		char why[600];
		if (e2e_probe_rsyslogd(&d.o, why, sizeof(why)) < 0)
			snprintf(d.skip[V_SYSLOG], sizeof(d.skip[V_SYSLOG]), "rsyslogd did not start: %s",
				 why);
	}
	d.o.tpn = bench_timer_calibrate(quick ? 50 : 200);
	double timer_ns = timer_cost_ns(d.o.tpn);

	bench_banner("End to end: shmlog beside O_APPEND, a pipe, syslog and spdlog");
	printf("P writer processes (spdlog: P threads of one process) each log %ld lines (level "
	       "info, tag \"%s\", message \"w=W seq=S request done status=200 bytes=5120\", the two "
	       "integers formatted in the writer; the fields variant passes W and S as two "
	       "SHMLOG_INT fields instead). %d rounds at P=1, %d at other P; variants alternate "
	       "within each round in an order that rotates every round. lines/s = P × lines / time "
	       "from releasing the writers until the file holds every line. %s Output files in "
	       "%s; shmlogd: %s; rsyslogd: %s; spdlog: %s.\n\n",
	       d.o.n, BENCH_TAG, d.rounds_p1, d.rounds,
	       d.o.cold ? "**Cold** (--cold): no page-cache warm-up before the runs."
			: "Before each run, a scratch file as large as its output is written and "
			  "deleted twice, so the run writes into page-cache memory the machine already "
			  "has (--cold: without).",
	       d.o.dir,
	       d.o.standin ? "**STAND-IN library consumer, not shmlogd: harness test only**"
	       : d.o.have_shmlogd ? d.o.shmlogd : "not found",
	       d.o.have_rsyslogd ? d.o.rsyslogd : "not found", d.o.have_spdlog ? d.o.spdlog : "not found");
	for (int v = 0; v < NVARIANTS; v++)
		if (d.use[v] && d.skip[v][0])
			printf("- Skipped: %s: %s\n", e2e_variant_name[v], d.skip[v]);
	printf("\n");
	fflush(stdout);

	long long reported = bench_reported_kib();
	run_all(&d);
	report(&d, timer_ns);
	report_page_reporting(reported, bench_reported_kib());
	if (d.csv)
		csv_summary(&d);
	bench_rmtree(d.o.dir);
	return 0;
}

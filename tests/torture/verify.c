/* verify.c - holds every output file against what the writers published (writers.state).
 *
 * Files are read oldest first: rotated files sort by the time in their names (ours are named
 * like shmlogd's, collector.c), archived and not, then the current output; gzip and zstd files
 * through the system's decompressors. Within them every line must parse (JSON: strictly), and
 * every line that is not a loss report must be an intact torture record (record.h).
 *
 * Per writer thread, records must come in increasing order, each once (n never repeats or goes
 * back). Then, with k = committed + enobufs + errors from its account (the records whose outcome
 * the thread knew; k is next, or next-1 for a SIGKILLed thread whose last call's outcome it
 * never learned):
 *   - no record numbered >= next appears (it was never written);
 *   - of the records below k exactly `enobufs` are missing: every record whose commit the writer
 *     saw is there, so a SIGKILLed writer leaves a prefix whose only gaps are its own drops;
 *   - record k (only when k == next-1) may be there or not.
 *
 * Loss reports. The gaps above are records a writer had back as -ENOBUFS: dropped on a full ring
 * (reported as "pid P dropped N records"), or, for a writer stopped between reserve and claim, a
 * reservation the collector skipped ("abandoned N records", without a pid: the skip cannot know
 * whose it was). So per writer process P, with gaps(P) its missing records:
 *
 *     gaps(P) <= dropped(P) + abandoned(P)            and what is left over in total
 *     sum over P of the rest <= abandoned without a pid
 *
 * That is "every gap accounted for". It is an inequality, not an equality, because loss reports
 * are at-least-once (docs/FORMAT.md §10.4 and §18.1 item 9, docs/COLLECTOR.md §2 "Known limits"):
 * a collector SIGKILLed after handing out a report and before committing it reports the same loss
 * again after the restart. So reports may exceed the losses, never fall short of them. Reports
 * also name dead writers' in-flight records, which are not gaps (they were never committed).
 * When shmlogd was never SIGKILLed the reports are exact, and we check that too: the dropped
 * reports add up to the ring header's `drops` total, and no writer has more reported drops than
 * -ENOBUFS returns.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lines.h"
#include "record.h"
#include "torture.h"

#define MAX_FILES 8192

struct thread_seen {
	long long last; /* highest record number seen, -1: none */
	long long seen;
};

struct verify {
	struct thread_seen t[TORTURE_MAX_WRITERS][TORTURE_MAX_THREADS];
	long long dropped[TORTURE_MAX_WRITERS], abandoned[TORTURE_MAX_WRITERS], gaps[TORTURE_MAX_WRITERS];
	long long abandoned_nopid, reports_unknown_pid;
	long long last_seq;
	long long lines, bytes;
	struct totals *tot;
};

static struct verify V;

static int writer_of_pid(long pid)
{
	for (int id = 0; id < R->nwriters; id++)
		if (R->shared->w[id].pid == pid)
			return id;
	return -1;
}

static void take_loss(const struct line *l, const char *where, long lineno)
{
	int id = l->loss_pid ? writer_of_pid(l->loss_pid) : -1;

	if (l->loss == LOSS_NONE) {
		fail("%s line %ld: a shmlog line that is no loss report: %.*s", where, lineno,
		     (int)(l->msg_len > 120 ? 120 : l->msg_len), l->msg);
		return;
	}
	if (l->loss == LOSS_DROPPED) {
		V.tot->dropped_reported += l->loss_count;
		if (id < 0)
			fail("%s line %ld: drop report for pid %ld, which is none of our writers",
			     where, lineno, l->loss_pid);
		else
			V.dropped[id] += l->loss_count;
		return;
	}
	V.tot->abandoned_reported += l->loss_count;
	if (!l->loss_pid)
		V.abandoned_nopid += l->loss_count;
	else if (id < 0)
		V.reports_unknown_pid += l->loss_count;
	else
		V.abandoned[id] += l->loss_count;
}

static void take_record(const struct rec_id *id, const char *where, long lineno)
{
	struct thread_seen *ts = &V.t[id->w][id->t];

	if (id->n <= ts->last) {
		if (V.tot->duplicates++ < 5)
			fail("%s line %ld: writer %d thread %d record %lld after record %lld "
			     "(a duplicate, or out of order)",
			     where, lineno, id->w, id->t, id->n, ts->last);
		return;
	}
	ts->last = id->n;
	ts->seen++;
	V.tot->verified++;
}

static void take_line(const char *s, size_t len, const char *where, long lineno)
{
	struct line l;
	struct rec_id id;
	const char *why = "not one of our records";

	V.lines++;
	V.bytes += (long long)len + 1;
	if (line_parse(s, len, R->json, &l) < 0) {
		fail("%s line %ld: not a %s line: %.120s", where, lineno, R->json ? "JSON" : "text",
		     s);
		return;
	}
	if (l.synthetic) {
		take_loss(&l, where, lineno);
		return;
	}
	if (R->json && l.seq >= 0) {
		if (l.seq <= V.last_seq)
			fail("%s line %ld: event.sequence %lld after %lld", where, lineno, l.seq,
			     V.last_seq);
		V.last_seq = l.seq;
	}
	int r = rec_check(l.msg, l.msg_len, &id, &why);
	if (r == 0 && (id.w >= R->nwriters || id.t >= R->shared->w[id.w].threads))
		r = -1, why = "unknown writer or thread";
	if (r != 0) {
		fail("%s line %ld: %s: %.120s", where, lineno, why, s);
		return;
	}
	take_record(&id, where, lineno);
}

static void read_stream(FILE *f, const char *where)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;

	while ((n = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[n - 1] != '\n') {
			fail("%s: the last line is torn (no newline): %.80s", where, line);
			break;
		}
		take_line(line, (size_t)n - 1, where, lineno);
	}
	free(line);
}

static void read_file(const char *path)
{
	size_t len = strlen(path);
	const char *tool = len > 3 && !strcmp(path + len - 3, ".gz")    ? "gzip -dc"
			   : len > 4 && !strcmp(path + len - 4, ".zst") ? "zstd -dcq"
									 : NULL;
	V.tot->files++;
	if (!tool) {
		FILE *f = fopen(path, "r");
		if (!f) {
			fail("cannot read %s: %s", path, strerror(errno));
			return;
		}
		read_stream(f, path);
		fclose(f);
		return;
	}
	char cmd[8400];
	snprintf(cmd, sizeof(cmd), "%s '%s'", tool, path);
	FILE *f = popen(cmd, "r");
	if (!f) {
		fail("popen %s: %s", cmd, strerror(errno));
		return;
	}
	read_stream(f, path);
	if (pclose(f) != 0)
		fail("%s failed: %s is not a valid compressed file", tool, path);
}

/* ------------------------------------------------------------------ the files */

struct file_entry {
	char name[256];
	char path[4400];
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct file_entry *)a)->name, ((const struct file_entry *)b)->name);
}

/* Adds DIR's rotated files; flags leftovers that a clean stop should not leave. */
static int list_rotated(const char *dir, struct file_entry *files, int n)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return n;
	while ((e = readdir(d)) != NULL && n < MAX_FILES) {
		const char *s = e->d_name;
		size_t len = strlen(s);
		if (strncmp(s, "out.log.", 8))
			continue;
		if (len > 4 && !strcmp(s + len - 4, ".tmp")) {
			fail("%s/%s: a compressor's temporary left after a clean stop", dir, s);
			continue;
		}
		snprintf(files[n].name, sizeof(files[n].name), "%s", s);
		snprintf(files[n].path, sizeof(files[n].path), "%s/%s", dir, s);
		n++;
	}
	closedir(d);
	return n;
}

/* Rotated files named alike but for a compression suffix hold the same records twice. */
static void check_no_twins(const struct file_entry *files, int n)
{
	size_t stem = strlen("out.log.YYYYMMDDTHHMMSS.uuuuuuZ");
	for (int i = 1; i < n; i++)
		if (strlen(files[i].name) >= stem && !strncmp(files[i].name, files[i - 1].name, stem))
			fail("rotated file twice, compressed and not: %s and %s", files[i - 1].path,
			     files[i].path);
}

static void read_all_files(void)
{
	static struct file_entry files[MAX_FILES];
	int n = list_rotated(R->outdir, files, 0);

	n = list_rotated(R->archive, files, n);
	qsort(files, (size_t)n, sizeof(files[0]), by_name);
	check_no_twins(files, n);
	V.tot->rotations = n;
	for (int i = 0; i < n; i++)
		read_file(files[i].path);
	if (access(R->output, F_OK) == 0)
		read_file(R->output);
}

/* ------------------------------------------------------------------ per writer */

/* Checks writer ID's threads against its account; returns its gaps. */
static long long check_writer(int id)
{
	const struct writer_account *a = &R->shared->w[id];
	long long gaps = 0;

	for (int t = 0; t < a->threads; t++) {
		const struct thread_account *ta = &a->t[t];
		const struct thread_seen *ts = &V.t[id][t];
		long long k = ta->committed + ta->enobufs + ta->errors;
		long long seen_below_k = ts->seen - (ts->last >= k ? 1 : 0);
		long long missing = k - seen_below_k;

		V.tot->records_written += ta->committed;
		V.tot->enobufs += ta->enobufs;
		if (ts->last >= ta->next)
			fail("writer %d thread %d: record %lld in the output, but only %lld were "
			     "ever written",
			     id, t, ts->last, (long long)ta->next);
		else if (k != ta->next && k != ta->next - 1)
			fail("writer %d thread %d: account inconsistent (next %lld, outcomes %lld)",
			     id, t, (long long)ta->next, k);
		if (missing > ta->enobufs) {
			fail("writer %d thread %d (%s): %lld committed records missing from the "
			     "output (%lld records below %lld, %lld dropped, %lld found)",
			     id, t, R->wstate[id] == W_KILLED ? "killed" : "stopped",
			     missing - (long long)ta->enobufs, k, k, (long long)ta->enobufs,
			     seen_below_k);
			V.tot->unaccounted += missing - ta->enobufs;
		} else if (missing < ta->enobufs) {
			fail("writer %d thread %d: %lld records that were dropped (-ENOBUFS) are in "
			     "the output",
			     id, t, (long long)ta->enobufs - missing);
		}
		gaps += missing;
	}
	return gaps;
}

/* The accounting of gaps by loss reports: see the top of this file. */
static void check_loss_reports(const struct shmlog_stats *st, int have_stats)
{
	long long leftover = 0, enobufs_total = 0;
	int exact = !R->collector_killed_ever;

	for (int id = 0; id < R->nwriters; id++) {
		if (R->wstate[id] == W_UNUSED)
			continue;
		long long gaps = V.gaps[id] = check_writer(id), enob = 0;
		for (int t = 0; t < R->shared->w[id].threads; t++)
			enob += R->shared->w[id].t[t].enobufs;
		enobufs_total += enob;
		long long rest = gaps - V.dropped[id] - V.abandoned[id];
		if (rest > 0)
			leftover += rest;
		if (exact && V.dropped[id] > enob)
			fail("writer %d (pid %d): %lld drops reported, but it had only %lld records "
			     "back as dropped (no collector crash: reports must be exact)",
			     id, (int)R->shared->w[id].pid, V.dropped[id], enob);
	}
	if (leftover > V.abandoned_nopid) {
		for (int id = 0; id < R->nwriters; id++) {
			long long rest = V.gaps[id] - V.dropped[id] - V.abandoned[id];
			if (R->wstate[id] != W_UNUSED && rest > 0)
				fail("writer %d (pid %d): %lld records missing, %lld reported dropped, "
				     "%lld reported abandoned",
				     id, (int)R->shared->w[id].pid, V.gaps[id], V.dropped[id],
				     V.abandoned[id]);
		}
		V.tot->unaccounted += leftover - V.abandoned_nopid;
		fail("%lld records missing from the output that no loss report accounts for "
		     "(%lld left after each writer's own reports, %lld abandoned without a pid)",
		     leftover - V.abandoned_nopid, leftover, V.abandoned_nopid);
	}
	if (!have_stats)
		return;
	if (exact && (unsigned long long)V.tot->dropped_reported != st->drops)
		fail("drop reports add up to %lld, the ring counted %llu drops (no collector crash: "
		     "they must agree)",
		     V.tot->dropped_reported, (unsigned long long)st->drops);
	if (!exact && (unsigned long long)V.tot->dropped_reported < st->drops)
		fail("drop reports add up to %lld, fewer than the %llu drops the ring counted "
		     "(reports are at-least-once across collector crashes, never fewer)",
		     V.tot->dropped_reported, (unsigned long long)st->drops);
	if ((unsigned long long)enobufs_total + (unsigned long long)R->kills_writer *
						 TORTURE_MAX_THREADS < st->drops)
		fail("the ring counted %llu drops, the writers saw %lld -ENOBUFS",
		     (unsigned long long)st->drops, enobufs_total);
}

void verify_all(struct totals *t)
{
	struct shmlog_stats st;
	struct shmlog_observer *o = shmlog_observer_open(R->ring, SHMLOG_OBSERVE_NEWEST);
	int have_stats = o && shmlog_observer_stats(o, &st, NULL, 0) == 0;

	shmlog_observer_close(o);
	memset(&V, 0, sizeof(V));
	for (int w = 0; w < TORTURE_MAX_WRITERS; w++)
		for (int i = 0; i < TORTURE_MAX_THREADS; i++)
			V.t[w][i].last = -1;
	V.last_seq = -1;
	V.tot = t;
	memset(t, 0, sizeof(*t));
	read_all_files();
	check_loss_reports(&st, have_stats);
	t->bytes = V.bytes;
	if (V.reports_unknown_pid)
		note("%lld abandoned records reported for pids that are none of our writers",
		     V.reports_unknown_pid);
}

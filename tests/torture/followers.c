/* followers.c - `shmlogcat -f` followers attached and detached while everything else goes on.
 * Each one prints to its own file (follower.N.out, stderr to follower.N.err). A follower runs at
 * idle priority and is often lapped; that is allowed and must be said ("-- lost N records --",
 * "-- skipped N records of dead writers --" on stderr). What is never allowed: a line that is not
 * an intact torture record (torn, garbled, failing its checksum), a record twice, or a thread's
 * records out of order.
 *
 * A follower is stopped with SIGTERM, which kills it in the middle of whatever it was doing, so
 * its output may end in a partial line: only that last unterminated line is forgiven.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lines.h"
#include "record.h"
#include "torture.h"

static void follower_path(char *buf, size_t cap, int id, const char *ext)
{
	snprintf(buf, cap, "%s/follower.%d.%s", R->cfg.workdir, id, ext);
}

void follower_start(void)
{
	char out[4200], err[4200];
	struct follower *f = NULL;

	for (int i = 0; i < TORTURE_MAX_FOLLOWERS; i++)
		if (R->followers[i].pid == 0) {
			f = &R->followers[i];
			break;
		}
	if (!f)
		return;
	f->id = (int)R->followers_started++;
	f->json = (int)rnd_below(2);
	f->stop_at_ms = now_ms() + rnd_between(500, 8000);
	follower_path(out, sizeof(out), f->id, "out");
	follower_path(err, sizeof(err), f->id, "err");
	fflush(NULL);
	f->pid = fork();
	if (f->pid < 0) {
		fail("fork a follower: %s", strerror(errno));
		f->pid = 0;
		return;
	}
	if (f->pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo < 0 || fe < 0)
			_exit(126);
		dup2(fo, 1);
		dup2(fe, 2);
		execl(R->shmlogcat, "shmlogcat", "-f", "-o", f->json ? "json" : "text", R->ring,
		      (char *)NULL);
		_exit(127);
	}
	R->nfollowers++;
	note("follower %d started (%s)", f->id, f->json ? "json" : "text");
}

/* Every line of the follower's stdout. */
static void check_output(const struct follower *f)
{
	static long long last[TORTURE_MAX_WRITERS][TORTURE_MAX_THREADS];
	char path[4200], *line = NULL;
	size_t cap = 0;
	ssize_t n;
	long lineno = 0;

	follower_path(path, sizeof(path), f->id, "out");
	FILE *fp = fopen(path, "r");
	if (!fp) {
		fail("follower %d: cannot read %s: %s", f->id, path, strerror(errno));
		return;
	}
	memset(last, 0xff, sizeof(last)); /* -1: nothing seen yet */
	while ((n = getline(&line, &cap, fp)) > 0) {
		struct line l;
		struct rec_id id;
		const char *why = "not a record line";
		lineno++;
		if (line[n - 1] != '\n')
			break; /* the last line, cut by SIGTERM */
		int r = line_parse(line, (size_t)n - 1, f->json, &l);
		if (r == 0)
			r = rec_check(l.msg, l.msg_len, &id, &why);
		if (r == 0 && (id.w >= R->nwriters || id.t >= TORTURE_MAX_THREADS))
			r = -1, why = "unknown writer";
		if (r != 0) {
			fail("follower %d line %ld: %s: %.120s", f->id, lineno, why, line);
			break;
		}
		if (id.n <= last[id.w][id.t]) {
			fail("follower %d line %ld: writer %d thread %d record %lld after %lld "
			     "(duplicate or out of order)",
			     f->id, lineno, id.w, id.t, id.n, last[id.w][id.t]);
			break;
		}
		last[id.w][id.t] = id.n;
		R->follower_lines++;
	}
	free(line);
	fclose(fp);
}

/* stderr holds loss notices only. */
static void check_notices(const struct follower *f)
{
	char path[4200], buf[512];
	long long count;

	follower_path(path, sizeof(path), f->id, "err");
	FILE *fp = fopen(path, "r");
	if (!fp)
		return;
	while (fgets(buf, sizeof(buf), fp)) {
		if (sscanf(buf, "-- lost %lld records --", &count) == 1 ||
		    sscanf(buf, "-- skipped %lld records of dead writers --", &count) == 1 ||
		    sscanf(buf, "-- skipped %lld damaged records --", &count) == 1) {
			R->follower_lost += count;
			continue;
		}
		buf[strcspn(buf, "\n")] = '\0';
		fail("follower %d said on stderr: %s", f->id, buf);
		break;
	}
	fclose(fp);
}

static void follower_stop(struct follower *f)
{
	int st;

	kill(f->pid, SIGTERM);
	if (waitpid(f->pid, &st, 0) == f->pid &&
	    !(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM) && !(WIFEXITED(st) && !WEXITSTATUS(st)))
		fail("follower %d (shmlogcat -f) ended with %s %d before we stopped it", f->id,
		     WIFEXITED(st) ? "exit status" : "signal",
		     WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
	check_output(f);
	check_notices(f);
	f->pid = 0;
	R->nfollowers--;
}

void followers_pump(void)
{
	int64_t now = now_ms();
	for (int i = 0; i < TORTURE_MAX_FOLLOWERS; i++)
		if (R->followers[i].pid > 0 && now >= R->followers[i].stop_at_ms)
			follower_stop(&R->followers[i]);
}

void followers_stop_all(void)
{
	for (int i = 0; i < TORTURE_MAX_FOLLOWERS; i++)
		if (R->followers[i].pid > 0)
			follower_stop(&R->followers[i]);
}

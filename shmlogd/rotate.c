/* rotate.c - renames the output away at size or time boundaries, keeps the rotated files within
 * --keep and --max-age, and hands each to the worker (compress.c) to compress or sync. */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "crash.h"
#include "rotate.h"

#define SWEEP_EVERY_MS (3600 * 1000) /* retention by age: at most this late */
#define RETRY_AFTER_MS (60 * 1000)   /* after a failed rotation */

/* One rotated file, in whatever forms of ours exist on disk. */
struct gen {
	char stamp[ROTATE_STAMP_LEN + 1];
	int plain, gz, zst, gz_tmp, zst_tmp;
	int empty; /* the plain form holds nothing */
	int64_t mtime;
};

static const char *const suffixes[] = {"", ".gz", ".zst", ".gz.tmp", ".zst.tmp"};

/* Returns 0, or -ENAMETOOLONG (the name does not fit in CAP). */
static int gen_path(const struct rotator *r, char *out, size_t cap, const char *stamp,
		    const char *suffix)
{
	int n = snprintf(out, cap, "%s/%s.%s%s", r->dir, r->base, stamp, suffix);
	return n < 0 || (size_t)n >= cap ? -ENAMETOOLONG : 0;
}

static int by_stamp(const void *a, const void *b)
{
	return strcmp(((const struct gen *)a)->stamp, ((const struct gen *)b)->stamp);
}

/* Whether the entry NAME of D is ours (trust.h); when not, says so if WARN. */
static int ours(const struct rotator *r, DIR *d, const char *name, int warn, struct stat *st)
{
	char p[PATH_MAX + 64], why[TRUST_MSG_MAX];

	snprintf(p, sizeof(p), "%s/%s", r->dir, name);
	int e = trust_entry(r->trust, dirfd(d), name, p, st, why, sizeof(why));
	if (e == -EPERM && warn)
		warnx("%s", why);
	return e == 0;
}

/* The file being written: left out of the rotated files even under a rotated name (the output
 * left under it by rotate_now's fallback), so retention never deletes it. */
static int is_output(const struct rotator *r, const struct stat *st)
{
	return r->out->fd >= 0 && st->st_dev == r->out->dev && st->st_ino == r->out->ino;
}

/* Lists the rotated files of our output, oldest first, leaving out any another user made (said
 * on stderr if WARN). Returns the count (*out malloc'ed), or -errno. */
static int list_gens(const struct rotator *r, struct gen **out, int warn)
{
	size_t blen = strlen(r->base), n = 0, cap = 0;
	struct gen *g = NULL;
	struct dirent *e;
	DIR *d = opendir(r->dir);

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		const char *s = e->d_name;
		if (strncmp(s, r->base, blen) || s[blen] != '.' || !logfile_is_stamp(s + blen + 1))
			continue;
		const char *rest = s + blen + 1 + ROTATE_STAMP_LEN;
		size_t k;
		for (k = 0; k < sizeof(suffixes) / sizeof(suffixes[0]); k++)
			if (!strcmp(rest, suffixes[k]))
				break;
		struct stat st;
		if (k == sizeof(suffixes) / sizeof(suffixes[0]) || !ours(r, d, s, warn, &st) ||
		    is_output(r, &st))
			continue;
		size_t i;
		for (i = 0; i < n && strncmp(g[i].stamp, s + blen + 1, ROTATE_STAMP_LEN); i++)
			;
		if (i == n) {
			if (n == cap) {
				struct gen *ng = realloc(g, (cap = cap ? cap * 2 : 16) * sizeof(*g));
				if (!ng) {
					free(g);
					closedir(d);
					return -ENOMEM;
				}
				g = ng;
			}
			memset(&g[n], 0, sizeof(g[n]));
			memcpy(g[n].stamp, s + blen + 1, ROTATE_STAMP_LEN);
			n++;
		}
		int *flag[] = {&g[i].plain, &g[i].gz, &g[i].zst, &g[i].gz_tmp, &g[i].zst_tmp};
		*flag[k] = 1;
		if (k < 3)
			g[i].mtime = st.st_mtim.tv_sec;
		if (k == 0)
			g[i].empty = st.st_size == 0;
	}
	closedir(d);
	if (n)
		qsort(g, n, sizeof(*g), by_stamp);
	*out = g;
	return (int)n;
}

/* Deletes the forms of G that list_gens() found ours: in a directory trust_output_path()
 * accepted, nobody else can have put another file under those names since. */
static void delete_gen(const struct rotator *r, const struct gen *g)
{
	char p[PATH_MAX + 64];
	const int is[] = {g->plain, g->gz, g->zst};

	for (int k = 0; k < 3; k++) {
		if (!is[k] || gen_path(r, p, sizeof(p), g->stamp, suffixes[k]) < 0)
			continue;
		if (unlink(p) < 0 && errno != ENOENT)
			warnx("retention: cannot delete %s: %s", p, strerror(errno));
	}
}

/* Deletes rotated files beyond --keep (leaving ROOM free places for files about to come) and
 * older than --max-age. Call with r->lock held. */
static void retain(struct rotator *r, unsigned room)
{
	struct gen *g;
	int n = list_gens(r, &g, 0);

	if (n < 0) {
		warnx("retention: cannot list %s: %s", r->dir, strerror(-n));
		return;
	}
	int64_t oldest = r->opt->max_age ? wall_ms() / 1000 - r->opt->max_age : INT64_MIN;
	unsigned keep = r->opt->keep;
	int live = 0;
	/* A temporary alone is a compression of a file already deleted: it does not count. */
	for (int i = 0; i < n; i++)
		if (g[i].plain || g[i].gz || g[i].zst)
			g[live++] = g[i];
	for (int i = 0; i < live; i++) {
		unsigned newer = (unsigned)(live - i - 1); /* rotated files newer than this one */
		if ((keep && newer + room >= keep) || g[i].mtime < oldest)
			delete_gen(r, &g[i]);
	}
	free(g);
}

/* A crash may have left compressions undone or half done: finish them. */
static void tidy(struct rotator *r)
{
	char p[PATH_MAX + 64];
	struct gen *g;
	int n = list_gens(r, &g, 1);

	for (int i = 0; i < n; i++) {
		const int tmp[] = {g[i].gz_tmp, g[i].zst_tmp};
		for (int k = 3; k < 5; k++)
			if (tmp[k - 3] && gen_path(r, p, sizeof(p), g[i].stamp, suffixes[k]) == 0)
				unlink(p);
		if (gen_path(r, p, sizeof(p), g[i].stamp, "") < 0)
			continue;
		/* An empty file is never rotated: this is a fresh output that a crash left before
		 * rotate_now() swapped it in. */
		if (g[i].plain && g[i].empty && !g[i].gz && !g[i].zst)
			unlink(p);
		else if (g[i].plain && (g[i].gz || g[i].zst))
			unlink(p); /* the copy was renamed into place, so it is complete */
		else if (g[i].plain && r->worker && r->opt->compress != COMPRESS_NONE)
			worker_submit(r->worker, p);
	}
	if (n > 0)
		free(g);
}

static int64_t next_boundary_ms(int64_t interval_s)
{
	int64_t now_s = wall_ms() / 1000;
	return (now_s / interval_s + 1) * interval_s * 1000;
}

int rotate_init(struct rotator *r, const struct options *opt, const struct output *out,
		const struct trust *trust)
{
	const char *output_path = out->path;
	const char *slash = strrchr(output_path, '/');

	memset(r, 0, sizeof(*r));
	r->opt = opt;
	r->trust = trust;
	r->out = out;
	if (!slash)
		snprintf(r->dir, sizeof(r->dir), ".");
	else
		snprintf(r->dir, sizeof(r->dir), "%.*s", slash == output_path ? 1 : (int)(slash - output_path),
			 output_path);
	snprintf(r->base, sizeof(r->base), "%s", slash ? slash + 1 : output_path);
	pthread_mutex_init(&r->lock, NULL);
	int rotates = opt->rotate_size || opt->rotate_interval;
	if (opt->compress != COMPRESS_NONE || (rotates && opt->fsync != FSYNC_NONE)) {
		r->worker = worker_start(opt->compress, opt->fsync != FSYNC_NONE, opt->output_mode,
					 &r->lock, trust);
		if (!r->worker) {
			int e = errno;
			warnx("cannot start the compression thread: %s", strerror(e));
			pthread_mutex_destroy(&r->lock);
			return -e;
		}
	}
	pthread_mutex_lock(&r->lock);
	tidy(r);
	retain(r, 0);
	pthread_mutex_unlock(&r->lock);
	if (opt->rotate_interval)
		r->next_ms = next_boundary_ms(opt->rotate_interval);
	if (opt->max_age)
		r->sweep_ms = mono_ms() + SWEEP_EVERY_MS;
	return 0;
}

void rotate_fini(struct rotator *r)
{
	worker_stop(r->worker);
	r->worker = NULL;
	pthread_mutex_destroy(&r->lock);
}

int64_t rotate_timeout(const struct rotator *r)
{
	int64_t t = -1;

	if (r->next_ms) {
		int64_t left = r->next_ms - wall_ms();
		t = left > 0 ? left : 0;
	}
	if (r->sweep_ms) {
		int64_t left = r->sweep_ms - mono_ms();
		left = left > 0 ? left : 0;
		t = t < 0 || left < t ? left : t;
	}
	return t;
}

int rotate_time_due(const struct rotator *r)
{
	return r->next_ms && wall_ms() >= r->next_ms;
}

void rotate_sweep(struct rotator *r)
{
	if (!r->sweep_ms || mono_ms() < r->sweep_ms)
		return;
	pthread_mutex_lock(&r->lock);
	retain(r, 0);
	pthread_mutex_unlock(&r->lock);
	r->sweep_ms = mono_ms() + SWEEP_EVERY_MS;
}

/* Without RENAME_EXCHANGE (some file systems): the output is renamed over the fresh file FD at
 * TO, so TO never goes free, then made again under its own name, which is free for that moment;
 * in a sticky directory another user can take it. Then shmlogd writes on under TO, which
 * retention leaves alone (is_output) and unstray() puts back once the name is free. Returns 0
 * or -errno, said on stderr. */
static int rename_then_create(struct rotator *r, struct output *o, const char *to, int fd)
{
	close(fd);
	if (renameat(AT_FDCWD, o->path, AT_FDCWD, to) < 0) {
		int e = errno;
		unlink(to); /* our fresh file */
		warnx("cannot rotate %s to %s: %s; writing on to %s, trying again in a minute",
		      o->path, to, strerror(e), o->path);
		return -e;
	}
	crash_point("after_rename");
	int err = output_open(o);
	if (err) {
		warnx("cannot create %s after rotating it: %s; writing on to the old file, under its "
		      "own name again as soon as that is free",
		      o->path, output_why(o, err));
		if (renameat2(AT_FDCWD, to, AT_FDCWD, o->path, RENAME_NOREPLACE) < 0)
			snprintf(r->stray, sizeof(r->stray), "%s", to);
	}
	return err;
}

/* Puts the output that rename_then_create() left under r->stray back under its own name once
 * that is free. Returns 1 when nothing is astray (any more). */
static int unstray(struct rotator *r, const struct output *o)
{
	struct stat st;

	if (!r->stray[0])
		return 1;
	if (stat(r->stray, &st) == 0 && is_output(r, &st)) {
		if (renameat2(AT_FDCWD, r->stray, AT_FDCWD, o->path, RENAME_NOREPLACE) < 0)
			return 0;
		warnx("%s has its name back", o->path);
	} else if (r->worker) {
		worker_submit(r->worker, r->stray); /* a SIGHUP moved us on: it is finished */
	}
	r->stray[0] = '\0';
	return 1;
}

int rotate_now(struct rotator *r, struct output *o)
{
	char stamp[ROTATE_STAMP_LEN + 1], to[PATH_MAX + 64];
	struct stat st;
	int err = 0, said = 0;

	if (r->opt->rotate_interval)
		r->next_ms = next_boundary_ms(r->opt->rotate_interval);
	if (!unstray(r, o))
		return -EAGAIN;
	if (o->size == 0 || o->fd < 0)
		return 0;
	if (!rotate_ready(r))
		return -EAGAIN;
	int64_t us = wall_us();
	pthread_mutex_lock(&r->lock);
	retain(r, 1);
	/* The fresh output is made first, O_EXCL under the rotated name: two rotations within a
	 * microsecond (or a clock step back) must not overwrite a rotated file, so the next free
	 * microsecond names it instead. */
	int fd = -EEXIST;
	for (int tries = 0; tries < 1000 && fd == -EEXIST; tries++, us++) {
		logfile_stamp(stamp, us);
		if ((err = gen_path(r, to, sizeof(to), stamp, "")) < 0)
			break;
		fd = output_create(o, to, &st);
	}
	if (!err && fd < 0)
		err = fd;
	if (!err) {
		crash_delay("mid_rotation"); /* a test's other user tries to take the output's name */
		/* One step: the output gets the rotated name, the fresh file the output's. */
		if (renameat2(AT_FDCWD, o->path, AT_FDCWD, to, RENAME_EXCHANGE) == 0) {
			crash_point("after_rename");
			output_adopt(o, fd, &st);
		} else if (errno == EINVAL) { /* this file system cannot exchange */
			err = rename_then_create(r, o, to, fd);
			said = 1;
		} else {
			err = -errno;
			unlink(to); /* our fresh file */
			close(fd);
		}
	}
	pthread_mutex_unlock(&r->lock);
	if (err) {
		if (!said)
			warnx("cannot rotate %s to %s: %s; writing on to %s, trying again in a minute",
			      o->path, to, strerror(-err), o->path);
		r->failed_ms = mono_ms();
		return err;
	}
	r->failed_ms = 0;
	if (r->worker)
		worker_submit(r->worker, to);
	return 0;
}

int rotate_ready(const struct rotator *r)
{
	return !r->failed_ms || mono_ms() - r->failed_ms >= RETRY_AFTER_MS;
}

/* compress.c - the rotated-file worker thread: gzip (zlib) and zstd (libzstd) streams, written to
 * NAME.gz.tmp / NAME.zst.tmp and renamed over only when complete (see compress.h).
 *
 * A crash at any point leaves either the rotated file alone, or it plus a stale .tmp (removed and
 * redone at the next start by rotate.c), or it plus its complete compressed copy (the plain one
 * is then removed at the next start). A compressed file is never seen half-written under its
 * final name.
 *
 * The temporary is created O_EXCL: in a sticky directory another user may have made that name
 * first, and writing our compressed log into their file (then renaming it into place) would
 * hand them both the contents and the file. A temporary of ours left by a crash is removed and
 * the creation tried again; one of someone else's is left alone, and so is the rotated file.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "compress.h"
#include "crash.h"
#include "thread.h"

#define IO_BUF (128 * 1024)
#define GZIP_LEVEL 6
#define ZSTD_LEVEL 3
#define WORKER_NICE 10 /* the drain loop comes first when both want a CPU */

struct job {
	struct job *next;
	char path[];
};

struct worker {
	pthread_t thread;
	pthread_mutex_t mu; /* guards the queue and stopping */
	pthread_cond_t cv;
	struct job *head, **tail;
	/* The job being done, off the queue: held here, not only on the worker's stack, so that
	 * a process that ends meanwhile (a crash test's SIGKILL, which valgrind sees coming) still
	 * points at it and no checker calls it lost. Worker only. */
	struct job *current;
	int stopping;
	enum compress method;
	int sync;
	mode_t mode;
	pthread_mutex_t *files_lock;
	const struct trust *trust;
	unsigned char in[IO_BUF], out[IO_BUF];
};

const char *compress_suffix(enum compress method)
{
	return method == COMPRESS_GZIP ? ".gz" : method == COMPRESS_ZSTD ? ".zst" : "";
}

static ssize_t read_some(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = read(fd, buf, n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? -errno : r;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -ENOSPC;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int gzip_stream(struct worker *w, int in, int out)
{
	z_stream zs;
	int flush, err = 0;

	memset(&zs, 0, sizeof(zs));
	/* windowBits 15 + 16: a gzip header and trailer, so gzip(1) reads it. */
	if (deflateInit2(&zs, GZIP_LEVEL, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	do {
		ssize_t n = read_some(in, w->in, IO_BUF);
		if (n < 0) {
			err = (int)n;
			break;
		}
		flush = n == 0 ? Z_FINISH : Z_NO_FLUSH;
		zs.next_in = w->in;
		zs.avail_in = (uInt)n;
		do {
			zs.next_out = w->out;
			zs.avail_out = IO_BUF;
			if (deflate(&zs, flush) == Z_STREAM_ERROR) {
				err = -EIO;
				break;
			}
			err = write_all(out, w->out, IO_BUF - zs.avail_out);
		} while (!err && zs.avail_out == 0);
	} while (!err && flush != Z_FINISH);
	deflateEnd(&zs);
	return err;
}

static int zstd_stream(struct worker *w, int in, int out)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	int err = 0, last;

	if (!cc)
		return -ENOMEM;
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, ZSTD_LEVEL);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_checksumFlag, 1);
	do {
		ssize_t n = read_some(in, w->in, IO_BUF);
		if (n < 0) {
			err = (int)n;
			break;
		}
		last = n == 0;
		ZSTD_inBuffer ib = {w->in, (size_t)n, 0};
		int finished;
		do {
			ZSTD_outBuffer ob = {w->out, IO_BUF, 0};
			size_t left = ZSTD_compressStream2(cc, &ob, &ib, last ? ZSTD_e_end : ZSTD_e_continue);
			if (ZSTD_isError(left)) {
				err = -EIO;
				break;
			}
			err = write_all(out, w->out, ob.pos);
			finished = last ? left == 0 : ib.pos == ib.size;
		} while (!err && !finished);
	} while (!err && !last);
	ZSTD_freeCCtx(cc);
	return err;
}

static void sync_dir_of(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", slash == path ? 1 : (int)(slash - path), path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* Creates the temporary TMP for compressing PATH, O_EXCL (see the top of this file). Returns the
 * descriptor, or -1 after saying why PATH is left uncompressed. */
static int create_tmp(struct worker *w, const char *path, const char *tmp)
{
	const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
	char why[TRUST_MSG_MAX];
	int fd;

	crash_delay("before_tmp"); /* a test's other user plants the name meanwhile */
	if ((fd = open(tmp, flags, w->mode)) < 0 && errno == EEXIST) {
		if (trust_unlink(w->trust, tmp, why, sizeof(why)) == -EPERM) {
			warnx("compressing %s: %s; left uncompressed", path, why);
			return -1;
		}
		fd = open(tmp, flags, w->mode);
	}
	if (fd < 0)
		warnx("compressing %s: cannot create %s: %s; left uncompressed", path, tmp,
		      strerror(errno));
	return fd;
}

/* Compresses PATH to PATH<suffix>; the plain file goes only once the copy is complete. */
static void compress_file(struct worker *w, const char *path, int src)
{
	char dst[4096], tmp[4096 + 8];
	struct stat st, now;
	int err;

	if (snprintf(dst, sizeof(dst), "%s%s", path, compress_suffix(w->method)) >= (int)sizeof(dst)) {
		warnx("compressing %s: the name is too long; left uncompressed", path);
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", dst);
	if (fstat(src, &st) < 0)
		return;
	int out = create_tmp(w, path, tmp);
	if (out < 0)
		return;
	err = fchmod(out, w->mode) < 0 ? -errno : 0;
	if (!err)
		err = w->method == COMPRESS_GZIP ? gzip_stream(w, src, out) : zstd_stream(w, src, out);
	/* Keep the rotation time: retention by age reads it. */
	struct timespec times[2] = {st.st_atim, st.st_mtim};
	crash_point("before_swap");
	if (!err && futimens(out, times) < 0)
		err = -errno;
	if (!err && w->sync && fdatasync(out) < 0)
		err = -errno;
	if (close(out) < 0 && !err)
		err = -errno;
	pthread_mutex_lock(w->files_lock);
	/* Retention may have deleted the file meanwhile: then the copy must not bring it back. */
	int still = stat(path, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev;
	if (!err && still && rename(tmp, dst) < 0)
		err = -errno;
	if (err || !still) {
		unlink(tmp);
	} else {
		crash_point("after_swap");
		unlink(path);
	}
	pthread_mutex_unlock(w->files_lock);
	if (err)
		warnx("compressing %s: %s; left uncompressed (the next start retries)", path,
		      strerror(-err));
	else if (w->sync)
		sync_dir_of(path);
}

static void finish_file(struct worker *w, const char *path)
{
	char why[TRUST_MSG_MAX];
	/* O_NONBLOCK: a FIFO under the name must not hang the worker; it is refused below. */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return; /* deleted by retention already */
	if (trust_found_file(w->trust, fd, path, why, sizeof(why)) == -EPERM) {
		/* Planted under a rotated name, or a second link to a file someone chose: not ours
		 * to compress (into a file others may read) or delete. */
		warnx("%s", why);
		close(fd);
		return;
	}
	if (w->method == COMPRESS_NONE) {
		if (w->sync && fdatasync(fd) < 0)
			warnx("syncing %s: %s", path, strerror(errno));
	} else {
		compress_file(w, path, fd);
	}
	close(fd);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	setpriority(PRIO_PROCESS, (id_t)gettid(), WORKER_NICE);
	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->head && !w->stopping)
			pthread_cond_wait(&w->cv, &w->mu);
		struct job *j = w->head;
		if (!j)
			break;
		w->head = j->next;
		if (!w->head)
			w->tail = &w->head;
		w->current = j;
		pthread_mutex_unlock(&w->mu);
		finish_file(w, j->path);
		w->current = NULL;
		free(j);
		pthread_mutex_lock(&w->mu);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct worker *worker_start(enum compress method, int sync, mode_t mode, pthread_mutex_t *lock,
			    const struct trust *trust)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	w->tail = &w->head;
	w->method = method;
	w->sync = sync;
	w->mode = mode;
	w->files_lock = lock;
	w->trust = trust;
	int err = thread_start(&w->thread, worker_main, w);
	if (err) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		errno = err;
		return NULL;
	}
	return w;
}

int worker_submit(struct worker *w, const char *path)
{
	size_t n = strlen(path) + 1;
	struct job *j = malloc(sizeof(*j) + n);

	if (!j)
		return -ENOMEM;
	memcpy(j->path, path, n);
	j->next = NULL;
	pthread_mutex_lock(&w->mu);
	*w->tail = j;
	w->tail = &j->next;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return 0;
}

void worker_stop(struct worker *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->mu);
	w->stopping = 1;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
}

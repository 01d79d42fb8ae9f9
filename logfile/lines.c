/* lines.c - a log file as lines, and following its name across shmlogd's rotation (logfile.h,
 * "Following across rotation"). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define READ_CHUNK (64 * 1024)

struct logfile {
	char *path;
	const char *base; /* the name's last part, inside path */
	char *dir;        /* the directory it is in */
	unsigned flags;
	struct stream st; /* what is being read: the file at the name, or one of queue */
	dev_t dev;        /* the file at the name as we opened it */
	ino_t ino;
	int64_t opened_us; /* wall time just before that */
	/* Switching to a new file at the name: the rotated files we missed (rotated.c), read
	 * first, then the new file, open already. */
	char **queue;
	size_t nqueue, qnext;
	int in_queue;
	int next_fd; /* -1: none */
	dev_t next_dev;
	ino_t next_ino;
	int64_t next_opened_us;
	unsigned char *buf; /* LOGFILE_MAX_LINE + READ_CHUNK bytes; data in [start, end) */
	size_t start, end;
	int skipping; /* the rest of a line that was cut is skipped up to its '\n' */
	int draining; /* the name was rotated away: reading the old file to its end */
	int switch_next; /* the old file's last unterminated line was given out: switch now */
	int inotify_fd;
	char err[LOGFILE_ERR_MAX];
};

static int64_t wall_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Opens PATH as a regular file. Returns the descriptor, or -errno (ERR says). */
static int open_regular(const char *path, dev_t *dev, ino_t *ino, char *err)
{
	struct stat sb;
	int fd, rc;

	do
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		rc = -errno;
		fmt_err(err, "cannot open '%s': %s%s", path, strerror(errno),
			errno == EACCES ? " (ask for read permission, or run as the log's owner)" : "");
		return rc;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		fmt_err(err, "'%s' is not a regular file: name a log file shmlogd wrote", path);
		return -EISDIR;
	}
	*dev = sb.st_dev;
	*ino = sb.st_ino;
	return fd;
}

/* Reads FD (of PATH) from now on. Returns 0 or -errno (ERR says). */
static int start_reading(struct logfile *lf, int fd, const char *path, char *err)
{
	int rc;

	lf->start = lf->end = 0;
	lf->skipping = lf->draining = lf->switch_next = 0;
	if ((rc = stream_start(&lf->st, fd)) < 0) {
		fmt_err(err, "'%s': %s", path, lf->st.err);
		stream_end(&lf->st);
	}
	return rc;
}

/* Watches the directory the file is in: writes to its files and names coming and going. */
static int watch_dir(struct logfile *lf, char *err)
{
	const char *dir = lf->dir;

	lf->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (lf->inotify_fd < 0 ||
	    inotify_add_watch(lf->inotify_fd, dir,
			      IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
				      IN_CLOSE_WRITE | IN_ATTRIB) < 0) {
		int e = errno;
		fmt_err(err, "cannot watch '%s' for changes: %s (raise "
			     "fs.inotify.max_user_watches or max_user_instances)",
			dir, strerror(e));
		return -e;
	}
	return 0;
}

struct logfile *logfile_open(const char *path, unsigned flags, char *err)
{
	struct logfile *lf = calloc(1, sizeof(*lf));
	int rc = -ENOMEM;

	fmt_err(err, "out of memory");
	if (!lf)
		goto fail_nolf;
	lf->st.fd = lf->inotify_fd = lf->next_fd = -1;
	lf->flags = flags;
	if (!(lf->path = strdup(path)) || !(lf->buf = malloc(LOGFILE_MAX_LINE + READ_CHUNK)))
		goto fail;
	lf->base = strrchr(lf->path, '/') ? strrchr(lf->path, '/') + 1 : lf->path;
	lf->dir = lf->base == lf->path ? strdup(".")
				       : strndup(lf->path, (size_t)(lf->base - lf->path - 1));
	if (!lf->dir)
		goto fail;
	if (!lf->dir[0]) { /* "/name" */
		free(lf->dir);
		if (!(lf->dir = strdup("/")))
			goto fail;
	}
	/* The watch comes first: a write between our last read and the wait still wakes us. */
	if ((flags & LOGFILE_FOLLOW) && (rc = watch_dir(lf, err)) < 0)
		goto fail;
	lf->opened_us = wall_us();
	if ((rc = open_regular(path, &lf->dev, &lf->ino, err)) < 0 ||
	    (rc = start_reading(lf, rc, path, err)) < 0)
		goto fail;
	if (lf->st.comp != LOGFILE_PLAIN)
		lf->flags &= ~LOGFILE_FOLLOW; /* a compressed file is a rotated one: it never grows */
	return lf;
fail:
	logfile_close(lf);
fail_nolf:
	errno = -rc;
	return NULL;
}

void logfile_close(struct logfile *lf)
{
	if (!lf)
		return;
	stream_end(&lf->st);
	if (lf->inotify_fd >= 0)
		close(lf->inotify_fd);
	if (lf->next_fd >= 0)
		close(lf->next_fd);
	for (size_t i = lf->qnext; i < lf->nqueue; i++)
		free(lf->queue[i]);
	free(lf->queue);
	free(lf->buf);
	free(lf->dir);
	free(lf->path);
	free(lf);
}

enum logfile_compression logfile_compression(const struct logfile *lf)
{
	return lf->st.comp;
}

const char *logfile_path(const struct logfile *lf)
{
	return lf->path;
}

const char *logfile_error(const struct logfile *lf)
{
	return lf->err;
}

/* Whether the file shrank below what we read (truncated in place, as logrotate's copytruncate
 * does; shmlogd never does): then it is read again from its start, as tail -F does. */
static int truncated(struct logfile *lf)
{
	struct stat sb;
	off_t pos = lseek(lf->st.fd, 0, SEEK_CUR);

	if (pos < 0 || fstat(lf->st.fd, &sb) < 0 || sb.st_size >= pos)
		return 0;
	lseek(lf->st.fd, 0, SEEK_SET);
	lf->st.in_pos = lf->st.in_len = 0;
	lf->start = lf->end = 0;
	lf->skipping = 0;
	return 1;
}

/* Whether the name now holds another file than the one we read. */
static int name_moved_on(const struct logfile *lf)
{
	struct stat sb;

	return stat(lf->path, &sb) == 0 && (sb.st_dev != lf->dev || sb.st_ino != lf->ino);
}

/* Opens the rotated file PATH in whatever form it has now (compressed meanwhile, or not). */
static int open_rotated(struct logfile *lf, const char *path)
{
	static const char *const forms[] = {"", ".zst", ".gz"};
	char p[PATH_MAX + 8], err[LOGFILE_ERR_MAX];
	dev_t dev;
	ino_t ino;
	int fd = -ENOENT;

	for (size_t i = 0; i < 3 && fd == -ENOENT; i++) {
		snprintf(p, sizeof(p), "%s%s", path, forms[i]);
		fd = open_regular(p, &dev, &ino, err);
	}
	return fd < 0 ? fd : start_reading(lf, fd, p, lf->err);
}

/* The file being read is finished: read the next missed rotated file, or else the new file
 * at the name. A missed file that retention removed meanwhile is gone for us too. */
static int advance(struct logfile *lf)
{
	stream_end(&lf->st);
	while (lf->qnext < lf->nqueue) {
		char *path = lf->queue[lf->qnext++];
		int rc = open_rotated(lf, path);
		free(path);
		if (rc == 0) {
			lf->in_queue = 1;
			return 0;
		}
		if (rc != -ENOENT)
			return rc;
	}
	free(lf->queue);
	lf->queue = NULL;
	lf->nqueue = lf->qnext = lf->in_queue = 0;
	lf->dev = lf->next_dev;
	lf->ino = lf->next_ino;
	lf->opened_us = lf->next_opened_us;
	int fd = lf->next_fd;
	lf->next_fd = -1;
	return start_reading(lf, fd, lf->path, lf->err);
}

/* The file we followed was rotated away and is read to its end: open the new file at the name,
 * find the rotated files we missed, and read those first (rotated.c). */
static int switch_file(struct logfile *lf)
{
	struct rotation_look look = {.dir = lf->dir, .base = lf->base};
	int64_t now = wall_us();
	int fd, rc;

	fd = open_regular(lf->path, &look.new_dev, &look.new_ino, lf->err);
	if (fd == -ENOENT) { /* the name is gone again: wait for it */
		lf->draining = 0;
		return 0;
	}
	if (fd < 0)
		return fd;
	look.old_dev = lf->dev;
	look.old_ino = lf->ino;
	look.old_opened_us = lf->opened_us;
	look.new_opened_us = now;
	if ((rc = rotated_missed(&look, &lf->queue, &lf->nqueue)) < 0 && rc != -ENOENT) {
		close(fd);
		fmt_err(lf->err, "cannot list '%s' for rotated files: %s", lf->dir, strerror(-rc));
		return rc;
	}
	lf->qnext = 0;
	lf->next_fd = fd;
	lf->next_dev = look.new_dev;
	lf->next_ino = look.new_ino;
	lf->next_opened_us = now;
	return advance(lf);
}

/* The file being read is done with: the next missed one, or the name's new file. */
static int finish_file(struct logfile *lf)
{
	lf->switch_next = 0;
	return lf->in_queue ? advance(lf) : switch_file(lf);
}

/* Gives out the bytes in [start, start + n) as a line. */
static int give(struct logfile *lf, size_t n, size_t skip, const char **line, size_t *len)
{
	*line = (const char *)lf->buf + lf->start;
	*len = n;
	lf->start += n + skip;
	return LOGFILE_LINE;
}

/* At the end of the bytes there are for now: decides between waiting, following the name to a
 * new file, and giving out a last line without '\n'. Returns 1 to read again, or 0 with the
 * result for the caller (an enum logfile_next or -errno) in *res. */
static int at_end(struct logfile *lf, const char **line, size_t *len, int *res)
{
	size_t have = lf->end - lf->start;

	if (lf->in_queue || ((lf->flags & LOGFILE_FOLLOW) && lf->draining)) {
		if (have && !lf->skipping) {
			lf->switch_next = 1;
			*res = give(lf, have, 0, line, len);
			return 0;
		}
		if ((*res = finish_file(lf)) < 0)
			return 0;
		return 1;
	}
	if (lf->flags & LOGFILE_FOLLOW) {
		if (!lf->draining) {
			if (truncated(lf))
				return 1;
			if (!name_moved_on(lf)) {
				*res = LOGFILE_AGAIN;
				return 0;
			}
			lf->draining = 1; /* read once more: a write may have come before the swap */
			return 1;
		}
	}
	if (have && !lf->skipping) {
		*res = give(lf, have, 0, line, len);
		return 0;
	}
	*res = LOGFILE_END;
	return 0;
}

int logfile_next_line(struct logfile *lf, const char **line, size_t *len, int *cut)
{
	int res;

	*cut = 0;
	if (lf->switch_next && (res = finish_file(lf)) < 0)
		return res;
	for (;;) {
		unsigned char *nl = memchr(lf->buf + lf->start, '\n', lf->end - lf->start);
		if (nl) {
			size_t n = (size_t)(nl - (lf->buf + lf->start));
			if (!lf->skipping)
				return give(lf, n, 1, line, len);
			lf->skipping = 0;
			lf->start += n + 1;
			continue;
		}
		if (lf->end - lf->start >= LOGFILE_MAX_LINE) {
			*cut = !lf->skipping;
			res = lf->skipping ? -1 : give(lf, LOGFILE_MAX_LINE, 0, line, len);
			lf->skipping = 1;
			lf->start = lf->end; /* the cut line's pointer stays valid until the next call */
			if (res == LOGFILE_LINE)
				return res;
			continue;
		}
		if (lf->start > 0) {
			memmove(lf->buf, lf->buf + lf->start, lf->end - lf->start);
			lf->end -= lf->start;
			lf->start = 0;
		}
		ssize_t n = stream_read(&lf->st, lf->buf + lf->end, LOGFILE_MAX_LINE + READ_CHUNK - lf->end);
		if (n < 0) {
			memcpy(lf->err, lf->st.err, sizeof(lf->err));
			return (int)n;
		}
		if (n > 0) {
			lf->end += (size_t)n;
			continue;
		}
		if (!at_end(lf, line, len, &res))
			return res;
	}
}

/* Whether the events in BUF (N bytes) may concern the file: its name or a rotated one's
 * (BASE.*), the directory itself, or an overflow of the queue. Other files' writes, in a busy
 * directory such as /var/log, are not worth waking for. */
static int concerns_us(const struct logfile *lf, const char *buf, ssize_t n)
{
	size_t blen = strlen(lf->base);

	for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
		const struct inotify_event *e = (const void *)(buf + off);
		if ((e->mask & IN_Q_OVERFLOW) || e->len == 0 ||
		    (!strncmp(e->name, lf->base, blen) && (e->name[blen] == '\0' || e->name[blen] == '.')))
			return 1;
		off += (ssize_t)(sizeof(*e) + e->len);
	}
	return 0;
}

int logfile_wait(struct logfile *lf, int timeout_ms)
{
	struct pollfd p = {.fd = lf->inotify_fd, .events = POLLIN};
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	int relevant = 0;

	if (lf->inotify_fd < 0)
		return -EINVAL;
	while (!relevant) {
		int rc = poll(&p, 1, timeout_ms);
		if (rc < 0 && errno != EINTR)
			return -errno;
		if (rc <= 0)
			return 0; /* the time is up, or a signal: look again anyway */
		/* The events only say "look again": what changed is read from the file and the
		 * name. */
		ssize_t n;
		while ((n = read(lf->inotify_fd, ev, sizeof(ev))) > 0)
			relevant |= concerns_us(lf, ev, n);
		if (timeout_ms >= 0)
			break;
	}
	return 0;
}

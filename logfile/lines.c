/* lines.c - a log file as lines, and following its name across shmlogd's rotation (logfile.h,
 * "Following across rotation"). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

#define READ_CHUNK (64 * 1024)

struct logfile {
	char *path;
	const char *base; /* the name's last part, inside path */
	unsigned flags;
	struct stream st;
	dev_t dev;
	ino_t ino;
	unsigned char *buf; /* LOGFILE_MAX_LINE + READ_CHUNK bytes; data in [start, end) */
	size_t start, end;
	int skipping; /* the rest of a line that was cut is skipped up to its '\n' */
	int draining; /* the name was rotated away: reading the old file to its end */
	int switch_next; /* the old file's last unterminated line was given out: switch now */
	int inotify_fd;
	char err[LOGFILE_ERR_MAX];
};

/* Opens PATH as a regular file and starts its stream. Returns 0 or -errno (ERR says). */
static int open_file(struct logfile *lf, const char *path, char *err)
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
	lf->dev = sb.st_dev;
	lf->ino = sb.st_ino;
	if ((rc = stream_start(&lf->st, fd)) < 0) {
		fmt_err(err, "'%s': %s", path, lf->st.err);
		stream_end(&lf->st);
	}
	return rc;
}

/* Watches the directory the file is in: writes to its files and names coming and going. */
static int watch_dir(struct logfile *lf, char *err)
{
	size_t dlen = (size_t)(lf->base - lf->path);
	char dir[PATH_MAX];

	if (dlen == 0) {
		strcpy(dir, ".");
	} else if (dlen < sizeof(dir)) {
		memcpy(dir, lf->path, dlen);
		dir[dlen] = '\0';
	} else {
		fmt_err(err, "'%s': path too long to follow", lf->path);
		return -ENAMETOOLONG;
	}
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
	lf->st.fd = lf->inotify_fd = -1;
	lf->flags = flags;
	if (!(lf->path = strdup(path)) || !(lf->buf = malloc(LOGFILE_MAX_LINE + READ_CHUNK)))
		goto fail;
	lf->base = strrchr(lf->path, '/') ? strrchr(lf->path, '/') + 1 : lf->path;
	/* The watch comes first: a write between our last read and the wait still wakes us. */
	if ((flags & LOGFILE_FOLLOW) && (rc = watch_dir(lf, err)) < 0)
		goto fail;
	if ((rc = open_file(lf, path, err)) < 0)
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
	free(lf->buf);
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

/* Whether the name now holds another file than the one we read. */
static int name_moved_on(const struct logfile *lf)
{
	struct stat sb;

	return stat(lf->path, &sb) == 0 && (sb.st_dev != lf->dev || sb.st_ino != lf->ino);
}

/* The old file is read to its end: read the one at the name from its start. */
static int switch_file(struct logfile *lf)
{
	char err[LOGFILE_ERR_MAX];
	int rc;

	stream_end(&lf->st);
	lf->start = lf->end = 0;
	lf->skipping = lf->draining = lf->switch_next = 0;
	if ((rc = open_file(lf, lf->path, err)) < 0)
		memcpy(lf->err, err, sizeof(err));
	return rc;
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

	if (lf->flags & LOGFILE_FOLLOW) {
		if (!lf->draining) {
			if (!name_moved_on(lf)) {
				*res = LOGFILE_AGAIN;
				return 0;
			}
			lf->draining = 1; /* read once more: a write may have come before the swap */
			return 1;
		}
		if (have && !lf->skipping) {
			lf->switch_next = 1;
			*res = give(lf, have, 0, line, len);
			return 0;
		}
		if ((*res = switch_file(lf)) < 0)
			return 0;
		return 1;
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
	if (lf->switch_next && (res = switch_file(lf)) < 0)
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

int logfile_wait(struct logfile *lf, int timeout_ms)
{
	struct pollfd p = {.fd = lf->inotify_fd, .events = POLLIN};
	char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));

	if (lf->inotify_fd < 0)
		return -EINVAL;
	if (poll(&p, 1, timeout_ms) < 0 && errno != EINTR)
		return -errno;
	/* The events only say "look again": what changed is read from the file and the name. */
	while (read(lf->inotify_fd, ev, sizeof(ev)) > 0)
		;
	return 0;
}

/* output.c - opens, appends to and syncs the output file (see output.h). */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "batch.h"
#include "clock.h"
#include "crash.h"
#include "notify.h"
#include "output.h"

void output_init(struct output *o, const struct options *opt, const char *path,
		 const struct trust *trust)
{
	*o = (struct output){
		.path = path,
		.mode = opt->output_mode,
		.fd = -1,
		.fsync = opt->fsync,
		.fsync_interval_ms = opt->fsync_interval_ms,
		.trust = trust,
	};
}

int output_open(struct output *o)
{
	/* O_NOFOLLOW: a symlink planted at the path (by anyone who can write the directory) must not
	 * make a root-run collector append to /etc/shadow. O_NONBLOCK: nor may a planted FIFO make
	 * the open hang; it is refused below as not a regular file. */
	const int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK;
	struct stat st;
	int created = 1;
	int fd = open(o->path, flags | O_CREAT | O_EXCL, o->mode);

	o->refusal[0] = '\0';
	if (fd < 0 && errno == EEXIST) {
		created = 0;
		fd = open(o->path, flags);
	}
	if (fd < 0 && errno == EACCES) {
		/* Whether the file or its directory is at fault, in o->refusal (left empty when
		 * neither can be looked at): not for the user to guess. */
		trust_why_unwritable(o->trust, o->path, o->refusal, sizeof(o->refusal));
		return -EACCES;
	}
	if (fd < 0)
		return errno == ENXIO ? -EINVAL : -errno; /* ENXIO: a FIFO or socket */
	/* The mode is a contract with the log's readers: the umask must not narrow it. */
	if (fstat(fd, &st) < 0 || (created && fchmod(fd, o->mode) < 0)) {
		int e = errno;
		close(fd);
		return -e;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	/* A file we did not just create may be someone else's, planted for us to fill (issue 14).
	 * Checked on the descriptor: a rename after the open cannot change what we looked at. */
	int refused = created ? 0
			      : trust_file(o->trust, fd, o->path, trust_output_bits(o->trust),
					   o->refusal, sizeof(o->refusal));
	if (refused) {
		close(fd);
		return refused;
	}
	if (fcntl(fd, F_SETFL, O_APPEND) < 0) { /* back to blocking writes */
		int e = errno;
		close(fd);
		return -e;
	}
	output_adopt(o, fd, &st);
	return 0;
}

int output_create(const struct output *o, const char *path, struct stat *st)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_CREAT | O_EXCL, o->mode);

	if (fd < 0)
		return -errno;
	if (fchmod(fd, o->mode) < 0 || fstat(fd, st) < 0) {
		int e = errno;
		unlink(path); /* made O_EXCL just now: ours */
		close(fd);
		return -e;
	}
	return fd;
}

void output_adopt(struct output *o, int fd, const struct stat *st)
{
	output_close(o);
	o->fd = fd;
	o->dev = st->st_dev;
	o->ino = st->st_ino;
	o->size = (uint64_t)st->st_size;
	o->cut_pending = 0;
	o->dirty = 0;
}

const char *output_why(const struct output *o, int err)
{
	return (err == -EPERM || err == -EACCES) && o->refusal[0] ? o->refusal : strerror(-err);
}

void output_close(struct output *o)
{
	if (o->fd < 0)
		return;
	close(o->fd);
	o->fd = -1;
	o->dirty = 0; /* nothing left to sync: the interval timer must not fire for it forever */
}

static int cut_back(struct output *o)
{
	if (ftruncate(o->fd, (off_t)o->size) < 0) {
		o->cut_pending = 1;
		return -errno;
	}
	o->cut_pending = 0;
	return 0;
}

int output_append(struct output *o, const struct iovec *iov, int n, size_t len)
{
	struct iovec v[BATCH_MAX_IOV];
	size_t done = 0;
	int e;

	if (o->fd < 0)
		return -EBADF;
	if (o->cut_pending && (e = cut_back(o)) < 0)
		return e;
	if (n > BATCH_MAX_IOV)
		return -EINVAL;
	crash_mid_write(o->fd, iov, n, len);
	memcpy(v, iov, (size_t)n * sizeof(*iov));
	int first = 0;
	while (done < len) {
		ssize_t w = writev(o->fd, v + first, n - first);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			e = w < 0 ? errno : ENOSPC;
			/* A partial line must not stay in the file: a reader would glue the next line to
			 * it, and a rotated file must be valid on its own. */
			cut_back(o);
			return -e;
		}
		done += (size_t)w;
		while (first < n && (size_t)w >= v[first].iov_len) {
			w -= (ssize_t)v[first].iov_len;
			first++;
		}
		if (first < n) {
			v[first].iov_base = (char *)v[first].iov_base + w;
			v[first].iov_len -= (size_t)w;
		}
	}
	o->size += len;
	if (!o->dirty) {
		o->dirty = 1;
		o->dirty_since_ms = mono_ms();
	}
	return 0;
}

int output_fdatasync(int fd)
{
	crash_note("fdatasync");
	crash_delay("sync"); /* a test's slow disk */
	return fdatasync(fd) < 0 ? -errno : 0;
}

int output_sync(struct output *o)
{
	int err;

	if (o->fd < 0)
		return 0;
	if ((err = output_fdatasync(o->fd)) < 0) {
		o->dirty_since_ms = mono_ms(); /* the interval policy tries again an interval later */
		return err;
	}
	o->dirty = 0;
	return 0;
}

void output_retract(struct output *o, size_t len)
{
	o->size -= len;
	cut_back(o);
}

int64_t output_sync_due(const struct output *o, int64_t now_ms)
{
	if (!o->dirty || o->fsync != FSYNC_INTERVAL)
		return -1;
	int64_t left = o->dirty_since_ms + o->fsync_interval_ms - now_ms;
	return left > 0 ? left : 0;
}

void output_report(struct output *o, int err, const char *what, int held)
{
	char status[512];

	if (-err == o->state)
		return;
	if (err < 0) {
		warnx("%s %s: %s; %s", what, o->path, output_why(o, err),
		      held ? "records stay in the ring (writers meet its full policy), retrying "
			     "until it works"
			   : "retrying");
		snprintf(status, sizeof(status), "STATUS=%s %s: %s", what, o->path, strerror(-err));
	} else {
		warnx("writing %s works again; resumed", o->path);
		snprintf(status, sizeof(status), "STATUS=draining the ring");
	}
	notify(status);
	o->state = -err;
}

/* recover.c - the state file and the restart rules (see recover.h and docs/COLLECTOR.md).
 *
 * The file holds two 128-byte slots; record number gen goes to slot gen & 1, so a write torn by
 * a crash leaves the previous record intact in the other slot, and the reader takes the valid
 * (magic, version, CRC) record with the highest gen. Per batch:
 *
 *   1. INTENT {ring id, file dev/ino, size before, size after, seq_first, seq_end}
 *   2. append the batch to the output (and fdatasync it if the policy says so)
 *   3. DONE   {ring id, file dev/ino, size, seq_end}
 *   4. shmlog_consumer_commit(): only now may writers reuse the records' space
 *
 * On restart the consumer hands out again everything after the ring's checkpoint (the last
 * commit), which is at or before seq_first of the last record written here. The rules:
 *
 *   no valid record, or another ring id   trust nothing: resume at 0 (no record is skipped)
 *   DONE                                  the file holds everything below seq_end
 *   INTENT, same file, size == after      step 2 finished: as DONE
 *   INTENT, same file, size == before     step 2 wrote nothing: the file holds everything below
 *                                         seq_first
 *   INTENT, same file, before < size < after
 *                                         step 2 was cut short: cut the file back to before;
 *                                         the file holds everything below seq_first
 *   INTENT, anything else                 the file was moved or changed by someone else: resume
 *                                         at seq_first (the batch may then appear twice, in the
 *                                         moved file and the new one; it is never lost)
 *
 * The state file is never synced: the only crash it must survive is the collector's own, and
 * the page cache survives that. A machine crash loses the ring in /dev/shm too, and a new ring
 * has a new id, which makes the old state moot.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "recover.h"

#define STATE_MAGIC 0x53545344474f4c53ull /* "SLOGDSTS" */
#define STATE_VERSION 1u
#define STATE_SLOT 128

enum { PHASE_INTENT = 1, PHASE_DONE = 2 };

struct state_rec {
	uint64_t magic;
	uint32_t version;
	uint32_t phase;
	uint64_t gen;
	uint64_t ring_id;
	uint64_t dev, ino;
	uint64_t size_before, size_after;
	uint64_t seq_first, seq_end;
	uint32_t crc; /* zlib crc32 of every byte before it */
	uint32_t pad;
};

_Static_assert(sizeof(struct state_rec) <= STATE_SLOT, "state record fits its slot");

static uint32_t rec_crc(const struct state_rec *s)
{
	return (uint32_t)crc32(0, (const Bytef *)s, offsetof(struct state_rec, crc));
}

/* A POSIX record lock, whose holder F_GETLK can name. It goes away with the process, also on
 * SIGKILL, so a restarted collector is never locked out by its dead predecessor. It would also go
 * away if this process closed any other descriptor of the file: nothing else here opens it. */
static int lock_state(int fd, pid_t *holder)
{
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	*holder = 0;
	if (fcntl(fd, F_SETLK, &l) == 0)
		return 0;
	if (errno != EACCES && errno != EAGAIN)
		return -errno;
	l = (struct flock){.l_type = F_WRLCK, .l_whence = SEEK_SET};
	if (fcntl(fd, F_GETLK, &l) == 0 && l.l_type != F_UNLCK)
		*holder = l.l_pid;
	return -EBUSY;
}

/* Creates the state file at r->path, or opens the one there and checks whose it is. Returns the
 * descriptor or -errno (-EPERM: refused, the reason in r->refusal). */
static int open_state(struct recovery *r, const struct trust *trust)
{
	const int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW;
	int fd = open(r->path, flags | O_CREAT | O_EXCL, 0600);

	if (fd >= 0 || errno != EEXIST)
		return fd >= 0 ? fd : -errno;
	if ((fd = open(r->path, flags)) < 0)
		return -errno;
	int e = trust_file(trust, fd, r->path, trust_private_bits(trust), r->refusal,
			   sizeof(r->refusal));
	if (e) {
		close(fd);
		return e;
	}
	return fd;
}

int recover_open(struct recovery *r, const char *output_path, const struct trust *trust,
		 pid_t *holder)
{
	const char *slash = strrchr(output_path, '/');
	int dirlen = slash ? (int)(slash - output_path + 1) : 0;
	const char *base = output_path + dirlen;

	*r = (struct recovery){.fd = -1};
	size_t cap = strlen(output_path) + sizeof(".shmlogd-state") + 2;
	if (!(r->path = malloc(cap)))
		return -ENOMEM;
	snprintf(r->path, cap, "%.*s.%s.shmlogd-state", dirlen, output_path, base);
	int fd = open_state(r, trust);
	int e = fd < 0 ? fd : lock_state(fd, holder);
	if (e && fd >= 0)
		close(fd);
	r->fd = e ? -1 : fd;
	return e; /* r->path stays for the caller's message; recover_close() frees it */
}

void recover_close(struct recovery *r)
{
	if (r->fd >= 0)
		close(r->fd);
	free(r->path);
	r->fd = -1;
	r->path = NULL;
}

/* The newest valid record, or 0 if there is none. */
static int read_state(struct recovery *r, struct state_rec *out)
{
	struct state_rec s[2];
	int best = -1;

	for (int i = 0; i < 2; i++) {
		if (pread(r->fd, &s[i], sizeof(s[i]), (off_t)i * STATE_SLOT) != sizeof(s[i]) ||
		    s[i].magic != STATE_MAGIC || s[i].version != STATE_VERSION ||
		    s[i].crc != rec_crc(&s[i]) || (s[i].gen & 1) != (uint64_t)i)
			continue;
		if (best < 0 || s[i].gen > s[best].gen)
			best = i;
	}
	if (best < 0)
		return 0;
	*out = s[best];
	return 1;
}

static int write_state(struct recovery *r, struct state_rec *s)
{
	s->magic = STATE_MAGIC;
	s->version = STATE_VERSION;
	s->gen = r->gen;
	s->ring_id = r->ring_id;
	s->pad = 0;
	s->crc = rec_crc(s);
	ssize_t w = pwrite(r->fd, s, sizeof(*s), (off_t)(r->gen & 1) * STATE_SLOT);
	if (w != (ssize_t)sizeof(*s))
		return w < 0 ? -errno : -ENOSPC;
	r->gen++;
	return 0;
}

/* Nothing trusted about the output's end: if a crash tore its last line, end that line so the
 * next record starts on its own. */
static void end_torn_line(struct output *o)
{
	char c;

	if (o->size == 0 || pread(o->fd, &c, 1, (off_t)o->size - 1) != 1 || c == '\n')
		return;
	if (write(o->fd, "\n", 1) == 1)
		o->size++;
}

uint64_t recover_resume(struct recovery *r, struct output *o)
{
	struct state_rec s;
	uint64_t resume;
	struct stat st;

	memset(&s, 0, sizeof(s));
	if (!read_state(r, &s)) {
		end_torn_line(o);
		resume = 0;
	} else {
		r->gen = s.gen + 1;
		int same_file = s.dev == (uint64_t)o->dev && s.ino == (uint64_t)o->ino;
		if (s.ring_id != r->ring_id) {
			warnx("%s: written for another instance of the ring; starting afresh", r->path);
			end_torn_line(o);
			resume = 0;
		} else if (s.phase == PHASE_DONE ||
			   (same_file && o->size == s.size_after)) {
			resume = s.seq_end;
		} else if (same_file && o->size == s.size_before) {
			/* Nothing of the batch reached the file (a failing output, or a crash
			 * before the write): the consumer delivers it again. */
			resume = s.seq_first;
		} else if (same_file && o->size > s.size_before && o->size < s.size_after) {
			/* Cut the half-written batch off: the consumer delivers it again. */
			if (ftruncate(o->fd, (off_t)s.size_before) == 0 && fstat(o->fd, &st) == 0) {
				warnx("%s: cut off %llu bytes of a batch that a crash interrupted; "
				      "writing it again",
				      o->path, (unsigned long long)(o->size - (uint64_t)st.st_size));
				o->size = (uint64_t)st.st_size;
			} else
				warnx("cannot cut %s back to %llu bytes: %s", o->path,
				      (unsigned long long)s.size_before, strerror(errno));
			resume = s.seq_first;
		} else {
			warnx("%s changed while a batch was being written (moved or truncated by "
			      "someone else?); rewriting that batch, whose records may now appear "
			      "twice",
			      o->path);
			end_torn_line(o);
			resume = s.seq_first;
		}
	}
	recover_done(r, o, resume);
	return resume;
}

int recover_intent(struct recovery *r, const struct output *o, size_t len, uint64_t seq_first,
		   uint64_t seq_end)
{
	struct state_rec s = {
		.phase = PHASE_INTENT,
		.dev = (uint64_t)o->dev,
		.ino = (uint64_t)o->ino,
		.size_before = o->size,
		.size_after = o->size + len,
		.seq_first = seq_first,
		.seq_end = seq_end,
	};
	return write_state(r, &s);
}

int recover_done(struct recovery *r, const struct output *o, uint64_t seq_end)
{
	struct state_rec s = {
		.phase = PHASE_DONE,
		.dev = (uint64_t)o->dev,
		.ino = (uint64_t)o->ino,
		.size_before = o->size,
		.size_after = o->size,
		.seq_first = seq_end,
		.seq_end = seq_end,
	};
	return write_state(r, &s);
}

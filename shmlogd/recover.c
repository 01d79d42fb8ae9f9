/* recover.c - what the collector's state records mean, and the restart rules (see recover.h and
 * docs/COLLECTOR.md).
 *
 * The records are kept by statefile.c's protocol (two slots, generations, CRC: a write torn by a
 * crash leaves the previous record, and a reader takes the newest valid one). Per batch:
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
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "recover.h"

enum { PHASE_INTENT = 1, PHASE_DONE = 2 }; /* in the head's word */

struct state_rec {
	struct statefile_head head;
	uint64_t ring_id;
	uint64_t dev, ino;
	uint64_t size_before, size_after;
	uint64_t seq_first, seq_end;
	struct statefile_tail tail;
};

STATEFILE_RECORD(struct state_rec);

static const struct statefile_format state_format = {
	.magic = 0x53545344474f4c53ull, /* "SLOGDSTS" */
	.version = 1,
	.size = sizeof(struct state_rec),
};

int recover_open(struct recovery *r, const char *output_path, const struct trust *trust,
		 pid_t *holder)
{
	*r = (struct recovery){.sf = {.fd = -1}};
	return statefile_open(&r->sf, output_path, "shmlogd-state", &state_format, trust, holder);
}

void recover_close(struct recovery *r)
{
	statefile_close(&r->sf);
}

static int write_state(struct recovery *r, struct state_rec *s)
{
	s->ring_id = r->ring_id;
	return statefile_write(&r->sf, s);
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
	if (!statefile_read(&r->sf, &s)) {
		end_torn_line(o);
		resume = 0;
	} else {
		int same_file = s.dev == (uint64_t)o->dev && s.ino == (uint64_t)o->ino;
		if (s.ring_id != r->ring_id) {
			warnx("%s: written for another instance of the ring; starting afresh", r->sf.path);
			end_torn_line(o);
			resume = 0;
		} else if (s.head.word == PHASE_DONE ||
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
		.head.word = PHASE_INTENT,
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
		.head.word = PHASE_DONE,
		.dev = (uint64_t)o->dev,
		.ino = (uint64_t)o->ino,
		.size_before = o->size,
		.size_after = o->size,
		.seq_first = seq_end,
		.seq_end = seq_end,
	};
	return write_state(r, &s);
}

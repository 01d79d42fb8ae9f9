/* recover.h - crash-safe restart: the state file that says which records the output file already
 * holds, written with an intent-then-done protocol around every batch. docs/COLLECTOR.md gives
 * the reasoning; the rules are in recover.c, the state file's own protocol (slots, CRC,
 * generations, trust, lock) in statefile.c. */
#ifndef SHMLOGD_RECOVER_H
#define SHMLOGD_RECOVER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "output.h"
#include "statefile.h"
#include "trust.h"

struct recovery {
	struct statefile sf; /* <dir>/.<name>.shmlogd-state, next to the output; sf.path, and
			      * sf.refusal when recover_open() returned -EPERM */
	uint64_t ring_id;    /* the ring instance the records come from: set before
			      * recover_resume() */
};

/* Opens (creating) the state file that belongs to OUTPUT_PATH and locks it for the life of the
 * process: two collectors appending to one file would overwrite each other's state, and a crash
 * of either would then write records twice. The file is created O_EXCL, mode 0600; one that
 * exists already must pass trust_file() (ours, one link, no group/other write, not more readable
 * than --output-mode): one planted by another user would tell us what to skip, or cut. Returns
 * 0, -EBUSY when another process holds the lock (its pid in *HOLDER, or 0 if unknown), -EPERM
 * when the file is refused (the reason in r->sf.refusal), or -errno; r->sf.path names the file
 * either way (unless out of memory) until recover_close(). statefile_open() does the work. */
int recover_open(struct recovery *r, const char *output_path, const struct trust *trust,
		 pid_t *holder);
void recover_close(struct recovery *r);

/* Reads what the previous run left, repairs the output file (cuts a half-written batch off, or
 * ends a torn line) and returns the sequence number below which the output already holds every
 * real record of this ring: the consumer will hand those out again, and they must be skipped.
 * Returns 0 when nothing is known about this ring instance. Prints a line on stderr when it
 * cannot tell exactly and errs on the side of writing records twice rather than losing any. */
uint64_t recover_resume(struct recovery *r, struct output *o);

/* Before appending LEN bytes holding the real records [seq_first, seq_end) to o's file. */
int recover_intent(struct recovery *r, const struct output *o, size_t len, uint64_t seq_first,
		   uint64_t seq_end);

/* After the append (and its sync, if any): the file now holds every record below seq_end. */
int recover_done(struct recovery *r, const struct output *o, uint64_t seq_end);

#endif

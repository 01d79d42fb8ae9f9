/* statefile.h - shmlogd's crash-safe state files: the one owner of how a small record is kept
 * next to the output so that a SIGKILL at any instant leaves either the new record or the one
 * before it, never a mix. The collector's checkpoint (recover.c) is its first user; the
 * forwarder's cursors (docs/FORWARDING.md, section 5) are the next. statefile.c holds the
 * protocol and its reasoning; what a record *means* belongs to its user.
 *
 * A user's record is a struct that starts with struct statefile_head and ends with struct
 * statefile_tail, with its own fields between, at most STATEFILE_SLOT bytes in all
 * (STATEFILE_RECORD() checks that at compile time). The head's magic and version name the kind
 * of file, and its `word` is the user's (the collector keeps its INTENT/DONE phase there).
 */
#ifndef SHMLOGD_STATEFILE_H
#define SHMLOGD_STATEFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "trust.h"

#define STATEFILE_SLOT 128 /* bytes a slot takes in the file; a record is at most that */

struct statefile_head {
	uint64_t magic;   /* the kind of state file: set by statefile_write() from the format */
	uint32_t version; /* its layout: likewise */
	uint32_t word;    /* the user's */
	uint64_t gen;     /* set by statefile_write(): the record's generation */
};

struct statefile_tail {
	uint32_t crc; /* zlib crc32 of every byte of the record before it */
	uint32_t pad; /* 0 */
};

/* Checks at compile time that TYPE is a record: head first, tail last, fits a slot. */
#define STATEFILE_RECORD(type)                                                                    \
	_Static_assert(offsetof(type, head) == 0, #type ": head first");                         \
	_Static_assert(offsetof(type, tail) + sizeof(struct statefile_tail) == sizeof(type),     \
		       #type ": tail last");                                                      \
	_Static_assert(sizeof(type) <= STATEFILE_SLOT, #type ": fits its slot")

/* What a kind of state file is: records of SIZE bytes, each with this MAGIC and VERSION. */
struct statefile_format {
	uint64_t magic;
	uint32_t version;
	size_t size;
};

struct statefile {
	int fd;
	char *path;   /* <dir>/.<name>.<suffix>, next to the output */
	uint64_t gen; /* of the next record written: one above the newest read, or 0 */
	const struct statefile_format *format;
	char refusal[TRUST_MSG_MAX]; /* why statefile_open() returned -EPERM */
};

/* Opens (creating) the state file <dir>/.<name>.SUFFIX of OUTPUT_PATH (<dir>/<name>) and locks
 * it for the life of the process: two processes writing one state file would overwrite each
 * other's records. The file is created O_EXCL|O_NOFOLLOW, mode 0600; one that exists already
 * must pass trust_file() (ours, one link, no group/other write, not more readable than
 * --output-mode): one planted by another user would tell us what to skip, or cut. FORMAT must
 * outlive SF. Returns 0, -EBUSY when another process holds the lock (its pid in *HOLDER, or 0
 * if unknown), -EPERM when the file is refused (the reason in sf->refusal), or -errno; sf->path
 * names the file either way (unless out of memory) until statefile_close(). */
int statefile_open(struct statefile *sf, const char *output_path, const char *suffix,
		   const struct statefile_format *format, const struct trust *trust, pid_t *holder);

/* Closes the file (and so drops the lock) and frees the path; SF may be closed twice. */
void statefile_close(struct statefile *sf);

/* Copies the newest valid record into REC (format->size bytes) and sets sf->gen one above it.
 * Returns 1, or 0 when neither slot holds a valid record (REC and sf->gen left alone). */
int statefile_read(struct statefile *sf, void *rec);

/* Writes REC (format->size bytes, its head's word and the user's fields filled in) as
 * generation sf->gen into its slot, filling in the head and tail, and counts sf->gen up.
 * Returns 0, or -errno (-ENOSPC for a short write); then sf->gen is unchanged, so the next
 * write goes to the same slot again, and the other slot still holds the record before. */
int statefile_write(struct statefile *sf, void *rec);

#endif

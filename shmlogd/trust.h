/* trust.h - whose files shmlogd may write, read back or delete: the one place that decides it
 * and words the refusal.
 *
 * shmlogd often runs as root and writes into directories other users can write (/tmp, a shared
 * log directory). A file someone else created there before us would be appended to, and read by
 * its owner (issue 14); a hard link planted at the path would make us append to a file the link's
 * maker chose. So before shmlogd uses an existing output, state file or rotated file, it looks at
 * the open descriptor (fstat: no race with a rename) and asks the rules here:
 *
 *   file       owned by shmlogd's effective uid (or --allow-owner's user), one link only, and
 *              no permission bit for group or others beyond what the caller allows; a file
 *              only picked up from the directory (a rotated one): owned so, regular, one link
 *   directory  the output's, and each of its ancestors up to /: owned by shmlogd's effective
 *              uid, root or --allow-owner's user, and not writable by group or others unless
 *              sticky (logrotate's rule: in a sticky directory nobody else can rename or remove
 *              our files, only make new names, which shmlogd creates O_EXCL and so never
 *              mistakes for its own)
 *
 * A file shmlogd has just created with O_EXCL needs no check. docs/COLLECTOR.md, "Trust", says
 * what is checked where. Every refusal is one line naming the file, its owner and mode, and the
 * fix; the callers print it (warnx adds "shmlogd: ") and exit EX_NOPERM, or warn and leave the
 * file alone when it is one they only picked up from the directory.
 */
#ifndef SHMLOGD_TRUST_H
#define SHMLOGD_TRUST_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "options.h"

#define TRUST_MSG_MAX 1024 /* a refusal, with one path in it */

struct trust {
	uid_t euid;        /* shmlogd's own */
	uid_t allowed;     /* --allow-owner */
	int allowed_given;
	mode_t output_mode; /* --output-mode: what the files may grant group and others */
};

void trust_init(struct trust *t, const struct options *o);

/* Group and others' bits an output file may carry: what --output-mode grants them. */
mode_t trust_output_bits(const struct trust *t);
/* A file shmlogd only reads and writes itself (the state file): --output-mode's read bits for
 * group and others, never write. */
mode_t trust_private_bits(const struct trust *t);

/* UID is shmlogd's or --allow-owner's: its files are ours. */
int trust_owner(const struct trust *t, uid_t uid);

/* The open file FD, found at PATH: ours, one link, and no group/other bit outside GO_BITS.
 * Returns 0, -errno if fstat fails, or -EPERM with the refusal in MSG. */
int trust_file(const struct trust *t, int fd, const char *path, mode_t go_bits, char *msg,
	       size_t cap);

/* The file FD at PATH, picked up from the directory (a rotated file): ours, a regular file, one
 * link. Its mode is not checked: it is what we gave it. Returns 0, -errno if fstat fails, or
 * -EPERM with the refusal in MSG. */
int trust_found_file(const struct trust *t, int fd, const char *path, char *msg, size_t cap);

/* As trust_found_file(), for the entry NAME of the directory DIRFD (or AT_FDCWD), shown as PATH,
 * not following a symlink; *ST gets its stat. Returns 0, -errno, or -EPERM with the refusal in
 * MSG. */
int trust_entry(const struct trust *t, int dirfd, const char *name, const char *path,
		struct stat *st, char *msg, size_t cap);

/* Resolves the directory of OUTPUT_PATH, where the output, its state file and its rotated
 * files live, once (symlinks followed: what is checked is the directory the files land in),
 * and checks it and every ancestor up to / by the directory rule above: an untrusted owner of
 * an ancestor could rename the checked directory away and put one of theirs in its place.
 * CANON (CCAP bytes) gets the resolved directory, "/" and OUTPUT_PATH's last component: the
 * path to use for everything from then on, so a symlink re-pointed later changes nothing.
 * Returns 0; -errno if the directory cannot be resolved or walked; or -EPERM with the refusal,
 * naming the directory at fault, in MSG. */
int trust_output_path(const struct trust *t, const char *output_path, char *canon, size_t ccap,
		      char *msg, size_t cap);

/* Why this user could not open PATH for writing (the open failed with EACCES), naming the
 * thing at fault and the fix: the file when it exists (its owner and mode: a file of root's
 * that shmlogd, run as another user, may not write; or one of ours without a write bit), else
 * its directory (which this user may not write to create it). Returns -EACCES with the line in
 * MSG, or -errno when PATH cannot even be looked at. */
int trust_why_unwritable(const struct trust *t, const char *path, char *msg, size_t cap);

/* Removes PATH if it is ours (lstat: in a directory trust_output_path() accepted, nobody else can
 * swap our name for theirs). Returns 0, -ENOENT, -EPERM with the refusal in MSG (left alone), or
 * -errno. */
int trust_unlink(const struct trust *t, const char *path, char *msg, size_t cap);

#endif

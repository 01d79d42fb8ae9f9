/* trust.c - the rules of trust.h: whose files and directories shmlogd uses, and the one-line
 * refusals that name the file, its owner, its mode and the fix. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "trust.h"

void trust_init(struct trust *t, const struct options *o)
{
	*t = (struct trust){
		.euid = geteuid(),
		.allowed = o->allow_owner,
		.allowed_given = o->allow_owner_given,
		.output_mode = o->output_mode,
	};
}

mode_t trust_output_bits(const struct trust *t)
{
	return t->output_mode & 077;
}

mode_t trust_private_bits(const struct trust *t)
{
	return t->output_mode & 055;
}

int trust_owner(const struct trust *t, uid_t uid)
{
	return uid == t->euid || (t->allowed_given && uid == t->allowed);
}

/* The user's name, or its number when it has none: as --allow-owner takes it. */
static const char *user_name(uid_t uid, char *buf, size_t cap)
{
	struct passwd pw, *p = NULL;
	char sbuf[1024];

	if (getpwuid_r(uid, &pw, sbuf, sizeof(sbuf), &p) == 0 && p)
		snprintf(buf, cap, "%s", p->pw_name);
	else
		snprintf(buf, cap, "%u", (unsigned)uid);
	return buf;
}

/* "PATH belongs to nobody (uid 65534) with mode 0666, not to this user (root)" */
static int refuse_owner(const struct trust *t, const char *path, const struct stat *st,
			const char *also, const char *fix, char *msg, size_t cap)
{
	char owner[256], me[256];

	user_name(st->st_uid, owner, sizeof(owner));
	snprintf(msg, cap,
		 "%s belongs to %s (uid %u) with mode %04o, not to this user (%s)%s: %s, or pass "
		 "--allow-owner %s if sharing it is intended",
		 path, owner, (unsigned)st->st_uid, (unsigned)(st->st_mode & 07777),
		 user_name(t->euid, me, sizeof(me)), also, fix, owner);
	return -EPERM;
}

/* "g", "o" or "go": who of group and others holds one of BITS. */
static const char *who(mode_t bits)
{
	return (bits & 070) && (bits & 007) ? "go" : (bits & 070) ? "g" : "o";
}

static int check_file(const struct trust *t, const struct stat *st, const char *path,
		      mode_t go_bits, char *msg, size_t cap)
{
	mode_t mode = st->st_mode & 07777, extra = mode & 077 & ~go_bits;

	if (!trust_owner(t, st->st_uid))
		return refuse_owner(t, path, st, "", "remove it", msg, cap);
	if (st->st_nlink > 1) {
		snprintf(msg, cap,
			 "%s has %ju links (mode %04o): another of its names may be a file someone "
			 "else chose; remove this one, or write the log elsewhere",
			 path, (uintmax_t)st->st_nlink, (unsigned)mode);
		return -EPERM;
	}
	if (extra & 022) {
		snprintf(msg, cap, "%s is writable by group or others (mode %04o): chmod %s-w it, or "
			 "remove it", path, (unsigned)mode, who(extra & 022));
		return -EPERM;
	}
	if (extra) {
		snprintf(msg, cap,
			 "%s grants group or others more than --output-mode %04o allows (mode %04o): "
			 "chmod %04o it, or remove it",
			 path, (unsigned)t->output_mode, (unsigned)mode, (unsigned)(mode & ~extra));
		return -EPERM;
	}
	return 0;
}

int trust_file(const struct trust *t, int fd, const char *path, mode_t go_bits, char *msg,
	       size_t cap)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return check_file(t, &st, path, go_bits, msg, cap);
}

/* Picked up from the directory, not chosen by us: left alone unless a regular file of ours with
 * one link. A second link may be a file someone else chose (a secret of ours, say): compressing
 * it would copy it into a file --output-mode lets others read. */
static int check_found(const struct trust *t, const struct stat *st, const char *path, char *msg,
		       size_t cap)
{
	mode_t mode = st->st_mode & 07777;

	if (!trust_owner(t, st->st_uid))
		return refuse_owner(t, path, st, "", "left alone; remove it", msg, cap);
	if (!S_ISREG(st->st_mode)) {
		snprintf(msg, cap, "%s is not a regular file (mode %04o): left alone; remove it", path,
			 (unsigned)mode);
		return -EPERM;
	}
	if (st->st_nlink > 1) {
		snprintf(msg, cap,
			 "%s has %ju links (mode %04o): another of its names may be a file someone "
			 "else chose; left alone; remove this name",
			 path, (uintmax_t)st->st_nlink, (unsigned)mode);
		return -EPERM;
	}
	return 0;
}

int trust_found_file(const struct trust *t, int fd, const char *path, char *msg, size_t cap)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	return check_found(t, &st, path, msg, cap);
}

int trust_entry(const struct trust *t, int dirfd, const char *name, const char *path,
		struct stat *st, char *msg, size_t cap)
{
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return check_found(t, st, path, msg, cap);
}

/* The directory open at FD, shown as PATH: owned by us, --allow-owner's user or root, and not
 * writable by group or others unless sticky. ROLE says what it is to the output. */
static int check_dir(const struct trust *t, int fd, const char *path, const char *role,
		     char *msg, size_t cap)
{
	char fix[256];
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	mode_t mode = st.st_mode & 07777;
	if (st.st_uid != 0 && !trust_owner(t, st.st_uid)) {
		snprintf(fix, sizeof(fix), "insecure %s; write the log elsewhere", role);
		return refuse_owner(t, path, &st, t->euid ? " or root" : "", fix, msg, cap);
	}
	if ((mode & 022) && !(mode & S_ISVTX)) {
		snprintf(msg, cap,
			 "%s is writable by %s without the sticky bit (mode %04o): insecure %s; "
			 "chmod %s-w or +t it, or write the log elsewhere",
			 path, (mode & 022) == 022 ? "group and others" : (mode & 020) ? "group" : "others",
			 (unsigned)mode, role, who(mode & 022));
		return -EPERM;
	}
	return 0;
}

/* Checks REAL, an absolute path without symlinks, and each of its ancestors, from / down. Each
 * is opened relative to the one before without following a symlink, so what is checked is what
 * the path leads through; and once a directory has passed, only trusted users can change its
 * entries (in a sticky one nobody else can rename an entry of root's or ours), so the next one
 * checked stays the one that is used. */
static int check_ancestry(const struct trust *t, const char *real, char *msg, size_t cap)
{
	const int flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	size_t len = strlen(real), end = 1; /* real[0, end) is the directory open at fd */
	char shown[PATH_MAX], name[NAME_MAX + 1];
	int fd = open("/", flags), e = 0;

	if (fd < 0)
		return -errno;
	for (;;) {
		snprintf(shown, sizeof(shown), "%.*s", (int)end, real);
		e = check_dir(t, fd, shown,
			      end < len ? "ancestor of the output's directory" : "parent directory", msg,
			      cap);
		size_t from = end == 1 ? 1 : end + 1;
		if (e || from >= len)
			break;
		const char *slash = strchr(real + from, '/');
		size_t to = slash ? (size_t)(slash - real) : len;
		if (to - from > NAME_MAX) {
			e = -ENAMETOOLONG;
			break;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(to - from), real + from);
		int next = openat(fd, name, flags);
		if (next < 0) {
			e = -errno;
			break;
		}
		close(fd);
		fd = next;
		end = to;
	}
	close(fd);
	return e;
}

int trust_output_path(const struct trust *t, const char *output_path, char *canon, size_t ccap,
		      char *msg, size_t cap)
{
	const char *slash = strrchr(output_path, '/');
	const char *base = slash ? slash + 1 : output_path;
	char dir[PATH_MAX], real[PATH_MAX];

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (snprintf(dir, sizeof(dir), "%.*s", slash == output_path ? 1 : (int)(slash - output_path),
			  output_path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	if (!realpath(dir, real))
		return -errno;
	int e = check_ancestry(t, real, msg, cap);
	if (e)
		return e;
	int n = snprintf(canon, ccap, "%s/%s", strcmp(real, "/") ? real : "", base);
	return n < 0 || (size_t)n >= ccap ? -ENAMETOOLONG : 0;
}

/* The directory part of PATH, "." when it has none. */
static void dir_of(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, cap, ".");
	else
		snprintf(out, cap, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

int trust_why_unwritable(const struct trust *t, const char *path, char *msg, size_t cap)
{
	char me[256], owner[256], dir[PATH_MAX];
	struct stat st;

	user_name(t->euid, me, sizeof(me));
	if (lstat(path, &st) == 0) {
		user_name(st.st_uid, owner, sizeof(owner));
		if (st.st_uid != t->euid)
			snprintf(msg, cap,
				 "%s belongs to %s (uid %u) with mode %04o, and this user (%s) may "
				 "not write it: run shmlogd as %s, remove the file, or give another "
				 "--output",
				 path, owner, (unsigned)st.st_uid, (unsigned)(st.st_mode & 07777), me,
				 owner);
		else
			snprintf(msg, cap,
				 "%s is not writable by its owner, this user (%s) (mode %04o): chmod "
				 "u+w it, or give another --output",
				 path, me, (unsigned)(st.st_mode & 07777));
		return -EACCES;
	}
	if (errno != ENOENT)
		return -errno;
	dir_of(path, dir, sizeof(dir));
	if (stat(dir, &st) < 0)
		return -errno;
	user_name(st.st_uid, owner, sizeof(owner));
	snprintf(msg, cap,
		 "cannot create %s: this user (%s) may not write its directory %s (owner %s, mode "
		 "%04o): give an --output in a directory this user can write, or create the file "
		 "for it first",
		 path, me, dir, owner, (unsigned)(st.st_mode & 07777));
	return -EACCES;
}

int trust_unlink(const struct trust *t, const char *path, char *msg, size_t cap)
{
	struct stat st;
	int e = trust_entry(t, AT_FDCWD, path, path, &st, msg, cap);

	if (e)
		return e;
	return unlink(path) < 0 ? -errno : 0;
}

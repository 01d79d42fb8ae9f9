/* trust.c - the rules of trust.h: whose files and directories shmlogd uses, and the one-line
 * refusals that name the file, its owner, its mode and the fix. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdint.h>
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

int trust_output_dir(const struct trust *t, const char *output_path, char *msg, size_t cap)
{
	const char *slash = strrchr(output_path, '/');
	char dir[4096];
	struct stat st;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (snprintf(dir, sizeof(dir), "%.*s", slash == output_path ? 1 : (int)(slash - output_path),
			  output_path) >= (int)sizeof(dir))
		return -ENAMETOOLONG;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	int e = fstat(fd, &st) < 0 ? -errno : 0;
	close(fd);
	if (e)
		return e;
	mode_t mode = st.st_mode & 07777;
	if (st.st_uid != 0 && !trust_owner(t, st.st_uid))
		return refuse_owner(t, dir, &st, t->euid ? " or root" : "",
				    "insecure parent directory; write the log elsewhere", msg, cap);
	if ((mode & 022) && !(mode & S_ISVTX)) {
		snprintf(msg, cap,
			 "%s is writable by %s without the sticky bit (mode %04o): insecure parent "
			 "directory; chmod %s-w or +t it, or write the log elsewhere",
			 dir, (mode & 022) == 022 ? "group and others" : (mode & 020) ? "group" : "others",
			 (unsigned)mode, who(mode & 022));
		return -EPERM;
	}
	return 0;
}

int trust_unlink(const struct trust *t, const char *path, char *msg, size_t cap)
{
	struct stat st;
	int e = trust_entry(t, AT_FDCWD, path, path, &st, msg, cap);

	if (e)
		return e;
	return unlink(path) < 0 ? -errno : 0;
}

/* statefile.c - the crash-safe state-file protocol of statefile.h.
 *
 * The file is two slots of STATEFILE_SLOT (128) bytes:
 *
 *   offset 0     slot 0: the record of every even generation
 *   offset 128   slot 1: the record of every odd generation
 *
 * and a record, of the user's size (at most 128 bytes; the rest of its slot is never written):
 *
 *   offset 0     u64 magic      the kind of file (the collector's: "SLOGDSTS")
 *          8     u32 version    its layout
 *         12     u32 word       the user's
 *         16     u64 gen        0, 1, 2, ... one per record written
 *         24     ...            the user's fields
 *     size-8     u32 crc        zlib crc32 of bytes [0, size-8)
 *     size-4     u32 pad        0
 *
 * in the machine's byte order: a state file is read back only by the process that wrote it, or
 * its successor on the same machine.
 *
 * The rules:
 *
 *   1. Record gen is written, with one pwrite, to slot gen & 1: never over the newest record,
 *      always over the one before it.
 *   2. A slot's record is valid when the whole record could be read, its magic and version are
 *      the format's, its CRC matches, and its gen is of its slot's parity.
 *   3. The newest record is the valid one with the highest gen; none valid means nothing is
 *      known (a new file, or one of another format).
 *
 * A write torn by a crash leaves in its slot the new record's first bytes and the old record's
 * last ones. That fails rule 2 (its CRC covers every byte but the pad), unless the bytes not
 * written were equal in both, when the slot holds the new record whole (a tear in the pad, which
 * is 0 in every record) or the old one whole (a tear in bytes both share), which the newer
 * record in the other slot outranks. Either way rule 3 takes a record that was written whole:
 * the new one, or the one before it, intact in the other slot. A torn first write of a new file
 * leaves it shorter than a record: nothing valid. The parity check of rule 2 keeps a record
 * copied into the wrong slot from being taken, whatever its CRC.
 *
 * The file is never synced: the crash it must survive is the process's own, and the page cache
 * survives that. Its users say why that is enough for them (docs/COLLECTOR.md, "Why the state
 * file is never synced"; docs/FORWARDING.md, section 5).
 *
 * Opening: the file is created O_EXCL|O_NOFOLLOW 0600, so a new file is ours; an existing one
 * is opened O_NOFOLLOW (a symlink planted at the name is refused, not followed) and checked on
 * its descriptor by trust_file(). Then a POSIX record lock, held for the life of the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "statefile.h"

static uint32_t record_crc(const unsigned char *rec, size_t size)
{
	return (uint32_t)crc32(0, rec, (uInt)(size - sizeof(struct statefile_tail)));
}

/* A POSIX record lock, whose holder F_GETLK can name. It goes away with the process, also on
 * SIGKILL, so a restarted process is never locked out by its dead predecessor. It would also go
 * away if this process closed any other descriptor of the file: nothing else opens it. */
static int lock_file(int fd, pid_t *holder)
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

/* Creates the state file at sf->path, or opens the one there and checks whose it is. Returns
 * the descriptor or -errno (-EPERM: refused, the reason in sf->refusal). */
static int open_file(struct statefile *sf, const struct trust *trust)
{
	const int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW;
	int fd = open(sf->path, flags | O_CREAT | O_EXCL, 0600);

	if (fd >= 0 || errno != EEXIST)
		return fd >= 0 ? fd : -errno;
	if ((fd = open(sf->path, flags)) < 0)
		return -errno;
	int e = trust_file(trust, fd, sf->path, trust_private_bits(trust), sf->refusal,
			   sizeof(sf->refusal));
	if (e) {
		close(fd);
		return e;
	}
	return fd;
}

int statefile_open(struct statefile *sf, const char *output_path, const char *suffix,
		   const struct statefile_format *format, const struct trust *trust, pid_t *holder)
{
	const char *slash = strrchr(output_path, '/');
	int dirlen = slash ? (int)(slash - output_path + 1) : 0;
	const char *base = output_path + dirlen;

	*sf = (struct statefile){.fd = -1, .format = format};
	size_t cap = strlen(output_path) + strlen(suffix) + 3;
	if (!(sf->path = malloc(cap)))
		return -ENOMEM;
	snprintf(sf->path, cap, "%.*s.%s.%s", dirlen, output_path, base, suffix);
	int fd = open_file(sf, trust);
	int e = fd < 0 ? fd : lock_file(fd, holder);
	if (e && fd >= 0)
		close(fd);
	sf->fd = e ? -1 : fd;
	return e; /* sf->path stays for the caller's message; statefile_close() frees it */
}

void statefile_close(struct statefile *sf)
{
	if (sf->fd >= 0)
		close(sf->fd);
	free(sf->path);
	sf->fd = -1;
	sf->path = NULL;
}

/* Rule 2: slot I holds a valid record, read into REC. */
static int read_slot(const struct statefile *sf, int i, unsigned char *rec)
{
	const struct statefile_format *f = sf->format;
	struct statefile_head h;
	struct statefile_tail t;

	if (pread(sf->fd, rec, f->size, (off_t)i * STATEFILE_SLOT) != (ssize_t)f->size)
		return 0;
	memcpy(&h, rec, sizeof(h));
	memcpy(&t, rec + f->size - sizeof(t), sizeof(t));
	return h.magic == f->magic && h.version == f->version &&
	       t.crc == record_crc(rec, f->size) && (h.gen & 1) == (uint64_t)i;
}

static uint64_t record_gen(const unsigned char *rec)
{
	struct statefile_head h;

	memcpy(&h, rec, sizeof(h));
	return h.gen;
}

int statefile_read(struct statefile *sf, void *rec)
{
	unsigned char s[2][STATEFILE_SLOT];
	int best = -1;

	for (int i = 0; i < 2; i++) {
		if (!read_slot(sf, i, s[i]))
			continue;
		if (best < 0 || record_gen(s[i]) > record_gen(s[best]))
			best = i;
	}
	if (best < 0)
		return 0;
	memcpy(rec, s[best], sf->format->size);
	sf->gen = record_gen(s[best]) + 1;
	return 1;
}

int statefile_write(struct statefile *sf, void *rec)
{
	const struct statefile_format *f = sf->format;
	unsigned char *bytes = rec;
	struct statefile_head h;
	struct statefile_tail t = {.pad = 0};

	memcpy(&h, bytes, sizeof(h));
	h.magic = f->magic;
	h.version = f->version;
	h.gen = sf->gen;
	memcpy(bytes, &h, sizeof(h));
	t.crc = record_crc(bytes, f->size);
	memcpy(bytes + f->size - sizeof(t), &t, sizeof(t));
	ssize_t w = pwrite(sf->fd, bytes, f->size, (off_t)(sf->gen & 1) * STATEFILE_SLOT);
	if (w != (ssize_t)f->size)
		return w < 0 ? -errno : -ENOSPC;
	sf->gen++;
	return 0;
}

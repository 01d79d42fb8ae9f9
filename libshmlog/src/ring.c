/* ring.c - creating, attaching to and validating a ring's shared-memory object (see ring.h). */
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "internal.h"
#include "ring.h"

#define CREATE_WAIT_MS 2000 /* how long an attacher waits for a racing creator to finish */

int ring_name_valid(const char *name)
{
	size_t n = 0;

	if (!name)
		return 0;
	for (; name[n]; n++) {
		unsigned char c = (unsigned char)name[n];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
		if (n >= SHMLOG_NAME_MAX)
			return 0;
	}
	/* "." and ".." alone would be odd names for a file in /dev/shm. */
	return n > 0 && strcmp(name, ".") && strcmp(name, "..");
}

/* One mapping per ring object per process, shared by all its handles: fewer page tables, and a
 * thread sanitizer sees one address for one byte, so it can pair releases with acquires between
 * a writer handle and a consumer handle of the same process. Read-only handles reuse a writable
 * mapping when there is one (they never write through it). */
struct mapping {
	dev_t dev;
	ino_t ino;
	int writable, refs;
	void *addr;
	size_t len;
	struct mapping *next;
};

static struct mapping *g_maps;
static pthread_mutex_t g_maps_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t g_maps_once = PTHREAD_ONCE_INIT;

static void maps_lock(void)
{
	pthread_mutex_lock(&g_maps_lock);
}
static void maps_unlock(void)
{
	pthread_mutex_unlock(&g_maps_lock);
}
/* Bumped in the child after fork(), for every process that ever attached a ring: handles from
 * before the fork compare it with the generation they were made in. */
sw32 ring_fork_gen = 1;

static void maps_child(void)
{
	maps_unlock();
	at_fetch_add32_full(&ring_fork_gen, 1);
}

static void maps_atfork(void)
{
	pthread_atfork(maps_lock, maps_unlock, maps_child);
}

static void *map_get(int fd, const struct stat *st, size_t len, int writable)
{
	struct mapping *m;
	void *addr = MAP_FAILED;

	pthread_once(&g_maps_once, maps_atfork);
	maps_lock();
	for (m = g_maps; m; m = m->next)
		if (m->dev == st->st_dev && m->ino == st->st_ino && m->len == len &&
		    m->writable >= writable)
			break;
	if (m) {
		m->refs++;
		addr = m->addr;
	} else if ((m = calloc(1, sizeof(*m)))) {
		addr = mmap(NULL, len, writable ? PROT_READ | PROT_WRITE : PROT_READ, MAP_SHARED,
			    fd, 0);
		if (addr != MAP_FAILED) {
			*m = (struct mapping){st->st_dev, st->st_ino, writable, 1, addr, len, g_maps};
			g_maps = m;
		} else {
			free(m);
		}
	} else {
		errno = ENOMEM;
	}
	maps_unlock();
	return addr;
}

static void map_put(void *addr)
{
	struct mapping **pp, *m;

	maps_lock();
	for (pp = &g_maps; (m = *pp); pp = &m->next)
		if (m->addr == addr)
			break;
	if (m && --m->refs == 0) {
		*pp = m->next;
		munmap(m->addr, m->len);
		free(m);
	}
	maps_unlock();
}

static uint64_t mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int check_options(const struct shmlog_options *o)
{
	uint64_t size = o->size ? o->size : SHMLOG_DEFAULT_SIZE;

	if (size < SHMLOG_MIN_SIZE || size > SHMLOG_MAX_SIZE || (size & (size - 1)))
		return set_err(EINVAL,
			       "ring size %llu is invalid: use a power of two from %lluK to %lluG",
			       (unsigned long long)size, (unsigned long long)SHMLOG_MIN_SIZE >> 10,
			       (unsigned long long)SHMLOG_MAX_SIZE >> 30);
	if (o->on_full < SHMLOG_ON_FULL_DEFAULT || o->on_full > SHMLOG_ON_FULL_EAGAIN)
		return set_err(EINVAL, "unknown full-ring policy %d: use block, drop or timeout",
			       (int)o->on_full);
	if (o->min_level < 0 || o->min_level > SHMLOG_CRITICAL)
		return set_err(EINVAL, "minimum level %d is invalid: use 1 (debug) to 5 (critical)",
			       (int)o->min_level);
	if (o->full_timeout_ms < 0)
		return set_err(EINVAL, "full_timeout_ms must not be negative");
	if (o->mode > 0777)
		return set_err(EINVAL, "ring mode %04o is invalid: use permission bits up to 0777",
			       (unsigned)o->mode);
	if (o->allow_foreign_owner < SHMLOG_OWNER_SELF || o->allow_foreign_owner > SHMLOG_OWNER_ANY)
		return set_err(EINVAL,
			       "allow_foreign_owner %d is invalid: use SHMLOG_OWNER_SELF, _UID or _ANY",
			       (int)o->allow_foreign_owner);
	return 0;
}

static void init_header(struct ring_hdr *h, const struct shmlog_options *o, uint64_t size)
{
	uint64_t id = 0;

	if (getrandom(&id, sizeof(id), 0) != sizeof(id))
		id = (uint64_t)clock_ns(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32);
	h->layout_version = RING_LAYOUT_VERSION;
	h->header_size = RING_HEADER_SIZE;
	h->data_size = size;
	h->ring_id = id;
	h->created_ns = clock_ns(CLOCK_REALTIME);
	h->nslots = RING_SLOTS;
	h->max_record = size / 2 < RING_MAX_RECORD ? (uint32_t)(size / 2) : RING_MAX_RECORD;
	h->creator_pid = (uint32_t)getpid();
	/* Record times are ns since the epoch, whichever clock a writer reads them from: a ring
	 * that older writers or readers share reads the same (FORMAT.md §7.7). */
	h->clock_source = CLOCK_SRC_REALTIME;
	h->tsc_hz = (o->flags & SHMLOG_OPEN_REALTIME_CLOCK) ? 0 : tsc_calibrate();
	/* EAGAIN is one writer's way of waiting, never the ring's: the others would never wait. */
	h->policy = o->on_full && o->on_full != SHMLOG_ON_FULL_EAGAIN ? (unsigned)o->on_full
								       : SHMLOG_ON_FULL_BLOCK;
	h->full_timeout_ms = o->full_timeout_ms ? (unsigned)o->full_timeout_ms : 100;
	h->min_level = o->min_level ? (unsigned)o->min_level : SHMLOG_DEBUG;
	/* [B-magic] everything above is visible before anyone accepts the ring. */
	at_store_release(&h->magic, RING_MAGIC);
}

/* Creates the object if it does not exist. Returns an fd open read-write on a fully initialised
 * ring, -EEXIST if someone else has (or is making) it, or another -errno. */
static int try_create(const char *path, const char *name, const struct shmlog_options *o)
{
	uint64_t size = o->size ? o->size : SHMLOG_DEFAULT_SIZE;
	mode_t mode = o->mode ? (mode_t)o->mode : 0600;
	int fd = shm_open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, mode);

	if (fd < 0)
		return errno == EEXIST ? -EEXIST
				       : set_err(errno, "cannot create ring '%s' in /dev/shm: %s", name,
						 strerror(errno));
	/* umask must not narrow what the caller asked for: the mode is the sharing contract. */
	if (fchmod(fd, mode) < 0 || ftruncate(fd, (off_t)(RING_HEADER_SIZE + size)) < 0) {
		int err = errno;
		shm_unlink(path);
		close(fd);
		return set_err(err, "cannot size ring '%s' to %llu bytes: %s", name,
			       (unsigned long long)size, strerror(err));
	}
	void *p = mmap(NULL, RING_SLOTS_OFFSET, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		int err = errno;
		shm_unlink(path);
		close(fd);
		return set_err(err, "cannot map ring '%s': %s", name, strerror(err));
	}
	init_header(p, o, size);
	munmap(p, RING_SLOTS_OFFSET);
	return fd;
}

/* O_NONBLOCK: a FIFO planted under a ring's name (by anyone: /dev/shm is world-writable) must
 * not hang the open; it is refused below as not a regular file. */
static int open_existing(const char *path, const char *name, int writable)
{
	int fd = shm_open(path, (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NONBLOCK, 0);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT)
		return set_err(ENOENT,
			       "no ring named '%s' (/dev/shm%s): start shmlogd --ring %s, or check "
			       "the name",
			       name, path, name);
	if (errno == EACCES)
		return set_err(EACCES,
			       "permission denied on ring '%s' (/dev/shm%s): run as its owner or ask "
			       "for %s access",
			       name, path, writable ? "write" : "read");
	return set_err(errno, "cannot open ring '%s': %s", name, strerror(errno));
}

/* Only a regular file can be a ring: a FIFO, socket or device under the name is not. */
static int check_regular(int fd, const char *name, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return set_err(errno, "cannot stat ring '%s': %s", name, strerror(errno));
	if (!S_ISREG(st->st_mode))
		return set_err(EPROTO,
			       "/dev/shm/shmlog.%s is not a shmlog ring (not a regular file): remove "
			       "it or choose another ring name",
			       name);
	return 0;
}

/* Reads the identity line, waiting briefly for a creator that is still initialising (up to
 * WAIT_MS; 0: not at all, -EAGAIN). */
static int read_identity(int fd, const char *name, struct ring_hdr *out, struct stat *stp,
			 int wait_ms)
{
	int64_t deadline = mono_ms() + wait_ms;
	struct stat st;

	for (;;) {
		if (fstat(fd, &st) < 0)
			return set_err(errno, "cannot stat ring '%s': %s", name, strerror(errno));
		if ((uint64_t)st.st_size >= RING_SLOTS_OFFSET) {
			struct ring_hdr *h = mmap(NULL, RING_SLOTS_OFFSET, PROT_READ, MAP_SHARED, fd, 0);
			if (h == MAP_FAILED)
				return set_err(errno, "cannot map ring '%s': %s", name, strerror(errno));
			/* [B-magic] pairs with the creator's release of magic, written last. */
			uint64_t magic = at_load_acquire(&h->magic);
			memcpy(out, (const void *)h, sizeof(*out));
			munmap(h, RING_SLOTS_OFFSET);
			if (magic == RING_MAGIC)
				break;
			if (magic != 0)
				return set_err(EPROTO,
					       "/dev/shm/shmlog.%s is not a shmlog ring (bad magic): "
					       "remove it or choose another ring name",
					       name);
		} else if (st.st_size != 0) {
			return set_err(EPROTO,
				       "ring '%s' is truncated (%lld bytes): remove /dev/shm/shmlog.%s "
				       "and restart its processes",
				       name, (long long)st.st_size, name);
		}
		if (wait_ms == 0)
			return set_err(EAGAIN,
				       "ring '%s' is not initialised: its creator is still making it, "
				       "or died doing so (then remove /dev/shm/shmlog.%s)",
				       name, name);
		if (mono_ms() > deadline)
			return set_err(ETIMEDOUT,
				       "ring '%s' was never initialised by its creator: remove "
				       "/dev/shm/shmlog.%s and retry",
				       name, name);
		usleep(1000);
	}
	*stp = st;
	return 0;
}

/* "nobody (uid 65534)", for a message: who owns a ring. */
static const char *user_name(uid_t uid, char *out, size_t cap)
{
	struct passwd pw, *found = NULL;
	char buf[1024];

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &found) == 0 && found)
		snprintf(out, cap, "%s (uid %u)", found->pw_name, (unsigned)uid);
	else
		snprintf(out, cap, "uid %u", (unsigned)uid);
	return out;
}

/* Trust, for a writer or the consumer attaching to a ring that exists (shmlog.h, FORMAT.md §16).
 * Whoever made the ring reads everything logged to it, and whoever may write it can forge
 * records in the collector's output; a ring squatted under a service's name by another user
 * must be refused, by root too. ST is the fstat of the descriptor the mapping comes from, so a
 * rename between the check and the map cannot swap the object. */
static int check_owner(const struct stat *st, const struct shmlog_options *o, const char *name)
{
	uid_t me = geteuid();
	char owner[96], self[96];

	if (st->st_uid != me && o->allow_foreign_owner != SHMLOG_OWNER_ANY &&
	    !(o->allow_foreign_owner == SHMLOG_OWNER_UID && st->st_uid == o->foreign_owner_uid))
		return set_err(EPERM,
			       "ring '%s' (/dev/shm/shmlog.%s, mode %04o) belongs to %s, not to %s: "
			       "remove it if that sharing is not intended, or allow that owner "
			       "(--allow-owner; allow_foreign_owner in shmlog_options)",
			       name, name, (unsigned)(st->st_mode & 07777),
			       user_name(st->st_uid, owner, sizeof(owner)),
			       user_name(me, self, sizeof(self)));
	return 0;
}

/* The mode is judged on the fstat taken once the creator has finished (read_identity): a
 * creator sets it with fchmod before it sizes the object, so by then it is final. */
static int check_trust(const struct stat *st, const struct shmlog_options *o, const char *name)
{
	mode_t asked = o->mode ? (mode_t)o->mode : 0600;
	mode_t extra = st->st_mode & 022 & ~asked;
	int err = check_owner(st, o, name);

	if (err == 0 && extra)
		return set_err(EPERM,
			       "ring '%s' (/dev/shm/shmlog.%s) has mode %04o: %s may write it, and so "
			       "forge records, beyond the mode asked for (%04o); remove it, or ask for "
			       "that mode (--mode; mode in shmlog_options) if the sharing is intended",
			       name, name, (unsigned)(st->st_mode & 07777),
			       extra == 022 ? "group and others" : extra == 020 ? "its group" : "others",
			       (unsigned)asked);
	return err;
}

static int validate_identity(const struct ring_hdr *h, uint64_t file_size, const char *name)
{
	if (h->layout_version != RING_LAYOUT_VERSION)
		return set_err(EPROTONOSUPPORT,
			       "ring '%s' has layout version %u but this shmlog speaks version %u: "
			       "use matching shmlog versions, or remove /dev/shm/shmlog.%s",
			       name, h->layout_version, RING_LAYOUT_VERSION, name);
	uint64_t size = h->data_size;
	if (h->header_size != RING_HEADER_SIZE || h->nslots != RING_SLOTS || size < SHMLOG_MIN_SIZE ||
	    size > SHMLOG_MAX_SIZE || (size & (size - 1)) || h->max_record > size / 2 ||
	    h->max_record < 4096 || h->clock_source > CLOCK_SRC_TSC)
		return set_err(EPROTO,
			       "ring '%s' has a damaged header: remove /dev/shm/shmlog.%s and restart "
			       "its processes",
			       name, name);
	if (file_size < RING_HEADER_SIZE + size)
		return set_err(EPROTO,
			       "ring '%s' is truncated (%llu of %llu bytes): remove "
			       "/dev/shm/shmlog.%s and restart its processes",
			       name, (unsigned long long)file_size,
			       (unsigned long long)(RING_HEADER_SIZE + size), name);
	return 0;
}

/* Maps the ring whose validated identity ID and object ST the descriptor FD gives, and fills R
 * from them; FD is closed. Returns 0 or -errno. */
static int map_ring(struct ring *r, int fd, const char *name, const struct ring_hdr *id,
		    const struct stat *st, int writable)
{
	r->map_len = RING_HEADER_SIZE + id->data_size;
	void *p = map_get(fd, st, r->map_len, writable);
	int err = errno;
	close(fd);
	if (p == MAP_FAILED)
		return set_err(err, "cannot map ring '%s' (%zu bytes): %s", name, r->map_len,
			       strerror(err));
	r->hdr = p;
	r->slots = (struct ring_slot *)((char *)p + RING_SLOTS_OFFSET);
	r->data = (unsigned char *)p + RING_HEADER_SIZE;
	/* The identity line is immutable after magic; use the copy we validated, not the live
	 * words, so a later scribble cannot change sizes under us. */
	r->size = id->data_size;
	r->mask = id->data_size - 1;
	r->key = mix64(id->ring_id);
	r->max_record = id->max_record;
	r->clock_source = id->clock_source;
	r->tsc_hz = id->tsc_hz;
	r->writable = writable;
	r->owner_uid = st->st_uid;
	r->owner_gid = st->st_gid;
	r->mode = (uint32_t)(st->st_mode & 07777);
	snprintf(r->name, sizeof(r->name), "%s", name);
	return 0;
}

int ring_attach(struct ring *r, const char *name, const struct shmlog_options *opts,
		unsigned how)
{
	int writable = !!(how & RING_WRITE);
	struct shmlog_options defaults;
	char path[SHMLOG_NAME_MAX + 16];
	struct ring_hdr id;
	struct stat st = {0};
	int fd = -EEXIST, err;

	memset(r, 0, sizeof(*r));
	if (!ring_name_valid(name)) {
		char shown[80];
		return set_err(EINVAL,
			       "ring name '%s' is invalid: use 1 to 64 characters from A-Z a-z 0-9 . _ - "
			       "(not . or .. alone)",
			       err_printable(name, shown, sizeof(shown)));
	}
	if (!opts) {
		shmlog_options_init(&defaults);
		opts = &defaults;
	}
	if ((err = check_options(opts)) < 0)
		return err;
	ring_shm_name(path, sizeof(path), name);
	if ((how & RING_CREATE) && writable)
		fd = try_create(path, name, opts);
	int created = fd >= 0;
	if (fd == -EEXIST)
		fd = open_existing(path, name, writable);
	if (fd < 0)
		return fd;
	/* A squatter's object is refused at once, before we wait for it to look initialised. */
	if ((err = check_regular(fd, name, &st)) < 0 ||
	    (!created && (how & RING_TRUSTED) && (err = check_owner(&st, opts, name)) < 0) ||
	    (err = read_identity(fd, name, &id, &st,
				 how & RING_NOWAIT ? 0 : CREATE_WAIT_MS)) < 0 ||
	    (!created && (how & RING_TRUSTED) && (err = check_trust(&st, opts, name)) < 0) ||
	    (err = validate_identity(&id, (uint64_t)st.st_size, name)) < 0) {
		close(fd);
		return err;
	}
	return map_ring(r, fd, name, &id, &st, writable);
}

void ring_detach(struct ring *r)
{
	if (r && r->hdr)
		map_put(r->hdr);
	if (r)
		r->hdr = NULL;
}

void ring_read_checkpoint(const struct ring *r, uint64_t *pos, uint64_t *seq)
{
	const struct ring_hdr *h = r->hdr;

	for (int tries = 0;; tries++) {
		/* [B-cp] pairs with the consumer's release of cp_gen after writing the pair. */
		uint64_t g1 = at_load_acquire(&h->cp_gen);
		uint64_t p = at_load(&h->cp[g1 & 1][0]);
		uint64_t s = at_load(&h->cp[g1 & 1][1]);
		at_fence_read();
		uint64_t g2 = at_load(&h->cp_gen);
		/* The pair at g1 & 1 is rewritten while cp_gen is g1 + 1, for generation g1 + 2. */
		if (g2 == g1 || tries > 100) {
			*pos = p;
			*seq = s;
			return;
		}
	}
}

int ring_owner_alive(const struct ring *r, uint32_t slot, uint32_t gen)
{
	if (slot >= RING_SLOTS)
		return 0;
	const struct ring_slot *s = &r->slots[slot];
	/* [B-slot] acquire: then the pid and start time of the owner this word names. */
	unsigned w = at_load32_acquire(&s->state);
	/* Any other generation, or a slot no longer LIVE, means the writer is gone: a slot is
	 * only handed on (with a new generation) once its owner closed or died. */
	if (slot_st(w) != SLOT_LIVE || (slot_gen(w) & 0xff) != gen)
		return 0;
	return proc_alive((pid_t)s->pid, s->start);
}

int ring_refuse_damaged(const struct ring *r, uint64_t head, uint64_t tail)
{
	return set_err(EBADMSG,
		       "ring '%s' is damaged: its head or tail is impossible (head at %llu, tail at "
		       "%llu, for %llu bytes of data); it can take no more records: remove "
		       "/dev/shm/shmlog.%s and restart its processes",
		       r->name, (unsigned long long)head, (unsigned long long)tail,
		       (unsigned long long)r->size, r->name);
}

int ring_health(const struct ring *r, uint64_t before, uint64_t tail, uint64_t checkpoint,
		uint64_t after)
{
	/* A bad tail stops writers; a consumer that opens on a sound checkpoint repairs it. */
	if (!ring_head_sane(before) || !ring_pos_sane(r, before, tail, after))
		return SHMLOG_HEALTH_POSITIONS_DAMAGED;
	/* The consumer writes the checkpoint before the tail, and at open recovers from a bad one. */
	if (!ring_pos_sane(r, before, checkpoint, after))
		return SHMLOG_HEALTH_CHECKPOINT_DAMAGED;
	return SHMLOG_HEALTH_SOUND;
}

int ring_consumer_alive(const struct ring *r)
{
	uint64_t pid = at_load(&r->hdr->consumer_pid);
	return pid && proc_alive((pid_t)pid, at_load(&r->hdr->consumer_start));
}

void shmlog_options_init(struct shmlog_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->size = SHMLOG_DEFAULT_SIZE;
	opts->mode = 0600;
	opts->on_full = SHMLOG_ON_FULL_DEFAULT;
	opts->full_timeout_ms = 100;
	opts->min_level = SHMLOG_DEBUG;
}

int shmlog_unlink(const char *name)
{
	char path[SHMLOG_NAME_MAX + 16];

	if (!ring_name_valid(name)) {
		char shown[80];
		return set_err(EINVAL, "ring name '%s' is invalid",
			       err_printable(name, shown, sizeof(shown)));
	}
	ring_shm_name(path, sizeof(path), name);
	if (shm_unlink(path) < 0)
		return set_err(errno, "cannot remove ring '%s': %s", name, strerror(errno));
	return 0;
}

int shmlog_ring_set_level(const char *name, int level)
{
	struct ring r;
	int err;

	if (level < SHMLOG_DEBUG || level > SHMLOG_CRITICAL)
		return set_err(EINVAL, "level %d is invalid: use debug, info, warning, error or critical",
			       level);
	if ((err = ring_attach(&r, name, NULL, RING_WRITE)) < 0)
		return err;
	at_store32_release(&r.hdr->min_level, (unsigned)level);
	ring_detach(&r);
	return 0;
}

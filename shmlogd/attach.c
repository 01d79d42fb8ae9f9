/* attach.c - attaches shmlogd to its ring: creates it if missing (with --size, --mode, --group,
 * --on-full), claims the consumer role, and learns the ring's id for the state file. */
#include <err.h>
#include <errno.h>
#include <inttypes.h>
#include <sys/fsuid.h>
#include <sysexits.h>
#include <unistd.h>

#include "attach.h"
#include "program.h"

/* Sets the file-system group to GID, so that a ring created now belongs to it (shm objects take
 * their creator's fsgid). Returns the previous fsgid, or -1 if not allowed (needs CAP_SETGID). */
static int64_t switch_fsgid(gid_t gid)
{
	gid_t saved = (gid_t)setfsgid(gid);

	if ((gid_t)setfsgid((gid_t)-1) != gid)
		return -1;
	return saved;
}

/* Says which options for a new ring a ring that already exists does not follow. */
static void warn_unapplied(const struct options *o, const struct shmlog_stats *st)
{
	if (o->size_given && st->size != o->ring_size)
		warnx("ring '%s' exists with a %" PRIu64 "K data area: --size applies only when "
		      "shmlogd creates the ring",
		      o->ring, st->size / 1024);
	if (o->on_full_given && st->policy != o->on_full)
		warnx("ring '%s' exists with another full-ring policy: --on-full applies only when "
		      "shmlogd creates the ring",
		      o->ring);
}

int attach_ring(const struct options *o, struct shmlog_consumer **cons,
		struct shmlog_observer **obs, uint64_t *ring_id)
{
	struct shmlog_options so;
	struct shmlog_stats st;

	shmlog_options_init(&so);
	so.size = o->ring_size;
	so.mode = o->ring_mode;
	so.on_full = o->on_full;
	so.full_timeout_ms = o->full_timeout_ms;
	/* Trust (shmlog.h): a ring someone else made, or that lets group or others write more
	 * than --mode, is refused before anything in it is touched, unless --allow-owner says the
	 * sharing is intended. */
	if (o->allow_owner_given) {
		so.allow_foreign_owner = SHMLOG_OWNER_UID;
		so.foreign_owner_uid = (uint32_t)o->allow_owner;
	}
	/* An observer first: it says whether the ring exists (then --group has nothing to do) and
	 * later gives the ring's id, which ties the state file to this instance of the ring. */
	*obs = shmlog_observer_open(o->ring, SHMLOG_OBSERVE_NEWEST);
	int64_t saved = -1;
	if (!*obs && o->group_given && (saved = switch_fsgid(o->ring_group)) < 0) {
		warnx("--group %u: not allowed to create ring '%s' with that group (needs "
		      "CAP_SETGID); run as root, or create the ring first and change its group",
		      (unsigned)o->ring_group, o->ring);
		return EX_NOPERM;
	}
	*cons = shmlog_consumer_open(o->ring, &so);
	int err = errno;
	if (saved >= 0)
		setfsgid((gid_t)saved);
	if (!*cons)
		return ring_error(err);
	if (!*obs && !(*obs = shmlog_observer_open(o->ring, SHMLOG_OBSERVE_NEWEST)))
		return ring_error(errno);
	if (shmlog_observer_stats(*obs, &st, NULL, 0) < 0) {
		warnx("%s", shmlog_errmsg());
		return EX_DATAERR;
	}
	if (st.consumer_pid != getpid()) {
		warnx("ring '%s' was removed and made again while shmlogd attached to it; start "
		      "shmlogd again",
		      o->ring);
		return EX_TEMPFAIL;
	}
	/* The consumer refused a ring whose head or tail is damaged (EBADMSG, 65). */
	char why[160];
	shmlog_stats_positions(&st, why, sizeof(why));
	/* The consumer resumed at the tail word or the oldest intact record, and its first commit
	 * writes a sound checkpoint; records it hands out again are recognised (recover.c). */
	if (st.health == SHMLOG_HEALTH_CHECKPOINT_DAMAGED)
		warnx("ring '%s': its checkpoint was damaged (%s); resuming at the ring's tail or "
		      "its oldest intact record",
		      o->ring, why);
	*ring_id = st.ring_id;
	warn_unapplied(o, &st);
	return 0;
}

/* stats.c - --stats: a ring's size and fill, positions, rates, losses, collector and producers,
 * read from its header without touching it. */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "print.h"
#include "program.h"
#include "shmlogcat.h"

#define PRODUCERS_FIRST_GUESS 64

struct snapshot {
	struct shmlog_stats st;
	struct shmlog_producer_info *producers;
	size_t cap;
	struct timespec when;
};

/* Reads the header and the whole producer table, growing the table until it fits. Returns 0
 * or -errno. */
static int take_snapshot(struct shmlog_observer *obs, struct snapshot *s)
{
	for (;;) {
		int rc = shmlog_observer_stats(obs, &s->st, s->producers, s->cap);

		clock_gettime(CLOCK_MONOTONIC, &s->when);
		if (rc < 0)
			return rc;
		if (s->st.nproducers < s->cap)
			return 0;
		size_t cap = s->cap ? 2 * s->cap : PRODUCERS_FIRST_GUESS;
		struct shmlog_producer_info *grown = realloc(s->producers, cap * sizeof(*grown));
		if (!grown)
			return -ENOMEM;
		s->producers = grown;
		s->cap = cap;
	}
}

static const char *policy_name(int policy)
{
	switch (policy) {
	case SHMLOG_ON_FULL_BLOCK:
		return "block";
	case SHMLOG_ON_FULL_DROP:
		return "drop";
	case SHMLOG_ON_FULL_TIMEOUT:
		return "timeout";
	default:
		return "unknown";
	}
}

static void print_time(const char *label, int64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000);
	struct tm tm;
	char text[32];

	if (!gmtime_r(&secs, &tm) || !strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(text, sizeof(text), "%lld ns", (long long)ns);
	printf("%-11s %s\n", label, text);
}

/* "nobody (uid 65534)": a user or group for the owner line. */
static const char *id_name(const char *name, unsigned id, const char *kind, char *buf, size_t cap)
{
	if (name)
		snprintf(buf, cap, "%s (%s %u)", name, kind, id);
	else
		snprintf(buf, cap, "%s %u", kind, id);
	return buf;
}

/* Whose the ring is: its owner reads every record, and whoever may write it can forge them. A
 * reader may read a ring that is not its own; it is told so here. */
static void print_owner(const struct shmlog_stats *st)
{
	const struct passwd *pw = getpwuid(st->owner_uid);
	const struct group *gr = getgrgid(st->owner_gid);
	char user[96], group[96];

	printf("%-11s %s, group %s, mode %04o", "owner",
	       id_name(pw ? pw->pw_name : NULL, (unsigned)st->owner_uid, "uid", user, sizeof(user)),
	       id_name(gr ? gr->gr_name : NULL, (unsigned)st->owner_gid, "gid", group, sizeof(group)),
	       (unsigned)st->mode);
	if (st->owner_uid != geteuid())
		printf("; not yours: its owner can read and forge what it holds");
	else if (st->mode & 022)
		printf("; %s may write it, and so forge records",
		       (st->mode & 022) == 022 ? "group and others" : st->mode & 020 ? "its group"
										: "others");
	putchar('\n');
}

static void print_header(const char *ring, const struct shmlog_stats *st)
{
	char size[SIZE_TEXT_MAX], why[160], path[SHMLOG_PATH_MAX];
	uint64_t used = st->used;

	shmlog_stats_positions(st, why, sizeof(why));
	shmlog_ring_path(ring, path, sizeof(path));
	printf("%-11s %s (%s), layout version %u, id %016llx\n", "ring", ring, path,
	       st->layout_version, (unsigned long long)st->ring_id);
	print_time("created", st->created_ns);
	print_owner(st);
	printf("%-11s %s (%llu bytes), ", "size", size_text(st->size, size),
	       (unsigned long long)st->size);
	switch (st->health) {
	case SHMLOG_HEALTH_POSITIONS_DAMAGED:
		printf("DAMAGED head or tail: %s; writers refuse it, readers find nothing more in it: "
		       "remove it and restart its processes on a new ring\n",
		       why);
		break;
	case SHMLOG_HEALTH_CHECKPOINT_DAMAGED:
		printf("checkpoint DAMAGED: %s; fill unknown; the collector resumes at the ring's "
		       "tail and writes a sound checkpoint at its next commit\n",
		       why);
		break;
	default:
		printf("%.1f%% full: %llu bytes not yet collected\n",
		       st->size ? 100.0 * (double)used / (double)st->size : 0.0,
		       (unsigned long long)used);
		break;
	}
	printf("%-11s pos %llu, seq %llu\n", "head", (unsigned long long)st->head,
	       (unsigned long long)st->head_seq);
	printf("%-11s pos %llu, seq %llu\n", "tail", (unsigned long long)st->tail,
	       (unsigned long long)st->tail_seq);
	printf("%-11s on full ring: %s", "policy", policy_name(st->policy));
	if (st->policy == SHMLOG_ON_FULL_TIMEOUT)
		printf(" after %d ms", st->full_timeout_ms);
	printf(", minimum level %s\n", shmlog_level_name(st->min_level));
}

static void print_rates(const struct snapshot *a, const struct snapshot *b)
{
	double secs = (double)(b->when.tv_sec - a->when.tv_sec) +
		      (double)(b->when.tv_nsec - a->when.tv_nsec) / 1e9;

	if (secs <= 0)
		return;
	printf("%-11s %.1f records/s, %.1f bytes/s (over %.2f s)\n", "rate",
	       (double)(b->st.head_seq - a->st.head_seq) / secs,
	       (double)(b->st.head - a->st.head) / secs, secs);
}

static void print_losses_and_collector(const struct shmlog_stats *st)
{
	unsigned long long lag_records = st->head_seq - st->tail_seq, lag_bytes = st->head - st->tail;

	printf("%-11s %llu records (ring full)\n", "drops", (unsigned long long)st->drops);
	printf("%-11s %llu records (writers died mid-record, or their bytes were damaged)\n",
	       "abandoned",
	       (unsigned long long)st->abandoned);
	if (st->consumer_pid)
		printf("%-11s pid %d, %s, lag %llu records, %llu bytes\n", "collector",
		       (int)st->consumer_pid, st->consumer_alive ? "alive" : "dead", lag_records,
		       lag_bytes);
	else
		printf("%-11s none; %llu records, %llu bytes not collected\n", "collector",
		       lag_records, lag_bytes);
}

/* The producer table. "records" is what the collector has taken from each: writers do not
 * count what they write, to keep the hot path to one atomic instruction. */
static void print_producers(const struct snapshot *s)
{
	printf("%-11s %u (%u alive)\n", "producers", s->st.nproducers, s->st.producers_live);
	if (!s->st.nproducers)
		return;
	printf("  %-8s %-16s %-6s %12s %10s %10s\n", "PID", "NAME", "STATE", "RECORDS", "DROPS",
	       "ABANDONED");
	for (uint32_t i = 0; i < s->st.nproducers; i++) {
		const struct shmlog_producer_info *p = &s->producers[i];
		size_t len = strnlen(p->comm, sizeof(p->comm));
		int pad = 16 - (int)len;

		printf("  %-8d ", (int)p->pid);
		print_safe(stdout, p->comm, len);
		printf("%*s %-6s %12llu %10llu %10llu\n", pad > 0 ? pad : 0, "",
		       p->alive ? "alive" : "gone", (unsigned long long)p->consumed,
		       (unsigned long long)p->drops, (unsigned long long)p->abandoned);
	}
}

static void sleep_ms(int ms)
{
	struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&t, &t) < 0 && errno == EINTR)
		;
}

int run_stats(const struct options *o)
{
	struct snapshot first = {0}, now = {0};
	struct shmlog_observer *obs = shmlog_observer_open(o->ring, SHMLOG_OBSERVE_NEWEST);
	int rc;

	if (!obs)
		return ring_error(errno);
	if ((rc = take_snapshot(obs, &first)) == 0 && o->interval_ms > 0) {
		sleep_ms(o->interval_ms);
		rc = take_snapshot(obs, &now);
	}
	if (rc == 0) {
		const struct snapshot *last = o->interval_ms > 0 ? &now : &first;

		print_header(o->ring, &last->st);
		if (o->interval_ms > 0)
			print_rates(&first, &now);
		print_losses_and_collector(&last->st);
		print_producers(last);
		if (fflush(stdout) != 0)
			rc = -errno;
	}
	free(first.producers);
	free(now.producers);
	shmlog_observer_close(obs);
	if (rc == 0 || rc == -EPIPE) /* EPIPE: the reader of our output went away */
		return 0;
	fprintf(stderr, PROGRAM_NAME ": --stats on ring '%s' failed: %s\n", o->ring, strerror(-rc));
	return rc == -ENOMEM ? EX_OSERR : EX_IOERR;
}

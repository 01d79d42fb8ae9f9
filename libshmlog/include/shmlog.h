/* shmlog.h - the one public header of libshmlog: a multi-process log through a shared-memory ring.
 *
 * Writers (any number of processes and threads) append records to a named POSIX shared-memory
 * ring with a few atomic instructions and a memcpy; one collector (shmlogd) drains the ring to
 * files; observers (shmlogcat) watch it read-only. See docs/FORMAT.md for the layout.
 *
 * Error contract, everywhere in this header: functions returning int return 0 (or a documented
 * non-negative value) on success and -errno on failure; functions returning a pointer return NULL
 * and set errno. After a failure, shmlog_errmsg() gives a one-line explanation naming the cause
 * and the fix. The library never prints and never exits. Every close and free function accepts NULL.
 */
#ifndef SHMLOG_H
#define SHMLOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SHMLOG_VERSION_MAJOR 0
#define SHMLOG_VERSION_MINOR 1
#define SHMLOG_VERSION_PATCH 0

/* Record levels, ordered. Mapped to syslog severities and OpenTelemetry severity numbers by
 * shmlog_level_syslog() and shmlog_level_otel(). */
#define SHMLOG_DEBUG 1
#define SHMLOG_INFO 2
#define SHMLOG_WARNING 3
#define SHMLOG_ERROR 4
#define SHMLOG_CRITICAL 5

/* Limits. A message longer than SHMLOG_MAX_MESSAGE is stored truncated and marked as such. */
#define SHMLOG_MAX_MESSAGE 16384
#define SHMLOG_MAX_TAG 255
#define SHMLOG_MAX_FIELDS 64
#define SHMLOG_MAX_KEY 255
#define SHMLOG_NAME_MAX 64
#define SHMLOG_MIN_SIZE (64u * 1024)
#define SHMLOG_MAX_SIZE (1ull << 34) /* 16 GiB */
#define SHMLOG_DEFAULT_SIZE (4u * 1024 * 1024)

/* What a writer does when the ring has no room for its record. */
enum shmlog_on_full {
	SHMLOG_ON_FULL_DEFAULT = 0, /* per-writer option only: follow the ring's policy */
	SHMLOG_ON_FULL_BLOCK = 1,   /* wait for the collector to make room: lossless */
	SHMLOG_ON_FULL_DROP = 2,    /* never wait: drop and count the record */
	SHMLOG_ON_FULL_TIMEOUT = 3, /* wait up to full_timeout_ms, then drop and count */
	/* Per-writer option only: neither wait nor drop: the call returns -EAGAIN and counts
	 * nothing, for a caller that must let go of something before it waits (a language
	 * binding's interpreter lock), then writes again through a handle that waits. */
	SHMLOG_ON_FULL_EAGAIN = 4,
};

/* Options for shmlog_open(). Zero-initialise (or call shmlog_options_init) and set what you need.
 * Size, policy and min_level only take effect when this call creates the ring.
 *
 * Trust: a writer or collector that attaches to an existing ring checks who made it, because the
 * ring's owner reads every record logged to it and anyone who may write it can forge records. The
 * ring must belong to the caller's effective uid (root included), unless allow_foreign_owner says
 * otherwise, and may grant group and others no write permission beyond MODE. Otherwise the open
 * fails with EPERM, leaving the ring as it was. Readers (observers) may read any ring they can. */
struct shmlog_options {
	uint64_t size;            /* data area bytes, power of two; 0 = SHMLOG_DEFAULT_SIZE */
	uint32_t mode;            /* permission bits of a created ring, and the most group and
				     others may write of an existing one; 0 = 0600 */
	int32_t on_full;          /* enum shmlog_on_full; for this handle (and the ring when created) */
	int32_t full_timeout_ms;  /* for SHMLOG_ON_FULL_TIMEOUT; 0 = 100 ms */
	int32_t min_level;        /* initial ring-wide minimum level when created; 0 = SHMLOG_DEBUG */
	uint32_t flags;           /* SHMLOG_OPEN_* */
	int32_t allow_foreign_owner; /* enum shmlog_owner: who else may own an existing ring */
	uint32_t foreign_owner_uid;  /* for SHMLOG_OWNER_UID */
	uint32_t reserved[7];     /* must be zero */
};

/* Who may own a ring that shmlog_open() or shmlog_consumer_open() attaches to. */
enum shmlog_owner {
	SHMLOG_OWNER_SELF = 0, /* the caller's effective uid only (the default) */
	SHMLOG_OWNER_UID = 1,  /* ... or foreign_owner_uid: a service user sharing on purpose */
	SHMLOG_OWNER_ANY = 2,  /* any user: the ring's contents are not trusted by this caller */
};

#define SHMLOG_OPEN_NOCREATE 0x1u /* fail with ENOENT instead of creating a missing ring */
/* Record times from clock_gettime(CLOCK_REALTIME) even where the TSC would do (a created ring
 * otherwise lets writers read the TSC when the kernel itself trusts it: half the cost, the same
 * ns since the epoch to within a microsecond or so; see docs/FORMAT.md §7.7). The environment
 * variable SHMLOG_CLOCK=realtime does the same. */
#define SHMLOG_OPEN_REALTIME_CLOCK 0x2u

/* Fills *opts with the defaults. */
void shmlog_options_init(struct shmlog_options *opts);

/* ---------------------------------------------------------------------------------------------
 * Writer API
 * ------------------------------------------------------------------------------------------- */

struct shmlog; /* opaque writer handle; safe to share between threads and across fork() */

/* Opens (creating it if missing) the ring NAME: 1..64 characters of [A-Za-z0-9._-].
 * opts may be NULL. Returns a handle, or NULL with errno set: EINVAL bad name or options,
 * ENOENT no such ring (with SHMLOG_OPEN_NOCREATE), EACCES no permission, EPERM the ring belongs
 * to another user or lets group or others write more than opts->mode (see Trust above), EPROTO
 * the object is not a shmlog ring or is damaged, EPROTONOSUPPORT ring made by an incompatible
 * layout version, ENOSPC the producer table is full, ETIMEDOUT its creator never finished
 * initialising it. */
struct shmlog *shmlog_open(const char *name, const struct shmlog_options *opts);

/* Detaches; records already committed stay in the ring for the collector. Accepts NULL. */
void shmlog_close(struct shmlog *log);

/* Logs a printf-style message. Returns 0 when the record is committed or filtered out by level,
 * -ENOBUFS when the ring was full and the record was dropped (and counted), -EAGAIN when it was
 * full and this handle's policy is SHMLOG_ON_FULL_EAGAIN (nothing counted), -EINVAL on bad
 * arguments, -EBADMSG when the ring's positions are damaged (impossible for any ring in use: the
 * ring can take no more records; remove it and restart the programs that use it). A message
 * longer than SHMLOG_MAX_MESSAGE is truncated and marked, never rejected. */
int shmlog_log(struct shmlog *log, int level, const char *tag, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int shmlog_logv(struct shmlog *log, int level, const char *tag, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

/* Logs LEN raw bytes as the message (any bytes; escaped on output). Same returns as shmlog_log. */
int shmlog_write(struct shmlog *log, int level, const char *tag, const char *msg, size_t len);

/* Typed key-value fields. Keys are 1..SHMLOG_MAX_KEY bytes. */
enum shmlog_field_type {
	SHMLOG_FIELD_STRING = 1,
	SHMLOG_FIELD_INT = 2,
	SHMLOG_FIELD_FLOAT = 3,
	SHMLOG_FIELD_BOOL = 4,
};

struct shmlog_field {
	const char *key;
	size_t key_len; /* 0 = strlen(key) */
	int type;       /* enum shmlog_field_type */
	union {
		struct {
			const char *ptr;
			size_t len;
		} s;
		int64_t i;
		double f;
		int b;
	} v;
};

#define SHMLOG_STR(k, val) \
	((struct shmlog_field){.key = (k), .type = SHMLOG_FIELD_STRING, .v.s = {(val), (size_t)-1}})
#define SHMLOG_INT(k, val) ((struct shmlog_field){.key = (k), .type = SHMLOG_FIELD_INT, .v.i = (val)})
#define SHMLOG_FLOAT(k, val) \
	((struct shmlog_field){.key = (k), .type = SHMLOG_FIELD_FLOAT, .v.f = (val)})
#define SHMLOG_BOOL(k, val) ((struct shmlog_field){.key = (k), .type = SHMLOG_FIELD_BOOL, .v.b = !!(val)})
/* A string field whose value is not NUL-terminated, or contains NULs. */
#define SHMLOG_STRN(k, val, n) \
	((struct shmlog_field){.key = (k), .type = SHMLOG_FIELD_STRING, .v.s = {(val), (n)}})

/* Like shmlog_write/shmlog_log with NFIELDS typed fields attached to the record. A string value
 * whose len is (size_t)-1 is taken as NUL-terminated. Returns as shmlog_log; -EINVAL for a field
 * with no key, an unknown type or more than SHMLOG_MAX_FIELDS fields. */
int shmlog_write_fields(struct shmlog *log, int level, const char *tag, const char *msg,
			size_t len, const struct shmlog_field *fields, size_t nfields);
int shmlog_log_fields(struct shmlog *log, int level, const char *tag,
		      const struct shmlog_field *fields, size_t nfields, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Per-thread context: fields pushed here are attached to every record this thread logs until
 * popped (a request id, a user, ...). Returns a depth token (>= 0) to hand to
 * shmlog_context_pop, or -EINVAL / -E2BIG when the thread's context would exceed its 4 KiB or
 * SHMLOG_MAX_FIELDS. Pop restores the context to what it was when the token was returned. */
int shmlog_context_push(const struct shmlog_field *fields, size_t nfields);
void shmlog_context_pop(int token);

/* Waits until the collector has consumed (written out) everything logged to this ring before the
 * call, including this process's records. Returns 0, or -ETIMEDOUT after timeout_ms (negative
 * timeout_ms: wait as long as it takes). */
int shmlog_flush(struct shmlog *log, int timeout_ms);

/* The ring-wide runtime minimum level, shared by every writer: records below it are skipped at
 * the cost of one load. set returns 0, -EINVAL for a bad level, -EPERM on a read-only handle. */
int shmlog_get_level(const struct shmlog *log);
int shmlog_set_level(struct shmlog *log, int level);

/* Level names: "debug", "info", "warning", "error", "critical" (parse also accepts upper case,
 * "warn", "crit", "err" and the digits 1-5). name returns "unknown" for an invalid level, never
 * NULL; parse returns the level or -EINVAL; syslog and otel return -EINVAL for an invalid level. */
const char *shmlog_level_name(int level);
int shmlog_level_parse(const char *s);
int shmlog_level_syslog(int level); /* LOG_DEBUG .. LOG_CRIT */
int shmlog_level_otel(int level);   /* 5, 9, 13, 17, 21 */

/* A one-line description of the last failure in this thread, naming cause and fix. */
const char *shmlog_errmsg(void);

/* "0.1.0" */
const char *shmlog_version(void);

/* Compile-time filtering: define SHMLOG_COMPILE_MIN_LEVEL before including this header and calls
 * below it compile to nothing (arguments are not evaluated). These are statements; call
 * shmlog_log() directly where the return value matters. */
#ifndef SHMLOG_COMPILE_MIN_LEVEL
#define SHMLOG_COMPILE_MIN_LEVEL SHMLOG_DEBUG
#endif
#define SHMLOG_IF_LEVEL_(lvl, h, tag, ...)                               \
	do {                                                             \
		if ((lvl) >= SHMLOG_COMPILE_MIN_LEVEL)                   \
			(void)shmlog_log((h), (lvl), (tag), __VA_ARGS__); \
	} while (0)
#define shmlog_debug(h, tag, ...) SHMLOG_IF_LEVEL_(SHMLOG_DEBUG, h, tag, __VA_ARGS__)
#define shmlog_info(h, tag, ...) SHMLOG_IF_LEVEL_(SHMLOG_INFO, h, tag, __VA_ARGS__)
#define shmlog_warning(h, tag, ...) SHMLOG_IF_LEVEL_(SHMLOG_WARNING, h, tag, __VA_ARGS__)
#define shmlog_error(h, tag, ...) SHMLOG_IF_LEVEL_(SHMLOG_ERROR, h, tag, __VA_ARGS__)
#define shmlog_critical(h, tag, ...) SHMLOG_IF_LEVEL_(SHMLOG_CRITICAL, h, tag, __VA_ARGS__)

/* ---------------------------------------------------------------------------------------------
 * Reader API: records as a consumer (the collector) or an observer (a live viewer) sees them.
 * ------------------------------------------------------------------------------------------- */

/* A record copied out of the ring. Pointers are valid until the next call on the same reader. */
struct shmlog_record {
	uint64_t seq;      /* dense sequence number of the record in its ring */
	uint64_t pos;      /* byte position of the record in the ring */
	int64_t time_ns;   /* wall clock, ns since the epoch (UTC) */
	uint32_t pid, tid;
	int level;
	uint32_t flags;    /* SHMLOG_REC_* */
	const char *tag;
	size_t tag_len;
	const char *msg;
	size_t msg_len;
	size_t msg_full_len; /* length before truncation; == msg_len unless SHMLOG_REC_TRUNCATED */
	const unsigned char *fields; /* encoded fields: iterate with shmlog_record_field() */
	size_t fields_len;
	size_t nfields;
	uint64_t count;    /* for LOST / ABANDONED / DROPPED events: how many records */
};

#define SHMLOG_REC_TRUNCATED 0x1u /* message was cut to SHMLOG_MAX_MESSAGE */
#define SHMLOG_REC_SYNTHETIC 0x2u /* made by the reader to report loss, not by a writer */

/* What a next() call found. Callers must handle each differently. */
enum shmlog_next {
	SHMLOG_NEXT_RECORD = 0,    /* *rec holds a record */
	SHMLOG_NEXT_EMPTY = 1,     /* nothing (more) committed within the timeout */
	SHMLOG_NEXT_LOST = 2,      /* observer: writers lapped it; rec->count records were overwritten */
	SHMLOG_NEXT_ABANDONED = 3, /* consumer: rec->count records of a dead writer (rec->pid) skipped */
	SHMLOG_NEXT_DROPPED = 4,   /* consumer: writer rec->pid dropped rec->count records (ring full) */
	SHMLOG_NEXT_DAMAGED = 5,   /* rec->count committed records whose bytes were damaged after
				      their writer wrote them were skipped; the message says where */
};

/* For the loss events *rec is also filled as a SHMLOG_REC_SYNTHETIC warning record with
 * tag "shmlog" and a message such as "pid 4711 dropped 52 records (ring full)", so a caller can
 * format it like any other record. */

/* Iterates a record's fields (writer fields, then context fields, in order). *off starts at 0.
 * Returns 1 with *out filled (key and string pointers into the record), 0 at the end, -EBADMSG if
 * the encoding is damaged. */
int shmlog_record_field(const struct shmlog_record *rec, size_t *off, struct shmlog_field *out);

/* The consumer: at most one per ring. It reads committed records in order, and the space they
 * occupy is only handed back to writers by shmlog_consumer_commit(), once the caller has stored
 * them safely. A consumer whose process died is taken over by the next shmlog_consumer_open(). */
struct shmlog_consumer;

/* Attaches to ring NAME (creating it with OPTS if missing and OPTS->flags allows) and claims the
 * consumer role. NULL + errno: EBUSY another live process is the consumer (errmsg names its pid),
 * EBADMSG the ring's head or tail is damaged (SHMLOG_HEALTH_POSITIONS_DAMAGED; the ring is left
 * as it was), plus the errors of shmlog_open. */
struct shmlog_consumer *shmlog_consumer_open(const char *name, const struct shmlog_options *opts);
/* Gives up the consumer role (in a child after fork(), only the child's copy of the handle) and
 * frees the handle; records returned but not committed go to the next consumer again. Returns
 * nothing: it cannot fail. Accepts NULL. */
void shmlog_consumer_close(struct shmlog_consumer *c);

/* Returns the next event (enum shmlog_next) or -errno. Waits up to timeout_ms (0: don't wait,
 * negative: forever) for a record when none is committed, sleeping on a futex, never polling. */
int shmlog_consumer_next(struct shmlog_consumer *c, struct shmlog_record *rec, int timeout_ms);

/* Declares every record returned so far safely stored: advances the ring's tail (and its
 * sequence checkpoint) past them and wakes writers waiting for room. Returns 0 or -errno. */
int shmlog_consumer_commit(struct shmlog_consumer *c);

/* A place in the consumer's stream, for a collector that stores records in the background
 * while it goes on reading: take a mark where a batch ends, hand the batch to the thread that
 * stores it, and commit the mark once that thread is done. */
struct shmlog_mark {
	uint64_t pos, seq; /* where the records after the mark begin */
	uint64_t reports;  /* drop reports returned before the mark */
};

/* Notes where the consumer is now: after every event returned so far. */
void shmlog_consumer_mark(const struct shmlog_consumer *c, struct shmlog_mark *m);

/* Like shmlog_consumer_commit, for the events returned before mark M only. Marks must be
 * committed in the order they were taken. Like every consumer call, from the thread that calls
 * next(). A drop report's count is settled when a mark after it is committed; a crash before
 * that reports the drops again (loss reports are written at least once, never lost). */
int shmlog_consumer_commit_mark(struct shmlog_consumer *c, const struct shmlog_mark *m);

/* Position and sequence number of the first record not yet committed by a consumer: where a
 * restarted consumer resumes. */
void shmlog_consumer_checkpoint(const struct shmlog_consumer *c, uint64_t *pos, uint64_t *seq);

/* Wakes a consumer blocked in shmlog_consumer_next from another thread or a signal handler
 * (async-signal-safe): the call returns SHMLOG_NEXT_EMPTY. */
void shmlog_consumer_interrupt(struct shmlog_consumer *c);

/* The observer: maps the ring read-only and never affects writers or the consumer. */
struct shmlog_observer;

#define SHMLOG_OBSERVE_OLDEST 0 /* start at the oldest record still in the ring */
#define SHMLOG_OBSERVE_NEWEST 1 /* start after the newest record (follow only what comes next) */
/* OR'ed into START: don't wait for a creator that has not initialised the ring yet (an empty
 * object: one still being made, or one whose maker died); fail at once with EAGAIN instead of
 * ETIMEDOUT after a wait of up to 2 seconds. For a listing that must not stall on such a ring. */
#define SHMLOG_OBSERVE_NOWAIT 0x100

/* Maps ring NAME read-only, starting at START (SHMLOG_OBSERVE_*; anything but NEWEST is
 * OLDEST); never creates it. Returns a handle, or NULL with errno set: ENOENT no such ring,
 * EACCES no read permission, EINVAL a bad name, ENOMEM, and EPROTO, EPROTONOSUPPORT or
 * ETIMEDOUT as for shmlog_open (EAGAIN instead of ETIMEDOUT with SHMLOG_OBSERVE_NOWAIT). */
struct shmlog_observer *shmlog_observer_open(const char *name, int start);
/* Unmaps the ring and frees the handle. Returns nothing: it cannot fail. Accepts NULL. */
void shmlog_observer_close(struct shmlog_observer *o);

/* Like shmlog_consumer_next; SHMLOG_NEXT_LOST reports the exact number of records overwritten
 * before this observer could read them, then reading resumes at the oldest intact record. */
int shmlog_observer_next(struct shmlog_observer *o, struct shmlog_record *rec, int timeout_ms);

/* Whether a ring's positions could be real (docs/FORMAT.md, section 3). */
enum shmlog_health {
	SHMLOG_HEALTH_SOUND = 0,
	/* The checkpoint (stats' tail) is impossible: the collector resumes at the tail word or
	 * the oldest intact record, and its next commit writes a sound one. Writers go on. */
	SHMLOG_HEALTH_CHECKPOINT_DAMAGED = 1,
	/* The head or the tail word is impossible (unaligned, above 2^62, or a lap apart):
	 * writers refuse the ring with -EBADMSG and readers find nothing more in it. Only a new
	 * ring helps: remove it and restart the programs that use it. */
	SHMLOG_HEALTH_POSITIONS_DAMAGED = 2,
};

/* A snapshot of a ring's header, for statistics. */
struct shmlog_producer_info {
	uint32_t slot;
	pid_t pid;
	char comm[16];
	uint64_t drops;        /* records this process dropped because the ring was full */
	uint64_t consumed;     /* records of this process the consumer has taken */
	uint64_t abandoned;    /* records of this process abandoned after it died */
	int alive;
};

struct shmlog_stats {
	uint32_t layout_version;
	uint64_t ring_id;
	uint64_t size;         /* data area bytes */
	uint64_t head, tail;   /* byte positions; tail: the collector's checkpoint */
	uint64_t head_seq, tail_seq;
	uint64_t drops, abandoned;
	int policy, full_timeout_ms, min_level;
	pid_t consumer_pid;    /* 0: no collector attached */
	int consumer_alive;
	int64_t created_ns;
	uint32_t nproducers;   /* entries filled in the caller's array */
	uint32_t producers_live;
	uid_t owner_uid;       /* who the ring's object belongs to, and its permission bits */
	gid_t owner_gid;
	uint32_t mode;
	uint64_t tail_word;    /* the ring's tail: where writers may reuse space from */
	int health;            /* enum shmlog_health */
	/* Bytes written and not yet collected (head - tail); 0 unless health is SOUND. The head is
	 * read before the checkpoint, so on a busy ring the checkpoint may pass it: that is 0 too. */
	uint64_t used;
};

/* Fills *st and up to max entries of producers (may be NULL) from the ring read-only. Returns
 * 0, or -EINVAL when o or st is NULL. */
int shmlog_observer_stats(struct shmlog_observer *o, struct shmlog_stats *st,
			  struct shmlog_producer_info *producers, size_t max);

/* The ring's positions in words, for a message about a damaged ring: "head at H, tail at T,
 * checkpoint at C, for a data area of S bytes". Returns the length as snprintf does. */
int shmlog_stats_positions(const struct shmlog_stats *st, char *buf, size_t cap);

/* Sets the ring-wide minimum level by name without being a writer. Needs write permission on the
 * ring: -EACCES otherwise. */
int shmlog_ring_set_level(const char *name, int level);

/* Removes the ring's shared-memory object (processes attached keep their mapping). Returns 0,
 * or -EINVAL for an invalid name, -ENOENT no such ring, -EACCES no permission. */
int shmlog_unlink(const char *name);

/* Where ring NAME's shared-memory object lives: "/dev/shm/shmlog.NAME". Returns the length of
 * the path written to buf (cut, like snprintf, when it is >= cap), or -EINVAL for an invalid
 * name. SHMLOG_PATH_MAX always suffices. The directory part is the one to watch for the name
 * to go (inotify), the last part the entry's name in it. */
#define SHMLOG_PATH_MAX (SHMLOG_NAME_MAX + 24)
int shmlog_ring_path(const char *name, char *buf, size_t cap);

/* The names of the rings on this machine (every shmlog.NAME object in /dev/shm, valid names or
 * not: the caller's open says what is wrong with one), sorted. Returns their count with *names a
 * malloc'd array of malloc'd strings (NULL when 0), or -errno (*names NULL): -ENOMEM, or why
 * /dev/shm could not be read. Free it with shmlog_list_free(). */
int shmlog_list(char ***names);
/* Frees what shmlog_list() returned: N names and the array. Accepts NULL. */
void shmlog_list_free(char **names, int n);

/* ---------------------------------------------------------------------------------------------
 * Formatting (shared by shmlogd and shmlogcat)
 * ------------------------------------------------------------------------------------------- */

enum shmlog_format {
	SHMLOG_FORMAT_TEXT = 0, /* 2026-11-21T10:15:03.123456Z INFO  tag[pid/tid] message k=v */
	SHMLOG_FORMAT_JSON = 1, /* JSON Lines with Elastic Common Schema keys */
	SHMLOG_FORMAT_CAT = 2,  /* the message alone, escaped */
};

#define SHMLOG_FMT_COLOR 0x1u      /* text: ANSI colour by level */
#define SHMLOG_FMT_NO_NEWLINE 0x2u /* omit the trailing newline */

/* Formats REC as one line ending in '\n' into buf (capacity cap). Returns the length the line
 * needs (like snprintf: if >= cap, the output was cut; call again with a larger buffer), or
 * -EINVAL. The output never contains a raw newline or control character from the record, and
 * JSON output is always valid UTF-8. */
ssize_t shmlog_format(const struct shmlog_record *rec, int format, unsigned flags, char *buf,
		      size_t cap);

/* Like shmlog_format(), with the record's fields in a JSON line under the object FIELDS_UNDER
 * instead of at the top level, where a key may meet a name ECS defines later:
 *   NULL or ""  the top level (shmlog_format()'s way);
 *   "labels"    ECS's labels: values become strings (ECS maps labels as keywords), and '.', '*'
 *               and '\\' in keys become '_' (labels do not nest), as ecs-logging specifies;
 *   a name      of your own, such as "myapp": [A-Za-z0-9_] names joined by single dots, at most
 *               64 characters, not an object the line's own keys use (log, event, process, ecs,
 *               shmlog, labels.*); values keep their types.
 * Text and cat lines ignore it. Returns what shmlog_format() returns; -EINVAL also for a
 * FIELDS_UNDER that is malformed or taken, whatever the record, so one call on any valid record
 * checks it. */
ssize_t shmlog_format_under(const struct shmlog_record *rec, int format, unsigned flags,
			    const char *fields_under, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif

#endif /* SHMLOG_H */

/* testutil.h - helpers shared by the tests: unique ring names, self-checking payloads and their
 * order, forking writers, draining a ring with the consumer. */
#ifndef SHMLOG_TESTUTIL_H
#define SHMLOG_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "shmlog.h"

/* A ring name unique to this process and call: "t-<pid>-<tag>-<n>". */
const char *tu_ring_name(const char *tag);

/* Deterministic PRNG (splitmix64). */
uint64_t tu_rand(uint64_t *state);

/* A self-checking message: "w=<writer> i=<index> " then filler bytes derived from (w, i), then
 * 8 hex digits of a checksum over everything before them. len_hint picks the filler length.
 * Returns the length written to buf (cap must be >= len_hint + 64). */
size_t tu_payload(char *buf, size_t cap, unsigned writer, uint64_t index, size_t len_hint);

/* Checks a message made by tu_payload. Returns 0 and fills writer/index, or -1 if torn. */
int tu_payload_check(const char *msg, size_t len, unsigned *writer, uint64_t *index);

/* Each writer's tu_payload records in order, every one once: writer w's indexes come 0, 1, 2, ...
 * tu_order_note checks one record from writers 0..nwriters-1 (at most TU_MAX_WRITERS). */
#define TU_MAX_WRITERS 64
struct tu_order {
	uint64_t next[TU_MAX_WRITERS]; /* the index writer w's next record must have */
	long torn;                     /* not a tu_payload record, or from an unknown writer */
	long out_of_order;             /* an index other than its writer's next: lost or repeated */
};
void tu_order_note(struct tu_order *o, unsigned nwriters, const struct shmlog_record *rec);

/* Forks a child that runs fn(arg, i) and _exits with its return value. */
pid_t tu_fork(int (*fn)(void *arg, int i), void *arg, int i);

/* Waits for pid; returns its exit code, 128 + signal if killed, -1 on error. */
int tu_wait(pid_t pid);

/* Reads a consumer until want records arrived or quiet_ms pass with none, committing as a
 * collector does. cb is called for every event (record or loss); a non-zero return stops. */
typedef int (*tu_event_fn)(void *arg, int event, const struct shmlog_record *rec);
long tu_drain(struct shmlog_consumer *c, long want, int quiet_ms, tu_event_fn cb, void *arg);

int64_t tu_now_ms(void);

#endif

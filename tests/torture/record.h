/* record.h - the torture's self-checking records: what a writer logs and what the verifier and
 * the followers' checker parse back.
 *
 * A message is a fixed-width header, then payload characters up to the chosen length:
 *
 *   "TT w=012 t=1 n=0000004711 l=00117 c=89abcdef01234567 Qx3..."
 *    |  |     |   |            |       |                  payload: [A-Za-z0-9_-], derived
 *    |  |     |   |            |       |                  from (w, t, n)
 *    |  |     |   |            |       FNV-1a 64 over w, t, n, l and the payload
 *    |  |     |   |            the whole message's length in bytes (header included)
 *    |  |     |   the thread's record number, 0, 1, 2, ... (a dropped one leaves a gap)
 *    |  |     thread index in its writer process
 *    |  writer id (a replacement writer gets a new one)
 *    marker
 *
 * Every character is printable and needs no escaping in text or JSON output, so the line
 * shmlogd or shmlogcat prints holds the message byte for byte. Lengths go from the header alone
 * up to SHMLOG_MAX_MESSAGE, the longest message the library keeps whole.
 */
#ifndef TORTURE_RECORD_H
#define TORTURE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define REC_HEADER_LEN 53
#define REC_MAX_LEN 16384 /* SHMLOG_MAX_MESSAGE */

struct rec_id {
	int w, t;
	long long n;
	size_t len;
};

/* Writes the message for ID (id->len bytes, REC_HEADER_LEN..REC_MAX_LEN) into buf, which holds
 * at least id->len + 1 bytes. */
void rec_build(const struct rec_id *id, char *buf);

/* Parses and checks MSG (LEN bytes). Returns 0 with *id filled when it is an intact torture
 * record, 1 when it is not one of ours at all (no marker), -1 when it is ours but damaged (wrong
 * length, bad checksum, bad field); *why then says what. */
int rec_check(const char *msg, size_t len, struct rec_id *id, const char **why);

/* A length for the next record: mostly short, some long, a few near the limit. */
size_t rec_pick_len(uint64_t *rng);

uint64_t rec_rng(uint64_t *state); /* xorshift64* */

#endif

/* record.h - a record as readers hand it out (decode, loss reports), and the encoding of its
 * typed fields, shared by the writer (encode) and readers.
 *
 * Private header. Fields follow the message in a record, one after another, unaligned:
 *
 *   u8 type (enum shmlog_field_type) | u8 key length K (1..255) | K key bytes | value
 *   value: STRING  u32 length L (native endian, unaligned) then L bytes
 *          INT     8 bytes, int64_t
 *          FLOAT   8 bytes, double
 *          BOOL    1 byte, 0 or 1
 *
 * The writer's own fields come first, then the thread's context fields. Readers treat every
 * byte as untrusted: shmlog_record_field() checks each length against the end of the fields.
 */
#ifndef SHMLOG_RECORD_H
#define SHMLOG_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "shmlog.h"

struct clock_conv;

/* Fills REC from the record copied out of the ring to BUF (LEN bytes, at least the record
 * header, ring.h section 2): time (through CV), ids, level, flags and the tag, message and
 * fields, pointing into BUF. Every reader decodes here, so a new header field is decoded once.
 * seq and pos are the caller's: they depend on where it reads. Returns 0, or -1 when the header
 * contradicts itself (lengths past LEN, a level out of range): damage. */
int record_decode(struct clock_conv *cv, const unsigned char *buf, uint64_t len,
		  struct shmlog_record *rec);

/* Fills REC as a loss report (SHMLOG_REC_SYNTHETIC): a warning from "shmlog" of PID (0: none)
 * saying MSG (N bytes, the caller's words for its event), counting COUNT records, at SEQ and
 * POS, those of the record the loss precedes, timed now. */
void record_synthetic(struct shmlog_record *rec, uint64_t seq, uint64_t pos, uint32_t pid,
		      uint64_t count, const char *msg, int n);

/* Bytes needed to encode F, or 0 if F is invalid (no key, key too long, unknown type). */
size_t field_encoded_size(const struct shmlog_field *f);

/* Encodes F at dst (which has field_encoded_size(f) bytes); returns the bytes written. */
size_t field_encode(unsigned char *dst, const struct shmlog_field *f);

#endif

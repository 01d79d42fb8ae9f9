/* record.h - encoding of a record's typed fields, shared by the writer (encode) and readers.
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

#include "shmlog.h"

/* Bytes needed to encode F, or 0 if F is invalid (no key, key too long, unknown type). */
size_t field_encoded_size(const struct shmlog_field *f);

/* Encodes F at dst (which has field_encoded_size(f) bytes); returns the bytes written. */
size_t field_encode(unsigned char *dst, const struct shmlog_field *f);

#endif

/* fuzz_record_fields - any record a reader can hand out (arbitrary fields encoding, tag and
 * message bytes, level, flags, counts, times) iterates and formats safely and correctly: see
 * format_oracle.h for every check.
 *
 * Input: a 55-byte header (short inputs read as zeros), then the tag, the message, and the rest
 * as the encoded fields:
 *   i32 level | u32 flags | u64 seq | i64 time_ns | u32 pid | u32 tid | u64 count |
 *   u64 msg_full_len | u8 tag_len | u16 msg_len | u8 nfields | u16 small_cap | u8 options
 * options bit 0: a zero-length tag or message is passed as NULL (allowed by shmlog_format);
 * bit 1: time_ns is a day number (its low 16 bits, signed: 1880 to 2059) and a time of day (the
 * rest), so plain mutation visits every date: date arithmetic gives the fuzzer no coverage to
 * follow, and a random 64-bit time rarely lands on a leap day or a year's last day.
 * Each part lives in a heap block of exactly its size, so ASan sees any read beyond it.
 */
#include <stdlib.h>
#include <string.h>

#include "format_oracle.h"
#include "fuzz_util.h"

#define NS_PER_DAY (86400 * 1000000000LL)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	struct shmlog_record rec;
	const uint8_t *tag, *msg, *fields;
	size_t tag_len, msg_len, fields_len, small_cap;
	uint8_t options;

	memset(&rec, 0, sizeof(rec));
	rec.level = (int)fz_u32(&in);
	rec.flags = fz_u32(&in);
	rec.seq = fz_u64(&in);
	rec.time_ns = (int64_t)fz_u64(&in);
	rec.pid = fz_u32(&in);
	rec.tid = fz_u32(&in);
	rec.count = fz_u64(&in);
	rec.msg_full_len = (size_t)fz_u64(&in);
	tag_len = fz_u8(&in);
	msg_len = fz_u16(&in);
	rec.nfields = fz_u8(&in);
	small_cap = fz_u16(&in);
	options = fz_u8(&in);

	if (options & 2) {
		uint64_t raw = (uint64_t)rec.time_ns;
		rec.time_ns = (int64_t)(int16_t)(raw & 0xffff) * NS_PER_DAY +
			      (int64_t)((raw >> 16) % NS_PER_DAY);
	}

	tag_len = fz_bytes(&in, tag_len, &tag);
	msg_len = fz_bytes(&in, msg_len, &msg);
	fields_len = fz_bytes(&in, in.n, &fields);

	rec.tag = tag_len || !(options & 1) ? fz_dup(tag, tag_len) : NULL;
	rec.tag_len = tag_len;
	rec.msg = msg_len || !(options & 1) ? fz_dup(msg, msg_len) : NULL;
	rec.msg_len = msg_len;
	rec.fields = fields_len || !(options & 1) ? fz_dup(fields, fields_len) : NULL;
	rec.fields_len = fields_len;

	fz_check_record(&rec, small_cap);

	free((void *)rec.tag);
	free((void *)rec.msg);
	free((void *)rec.fields);
	return 0;
}

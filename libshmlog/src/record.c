/* record.c - decodes a record copied out of the ring and makes loss reports (readers); encodes
 * a record's typed fields (writers) and walks them back (readers); record.h holds the byte layout.
 *
 * The reader half runs on bytes copied out of shared memory that any buggy or hostile process may
 * have written, so it trusts nothing: every length is checked against what is left of the fields
 * before it is used, and all multi-byte values are read with memcpy because fields are unaligned.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "tsc.h"
#include "internal.h"
#include "record.h"
#include "ring.h"
#include "shmlog.h"

#define FIELD_HEAD 2 /* type byte + key length byte */
#define STRING_LEN_SIZE 4

int record_decode(struct clock_conv *cv, const unsigned char *buf, uint64_t len,
		  struct shmlog_record *rec)
{
	const struct rec_hdr *rh = (const void *)buf;
	uint64_t body = (uint64_t)rh->tag_len + rh->msg_len + rh->fields_len;

	int level = meta_level(rh->meta);

	if (REC_HDR_SIZE + body > len || level < SHMLOG_DEBUG || level > SHMLOG_CRITICAL)
		return -1;
	memset(rec, 0, sizeof(*rec));
	rec->time_ns = clock_conv_ns(cv, (uint64_t)rh->time_ns);
	rec->pid = rh->pid;
	rec->tid = rh->tid;
	rec->level = level;
	rec->flags = rh->flags & SHMLOG_REC_TRUNCATED;
	rec->tag = (const char *)buf + REC_HDR_SIZE;
	rec->tag_len = rh->tag_len;
	rec->msg = rec->tag + rh->tag_len;
	rec->msg_len = rh->msg_len;
	rec->msg_full_len = rh->msg_full_len > rh->msg_len ? rh->msg_full_len : rh->msg_len;
	rec->fields = (const unsigned char *)rec->msg + rh->msg_len;
	rec->fields_len = rh->fields_len;
	rec->nfields = rh->nfields;
	return 0;
}

void record_synthetic(struct shmlog_record *rec, uint64_t seq, uint64_t pos, uint32_t pid,
		      uint64_t count, const char *msg, int n)
{
	memset(rec, 0, sizeof(*rec));
	rec->seq = seq;
	rec->pos = pos;
	rec->time_ns = clock_ns(CLOCK_REALTIME);
	rec->pid = pid;
	rec->level = SHMLOG_WARNING;
	rec->flags = SHMLOG_REC_SYNTHETIC;
	rec->tag = "shmlog";
	rec->tag_len = 6;
	rec->count = count;
	rec->msg = msg;
	rec->msg_len = rec->msg_full_len = n > 0 ? (size_t)n : 0;
}

static size_t key_length(const struct shmlog_field *f)
{
	return f->key_len ? f->key_len : strlen(f->key);
}

/* A NULL string value is logged as the empty string: a caller passing a possibly-NULL pointer
 * should lose the value, not the whole record. */
static size_t string_length(const struct shmlog_field *f)
{
	if (!f->v.s.ptr)
		return 0;
	return f->v.s.len == (size_t)-1 ? strlen(f->v.s.ptr) : f->v.s.len;
}

static size_t value_size(const struct shmlog_field *f)
{
	size_t len;

	switch (f->type) {
	case SHMLOG_FIELD_STRING:
		len = string_length(f);
		return len > UINT32_MAX ? 0 : STRING_LEN_SIZE + len;
	case SHMLOG_FIELD_INT:
		return sizeof(int64_t);
	case SHMLOG_FIELD_FLOAT:
		return sizeof(double);
	case SHMLOG_FIELD_BOOL:
		return 1;
	default:
		return 0;
	}
}

size_t field_encoded_size(const struct shmlog_field *f)
{
	size_t klen, vsize;

	if (!f || !f->key)
		return 0;
	klen = key_length(f);
	if (klen == 0 || klen > SHMLOG_MAX_KEY)
		return 0;
	vsize = value_size(f);
	return vsize ? FIELD_HEAD + klen + vsize : 0;
}

size_t field_encode(unsigned char *dst, const struct shmlog_field *f)
{
	size_t klen = key_length(f);
	unsigned char *p = dst;
	uint32_t len32;
	size_t len;

	*p++ = (unsigned char)f->type;
	*p++ = (unsigned char)klen;
	memcpy(p, f->key, klen);
	p += klen;
	switch (f->type) {
	case SHMLOG_FIELD_STRING:
		len = string_length(f);
		len32 = (uint32_t)len;
		memcpy(p, &len32, sizeof(len32));
		p += sizeof(len32);
		if (len)
			memcpy(p, f->v.s.ptr, len);
		p += len;
		break;
	case SHMLOG_FIELD_INT:
		memcpy(p, &f->v.i, sizeof(f->v.i));
		p += sizeof(f->v.i);
		break;
	case SHMLOG_FIELD_FLOAT:
		memcpy(p, &f->v.f, sizeof(f->v.f));
		p += sizeof(f->v.f);
		break;
	case SHMLOG_FIELD_BOOL:
		*p++ = f->v.b != 0;
		break;
	}
	return (size_t)(p - dst);
}

static int damaged(const struct shmlog_record *rec, size_t off, const char *what)
{
	return set_err(EBADMSG,
		       "record %llu has damaged fields (%s at byte %zu of %zu): the process that wrote "
		       "it is buggy or overwrote the ring; the rest of its fields cannot be read",
		       (unsigned long long)rec->seq, what, off, rec->fields_len);
}

/* Reads the value of type TYPE from P, where LEFT bytes remain, into OUT. Returns the bytes it
 * occupies, or 0 if it does not fit or is not a valid value. */
static size_t decode_value(int type, const unsigned char *p, size_t left, struct shmlog_field *out)
{
	uint32_t len32;

	switch (type) {
	case SHMLOG_FIELD_STRING:
		if (left < STRING_LEN_SIZE)
			return 0;
		memcpy(&len32, p, sizeof(len32));
		if (left - STRING_LEN_SIZE < len32)
			return 0;
		out->v.s.ptr = (const char *)p + STRING_LEN_SIZE;
		out->v.s.len = len32;
		return STRING_LEN_SIZE + (size_t)len32;
	case SHMLOG_FIELD_INT:
		if (left < sizeof(out->v.i))
			return 0;
		memcpy(&out->v.i, p, sizeof(out->v.i));
		return sizeof(out->v.i);
	case SHMLOG_FIELD_FLOAT:
		if (left < sizeof(out->v.f))
			return 0;
		memcpy(&out->v.f, p, sizeof(out->v.f));
		return sizeof(out->v.f);
	case SHMLOG_FIELD_BOOL:
		if (left < 1 || p[0] > 1)
			return 0;
		out->v.b = p[0];
		return 1;
	default:
		return 0;
	}
}

/* Returns 1 with *out filled and *off advanced, 0 at the end, -EBADMSG when the bytes at *off are
 * not a whole valid field (shmlog_errmsg() says where), -EINVAL for a NULL argument. On failure
 * *off and *out are left unchanged, so a caller can report where the damage starts. */
int shmlog_record_field(const struct shmlog_record *rec, size_t *off, struct shmlog_field *out)
{
	const unsigned char *p;
	struct shmlog_field f;
	size_t o, left, klen, vsize;

	if (!rec || !off || !out)
		return set_err(EINVAL, "shmlog_record_field: rec, off and out must not be NULL");
	o = *off;
	if (o == rec->fields_len)
		return 0;
	if (o > rec->fields_len)
		return damaged(rec, o, "offset past the end");
	if (!rec->fields)
		return damaged(rec, o, "no field bytes");
	p = rec->fields + o;
	left = rec->fields_len - o;
	if (left < FIELD_HEAD)
		return damaged(rec, o, "cut-off field header");
	klen = p[1];
	if (klen == 0 || left - FIELD_HEAD < klen)
		return damaged(rec, o, "bad key length");
	memset(&f, 0, sizeof(f));
	f.type = p[0];
	f.key = (const char *)p + FIELD_HEAD;
	f.key_len = klen;
	left -= FIELD_HEAD + klen;
	vsize = decode_value(f.type, p + FIELD_HEAD + klen, left, &f);
	if (!vsize)
		return damaged(rec, o, "bad type or value");
	*out = f;
	*off = o + FIELD_HEAD + klen + vsize;
	return 1;
}

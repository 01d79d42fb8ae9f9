/* fuzz_rfc5424 - any record a reader can hand out becomes one well-formed RFC 5424 message in
 * shmlogd's forwarder (shmlogd/forward/rfc5424.h), checked by an RFC 5424 parser written here,
 * apart from the formatter:
 *   - the snprintf contract at a small capacity and at the exact length;
 *   - "<PRI>1 ": PRI = facility * 8 + the level's syslog severity (5 for an unknown level);
 *   - TIMESTAMP "-" exactly when the time is before 1970, else YYYY-MM-DDTHH:MM:SS.uuuuuuZ;
 *   - HOSTNAME, APP-NAME (at most 48), PROCID (the pid) are 1..255 printable ASCII; a tag
 *     that fits is APP-NAME unchanged; MSGID "-";
 *   - one SD element [shmlog@32473 ...] whose PARAM-NAMEs are SD-NAMEs and whose values are
 *     valid UTF-8 with only \" \\ \] escapes and no bare ']' or '"'; ring and seq come first,
 *     with the record's values; each string field's value reads back as its bytes with
 *     ill-formed sequences replaced by U+FFFD;
 *   - then nothing (empty message) or ' ', a BOM exactly when the message is UTF-8 beyond
 *     ASCII, and the message bytes unchanged.
 *
 * Input: fuzz_record_fields' layout (55-byte header, tag, message, encoded fields), with its
 * options byte read as: bit 0 an empty tag or message is NULL; bit 2 the tag's bytes (up to a
 * NUL) are also the hostname; bits 3-7 the facility (mod 24).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_util.h"
#include "rfc5424.h"

struct parse {
	const char *p, *end;
};

/* A header token: 1..MAX bytes of 33..126, then a space. */
static size_t token(struct parse *s, size_t max, const char *what)
{
	const char *start = s->p;

	while (s->p < s->end && *s->p != ' ') {
		FZ_CHECK(*s->p >= 33 && *s->p <= 126, "%s holds byte 0x%02x", what,
			 (unsigned char)*s->p);
		s->p++;
	}
	FZ_CHECK(s->p > start && (size_t)(s->p - start) <= max, "%s has %zu bytes", what,
		 (size_t)(s->p - start));
	FZ_CHECK(s->p < s->end, "the message ends in %s", what);
	s->p++;
	return (size_t)(s->p - 1 - start);
}

static int severity(int level)
{
	static const int sev[] = {7, 6, 4, 3, 2};
	return level >= 1 && level <= 5 ? sev[level - 1] : 5;
}

static void check_header(struct parse *s, const struct shmlog_record *rec, int facility)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ";
	char want[32];

	snprintf(want, sizeof(want), "<%d>1 ", facility * 8 + severity(rec->level));
	FZ_CHECK((size_t)(s->end - s->p) > strlen(want) && !memcmp(s->p, want, strlen(want)),
		 "the message does not start %s", want);
	s->p += strlen(want);
	const char *t = s->p;
	size_t n = token(s, 27, "TIMESTAMP");
	if (rec->time_ns < 0) {
		FZ_CHECK(n == 1 && *t == '-', "a time before 1970 is not '-'");
	} else {
		FZ_CHECK(n == 27, "TIMESTAMP has %zu bytes", n);
		for (size_t i = 0; i < n; i++)
			FZ_CHECK(shape[i] == 'd' ? t[i] >= '0' && t[i] <= '9' : t[i] == shape[i],
				 "TIMESTAMP byte %zu", i);
	}
	token(s, 255, "HOSTNAME");
	const char *app = s->p;
	n = token(s, 48, "APP-NAME");
	int printable = rec->tag_len > 0 && rec->tag_len <= 48;
	for (size_t i = 0; i < rec->tag_len && printable; i++)
		printable = rec->tag[i] >= 33 && rec->tag[i] <= 126;
	if (printable)
		FZ_CHECK(n == rec->tag_len && !memcmp(app, rec->tag, n), "APP-NAME is not the tag");
	snprintf(want, sizeof(want), "%u - ", rec->pid);
	FZ_CHECK((size_t)(s->end - s->p) > strlen(want) && !memcmp(s->p, want, strlen(want)),
		 "PROCID MSGID are not '%s'", want);
	s->p += strlen(want);
}

/* One PARAM-VALUE after its '"': unescaped into OUT (room for its length), *n set; s->p after
 * the closing '"'. */
static void param_value(struct parse *s, uint8_t *out, size_t *n)
{
	*n = 0;
	for (;;) {
		FZ_CHECK(s->p < s->end, "a PARAM-VALUE is not closed");
		char c = *s->p++;
		if (c == '"')
			break;
		FZ_CHECK(c != ']', "a bare ']' in a PARAM-VALUE");
		if (c == '\\') {
			FZ_CHECK(s->p < s->end && (*s->p == '"' || *s->p == '\\' || *s->p == ']'),
				 "a '\\' not before '\"', '\\' or ']'");
			c = *s->p++;
		}
		out[(*n)++] = (uint8_t)c;
	}
}

static int own_name(const char *name, size_t n)
{
	static const char *const own[] = {"ring", "seq", "ringid", "tid", "tag", "truncated",
					  "count", "damaged"};
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]); i++)
		if (strlen(own[i]) == n && !memcmp(own[i], name, n))
			return 1;
	return 0;
}

/* The next string field of REC at *off (skipping other types), or 0 when none is left. */
static int next_string(const struct shmlog_record *rec, size_t *off, struct shmlog_field *f,
		       int *nonstring)
{
	*nonstring = 0;
	if (shmlog_record_field(rec, off, f) != 1)
		return 0;
	*nonstring = f->type != SHMLOG_FIELD_STRING;
	return 1;
}

static void check_sd(struct parse *s, const struct shmlog_record *rec, uint8_t *val,
		     uint8_t *want)
{
	static const char id[] = "[shmlog@32473";
	char seq[32];
	size_t off = 0, nparam = 0, n;
	struct shmlog_field f;
	int nonstring;

	FZ_CHECK((size_t)(s->end - s->p) > strlen(id) && !memcmp(s->p, id, strlen(id)),
		 "no [shmlog@32473");
	s->p += strlen(id);
	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)rec->seq);
	while (s->p < s->end && *s->p == ' ') {
		const char *name = ++s->p;
		while (s->p < s->end && *s->p != '=') {
			FZ_CHECK(*s->p >= 33 && *s->p <= 126 && *s->p != ']' && *s->p != '"',
				 "PARAM-NAME byte 0x%02x", (unsigned char)*s->p);
			s->p++;
		}
		size_t nlen = (size_t)(s->p - name);
		FZ_CHECK(nlen >= 1 && nlen <= 32 && s->end - s->p >= 2 && s->p[1] == '"',
			 "a PARAM-NAME of %zu bytes, or no =\"", nlen);
		s->p += 2;
		param_value(s, val, &n);
		FZ_CHECK(fz_utf8_replace(val, n, want) == n && !memcmp(val, want, n),
			 "a PARAM-VALUE is not valid UTF-8");
		if (nparam == 0)
			FZ_CHECK(nlen == 4 && !memcmp(name, "ring", 4) && n == 8 &&
					 !memcmp(val, "fuzzring", 8), "the first param is not ring");
		if (nparam++ == 1)
			FZ_CHECK(nlen == 3 && !memcmp(name, "seq", 3) && n == strlen(seq) &&
					 !memcmp(val, seq, n), "the second param is not seq");
		if (own_name(name, nlen))
			continue;
		/* A field: the next one of the record; a string reads back as its bytes. */
		FZ_CHECK(next_string(rec, &off, &f, &nonstring), "a param no field explains");
		if (!nonstring) {
			size_t w = fz_utf8_replace((const uint8_t *)f.v.s.ptr, f.v.s.len, want);
			FZ_CHECK(w == n && !memcmp(want, val, n), "a string field changed");
		}
	}
	FZ_CHECK(s->p < s->end && *s->p == ']', "the SD element is not closed");
	s->p++;
}

static void check_msg(struct parse *s, const struct shmlog_record *rec, uint8_t *tmp)
{
	size_t n = (size_t)(s->end - s->p);

	if (rec->msg_len == 0) {
		FZ_CHECK(n == 0, "bytes after the SD of an empty message");
		return;
	}
	FZ_CHECK(n > 0 && *s->p == ' ', "no space before MSG");
	s->p++;
	n--;
	int wide = 0;
	for (size_t i = 0; i < rec->msg_len; i++)
		wide |= (uint8_t)rec->msg[i] >= 0x80;
	int utf8 = wide && fz_utf8_replace((const uint8_t *)rec->msg, rec->msg_len, tmp) ==
				   rec->msg_len &&
		   !memcmp(tmp, rec->msg, rec->msg_len);
	if (utf8) {
		FZ_CHECK(n >= 3 && !memcmp(s->p, "\xef\xbb\xbf", 3), "UTF-8 MSG without a BOM");
		s->p += 3;
		n -= 3;
	}
	FZ_CHECK(n == rec->msg_len && !memcmp(s->p, rec->msg, n), "MSG is not the message");
}

static void check(const struct shmlog_record *rec, const struct rfc5424_origin *o,
		  size_t small_cap)
{
	size_t n = rfc5424_format(rec, o, NULL, 0);
	char *out = malloc(n + 1), *cut = malloc(small_cap + 1);
	uint8_t *val = malloc(n + 1), *want = malloc(3 * (n + rec->msg_len) + 1);

	FZ_CHECK(out && cut && val && want, "out of memory");
	FZ_CHECK(rfc5424_format(rec, o, out, n) == n, "the length changed");
	memset(cut, 0x55, small_cap + 1);
	FZ_CHECK(rfc5424_format(rec, o, cut, small_cap) == n, "the length at a small capacity");
	FZ_CHECK(!memcmp(cut, out, small_cap < n ? small_cap : n) &&
			 (small_cap < n || (uint8_t)cut[n] == 0x55) &&
			 (uint8_t)cut[small_cap] == 0x55,
		 "wrote other bytes, or past the capacity");
	struct parse s = {out, out + n};
	check_header(&s, rec, o->facility);
	check_sd(&s, rec, val, want);
	check_msg(&s, rec, want);
	free(out);
	free(cut);
	free(val);
	free(want);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz in = {data, size};
	struct shmlog_record rec = {0};
	const uint8_t *tag, *msg, *fields;
	char host[256];

	rec.level = (int)fz_u32(&in);
	rec.flags = fz_u32(&in);
	rec.seq = fz_u64(&in);
	rec.time_ns = (int64_t)fz_u64(&in);
	rec.pid = fz_u32(&in);
	rec.tid = fz_u32(&in);
	rec.count = fz_u64(&in);
	rec.msg_full_len = (size_t)fz_u64(&in);
	size_t tag_len = fz_u8(&in), msg_len = fz_u16(&in);
	rec.nfields = fz_u8(&in);
	size_t small_cap = fz_u16(&in) % 512;
	uint8_t options = fz_u8(&in);
	tag_len = fz_bytes(&in, tag_len, &tag);
	msg_len = fz_bytes(&in, msg_len, &msg);
	size_t fields_len = fz_bytes(&in, in.n, &fields);

	rec.tag = tag_len || !(options & 1) ? fz_dup(tag, tag_len) : NULL;
	rec.tag_len = tag_len;
	rec.msg = msg_len || !(options & 1) ? fz_dup(msg, msg_len) : NULL;
	rec.msg_len = msg_len;
	rec.fields = fields_len || !(options & 1) ? fz_dup(fields, fields_len) : NULL;
	rec.fields_len = fields_len;
	snprintf(host, sizeof(host), "%.*s", (int)tag_len, (const char *)tag);
	struct rfc5424_origin o = {options & 4 ? host : "fuzz-host", "fuzzring", (options >> 3) % 24,
				   rec.seq ^ rec.count};

	check(&rec, &o, small_cap);
	free((void *)rec.tag);
	free((void *)rec.msg);
	free((void *)rec.fields);
	return 0;
}

/* parse_text.c - a text line back into a record (libshmlog/src/format.c, format_text):
 *
 *   TIME ' ' LEVEL(5) ' ' TAG '[' PID '/' TID ']' [' ' MESSAGE] [TRUNCATION] (' ' KEY=VALUE)*
 *   [' [damaged fields]']
 *
 * Text is for people and is ambiguous where the writer's bytes are free: a message may itself
 * end in "k=v" words, a tag may hold "[1/2]". The reading chosen here always prints back as the
 * same line, which is what matters for a reader: the trailing KEY=VALUE words whose keys look like
 * keys (letters, digits, "_.-@:", escapes, non-ASCII) are fields, the rest is the message, and a
 * tag ends at its first "[PID/TID]". A field's type is guessed from its value: an integer, a float
 * (as put_double writes them, with '.' or an exponent, and only when it prints back the same),
 * true/false, NaN/Infinity; anything else, or any quoted value, is a string. JSON keeps types
 * exactly; text cannot.
 *
 * Each reading is checked by printing it again (shmlog_format, the owner of the format): when it
 * does not give the line back (a key of other bytes, a field that was a message's words), the
 * next, plainer reading is tried: any key, then every value a string, then no fields at all.
 * A line no reading gives back (written by hand) keeps the first reading.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "internal.h"

#define DAMAGED_MARK " [damaged fields]"

enum unesc { UNESC_PLAIN, UNESC_QUOTED };

/* The readings tried, most telling first; each with all the fields it finds, then fewer. */
enum reading { READ_KEYS_TYPED, READ_ANY_KEY_TYPED, READ_ANY_KEY_STRINGS, READINGS };
#define FEWER_TRIES 8 /* how many times one field fewer is tried: a bound on a hostile line */

/* Undoes escape.c's text escapes (\n \t \r \\ \xNN, and \" in a quoted value) from S (N bytes)
 * into OUT (room for CAP). Returns the length, or -1 for an escape we never write, or too long. */
static long unescape(const char *s, size_t n, enum unesc mode, char *out, size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t i = 0, o = 0;

	while (i < n) {
		char c = s[i++];
		if (c == '\\') {
			if (i >= n)
				return -1;
			c = s[i++];
			if (c == 'n' || c == 't' || c == 'r')
				c = c == 'n' ? '\n' : c == 't' ? '\t' : '\r';
			else if (c == 'x') {
				const char *h1, *h2;
				if (n - i < 2 || !(h1 = memchr(hex, s[i], 16)) || !(h2 = memchr(hex, s[i + 1], 16)))
					return -1;
				c = (char)((h1 - hex) << 4 | (h2 - hex));
				i += 2;
			} else if (c != '\\' && !(c == '"' && mode == UNESC_QUOTED))
				return -1;
		} else if (c == '"' && mode == UNESC_QUOTED) {
			return -1; /* a quoted value's own quotes are escaped */
		}
		if (o >= cap)
			return -1;
		out[o++] = c;
	}
	return (long)o;
}

static int key_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-' || c == '@' || c == ':' || c == '\\' || c >= 0x80;
}

/* A field's value as its type: see the opening comment. */
static void type_value(struct shmlog_field *f, const char *v, size_t n, int quoted)
{
	int64_t i;
	double d;

	if (quoted)
		return;
	if (build_parse_int(v, n, INT64_MIN, INT64_MAX, &i) == 0) {
		f->type = SHMLOG_FIELD_INT;
		f->v.i = i;
	} else if ((n == 4 && !memcmp(v, "true", 4)) || (n == 5 && !memcmp(v, "false", 5))) {
		f->type = SHMLOG_FIELD_BOOL;
		f->v.b = n == 4;
	} else if (build_parse_float(v, n, 1, &d) == 0 && build_float_prints_as(d, v, n)) {
		f->type = SHMLOG_FIELD_FLOAT;
		f->v.f = d;
	}
}

/* The word W (N bytes) as a field KEY=VALUE: fills *F, its key and value decoded into R's
 * scratch at *USED. Returns 0, or -1 when the word is not a field. */
static int parse_field(const char *w, size_t n, struct logfile_record *r, size_t *used,
		       struct shmlog_field *f, enum reading how)
{
	const char *eq = memchr(w, '=', n);
	long klen, vlen;
	int quoted;

	if (!eq || eq == w)
		return -1;
	for (const char *k = w; k < eq; k++)
		if (*k == '"' || (how == READ_KEYS_TYPED && !key_byte((unsigned char)*k)))
			return -1;
	const char *v = eq + 1;
	size_t vn = (size_t)(w + n - v);
	quoted = vn >= 2 && v[0] == '"' && v[vn - 1] == '"';
	if (quoted) {
		v++;
		vn -= 2;
	} else if (vn == 0 || memchr(v, '"', vn) || memchr(v, '=', vn)) {
		return -1;
	}
	char *dst = r->scratch + *used;
	size_t room = r->scratch_cap - *used;
	if ((klen = unescape(w, (size_t)(eq - w), UNESC_PLAIN, dst,
			     room < SHMLOG_MAX_KEY ? room : SHMLOG_MAX_KEY)) <= 0 ||
	    (vlen = unescape(v, vn, quoted ? UNESC_QUOTED : UNESC_PLAIN, dst + klen,
			     room - (size_t)klen)) < 0)
		return -1;
	memset(f, 0, sizeof(*f));
	f->key = dst;
	f->key_len = (size_t)klen;
	f->type = SHMLOG_FIELD_STRING;
	f->v.s.ptr = dst + klen;
	f->v.s.len = (size_t)vlen;
	type_value(f, dst + klen, (size_t)vlen, quoted || how == READ_ANY_KEY_STRINGS);
	*used += (size_t)(klen + vlen);
	return 0;
}

/* Whether S (N bytes) is the inside of a quoted value as escape.c writes it: every '"' escaped. */
static int valid_quoted(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			return 0;
		if (s[i] == '\\' && ++i >= n)
			return 0;
	}
	return 1;
}

/* Where the last word of S[0, end) begins: after its space (so the result is >= 1), or 0 when
 * there is none. A quoted value may hold spaces: its opening quote is the last '"' right after
 * an '=' whose content is one escaped value (a quote inside a value is always \", so never right
 * after an '=' nor unescaped). */
static size_t last_word(const char *s, size_t end)
{
	size_t i, j;

	if (end >= 2 && s[end - 1] == '"') {
		for (i = end - 1; i-- > 1;) {
			if (s[i] != '"' || s[i - 1] != '=' || !valid_quoted(s + i + 1, end - 1 - (i + 1)))
				continue;
			for (j = i - 1; j > 0 && s[j - 1] != ' '; j--)
				;
			return j;
		}
		return 0;
	}
	for (i = end; i > 0 && s[i - 1] != ' '; i--)
		;
	return i;
}

/* The KEY=VALUE words at the end of REST (the line after "]"), found last first and added in
 * their order; *end is left where the message part ends. */
static int parse_fields(const char *rest, size_t *end, struct logfile_record *r,
			enum reading how, size_t most)
{
	struct shmlog_field fields[2 * SHMLOG_MAX_FIELDS];
	size_t n = 0, used = 0;

	while (*end > 0 && n < most && n < sizeof(fields) / sizeof(fields[0])) {
		size_t t = last_word(rest, *end);
		if (t == 0 || parse_field(rest + t, *end - t, r, &used, &fields[n], how) < 0)
			break;
		n++;
		*end = t - 1;
	}
	while (n > 0) {
		int rc = build_add_field(r, &fields[--n]);
		if (rc < 0)
			return rc == -ENOMEM ? rc : -EBADMSG;
	}
	return 0;
}

/* " [truncated FULL->KEPT bytes]" at the end of S[0, *n): returns 1 with *n cut before it. */
static int truncation_mark(const char *s, size_t *n, unsigned long long *full,
			   unsigned long long *kept)
{
	static const char head[] = " [truncated ";
	char tail[64];
	int used = 0;

	for (size_t i = *n; i-- > 0 && *n - i < sizeof(tail);) {
		if (s[i] != ' ' || *n - i < sizeof(head) - 1 || memcmp(s + i, head, sizeof(head) - 1))
			continue;
		memcpy(tail, s + i, *n - i);
		tail[*n - i] = '\0';
		if (sscanf(tail, " [truncated %llu->%llu bytes]%n", full, kept, &used) != 2 ||
		    (size_t)used != *n - i)
			return 0;
		*n = i;
		return 1;
	}
	return 0;
}

/* TAG[PID/TID] at S: the first "[digits/digits]" followed by a space or the end. */
static int parse_ids(const char *s, size_t n, struct shmlog_record *rec, size_t *tag_len,
		     size_t *after)
{
	for (size_t i = 0; i < n; i++) {
		const char *slash, *close;
		int64_t pid, tid;

		if (s[i] != '[' || !(slash = memchr(s + i, '/', n - i)) ||
		    !(close = memchr(slash, ']', (size_t)(s + n - slash))))
			continue;
		if ((size_t)(close + 1 - s) < n && close[1] != ' ')
			continue;
		if (build_parse_int(s + i + 1, (size_t)(slash - s) - i - 1, 0, UINT32_MAX, &pid) ||
		    build_parse_int(slash + 1, (size_t)(close - slash) - 1, 0, UINT32_MAX, &tid))
			continue;
		rec->pid = (uint32_t)pid;
		rec->tid = (uint32_t)tid;
		*tag_len = i;
		*after = (size_t)(close + 1 - s);
		return 0;
	}
	return -1;
}

/* The message part M (M_LEN bytes: empty, or ' ' and the escaped message, maybe with a
 * truncation mark, which counts only when it gives the message's length right). */
static int parse_message(const char *m, size_t m_len, struct logfile_record *r)
{
	struct shmlog_record *rec = &r->rec;
	unsigned long long full = 0, kept = 0;
	size_t body = m_len;
	int marked = truncation_mark(m, &body, &full, &kept);

	for (int with_mark = marked; with_mark >= 0; with_mark--) {
		size_t n_part = with_mark ? body : m_len;
		long n = 0;

		if (n_part > 0 && (m[0] != ' ' ||
				   (n = unescape(m + 1, n_part - 1, UNESC_PLAIN, r->msg, r->msg_cap)) < 0))
			continue;
		if (with_mark && (unsigned long long)n != kept)
			continue;
		rec->flags = with_mark ? SHMLOG_REC_TRUNCATED : 0;
		rec->msg_len = (size_t)n;
		rec->msg_full_len = with_mark ? (size_t)full : (size_t)n;
		r->msg[n] = '\0'; /* not needed, but some regexec()s read up to one */
		return 0;
	}
	return -EBADMSG;
}

/* Reads LINE the way HOW says, with at most MOST fields. */
static int read_as(const char *line, size_t len, struct logfile_record *r, enum reading how,
		   size_t most)
{
	static const size_t mark_len = sizeof(DAMAGED_MARK) - 1;
	struct shmlog_record *rec = &r->rec;
	const char *sp = memchr(line, ' ', len);
	size_t tag_len, after, end;
	long tl;
	int damaged = 0, rc;

	if (!sp || build_parse_time(line, (size_t)(sp - line), &rec->time_ns) < 0)
		return -EBADMSG;
	const char *p = sp + 1, *stop = line + len;
	if (stop - p < 7 || p[5] != ' ' || (rec->level = build_parse_level(p, 5)) < 0)
		return -EBADMSG;
	p += 6;
	if (parse_ids(p, (size_t)(stop - p), rec, &tag_len, &after) < 0 ||
	    (tl = unescape(p, tag_len, UNESC_PLAIN, r->tag, SHMLOG_MAX_TAG)) < 0)
		return -EBADMSG;
	rec->tag_len = (size_t)tl;
	const char *rest = p + after;
	end = (size_t)(stop - rest);
	if (end >= mark_len && !memcmp(rest + end - mark_len, DAMAGED_MARK, mark_len)) {
		damaged = 1;
		end -= mark_len;
	}
	rec->fields_len = rec->nfields = 0;
	if ((rc = parse_fields(rest, &end, r, how, most)) < 0 || (rc = parse_message(rest, end, r)) < 0)
		return rc;
	return damaged ? build_mark_damaged(r) : 0;
}

/* Whether R's record prints as LINE (LEN bytes). */
static int prints_back(struct logfile_record *r, const char *line, size_t len)
{
	ssize_t n;

	if (build_reserve(&r->check, &r->check_cap, len + 2) < 0)
		return 0;
	n = shmlog_format(&r->rec, SHMLOG_FORMAT_TEXT, SHMLOG_FMT_NO_NEWLINE, r->check, r->check_cap);
	return n >= 0 && (size_t)n == len && !memcmp(r->check, line, len);
}

int parse_text(const char *line, size_t len, struct logfile_record *r)
{
	int first = -EBADMSG;

	for (enum reading how = READ_KEYS_TYPED; how < READINGS; how++) {
		size_t most = SIZE_MAX;
		for (int tries = 0; tries <= FEWER_TRIES; tries++) {
			int rc = read_as(line, len, r, how, most);
			if (how == READ_KEYS_TYPED && tries == 0)
				first = rc;
			if (rc == -ENOMEM)
				return rc;
			if (rc == 0 && prints_back(r, line, len))
				return 0;
			if (rc < 0 || r->rec.nfields == 0)
				break;
			most = r->rec.nfields - 1;
		}
	}
	return first < 0 ? first : read_as(line, len, r, READ_KEYS_TYPED, SIZE_MAX);
}

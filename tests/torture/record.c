/* record.c - building and checking the torture's self-checking messages (layout in record.h).
 * The checksum is computed over the decoded fields and the payload, not over the header text,
 * so a damaged digit and a damaged payload byte are caught the same way. */
#include "record.h"

#include <stdio.h>
#include <string.h>

static const char alphabet[64] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

uint64_t rec_rng(uint64_t *s)
{
	uint64_t x = *s ? *s : 0x9e3779b97f4a7c15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545f4914f6cdd1dull;
}

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

static uint64_t checksum(const struct rec_id *id, const char *payload, size_t plen)
{
	uint64_t fields[4] = {(uint64_t)id->w, (uint64_t)id->t, (uint64_t)id->n, id->len};
	return fnv(fnv(0xcbf29ce484222325ull, fields, sizeof(fields)), payload, plen);
}

void rec_build(const struct rec_id *id, char *buf)
{
	uint64_t s = ((uint64_t)id->w << 48) ^ ((uint64_t)id->t << 40) ^ (uint64_t)id->n ^
		     0x5bd1e995u;
	char *payload = buf + REC_HEADER_LEN;
	size_t plen = id->len - REC_HEADER_LEN;

	for (size_t i = 0; i < plen; i += 8) {
		uint64_t r = rec_rng(&s);
		for (size_t j = 0; j < 8 && i + j < plen; j++, r >>= 6)
			payload[i + j] = alphabet[r & 63];
	}
	char head[REC_HEADER_LEN + 1];
	snprintf(head, sizeof(head), "TT w=%03d t=%d n=%010lld l=%05zu c=%016llx ", id->w, id->t,
		 id->n, id->len, (unsigned long long)checksum(id, payload, plen));
	memcpy(buf, head, REC_HEADER_LEN);
	buf[id->len] = '\0';
}

/* Reads exactly DIGITS decimal digits at P. */
static int digits(const char *p, int ndigits, long long *out)
{
	long long v = 0;
	for (int i = 0; i < ndigits; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (p[i] - '0');
	}
	*out = v;
	return 0;
}

int rec_check(const char *msg, size_t len, struct rec_id *id, const char **why)
{
	long long w, t, n, l;
	unsigned long long c;
	char hex[17];

	if (len < 3 || memcmp(msg, "TT ", 3) != 0)
		return 1;
	*why = "header damaged";
	if (len < REC_HEADER_LEN || memcmp(msg + 3, "w=", 2) || msg[8] != ' ' ||
	    memcmp(msg + 9, "t=", 2) || msg[12] != ' ' || memcmp(msg + 13, "n=", 2) ||
	    msg[25] != ' ' || memcmp(msg + 26, "l=", 2) || msg[33] != ' ' ||
	    memcmp(msg + 34, "c=", 2) || msg[52] != ' ')
		return -1;
	if (digits(msg + 5, 3, &w) || digits(msg + 11, 1, &t) || digits(msg + 15, 10, &n) ||
	    digits(msg + 28, 5, &l))
		return -1;
	memcpy(hex, msg + 36, 16);
	hex[16] = '\0';
	if (sscanf(hex, "%16llx", &c) != 1)
		return -1;
	id->w = (int)w;
	id->t = (int)t;
	id->n = n;
	id->len = (size_t)l;
	if ((size_t)l != len) {
		*why = "length differs from the one in its header (torn or cut)";
		return -1;
	}
	if (checksum(id, msg + REC_HEADER_LEN, len - REC_HEADER_LEN) != c) {
		*why = "checksum mismatch";
		return -1;
	}
	return 0;
}

size_t rec_pick_len(uint64_t *rng)
{
	uint64_t r = rec_rng(rng);
	unsigned p = (unsigned)(r % 1000);
	uint64_t v = r >> 10;

	if (p < 2) /* near the limit: the last 64 bytes below SHMLOG_MAX_MESSAGE, and the limit */
		return REC_MAX_LEN - v % 65;
	if (p < 20) /* long */
		return 1000 + v % 15000;
	if (p < 200) /* medium */
		return 100 + v % 900;
	return REC_HEADER_LEN + v % 80;
}

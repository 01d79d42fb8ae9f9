/* size.c - "64K", "4M", "1G" and plain bytes as a number of bytes (see size.h). */
#include "size.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>

#include "shmlog.h"

static int lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* The shift of the suffix at S ("", "K", "MiB", ...), or -1 when S is no suffix. */
static int suffix_shift(const char *s)
{
	int shift;

	switch (lower(s[0])) {
	case '\0':
		return 0;
	case 'k':
		shift = 10;
		break;
	case 'm':
		shift = 20;
		break;
	case 'g':
		shift = 30;
		break;

	default:
		return -1;
	}
	if (s[1] == '\0')
		return shift;
	if (lower(s[1]) == 'i' && lower(s[2]) == 'b' && s[3] == '\0')
		return shift;
	return -1;
}

int cli_parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	int shift;

	if (!s || !out || *s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		unsigned digit = (unsigned)(*s - '0');
		if (v > (UINT64_MAX - digit) / 10)
			return -EINVAL;
		v = v * 10 + digit;
	}
	shift = suffix_shift(s);
	if (shift < 0 || v > UINT64_MAX >> shift)
		return -EINVAL;
	*out = v << shift;
	return 0;
}

const char *cli_size_name(uint64_t v, char *buf, size_t cap)
{
	static const char units[] = "KMGT";
	int i = 0;

	if (v == 0 || v % 1024) {
		snprintf(buf, cap, "%llu", (unsigned long long)v);
		return buf;
	}
	for (v >>= 10; i < 3 && v % 1024 == 0; i++)
		v >>= 10;
	snprintf(buf, cap, "%llu%c", (unsigned long long)v, units[i]);
	return buf;
}

int cli_ring_size_check(uint64_t v, char *why, size_t cap)
{
	char a[32], b[32];

	if (v > SHMLOG_MAX_SIZE)
		snprintf(why, cap, "the largest ring is %s",
			 cli_size_name(SHMLOG_MAX_SIZE, a, sizeof(a)));
	else if (v < SHMLOG_MIN_SIZE)
		snprintf(why, cap, "the smallest ring is %s",
			 cli_size_name(SHMLOG_MIN_SIZE, a, sizeof(a)));
	else if (v & (v - 1)) {
		uint64_t below = 1;
		while (below <= v / 2)
			below <<= 1;
		snprintf(why, cap, "not a power of two: use %s or %s",
			 cli_size_name(below, a, sizeof(a)), cli_size_name(below * 2, b, sizeof(b)));
	} else
		return 0;
	return -ERANGE;
}

const char *cli_ring_size_hint(char *why, size_t cap)
{
	char a[32], b[32], c[32];

	snprintf(why, cap, "use a power of two from %s to %s, such as %s",
		 cli_size_name(SHMLOG_MIN_SIZE, a, sizeof(a)),
		 cli_size_name(SHMLOG_MAX_SIZE, b, sizeof(b)),
		 cli_size_name(SHMLOG_DEFAULT_SIZE, c, sizeof(c)));
	return why;
}

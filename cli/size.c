/* size.c - "64K", "4M", "1G" and plain bytes as a number of bytes (see size.h). */
#include "size.h"

#include <errno.h>
#include <stddef.h>

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

/* fuzz_parsers - cli_parse_size() and shmlog_level_parse() on any string: they return a value
 * or -EINVAL, never crash or read past the NUL, agree with reference parsers written here from
 * their documentation, leave *out alone on failure, and what they accept round-trips.
 *
 * Input: the bytes up to the first NUL are the string (a heap copy of exactly that length plus
 * its NUL). The first four bytes also serve as an arbitrary level number for the level mappings.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "size.h"
#include "fuzz_util.h"
#include "shmlog.h"

#define UNTOUCHED 0x5a5a5a5a5a5a5a5aull

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c;
}

static bool same_ignoring_case(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (lower(*a) != lower(*b))
			return false;
	return *a == *b;
}

/* shmlog.h: decimal digits, then optionally K, M or G (any case) optionally followed by "iB"
 * (any case); binary multiples; the value must fit in 64 bits. */
static bool ref_parse_size(const char *s, uint64_t *out)
{
	unsigned __int128 v = 0, limit = (unsigned __int128)UINT64_MAX + 1;
	const char *p = s;
	unsigned shift = 0;

	if (*p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		v = v * 10 + (unsigned)(*p - '0');
		if (v > limit)
			v = limit; /* too big already: stays too big */
	}
	if (*p) {
		switch (lower(*p)) {
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
			return false;
		}
		p++;
		if (*p && !(lower(p[0]) == 'i' && lower(p[1]) == 'b' && p[2] == '\0'))
			return false;
	}
	v <<= shift;
	if (v > UINT64_MAX)
		return false;
	*out = (uint64_t)v;
	return true;
}

static void check_size_parses(const char *s, uint64_t want)
{
	uint64_t got = UNTOUCHED;

	FZ_CHECK(cli_parse_size(s, &got) == 0 && got == want,
		 "\"%s\" should parse to %" PRIu64 ", got %" PRIu64, s, want, got);
}

static void check_size(const char *s)
{
	static const char suffix[] = "KMG";
	uint64_t got = UNTOUCHED, want = 0;
	bool ok = ref_parse_size(s, &want);
	int r = cli_parse_size(s, &got);
	char buf[40];

	FZ_CHECK(r == 0 || r == -EINVAL, "cli_parse_size returned %d", r);
	if (!ok) {
		FZ_CHECK(r == -EINVAL, "\"%s\" accepted as %" PRIu64, s, got);
		FZ_CHECK(got == UNTOUCHED, "*out changed on failure");
		FZ_CHECK(shmlog_errmsg() && shmlog_errmsg()[0], "no error message");
		return;
	}
	FZ_CHECK(r == 0 && got == want, "\"%s\": got %d/%" PRIu64 ", expected %" PRIu64, s, r, got,
		 want);
	/* Round trips: the plain number, and every suffix that divides it. */
	snprintf(buf, sizeof(buf), "%" PRIu64, got);
	check_size_parses(buf, got);
	for (int i = 0; i < 3; i++) {
		unsigned shift = 10 * (unsigned)(i + 1);
		if (got & ((1ull << shift) - 1))
			break;
		snprintf(buf, sizeof(buf), "%" PRIu64 "%c", got >> shift, suffix[i]);
		check_size_parses(buf, got);
		snprintf(buf, sizeof(buf), "%" PRIu64 "%ciB", got >> shift, lower(suffix[i]));
		check_size_parses(buf, got);
	}
}

/* shmlog.h: the five names, "warn", "err", "crit" (any case), or one digit 1-5. */
static int ref_level_parse(const char *s)
{
	static const struct {
		const char *name;
		int level;
	} names[] = {
		{"debug", SHMLOG_DEBUG}, {"info", SHMLOG_INFO},	  {"warning", SHMLOG_WARNING},
		{"error", SHMLOG_ERROR}, {"critical", SHMLOG_CRITICAL}, {"warn", SHMLOG_WARNING},
		{"err", SHMLOG_ERROR},	 {"crit", SHMLOG_CRITICAL},
	};

	if (s[0] >= '1' && s[0] <= '5' && s[1] == '\0')
		return s[0] - '0';
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (same_ignoring_case(s, names[i].name))
			return names[i].level;
	return -EINVAL;
}

static void check_level(const char *s)
{
	int want = ref_level_parse(s), got = shmlog_level_parse(s);

	FZ_CHECK(got == want, "level \"%s\": got %d, expected %d", s, got, want);
	if (got < 0)
		return;
	FZ_CHECK(shmlog_level_parse(shmlog_level_name(got)) == got, "level %d: name does not parse",
		 got);
}

/* Any int: a name (never NULL), and syslog/OpenTelemetry numbers exactly for the five levels. */
static void check_level_number(int level)
{
	static const int syslog_of[] = {0, LOG_DEBUG, LOG_INFO, LOG_WARNING, LOG_ERR, LOG_CRIT};
	static const int otel_of[] = {0, 5, 9, 13, 17, 21};
	bool valid = level >= SHMLOG_DEBUG && level <= SHMLOG_CRITICAL;
	const char *name = shmlog_level_name(level);

	FZ_CHECK(name != NULL, "shmlog_level_name(%d) is NULL", level);
	FZ_CHECK(valid || strcmp(name, "unknown") == 0, "level %d named %s", level, name);
	FZ_CHECK(shmlog_level_syslog(level) == (valid ? syslog_of[level] : -EINVAL),
		 "shmlog_level_syslog(%d)", level);
	FZ_CHECK(shmlog_level_otel(level) == (valid ? otel_of[level] : -EINVAL),
		 "shmlog_level_otel(%d)", level);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, '\0', size);
	size_t n = nul ? (size_t)(nul - data) : size;
	char *s = malloc(n + 1);
	int32_t level = 0;

	FZ_CHECK(s != NULL, "out of memory");
	memcpy(s, data, n);
	s[n] = '\0';
	check_size(s);
	check_level(s);
	memcpy(&level, data, size < sizeof(level) ? size : sizeof(level));
	check_level_number(level);
	free(s);
	return 0;
}

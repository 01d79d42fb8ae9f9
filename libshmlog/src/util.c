/* util.c - small public helpers: level names and mappings, size parsing, the version string.
 *
 * Text comparisons here are ASCII-only on purpose: strcasecmp() and friends follow the locale,
 * and a program that runs in a Turkish locale must still accept "INFO".
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <syslog.h>

#include "internal.h"
#include "shmlog.h"

#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

struct level_desc {
	const char *name;
	int syslog;
	int otel;
};

/* Indexed by level; OpenTelemetry numbers are the first of each severity range (DEBUG = 5..8). */
static const struct level_desc levels[] = {
	[SHMLOG_DEBUG] = {"debug", LOG_DEBUG, 5},
	[SHMLOG_INFO] = {"info", LOG_INFO, 9},
	[SHMLOG_WARNING] = {"warning", LOG_WARNING, 13},
	[SHMLOG_ERROR] = {"error", LOG_ERR, 17},
	[SHMLOG_CRITICAL] = {"critical", LOG_CRIT, 21},
};

/* The short spellings people type on command lines and in config files. */
static const struct {
	const char *name;
	int level;
} level_aliases[] = {
	{"warn", SHMLOG_WARNING},
	{"err", SHMLOG_ERROR},
	{"crit", SHMLOG_CRITICAL},
};

static int level_valid(int level)
{
	return level >= SHMLOG_DEBUG && level <= SHMLOG_CRITICAL;
}

static int bad_level(int level)
{
	return set_err(EINVAL, "level %d is not a shmlog level: use SHMLOG_DEBUG .. SHMLOG_CRITICAL",
		       level);
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int ascii_case_equal(const char *a, const char *b)
{
	while (*a && ascii_lower(*a) == ascii_lower(*b)) {
		a++;
		b++;
	}
	return ascii_lower(*a) == ascii_lower(*b);
}

/* Never fails: an unknown level is named "unknown", so callers can print it unchecked. */
const char *shmlog_level_name(int level)
{
	return level_valid(level) ? levels[level].name : "unknown";
}

/* Returns the level, or -EINVAL (with shmlog_errmsg() listing the accepted names) for NULL or
 * anything not a level name, alias or digit 1-5. */
int shmlog_level_parse(const char *s)
{
	size_t i;
	int level;

	if (s && s[0] >= '1' && s[0] <= '5' && s[1] == '\0')
		return s[0] - '0';
	for (level = SHMLOG_DEBUG; s && level <= SHMLOG_CRITICAL; level++)
		if (ascii_case_equal(s, levels[level].name))
			return level;
	for (i = 0; s && i < sizeof(level_aliases) / sizeof(level_aliases[0]); i++)
		if (ascii_case_equal(s, level_aliases[i].name))
			return level_aliases[i].level;
	char shown[40];
	return set_err(EINVAL,
		       "\"%s\" is not a log level: use debug, info, warning, error or critical "
		       "(or warn, err, crit, 1-5)",
		       err_printable(s, shown, sizeof(shown)));
}

/* Returns LOG_DEBUG .. LOG_CRIT, or -EINVAL for an unknown level. */
int shmlog_level_syslog(int level)
{
	return level_valid(level) ? levels[level].syslog : bad_level(level);
}

/* Returns 5, 9, 13, 17 or 21, or -EINVAL for an unknown level. */
int shmlog_level_otel(int level)
{
	return level_valid(level) ? levels[level].otel : bad_level(level);
}

/* Never fails. */
const char *shmlog_version(void)
{
	static const char version[] = STRINGIFY(SHMLOG_VERSION_MAJOR) "." STRINGIFY(
		SHMLOG_VERSION_MINOR) "." STRINGIFY(SHMLOG_VERSION_PATCH);

	return version;
}

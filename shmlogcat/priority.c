/* priority.c - parses -p/--priority as journalctl(1) does, onto shmlog's five levels.
 *
 * journalctl's priorities are the eight syslog severities, 0 (emerg) to 7 (debug), smaller is
 * worse; "-p LEVEL" means LEVEL or worse, "-p FROM..TO" the severities from FROM to TO (either
 * way round). shmlog has five levels, each with a syslog severity owned by the library
 * (shmlog_level_syslog: debug 7, info 6, warning 4, error 3, critical 2). Two rules bridge the
 * gap:
 *
 *   - critical is shmlog's worst level, so it stands for emerg, alert and crit (severities 0-2):
 *     "-p emerg" shows critical records rather than nothing;
 *   - shmlog has no notice (5): "-p notice" shows warning and worse, and "-p notice..debug"
 *     info and debug, as they would in syslog.
 *
 * A level is shown when its severities meet the range asked for. The levels' severities are
 * disjoint and ordered, so the shown levels are always one run from min_level to max_level.
 */
#include <limits.h>
#include <string.h>
#include <syslog.h>

#include "filter.h"

/* journalctl's names, as syslog(3) spells them, indexed by severity. */
static const char *const syslog_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert",   [LOG_CRIT] = "crit", [LOG_ERR] = "err",
	[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info", [LOG_DEBUG] = "debug",
};

#define SEVERITY_MAX LOG_DEBUG
#define PRIORITY_NAME_MAX 16

/* The severity that the N bytes at S name: a digit 0-7, a syslog name, or a shmlog level name
 * (shmlog_level_parse, whose digits 1-5 mean shmlog levels and so are not taken here). Returns
 * it, or -1. */
static int severity(const char *s, size_t n)
{
	char name[PRIORITY_NAME_MAX];
	int level;

	if (n == 0 || n >= sizeof(name))
		return -1;
	/* ASCII lower case whatever the locale, as shmlog_level_parse does: "EMERG" too. */
	for (size_t i = 0; i < n; i++)
		name[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
	name[n] = '\0';
	if (n == 1 && name[0] >= '0' && name[0] <= '0' + SEVERITY_MAX)
		return name[0] - '0';
	if (name[0] >= '0' && name[0] <= '9')
		return -1;
	for (int sev = 0; sev <= SEVERITY_MAX; sev++)
		if (!strcmp(name, syslog_names[sev]))
			return sev;
	level = shmlog_level_parse(name);
	return level < 0 ? -1 : shmlog_level_syslog(level);
}

/* The severities LEVEL stands for, worst first: critical also covers emerg and alert. */
static void level_band(int level, int *worst, int *mildest)
{
	*mildest = shmlog_level_syslog(level);
	*worst = level == SHMLOG_CRITICAL ? LOG_EMERG : *mildest;
}

int filter_parse_priority(const char *s, int *min_level, int *max_level)
{
	const char *dots = strstr(s, "..");
	int from = dots ? severity(s, (size_t)(dots - s)) : LOG_EMERG;
	int to = severity(dots ? dots + 2 : s, strlen(dots ? dots + 2 : s));
	int worst = from < to ? from : to, mildest = from < to ? to : from;
	int lo = 0, hi = 0;

	if (from < 0 || to < 0)
		return PRIORITY_INVALID;
	for (int level = SHMLOG_DEBUG; level <= SHMLOG_CRITICAL; level++) {
		int w, m;

		level_band(level, &w, &m);
		if (w <= mildest && m >= worst) {
			lo = lo ? lo : level;
			hi = level;
		}
	}
	if (!lo)
		return PRIORITY_NO_LEVEL;
	*min_level = lo;
	/* Nothing is worse than critical: a range that reaches it is open above. */
	*max_level = hi == SHMLOG_CRITICAL ? INT_MAX : hi;
	return 0;
}

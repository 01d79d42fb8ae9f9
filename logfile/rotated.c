/* rotated.c - the files shmlogd rotated away while a follower was not looking: PATH.STAMP, then
 * .gz or .zst once compressed (shmlogd/rotate.c names them; docs/COLLECTOR.md, section 6).
 *
 * The stamps are made and recognised here, for shmlogd too (logfile.h, LOGFILE_STAMP_LEN).
 *
 * When shmlogd rotates twice between two looks of the follower (a burst of records and a small
 * --rotate-size), the file that was current in between never sat under the name while the
 * follower looked. The follower finds such files by their stamps, which are the rotation's wall
 * time in microseconds, UTC, fixed-width so that they sort as text:
 *
 *   - the file it was reading is the plain rotated file with its inode; once compressed (a new
 *     inode), the first one rotated at or after the time it opened it;
 *   - the files rotated after that one and before the time it opened the name again are the
 *     ones it missed, read in stamp order; a file with the new current one's inode is not.
 *
 * shmlogd takes the stamp a moment before the swap; a follower that opens the name within that
 * moment, and finds the file compressed by its next look, could take a rotation for the wrong
 * side of its clock reading. That needs a rotation and a compression within microseconds of
 * each other, and two rotations in the same look.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"

#define STAMP_LEN LOGFILE_STAMP_LEN

void logfile_stamp(char out[LOGFILE_STAMP_LEN + 1], int64_t us)
{
	time_t s = (time_t)(us / 1000000);
	struct tm tm;

	gmtime_r(&s, &tm);
	size_t n = strftime(out, STAMP_LEN + 1, "%Y%m%dT%H%M%S", &tm);
	snprintf(out + n, STAMP_LEN + 1 - n, ".%06dZ", (int)(us % 1000000));
}

int logfile_is_stamp(const char *s)
{
	static const char pat[] = "DDDDDDDDTDDDDDD.DDDDDDZ";

	for (int i = 0; i < STAMP_LEN; i++)
		if (pat[i] == 'D' ? (s[i] < '0' || s[i] > '9') : s[i] != pat[i])
			return 0;
	return 1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The stamps of DIR's rotated files of BASE (one each, whatever its forms), sorted. */
static int list_stamps(const char *dir, const char *base, char ***out, size_t *n)
{
	size_t blen = strlen(base), cap = 0;
	struct dirent *e;
	DIR *d = opendir(dir);

	*out = NULL;
	*n = 0;
	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		const char *s = e->d_name, *rest = s + blen + 1 + STAMP_LEN;
		if (strncmp(s, base, blen) || s[blen] != '.' || strlen(s) < blen + 1 + STAMP_LEN ||
		    !logfile_is_stamp(s + blen + 1) || (*rest && strcmp(rest, ".gz") && strcmp(rest, ".zst")))
			continue;
		if (*n == cap) {
			char **grown = realloc(*out, (cap = cap ? 2 * cap : 16) * sizeof(*grown));
			if (!grown)
				break;
			*out = grown;
		}
		if (!((*out)[*n] = strndup(s + blen + 1, STAMP_LEN)))
			break;
		(*n)++;
	}
	closedir(d);
	qsort(*out, *n, sizeof(**out), by_name);
	size_t u = 0; /* one entry per stamp */
	for (size_t i = 0; i < *n; i++) {
		if (u && !strcmp((*out)[u - 1], (*out)[i]))
			free((*out)[i]);
		else
			(*out)[u++] = (*out)[i];
	}
	*n = u;
	return 0;
}

/* Whether the plain rotated file of STAMP is the file DEV/INO. */
static int stamp_is(const char *dir, const char *base, const char *stamp, dev_t dev, ino_t ino)
{
	char p[PATH_MAX];
	struct stat sb;

	snprintf(p, sizeof(p), "%s/%s.%s", dir, base, stamp);
	return stat(p, &sb) == 0 && sb.st_dev == dev && sb.st_ino == ino;
}

int rotated_missed(const struct rotation_look *look, char ***paths, size_t *npaths)
{
	char **stamps, from[STAMP_LEN + 1], until[STAMP_LEN + 1];
	size_t n, i, first = SIZE_MAX;
	int rc;

	*paths = NULL;
	*npaths = 0;
	if ((rc = list_stamps(look->dir, look->base, &stamps, &n)) < 0)
		return rc;
	logfile_stamp(from, look->old_opened_us);
	logfile_stamp(until, look->new_opened_us);
	for (i = 0; i < n && first == SIZE_MAX; i++)
		if (stamp_is(look->dir, look->base, stamps[i], look->old_dev, look->old_ino))
			first = i;
	for (i = 0; i < n && first == SIZE_MAX; i++)
		if (strcmp(stamps[i], from) >= 0)
			first = i;
	for (i = 0; i < n; i++) {
		char p[PATH_MAX];
		if (i <= first || first == SIZE_MAX || strcmp(stamps[i], until) >= 0 ||
		    stamp_is(look->dir, look->base, stamps[i], look->new_dev, look->new_ino))
			continue;
		snprintf(p, sizeof(p), "%s/%s.%s", look->dir, look->base, stamps[i]);
		char **grown = realloc(*paths, (*npaths + 1) * sizeof(*grown));
		if (!grown || !(grown[*npaths] = strdup(p))) {
			*paths = grown ? grown : *paths;
			rc = -ENOMEM;
			break;
		}
		*paths = grown;
		(*npaths)++;
	}
	for (i = 0; i < n; i++)
		free(stamps[i]);
	free(stamps);
	return rc;
}

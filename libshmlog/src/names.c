/* names.c - where a ring's name lives on this machine: the one owner of "/dev/shm" and
 * "shmlog.NAME", for the library (shm_open, shm_unlink) and for the programs (listing the
 * rings, watching a name go, quoting a ring's file).
 *
 * POSIX shared-memory objects are files in /dev/shm on Linux, named by shm_open() without the
 * directory. A ring NAME is the object "shmlog.NAME", so `ls /dev/shm` tells rings from the
 * other objects there. Names are validated (ring_name_valid) before any path is made. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "ring.h"
#include "shmlog.h"

#define SHM_DIR "/dev/shm"
#define RING_PREFIX "shmlog."

void ring_shm_name(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "/" RING_PREFIX "%s", name);
}

int shmlog_ring_path(const char *name, char *buf, size_t cap)
{
	if (!ring_name_valid(name)) {
		char shown[80];
		return set_err(EINVAL, "ring name '%s' is invalid",
			       err_printable(name, shown, sizeof(shown)));
	}
	return snprintf(buf, cap, SHM_DIR "/" RING_PREFIX "%s", name);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Appends NAME's copy to *names (N entries). Returns 0 or -ENOMEM. */
static int add_name(char ***names, int n, const char *name)
{
	char **grown = realloc(*names, ((size_t)n + 1) * sizeof(*grown));

	if (!grown)
		return -ENOMEM;
	*names = grown;
	return (grown[n] = strdup(name)) ? 0 : -ENOMEM;
}

int shmlog_list(char ***names)
{
	DIR *dir = opendir(SHM_DIR);
	struct dirent *d;
	int n = 0, err = 0;

	*names = NULL;
	if (!dir)
		return set_err(errno, "cannot list the rings in " SHM_DIR ": %s", strerror(errno));
	while (!err && (d = readdir(dir)))
		if (!strncmp(d->d_name, RING_PREFIX, strlen(RING_PREFIX)) &&
		    !(err = add_name(names, n, d->d_name + strlen(RING_PREFIX))))
			n++;
	closedir(dir);
	if (err) {
		shmlog_list_free(*names, n);
		*names = NULL;
		return set_err(-err, "cannot list the rings in " SHM_DIR ": %s", strerror(-err));
	}
	if (n)
		qsort(*names, (size_t)n, sizeof(**names), by_name);
	return n;
}

void shmlog_list_free(char **names, int n)
{
	if (!names)
		return;
	while (n > 0)
		free(names[--n]);
	free(names);
}

/* runas.h - acting as another user, for the trust tests: they run as root and play the other
 * user with setpriv(1), as an administrator would check the same thing by hand. */
#ifndef SHMLOG_TEST_RUNAS_H
#define SHMLOG_TEST_RUNAS_H

#include <stddef.h>
#include <sys/types.h>

struct tu_user {
	uid_t uid;
	gid_t gid;
	char name[32];
};

/* Fills *u with the user NAME when this test can act as another user: it runs as root, setpriv
 * is installed and NAME exists. Returns 0, or -1 with *why saying what is missing, for the test
 * to print as its reason to skip. */
int tu_other_user(const char *name, struct tu_user *u, const char **why);

/* Runs ARGV (argv[0] a path; NULL-terminated) as U through setpriv, or as ourselves when U is
 * NULL; with GROUP ((gid_t)-1: none) as U's one supplementary group. Its stdout goes to
 * /dev/null and its stderr into ERR (CAP bytes, NUL-terminated, cut if longer). Returns its exit
 * status, or 128 + the signal that killed it. */
int tu_run_as(const struct tu_user *u, gid_t group, const char *const *argv, char *err,
	      size_t cap);

/* Drops this process to U for good (the supplementary groups too): for a child of fork() that
 * plays a worker whose server drops privileges after forking it. Returns 0 or -errno. */
int tu_become(const struct tu_user *u);

#endif

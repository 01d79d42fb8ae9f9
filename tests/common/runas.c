/* runas.c - acting as another user (see runas.h). */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "runas.h"

#define SETPRIV "/usr/bin/setpriv"

int tu_other_user(const char *name, struct tu_user *u, const char **why)
{
	const struct passwd *pw = getpwnam(name);

	if (geteuid() != 0)
		*why = "not root: only root can act as another user";
	else if (access(SETPRIV, X_OK) < 0)
		*why = SETPRIV " is missing (util-linux)";
	else if (!pw)
		*why = "no such user in the password database";
	else {
		u->uid = pw->pw_uid;
		u->gid = pw->pw_gid;
		snprintf(u->name, sizeof(u->name), "%s", name);
		return 0;
	}
	return -1;
}

/* Reads all of FD into ERR until EOF, keeping what fits. */
static void slurp(int fd, char *err, size_t cap)
{
	size_t len = 0;
	char sink[512];

	for (;;) {
		char *to = len + 1 < cap ? err + len : sink;
		size_t room = len + 1 < cap ? cap - 1 - len : sizeof(sink);
		ssize_t n = read(fd, to, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (to == err + len)
			len += (size_t)n;
	}
	if (cap)
		err[len] = '\0';
}

int tu_run_as(const struct tu_user *u, gid_t group, const char *const *argv, char *err,
	      size_t cap)
{
	char reuid[32], regid[32], groups[32];
	const char *args[128];
	int n = 0, p[2], st;

	if (u) {
		snprintf(reuid, sizeof(reuid), "--reuid=%u", (unsigned)u->uid);
		snprintf(regid, sizeof(regid), "--regid=%u", (unsigned)u->gid);
		if (group != (gid_t)-1)
			snprintf(groups, sizeof(groups), "--groups=%u", (unsigned)group);
		else
			snprintf(groups, sizeof(groups), "--clear-groups");
		args[n++] = SETPRIV;
		args[n++] = reuid;
		args[n++] = regid;
		args[n++] = groups;
		args[n++] = "--";
	}
	while (*argv && n < 127)
		args[n++] = *argv++;
	args[n] = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0);
		dup2(null, 1);
		dup2(p[1], 2);
		execv(args[0], (char *const *)args);
		_exit(127);
	}
	close(p[1]);
	slurp(p[0], err, cap);
	close(p[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int tu_become(const struct tu_user *u)
{
	if (setgroups(0, NULL) < 0 || setgid(u->gid) < 0 || setuid(u->uid) < 0)
		return -errno;
	return 0;
}

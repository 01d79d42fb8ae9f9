/* test_shmlogd_trust.h - what the trust tests (issue 14) share: acting as another user (nobody,
 * through runuser), a sticky world-writable directory like /tmp, a ring holding records before
 * any collector runs, a shmlogd that must be refused (exit EX_NOPERM, one line naming what and
 * why), and the accepted shmlogd after it that must deliver every one of those records once:
 * a refusal loses nothing.
 *
 * Header-only, on top of tests/common/shmlogd_harness.h. Tests that need a second user skip
 * (exit 77) when there is none to be had: not root, no runuser, or no user nobody.
 */
#ifndef TEST_SHMLOGD_TRUST_H
#define TEST_SHMLOGD_TRUST_H

#include <pwd.h>
#include <sysexits.h>

#include "shmlogd_harness.h"

#define T_OTHER "nobody"
#define T_RECORDS 500 /* in the ring before the first shmlogd starts */

static inline void t_need_other_user(void)
{
	if (geteuid() != 0)
		h_skip("acting as another user takes root (runuser); run as root to test this");
	if (system("command -v runuser >/dev/null 2>&1") != 0)
		h_skip("no runuser here to act as another user");
	if (!getpwnam(T_OTHER))
		h_skip("no user " T_OTHER " to act as");
}

/* Runs the shell command CMD as nobody; the test fails if it fails. */
static inline void t_as_other(const char *cmd)
{
	char buf[4096];

	snprintf(buf, sizeof(buf), "runuser -u " T_OTHER " -- sh -c '%s'", cmd);
	fflush(NULL);
	CHECK(system(buf) == 0, "as " T_OTHER ": '%s' failed", cmd);
}

/* DIR made afresh (in the work directory) with MODE, set with chmod: the umask can't narrow it. */
static inline void t_dir(const char *dir, mode_t mode)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	CHECK(system(cmd) == 0, "%s failed", cmd);
	CHECK(mkdir(dir, 0700) == 0 && chmod(dir, mode) == 0, "mkdir %s: %s", dir, strerror(errno));
}

/* PATH created by this (root) process with exactly MODE and CONTENT. */
static inline void t_file(const char *path, mode_t mode, const char *content)
{
	unlink(path);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	size_t n = strlen(content);

	CHECK(fd >= 0 && fchmod(fd, mode) == 0 && write(fd, content, n) == (ssize_t)n,
	      "create %s: %s", path, strerror(errno));
	close(fd);
}

/* Creates RING and logs T_RECORDS records "w0 n<i>" into it, with no collector running. */
static inline const char *t_ring_with_records(const char *tag)
{
	const char *ring = h_ring(tag);
	struct shmlog *log = shmlog_open(ring, NULL);

	CHECK(log, "open ring %s: %s", ring, shmlog_errmsg());
	for (long i = 0; i < T_RECORDS; i++)
		CHECK(shmlog_log(log, SHMLOG_INFO, "t", "w0 n%ld", i) == 0, "log record %ld", i);
	shmlog_close(log);
	return ring;
}

/* Runs shmlogd with ARGS, which must refuse to start: exit EX_NOPERM, and one line on stderr,
 * starting "shmlogd: ", holding every one of the NULL-ended words. */
static inline void t_expect_refused(const char *const *args, ...)
{
	struct daemon d;
	char line[2048];
	va_list ap;

	unlink("refused.stderr");
	h_start(&d, args, "refused.stderr");
	int rc = h_reap(&d, 5000 * test_slow_factor());
	FILE *f = fopen("refused.stderr", "r");
	CHECK(f && fgets(line, sizeof(line), f), "shmlogd (exit %d) said nothing on stderr", rc);
	CHECK(fgetc(f) == EOF, "more than one line on stderr, the first: %s", line);
	fclose(f);
	CHECK(rc == EX_NOPERM, "exit %d, not EX_NOPERM (77): %s", rc, line);
	CHECK(!strncmp(line, "shmlogd: ", 9), "the line does not start 'shmlogd: ': %s", line);
	va_start(ap, args);
	for (const char *w; (w = va_arg(ap, const char *));)
		CHECK(strstr(line, w), "'%s' not in: %s", w, line);
	va_end(ap);
	printf("refused, exit 77: %s", line);
}

/* Runs shmlogd with ARGS (it must start), stops it, and checks that OUT holds every record of
 * t_ring_with_records() once, in order: nothing was lost by the refusals before. Its stderr is
 * left in "accepted.stderr". */
static inline void t_expect_delivered(const char *const *args, const char *out)
{
	struct daemon d;
	struct checker k;

	unlink("accepted.stderr");
	h_start_ready(&d, args, "accepted.stderr");
	int rc = h_stop(&d);
	CHECK(rc == 0, "shmlogd stopped with exit %d (see accepted.stderr)", rc);
	h_checker_init(&k, 0, 1, T_RECORDS, 0);
	h_check_file(&k, out);
	h_check_complete(&k);
	printf("accepted: all %d records in %s once, in order\n", T_RECORDS, out);
}

/* The owner and size of PATH, which must exist. */
static inline void t_owner_size(const char *path, uid_t *uid, off_t *size)
{
	struct stat st;

	CHECK(lstat(path, &st) == 0, "%s is gone: %s", path, strerror(errno));
	*uid = st.st_uid;
	*size = st.st_size;
}

#endif

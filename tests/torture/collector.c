/* collector.c - running shmlogd under torture: start it with a fresh $NOTIFY_SOCKET and wait for
 * READY=1 (as tests/common/shmlogd_harness.c does), SIGKILL and restart it measuring how long
 * it takes to be ready and to catch up, SIGSTOP it to let the ring fill, rotate its output the
 * logrotate way (rename, SIGHUP), and stop it with SIGTERM at the end.
 *
 * Each start picks, from the seed, whether this shmlogd rotates by size (--rotate-size) or we
 * rotate its output by renaming it: docs/COLLECTOR.md §6 says to use one or the other, not both,
 * so a restart is the only moment the mode changes. Renamed files get the name shmlogd itself
 * would give (PATH.YYYYMMDDTHHMMSS.uuuuuuZ), so that sorting names sorts files by age.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "torture.h"

static char rotate_size_arg[32];

/* The notify socket, an abstract one unique to this start. */
static int notify_socket(char *name, size_t cap)
{
	static int counter;
	struct sockaddr_un sa = {.sun_family = AF_UNIX};

	snprintf(name, cap, "@torture-%d-%d", (int)getpid(), counter++);
	memcpy(sa.sun_path, name, strlen(name));
	sa.sun_path[0] = '\0';
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&sa,
		 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(name))) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void child_exec(const char *notify, const char *const *argv)
{
	char err[4200];

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setenv("NOTIFY_SOCKET", notify, 1);
	int null = open("/dev/null", O_WRONLY);
	if (null >= 0)
		dup2(null, 1);
	snprintf(err, sizeof(err), "%s/shmlogd.stderr", R->cfg.workdir);
	int fd = open(err, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd >= 0)
		dup2(fd, 2);
	execv(R->shmlogd, (char *const *)argv);
	_exit(127);
}

int collector_start(void)
{
	char notify[96], size[32];
	const char *argv[32];
	int n = 0;

	R->notify_fd = notify_socket(notify, sizeof(notify));
	if (R->notify_fd < 0) {
		fail("notify socket: %s", strerror(errno));
		return -1;
	}
	snprintf(size, sizeof(size), "%llu", (unsigned long long)R->cfg.ring_size);
	R->size_rotation = (int)rnd_below(2);
	snprintf(rotate_size_arg, sizeof(rotate_size_arg), "%lld",
		 (long long)rnd_between(256 << 10, 4 << 20));
	argv[n++] = "shmlogd";
	argv[n++] = "--ring", argv[n++] = R->ring;
	argv[n++] = "--output", argv[n++] = R->output;
	argv[n++] = "--format", argv[n++] = R->json ? "json" : "text";
	argv[n++] = "--size", argv[n++] = size;
	argv[n++] = "--on-full", argv[n++] = "block";
	argv[n++] = "--keep", argv[n++] = "0"; /* the verifier needs every file */
	argv[n++] = "--compress", argv[n++] = R->cfg.compress;
	if (R->size_rotation)
		argv[n++] = "--rotate-size", argv[n++] = rotate_size_arg;
	argv[n] = NULL;
	fflush(NULL);
	R->collector = fork();
	if (R->collector < 0) {
		fail("fork shmlogd: %s", strerror(errno));
		return -1;
	}
	if (R->collector == 0)
		child_exec(notify, argv);
	R->collector_stopped = 0;
	R->rotate_pending = 0;
	note("shmlogd started: pid %d, %s", (int)R->collector,
	     R->size_rotation ? "rotating by size" : "rotated by rename + SIGHUP");
	return 0;
}

/* Reaps shmlogd if it has exited; returns its status (128 + signal), or -1 while it runs. */
static int collector_reap(int block)
{
	int st;
	if (R->collector <= 0)
		return 0;
	pid_t r = waitpid(R->collector, &st, block ? 0 : WNOHANG);
	if (r != R->collector)
		return -1;
	R->collector = 0;
	close(R->notify_fd);
	R->notify_fd = -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* One look for READY=1: 0 when it came, 1 not yet, -1 never (shmlogd exited). */
static int wait_ready_step(void)
{
	char buf[512];
	struct pollfd p = {.fd = R->notify_fd, .events = POLLIN};

	if (poll(&p, 1, 10) == 1) {
		ssize_t n = recv(R->notify_fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			if (strstr(buf, "READY=1"))
				return 0;
		}
		return 1;
	}
	int st = collector_reap(0);
	if (st >= 0) {
		fail("shmlogd exited with status %d before READY=1 (see shmlogd.stderr)", st);
		return -1;
	}
	pump();
	return 1;
}

int collector_wait_ready(int timeout_ms)
{
	int64_t end = now_ms() + timeout_ms;
	int r = 1;

	R->awaiting_ready = 1; /* pump() must leave READY=1 to us */
	while (r > 0 && now_ms() < end)
		r = wait_ready_step();
	R->awaiting_ready = 0;
	if (r > 0)
		fail("shmlogd did not say READY=1 within %d ms", timeout_ms);
	return r == 0 ? 0 : -1;
}

/* shmlogd sends STATUS= lines on its notify socket as things happen (a full disk, recovery)
 * and its send blocks once the socket's queue is full, as systemd would never let it be: so
 * read them as they come. */
void collector_drain_notify(void)
{
	char buf[512];

	if (R->notify_fd >= 0 && !R->awaiting_ready)
		while (recv(R->notify_fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
}

int collector_check(void)
{
	if (R->collector <= 0)
		return -1;
	int st = collector_reap(0);
	if (st < 0)
		return 0;
	fail("shmlogd exited on its own with status %d (see shmlogd.stderr)", st);
	return -1;
}

static int ring_stats(struct shmlog_stats *st)
{
	struct shmlog_observer *o = shmlog_observer_open(R->ring, SHMLOG_OBSERVE_NEWEST);
	if (!o)
		return -1;
	int r = shmlog_observer_stats(o, st, NULL, 0);
	shmlog_observer_close(o);
	return r;
}

/* Waits until the collector's checkpoint reaches what was committed when we started waiting. */
int collector_wait_caught_up(int64_t timeout_ms, int64_t *took_ms)
{
	struct shmlog_stats st;
	int64_t t0 = now_ms();

	if (ring_stats(&st) < 0)
		return -1;
	uint64_t target = st.head_seq;
	while (now_ms() - t0 < timeout_ms) {
		if (ring_stats(&st) == 0 && st.tail_seq >= target) {
			if (took_ms)
				*took_ms = now_ms() - t0;
			return 0;
		}
		if (collector_check() < 0)
			return -1;
		pump();
		sleep_ms(5);
	}
	return -1;
}

void collector_kill_and_restart(void)
{
	if (R->collector <= 0)
		return;
	kill(R->collector, SIGKILL);
	collector_reap(1);
	R->kills_collector++;
	R->collector_killed_ever = 1;
	/* Now and then a restart comes late: blocked writers wait, drop writers drop. */
	if (rnd_below(4) == 0)
		sleep_ms(rnd_between(50, 1500));
	int64_t t0 = now_ms();
	if (collector_start() < 0 || collector_wait_ready(20000) < 0)
		return;
	int64_t ready = now_ms() - t0, caught = -1;
	if (collector_wait_caught_up(30000, &caught) < 0)
		fail("shmlogd did not catch up within 30 s of a restart");
	if (R->nrecoveries < TORTURE_MAX_RECOVERIES) {
		R->ready_ms[R->nrecoveries] = ready;
		R->caught_up_ms[R->nrecoveries++] = caught < 0 ? -1 : ready + caught;
	}
	note("shmlogd restarted: ready in %lld ms, caught up %lld ms later", (long long)ready,
	     (long long)caught);
}

/* SIGSTOP for MS, so the ring fills: block writers wait, drop writers drop. */
void collector_pause(int64_t ms)
{
	if (R->collector <= 0)
		return;
	kill(R->collector, SIGSTOP);
	R->collector_stopped = 1;
	int64_t end = now_ms() + ms;
	while (now_ms() < end) {
		pump();
		sleep_ms(10);
	}
	kill(R->collector, SIGCONT);
	R->collector_stopped = 0;
	R->ring_fills++;
}

/* What shmlogd is doing, for a failure line: its state and wait channel, and the ring's
 * positions (is it full, has the collector moved). */
static const char *collector_diagnosis(void)
{
	static char out[512];
	char path[64], state[128] = "?", wchan[64] = "?";
	struct shmlog_stats st = {0};
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)R->collector);
	if ((f = fopen(path, "r"))) {
		if (!fgets(state, sizeof(state), f))
			state[0] = '\0';
		fclose(f);
		char *p = strrchr(state, ')');
		if (p && p[1] == ' ')
			memmove(state, p + 2, 2), state[1] = '\0';
	}
	snprintf(path, sizeof(path), "/proc/%d/wchan", (int)R->collector);
	if ((f = fopen(path, "r"))) {
		if (!fgets(wchan, sizeof(wchan), f))
			wchan[0] = '\0';
		fclose(f);
	}
	ring_stats(&st);
	snprintf(out, sizeof(out), "pid %d state %s wchan %s; ring head seq %llu, tail seq %llu, "
		 "%llu of %llu bytes used",
		 (int)R->collector, state, wchan, (unsigned long long)st.head_seq,
		 (unsigned long long)st.tail_seq, (unsigned long long)(st.head - st.tail),
		 (unsigned long long)st.size);
	return out;
}

/* logrotate's way: rename the output to a dated name, SIGHUP, and wait for the new file so
 * that no SIGKILL falls into the renamed batch (a documented duplicate, COLLECTOR.md §2). */
void collector_hup_rotate(void)
{
	char to[4200];
	struct timespec ts;
	struct tm tm;
	struct stat sb;

	if (R->collector <= 0 || R->size_rotation || stat(R->output, &sb) < 0 || sb.st_size == 0)
		return;
	for (int tries = 0; tries < 100; tries++) {
		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		snprintf(to, sizeof(to), "%s.%04d%02d%02dT%02d%02d%02d.%06ldZ", R->output,
			 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
			 tm.tm_sec, ts.tv_nsec / 1000);
		if (renameat2(AT_FDCWD, R->output, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
			break;
		if (errno != EEXIST) {
			fail("rename %s: %s", R->output, strerror(errno));
			return;
		}
		sleep_ms(1);
	}
	kill(R->collector, SIGHUP);
	R->hup_rotations++;
	int64_t end = now_ms() + 10000;
	while (stat(R->output, &sb) < 0) {
		if (now_ms() > end) {
			fail("shmlogd did not reopen %s within 10 s of SIGHUP (%s)", R->output,
			     collector_diagnosis());
			return;
		}
		if (collector_check() < 0)
			return;
		pump();
		sleep_ms(2);
	}
}

int collector_stop(void)
{
	if (R->collector <= 0)
		return -1;
	kill(R->collector, SIGCONT);
	kill(R->collector, SIGTERM);
	int64_t end = now_ms() + 60000;
	int st;
	while ((st = collector_reap(0)) < 0) {
		if (now_ms() > end) {
			fail("shmlogd did not exit within 60 s of SIGTERM");
			collector_kill_quietly();
			return -1;
		}
		sleep_ms(5);
	}
	return st;
}

void collector_kill_quietly(void)
{
	if (R->collector > 0) {
		kill(R->collector, SIGKILL);
		collector_reap(1);
	}
}

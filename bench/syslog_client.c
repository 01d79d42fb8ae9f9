/* syslog_client.c - glibc's syslog(3) wire format sent to a socket of our choosing (see
 * syslog_client.h for why and what exactly). */
#include "syslog_client.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "timer.h"

/* glibc formats into a buffer of its own; 1 KiB holds the benchmark's lines with room to spare. */
#define LINE_MAX_BYTES 1024

static int connect_socket(struct bench_syslog *s)
{
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	if (connect(s->fd, (const struct sockaddr *)&s->addr, sizeof(s->addr)) < 0) {
		int err = -errno;
		close(s->fd);
		s->fd = -1;
		return err;
	}
	return 0;
}

int bench_syslog_open(struct bench_syslog *s, const char *path, const char *ident)
{
	memset(s, 0, sizeof(*s));
	if (strlen(path) >= sizeof(s->addr.sun_path) || strlen(ident) >= sizeof(s->ident))
		return -ENAMETOOLONG;
	s->addr.sun_family = AF_UNIX;
	strcpy(s->addr.sun_path, path);
	strcpy(s->ident, ident);
	s->pid = (int)getpid();
	pthread_mutex_init(&s->lock, NULL);
	return connect_socket(s);
}

void bench_syslog_close(struct bench_syslog *s)
{
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	pthread_mutex_destroy(&s->lock);
}

static ssize_t send_timed(struct bench_syslog *s, const char *buf, size_t len, uint64_t *ticks)
{
	uint64_t t0 = ticks ? tick_begin() : 0;
	ssize_t k = s->fd >= 0 ? send(s->fd, buf, len, MSG_NOSIGNAL) : -1;
	if (ticks)
		*ticks = tick_end() - t0;
	return k;
}

int bench_syslog(struct bench_syslog *s, int pri, uint64_t *send_ticks, const char *fmt, ...)
{
	char buf[LINE_MAX_BYTES];
	struct tm tm;
	va_list ap;
	int err = 0;

	pthread_mutex_lock(&s->lock);
	time_t now = time(NULL);
	localtime_r(&now, &tm);
	size_t len = (size_t)snprintf(buf, sizeof(buf), "<%d>", pri);
	len += strftime(buf + len, sizeof(buf) - len, "%h %e %T ", &tm);
	len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s[%d]: ", s->ident, s->pid);
	va_start(ap, fmt);
	int k = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	va_end(ap);
	len = k < 0 ? len : len + (size_t)k >= sizeof(buf) ? sizeof(buf) - 1 : len + (size_t)k;
	if (send_timed(s, buf, len, send_ticks) < 0) {
		/* glibc: the connection may have gone down; reopen and try once more. */
		if (s->fd >= 0)
			close(s->fd);
		if (connect_socket(s) < 0 || send_timed(s, buf, len, NULL) < 0)
			err = -errno;
	}
	pthread_mutex_unlock(&s->lock);
	return err;
}

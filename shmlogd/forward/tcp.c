/* tcp.c - tcp:// : RFC 5424 messages over plain TCP with RFC 6587 octet-counted framing
 * (transport.h).
 *
 * Each message goes out as its length in decimal, a space, then its bytes: "143 <14>1 ...".
 * Octet counting, not a newline after each message, because a message may hold newlines, and
 * rsyslog's imtcp, syslog-ng's network() source and every RFC 6587 receiver read it. The
 * socket is blocking with FORWARD_IO_TIMEOUT_S as its send timeout; connect() is bounded the
 * same way. SIGPIPE is never raised (MSG_NOSIGNAL): a reset comes back as -EPIPE.
 */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "transport.h"

struct tcp_conn {
	struct forward_conn base;
	int fd;
	const char *url;
};

/* connect() on FD, bounded by FORWARD_IO_TIMEOUT_S. Returns 0 or -errno. */
static int connect_bounded(int fd, const struct sockaddr *addr, socklen_t len)
{
	struct pollfd p = {fd, POLLOUT, 0};
	int flags = fcntl(fd, F_GETFL), err = 0;
	socklen_t elen = sizeof(err);

	if (fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	if (connect(fd, addr, len) < 0) {
		if (errno != EINPROGRESS)
			return -errno;
		int r;
		while ((r = poll(&p, 1, FORWARD_IO_TIMEOUT_S * 1000)) < 0 && errno == EINTR)
			;
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
			return -errno;
		if (err)
			return -err;
	}
	return fcntl(fd, F_SETFL, flags) < 0 ? -errno : 0;
}

/* A connected socket to HOST:PORT (every address getaddrinfo() gives, in order), or -errno. */
static int dial(const struct forward_target *t, char *why, size_t cap)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_ADDRCONFIG};
	struct addrinfo *res;
	struct timeval tv = {FORWARD_IO_TIMEOUT_S, 0};
	int r = getaddrinfo(t->host, t->port, &hints, &res), err = EHOSTUNREACH;

	if (r) {
		snprintf(why, cap, "%.300s: cannot resolve '%s': %s", t->url, t->host, gai_strerror(r));
		return -EHOSTUNREACH;
	}
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
		if (fd < 0) {
			err = errno;
			continue;
		}
		r = connect_bounded(fd, a->ai_addr, a->ai_addrlen);
		if (r == 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) == 0) {
			freeaddrinfo(res);
			return fd;
		}
		err = r < 0 ? -r : errno;
		close(fd);
	}
	freeaddrinfo(res);
	snprintf(why, cap, "%.300s: cannot connect: %s", t->url, strerror(err));
	return -err;
}

/* Writes every byte of IOV (N entries), resuming after partial writes. Returns 0 or -errno. */
static int send_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
		ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

static int tcp_send(struct forward_conn *base, const char *msg, size_t len, char *why, size_t cap)
{
	struct tcp_conn *c = (struct tcp_conn *)base;
	char head[24];
	struct iovec iov[2] = {{head, (size_t)snprintf(head, sizeof(head), "%zu ", len)},
			       {(void *)msg, len}};
	int r = send_all(c->fd, iov, 2);

	if (r < 0)
		snprintf(why, cap, "%.300s: send failed: %s", c->url, strerror(-r));
	return r;
}

/* A clean close: shutdown(SHUT_WR), then wait (bounded) for the receiver to close its side, so
 * that the receiver has read what was sent before we go, as far as TCP can say. */
static int tcp_close(struct forward_conn *base, char *why, size_t cap)
{
	struct tcp_conn *c = (struct tcp_conn *)base;
	struct pollfd p = {c->fd, POLLIN, 0};
	char sink[256];
	int r = 0;

	if (shutdown(c->fd, SHUT_WR) < 0) {
		r = -errno;
		snprintf(why, cap, "%.300s: shutdown: %s", c->url, strerror(errno));
	}
	while (r == 0 && poll(&p, 1, FORWARD_IO_TIMEOUT_S * 1000) > 0) {
		ssize_t n = read(c->fd, sink, sizeof(sink));
		if (n == 0)
			break;
		if (n < 0 && errno != EINTR) {
			r = -errno;
			snprintf(why, cap, "%.300s: at close: %s", c->url, strerror(errno));
		}
	}
	close(c->fd);
	free(c);
	return r;
}

static const struct forward_ops tcp_ops = {tcp_send, tcp_close};

struct forward_conn *forward_tcp_connect(const struct forward_target *t, char *why, size_t cap)
{
	struct tcp_conn *c = calloc(1, sizeof(*c));
	int fd;

	if (!c) {
		snprintf(why, cap, "%.300s: out of memory", t->url);
		errno = ENOMEM;
		return NULL;
	}
	fd = dial(t, why, cap);
	if (fd < 0) {
		free(c);
		errno = -fd;
		return NULL;
	}
	*c = (struct tcp_conn){{&tcp_ops}, fd, t->url};
	return &c->base;
}

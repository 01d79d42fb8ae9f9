/* worker.c - a worker of the example server: accept, read a request, answer it, log it.
 *
 * Every request is logged as one record with typed fields (method, path, status, bytes,
 * duration_ms), and a request id is pushed as thread context for the time of the request, so
 * that anything else logged while serving it (here: the debug record of a 404) carries the same
 * id without passing it around.
 *
 * SIGTERM stays blocked except while the worker waits (ppoll), so it never interrupts a request
 * half-way: a worker told to stop finishes the response it is writing, closes, flushes and exits.
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "worker.h"

#define IDLE_TIMEOUT_MS 5000 /* a keep-alive connection that stays silent this long is closed */
#define FLUSH_TIMEOUT_MS 2000

static const char index_page[] =
	"<!doctype html>\n<title>shmlog prefork-httpd</title>\n"
	"<p>Hello from a pre-forked worker. Every request is a record in a shmlog ring.\n";

static volatile sig_atomic_t stopping;
static sigset_t wait_mask; /* the worker's signal mask with SIGTERM let through */
static unsigned long long served;
static struct timespec started;

static void on_sigterm(int sig)
{
	(void)sig;
	stopping = 1;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) * 1e3 + (double)(now.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Waits until FD is readable. Returns 1, 0 on timeout, -1 when SIGTERM arrived. */
static int wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	struct timespec ts = {.tv_sec = timeout_ms / 1000, .tv_nsec = (timeout_ms % 1000) * 1000000L};
	int n;

	if (stopping)
		return -1;
	n = ppoll(&p, 1, timeout_ms < 0 ? NULL : &ts, &wait_mask);
	if (n < 0)
		return errno == EINTR && stopping ? -1 : 0;
	return n;
}

static int send_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Chooses the answer to REQ: status, content type and body. */
static int route(const struct http_request *req, const char **type, char *body, size_t cap,
		 size_t *body_len)
{
	int get = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;

	*type = "text/plain; charset=utf-8";
	if (get && strcmp(req->path, "/") == 0) {
		*type = "text/html; charset=utf-8";
		*body_len = sizeof(index_page) - 1;
		memcpy(body, index_page, *body_len);
		return 200;
	}
	if (get && strcmp(req->path, "/status") == 0) {
		int n = snprintf(body, cap, "worker %d: %llu requests in %.0f s\n", (int)getpid(),
				 served, ms_since(&started) / 1e3);

		*body_len = n > 0 && (size_t)n < cap ? (size_t)n : 0;
		return 200;
	}
	*body_len = (size_t)snprintf(body, cap, "%s\n", get ? "not found" : "method not allowed");
	return get ? 404 : 405;
}

/* Answers one request and logs it. Returns 0 to keep the connection, -1 to close it. */
static int serve_request(int fd, struct shmlog *log, const struct http_request *req,
			 const struct timespec *t0)
{
	char request_id[32], out[1024], body[512];
	const char *type;
	size_t body_len, head_len;
	int status, keep, level, token;

	snprintf(request_id, sizeof(request_id), "%d-%llu", (int)getpid(), ++served);
	token = shmlog_context_push((struct shmlog_field[]){SHMLOG_STR("request_id", request_id)},
				    1);
	status = route(req, &type, body, sizeof(body), &body_len);
	if (status == 404)
		shmlog_log(log, SHMLOG_DEBUG, "http", "no page at %s", req->path);
	keep = req->keep_alive && !stopping && status != 405;
	head_len = http_head(out, sizeof(out) - sizeof(body), status, type, body_len, keep,
			     request_id);
	if (strcmp(req->method, "HEAD") == 0)
		body_len = 0;
	/* One send for head and body: two small ones would meet Nagle and delayed ACKs. */
	memcpy(out + head_len, body, body_len);
	int sent = send_all(fd, out, head_len + body_len) == 0;

	level = status >= 500 ? SHMLOG_ERROR : status >= 400 ? SHMLOG_WARNING : SHMLOG_INFO;
	shmlog_log_fields(log, level, "access",
			  (struct shmlog_field[]){
				  SHMLOG_STR("method", req->method),
				  SHMLOG_STR("path", req->path),
				  SHMLOG_INT("status", status),
				  SHMLOG_INT("bytes", (int64_t)body_len),
				  SHMLOG_FLOAT("duration_ms", ms_since(t0)),
			  },
			  5, "%s %s %d", req->method, req->path, status);
	shmlog_context_pop(token);
	return sent && keep ? 0 : -1;
}

/* Serves the requests of one connection until it closes, idles out, or we are stopping. */
static void serve_connection(int fd, struct shmlog *log)
{
	char buf[HTTP_MAX_HEAD];
	size_t len = 0;

	for (;;) {
		struct http_request req;
		struct timespec t0;
		int head;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		while ((head = http_parse(buf, len, &req)) == 0) {
			ssize_t n;

			if (wait_readable(fd, IDLE_TIMEOUT_MS) <= 0)
				return;
			if (len == 0)
				clock_gettime(CLOCK_MONOTONIC, &t0);
			n = recv(fd, buf + len, sizeof(buf) - len, 0);
			if (n <= 0)
				return;
			len += (size_t)n;
		}
		if (head < 0) {
			static const char bad[] = "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
						  "Connection: close\r\n\r\n";

			send_all(fd, bad, sizeof(bad) - 1);
			shmlog_log(log, SHMLOG_WARNING, "http", "malformed request: closing");
			return;
		}
		if (serve_request(fd, log, &req, &t0) < 0)
			return;
		/* Keep any pipelined bytes of the next request. */
		len -= (size_t)head;
		memmove(buf, buf + head, len);
	}
}

void worker_run(int listen_fd, struct shmlog *log, int id)
{
	struct sigaction sa = {.sa_handler = on_sigterm};

	clock_gettime(CLOCK_MONOTONIC, &started);
	sigaction(SIGTERM, &sa, NULL);
	sigprocmask(SIG_BLOCK, NULL, &wait_mask);
	sigdelset(&wait_mask, SIGTERM);
	shmlog_log(log, SHMLOG_INFO, "worker", "worker %d ready", id);

	while (!stopping) {
		int fd;

		if (wait_readable(listen_fd, -1) <= 0)
			continue;
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			/* EAGAIN: another worker took it. Anything else is worth a record. */
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
				shmlog_log(log, SHMLOG_ERROR, "worker", "accept: %s", strerror(errno));
			continue;
		}
		serve_connection(fd, log);
		close(fd);
	}
	shmlog_log(log, SHMLOG_INFO, "worker", "worker %d stopping after %llu requests", id,
		   served);
	if (shmlog_flush(log, FLUSH_TIMEOUT_MS) < 0)
		fprintf(stderr, "prefork-httpd: worker %d: %s\n", id, shmlog_errmsg());
	_exit(0);
}

/* main.c - prefork-httpd: a small pre-fork HTTP/1.1 server that logs every request to a shmlog
 * ring. The master opens the ring and the listening socket, forks the workers (which inherit
 * both), restarts a worker that dies, and on SIGTERM or SIGINT stops them all: each finishes its
 * request and flushes the log, then the master flushes and exits 0.
 *
 *   prefork-httpd [-p PORT] [-w WORKERS] [-r RING] [-a ADDRESS]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <shmlog.h>

#include "worker.h"

#define DEFAULT_PORT 8080
#define DEFAULT_WORKERS 4
#define DEFAULT_RING "httpd"
#define DEFAULT_ADDRESS "127.0.0.1"
#define MAX_WORKERS 256
#define FLUSH_TIMEOUT_MS 5000

struct config {
	int port;
	int workers;
	const char *ring;
	const char *address;
};

static volatile sig_atomic_t stop_signal, child_exited;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static void on_child(int sig)
{
	(void)sig;
	child_exited = 1;
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: prefork-httpd [-p PORT] [-w WORKERS] [-r RING] [-a ADDRESS]\n"
		"A pre-fork HTTP/1.1 server that logs every request to the shmlog ring RING.\n"
		"Pages: / (a tiny page) and /status (the worker's counters).\n"
		"\n"
		"  -p PORT      port to listen on; 0 picks a free one (default %d)\n"
		"  -w WORKERS   worker processes (default %d)\n"
		"  -r RING      shmlog ring, created if missing (default %s)\n"
		"  -a ADDRESS   IPv4 address to listen on (default %s)\n"
		"  -h           show this help and exit\n"
		"\n"
		"Prints \"listening on http://ADDRESS:PORT/\" once it accepts connections.\n"
		"SIGTERM/SIGINT: workers finish their request, flush the log and exit; then exit 0.\n",
		DEFAULT_PORT, DEFAULT_WORKERS, DEFAULT_RING, DEFAULT_ADDRESS);
}

static int usage_error(const char *what, const char *arg)
{
	fprintf(stderr, "prefork-httpd: %s '%s'; see prefork-httpd -h\n", what, arg);
	return EX_USAGE;
}

static int parse_int(const char *s, int min, int max, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < min || v > max)
		return -1;
	*out = (int)v;
	return 0;
}

/* Returns -1 to go on, or the exit status. */
static int parse_args(int argc, char **argv, struct config *cfg)
{
	int c;

	*cfg = (struct config){DEFAULT_PORT, DEFAULT_WORKERS, DEFAULT_RING, DEFAULT_ADDRESS};
	while ((c = getopt(argc, argv, "p:w:r:a:h")) != -1) {
		switch (c) {
		case 'p':
			if (parse_int(optarg, 0, 65535, &cfg->port) < 0)
				return usage_error("-p: not a port", optarg);
			break;
		case 'w':
			if (parse_int(optarg, 1, MAX_WORKERS, &cfg->workers) < 0)
				return usage_error("-w: not a number of workers (1-256)", optarg);
			break;
		case 'r':
			cfg->ring = optarg;
			break;
		case 'a':
			cfg->address = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			fprintf(stderr, "prefork-httpd: see prefork-httpd -h\n");
			return EX_USAGE;
		}
	}
	if (optind < argc)
		return usage_error("unexpected argument", argv[optind]);
	return -1;
}

/* A non-blocking listening socket on ADDRESS:PORT; *port gets the port actually bound. */
static int listen_on(const char *address, int *port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
	socklen_t salen = sizeof(sa);
	int one = 1, fd;

	if (inet_pton(AF_INET, address, &sa.sin_addr) != 1) {
		fprintf(stderr, "prefork-httpd: '%s' is not an IPv4 address\n", address);
		return -1;
	}
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, SOMAXCONN) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &salen) < 0) {
		fprintf(stderr, "prefork-httpd: cannot listen on %s:%d: %s\n", address, *port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

static pid_t spawn_worker(int listen_fd, struct shmlog *log, int id)
{
	pid_t pid = fork();

	if (pid == 0)
		worker_run(listen_fd, log, id);
	if (pid < 0)
		shmlog_log(log, SHMLOG_ERROR, "master", "fork: %s", strerror(errno));
	return pid;
}

/* Reaps the workers that exited and starts new ones in their place. */
static void replace_dead_workers(pid_t *pids, int n, int listen_fd, struct shmlog *log)
{
	pid_t pid;
	int st;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
		for (int i = 0; i < n; i++)
			if (pids[i] == pid) {
				shmlog_log(log, SHMLOG_ERROR, "master",
					   "worker %d (pid %d) %s %d; starting another", i, (int)pid,
					   WIFSIGNALED(st) ? "killed by signal" : "exited with",
					   WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
				pids[i] = spawn_worker(listen_fd, log, i);
			}
}

static void stop_workers(pid_t *pids, int n, struct shmlog *log)
{
	shmlog_log(log, SHMLOG_INFO, "master", "%s: stopping %d workers", strsignal(stop_signal), n);
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	for (int i = 0; i < n; i++)
		if (pids[i] > 0)
			waitpid(pids[i], NULL, 0);
}

int main(int argc, char **argv)
{
	pid_t pids[MAX_WORKERS];
	struct sigaction stop = {.sa_handler = on_stop}, child = {.sa_handler = on_child};
	struct config cfg;
	struct shmlog *log;
	sigset_t blocked, waiting;
	int status = parse_args(argc, argv, &cfg), listen_fd, port;

	if (status >= 0)
		return status;
	/* Opened once, before fork(): every worker inherits the handle and logs through it. */
	log = shmlog_open(cfg.ring, NULL);
	if (!log) {
		fprintf(stderr, "prefork-httpd: %s\n", shmlog_errmsg());
		return EX_UNAVAILABLE;
	}
	port = cfg.port;
	if ((listen_fd = listen_on(cfg.address, &port)) < 0) {
		shmlog_close(log);
		return EX_UNAVAILABLE;
	}

	/* The signals stay blocked but while the master waits (sigsuspend), and the workers
	 * inherit the blocked mask (see worker_run). */
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGCHLD);
	sigprocmask(SIG_BLOCK, &blocked, &waiting);
	sigaction(SIGTERM, &stop, NULL);
	sigaction(SIGINT, &stop, NULL);
	sigaction(SIGCHLD, &child, NULL);

	shmlog_log_fields(log, SHMLOG_INFO, "master",
			  (struct shmlog_field[]){SHMLOG_STR("address", cfg.address),
						  SHMLOG_INT("port", port),
						  SHMLOG_INT("workers", cfg.workers)},
			  3, "listening on %s:%d with %d workers", cfg.address, port, cfg.workers);
	for (int i = 0; i < cfg.workers; i++)
		pids[i] = spawn_worker(listen_fd, log, i);
	printf("listening on http://%s:%d/\n", cfg.address, port);
	fflush(stdout);

	while (!stop_signal) {
		sigsuspend(&waiting);
		if (child_exited && !stop_signal) {
			child_exited = 0;
			replace_dead_workers(pids, cfg.workers, listen_fd, log);
		}
	}
	stop_workers(pids, cfg.workers, log);
	close(listen_fd);
	shmlog_log(log, SHMLOG_INFO, "master", "stopped");
	if (shmlog_flush(log, FLUSH_TIMEOUT_MS) < 0)
		fprintf(stderr, "prefork-httpd: %s\n", shmlog_errmsg());
	shmlog_close(log);
	return 0;
}

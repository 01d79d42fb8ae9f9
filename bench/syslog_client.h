/* syslog_client.h - syslog(3) aimed at a socket of the benchmark's own.
 *
 * glibc's openlog()/syslog() always send to /dev/log, the system's logger. The benchmark needs a
 * private rsyslogd on its own socket, so this client does what glibc 2.36's syslog(3) does, on a
 * socket path of our choosing: take a lock, read the time, format the RFC 3164 header
 * "<PRI>Mmm dd hh:mm:ss IDENT[PID]: " (strftime "%h %e %T " in the C locale; IDENT[PID] as with
 * LOG_PID) followed by the message, and send() it as one datagram (no trailing newline or NUL,
 * MSG_NOSIGNAL) on a connected AF_UNIX SOCK_DGRAM socket. Like glibc, a failed send() reconnects
 * and retries once; a message that still fails is lost, and counted by the caller. Like glibc, a
 * full receive queue blocks the sender (AF_UNIX datagram sockets apply back-pressure).
 */
#ifndef SHMLOG_BENCH_SYSLOG_CLIENT_H
#define SHMLOG_BENCH_SYSLOG_CLIENT_H

#include <pthread.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

struct bench_syslog {
	int fd;
	int pid;
	char ident[64];
	struct sockaddr_un addr;
	pthread_mutex_t lock;
};

/* Connects to the datagram socket PATH. Returns 0 or -errno. */
int bench_syslog_open(struct bench_syslog *s, const char *path, const char *ident);
void bench_syslog_close(struct bench_syslog *s);

/* syslog(PRI, FMT, ...) to that socket. Returns 0, or -errno when the message was lost. When
 * SEND_TICKS is not NULL, the send() alone is timed (timer.h ticks) and stored there. */
int bench_syslog(struct bench_syslog *s, int pri, uint64_t *send_ticks, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif

/* rsyslogd_harness.h - a private rsyslogd on loopback for the forwarding tests: the receiver
 * of `shmlogd --forward`, started, killed, restarted and stopped by the test itself.
 *
 * What it runs: Debian's rsyslogd in the foreground (-n) with its own config, work directory
 * and pid file under DIR (never /etc/rsyslog.conf, /var/spool/rsyslog or /run/rsyslogd.pid,
 * so a system rsyslog is neither read nor disturbed), with three inputs, all on 127.0.0.1:
 *
 *   relp_port      imrelp, plain
 *   relp_tls_port  imrelp with TLS: certificate from the harness's own CA (openssl), client
 *                  certificates required and checked against that CA (auth mode certvalid)
 *   tcp_port       imtcp (RFC 6587 octet counting is on by default)
 *
 * bound to a ruleset that writes each message to DIR/received.log as one line in RFC 5424 as
 * rsyslog parsed it (template RSYSLOG_SyslogProtocol23Format: PRI, version, time, host,
 * app-name, procid, msgid, structured data whole, message; control characters as #ooo).
 * rsyslogd's own messages go to DIR/rsyslogd-internal.log instead, so received.log holds only
 * what was forwarded. The main queue is Direct: a message is written to the file (the page
 * cache) before imrelp acknowledges it, so a SIGKILLed rsyslogd has lost nothing it
 * acknowledged (docs/FORWARDING.md, "The central rsyslog"), as the restart tests assume.
 *
 * Ports: each is found free by binding port 0 on 127.0.0.1, then handed to rsyslogd; another
 * process may take one in between, so readiness is judged by content, not by a connect that
 * anyone could answer: rsyslogd is ready when each port is a listening socket that rsyslogd's
 * own pid holds (/proc/net/tcp against /proc/PID/fd). When a port was taken (rsyslogd says so
 * on its stderr, or does not listen within 10 s), it is killed and started again
 * on new ports, up to 5 times. A restart (rs_restart) keeps the ports, so a client that
 * reconnects finds the same address.
 *
 * Skips (exit 77 with the reason printed) when rsyslogd, its imrelp module (Debian:
 * rsyslog-relp) or openssl is missing. Failures exit 1 through the shmlogd harness's FAIL, and
 * h_cleanup() kills rsyslogd too.
 */
#ifndef RSYSLOGD_HARNESS_H
#define RSYSLOGD_HARNESS_H

#include <sys/types.h>

struct rsyslogd {
	pid_t pid;                 /* 0: not running */
	char dir[512];             /* everything of this instance lives here */
	char received[600];        /* DIR/received.log */
	int relp_port, relp_tls_port, tcp_port;
	char ca[600];              /* PEM files for the forwarder: the CA to verify rsyslogd */
	char client_cert[600];     /* and a client certificate with its key, signed by that CA */
	char client_key[600];
};

/* Makes DIR (relative to the test's scratch directory; emptied first), the CA and
 * certificates, picks ports, starts rsyslogd and returns once it listens on all three. */
void rs_start(struct rsyslogd *r, const char *dir);

/* SIGKILL, then reaped: no chance to flush or close anything. */
void rs_kill(struct rsyslogd *r);

/* Starts it again after rs_kill() or rs_stop(), on the same ports, appending to the same file. */
void rs_restart(struct rsyslogd *r);

/* SIGTERM, then reaped; fails the test if it does not exit 0 within 10 s (times the slow
 * factor). */
void rs_stop(struct rsyslogd *r);

#endif

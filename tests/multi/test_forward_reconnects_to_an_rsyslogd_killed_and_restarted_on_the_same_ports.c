/* test_forward_reconnects_to_an_rsyslogd_killed_and_restarted_on_the_same_ports.c - what the
 * forwarding thread's backoff (next stage, docs/FORWARDING.md) stands on: every message RELP
 * acknowledged is in rsyslog's file even when rsyslogd is SIGKILLed right after the last
 * acknowledgement (the harness runs rsyslogd with a Direct main queue, as docs/FORWARDING.md
 * tells the central rsyslog to be; with the default in-memory queue this check passed too, in
 * 5 runs: its queue was already empty when the close was answered, so the check shows the
 * property, not that the default lacks it); when rsyslogd is
 * SIGKILLed, a relp:// or tcp:// connection's sends fail within the I/O timeout (never hang,
 * never raise SIGPIPE), a new connection is refused with a one-line reason, and once rsyslogd
 * is started again on the same ports (tests/common/rsyslogd_harness.h) a new connection
 * delivers again. */
#include "rsyslogd_harness.h"
#include "shmlogd_harness.h"
#include "transport.h"

#define BATCH 100

static struct forward_conn *open_url(const char *url, struct forward_target *t)
{
	char why[512];

	CHECK(forward_parse_url(url, t, why, sizeof(why)) == 0, "%s", why);
	struct forward_conn *c = forward_connect(t, NULL, why, sizeof(why));
	CHECK(c, "connect: %s", why);
	return c;
}

/* Sends BATCH messages "<tag> n=I" on C; returns 0, or -errno at the first failure. */
static int send_batch(struct forward_conn *c, const char *tag, char *why, size_t cap)
{
	char msg[256];

	for (int i = 0; i < BATCH; i++) {
		int n = snprintf(msg, sizeof(msg), "<14>1 - h app 1 - - %s n=%d", tag, i);
		int r = forward_send(c, msg, (size_t)n, why, cap);
		if (r < 0)
			return r;
	}
	return 0;
}

static void deliver(const struct rsyslogd *r, const char *url, const char *tag)
{
	struct forward_target t;
	char why[512], needle[64];
	struct forward_conn *c = open_url(url, &t);

	CHECK(send_batch(c, tag, why, sizeof(why)) == 0, "%s: %s", tag, why);
	CHECK(forward_close(c, why, sizeof(why)) == 0, "%s: close: %s", tag, why);
	snprintf(needle, sizeof(needle), " %s n=", tag);
	CHECK(h_wait_lines(r->received, needle, BATCH, 30000 * test_slow_factor()) >= 0,
	      "%s: %d of %d messages in rsyslog's file", tag, h_count_in_file(r->received, needle),
	      BATCH);
}

/* RELP's acknowledgement means written: ROUNDS batches acknowledged (the close waits for every
 * one), rsyslogd SIGKILLed at once, and every message is in its file. */
static void acked_means_written(struct rsyslogd *r, const char *url)
{
	enum { ROUNDS = 10 };
	struct forward_target t;
	char why[512];
	struct forward_conn *c = open_url(url, &t);

	for (int i = 0; i < ROUNDS; i++)
		CHECK(send_batch(c, "acked", why, sizeof(why)) == 0, "acked: %s", why);
	CHECK(forward_close(c, why, sizeof(why)) == 0, "acked: close: %s", why);
	rs_kill(r);
	int n = h_count_in_file(r->received, " acked n=");
	CHECK(n == ROUNDS * BATCH, "rsyslogd acknowledged %d messages, its file holds %d",
	      ROUNDS * BATCH, n);
	printf("%-26s %d acknowledged, SIGKILL at once: all %d in the file\n", url, n, n);
	rs_restart(r);
}

/* The open connection C to a killed rsyslogd fails within a bounded time. */
static void fails_when_killed(struct forward_conn *c, const char *url)
{
	char why[512] = "", ignored[512];
	int64_t t0 = h_now_ms();
	int r = 0;

	for (int round = 0; r == 0 && round < 1000; round++)
		r = send_batch(c, "after-kill", why, sizeof(why));
	CHECK(r < 0, "%s: 100000 sends to a killed rsyslogd all succeeded", url);
	forward_close(c, ignored, sizeof(ignored)); /* its end is already known to be lost */
	printf("%-26s sends fail after %lld ms: %s\n", url, (long long)(h_now_ms() - t0), why);
	CHECK(h_now_ms() - t0 < (FORWARD_IO_TIMEOUT_S + 5) * 1000LL * test_slow_factor(),
	      "%s: the failure took longer than the I/O timeout", url);
}

int main(void)
{
	struct rsyslogd r;
	struct forward_target t[2];
	struct forward_conn *c[2];
	char url[2][64], why[512];
	int n = forward_have_relp() ? 2 : 1; /* url[0] tcp://, url[1] relp:// */

	if (n == 1)
		printf("relp://: not tested (built without librelp; apt-get install librelp-dev)\n");
	rs_start(&r, "rsyslog");
	snprintf(url[0], sizeof(url[0]), "tcp://127.0.0.1:%d", r.tcp_port);
	snprintf(url[1], sizeof(url[1]), "relp://127.0.0.1:%d", r.relp_port);
	if (n == 2)
		acked_means_written(&r, url[1]);
	for (int i = 0; i < n; i++)
		deliver(&r, url[i], i ? "relp-before" : "tcp-before");

	for (int i = 0; i < n; i++)
		c[i] = open_url(url[i], &t[i]);
	rs_kill(&r);
	for (int i = 0; i < n; i++)
		fails_when_killed(c[i], url[i]);
	for (int i = 0; i < n; i++) {
		errno = 0;
		CHECK(!forward_connect(&t[i], NULL, why, sizeof(why)) && errno != 0 &&
			      strstr(why, url[i]) && !strchr(why, '\n'),
		      "%s: a connect to a dead rsyslogd did not fail in one line: %s", url[i], why);
		printf("%-26s connect refused: %s\n", url[i], why);
	}

	rs_restart(&r);
	for (int i = 0; i < n; i++)
		deliver(&r, url[i], i ? "relp-after" : "tcp-after");
	printf("after a restart on the same ports: the connections deliver again\n");
	rs_stop(&r);
	h_cleanup();
	return 0;
}

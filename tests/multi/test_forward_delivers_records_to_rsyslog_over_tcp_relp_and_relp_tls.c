/* test_forward_delivers_records_to_rsyslog_over_tcp_relp_and_relp_tls.c - shmlogd's forwarding
 * transports (shmlogd/forward/transport.h) hand RFC 5424 messages made by its formatter to a
 * real rsyslogd (tests/common/rsyslogd_harness.h) over tcp:// (octet-counted, imtcp), relp://
 * and relp+tls:// (imrelp, with a CA and certificates the harness made): every record arrives
 * exactly once per transport, and rsyslog's own RFC 5424 rendering of it equals what was sent,
 * byte for byte - PRI, time to the microsecond, host, app-name, procid, and the structured data
 * with ring, seq and every field (quotes, backslashes, brackets and UTF-8 escaped and back).
 * A relp+tls:// client whose CA did not sign rsyslogd's certificate is refused at connect, with
 * a line that says TLS. */
#include "record.h"
#include "rfc5424.h"
#include "rsyslogd_harness.h"
#include "shmlogd_harness.h"
#include "transport.h"

#define N 2000 /* records per transport: several RELP windows of 128 */
#define EXAMPLE_NS 1795256103123456000LL

static const struct rfc5424_origin origin = {"fwd-test-host", "fwdring", 1, 0x5eed5eed5eed5eedull};
static unsigned char field_bytes[N][512];

/* Record I of transport VIA: its message says both, and its fields hold every kind of value,
 * with the characters RFC 5424 escapes. */
static struct shmlog_record record(int via, long i, char *msg, size_t cap)
{
	static const char *const levels_tags[] = {"api", "db.pool", "worker-7"};
	char value[64];
	snprintf(value, sizeof(value), "q\"uo]te\\ %ld caf\xc3\xa9", i);
	struct shmlog_field f[] = {SHMLOG_INT("n", i), SHMLOG_STR("value", value),
				   SHMLOG_FLOAT("ms", (double)i / 8), SHMLOG_BOOL("even", i % 2 == 0),
				   SHMLOG_STR("request.id", "r-17")};
	size_t len = 0;

	for (size_t k = 0; k < sizeof(f) / sizeof(f[0]); k++)
		len += field_encode(field_bytes[i] + len, &f[k]);
	int n = snprintf(msg, cap, "via=%d n=%ld request done", via, i);
	return (struct shmlog_record){
		.seq = (uint64_t)(via * N + i), .time_ns = EXAMPLE_NS + i * 1000, .pid = 4711,
		.tid = 4712 + (uint32_t)via, .level = 1 + (int)(i % 5), .tag = levels_tags[via],
		.tag_len = strlen(levels_tags[via]), .msg = msg, .msg_len = (size_t)n,
		.msg_full_len = (size_t)n, .fields = field_bytes[i], .fields_len = len, .nfields = 5};
}

static void send_all(const char *url, int via, const struct forward_tls *tls)
{
	struct forward_target t;
	char why[512], msg[128], line[2048];

	CHECK(forward_parse_url(url, &t, why, sizeof(why)) == 0, "%s", why);
	struct forward_conn *c = forward_connect(&t, tls, why, sizeof(why));
	CHECK(c, "connect: %s", why);
	for (long i = 0; i < N; i++) {
		struct shmlog_record rec = record(via, i, msg, sizeof(msg));
		size_t n = rfc5424_format(&rec, &origin, line, sizeof(line));
		CHECK(n < sizeof(line), "message too long");
		CHECK(forward_send(c, line, n, why, sizeof(why)) == 0, "send %ld: %s", i, why);
	}
	CHECK(forward_close(c, why, sizeof(why)) == 0, "close: %s", why);
}

/* Every line of rsyslog's file for VIA is the message sent, once each. */
static void check_received(const struct rsyslogd *r, int via, const char *name)
{
	static char seen[N];
	char needle[32], msg[128], want[2048], line[4096];
	long found = 0;

	snprintf(needle, sizeof(needle), "] via=%d n=", via);
	CHECK(h_wait_lines(r->received, needle, N, 30000 * test_slow_factor()) >= 0,
	      "%s: rsyslog's file has %d of the %d records", name,
	      h_count_in_file(r->received, needle), N);
	memset(seen, 0, sizeof(seen));
	FILE *f = fopen(r->received, "r");
	CHECK(f, "%s: %s", r->received, strerror(errno));
	while (fgets(line, sizeof(line), f)) {
		const char *at = strstr(line, needle);
		if (!at)
			continue;
		long i = strtol(at + strlen(needle), NULL, 10);
		CHECK(i >= 0 && i < N && !seen[i]++, "%s: record %ld twice or unknown", name, i);
		struct shmlog_record rec = record(via, i, msg, sizeof(msg));
		size_t n = rfc5424_format(&rec, &origin, want, sizeof(want) - 1);
		want[n++] = '\n';
		want[n] = '\0';
		if (strcmp(line, want))
			FAIL("%s: record %ld differs\n  sent: %s  rsyslog: %s", name, i, want, line);
		found++;
	}
	fclose(f);
	CHECK(found == N, "%s: %ld records of %d", name, found, N);
	printf("%-11s %d records in rsyslog's file, each once, equal to what was sent\n", name, N);
}

/* A CA of its own that signed nothing rsyslogd holds. */
static void test_a_foreign_ca_is_refused(const struct rsyslogd *r, const char *url)
{
	struct forward_target t;
	struct forward_tls tls = {"other-ca.pem", r->client_cert, r->client_key};
	char why[512];

	CHECK(system("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		     "-keyout other-ca-key.pem -out other-ca.pem -days 2 -subj '/CN=other CA' "
		     ">/dev/null 2>&1") == 0,
	      "openssl: cannot make a second CA");
	CHECK(forward_parse_url(url, &t, why, sizeof(why)) == 0, "%s", why);
	struct forward_conn *c = forward_connect(&t, &tls, why, sizeof(why));
	if (c) {
		/* librelp may finish the handshake lazily: the first send must fail then. */
		int r1 = forward_send(c, "<14>1 - - - - - - x", 19, why, sizeof(why));
		forward_close(c, why, sizeof(why));
		CHECK(r1 < 0, "a server certificate from another CA was accepted");
	}
	CHECK(strstr(why, "TLS") && strstr(why, url), "the refusal does not name TLS and the URL: %s",
	      why);
	printf("foreign CA  refused: %s\n", why);
}

int main(void)
{
	struct rsyslogd r;
	char url[3][64];
	struct forward_tls tls;

	int transports = forward_have_relp() ? 3 : 1;

	if (transports == 1)
		printf("relp:// and relp+tls://: not tested (built without librelp; apt-get install "
		       "librelp-dev)\n");
	rs_start(&r, "rsyslog");
	tls = (struct forward_tls){r.ca, r.client_cert, r.client_key};
	snprintf(url[0], sizeof(url[0]), "tcp://127.0.0.1:%d", r.tcp_port);
	snprintf(url[1], sizeof(url[1]), "relp://127.0.0.1:%d", r.relp_port);
	snprintf(url[2], sizeof(url[2]), "relp+tls://127.0.0.1:%d", r.relp_tls_port);
	for (int via = 0; via < transports; via++)
		send_all(url[via], via, &tls);
	for (int via = 0; via < transports; via++)
		check_received(&r, via, url[via]);
	if (transports == 3)
		test_a_foreign_ca_is_refused(&r, url[2]);
	rs_stop(&r);
	h_cleanup();
	return 0;
}

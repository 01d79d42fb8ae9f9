/* forward.h - shmlogd's forwarding to a central syslog engine (rsyslog, syslog-ng): what the
 * --forward options say, and how they are checked. docs/FORWARDING.md is the whole design.
 *
 * The pieces, one file each, each usable and tested on its own:
 *
 *   url.c      "relp://HOST:PORT", "relp+tls://HOST:PORT", "tcp://HOST:PORT" -> struct
 *              forward_target; the facility names of --forward-facility.
 *   config.c   collects the --forward* options as getopt hands them over, then checks them
 *              together once the command line is read (forward_config_check): every URL
 *              parses, TLS files exist and are readable, and are given where they are used.
 *              Nothing here prints: a refusal is one line in the caller's buffer, which
 *              shmlogd's options.c prints through cli's usage_error().
 *   rfc5424.c  one struct shmlog_record -> one RFC 5424 message (rfc5424.h).
 *   transport.h, tcp.c, relp.c
 *              sending those messages: RFC 6587 octet-counted TCP, and RELP (plain or TLS)
 *              through librelp's client. relp.c is compiled only when CMake found librelp
 *              (SHMLOG_HAVE_RELP); without it a relp:// URL is refused at start, with the fix.
 *
 * Not here yet (docs/FORWARDING.md, "Next stage"): the forwarding thread, which reads
 * shmlogd's own output files through logfile/, persists its cursor and reconnects with backoff.
 * The local drain never calls into this folder on its hot path.
 */
#ifndef SHMLOGD_FORWARD_H
#define SHMLOGD_FORWARD_H

#include <stddef.h>

#define FORWARD_MAX_TARGETS 8
#define FORWARD_HOST_MAX 255 /* a DNS name's longest spelling */
#define FORWARD_DEFAULT_FACILITY_NAME "user"
#define FORWARD_DEFAULT_FACILITY 1 /* user, RFC 5424 table 1 */

enum forward_scheme { FORWARD_TCP, FORWARD_RELP, FORWARD_RELP_TLS };

/* Where one --forward URL sends. */
struct forward_target {
	enum forward_scheme scheme;
	char host[FORWARD_HOST_MAX + 1]; /* a name or an address; an IPv6 one without its [] */
	char port[6];                    /* "1".."65535", as getaddrinfo() takes it */
	const char *url;                 /* as given, for messages */
};

/* The TLS files of relp+tls:// targets (NULL: not given). */
struct forward_tls {
	const char *ca;   /* verifies the server's certificate */
	const char *cert; /* our own certificate, for servers that check clients */
	const char *key;  /* its private key */
};

struct forward_config {
	const char *urls[FORWARD_MAX_TARGETS]; /* as given, checked by forward_config_check() */
	size_t nurls;
	struct forward_target targets[FORWARD_MAX_TARGETS]; /* filled by forward_config_check() */
	struct forward_tls tls;
	int facility; /* 0..23 */
};

/* The defaults: no target, facility user. */
void forward_config_init(struct forward_config *c);

/* The setters for shmlogd's option table: each takes the option's value and returns 0, or -1
 * for a value refused at once (a full target list, an unknown facility name). The rest is
 * checked by forward_config_check(), which can say more precisely what is wrong. */
int forward_config_add_url(struct forward_config *c, const char *url);
int forward_config_set_facility(struct forward_config *c, const char *name);
int forward_config_set_ca(struct forward_config *c, const char *path);
int forward_config_set_cert(struct forward_config *c, const char *path);
int forward_config_set_key(struct forward_config *c, const char *path);

/* Checks the options together, after the whole command line: parses every URL into
 * c->targets, requires JSON output (JSON_OUTPUT: --format json; the forwarder reads its
 * records back from the output file, and only JSON lines carry each record's sequence number
 * and typed fields: docs/FORWARDING.md), requires --forward-ca for relp+tls:// and
 * --forward-cert with --forward-key, refuses TLS files no relp+tls:// target uses, and opens
 * each TLS file to see that it can be read. Returns 0, or -1 with one line in WHY (no program
 * name, no newline) that names the option, the cause and the fix. */
int forward_config_check(struct forward_config *c, int json_output, char *why, size_t cap);

/* "relp://HOST:PORT" (and the other schemes) -> *T. Returns 0, or -1 with the cause and the
 * accepted form in WHY. T->url is set to URL. */
int forward_parse_url(const char *url, struct forward_target *t, char *why, size_t cap);

/* A facility name (kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv,
 * ftp, local0..local7) or its number 0..23. Returns the number, or -1. */
int forward_parse_facility(const char *name);

/* Whether relp:// and relp+tls:// were compiled in (CMake found librelp). */
int forward_have_relp(void);

#endif

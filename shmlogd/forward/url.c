/* url.c - a --forward URL into a target, and syslog facility names (forward.h).
 *
 * The grammar is the one users know from rsyslog's and syslog-ng's own URLs, kept strict so
 * that a typo is refused at start rather than tried against the network for ever:
 *
 *   url    = scheme "://" host ":" port
 *   scheme = "relp" | "relp+tls" | "tcp"            (lower case)
 *   host   = name | IPv4 | "[" IPv6 "]"             (1..255 characters; no user, path, query)
 *   port   = 1..65535 in decimal                    (no default: RELP has no assigned port)
 */
#include <stdio.h>
#include <string.h>

#include "forward.h"

static const struct {
	const char *name;
	enum forward_scheme scheme;
} schemes[] = {
	{"relp", FORWARD_RELP},
	{"relp+tls", FORWARD_RELP_TLS},
	{"tcp", FORWARD_TCP},
};

#define URL_FORMS "use relp://HOST:PORT, relp+tls://HOST:PORT or tcp://HOST:PORT"

static int refuse(char *why, size_t cap, const char *url, const char *cause)
{
	snprintf(why, cap, "--forward '%.300s': %s; " URL_FORMS, url, cause);
	return -1;
}

/* The scheme before "://"; *rest is set after it. */
static int parse_scheme(const char *url, struct forward_target *t, const char **rest,
			char *why, size_t cap)
{
	const char *sep = strstr(url, "://");
	char cause[96];

	if (!sep)
		return refuse(why, cap, url, "no scheme (missing '://')");
	for (size_t i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i].name) == (size_t)(sep - url) &&
		    !strncmp(url, schemes[i].name, (size_t)(sep - url))) {
			t->scheme = schemes[i].scheme;
			*rest = sep + 3;
			return 0;
		}
	snprintf(cause, sizeof(cause), "unknown scheme '%.*s'", (int)(sep - url > 40 ? 40 : sep - url),
		 url);
	return refuse(why, cap, url, cause);
}

/* Characters a host name or address may hold: letters, digits, '-', '.', and ':' inside []. */
static int host_char(char c, int bracketed)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || (bracketed && (c == ':' || c == '%'));
}

/* HOST up to the ':' before the port; *rest is set to the port's first digit. */
static int parse_host(const char *url, const char *s, struct forward_target *t,
		      const char **rest, char *why, size_t cap)
{
	int bracketed = *s == '[';
	const char *start = s + bracketed, *end = start;

	while (*end && host_char(*end, bracketed))
		end++;
	if (end == start)
		return refuse(why, cap, url, "no host");
	if (end - start > FORWARD_HOST_MAX)
		return refuse(why, cap, url, "host longer than 255 characters");
	if (bracketed && *end++ != ']')
		return refuse(why, cap, url, "an IPv6 address needs its closing ']'");
	if (*end != ':')
		return refuse(why, cap, url,
			      *end ? "unexpected character in the host" : "no port (missing ':PORT')");
	memcpy(t->host, start, (size_t)(end - bracketed - start));
	t->host[end - bracketed - start] = '\0';
	*rest = end + 1;
	return 0;
}

static int parse_port(const char *url, const char *s, struct forward_target *t, char *why,
		      size_t cap)
{
	unsigned long v = 0;
	size_t n = 0;

	while (s[n] >= '0' && s[n] <= '9' && n < 6)
		v = v * 10 + (unsigned long)(s[n++] - '0');
	if (n == 0 || s[n] || v == 0 || v > 65535 || s[0] == '0')
		return refuse(why, cap, url, s[n] && n < 6 && n > 0
					       ? "unexpected text after the port (no path or query)"
					       : "the port must be a number from 1 to 65535");
	snprintf(t->port, sizeof(t->port), "%lu", v);
	return 0;
}

int forward_parse_url(const char *url, struct forward_target *t, char *why, size_t cap)
{
	const char *s;

	memset(t, 0, sizeof(*t));
	t->url = url;
	if (parse_scheme(url, t, &s, why, cap) < 0 || parse_host(url, s, t, &s, why, cap) < 0 ||
	    parse_port(url, s, t, why, cap) < 0)
		return -1;
	return 0;
}

/* RFC 5424 table 1's facilities, by the names syslog.conf(5) gives them. */
static const char *const facility_names[24] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
	"uucp", "cron", "authpriv", "ftp", NULL, NULL, NULL, NULL,
	"local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7",
};

int forward_parse_facility(const char *name)
{
	if (name[0] >= '0' && name[0] <= '9') {
		int v = name[0] - '0';
		if (name[1] >= '0' && name[1] <= '9' && v != 0)
			v = v * 10 + (name[1] - '0');
		else if (name[1])
			return -1;
		return name[1] && name[2] ? -1 : v <= 23 ? v : -1;
	}
	for (int i = 0; i < 24; i++)
		if (facility_names[i] && !strcmp(name, facility_names[i]))
			return i;
	return -1;
}

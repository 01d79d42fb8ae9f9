/* transport.c - the one door to the transports (transport.h): picks one by the URL's scheme. */
#include <errno.h>
#include <stdio.h>

#include "transport.h"

struct forward_conn *forward_connect(const struct forward_target *t, const struct forward_tls *tls,
				     char *why, size_t cap)
{
	if (t->scheme == FORWARD_TCP)
		return forward_tcp_connect(t, why, cap);
	if (!forward_have_relp()) {
		snprintf(why, cap, "%.300s: built without librelp; use tcp://", t->url);
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	return forward_relp_connect(t, t->scheme == FORWARD_RELP_TLS ? tls : NULL, why, cap);
}

int forward_send(struct forward_conn *c, const char *msg, size_t len, char *why, size_t cap)
{
	return c->ops->send(c, msg, len, why, cap);
}

int forward_close(struct forward_conn *c, char *why, size_t cap)
{
	return c ? c->ops->close(c, why, cap) : 0;
}

#ifndef SHMLOG_HAVE_RELP
/* Never called (forward_connect() checks first), but shmlogd links without librelp. */
struct forward_conn *forward_relp_connect(const struct forward_target *t,
					  const struct forward_tls *tls, char *why, size_t cap)
{
	(void)tls;
	snprintf(why, cap, "%.300s: built without librelp", t->url);
	errno = EPROTONOSUPPORT;
	return NULL;
}
#endif

/* relp.c - relp:// and relp+tls:// through librelp's client API (transport.h). Compiled only
 * when CMake found librelp (SHMLOG_HAVE_RELP).
 *
 * One librelp engine per connection, so that connections (one per --forward target) share no
 * state and each can be torn down alone. librelp reports trouble through callbacks, not return
 * values alone: the engine's error and authentication callbacks write the last message into
 * the connection (relpCltSetUsrPtr), and a failed call copies it into the caller's WHY.
 *
 * TLS: the server's certificate must chain to --forward-ca and name the host of the URL (auth
 * mode "name", the URL's host as the one permitted peer): a certificate that is valid but made
 * for another host is refused. --forward-cert/--forward-key are sent to servers that check
 * their clients.
 */
#include <errno.h>
#include <stddef.h> /* before librelp.h, which uses size_t without including it */
#include <librelp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "transport.h"

struct relp_conn {
	struct forward_conn base;
	relpEngine_t *engine;
	relpClt_t *clt;
	const char *url;
	char last_error[256]; /* librelp's last callback message */
};

/* librelp calls its debug printer unconditionally, and the engine starts without one. */
static void no_debug(char *fmt, ...)
{
	(void)fmt;
}

static void on_error(void *usr, char *objinfo, char *errmsg, relpRetVal code)
{
	struct relp_conn *c = usr;

	if (c)
		snprintf(c->last_error, sizeof(c->last_error), "%.120s (%.80s, error %d)",
			 errmsg ? errmsg : "?", objinfo ? objinfo : "?", code);
}

static void on_auth_error(void *usr, char *authinfo, char *errmsg, relpRetVal code)
{
	struct relp_conn *c = usr;

	if (c)
		snprintf(c->last_error, sizeof(c->last_error),
			 "TLS authentication failed: %.120s (peer %.80s, error %d)",
			 errmsg ? errmsg : "?", authinfo ? authinfo : "?", code);
}

/* librelp's code as an errno for the caller's backoff and messages. */
static int errno_of(relpRetVal r)
{
	switch (r) {
	case RELP_RET_TIMED_OUT:
		return ETIMEDOUT;
	case RELP_RET_OUT_OF_MEMORY:
		return ENOMEM;
	case RELP_RET_DATA_TOO_LONG:
		return EMSGSIZE;
	case RELP_RET_AUTH_ERR_FP:
	case RELP_RET_AUTH_ERR_NAME:
	case RELP_RET_AUTH_NO_CERT:
	case RELP_RET_AUTH_CERT_INVL:
	case RELP_RET_ERR_TLS_SETUP:
	case RELP_RET_ERR_TLS_HANDS:
	case RELP_RET_ERR_TLS:
	case RELP_RET_RSP_STATE_ERR:
	case RELP_RET_INCOMPAT_OFFERS:
	case RELP_RET_RQD_FEAT_MISSING:
		return EPROTO;
	default:
		return ECONNRESET;
	}
}

/* What librelp's code R means, in words, for the codes a user can act on. */
static const char *reason(relpRetVal r)
{
	switch (r) {
	case RELP_RET_ERR_TLS_SETUP:
		return "TLS setup failed (is --forward-ca the CA that signed the server's "
		       "certificate, and are --forward-cert/--forward-key a pair?)";
	case RELP_RET_ERR_TLS_HANDS:
		return "TLS handshake failed";
	case RELP_RET_AUTH_CERT_INVL:
		return "the server's certificate does not verify against --forward-ca";
	case RELP_RET_AUTH_ERR_NAME:
		return "the server's certificate is not made out to the URL's host";
	case RELP_RET_AUTH_NO_CERT:
		return "the server sent no certificate";
	case RELP_RET_TIMED_OUT:
		return "timed out";
	case RELP_RET_IO_ERR:
		return "no connection (refused, unreachable or lost)";
	case RELP_RET_SESSION_BROKEN:
		return "connection lost";
	case RELP_RET_RSP_STATE_ERR:
		return "the server refused the message";
	default:
		return NULL;
	}
}

/* Fills WHY for a failed STEP and returns -errno. */
static int failed(struct relp_conn *c, const char *step, relpRetVal r, char *why, size_t cap)
{
	const char *words = reason(r);

	snprintf(why, cap, "%.200s: %s: %s%s%.200s (librelp error %d)", c->url, step,
		 words ? words : "", words && c->last_error[0] ? "; " : "", c->last_error, r);
	c->last_error[0] = '\0';
	return -errno_of(r);
}

static void destroy(struct relp_conn *c)
{
	if (c->clt)
		relpEngineCltDestruct(c->engine, &c->clt);
	if (c->engine)
		relpEngineDestruct(&c->engine);
	free(c);
}

/* The client's TLS settings: CA, own certificate, and the URL's host as the permitted peer. */
static relpRetVal setup_tls(relpClt_t *clt, const struct forward_target *t,
			    const struct forward_tls *tls)
{
	relpRetVal r;

	if ((r = relpCltEnableTLS(clt)) || (r = relpCltSetAuthMode(clt, (char *)"name")) ||
	    (r = relpCltAddPermittedPeer(clt, (char *)t->host)) ||
	    (r = relpCltSetCACert(clt, (char *)tls->ca)))
		return r;
	if (tls->cert && ((r = relpCltSetOwnCert(clt, (char *)tls->cert)) ||
			  (r = relpCltSetPrivKey(clt, (char *)tls->key))))
		return r;
	return RELP_RET_OK;
}

/* The engine and client, configured, not yet connected. */
static relpRetVal build(struct relp_conn *c, const struct forward_target *t,
			const struct forward_tls *tls)
{
	relpRetVal r;

	if ((r = relpEngineConstruct(&c->engine)) ||
	    (r = relpEngineSetDbgprint(c->engine, no_debug)) ||
	    (r = relpEngineSetOnErr(c->engine, on_error)) ||
	    (r = relpEngineSetOnAuthErr(c->engine, on_auth_error)) ||
	    (r = relpEngineSetEnableCmd(c->engine, (unsigned char *)"syslog",
					eRelpCmdState_Required)) ||
	    (r = relpEngineCltConstruct(c->engine, &c->clt)) ||
	    (r = relpCltSetUsrPtr(c->clt, c)) ||
	    (r = relpCltSetTimeout(c->clt, FORWARD_IO_TIMEOUT_S)) ||
	    (r = relpCltSetConnTimeout(c->clt, FORWARD_IO_TIMEOUT_S)) ||
	    (r = relpCltSetWindowSize(c->clt, FORWARD_RELP_WINDOW)))
		return r;
	return tls ? setup_tls(c->clt, t, tls) : RELP_RET_OK;
}

static int relp_send(struct forward_conn *base, const char *msg, size_t len, char *why, size_t cap)
{
	struct relp_conn *c = (struct relp_conn *)base;
	relpRetVal r = relpCltSendSyslog(c->clt, (unsigned char *)msg, len);

	return r == RELP_RET_OK ? 0 : failed(c, "send", r, why, cap);
}

/* Destroying the client sends RELP's close and waits for its answer, which comes after every
 * message sent before it has been acknowledged. */
static int relp_close(struct forward_conn *base, char *why, size_t cap)
{
	struct relp_conn *c = (struct relp_conn *)base;
	relpRetVal r = relpEngineCltDestruct(c->engine, &c->clt);
	int ret = r == RELP_RET_OK ? 0 : failed(c, "close", r, why, cap);

	destroy(c);
	return ret;
}

static const struct forward_ops relp_ops = {relp_send, relp_close};

struct forward_conn *forward_relp_connect(const struct forward_target *t,
					  const struct forward_tls *tls, char *why, size_t cap)
{
	struct relp_conn *c = calloc(1, sizeof(*c));
	relpRetVal r;
	int err;

	if (!c) {
		snprintf(why, cap, "%.300s: out of memory", t->url);
		errno = ENOMEM;
		return NULL;
	}
	c->base.ops = &relp_ops;
	c->url = t->url;
	r = build(c, t, tls);
	if (r != RELP_RET_OK) {
		err = -failed(c, "client setup", r, why, cap);
	} else {
		r = relpCltConnect(c->clt, 0, (unsigned char *)t->port, (unsigned char *)t->host);
		if (r == RELP_RET_OK)
			return &c->base;
		err = -failed(c, "connect", r, why, cap);
	}
	destroy(c);
	errno = err;
	return NULL;
}

/* transport.h - sending RFC 5424 messages to one target: a connection, opened, fed, closed.
 *
 *   tcp://       RFC 6587 octet-counted framing ("LEN SP MSG"), over a plain TCP socket
 *                (tcp.c). Nothing acknowledges a message: forward_send() returning says only
 *                that the kernel took the bytes, and a reset can lose what its send buffer and
 *                the network held (docs/FORWARDING.md, "What TCP can lose").
 *   relp://      RELP through librelp's client (relp.c): every message is acknowledged by the
 *   relp+tls://  receiver. forward_send() returns once librelp has the message in its window of
 *                FORWARD_RELP_WINDOW unacknowledged messages, waiting for acknowledgements
 *                while the window is full; so when message N has been sent, every message up
 *                to N - FORWARD_RELP_WINDOW has been acknowledged. forward_close() waits for the
 *                rest (RELP's close command is answered after every message before it).
 *
 * The calls block (up to FORWARD_IO_TIMEOUT_S for one step): they are for the forwarding
 * thread, never for the drain. Errors come back as -errno with one line in WHY naming the
 * target and the cause; nothing here prints or retries (the caller's backoff does).
 */
#ifndef SHMLOGD_FORWARD_TRANSPORT_H
#define SHMLOGD_FORWARD_TRANSPORT_H

#include <stddef.h>

#include "forward.h"

#define FORWARD_RELP_WINDOW 128  /* librelp's default window, stated where it is relied on */
#define FORWARD_IO_TIMEOUT_S 10  /* connect, one send, the close handshake */

struct forward_conn;

/* What each transport does; the connection starts with a pointer to its own. */
struct forward_ops {
	int (*send)(struct forward_conn *c, const char *msg, size_t len, char *why, size_t cap);
	int (*close)(struct forward_conn *c, char *why, size_t cap);
};

struct forward_conn {
	const struct forward_ops *ops;
};

/* Connects to T (TLS from TLS for relp+tls://). Returns the connection, or NULL with errno set
 * (ECONNREFUSED, ETIMEDOUT, EHOSTUNREACH, EPROTONOSUPPORT for relp:// without librelp, EPROTO
 * for a TLS or RELP handshake refused) and the cause in WHY. */
struct forward_conn *forward_connect(const struct forward_target *t, const struct forward_tls *tls,
				     char *why, size_t cap);

/* Sends one message (no framing: the transport adds its own). Returns 0, or -errno (EPIPE,
 * ECONNRESET, ETIMEDOUT, EMSGSIZE) with WHY; after an error the connection is only closed. */
int forward_send(struct forward_conn *c, const char *msg, size_t len, char *why, size_t cap);

/* Closes C after what was sent is delivered (relp: acknowledged; tcp: handed to the kernel,
 * then a clean shutdown). Returns 0, or -errno with WHY when that could not be confirmed.
 * Frees C in every case; accepts NULL. */
int forward_close(struct forward_conn *c, char *why, size_t cap);

/* The transports' own constructors, for forward_connect(). */
struct forward_conn *forward_tcp_connect(const struct forward_target *t, char *why, size_t cap);
struct forward_conn *forward_relp_connect(const struct forward_target *t,
					  const struct forward_tls *tls, char *why, size_t cap);

#endif

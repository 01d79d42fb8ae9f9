/* notify.h - tells systemd (or anything listening on $NOTIFY_SOCKET) how the collector is doing. */
#ifndef SHMLOGD_NOTIFY_H
#define SHMLOGD_NOTIFY_H

/* Sends MSG ("READY=1", "STOPPING=1", "STATUS=...") as one datagram to $NOTIFY_SOCKET. Does
 * nothing when the variable is unset; a failure to send is not an error worth stopping for, so
 * it returns nothing (the service manager, if it cares, times out and says so). */
void notify(const char *msg);

#endif

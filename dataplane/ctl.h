/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The control socket: syd-dataplane's side of the wire protocol (control/proto.h).
 *
 * Runs on the main lcore only, between its other chores: ctl_poll() waits at most a
 * given time for sockets to become readable, then answers every complete request.  A
 * bounded number of clients; each must say HELLO first.  A message that breaks framing
 * (bad header, length or version) gets an ERROR and the client is disconnected; any
 * other bad message gets an ERROR and changes nothing.
 */
#ifndef SYD_CTL_H
#define SYD_CTL_H

#include <stdbool.h>

#include "dataplane.h"

#define CTL_MAX_CLIENTS 16

/*
 * Listen on path (mode 0660; a stale socket file is replaced, a live one refused).
 * @return the server, or NULL with the reason in err.
 */
struct ctl *ctl_open(const char *path, char *err, size_t errlen);

/* Accept clients and answer requests, waiting up to timeout_ms for something to do. */
void ctl_poll(struct ctl *c, struct dataplane *dp, int timeout_ms);

/* Tell every client that a port's link went up or down. */
void ctl_event_link(struct ctl *c, const char *port, bool up);

/* Close every client and the listening socket, and remove the socket file. */
void ctl_close(struct ctl *c);

#endif /* SYD_CTL_H */

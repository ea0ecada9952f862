/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A blocking client of the Switchyard protocol: connect, say hello, send a request and
 * collect its reply.  One client library for every client: sydctl, syd-control's link
 * to the dataplane, and the tests.  Not thread-safe; one request at a time.
 */
#ifndef SYD_CLIENT_H
#define SYD_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "proto.h"

struct syd_client {
	int fd;
	uint32_t next_xid;
	uint8_t *in;                         /* SYD_PROTO_MSG_MAX bytes */
	char peer[SYD_PROTO_NAME_LEN];       /* the server's software, from its HELLO */
	/* Called for events (xid 0) that arrive while waiting for a reply; may be NULL. */
	void (*on_event)(const struct syd_hdr *h, void *arg);
	void *event_arg;
};

/*
 * Connect to the SOCK_SEQPACKET socket at path and exchange HELLOs (as software, e.g.
 * "sydctl 0.1.0").  Waits at most timeout_ms for each step.
 * @return 0, or -errno with a sentence for the user in err (-ENOENT, -ECONNREFUSED:
 *   nothing listens there; -EPROTONOSUPPORT: the peer speaks another version).
 */
int syd_client_connect(struct syd_client *c, const char *path, const char *software,
		       int timeout_ms, char *err, size_t errlen);

/*
 * Send the finished message in req (its xid is set here) and wait for its reply.
 * Every reply message (dump entries, INFO, HELLO) is passed to on_reply, which may be
 * NULL; a dump ends at DONE.  @return 0 on OK/DONE/INFO; the server's error as
 * -code with its text in err; -ETIMEDOUT, -EPIPE (connection lost) or -EBADMSG (the
 * server sent something proto_check() refused) with a sentence in err; or the
 * negative value on_reply returned, which stops reading after the current message
 * (the connection is then closed, since the rest of the reply is unread).
 */
int syd_client_request(struct syd_client *c, struct proto_buf *req, int timeout_ms,
		       int (*on_reply)(const struct syd_hdr *h, void *arg), void *arg, char *err,
		       size_t errlen);

/* Close the connection (idempotent). */
void syd_client_close(struct syd_client *c);

#endif /* SYD_CLIENT_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "client.h"

/* Receive one checked message into c->in.  @return its length or -errno. */
static ssize_t recv_msg(struct syd_client *c, int timeout_ms, char *err, size_t errlen)
{
	struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
	char why[SYD_PROTO_TEXT_MAX];
	ssize_t n;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret == 0)
		return syd_fail(err, errlen, -ETIMEDOUT, "no answer from %s within %d ms", c->peer,
			    timeout_ms);
	if (ret < 0)
		return syd_fail(err, errlen, -errno, "poll: %s", strerror(errno));
	n = recv(c->fd, c->in, SYD_PROTO_MSG_MAX + 1, MSG_TRUNC);
	if (n <= 0)
		return syd_fail(err, errlen, -EPIPE, "%s closed the connection", c->peer);
	ret = proto_check(c->in, (size_t)n, why, sizeof(why));
	if (ret == -EPROTONOSUPPORT) /* client.h promises this code for another version */
		return syd_fail(err, errlen, ret, "%s", why);
	if (ret < 0)
		return syd_fail(err, errlen, -EBADMSG, "%s sent a bad message: %s", c->peer, why);
	return n;
}

static int error_reply(const struct syd_hdr *h, char *err, size_t errlen)
{
	const struct syd_error *e = proto_body(h);

	return syd_fail(err, errlen, -e->code, "%s", e->text);
}

int syd_client_connect(struct syd_client *c, const char *path, const char *software,
		       int timeout_ms, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct syd_hello hello = {.version_min = SYD_PROTO_VERSION,
				  .version_max = SYD_PROTO_VERSION};
	struct proto_buf b = {0};
	const struct syd_hdr *h;
	int ret;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	snprintf(c->peer, sizeof(c->peer), "the server");
	if (strlen(path) >= sizeof(sa.sun_path))
		return syd_fail(err, errlen, -ENAMETOOLONG, "socket path %s is too long", path);
	strcpy(sa.sun_path, path);
	c->in = malloc(SYD_PROTO_MSG_MAX + 1);
	if (c->in == NULL)
		return syd_fail(err, errlen, -ENOMEM, "out of memory");
	c->fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	/*
	 * A Unix datagram larger than the send buffer fails with EMSGSIZE, and the default
	 * buffer (net.core.wmem_default, 208 KiB) is smaller than SYD_PROTO_MSG_MAX: a batch
	 * of more than ~1130 ops would not go.  The kernel doubles the value and caps it at
	 * net.core.wmem_max (208 KiB by default) before doubling, so this always suffices.
	 */
	if (c->fd >= 0)
		setsockopt(c->fd, SOL_SOCKET, SO_SNDBUF, &(int){SYD_PROTO_MSG_MAX}, sizeof(int));
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		ret = -errno;
		syd_client_close(c);
		if (ret == -ENOENT || ret == -ECONNREFUSED)
			return syd_fail(err, errlen, ret,
				    "cannot connect to %s: %s (is the server running? start it, "
				    "or give the right --socket)",
				    path, strerror(-ret));
		if (ret == -EACCES)
			return syd_fail(err, errlen, ret,
				    "cannot connect to %s: permission denied (run as root or as "
				    "a member of the socket's group)",
				    path);
		return syd_fail(err, errlen, ret, "cannot connect to %s: %s", path, strerror(-ret));
	}
	snprintf(hello.software, sizeof(hello.software), "%s", software);
	ret = proto_begin(&b, SYD_MSG_HELLO, 0);
	if (ret == 0)
		ret = proto_append(&b, &hello, sizeof(hello));
	if (ret == 0) {
		proto_finish(&b);
		ret = syd_client_request(c, &b, timeout_ms, NULL, NULL, err, errlen);
	}
	proto_buf_free(&b);
	if (ret < 0) {
		syd_client_close(c);
		return ret;
	}
	h = (const struct syd_hdr *)c->in;
	if (h->type != SYD_MSG_HELLO)
		ret = syd_fail(err, errlen, -EBADMSG, "%s answered HELLO with %s", path,
			   proto_msg_name(h->type));
	else if (((const struct syd_hello *)proto_body(h))->version_min > SYD_PROTO_VERSION ||
		 ((const struct syd_hello *)proto_body(h))->version_max < SYD_PROTO_VERSION)
		ret = syd_fail(err, errlen, -EPROTONOSUPPORT,
			   "%s speaks protocol versions %u-%u, this side %d: run syd-dataplane, "
			   "syd-control and sydctl from the same release",
			   path, ((const struct syd_hello *)proto_body(h))->version_min,
			   ((const struct syd_hello *)proto_body(h))->version_max, SYD_PROTO_VERSION);
	if (ret < 0) {
		syd_client_close(c);
		return ret;
	}
	snprintf(c->peer, sizeof(c->peer), "%s", ((const struct syd_hello *)proto_body(h))->software);
	return 0;
}

int syd_client_request(struct syd_client *c, struct proto_buf *req, int timeout_ms,
		       int (*on_reply)(const struct syd_hdr *h, void *arg), void *arg, char *err,
		       size_t errlen)
{
	struct syd_hdr *h = proto_finish(req);
	uint32_t xid;

	if (c->fd < 0)
		return syd_fail(err, errlen, -EPIPE, "not connected");
	if (++c->next_xid == 0)
		c->next_xid = 1;
	xid = h->xid = c->next_xid;
	if (send(c->fd, h, h->length, MSG_NOSIGNAL) != (ssize_t)h->length) {
		int ret = errno == EMSGSIZE ? -EMSGSIZE : -EPIPE;

		return syd_fail(err, errlen, ret, "cannot send to %s: %s", c->peer, strerror(errno));
	}
	for (;;) {
		ssize_t n = recv_msg(c, timeout_ms, err, errlen);
		const struct syd_hdr *r = (const struct syd_hdr *)c->in;
		int ret;

		if (n < 0)
			return (int)n;
		if (r->xid == 0) {
			if (c->on_event)
				c->on_event(r, c->event_arg);
			continue;
		}
		if (r->xid != xid)
			continue; /* a late reply to a request we gave up on */
		switch (r->type) {
		case SYD_MSG_OK:
			return 0;
		case SYD_MSG_DONE:
			return 0;
		case SYD_MSG_ERROR:
			return error_reply(r, err, errlen);
		case SYD_MSG_HELLO:
		case SYD_MSG_INFO:
		case SYD_MSG_UPLINK:
			ret = on_reply ? on_reply(r, arg) : 0;
			return ret;
		default:
			ret = on_reply ? on_reply(r, arg) : 0;
			if (ret < 0) {
				/* The rest of the dump is unread: the connection is unusable. */
				syd_client_close(c);
				return ret;
			}
			break;
		}
	}
}

void syd_client_close(struct syd_client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->in);
	c->in = NULL;
}

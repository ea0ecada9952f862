/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-control: holds the desired state and makes the dataplane match it.
 *
 * One thread, one poll loop (in the spirit of Redis's ae.c): the sydctl listening
 * socket, its clients, and the link to syd-dataplane.  Changes from sydctl are checked
 * against the desired state, sent to the dataplane, and saved to the state file once
 * the dataplane took them (or immediately, when the dataplane is away: it gets them when
 * it comes back).  Whenever the link to the dataplane comes up, syd-control reads what
 * the dataplane has and sends only the difference, so either side may restart, or be
 * killed, at any time.  Reads (show, stats) are forwarded to the dataplane.  Flow rules
 * (FLOW_MOD) go the same way, staged in the desired state so that a refusal takes them
 * back.  A change is saved by appending its message to the state file (a rewrite only
 * once the appended part outgrows the rules), so a million rules are not written again
 * for each change.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "config_state.h"
#include "control.h"

static volatile sig_atomic_t quit;
static volatile sig_atomic_t reload; /* SIGHUP: read --config again */
static const char *config_path;      /* --config, or NULL */
static sigset_t hup_unblocked;       /* the mask while waiting: SIGHUP only arrives then */

struct control g;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		quit = 1;
}

void logf_(const char *fmt, ...)
{
	va_list ap;

	fputs("syd-control: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Changes appended to the state file reach the disk. */
static void sync_state(void)
{
	int ret = state_sync(g.state_path);

	if (ret < 0)
		logf_("cannot sync the state file %s: %s", g.state_path, strerror(-ret));
	g.sync_ms = 0;
}

/* ---- sydctl clients ---- */

static bool send_msg(struct sydctl_client *c, struct proto_buf *b)
{
	struct syd_hdr *h = proto_finish(b);

	if (send(c->fd, h, h->length, MSG_NOSIGNAL) != (ssize_t)h->length) {
		close(c->fd);
		c->fd = -1;
		return false;
	}
	return true;
}

static void reply(struct sydctl_client *c, uint16_t type, uint32_t xid)
{
	proto_begin(&g.out, type, xid);
	send_msg(c, &g.out);
}

static void reply_error(struct sydctl_client *c, uint32_t xid, int code, const char *text)
{
	proto_error(&g.out, xid, code, "%s", text);
	send_msg(c, &g.out);
}

struct relay {
	struct sydctl_client *c;
	uint32_t xid;
};

/* Pass a dataplane reply on to the sydctl client, under the client's xid. */
static int relay(const struct syd_hdr *h, void *arg)
{
	struct relay *r = arg;

	if (h->type == SYD_MSG_EVENT_LINK)
		return 0;
	proto_begin(&g.out, h->type, r->xid);
	proto_append(&g.out, proto_body(h), h->length - sizeof(*h));
	return send_msg(r->c, &g.out) ? 0 : -EPIPE;
}

static void swap(struct state *a, struct state *b)
{
	struct state t = *a;

	*a = *b;
	*b = t;
}

/* Send a change to the dataplane.  @return 0 (also when the dataplane is away or went
 * away: the resync when it is back applies the change), or its refusal with err. */
static int dp_forward(const struct syd_hdr *h, char *err)
{
	int ret;

	if (!g.dp_up) {
		logf_("dataplane away: change kept, applied when it comes back");
		return 0;
	}
	g.fwd.len = 0;
	proto_append(&g.fwd, h, h->length);
	ret = syd_client_request(&g.dp, &g.fwd, DP_TIMEOUT_MS, NULL, NULL, err,
				 SYD_PROTO_TEXT_MAX);
	if (ret == -EPIPE || ret == -ETIMEDOUT || ret == -EBADMSG) {
		dp_down(err);
		return 0;
	}
	return ret;
}

static void handle_batch(struct sydctl_client *c, const struct syd_hdr *h)
{
	static struct state next;
	char err[SYD_PROTO_TEXT_MAX];
	int ret;

	if ((next.mac == NULL && state_init(&next) < 0) || state_copy(&next, &g.want) < 0) {
		reply_error(c, h->xid, ENOMEM, "syd-control is out of memory");
		return;
	}
	ret = state_apply_batch(&next, proto_body(h), err, sizeof(err));
	if (ret < 0) {
		reply_error(c, h->xid, -ret, err);
		return;
	}
	ret = dp_forward(h, err);
	if (ret < 0) {
		reply_error(c, h->xid, -ret, err);
		return;
	}
	swap(&g.want, &next); /* next becomes the desired state, without a copy */
	g.adopt = false; /* the user has started to declare the state */
	if (state_save_change(&g.want, g.state_path, h, &g.appended, err, sizeof(err)) < 0) {
		reply_error(c, h->xid, EIO, err);
		return;
	}
	if (g.sync_ms == 0)
		g.sync_ms = now_ms() + SYNC_MS;
	reply(c, SYD_MSG_OK, h->xid);
}

/* FLOW_MOD: staged in the desired state, sent, kept only once the dataplane took it. */
static void handle_flow_mod(struct sydctl_client *c, const struct syd_hdr *h)
{
	char err[SYD_PROTO_TEXT_MAX];
	int ret = state_stage_flow_batch(&g.want, proto_body(h), &g.undo, err, sizeof(err));

	if (ret < 0) {
		reply_error(c, h->xid, -ret, err);
		return;
	}
	ret = dp_forward(h, err);
	if (ret < 0) {
		state_undo(&g.want, &g.undo);
		reply_error(c, h->xid, -ret, err);
		return;
	}
	state_undo_keep(&g.undo);
	g.adopt = false;
	if (state_save_change(&g.want, g.state_path, h, &g.appended, err, sizeof(err)) < 0) {
		reply_error(c, h->xid, EIO, err);
		return;
	}
	if (g.sync_ms == 0)
		g.sync_ms = now_ms() + SYNC_MS;
	reply(c, SYD_MSG_OK, h->xid);
}

static void handle_read(struct sydctl_client *c, const struct syd_hdr *h)
{
	struct relay r = {.c = c, .xid = h->xid};
	char err[SYD_PROTO_TEXT_MAX];
	int ret;

	if (!g.dp_up) {
		snprintf(err, sizeof(err),
			 "syd-control is not connected to the dataplane at %s (is syd-dataplane "
			 "running with --control %s?); changes are kept and applied when it is",
			 g.dp_path, g.dp_path);
		reply_error(c, h->xid, ENOTCONN, err);
		return;
	}
	/* Forward the request as it came (some carry a body), under our own xid. */
	g.fwd.len = 0;
	ret = proto_append(&g.fwd, h, h->length);
	if (ret == 0)
		ret = syd_client_request(&g.dp, &g.fwd, DP_TIMEOUT_MS, relay, &r, err,
					 sizeof(err));
	if (ret == -EPIPE || ret == -ETIMEDOUT || ret == -EBADMSG) {
		dp_down(err);
		reply_error(c, h->xid, ENOTCONN, err);
	} else if (ret < 0) {
		reply_error(c, h->xid, -ret, err);
	} else if (h->type == SYD_MSG_BARRIER || h->type == SYD_MSG_CLEAR_STATS ||
		   h->type == SYD_MSG_CLEAR_WORKER_STATS || h->type == SYD_MSG_TRACE_START) {
		reply(c, SYD_MSG_OK, h->xid);
	} else if (h->type != SYD_MSG_GET_INFO && h->type != SYD_MSG_GET_UPLINK) {
		reply(c, SYD_MSG_DONE, h->xid);
	}
}

static void client_read(struct sydctl_client *c)
{
	char err[SYD_PROTO_TEXT_MAX];
	const struct syd_hdr *h = (const void *)g.in;
	ssize_t n = recv(c->fd, g.in, SYD_PROTO_MSG_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
	int ret;

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		close(c->fd);
		c->fd = -1;
		return;
	}
	ret = proto_check(g.in, (size_t)n, err, sizeof(err));
	if (ret < 0) {
		uint32_t xid = (size_t)n >= sizeof(*h) && (size_t)n <= SYD_PROTO_MSG_MAX ? h->xid : 0;

		reply_error(c, xid, -ret, err);
		if ((ret == -EBADMSG || ret == -EPROTONOSUPPORT || ret == -EMSGSIZE) && c->fd >= 0) {
			close(c->fd);
			c->fd = -1;
		}
		return;
	}
	if (h->type == SYD_MSG_HELLO) {
		const struct syd_hello *m = proto_body(h);
		struct syd_hello me = {.version_min = SYD_PROTO_VERSION,
				       .version_max = SYD_PROTO_VERSION};

		if (m->version_min > SYD_PROTO_VERSION || m->version_max < SYD_PROTO_VERSION) {
			reply_error(c, h->xid, EPROTONOSUPPORT,
				    "this syd-control speaks another protocol version");
			if (c->fd >= 0)
				close(c->fd);
			c->fd = -1;
			return;
		}
		c->hello = true;
		snprintf(me.software, sizeof(me.software), "syd-control %s", SYD_VERSION);
		proto_begin(&g.out, SYD_MSG_HELLO, h->xid);
		proto_append(&g.out, &me, sizeof(me));
		send_msg(c, &g.out);
		return;
	}
	if (!c->hello) {
		reply_error(c, h->xid, EPROTO, "say HELLO first (see control/proto.md)");
		return;
	}
	switch (h->type) {
	case SYD_MSG_BATCH:
		handle_batch(c, h);
		break;
	case SYD_MSG_FLOW_MOD:
		handle_flow_mod(c, h);
		break;
	case SYD_MSG_BARRIER:
	case SYD_MSG_DUMP_PORTS:
	case SYD_MSG_DUMP_NETWORKS:
	case SYD_MSG_DUMP_MACS:
	case SYD_MSG_GET_PORT_STATS:
	case SYD_MSG_GET_WORKER_STATS:
	case SYD_MSG_GET_INFO:
	case SYD_MSG_CLEAR_STATS:
	case SYD_MSG_DUMP_DROPS:
	case SYD_MSG_CLEAR_WORKER_STATS:
	case SYD_MSG_TRACE_START:
	case SYD_MSG_DUMP_TRACE:
	case SYD_MSG_DUMP_VTEPS:
	case SYD_MSG_GET_UPLINK:
	case SYD_MSG_DUMP_FLOWS:
	case SYD_MSG_FLOW_TRACE:
		handle_read(c, h);
		break;
	default:
		snprintf(err, sizeof(err), "%s is not a request", proto_msg_name(h->type));
		reply_error(c, h->xid, EOPNOTSUPP, err);
		break;
	}
}

static void accept_client(void)
{
	int fd = accept4(g.lfd, NULL, NULL, SOCK_CLOEXEC);
	struct timeval tv = {.tv_sec = 2};
	unsigned int i;

	if (fd < 0)
		return;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* A message may be SYD_PROTO_MSG_MAX bytes: more than the default send buffer. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){SYD_PROTO_MSG_MAX}, sizeof(int));
	for (i = 0; i < MAX_CLIENTS; i++) {
		if (g.cl[i].fd < 0) {
			g.cl[i] = (struct sydctl_client){.fd = fd};
			return;
		}
	}
	{
		struct sydctl_client tmp = {.fd = fd};

		reply_error(&tmp, 0, EBUSY, "too many sydctl clients; try again");
		if (tmp.fd >= 0)
			close(fd);
	}
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		logf_("--listen %s: path too long", path);
		return -1;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
		logf_("%s is in use by another process (another syd-control?): stop it or choose "
		      "another --listen",
		      path);
		close(fd);
		return -1;
	}
	if (fd >= 0)
		close(fd);
	unlink(path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || chmod(path, 0660) < 0 ||
	    listen(fd, MAX_CLIENTS) < 0) {
		logf_("cannot listen on %s: %s (does the directory exist and is it writable?)",
		      path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* ---- --config: the desired state from a file, read again on SIGHUP ---- */

/* The file's state into s (initialised).  @return 0, or -errno with the reason in err. */
static int config_read(struct state *s, char *err, size_t errlen)
{
	struct syd_config *c;
	int ret = config_load_file(config_path, &c, err, errlen);

	if (ret == 0)
		ret = config_to_state(c, s, err, errlen);
	config_free(c);
	return ret;
}

/* SIGHUP: the file's state becomes the desired one and only the difference is sent.  A bad
 * file changes nothing; so does one the dataplane refuses (the previous state returns). */
static void config_reload(void)
{
	static struct state next, old;
	char err[1024], why[256];
	int ret;

	if (config_path == NULL) {
		logf_("SIGHUP: there is no --config file to reload; ignored");
		return;
	}
	if ((next.mac == NULL && state_init(&next) < 0) ||
	    (old.mac == NULL && state_init(&old) < 0)) {
		logf_("reload of %s: out of memory; nothing changed", config_path);
		return;
	}
	ret = config_read(&next, err, sizeof(err));
	if (ret < 0) {
		logf_("reload of %s failed, nothing changed: %s", config_path, err);
		return;
	}
	swap(&old, &g.want);
	swap(&g.want, &next);
	g.adopt = false;
	if (!g.dp_up) {
		save_want();
		logf_("reload of %s: %u networks, %u ports, %u static MACs, %zu flows; 0 ops sent: "
		      "the dataplane is away and gets them when it comes back",
		      config_path, g.want.nnets, g.want.nports, g.want.nmacs,
		      state_nflows(&g.want));
		return;
	}
	snprintf(why, sizeof(why), "reload of %s", config_path);
	ret = reconcile(why);
	if (ret >= 0 || ret == -ENOTCONN) {
		save_want();
		return;
	}
	/* Refused: back to the previous state, and the dataplane with it (a difference of
	 * several batches may have been taken in part). */
	swap(&g.want, &old);
	snprintf(why, sizeof(why), "reload of %s refused: back to the previous state", config_path);
	reconcile(why);
}

/* poll, with SIGHUP let in only here: requests to the dataplane are never interrupted. */
static int wait_events(struct pollfd *pfd, nfds_t n, int timeout_ms)
{
	struct timespec ts = {.tv_sec = timeout_ms / 1000,
			      .tv_nsec = (long)(timeout_ms % 1000) * 1000000};

	return ppoll(pfd, n, &ts, &hup_unblocked);
}

static void usage(void)
{
	printf("Usage: syd-control [OPTIONS]\n"
	       "\n"
	       "Holds Switchyard's desired state, saves it, and keeps syd-dataplane in step\n"
	       "with it across restarts of either.  sydctl talks to it.\n"
	       "\n"
	       "  --dataplane PATH  the dataplane's control socket (default\n"
	       "                    /run/switchyard/dataplane.sock)\n"
	       "  --listen PATH     the socket for sydctl (default /run/switchyard/control.sock)\n"
	       "  --state FILE      where the desired state is kept (default\n"
	       "                    /var/lib/switchyard/state); when it does not exist yet,\n"
	       "                    the dataplane's configuration is adopted as desired\n"
	       "  --config FILE     the desired state from a YAML file (config/README.md); it\n"
	       "                    replaces the state file's at start (the state file is\n"
	       "                    still written), and SIGHUP reads the file again\n"
	       "  --metrics PORT    serve Prometheus metrics on http://127.0.0.1:PORT/metrics\n"
	       "                    (or 127.x.x.x:PORT; off by default)\n"
	       "  -h, --help        this text\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{"dataplane", required_argument, NULL, 'd'},
		{"listen", required_argument, NULL, 'l'},
		{"state", required_argument, NULL, 's'},
		{"metrics", required_argument, NULL, 'm'},
		{"config", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct sigaction sa = {.sa_handler = on_signal};
	const char *metrics_addr = NULL;
	char err[1024];
	sigset_t hup;
	unsigned int i;
	int c, ret;

	g.dp_path = "/run/switchyard/dataplane.sock";
	g.listen_path = "/run/switchyard/control.sock";
	g.state_path = "/var/lib/switchyard/state";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'd':
			g.dp_path = optarg;
			break;
		case 'l':
			g.listen_path = optarg;
			break;
		case 's':
			g.state_path = optarg;
			break;
		case 'm':
			metrics_addr = optarg;
			break;
		case 'c':
			config_path = optarg;
			break;
		case 'h':
			usage();
			return 0;
		default:
			fprintf(stderr, "syd-control: bad option '%s' (see --help)\n",
				argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "syd-control: unexpected argument '%s' (see --help)\n",
			argv[optind]);
		return 2;
	}
	/* SIGHUP waits (blocked) until the loop's ppoll: a reload never cuts into a request. */
	sigemptyset(&hup);
	sigaddset(&hup, SIGHUP);
	sigprocmask(SIG_BLOCK, &hup, &hup_unblocked);
	sigdelset(&hup_unblocked, SIGHUP);
	if (state_init(&g.want) < 0 || (g.in = malloc(SYD_PROTO_MSG_MAX + 1)) == NULL)
		return 1;
	ret = config_path ? config_read(&g.want, err, sizeof(err))
			  : state_load(&g.want, g.state_path, err, sizeof(err));
	if (config_path && ret < 0) {
		logf_("%s", err);
		return 1;
	} else if (config_path) {
		logf_("desired state from %s: %u networks, %u ports, %u static MACs, %zu flows (%s "
		      "is not read, only written)",
		      config_path, g.want.nnets, g.want.nports, g.want.nmacs,
		      state_nflows(&g.want), g.state_path);
		save_want();
	} else if (ret == -ENOENT) {
		g.adopt = true;
	} else if (ret < 0) {
		logf_("%s (move it away to start from the dataplane's configuration)", err);
		return 1;
	} else {
		logf_("desired state from %s: %u networks, %u ports, %u static MACs, %zu flows",
		      g.state_path, g.want.nnets, g.want.nports, g.want.nmacs,
		      state_nflows(&g.want));
		g.appended = UINT64_MAX / 2; /* it may end in a torn append: save it whole first */
	}
	if (metrics_addr != NULL) {
		g.metrics = metrics_start(metrics_addr, err, sizeof(err));
		if (g.metrics == NULL) {
			logf_("%s", err);
			return 1;
		}
		logf_("serving Prometheus metrics on http://%s%s/metrics",
		      strchr(metrics_addr, ':') ? "" : "127.0.0.1:", metrics_addr);
	}
	g.lfd = listen_on(g.listen_path);
	if (g.lfd < 0)
		return 1;
	for (i = 0; i < MAX_CLIENTS; i++)
		g.cl[i].fd = -1;
	g.dp.fd = -1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	logf_("serving sydctl on %s; dataplane at %s", g.listen_path, g.dp_path);

	while (!quit) {
		struct pollfd pfd[MAX_CLIENTS + 3];
		int map[MAX_CLIENTS + 3];
		unsigned int n = 0;

		if (reload) {
			reload = 0;
			config_reload();
		}
		dp_try_connect();
		pfd[n] = (struct pollfd){.fd = g.lfd, .events = POLLIN};
		map[n++] = -1;
		if (g.dp_up) {
			pfd[n] = (struct pollfd){.fd = g.dp.fd, .events = POLLIN};
			map[n++] = -2;
		}
		if (g.metrics != NULL) {
			pfd[n] = (struct pollfd){.fd = metrics_fd(g.metrics), .events = POLLIN};
			map[n++] = -3;
		}
		for (i = 0; i < MAX_CLIENTS; i++) {
			if (g.cl[i].fd < 0)
				continue;
			pfd[n] = (struct pollfd){.fd = g.cl[i].fd, .events = POLLIN};
			map[n++] = (int)i;
		}
		if (g.sync_ms != 0 && now_ms() >= g.sync_ms)
			sync_state();
		if (wait_events(pfd, n, g.sync_ms ? SYNC_MS : g.dp_up ? 1000 : RETRY_MS / 4) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!pfd[i].revents)
				continue;
			if (map[i] == -1)
				accept_client();
			else if (map[i] == -2 && g.dp_up)
				dp_readable();
			else if (map[i] == -3 &&
				 metrics_serve(g.metrics, g.dp_up ? &g.dp : NULL) < 0 && g.dp_up)
				dp_down("a metrics request failed");
			else if (map[i] >= 0 && g.cl[map[i]].fd >= 0)
				client_read(&g.cl[map[i]]);
		}
	}
	if (g.sync_ms != 0)
		sync_state();
	logf_("stopping; the dataplane keeps forwarding");
	for (i = 0; i < MAX_CLIENTS; i++)
		if (g.cl[i].fd >= 0)
			close(g.cl[i].fd);
	close(g.lfd);
	unlink(g.listen_path);
	syd_client_close(&g.dp);
	metrics_stop(g.metrics);
	state_free(&g.want);
	state_undo_free(&g.undo);
	return 0;
}

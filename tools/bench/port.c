/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-bench ports: net_virtio_user devices created after EAL start-up with
 * rte_dev_probe(), so each failure can name its socket.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_dev.h>
#include <rte_ethdev.h>
#include <rte_log.h>

#include "frame.h"
#include "port.h"

#define PORT_LINK_POLL_MS 10

uint64_t port_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void port_on_alarm(int sig)
{
	(void)sig; /* only here to interrupt accept() */
}

/*
 * In server mode the driver blocks in accept() until the switch connects.  A one-shot
 * timer aimed at this thread (not at EAL's threads) bounds that wait: SIGALRM, with a
 * handler installed without SA_RESTART, makes accept() fail with EINTR.
 */
struct port_alarm {
	timer_t timer;
	struct sigaction old;
	bool armed;
};

static int port_alarm_arm(struct port_alarm *a, uint64_t after_ms)
{
	struct sigevent sev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGALRM};
	struct sigaction sa = {.sa_handler = port_on_alarm};
	struct itimerspec its = {
		.it_value = {.tv_sec = (time_t)(after_ms / 1000),
			     .tv_nsec = (long)(after_ms % 1000) * 1000000},
	};

	sev._sigev_un._tid = gettid(); /* glibc 2.36 has no sigev_notify_thread_id */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, &a->old) < 0)
		return -errno;
	if (timer_create(CLOCK_MONOTONIC, &sev, &a->timer) < 0 ||
	    timer_settime(a->timer, 0, &its, NULL) < 0) {
		int ret = -errno;

		sigaction(SIGALRM, &a->old, NULL);
		return ret;
	}
	a->armed = true;
	return 0;
}

static void port_alarm_disarm(struct port_alarm *a)
{
	if (!a->armed)
		return;
	timer_delete(a->timer);
	sigaction(SIGALRM, &a->old, NULL);
	a->armed = false;
}

/* Check the socket path before the driver does, to give a reason it cannot. */
static int port_check_path(const struct port_spec *spec, char *err, size_t errlen)
{
	struct stat st;
	int ret;

	if (lstat(spec->path, &st) == 0) {
		if (spec->server) {
			snprintf(err, errlen,
				 "it already exists: remove it (left by an earlier run?)");
			return -EEXIST;
		}
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, errlen, "not a socket");
			return -ENOTSOCK;
		}
		return 0;
	}
	ret = -errno;
	if (ret == -ENOENT && spec->server) {
		/* The driver creates it: its directory must be there and writable. */
		char dir[PORT_PATH_MAX];
		char *slash;

		strcpy(dir, spec->path);
		slash = strrchr(dir, '/');
		if (slash == NULL)
			strcpy(dir, ".");
		else if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
		if (access(dir, W_OK | X_OK) == 0)
			return 0;
		ret = -errno;
		snprintf(err, errlen, "cannot create a socket in %s: %s", dir, strerror(-ret));
		return ret;
	}
	snprintf(err, errlen,
		 "%s (is the switch running, with a vhost-user server port on this socket?)",
		 strerror(-ret));
	return ret;
}

/*
 * The driver's log while it probes, held back: a timeout or an interrupt makes it report
 * a string of errors that only repeat what we say in one line.
 */
struct port_log {
	FILE *f;
	char *text;
	size_t len;
};

static void port_log_capture(struct port_log *l)
{
	l->text = NULL;
	l->len = 0;
	l->f = open_memstream(&l->text, &l->len);
	if (l->f != NULL)
		rte_openlog_stream(l->f);
}

static void port_log_release(struct port_log *l, bool show)
{
	if (l->f == NULL)
		return;
	rte_openlog_stream(NULL);
	fclose(l->f);
	if (show && l->len != 0)
		fputs(l->text, stderr);
	free(l->text);
}

/* The device's name: net_virtio_user<index>. */
static void port_format_name(const struct port *p, char *buf, size_t len)
{
	snprintf(buf, len, "net_virtio_user%u", p->index);
}

static int port_probe(struct port *p, uint64_t deadline_ms, const volatile sig_atomic_t *stop,
		      char *err, size_t errlen)
{
	struct port_alarm alarm = {.armed = false};
	char mac[RTE_ETHER_ADDR_FMT_SIZE], name[RTE_ETH_NAME_MAX_LEN], args[256];
	struct port_log log;
	uint64_t now;
	int ret;

	frame_format_mac(mac, &p->spec.mac);
	port_format_name(p, name, sizeof(name));
	ret = snprintf(args, sizeof(args), "%s,path=%s,queues=1,queue_size=%u,mac=%s%s", name,
		       p->spec.path, PORT_RING_SIZE, mac, p->spec.server ? ",server=1" : "");
	if (ret < 0 || (size_t)ret >= sizeof(args)) {
		snprintf(err, errlen, "device arguments too long");
		return -ENAMETOOLONG;
	}
	if (p->spec.server) {
		now = port_now_ms();
		if (*stop)
			return -EINTR;
		if (now >= deadline_ms)
			return -ETIMEDOUT;
		ret = port_alarm_arm(&alarm, deadline_ms - now);
		if (ret < 0) {
			snprintf(err, errlen, "cannot set a timer: %s", strerror(-ret));
			return ret;
		}
	}
	port_log_capture(&log);
	ret = rte_dev_probe(args);
	port_alarm_disarm(&alarm);
	if (ret == 0) {
		port_log_release(&log, true);
		return 0;
	}

	if (p->spec.server) {
		/* The driver made the socket and leaves it behind when accept() fails. */
		unlink(p->spec.path);
		if (*stop || port_now_ms() >= deadline_ms) {
			port_log_release(&log, false);
			return *stop ? -EINTR : -ETIMEDOUT;
		}
		snprintf(err, errlen,
			 "cannot listen on this socket (the driver's reason is above)");
	} else {
		snprintf(err, errlen,
			 "cannot connect (is the switch running, with a vhost-user "
			 "server port on this socket? the driver's reason is above)");
	}
	port_log_release(&log, true);
	return ret < 0 ? ret : -EIO;
}

int port_open(struct port *p, const struct port_spec *spec, unsigned int index,
	      struct rte_mempool *mp, uint64_t deadline_ms, const volatile sig_atomic_t *stop,
	      char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct rte_eth_conf conf;
	const char *what;
	int ret;

	memset(p, 0, sizeof(*p));
	p->spec = *spec;
	p->index = index;
	ret = port_check_path(spec, err, errlen);
	if (ret < 0)
		return ret;
	ret = port_probe(p, deadline_ms, stop, err, errlen);
	if (ret < 0)
		return ret;

	port_format_name(p, name, sizeof(name));
	ret = rte_eth_dev_get_port_by_name(name, &p->id);
	if (ret < 0) {
		snprintf(err, errlen, "%s was probed but has no ethdev: %s", name, strerror(-ret));
		rte_eal_hotplug_remove("vdev", name);
		return ret;
	}

	memset(&conf, 0, sizeof(conf));
	what = "configure";
	ret = rte_eth_dev_configure(p->id, 1, 1, &conf);
	if (ret == 0) {
		what = "set up the rx queue";
		ret = rte_eth_rx_queue_setup(p->id, 0, PORT_RING_SIZE, rte_eth_dev_socket_id(p->id),
					     NULL, mp);
	}
	if (ret == 0) {
		what = "set up the tx queue";
		ret = rte_eth_tx_queue_setup(p->id, 0, PORT_RING_SIZE, rte_eth_dev_socket_id(p->id),
					     NULL);
	}
	if (ret == 0) {
		what = "start";
		ret = rte_eth_dev_start(p->id);
	}
	if (ret < 0) {
		snprintf(err, errlen, "cannot %s the port: %s", what, rte_strerror(-ret));
		rte_eth_dev_close(p->id);
		rte_eal_hotplug_remove("vdev", name);
		return ret;
	}
	p->open = true;
	return 0;
}

bool port_link_up(const struct port *p)
{
	struct rte_eth_link link;

	memset(&link, 0, sizeof(link));
	return p->open && rte_eth_link_get_nowait(p->id, &link) == 0 &&
	       link.link_status == RTE_ETH_LINK_UP;
}

int port_wait_link(const struct port *p, uint64_t deadline_ms, const volatile sig_atomic_t *stop)
{
	const struct timespec nap = {.tv_nsec = PORT_LINK_POLL_MS * 1000000};

	for (;;) {
		if (port_link_up(p))
			return 0;
		if (*stop)
			return -EINTR;
		if (port_now_ms() >= deadline_ms)
			return -ETIMEDOUT;
		nanosleep(&nap, NULL);
	}
}

void port_close(struct port *p)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	struct port_log log;
	bool up;

	if (!p->open)
		return;
	/* With the switch gone, the driver reports each message it cannot send: not news. */
	up = port_link_up(p);
	port_log_capture(&log);
	rte_eth_dev_stop(p->id);
	/* Closing frees the queues and, in server mode, removes the socket file. */
	rte_eth_dev_close(p->id);
	port_format_name(p, name, sizeof(name));
	rte_eal_hotplug_remove("vdev", name);
	port_log_release(&log, up);
	p->open = false;
}

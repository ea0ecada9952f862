/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <net/if.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eth_vhost.h>
#include <rte_ethdev.h>
#include <rte_vhost.h>

#include "log.h"
#include "port.h"

#define PORT_RING_SIZE 1024

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

/* Is a process listening on the socket at path? */
static bool socket_is_live(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 || errno == EAGAIN;
	close(fd);
	return live;
}

int port_check_path(const char *path, enum port_kind kind, char *err, size_t errlen)
{
	char dirbuf[SYD_SOCK_PATH_MAX];
	struct stat st;
	const char *dir;

	if (kind == PORT_AF_PACKET) {
		if (if_nametoindex(path) == 0)
			return fail(err, errlen, -ENODEV,
				    "interface %s does not exist (see ip link)", path);
		return 0;
	}
	if (kind == PORT_TAP)
		return 0; /* net_tap creates it */

	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	dir = dirname(dirbuf);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return fail(err, errlen, -ENOENT,
			    "socket directory %s does not exist: create it (mkdir -p %s)", dir,
			    dir);
	if (kind == PORT_VHOST_CLIENT)
		return 0;
	if (access(dir, W_OK | X_OK) < 0)
		return fail(err, errlen, -EACCES,
			    "socket directory %s is not writable by this user: fix its "
			    "permissions or choose another path",
			    dir);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return fail(err, errlen, -EEXIST,
				    "%s exists and is not a socket: remove it or choose another "
				    "path",
				    path);
		if (socket_is_live(path))
			return fail(err, errlen, -EADDRINUSE,
				    "socket %s is in use by another process (another switch, or a "
				    "QEMU with server=on: then use --vhost-client for this port)",
				    path);
		if (unlink(path) < 0)
			return fail(err, errlen, -errno, "cannot remove stale socket %s: %s", path,
				    strerror(errno));
		DP_LOG(NOTICE, "removed stale socket %s (no process was listening)", path);
	}
	return 0;
}

/* The vdev name: its driver prefix, then our port name (what dpdk-dumpcap -i shows). */
static void port_devname(const struct port *p, char *buf, size_t len)
{
	static const char *const prefix[] = {
		[PORT_VHOST_SERVER] = "net_vhost_",
		[PORT_VHOST_CLIENT] = "net_vhost_",
		[PORT_AF_PACKET] = "net_af_packet_",
		[PORT_TAP] = "net_tap_",
	};

	snprintf(buf, len, "%s%s", prefix[p->kind], p->name);
}

static int link_event_cb(uint16_t port_id, enum rte_eth_event_type type, void *arg, void *ret)
{
	bool *flag = arg;

	RTE_SET_USED(port_id);
	RTE_SET_USED(type);
	RTE_SET_USED(ret);
	/* Runs in the interrupt thread: only note it; the main lcore does the work. */
	__atomic_store_n(flag, true, __ATOMIC_RELEASE);
	return 0;
}

int port_open(struct port *p, uint16_t nqueues, struct rte_mempool *mp, bool *link_event,
	      char *err, size_t errlen)
{
	struct rte_eth_conf conf = {.intr_conf = {.lsc = 1}};
	char devname[64], devargs[256];
	uint16_t q;
	int ret;

	port_devname(p, devname, sizeof(devname));
	switch (p->kind) {
	case PORT_AF_PACKET:
		snprintf(devargs, sizeof(devargs), "iface=%s,qpairs=%u", p->path, nqueues);
		break;
	case PORT_TAP:
		snprintf(devargs, sizeof(devargs), "iface=%s", p->path);
		break;
	default:
		snprintf(devargs, sizeof(devargs), "iface=%s,queues=%u,client=%d", p->path,
			 nqueues, p->kind == PORT_VHOST_CLIENT);
		break;
	}
	ret = rte_vdev_init(devname, devargs);
	if (ret < 0)
		return fail(err, errlen, ret, "port %s: cannot create device %s on %s: %s",
			    p->name, devname, p->path, rte_strerror(-ret));
	ret = rte_eth_dev_get_port_by_name(devname, &p->eth_port);
	if (ret < 0) {
		rte_vdev_uninit(devname);
		return fail(err, errlen, ret, "port %s: device %s has no ethdev", p->name,
			    devname);
	}
	/* Link-state interrupts where the driver has them (vhost, tap); the main lcore
	 * polls the others (af_packet) every second. */
	{
		struct rte_eth_dev_info info;

		if (rte_eth_dev_info_get(p->eth_port, &info) == 0 && info.dev_flags != NULL &&
		    !(*info.dev_flags & RTE_ETH_DEV_INTR_LSC))
			conf.intr_conf.lsc = 0;
	}
	ret = rte_eth_dev_configure(p->eth_port, nqueues, nqueues, &conf);
	for (q = 0; ret == 0 && q < nqueues; q++) {
		ret = rte_eth_rx_queue_setup(p->eth_port, q, PORT_RING_SIZE, rte_socket_id(),
					     NULL, mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(p->eth_port, q, PORT_RING_SIZE,
						     rte_socket_id(), NULL);
	}
	if (ret == 0 && conf.intr_conf.lsc)
		ret = rte_eth_dev_callback_register(p->eth_port, RTE_ETH_EVENT_INTR_LSC,
						    link_event_cb, link_event);
	if (ret == 0)
		ret = rte_eth_dev_start(p->eth_port);
	if (ret < 0) {
		rte_eth_dev_callback_unregister(p->eth_port, RTE_ETH_EVENT_INTR_LSC, link_event_cb,
						link_event);
		rte_eth_dev_close(p->eth_port);
		rte_vdev_uninit(devname);
		return fail(err, errlen, ret, "port %s: cannot start on %s: %s", p->name, p->path,
			    rte_strerror(-ret));
	}
	p->open = true;
	p->up = false;
	if (p->kind == PORT_VHOST_SERVER || p->kind == PORT_VHOST_CLIENT)
		DP_LOG(INFO, "port %s: vhost-user %s on %s (%s)", p->name,
		       p->kind == PORT_VHOST_SERVER ? "server" : "client", p->path,
		       p->kind == PORT_VHOST_SERVER ? "waiting for the VM to connect"
						    : "connecting to the VM's socket");
	else
		DP_LOG(INFO, "port %s: %s on interface %s", p->name,
		       p->kind == PORT_TAP ? "tap" : "af_packet", p->path);
	return 0;
}

void port_close(struct port *p)
{
	char devname[64];

	if (!p->open)
		return;
	port_devname(p, devname, sizeof(devname));
	rte_eth_dev_stop(p->eth_port);
	rte_eth_dev_close(p->eth_port);
	rte_vdev_uninit(devname);
	/* The vhost library removes a server socket it created; make sure of it. */
	if (p->kind == PORT_VHOST_SERVER)
		unlink(p->path);
	p->open = false;
	p->up = false;
}

int port_virtio(const struct port *p, uint64_t *features, uint16_t *vrings)
{
	int vid;

	if (!p->open || !p->up || (p->kind != PORT_VHOST_SERVER && p->kind != PORT_VHOST_CLIENT))
		return -ENOTCONN;
	vid = rte_eth_vhost_get_vid_from_port_id(p->eth_port);
	if (vid < 0 || rte_vhost_get_negotiated_features(vid, features) < 0)
		return -ENOTCONN;
	*vrings = rte_vhost_get_vring_num(vid);
	return 0;
}

bool port_link_poll(struct port *p)
{
	struct rte_eth_link link;
	bool up;

	if (!p->open)
		return false;
	if (rte_eth_link_get_nowait(p->eth_port, &link) < 0)
		return false;
	up = link.link_status == RTE_ETH_LINK_UP;
	if (up == p->up)
		return false;
	p->up = up;
	p->link_changes++;
	return true;
}

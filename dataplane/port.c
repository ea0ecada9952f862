/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <net/if.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_bus_vdev.h>
#include <rte_eal.h>
#include <rte_eth_vhost.h>
#include <rte_ethdev.h>
#include <rte_vhost.h>

#include "log.h"
#include "port.h"
#include "proto.h"

#define PORT_RING_SIZE 1024
/* AF_XDP: the kernel drops what does not fit the socket's rx ring while the worker is not
 * polling (it shares its core, or is in another port's burst), so a deeper ring. */
#define PORT_XDP_RING_SIZE 4096

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

bool port_server_listens(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 && S_ISSOCK(st.st_mode) && socket_is_live(path);
}

int port_check_path(const char *path, enum port_kind kind, char *err, size_t errlen)
{
	char dirbuf[SYD_SOCK_PATH_MAX];
	struct stat st;
	const char *dir;

	if (kind == PORT_AF_PACKET || kind == PORT_AF_XDP) {
		if (if_nametoindex(path) == 0)
			return syd_fail(err, errlen, -ENODEV,
				    "interface %s does not exist (see ip link)", path);
		return 0;
	}
	if (kind == PORT_TAP)
		return 0; /* net_tap creates it */

	snprintf(dirbuf, sizeof(dirbuf), "%s", path);
	dir = dirname(dirbuf);
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return syd_fail(err, errlen, -ENOENT,
			    "socket directory %s does not exist: create it (mkdir -p %s)", dir,
			    dir);
	if (kind == PORT_VHOST_CLIENT || kind == PORT_VIRTIO_USER)
		return 0; /* the server may come later */
	if (access(dir, W_OK | X_OK) < 0)
		return syd_fail(err, errlen, -EACCES,
			    "socket directory %s is not writable by this user: fix its "
			    "permissions or choose another path",
			    dir);
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return syd_fail(err, errlen, -EEXIST,
				    "%s exists and is not a socket: remove it or choose another "
				    "path",
				    path);
		if (socket_is_live(path))
			return syd_fail(err, errlen, -EADDRINUSE,
				    "socket %s is in use by another process (another switch, or a "
				    "QEMU with server=on: then use --vhost-client for this port)",
				    path);
		if (unlink(path) < 0)
			return syd_fail(err, errlen, -errno, "cannot remove stale socket %s: %s", path,
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
		[PORT_AF_XDP] = "net_af_xdp_",
		[PORT_VIRTIO_USER] = "net_virtio_user_",
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

/* virtio-net features a vhost-user port never offers.  The switch forwards frames as they
 * are and never computes a checksum nor segments, so a guest must send complete frames
 * (no partial checksums, no TSO/UFO super-frames) and gets only complete ones; its own
 * stack does that work.  (The PMD's default tso=0 removes HOST_TSO4/6 only, and with
 * CSUM it would compute every received TCP/UDP checksum in software on the worker.)
 * Mergeable rx buffers, indirect descriptors, event index and virtio 1.0 stay on. */
#define PORT_VHOST_NO_OFFLOADS                                                                 \
	((1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |                     \
	 (1ULL << VIRTIO_NET_F_GSO) | (1ULL << VIRTIO_NET_F_GUEST_TSO4) |                      \
	 (1ULL << VIRTIO_NET_F_GUEST_TSO6) | (1ULL << VIRTIO_NET_F_GUEST_ECN) |                \
	 (1ULL << VIRTIO_NET_F_GUEST_UFO) | (1ULL << VIRTIO_NET_F_HOST_TSO4) |                 \
	 (1ULL << VIRTIO_NET_F_HOST_TSO6) | (1ULL << VIRTIO_NET_F_HOST_ECN) |                  \
	 (1ULL << VIRTIO_NET_F_HOST_UFO))

/*
 * The socket path the vhost library is given.  The PMD registers and starts the socket
 * inside rte_eth_dev_configure(), and only after that can the features be narrowed: a
 * QEMU that asks in between (it wakes up as soon as a client port connects) is offered
 * the offloads, its guest negotiates them, the library then refuses SET_FEATURES, and
 * QEMU never reconnects ("vhost lacks feature mask"); measured: 1 open in 300 with a
 * QEMU waiting on a client-mode socket.  So the library starts on a staging path no VM
 * can reach, which becomes reachable once the features are right: a server socket is
 * created as PATH.syd-new and renamed to PATH; a client connects through a symbolic
 * link in our EAL runtime directory that appears only then (the library retries a
 * failed connect every second).  If a staging path would not fit a socket address, PATH
 * itself (and the tiny window) it is.
 */
static const char *port_vhost_iface(const struct port *p, char *buf, size_t len)
{
	int n;

	if (p->kind == PORT_VHOST_SERVER)
		n = snprintf(buf, len, "%s.syd-new", p->path);
	else
		n = snprintf(buf, len, "%s/vhost-%s", rte_eal_get_runtime_dir(), p->name);
	if (n < 0 || (size_t)n >= len || (size_t)n >= SYD_SOCK_PATH_MAX)
		return p->path;
	return buf;
}

/* Narrow the features of the socket registered at iface, then let VMs reach it.  With one
 * queue pair per port (one worker) multiqueue is off too: the workers poll only queues
 * 0..nqueues-1, and a guest given more pairs would send on queues nobody reads. */
static int port_vhost_features(const struct port *p, const char *iface, uint16_t nqueues)
{
	uint64_t off = PORT_VHOST_NO_OFFLOADS;

	if (nqueues == 1)
		off |= 1ULL << VIRTIO_NET_F_MQ;
	if (rte_vhost_driver_disable_features(iface, off) < 0)
		return -EINVAL;
	if (iface == p->path)
		return 0;
	if (p->kind == PORT_VHOST_SERVER ? rename(iface, p->path) : symlink(p->path, iface))
		return -errno;
	return 0;
}

int port_open(struct port *p, uint16_t nqueues, struct rte_mempool *mp, bool *link_event,
	      char *err, size_t errlen)
{
	struct rte_eth_conf conf = {.intr_conf = {.lsc = 1}};
	char devname[64], devargs[256], staging[SYD_SOCK_PATH_MAX];
	bool vhost = p->kind == PORT_VHOST_SERVER || p->kind == PORT_VHOST_CLIENT;
	const char *iface = p->path;
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
	case PORT_AF_XDP:
		/* One AF_XDP socket per worker, on the interface's queues 0..n-1.  No preferred
		 * busy polling (busy_budget=0): with it every rx poll is a recvfrom() syscall,
		 * even when idle, and the local path lost ~85 cycles/packet (measured: 215 ->
		 * 300 cycles, 64 B p2p with an idle uplink); the tunnel's rate did not change. */
		snprintf(devargs, sizeof(devargs),
			 "iface=%s,start_queue=0,queue_count=%u,busy_budget=0,xdp_prog=%s",
			 p->path, nqueues, p->xdp_prog);
		break;
	case PORT_VIRTIO_USER:
		/* As deep as our other rings; the frames are ours, so no offloads are asked. */
		snprintf(devargs, sizeof(devargs), "path=%s,queues=%u,queue_size=%u,server=0",
			 p->path, nqueues, PORT_RING_SIZE);
		break;
	default:
		iface = port_vhost_iface(p, staging, sizeof(staging));
		if (iface != p->path)
			unlink(iface); /* left by a switch that was killed */
		snprintf(devargs, sizeof(devargs), "iface=%s,queues=%u,client=%d", iface,
			 nqueues, p->kind == PORT_VHOST_CLIENT);
		break;
	}
	ret = rte_vdev_init(devname, devargs);
	if (ret < 0)
		return syd_fail(err, errlen, ret, "port %s: cannot create device %s on %s: %s",
			    p->name, devname, p->path, rte_strerror(-ret));
	ret = rte_eth_dev_get_port_by_name(devname, &p->eth_port);
	if (ret < 0) {
		rte_vdev_uninit(devname);
		return syd_fail(err, errlen, ret, "port %s: device %s has no ethdev", p->name,
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
	if (ret == 0 && vhost)
		ret = port_vhost_features(p, iface, nqueues);
	for (q = 0; ret == 0 && q < nqueues; q++) {
		ret = rte_eth_rx_queue_setup(p->eth_port, q,
					     p->kind == PORT_AF_XDP ? PORT_XDP_RING_SIZE
								    : PORT_RING_SIZE,
					     rte_socket_id(), NULL, mp);
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
		if (vhost && iface != p->path)
			unlink(iface);
		if (p->kind == PORT_VHOST_SERVER)
			unlink(p->path);
		return syd_fail(err, errlen, ret, "port %s: cannot start on %s: %s", p->name, p->path,
			    rte_strerror(-ret));
	}
	p->open = true;
	p->up = false;
	if (p->kind == PORT_VHOST_SERVER || p->kind == PORT_VHOST_CLIENT)
		DP_LOG(INFO, "port %s: vhost-user %s on %s (%s)", p->name,
		       p->kind == PORT_VHOST_SERVER ? "server" : "client", p->path,
		       p->kind == PORT_VHOST_SERVER ? "waiting for the VM to connect"
						    : "connecting to the VM's socket");
	else if (p->kind == PORT_VIRTIO_USER)
		DP_LOG(INFO, "port %s: virtio-user, connected to %s", p->name, p->path);
	else
		DP_LOG(INFO, "port %s: %s on interface %s", p->name,
		       p->kind == PORT_TAP      ? "tap"
		       : p->kind == PORT_AF_XDP ? "af_xdp"
						: "af_packet",
		       p->path);
	return 0;
}

void port_close(struct port *p)
{
	char devname[64], staging[SYD_SOCK_PATH_MAX];
	const char *iface;

	if (!p->open)
		return;
	port_devname(p, devname, sizeof(devname));
	rte_eth_dev_stop(p->eth_port);
	rte_eth_dev_close(p->eth_port);
	rte_vdev_uninit(devname);
	/* The vhost library removes a server socket it created; make sure of it. */
	if (p->kind == PORT_VHOST_SERVER)
		unlink(p->path);
	if (p->kind == PORT_VHOST_SERVER || p->kind == PORT_VHOST_CLIENT) {
		iface = port_vhost_iface(p, staging, sizeof(staging));
		if (iface != p->path)
			unlink(iface);
	}
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

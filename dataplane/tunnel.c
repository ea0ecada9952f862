/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>

#include "arp.h"
#include "dataplane.h"
#include "log.h"
#include "neigh.h"
#include "port.h"
#include "proto.h"
#include "tunnel.h"
#include "xdp_steer.h"

#define PUNT_RING   256
#define INJECT_RING 256
/* Next hops: looked at every second, our own ARP repeated every second until answered,
 * refreshed every 30 s, and forgotten after 3 unanswered refreshes. */
#define RETRY_MS    1000
#define REFRESH_MS  30000
#define FORGET_AFTER 3
/* A virtio-user uplink down this long, with a server listening on its socket, connects
 * again (net_virtio_user connects once, when it is created). */
#define RECONNECT_MS 2000

static const char *ip_str(uint32_t addr, char *buf)
{
	return inet_ntop(AF_INET, &addr, buf, INET_ADDRSTRLEN);
}

static uint64_t now_ms(void)
{
	return rte_rdtsc() * 1000 / rte_get_tsc_hz();
}

int tunnel_init(struct dataplane *dp)
{
	unsigned int i;

	dp->punt = rte_ring_create("syd_punt", PUNT_RING, (int)rte_socket_id(), RING_F_SC_DEQ);
	dp->inject = rte_ring_create("syd_inject", INJECT_RING, (int)rte_socket_id(),
				     RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (dp->punt == NULL || dp->inject == NULL)
		return -ENOMEM;
	for (i = 0; i < dp->nworkers; i++) {
		dp->worker[i]->punt = dp->punt;
		dp->worker[i]->inject = i == 0 ? dp->inject : NULL;
	}
	dp->uplink.slot = -1;
	return 0;
}

static void ring_drain_free(struct rte_ring *r)
{
	void *m;

	while (r != NULL && rte_ring_dequeue(r, &m) == 0)
		rte_pktmbuf_free(m);
}

void tunnel_fini(struct dataplane *dp)
{
	ring_drain_free(dp->punt);
	ring_drain_free(dp->inject);
	rte_ring_free(dp->punt);
	rte_ring_free(dp->inject);
	dp->punt = dp->inject = NULL;
}

int tunnel_vtep_find(const struct dataplane *dp, uint32_t addr)
{
	int i;

	for (i = 0; i < SYD_MAX_VTEPS; i++)
		if (dp->vtep[i].addr == addr)
			return i;
	return -1;
}

int tunnel_vtep_get(struct dataplane *dp, uint32_t addr)
{
	int v = tunnel_vtep_find(dp, addr);

	if (v < 0) {
		v = tunnel_vtep_find(dp, 0);
		if (v < 0)
			return -ENOSPC;
		memset(&dp->vtep[v], 0, sizeof(dp->vtep[v]));
		dp->vtep[v].addr = addr;
		dp->vtep[v].next_ms = 0; /* resolve at once */
	}
	dp->vtep[v].refs++;
	return v;
}

void tunnel_vtep_put(struct dataplane *dp, int v)
{
	if (v < 0 || dp->vtep[v].refs == 0)
		return;
	if (--dp->vtep[v].refs > 0)
		return;
	/* Entries learned behind it can only come from a flood list it is no longer in. */
	mac_table_flush(dp->macs, SYD_VTEP_PORT_BASE + (uint32_t)v, true);
	memset(&dp->vtep[v], 0, sizeof(dp->vtep[v]));
}

bool tunnel_uplink_is_socket(const struct uplink *u)
{
	return proto_uplink_is_socket(u->mode);
}

void tunnel_uplink_mac_for(uint32_t addr, uint8_t mac[6])
{
	mac[0] = 0x02; /* locally administered, unicast */
	mac[1] = 0x59;
	memcpy(&mac[2], &addr, 4);
}

int tunnel_uplink_configure(struct dataplane *dp, struct uplink *u, char *err, size_t errlen)
{
	(void)dp;
	if (strcmp(u->driver, "af_xdp") != 0)
		return 0;
	return xdp_steer_configure(u->ifname, u->addr, u->udp_port, u->arp, err, errlen);
}

static const char *const uplink_driver[] = {
	[PORT_AF_XDP] = "af_xdp",
	[PORT_AF_PACKET] = "af_packet",
	[PORT_VHOST_SERVER] = "vhost",
	[PORT_VIRTIO_USER] = "virtio_user",
};

/* Make port slot the uplink u, of kind, not opened yet. */
static struct port *uplink_port_init(struct dataplane *dp, const struct uplink *u,
				     unsigned int slot, enum port_kind kind)
{
	struct port *p = &dp->port[slot];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", SYD_UPLINK_NAME);
	snprintf(p->path, sizeof(p->path), "%s", tunnel_uplink_is_socket(u) ? u->path : u->ifname);
	p->kind = kind;
	p->network = SYD_NO_NETWORK;
	p->uplink = true;
	p->index = (uint16_t)slot;
	p->xdp_prog = dp->opt->xdp_prog;
	return p;
}

static int open_as(struct dataplane *dp, struct uplink *u, unsigned int slot, enum port_kind kind,
		   char *err, size_t errlen)
{
	int ret;

	uplink_port_init(dp, u, slot, kind);
	if (kind == PORT_AF_XDP && xdp_steer_detach_stale(u->ifname) > 0)
		DP_LOG(WARNING, "uplink %s: removed the XDP program a switch that was killed left "
				"on it", u->ifname);
	ret = dataplane_port_open(dp, slot, err, errlen);
	if (ret < 0)
		return ret;
	snprintf(u->driver, sizeof(u->driver), "%s", uplink_driver[kind]);
	ret = tunnel_uplink_configure(dp, u, err, errlen);
	if (ret < 0)
		dataplane_port_close(dp, slot);
	return ret;
}

int tunnel_uplink_open(struct dataplane *dp, struct uplink *u, unsigned int slot, char *err,
		       size_t errlen)
{
	struct rte_ether_addr mac;
	char why[256], a[INET_ADDRSTRLEN];
	int ret;

	u->note[0] = '\0';
	u->arp = tunnel_uplink_is_socket(u) || !neigh_addr_is_local(u->ifname, u->addr);
	if (u->mode == SYD_UPLINK_VIRTIO_USER && !port_server_listens(u->path)) {
		/* net_virtio_user connects once, when it is created: with nobody listening
		 * yet, the uplink waits with its slot taken and its port closed (as a
		 * vhost-client port waits for its VM); tunnel_poll() connects it. */
		uplink_port_init(dp, u, slot, PORT_VIRTIO_USER);
		snprintf(u->driver, sizeof(u->driver), "%s", uplink_driver[PORT_VIRTIO_USER]);
		snprintf(u->note, sizeof(u->note), "waiting for a vhost-user server on %.90s",
			 u->path);
		DP_LOG(NOTICE, "uplink %s: no vhost-user server listens on %s yet: connecting "
			       "once one does",
		       u->ifname, u->path);
		ret = 0;
	} else if (tunnel_uplink_is_socket(u)) {
		ret = open_as(dp, u, slot,
			      u->mode == SYD_UPLINK_VHOST_SERVER ? PORT_VHOST_SERVER
								 : PORT_VIRTIO_USER,
			      err, errlen);
		if (ret == 0)
			snprintf(u->note, sizeof(u->note), "no kernel interface; %s %.90s",
				 u->mode == SYD_UPLINK_VHOST_SERVER ? "listens on" : "connected to",
				 u->path);
	} else if (u->mode == SYD_UPLINK_AF_PACKET) {
		ret = open_as(dp, u, slot, PORT_AF_PACKET, err, errlen);
		if (ret == 0)
			snprintf(u->note, sizeof(u->note), "af_packet as asked: the kernel sees "
							   "every frame too");
	} else {
		ret = open_as(dp, u, slot, PORT_AF_XDP, why, sizeof(why));
		if (ret < 0 && u->mode == SYD_UPLINK_AUTO) {
			DP_LOG(WARNING, "uplink %s: AF_XDP failed (%s); falling back to af_packet",
			       u->ifname, why);
			snprintf(u->note, sizeof(u->note), "af_packet: AF_XDP failed: %.100s", why);
			ret = open_as(dp, u, slot, PORT_AF_PACKET, err, errlen);
		} else if (ret < 0) {
			snprintf(err, errlen, "%s", why);
		}
	}
	if (ret < 0)
		return ret;
	if (tunnel_uplink_is_socket(u)) {
		/* The device's own MAC means nothing on a socket: ours is what the outer
		 * headers and our ARP answers carry. */
		if (!rte_is_zero_ether_addr((const struct rte_ether_addr *)u->mac_asked))
			memcpy(u->mac, u->mac_asked, 6);
		else
			tunnel_uplink_mac_for(u->addr, u->mac);
	} else if (rte_eth_macaddr_get(dp->port[slot].eth_port, &mac) == 0) {
		memcpy(u->mac, mac.addr_bytes, 6);
	}
	u->slot = (int)slot;
	DP_LOG(NOTICE, "uplink %s: %s, VTEP %s, UDP port %u, MTU %u; %s", u->ifname, u->driver,
	       ip_str(u->addr, a), u->udp_port, u->mtu,
	       tunnel_uplink_is_socket(u)
		       ? "no kernel interface: the switch answers ARP for it, VTEPs are on-link"
	       : u->arp ? "the kernel does not have this address: the switch answers ARP for it"
			: "next hops from the kernel's neighbour table");
	return 0;
}

void tunnel_fill(const struct dataplane *dp, struct topology *t)
{
	const struct uplink *u = &dp->uplink;
	unsigned int i, v;

	t->uplink = TOPO_NO_UPLINK;
	if (u->ifname[0] != '\0' && u->slot >= 0 && dp->port[u->slot].open &&
	    !dp->port[u->slot].removed) {
		t->uplink = (uint16_t)u->slot;
		t->mtu = u->mtu;
		t->udp_port = u->udp_port;
		t->vtep_addr = u->addr;
	}
	for (v = 0; v < SYD_MAX_VTEPS; v++) {
		const struct vtep *e = &dp->vtep[v];
		struct topo_vtep *tv = &t->vtep[v];

		tv->addr = e->addr;
		tv->ok = e->addr != 0 && e->resolved && t->uplink != TOPO_NO_UPLINK &&
			 dp->port[u->slot].up;
		if (tv->ok)
			vxlan_tmpl_init(&tv->hdr, u->mac, e->mac, u->addr, e->addr, u->udp_port);
	}
	for (i = 0; i < SYD_MAX_NETWORKS; i++) {
		const struct network *n = &dp->net[i];
		struct topo_network *tn = &t->net[i];
		uint32_t h;

		if (!n->used || n->vni == 0)
			continue;
		tn->vni = n->vni;
		for (v = 0; v < n->nvteps; v++)
			tn->vtep[tn->nvteps++] = (uint8_t)n->vtep[v];
		h = (n->vni * 0x9e3779b1u) >> 25;
		while (t->vni_hash[h].vni != 0)
			h = (h + 1) & (TOPO_VNI_HASH - 1);
		t->vni_hash[h].vni = n->vni;
		t->vni_hash[h].net = (uint16_t)i;
	}
}

/* Send a frame through the uplink (worker 0 sends it). */
static void inject(struct dataplane *dp, const uint8_t *frame, uint16_t len)
{
	struct rte_mbuf *m = rte_pktmbuf_alloc(dp->mp);
	char *p;

	if (m == NULL)
		return;
	p = rte_pktmbuf_append(m, len);
	if (p == NULL || rte_ring_sp_enqueue(dp->inject, m) != 0) {
		rte_pktmbuf_free(m);
		return;
	}
	memcpy(p, frame, len);
}

/* A next hop's MAC is known (or changed): @return whether the topology must change. */
static bool learn_nexthop(struct dataplane *dp, uint32_t ip, const uint8_t mac[6])
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], m[RTE_ETHER_ADDR_FMT_SIZE];
	bool changed = false;
	unsigned int v;

	for (v = 0; v < SYD_MAX_VTEPS; v++) {
		struct vtep *e = &dp->vtep[v];

		if (e->addr == 0 || e->nexthop != ip)
			continue;
		e->unanswered = 0;
		e->next_ms = now_ms() + (dp->uplink.arp ? REFRESH_MS : RETRY_MS);
		if (e->resolved && memcmp(e->mac, mac, 6) == 0)
			continue;
		memcpy(e->mac, mac, 6);
		e->resolved = true;
		changed = true;
		rte_ether_format_addr(m, sizeof(m), (const struct rte_ether_addr *)mac);
		DP_LOG(INFO, "VTEP %s: next hop %s is %s", ip_str(e->addr, a), ip_str(ip, b), m);
	}
	return changed;
}

/* ARP that the uplink handed us: answer for our address, learn next hops. */
static bool punt_drain(struct dataplane *dp)
{
	const struct uplink *u = &dp->uplink;
	struct rte_mbuf *m[32];
	bool changed = false;
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(dp->punt, (void **)m, RTE_DIM(m), NULL);
	for (i = 0; i < n; i++) {
		struct arp_info a;
		uint8_t reply[ARP_FRAME_LEN];

		if (u->ifname[0] != '\0' &&
		    arp_parse(rte_pktmbuf_mtod(m[i], const uint8_t *), m[i]->data_len, &a) == 0) {
			if (a.op == ARP_OP_REQUEST && a.target_ip == u->addr && u->arp) {
				arp_build_reply(reply, u->mac, u->addr, a.sender_mac, a.sender_ip);
				inject(dp, reply, ARP_FRAME_LEN);
			}
			if (a.sender_ip != 0)
				changed |= learn_nexthop(dp, a.sender_ip, a.sender_mac);
		}
		rte_pktmbuf_free(m[i]);
	}
	return changed;
}

/* Look after every VTEP's next hop that is due. */
static bool nexthops_check(struct dataplane *dp)
{
	const struct uplink *u = &dp->uplink;
	bool socket = tunnel_uplink_is_socket(u);
	uint64_t now = now_ms();
	bool changed = false;
	unsigned int v;

	for (v = 0; v < SYD_MAX_VTEPS; v++) {
		struct vtep *e = &dp->vtep[v];
		uint8_t mac[6];

		if (e->addr == 0 || now < e->next_ms)
			continue;
		/* No kernel behind a socket uplink: remote VTEPs are on-link, our ARP asks. */
		e->nexthop = socket ? e->addr : neigh_nexthop(u->ifname, e->addr);
		e->next_ms = now + RETRY_MS;
		if (!socket && neigh_lookup(u->ifname, e->nexthop, mac)) {
			changed |= learn_nexthop(dp, e->nexthop, mac);
			if (u->arp)
				e->next_ms = now + REFRESH_MS;
			continue;
		}
		if (!u->arp) {
			neigh_resolve(u->ifname, e->nexthop); /* the kernel asks; we look again */
		} else {
			uint8_t req[ARP_FRAME_LEN];

			arp_build_request(req, u->mac, u->addr, e->nexthop);
			inject(dp, req, ARP_FRAME_LEN);
		}
		if (e->resolved && ++e->unanswered > FORGET_AFTER) {
			char a[INET_ADDRSTRLEN];

			e->resolved = false;
			changed = true;
			DP_LOG(WARNING, "VTEP %s: next hop no longer answers", ip_str(e->addr, a));
		}
	}
	return changed;
}

/*
 * A virtio-user uplink connects once, when its port is created, and never again by
 * itself: one set before its server listened waits with its port closed, and one whose
 * server went away (another switch restarted) stays down.  Once something listens on
 * the socket, open the port anew in its slot (closing it first when it is open but has
 * been down RECONNECT_MS).  Should that fail, the uplink stays as it was asked with its
 * port closed (no topology uses it; its slot stays the uplink's), to be tried again.
 */
static void uplink_reconnect(struct dataplane *dp, uint64_t now)
{
	static uint64_t down_since, next_try;
	struct uplink u = dp->uplink;
	bool open;
	char err[256];
	int ret;

	if (u.ifname[0] == '\0' || u.mode != SYD_UPLINK_VIRTIO_USER || u.slot < 0 ||
	    (dp->port[u.slot].open && dp->port[u.slot].up)) {
		down_since = 0;
		return;
	}
	open = dp->port[u.slot].open;
	if (down_since == 0)
		down_since = now;
	if ((open && now - down_since < RECONNECT_MS) || now < next_try)
		return;
	next_try = now + RETRY_MS;
	if (!port_server_listens(u.path))
		return;
	pthread_mutex_lock(&dp->lock);
	if (open) {
		dp->port[u.slot].removed = true; /* out of the topology before it closes */
		if (dataplane_publish(dp) < 0) {
			dp->port[u.slot].removed = false;
			pthread_mutex_unlock(&dp->lock);
			return;
		}
		dataplane_port_close(dp, (unsigned int)u.slot);
	}
	ret = tunnel_uplink_open(dp, &u, (unsigned int)u.slot, err, sizeof(err));
	if (ret == 0)
		DP_LOG(NOTICE, "uplink %s: connected to %s", u.ifname, u.path);
	else
		DP_LOG(WARNING, "uplink %s: cannot connect to %s: %s", u.ifname, u.path, err);
	dp->uplink = u;
	down_since = now;
	dataplane_publish(dp);
	pthread_mutex_unlock(&dp->lock);
}

void tunnel_poll(struct dataplane *dp)
{
	static uint64_t last_ms;
	bool changed = false;
	uint64_t now;

	if (dp->punt != NULL && !rte_ring_empty(dp->punt))
		changed |= punt_drain(dp);
	now = now_ms();
	if (dp->uplink.ifname[0] != '\0' && now - last_ms >= 100) {
		last_ms = now;
		changed |= nexthops_check(dp);
		uplink_reconnect(dp, now);
	}
	if (changed) {
		pthread_mutex_lock(&dp->lock);
		if (dataplane_publish(dp) < 0)
			DP_LOG(ERR, "no memory for a new topology: next hops wait for the next try");
		pthread_mutex_unlock(&dp->lock);
	}
}

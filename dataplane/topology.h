/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The topology: everything a worker reads to switch a packet, in one immutable snapshot.
 *
 * The main lcore builds a new snapshot for every change (a port up or down, later a port
 * or network added) and publishes it with one pointer store; workers load the pointer
 * once per poll iteration and report a quiescent state (rte_rcu_qsbr) after it, so the
 * main lcore frees the old snapshot once every worker has moved on.  A worker never sees
 * half a change, and needs no lock.
 */
#ifndef SYD_TOPOLOGY_H
#define SYD_TOPOLOGY_H

#include <stdint.h>

#include <rte_common.h>

#include "mac_table.h"
#include "options.h"
#include "tunnel.h"
#include "vxlan.h"

#define SYD_MAX_NETWORKS 64
#define SYD_NO_NETWORK   UINT16_MAX
#define TOPO_NO_UPLINK   UINT16_MAX
#define TOPO_VNI_HASH    128 /* VNI -> network, open addressing: twice SYD_MAX_NETWORKS */

struct topo_port {
	uint16_t eth_port;
	uint16_t network; /* SYD_NO_NETWORK when not attached */
	uint8_t exists;
	uint8_t up;
	/* Its frames arrive written by another core (AF_XDP's umem, filled by the kernel),
	 * not by this one's copy (vhost-user, virtio-user, AF_PACKET, TAP): the worker
	 * fetches each one's headers ahead. */
	uint8_t rx_cold;
};

struct topo_network {
	uint16_t nflood;                /* ports of the network that are up */
	uint16_t flood[SYD_MAX_PORTS];  /* their indexes */
	uint32_t vni;                   /* 0: the network has no tunnel */
	uint16_t nvteps;                /* remote VTEPs it floods to (only with a VNI) */
	uint8_t vtep[SYD_MAX_VTEPS];    /* their slots */
};

/* A remote VTEP as workers see it. */
struct topo_vtep {
	uint32_t addr; /* network order */
	uint8_t ok;    /* next hop resolved and an uplink to send on: hdr is ready */
	struct vxlan_tmpl hdr;
};

struct topo_rxq {
	uint16_t port; /* our port index */
	uint16_t eth_port;
	uint16_t queue;
};

struct trace;
struct classifier;

struct topology {
	uint64_t generation;
	struct mac_table *macs; /* one table, keyed by (network, MAC) */
	struct trace *trace;    /* a packet trace under way, or NULL */
	const struct classifier *flows; /* the flow tables, or NULL while they hold no rule */
	uint16_t nports;        /* highest port index in use + 1 */
	struct topo_port port[SYD_MAX_PORTS];
	struct topo_network net[SYD_MAX_NETWORKS];
	/* Tunnels (tunnel_fill). */
	uint16_t uplink;   /* port index of the uplink, or TOPO_NO_UPLINK */
	uint16_t mtu;      /* underlay IP MTU */
	uint16_t udp_port; /* host order */
	uint32_t vtep_addr; /* ours, network order */
	struct {
		uint32_t vni; /* 0: empty */
		uint16_t net;
	} vni_hash[TOPO_VNI_HASH];
	struct topo_vtep vtep[SYD_MAX_VTEPS];
	uint16_t nrxq[SYD_MAX_WORKERS];
	struct topo_rxq rxq[SYD_MAX_WORKERS][SYD_MAX_PORTS];
} __rte_cache_aligned;

struct port;

/*
 * Build a snapshot from the main lcore's ports: each port that is up is polled by one
 * worker (spread round robin), on rx queue 0.
 * @return the snapshot (from rte_zmalloc), or NULL when memory is short.
 */
/* The network of a VNI, or SYD_NO_NETWORK. */
static inline uint16_t topology_vni_net(const struct topology *t, uint32_t vni)
{
	uint32_t h = (vni * 0x9e3779b1u) >> 25, i; /* 7 bits: TOPO_VNI_HASH */

	for (i = 0; i < TOPO_VNI_HASH; i++, h = (h + 1) & (TOPO_VNI_HASH - 1)) {
		if (t->vni_hash[h].vni == vni)
			return t->vni_hash[h].net;
		if (t->vni_hash[h].vni == 0)
			break;
	}
	return SYD_NO_NETWORK;
}

struct topology *topology_build(const struct port *ports, unsigned int nports,
				unsigned int nworkers, struct mac_table *macs, struct trace *trace,
				uint64_t generation);

/* Free a snapshot no worker can still see. */
void topology_free(struct topology *t);

#endif /* SYD_TOPOLOGY_H */

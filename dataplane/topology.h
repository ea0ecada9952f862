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

#define SYD_MAX_NETWORKS 64
#define SYD_NO_NETWORK   UINT16_MAX

struct topo_port {
	uint16_t eth_port;
	uint16_t network; /* SYD_NO_NETWORK when not attached */
	uint8_t exists;
	uint8_t up;
};

struct topo_network {
	uint16_t nflood;                /* ports of the network that are up */
	uint16_t flood[SYD_MAX_PORTS];  /* their indexes */
};

struct topo_rxq {
	uint16_t port; /* our port index */
	uint16_t eth_port;
	uint16_t queue;
};

struct trace;

struct topology {
	uint64_t generation;
	struct mac_table *macs; /* one table, keyed by (network, MAC) */
	struct trace *trace;    /* a packet trace under way, or NULL */
	uint16_t nports;        /* highest port index in use + 1 */
	struct topo_port port[SYD_MAX_PORTS];
	struct topo_network net[SYD_MAX_NETWORKS];
	uint16_t nrxq[SYD_MAX_WORKERS];
	struct topo_rxq rxq[SYD_MAX_WORKERS][SYD_MAX_PORTS];
} __rte_cache_aligned;

struct port;

/*
 * Build a snapshot from the main lcore's ports: each port that is up is polled by one
 * worker (spread round robin), on rx queue 0.
 * @return the snapshot (from rte_zmalloc), or NULL when memory is short.
 */
struct topology *topology_build(const struct port *ports, unsigned int nports,
				unsigned int nworkers, struct mac_table *macs, struct trace *trace,
				uint64_t generation);

/* Free a snapshot no worker can still see. */
void topology_free(struct topology *t);

#endif /* SYD_TOPOLOGY_H */

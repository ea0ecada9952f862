/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_malloc.h>

#include "port.h"
#include "topology.h"

struct topology *topology_build(const struct port *ports, unsigned int nports,
				unsigned int nworkers, struct mac_table *macs, struct trace *trace,
				uint64_t generation)
{
	struct topology *t = rte_zmalloc("syd_topology", sizeof(*t), RTE_CACHE_LINE_SIZE);
	unsigned int i, next_worker = 0;

	if (t == NULL)
		return NULL;
	t->generation = generation;
	t->macs = macs;
	t->trace = trace;
	for (i = 0; i < nports; i++) {
		const struct port *p = &ports[i];
		struct topo_port *tp = &t->port[p->index];

		if (!p->open || p->removed)
			continue;
		tp->exists = 1;
		tp->eth_port = p->eth_port;
		tp->network = p->network;
		tp->up = p->up;
		tp->rx_cold = p->kind == PORT_AF_XDP;
		if (p->index >= t->nports)
			t->nports = (uint16_t)(p->index + 1);
		if (!p->up)
			continue;
		if (p->network != SYD_NO_NETWORK) {
			struct topo_network *n = &t->net[p->network];

			n->flood[n->nflood++] = p->index;
		}
		{
			unsigned int w = next_worker++ % nworkers;
			struct topo_rxq *q = &t->rxq[w][t->nrxq[w]++];

			q->port = p->index;
			q->eth_port = p->eth_port;
			q->queue = 0;
		}
	}
	return t;
}

void topology_free(struct topology *t)
{
	rte_free(t);
}

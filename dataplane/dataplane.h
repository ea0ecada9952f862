/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The running switch: ports, workers, the MAC table and the published topology.
 *
 * Everything here belongs to the main lcore, which is the single writer of all shared
 * state.  Workers get pointers into it at launch (the topology pointer, the clock, the
 * quit flag, their learn ring) and touch nothing else.
 */
#ifndef SYD_DATAPLANE_H
#define SYD_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "counters.h"
#include "mac_table.h"
#include "options.h"
#include "port.h"
#include "topology.h"
#include "worker.h"

/* What the main lcore did to the MAC table (it is the only writer). */
struct mac_counters {
	uint64_t learned;
	uint64_t moved;
	uint64_t aged;
	uint64_t full;   /* stations not learned: table full */
	uint64_t static_conflict; /* stations seen on another port than their static entry */
};

struct dataplane {
	const struct dp_options *opt;
	struct rte_mempool *mp;
	struct mac_table *macs;
	struct rte_rcu_qsbr *qs;
	struct topology *topo; /* published to workers; replaced by dataplane_publish() */
	uint64_t generation;
	struct port port[SYD_MAX_PORTS];
	unsigned int nports;
	struct worker *worker[SYD_MAX_WORKERS];
	unsigned int nworkers;
	struct mac_counters mc;
	uint32_t now_s; /* seconds since start, for workers and aging */
	uint64_t start_tsc;
	volatile bool quit;
	bool link_event; /* set by the link-state callback */

	/* Counter baselines: "clear" records the current values, reads subtract them. */
	struct port_counters port_base[SYD_MAX_PORTS];
	struct worker_counters worker_base[SYD_MAX_WORKERS];
	uint64_t base_tsc;
};

/*
 * Create everything after rte_eal_init(): mempool, MAC table, ports (from the options),
 * the first topology, and launch the workers.  Every port is attached to network 0.
 * @return 0, or -errno with the reason in err (all undone).
 */
int dataplane_start(struct dataplane *dp, const struct dp_options *opt, char *err,
		    size_t errlen);

/* One pass of the main lcore's work (learning, links, aging); call it often. */
void dataplane_poll(struct dataplane *dp);

/* Stop the workers, close the ports (server sockets removed), free everything. */
void dataplane_stop(struct dataplane *dp);

/* Sum a port's counters over the workers, minus the baseline. */
void dataplane_port_counters(const struct dataplane *dp, unsigned int port,
			     struct port_counters *out);

/* A worker's counters, minus the baseline. */
void dataplane_worker_counters(const struct dataplane *dp, unsigned int worker,
			       struct worker_counters *out);

/* Take the current counters as the new zero (like ovs-appctl dpif-netdev/pmd-stats-clear). */
void dataplane_clear_counters(struct dataplane *dp);

/* Log every counter: ports, drops by reason, workers, MAC table. */
void dataplane_log_counters(const struct dataplane *dp);

#endif /* SYD_DATAPLANE_H */

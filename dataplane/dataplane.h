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

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>
#include <rte_rcu_qsbr.h>

#include "counters.h"
#include "mac_table.h"
#include "options.h"
#include "port.h"
#include "topology.h"
#include "tunnel.h"
#include "worker.h"

/* What the main lcore did to the MAC table (it is the only writer). */
struct mac_counters {
	uint64_t learned;
	uint64_t moved;
	uint64_t aged;
	uint64_t full;   /* stations not learned: table full */
	uint64_t static_conflict; /* stations seen on another port than their static entry */
};

struct network {
	char name[SYD_PORT_NAME_MAX + 1];
	bool used;
	uint32_t vni;                /* 0: no tunnel */
	uint16_t nvteps;             /* its flood list: remote VTEP slots */
	uint16_t vtep[SYD_MAX_VTEPS];
};

struct ctl;
struct flow_state;

struct dataplane {
	/* Held by the main lcore while it changes ports, networks or counter baselines,
	 * and by telemetry callbacks (another thread) while they read them. */
	pthread_mutex_t lock;
	const struct dp_options *opt;
	struct ctl *ctl; /* the control socket, or NULL */
	struct rte_mempool *mp;
	struct mac_table *macs;
	struct rte_rcu_qsbr *qs;
	struct topology *topo; /* published to workers; replaced by dataplane_publish() */
	uint64_t generation;
	struct port port[SYD_MAX_PORTS]; /* by index; a slot is in use when open */
	unsigned int nports;              /* highest slot in use + 1 */
	struct network net[SYD_MAX_NETWORKS];
	struct vtep vtep[SYD_MAX_VTEPS]; /* remote VTEPs by slot */
	struct uplink uplink;
	struct rte_ring *punt;   /* ARP from the uplink, for the main lcore */
	struct rte_ring *inject; /* frames for worker 0 to send on the uplink */
	struct worker *worker[SYD_MAX_WORKERS];
	unsigned int nworkers;
	struct mac_counters mc;
	struct flow_state *flows;  /* the flow tables (flows.h) */
	struct trace *trace;       /* the last trace asked for (kept for reading when done) */
	bool trace_published;      /* in the topology: workers are recording */
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

/*
 * Publish a topology built from the ports and networks as they are now, and wait until
 * every worker has moved to it.  @return 0, or -ENOMEM (the old topology stays).
 */
int dataplane_publish(struct dataplane *dp);

/* Slot of the open port named name, or -1. */
int dataplane_port_find(const struct dataplane *dp, const char *name);

/* Slot of the network named name, or -1. */
int dataplane_network_find(const struct dataplane *dp, const char *name);

/* A free port slot, or -1. */
int dataplane_port_free_slot(const struct dataplane *dp);

/*
 * Open the port described in slot (name, path, kind and network set by the caller):
 * check its path, create and start its device.  Not yet in the topology.
 * @return 0, or -errno with the reason in err.
 */
int dataplane_port_open(struct dataplane *dp, unsigned int slot, char *err, size_t errlen);

/* Close the port in slot; call only once it is out of the published topology. */
void dataplane_port_close(struct dataplane *dp, unsigned int slot);

/*
 * Start tracing the next want packets (at most TRACE_MAX) that match filter, replacing
 * any trace before.  @return 0 or -ENOMEM.
 */
struct trace_filter;
int dataplane_trace_start(struct dataplane *dp, const struct trace_filter *filter,
			  uint32_t want);

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

/* The same for the workers' counters only (as ovs-appctl dpif-netdev/pmd-stats-clear). */
void dataplane_clear_worker_counters(struct dataplane *dp);

/* Log every counter: ports, drops by reason, workers, MAC table. */
void dataplane_log_counters(const struct dataplane *dp);

#endif /* SYD_DATAPLANE_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Workers: the poll loops that switch packets, one per worker lcore.
 *
 * A worker owns its struct worker: counters, tx buffers and learn requests are written
 * by it alone.  It reads the published topology (RCU) and the MAC table (lock-free).
 * Each iteration: load the topology, receive a burst from every rx queue it was given,
 * switch each burst, flush every tx buffer it filled, send its learn requests to the
 * main lcore, then report a quiescent state.  No locks, syscalls, allocation (beyond
 * mbufs) or logging on this path.
 */
#ifndef SYD_WORKER_H
#define SYD_WORKER_H

#include <stdint.h>

#include <rte_mbuf.h>
#include <rte_rcu_qsbr.h>
#include <rte_ring.h>

#include "classifier_emc.h"
#include "counters.h"
#include "ledger.h"
#include "options.h"
#include "topology.h"

#define WORKER_BURST        32
#define WORKER_LEARN_FILTER 256 /* recently requested stations, to not repeat requests */

/* A station the worker saw as a source and the MAC table does not have on that port. */
struct learn_req {
	uint64_t key; /* mac_table_key() */
	uint32_t port;
	uint32_t pad;
};

struct tx_buf {
	uint16_t n;
	struct rte_mbuf *pkts[WORKER_BURST];
};

struct worker {
	/* Set by the main lcore before launch, then read-only. */
	unsigned int id; /* 0..nworkers-1: also the tx queue it uses on every port */
	unsigned int lcore;
	struct topology **topo; /* the published snapshot pointer */
	struct rte_rcu_qsbr *qs;
	struct rte_ring *learn_ring;
	const uint32_t *now_s; /* coarse clock the main lcore keeps */
	volatile bool *quit;
	struct rte_mempool *mp;    /* for copies to remote VTEPs */
	struct rte_ring *punt;     /* ARP from the uplink, to the main lcore (shared) */
	struct rte_ring *inject;   /* frames the main lcore sends on the uplink: worker 0 */
	struct cls_emc *emc;       /* its exact-match cache in front of the flow tables */

	/* The worker's own state. */
	uint64_t dirty; /* bit i: tx[i] holds packets */
	uint16_t nlearn;
	struct learn_req learn[WORKER_BURST];
	struct {
		uint64_t key;
		uint64_t tsc;
	} learn_recent[WORKER_LEARN_FILTER];
	struct tx_buf tx[SYD_MAX_PORTS];
	uint64_t counted_v;   /* the flow tables' version when emc's counts were last flushed */
	uint64_t counted_tsc; /* and when */

	struct worker_counters wc;
	struct port_counters pc[SYD_MAX_PORTS];
	struct ledger ledger;
	uint64_t now_tsc; /* TSC at the start of this iteration, for the ledger */
} __rte_cache_aligned;

/* The lcore entry point (rte_eal_remote_launch): runs until *w->quit. */
int worker_main(void *arg);

#endif /* SYD_WORKER_H */

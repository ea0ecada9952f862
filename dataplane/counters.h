/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Counters: written only by the worker that owns them, with plain stores, and read by
 * the main lcore with relaxed atomic loads (64-bit aligned: never torn on x86-64 or
 * arm64).  A reader sums the workers' copies; nothing on the packet path is shared.
 */
#ifndef SYD_COUNTERS_H
#define SYD_COUNTERS_H

#include <stdint.h>

#include <rte_common.h>

#include "drop.h"

struct port_counters {
	uint64_t rx_packets;
	uint64_t rx_bytes;
	/* Received packets handed on to one or more output ports (a flood counts once).
	 * rx_packets = forwarded + the drops of rx-side reasons, for every port. */
	uint64_t forwarded;
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops[SYD_DROP_MAX]; /* indexed by enum syd_drop */
	/* Not counted by workers: the device's own count of packets it dropped before we
	 * polled them (rte_eth_stats imissed: a full rx ring, e.g. AF_XDP's). */
	uint64_t rx_missed;
} __rte_cache_aligned;

/* Bursts received, by size: 1, 2-3, 4-7, 8-15, 16-31, 32 (bucket = log2 of the size). */
#define WORKER_BURST_BUCKETS 6

/*
 * Per worker.  Cycles are counted as dpdk-testpmd's --record-core-cycles counts them, so
 * that the two compare: a poll that received packets is busy (with the switching and
 * sending of its burst), an empty poll is idle, and the rest of an iteration (the
 * learn requests, the RCU report) is busy when the iteration moved packets.  (OVS's
 * pmd-stats-show counts whole iterations: an empty poll in a busy one is busy there.)
 */
struct worker_counters {
	uint64_t busy_cycles;
	uint64_t idle_cycles;
	uint64_t switch_cycles;	 /* of busy_cycles, those spent switching received bursts
				  * (parsing, flow tables, L2 switch), not in rx or tx */
	uint64_t packets;        /* received in busy iterations */
	uint64_t iterations;
	uint64_t learn_requests; /* new or moved stations sent to the main lcore */
	uint64_t learn_lost;     /* requests dropped because the learn ring was full */
	uint64_t burst[WORKER_BURST_BUCKETS];
	uint64_t flow_cache_hits; /* kept by the worker's cache (cls_emc): read, not added */
	uint64_t flow_cache_misses;
} __rte_cache_aligned;

/* dst += a snapshot of src (relaxed loads). */
static inline void port_counters_add(struct port_counters *dst, const struct port_counters *src)
{
	unsigned int i;

	dst->rx_packets += __atomic_load_n(&src->rx_packets, __ATOMIC_RELAXED);
	dst->rx_bytes += __atomic_load_n(&src->rx_bytes, __ATOMIC_RELAXED);
	dst->forwarded += __atomic_load_n(&src->forwarded, __ATOMIC_RELAXED);
	dst->tx_packets += __atomic_load_n(&src->tx_packets, __ATOMIC_RELAXED);
	dst->tx_bytes += __atomic_load_n(&src->tx_bytes, __ATOMIC_RELAXED);
	for (i = 0; i < SYD_DROP_MAX; i++)
		dst->drops[i] += __atomic_load_n(&src->drops[i], __ATOMIC_RELAXED);
}

static inline void worker_counters_add(struct worker_counters *dst,
				       const struct worker_counters *src)
{
	dst->busy_cycles += __atomic_load_n(&src->busy_cycles, __ATOMIC_RELAXED);
	dst->idle_cycles += __atomic_load_n(&src->idle_cycles, __ATOMIC_RELAXED);
	dst->switch_cycles += __atomic_load_n(&src->switch_cycles, __ATOMIC_RELAXED);
	dst->packets += __atomic_load_n(&src->packets, __ATOMIC_RELAXED);
	dst->iterations += __atomic_load_n(&src->iterations, __ATOMIC_RELAXED);
	dst->learn_requests += __atomic_load_n(&src->learn_requests, __ATOMIC_RELAXED);
	dst->learn_lost += __atomic_load_n(&src->learn_lost, __ATOMIC_RELAXED);
	for (unsigned int i = 0; i < WORKER_BURST_BUCKETS; i++)
		dst->burst[i] += __atomic_load_n(&src->burst[i], __ATOMIC_RELAXED);
}

#endif /* SYD_COUNTERS_H */

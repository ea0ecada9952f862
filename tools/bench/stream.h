/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stream: throughput through a switch.  Ports are paired (0<->1, 2<->3, ...): each sends
 * Ethernet/IPv4/UDP frames to its peer's MAC, as fast as its tx ring takes them or at a
 * set rate, and counts whatever it receives.  The generator is built to be cheaper per
 * packet than the switch it measures: mbufs are allocated and freed in bursts and filled
 * by copying one prebuilt frame.
 *
 * Runs on the calling lcore until done or *stop is set; it owns the ports' queues while
 * it runs.
 */
#ifndef SYD_BENCH_STREAM_H
#define SYD_BENCH_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "port.h"

#define STREAM_SIZE_MAX	 1514 /* frame bytes without FCS */
#define STREAM_FLOWS_MAX (65536 - 1024)

struct stream_config {
	unsigned int frame_size; /* bytes without FCS: FRAME_SIZE_MIN to STREAM_SIZE_MAX */
	unsigned int flows;	 /* UDP source ports, used round robin */
	uint64_t rate_pps;	 /* per port; 0: as fast as possible */
	unsigned int duration_s; /* measured */
	unsigned int warmup_s;	 /* sent before measuring, not counted */
	bool json;		 /* summary as one JSON object on stdout */
	bool quiet;		 /* no line each second */
};

/*
 * Announce every port's MAC (4 broadcast gratuitous ARPs each), wait 100 ms and discard
 * what came back, then stream for warmup_s + duration_s seconds, print a line each
 * second (stdout, or stderr with json) and a summary of the measured period on stdout.
 * nports is even.  When *stop is set during the measured period the summary covers what
 * was measured.
 * @return 0; -EINTR (*stop set before anything was measured); -ENOMEM.
 */
int stream_run(const struct stream_config *cfg, const struct port *ports, unsigned int nports,
	       struct rte_mempool *mp, const volatile sig_atomic_t *stop);

#endif /* SYD_BENCH_STREAM_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stream: throughput, loss and latency through a switch.  Ports are paired (0<->1, 2<->3,
 * ...): each sends Ethernet/IPv4/UDP frames to its peer's MAC (a remote VTEP's inside
 * VXLAN: port.h), as fast as its tx ring takes them or at a set rate, and counts
 * whatever it receives.  Each pair of directions is a stream; a stream's loss is what one
 * port sent and its peer did not receive.
 *
 * The generator is built to be cheaper per packet than the switch it measures: mbufs are
 * allocated and freed in bursts; each is filled by copying the first 64 bytes (128 with
 * a remote VTEP's VXLAN headers in front) of one of up to three prebuilt frames (the
 * bytes past the headers are whatever the mbuf held: a switch does not read them), then
 * patching a stamp (TSC of the burst, sequence number) and, with several flows, the UDP
 * ports and the IPv4 destination (checksum patched incrementally, RFC 1624).  Latency is
 * measured on the oldest frame of each received burst, so the receive path reads one
 * frame's payload per burst, not per frame.
 *
 * Runs on the calling lcore until done or *stop is set; it owns the ports' queues while
 * it runs.
 */
#ifndef SYD_BENCH_STREAM_H
#define SYD_BENCH_STREAM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <rte_mempool.h>

#include "latency.h"
#include "port.h"

#define STREAM_SIZE_MAX	   1514 /* frame bytes without FCS */
#define STREAM_SIZE_IMIX   0	/* frame_size for IMIX */
#define STREAM_SPORTS	   (65536 - 1024) /* UDP source ports 1024-65535 */
#define STREAM_FLOWS_MAX   4000000000u
#define STREAM_DST_IPS_MAX 65536 /* 198.19.0.0/16 */
#define STREAM_IMIX_WIRE_MEAN (4342.0 / 12) /* 7 x 64, 4 x 594, 1 x 1518 bytes */

struct stream_config {
	unsigned int frame_size; /* bytes without FCS, or STREAM_SIZE_IMIX */
	uint32_t flows;		 /* distinct 5-tuples, in turn */
	uint32_t dst_ips;	 /* 1: the peer's address; more: 198.19.0.0 and up */
	uint64_t rate_pps;	 /* per port; 0: as fast as possible */
	unsigned int duration_s; /* measured */
	unsigned int warmup_s;	 /* sent before measuring, not counted */
	bool json;		 /* summary as one JSON object on stdout */
	bool quiet;		 /* no line each second */
	bool check_order;	 /* read every frame's sequence number: count reordered ones */
	/* search only */
	double pdr_loss;  /* the loss ratio PDR allows (0.005) */
	double precision; /* stop when the interval is below this fraction of the top rate */
};

/* One port's counters over a measured period. */
struct stream_counters {
	uint64_t tx_packets;
	uint64_t tx_dropped; /* built, but the tx ring was full */
	uint64_t tx_nombuf;  /* bursts not built: the mbuf pool was empty */
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t rx_reordered; /* --check-order: a lower sequence number than one before */
};

/* What one trial measured. */
struct stream_result {
	uint64_t rate_pps; /* asked per port; 0: as fast as possible */
	double secs;
	bool interrupted;
	bool gen_limited; /* a rate was asked and the generator could not offer it */
	unsigned int nports;
	struct stream_counters sum;
	struct stream_counters port[PORT_MAX];
	double tx_pps;	    /* accepted by the switch's rx rings */
	double offered_pps; /* tx_pps plus what found the ring full */
	double rx_pps;
	double rx_gbps; /* on the wire: frames + FCS + preamble and gap */
	double loss;	/* (offered - received) / offered with a rate; (tx - rx) / tx without */
	struct latency lat;
};

struct stream;

/*
 * Prepare frames for every port, announce every port's MAC (4 broadcast gratuitous ARPs
 * each), wait 100 ms and discard what came back.  nports is even.
 * @return 0 with *out set; -EINVAL; -ENOMEM.
 */
int stream_open(const struct stream_config *cfg, const struct port *ports, unsigned int nports,
		struct rte_mempool *mp, const volatile sig_atomic_t *stop, struct stream **out);

/*
 * One trial: send at rate_pps per port (0: as fast as possible) for warmup_s, wait until
 * nothing more arrives, then measure duration_s and receive what is still in flight.
 * Lines each second go to the progress stream unless quiet.
 * @return 0 with *res filled; -EINTR (*stop set before anything was measured).
 */
int stream_trial(struct stream *st, uint64_t rate_pps, unsigned int warmup_s,
		 unsigned int duration_s, struct stream_result *res);

/* The frame size on the wire (FCS included) stream sends, on average for IMIX. */
double stream_wire_size(const struct stream_config *cfg);

/* The TSC frequency the trials measured with. */
uint64_t stream_hz(const struct stream *st);

/* Write res as a JSON object (no newline). */
void stream_write_result_json(FILE *f, const struct stream *st, const struct stream_result *res);

/* The settings as the opening members of a JSON object ("size":..,"flows":..,...). */
void stream_write_config_json(FILE *f, const struct stream_config *cfg);

void stream_close(struct stream *st);

/*
 * stream mode: open, one trial at cfg->rate_pps, a summary of the measured period on
 * stdout (a table, or one JSON object with cfg->json).
 * @return 0; -EINTR (*stop set before anything was measured); -ENOMEM.
 */
int stream_run(const struct stream_config *cfg, const struct port *ports, unsigned int nports,
	       struct rte_mempool *mp, const volatile sig_atomic_t *stop);

#endif /* SYD_BENCH_STREAM_H */

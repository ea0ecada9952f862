/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-bench: plays VMs on virtio-user ports attached to a switch's vhost-user sockets.
 *
 * One process, one lcore.  Modes: "stream" (throughput, paired ports send to each other
 * as fast as they can or at a set rate) and "peer" (a scripted VM for tests: commands on
 * stdin, one JSON line per answer on stdout).
 */
#ifndef SYD_BENCH_H
#define SYD_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#define BENCH_MAX_PORTS 16
#define BENCH_BURST     32
#define BENCH_PATH_MAX  108

struct bench_port {
	char path[BENCH_PATH_MAX];
	bool server; /* we create the socket: the switch's port is a vhost-user client */
	struct rte_ether_addr mac;
	uint16_t port_id;
};

struct bench_opts {
	unsigned int core;
	unsigned int mem_mb;
	char file_prefix[64];
	unsigned int link_timeout_s;
	const char *eal_extra;
	struct bench_port port[BENCH_MAX_PORTS];
	unsigned int nports;

	/* stream */
	unsigned int size;  /* frame bytes without FCS */
	unsigned int flows;
	uint64_t rate_pps;  /* per port; 0: as fast as possible */
	unsigned int duration_s;
	unsigned int warmup_s;
	bool json;
	bool quiet;
};

extern volatile bool bench_quit;

/* Ports: probe the vdevs' ethdevs, configure and start them, wait for link up. */
int bench_ports_start(struct bench_opts *o, struct rte_mempool *mp);
void bench_ports_stop(struct bench_opts *o);

/* Frames. */
#define FRAME_UDP_SPORT_BASE 1024
unsigned int frame_build_udp(uint8_t *buf, unsigned int size, const struct rte_ether_addr *dst,
			     const struct rte_ether_addr *src, uint32_t ip_src, uint32_t ip_dst,
			     int vlan, uint16_t ethertype);
unsigned int frame_build_arp_announce(uint8_t *buf, const struct rte_ether_addr *src,
				      uint32_t ip);
/* The address 198.18.0.(i+1), network order. */
uint32_t frame_port_ip(unsigned int i);
/* MAC as lower-case xx:xx:xx:xx:xx:xx into buf (RTE_ETHER_ADDR_FMT_SIZE bytes). */
void frame_format_mac(char *buf, const struct rte_ether_addr *mac);

int stream_run(struct bench_opts *o, struct rte_mempool *mp);
int peer_run(struct bench_opts *o, struct rte_mempool *mp);

#endif /* SYD_BENCH_H */

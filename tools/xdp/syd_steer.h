/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the XDP steering program (syd_steer.bpf.c) and its loader (dataplane/xdp_steer.c)
 * agree on: the program's and maps' names, the configuration entry and the counters.
 * Included by both the BPF program (clang -target bpf) and user space: kernel UAPI types
 * only.
 *
 * Changing a layout here changes both sides at once; the loader checks the map's value
 * size, so an older object on disk is refused rather than misread.
 */
#ifndef SYD_STEER_H
#define SYD_STEER_H

#include <linux/types.h>

#define SYD_STEER_PROG_NAME  "syd_steer" /* as the kernel reports it (15 characters at most) */
#define SYD_STEER_CFG_MAP    "syd_cfg"
#define SYD_STEER_STATS_MAP  "syd_stats"
#define SYD_STEER_XSK_MAP    "xsks_map" /* the name DPDK's net_af_xdp looks for */
#define SYD_STEER_MAX_QUEUES 64		/* xsks_map entries: rx queue indexes 0..63 */

/* The one entry of syd_cfg (key 0), written by the dataplane. */
struct syd_steer_cfg {
	__u32 vtep_addr; /* our VTEP address, network order; 0: pass everything */
	__u16 udp_port;	 /* our VXLAN UDP port, network order */
	__u8 steer_arp;	 /* 1: ARP whose target IP is vtep_addr goes to the socket too */
	__u8 pad;	 /* 0 */
};

/* syd_stats: a per-CPU array of __u64 packet counts indexed by this. */
enum syd_steer_counter {
	SYD_STEER_VXLAN = 0, /* VXLAN for us, redirected into the AF_XDP socket */
	SYD_STEER_ARP,	     /* ARP for our address, redirected */
	SYD_STEER_PASS,	     /* not ours (or no configuration): passed to the kernel */
	SYD_STEER_NO_XSK,    /* ours, but no AF_XDP socket on its rx queue: passed to the kernel */
	SYD_STEER_MAX
};

#endif /* SYD_STEER_H */

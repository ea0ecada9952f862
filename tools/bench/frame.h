/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames syd-bench sends: Ethernet [802.1Q] IPv4/UDP test frames and gratuitous ARP
 * announcements, built once into a buffer that the senders copy.  Addresses are in the
 * benchmarking range 198.18.0.0/15.  Pure functions, no state: safe anywhere.
 */
#ifndef SYD_BENCH_FRAME_H
#define SYD_BENCH_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#define FRAME_SIZE_MIN	     60	  /* without FCS: 64 bytes on the wire */
#define FRAME_SIZE_MAX	     1518 /* without FCS, with an 802.1Q tag */
#define FRAME_UDP_SPORT_BASE 1024 /* flow k uses UDP source port 1024 + k */
#define FRAME_UDP_DPORT	     9	  /* discard */
#define FRAME_ANNOUNCE_SIZE  60
#define FRAME_STAMP_MAGIC    0x42445953u /* "SYDB" in memory order */

/*
 * What stream writes at the start of the UDP payload of the frames it sends, in host
 * order (only syd-bench reads it): the TSC when the burst was sent and a sequence number.
 */
struct frame_stamp {
	uint64_t tsc;
	uint32_t seq;
	uint32_t magic; /* FRAME_STAMP_MAGIC */
} __attribute__((packed));

struct frame_spec {
	struct rte_ether_addr dst;
	struct rte_ether_addr src;
	int vlan;	    /* 802.1Q VID 0-4095, or -1: untagged */
	uint16_t ethertype; /* host order; RTE_ETHER_TYPE_IPV4 gets IPv4/UDP, others zeros */
	rte_be32_t ip_src;
	rte_be32_t ip_dst;
	unsigned int size; /* bytes without FCS, 1 to FRAME_SIZE_MAX */
};

/*
 * Write the frame f describes into buf.  IPv4 frames carry a valid header checksum and
 * UDP checksum 0, so a sender may patch the UDP source port without recomputing anything.
 * A size shorter than the headers cuts the frame there (for malformed-frame tests).
 * @return f->size, or -EINVAL (size out of range, or buf_len smaller than size).
 */
int frame_build(uint8_t *buf, size_t buf_len, const struct frame_spec *f);

/*
 * Offset of the UDP source port in a frame built from f.
 * @return the offset, or 0 when the frame has no whole UDP header.
 */
unsigned int frame_udp_sport_offset(const struct frame_spec *f);

/*
 * Offset of the IPv4 header in a frame built from f.
 * @return the offset, or 0 when the frame has no whole IPv4/UDP header.
 */
unsigned int frame_ipv4_offset(const struct frame_spec *f);

/*
 * Offset of the UDP payload, where a struct frame_stamp goes.
 * @return the offset, or 0 when the frame has no room for a whole stamp there.
 */
unsigned int frame_stamp_offset(const struct frame_spec *f);

/*
 * A gratuitous ARP request for ip from src to broadcast, FRAME_ANNOUNCE_SIZE bytes, so a
 * learning switch learns src.  @return the length, or -EINVAL (buf too small).
 */
int frame_build_announce(uint8_t *buf, size_t buf_len, const struct rte_ether_addr *src,
			 rte_be32_t ip);

/* The address 198.18.0.host, network order. */
rte_be32_t frame_ip(uint8_t host);

/* mac as lower-case xx:xx:xx:xx:xx:xx into buf (RTE_ETHER_ADDR_FMT_SIZE bytes). */
void frame_format_mac(char *buf, const struct rte_ether_addr *mac);

#endif /* SYD_BENCH_FRAME_H */

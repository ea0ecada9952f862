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
#define FRAME_VXLAN_OVERHEAD 50		 /* outer Ethernet, IPv4, UDP and VXLAN headers */
#define FRAME_VXLAN_PORT     4789
#define FRAME_VXLAN_SPORT    49152 /* the outer UDP source port a remote VTEP uses */

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
 * The outer headers a remote VTEP puts on the frames it sends into a switch's uplink
 * (RFC 7348): from its address and MAC to the switch's VTEP address and uplink MAC.
 */
struct frame_vxlan {
	struct rte_ether_addr dst; /* the switch's uplink */
	struct rte_ether_addr src; /* the remote VTEP's */
	rte_be32_t ip_src;	   /* the remote VTEP */
	rte_be32_t ip_dst;	   /* the switch's VTEP */
	uint32_t vni;		   /* 0 to 2^24 - 1 */
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

/*
 * Wrap the inner frame of inner_len bytes in the VXLAN headers v describes: writes
 * inner_len + FRAME_VXLAN_OVERHEAD bytes into buf (outer IPv4 checksum valid, UDP
 * checksum 0 as RFC 7348 allows).
 * @return that length, or -EINVAL (buf too small, or a VNI over 24 bits).
 */
int frame_build_vxlan(uint8_t *buf, size_t buf_len, const struct frame_vxlan *v,
		      const uint8_t *inner, unsigned int inner_len);

/*
 * The answer of mac (whose address is ip) to the len bytes in req, when they are an ARP
 * request for ip; FRAME_ANNOUNCE_SIZE bytes into buf.
 * @return FRAME_ANNOUNCE_SIZE; 0 (req is not such a request); -EINVAL (buf too small).
 */
int frame_build_arp_reply(uint8_t *buf, size_t buf_len, const uint8_t *req, size_t len,
			  const struct rte_ether_addr *mac, rte_be32_t ip);

/* The address 198.18.0.host, network order. */
rte_be32_t frame_ip(uint8_t host);

/* mac as lower-case xx:xx:xx:xx:xx:xx into buf (RTE_ETHER_ADDR_FMT_SIZE bytes). */
void frame_format_mac(char *buf, const struct rte_ether_addr *mac);

#endif /* SYD_BENCH_FRAME_H */

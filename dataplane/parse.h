/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet parser: reads a frame once into a compact key that later stages use.
 *
 * Pure function of the frame's bytes: no EAL, no mbuf, no state.  It never reads past
 * the length it is given.  Ethernet and its VLAN tags must be whole, or the frame is
 * not switchable and the parser returns the drop reason.  Anything wrong above L2 does
 * not stop an L2 switch from forwarding the frame: the parser stops there, sets
 * PKT_F_L3_BAD and names the problem in key->l3_err, and the L2 fields stay valid.
 */
#ifndef SYD_PARSE_H
#define SYD_PARSE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "drop.h"

#define PKT_F_VLAN   (1u << 0) /* at least one 802.1Q/802.1ad tag; vlan_tci is the outer one */
#define PKT_F_QINQ   (1u << 1) /* two tags */
#define PKT_F_IPV4   (1u << 2) /* ip_src, ip_dst, ip_proto valid */
#define PKT_F_IPV6   (1u << 3) /* ip_proto valid (addresses not kept) */
#define PKT_F_ARP    (1u << 4) /* ip_src/ip_dst hold the sender/target protocol addresses */
#define PKT_F_L4     (1u << 5) /* l4_src, l4_dst valid (TCP, UDP, SCTP ports; ICMP type, code) */
#define PKT_F_FRAG   (1u << 6) /* an IP fragment; later fragments carry no L4 header */
#define PKT_F_L3_BAD (1u << 7) /* a header above L2 is malformed: see l3_err */
#define PKT_F_LATER  (1u << 8) /* not parsed yet: only parse_switchable() was run */

/* What was wrong above L2, when PKT_F_L3_BAD is set. */
enum pkt_l3_err {
	PKT_L3_OK = 0,
	PKT_L3_ARP_SHORT,
	PKT_L3_IPV4_SHORT,   /* fewer than 20 bytes */
	PKT_L3_IPV4_VERSION, /* version field is not 4 */
	PKT_L3_IPV4_IHL,     /* header length < 20 or past the frame */
	PKT_L3_IPV4_TOTLEN,  /* total length < header length or past the frame */
	PKT_L3_IPV6_SHORT,   /* fewer than 40 bytes, or payload length past the frame */
	PKT_L3_IPV6_EXT,     /* an extension header past the frame, or too many */
	PKT_L4_TCP_SHORT,    /* TCP header cut short, or data offset < 5 */
	PKT_L4_UDP_SHORT,
	PKT_L4_SCTP_SHORT,
	PKT_L4_ICMP_SHORT,
	PKT_L3_IPV6_VERSION, /* version field is not 6 */
	PKT_L3_ARP_FORMAT,   /* not Ethernet/IPv4 ARP: hardware/protocol type or lengths */
	PKT_L3_ERR_MAX       /* one past the last: sizes name tables */
};

struct pkt_key {
	struct rte_ether_addr dst;
	struct rte_ether_addr src;
	uint16_t vlan_tci;  /* outer tag's TCI, host order; 0 when untagged */
	uint16_t ethertype; /* after any tags, host order */
	uint16_t flags;     /* PKT_F_* */
	uint8_t ip_proto;
	uint8_t l3_err;     /* enum pkt_l3_err */
	uint32_t ip_src;    /* network order */
	uint32_t ip_dst;    /* network order */
	uint16_t l4_src;    /* network order; ICMP: type */
	uint16_t l4_dst;    /* network order; ICMP: code */
	uint16_t l3_off;    /* offset of the L3 header in the frame */
	uint16_t l4_off;    /* offset of the L4 header, when PKT_F_L4 */
};

/*
 * Parse a frame of len bytes into *key (every field written).
 *
 * @return 0 when the frame can be switched (L3/L4 problems are reported in the key),
 *   SYD_DROP_SHORT_ETH when it is shorter than an Ethernet header,
 *   SYD_DROP_SHORT_VLAN when a VLAN tag is cut short.
 */
int parse_frame(const uint8_t *frame, uint32_t len, struct pkt_key *key);

/* An 802.1Q or 802.1ad tag's type (the 0x9100 of older QinQ too). */
static inline int parse_is_vlan_tpid(uint16_t type)
{
	return type == RTE_ETHER_TYPE_VLAN || type == RTE_ETHER_TYPE_QINQ ||
	       type == RTE_ETHER_TYPE_QINQ1;
}

/* A frame at least this long is switchable (Ethernet and two tags fit in it). */
#define PARSE_SWITCHABLE_LEN (sizeof(struct rte_ether_hdr) + 2 * 4)

/* parse_frame()'s return without the key: for an L2 switch, which reads the addresses
 * from the frame and most often needs nothing else. */
static inline int parse_switchable(const uint8_t *frame, uint32_t len)
{
	uint32_t off = sizeof(struct rte_ether_hdr);
	int tags;

	if (len < off)
		return SYD_DROP_SHORT_ETH;
	for (tags = 0; tags < 2; tags++) {
		uint16_t type = (uint16_t)(frame[off - 2] << 8 | frame[off - 1]);

		if (!parse_is_vlan_tpid(type))
			break;
		if (len < off + 4)
			return SYD_DROP_SHORT_VLAN;
		off += 4;
	}
	return 0;
}

/* Whether the frame is the common one: untagged IPv4 without options, not a fragment,
 * with a whole UDP or TCP header (its IPv4 header at byte 14, its L4 header at 34).  The
 * shortcuts that skip parse_frame() take only such frames. */
static inline bool parse_is_common(const uint8_t *f, uint32_t len)
{
	const uint8_t *ip = f + sizeof(struct rte_ether_hdr);
	uint64_t head, mid; /* the frame's bytes 12-19 and 20-27 */
	uint32_t total, l4_len;

	/* Shorter than Ethernet, IPv4 and UDP headers: not common whatever it holds. */
	if (len < sizeof(struct rte_ether_hdr) + 20 + 8)
		return false;
	/* Two word loads for the fixed fields (byte by byte, they cost a cycle more a
	 * packet): the type, the version and header length, the total length, and the
	 * fragment field and protocol. */
	memcpy(&head, f + 12, sizeof(head));
	memcpy(&mid, f + 20, sizeof(mid));
	head = rte_le_to_cpu_64(head);
	mid = rte_le_to_cpu_64(mid);
	/* Type 0x0800 then 0x45; then no MF flag and no offset (a fragment). */
	if ((head & 0xffffff) != 0x450008 || (mid & 0xff3f) != 0)
		return false;
	total = (uint32_t)((head >> 32 & 0xff) << 8 | (head >> 40 & 0xff));
	if (total > len - sizeof(struct rte_ether_hdr) || total < 20)
		return false;
	l4_len = total - 20;
	if ((mid >> 24 & 0xff) == IPPROTO_UDP)
		return l4_len >= 8;
	if ((mid >> 24 & 0xff) == IPPROTO_TCP)
		return l4_len >= 20 && (ip[32] >> 4) >= 5 && (uint32_t)(ip[32] >> 4) * 4 <= l4_len;
	return false;
}

/* The L3/L4 fields of a flow, as parse_frame() puts them in its key. */
struct pkt_flow4 {
	uint32_t ip_src; /* network order */
	uint32_t ip_dst; /* network order */
	uint16_t l4_src; /* network order */
	uint16_t l4_dst; /* network order */
	uint8_t ip_proto;
};

/* A common frame's (parse_is_common()) flow fields, without parse_frame() and its key:
 * true and *fl filled; any other frame: false, *fl untouched.  Meant for a local *fl,
 * which the compiler keeps in registers. */
static inline bool parse_common_flow(const uint8_t *f, uint32_t len, struct pkt_flow4 *fl)
{
	const uint8_t *ip = f + sizeof(struct rte_ether_hdr);

	if (!parse_is_common(f, len))
		return false;
	memcpy(&fl->ip_src, ip + 12, 4);
	memcpy(&fl->ip_dst, ip + 16, 4);
	memcpy(&fl->l4_src, ip + 20, 2);
	memcpy(&fl->l4_dst, ip + 22, 2);
	fl->ip_proto = ip[9];
	return true;
}

/* Name of an enum pkt_l3_err value, for logs and traces. */
const char *parse_l3_err_name(unsigned int err);

#endif /* SYD_PARSE_H */

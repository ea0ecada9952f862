/* SPDX-License-Identifier: BSD-3-Clause */
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_sctp.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "drop.h"
#include "parse.h"

#define IPV6_MAX_EXT_HEADERS 8

static inline uint16_t read_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline void l3_bad(struct pkt_key *key, enum pkt_l3_err err)
{
	key->flags |= PKT_F_L3_BAD;
	key->l3_err = err;
}

static void parse_l4(const uint8_t *l4, uint32_t avail, struct pkt_key *key)
{
	switch (key->ip_proto) {
	case IPPROTO_TCP: {
		const struct rte_tcp_hdr *tcp = (const void *)l4;
		if (avail < sizeof(*tcp) || (tcp->data_off >> 4) < 5 ||
		    (uint32_t)(tcp->data_off >> 4) * 4 > avail) {
			l3_bad(key, PKT_L4_TCP_SHORT);
			return;
		}
		key->l4_src = tcp->src_port;
		key->l4_dst = tcp->dst_port;
		break;
	}
	case IPPROTO_UDP: {
		const struct rte_udp_hdr *udp = (const void *)l4;
		if (avail < sizeof(*udp)) {
			l3_bad(key, PKT_L4_UDP_SHORT);
			return;
		}
		key->l4_src = udp->src_port;
		key->l4_dst = udp->dst_port;
		break;
	}
	case IPPROTO_SCTP: {
		const struct rte_sctp_hdr *sctp = (const void *)l4;
		if (avail < sizeof(*sctp)) {
			l3_bad(key, PKT_L4_SCTP_SHORT);
			return;
		}
		key->l4_src = sctp->src_port;
		key->l4_dst = sctp->dst_port;
		break;
	}
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (avail < 4) {
			l3_bad(key, PKT_L4_ICMP_SHORT);
			return;
		}
		key->l4_src = rte_cpu_to_be_16(l4[0]);
		key->l4_dst = rte_cpu_to_be_16(l4[1]);
		break;
	default:
		return;
	}
	key->flags |= PKT_F_L4;
}

static void parse_ipv4(const uint8_t *l3, uint32_t avail, struct pkt_key *key)
{
	const struct rte_ipv4_hdr *ip = (const void *)l3;
	uint32_t ihl, total;
	uint16_t frag;

	if (avail < sizeof(*ip)) {
		l3_bad(key, PKT_L3_IPV4_SHORT);
		return;
	}
	if ((ip->version_ihl >> 4) != 4) {
		l3_bad(key, PKT_L3_IPV4_VERSION);
		return;
	}
	ihl = (uint32_t)(ip->version_ihl & 0xf) * 4;
	if (ihl < sizeof(*ip) || ihl > avail) {
		l3_bad(key, PKT_L3_IPV4_IHL);
		return;
	}
	total = rte_be_to_cpu_16(ip->total_length);
	if (total < ihl || total > avail) {
		l3_bad(key, PKT_L3_IPV4_TOTLEN);
		return;
	}
	key->flags |= PKT_F_IPV4;
	key->ip_proto = ip->next_proto_id;
	key->ip_src = ip->src_addr;
	key->ip_dst = ip->dst_addr;

	frag = rte_be_to_cpu_16(ip->fragment_offset);
	if (frag & (RTE_IPV4_HDR_MF_FLAG | RTE_IPV4_HDR_OFFSET_MASK)) {
		key->flags |= PKT_F_FRAG;
		if (frag & RTE_IPV4_HDR_OFFSET_MASK)
			return; /* a later fragment: no L4 header in it */
	}
	key->l4_off = (uint16_t)(key->l3_off + ihl);
	/* Padding after total_length (short frames padded to 60 bytes) is not L4 data. */
	parse_l4(l3 + ihl, total - ihl, key);
}

static void parse_ipv6(const uint8_t *l3, uint32_t avail, struct pkt_key *key)
{
	const struct rte_ipv6_hdr *ip = (const void *)l3;
	uint32_t off = sizeof(*ip), end;
	uint8_t next;
	int i;

	if (avail < sizeof(*ip) || rte_be_to_cpu_16(ip->payload_len) > avail - sizeof(*ip)) {
		l3_bad(key, PKT_L3_IPV6_SHORT);
		return;
	}
	if ((l3[0] >> 4) != 6) {
		l3_bad(key, PKT_L3_IPV6_VERSION);
		return;
	}
	end = sizeof(*ip) + rte_be_to_cpu_16(ip->payload_len);
	next = ip->proto;
	for (i = 0;; i++) {
		if (next != IPPROTO_HOPOPTS && next != IPPROTO_ROUTING && next != IPPROTO_DSTOPTS &&
		    next != IPPROTO_FRAGMENT)
			break;
		if (i == IPV6_MAX_EXT_HEADERS || off + 8 > end) {
			l3_bad(key, PKT_L3_IPV6_EXT);
			return;
		}
		if (next == IPPROTO_FRAGMENT) {
			key->flags |= PKT_F_FRAG;
			if (read_be16(l3 + off + 2) & 0xfff8) {
				key->flags |= PKT_F_IPV6;
				key->ip_proto = l3[off];
				return; /* a later fragment: no L4 header in it */
			}
			next = l3[off];
			off += 8;
		} else {
			uint32_t len = ((uint32_t)l3[off + 1] + 1) * 8;
			if (off + len > end) {
				l3_bad(key, PKT_L3_IPV6_EXT);
				return;
			}
			next = l3[off];
			off += len;
		}
	}
	key->flags |= PKT_F_IPV6;
	key->ip_proto = next;
	key->l4_off = (uint16_t)(key->l3_off + off);
	parse_l4(l3 + off, end - off, key);
}

static void parse_arp(const uint8_t *l3, uint32_t avail, struct pkt_key *key)
{
	const struct rte_arp_hdr *arp = (const void *)l3;

	if (avail < sizeof(*arp)) {
		l3_bad(key, PKT_L3_ARP_SHORT);
		return;
	}
	if (arp->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    arp->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    arp->arp_hlen != RTE_ETHER_ADDR_LEN || arp->arp_plen != 4) {
		l3_bad(key, PKT_L3_ARP_FORMAT);
		return;
	}
	key->flags |= PKT_F_ARP;
	key->ip_proto = (uint8_t)rte_be_to_cpu_16(arp->arp_opcode);
	memcpy(&key->ip_src, &arp->arp_data.arp_sip, 4);
	memcpy(&key->ip_dst, &arp->arp_data.arp_tip, 4);
}

int parse_frame(const uint8_t *frame, uint32_t len, struct pkt_key *key)
{
	uint32_t off = sizeof(struct rte_ether_hdr);
	uint16_t type;

	memset(key, 0, sizeof(*key));
	if (len < sizeof(struct rte_ether_hdr))
		return SYD_DROP_SHORT_ETH;
	memcpy(&key->dst, frame, RTE_ETHER_ADDR_LEN);
	memcpy(&key->src, frame + RTE_ETHER_ADDR_LEN, RTE_ETHER_ADDR_LEN);
	type = read_be16(frame + 12);

	/* Up to two tags; a third stays in the payload (the frame is switched on L2). */
	if (parse_is_vlan_tpid(type)) {
		if (len < off + 4)
			return SYD_DROP_SHORT_VLAN;
		key->flags |= PKT_F_VLAN;
		key->vlan_tci = read_be16(frame + off);
		type = read_be16(frame + off + 2);
		off += 4;
		if (parse_is_vlan_tpid(type)) {
			if (len < off + 4)
				return SYD_DROP_SHORT_VLAN;
			key->flags |= PKT_F_QINQ;
			type = read_be16(frame + off + 2);
			off += 4;
		}
	}
	key->ethertype = type;
	key->l3_off = (uint16_t)off;

	switch (type) {
	case RTE_ETHER_TYPE_IPV4:
		parse_ipv4(frame + off, len - off, key);
		break;
	case RTE_ETHER_TYPE_IPV6:
		parse_ipv6(frame + off, len - off, key);
		break;
	case RTE_ETHER_TYPE_ARP:
		parse_arp(frame + off, len - off, key);
		break;
	default:
		break;
	}
	return 0;
}

const char *parse_l3_err_name(unsigned int err)
{
	static const char *const names[PKT_L3_ERR_MAX] = {
		[PKT_L3_OK] = "ok",
		[PKT_L3_ARP_SHORT] = "arp_short",
		[PKT_L3_IPV4_SHORT] = "ipv4_short",
		[PKT_L3_IPV4_VERSION] = "ipv4_version",
		[PKT_L3_IPV4_IHL] = "ipv4_ihl",
		[PKT_L3_IPV4_TOTLEN] = "ipv4_total_length",
		[PKT_L3_IPV6_SHORT] = "ipv6_short",
		[PKT_L3_IPV6_EXT] = "ipv6_ext_header",
		[PKT_L4_TCP_SHORT] = "tcp_short",
		[PKT_L4_UDP_SHORT] = "udp_short",
		[PKT_L4_SCTP_SHORT] = "sctp_short",
		[PKT_L4_ICMP_SHORT] = "icmp_short",
		[PKT_L3_IPV6_VERSION] = "ipv6_version",
		[PKT_L3_ARP_FORMAT] = "arp_format",
	};
	return err < RTE_DIM(names) && names[err] ? names[err] : "unknown";
}

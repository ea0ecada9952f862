/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ip.h>
#include <rte_udp.h>

#include "bench.h"

uint32_t frame_port_ip(unsigned int i)
{
	return rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, (i + 1) & 0xff));
}

/*
 * An Ethernet frame of size bytes: [802.1Q tag when vlan >= 0], then for ethertype
 * 0x0800 an IPv4/UDP packet (UDP checksum 0, so the source port may be patched), else
 * zeros.  A size smaller than the headers cuts them short (for malformed-frame tests).
 * @return the length written (size).
 */
unsigned int frame_build_udp(uint8_t *buf, unsigned int size, const struct rte_ether_addr *dst,
			     const struct rte_ether_addr *src, uint32_t ip_src, uint32_t ip_dst,
			     int vlan, uint16_t ethertype)
{
	uint8_t full[RTE_ETHER_MAX_LEN + 4];
	unsigned int off = 0, l3;

	memset(full, 0, sizeof(full));
	memcpy(full, dst, 6);
	memcpy(full + 6, src, 6);
	off = 12;
	if (vlan >= 0) {
		*(uint16_t *)(full + off) = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		*(uint16_t *)(full + off + 2) = rte_cpu_to_be_16((uint16_t)vlan);
		off += 4;
	}
	*(uint16_t *)(full + off) = rte_cpu_to_be_16(ethertype);
	off += 2;
	l3 = off;
	if (ethertype == RTE_ETHER_TYPE_IPV4 && size >= l3 + 28) {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(full + l3);
		struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
		uint16_t ip_len = (uint16_t)(size - l3);

		ip->version_ihl = RTE_IPV4_VHL_DEF;
		ip->total_length = rte_cpu_to_be_16(ip_len);
		ip->time_to_live = 64;
		ip->next_proto_id = IPPROTO_UDP;
		ip->src_addr = ip_src;
		ip->dst_addr = ip_dst;
		ip->hdr_checksum = rte_ipv4_cksum(ip);
		udp->src_port = rte_cpu_to_be_16(FRAME_UDP_SPORT_BASE);
		udp->dst_port = rte_cpu_to_be_16(9); /* discard */
		udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
	}
	memcpy(buf, full, size);
	return size;
}

/* A gratuitous ARP request from src for ip, to broadcast: 60 bytes. */
unsigned int frame_build_arp_announce(uint8_t *buf, const struct rte_ether_addr *src, uint32_t ip)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	memset(buf, 0, 60);
	memset(&eth->dst_addr, 0xff, RTE_ETHER_ADDR_LEN);
	eth->src_addr = *src;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = 4;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = *src;
	arp->arp_data.arp_sip = ip;
	arp->arp_data.arp_tip = ip;
	return 60;
}

void frame_format_mac(char *buf, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	snprintf(buf, RTE_ETHER_ADDR_FMT_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5]);
}

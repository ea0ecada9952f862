/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <rte_arp.h>
#include <rte_ip.h>
#include <rte_udp.h>
#include <rte_vxlan.h>

#include "frame.h"

#define FRAME_IPV4_TTL 64

rte_be32_t frame_ip(uint8_t host)
{
	return rte_cpu_to_be_32(RTE_IPV4(198, 18, 0, host));
}

/* Where the L3 header starts: after the MACs, the optional tag and the ethertype. */
static unsigned int frame_l3_offset(const struct frame_spec *f)
{
	return RTE_ETHER_HDR_LEN + (f->vlan >= 0 ? (unsigned int)sizeof(struct rte_vlan_hdr) : 0);
}

static bool frame_has_udp(const struct frame_spec *f)
{
	return f->ethertype == RTE_ETHER_TYPE_IPV4 &&
	       f->size >= frame_l3_offset(f) + sizeof(struct rte_ipv4_hdr) +
				  sizeof(struct rte_udp_hdr);
}

unsigned int frame_udp_sport_offset(const struct frame_spec *f)
{
	if (!frame_has_udp(f))
		return 0;
	return frame_l3_offset(f) + (unsigned int)sizeof(struct rte_ipv4_hdr) +
	       (unsigned int)offsetof(struct rte_udp_hdr, src_port);
}

unsigned int frame_ipv4_offset(const struct frame_spec *f)
{
	return frame_has_udp(f) ? frame_l3_offset(f) : 0;
}

unsigned int frame_stamp_offset(const struct frame_spec *f)
{
	unsigned int off = frame_l3_offset(f) + (unsigned int)(sizeof(struct rte_ipv4_hdr) +
							      sizeof(struct rte_udp_hdr));

	if (!frame_has_udp(f) || f->size < off + sizeof(struct frame_stamp))
		return 0;
	return off;
}

/* An IPv4 header (checksum valid) and a UDP header (checksum 0) at ip, ip_len bytes of
 * IPv4 packet from src to dst, between UDP ports sport and dport (host order). */
static void frame_ipv4_udp(struct rte_ipv4_hdr *ip, rte_be32_t src, rte_be32_t dst, uint16_t ip_len,
			   uint16_t sport, uint16_t dport)
{
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	ip->version_ihl = RTE_IPV4_VHL_DEF;
	ip->total_length = rte_cpu_to_be_16(ip_len);
	ip->time_to_live = FRAME_IPV4_TTL;
	ip->next_proto_id = IPPROTO_UDP;
	ip->src_addr = src;
	ip->dst_addr = dst;
	ip->hdr_checksum = rte_ipv4_cksum(ip);
	udp->src_port = rte_cpu_to_be_16(sport);
	udp->dst_port = rte_cpu_to_be_16(dport);
	udp->dgram_len = rte_cpu_to_be_16((uint16_t)(ip_len - sizeof(*ip)));
	udp->dgram_cksum = 0; /* none: a sender may patch the ports per packet */
}

int frame_build(uint8_t *buf, size_t buf_len, const struct frame_spec *f)
{
	/* Built whole here, then cut to f->size: a short frame is a prefix of a full one. */
	uint8_t full[FRAME_SIZE_MAX];
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)full;
	unsigned int l3 = frame_l3_offset(f);

	if (f->size == 0 || f->size > FRAME_SIZE_MAX || buf_len < f->size)
		return -EINVAL;
	memset(full, 0, sizeof(full));
	eth->dst_addr = f->dst;
	eth->src_addr = f->src;
	if (f->vlan >= 0) {
		struct rte_vlan_hdr *tag = (struct rte_vlan_hdr *)(eth + 1);

		eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_VLAN);
		tag->vlan_tci = rte_cpu_to_be_16((uint16_t)(f->vlan & 0xfff));
		tag->eth_proto = rte_cpu_to_be_16(f->ethertype);
	} else {
		eth->ether_type = rte_cpu_to_be_16(f->ethertype);
	}
	if (f->ethertype == RTE_ETHER_TYPE_IPV4) {
		unsigned int min = l3 + sizeof(struct rte_ipv4_hdr) + sizeof(struct rte_udp_hdr);

		frame_ipv4_udp((struct rte_ipv4_hdr *)(full + l3), f->ip_src, f->ip_dst,
			       (uint16_t)((f->size > min ? f->size : min) - l3),
			       FRAME_UDP_SPORT_BASE, FRAME_UDP_DPORT);
	}
	memcpy(buf, full, f->size);
	return (int)f->size;
}

int frame_build_announce(uint8_t *buf, size_t buf_len, const struct rte_ether_addr *src,
			 rte_be32_t ip)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	if (buf_len < FRAME_ANNOUNCE_SIZE)
		return -EINVAL;
	memset(buf, 0, FRAME_ANNOUNCE_SIZE);
	memset(&eth->dst_addr, 0xff, sizeof(eth->dst_addr));
	eth->src_addr = *src;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	arp->arp_hardware = rte_cpu_to_be_16(RTE_ARP_HRD_ETHER);
	arp->arp_protocol = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	arp->arp_hlen = RTE_ETHER_ADDR_LEN;
	arp->arp_plen = sizeof(rte_be32_t);
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REQUEST);
	arp->arp_data.arp_sha = *src;
	arp->arp_data.arp_sip = ip;
	arp->arp_data.arp_tip = ip; /* gratuitous: asks for its own address */
	return FRAME_ANNOUNCE_SIZE;
}

int frame_build_vxlan(uint8_t *buf, size_t buf_len, const struct frame_vxlan *v,
		      const uint8_t *inner, unsigned int inner_len)
{
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(eth + 1);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);
	struct rte_vxlan_hdr *vx = (struct rte_vxlan_hdr *)(udp + 1);
	unsigned int len = inner_len + FRAME_VXLAN_OVERHEAD;

	if (buf_len < len || v->vni > 0xffffff)
		return -EINVAL;
	memset(buf, 0, FRAME_VXLAN_OVERHEAD);
	eth->dst_addr = v->dst;
	eth->src_addr = v->src;
	eth->ether_type = rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4);
	frame_ipv4_udp(ip, v->ip_src, v->ip_dst, (uint16_t)(len - sizeof(*eth)), FRAME_VXLAN_SPORT,
		       FRAME_VXLAN_PORT);
	vx->vx_flags = rte_cpu_to_be_32(0x08000000); /* I: the VNI is valid */
	vx->vx_vni = rte_cpu_to_be_32(v->vni << 8);
	memmove(buf + FRAME_VXLAN_OVERHEAD, inner, inner_len);
	return (int)len;
}

int frame_build_arp_reply(uint8_t *buf, size_t buf_len, const uint8_t *req, size_t len,
			  const struct rte_ether_addr *mac, rte_be32_t ip)
{
	const struct rte_ether_hdr *qeth = (const struct rte_ether_hdr *)req;
	const struct rte_arp_hdr *q = (const struct rte_arp_hdr *)(qeth + 1);
	struct rte_ether_hdr *eth = (struct rte_ether_hdr *)buf;
	struct rte_arp_hdr *arp = (struct rte_arp_hdr *)(eth + 1);

	if (buf_len < FRAME_ANNOUNCE_SIZE)
		return -EINVAL;
	if (len < sizeof(*qeth) + sizeof(*q) ||
	    qeth->ether_type != rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP) ||
	    q->arp_hardware != rte_cpu_to_be_16(RTE_ARP_HRD_ETHER) ||
	    q->arp_protocol != rte_cpu_to_be_16(RTE_ETHER_TYPE_IPV4) ||
	    q->arp_opcode != rte_cpu_to_be_16(RTE_ARP_OP_REQUEST) || q->arp_data.arp_tip != ip)
		return 0;
	frame_build_announce(buf, buf_len, mac, ip);
	eth->dst_addr = q->arp_data.arp_sha;
	arp->arp_opcode = rte_cpu_to_be_16(RTE_ARP_OP_REPLY);
	arp->arp_data.arp_tha = q->arp_data.arp_sha;
	arp->arp_data.arp_tip = q->arp_data.arp_sip;
	return FRAME_ANNOUNCE_SIZE;
}

void frame_format_mac(char *buf, const struct rte_ether_addr *mac)
{
	const uint8_t *b = mac->addr_bytes;

	snprintf(buf, RTE_ETHER_ADDR_FMT_SIZE, "%02x:%02x:%02x:%02x:%02x:%02x", b[0], b[1], b[2],
		 b[3], b[4], b[5]);
}

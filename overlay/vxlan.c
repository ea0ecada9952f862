/* SPDX-License-Identifier: BSD-3-Clause */
/* VXLAN over IPv4: templates and receive checks (see vxlan.h for what RFC 7348 asks). */
#include <netinet/in.h>
#include <string.h>

#include <rte_common.h>

#include "vxlan.h"

#define ETH_LEN	       14
#define ETH_TYPE_IPV4  0x0800
#define ETH_TYPE_ARP   0x0806
#define ETH_TYPE_VLAN  0x8100
#define ETH_TYPE_QINQ  0x88a8
#define ETH_TYPE_QINQ1 0x9100 /* the pre-802.1ad TPID some switches still send */
#define ARP_BODY_LEN   28     /* Ethernet/IPv4 ARP */
#define IPV4_MIN_LEN   20
#define IPV4_MF_OFFSET 0x3fff /* the MF flag and the fragment offset */
#define IPV4_DF	       0x4000
#define UDP_LEN	       8

const char *const vxlan_verdict_name[VXLAN_VERDICT_MAX] = {
#define VXLAN_VERDICT_NAME(sym, name, help) [VXLAN_V_##sym] = name,
	VXLAN_FOREACH_VERDICT(VXLAN_VERDICT_NAME)
#undef VXLAN_VERDICT_NAME
};

const char *const vxlan_verdict_help[VXLAN_VERDICT_MAX] = {
#define VXLAN_VERDICT_HELP(sym, name, help) [VXLAN_V_##sym] = help,
	VXLAN_FOREACH_VERDICT(VXLAN_VERDICT_HELP)
#undef VXLAN_VERDICT_HELP
};

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The template's IPv4 sum: every 16-bit word as it lies in memory, folded. */
static uint16_t ip_sum_of(const uint8_t *ip)
{
	uint32_t sum = 0;
	uint16_t w;
	unsigned int i;

	for (i = 0; i < IPV4_MIN_LEN; i += 2) {
		memcpy(&w, ip + i, 2);
		sum += w;
	}
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

void vxlan_tmpl_init(struct vxlan_tmpl *t, const uint8_t our_mac[6], const uint8_t next_hop_mac[6],
		     uint32_t our_addr, uint32_t remote_addr, uint16_t udp_port)
{
	uint8_t *h = t->hdr;
	uint8_t *ip = h + VXLAN_OFF_IP;
	uint8_t *udp = h + VXLAN_OFF_UDP;

	memset(t, 0, sizeof(*t));
	memcpy(h, next_hop_mac, 6);
	memcpy(h + 6, our_mac, 6);
	put_be16(h + 12, ETH_TYPE_IPV4);

	ip[0] = 0x45; /* version 4, IHL 5: no options */
	/* ip[1] DSCP/ECN 0, ip[2..3] total length and ip[4..5] ID 0 */
	put_be16(ip + 6, IPV4_DF);
	ip[8] = VXLAN_TTL_DEFAULT;
	ip[9] = IPPROTO_UDP;
	/* ip[10..11] checksum: per packet */
	memcpy(ip + 12, &our_addr, 4);
	memcpy(ip + 16, &remote_addr, 4);

	/* udp[0..1] source port, udp[4..5] length: per packet; udp[6..7] checksum 0 */
	put_be16(udp + 2, udp_port);

	h[VXLAN_OFF_VXLAN] = VXLAN_FLAG_I; /* reserved bits and VNI 0 */
	t->ip_sum = ip_sum_of(ip);
}

void vxlan_tmpl_set_ttl(struct vxlan_tmpl *t, uint8_t ttl)
{
	t->hdr[VXLAN_OFF_IP_TTL] = ttl != 0 ? ttl : VXLAN_TTL_DEFAULT;
	t->ip_sum = ip_sum_of(t->hdr + VXLAN_OFF_IP);
}

enum vxlan_verdict vxlan_decap_check(const uint8_t *frame, uint32_t len, uint32_t our_addr,
				     uint16_t udp_port, struct vxlan_rx *out)
{
	const uint8_t *ip, *udp, *vx;
	uint32_t ihl, tot_len, udp_len, dst;
	uint16_t type;

	if (len < ETH_LEN)
		return VXLAN_V_SHORT;
	type = get_be16(frame + 12);
	if (type != ETH_TYPE_IPV4) {
		if (type == ETH_TYPE_ARP) {
			if (len < ETH_LEN + ARP_BODY_LEN)
				return VXLAN_V_SHORT;
			out->vni = 0;
			out->src = 0;
			out->inner_off = ETH_LEN;
			out->inner_len = (uint16_t)RTE_MIN(len - ETH_LEN, (uint32_t)UINT16_MAX);
			return VXLAN_V_ARP;
		}
		if (type == ETH_TYPE_VLAN || type == ETH_TYPE_QINQ || type == ETH_TYPE_QINQ1)
			return VXLAN_V_VLAN;
		return VXLAN_V_NOT_IP;
	}

	if (len < ETH_LEN + IPV4_MIN_LEN)
		return VXLAN_V_SHORT;
	ip = frame + ETH_LEN;
	if ((ip[0] >> 4) != 4 || (ip[0] & 0xf) < 5)
		return VXLAN_V_BAD_IP;
	ihl = (ip[0] & 0xfu) * 4;
	tot_len = get_be16(ip + 2);
	/* From here on tot_len bounds every read: it is within the frame. */
	if (tot_len < ihl || tot_len > len - ETH_LEN)
		return VXLAN_V_BAD_IP;
	if (get_be16(ip + 6) & IPV4_MF_OFFSET)
		return VXLAN_V_FRAGMENT;
	if (ip[9] != IPPROTO_UDP)
		return VXLAN_V_NOT_UDP;
	memcpy(&dst, ip + 16, 4);
	if (dst != our_addr)
		return VXLAN_V_NOT_OURS;
	if (tot_len - ihl < UDP_LEN + VXLAN_HDR_LEN)
		return VXLAN_V_SHORT;

	udp = ip + ihl;
	if (get_be16(udp + 2) != udp_port)
		return VXLAN_V_BAD_PORT;
	udp_len = get_be16(udp + 4);
	if (udp_len < UDP_LEN + VXLAN_HDR_LEN || udp_len > tot_len - ihl)
		return VXLAN_V_BAD_UDP_LEN;
	vx = udp + UDP_LEN;
	if (!(vx[0] & VXLAN_FLAG_I))
		return VXLAN_V_NO_I_FLAG;
	if (udp_len - UDP_LEN - VXLAN_HDR_LEN < ETH_LEN)
		return VXLAN_V_SHORT_INNER;

	out->vni = (uint32_t)vx[4] << 16 | (uint32_t)vx[5] << 8 | vx[6];
	memcpy(&out->src, ip + 12, 4);
	out->inner_off = (uint16_t)(ETH_LEN + ihl + UDP_LEN + VXLAN_HDR_LEN);
	out->inner_len = (uint16_t)(udp_len - UDP_LEN - VXLAN_HDR_LEN);
	return VXLAN_V_OK;
}

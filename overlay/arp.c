/* SPDX-License-Identifier: BSD-3-Clause */
/* ARP for IPv4 over Ethernet (RFC 826): see arp.h. */
#include <errno.h>
#include <string.h>

#include "arp.h"

#define ETH_LEN	      14
#define ETH_TYPE_ARP  0x0806
#define ETH_TYPE_IPV4 0x0800
#define ARP_HW_ETHER  1

static const uint8_t mac_broadcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
static const uint8_t mac_zero[6];

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int arp_parse(const uint8_t *frame, uint32_t len, struct arp_info *out)
{
	const uint8_t *a = frame + ETH_LEN;

	if (len < ARP_MIN_LEN)
		return -EBADMSG;
	if (get_be16(frame + 12) != ETH_TYPE_ARP)
		return -ENOMSG;
	if (get_be16(a) != ARP_HW_ETHER || get_be16(a + 2) != ETH_TYPE_IPV4 || a[4] != 6 ||
	    a[5] != 4)
		return -EPROTONOSUPPORT;
	if (a[8] & 0x01) /* the group bit of the sender MAC */
		return -EINVAL;
	out->op = get_be16(a + 6);
	memcpy(out->sender_mac, a + 8, 6);
	memcpy(&out->sender_ip, a + 14, 4);
	memcpy(out->target_mac, a + 18, 6);
	memcpy(&out->target_ip, a + 24, 4);
	return 0;
}

/* The whole frame: Ethernet to eth_dst, ARP op with the four addresses, zero padding. */
static void build(uint8_t *buf60, const uint8_t eth_dst[6], uint16_t op, const uint8_t sha[6],
		  uint32_t spa, const uint8_t tha[6], uint32_t tpa)
{
	uint8_t *a = buf60 + ETH_LEN;

	memset(buf60, 0, ARP_FRAME_LEN);
	memcpy(buf60, eth_dst, 6);
	memcpy(buf60 + 6, sha, 6);
	put_be16(buf60 + 12, ETH_TYPE_ARP);
	put_be16(a, ARP_HW_ETHER);
	put_be16(a + 2, ETH_TYPE_IPV4);
	a[4] = 6;
	a[5] = 4;
	put_be16(a + 6, op);
	memcpy(a + 8, sha, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 18, tha, 6);
	memcpy(a + 24, &tpa, 4);
}

void arp_build_request(uint8_t *buf60, const uint8_t our_mac[6], uint32_t our_ip,
		       uint32_t target_ip)
{
	build(buf60, mac_broadcast, ARP_OP_REQUEST, our_mac, our_ip, mac_zero, target_ip);
}

void arp_build_reply(uint8_t *buf60, const uint8_t our_mac[6], uint32_t our_ip,
		     const uint8_t requester_mac[6], uint32_t requester_ip)
{
	build(buf60, requester_mac, ARP_OP_REPLY, our_mac, our_ip, requester_mac, requester_ip);
}

void arp_build_gratuitous(uint8_t *buf60, const uint8_t our_mac[6], uint32_t our_ip)
{
	build(buf60, mac_broadcast, ARP_OP_REQUEST, our_mac, our_ip, mac_zero, our_ip);
}

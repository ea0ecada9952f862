/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP for IPv4 over Ethernet (RFC 826): reading one, and the frames a VTEP sends to find
 * its next hops and to answer for its own address.
 *
 * Pure functions on byte buffers: no EAL, no mbufs, no state; callable from any thread.
 * Frames are untagged Ethernet; built ones are padded with zeros to the 60-byte minimum
 * (the FCS is the NIC's).  IPv4 addresses are in network order, the opcode in host order.
 */
#ifndef SYD_ARP_H
#define SYD_ARP_H

#include <stdint.h>

#define ARP_FRAME_LEN  60 /* a built frame: Ethernet 14 + ARP 28 + 18 bytes of padding */
#define ARP_MIN_LEN    42 /* the shortest frame arp_parse() reads: Ethernet 14 + ARP 28 */
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY   2

/* An Ethernet/IPv4 ARP packet's fields. */
struct arp_info {
	uint16_t op; /* host order: ARP_OP_REQUEST, ARP_OP_REPLY, or whatever the frame said */
	uint8_t sender_mac[6];
	uint32_t sender_ip; /* network order */
	uint8_t target_mac[6];
	uint32_t target_ip; /* network order */
};

/*
 * Read the ARP packet in an Ethernet frame of len bytes (bytes after the 28-byte body are
 * padding).  Any opcode is returned as it is: the caller decides what it answers.
 *
 * @return 0 with *out written, or (*out untouched)
 *   -EBADMSG         shorter than ARP_MIN_LEN,
 *   -ENOMSG          its ethertype is not ARP (0x0806; tagged frames included),
 *   -EPROTONOSUPPORT not Ethernet/IPv4 ARP: hardware type 1, protocol 0x0800, lengths 6/4,
 *   -EINVAL          the sender MAC is multicast or broadcast (no host owns it: learning
 *                    it as a next hop would flood the tunnel).
 */
int arp_parse(const uint8_t *frame, uint32_t len, struct arp_info *out);

/*
 * Write into buf60 a broadcast request from us (our_mac, our_ip) asking who has
 * target_ip.  The target MAC is zero (RFC 826 leaves it to the sender; RFC 5227 asks for
 * zero).  ARP_FRAME_LEN bytes.
 */
void arp_build_request(uint8_t *buf60, const uint8_t our_mac[6], uint32_t our_ip,
		       uint32_t target_ip);

/*
 * Write into buf60 our answer to a request for our_ip from requester_mac/requester_ip:
 * unicast to the requester, sender = us, target = the requester (RFC 826 swaps the
 * fields).  The caller checked that it was a request for our_ip.  ARP_FRAME_LEN bytes.
 */
void arp_build_reply(uint8_t *buf60, const uint8_t our_mac[6], uint32_t our_ip,
		     const uint8_t requester_mac[6], uint32_t requester_ip);

/*
 * Write into buf60 a gratuitous ARP (an "ARP announcement", RFC 5227 section 3): a
 * broadcast request whose sender and target IP are both our_ip, target MAC zero, so that
 * neighbours update the MAC they hold for our_ip.  ARP_FRAME_LEN bytes.
 */
void arp_build_gratuitous(uint8_t *buf60, const uint8_t our_mac[6], uint32_t our_ip);

#endif /* SYD_ARP_H */

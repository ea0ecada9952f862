/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN (RFC 7348) over IPv4: the outer headers we put in front of a frame for a remote
 * VTEP, and the checks a frame from the uplink passes before its inner frame is switched.
 *
 * Pure functions on byte buffers: no EAL, no mbufs, no state; callable from any thread.
 * The receive side never reads past the length it is given.  What goes on the wire:
 *
 *   Ethernet  dst = next hop's MAC, src = ours, type IPv4                    14 bytes
 *   IPv4      version 4, IHL 5, DSCP/ECN 0, ID 0, DF, TTL 64, UDP,           20 bytes
 *             src = our VTEP, dst = remote VTEP
 *   UDP       src = from the inner flow's hash, dst = our VXLAN port, csum 0  8 bytes
 *   VXLAN     flags 0x08 (I), reserved 0, VNI, reserved 0                     8 bytes
 *   inner Ethernet frame (without FCS)
 *
 * What RFC 7348 asks, and what we chose:
 * - Flags: the I flag (0x08) must be set for a valid VNI; the seven other flag bits and
 *   the 24 + 8 reserved bits must be zero on send and ignored on receive.  We send zeros;
 *   on receive only the I flag is looked at (a frame without it is dropped).
 * - UDP checksum: "SHOULD be transmitted as zero"; a zero checksum MUST be accepted, and a
 *   receiver MAY verify a non-zero one.  We send 0 and never verify (the Ethernet FCS
 *   covers the link; the inner frame carries its own checksums).
 * - UDP source port: a hash of the inner frame's headers, from the dynamic range
 *   49152-65535, so that underlay ECMP spreads flows and keeps each one on one path.
 * - UDP destination port: 4789 (IANA) by default, configurable.
 * - VTEPs MUST NOT fragment VXLAN packets, and MAY discard outer fragments.  We set DF,
 *   refuse to encapsulate what would not fit the underlay MTU (vxlan_encap_fits), and drop
 *   outer fragments on receive.  With DF set the IPv4 ID may be any value (RFC 6864
 *   section 4.1, atomic datagrams): it is 0.
 * - Decapsulated frames with an inner VLAN tag SHOULD be dropped unless configured
 *   otherwise: that is the inner frame's business, seen when the caller parses it.
 * - The outer IPv4 header checksum is not verified on receive either (same reason as UDP);
 *   IPv4 options are accepted and skipped.
 * - The uplink is untagged: a frame with an 802.1Q/802.1ad tag is its own drop verdict
 *   (VXLAN_V_VLAN), as we would answer untagged.
 *
 * Byte order: IPv4 addresses in network order (as struct pkt_key keeps them), UDP ports,
 * VNIs and lengths in host order.
 */
#ifndef SYD_VXLAN_H
#define SYD_VXLAN_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>

#define VXLAN_PORT_DEFAULT 4789
#define VXLAN_TTL_DEFAULT  64
#define VXLAN_VNI_MAX	   0xffffffu
#define VXLAN_HDR_LEN	   8
#define VXLAN_ENCAP_LEN	   50 /* outer Ethernet + IPv4 + UDP + VXLAN */
#define VXLAN_IP_OVERHEAD  36 /* IPv4 + UDP + VXLAN: what the underlay IP MTU carries more */
#define VXLAN_INNER_MAX	   (65535 - VXLAN_IP_OVERHEAD) /* largest inner frame IPv4 can carry */
#define VXLAN_FLAG_I	   0x08
#define VXLAN_SPORT_MIN	   49152 /* source ports: 49152-65535 */

/* Offsets in the 50-byte outer header. */
#define VXLAN_OFF_IP	  14
#define VXLAN_OFF_IP_LEN  16
#define VXLAN_OFF_IP_TTL  22
#define VXLAN_OFF_IP_SUM  24
#define VXLAN_OFF_UDP	  34
#define VXLAN_OFF_UDP_LEN 38
#define VXLAN_OFF_VXLAN	  42
#define VXLAN_OFF_VNI	  46

/*
 * The outer headers for one remote VTEP, built once off the fast path and copied per
 * packet.  ip_sum is the one's-complement sum (folded, not inverted) of the IPv4 header's
 * 16-bit words as they lie in memory, with total length and checksum 0: a packet's
 * checksum is then one addition away.  Read-only once built; any number of readers.
 */
struct vxlan_tmpl {
	uint8_t hdr[VXLAN_ENCAP_LEN];
	uint16_t ip_sum;
};

/*
 * Build the template for frames from us (our_mac, our_addr) to the VTEP remote_addr,
 * reached through the next hop next_hop_mac, on UDP port udp_port (host order): TTL 64,
 * VNI, lengths, source port and checksum left for vxlan_encap_write().
 */
void vxlan_tmpl_init(struct vxlan_tmpl *t, const uint8_t our_mac[6], const uint8_t next_hop_mac[6],
		     uint32_t our_addr, uint32_t remote_addr, uint16_t udp_port);

/* Change a built template's TTL (1-255; 0 means VXLAN_TTL_DEFAULT). */
void vxlan_tmpl_set_ttl(struct vxlan_tmpl *t, uint8_t ttl);

/* Store a 16-bit value as it lies in memory (already in the byte order wanted). */
static inline void vxlan_put16(uint8_t *p, uint16_t v)
{
	memcpy(p, &v, sizeof(v));
}

/*
 * Write the outer headers into hdr50, the VXLAN_ENCAP_LEN bytes just in front of an inner
 * Ethernet frame of inner_len bytes (at most VXLAN_INNER_MAX: check vxlan_encap_fits()
 * first): the template, then the IPv4 total length and checksum, the UDP length and source
 * port (host order) and the VNI (its low 24 bits).  hdr50 needs no alignment.
 */
static inline void vxlan_encap_write(uint8_t *hdr50, const struct vxlan_tmpl *t, uint32_t vni,
				     uint16_t inner_len, uint16_t src_port)
{
	uint16_t ip_len = rte_cpu_to_be_16((uint16_t)(inner_len + VXLAN_IP_OVERHEAD));
	uint32_t vni_word = rte_cpu_to_be_32(vni << 8); /* VNI, then the reserved byte: 0 */
	uint32_t sum;

	/* One's-complement sums do not depend on byte order (RFC 1071): add the length as
	 * it lies in memory.  Both terms are at most 0xffff, so one fold is enough. */
	sum = (uint32_t)t->ip_sum + ip_len;
	sum = (sum & 0xffff) + (sum >> 16);
	memcpy(hdr50, t->hdr, VXLAN_ENCAP_LEN);
	vxlan_put16(hdr50 + VXLAN_OFF_IP_LEN, ip_len);
	vxlan_put16(hdr50 + VXLAN_OFF_IP_SUM, (uint16_t)~sum);
	vxlan_put16(hdr50 + VXLAN_OFF_UDP, rte_cpu_to_be_16(src_port));
	vxlan_put16(hdr50 + VXLAN_OFF_UDP_LEN,
		    rte_cpu_to_be_16((uint16_t)(inner_len + 8 + VXLAN_HDR_LEN)));
	memcpy(hdr50 + VXLAN_OFF_VNI, &vni_word, sizeof(vni_word));
}

/*
 * Does an inner Ethernet frame of inner_len bytes (no FCS), once encapsulated, fit an
 * underlay whose IP MTU is mtu (inner_len + 36 <= mtu)?  A 1500-byte underlay carries
 * inner frames up to 1464 bytes: an overlay MTU of 1450.
 */
static inline bool vxlan_encap_fits(uint32_t inner_len, uint16_t mtu)
{
	return mtu >= VXLAN_IP_OVERHEAD && inner_len <= (uint32_t)mtu - VXLAN_IP_OVERHEAD;
}

/*
 * A hash of an inner flow, for vxlan_src_port(): MACs, IPv4 addresses (0 when not IPv4),
 * IP protocol and L4 ports (0 when none), in any byte order as long as it is always the
 * same (struct pkt_key's fields as they are).  Cheap (three multiplications), not
 * cryptographic; the same fields always give the same hash.
 */
static inline uint32_t vxlan_inner_hash(const uint8_t dst_mac[6], const uint8_t src_mac[6],
					uint32_t ip_src, uint32_t ip_dst, uint8_t ip_proto,
					uint16_t l4_src, uint16_t l4_dst)
{
	uint32_t d4, s4;
	uint16_t d2, s2;
	uint64_t h;

	memcpy(&d4, dst_mac, 4);
	memcpy(&d2, dst_mac + 4, 2);
	memcpy(&s4, src_mac, 4);
	memcpy(&s2, src_mac + 4, 2);
	/* Each step mixes 64 new bits in and multiplies by an odd constant (the golden ratio
	 * and two from splitmix64), whose high bits depend on every input bit so far. */
	h = ((uint64_t)d4 << 32 | s4) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 29;
	h = (h ^ ((uint64_t)d2 << 48 | (uint64_t)s2 << 32 | ip_src)) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 31;
	h = (h ^ ((uint64_t)ip_dst << 32 | (uint64_t)l4_src << 16 | l4_dst) ^
	     ((uint64_t)ip_proto << 56)) *
	    0x94d049bb133111ebull;
	return (uint32_t)(h >> 32) ^ (uint32_t)h;
}

/* A UDP source port in 49152-65535 from a flow hash (any 32-bit hash of the inner flow). */
static inline uint16_t vxlan_src_port(uint32_t inner_hash)
{
	return (uint16_t)(VXLAN_SPORT_MIN | ((inner_hash ^ (inner_hash >> 16)) & 0x3fff));
}

/*
 * The verdicts on a frame from the uplink: _(SUFFIX, "name", "what it means").  OK and
 * ARP are handed on; every other one is a reason to drop.  Codes are the list's order:
 * append, never reorder.
 */
#define VXLAN_FOREACH_VERDICT(_)                                                                   \
	_(OK, "vxlan_ok", "VXLAN for our VTEP address and port: decapsulate")                      \
	_(ARP, "vxlan_arp", "ARP on the uplink: for the control path")                             \
	_(SHORT, "vxlan_short", "frame or IPv4 datagram ends inside the outer headers")            \
	_(VLAN, "vxlan_vlan", "802.1Q/802.1ad-tagged frame on the uplink (VXLAN runs untagged)")   \
	_(NOT_IP, "vxlan_not_ip", "uplink frame neither IPv4 nor ARP")                             \
	_(BAD_IP, "vxlan_bad_ip",                                                                  \
	  "outer IPv4 header: version not 4, IHL below 5, or total length below the header "       \
	  "or past the frame")                                                                     \
	_(FRAGMENT, "vxlan_fragment", "outer IPv4 fragment (VXLAN is not reassembled)")            \
	_(NOT_UDP, "vxlan_not_udp", "outer IPv4 packet is not UDP")                                \
	_(NOT_OURS, "vxlan_not_ours", "outer destination is not our VTEP address")                 \
	_(BAD_PORT, "vxlan_bad_port", "UDP destination port is not our VXLAN port")                \
	_(BAD_UDP_LEN, "vxlan_bad_udp_len",                                                        \
	  "UDP length below UDP + VXLAN headers or past the IPv4 datagram")                        \
	_(NO_I_FLAG, "vxlan_no_i_flag", "VXLAN header without the I (valid VNI) flag")             \
	_(SHORT_INNER, "vxlan_short_inner", "inner frame shorter than an Ethernet header")

enum vxlan_verdict {
#define VXLAN_VERDICT_ENUM(sym, name, help) VXLAN_V_##sym,
	VXLAN_FOREACH_VERDICT(VXLAN_VERDICT_ENUM)
#undef VXLAN_VERDICT_ENUM
	VXLAN_VERDICT_MAX /* one past the last: sizes tables */
};

/* Names ("vxlan_short") and one-line descriptions, indexed by enum vxlan_verdict. */
extern const char *const vxlan_verdict_name[VXLAN_VERDICT_MAX];
extern const char *const vxlan_verdict_help[VXLAN_VERDICT_MAX];

/* What vxlan_decap_check() found in a frame it accepted. */
struct vxlan_rx {
	uint32_t vni;	    /* host order, 24 bits; 0 for ARP */
	uint32_t src;	    /* outer source IPv4, network order (the remote VTEP); 0 for ARP */
	uint16_t inner_off; /* where the inner Ethernet frame starts (ARP: the ARP header) */
	uint16_t inner_len; /* its length, by the UDP length: Ethernet padding excluded (ARP:
			     * the bytes after the Ethernet header, at most 65535) */
};

/*
 * Check a frame of len bytes from the uplink: is it VXLAN for our_addr (network order) on
 * UDP port udp_port (host order), and where is its inner frame?
 *
 * Checks, in this order (the first that fails is the verdict): Ethernet header whole
 * (SHORT); ARP, whole 28-byte Ethernet/IPv4 body present (ARP, else SHORT; its fields are
 * arp_parse()'s job); a VLAN tag (VLAN); IPv4 (NOT_IP); 20 bytes of IPv4 (SHORT); version
 * 4, IHL >= 5, IHL*4 <= total length <= bytes after Ethernet (BAD_IP); MF and fragment
 * offset clear (FRAGMENT); UDP (NOT_UDP); destination our_addr (NOT_OURS); UDP and VXLAN
 * headers within the datagram (SHORT); destination port (BAD_PORT); 16 <= UDP length <=
 * datagram payload (BAD_UDP_LEN); I flag (NO_I_FLAG); inner frame >= 14 bytes
 * (SHORT_INNER).  Bytes after the IPv4 total length are Ethernet padding and ignored.
 *
 * @return VXLAN_V_OK or VXLAN_V_ARP with *out written; any other verdict leaves *out alone.
 */
enum vxlan_verdict vxlan_decap_check(const uint8_t *frame, uint32_t len, uint32_t our_addr,
				     uint16_t udp_port, struct vxlan_rx *out);

#endif /* SYD_VXLAN_H */

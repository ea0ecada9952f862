/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Frames built byte by byte for the parser tests: each helper appends one header in
 * network byte order, so a test reads top to bottom as the frame goes on the wire.
 * Lengths that depend on what follows (IPv4 total length, IPv6 payload length) are
 * filled by the matching *_end() helper once the payload is in; a test that wants a
 * wrong value patches it afterwards with frame_set_be16().
 *
 * Header-only (static inline) so that each test program uses what it needs.
 */
#ifndef SYD_TEST_FRAMES_H
#define SYD_TEST_FRAMES_H

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

#include <CUnit/CUnit.h>
#include <rte_ether.h>

#define FRAME_MAX 512

struct frame {
	uint8_t b[FRAME_MAX];
	uint32_t len;
};

/* The addresses every built frame carries. */
static const struct rte_ether_addr FRAME_DST = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x02}};
static const struct rte_ether_addr FRAME_SRC = {{0x02, 0x00, 0x5e, 0x00, 0x00, 0x01}};
#define FRAME_IP_A 0xc6120001u /* 198.18.0.1, host order */
#define FRAME_IP_B 0xc6120002u /* 198.18.0.2 */

/* An IPv4 address a.b.c.d in network order. */
static inline uint32_t ip4(uint8_t a, uint8_t b, uint8_t c, uint8_t d)
{
	return htonl((uint32_t)a << 24 | (uint32_t)b << 16 | (uint32_t)c << 8 | d);
}

/* Hex digits to bytes, spaces ignored.  @return the number of bytes. */
static inline uint32_t hex_bytes(const char *hex, uint8_t *out, uint32_t max)
{
	uint32_t n = 0;
	int hi = -1;

	for (; *hex != '\0'; hex++) {
		int v;

		if (*hex == ' ')
			continue;
		if (*hex >= '0' && *hex <= '9')
			v = *hex - '0';
		else if (*hex >= 'a' && *hex <= 'f')
			v = *hex - 'a' + 10;
		else
			CU_FAIL_FATAL("bad hex digit in a test frame");
		if (hi < 0) {
			hi = v;
			continue;
		}
		CU_ASSERT_FATAL(n < max);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	CU_ASSERT_FATAL(hi < 0);
	return n;
}

static inline void frame_bytes(struct frame *f, const void *p, uint32_t n)
{
	CU_ASSERT_FATAL(f->len + n <= FRAME_MAX);
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static inline void frame_u8(struct frame *f, uint8_t v)
{
	frame_bytes(f, &v, 1);
}

static inline void frame_be16(struct frame *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	frame_bytes(f, b, 2);
}

static inline void frame_be32(struct frame *f, uint32_t v)
{
	frame_be16(f, (uint16_t)(v >> 16));
	frame_be16(f, (uint16_t)v);
}

static inline void frame_fill(struct frame *f, uint8_t byte, uint32_t n)
{
	CU_ASSERT_FATAL(f->len + n <= FRAME_MAX);
	memset(f->b + f->len, byte, n);
	f->len += n;
}

static inline void frame_zeros(struct frame *f, uint32_t n)
{
	frame_fill(f, 0, n);
}

/* Zero padding up to len bytes in all (a short frame padded to the 60-byte minimum). */
static inline void frame_pad_to(struct frame *f, uint32_t len)
{
	if (f->len < len)
		frame_zeros(f, len - f->len);
}

static inline void frame_set_be16(struct frame *f, uint32_t off, uint16_t v)
{
	f->b[off] = (uint8_t)(v >> 8);
	f->b[off + 1] = (uint8_t)v;
}

/* Start a frame: destination and source MACs, nothing else yet. */
static inline void frame_start(struct frame *f)
{
	f->len = 0;
	frame_bytes(f, FRAME_DST.addr_bytes, RTE_ETHER_ADDR_LEN);
	frame_bytes(f, FRAME_SRC.addr_bytes, RTE_ETHER_ADDR_LEN);
}

/* A VLAN tag: its TPID (0x8100, 0x88a8, ...) and its TCI. */
static inline void frame_tag(struct frame *f, uint16_t tpid, uint16_t tci)
{
	frame_be16(f, tpid);
	frame_be16(f, tci);
}

static inline void frame_type(struct frame *f, uint16_t ethertype)
{
	frame_be16(f, ethertype);
}

/* An untagged Ethernet header. */
static inline void frame_eth(struct frame *f, uint16_t ethertype)
{
	frame_start(f);
	frame_type(f, ethertype);
}

/*
 * An IPv4 header of ihl 32-bit words (options are NOPs) from FRAME_IP_A to FRAME_IP_B,
 * with frag as its flags and fragment offset field.  @return its offset, for
 * frame_ipv4_end().
 */
static inline uint32_t frame_ipv4(struct frame *f, uint8_t proto, unsigned int ihl, uint16_t frag)
{
	uint32_t at = f->len;

	frame_u8(f, (uint8_t)(0x40 | (ihl & 0xf)));
	frame_u8(f, 0);	     /* DSCP, ECN */
	frame_be16(f, 0);    /* total length: frame_ipv4_end() */
	frame_be16(f, 4321); /* identification */
	frame_be16(f, frag);
	frame_u8(f, 64); /* TTL */
	frame_u8(f, proto);
	frame_be16(f, 0); /* checksum: the parser does not check it */
	frame_be32(f, FRAME_IP_A);
	frame_be32(f, FRAME_IP_B);
	if (ihl > 5)
		frame_fill(f, 0x01, (ihl - 5) * 4);
	return at;
}

/* Set the total length of the IPv4 header at offset at to cover the rest of the frame. */
static inline void frame_ipv4_end(struct frame *f, uint32_t at)
{
	frame_set_be16(f, at + 2, (uint16_t)(f->len - at));
}

/* An IPv6 header (2001:db8::1 to 2001:db8::2).  @return its offset, for frame_ipv6_end(). */
static inline uint32_t frame_ipv6(struct frame *f, uint8_t next)
{
	uint32_t at = f->len;

	frame_be32(f, 0x60000000); /* version 6, traffic class 0, flow 0 */
	frame_be16(f, 0);	   /* payload length: frame_ipv6_end() */
	frame_u8(f, next);
	frame_u8(f, 64); /* hop limit */
	frame_be32(f, 0x20010db8);
	frame_zeros(f, 8);
	frame_be32(f, 1);
	frame_be32(f, 0x20010db8);
	frame_zeros(f, 8);
	frame_be32(f, 2);
	return at;
}

/* Set the payload length of the IPv6 header at offset at to cover the rest of the frame. */
static inline void frame_ipv6_end(struct frame *f, uint32_t at)
{
	frame_set_be16(f, at + 4, (uint16_t)(f->len - at - 40));
}

/*
 * A hop-by-hop, routing or destination-options header of len bytes (a multiple of 8).
 * The PadN data is 0xff, not zeros: zeros read as an 8-byte hop-by-hop header, so a
 * parser that misjudged a header's length could land on them and still find the next
 * real header.
 */
static inline void frame_ipv6_ext(struct frame *f, uint8_t next, uint32_t len)
{
	frame_u8(f, next);
	frame_u8(f, (uint8_t)(len / 8 - 1));
	frame_u8(f, 1);			 /* PadN option ... */
	frame_u8(f, (uint8_t)(len - 4)); /* ... filling the rest */
	frame_fill(f, 0xff, len - 4);
}

/* An IPv6 fragment header: offset in 8-byte units, more = the M flag. */
static inline void frame_ipv6_frag(struct frame *f, uint8_t next, uint16_t offset, int more)
{
	frame_u8(f, next);
	frame_u8(f, 0);
	frame_be16(f, (uint16_t)(offset << 3 | (more ? 1 : 0)));
	frame_be32(f, 0x01020304); /* identification */
}

/* A TCP header of doff 32-bit words (options are NOPs), SYN set. */
static inline void frame_tcp(struct frame *f, uint16_t sport, uint16_t dport, unsigned int doff)
{
	frame_be16(f, sport);
	frame_be16(f, dport);
	frame_be32(f, 1000); /* sequence */
	frame_be32(f, 0);    /* acknowledgement */
	frame_u8(f, (uint8_t)(doff << 4));
	frame_u8(f, 0x02); /* SYN */
	frame_be16(f, 65535);
	frame_be16(f, 0); /* checksum */
	frame_be16(f, 0); /* urgent pointer */
	if (doff > 5)
		frame_fill(f, 0x01, (doff - 5) * 4);
}

/* A UDP header and payload bytes of zeros. */
static inline void frame_udp(struct frame *f, uint16_t sport, uint16_t dport, uint16_t payload)
{
	frame_be16(f, sport);
	frame_be16(f, dport);
	frame_be16(f, (uint16_t)(8 + payload));
	frame_be16(f, 0);
	frame_zeros(f, payload);
}

/* An SCTP common header (12 bytes). */
static inline void frame_sctp(struct frame *f, uint16_t sport, uint16_t dport)
{
	frame_be16(f, sport);
	frame_be16(f, dport);
	frame_be32(f, 0xabcdef01); /* verification tag */
	frame_be32(f, 0);	   /* checksum */
}

/* An ICMP or ICMPv6 echo header (8 bytes). */
static inline void frame_icmp(struct frame *f, uint8_t type, uint8_t code)
{
	frame_u8(f, type);
	frame_u8(f, code);
	frame_be16(f, 0);      /* checksum */
	frame_be16(f, 0x1234); /* identifier */
	frame_be16(f, 1);      /* sequence */
}

/* An Ethernet/IPv4 ARP packet (28 bytes): sender FRAME_SRC at spa, target tha at tpa. */
static inline void frame_arp(struct frame *f, uint16_t op, uint32_t spa,
			     const struct rte_ether_addr *tha, uint32_t tpa)
{
	frame_be16(f, 1);      /* hardware: Ethernet */
	frame_be16(f, 0x0800); /* protocol: IPv4 */
	frame_u8(f, 6);
	frame_u8(f, 4);
	frame_be16(f, op);
	frame_bytes(f, FRAME_SRC.addr_bytes, RTE_ETHER_ADDR_LEN);
	frame_be32(f, spa);
	frame_bytes(f, tha->addr_bytes, RTE_ETHER_ADDR_LEN);
	frame_be32(f, tpa);
}

#endif /* SYD_TEST_FRAMES_H */

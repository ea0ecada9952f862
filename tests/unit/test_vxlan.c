/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN: outer headers byte for byte against frames written out by hand, the IPv4
 * checksum against an independent routine for every inner length, decapsulation of what
 * we encapsulate, every drop verdict from a crafted frame, every prefix of good frames,
 * and the verdict names.
 *
 * Frames under test are copied into heap buffers of exactly their length: under ASan a
 * read past the end fails the test.  A struct vxlan_rx is filled with 0xa5 first, so that
 * a field the check forgot to write, or wrote on a drop, shows.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_common.h>

#include "frames.h"
#include "vxlan.h"
#include "suite.h"

#define OUR_PORT 4789

static const uint8_t MAC_US[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x01};
static const uint8_t MAC_HOP[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x02};

/* The Internet checksum of an IPv4 header, written from RFC 1071 with byte pairs read as
 * big-endian numbers (the library sums native words): 0xffff when the header is right. */
static uint16_t rfc1071_sum(const uint8_t *p, uint32_t len)
{
	uint32_t sum = 0, i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	while (sum > 0xffff)
		sum = (sum >> 16) + (sum & 0xffff);
	return (uint16_t)sum;
}

static void expect_bytes(const uint8_t *got, const uint8_t *want, uint32_t len, const char *what)
{
	uint32_t i;

	for (i = 0; i < len; i++) {
		if (got[i] != want[i]) {
			char msg[160];

			snprintf(msg, sizeof(msg), "%s: byte %u is 0x%02x, want 0x%02x", what, i,
				 got[i], want[i]);
			CU_assertImplementation(CU_FALSE, __LINE__, msg, __FILE__, "", CU_FALSE);
			return;
		}
	}
	CU_PASS(what);
}

/* Check the first len bytes of f from a heap copy of exactly len bytes. */
static enum vxlan_verdict check_prefix(const uint8_t *b, uint32_t len, uint32_t our_addr,
				       uint16_t port, struct vxlan_rx *rx)
{
	uint8_t *copy = malloc(len ? len : 1);
	enum vxlan_verdict v;

	CU_ASSERT_FATAL(copy != NULL);
	memcpy(copy, b, len);
	memset(rx, 0xa5, sizeof(*rx));
	v = vxlan_decap_check(copy, len, our_addr, port, rx);
	free(copy);
	return v;
}

static enum vxlan_verdict check_frame(const struct frame *f, struct vxlan_rx *rx)
{
	return check_prefix(f->b, f->len, htonl(FRAME_IP_B), OUR_PORT, rx);
}

static void expect_verdict(enum vxlan_verdict got, enum vxlan_verdict want, const char *what,
			   unsigned int line)
{
	char msg[200];

	snprintf(msg, sizeof(msg), "%s: verdict %s, want %s", what,
		 got < VXLAN_VERDICT_MAX ? vxlan_verdict_name[got] : "?",
		 want < VXLAN_VERDICT_MAX ? vxlan_verdict_name[want] : "?");
	CU_assertImplementation(got == want, line, msg, __FILE__, "", CU_FALSE);
}

#define EXPECT_VERDICT(got, want, what) expect_verdict(got, want, what, __LINE__)

/* A drop leaves the receive info as it was. */
static void expect_untouched(const struct vxlan_rx *rx)
{
	struct vxlan_rx poison;

	memset(&poison, 0xa5, sizeof(poison));
	CU_ASSERT(memcmp(rx, &poison, sizeof(poison)) == 0);
}

/* How a crafted VXLAN frame from FRAME_IP_A to FRAME_IP_B looks. */
struct vx {
	uint16_t tpid;	    /* 0: untagged */
	uint16_t ethertype; /* 0x0800 */
	unsigned int ihl;   /* 5 */
	uint16_t frag;	    /* 0 */
	uint8_t proto;	    /* UDP */
	uint16_t dport;	    /* OUR_PORT */
	uint8_t flags;	    /* 0x08 */
	uint32_t vni;	    /* 5001 */
	uint32_t inner_len; /* 60 */
	uint32_t pad;	    /* Ethernet padding after the IPv4 packet: 0 */
	uint8_t reserved;   /* the reserved bytes' value: 0 */
};

static struct vx vx_default(void)
{
	struct vx o = {
		.ethertype = 0x0800,
		.ihl = 5,
		.proto = IPPROTO_UDP,
		.dport = OUR_PORT,
		.flags = VXLAN_FLAG_I,
		.vni = 5001,
		.inner_len = 60,
	};
	return o;
}

/* The inner frame's byte i: its MACs, then a counting pattern. */
static uint8_t inner_byte(uint32_t i)
{
	static const uint8_t head[14] = {
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x99, /* inner destination */
		0x02, 0x00, 0x5e, 0x00, 0x00, 0x98, /* inner source */
		0x08, 0x00,			    /* IPv4 */
	};

	return i < 14 ? head[i] : (uint8_t)(i * 7);
}

/* Build o into f.  @return the IPv4 header's offset. */
static uint32_t vx_build(struct frame *f, const struct vx *o)
{
	uint32_t ip, i;

	frame_start(f);
	if (o->tpid)
		frame_tag(f, o->tpid, 100);
	frame_type(f, o->ethertype);
	ip = frame_ipv4(f, o->proto, o->ihl, o->frag);
	frame_be16(f, 0xc000);
	frame_be16(f, o->dport);
	frame_be16(f, (uint16_t)(16 + o->inner_len));
	frame_be16(f, 0);
	frame_u8(f, o->flags);
	frame_fill(f, o->reserved, 3);
	frame_u8(f, (uint8_t)(o->vni >> 16));
	frame_u8(f, (uint8_t)(o->vni >> 8));
	frame_u8(f, (uint8_t)o->vni);
	frame_u8(f, o->reserved);
	for (i = 0; i < o->inner_len; i++)
		frame_u8(f, inner_byte(i));
	frame_ipv4_end(f, ip);
	frame_fill(f, 0xee, o->pad);
	return ip;
}

static void expect_ok(const struct frame *f, const struct vx *o, const char *what)
{
	struct vxlan_rx rx;
	uint32_t off = 14 + (o->tpid ? 4 : 0) + o->ihl * 4 + 16, i;

	EXPECT_VERDICT(check_frame(f, &rx), VXLAN_V_OK, what);
	CU_ASSERT_EQUAL(rx.vni, o->vni);
	CU_ASSERT_EQUAL(rx.src, htonl(FRAME_IP_A));
	CU_ASSERT_EQUAL(rx.inner_off, off);
	CU_ASSERT_EQUAL(rx.inner_len, o->inner_len);
	for (i = 0; i < o->inner_len && rx.inner_off + i < f->len; i++)
		if (f->b[rx.inner_off + i] != inner_byte(i))
			break;
	CU_ASSERT_EQUAL(i, o->inner_len);
}

/* Encapsulation */

static void test_encap_matches_hand_checked_frame(void)
{
	static const char *want_hex =
		"02005e000002 02005e000001 0800"		  /* Ethernet */
		"4500 0064 0000 4000 4011 ae61 c6120001 c6120002" /* IPv4, length 100 */
		"c123 12b5 0050 0000"				  /* UDP 49443 -> 4789, length 80 */
		"08 000000 001389 00";				  /* VXLAN, VNI 5001 */
	struct vxlan_tmpl t;
	uint8_t want[VXLAN_ENCAP_LEN], hdr[VXLAN_ENCAP_LEN + 2];

	CU_ASSERT_EQUAL_FATAL(hex_bytes(want_hex, want, sizeof(want)), VXLAN_ENCAP_LEN);
	vxlan_tmpl_init(&t, MAC_US, MAC_HOP, ip4(198, 18, 0, 1), ip4(198, 18, 0, 2), 4789);
	/* Written one byte off alignment, as after an mbuf prepend. */
	vxlan_encap_write(hdr + 1, &t, 5001, 64, 0xc123);
	expect_bytes(hdr + 1, want, VXLAN_ENCAP_LEN, "VNI 5001, 64-byte inner frame");
	CU_ASSERT_EQUAL(rfc1071_sum(hdr + 1 + 14, 20), 0xffff);
}

static void test_encap_max_vni_ttl_1_full_mtu_frame(void)
{
	static const char *want_hex =
		"02005e000002 02005e000001 0800"
		"4500 05dc 0000 4000 0111 e7eb c612fffe c6130001" /* length 1500, TTL 1 */
		"ffff 2118 05c8 0000"				  /* 65535 -> 8472, length 1480 */
		"08 000000 ffffff 00";
	struct vxlan_tmpl t;
	uint8_t want[VXLAN_ENCAP_LEN], hdr[VXLAN_ENCAP_LEN];

	CU_ASSERT_EQUAL_FATAL(hex_bytes(want_hex, want, sizeof(want)), VXLAN_ENCAP_LEN);
	vxlan_tmpl_init(&t, MAC_US, MAC_HOP, ip4(198, 18, 255, 254), ip4(198, 19, 0, 1), 8472);
	vxlan_tmpl_set_ttl(&t, 1);
	CU_ASSERT(vxlan_encap_fits(1464, 1500));
	vxlan_encap_write(hdr, &t, VXLAN_VNI_MAX, 1464, 65535);
	expect_bytes(hdr, want, VXLAN_ENCAP_LEN, "VNI 16777215, TTL 1, 1464-byte inner frame");
	CU_ASSERT_EQUAL(rfc1071_sum(hdr + 14, 20), 0xffff);
}

static void test_encap_vni_zero_and_max(void)
{
	static const struct {
		uint32_t vni;
		uint8_t bytes[4];
	} cases[] = {
		{0, {0, 0, 0, 0}},
		{1, {0, 0, 1, 0}},
		{0x123456, {0x12, 0x34, 0x56, 0}},
		{VXLAN_VNI_MAX, {0xff, 0xff, 0xff, 0}},
		{0xff000001, {0, 0, 1, 0}}, /* only 24 bits: the reserved byte stays 0 */
	};
	struct vxlan_tmpl t;
	unsigned int i;

	vxlan_tmpl_init(&t, MAC_US, MAC_HOP, ip4(198, 18, 0, 1), ip4(198, 18, 0, 2), OUR_PORT);
	for (i = 0; i < RTE_DIM(cases); i++) {
		uint8_t hdr[VXLAN_ENCAP_LEN];

		memset(hdr, 0x77, sizeof(hdr));
		vxlan_encap_write(hdr, &t, cases[i].vni, 100, 50000);
		CU_ASSERT(memcmp(hdr + 46, cases[i].bytes, 4) == 0);
		CU_ASSERT_EQUAL(hdr[42], VXLAN_FLAG_I);
		CU_ASSERT(hdr[43] == 0 && hdr[44] == 0 && hdr[45] == 0);
	}
}

static void test_template_sends_zeros_where_rfc_asks(void)
{
	struct vxlan_tmpl t;
	uint8_t hdr[VXLAN_ENCAP_LEN];

	vxlan_tmpl_init(&t, MAC_US, MAC_HOP, ip4(198, 18, 0, 1), ip4(198, 18, 0, 2), OUR_PORT);
	memset(hdr, 0xff, sizeof(hdr));
	vxlan_encap_write(hdr, &t, 42, 60, 49152);
	CU_ASSERT_EQUAL(hdr[15], 0);		    /* DSCP/ECN */
	CU_ASSERT(hdr[18] == 0 && hdr[19] == 0);    /* ID */
	CU_ASSERT(hdr[20] == 0x40 && hdr[21] == 0); /* DF, no fragment */
	CU_ASSERT_EQUAL(hdr[22], VXLAN_TTL_DEFAULT);
	CU_ASSERT_EQUAL(hdr[23], IPPROTO_UDP);
	CU_ASSERT(hdr[40] == 0 && hdr[41] == 0); /* UDP checksum */
	CU_ASSERT_EQUAL(hdr[42], 0x08);		 /* only the I flag */
	CU_ASSERT(hdr[43] == 0 && hdr[44] == 0 && hdr[45] == 0 && hdr[49] == 0);
}

/* The incremental checksum against the full one, for every length IPv4 can carry. */
static void test_encap_checksum_every_inner_length(void)
{
	static const uint32_t addrs[][2] = {
		{0xc6120001, 0xc6120002},
		{0xffffffff, 0xffffffff}, /* sums that carry the most */
		{0x00000001, 0x00000000},
		{0xc613ff00, 0x0a000001},
	};
	unsigned int a, bad = 0;
	uint32_t len;

	for (a = 0; a < RTE_DIM(addrs); a++) {
		struct vxlan_tmpl t;
		uint8_t hdr[VXLAN_ENCAP_LEN];

		vxlan_tmpl_init(&t, MAC_US, MAC_HOP, htonl(addrs[a][0]), htonl(addrs[a][1]),
				OUR_PORT);
		vxlan_tmpl_set_ttl(&t, (uint8_t)(a * 85));
		for (len = 0; len <= VXLAN_INNER_MAX; len++) {
			vxlan_encap_write(hdr, &t, len, (uint16_t)len, 60000);
			if (rfc1071_sum(hdr + 14, 20) != 0xffff ||
			    (uint32_t)(hdr[16] << 8 | hdr[17]) != len + 36 ||
			    (uint32_t)(hdr[38] << 8 | hdr[39]) != len + 16)
				bad++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
}

static void test_encap_fits_underlay_mtu(void)
{
	CU_ASSERT(vxlan_encap_fits(1464, 1500));
	CU_ASSERT_FALSE(vxlan_encap_fits(1465, 1500));
	CU_ASSERT(vxlan_encap_fits(9000 - 36, 9000));
	CU_ASSERT_FALSE(vxlan_encap_fits(9000 - 35, 9000));
	CU_ASSERT(vxlan_encap_fits(0, 36));
	CU_ASSERT_FALSE(vxlan_encap_fits(0, 35));
	CU_ASSERT_FALSE(vxlan_encap_fits(14, 0));
	CU_ASSERT(vxlan_encap_fits(VXLAN_INNER_MAX, 65535));
	CU_ASSERT_FALSE(vxlan_encap_fits(UINT32_MAX, 65535));
}

static void test_src_port_in_dynamic_range(void)
{
	uint32_t h, low = 0xffff, high = 0;

	for (h = 0; h < (1u << 20); h++) {
		uint16_t p = vxlan_src_port(h * 0x1001u);

		low = RTE_MIN(low, (uint32_t)p);
		high = RTE_MAX(high, (uint32_t)p);
	}
	CU_ASSERT_EQUAL(low, 49152);
	CU_ASSERT_EQUAL(high, 65535);
	CU_ASSERT(vxlan_src_port(0) >= 49152);
	CU_ASSERT(vxlan_src_port(UINT32_MAX) >= 49152);
}

static void test_inner_hash_uses_every_field(void)
{
	uint8_t d[6] = {0x02, 0, 0x5e, 0, 0, 1}, s[6] = {0x02, 0, 0x5e, 0, 0, 2};
	uint32_t base = vxlan_inner_hash(d, s, 1, 2, 6, 3, 4);
	unsigned int i;

	CU_ASSERT_EQUAL(vxlan_inner_hash(d, s, 1, 2, 6, 3, 4), base); /* deterministic */
	for (i = 0; i < 6; i++) {
		d[i] ^= 1;
		CU_ASSERT_NOT_EQUAL(vxlan_inner_hash(d, s, 1, 2, 6, 3, 4), base);
		d[i] ^= 1;
		s[i] ^= 0x80;
		CU_ASSERT_NOT_EQUAL(vxlan_inner_hash(d, s, 1, 2, 6, 3, 4), base);
		s[i] ^= 0x80;
	}
	CU_ASSERT_NOT_EQUAL(vxlan_inner_hash(d, s, 0x100001, 2, 6, 3, 4), base);
	CU_ASSERT_NOT_EQUAL(vxlan_inner_hash(d, s, 1, 0x80000002, 6, 3, 4), base);
	CU_ASSERT_NOT_EQUAL(vxlan_inner_hash(d, s, 1, 2, 17, 3, 4), base);
	CU_ASSERT_NOT_EQUAL(vxlan_inner_hash(d, s, 1, 2, 6, 0x8003, 4), base);
	CU_ASSERT_NOT_EQUAL(vxlan_inner_hash(d, s, 1, 2, 6, 3, 5), base);
	CU_ASSERT_NOT_EQUAL(vxlan_inner_hash(d, s, 1, 2, 6, 4, 3), base); /* ports swapped */
}

/* 4096 flows that differ only in their source port land on many source ports: with a
 * uniform hash about 3,630 of the 16,384 are expected. */
static void test_flows_spread_over_source_ports(void)
{
	static uint8_t seen[16384];
	const uint8_t d[6] = {0x02, 0, 0x5e, 0, 0, 1}, s[6] = {0x02, 0, 0x5e, 0, 0, 2};
	unsigned int i, distinct = 0;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < 4096; i++) {
		uint16_t p = vxlan_src_port(
			vxlan_inner_hash(d, s, htonl(0x0a000001), htonl(0x0a000002), IPPROTO_TCP,
					 htons((uint16_t)(10000 + i)), htons(80)));

		distinct += !seen[p - 49152];
		seen[p - 49152] = 1;
	}
	CU_ASSERT(distinct > 3400);
}

/* Decapsulation of what we encapsulate */

static void test_encap_then_decap_gives_back_the_frame(void)
{
	static const uint32_t vnis[] = {0, 1, 5001, VXLAN_VNI_MAX};
	uint32_t us = ip4(198, 18, 0, 1), them = ip4(198, 18, 0, 2);
	struct vxlan_tmpl t;
	unsigned int i;

	vxlan_tmpl_init(&t, MAC_US, MAC_HOP, us, them, OUR_PORT);
	for (i = 0; i < RTE_DIM(vnis); i++) {
		uint8_t frame[VXLAN_ENCAP_LEN + 80];
		struct vxlan_rx rx;
		uint32_t j;

		for (j = 0; j < 80; j++)
			frame[VXLAN_ENCAP_LEN + j] = inner_byte(j);
		vxlan_encap_write(frame, &t, vnis[i], 80, 51000);
		/* At the remote VTEP: addressed to it, from us. */
		EXPECT_VERDICT(check_prefix(frame, sizeof(frame), them, OUR_PORT, &rx), VXLAN_V_OK,
			       "our own encapsulation");
		CU_ASSERT_EQUAL(rx.vni, vnis[i]);
		CU_ASSERT_EQUAL(rx.src, us);
		CU_ASSERT_EQUAL(rx.inner_off, VXLAN_ENCAP_LEN);
		CU_ASSERT_EQUAL(rx.inner_len, 80);
		/* And not at us: it is not our address. */
		EXPECT_VERDICT(check_prefix(frame, sizeof(frame), us, OUR_PORT, &rx),
			       VXLAN_V_NOT_OURS, "our own encapsulation, back at us");
	}
}

static void test_decap_hand_checked_frame(void)
{
	static const char *hex = "02005e000001 02005e000002 0800"
				 "4500 0044 0000 4000 4011 ae81 c6120002 c6120001"
				 "c123 12b5 0030 0000"
				 "08 000000 001389 00"
				 "ffffffffffff 02005e000099 0806" /* inner: 14 + 18 bytes */
				 "0001 0800 0604 0001 02005e000099 c6120063";
	uint8_t frame[128];
	uint32_t n = hex_bytes(hex, frame, sizeof(frame));
	struct vxlan_rx rx;

	CU_ASSERT_EQUAL_FATAL(n, 82);
	CU_ASSERT_EQUAL(rfc1071_sum(frame + 14, 20), 0xffff);
	EXPECT_VERDICT(check_prefix(frame, n, ip4(198, 18, 0, 1), OUR_PORT, &rx), VXLAN_V_OK,
		       "hand-written frame");
	CU_ASSERT_EQUAL(rx.vni, 5001);
	CU_ASSERT_EQUAL(rx.src, ip4(198, 18, 0, 2));
	CU_ASSERT_EQUAL(rx.inner_off, 50);
	CU_ASSERT_EQUAL(rx.inner_len, 32);
}

static void test_decap_vni_zero_and_max(void)
{
	static const uint32_t vnis[] = {0, 1, 0x800000, VXLAN_VNI_MAX};
	unsigned int i;

	for (i = 0; i < RTE_DIM(vnis); i++) {
		struct vx o = vx_default();
		struct frame f;

		o.vni = vnis[i];
		vx_build(&f, &o);
		expect_ok(&f, &o, "VNI");
	}
}

static void test_decap_accepts_every_ipv4_option_length(void)
{
	unsigned int ihl;

	for (ihl = 5; ihl <= 15; ihl++) {
		struct vx o = vx_default();
		struct frame f;

		o.ihl = ihl;
		vx_build(&f, &o);
		expect_ok(&f, &o, "IPv4 options");
	}
}

static void test_decap_ignores_ethernet_padding(void)
{
	struct vx o = vx_default();
	struct frame f;

	o.inner_len = 14; /* a 64-byte packet... */
	o.pad = 20;	  /* ...padded with what a minimum frame or a NIC adds */
	vx_build(&f, &o);
	expect_ok(&f, &o, "padded");
}

static void test_decap_ignores_reserved_bits(void)
{
	struct vx o = vx_default();
	struct frame f;

	o.flags = 0xff;
	o.reserved = 0xff;
	vx_build(&f, &o);
	expect_ok(&f, &o, "reserved bits all set");
}

static void test_decap_accepts_udp_checksum_and_dont_fragment(void)
{
	struct vx o = vx_default();
	struct frame f;
	uint32_t ip;

	o.frag = 0x4000; /* DF is not a fragment */
	ip = vx_build(&f, &o);
	frame_set_be16(&f, ip + 20 + 6, 0xbeef); /* never verified */
	expect_ok(&f, &o, "DF and a UDP checksum");
}

/* Every drop verdict */

static void expect_drop(const struct frame *f, enum vxlan_verdict want, const char *what,
			unsigned int line)
{
	struct vxlan_rx rx;

	expect_verdict(check_frame(f, &rx), want, what, line);
	expect_untouched(&rx);
}

#define EXPECT_DROP(f, want, what) expect_drop(f, want, what, __LINE__)

static void test_short_ethernet_is_short(void)
{
	struct frame f;

	frame_start(&f);
	frame_u8(&f, 0x08);
	EXPECT_DROP(&f, VXLAN_V_SHORT, "13 bytes");
	f.len = 0;
	EXPECT_DROP(&f, VXLAN_V_SHORT, "empty");
}

static void test_short_ipv4_header_is_short(void)
{
	struct frame f;

	frame_eth(&f, 0x0800);
	frame_fill(&f, 0x45, 19);
	EXPECT_DROP(&f, VXLAN_V_SHORT, "19 bytes of IPv4");
}

static void test_datagram_without_room_for_vxlan_is_short(void)
{
	struct vx o = vx_default();
	struct frame f;
	uint32_t ip = vx_build(&f, &o);

	frame_set_be16(&f, ip + 2, 20 + 15); /* UDP and 7 bytes of VXLAN */
	EXPECT_DROP(&f, VXLAN_V_SHORT, "IPv4 total length ends inside VXLAN");
	frame_set_be16(&f, ip + 2, 20);
	EXPECT_DROP(&f, VXLAN_V_SHORT, "IPv4 total length ends before UDP");
}

static void test_arp_is_handed_on(void)
{
	struct frame f;
	struct vxlan_rx rx;

	frame_eth(&f, 0x0806);
	frame_arp(&f, 1, FRAME_IP_A, &FRAME_DST, FRAME_IP_B);
	EXPECT_VERDICT(check_frame(&f, &rx), VXLAN_V_ARP, "ARP request");
	CU_ASSERT_EQUAL(rx.inner_off, 14);
	CU_ASSERT_EQUAL(rx.inner_len, 28);
	CU_ASSERT_EQUAL(rx.vni, 0);
	CU_ASSERT_EQUAL(rx.src, 0);
	frame_pad_to(&f, 60);
	EXPECT_VERDICT(check_frame(&f, &rx), VXLAN_V_ARP, "padded ARP request");
	CU_ASSERT_EQUAL(rx.inner_len, 46);
}

static void test_arp_cut_short_is_short(void)
{
	struct frame f;

	frame_eth(&f, 0x0806);
	frame_arp(&f, 1, FRAME_IP_A, &FRAME_DST, FRAME_IP_B);
	f.len--;
	EXPECT_DROP(&f, VXLAN_V_SHORT, "27 bytes of ARP");
}

static void test_tagged_frame_is_vlan(void)
{
	static const uint16_t tpids[] = {0x8100, 0x88a8, 0x9100};
	unsigned int i;

	for (i = 0; i < RTE_DIM(tpids); i++) {
		struct vx o = vx_default();
		struct frame f;

		o.tpid = tpids[i];
		vx_build(&f, &o);
		EXPECT_DROP(&f, VXLAN_V_VLAN, "tagged VXLAN");
	}
}

static void test_other_ethertypes_are_not_ip(void)
{
	struct frame f;
	uint32_t ip6;

	frame_eth(&f, 0x86dd);
	ip6 = frame_ipv6(&f, IPPROTO_UDP);
	frame_udp(&f, 1000, OUR_PORT, 30);
	frame_ipv6_end(&f, ip6);
	EXPECT_DROP(&f, VXLAN_V_NOT_IP, "IPv6 UDP to the VXLAN port");
	frame_eth(&f, 0x88b5);
	frame_pad_to(&f, 60);
	EXPECT_DROP(&f, VXLAN_V_NOT_IP, "local experimental ethertype");
	frame_eth(&f, 0x8035); /* RARP */
	frame_pad_to(&f, 60);
	EXPECT_DROP(&f, VXLAN_V_NOT_IP, "RARP");
}

static void test_bad_ipv4_header_is_bad_ip(void)
{
	struct vx o = vx_default();
	struct frame f;
	uint32_t ip;

	ip = vx_build(&f, &o);
	f.b[ip] = 0x65;
	EXPECT_DROP(&f, VXLAN_V_BAD_IP, "version 6 in an IPv4 ethertype");
	f.b[ip] = 0x44;
	EXPECT_DROP(&f, VXLAN_V_BAD_IP, "IHL 4");
	f.b[ip] = 0x40;
	EXPECT_DROP(&f, VXLAN_V_BAD_IP, "IHL 0");

	ip = vx_build(&f, &o);
	frame_set_be16(&f, ip + 2, 19);
	EXPECT_DROP(&f, VXLAN_V_BAD_IP, "total length below the header");
	frame_set_be16(&f, ip + 2, 0);
	EXPECT_DROP(&f, VXLAN_V_BAD_IP, "total length 0");
	frame_set_be16(&f, ip + 2, (uint16_t)(f.len - 14 + 1));
	EXPECT_DROP(&f, VXLAN_V_BAD_IP, "total length one past the frame");
	frame_set_be16(&f, ip + 2, 0xffff);
	EXPECT_DROP(&f, VXLAN_V_BAD_IP, "total length 65535");

	o.ihl = 15;
	ip = vx_build(&f, &o);
	f.len = ip + 40; /* the options run past the frame */
	frame_set_be16(&f, ip + 2, 40);
	EXPECT_DROP(&f, VXLAN_V_BAD_IP, "IHL past the total length");
}

static void test_outer_fragments_are_fragments(void)
{
	static const uint16_t frags[] = {0x2000, 0x0001, 0x1fff, 0x2001, 0x6000, 0xa000 | 0x10};
	unsigned int i;

	for (i = 0; i < RTE_DIM(frags); i++) {
		struct vx o = vx_default();
		struct frame f;

		o.frag = frags[i];
		vx_build(&f, &o);
		EXPECT_DROP(&f, VXLAN_V_FRAGMENT, "MF or an offset");
	}
}

static void test_not_udp_is_not_udp(void)
{
	struct vx o = vx_default();
	struct frame f;

	o.proto = IPPROTO_TCP;
	vx_build(&f, &o);
	EXPECT_DROP(&f, VXLAN_V_NOT_UDP, "TCP");
	o.proto = IPPROTO_ICMP;
	vx_build(&f, &o);
	EXPECT_DROP(&f, VXLAN_V_NOT_UDP, "ICMP");
}

static void test_other_destination_is_not_ours(void)
{
	struct vx o = vx_default();
	struct frame f;
	struct vxlan_rx rx;

	vx_build(&f, &o);
	EXPECT_VERDICT(check_prefix(f.b, f.len, htonl(FRAME_IP_A), OUR_PORT, &rx), VXLAN_V_NOT_OURS,
		       "to FRAME_IP_B, we are FRAME_IP_A");
	expect_untouched(&rx);
	EXPECT_VERDICT(check_prefix(f.b, f.len, FRAME_IP_B, OUR_PORT, &rx), VXLAN_V_NOT_OURS,
		       "our address given in host order");
	expect_untouched(&rx);
}

static void test_other_port_is_bad_port(void)
{
	struct vx o = vx_default();
	struct frame f;
	struct vxlan_rx rx;

	o.dport = 8472;
	vx_build(&f, &o);
	EXPECT_DROP(&f, VXLAN_V_BAD_PORT, "port 8472");
	EXPECT_VERDICT(check_prefix(f.b, f.len, htonl(FRAME_IP_B), 8472, &rx), VXLAN_V_OK,
		       "port 8472 when it is ours");
	o.dport = htons(OUR_PORT);
	vx_build(&f, &o);
	EXPECT_DROP(&f, VXLAN_V_BAD_PORT, "port byte-swapped");
}

static void test_bad_udp_length_is_bad_udp_len(void)
{
	struct vx o = vx_default();
	struct frame f;
	uint32_t ip = vx_build(&f, &o), udp = ip + 20;

	frame_set_be16(&f, udp + 4, 15);
	EXPECT_DROP(&f, VXLAN_V_BAD_UDP_LEN, "UDP length 15");
	frame_set_be16(&f, udp + 4, 0);
	EXPECT_DROP(&f, VXLAN_V_BAD_UDP_LEN, "UDP length 0");
	frame_set_be16(&f, udp + 4, (uint16_t)(f.len - udp + 1));
	EXPECT_DROP(&f, VXLAN_V_BAD_UDP_LEN, "UDP length one past the datagram");
}

static void test_udp_length_below_datagram_bounds_inner_frame(void)
{
	struct vx o = vx_default();
	struct frame f;
	struct vxlan_rx rx;
	uint32_t ip = vx_build(&f, &o);

	frame_set_be16(&f, ip + 20 + 4, 16 + 40);
	EXPECT_VERDICT(check_frame(&f, &rx), VXLAN_V_OK, "UDP shorter than the IPv4 payload");
	CU_ASSERT_EQUAL(rx.inner_len, 40);
}

static void test_missing_i_flag_is_no_i_flag(void)
{
	struct vx o = vx_default();
	struct frame f;

	o.flags = 0;
	vx_build(&f, &o);
	EXPECT_DROP(&f, VXLAN_V_NO_I_FLAG, "flags 0");
	o.flags = 0xf7;
	vx_build(&f, &o);
	EXPECT_DROP(&f, VXLAN_V_NO_I_FLAG, "every flag but I");
}

static void test_short_inner_frame_is_short_inner(void)
{
	struct vx o = vx_default();
	struct frame f;
	uint32_t n;

	for (n = 0; n < 14; n++) {
		o.inner_len = n;
		vx_build(&f, &o);
		EXPECT_DROP(&f, VXLAN_V_SHORT_INNER, "inner frame under 14 bytes");
	}
	o.inner_len = 14;
	vx_build(&f, &o);
	expect_ok(&f, &o, "a bare inner Ethernet header");
}

/* Every prefix of a frame, from a buffer of exactly that length. */
static void expect_prefixes(const struct frame *f, uint32_t ip_end, enum vxlan_verdict whole,
			    const char *what)
{
	uint32_t len;

	for (len = 0; len <= f->len; len++) {
		struct vxlan_rx rx;
		enum vxlan_verdict want, got;

		got = check_prefix(f->b, len, htonl(FRAME_IP_B), OUR_PORT, &rx);
		if (len < 34)
			want = VXLAN_V_SHORT;
		else if (len < ip_end)
			want = VXLAN_V_BAD_IP; /* total length past the frame */
		else
			want = whole;
		expect_verdict(got, want, what, __LINE__);
		if (got != VXLAN_V_OK)
			expect_untouched(&rx);
		if (got != want)
			break;
	}
}

static void test_truncated_vxlan_every_prefix(void)
{
	struct vx o = vx_default();
	struct frame f;

	vx_build(&f, &o);
	expect_prefixes(&f, f.len, VXLAN_V_OK, "prefix of a VXLAN frame");
	o.ihl = 15;
	o.pad = 17;
	vx_build(&f, &o);
	expect_prefixes(&f, f.len - 17, VXLAN_V_OK, "prefix of a padded VXLAN frame, IPv4 options");
}

static void test_truncated_arp_every_prefix(void)
{
	struct frame f;
	uint32_t len;

	frame_eth(&f, 0x0806);
	frame_arp(&f, 2, FRAME_IP_A, &FRAME_DST, FRAME_IP_B);
	for (len = 0; len <= f.len; len++) {
		struct vxlan_rx rx;

		expect_verdict(check_prefix(f.b, len, htonl(FRAME_IP_B), OUR_PORT, &rx),
			       len < 42 ? VXLAN_V_SHORT : VXLAN_V_ARP, "prefix of ARP", __LINE__);
	}
}

/* Names */

static void test_every_verdict_has_a_unique_name_and_help(void)
{
	unsigned int i, j;

	for (i = 0; i < VXLAN_VERDICT_MAX; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(vxlan_verdict_name[i]);
		CU_ASSERT_PTR_NOT_NULL_FATAL(vxlan_verdict_help[i]);
		CU_ASSERT(strncmp(vxlan_verdict_name[i], "vxlan_", 6) == 0);
		CU_ASSERT(strlen(vxlan_verdict_help[i]) > 10);
		CU_ASSERT(strchr(vxlan_verdict_name[i], ' ') == NULL);
		for (j = 0; j < i; j++)
			CU_ASSERT(strcmp(vxlan_verdict_name[i], vxlan_verdict_name[j]) != 0);
	}
}

/* Codes are what the dataplane maps to drop reasons: they never move. */
static void test_verdict_codes_keep_their_numbers(void)
{
	CU_ASSERT_EQUAL(VXLAN_V_OK, 0);
	CU_ASSERT_EQUAL(VXLAN_V_ARP, 1);
	CU_ASSERT_EQUAL(VXLAN_V_SHORT, 2);
	CU_ASSERT_EQUAL(VXLAN_V_VLAN, 3);
	CU_ASSERT_EQUAL(VXLAN_V_NOT_IP, 4);
	CU_ASSERT_EQUAL(VXLAN_V_BAD_IP, 5);
	CU_ASSERT_EQUAL(VXLAN_V_FRAGMENT, 6);
	CU_ASSERT_EQUAL(VXLAN_V_NOT_UDP, 7);
	CU_ASSERT_EQUAL(VXLAN_V_NOT_OURS, 8);
	CU_ASSERT_EQUAL(VXLAN_V_BAD_PORT, 9);
	CU_ASSERT_EQUAL(VXLAN_V_BAD_UDP_LEN, 10);
	CU_ASSERT_EQUAL(VXLAN_V_NO_I_FLAG, 11);
	CU_ASSERT_EQUAL(VXLAN_V_SHORT_INNER, 12);
	CU_ASSERT_EQUAL(VXLAN_VERDICT_MAX, 13);
	CU_ASSERT_STRING_EQUAL(vxlan_verdict_name[VXLAN_V_NOT_OURS], "vxlan_not_ours");
}

int main(void)
{
	static const struct unit_test tests[] = {
#define T(fn) {#fn, fn}
		T(test_encap_matches_hand_checked_frame),
		T(test_encap_max_vni_ttl_1_full_mtu_frame),
		T(test_encap_vni_zero_and_max),
		T(test_template_sends_zeros_where_rfc_asks),
		T(test_encap_checksum_every_inner_length),
		T(test_encap_fits_underlay_mtu),
		T(test_src_port_in_dynamic_range),
		T(test_inner_hash_uses_every_field),
		T(test_flows_spread_over_source_ports),
		T(test_encap_then_decap_gives_back_the_frame),
		T(test_decap_hand_checked_frame),
		T(test_decap_vni_zero_and_max),
		T(test_decap_accepts_every_ipv4_option_length),
		T(test_decap_ignores_ethernet_padding),
		T(test_decap_ignores_reserved_bits),
		T(test_decap_accepts_udp_checksum_and_dont_fragment),
		T(test_short_ethernet_is_short),
		T(test_short_ipv4_header_is_short),
		T(test_datagram_without_room_for_vxlan_is_short),
		T(test_arp_is_handed_on),
		T(test_arp_cut_short_is_short),
		T(test_tagged_frame_is_vlan),
		T(test_other_ethertypes_are_not_ip),
		T(test_bad_ipv4_header_is_bad_ip),
		T(test_outer_fragments_are_fragments),
		T(test_not_udp_is_not_udp),
		T(test_other_destination_is_not_ours),
		T(test_other_port_is_bad_port),
		T(test_bad_udp_length_is_bad_udp_len),
		T(test_udp_length_below_datagram_bounds_inner_frame),
		T(test_missing_i_flag_is_no_i_flag),
		T(test_short_inner_frame_is_short_inner),
		T(test_truncated_vxlan_every_prefix),
		T(test_truncated_arp_every_prefix),
		T(test_every_verdict_has_a_unique_name_and_help),
		T(test_verdict_codes_keep_their_numbers),
#undef T
	};
	return run_suite("vxlan", tests, RTE_DIM(tests));
}

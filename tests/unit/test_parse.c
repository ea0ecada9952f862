/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet parser: every header layout it knows.  Truncations, malformed fields and
 * the name tables are test_parse_bad.c's.
 *
 * Each frame is parsed from a heap buffer of exactly its length, into a key filled with
 * garbage first: under ASan a read past the end fails the test, and a field the parser
 * forgot to write shows up as 0xa5.  Keys are compared field by field against the key
 * the test expects, with every field exact: fields the flags do not vouch for must be 0,
 * except l4_off, which the contract defines only with PKT_F_L4.  Every parse also checks
 * the shortcuts against the full parse: parse_switchable() (the L2 switch's),
 * cls_key_from_frame() (the flow tables') and parse_common_flow() (the encapsulation's).
 */
#include "parse_fixtures.h"
#include "suite.h"

/* Header layouts: L2 */

static void test_unknown_ethertype_is_l2_only(void)
{
	struct frame f;
	struct pkt_key k, w = want_l2(0x88b5, 14);

	frame_eth(&f, 0x88b5);
	frame_pad_to(&f, 60);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "local experimental ethertype");
}

static void test_one_vlan_tag_keeps_tci(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(18, IPPROTO_UDP);
	uint32_t ip;

	frame_start(&f);
	frame_tag(&f, RTE_ETHER_TYPE_VLAN, 0xe064); /* PCP 7, DEI 0, VID 100 */
	frame_type(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_UDP, 5, 0);
	frame_udp(&f, 1234, 53, 10);
	frame_ipv4_end(&f, ip);
	w.flags |= PKT_F_VLAN;
	w.vlan_tci = 0xe064;
	want_l4(&w, 38, 1234, 53);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "802.1Q IPv4/UDP");
}

static void test_qinq_keeps_outer_tci(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(22, IPPROTO_UDP);
	uint32_t ip;

	frame_start(&f);
	frame_tag(&f, RTE_ETHER_TYPE_QINQ, 0x100a); /* outer: DEI 1, VID 10 */
	frame_tag(&f, RTE_ETHER_TYPE_VLAN, 0x0014); /* inner: VID 20 */
	frame_type(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_UDP, 5, 0);
	frame_udp(&f, 1234, 53, 0);
	frame_ipv4_end(&f, ip);
	w.flags |= PKT_F_VLAN | PKT_F_QINQ;
	w.vlan_tci = 0x100a;
	want_l4(&w, 42, 1234, 53);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "802.1ad + 802.1Q IPv4/UDP");
}

static void test_every_vlan_tpid_is_a_tag(void)
{
	static const uint16_t tpids[] = {RTE_ETHER_TYPE_VLAN, RTE_ETHER_TYPE_QINQ,
					 RTE_ETHER_TYPE_QINQ1};
	unsigned int i;

	for (i = 0; i < RTE_DIM(tpids); i++) {
		struct frame f;
		struct pkt_key k, w = want_l2(0x88b5, 18);
		char what[64];

		frame_start(&f);
		frame_tag(&f, tpids[i], 7);
		frame_type(&f, 0x88b5);
		frame_pad_to(&f, 60);
		w.flags = PKT_F_VLAN;
		w.vlan_tci = 7;
		snprintf(what, sizeof(what), "one tag with TPID 0x%04x", tpids[i]);
		CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
		CHECK_KEY(&k, &w, what);
	}
}

static void test_third_tag_stays_payload(void)
{
	struct frame f;
	struct pkt_key k, w = want_l2(RTE_ETHER_TYPE_VLAN, 22);
	uint32_t ip;

	frame_start(&f);
	frame_tag(&f, RTE_ETHER_TYPE_QINQ, 10);
	frame_tag(&f, RTE_ETHER_TYPE_VLAN, 20);
	frame_tag(&f, RTE_ETHER_TYPE_VLAN, 30);
	frame_type(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_UDP, 5, 0);
	frame_udp(&f, 1234, 53, 0);
	frame_ipv4_end(&f, ip);
	w.flags = PKT_F_VLAN | PKT_F_QINQ;
	w.vlan_tci = 10;
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "three tags");
}

/* Header layouts: IPv4 */

static void test_ipv4_tcp(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(14, IPPROTO_TCP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_TCP, 5, 0);
	frame_tcp(&f, 40000, 22, 5);
	frame_ipv4_end(&f, ip);
	want_l4(&w, 34, 40000, 22);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4/TCP");
	CU_ASSERT(fast_taken);
}

static void test_ipv4_udp(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(14, IPPROTO_UDP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_UDP, 5, 0);
	frame_udp(&f, 5353, 4789, 20);
	frame_ipv4_end(&f, ip);
	want_l4(&w, 34, 5353, 4789);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4/UDP");
	CU_ASSERT(fast_taken);
}

static void test_ipv4_sctp(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(14, IPPROTO_SCTP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_SCTP, 5, 0);
	frame_sctp(&f, 2905, 3868);
	frame_ipv4_end(&f, ip);
	want_l4(&w, 34, 2905, 3868);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4/SCTP");
}

static void test_ipv4_icmp_gives_type_and_code(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(14, IPPROTO_ICMP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_ICMP, 5, 0);
	frame_icmp(&f, 3, 4); /* destination unreachable, fragmentation needed */
	frame_ipv4_end(&f, ip);
	want_l4(&w, 34, 3, 4);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4/ICMP");
}

static void test_ipv4_unknown_protocol_is_l3_only(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(14, IPPROTO_GRE);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_GRE, 5, 0);
	frame_fill(&f, 0x11, 24);
	frame_ipv4_end(&f, ip);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4/GRE");
}

static void test_ipv4_options_move_l4(void)
{
	static const unsigned int ihls[] = {6, 7, 15};
	unsigned int i;

	for (i = 0; i < RTE_DIM(ihls); i++) {
		struct frame f;
		struct pkt_key k, w = want_ipv4(14, IPPROTO_TCP);
		uint32_t ip;
		char what[64];

		frame_eth(&f, RTE_ETHER_TYPE_IPV4);
		ip = frame_ipv4(&f, IPPROTO_TCP, ihls[i], 0);
		frame_tcp(&f, 179, 50000, 5);
		frame_ipv4_end(&f, ip);
		want_l4(&w, (uint16_t)(14 + ihls[i] * 4), 179, 50000);
		snprintf(what, sizeof(what), "IPv4 IHL %u/TCP", ihls[i]);
		CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
		CHECK_KEY(&k, &w, what);
	}
}

static void test_ipv4_tcp_options_are_l4(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(14, IPPROTO_TCP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_TCP, 5, 0);
	frame_tcp(&f, 443, 51000, 15); /* 40 bytes of options */
	frame_ipv4_end(&f, ip);
	want_l4(&w, 34, 443, 51000);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4/TCP with data offset 15");
}

static void test_ipv4_first_fragment_parses_l4(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(14, IPPROTO_UDP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_UDP, 5, RTE_IPV4_HDR_MF_FLAG); /* MF, offset 0 */
	frame_udp(&f, 4500, 500, 64);
	frame_ipv4_end(&f, ip);
	w.flags |= PKT_F_FRAG;
	want_l4(&w, 34, 4500, 500);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4 first fragment");
}

static void test_ipv4_later_fragment_has_no_l4(void)
{
	/* A middle fragment (MF and an offset) and the last one (offset only); the payload
	 * starts with bytes that would read as UDP ports if the parser looked. */
	static const uint16_t frags[] = {RTE_IPV4_HDR_MF_FLAG | 9, 9, RTE_IPV4_HDR_OFFSET_MASK};
	unsigned int i;

	for (i = 0; i < RTE_DIM(frags); i++) {
		struct frame f;
		struct pkt_key k, w = want_ipv4(14, IPPROTO_UDP);
		uint32_t ip;
		char what[64];

		frame_eth(&f, RTE_ETHER_TYPE_IPV4);
		ip = frame_ipv4(&f, IPPROTO_UDP, 5, frags[i]);
		frame_udp(&f, 4500, 500, 64);
		frame_ipv4_end(&f, ip);
		w.flags |= PKT_F_FRAG;
		snprintf(what, sizeof(what), "IPv4 fragment field 0x%04x", frags[i]);
		CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
		CHECK_KEY(&k, &w, what);
	}
}

static void test_ipv4_dont_fragment_is_not_a_fragment(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv4(14, IPPROTO_TCP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_TCP, 5, RTE_IPV4_HDR_DF_FLAG);
	frame_tcp(&f, 40000, 80, 5);
	frame_ipv4_end(&f, ip);
	want_l4(&w, 34, 40000, 80);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4 DF");
}

static void test_padding_is_not_parsed_as_l4(void)
{
	struct frame f;
	struct pkt_key k, w;
	uint32_t ip;

	/* IPv4 total length: the header and 4 bytes of UDP; the rest of the 60 bytes is
	 * padding, which must not complete the UDP header. */
	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_UDP, 5, 0);
	frame_be16(&f, 1234);
	frame_be16(&f, 53);
	frame_ipv4_end(&f, ip);
	frame_fill(&f, 0x35, 60 - f.len);
	w = want_ipv4(14, IPPROTO_UDP);
	want_l3_bad(&w, PKT_L4_UDP_SHORT);
	CU_ASSERT_EQUAL(f.len, 60);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4 + 4 bytes of UDP + padding");

	/* Same with TCP: 10 bytes of it inside total length. */
	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_TCP, 5, 0);
	frame_tcp(&f, 40000, 22, 5);
	f.len -= 10;
	frame_ipv4_end(&f, ip);
	frame_pad_to(&f, 60);
	w = want_ipv4(14, IPPROTO_TCP);
	want_l3_bad(&w, PKT_L4_TCP_SHORT);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4 + 10 bytes of TCP + padding");

	/* A whole UDP header within total length, padded: parsed. */
	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_UDP, 5, 0);
	frame_udp(&f, 1234, 53, 0);
	frame_ipv4_end(&f, ip);
	frame_pad_to(&f, 60);
	w = want_ipv4(14, IPPROTO_UDP);
	want_l4(&w, 34, 1234, 53);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv4/UDP + padding");

	/* IPv6: payload length covers 4 bytes of UDP, the frame is padded past it. */
	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_UDP);
	frame_be16(&f, 1234);
	frame_be16(&f, 53);
	frame_ipv6_end(&f, ip);
	frame_fill(&f, 0x35, 8);
	w = want_l2(RTE_ETHER_TYPE_IPV6, 14);
	w.flags = PKT_F_IPV6;
	w.ip_proto = IPPROTO_UDP;
	want_l3_bad(&w, PKT_L4_UDP_SHORT);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv6 + 4 bytes of UDP + padding");
}

/* Header layouts: IPv6 */

static void test_ipv6_tcp(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv6(14, IPPROTO_TCP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_TCP);
	frame_tcp(&f, 40000, 443, 8);
	frame_ipv6_end(&f, ip);
	want_l4(&w, 54, 40000, 443);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv6/TCP");
}

static void test_ipv6_udp(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv6(14, IPPROTO_UDP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_UDP);
	frame_udp(&f, 546, 547, 30);
	frame_ipv6_end(&f, ip);
	want_l4(&w, 54, 546, 547);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv6/UDP");
}

static void test_ipv6_icmpv6_gives_type_and_code(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv6(14, IPPROTO_ICMPV6);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_ICMPV6);
	frame_icmp(&f, 1, 4); /* destination unreachable, port unreachable */
	frame_ipv6_end(&f, ip);
	want_l4(&w, 54, 1, 4);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv6/ICMPv6");
}

static void test_ipv6_extension_headers_are_skipped(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv6(18, IPPROTO_UDP);
	uint32_t ip;

	frame_start(&f);
	frame_tag(&f, RTE_ETHER_TYPE_VLAN, 5);
	frame_type(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_HOPOPTS);
	frame_ipv6_ext(&f, IPPROTO_ROUTING, 8);
	frame_ipv6_ext(&f, IPPROTO_DSTOPTS, 24);
	frame_ipv6_ext(&f, IPPROTO_UDP, 16);
	frame_udp(&f, 1000, 2000, 4);
	frame_ipv6_end(&f, ip);
	w.flags |= PKT_F_VLAN;
	w.vlan_tci = 5;
	want_l4(&w, 18 + 40 + 8 + 24 + 16, 1000, 2000);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv6 hop-by-hop + routing + destination options / UDP");
}

static void test_ipv6_eight_extension_headers_are_followed(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv6(14, IPPROTO_UDP);
	uint32_t ip;
	int i;

	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_DSTOPTS);
	for (i = 0; i < 8; i++)
		frame_ipv6_ext(&f, i < 7 ? IPPROTO_DSTOPTS : IPPROTO_UDP, 8);
	frame_udp(&f, 1000, 2000, 0);
	frame_ipv6_end(&f, ip);
	want_l4(&w, 14 + 40 + 64, 1000, 2000);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv6 with 8 extension headers");
}

static void test_ipv6_first_fragment_parses_l4(void)
{
	struct frame f;
	struct pkt_key k, w = want_ipv6(14, IPPROTO_UDP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_FRAGMENT);
	frame_ipv6_frag(&f, IPPROTO_UDP, 0, 1);
	frame_udp(&f, 4500, 500, 100);
	frame_ipv6_end(&f, ip);
	w.flags |= PKT_F_FRAG;
	want_l4(&w, 14 + 40 + 8, 4500, 500);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv6 first fragment");
}

static void test_ipv6_later_fragment_has_no_l4(void)
{
	static const uint16_t offsets[] = {1, 185, 8191};
	unsigned int i;

	for (i = 0; i < RTE_DIM(offsets); i++) {
		struct frame f;
		struct pkt_key k, w = want_ipv6(14, IPPROTO_UDP);
		uint32_t ip;
		char what[64];

		frame_eth(&f, RTE_ETHER_TYPE_IPV6);
		ip = frame_ipv6(&f, IPPROTO_HOPOPTS);
		frame_ipv6_ext(&f, IPPROTO_FRAGMENT, 8);
		frame_ipv6_frag(&f, IPPROTO_UDP, offsets[i], i % 2);
		frame_udp(&f, 4500, 500, 16); /* bytes that would read as ports */
		frame_ipv6_end(&f, ip);
		w.flags |= PKT_F_FRAG;
		snprintf(what, sizeof(what), "IPv6 fragment at offset %u", offsets[i]);
		CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
		CHECK_KEY(&k, &w, what);
	}
}

/* Header layouts: ARP */

static void test_arp_request_gives_addresses_and_opcode(void)
{
	static const struct rte_ether_addr zero = {{0}};
	struct frame f;
	struct pkt_key k, w = want_l2(RTE_ETHER_TYPE_ARP, 14);

	frame_eth(&f, RTE_ETHER_TYPE_ARP);
	frame_arp(&f, RTE_ARP_OP_REQUEST, FRAME_IP_A, &zero, FRAME_IP_B);
	frame_pad_to(&f, 60);
	w.flags = PKT_F_ARP;
	w.ip_proto = RTE_ARP_OP_REQUEST;
	w.ip_src = rte_cpu_to_be_32(FRAME_IP_A);
	w.ip_dst = rte_cpu_to_be_32(FRAME_IP_B);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "ARP request");
}

static void test_arp_reply_in_vlan(void)
{
	struct frame f;
	struct pkt_key k, w = want_l2(RTE_ETHER_TYPE_ARP, 18);

	frame_start(&f);
	frame_tag(&f, RTE_ETHER_TYPE_VLAN, 42);
	frame_type(&f, RTE_ETHER_TYPE_ARP);
	frame_arp(&f, RTE_ARP_OP_REPLY, FRAME_IP_B, &FRAME_DST, FRAME_IP_A);
	w.flags = PKT_F_VLAN | PKT_F_ARP;
	w.vlan_tci = 42;
	w.ip_proto = RTE_ARP_OP_REPLY;
	w.ip_src = rte_cpu_to_be_32(FRAME_IP_B);
	w.ip_dst = rte_cpu_to_be_32(FRAME_IP_A);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "ARP reply in VLAN 42");
}

/* Every field written: the same frame parsed into keys full of 0x00 and of 0xff. */
static void test_every_key_field_is_written(void)
{
	struct frame frames[4];
	unsigned int i;
	uint32_t ip;

	frame_eth(&frames[0], 0x88b5);
	frame_pad_to(&frames[0], 60);
	frame_start(&frames[1]);
	frame_tag(&frames[1], RTE_ETHER_TYPE_QINQ, 1);
	frame_tag(&frames[1], RTE_ETHER_TYPE_VLAN, 2);
	frame_type(&frames[1], RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&frames[1], IPPROTO_TCP, 5, 0);
	frame_tcp(&frames[1], 1, 2, 5);
	frame_ipv4_end(&frames[1], ip);
	frame_eth(&frames[2], RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&frames[2], IPPROTO_UDP);
	frame_udp(&frames[2], 1, 2, 0);
	frame_ipv6_end(&frames[2], ip);
	frames[2].len -= 1; /* payload length past the frame: L3 bad */
	frame_eth(&frames[3], RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&frames[3], IPPROTO_UDP, 5, 0);
	frame_ipv4_end(&frames[3], ip); /* no UDP at all */

	for (i = 0; i < RTE_DIM(frames); i++) {
		struct pkt_key k0, k1;

		memset(&k0, 0x00, sizeof(k0));
		memset(&k1, 0xff, sizeof(k1));
		CU_ASSERT_EQUAL(parse_frame(frames[i].b, frames[i].len, &k0), 0);
		CU_ASSERT_EQUAL(parse_frame(frames[i].b, frames[i].len, &k1), 0);
		CU_ASSERT_EQUAL(memcmp(&k0, &k1, sizeof(k0)), 0);
	}
}

int main(void)
{
	static const struct unit_test tests[] = {
#define T(fn) {#fn, fn}
		T(test_unknown_ethertype_is_l2_only),
		T(test_one_vlan_tag_keeps_tci),
		T(test_qinq_keeps_outer_tci),
		T(test_every_vlan_tpid_is_a_tag),
		T(test_third_tag_stays_payload),
		T(test_ipv4_tcp),
		T(test_ipv4_udp),
		T(test_ipv4_sctp),
		T(test_ipv4_icmp_gives_type_and_code),
		T(test_ipv4_unknown_protocol_is_l3_only),
		T(test_ipv4_options_move_l4),
		T(test_ipv4_tcp_options_are_l4),
		T(test_ipv4_first_fragment_parses_l4),
		T(test_ipv4_later_fragment_has_no_l4),
		T(test_ipv4_dont_fragment_is_not_a_fragment),
		T(test_padding_is_not_parsed_as_l4),
		T(test_ipv6_tcp),
		T(test_ipv6_udp),
		T(test_ipv6_icmpv6_gives_type_and_code),
		T(test_ipv6_extension_headers_are_skipped),
		T(test_ipv6_eight_extension_headers_are_followed),
		T(test_ipv6_first_fragment_parses_l4),
		T(test_ipv6_later_fragment_has_no_l4),
		T(test_arp_request_gives_addresses_and_opcode),
		T(test_arp_reply_in_vlan),
		T(test_every_key_field_is_written),
#undef T
	};
	return run_suite("parse", tests, RTE_DIM(tests));
}

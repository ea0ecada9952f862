/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet parser: every header layout it knows, every truncation of three frames,
 * every malformed field it names, and the name tables.
 *
 * Each frame is parsed from a heap buffer of exactly its length, into a key filled with
 * garbage first: under ASan a read past the end fails the test, and a field the parser
 * forgot to write shows up as 0xa5.  Keys are compared field by field against the key
 * the test expects, with every field exact: fields the flags do not vouch for must be 0,
 * except l4_off, which the contract defines only with PKT_F_L4.  Every parse also checks
 * the shortcuts against the full parse: parse_switchable() (the L2 switch's),
 * cls_key_from_frame() (the flow tables') and parse_common_flow() (the encapsulation's).
 */
#include <limits.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_arp.h>
#include <rte_byteorder.h>
#include <rte_ip.h>

#include "classifier.h"
#include "drop.h"
#include "frames.h"
#include "parse.h"
#include "suite.h"

/* Parse the first len bytes of f from a buffer of exactly len bytes (under ASan, a read
 * past them is an error). */
#define FAST_REMOTE 0x0a000001u

/* Whether the last parse_prefix() took the flow tables' shortcut (cls_key_from_frame()). */
static bool fast_taken;

static int parse_prefix(const struct frame *f, uint32_t len, struct pkt_key *k)
{
	uint8_t *copy = malloc(len);
	struct cls_key fast, full;
	struct pkt_flow4 common;
	int ret;

	CU_ASSERT_FATAL(len == 0 || copy != NULL);
	if (len > 0)
		memcpy(copy, f->b, len);
	memset(k, 0xa5, sizeof(*k));
	ret = parse_frame(copy, len, k);
	/* What the L2 switch checks instead, without the key, must say the same. */
	CU_ASSERT_EQUAL(parse_switchable(copy, len), ret);
	/* The flow tables' shortcut gives the classifier key the full parse gives, or
	 * declines. */
	fast_taken = cls_key_from_frame(&fast, copy, len, 3, 7, 5001, FAST_REMOTE);
	if (fast_taken) {
		CU_ASSERT_EQUAL(ret, 0);
		CU_ASSERT_EQUAL(k->flags, PKT_F_IPV4 | PKT_F_L4);
		cls_key_from_pkt(&full, k, 3, 7, 5001, FAST_REMOTE);
		CU_ASSERT(memcmp(&fast, &full, sizeof(fast)) == 0);
	}
	/* And the encapsulation's (its flow hash): the fields parse_frame() gives, or
	 * declines; the same frames as the flow tables'. */
	memset(&common, 0x5a, sizeof(common));
	if (parse_common_flow(copy, len, &common)) {
		CU_ASSERT_TRUE(fast_taken);
		CU_ASSERT_EQUAL(common.ip_src, k->ip_src);
		CU_ASSERT_EQUAL(common.ip_dst, k->ip_dst);
		CU_ASSERT_EQUAL(common.l4_src, k->l4_src);
		CU_ASSERT_EQUAL(common.l4_dst, k->l4_dst);
		CU_ASSERT_EQUAL(common.ip_proto, k->ip_proto);
	} else {
		CU_ASSERT_FALSE(fast_taken);
	}
	free(copy);
	return ret;
}

static int parse_whole(const struct frame *f, struct pkt_key *k)
{
	return parse_prefix(f, f->len, k);
}

static uint64_t mac_u64(const struct rte_ether_addr *m)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		v = v << 8 | m->addr_bytes[i];
	return v;
}

/* One field: on a mismatch the failure names the case, the field and both values. */
static void expect_field(uint64_t got, uint64_t want, const char *what, const char *field,
			 unsigned int line)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s is 0x%llx, want 0x%llx", what, field,
		 (unsigned long long)got, (unsigned long long)want);
	CU_assertImplementation(got == want, line, msg, __FILE__, "", CU_FALSE);
}

static void check_key(const struct pkt_key *got, const struct pkt_key *want, const char *what,
		      unsigned int line)
{
#define FIELD(f) expect_field((uint64_t)got->f, (uint64_t)want->f, what, #f, line)
	expect_field(mac_u64(&got->dst), mac_u64(&want->dst), what, "dst", line);
	expect_field(mac_u64(&got->src), mac_u64(&want->src), what, "src", line);
	FIELD(flags);
	FIELD(l3_err);
	FIELD(vlan_tci);
	FIELD(ethertype);
	FIELD(l3_off);
	FIELD(ip_proto);
	FIELD(ip_src);
	FIELD(ip_dst);
	FIELD(l4_src);
	FIELD(l4_dst);
	if (want->flags & PKT_F_L4)
		FIELD(l4_off);
#undef FIELD
}

#define CHECK_KEY(got, want, what) check_key(got, want, what, __LINE__)

/* The key of a frame with only its L2 fields: what every expected key starts from. */
static struct pkt_key want_l2(uint16_t ethertype, uint16_t l3_off)
{
	struct pkt_key w;

	memset(&w, 0, sizeof(w));
	w.dst = FRAME_DST;
	w.src = FRAME_SRC;
	w.ethertype = ethertype;
	w.l3_off = l3_off;
	return w;
}

/* An IPv4 frame's expected key: FRAME_IP_A to FRAME_IP_B, carrying proto. */
static struct pkt_key want_ipv4(uint16_t l3_off, uint8_t proto)
{
	struct pkt_key w = want_l2(RTE_ETHER_TYPE_IPV4, l3_off);

	w.flags = PKT_F_IPV4;
	w.ip_proto = proto;
	w.ip_src = rte_cpu_to_be_32(FRAME_IP_A);
	w.ip_dst = rte_cpu_to_be_32(FRAME_IP_B);
	return w;
}

static void want_l4(struct pkt_key *w, uint16_t l4_off, uint16_t src, uint16_t dst)
{
	w->flags |= PKT_F_L4;
	w->l4_off = l4_off;
	w->l4_src = rte_cpu_to_be_16(src);
	w->l4_dst = rte_cpu_to_be_16(dst);
}

static void want_l3_bad(struct pkt_key *w, enum pkt_l3_err err)
{
	w->flags |= PKT_F_L3_BAD;
	w->l3_err = (uint8_t)err;
}

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

static struct pkt_key want_ipv6(uint16_t l3_off, uint8_t proto)
{
	struct pkt_key w = want_l2(RTE_ETHER_TYPE_IPV6, l3_off);

	w.flags = PKT_F_IPV6;
	w.ip_proto = proto;
	return w;
}

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

/* Truncation: every prefix of a frame, each from a buffer of exactly its length. */

struct cut {
	uint32_t first, last; /* prefix lengths, inclusive */
	int ret;	      /* parse_frame()'s return */
	uint16_t flags;	      /* when ret is 0 */
	enum pkt_l3_err err;
};

/*
 * Parse every prefix of f and check it against the rows of want, which must cover
 * 0..f->len.  full is the key of the whole frame; a cut frame's key is that one's L2
 * fields, the row's flags and error, and the L3 fields when the row's flags vouch for
 * them.
 */
static void check_every_prefix(const struct frame *f, const struct pkt_key *full,
			       const struct cut *want, unsigned int nwant, const char *name)
{
	uint32_t len, covered = 0;
	unsigned int r;

	for (r = 0; r < nwant; r++) {
		CU_ASSERT_EQUAL_FATAL(want[r].first, covered);
		for (len = want[r].first; len <= want[r].last; len++) {
			struct pkt_key k, w = *full;
			char what[96];
			int ret = parse_prefix(f, len, &k);

			snprintf(what, sizeof(what), "%s cut to %u bytes", name, len);
			expect_field((uint64_t)(int64_t)ret, (uint64_t)(int64_t)want[r].ret, what,
				     "return", __LINE__);
			if (ret != 0 || want[r].ret != 0)
				continue;
			w.flags = want[r].flags;
			w.l3_err = (uint8_t)want[r].err;
			if (!(w.flags & (PKT_F_IPV4 | PKT_F_IPV6 | PKT_F_ARP)))
				w.ip_proto = 0;
			if (!(w.flags & (PKT_F_IPV4 | PKT_F_ARP)))
				w.ip_src = w.ip_dst = 0;
			if (!(w.flags & PKT_F_L4))
				w.l4_src = w.l4_dst = 0;
			CHECK_KEY(&k, &w, what);
		}
		covered = want[r].last + 1;
	}
	CU_ASSERT_EQUAL(covered, f->len + 1);
}

static void test_truncated_ipv4_tcp_every_prefix(void)
{
	/* 14 Ethernet + 24 IPv4 (IHL 6) + 20 TCP = 58 bytes. */
	static const struct cut want[] = {
		{0, 13, SYD_DROP_SHORT_ETH, 0, PKT_L3_OK},
		{14, 33, 0, PKT_F_L3_BAD, PKT_L3_IPV4_SHORT},
		{34, 37, 0, PKT_F_L3_BAD, PKT_L3_IPV4_IHL},    /* options cut */
		{38, 57, 0, PKT_F_L3_BAD, PKT_L3_IPV4_TOTLEN}, /* total length past the cut */
		{58, 58, 0, PKT_F_IPV4 | PKT_F_L4, PKT_L3_OK},
	};
	struct frame f;
	struct pkt_key full = want_ipv4(14, IPPROTO_TCP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_TCP, 6, 0);
	frame_tcp(&f, 40000, 22, 5);
	frame_ipv4_end(&f, ip);
	want_l4(&full, 38, 40000, 22);
	CU_ASSERT_EQUAL(f.len, 58);
	check_every_prefix(&f, &full, want, RTE_DIM(want), "IPv4/TCP");
}

static void test_truncated_ipv6_udp_every_prefix(void)
{
	/* 14 Ethernet + 40 IPv6 + 8 UDP = 62 bytes. */
	static const struct cut want[] = {
		{0, 13, SYD_DROP_SHORT_ETH, 0, PKT_L3_OK},
		{14, 53, 0, PKT_F_L3_BAD, PKT_L3_IPV6_SHORT},
		{54, 61, 0, PKT_F_L3_BAD, PKT_L3_IPV6_SHORT}, /* payload length past the cut */
		{62, 62, 0, PKT_F_IPV6 | PKT_F_L4, PKT_L3_OK},
	};
	struct frame f;
	struct pkt_key full = want_ipv6(14, IPPROTO_UDP);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_UDP);
	frame_udp(&f, 1000, 2000, 0);
	frame_ipv6_end(&f, ip);
	want_l4(&full, 54, 1000, 2000);
	CU_ASSERT_EQUAL(f.len, 62);
	check_every_prefix(&f, &full, want, RTE_DIM(want), "IPv6/UDP");
}

static void test_truncated_qinq_every_prefix(void)
{
	/* 22 Ethernet with two tags + 20 IPv4 + 8 UDP = 50 bytes. */
	static const struct cut want[] = {
		{0, 13, SYD_DROP_SHORT_ETH, 0, PKT_L3_OK},
		{14, 17, SYD_DROP_SHORT_VLAN, 0, PKT_L3_OK}, /* outer tag cut */
		{18, 21, SYD_DROP_SHORT_VLAN, 0, PKT_L3_OK}, /* inner tag cut */
		{22, 41, 0, PKT_F_VLAN | PKT_F_QINQ | PKT_F_L3_BAD, PKT_L3_IPV4_SHORT},
		{42, 49, 0, PKT_F_VLAN | PKT_F_QINQ | PKT_F_L3_BAD, PKT_L3_IPV4_TOTLEN},
		{50, 50, 0, PKT_F_VLAN | PKT_F_QINQ | PKT_F_IPV4 | PKT_F_L4, PKT_L3_OK},
	};
	struct frame f;
	struct pkt_key full = want_ipv4(22, IPPROTO_UDP);
	uint32_t ip;

	frame_start(&f);
	frame_tag(&f, RTE_ETHER_TYPE_QINQ, 100);
	frame_tag(&f, RTE_ETHER_TYPE_VLAN, 200);
	frame_type(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_UDP, 5, 0);
	frame_udp(&f, 1000, 2000, 0);
	frame_ipv4_end(&f, ip);
	full.flags |= PKT_F_VLAN | PKT_F_QINQ;
	full.vlan_tci = 100;
	want_l4(&full, 42, 1000, 2000);
	CU_ASSERT_EQUAL(f.len, 50);
	check_every_prefix(&f, &full, want, RTE_DIM(want), "QinQ IPv4/UDP");
}

static void test_truncated_vlan_arp_every_prefix(void)
{
	/* 18 Ethernet with a tag + 28 ARP = 46 bytes. */
	static const struct cut want[] = {
		{0, 13, SYD_DROP_SHORT_ETH, 0, PKT_L3_OK},
		{14, 17, SYD_DROP_SHORT_VLAN, 0, PKT_L3_OK},
		{18, 45, 0, PKT_F_VLAN | PKT_F_L3_BAD, PKT_L3_ARP_SHORT},
		{46, 46, 0, PKT_F_VLAN | PKT_F_ARP, PKT_L3_OK},
	};
	struct frame f;
	struct pkt_key full = want_l2(RTE_ETHER_TYPE_ARP, 18);

	frame_start(&f);
	frame_tag(&f, RTE_ETHER_TYPE_VLAN, 300);
	frame_type(&f, RTE_ETHER_TYPE_ARP);
	frame_arp(&f, RTE_ARP_OP_REQUEST, FRAME_IP_A, &FRAME_DST, FRAME_IP_B);
	full.flags = PKT_F_VLAN | PKT_F_ARP;
	full.vlan_tci = 300;
	full.ip_proto = RTE_ARP_OP_REQUEST;
	full.ip_src = rte_cpu_to_be_32(FRAME_IP_A);
	full.ip_dst = rte_cpu_to_be_32(FRAME_IP_B);
	CU_ASSERT_EQUAL(f.len, 46);
	check_every_prefix(&f, &full, want, RTE_DIM(want), "VLAN ARP");
}

/*
 * An L4 header cut by the IP length itself (the frame ends where IP says it does):
 * every length from none of the header to all of it, for each L4 protocol.
 */
struct l4_case {
	uint8_t family; /* 4 or 6 */
	uint8_t proto;
	uint32_t need; /* bytes the parser needs */
	enum pkt_l3_err err;
};

static const struct l4_case l4_cases[] = {
	{4, IPPROTO_TCP, 20, PKT_L4_TCP_SHORT},	  {4, IPPROTO_UDP, 8, PKT_L4_UDP_SHORT},
	{4, IPPROTO_SCTP, 12, PKT_L4_SCTP_SHORT}, {4, IPPROTO_ICMP, 4, PKT_L4_ICMP_SHORT},
	{6, IPPROTO_TCP, 20, PKT_L4_TCP_SHORT},	  {6, IPPROTO_UDP, 8, PKT_L4_UDP_SHORT},
	{6, IPPROTO_SCTP, 12, PKT_L4_SCTP_SHORT}, {6, IPPROTO_ICMPV6, 4, PKT_L4_ICMP_SHORT},
};

static void put_l4(struct frame *f, uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP:
		frame_tcp(f, 7000, 8000, 5);
		break;
	case IPPROTO_UDP:
		frame_udp(f, 7000, 8000, 0);
		break;
	case IPPROTO_SCTP:
		frame_sctp(f, 7000, 8000);
		break;
	default:
		frame_icmp(f, 0x1b, 0x58); /* 7000 and 8000 are 0x1b58 and 0x1f40 */
		break;
	}
}

static void check_l4_cut(const struct frame *f, const struct l4_case *c, uint32_t n,
			 struct pkt_key w, const char *family)
{
	struct pkt_key k;
	char what[96];

	if (n < c->need) {
		want_l3_bad(&w, c->err);
	} else if (c->need == 4) {
		want_l4(&w, w.l4_off, 0x1b, 0x58);
	} else {
		want_l4(&w, w.l4_off, 7000, 8000);
	}
	snprintf(what, sizeof(what), "%s proto %u with %u bytes of L4", family, c->proto, n);
	CU_ASSERT_EQUAL(parse_whole(f, &k), 0);
	CHECK_KEY(&k, &w, what);
}

static void test_ipv4_payload_cut_names_l4_header(void)
{
	unsigned int i;
	uint32_t n;

	for (i = 0; i < RTE_DIM(l4_cases); i++) {
		const struct l4_case *c = &l4_cases[i];

		if (c->family != 4)
			continue;
		for (n = 0; n <= c->need; n++) {
			struct frame f;
			struct pkt_key w = want_ipv4(14, c->proto);
			uint32_t ip;

			frame_eth(&f, RTE_ETHER_TYPE_IPV4);
			ip = frame_ipv4(&f, c->proto, 5, 0);
			put_l4(&f, c->proto);
			f.len = ip + 20 + n;
			frame_ipv4_end(&f, ip);
			w.l4_off = 34;
			check_l4_cut(&f, c, n, w, "IPv4");
		}
	}
}

static void test_ipv6_payload_cut_names_l4_header(void)
{
	unsigned int i;
	uint32_t n;

	for (i = 0; i < RTE_DIM(l4_cases); i++) {
		const struct l4_case *c = &l4_cases[i];

		if (c->family != 6)
			continue;
		for (n = 0; n <= c->need; n++) {
			struct frame f;
			struct pkt_key w = want_ipv6(14, c->proto);
			uint32_t ip;

			frame_eth(&f, RTE_ETHER_TYPE_IPV6);
			ip = frame_ipv6(&f, IPPROTO_HOPOPTS);
			frame_ipv6_ext(&f, c->proto, 8);
			put_l4(&f, c->proto);
			f.len = ip + 48 + n;
			frame_ipv6_end(&f, ip);
			w.l4_off = 14 + 48;
			check_l4_cut(&f, c, n, w, "IPv6");
		}
	}
}

static void test_tcp_options_cut_is_tcp_short(void)
{
	uint32_t n;

	/* Data offset 8: 32 bytes of header; every IP length that holds 20 to 31 of them. */
	for (n = 20; n <= 32; n++) {
		struct frame f;
		struct pkt_key k, w = want_ipv4(14, IPPROTO_TCP);
		uint32_t ip;
		char what[64];

		frame_eth(&f, RTE_ETHER_TYPE_IPV4);
		ip = frame_ipv4(&f, IPPROTO_TCP, 5, 0);
		frame_tcp(&f, 40000, 22, 8);
		f.len = ip + 20 + n;
		frame_ipv4_end(&f, ip);
		frame_pad_to(&f, 80); /* padding must not complete the options */
		if (n < 32)
			want_l3_bad(&w, PKT_L4_TCP_SHORT);
		else
			want_l4(&w, 34, 40000, 22);
		snprintf(what, sizeof(what), "TCP data offset 8, %u bytes of it", n);
		CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
		CHECK_KEY(&k, &w, what);
	}
}

static void test_ipv6_extension_header_cut_is_ipv6_ext(void)
{
	uint32_t n;

	/* Hop-by-hop of 16 bytes, then UDP: payload lengths 0..23 of it. */
	for (n = 0; n <= 24; n++) {
		struct frame f;
		struct pkt_key k, w = want_ipv6(14, IPPROTO_UDP);
		uint32_t ip;
		char what[64];

		frame_eth(&f, RTE_ETHER_TYPE_IPV6);
		ip = frame_ipv6(&f, IPPROTO_HOPOPTS);
		frame_ipv6_ext(&f, IPPROTO_UDP, 16);
		frame_udp(&f, 1000, 2000, 0);
		f.len = ip + 40 + n;
		frame_ipv6_end(&f, ip);
		frame_pad_to(&f, 14 + 40 + 24); /* padding must not complete a header */
		if (n < 16) {
			w = want_l2(RTE_ETHER_TYPE_IPV6, 14);
			want_l3_bad(&w, PKT_L3_IPV6_EXT);
		} else if (n < 24) {
			want_l3_bad(&w, PKT_L4_UDP_SHORT);
		} else {
			want_l4(&w, 14 + 56, 1000, 2000);
		}
		snprintf(what, sizeof(what), "IPv6 payload of %u bytes: hop-by-hop 16 + UDP", n);
		CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
		CHECK_KEY(&k, &w, what);
	}
}

static void test_ipv6_fragment_header_cut_is_ipv6_ext(void)
{
	uint32_t n;

	/* A fragment header and UDP, whole in the frame, but a payload length that stops
	 * 0..7 bytes into the fragment header: the bytes after it are not the packet's. */
	for (n = 0; n < 8; n++) {
		struct frame f;
		struct pkt_key k, w = want_l2(RTE_ETHER_TYPE_IPV6, 14);
		uint32_t ip;
		char what[64];

		frame_eth(&f, RTE_ETHER_TYPE_IPV6);
		ip = frame_ipv6(&f, IPPROTO_FRAGMENT);
		frame_ipv6_frag(&f, IPPROTO_UDP, 0, 1);
		frame_udp(&f, 1000, 2000, 0);
		frame_set_be16(&f, ip + 4, (uint16_t)n);
		want_l3_bad(&w, PKT_L3_IPV6_EXT);
		snprintf(what, sizeof(what), "IPv6 payload of %u bytes: fragment header", n);
		CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
		CHECK_KEY(&k, &w, what);
	}
}

/* Malformed fields, each named. */

/* An IPv4/UDP frame (14 + 20 + 8 bytes) for the tests to break. */
static void ipv4_udp_frame(struct frame *f)
{
	uint32_t ip;

	frame_eth(f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(f, IPPROTO_UDP, 5, 0);
	frame_udp(f, 1000, 2000, 0);
	frame_ipv4_end(f, ip);
}

/* An untagged frame whose L3 header is broken in the way err names. */
static void expect_l3_bad(const struct frame *f, enum pkt_l3_err err, const char *what)
{
	struct pkt_key k, w = want_l2((uint16_t)(f->b[12] << 8 | f->b[13]), 14);

	want_l3_bad(&w, err);
	CU_ASSERT_EQUAL(parse_whole(f, &k), 0);
	CHECK_KEY(&k, &w, what);
}

static void test_ipv4_version_6_is_ipv4_version(void)
{
	struct frame f;

	ipv4_udp_frame(&f);
	f.b[14] = 0x65;
	expect_l3_bad(&f, PKT_L3_IPV4_VERSION, "version 6 in ethertype 0x0800");
	f.b[14] = 0x05;
	expect_l3_bad(&f, PKT_L3_IPV4_VERSION, "version 0 in ethertype 0x0800");
}

static void test_ipv6_version_4_is_ipv6_version(void)
{
	struct frame f;
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_UDP);
	frame_udp(&f, 1000, 2000, 0);
	frame_ipv6_end(&f, ip);
	f.b[14] = 0x40; /* version 4 in ethertype 0x86dd */
	expect_l3_bad(&f, PKT_L3_IPV6_VERSION, "version 4 in ethertype 0x86dd");
}

static void test_arp_not_ethernet_ipv4_is_arp_format(void)
{
	static const struct rte_ether_addr zero = {{0}};
	static const struct {
		unsigned int off; /* from the ARP header */
		uint8_t value;
		const char *what;
	} cases[] = {
		{1, 6, "hardware type 6 (IEEE 802)"},
		{2, 0x86, "protocol type 0x86dd"},
		{4, 8, "hardware address length 8"},
		{5, 16, "protocol address length 16"},
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		struct frame f;

		frame_eth(&f, RTE_ETHER_TYPE_ARP);
		frame_arp(&f, RTE_ARP_OP_REQUEST, FRAME_IP_A, &zero, FRAME_IP_B);
		f.b[14 + cases[i].off] = cases[i].value;
		expect_l3_bad(&f, PKT_L3_ARP_FORMAT, cases[i].what);
	}
}

static void test_ipv4_ihl_below_5_is_ipv4_ihl(void)
{
	struct frame f;

	ipv4_udp_frame(&f);
	f.b[14] = 0x44;
	expect_l3_bad(&f, PKT_L3_IPV4_IHL, "IHL 4");
	f.b[14] = 0x40;
	expect_l3_bad(&f, PKT_L3_IPV4_IHL, "IHL 0");
}

static void test_ipv4_ihl_past_frame_is_ipv4_ihl(void)
{
	struct frame f;

	ipv4_udp_frame(&f); /* 28 bytes of IPv4 and UDP */
	f.b[14] = 0x48;	    /* IHL 8: 32 bytes */
	frame_set_be16(&f, 16, 32);
	expect_l3_bad(&f, PKT_L3_IPV4_IHL, "IHL 8 in 28 bytes");
}

static void test_ipv4_total_length_below_ihl_is_totlen(void)
{
	struct frame f;
	uint32_t ip;

	ipv4_udp_frame(&f);
	frame_set_be16(&f, 16, 19);
	expect_l3_bad(&f, PKT_L3_IPV4_TOTLEN, "total length 19");
	frame_set_be16(&f, 16, 0);
	expect_l3_bad(&f, PKT_L3_IPV4_TOTLEN, "total length 0");

	frame_eth(&f, RTE_ETHER_TYPE_IPV4);
	ip = frame_ipv4(&f, IPPROTO_UDP, 6, 0);
	frame_udp(&f, 1000, 2000, 0);
	frame_set_be16(&f, ip + 2, 23);
	expect_l3_bad(&f, PKT_L3_IPV4_TOTLEN, "total length 23 with IHL 6");
}

static void test_ipv4_total_length_past_frame_is_totlen(void)
{
	struct frame f;

	ipv4_udp_frame(&f);
	frame_set_be16(&f, 16, 29);
	expect_l3_bad(&f, PKT_L3_IPV4_TOTLEN, "total length 29 in 28 bytes");
}

static void test_tcp_data_offset_below_5_is_tcp_short(void)
{
	static const uint8_t doffs[] = {0, 4};
	unsigned int i;

	for (i = 0; i < RTE_DIM(doffs); i++) {
		struct frame f;
		struct pkt_key k, w = want_ipv4(14, IPPROTO_TCP);
		uint32_t ip;

		frame_eth(&f, RTE_ETHER_TYPE_IPV4);
		ip = frame_ipv4(&f, IPPROTO_TCP, 5, 0);
		frame_tcp(&f, 40000, 22, 5);
		frame_ipv4_end(&f, ip);
		f.b[34 + 12] = (uint8_t)(doffs[i] << 4);
		want_l3_bad(&w, PKT_L4_TCP_SHORT);
		CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
		CHECK_KEY(&k, &w, doffs[i] ? "TCP data offset 4" : "TCP data offset 0");
	}
}

static void test_ipv6_payload_length_past_frame_is_ipv6_short(void)
{
	struct frame f;
	struct pkt_key k, w = want_l2(RTE_ETHER_TYPE_IPV6, 14);
	uint32_t ip;

	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_UDP);
	frame_udp(&f, 1000, 2000, 0);
	frame_set_be16(&f, ip + 4, 9);
	want_l3_bad(&w, PKT_L3_IPV6_SHORT);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "payload length 9 in 8 bytes");
	frame_set_be16(&f, ip + 4, 0xffff);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "payload length 65535 in 8 bytes");
}

static void test_ipv6_nine_extension_headers_is_ipv6_ext(void)
{
	struct frame f;
	struct pkt_key k, w = want_l2(RTE_ETHER_TYPE_IPV6, 14);
	uint32_t ip;
	int i;

	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_DSTOPTS);
	for (i = 0; i < 9; i++)
		frame_ipv6_ext(&f, i < 8 ? IPPROTO_DSTOPTS : IPPROTO_UDP, 8);
	frame_udp(&f, 1000, 2000, 0);
	frame_ipv6_end(&f, ip);
	want_l3_bad(&w, PKT_L3_IPV6_EXT);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "IPv6 with 9 extension headers");
}

static void test_ipv6_extension_header_length_past_payload_is_ipv6_ext(void)
{
	struct frame f;
	struct pkt_key k, w = want_l2(RTE_ETHER_TYPE_IPV6, 14);
	uint32_t ip;

	/* A routing header claiming 2048 bytes in a payload of 16. */
	frame_eth(&f, RTE_ETHER_TYPE_IPV6);
	ip = frame_ipv6(&f, IPPROTO_ROUTING);
	frame_ipv6_ext(&f, IPPROTO_UDP, 8);
	frame_udp(&f, 1000, 2000, 0);
	frame_ipv6_end(&f, ip);
	f.b[ip + 40 + 1] = 255;
	want_l3_bad(&w, PKT_L3_IPV6_EXT);
	CU_ASSERT_EQUAL(parse_whole(&f, &k), 0);
	CHECK_KEY(&k, &w, "routing header of 2048 bytes");
}

/* Names */

static void test_l3_err_names_cover_every_value(void)
{
	unsigned int i, j;

	for (i = PKT_L3_OK; i < PKT_L3_ERR_MAX; i++) {
		const char *name = parse_l3_err_name(i);

		CU_ASSERT_PTR_NOT_NULL_FATAL(name);
		CU_ASSERT_STRING_NOT_EQUAL(name, "unknown");
		CU_ASSERT_NOT_EQUAL(name[0], '\0');
		for (j = PKT_L3_OK; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(name, parse_l3_err_name(j));
	}
	CU_ASSERT_STRING_EQUAL(parse_l3_err_name(PKT_L3_IPV4_TOTLEN), "ipv4_total_length");
	CU_ASSERT_STRING_EQUAL(parse_l3_err_name(PKT_L4_TCP_SHORT), "tcp_short");
}

static void test_l3_err_name_out_of_range_is_unknown(void)
{
	CU_ASSERT_STRING_EQUAL(parse_l3_err_name(PKT_L3_ERR_MAX), "unknown");
	CU_ASSERT_STRING_EQUAL(parse_l3_err_name(255), "unknown");
	CU_ASSERT_STRING_EQUAL(parse_l3_err_name(UINT_MAX), "unknown");
}

static void test_drop_names_unique_for_every_code(void)
{
	unsigned int i, j;

	for (i = 1; i < SYD_DROP_MAX; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(syd_drop_name(i));
		CU_ASSERT_PTR_NOT_NULL(syd_drop_help(i));
		CU_ASSERT_NOT_EQUAL(syd_drop_name(i)[0], '\0');
		for (j = 1; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(syd_drop_name(i), syd_drop_name(j));
	}
}

static void test_drop_name_null_outside_the_list(void)
{
	CU_ASSERT_PTR_NULL(syd_drop_name(SYD_DROP_NONE));
	CU_ASSERT_PTR_NULL(syd_drop_name(SYD_DROP_MAX));
	CU_ASSERT_PTR_NULL(syd_drop_name(UINT_MAX));
	CU_ASSERT_PTR_NULL(syd_drop_help(SYD_DROP_NONE));
	CU_ASSERT_PTR_NULL(syd_drop_help(SYD_DROP_MAX));
	CU_ASSERT_PTR_NULL(syd_drop_help(UINT_MAX));
}

/* Codes are seen by operators and scripts: they never change (drop.h). */
static void test_drop_codes_keep_their_numbers(void)
{
	static const struct {
		unsigned int code;
		const char *name;
	} fixed[] = {
		{1, "link_down"},	  {2, "tx_full"}, {3, "short_eth"},	{4, "short_vlan"},
		{5, "src_mac_multicast"}, {6, "hairpin"}, {7, "flood_no_port"}, {8, "no_network"},
	};
	unsigned int i;

	CU_ASSERT_EQUAL(SYD_DROP_SHORT_ETH, 3);
	CU_ASSERT_EQUAL(SYD_DROP_SHORT_VLAN, 4);
	CU_ASSERT_TRUE(SYD_DROP_MAX > 8);
	for (i = 0; i < RTE_DIM(fixed); i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(syd_drop_name(fixed[i].code));
		CU_ASSERT_STRING_EQUAL(syd_drop_name(fixed[i].code), fixed[i].name);
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
		T(test_truncated_ipv4_tcp_every_prefix),
		T(test_truncated_ipv6_udp_every_prefix),
		T(test_truncated_qinq_every_prefix),
		T(test_truncated_vlan_arp_every_prefix),
		T(test_ipv4_payload_cut_names_l4_header),
		T(test_ipv6_payload_cut_names_l4_header),
		T(test_tcp_options_cut_is_tcp_short),
		T(test_ipv6_extension_header_cut_is_ipv6_ext),
		T(test_ipv6_fragment_header_cut_is_ipv6_ext),
		T(test_ipv4_version_6_is_ipv4_version),
		T(test_ipv6_version_4_is_ipv6_version),
		T(test_arp_not_ethernet_ipv4_is_arp_format),
		T(test_ipv4_ihl_below_5_is_ipv4_ihl),
		T(test_ipv4_ihl_past_frame_is_ipv4_ihl),
		T(test_ipv4_total_length_below_ihl_is_totlen),
		T(test_ipv4_total_length_past_frame_is_totlen),
		T(test_tcp_data_offset_below_5_is_tcp_short),
		T(test_ipv6_payload_length_past_frame_is_ipv6_short),
		T(test_ipv6_nine_extension_headers_is_ipv6_ext),
		T(test_ipv6_extension_header_length_past_payload_is_ipv6_ext),
		T(test_l3_err_names_cover_every_value),
		T(test_l3_err_name_out_of_range_is_unknown),
		T(test_drop_names_unique_for_every_code),
		T(test_drop_name_null_outside_the_list),
		T(test_drop_codes_keep_their_numbers),
#undef T
	};
	return run_suite("parse", tests, RTE_DIM(tests));
}

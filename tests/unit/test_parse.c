/* SPDX-License-Identifier: BSD-3-Clause */
/* The packet parser: every header layout it knows, every truncation, every bad field.
 * Each frame is parsed from a heap buffer of exactly its length, so under ASan a read
 * past the end fails the test. */
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_byteorder.h>

#include "drop.h"
#include "parse.h"

struct frame {
	uint8_t b[256];
	unsigned int len;
};

static void put(struct frame *f, const void *p, unsigned int n)
{
	memcpy(f->b + f->len, p, n);
	f->len += n;
}

static void put8(struct frame *f, uint8_t v)
{
	put(f, &v, 1);
}

static void put16(struct frame *f, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	put(f, b, 2);
}

static void put32(struct frame *f, uint32_t v)
{
	put16(f, (uint16_t)(v >> 16));
	put16(f, (uint16_t)v);
}

static void zeros(struct frame *f, unsigned int n)
{
	memset(f->b + f->len, 0, n);
	f->len += n;
}

static const uint8_t DST[6] = {0x02, 0, 0, 0, 0, 0x02};
static const uint8_t SRC[6] = {0x02, 0, 0, 0, 0, 0x01};
#define IP_A 0xc6120001u /* 198.18.0.1 */
#define IP_B 0xc6120002u

static void eth(struct frame *f, uint16_t type)
{
	f->len = 0;
	put(f, DST, 6);
	put(f, SRC, 6);
	put16(f, type);
}

static void vlan(struct frame *f, uint16_t tpid, uint16_t tci, uint16_t type)
{
	f->len = 0;
	put(f, DST, 6);
	put(f, SRC, 6);
	put16(f, tpid);
	put16(f, tci);
	put16(f, type);
}

/* IPv4 header with ihl words (>= 5) and a total length of ihl*4 + payload. */
static void ipv4(struct frame *f, uint8_t proto, unsigned int ihl, unsigned int payload,
		 uint16_t frag)
{
	put8(f, (uint8_t)(0x40 | ihl));
	put8(f, 0);
	put16(f, (uint16_t)(ihl * 4 + payload));
	put16(f, 1);
	put16(f, frag);
	put8(f, 64);
	put8(f, proto);
	put16(f, 0);
	put32(f, IP_A);
	put32(f, IP_B);
	zeros(f, (ihl - 5) * 4);
}

static void ipv6(struct frame *f, uint8_t next, unsigned int payload)
{
	put32(f, 0x60000000);
	put16(f, (uint16_t)payload);
	put8(f, next);
	put8(f, 64);
	zeros(f, 32);
}

static void udp(struct frame *f)
{
	put16(f, 1234);
	put16(f, 53);
	put16(f, 8);
	put16(f, 0);
}

static void tcp(struct frame *f, uint8_t doff)
{
	put16(f, 40000);
	put16(f, 22);
	zeros(f, 8);
	put8(f, (uint8_t)(doff << 4));
	put8(f, 0x02);
	zeros(f, 6);
	zeros(f, doff > 5 ? (doff - 5) * 4u : 0);
}

static int parse_exact(const struct frame *f, unsigned int len, struct pkt_key *k)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	memcpy(copy, f->b, len);
	ret = parse_frame(copy, len, k);
	free(copy);
	return ret;
}

static void test_untagged_ipv4_udp(void)
{
	struct frame f;
	struct pkt_key k;

	eth(&f, 0x0800);
	ipv4(&f, IPPROTO_UDP, 5, 8, 0);
	udp(&f);
	zeros(&f, 60 - f.len); /* padding to the minimum frame */
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV4 | PKT_F_L4);
	CU_ASSERT_EQUAL(memcmp(&k.dst, DST, 6), 0);
	CU_ASSERT_EQUAL(memcmp(&k.src, SRC, 6), 0);
	CU_ASSERT_EQUAL(k.ethertype, 0x0800);
	CU_ASSERT_EQUAL(k.vlan_tci, 0);
	CU_ASSERT_EQUAL(k.ip_proto, IPPROTO_UDP);
	CU_ASSERT_EQUAL(k.ip_src, rte_cpu_to_be_32(IP_A));
	CU_ASSERT_EQUAL(k.ip_dst, rte_cpu_to_be_32(IP_B));
	CU_ASSERT_EQUAL(k.l4_src, rte_cpu_to_be_16(1234));
	CU_ASSERT_EQUAL(k.l4_dst, rte_cpu_to_be_16(53));
	CU_ASSERT_EQUAL(k.l3_off, 14);
	CU_ASSERT_EQUAL(k.l4_off, 34);
}

static void test_vlan_and_qinq(void)
{
	struct frame f;
	struct pkt_key k;

	vlan(&f, 0x8100, 0x2064, 0x0800); /* PCP 1, VID 100 */
	ipv4(&f, IPPROTO_TCP, 5, 20, 0);
	tcp(&f, 5);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_VLAN | PKT_F_IPV4 | PKT_F_L4);
	CU_ASSERT_EQUAL(k.vlan_tci, 0x2064);
	CU_ASSERT_EQUAL(k.l3_off, 18);
	CU_ASSERT_EQUAL(k.l4_off, 38);
	CU_ASSERT_EQUAL(k.l4_dst, rte_cpu_to_be_16(22));

	vlan(&f, 0x88a8, 10, 0x8100); /* QinQ: outer 10, inner 20 */
	put16(&f, 20);
	put16(&f, 0x0800);
	ipv4(&f, IPPROTO_UDP, 5, 8, 0);
	udp(&f);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_VLAN | PKT_F_QINQ | PKT_F_IPV4 | PKT_F_L4);
	CU_ASSERT_EQUAL(k.vlan_tci, 10);
	CU_ASSERT_EQUAL(k.l3_off, 22);
	CU_ASSERT_EQUAL(k.ethertype, 0x0800);

	/* A third tag stays payload: switched on L2 only. */
	vlan(&f, 0x88a8, 10, 0x8100);
	put16(&f, 20);
	put16(&f, 0x8100);
	put16(&f, 30);
	put16(&f, 0x0800);
	zeros(&f, 30);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_VLAN | PKT_F_QINQ);
	CU_ASSERT_EQUAL(k.ethertype, 0x8100);
}

static void test_ipv4_protocols_and_options(void)
{
	struct frame f;
	struct pkt_key k;

	eth(&f, 0x0800); /* SCTP */
	ipv4(&f, IPPROTO_SCTP, 5, 12, 0);
	put16(&f, 5000);
	put16(&f, 6000);
	zeros(&f, 8);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV4 | PKT_F_L4);
	CU_ASSERT_EQUAL(k.l4_src, rte_cpu_to_be_16(5000));

	eth(&f, 0x0800); /* ICMP echo request: type 8, code 0 */
	ipv4(&f, IPPROTO_ICMP, 5, 8, 0);
	put8(&f, 8);
	put8(&f, 0);
	zeros(&f, 6);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV4 | PKT_F_L4);
	CU_ASSERT_EQUAL(k.l4_src, rte_cpu_to_be_16(8));
	CU_ASSERT_EQUAL(k.l4_dst, 0);

	eth(&f, 0x0800); /* options: IHL 6 */
	ipv4(&f, IPPROTO_UDP, 6, 8, 0);
	udp(&f);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV4 | PKT_F_L4);
	CU_ASSERT_EQUAL(k.l4_off, 14 + 24);
	CU_ASSERT_EQUAL(k.l4_dst, rte_cpu_to_be_16(53));

	eth(&f, 0x0800); /* an unknown protocol: L3 only */
	ipv4(&f, 99, 5, 4, 0);
	zeros(&f, 4);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV4);
	CU_ASSERT_EQUAL(k.ip_proto, 99);
}

static void test_ipv4_fragments(void)
{
	struct frame f;
	struct pkt_key k;

	eth(&f, 0x0800); /* first fragment: MF, offset 0: L4 is there */
	ipv4(&f, IPPROTO_UDP, 5, 8, 0x2000);
	udp(&f);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV4 | PKT_F_FRAG | PKT_F_L4);

	eth(&f, 0x0800); /* a later fragment: no L4 */
	ipv4(&f, IPPROTO_UDP, 5, 8, 0x0003);
	udp(&f);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV4 | PKT_F_FRAG);
	CU_ASSERT_EQUAL(k.l4_src, 0);
}

static void test_ipv6_and_extension_headers(void)
{
	struct frame f;
	struct pkt_key k;

	eth(&f, 0x86dd);
	ipv6(&f, IPPROTO_TCP, 20);
	tcp(&f, 5);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV6 | PKT_F_L4);
	CU_ASSERT_EQUAL(k.ip_proto, IPPROTO_TCP);
	CU_ASSERT_EQUAL(k.l4_off, 54);

	eth(&f, 0x86dd); /* ICMPv6 echo request */
	ipv6(&f, IPPROTO_ICMPV6, 8);
	put8(&f, 128);
	put8(&f, 0);
	zeros(&f, 6);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV6 | PKT_F_L4);
	CU_ASSERT_EQUAL(k.l4_src, rte_cpu_to_be_16(128));

	eth(&f, 0x86dd); /* hop-by-hop (8) -> routing (16) -> dest opts (8) -> UDP */
	ipv6(&f, IPPROTO_HOPOPTS, 8 + 16 + 8 + 8);
	put8(&f, IPPROTO_ROUTING);
	put8(&f, 0);
	zeros(&f, 6);
	put8(&f, IPPROTO_DSTOPTS);
	put8(&f, 1);
	zeros(&f, 14);
	put8(&f, IPPROTO_UDP);
	put8(&f, 0);
	zeros(&f, 6);
	udp(&f);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV6 | PKT_F_L4);
	CU_ASSERT_EQUAL(k.ip_proto, IPPROTO_UDP);
	CU_ASSERT_EQUAL(k.l4_off, 54 + 32);
	CU_ASSERT_EQUAL(k.l4_dst, rte_cpu_to_be_16(53));

	eth(&f, 0x86dd); /* fragment header, first fragment */
	ipv6(&f, IPPROTO_FRAGMENT, 8 + 8);
	put8(&f, IPPROTO_UDP);
	put8(&f, 0);
	put16(&f, 0x0001); /* offset 0, M */
	put32(&f, 7);
	udp(&f);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV6 | PKT_F_FRAG | PKT_F_L4);

	eth(&f, 0x86dd); /* a later fragment */
	ipv6(&f, IPPROTO_FRAGMENT, 8 + 8);
	put8(&f, IPPROTO_UDP);
	put8(&f, 0);
	put16(&f, 0x0100);
	put32(&f, 7);
	udp(&f);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_IPV6 | PKT_F_FRAG);
	CU_ASSERT_EQUAL(k.ip_proto, IPPROTO_UDP);
}

static void test_arp_and_unknown_ethertype(void)
{
	struct frame f;
	struct pkt_key k;

	eth(&f, 0x0806);
	put16(&f, 1);
	put16(&f, 0x0800);
	put8(&f, 6);
	put8(&f, 4);
	put16(&f, 1); /* request */
	put(&f, SRC, 6);
	put32(&f, IP_A);
	zeros(&f, 6);
	put32(&f, IP_B);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, PKT_F_ARP);
	CU_ASSERT_EQUAL(k.ip_proto, 1);
	CU_ASSERT_EQUAL(k.ip_src, rte_cpu_to_be_32(IP_A));
	CU_ASSERT_EQUAL(k.ip_dst, rte_cpu_to_be_32(IP_B));

	eth(&f, 0x88b5);
	zeros(&f, 46);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_EQUAL(k.flags, 0);
	CU_ASSERT_EQUAL(k.ethertype, 0x88b5);
}

static void test_padding_is_not_l4(void)
{
	struct frame f;
	struct pkt_key k;

	eth(&f, 0x0800); /* total length: header + 4 bytes; the rest of 60 is padding */
	ipv4(&f, IPPROTO_UDP, 5, 4, 0);
	zeros(&f, 60 - f.len);
	CU_ASSERT_EQUAL(parse_exact(&f, f.len, &k), 0);
	CU_ASSERT_TRUE(k.flags & PKT_F_L3_BAD);
	CU_ASSERT_EQUAL(k.l3_err, PKT_L4_UDP_SHORT);
	CU_ASSERT_FALSE(k.flags & PKT_F_L4);
}

/* Every prefix of a frame: L2 cuts are drops, deeper cuts name the header. */
static void check_prefixes(const struct frame *f, unsigned int l2_end, const uint8_t *want_err)
{
	struct pkt_key k;
	unsigned int len;

	for (len = 0; len <= f->len; len++) {
		int ret = parse_exact(f, len, &k);

		if (len < 14) {
			CU_ASSERT_EQUAL(ret, SYD_DROP_SHORT_ETH);
		} else if (len < l2_end) {
			CU_ASSERT_EQUAL(ret, SYD_DROP_SHORT_VLAN);
		} else {
			CU_ASSERT_EQUAL(ret, 0);
			CU_ASSERT_EQUAL(k.l3_err, want_err[len]);
			CU_ASSERT_EQUAL(!!(k.flags & PKT_F_L3_BAD), want_err[len] != PKT_L3_OK);
			CU_ASSERT_EQUAL(memcmp(&k.src, SRC, 6), 0);
		}
	}
}

static void test_truncated_ipv4_tcp(void)
{
	struct frame f;
	uint8_t want[256];
	unsigned int len;

	eth(&f, 0x0800);
	ipv4(&f, IPPROTO_TCP, 5, 20, 0);
	tcp(&f, 5);
	for (len = 14; len <= f.len; len++)
		want[len] = len < 34 ? PKT_L3_IPV4_SHORT
			    : len < f.len ? PKT_L3_IPV4_TOTLEN /* total length past the cut */
					  : PKT_L3_OK;
	check_prefixes(&f, 14, want);
}

static void test_truncated_ipv6_udp(void)
{
	struct frame f;
	uint8_t want[256];
	unsigned int len;

	eth(&f, 0x86dd);
	ipv6(&f, IPPROTO_UDP, 8);
	udp(&f);
	for (len = 14; len <= f.len; len++)
		want[len] = len < f.len ? PKT_L3_IPV6_SHORT : PKT_L3_OK;
	check_prefixes(&f, 14, want);
}

static void test_truncated_qinq(void)
{
	struct frame f;
	uint8_t want[256];
	unsigned int len;

	vlan(&f, 0x88a8, 10, 0x8100);
	put16(&f, 20);
	put16(&f, 0x0800);
	ipv4(&f, IPPROTO_UDP, 5, 8, 0);
	udp(&f);
	/* A cut inside either tag is a short_vlan drop. */
	for (len = 14; len <= f.len; len++)
		want[len] = len < 42 ? PKT_L3_IPV4_SHORT
			    : len < f.len ? PKT_L3_IPV4_TOTLEN
					  : PKT_L3_OK;
	check_prefixes(&f, 22, want);
}

static void test_bad_fields_named(void)
{
	struct frame f;
	struct pkt_key k;

	eth(&f, 0x0800); /* version 6 in an IPv4 frame */
	ipv4(&f, IPPROTO_UDP, 5, 8, 0);
	udp(&f);
	f.b[14] = 0x65;
	parse_exact(&f, f.len, &k);
	CU_ASSERT_EQUAL(k.l3_err, PKT_L3_IPV4_VERSION);

	f.b[14] = 0x44; /* IHL 4 */
	parse_exact(&f, f.len, &k);
	CU_ASSERT_EQUAL(k.l3_err, PKT_L3_IPV4_IHL);

	f.b[14] = 0x4f; /* IHL 15: 60 bytes, past the frame */
	parse_exact(&f, f.len, &k);
	CU_ASSERT_EQUAL(k.l3_err, PKT_L3_IPV4_IHL);

	f.b[14] = 0x45; /* total length 10 < 20 */
	f.b[16] = 0;
	f.b[17] = 10;
	parse_exact(&f, f.len, &k);
	CU_ASSERT_EQUAL(k.l3_err, PKT_L3_IPV4_TOTLEN);

	eth(&f, 0x0800); /* TCP data offset 4 */
	ipv4(&f, IPPROTO_TCP, 5, 20, 0);
	tcp(&f, 5);
	f.b[34 + 12] = 0x40;
	parse_exact(&f, f.len, &k);
	CU_ASSERT_EQUAL(k.l3_err, PKT_L4_TCP_SHORT);

	eth(&f, 0x86dd); /* payload length past the frame */
	ipv6(&f, IPPROTO_UDP, 100);
	udp(&f);
	parse_exact(&f, f.len, &k);
	CU_ASSERT_EQUAL(k.l3_err, PKT_L3_IPV6_SHORT);

	eth(&f, 0x86dd); /* nine extension headers: more than the parser follows */
	ipv6(&f, IPPROTO_DSTOPTS, 9 * 8 + 8);
	{
		int i;

		for (i = 0; i < 9; i++) {
			put8(&f, i < 8 ? IPPROTO_DSTOPTS : IPPROTO_UDP);
			put8(&f, 0);
			zeros(&f, 6);
		}
	}
	udp(&f);
	parse_exact(&f, f.len, &k);
	CU_ASSERT_EQUAL(k.l3_err, PKT_L3_IPV6_EXT);
	CU_ASSERT_TRUE(k.flags & PKT_F_L3_BAD);
}

static void test_names(void)
{
	unsigned int i, j;

	for (i = PKT_L3_OK; i <= PKT_L4_ICMP_SHORT; i++)
		CU_ASSERT_STRING_NOT_EQUAL(parse_l3_err_name(i), "unknown");
	CU_ASSERT_STRING_EQUAL(parse_l3_err_name(PKT_L4_ICMP_SHORT + 1), "unknown");

	CU_ASSERT_PTR_NULL(syd_drop_name(SYD_DROP_NONE));
	CU_ASSERT_PTR_NULL(syd_drop_name(SYD_DROP_MAX));
	for (i = 1; i < SYD_DROP_MAX; i++) {
		CU_ASSERT_PTR_NOT_NULL_FATAL(syd_drop_name(i));
		CU_ASSERT_PTR_NOT_NULL(syd_drop_help(i));
		for (j = 1; j < i; j++)
			CU_ASSERT_STRING_NOT_EQUAL(syd_drop_name(i), syd_drop_name(j));
	}
}

int main(void)
{
	CU_pSuite s;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("parse", NULL, NULL);
	CU_add_test(s, "untagged_ipv4_udp", test_untagged_ipv4_udp);
	CU_add_test(s, "vlan_and_qinq", test_vlan_and_qinq);
	CU_add_test(s, "ipv4_protocols_and_options", test_ipv4_protocols_and_options);
	CU_add_test(s, "ipv4_fragments", test_ipv4_fragments);
	CU_add_test(s, "ipv6_and_extension_headers", test_ipv6_and_extension_headers);
	CU_add_test(s, "arp_and_unknown_ethertype", test_arp_and_unknown_ethertype);
	CU_add_test(s, "padding_is_not_l4", test_padding_is_not_l4);
	CU_add_test(s, "truncated_ipv4_tcp", test_truncated_ipv4_tcp);
	CU_add_test(s, "truncated_ipv6_udp", test_truncated_ipv6_udp);
	CU_add_test(s, "truncated_qinq", test_truncated_qinq);
	CU_add_test(s, "bad_fields_named", test_bad_fields_named);
	CU_add_test(s, "names", test_names);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

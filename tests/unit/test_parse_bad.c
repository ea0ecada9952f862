/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The packet parser on bad frames: every truncation of four frames, every cut of an L4
 * header, every malformed field it names; and the name tables (parse_fixtures.h says how
 * each frame is parsed and checked).
 */
#include "parse_fixtures.h"
#include "suite.h"

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
	return run_suite("parse_bad", tests, RTE_DIM(tests));
}

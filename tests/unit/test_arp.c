/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * ARP: built frames byte for byte against frames written out by hand, parse and build
 * round trips, frames from the parser tests' independent builder, and every refusal
 * (every short prefix from a buffer of exactly its length, under ASan).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_common.h>

#include "arp.h"
#include "frames.h"
#include "suite.h"

static const uint8_t MAC_US[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x01};
static const uint8_t MAC_PEER[6] = {0x02, 0x00, 0x5e, 0x00, 0x00, 0x07};

static void expect_frame(const uint8_t *got, const char *want_hex, const char *what)
{
	uint8_t want[ARP_FRAME_LEN];
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(hex_bytes(want_hex, want, sizeof(want)), ARP_FRAME_LEN);
	for (i = 0; i < ARP_FRAME_LEN; i++) {
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

/* Parse the first len bytes of b from a heap buffer of exactly len bytes. */
static int parse_prefix(const uint8_t *b, uint32_t len, struct arp_info *a)
{
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	CU_ASSERT_FATAL(copy != NULL);
	memcpy(copy, b, len);
	memset(a, 0xa5, sizeof(*a));
	ret = arp_parse(copy, len, a);
	free(copy);
	return ret;
}

static void expect_untouched(const struct arp_info *a)
{
	struct arp_info poison;

	memset(&poison, 0xa5, sizeof(poison));
	CU_ASSERT(memcmp(a, &poison, sizeof(poison)) == 0);
}

/* Built frames, byte for byte */

static void test_request_matches_hand_checked_frame(void)
{
	uint8_t buf[ARP_FRAME_LEN];

	memset(buf, 0x77, sizeof(buf));
	arp_build_request(buf, MAC_US, ip4(198, 18, 0, 1), ip4(198, 18, 0, 2));
	expect_frame(buf,
		     "ffffffffffff 02005e000001 0806"		   /* broadcast, ARP */
		     "0001 0800 06 04 0001"			   /* Ethernet/IPv4, request */
		     "02005e000001 c6120001 000000000000 c6120002" /* who has 198.18.0.2? */
		     "000000000000000000000000000000000000",	   /* 18 bytes of padding */
		     "request");
}

static void test_reply_matches_hand_checked_frame(void)
{
	uint8_t buf[ARP_FRAME_LEN];

	memset(buf, 0x77, sizeof(buf));
	arp_build_reply(buf, MAC_US, ip4(198, 18, 0, 1), MAC_PEER, ip4(198, 18, 0, 7));
	expect_frame(buf,
		     "02005e000007 02005e000001 0806"		   /* to the requester */
		     "0001 0800 06 04 0002"			   /* reply */
		     "02005e000001 c6120001 02005e000007 c6120007" /* 198.18.0.1 is at us */
		     "000000000000000000000000000000000000",
		     "reply");
}

static void test_gratuitous_matches_hand_checked_frame(void)
{
	uint8_t buf[ARP_FRAME_LEN];

	memset(buf, 0x77, sizeof(buf));
	arp_build_gratuitous(buf, MAC_US, ip4(198, 19, 255, 254));
	expect_frame(buf,
		     "ffffffffffff 02005e000001 0806"
		     "0001 0800 06 04 0001"
		     "02005e000001 c613fffe 000000000000 c613fffe" /* sender = target */
		     "000000000000000000000000000000000000",
		     "gratuitous");
}

/* Round trips */

static void test_request_parses_back(void)
{
	uint8_t buf[ARP_FRAME_LEN], zero[6] = {0};
	struct arp_info a;

	arp_build_request(buf, MAC_US, ip4(198, 18, 0, 1), ip4(198, 18, 0, 2));
	CU_ASSERT_EQUAL_FATAL(parse_prefix(buf, sizeof(buf), &a), 0);
	CU_ASSERT_EQUAL(a.op, ARP_OP_REQUEST);
	CU_ASSERT(memcmp(a.sender_mac, MAC_US, 6) == 0);
	CU_ASSERT_EQUAL(a.sender_ip, ip4(198, 18, 0, 1));
	CU_ASSERT(memcmp(a.target_mac, zero, 6) == 0);
	CU_ASSERT_EQUAL(a.target_ip, ip4(198, 18, 0, 2));
}

/* A request parsed, answered with what it said, and the answer parsed. */
static void test_reply_to_parsed_request_answers_it(void)
{
	uint8_t req[ARP_FRAME_LEN], rep[ARP_FRAME_LEN];
	struct arp_info q, r;

	arp_build_request(req, MAC_PEER, ip4(198, 18, 0, 7), ip4(198, 18, 0, 1));
	CU_ASSERT_EQUAL_FATAL(parse_prefix(req, sizeof(req), &q), 0);
	arp_build_reply(rep, MAC_US, q.target_ip, q.sender_mac, q.sender_ip);
	CU_ASSERT_EQUAL_FATAL(parse_prefix(rep, sizeof(rep), &r), 0);
	CU_ASSERT_EQUAL(r.op, ARP_OP_REPLY);
	CU_ASSERT(memcmp(r.sender_mac, MAC_US, 6) == 0);
	CU_ASSERT_EQUAL(r.sender_ip, ip4(198, 18, 0, 1));
	CU_ASSERT(memcmp(r.target_mac, MAC_PEER, 6) == 0);
	CU_ASSERT_EQUAL(r.target_ip, ip4(198, 18, 0, 7));
	CU_ASSERT(memcmp(rep, MAC_PEER, 6) == 0); /* unicast to the requester */
	CU_ASSERT(memcmp(rep + 6, MAC_US, 6) == 0);
}

static void test_gratuitous_parses_as_request_for_itself(void)
{
	uint8_t buf[ARP_FRAME_LEN];
	struct arp_info a;

	arp_build_gratuitous(buf, MAC_US, ip4(198, 18, 0, 1));
	CU_ASSERT_EQUAL_FATAL(parse_prefix(buf, sizeof(buf), &a), 0);
	CU_ASSERT_EQUAL(a.op, ARP_OP_REQUEST);
	CU_ASSERT_EQUAL(a.sender_ip, a.target_ip);
	CU_ASSERT_EQUAL(a.sender_ip, ip4(198, 18, 0, 1));
}

/* Frames from the parser tests' builder (another hand, another code path). */
static void test_parse_independently_built_frames(void)
{
	struct frame f;
	struct arp_info a;

	frame_eth(&f, 0x0806);
	frame_arp(&f, 2, FRAME_IP_A, &FRAME_DST, FRAME_IP_B);
	CU_ASSERT_EQUAL(f.len, ARP_MIN_LEN);
	CU_ASSERT_EQUAL_FATAL(parse_prefix(f.b, f.len, &a), 0); /* unpadded: 42 bytes */
	CU_ASSERT_EQUAL(a.op, 2);
	CU_ASSERT(memcmp(a.sender_mac, FRAME_SRC.addr_bytes, 6) == 0);
	CU_ASSERT_EQUAL(a.sender_ip, htonl(FRAME_IP_A));
	CU_ASSERT(memcmp(a.target_mac, FRAME_DST.addr_bytes, 6) == 0);
	CU_ASSERT_EQUAL(a.target_ip, htonl(FRAME_IP_B));

	frame_pad_to(&f, 60);
	CU_ASSERT_EQUAL(parse_prefix(f.b, f.len, &a), 0);
	frame_fill(&f, 0xee, 4); /* and more trailing bytes */
	CU_ASSERT_EQUAL(parse_prefix(f.b, f.len, &a), 0);
}

static void test_parse_returns_any_opcode(void)
{
	struct frame f;
	struct arp_info a;

	frame_eth(&f, 0x0806);
	frame_arp(&f, 9, FRAME_IP_A, &FRAME_DST, FRAME_IP_B); /* 9: InARP request */
	CU_ASSERT_EQUAL_FATAL(parse_prefix(f.b, f.len, &a), 0);
	CU_ASSERT_EQUAL(a.op, 9);
}

/* Refusals */

static void test_every_short_prefix_is_refused(void)
{
	uint8_t buf[ARP_FRAME_LEN];
	struct arp_info a;
	uint32_t len;

	arp_build_request(buf, MAC_US, ip4(198, 18, 0, 1), ip4(198, 18, 0, 2));
	for (len = 0; len <= ARP_FRAME_LEN; len++) {
		int ret = parse_prefix(buf, len, &a);

		if (len < ARP_MIN_LEN) {
			CU_ASSERT_EQUAL(ret, -EBADMSG);
			expect_untouched(&a);
		} else {
			CU_ASSERT_EQUAL(ret, 0);
		}
	}
}

static void test_other_ethertypes_are_not_arp(void)
{
	struct frame f;
	struct arp_info a;

	frame_eth(&f, 0x0800);
	frame_arp(&f, 1, FRAME_IP_A, &FRAME_DST, FRAME_IP_B);
	CU_ASSERT_EQUAL(parse_prefix(f.b, f.len, &a), -ENOMSG);
	expect_untouched(&a);

	frame_start(&f); /* tagged: the uplink is untagged */
	frame_tag(&f, 0x8100, 5);
	frame_type(&f, 0x0806);
	frame_arp(&f, 1, FRAME_IP_A, &FRAME_DST, FRAME_IP_B);
	CU_ASSERT_EQUAL(parse_prefix(f.b, f.len, &a), -ENOMSG);

	frame_eth(&f, 0x8035); /* RARP */
	frame_arp(&f, 3, FRAME_IP_A, &FRAME_DST, FRAME_IP_B);
	CU_ASSERT_EQUAL(parse_prefix(f.b, f.len, &a), -ENOMSG);
}

static void test_not_ethernet_ipv4_is_refused(void)
{
	static const struct {
		unsigned int off;
		uint8_t value;
		const char *what;
	} cases[] = {
		{14, 0x01, "hardware type 0x0101"}, {15, 6, "hardware type 6 (IEEE 802)"},
		{16, 0x86, "protocol 0x8600"},	    {17, 0xdd, "protocol 0x08dd"},
		{18, 8, "hardware length 8"},	    {19, 16, "protocol length 16"},
		{18, 0, "hardware length 0"},	    {19, 0, "protocol length 0"},
	};
	unsigned int i;

	for (i = 0; i < RTE_DIM(cases); i++) {
		uint8_t buf[ARP_FRAME_LEN];
		struct arp_info a;

		arp_build_request(buf, MAC_US, ip4(198, 18, 0, 1), ip4(198, 18, 0, 2));
		buf[cases[i].off] = cases[i].value;
		CU_ASSERT_EQUAL(parse_prefix(buf, sizeof(buf), &a), -EPROTONOSUPPORT);
		expect_untouched(&a);
	}
}

static void test_multicast_sender_is_refused(void)
{
	static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t mcast[6] = {0x01, 0x00, 0x5e, 0x00, 0x00, 0x01};
	uint8_t buf[ARP_FRAME_LEN];
	struct arp_info a;

	arp_build_request(buf, bcast, ip4(198, 18, 0, 1), ip4(198, 18, 0, 2));
	CU_ASSERT_EQUAL(parse_prefix(buf, sizeof(buf), &a), -EINVAL);
	expect_untouched(&a);
	arp_build_request(buf, mcast, ip4(198, 18, 0, 1), ip4(198, 18, 0, 2));
	CU_ASSERT_EQUAL(parse_prefix(buf, sizeof(buf), &a), -EINVAL);
}

int main(void)
{
	static const struct unit_test tests[] = {
#define T(fn) {#fn, fn}
		T(test_request_matches_hand_checked_frame),
		T(test_reply_matches_hand_checked_frame),
		T(test_gratuitous_matches_hand_checked_frame),
		T(test_request_parses_back),
		T(test_reply_to_parsed_request_answers_it),
		T(test_gratuitous_parses_as_request_for_itself),
		T(test_parse_independently_built_frames),
		T(test_parse_returns_any_opcode),
		T(test_every_short_prefix_is_refused),
		T(test_other_ethertypes_are_not_arp),
		T(test_not_ethernet_ipv4_is_refused),
		T(test_multicast_sender_is_refused),
#undef T
	};
	return run_suite("arp", tests, RTE_DIM(tests));
}

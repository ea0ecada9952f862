/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the parser's unit suites share: parsing a frame or its prefix from a buffer of
 * exactly its length (checking the L2 switch's, the flow tables' and the
 * encapsulation's shortcuts against the full parse each time), and the keys the tests
 * expect, compared field by field.  Header-only (static inline), each suite its own copy.
 */
#ifndef SYD_TEST_PARSE_FIXTURES_H
#define SYD_TEST_PARSE_FIXTURES_H

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

/* Parse the first len bytes of f from a buffer of exactly len bytes (under ASan, a read
 * past them is an error). */
#define FAST_REMOTE 0x0a000001u

/* Whether the last parse_prefix() took the flow tables' shortcut (cls_key_from_frame()). */
static bool fast_taken;

static inline int parse_prefix(const struct frame *f, uint32_t len, struct pkt_key *k)
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

static inline int parse_whole(const struct frame *f, struct pkt_key *k)
{
	return parse_prefix(f, f->len, k);
}

static inline uint64_t mac_u64(const struct rte_ether_addr *m)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		v = v << 8 | m->addr_bytes[i];
	return v;
}

/* One field: on a mismatch the failure names the case, the field and both values. */
static inline void expect_field(uint64_t got, uint64_t want, const char *what, const char *field,
				unsigned int line)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s is 0x%llx, want 0x%llx", what, field,
		 (unsigned long long)got, (unsigned long long)want);
	CU_assertImplementation(got == want, line, msg, __FILE__, "", CU_FALSE);
}

static inline void check_key(const struct pkt_key *got, const struct pkt_key *want,
			     const char *what, unsigned int line)
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
static inline struct pkt_key want_l2(uint16_t ethertype, uint16_t l3_off)
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
static inline struct pkt_key want_ipv4(uint16_t l3_off, uint8_t proto)
{
	struct pkt_key w = want_l2(RTE_ETHER_TYPE_IPV4, l3_off);

	w.flags = PKT_F_IPV4;
	w.ip_proto = proto;
	w.ip_src = rte_cpu_to_be_32(FRAME_IP_A);
	w.ip_dst = rte_cpu_to_be_32(FRAME_IP_B);
	return w;
}

static inline void want_l4(struct pkt_key *w, uint16_t l4_off, uint16_t src, uint16_t dst)
{
	w->flags |= PKT_F_L4;
	w->l4_off = l4_off;
	w->l4_src = rte_cpu_to_be_16(src);
	w->l4_dst = rte_cpu_to_be_16(dst);
}

static inline void want_l3_bad(struct pkt_key *w, enum pkt_l3_err err)
{
	w->flags |= PKT_F_L3_BAD;
	w->l3_err = (uint8_t)err;
}

static inline struct pkt_key want_ipv6(uint16_t l3_off, uint8_t proto)
{
	struct pkt_key w = want_l2(RTE_ETHER_TYPE_IPV6, l3_off);

	w.flags = PKT_F_IPV6;
	w.ip_proto = proto;
	return w;
}

#endif /* SYD_TEST_PARSE_FIXTURES_H */

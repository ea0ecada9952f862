/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow classifier: the key of a parsed packet, match semantics field by field,
 * priorities across subtables, the tie rule, tables, add/replace/modify/delete and the
 * staged version, counters and idle timeouts, the exact-match cache's invalidation;
 * then the classifier (single, burst and cached lookups) against a linear scan over
 * random rules, packets and operations; readers racing a writer that replaces rule sets
 * (with a quiescent-state handshake as the synchronize hook); and a million rules added
 * and deleted.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <CUnit/Basic.h>

#include "classifier_emc.h"
#include "parse.h"
#include "suite.h"

/* Deterministic pseudo-random numbers (xorshift64*). */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static const struct rte_ether_addr mac_all = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static struct rte_ether_addr mac_of(uint64_t n)
{
	struct rte_ether_addr m;
	int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		m.addr_bytes[i] = (uint8_t)(n >> (40 - 8 * i));
	return m;
}

static uint32_t ip4(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	return htonl(a << 24 | b << 16 | c << 8 | d);
}

static struct classifier *new_cls(void)
{
	struct cls_params p = {.workers = 2};
	struct classifier *c = cls_create(&p);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

/* Rules in these tests carry one uint32_t of actions: a tag saying which rule it is. */
static const struct cls_rule *add(struct classifier *c, unsigned int table, uint32_t prio,
				  const struct cls_match *m, uint32_t tag)
{
	struct cls_rule_spec spec = {.match = *m,
				     .priority = prio,
				     .table = (uint8_t)table,
				     .actions = &tag,
				     .actions_len = sizeof(tag)};
	const struct cls_rule *r = NULL;
	int ret = cls_rule_add(c, &spec, &r);

	CU_ASSERT_TRUE(ret == 0 || ret == 1);
	return r;
}

static uint32_t tag_of(const struct cls_rule *r)
{
	uint32_t tag;

	memcpy(&tag, cls_rule_actions(r), sizeof(tag));
	return tag;
}

/* The tag of the rule key k meets in table at the current version (single, burst and
 * cached lookups must agree), or -1 on a miss. */
static long lookup_tag(struct classifier *c, unsigned int table, const struct cls_key *k)
{
	const struct cls_key *keys[3] = {k, k, k};
	const struct cls_rule *one, *burst[3], *cached[3];
	uint64_t v = cls_version(c);
	struct cls_emc *emc = cls_emc_create(c, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	one = cls_lookup(c, v, table, k);
	cls_lookup_burst(c, v, table, keys, 3, burst);
	cls_emc_lookup_burst(emc, v, table, keys, NULL, 3, cached, NULL);
	CU_ASSERT_PTR_EQUAL(one, burst[0]);
	CU_ASSERT_PTR_EQUAL(one, burst[2]);
	CU_ASSERT_PTR_EQUAL(one, cached[0]);
	CU_ASSERT_PTR_EQUAL(one, cached[2]);
	cls_emc_destroy(emc);
	return one ? (long)tag_of(one) : -1;
}

/* A key with every field set to something. */
static struct cls_key base_key(void)
{
	struct cls_key k;

	memset(&k, 0, sizeof(k));
	k.in_port = 3;
	k.network = 1;
	k.eth_dst = mac_of(0x020000000002);
	k.eth_src = mac_of(0x020000000001);
	k.vlan = CLS_VLAN_PRESENT | 100;
	k.ethertype = RTE_ETHER_TYPE_IPV4;
	k.ip_src = ip4(10, 0, 0, 1);
	k.ip_dst = ip4(10, 0, 1, 2);
	k.ip_proto = IPPROTO_TCP;
	k.l4_src = 40000;
	k.l4_dst = 80;
	k.vni = 5001;
	k.tun_remote = ip4(192, 0, 2, 2);
	return k;
}

/* The packet's key */

static void test_key_from_parsed_frame(void)
{
	static const uint8_t frame[] = {
		0x02, 0,    0,	  0,	0,  0x02, 0x02, 0, 0,  0, 0, 0x01, /* dst, src */
		0x81, 0x00, 0x20, 0x64,					   /* VLAN pcp 1, id 100 */
		0x08, 0x00,						   /* IPv4 */
		0x45, 0,    0,	  40,	0,  0,	  0,	0, 64, 6, 0, 0,	   /* 40 bytes, TCP */
		10,   0,    0,	  1,	10, 0,	  1,	2,		   /* src, dst */
		0x9c, 0x40, 0x00, 0x50, 0,  0,	  0,	0, 0,  0, 0, 0,	   /* 40000 -> 80 */
		0x50, 0x02, 0xff, 0xff, 0,  0,	  0,	0,
	};
	struct pkt_key p;
	struct cls_key k, want = base_key();

	CU_ASSERT_EQUAL_FATAL(parse_frame(frame, sizeof(frame), &p), 0);
	memset(&k, 0xa5, sizeof(k));
	cls_key_from_pkt(&k, &p, 3, 1, 5001, ip4(192, 0, 2, 2));
	CU_ASSERT_EQUAL(memcmp(&k, &want, sizeof(k)), 0);

	/* Untagged: vlan 0, which CLS_VLAN_PRESENT tells from a tag with id 0. */
	p.flags &= (uint16_t)~PKT_F_VLAN;
	p.vlan_tci = 0;
	cls_key_from_pkt(&k, &p, 3, 1, 0, 0);
	CU_ASSERT_EQUAL(k.vlan, 0);
	CU_ASSERT_EQUAL(k.vni, 0);
	CU_ASSERT_EQUAL(k.tun_remote, 0);
	p.flags |= PKT_F_VLAN; /* a priority tag: id 0 */
	cls_key_from_pkt(&k, &p, 3, 1, 0, 0);
	CU_ASSERT_EQUAL(k.vlan, CLS_VLAN_PRESENT);
}

/* Match semantics */

static void set_field(struct cls_match *m, int field, const struct cls_key *k)
{
	switch (field) {
	case 0:
		cls_match_in_port(m, k->in_port);
		break;
	case 1:
		cls_match_network(m, k->network);
		break;
	case 2:
		cls_match_eth_src(m, &k->eth_src, &mac_all);
		break;
	case 3:
		cls_match_eth_dst(m, &k->eth_dst, &mac_all);
		break;
	case 4:
		cls_match_vlan(m, k->vlan & 0xfff);
		break;
	case 5:
		cls_match_ethertype(m, k->ethertype);
		break;
	case 6:
		cls_match_ip_src(m, k->ip_src, 32);
		break;
	case 7:
		cls_match_ip_dst(m, k->ip_dst, 32);
		break;
	case 8:
		cls_match_ip_proto(m, k->ip_proto);
		break;
	case 9:
		cls_match_l4_src(m, k->l4_src);
		break;
	case 10:
		cls_match_l4_dst(m, k->l4_dst);
		break;
	case 11:
		cls_match_vni(m, k->vni);
		break;
	case 12:
		cls_match_tun_remote(m, k->tun_remote);
		break;
	}
}

/* Change field in k to a value no rule above matches. */
static void change_field(struct cls_key *k, int field)
{
	switch (field) {
	case 0:
		k->in_port++;
		break;
	case 1:
		k->network++;
		break;
	case 2:
		k->eth_src.addr_bytes[5] ^= 1;
		break;
	case 3:
		k->eth_dst.addr_bytes[0] ^= 0x80;
		break;
	case 4:
		k->vlan ^= 1;
		break;
	case 5:
		k->ethertype = RTE_ETHER_TYPE_ARP;
		break;
	case 6:
		k->ip_src ^= htonl(1);
		break;
	case 7:
		k->ip_dst ^= htonl(0x80000000);
		break;
	case 8:
		k->ip_proto = IPPROTO_UDP;
		break;
	case 9:
		k->l4_src ^= 0x100;
		break;
	case 10:
		k->l4_dst = 443;
		break;
	case 11:
		k->vni = 5002;
		break;
	case 12:
		k->tun_remote ^= htonl(1);
		break;
	}
}

static void test_each_field_matches_exactly(void)
{
	const int nfields = 13;
	int f;

	for (f = 0; f < nfields; f++) {
		struct classifier *c = new_cls();
		struct cls_key k = base_key(), other = base_key();
		struct cls_match m;

		memset(&m, 0, sizeof(m));
		set_field(&m, f, &k);
		add(c, 0, 10, &m, (uint32_t)f);
		cls_commit(c);
		CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), f);
		change_field(&other, f);
		CU_ASSERT_EQUAL(lookup_tag(c, 0, &other), -1);
		/* Every other field may change. */
		for (int g = 0; g < nfields; g++) {
			struct cls_key o = base_key();

			if (g == f)
				continue;
			change_field(&o, g);
			CU_ASSERT_EQUAL(lookup_tag(c, 0, &o), f);
		}
		cls_destroy(c);
	}
}

static void test_empty_match_matches_everything(void)
{
	struct classifier *c = new_cls();
	struct cls_match m;
	struct cls_key k = base_key(), z;

	memset(&m, 0, sizeof(m));
	memset(&z, 0, sizeof(z));
	m.key.in_port = 7; /* outside the mask: ignored */
	add(c, 0, 0, &m, 1);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &z), 1);
	cls_destroy(c);
}

static void test_mac_masks(void)
{
	struct classifier *c = new_cls();
	const struct rte_ether_addr group = {{0x01, 0, 0, 0, 0, 0}};
	const struct rte_ether_addr oui = {{0x02, 0x42, 0xac, 0, 0, 0}};
	const struct rte_ether_addr oui_mask = {{0xff, 0xff, 0xff, 0, 0, 0}};
	struct cls_match multicast, vendor;
	struct cls_key k = base_key();

	memset(&multicast, 0, sizeof(multicast));
	cls_match_eth_dst(&multicast, &group, &group); /* the group bit only */
	memset(&vendor, 0, sizeof(vendor));
	cls_match_eth_src(&vendor, &oui, &oui_mask);
	add(c, 0, 20, &multicast, 1);
	add(c, 0, 10, &vendor, 2);
	cls_commit(c);
	k.eth_dst = mac_of(0x01005e000001);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1);
	k.eth_dst = mac_of(0xffffffffffff);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1);
	k.eth_dst = mac_of(0x020000000002);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), -1);
	k.eth_src = mac_of(0x0242ac123456);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 2);
	k.eth_src = mac_of(0x0242ad123456);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), -1);
	cls_destroy(c);
}

static void test_ip_prefixes(void)
{
	struct classifier *c = new_cls();
	struct cls_match m;
	struct cls_key k = base_key();
	static const unsigned int len[] = {0, 8, 16, 24, 31, 32};
	unsigned int i;

	/* Longer prefixes with higher priorities: longest prefix match. */
	for (i = 0; i < RTE_DIM(len); i++) {
		memset(&m, 0, sizeof(m));
		cls_match_ip_dst(&m, ip4(10, 1, 2, 3), len[i]); /* host bits ignored */
		add(c, 0, 100 + len[i], &m, len[i]);
	}
	cls_commit(c);
	k.ip_dst = ip4(10, 1, 2, 3);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 32);
	k.ip_dst = ip4(10, 1, 2, 2);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 31);
	k.ip_dst = ip4(10, 1, 2, 200);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 24);
	k.ip_dst = ip4(10, 1, 99, 1);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 16);
	k.ip_dst = ip4(10, 200, 0, 1);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 8);
	k.ip_dst = ip4(192, 168, 0, 1);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 0);
	CU_ASSERT_EQUAL(cls_prefix_mask(0), 0);
	CU_ASSERT_EQUAL(cls_prefix_mask(1), htonl(0x80000000));
	CU_ASSERT_EQUAL(cls_prefix_mask(32), UINT32_MAX);
	cls_destroy(c);
}

static void test_vlan_untagged_and_id(void)
{
	struct classifier *c = new_cls();
	struct cls_match untagged, vid0, any_tag;
	struct cls_key k = base_key();

	memset(&untagged, 0, sizeof(untagged));
	cls_match_untagged(&untagged);
	memset(&vid0, 0, sizeof(vid0));
	cls_match_vlan(&vid0, 0);
	memset(&any_tag, 0, sizeof(any_tag));
	any_tag.key.vlan = CLS_VLAN_PRESENT;
	any_tag.mask.vlan = CLS_VLAN_PRESENT;
	add(c, 0, 30, &untagged, 1);
	add(c, 0, 20, &vid0, 2);
	add(c, 0, 10, &any_tag, 3);
	cls_commit(c);
	k.vlan = 0;
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1);
	k.vlan = CLS_VLAN_PRESENT;
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 2);
	k.vlan = CLS_VLAN_PRESENT | 100;
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 3);
	cls_destroy(c);
}

/* Priorities */

static void test_higher_priority_wins_across_subtables(void)
{
	struct classifier *c = new_cls();
	struct cls_match by_port, by_port_low, by_ip, by_both;
	struct cls_key k = base_key();

	/* Subtable A (in_port) holds priorities 100 and 10; B (ip_dst) holds 50: a packet
	 * matching A's 10 and B's 50 must get B's, though A sorts first. */
	memset(&by_port, 0, sizeof(by_port));
	cls_match_in_port(&by_port, 9);
	add(c, 0, 100, &by_port, 1);
	memset(&by_port_low, 0, sizeof(by_port_low));
	cls_match_in_port(&by_port_low, k.in_port);
	add(c, 0, 10, &by_port_low, 2);
	memset(&by_ip, 0, sizeof(by_ip));
	cls_match_ip_dst(&by_ip, k.ip_dst, 24);
	add(c, 0, 50, &by_ip, 3);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 3);
	k.in_port = 9;
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1);
	k.in_port = 3;
	k.ip_dst = ip4(1, 1, 1, 1);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 2);

	/* A later, more specific rule of a lower priority changes nothing. */
	k = base_key();
	memset(&by_both, 0, sizeof(by_both));
	cls_match_in_port(&by_both, k.in_port);
	cls_match_ip_dst(&by_both, k.ip_dst, 32);
	add(c, 0, 40, &by_both, 4);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 3);
	add(c, 0, 60, &by_both, 5); /* another priority: another rule */
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 5);
	CU_ASSERT_EQUAL(cls_count(c), 5);
	cls_destroy(c);
}

static void test_equal_priority_first_added_wins(void)
{
	struct classifier *c = new_cls();
	struct cls_match a, b;
	struct cls_key k = base_key();
	const struct cls_rule *ra;

	memset(&a, 0, sizeof(a));
	cls_match_in_port(&a, k.in_port);
	memset(&b, 0, sizeof(b));
	cls_match_ip_src(&b, k.ip_src, 16);
	ra = add(c, 0, 7, &a, 1);
	add(c, 0, 7, &b, 2);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1);
	/* Replacing keeps the rule's place (its id). */
	add(c, 0, 7, &a, 11);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 11);
	/* Deleted and added again: now the later one. */
	ra = cls_rule_find(c, 0, 7, &a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ra);
	CU_ASSERT_EQUAL(cls_rule_delete(c, ra), 0);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 2);
	add(c, 0, 7, &a, 1);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 2);
	cls_destroy(c);
}

static void test_table_miss_and_multiple_tables(void)
{
	struct classifier *c = new_cls();
	struct cls_rule_spec spec;
	struct cls_match m;
	struct cls_key k = base_key();

	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), -1);
	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, k.in_port);
	add(c, 0, 5, &m, 100);
	add(c, 1, 5, &m, 101);
	add(c, CLS_TABLES - 1, 5, &m, 115);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 100);
	CU_ASSERT_EQUAL(lookup_tag(c, 1, &k), 101);
	CU_ASSERT_EQUAL(lookup_tag(c, 2, &k), -1);
	CU_ASSERT_EQUAL(lookup_tag(c, CLS_TABLES - 1, &k), 115);
	CU_ASSERT_PTR_NULL(cls_lookup(c, cls_version(c), CLS_TABLES, &k));
	k.in_port++;
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), -1);

	memset(&spec, 0, sizeof(spec));
	spec.match = m;
	spec.table = CLS_TABLES;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, NULL), -EINVAL);
	spec.table = 0;
	spec.actions_len = CLS_ACTIONS_MAX + 1;
	spec.actions = &spec;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, NULL), -EINVAL);
	spec.actions_len = 4;
	spec.actions = NULL;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, NULL), -EINVAL);
	CU_ASSERT_EQUAL(cls_count(c), 3);
	cls_destroy(c);
}

/* Add, replace, modify, delete and the staged version */

static void test_changes_invisible_until_commit(void)
{
	struct classifier *c = new_cls();
	struct cls_match m;
	struct cls_key k = base_key();
	const struct cls_rule *r;
	uint64_t v0 = cls_version(c);

	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, k.in_port);
	r = add(c, 0, 5, &m, 1);
	CU_ASSERT_EQUAL(cls_version(c), v0);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), -1);
	CU_ASSERT_PTR_EQUAL(cls_rule_find(c, 0, 5, &m), r); /* the writer sees it */
	CU_ASSERT_EQUAL(cls_commit(c), 0);
	CU_ASSERT_EQUAL(cls_version(c), v0 + 1);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1);
	CU_ASSERT_EQUAL(cls_rule_delete(c, r), 0);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1);
	CU_ASSERT_PTR_NULL(cls_rule_find(c, 0, 5, &m));
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), -1);
	/* Nothing staged: no new version. */
	CU_ASSERT_EQUAL(cls_commit(c), 0);
	CU_ASSERT_EQUAL(cls_version(c), v0 + 2);
	cls_destroy(c);
}

static void test_add_same_identity_replaces(void)
{
	struct classifier *c = new_cls();
	struct cls_rule_spec spec;
	struct cls_rule_stats st;
	struct cls_key k = base_key();
	const struct cls_rule *r1, *r2;
	uint32_t tag = 1;

	memset(&spec, 0, sizeof(spec));
	cls_match_in_port(&spec.match, k.in_port);
	spec.priority = 5;
	spec.cookie = 0xc0c0;
	spec.actions = &tag;
	spec.actions_len = sizeof(tag);
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, &r1), 0);
	cls_commit(c);
	cls_rule_hit(c, 0, r1, 3, 300);
	tag = 2;
	spec.cookie = 0xc1c1;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, &r2), 1);
	CU_ASSERT_PTR_NOT_EQUAL(r1, r2);
	CU_ASSERT_EQUAL(cls_rule_id(r1), cls_rule_id(r2));
	CU_ASSERT_EQUAL(cls_count(c), 1);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1); /* not committed yet */
	cls_rule_hit(c, 1, r1, 1, 100);		  /* a worker still on the old rule */
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 2);
	CU_ASSERT_EQUAL(cls_rule_cookie(cls_lookup(c, cls_version(c), 0, &k)), 0xc1c1);
	cls_rule_stats(c, r2, &st);
	CU_ASSERT_EQUAL(st.packets, 4);
	CU_ASSERT_EQUAL(st.bytes, 400);
	/* Replaced twice in one batch: one rule. */
	tag = 3;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, NULL), 1);
	tag = 4;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, NULL), 1);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 4);
	CU_ASSERT_EQUAL(cls_count(c), 1);
	cls_destroy(c);
}

static void test_modify_actions_and_priority(void)
{
	struct classifier *c = new_cls();
	struct cls_match a, b;
	struct cls_rule_spec spec;
	struct cls_key k = base_key();
	const struct cls_rule *ra, *rb, *ra2, *ra3;
	uint32_t tag = 10;

	memset(&a, 0, sizeof(a));
	cls_match_in_port(&a, k.in_port);
	memset(&b, 0, sizeof(b));
	cls_match_ip_dst(&b, k.ip_dst, 32);
	ra = add(c, 0, 10, &a, 1);
	rb = add(c, 0, 20, &b, 2);
	add(c, 0, 30, &a, 3); /* same match as ra, another priority */
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 3);

	memset(&spec, 0, sizeof(spec));
	spec.priority = 10;
	spec.actions = &tag;
	spec.actions_len = sizeof(tag);
	spec.idle_timeout_s = 9;
	CU_ASSERT_EQUAL(cls_rule_modify(c, ra, &spec, &ra2), 0);
	CU_ASSERT_EQUAL(cls_rule_modify(c, ra, &spec, NULL), -ENOENT); /* stale */
	CU_ASSERT_EQUAL(cls_rule_idle_timeout(ra2), 9);
	CU_ASSERT_EQUAL(cls_rule_id(ra2), cls_rule_id(ra));
	spec.priority = 30; /* ra's match at 30 exists already */
	CU_ASSERT_EQUAL(cls_rule_modify(c, ra2, &spec, NULL), -EEXIST);
	spec.priority = 40;
	tag = 11;
	CU_ASSERT_EQUAL(cls_rule_modify(c, ra2, &spec, &ra3), 0);
	CU_ASSERT_EQUAL(cls_rule_priority(ra3), 40);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 3);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 11);
	CU_ASSERT_PTR_NULL(cls_rule_find(c, 0, 10, &a));
	CU_ASSERT_PTR_EQUAL(cls_rule_find(c, 0, 40, &a), ra3);
	/* And down again, below b. */
	spec.priority = 5;
	tag = 12;
	CU_ASSERT_EQUAL(cls_rule_modify(c, ra3, &spec, NULL), 0);
	CU_ASSERT_EQUAL(cls_rule_delete(c, cls_rule_find(c, 0, 30, &a)), 0);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 2);
	CU_ASSERT_EQUAL(cls_count(c), 2);
	CU_ASSERT_EQUAL(cls_rule_delete(c, rb), 0);
	CU_ASSERT_EQUAL(cls_rule_delete(c, rb), -ENOENT);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 12);
	cls_destroy(c);
}

static void test_match_round_trip(void)
{
	struct classifier *c = new_cls();
	struct cls_match m, got;
	const struct cls_rule *r;

	memset(&m, 0, sizeof(m));
	cls_match_ip_src(&m, ip4(10, 1, 2, 3), 20);
	cls_match_l4_dst(&m, 22);
	r = add(c, 4, 1, &m, 1);
	cls_rule_match(r, &got);
	CU_ASSERT_EQUAL(memcmp(&got, &m, sizeof(m)), 0);
	CU_ASSERT_EQUAL(got.key.ip_src, ip4(10, 1, 0, 0));
	CU_ASSERT_EQUAL(cls_rule_table(r), 4);
	cls_destroy(c);
}

static int count_rule(const struct cls_rule *r, void *arg)
{
	(void)r;
	(*(unsigned int *)arg)++;
	return 0;
}

struct del_ctx {
	struct classifier *c;
	uint32_t tag;
	unsigned int n;
};

static int delete_tagged(const struct cls_rule *r, void *arg)
{
	struct del_ctx *d = arg;

	if (tag_of(r) == d->tag) {
		CU_ASSERT_EQUAL(cls_rule_delete(d->c, r), 0);
		d->n++;
	}
	return 0;
}

static int stop_at_second(const struct cls_rule *r, void *arg)
{
	(void)r;
	return ++(*(unsigned int *)arg) == 2 ? 42 : 0;
}

static void test_walk_and_delete_while_walking(void)
{
	struct classifier *c = new_cls();
	struct del_ctx d = {c, 1, 0};
	unsigned int i, n;

	for (i = 0; i < 300; i++) {
		struct cls_match m;

		memset(&m, 0, sizeof(m));
		cls_match_l4_dst(&m, (uint16_t)i);
		if (i % 3 == 0)
			cls_match_in_port(&m, 1);
		add(c, i % 2, i, &m, i % 2 ? 1 : 2);
	}
	n = 0;
	CU_ASSERT_EQUAL(cls_walk(c, -1, count_rule, &n), 0);
	CU_ASSERT_EQUAL(n, 300);
	n = 0;
	cls_walk(c, 1, count_rule, &n);
	CU_ASSERT_EQUAL(n, 150);
	n = 0;
	CU_ASSERT_EQUAL(cls_walk(c, -1, stop_at_second, &n), 42);
	cls_walk(c, -1, delete_tagged, &d);
	CU_ASSERT_EQUAL(d.n, 150);
	CU_ASSERT_EQUAL(cls_count(c), 150);
	n = 0;
	cls_walk(c, 1, count_rule, &n);
	CU_ASSERT_EQUAL(n, 0);
	cls_commit(c);
	n = 0;
	cls_walk(c, -1, count_rule, &n);
	CU_ASSERT_EQUAL(n, 150);
	cls_destroy(c);
}

static void test_abort_restores_the_published_rules(void)
{
	struct classifier *c = new_cls();
	struct cls_match a, b, d;
	struct cls_rule_spec spec;
	struct cls_key k = base_key();
	const struct cls_rule *ra, *rd, *h;
	uint64_t v;
	uint32_t tag = 9;

	memset(&a, 0, sizeof(a));
	cls_match_in_port(&a, k.in_port);
	memset(&b, 0, sizeof(b));
	cls_match_ip_dst(&b, k.ip_dst, 32);
	memset(&d, 0, sizeof(d));
	cls_match_l4_dst(&d, 22);
	ra = add(c, 0, 10, &a, 1);
	rd = add(c, 1, 10, &d, 4);
	cls_commit(c);
	v = cls_version(c);

	/* A batch that deletes, adds, replaces and modifies... */
	CU_ASSERT_EQUAL(cls_rule_delete(c, rd), 0);
	add(c, 0, 20, &b, 2);
	add(c, 0, 10, &a, 3); /* replaces ra */
	memset(&spec, 0, sizeof(spec));
	spec.priority = 30;
	spec.actions = &tag;
	spec.actions_len = sizeof(tag);
	h = cls_rule_find(c, 0, 10, &a);
	CU_ASSERT_EQUAL(cls_rule_modify(c, h, &spec, NULL), 0);
	add(c, 2, 1, &b, 5);
	CU_ASSERT_EQUAL(cls_count(c), 3);
	/* ...then fails half way. */
	cls_abort(c);
	CU_ASSERT_EQUAL(cls_version(c), v);
	CU_ASSERT_EQUAL(cls_count(c), 2);
	CU_ASSERT_PTR_EQUAL(cls_rule_find(c, 0, 10, &a), ra);
	CU_ASSERT_PTR_EQUAL(cls_rule_find(c, 1, 10, &d), rd);
	CU_ASSERT_PTR_NULL(cls_rule_find(c, 0, 20, &b));
	CU_ASSERT_PTR_NULL(cls_rule_find(c, 0, 30, &a));
	CU_ASSERT_EQUAL(cls_commit(c), 0); /* nothing staged */
	CU_ASSERT_EQUAL(cls_version(c), v);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 1);
	k.l4_dst = 22;
	CU_ASSERT_EQUAL(lookup_tag(c, 1, &k), 4);
	CU_ASSERT_EQUAL(lookup_tag(c, 2, &k), -1);
	/* The old handles work again. */
	CU_ASSERT_EQUAL(cls_rule_delete(c, ra), 0);
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), -1);
	CU_ASSERT_EQUAL(cls_count(c), 1);
	cls_destroy(c);
}

/* Grace periods: what a commit removes is unlinked after one and its memory reused only
 * after a second (here a hook that counts them stands in for the RCU). */
static unsigned int grace_periods;

static void count_grace_period(void *arg)
{
	(void)arg;
	grace_periods++;
}

static void test_removed_rule_memory_waits_for_two_grace_periods(void)
{
	struct cls_params p = {.workers = 1, .synchronize = count_grace_period};
	struct classifier *c = cls_create(&p);
	struct cls_match m;
	struct cls_key k = base_key();
	const struct cls_rule *r, *r2, *r3;

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	grace_periods = 0;
	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, k.in_port);
	r = add(c, 0, 5, &m, 1);
	CU_ASSERT_EQUAL(cls_commit(c), 0);
	CU_ASSERT_EQUAL(grace_periods, 1);
	CU_ASSERT_EQUAL(cls_commit(c), 0); /* nothing staged: no grace period */
	CU_ASSERT_EQUAL(grace_periods, 1);
	cls_rule_delete(c, r);
	cls_commit(c);
	CU_ASSERT_EQUAL(grace_periods, 2);
	/* Unlinked, not yet free: a new rule does not get its memory. */
	r2 = add(c, 0, 6, &m, 2);
	CU_ASSERT_PTR_NOT_EQUAL(r2, r);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), -1);
	cls_reclaim(c);
	CU_ASSERT_EQUAL(grace_periods, 3);
	r3 = add(c, 0, 7, &m, 3);
	CU_ASSERT_PTR_EQUAL(r3, r); /* free now: reused */
	cls_commit(c);
	CU_ASSERT_EQUAL(lookup_tag(c, 0, &k), 3);
	cls_reclaim(c); /* nothing waiting: no grace period */
	CU_ASSERT_EQUAL(grace_periods, 4);
	cls_destroy(c);
}

/* Counters and idle timeouts */

static void test_counters_sum_workers_and_restart_for_new_rule(void)
{
	struct classifier *c = new_cls();
	struct cls_match m;
	struct cls_rule_stats st;
	const struct cls_rule *r;
	struct cls_key k = base_key();

	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, k.in_port);
	r = add(c, 0, 5, &m, 1);
	cls_commit(c);
	cls_rule_hit(c, 0, r, 10, 640);
	cls_rule_hit(c, 1, r, 5, 7500);
	cls_rule_hit(c, 0, r, 1, 64);
	cls_rule_stats(c, r, &st);
	CU_ASSERT_EQUAL(st.packets, 16);
	CU_ASSERT_EQUAL(st.bytes, 8204);
	CU_ASSERT_EQUAL(st.used_s, 0);
	/* Deleted, then added again: a new rule, whose counters start at 0 (its counter
	 * slot may well be the old one's). */
	cls_rule_delete(c, r);
	cls_commit(c);
	cls_reclaim(c);
	r = add(c, 0, 5, &m, 1);
	cls_commit(c);
	cls_rule_stats(c, r, &st);
	CU_ASSERT_EQUAL(st.packets, 0);
	CU_ASSERT_EQUAL(st.bytes, 0);
	cls_destroy(c);
}

struct expired_log {
	unsigned int n;
	uint32_t tag[8];
};

static void on_expired(const struct cls_rule *r, void *arg)
{
	struct expired_log *log = arg;

	if (log->n < 8)
		log->tag[log->n] = tag_of(r);
	log->n++;
}

static void test_sweep_expires_idle_rules(void)
{
	struct classifier *c = new_cls();
	struct cls_rule_spec spec;
	struct cls_rule_stats st;
	struct expired_log log = {0, {0}};
	const struct cls_rule *idle, *forever;
	uint32_t tag = 1;

	memset(&spec, 0, sizeof(spec));
	cls_match_in_port(&spec.match, 1);
	spec.idle_timeout_s = 10;
	spec.actions = &tag;
	spec.actions_len = sizeof(tag);
	cls_rule_add(c, &spec, &idle);
	tag = 2;
	spec.idle_timeout_s = 0;
	cls_match_in_port(&spec.match, 2);
	cls_rule_add(c, &spec, &forever);
	cls_commit(c);

	CU_ASSERT_EQUAL(cls_sweep(c, 100, on_expired, &log), 0); /* first sight: idle from 100 */
	cls_rule_hit(c, 1, idle, 1, 60);
	CU_ASSERT_EQUAL(cls_sweep(c, 105, on_expired, &log), 0); /* used at 105 */
	cls_rule_stats(c, idle, &st);
	CU_ASSERT_EQUAL(st.used_s, 105);
	CU_ASSERT_EQUAL(cls_sweep(c, 114, on_expired, &log), 0);
	CU_ASSERT_EQUAL(cls_sweep(c, 115, on_expired, &log), 1);
	CU_ASSERT_EQUAL(log.n, 1);
	CU_ASSERT_EQUAL(log.tag[0], 1);
	CU_ASSERT_EQUAL(cls_count(c), 1);
	cls_commit(c);
	CU_ASSERT_EQUAL(cls_sweep(c, 100000, on_expired, &log), 0);
	CU_ASSERT_EQUAL(cls_count(c), 1);
	CU_ASSERT_PTR_EQUAL(cls_rule_find(c, 0, 0, &spec.match), forever);
	cls_destroy(c);
}

/* The exact-match cache */

static void test_emc_hits_and_is_invalidated_by_every_change(void)
{
	struct classifier *c = new_cls();
	struct cls_emc *emc = cls_emc_create(c, 0);
	struct cls_match low, high;
	struct cls_key k = base_key(), other = base_key();
	const struct cls_key *keys[1] = {&k};
	const struct cls_rule *out[1], *rl;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	memset(&low, 0, sizeof(low));
	cls_match_in_port(&low, k.in_port);
	rl = add(c, 0, 10, &low, 1);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	CU_ASSERT_EQUAL(emc->misses, 1);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	CU_ASSERT_EQUAL(emc->hits, 1);
	/* An empty table is answered without the cache. */
	cls_emc_lookup_burst(emc, cls_version(c), 1, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_NULL(out[0]);
	CU_ASSERT_EQUAL(emc->misses, 1);
	/* Another table is another entry. */
	add(c, 1, 10, &low, 5);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 1, keys, NULL, 1, out, NULL);
	CU_ASSERT_EQUAL(tag_of(out[0]), 5);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	CU_ASSERT_EQUAL(emc->misses, 3);
	cls_emc_lookup_burst(emc, cls_version(c), 1, keys, NULL, 1, out, NULL);
	CU_ASSERT_EQUAL(tag_of(out[0]), 5);
	CU_ASSERT_EQUAL(emc->hits, 2);

	/* A higher-priority rule: the cached hit must not survive. */
	memset(&high, 0, sizeof(high));
	cls_match_ip_dst(&high, k.ip_dst, 32);
	add(c, 0, 20, &high, 2);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out,
			     NULL); /* staged: still rl */
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_EQUAL(tag_of(out[0]), 2);
	/* Delete it: back to rl. */
	cls_rule_delete(c, out[0]);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	/* Delete rl: a miss, cached as one... */
	cls_rule_delete(c, rl);
	cls_commit(c);
	cls_reclaim(c); /* rl's memory is gone: the cache must not hand it out */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_NULL(out[0]);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_NULL(out[0]);
	/* ...until a rule matching it is added. */
	add(c, 0, 1, &low, 3);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_EQUAL(tag_of(out[0]), 3);
	/* A modify is a change too. */
	{
		struct cls_rule_spec spec;
		uint32_t tag = 4;

		memset(&spec, 0, sizeof(spec));
		spec.priority = 1;
		spec.actions = &tag;
		spec.actions_len = sizeof(tag);
		CU_ASSERT_EQUAL(cls_rule_modify(c, out[0], &spec, NULL), 0);
		cls_commit(c);
		cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
		CU_ASSERT_EQUAL(tag_of(out[0]), 4);
	}
	other.in_port = 99;
	keys[0] = &other;
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_NULL(out[0]);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

static uint64_t packets_of(struct classifier *c, const struct cls_rule *r, uint64_t *bytes)
{
	struct cls_rule_stats st;

	cls_rule_stats(c, r, &st);
	*bytes = st.bytes;
	return st.packets;
}

/* More flows than entries: once most of a window's lookups miss, one miss in
 * CLS_EMC_THRASH_FILL fills an entry; every answer and every count stays right, and the
 * cache fills every miss again once most lookups hit. */
static void test_emc_fills_less_while_thrashing(void)
{
	struct cls_params p = {.workers = 1};
	struct classifier *c = cls_create(&p);
	struct cls_emc *emc = cls_emc_create(c, 0);
	struct cls_match m;
	struct cls_key k[32];
	const struct cls_key *keys[32];
	const struct cls_rule *out[32], *r;
	uint32_t bytes[32], listed;
	uint64_t b, hits, lookups = 0;
	unsigned int round, i, wrong = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, 3);
	r = add(c, 0, 10, &m, 1);
	cls_commit(c);
	for (i = 0; i < 32; i++) {
		keys[i] = &k[i];
		bytes[i] = 64;
	}
	/* Two windows of flows never seen again: every miss fills in the first, one in
	 * CLS_EMC_THRASH_FILL from its last burst on (the window ends in its lookup). */
	listed = 0;
	for (round = 0; round < 2 * CLS_EMC_WINDOW / 32; round++) {
		if (round == CLS_EMC_WINDOW / 32 - 1) {
			CU_ASSERT_FALSE(emc->thrashing);
			listed = emc->nlisted;
		}
		for (i = 0; i < 32; i++) {
			k[i] = base_key();
			k[i].ip_src = (round * 32 + i) * 2654435761u; /* spread over the bits */
		}
		cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 32, out, NULL);
		for (i = 0; i < 32; i++)
			wrong += out[i] != r;
		lookups += 32;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_TRUE(emc->thrashing);
	CU_ASSERT_TRUE(listed > CLS_EMC_WINDOW / 2);
	CU_ASSERT_TRUE(emc->nlisted > listed);
	CU_ASSERT_TRUE(emc->nlisted - listed <= (CLS_EMC_WINDOW + 32) / CLS_EMC_THRASH_FILL);
	cls_emc_flush(emc);
	CU_ASSERT_EQUAL(packets_of(c, r, &b), lookups); /* filled or not, each counted */
	CU_ASSERT_EQUAL(b, lookups * 64);

	/* The same 32 flows over and over: they get in, a window mostly hits, and the next
	 * misses all fill again. */
	for (i = 0; i < 32; i++) {
		k[i] = base_key();
		k[i].ip_src = 0x0a0a0000 + i;
	}
	for (round = 0; round < 3 * CLS_EMC_WINDOW / 32; round++)
		cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 32, out, NULL);
	for (i = 0; i < 32; i++)
		k[i].ip_src = 0x0b0b0000 + i;
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 32, out, NULL);
	CU_ASSERT_FALSE(emc->thrashing);
	hits = emc->hits;
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 32, out, NULL);
	CU_ASSERT_EQUAL(emc->hits - hits, 32);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

/* Flows that differ in one field only, taking its values in turn (the addresses of a
 * subnet, a load test's ports) spread over the cache at least as well as random keys:
 * about half as many as entries are still in it after one pass (random keys lose about
 * 10%, where three or more share a pair of ways; CRC32C, linear, puts such keys on
 * distinct entries). */
static void test_emc_spreads_sequential_keys(void)
{
	struct cls_params p = {.workers = 1};
	struct classifier *c = cls_create(&p);
	const unsigned int nkeys = CLS_EMC_ENTRIES / 2 - 32;
	struct cls_key k[32];
	const struct cls_key *keys[32];
	const struct cls_rule *out[32], *r;
	struct cls_match m;
	unsigned int field, pass, base, i, wrong = 0;

	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, base_key().in_port);
	r = add(c, 0, 10, &m, 1);
	cls_commit(c);
	for (i = 0; i < 32; i++)
		keys[i] = &k[i];
	for (field = 0; field < 3; field++) { /* ip_src, ip_dst, l4_dst */
		struct cls_emc *emc = cls_emc_create(c, 0);
		uint64_t hits = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
		for (pass = 0; pass < 2; pass++) {
			hits = emc->hits;
			for (base = 0; base < nkeys; base += 32) {
				for (i = 0; i < 32; i++) {
					k[i] = base_key();
					if (field == 0)
						k[i].ip_src = htonl(0x0a000000 + base + i);
					else if (field == 1)
						k[i].ip_dst = htonl(0xc6120000 + base + i);
					else
						k[i].l4_dst = (uint16_t)(base + i);
				}
				cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 32, out,
						     NULL);
				for (i = 0; i < 32; i++)
					wrong += out[i] != r;
			}
		}
		/* The second pass hits where the first one's entries stayed. */
		CU_ASSERT_TRUE(emc->hits - hits >= nkeys * 8 / 10);
		cls_emc_destroy(emc);
	}
	CU_ASSERT_EQUAL(wrong, 0);
	cls_destroy(c);
}

/* A rule's hint comes with every hit and miss of the cache; no rule: 0; 64 and more are
 * refused. */
static void test_emc_hands_out_hints(void)
{
	struct classifier *c = new_cls();
	struct cls_emc *emc = cls_emc_create(c, 0);
	struct cls_key k = base_key(), k2 = base_key();
	const struct cls_key *keys[2] = {&k, &k2};
	const struct cls_rule *out[2], *r;
	uint32_t tag = 1;
	struct cls_rule_spec spec = {.priority = 10, .actions = &tag, .actions_len = sizeof(tag)};
	uint8_t hints[2] = {99, 99};
	int pass;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	cls_match_in_port(&spec.match, k.in_port);
	spec.hint = CLS_HINTS;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, &r), -EINVAL);
	spec.hint = CLS_HINTS - 1;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, &r), 0);
	CU_ASSERT_EQUAL(cls_rule_hint(r), CLS_HINTS - 1);
	cls_commit(c);
	k2.in_port = 99;
	for (pass = 0; pass < 2; pass++) { /* a miss of the cache, then a hit */
		cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 2, out, hints);
		CU_ASSERT_PTR_EQUAL(out[0], r);
		CU_ASSERT_EQUAL(hints[0], CLS_HINTS - 1);
		CU_ASSERT_PTR_NULL(out[1]);
		CU_ASSERT_EQUAL(hints[1], 0);
	}
	CU_ASSERT_EQUAL(emc->hits, 2);
	/* A modify may change it. */
	spec.hint = 5;
	CU_ASSERT_EQUAL(cls_rule_modify(c, r, &spec, &r), 0);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, hints);
	CU_ASSERT_PTR_EQUAL(out[0], r);
	CU_ASSERT_EQUAL(hints[0], 5);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

/* Hits the cache counts reach the rules at a flush (or when their entry is refilled);
 * misses of the table count nothing; a rule removed by the last commit can still take
 * them, with readers to wait for (ASan would see a freed one). */
static void test_emc_counts_hits_until_flushed(void)
{
	struct cls_params p = {.workers = 2, .synchronize = count_grace_period};
	struct classifier *c = cls_create(&p);
	struct cls_emc *emc = cls_emc_create(c, 1);
	struct cls_match m, other;
	struct cls_key k = base_key(), k2 = base_key();
	const struct cls_key *keys[2] = {&k, &k2};
	const struct cls_rule *out[2], *r, *r2;
	uint32_t bytes[2] = {100, 60};
	uint64_t b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, k.in_port);
	r = add(c, 0, 10, &m, 1);
	cls_commit(c);
	k2.in_port = 99; /* no rule: a miss of the table */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 2, out, NULL); /* cache misses */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 2, out, NULL); /* cache hits */
	CU_ASSERT_PTR_EQUAL(out[0], r);
	CU_ASSERT_PTR_NULL(out[1]);
	CU_ASSERT_EQUAL(emc->hits, 2);
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 0); /* not yet */
	CU_ASSERT_TRUE(cls_emc_pending(emc));
	cls_emc_flush(emc);
	CU_ASSERT_FALSE(cls_emc_pending(emc));
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 2);
	CU_ASSERT_EQUAL(b, 200);
	cls_emc_flush(emc); /* nothing twice */
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 2);

	/* Counted at one version, refilled at the next: the entry's counts go to r then. */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	memset(&other, 0, sizeof(other));
	cls_match_in_port(&other, 7);
	add(c, 0, 10, &other, 2);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	CU_ASSERT_EQUAL(emc->misses, 3);
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 3);
	cls_emc_flush(emc);
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 4);
	CU_ASSERT_EQUAL(b, 400);

	/* A modify keeps the counters: hits of the old rule flushed after it count. */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	{
		struct cls_rule_spec spec = {.match = m, .priority = 10};
		uint32_t tag = 3;

		spec.actions = &tag;
		spec.actions_len = sizeof(tag);
		CU_ASSERT_EQUAL(cls_rule_modify(c, r, &spec, &r2), 0);
	}
	cls_commit(c);
	cls_emc_flush(emc);
	CU_ASSERT_EQUAL(packets_of(c, r2, &b), 5);

	/* That flush let the entry of the older version go from the list; filled again, it
	 * is listed again, and its hits count. */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	CU_ASSERT_EQUAL(emc->nlisted, 1);
	cls_emc_flush(emc);
	CU_ASSERT_EQUAL(packets_of(c, r2, &b), 7);
	CU_ASSERT_EQUAL(emc->nlisted, 1); /* still the version's */

	/* Deleted by the last commit: still there for the flush. */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], r2);
	cls_rule_delete(c, r2);
	cls_commit(c);
	cls_emc_flush(emc);
	cls_reclaim(c);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

/*
 * The classifier against a linear scan: random rules (few values per field, so that
 * rules overlap, and few priorities, so that ties are common) in three tables, random
 * adds, replacements, modifies and deletes, commits and aborts at random; after each commit,
 * random packets through single, burst and cached lookups must meet the rule the scan
 * finds: the highest priority, then the lowest id.  Staged changes must not show.
 */
#define OR_TABLES 3
#define OR_MAX	  600

struct oracle_rule {
	bool live;
	uint8_t table;
	uint32_t prio;
	struct cls_match m;
	uint64_t id;
	uint32_t tag;
	const struct cls_rule *handle; /* staged */
};

struct oracle {
	struct oracle_rule staged[OR_MAX];
	struct oracle_rule committed[OR_MAX];
	unsigned int n; /* slots used in staged (live or not) */
	unsigned int ncommitted;
};

static void random_match(struct cls_match *m)
{
	static const unsigned int lens[] = {8, 16, 24, 30, 32};
	uint64_t bits = rng();

	memset(m, 0, sizeof(*m));
	if (bits & 1)
		cls_match_in_port(m, (uint16_t)(rng() % 4));
	if (bits & 2)
		cls_match_network(m, (uint16_t)(rng() % 2));
	if ((bits & 0x0c) == 0x0c) {
		struct rte_ether_addr mac = mac_of(0x020000000000 | (rng() % 4)), mask = mac_all;

		if (rng() % 3 == 0)
			mask.addr_bytes[5] = 0xfe;
		cls_match_eth_dst(m, &mac, &mask);
	}
	if ((bits & 0x30) == 0x30)
		cls_match_eth_src(m,
				  &(struct rte_ether_addr){{2, 0, 0, 0, 0, (uint8_t)(rng() % 4)}},
				  &mac_all);
	if ((bits & 0xc0) == 0xc0) {
		if (rng() % 3 == 0)
			cls_match_untagged(m);
		else
			cls_match_vlan(m, (uint16_t)(10 * (1 + rng() % 2)));
	}
	if (bits & 0x100)
		cls_match_ethertype(m, rng() % 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_ARP);
	if (bits & 0x200)
		cls_match_ip_src(m, ip4(10, 0, rng() % 4, rng() % 4), lens[rng() % 5]);
	if (bits & 0x400)
		cls_match_ip_dst(m, ip4(10, (unsigned int)(rng() % 2), rng() % 4, rng() % 4),
				 lens[rng() % 5]);
	if ((bits & 0x1800) == 0x1800)
		cls_match_ip_proto(m, rng() % 2 ? IPPROTO_TCP : IPPROTO_UDP);
	if ((bits & 0x6000) == 0x6000)
		cls_match_l4_src(m, (uint16_t)(1000 + rng() % 3));
	if (bits & 0x8000 && bits & 0x10000)
		cls_match_l4_dst(m, rng() % 2 ? 80 : 443);
	if ((bits & 0x60000) == 0x60000)
		cls_match_vni(m, rng() % 2 ? 5001 : 0);
	if ((bits & 0x180000) == 0x180000)
		cls_match_tun_remote(m, rng() % 2 ? ip4(192, 0, 2, 2) : 0);
}

static void random_key(struct cls_key *k)
{
	memset(k, 0, sizeof(*k));
	k->in_port = (uint16_t)(rng() % 4);
	k->network = (uint16_t)(rng() % 2);
	k->eth_dst = mac_of(0x020000000000 | (rng() % 4));
	k->eth_src = mac_of(0x020000000000 | (rng() % 4));
	k->vlan = rng() % 3 ? (uint16_t)(CLS_VLAN_PRESENT | (10 * (1 + rng() % 2))) : 0;
	k->ethertype = rng() % 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_ARP;
	k->ip_src = ip4(10, 0, rng() % 4, rng() % 4);
	k->ip_dst = ip4(10, (unsigned int)(rng() % 2), rng() % 4, rng() % 4);
	k->ip_proto = rng() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
	k->l4_src = (uint16_t)(1000 + rng() % 3);
	k->l4_dst = rng() % 2 ? 80 : 443;
	k->vni = rng() % 2 ? 5001 : 0;
	k->tun_remote = k->vni ? ip4(192, 0, 2, 2) : 0;
}

static const struct oracle_rule *oracle_lookup(const struct oracle_rule *rules, unsigned int n,
					       unsigned int table, const struct cls_key *k)
{
	const struct oracle_rule *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct oracle_rule *r = &rules[i];

		if (!r->live || r->table != table || !cls_match_covers(&r->m, k))
			continue;
		if (best == NULL || r->prio > best->prio ||
		    (r->prio == best->prio && r->id < best->id))
			best = r;
	}
	return best;
}

static bool same_identity(const struct oracle_rule *r, unsigned int table, uint32_t prio,
			  const struct cls_match *m)
{
	struct cls_match a = r->m, b = *m;
	int i;

	for (i = 0; i < CLS_KEY_WORDS; i++) {
		a.key.w[i] &= a.mask.w[i];
		b.key.w[i] &= b.mask.w[i];
	}
	return r->live && r->table == table && r->prio == prio && memcmp(&a, &b, sizeof(a)) == 0;
}

static struct oracle_rule *oracle_find(struct oracle *o, unsigned int table, uint32_t prio,
				       const struct cls_match *m)
{
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (same_identity(&o->staged[i], table, prio, m))
			return &o->staged[i];
	return NULL;
}

/* Compare the classifier at the current version with the committed rules. */
static unsigned int oracle_check(struct classifier *c, struct cls_emc *emc, const struct oracle *o,
				 unsigned int npackets)
{
	struct cls_key keys[32];
	const struct cls_key *kp[32];
	const struct cls_rule *burst[32], *cached[32], *again[32];
	uint64_t v = cls_version(c);
	unsigned int t, i, j, nerr = 0;

	for (i = 0; i < 32; i++)
		kp[i] = &keys[i];
	for (j = 0; j < npackets; j += 32) {
		for (t = 0; t < OR_TABLES + 1; t++) {
			for (i = 0; i < 32; i++)
				random_key(&keys[i]);
			keys[31] = keys[0]; /* the same flow twice in a burst */
			cls_lookup_burst(c, v, t, kp, 32, burst);
			cls_emc_lookup_burst(emc, v, t, kp, NULL, 32, cached, NULL);
			cls_emc_lookup_burst(emc, v, t, kp, NULL, 32, again,
					     NULL); /* hits, mostly */
			for (i = 0; i < 32; i++) {
				const struct oracle_rule *want =
					oracle_lookup(o->committed, o->ncommitted, t, &keys[i]);
				const struct cls_rule *got = cls_lookup(c, v, t, &keys[i]);

				nerr += got != burst[i] || got != cached[i] || got != again[i];
				if (want == NULL) {
					nerr += got != NULL;
				} else if (got == NULL || cls_rule_id(got) != want->id ||
					   tag_of(got) != want->tag ||
					   cls_rule_priority(got) != want->prio) {
					nerr++;
				}
			}
		}
	}
	return nerr;
}

static void test_random_operations_agree_with_linear_scan(void)
{
	enum { OPS = 30000 };
	static struct oracle o;
	struct classifier *c = new_cls();
	struct cls_emc *emc = cls_emc_create(c, 0);
	unsigned int op, i, nerr = 0, commits = 0, checked = 0;
	unsigned int counted[7] = {0};
	uint32_t next_tag = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	memset(&o, 0, sizeof(o));
	rng_seed(2024);
	for (op = 0; op < OPS && nerr == 0; op++) {
		unsigned int r = (unsigned int)(rng() % 100);
		struct oracle_rule *e = o.n ? &o.staged[rng() % o.n] : NULL;

		if (r < 40 || e == NULL) { /* add: a new rule, or one with a live identity */
			struct cls_rule_spec spec;
			struct oracle_rule *old;
			uint32_t tag = next_tag++;
			int ret, want;

			memset(&spec, 0, sizeof(spec));
			if (e != NULL && e->live && rng() % 4 == 0) {
				spec.match = e->m;
				spec.table = e->table;
				spec.priority = e->prio;
			} else {
				random_match(&spec.match);
				spec.table = (uint8_t)(rng() % OR_TABLES);
				spec.priority = (uint32_t)(rng() % 8);
			}
			spec.actions = &tag;
			spec.actions_len = sizeof(tag);
			old = oracle_find(&o, spec.table, spec.priority, &spec.match);
			if (old == NULL && o.n == OR_MAX)
				continue;
			want = old ? 1 : 0;
			const struct cls_rule *h;
			ret = cls_rule_add(c, &spec, &h);
			nerr += ret != want;
			if (old == NULL) {
				old = &o.staged[o.n++];
				old->id = cls_rule_id(h);
			}
			nerr += cls_rule_id(h) != old->id;
			old->live = true;
			old->table = spec.table;
			old->prio = spec.priority;
			old->m = spec.match;
			old->tag = tag;
			old->handle = h;
			counted[0]++;
		} else if (r < 55) { /* modify */
			struct cls_rule_spec spec;
			struct oracle_rule *clash;
			uint32_t tag = next_tag++;
			const struct cls_rule *h;
			int ret;

			if (!e->live)
				continue;
			memset(&spec, 0, sizeof(spec));
			spec.priority = rng() % 2 ? e->prio : (uint32_t)(rng() % 8);
			spec.actions = &tag;
			spec.actions_len = sizeof(tag);
			clash = spec.priority == e->prio
					? NULL
					: oracle_find(&o, e->table, spec.priority, &e->m);
			ret = cls_rule_modify(c, e->handle, &spec, &h);
			nerr += ret != (clash ? -EEXIST : 0);
			if (ret == 0) {
				e->prio = spec.priority;
				e->tag = tag;
				e->handle = h;
			}
			counted[1]++;
		} else if (r < 75) { /* delete */
			if (!e->live)
				continue;
			nerr += cls_rule_delete(c, e->handle) != 0;
			e->live = false;
			counted[2]++;
		} else if (r < 80) { /* staged changes do not show */
			nerr += oracle_check(c, emc, &o, 32);
			counted[3]++;
		} else if (r < 90) { /* commit and compare */
			nerr += cls_commit(c) != 0;
			memcpy(o.committed, o.staged, sizeof(o.staged[0]) * o.n);
			o.ncommitted = o.n;
			nerr += oracle_check(c, emc, &o, 64);
			commits++;
			checked += 64 * (OR_TABLES + 1);
			counted[4]++;
		} else if (r < 91) { /* reclaim: the cache must not use freed rules */
			cls_reclaim(c);
			counted[5]++;
		} else if (r < 93) { /* abort: back to the committed rules and handles */
			cls_abort(c);
			memcpy(o.staged, o.committed, sizeof(o.staged[0]) * o.ncommitted);
			o.n = o.ncommitted;
			nerr += oracle_check(c, emc, &o, 32);
			for (i = 0; i < o.n; i++)
				nerr += o.staged[i].live &&
					cls_rule_find(c, o.staged[i].table, o.staged[i].prio,
						      &o.staged[i].m) != o.staged[i].handle;
			counted[6]++;
		}
		/* The staged count. */
		for (i = 0, r = 0; i < o.n; i++)
			r += o.staged[i].live;
		nerr += cls_count(c) != r;
		if (nerr) {
			CU_FAIL("classifier and linear scan disagree");
			fprintf(stderr, "\n  op %u: %u disagreements\n", op, nerr);
		}
	}
	for (i = 0; i < RTE_DIM(counted); i++)
		CU_ASSERT_TRUE(counted[i] > 0);
	CU_ASSERT_TRUE(checked > 100000);
	CU_ASSERT_TRUE(emc->hits > 0);
	fprintf(stderr, "(%u commits, %u packets checked, cache %llu hits %llu misses) ", commits,
		checked, (unsigned long long)emc->hits, (unsigned long long)emc->misses);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

/*
 * Readers racing a writer.  Each generation g is one commit that replaces, for each of
 * CC_KEYS flows, a pair of rules (one in table 0, one in table 1, with masks and
 * priorities that change with g so that they move between subtables), modifies a
 * long-lived rule of table 2 to carry g, and replaces a few hundred filler rules of
 * lower priority with random masks (subtables come and go, hash tables grow).  Every
 * rule's actions carry its generation and a checksum of its own match and priority.
 *
 * Readers look each flow up in the three tables at one version, by single, burst and
 * cached lookups, and count what must never happen: a missing rule, two tables at
 * different generations, a checksum that does not fit the rule, a rule that does not
 * cover the key.  They count hits both directly and through the cache, which they flush
 * whenever the version moved, as workers do: every hit of table 2's rule must reach its
 * counters.  Freed memory would be ASan's to report.
 */
#define CC_READERS 2
#define CC_KEYS	   16
#define CC_FILLERS 300
#define CC_RUN_NS  1000000000ll

struct cc_actions {
	uint64_t gen;
	uint64_t sum;
};

struct cc_reader {
	pthread_t thread;
	unsigned int id;
	uint64_t quiescent;   /* the last token seen */
	uint64_t stable_hits; /* counted against table 2's rule */
	uint64_t missing, torn, bad_sum, not_covering, disagree, lookups;
};

static struct {
	struct classifier *c;
	int stop;
	int started;	/* readers running: a grace period waits for these */
	uint64_t token; /* grace periods started, as rte_rcu_qsbr's */
	struct cc_reader r[CC_READERS];
} cc;

static uint64_t cc_sum(const struct cls_match *m, uint32_t prio, uint64_t gen)
{
	uint64_t h = 0xcbf29ce484222325ull ^ prio ^ (gen << 32);
	int i;

	for (i = 0; i < CLS_KEY_WORDS; i++) {
		h = (h ^ (m->key.w[i] & m->mask.w[i])) * 0x100000001b3ull;
		h = (h ^ m->mask.w[i]) * 0x100000001b3ull;
	}
	return h;
}

static struct cls_key cc_key(unsigned int j)
{
	struct cls_key k = base_key();

	k.in_port = (uint16_t)j;
	k.ip_dst = ip4(10, 9, 0, j);
	k.l4_dst = (uint16_t)(1000 + j);
	return k;
}

/* The pair rule of flow j in generation g: its mask depends on g. */
static void cc_pair_match(unsigned int j, uint64_t g, unsigned int table, struct cls_match *m)
{
	struct cls_key k = cc_key(j);

	memset(m, 0, sizeof(*m));
	cls_match_in_port(m, k.in_port);
	switch ((g + table) % 4) {
	case 0:
		break;
	case 1:
		cls_match_ip_dst(m, k.ip_dst, 24 + (unsigned int)(g % 9));
		break;
	case 2:
		cls_match_l4_dst(m, k.l4_dst);
		break;
	case 3:
		cls_match_eth_dst(m, &k.eth_dst, &mac_all);
		break;
	}
}

static unsigned int cc_check(const struct classifier *c, const struct cls_rule *r,
			     const struct cls_key *k, uint64_t *gen)
{
	struct cc_actions a;
	struct cls_match m;

	if (r == NULL)
		return 1;
	memcpy(&a, cls_rule_actions(r), sizeof(a));
	cls_rule_match(r, &m);
	*gen = a.gen;
	(void)c;
	return (a.sum != cc_sum(&m, cls_rule_priority(r), a.gen)) << 1 | (!cls_match_covers(&m, k))
										 << 2;
}

static void *cc_read(void *arg)
{
	struct cc_reader *me = arg;
	struct cls_emc *emc = cls_emc_create(cc.c, me->id);
	uint32_t bytes[CC_KEYS];
	uint64_t counted_v = 0;
	struct cls_key keys[CC_KEYS];
	const struct cls_key *kp[CC_KEYS];
	const struct cls_rule *single[3][CC_KEYS], *burst[3][CC_KEYS], *cached[3][CC_KEYS];
	unsigned int j, t;

	for (j = 0; j < CC_KEYS; j++) {
		keys[j] = cc_key(j);
		kp[j] = &keys[j];
		bytes[j] = 64;
	}
	while (!__atomic_load_n(&cc.stop, __ATOMIC_ACQUIRE)) {
		uint64_t v = cls_version(cc.c);

		if (v != counted_v) { /* the rules counted may go at the next grace period */
			cls_emc_flush(emc);
			counted_v = v;
		}
		for (t = 0; t < 3; t++) {
			for (j = 0; j < CC_KEYS; j++)
				single[t][j] = cls_lookup(cc.c, v, t, &keys[j]);
			cls_lookup_burst(cc.c, v, t, kp, CC_KEYS, burst[t]);
			cls_emc_lookup_burst(emc, v, t, kp, bytes, CC_KEYS, cached[t], NULL);
		}
		for (j = 0; j < CC_KEYS; j++) {
			uint64_t gen[3] = {0, 0, 0};

			for (t = 0; t < 3; t++) {
				unsigned int bad = cc_check(cc.c, single[t][j], &keys[j], &gen[t]);

				me->missing += bad & 1;
				me->bad_sum += (bad >> 1) & 1;
				me->not_covering += (bad >> 2) & 1;
				me->disagree +=
					single[t][j] != burst[t][j] || single[t][j] != cached[t][j];
				if (single[t][j] != NULL)
					cls_rule_hit(cc.c, me->id, single[t][j], 1, 64);
			}
			me->stable_hits += (single[2][j] != NULL) + (cached[2][j] != NULL);
			me->torn += gen[0] != gen[1] || gen[1] != gen[2];
			me->lookups += 3;
		}
		/* The token read first: a reader that reports a grace period's sees the
		 * version published before it began. */
		__atomic_store_n(&me->quiescent, __atomic_load_n(&cc.token, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
	}
	cls_emc_flush(emc); /* the writer is done: nothing is freed any more */
	cls_emc_destroy(emc);
	return NULL;
}

static void cc_synchronize(void *arg)
{
	uint64_t t = __atomic_add_fetch(&cc.token, 1, __ATOMIC_RELEASE);
	int i, n = __atomic_load_n(&cc.started, __ATOMIC_ACQUIRE);

	(void)arg;
	for (i = 0; i < n; i++)
		while (__atomic_load_n(&cc.r[i].quiescent, __ATOMIC_ACQUIRE) < t &&
		       !__atomic_load_n(&cc.stop, __ATOMIC_ACQUIRE))
			sched_yield();
}

static int64_t elapsed_ns(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000000ll + (t1.tv_nsec - t0->tv_nsec);
}

static const struct cls_rule *cc_add(unsigned int table, uint32_t prio, const struct cls_match *m,
				     uint64_t gen)
{
	struct cc_actions a = {gen, cc_sum(m, prio, gen)};
	struct cls_rule_spec spec = {.match = *m,
				     .priority = prio,
				     .table = (uint8_t)table,
				     .actions = &a,
				     .actions_len = sizeof(a)};
	const struct cls_rule *r = NULL;

	if (cls_rule_add(cc.c, &spec, &r) < 0)
		return NULL;
	return r;
}

/* Filler j: a random mask and priority below the pairs', never matching a flow (its l4
 * source port is its own), never the identity of another filler. */
static const struct cls_rule *cc_filler(unsigned int j)
{
	struct cls_match m;

	random_match(&m);
	cls_match_l4_src(&m, (uint16_t)(2000 + j));
	return cc_add(j % 2, (uint32_t)(rng() % 100), &m, 0);
}

static void test_readers_see_only_complete_rule_sets(void)
{
	struct cls_params p = {.workers = CC_READERS, .synchronize = cc_synchronize};
	const struct cls_rule *pair[2][CC_KEYS], *filler[CC_FILLERS], *stable;
	struct cls_match m;
	struct timespec t0;
	uint64_t g = 1, lookups = 0, stable_hits = 0;
	unsigned int j, t, nerr = 0;
	int i;

	memset(&cc, 0, sizeof(cc));
	cc.c = cls_create(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cc.c);
	rng_seed(99);
	for (t = 0; t < 2; t++)
		for (j = 0; j < CC_KEYS; j++) {
			cc_pair_match(j, g, t, &m);
			pair[t][j] = cc_add(t, 100, &m, g);
		}
	memset(&m, 0, sizeof(m));
	cls_match_ethertype(&m, RTE_ETHER_TYPE_IPV4);
	stable = cc_add(2, 1, &m, g);
	for (j = 0; j < CC_FILLERS; j++)
		filler[j] = cc_filler(j);
	nerr += cls_commit(cc.c) != 0;
	for (i = 0; i < CC_READERS; i++) {
		cc.r[i].id = (unsigned int)i;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&cc.r[i].thread, NULL, cc_read, &cc.r[i]), 0);
		__atomic_store_n(&cc.started, i + 1, __ATOMIC_RELEASE);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ns(&t0) < CC_RUN_NS) {
		struct cc_actions a;
		struct cls_rule_spec spec;
		struct cls_match sm;

		g++;
		for (t = 0; t < 2; t++) {
			for (j = 0; j < CC_KEYS; j++) {
				nerr += pair[t][j] == NULL ||
					cls_rule_delete(cc.c, pair[t][j]) != 0;
				cc_pair_match(j, g, t, &m);
				pair[t][j] = cc_add(t, 100 + (uint32_t)(g % 7), &m, g);
			}
		}
		cls_rule_match(stable, &sm);
		a.gen = g;
		a.sum = cc_sum(&sm, 1, g);
		memset(&spec, 0, sizeof(spec));
		spec.priority = 1;
		spec.actions = &a;
		spec.actions_len = sizeof(a);
		nerr += cls_rule_modify(cc.c, stable, &spec, &stable) != 0;
		for (j = 0; j < CC_FILLERS; j++) {
			nerr += filler[j] == NULL || cls_rule_delete(cc.c, filler[j]) != 0;
			filler[j] = cc_filler(j);
		}
		nerr += cls_commit(cc.c) != 0;
		nerr += cls_count(cc.c) != 2 * CC_KEYS + 1 + CC_FILLERS;
	}
	__atomic_store_n(&cc.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < CC_READERS; i++) {
		struct cc_reader *rd = &cc.r[i];

		pthread_join(rd->thread, NULL);
		CU_ASSERT_TRUE(rd->quiescent > 0);
		stable_hits += rd->stable_hits;
		CU_ASSERT_EQUAL(rd->missing, 0);
		CU_ASSERT_EQUAL(rd->torn, 0);
		CU_ASSERT_EQUAL(rd->bad_sum, 0);
		CU_ASSERT_EQUAL(rd->not_covering, 0);
		CU_ASSERT_EQUAL(rd->disagree, 0);
		lookups += rd->lookups;
	}
	{
		struct cls_rule_stats st;

		cls_rule_stats(cc.c, stable, &st);
		CU_ASSERT_EQUAL(st.packets, stable_hits);
	}
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT_TRUE(g > 10);
	fprintf(stderr, "(%llu generations, %llu lookups) ", (unsigned long long)g,
		(unsigned long long)lookups);
	cls_destroy(cc.c);
}

/* A million rules */

static void test_million_rules_add_and_delete(void)
{
	enum { N = 1000000, BATCH = 1000 };
	struct classifier *c = new_cls();
	static const struct cls_rule *h[N];
	size_t mem0 = cls_memory(c), mem_full, mem_empty;
	unsigned int i, nerr = 0;
	uint32_t tag;

	for (i = 0; i < N; i++) {
		struct cls_rule_spec spec;

		memset(&spec, 0, sizeof(spec));
		cls_match_in_port(&spec.match, (uint16_t)(i % 8));
		cls_match_ip_dst(&spec.match, htonl(0x0a000000 | i), 32);
		if (i % 4 == 0)
			cls_match_l4_dst(&spec.match, 80);
		spec.priority = i % 4 == 0 ? 200 : 100;
		spec.table = (uint8_t)(i % 2);
		tag = i;
		spec.actions = &tag;
		spec.actions_len = sizeof(tag);
		nerr += cls_rule_add(c, &spec, &h[i]) != 0;
		if (i % BATCH == BATCH - 1)
			nerr += cls_commit(c) != 0;
	}
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT_EQUAL(cls_count(c), N);
	mem_full = cls_memory(c);
	fprintf(stderr, "(%zu bytes per rule) ", (mem_full - mem0) / N);
	rng_seed(5);
	for (i = 0; i < 10000; i++) {
		unsigned int n = (unsigned int)(rng() % N);
		struct cls_key k = base_key();
		const struct cls_rule *r;

		k.in_port = (uint16_t)(n % 8);
		k.ip_dst = htonl(0x0a000000 | n);
		k.l4_dst = 80;
		r = cls_lookup(c, cls_version(c), n % 2, &k);
		nerr += r != h[n];
		k.in_port++;
		nerr += cls_lookup(c, cls_version(c), n % 2, &k) != NULL;
	}
	CU_ASSERT_EQUAL(nerr, 0);
	for (i = 0; i < N; i++) {
		nerr += cls_rule_delete(c, h[i]) != 0;
		if (i % BATCH == BATCH - 1)
			nerr += cls_commit(c) != 0;
	}
	cls_reclaim(c);
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT_EQUAL(cls_count(c), 0);
	mem_empty = cls_memory(c);
	/* Hash tables and subtables went; the rules' slabs, the counters and the bookkeeping
	 * arrays stay, at their high-water mark. */
	CU_ASSERT_TRUE(mem_empty < mem_full);
	fprintf(stderr, "(%zu bytes per rule kept when empty) ", (mem_empty - mem0) / N);
	/* A second million takes no more than the first did: nothing leaked in the slabs. */
	for (i = 0; i < N; i++) {
		struct cls_rule_spec spec;

		memset(&spec, 0, sizeof(spec));
		cls_match_ip_src(&spec.match, htonl(0x0b000000 | i), 32);
		spec.priority = 1;
		nerr += cls_rule_add(c, &spec, &h[i]) != 0;
		if (i % BATCH == BATCH - 1)
			nerr += cls_commit(c) != 0;
	}
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT_EQUAL(cls_count(c), N);
	CU_ASSERT_TRUE(cls_memory(c) <= mem_full + mem_full / 100);
	cls_destroy(c); /* ASan reports anything not freed */
}

static void test_destroy_null_is_ignored(void)
{
	cls_destroy(NULL);
	CU_ASSERT_PTR_NULL(cls_create(&(struct cls_params){.workers = 0}));
	CU_ASSERT_PTR_NULL(cls_create(&(struct cls_params){.workers = CLS_MAX_WORKERS + 1}));
}

int main(void)
{
	static const struct unit_test tests[] = {
#define T(fn) {#fn, fn}
		T(test_key_from_parsed_frame),
		T(test_each_field_matches_exactly),
		T(test_empty_match_matches_everything),
		T(test_mac_masks),
		T(test_ip_prefixes),
		T(test_vlan_untagged_and_id),
		T(test_higher_priority_wins_across_subtables),
		T(test_equal_priority_first_added_wins),
		T(test_table_miss_and_multiple_tables),
		T(test_changes_invisible_until_commit),
		T(test_add_same_identity_replaces),
		T(test_modify_actions_and_priority),
		T(test_match_round_trip),
		T(test_walk_and_delete_while_walking),
		T(test_abort_restores_the_published_rules),
		T(test_removed_rule_memory_waits_for_two_grace_periods),
		T(test_counters_sum_workers_and_restart_for_new_rule),
		T(test_sweep_expires_idle_rules),
		T(test_emc_hits_and_is_invalidated_by_every_change),
		T(test_emc_counts_hits_until_flushed),
		T(test_emc_hands_out_hints),
		T(test_emc_fills_less_while_thrashing),
		T(test_emc_spreads_sequential_keys),
		T(test_random_operations_agree_with_linear_scan),
		T(test_readers_see_only_complete_rule_sets),
		T(test_million_rules_add_and_delete),
		T(test_destroy_null_is_ignored),
#undef T
	};
	return run_suite("classifier", tests, RTE_DIM(tests));
}

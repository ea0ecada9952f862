/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow classifier: the key of a parsed packet, match semantics field by field,
 * priorities across subtables, the tie rule, tables, add/replace/modify/delete and the
 * staged version, counters and idle timeouts, and a million rules added and deleted.
 * The exact-match cache is test_classifier_emc.c's; the classifier against a linear scan
 * and readers racing a writer, test_classifier_race.c's.
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
#include "classifier_fixtures.h"
#include "suite.h"

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
		T(test_million_rules_add_and_delete),
		T(test_destroy_null_is_ignored),
#undef T
	};
	return run_suite("classifier", tests, RTE_DIM(tests));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the classifier's unit suites share: deterministic random numbers, MACs and
 * addresses, a classifier of two workers, rules whose actions are a tag, and a key with
 * every field set, a synchronize hook that counts grace periods.  Header-only (static
 * inline), each suite its own copy.
 */
#ifndef SYD_TEST_CLASSIFIER_FIXTURES_H
#define SYD_TEST_CLASSIFIER_FIXTURES_H

#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <CUnit/Basic.h>

#include "classifier.h"
#include "fixtures.h"

static const struct rte_ether_addr mac_all
	__attribute__((unused)) = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

static inline uint32_t ip4(unsigned int a, unsigned int b, unsigned int c, unsigned int d)
{
	return htonl(a << 24 | b << 16 | c << 8 | d);
}

static inline struct classifier *new_cls(void)
{
	struct cls_params p = {.workers = 2};
	struct classifier *c = cls_create(&p);

	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

/* Rules in these tests carry one uint32_t of actions: a tag saying which rule it is. */
static inline const struct cls_rule *add(struct classifier *c, unsigned int table, uint32_t prio,
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

static inline uint32_t tag_of(const struct cls_rule *r)
{
	uint32_t tag;

	memcpy(&tag, cls_rule_actions(r), sizeof(tag));
	return tag;
}

/* A key with every field set to something. */
static inline struct cls_key base_key(void)
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

/* A synchronize hook that counts the grace periods the classifier waits for. */
static unsigned int grace_periods;

static inline void count_grace_period(void *arg)
{
	(void)arg;
	grace_periods++;
}

#endif /* SYD_TEST_CLASSIFIER_FIXTURES_H */

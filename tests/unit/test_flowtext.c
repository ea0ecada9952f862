/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow rules as text (control/flowtext.h): every field and action parses to what it says
 * and formats back to text that parses to the same rule; random rules round-trip through
 * format and parse; every mistake gets its exact sentence; what the parser takes, the
 * switch's own check (proto_flow_check) takes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "flowtext.h"
#include "proto_flow.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static char err[SYD_PROTO_TEXT_MAX];

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

/* text parses; its format parses to the same rule, and formats the same again. */
static void round_trip(const char *text, const char *canonical)
{
	struct syd_flow f, g;
	char out[FLOWTEXT_MAX], again[FLOWTEXT_MAX];

	if (flowtext_parse(text, &f, err, sizeof(err)) != 0) {
		fprintf(stderr, "\n  %s\n  refused: %s\n", text, err);
		CU_FAIL("a good rule is refused");
		return;
	}
	CU_ASSERT_EQUAL(proto_flow_check(&f, SYD_FC_ADD, err, sizeof(err)), 0);
	CU_ASSERT_TRUE(flowtext_format(&f, out, sizeof(out)) > 0);
	if (canonical && strcmp(out, canonical) != 0) {
		fprintf(stderr, "\n  %s\n  want: %s\n  got:  %s\n", text, canonical, out);
		CU_FAIL("not the canonical text");
	}
	CU_ASSERT_EQUAL_FATAL(flowtext_parse(out, &g, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(memcmp(&f, &g, sizeof(f)), 0);
	flowtext_format(&g, again, sizeof(again));
	CU_ASSERT_STRING_EQUAL(again, out);
}

/* text is refused with exactly want. */
static void refused(const char *text, const char *want)
{
	struct syd_flow f;

	err[0] = '\0';
	CU_ASSERT_EQUAL(flowtext_parse(text, &f, err, sizeof(err)), -EINVAL);
	if (strcmp(err, want) != 0) {
		fprintf(stderr, "\n  %s\n  want: %s\n  got:  %s\n", text, want, err);
		CU_FAIL("not the error expected");
	}
}

static void test_the_example_rule_reads_as_written(void)
{
	static const char *const text =
		"table=0,priority=200,in_port=vm1,dl_src=02:00:00:00:00:01/ff:ff:ff:00:00:00,"
		"dl_vlan=10,ip,nw_src=10.1.0.0/16,nw_dst=10.1.0.9,tcp,tp_dst=22,vni=5001,"
		"tun_src=198.18.0.2,network=blue,idle_timeout=30,cookie=0x5 "
		"actions=push_vlan:10,set_field:02:00:00:00:00:09->eth_dst,output:vm2";
	static const uint8_t src[6] = {2, 0, 0, 0, 0, 0}, mask[6] = {0xff, 0xff, 0xff, 0, 0, 0};
	struct syd_flow f;
	const struct syd_flow_match *m = &f.match;

	CU_ASSERT_EQUAL_FATAL(flowtext_parse(text, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f.table, 0);
	CU_ASSERT_EQUAL(f.priority, 200);
	CU_ASSERT_EQUAL(f.cookie, 5);
	CU_ASSERT_EQUAL(f.idle_timeout, 30);
	CU_ASSERT_EQUAL(m->fields, SYD_FM_IN_PORT | SYD_FM_NETWORK | SYD_FM_ETH_SRC | SYD_FM_VLAN |
					   SYD_FM_ETHERTYPE | SYD_FM_IP_SRC | SYD_FM_IP_DST |
					   SYD_FM_IP_PROTO | SYD_FM_L4_DST | SYD_FM_VNI |
					   SYD_FM_TUN_REMOTE);
	CU_ASSERT_STRING_EQUAL(m->in_port, "vm1");
	CU_ASSERT_STRING_EQUAL(m->network, "blue");
	CU_ASSERT_EQUAL(memcmp(m->eth_src, src, 6), 0); /* masked, as ovs-ofctl does */
	CU_ASSERT_EQUAL(memcmp(m->eth_src_mask, mask, 6), 0);
	CU_ASSERT_EQUAL(m->vlan, 10);
	CU_ASSERT_EQUAL(m->ethertype, 0x0800);
	CU_ASSERT_EQUAL(m->ip_src, ip("10.1.0.0"));
	CU_ASSERT_EQUAL(m->ip_src_len, 16);
	CU_ASSERT_EQUAL(m->ip_dst, ip("10.1.0.9"));
	CU_ASSERT_EQUAL(m->ip_dst_len, 32);
	CU_ASSERT_EQUAL(m->ip_proto, 6);
	CU_ASSERT_EQUAL(m->l4_dst, 22);
	CU_ASSERT_EQUAL(m->vni, 5001);
	CU_ASSERT_EQUAL(m->tun_remote, ip("198.18.0.2"));
	CU_ASSERT_EQUAL_FATAL(f.nactions, 3);
	CU_ASSERT_EQUAL(f.action[0].type, SYD_FA_PUSH_VLAN);
	CU_ASSERT_EQUAL(f.action[0].vlan, 10);
	CU_ASSERT_EQUAL(f.action[1].type, SYD_FA_SET_ETH_DST);
	CU_ASSERT_EQUAL(f.action[1].mac[5], 9);
	CU_ASSERT_EQUAL(f.action[2].type, SYD_FA_OUTPUT);
	CU_ASSERT_STRING_EQUAL(f.action[2].port, "vm2");
	round_trip(text, "table=0,priority=200,cookie=0x5,idle_timeout=30,in_port=vm1,network=blue,"
			 "vni=5001,tun_src=198.18.0.2,dl_src=02:00:00:00:00:00/ff:ff:ff:00:00:00,"
			 "dl_vlan=10,tcp,nw_src=10.1.0.0/16,nw_dst=10.1.0.9,tp_dst=22 "
			 "actions=push_vlan:10,mod_dl_dst:02:00:00:00:00:09,output:vm2");
}

static void test_every_field_round_trips(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"actions=drop", "table=0,priority=32768 actions=drop"},
		{"table=15,priority=0 actions=drop", "table=15,priority=0 actions=drop"},
		{"priority=65535,cookie=18446744073709551615 actions=drop",
		 "table=0,priority=65535,cookie=0xffffffffffffffff actions=drop"},
		{"idle_timeout=65535 actions=drop",
		 "table=0,priority=32768,idle_timeout=65535 actions=drop"},
		{"in_port=a-b_C9 actions=drop",
		 "table=0,priority=32768,in_port=a-b_C9 actions=drop"},
		{"network=blue actions=drop", "table=0,priority=32768,network=blue actions=drop"},
		{"dl_src=02:AA:bb:00:00:01 actions=drop",
		 "table=0,priority=32768,dl_src=02:aa:bb:00:00:01 actions=drop"},
		{"eth_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=drop",
		 "table=0,priority=32768,dl_dst=01:00:00:00:00:00/01:00:00:00:00:00 actions=drop"},
		{"dl_vlan=0 actions=drop", "table=0,priority=32768,dl_vlan=0 actions=drop"},
		{"vlan_vid=4095 actions=drop", "table=0,priority=32768,dl_vlan=4095 actions=drop"},
		{"dl_vlan=0xffff actions=drop",
		 "table=0,priority=32768,dl_vlan=0xffff actions=drop"},
		{"dl_type=0x88cc actions=drop",
		 "table=0,priority=32768,dl_type=0x88cc actions=drop"},
		{"eth_type=2048 actions=drop", "table=0,priority=32768,ip actions=drop"},
		{"dl_type=0x0806 actions=drop", "table=0,priority=32768,arp actions=drop"},
		{"ip,nw_src=0.0.0.0/0 actions=drop",
		 "table=0,priority=32768,ip actions=drop"}, /* /0: any address, as ovs-ofctl */
		{"ip,ip_dst=10.1.0.0/255.255.0.0 actions=drop",
		 "table=0,priority=32768,ip,nw_dst=10.1.0.0/16 actions=drop"},
		{"ip,nw_dst=10.1.0.9/32 actions=drop",
		 "table=0,priority=32768,ip,nw_dst=10.1.0.9 actions=drop"},
		{"ip,nw_proto=47 actions=drop",
		 "table=0,priority=32768,ip,nw_proto=47 actions=drop"},
		{"ip,ip_proto=6 actions=drop", "table=0,priority=32768,tcp actions=drop"},
		{"icmp actions=drop", "table=0,priority=32768,icmp actions=drop"},
		{"udp,tp_src=0,tp_dst=65535 actions=drop",
		 "table=0,priority=32768,udp,tp_src=0,tp_dst=65535 actions=drop"},
		{"sctp_src=9 actions=drop", "table=0,priority=32768,sctp,tp_src=9 actions=drop"},
		{"udp_dst=4789 actions=drop",
		 "table=0,priority=32768,udp,tp_dst=4789 actions=drop"},
		{"tcp_src=1,tcp actions=drop", "table=0,priority=32768,tcp,tp_src=1 actions=drop"},
		{"vni=1 actions=drop", "table=0,priority=32768,vni=1 actions=drop"},
		{"tun_id=16777215 actions=drop",
		 "table=0,priority=32768,vni=16777215 actions=drop"},
		{"tun_remote=192.0.2.1 actions=drop",
		 "table=0,priority=32768,tun_src=192.0.2.1 actions=drop"},
		/* blanks separate too, fields come in any order, and a field may repeat its
		 * shorthand's value */
		{"  tp_dst=22 tcp \t priority=5  ip actions=drop",
		 "table=0,priority=5,tcp,tp_dst=22 actions=drop"},
	};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(cases); i++)
		round_trip(cases[i].in, cases[i].out);
}

static void test_every_action_round_trips(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"actions=DROP", "drop"},
		{"actions=output:vm2", "output:vm2"},
		{"actions=NORMAL", "normal"},
		{"actions=flood", "flood"},
		{"actions=encap:198.18.0.2:5001", "encap:198.18.0.2:5001"},
		{"actions=encap(vtep=198.18.0.2, vni=16777215)", "encap:198.18.0.2:16777215"},
		{"actions=encap(vni=7,vtep=10.0.0.1)", "encap:10.0.0.1:7"},
		{"actions=push_vlan:0", "push_vlan:0"},
		{"actions=pop_vlan", "pop_vlan"},
		{"actions=strip_vlan", "pop_vlan"},
		{"actions=set_vlan:4095", "set_vlan:4095"},
		{"actions=mod_vlan_vid:7", "set_vlan:7"},
		{"actions=set_field:8->vlan_vid", "set_vlan:8"},
		{"actions=mod_dl_src:02:00:00:00:00:01", "mod_dl_src:02:00:00:00:00:01"},
		{"actions=set_field:02:00:00:00:00:02->eth_src", "mod_dl_src:02:00:00:00:00:02"},
		{"actions=mod_dl_dst:ff:ff:ff:ff:ff:ff", "mod_dl_dst:ff:ff:ff:ff:ff:ff"},
		{"actions=set_field:02:00:00:00:00:03->dl_dst", "mod_dl_dst:02:00:00:00:00:03"},
		{"actions=goto_table:15", "goto_table:15"},
		{"actions=resubmit(,3)", "goto_table:3"},
		/* eight, in order, spaces after commas */
		{"actions=pop_vlan, push_vlan:5, set_vlan:6, mod_dl_src:02:00:00:00:00:01, "
		 "mod_dl_dst:02:00:00:00:00:02, output:a, encap:10.0.0.1:1, goto_table:1",
		 "pop_vlan,push_vlan:5,set_vlan:6,mod_dl_src:02:00:00:00:00:01,"
		 "mod_dl_dst:02:00:00:00:00:02,output:a,encap:10.0.0.1:1,goto_table:1"},
		{"actions=output:a,output:b,normal", "output:a,output:b,normal"},
	};
	char want[FLOWTEXT_MAX];
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		snprintf(want, sizeof(want), "table=0,priority=32768 actions=%s", cases[i].out);
		round_trip(cases[i].in, want);
	}
}

/* ---- random rules: format then parse gives the rule back ---- */

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	*seed = *seed * 1103515245u + 12345u;
	return (*seed >> 8) % n;
}

static void random_mac(unsigned int *seed, uint8_t *m)
{
	unsigned int k;

	for (k = 0; k < 6; k++)
		m[k] = (uint8_t)rnd(seed, 256);
}

static uint32_t random_unicast(unsigned int *seed)
{
	return htonl((1u + rnd(seed, 120)) << 24 | rnd(seed, 1u << 24));
}

static void random_match(struct syd_flow_match *m, unsigned int *seed)
{
	static const uint16_t types[] = {0x0800, 0x0800, 0x0806, 0x86dd, 0x88cc};
	static const uint8_t protos[] = {1, 6, 17, 132, 47, 0};
	unsigned int k;

	if (rnd(seed, 3) == 0) {
		m->fields |= SYD_FM_IN_PORT;
		snprintf(m->in_port, sizeof(m->in_port), "p%u", rnd(seed, 100));
	}
	if (rnd(seed, 3) == 0) {
		m->fields |= SYD_FM_NETWORK;
		snprintf(m->network, sizeof(m->network), "n%u", rnd(seed, 100));
	}
	if (rnd(seed, 3) == 0) {
		m->fields |= SYD_FM_ETH_SRC;
		random_mac(seed, m->eth_src);
		memset(m->eth_src_mask, 0xff, 6);
		if (rnd(seed, 2))
			random_mac(seed, m->eth_src_mask);
		m->eth_src_mask[0] |= 1; /* never all zero */
		for (k = 0; k < 6; k++)
			m->eth_src[k] &= m->eth_src_mask[k];
	}
	if (rnd(seed, 3) == 0) {
		m->fields |= SYD_FM_ETH_DST;
		random_mac(seed, m->eth_dst);
		memset(m->eth_dst_mask, 0xff, 6);
		if (rnd(seed, 2))
			memset(m->eth_dst_mask + 3, 0, 3);
		for (k = 0; k < 6; k++)
			m->eth_dst[k] &= m->eth_dst_mask[k];
	}
	if (rnd(seed, 3) == 0) {
		m->fields |= SYD_FM_VLAN;
		m->vlan = rnd(seed, 5) ? (uint16_t)rnd(seed, 4096) : 0xffff;
	}
	if (rnd(seed, 2)) {
		m->fields |= SYD_FM_ETHERTYPE;
		m->ethertype = types[rnd(seed, ARRAY_LEN(types))];
	}
	if (m->ethertype == 0x0800) {
		if (rnd(seed, 2)) {
			m->fields |= SYD_FM_IP_SRC;
			m->ip_src_len = (uint8_t)(1 + rnd(seed, 32));
			m->ip_src = random_unicast(seed) &
				    (m->ip_src_len ? htonl(~0u << (32 - m->ip_src_len)) : 0);
		}
		if (rnd(seed, 2)) {
			m->fields |= SYD_FM_IP_DST;
			m->ip_dst_len = (uint8_t)(1 + rnd(seed, 32));
			m->ip_dst = random_unicast(seed) &
				    (m->ip_dst_len ? htonl(~0u << (32 - m->ip_dst_len)) : 0);
		}
		if (rnd(seed, 2)) {
			m->fields |= SYD_FM_IP_PROTO;
			m->ip_proto = protos[rnd(seed, ARRAY_LEN(protos))];
		}
	}
	if (m->ip_proto == 6 || m->ip_proto == 17 || m->ip_proto == 132) {
		if (rnd(seed, 2)) {
			m->fields |= SYD_FM_L4_SRC;
			m->l4_src = (uint16_t)rnd(seed, 65536);
		}
		if (rnd(seed, 2)) {
			m->fields |= SYD_FM_L4_DST;
			m->l4_dst = (uint16_t)rnd(seed, 65536);
		}
	}
	if (rnd(seed, 4) == 0) {
		m->fields |= SYD_FM_VNI;
		m->vni = 1 + rnd(seed, SYD_VNI_MAX);
	}
	if (rnd(seed, 4) == 0) {
		m->fields |= SYD_FM_TUN_REMOTE;
		m->tun_remote = random_unicast(seed);
	}
}

/* A valid action list of 1-8 actions (drop alone; goto last; no normal with flood). */
static void random_actions(struct syd_flow *f, unsigned int *seed)
{
	unsigned int n = 1 + rnd(seed, SYD_FLOW_ACTIONS), k;
	bool l2 = false;

	if (rnd(seed, 10) == 0) {
		f->nactions = 1;
		f->action[0].type = SYD_FA_DROP;
		return;
	}
	for (k = 0; k < n; k++) {
		struct syd_flow_action *a = &f->action[f->nactions];
		unsigned int t = 1 + rnd(seed, SYD_FA_TYPE_MAX - 1);

		if (t == SYD_FA_DROP || ((t == SYD_FA_NORMAL || t == SYD_FA_FLOOD) && l2) ||
		    (t == SYD_FA_GOTO_TABLE && (k + 1 < n || f->table == SYD_FLOW_TABLES - 1)))
			t = SYD_FA_POP_VLAN;
		a->type = (uint16_t)t;
		switch (t) {
		case SYD_FA_OUTPUT:
			snprintf(a->port, sizeof(a->port), "o%u", k); /* each its own */
			break;
		case SYD_FA_NORMAL:
		case SYD_FA_FLOOD:
			l2 = true;
			break;
		case SYD_FA_ENCAP:
			a->addr = random_unicast(seed);
			a->vni = 1 + rnd(seed, SYD_VNI_MAX);
			break;
		case SYD_FA_PUSH_VLAN:
		case SYD_FA_SET_VLAN:
			a->vlan = (uint16_t)rnd(seed, 4096);
			break;
		case SYD_FA_SET_ETH_SRC:
		case SYD_FA_SET_ETH_DST:
			random_mac(seed, a->mac);
			a->mac[0] =
				t == SYD_FA_SET_ETH_SRC ? (a->mac[0] & 0xfe) | 2 : a->mac[0] | 2;
			break;
		case SYD_FA_GOTO_TABLE:
			a->table =
				(uint8_t)(f->table + 1 + rnd(seed, SYD_FLOW_TABLES - 1 - f->table));
			break;
		}
		f->nactions++;
	}
}

static void test_random_rules_round_trip(void)
{
	unsigned int seed = 1, i, bad = 0, fields = 0, actions = 0;

	for (i = 0; i < 20000; i++) {
		struct syd_flow f, g;
		char text[FLOWTEXT_MAX];
		int len;

		memset(&f, 0, sizeof(f));
		f.table = (uint8_t)rnd(&seed, SYD_FLOW_TABLES);
		f.priority = (uint16_t)rnd(&seed, 65536);
		f.cookie =
			rnd(&seed, 2) ? (uint64_t)rnd(&seed, 1u << 30) << 34 | rnd(&seed, 999) : 0;
		f.idle_timeout = rnd(&seed, 3) ? 0 : (uint16_t)rnd(&seed, 65536);
		random_match(&f.match, &seed);
		random_actions(&f, &seed);
		CU_ASSERT_EQUAL_FATAL(proto_flow_check(&f, SYD_FC_ADD, err, sizeof(err)), 0);
		fields |= f.match.fields;
		actions |= 1u << f.action[0].type;
		len = flowtext_format(&f, text, sizeof(text));
		CU_ASSERT_TRUE(len > 0 && len < FLOWTEXT_MAX);
		if (flowtext_parse(text, &g, err, sizeof(err)) != 0 ||
		    memcmp(&f, &g, sizeof(f)) != 0) {
			if (bad++ == 0)
				fprintf(stderr, "\n  %s: %s\n", text, err);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(fields, SYD_FM_ALL); /* every field and action was drawn */
	CU_ASSERT_EQUAL(actions, ((1u << SYD_FA_TYPE_MAX) - 1) & ~1u);
}

static void test_no_actions_print_as_drop(void)
{
	struct syd_flow f;
	char text[FLOWTEXT_MAX];

	memset(&f, 0, sizeof(f));
	f.priority = 7;
	CU_ASSERT_EQUAL(flowtext_format(&f, text, sizeof(text)), (int)strlen(text));
	CU_ASSERT_STRING_EQUAL(text, "table=0,priority=7 actions=drop");
	CU_ASSERT_EQUAL(flowtext_format_actions(&f, text, sizeof(text)), 4);
	CU_ASSERT_STRING_EQUAL(text, "drop");
	CU_ASSERT_EQUAL(flowtext_format_match(&f.match, text, sizeof(text)), 0);
	CU_ASSERT_STRING_EQUAL(text, "");
}

static void test_format_into_a_short_buffer_is_enospc_and_terminated(void)
{
	struct syd_flow f;
	char text[16];

	CU_ASSERT_EQUAL_FATAL(
		flowtext_parse("in_port=vm1 actions=output:vm2", &f, err, sizeof(err)), 0);
	memset(text, 'x', sizeof(text));
	CU_ASSERT_EQUAL(flowtext_format(&f, text, sizeof(text)), -ENOSPC);
	CU_ASSERT_EQUAL(strlen(text), sizeof(text) - 1);
	CU_ASSERT_STRING_EQUAL(text, "table=0,priorit");
	CU_ASSERT_EQUAL(flowtext_format(&f, NULL, 0), -ENOSPC);
}

static void test_errors_name_the_token_and_what_is_expected(void)
{
	static const struct {
		const char *in, *err;
	} cases[] = {
		/* fields */
		{"foo actions=drop", "unknown field 'foo'"},
		{"foo=1 actions=drop", "unknown field 'foo'"},
		{"in_port actions=drop", "in_port: expected in_port=VALUE"},
		{"tcp=5 actions=drop", "tcp=5: tcp takes no value"},
		{"table=16 actions=drop", "table=16: not a table (0-15)"},
		{"table=-1 actions=drop", "table=-1: not a table (0-15)"},
		{"table=1,table=2 actions=drop", "table=2: table is given twice"},
		{"priority=65536 actions=drop", "priority=65536: not a priority (0-65535)"},
		{"priority= actions=drop", "priority=: not a priority (0-65535)"},
		{"cookie=0x1ffffffffffffffff actions=drop",
		 "cookie=0x1ffffffffffffffff: not a cookie (a 64-bit number, decimal or 0x hex)"},
		{"idle_timeout=1s actions=drop",
		 "idle_timeout=1s: not an idle timeout (0-65535 seconds)"},
		{"in_port=bad.name actions=drop",
		 "in_port=bad.name: not a port name (1-24 letters, digits, '_' or '-')"},
		{"network=abcdefghijklmnopqrstuvwxy actions=drop",
		 "network=abcdefghijklmnopqrstuvwxy: not a network name (1-24 letters, digits, "
		 "'_' or '-')"},
		{"dl_src=02:00:00:00:00 actions=drop",
		 "dl_src=02:00:00:00:00: not a MAC address (xx:xx:xx:xx:xx:xx, or with /MASK)"},
		{"dl_dst=02:00:00:00:00:01/00:00:00:00:00:00 actions=drop",
		 "dl_dst=02:00:00:00:00:01/00:00:00:00:00:00: a zero mask matches any MAC: leave "
		 "the field out"},
		{"dl_vlan=4096 actions=drop",
		 "dl_vlan=4096: not a VLAN id (0-4095, or 0xffff: untagged)"},
		{"dl_type=0x05ff actions=drop", "dl_type=0x05ff: not an ethertype (0x0600-0xffff)"},
		{"ip,nw_dst=10.1.0.300 actions=drop",
		 "nw_dst=10.1.0.300: not an IPv4 address (A.B.C.D, or A.B.C.D/LEN)"},
		{"ip,nw_src=10.0.0.0/33 actions=drop",
		 "nw_src=10.0.0.0/33: not a prefix (/0 to /32, or a mask of contiguous ones)"},
		{"ip,nw_dst=10.0.0.0/255.0.255.0 actions=drop",
		 "nw_dst=10.0.0.0/255.0.255.0: not a prefix (/0 to /32, or a mask of contiguous "
		 "ones)"},
		{"ip,nw_src=10.1.0.1/16 actions=drop",
		 "nw_src=10.1.0.1/16: host bits set (the prefix is 10.1.0.0/16)"},
		{"ip,nw_proto=256 actions=drop", "nw_proto=256: not an IP protocol number (0-255)"},
		{"tcp,tp_src=65536 actions=drop", "tp_src=65536: not a port number (0-65535)"},
		{"vni=0 actions=drop", "vni=0: not a VNI (1-16777215)"},
		{"vni=16777216 actions=drop", "vni=16777216: not a VNI (1-16777215)"},
		{"tun_src=224.0.0.1 actions=drop",
		 "tun_src=224.0.0.1: not a unicast IPv4 address (a remote VTEP)"},
		/* prerequisites and conflicts */
		{"nw_src=10.0.0.0/8 actions=drop", "nw_src needs ip (or icmp, tcp, udp, sctp)"},
		{"arp,nw_dst=10.0.0.1 actions=drop", "nw_dst needs ip (or icmp, tcp, udp, sctp)"},
		{"nw_proto=6 actions=drop", "nw_proto needs ip"},
		{"tp_src=22 actions=drop", "tp_src needs tcp, udp or sctp"},
		{"ip,tp_dst=22 actions=drop", "tp_dst needs tcp, udp or sctp"},
		{"icmp,tp_dst=0 actions=drop", "tp_dst needs tcp, udp or sctp"},
		{"tcp,udp actions=drop", "udp: conflicts with nw_proto=6 (tcp) given before"},
		{"arp,ip actions=drop", "ip: conflicts with dl_type=0x0806 (arp) given before"},
		{"dl_type=0x88cc,tcp actions=drop",
		 "tcp: conflicts with dl_type=0x88cc given before"},
		{"ip,nw_proto=47,udp_dst=1 actions=drop",
		 "udp_dst=1: conflicts with nw_proto=47 given before"},
		/* actions */
		{"priority=1 ip", "missing actions= at the end (actions=drop drops)"},
		{"actions=", "actions=: the list is empty (actions=drop drops)"},
		{"actions= ", "actions=: the list is empty (actions=drop drops)"},
		{"actions=normal,,flood", "actions: an empty action between commas"},
		{"actions=frob",
		 "frob: unknown action (drop, output:PORT, normal, flood, encap:A.B.C.D:VNI, "
		 "push_vlan:VID, pop_vlan, set_vlan:VID, mod_dl_src:MAC, mod_dl_dst:MAC, "
		 "goto_table:N)"},
		{"actions=output", "output: expected output:PORT"},
		{"actions=output:", "output:: not a port name (1-24 letters, digits, '_' or '-')"},
		{"actions=normal:1", "normal:1: normal takes no argument"},
		{"actions=pop_vlan(1)", "pop_vlan(1): pop_vlan takes no argument"},
		{"actions=encap:10.0.0.1",
		 "encap:10.0.0.1: expected encap:A.B.C.D:VNI or encap(vtep=A.B.C.D,vni=VNI)"},
		{"actions=encap(vtep=10.0.0.1)",
		 "encap(vtep=10.0.0.1): expected encap:A.B.C.D:VNI or "
		 "encap(vtep=A.B.C.D,vni=VNI)"},
		{"actions=encap(vtep=10.0.0.1,vni=5", "encap(vtep=10.0.0.1,vni=5: ')' is missing"},
		{"actions=encap:0.0.0.0:5",
		 "encap:0.0.0.0:5: the VTEP must be a unicast IPv4 address"},
		{"actions=encap:10.0.0.1:0", "encap:10.0.0.1:0: not a VNI (1-16777215)"},
		{"actions=push_vlan:4096", "push_vlan:4096: not a VLAN id (0-4095)"},
		{"actions=set_vlan", "set_vlan: expected a VLAN id, as set_vlan:10"},
		{"actions=mod_dl_src:zz", "mod_dl_src:zz: not a MAC address (xx:xx:xx:xx:xx:xx)"},
		{"actions=mod_dl_src:01:00:00:00:00:00",
		 "mod_dl_src:01:00:00:00:00:00: a multicast MAC cannot be a source"},
		{"actions=mod_dl_dst:00:00:00:00:00:00",
		 "mod_dl_dst:00:00:00:00:00:00: 00:00:00:00:00:00 is not a MAC to set"},
		{"actions=set_field:1", "set_field:1: expected set_field:VALUE->FIELD"},
		{"actions=set_field:1->tp_dst",
		 "set_field:1->tp_dst: set_field sets eth_src, eth_dst or vlan_vid"},
		{"actions=goto_table:16", "goto_table:16: not a table (0-15)"},
		{"table=3 actions=goto_table:3",
		 "goto_table:3: a rule of table 3 can only go to a later table"},
		{"actions=resubmit(1,2)", "resubmit(1,2): expected goto_table:N (or resubmit(,N))"},
		{"actions=goto_table:2,normal", "normal: goto_table must be the last action"},
		{"actions=output:a,drop", "drop: drop must be the only action"},
		{"actions=drop,output:a", "output:a: drop must be the only action"},
		{"actions=normal,flood",
		 "flood: conflicts with normal (the packet would go out twice)"},
		{"actions=flood,normal",
		 "normal: conflicts with flood (the packet would go out twice)"},
		{"actions=output:a,output:a", "output:a: given twice"},
		{"actions=encap:10.0.0.1:5,encap:10.0.0.1:5", "encap:10.0.0.1:5: given twice"},
		{"actions=pop_vlan,pop_vlan,pop_vlan,pop_vlan,pop_vlan,pop_vlan,pop_vlan,pop_vlan,"
		 "output:x",
		 "output:x: at most 8 actions"},
	};
	unsigned int i;
	char long_text[5000];

	for (i = 0; i < ARRAY_LEN(cases); i++)
		refused(cases[i].in, cases[i].err);
	memset(long_text, 'a', sizeof(long_text) - 1);
	long_text[sizeof(long_text) - 1] = '\0';
	refused(long_text, "longer than 4095 bytes");
}

static void test_delete_matches(void)
{
	struct syd_flow f;
	char text[FLOWTEXT_MAX];

	/* Loose: any table unless given; no priority. */
	CU_ASSERT_EQUAL(flowtext_parse_match("", false, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f.table, SYD_FLOW_TABLE_ANY);
	CU_ASSERT_EQUAL(f.match.fields, 0);
	CU_ASSERT_EQUAL(f.priority, 0);
	CU_ASSERT_EQUAL(proto_flow_check(&f, SYD_FC_DELETE, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(flowtext_parse_match("table=2,in_port=vm1", false, &f, err, sizeof(err)),
			0);
	CU_ASSERT_EQUAL(f.table, 2);
	CU_ASSERT_EQUAL(f.match.fields, SYD_FM_IN_PORT);
	flowtext_format(&f, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "table=2,priority=0,in_port=vm1 actions=drop");
	CU_ASSERT_EQUAL(flowtext_parse_match("priority=5", false, &f, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "priority=5: a loose delete ignores priority: add --strict to "
				    "delete the rule of that priority only");
	/* Strict: table 0, priority 32768 unless given. */
	CU_ASSERT_EQUAL(flowtext_parse_match("tcp,tp_dst=22", true, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f.table, 0);
	CU_ASSERT_EQUAL(f.priority, SYD_FLOW_PRIORITY_DEFAULT);
	CU_ASSERT_EQUAL(proto_flow_check(&f, SYD_FC_DELETE_STRICT, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(flowtext_parse_match("priority=9,table=4", true, &f, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(f.priority, 9);
	CU_ASSERT_EQUAL(f.table, 4);
	/* Neither takes actions, a cookie or an idle timeout. */
	CU_ASSERT_EQUAL(flowtext_parse_match("ip actions=drop", true, &f, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "actions=drop: a delete takes a match, not actions");
	CU_ASSERT_EQUAL(flowtext_parse_match("cookie=5", false, &f, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "cookie=5: a delete names rules by table, priority and "
				    "match, not by cookie");
	CU_ASSERT_EQUAL(flowtext_parse_match("idle_timeout=5", true, &f, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "idle_timeout=5: a delete names rules by table, priority and "
				    "match, not by idle_timeout");
	CU_ASSERT_EQUAL(flowtext_parse_match("tp_dst=1", true, &f, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "tp_dst needs tcp, udp or sctp");
}

static void test_probe_parses_and_prints(void)
{
	struct syd_flow_probe p;
	char text[FLOWTEXT_MAX];

	CU_ASSERT_EQUAL_FATAL(flowtext_parse_probe("in_port=vm1,dl_dst=02:00:00:00:00:02,tcp,"
						   "nw_dst=10.1.0.9,tp_dst=22",
						   &p, err, sizeof(err)),
			      0);
	CU_ASSERT_STRING_EQUAL(p.in_port, "vm1");
	CU_ASSERT_EQUAL(p.eth_dst[5], 2);
	CU_ASSERT_EQUAL(p.vlan, SYD_FLOW_VLAN_NONE); /* untagged unless dl_vlan is given */
	CU_ASSERT_EQUAL(p.ethertype, 0x0800);
	CU_ASSERT_EQUAL(p.ip_proto, 6);
	CU_ASSERT_EQUAL(p.ip_dst, ip("10.1.0.9"));
	CU_ASSERT_EQUAL(p.l4_dst, 22);
	flowtext_format_probe(&p, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "in_port=vm1,dl_dst=02:00:00:00:00:02,tcp,nw_dst=10.1.0.9,"
				     "tp_dst=22");
	CU_ASSERT_EQUAL(flowtext_parse_probe("in_port=a,dl_vlan=7,arp,dl_src=02:00:00:00:00:01", &p,
					     err, sizeof(err)),
			0);
	flowtext_format_probe(&p, text, sizeof(text));
	CU_ASSERT_STRING_EQUAL(text, "in_port=a,dl_src=02:00:00:00:00:01,dl_vlan=7,arp");

	CU_ASSERT_EQUAL(flowtext_parse_probe("tcp", &p, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "flow-trace needs in_port=PORT: where the packet comes in");
	CU_ASSERT_EQUAL(flowtext_parse_probe("in_port=a,network=blue", &p, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "network=blue: not a packet header field (flow-trace takes "
				    "in_port, dl_src, dl_dst, dl_vlan, dl_type, nw_src, nw_dst, "
				    "nw_proto, tp_src, tp_dst)");
	CU_ASSERT_EQUAL(
		flowtext_parse_probe("in_port=a,ip,nw_src=10.0.0.0/8", &p, err, sizeof(err)),
		-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "nw_src=10.0.0.0/8: a packet has one address: give it "
				    "without a prefix");
	CU_ASSERT_EQUAL(flowtext_parse_probe("in_port=a,dl_src=02:00:00:00:00:00/ff:00:00:00:00:00",
					     &p, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "dl_src=02:00:00:00:00:00/ff:00:00:00:00:00: a packet has one "
				    "MAC: give it without a mask");
	CU_ASSERT_EQUAL(flowtext_parse_probe("in_port=a actions=drop", &p, err, sizeof(err)),
			-EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "actions=drop: flow-trace takes a packet, not actions");
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{"the_example_rule_reads_as_written", test_the_example_rule_reads_as_written},
		{"every_field_round_trips", test_every_field_round_trips},
		{"every_action_round_trips", test_every_action_round_trips},
		{"random_rules_round_trip", test_random_rules_round_trip},
		{"no_actions_print_as_drop", test_no_actions_print_as_drop},
		{"format_into_a_short_buffer_is_enospc_and_terminated",
		 test_format_into_a_short_buffer_is_enospc_and_terminated},
		{"errors_name_the_token_and_what_is_expected",
		 test_errors_name_the_token_and_what_is_expected},
		{"delete_matches", test_delete_matches},
		{"probe_parses_and_prints", test_probe_parses_and_prints},
	};
	CU_pSuite s;
	unsigned int i, failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("flowtext", NULL, NULL);
	for (i = 0; i < ARRAY_LEN(tests); i++)
		CU_add_test(s, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

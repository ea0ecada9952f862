/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow-table messages' checks (control/proto_flow.c through proto_check()): good
 * messages pass; every way a FLOW_MOD, FLOWS, FLOW_TRACE or FLOW_STEPS can be wrong is
 * refused with its code and a sentence that names the mod or entry.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "proto.h"
#include "proto_flow.h"

static struct proto_buf b;
static char err[SYD_PROTO_TEXT_MAX];

static int check(void)
{
	struct syd_hdr *h = proto_finish(&b);

	err[0] = '\0';
	return proto_check(h, h->length, err, sizeof(err));
}

static int check_msg(uint16_t type, const void *body, size_t n)
{
	proto_begin(&b, type, 9);
	if (n)
		CU_ASSERT_EQUAL_FATAL(proto_append(&b, body, n), 0);
	return check();
}

/* A FLOW_MOD of n mods, each cut after its actions and padded as proto_flow_mod_append()
 * does (but a mod that claims more than SYD_FLOW_ACTIONS actions is sent whole, as a peer
 * might). */
static int check_mods(const struct syd_flow_mod *m, uint32_t n)
{
	static const uint8_t zeros[8];
	struct syd_flow_batch head = {.count = n};
	uint32_t i;

	proto_begin(&b, SYD_MSG_FLOW_MOD, 3);
	proto_append(&b, &head, sizeof(head));
	for (i = 0; i < n; i++) {
		unsigned int k = m[i].flow.nactions < SYD_FLOW_ACTIONS ? m[i].flow.nactions
								       : SYD_FLOW_ACTIONS;

		CU_ASSERT_EQUAL_FATAL(proto_append(&b, &m[i], SYD_FLOW_MOD_USED(k)), 0);
		CU_ASSERT_EQUAL_FATAL(
			proto_append(&b, zeros, SYD_FLOW_MOD_SIZE(k) - SYD_FLOW_MOD_USED(k)), 0);
	}
	return check();
}

static uint32_t ip(const char *s)
{
	uint32_t a = 0;

	inet_pton(AF_INET, s, &a);
	return a;
}

/* A valid mod: ADD/MODIFY in_port=vm1,tcp,tp_dst=22 actions=output:vm2; deletes without
 * actions (and DELETE without priority). */
static struct syd_flow_mod good(uint16_t command)
{
	struct syd_flow_mod m;

	memset(&m, 0, sizeof(m));
	m.command = command;
	m.flow.priority = command == SYD_FC_DELETE ? 0 : 100;
	m.flow.match.fields = SYD_FM_IN_PORT | SYD_FM_ETHERTYPE | SYD_FM_IP_PROTO | SYD_FM_L4_DST;
	strcpy(m.flow.match.in_port, "vm1");
	m.flow.match.ethertype = 0x0800;
	m.flow.match.ip_proto = 6;
	m.flow.match.l4_dst = 22;
	if (command == SYD_FC_ADD || command == SYD_FC_MODIFY) {
		m.flow.cookie = 5;
		m.flow.idle_timeout = 30;
		m.flow.nactions = 1;
		m.flow.action[0].type = SYD_FA_OUTPUT;
		strcpy(m.flow.action[0].port, "vm2");
	}
	return m;
}

/* The mod, changed by a statement, is refused with exactly want. */
#define REFUSED(cmd, change, want)                                                                 \
	do {                                                                                       \
		struct syd_flow_mod m = good(cmd);                                                 \
		struct syd_flow *f = &m.flow;                                                      \
		(void)f;                                                                           \
		change;                                                                            \
		CU_ASSERT_EQUAL(check_mods(&m, 1), -EINVAL);                                       \
		if (strcmp(err, want) != 0) {                                                      \
			fprintf(stderr, "\n  line %d\n  want: %s\n  got:  %s\n", __LINE__, want,   \
				err);                                                              \
			CU_FAIL("not the error expected");                                         \
		}                                                                                  \
	} while (0)

#define ACCEPTED(cmd, change)                                                                      \
	do {                                                                                       \
		struct syd_flow_mod m = good(cmd);                                                 \
		struct syd_flow *f = &m.flow;                                                      \
		(void)f;                                                                           \
		change;                                                                            \
		if (check_mods(&m, 1) != 0) {                                                      \
			fprintf(stderr, "\n  line %d: %s\n", __LINE__, err);                       \
			CU_FAIL("a good mod is refused");                                          \
		}                                                                                  \
	} while (0)

static void test_flow_messages_have_names(void)
{
	CU_ASSERT_STRING_EQUAL(proto_msg_name(SYD_MSG_FLOW_MOD), "FLOW_MOD");
	CU_ASSERT_STRING_EQUAL(proto_msg_name(SYD_MSG_DUMP_FLOWS), "DUMP_FLOWS");
	CU_ASSERT_STRING_EQUAL(proto_msg_name(SYD_MSG_FLOWS), "FLOWS");
	CU_ASSERT_STRING_EQUAL(proto_msg_name(SYD_MSG_FLOW_TRACE), "FLOW_TRACE");
	CU_ASSERT_STRING_EQUAL(proto_msg_name(SYD_MSG_FLOW_STEPS), "FLOW_STEPS");
	CU_ASSERT_STRING_EQUAL(proto_flow_command_name(SYD_FC_DELETE_STRICT), "delete_strict");
	CU_ASSERT_STRING_EQUAL(proto_flow_command_name(0), "unknown");
	CU_ASSERT_STRING_EQUAL(proto_flow_command_name(SYD_FC_MAX), "unknown");
	CU_ASSERT_STRING_EQUAL(proto_flow_action_name(SYD_FA_GOTO_TABLE), "goto_table");
	CU_ASSERT_STRING_EQUAL(proto_flow_action_name(SYD_FA_TYPE_MAX), "unknown");
}

static void test_dump_flows_is_empty(void)
{
	uint32_t x = 0;

	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DUMP_FLOWS, NULL, 0), 0);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DUMP_FLOWS, &x, sizeof(x)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "DUMP_FLOWS carries no body, got 4 bytes");
}

static void test_every_command_round_trips(void)
{
	struct syd_flow_mod m[4] = {good(SYD_FC_ADD), good(SYD_FC_MODIFY), good(SYD_FC_DELETE),
				    good(SYD_FC_DELETE_STRICT)};
	const struct syd_flow_batch *fb;
	struct proto_flow_iter it;
	struct syd_flow_mod got;
	struct proto_buf out = {0};
	unsigned int i;

	CU_ASSERT_EQUAL_FATAL(check_mods(m, 4), 0);
	fb = proto_body((const struct syd_hdr *)b.data);
	CU_ASSERT_EQUAL(fb->count, 4);
	/* Read back whole, each is the mod sent; the walk ends where the message does. */
	proto_flow_iter_init(&it, fb);
	for (i = 0; proto_flow_iter_next(&it, &got); i++)
		CU_ASSERT_EQUAL(i < 4 && memcmp(&got, &m[i], sizeof(got)) == 0, 1);
	CU_ASSERT_EQUAL(i, 4);
	CU_ASSERT_PTR_EQUAL(it.next, b.data + b.len);
	/* proto_flow_mod_append() writes the same bytes, 200 for a mod of one action (560
	 * when every mod carried SYD_FLOW_ACTIONS), and stops at SYD_FLOW_BATCH_MAX. */
	CU_ASSERT_EQUAL(SYD_FLOW_MOD_SIZE(0), 144);
	CU_ASSERT_EQUAL(SYD_FLOW_MOD_SIZE(1), 200);
	CU_ASSERT_EQUAL(SYD_FLOW_MOD_SIZE(SYD_FLOW_ACTIONS), sizeof(struct syd_flow_mod));
	CU_ASSERT_EQUAL_FATAL(proto_flow_mod_begin(&out, 3), 0);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(proto_flow_mod_append(&out, &m[i]), 0);
	proto_finish(&out);
	CU_ASSERT_EQUAL(out.len, b.len);
	CU_ASSERT_EQUAL(memcmp(out.data, b.data, b.len), 0);
	for (i = 4; i < SYD_FLOW_BATCH_MAX; i++)
		CU_ASSERT_EQUAL(proto_flow_mod_append(&out, &m[0]), 0);
	CU_ASSERT_EQUAL(proto_flow_mod_append(&out, &m[0]), -E2BIG);
	m[0].flow.nactions = SYD_FLOW_ACTIONS + 1;
	CU_ASSERT_EQUAL_FATAL(proto_flow_mod_begin(&out, 3), 0);
	CU_ASSERT_EQUAL(proto_flow_mod_append(&out, &m[0]), -EINVAL);
	proto_buf_free(&out);
	CU_ASSERT_EQUAL(check_mods(m, 0), 0); /* an empty FLOW_MOD changes nothing */
}

static void test_flow_mod_sizes(void)
{
	struct syd_flow_mod *m = calloc(SYD_FLOW_BATCH_MAX + 1, sizeof(*m));
	struct syd_flow_batch head = {.count = 2};
	unsigned int i;

	for (i = 0; i <= SYD_FLOW_BATCH_MAX; i++)
		m[i] = good(SYD_FC_ADD);
	/* 400 mods fit in one message; 401 is E2BIG, judged on the count alone */
	CU_ASSERT_EQUAL(check_mods(m, SYD_FLOW_BATCH_MAX), 0);
	CU_ASSERT_TRUE(b.len <= SYD_PROTO_MSG_MAX);
	head.count = SYD_FLOW_BATCH_MAX + 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_MOD, &head, sizeof(head)), -E2BIG);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_MOD of 401 mods exceeds the limit of 400: split it");
	head.count = 2;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_MOD, &head, 4), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_MOD body of 4 bytes is shorter than its count");
	proto_begin(&b, SYD_MSG_FLOW_MOD, 1);
	proto_append(&b, &head, sizeof(head));
	proto_append(&b, m, SYD_FLOW_MOD_SIZE(1));
	CU_ASSERT_EQUAL(check(), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_MOD says 2 mods but its body ends in mod 1 (at byte 208 "
				    "of 208)");
	proto_append(&b, m, SYD_FLOW_MOD_SIZE(0)); /* mod 1 shorter than its one action */
	CU_ASSERT_EQUAL(check(), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_MOD says 2 mods but its body ends in mod 1 (at byte 208 "
				    "of 352)");
	head.count = 1; /* one mod, then bytes that are no mod */
	proto_begin(&b, SYD_MSG_FLOW_MOD, 1);
	proto_append(&b, &head, sizeof(head));
	proto_append(&b, m, SYD_FLOW_MOD_SIZE(1) + 8);
	CU_ASSERT_EQUAL(check(), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_MOD's 1 mods take 208 bytes, but it carries 216");
	/* the padding after a mod's actions is zero */
	m[0].flow.action[1].type = 1; /* action 1 of a mod of one: its first bytes pad it */
	head.count = 1;
	proto_begin(&b, SYD_MSG_FLOW_MOD, 1);
	proto_append(&b, &head, sizeof(head));
	proto_append(&b, m, SYD_FLOW_MOD_SIZE(1));
	CU_ASSERT_EQUAL(check(), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err,
			       "FLOW_MOD's mod 0: the padding after its 1 actions is not zero");
	head.count = 0;
	head.reserved = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_MOD, &head, sizeof(head)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_MOD reserved field set");
	free(m);
}

static void test_error_names_the_mod(void)
{
	struct syd_flow_mod m[3] = {good(SYD_FC_ADD), good(SYD_FC_DELETE), good(SYD_FC_ADD)};

	m[2].flow.table = 16;
	CU_ASSERT_EQUAL(check_mods(m, 3), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "mod 2 (add): table 16 is not in 0-15");
	/* the same check on a rule alone says it without the mod */
	CU_ASSERT_EQUAL(proto_flow_check(&m[2].flow, SYD_FC_ADD, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "table 16 is not in 0-15");
	CU_ASSERT_EQUAL(proto_flow_check(&m[1].flow, 9, err, sizeof(err)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err,
			       "unknown command 9 (add 1, modify 2, delete 3, delete_strict 4)");
	CU_ASSERT_EQUAL(proto_flow_check(&m[0].flow, SYD_FC_ADD, NULL, 0), 0);
}

static void test_mod_header_rules(void)
{
	REFUSED(SYD_FC_ADD, m.command = 0,
		"mod 0: unknown command 0 (add 1, modify 2, delete 3, delete_strict 4)");
	REFUSED(SYD_FC_ADD, m.command = SYD_FC_MAX,
		"mod 0: unknown command 5 (add 1, modify 2, delete 3, delete_strict 4)");
	REFUSED(SYD_FC_ADD, m.reserved = 1, "mod 0 (add): reserved bytes set");
	REFUSED(SYD_FC_ADD, m.pad = 1, "mod 0 (add): reserved bytes set");
	REFUSED(SYD_FC_ADD, f->pad = 1, "mod 0 (add): pad bytes set");
	REFUSED(SYD_FC_ADD, f->table = 16, "mod 0 (add): table 16 is not in 0-15");
	REFUSED(SYD_FC_MODIFY, f->table = 0xff, "mod 0 (modify): table 255 is not in 0-15");
	REFUSED(SYD_FC_DELETE_STRICT, f->table = 0xff,
		"mod 0 (delete_strict): table 255 is not in 0-15");
	REFUSED(SYD_FC_DELETE, f->table = 16,
		"mod 0 (delete): table 16 is not in 0-15 (or 255: any)");
	ACCEPTED(SYD_FC_DELETE, f->table = 0xff);
	ACCEPTED(SYD_FC_ADD, f->table = 15);
}

static void test_match_rules(void)
{
	REFUSED(SYD_FC_ADD, f->match.fields |= 0x2000, "mod 0 (add): unknown match fields 0x2000");
	REFUSED(SYD_FC_ADD, f->match.pad = 1, "mod 0 (add): match pad byte set");
	/* names */
	REFUSED(SYD_FC_ADD, strcpy(f->match.in_port, "a b"),
		"mod 0 (add): in_port must be a port name (1-24 letters, digits, '_' or '-')");
	REFUSED(SYD_FC_ADD, memset(f->match.in_port, 'a', sizeof(f->match.in_port)),
		"mod 0 (add): in_port must be a port name (1-24 letters, digits, '_' or '-')");
	REFUSED(SYD_FC_ADD, f->match.fields &= ~SYD_FM_IN_PORT,
		"mod 0 (add): in_port is set but not flagged in fields");
	REFUSED(SYD_FC_ADD, f->match.fields |= SYD_FM_NETWORK,
		"mod 0 (add): network must be a network name (1-24 letters, digits, '_' or '-')");
	REFUSED(SYD_FC_ADD, f->match.network[31] = 'x',
		"mod 0 (add): network is set but not flagged in fields");
	/* MACs and masks */
	ACCEPTED(SYD_FC_ADD, (f->match.fields |= SYD_FM_ETH_SRC, f->match.eth_src_mask[0] = 0xff,
			      f->match.eth_src[0] = 2));
	REFUSED(SYD_FC_ADD, f->match.fields |= SYD_FM_ETH_SRC,
		"mod 0 (add): eth_src mask is all zero: leave the field out to match any MAC");
	REFUSED(SYD_FC_ADD,
		(f->match.fields |= SYD_FM_ETH_DST, f->match.eth_dst_mask[0] = 0xf0,
		 f->match.eth_dst[0] = 0x0f),
		"mod 0 (add): eth_dst 0f:00:00:00:00:00 has bits outside its mask "
		"f0:00:00:00:00:00");
	REFUSED(SYD_FC_ADD, f->match.eth_dst_mask[5] = 1,
		"mod 0 (add): eth_dst is set but not flagged in fields");
	REFUSED(SYD_FC_ADD, f->match.eth_src[0] = 1,
		"mod 0 (add): eth_src is set but not flagged in fields");
	/* VLAN, ethertype */
	ACCEPTED(SYD_FC_ADD, (f->match.fields |= SYD_FM_VLAN, f->match.vlan = 0xffff));
	ACCEPTED(SYD_FC_ADD, (f->match.fields |= SYD_FM_VLAN, f->match.vlan = 4095));
	REFUSED(SYD_FC_ADD, (f->match.fields |= SYD_FM_VLAN, f->match.vlan = 4096),
		"mod 0 (add): vlan 4096 is not in 0-4095 (or 0xffff: untagged)");
	REFUSED(SYD_FC_ADD, f->match.vlan = 1,
		"mod 0 (add): vlan is set but not flagged in fields");
	REFUSED(SYD_FC_ADD,
		(f->match.fields = SYD_FM_ETHERTYPE, memset(f->match.in_port, 0, 32),
		 f->match.ip_proto = 0, f->match.l4_dst = 0, f->match.ethertype = 0x5ff),
		"mod 0 (add): ethertype 0x05ff is a length, not a type (0x0600 and up)");
	REFUSED(SYD_FC_ADD,
		(f->match.fields = 0, memset(&f->match, 0, sizeof(f->match)),
		 f->match.ethertype = 0x800),
		"mod 0 (add): ethertype is set but not flagged in fields");
	/* IPv4 prefixes and their prerequisite */
	ACCEPTED(SYD_FC_ADD, (f->match.fields |= SYD_FM_IP_SRC, f->match.ip_src = ip("10.1.0.0"),
			      f->match.ip_src_len = 16));
	REFUSED(SYD_FC_ADD, (f->match.fields |= SYD_FM_IP_DST, f->match.ip_dst_len = 0),
		"mod 0 (add): ip_dst prefix length 0 is not in 1-32 (/0 matches every address: "
		"leave the field out)");
	REFUSED(SYD_FC_ADD,
		(f->match.fields |= SYD_FM_IP_SRC, f->match.ip_src = ip("10.1.0.1"),
		 f->match.ip_src_len = 16),
		"mod 0 (add): ip_src 10.1.0.1/16 has host bits set");
	REFUSED(SYD_FC_ADD, (f->match.fields |= SYD_FM_IP_DST, f->match.ip_dst_len = 33),
		"mod 0 (add): ip_dst prefix length 33 is not in 1-32");
	REFUSED(SYD_FC_ADD, f->match.ip_dst_len = 8,
		"mod 0 (add): ip_dst is set but not flagged in fields");
	REFUSED(SYD_FC_ADD, f->match.ip_src = ip("10.0.0.0"),
		"mod 0 (add): ip_src is set but not flagged in fields");
	REFUSED(SYD_FC_ADD,
		(f->match.fields = SYD_FM_IP_SRC, memset(f->match.in_port, 0, 32),
		 f->match.ethertype = 0, f->match.ip_proto = 0, f->match.l4_dst = 0,
		 f->match.ip_src = ip("10.0.0.0"), f->match.ip_src_len = 8),
		"mod 0 (add): ip_src needs ethertype 0x0800 matched (IPv4)");
	REFUSED(SYD_FC_ADD,
		(f->match.fields = SYD_FM_IP_DST | SYD_FM_ETHERTYPE,
		 memset(f->match.in_port, 0, 32), f->match.ethertype = 0x0806,
		 f->match.ip_proto = 0, f->match.l4_dst = 0, f->match.ip_dst = ip("10.0.0.0"),
		 f->match.ip_dst_len = 8),
		"mod 0 (add): ip_dst needs ethertype 0x0800 matched (IPv4)");
	REFUSED(SYD_FC_ADD, (f->match.fields &= ~SYD_FM_ETHERTYPE, f->match.ethertype = 0),
		"mod 0 (add): ip_proto needs ethertype 0x0800 matched (IPv4)");
	REFUSED(SYD_FC_ADD,
		(f->match.fields &= ~(SYD_FM_IP_PROTO | SYD_FM_L4_DST), f->match.l4_dst = 0),
		"mod 0 (add): ip_proto is set but not flagged in fields");
	/* L4 ports and theirs */
	ACCEPTED(SYD_FC_ADD, f->match.ip_proto = 17);
	ACCEPTED(SYD_FC_ADD, f->match.ip_proto = 132);
	REFUSED(SYD_FC_ADD, f->match.ip_proto = 1,
		"mod 0 (add): l4_dst needs ip_proto 6, 17 or 132 matched (TCP, UDP or SCTP)");
	REFUSED(SYD_FC_ADD,
		(f->match.fields |= SYD_FM_L4_SRC, f->match.fields &= ~SYD_FM_IP_PROTO,
		 f->match.ip_proto = 0),
		"mod 0 (add): l4_src needs ip_proto 6, 17 or 132 matched (TCP, UDP or SCTP)");
	REFUSED(SYD_FC_ADD, f->match.l4_src = 1,
		"mod 0 (add): l4_src is set but not flagged in fields");
	REFUSED(SYD_FC_ADD, f->match.fields &= ~SYD_FM_L4_DST,
		"mod 0 (add): l4_dst is set but not flagged in fields");
	/* tunnels */
	ACCEPTED(SYD_FC_ADD, (f->match.fields |= SYD_FM_VNI, f->match.vni = SYD_VNI_MAX));
	REFUSED(SYD_FC_ADD, f->match.fields |= SYD_FM_VNI,
		"mod 0 (add): vni 0 is not in 1-16777215");
	REFUSED(SYD_FC_ADD, (f->match.fields |= SYD_FM_VNI, f->match.vni = SYD_VNI_MAX + 1),
		"mod 0 (add): vni 16777216 is not in 1-16777215");
	REFUSED(SYD_FC_ADD, f->match.vni = 5, "mod 0 (add): vni is set but not flagged in fields");
	ACCEPTED(SYD_FC_ADD,
		 (f->match.fields |= SYD_FM_TUN_REMOTE, f->match.tun_remote = ip("198.18.0.2")));
	REFUSED(SYD_FC_ADD,
		(f->match.fields |= SYD_FM_TUN_REMOTE, f->match.tun_remote = ip("127.0.0.1")),
		"mod 0 (add): tun_remote 127.0.0.1 is not a unicast IPv4 address");
	REFUSED(SYD_FC_ADD, f->match.tun_remote = ip("10.0.0.1"),
		"mod 0 (add): tun_remote is set but not flagged in fields");
}

static void test_action_rules(void)
{
	struct syd_flow_action *a;

#define A(k) (a = &f->action[k])
	ACCEPTED(SYD_FC_ADD, (f->nactions = 0, memset(f->action, 0, sizeof(f->action))));
	REFUSED(SYD_FC_ADD, f->nactions = 9, "mod 0 (add): 9 actions: at most 8");
	/* Slots past nactions are not sent: a rule alone (as sydctl and the YAML loader
	 * check it) must have them zero. */
	ACCEPTED(SYD_FC_ADD, A(1)->type = SYD_FA_NORMAL);
	{
		struct syd_flow_mod m = good(SYD_FC_ADD);

		m.flow.action[1].type = SYD_FA_NORMAL;
		CU_ASSERT_EQUAL(proto_flow_check(&m.flow, SYD_FC_ADD, err, sizeof(err)), -EINVAL);
		CU_ASSERT_STRING_EQUAL(err, "action slots after the 1 used are not zero");
	}
	REFUSED(SYD_FC_ADD, A(0)->type = 0, "mod 0 (add): action 0: unknown type 0");
	REFUSED(SYD_FC_ADD, A(0)->type = SYD_FA_TYPE_MAX, "mod 0 (add): action 0: unknown type 12");
	REFUSED(SYD_FC_ADD, A(0)->pad = 1, "mod 0 (add): action 0 (output): pad byte set");
	REFUSED(SYD_FC_ADD, A(0)->port[0] = 0,
		"mod 0 (add): action 0 (output): port must be a port name (1-24 letters, digits, "
		"'_' or '-')");
	REFUSED(SYD_FC_ADD, A(0)->vlan = 1,
		"mod 0 (add): action 0 (output): a field it does not use is set");
	REFUSED(SYD_FC_ADD,
		(A(0)->type = SYD_FA_NORMAL, memset(a->port, 0, sizeof(a->port)), a->table = 1),
		"mod 0 (add): action 0 (normal): a field it does not use is set");
	/* encap */
	ACCEPTED(SYD_FC_ADD, (A(0)->type = SYD_FA_ENCAP, memset(a->port, 0, sizeof(a->port)),
			      a->addr = ip("198.18.0.2"), a->vni = 1));
	REFUSED(SYD_FC_ADD,
		(A(0)->type = SYD_FA_ENCAP, memset(a->port, 0, sizeof(a->port)),
		 a->addr = ip("224.0.0.1"), a->vni = 1),
		"mod 0 (add): action 0 (encap): 224.0.0.1 is not a unicast IPv4 address");
	REFUSED(SYD_FC_ADD,
		(A(0)->type = SYD_FA_ENCAP, memset(a->port, 0, sizeof(a->port)),
		 a->addr = ip("10.0.0.1"), a->vni = 0),
		"mod 0 (add): action 0 (encap): VNI 0 is not in 1-16777215");
	REFUSED(SYD_FC_ADD, (A(0)->type = SYD_FA_ENCAP, a->addr = ip("10.0.0.1"), a->vni = 1),
		"mod 0 (add): action 0 (encap): a field it does not use is set");
	REFUSED(SYD_FC_ADD,
		(f->nactions = 2, A(1)->type = SYD_FA_ENCAP, a->addr = ip("10.0.0.1"), a->vni = 1,
		 f->action[0] = *a),
		"mod 0 (add): action 1 (encap): the same tunnel as action 0");
	/* VLANs and MACs */
	ACCEPTED(SYD_FC_ADD, (f->nactions = 2, A(1)->type = SYD_FA_PUSH_VLAN, a->vlan = 4095));
	REFUSED(SYD_FC_ADD, (f->nactions = 2, A(1)->type = SYD_FA_SET_VLAN, a->vlan = 4096),
		"mod 0 (add): action 1 (set_vlan): VLAN id 4096 is not in 0-4095");
	REFUSED(SYD_FC_ADD, (f->nactions = 2, A(1)->type = SYD_FA_POP_VLAN, a->vlan = 1),
		"mod 0 (add): action 1 (pop_vlan): a field it does not use is set");
	REFUSED(SYD_FC_ADD, (f->nactions = 2, A(1)->type = SYD_FA_SET_ETH_SRC, a->mac[0] = 3),
		"mod 0 (add): action 1 (set_eth_src): 03:00:00:00:00:00 is not a station's MAC "
		"(zero or multicast)");
	ACCEPTED(SYD_FC_ADD, (f->nactions = 2, A(1)->type = SYD_FA_SET_ETH_DST, a->mac[0] = 0xff));
	REFUSED(SYD_FC_ADD, (f->nactions = 2, A(1)->type = SYD_FA_SET_ETH_DST),
		"mod 0 (add): action 1 (set_eth_dst): 00:00:00:00:00:00 is not a MAC");
	/* goto_table: later, last */
	ACCEPTED(SYD_FC_ADD, (f->nactions = 2, A(1)->type = SYD_FA_GOTO_TABLE, a->table = 15));
	REFUSED(SYD_FC_ADD,
		(f->table = 3, f->nactions = 2, A(1)->type = SYD_FA_GOTO_TABLE, a->table = 3),
		"mod 0 (add): action 1 (goto_table): table 3 is not after this rule's table 3 (up "
		"to 15)");
	REFUSED(SYD_FC_ADD, (f->nactions = 2, A(1)->type = SYD_FA_GOTO_TABLE, a->table = 16),
		"mod 0 (add): action 1 (goto_table): table 16 is not after this rule's table 0 (up "
		"to 15)");
	REFUSED(SYD_FC_ADD,
		(f->nactions = 2, f->action[1] = f->action[0], f->action[1].port[2] = '3',
		 memset(&f->action[0], 0, sizeof(*a)), A(0)->type = SYD_FA_GOTO_TABLE,
		 a->table = 1),
		"mod 0 (add): action 0 (goto_table): must be the last action");
	/* what they mean together */
	REFUSED(SYD_FC_ADD, (f->nactions = 2, A(1)->type = SYD_FA_DROP),
		"mod 0 (add): action 1 (drop): drop must be the only action");
	REFUSED(SYD_FC_ADD,
		(f->nactions = 2, f->action[1] = f->action[0], memset(&f->action[0], 0, sizeof(*a)),
		 A(0)->type = SYD_FA_DROP),
		"mod 0 (add): action 0 (drop): drop must be the only action");
	ACCEPTED(SYD_FC_ADD, (memset(A(0), 0, sizeof(*a)), a->type = SYD_FA_DROP));
	REFUSED(SYD_FC_ADD,
		(f->nactions = 3, A(1)->type = SYD_FA_NORMAL, A(2)->type = SYD_FA_FLOOD),
		"mod 0 (add): action 2 (flood) conflicts with action 1 (normal): the packet would "
		"go out twice");
	REFUSED(SYD_FC_ADD, (f->nactions = 3, A(1)->type = SYD_FA_FLOOD, A(2)->type = SYD_FA_FLOOD),
		"mod 0 (add): action 2 (flood) conflicts with action 1 (flood): the packet would "
		"go out twice");
	REFUSED(SYD_FC_ADD, (f->nactions = 2, f->action[1] = f->action[0]),
		"mod 0 (add): action 1 (output): port 'vm2' is already action 0's");
	ACCEPTED(SYD_FC_ADD, (f->nactions = 2, f->action[1] = f->action[0], A(1)->port[2] = '3'));
#undef A
}

static void test_deletes_carry_no_actions(void)
{
	ACCEPTED(SYD_FC_DELETE, memset(&f->match, 0, sizeof(f->match))); /* every rule */
	ACCEPTED(SYD_FC_DELETE_STRICT, f->priority = 65535);
	REFUSED(SYD_FC_DELETE, f->nactions = 1,
		"mod 0 (delete): a delete carries no actions: nactions and actions must be zero");
	/* action slots past nactions are not sent; a rule alone must have them zero */
	ACCEPTED(SYD_FC_DELETE_STRICT, f->action[7].vni = 1);
	{
		struct syd_flow_mod m = good(SYD_FC_DELETE_STRICT);

		m.flow.action[7].vni = 1;
		CU_ASSERT_EQUAL(proto_flow_check(&m.flow, SYD_FC_DELETE_STRICT, err, sizeof(err)),
				-EINVAL);
		CU_ASSERT_STRING_EQUAL(err, "a delete carries no actions: nactions and actions "
					    "must be zero");
	}
	REFUSED(SYD_FC_DELETE, f->cookie = 1,
		"mod 0 (delete): a delete names rules by table and match: cookie and idle_timeout "
		"must be zero");
	REFUSED(SYD_FC_DELETE_STRICT, f->idle_timeout = 1,
		"mod 0 (delete_strict): a delete names rules by table and match: cookie and "
		"idle_timeout must be zero");
	REFUSED(SYD_FC_DELETE, f->priority = 1,
		"mod 0 (delete): a loose delete ignores priority: it must be zero (delete_strict "
		"takes one)");
	/* the match is checked all the same */
	REFUSED(SYD_FC_DELETE, f->match.ip_proto = 1,
		"mod 0 (delete): l4_dst needs ip_proto 6, 17 or 132 matched (TCP, UDP or SCTP)");
}

/* ---- FLOWS, FLOW_TRACE, FLOW_STEPS ---- */

/* A FLOWS message of n entries, each cut after its actions as the dataplane sends it;
 * cut bytes off its end. */
static int check_flows(const struct syd_flow_stats *e, unsigned int n, size_t cut)
{
	unsigned int i;

	proto_begin(&b, SYD_MSG_FLOWS, 9);
	for (i = 0; i < n; i++) /* an entry that claims more than 8 actions: all 8 */
		proto_append(&b, &e[i],
			     SYD_FLOW_STATS_SIZE(e[i].flow.nactions < SYD_FLOW_ACTIONS
							 ? e[i].flow.nactions
							 : SYD_FLOW_ACTIONS));
	b.len -= cut;
	return check();
}

static void test_flows_entries(void)
{
	struct syd_flow_stats e[2], got;
	struct proto_flow_stats_iter it;
	unsigned int i;

	memset(e, 0, sizeof(e));
	e[0].flow = good(SYD_FC_ADD).flow;
	e[0].packets = 10;
	e[1].flow = good(SYD_FC_ADD).flow;
	e[1].flow.table = 1;
	e[1].flow.nactions = 0;
	memset(e[1].flow.action, 0, sizeof(e[1].flow.action));
	CU_ASSERT_EQUAL(SYD_FLOW_STATS_SIZE(1), 216);
	CU_ASSERT_EQUAL(SYD_FLOW_STATS_SIZE(SYD_FLOW_ACTIONS), sizeof(struct syd_flow_stats));
	CU_ASSERT_EQUAL_FATAL(check_flows(e, 2, 0), 0);
	CU_ASSERT_EQUAL(b.len, sizeof(struct syd_hdr) + 216 + 160);
	/* read back whole, in order, to the message's end */
	proto_flow_stats_begin(&it, (const struct syd_hdr *)b.data);
	for (i = 0; proto_flow_stats_next(&it, &got); i++)
		CU_ASSERT_EQUAL(i < 2 && memcmp(&got, &e[i], sizeof(got)) == 0, 1);
	CU_ASSERT_EQUAL(i, 2);
	CU_ASSERT_PTR_EQUAL(it.next, b.data + b.len);
	CU_ASSERT_EQUAL(check_flows(e, 2, 1), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOWS: entry 1 is cut short (at byte 216 of 375)");
	CU_ASSERT_EQUAL(check_flows(e, 1, 200), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOWS: entry 0 is cut short (at byte 0 of 16)");
	CU_ASSERT_EQUAL(check_flows(e, 0, 0), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOWS: an empty body (an empty table is DONE alone)");
	e[1].flow.nactions = 9;
	CU_ASSERT_EQUAL(check_flows(e, 2, 0), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOWS entry 1: 9 actions: at most 8");
	e[1].flow.nactions = 0;
	e[0].flow.action[1].type = 1; /* its first bytes pad entry 0 */
	CU_ASSERT_EQUAL(check_flows(e, 2, 0), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOWS: entry 0: the padding after its 1 actions is not zero");
	e[0].flow.action[1].type = 0;
	e[0].flow.action[0].type = SYD_FA_TYPE_MAX;
	CU_ASSERT_EQUAL(check_flows(e, 2, 0), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOWS entry 0: action 0: unknown type 12");
}

static struct syd_flow_probe good_probe(void)
{
	struct syd_flow_probe p;

	memset(&p, 0, sizeof(p));
	strcpy(p.in_port, "vm1");
	p.vlan = 0xffff;
	p.ethertype = 0x0800;
	p.ip_dst = ip("10.1.0.9");
	p.ip_proto = 6;
	p.l4_dst = 22;
	return p;
}

static void test_flow_trace_rules(void)
{
	struct syd_flow_probe p = good_probe();

	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_TRACE, &p, sizeof(p)), 0);
	CU_ASSERT_EQUAL(sizeof(p), 64);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_TRACE, &p, sizeof(p) - 2), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_TRACE body must be 64 bytes, got 62");
	p.in_port[0] = 0;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_TRACE, &p, sizeof(p)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "flow trace: in_port must be a port name (1-24 letters, "
				    "digits, '_' or '-')");
	p = good_probe();
	p.pad[1] = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_TRACE, &p, sizeof(p)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "flow trace: pad bytes set");
	p = good_probe();
	p.vlan = 4096;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_TRACE, &p, sizeof(p)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "flow trace: vlan 4096 is not in 0-4095 (or 0xffff: untagged)");
	p = good_probe();
	p.ethertype = 0x86dd;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_TRACE, &p, sizeof(p)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "flow trace: IPv4 fields need ethertype 0x0800");
	p = good_probe();
	p.ip_proto = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_TRACE, &p, sizeof(p)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "flow trace: ports need ip_proto 6, 17 or 132 (TCP, UDP or "
				    "SCTP)");
}

static void test_flow_steps_entries(void)
{
	struct syd_flow_step s[2];

	memset(s, 0, sizeof(s));
	s[0].table = 0;
	s[0].matched = 1;
	s[0].flow = good(SYD_FC_ADD).flow;
	strcpy(s[0].what, "output to vm2");
	s[1].table = 0xff;
	strcpy(s[1].what, "sent to vm2");
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_STEPS, s, sizeof(s)), 0);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_STEPS, s, 100), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_STEPS: body of 100 bytes is not whole entries of 688");
	s[1].table = 16;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_STEPS, s, sizeof(s)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_STEPS entry 1: table 16 is not in 0-15 (or 255: the "
				    "outcome)");
	s[1].table = 0xff;
	s[1].matched = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_STEPS, s, sizeof(s)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_STEPS entry 1: matched must be 0 or 1 (and 0 for the "
				    "outcome)");
	s[1].matched = 0;
	s[1].pad2 = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_STEPS, s, sizeof(s)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_STEPS entry 1: pad bytes set");
	s[1].pad2 = 0;
	memset(s[1].what, 'x', sizeof(s[1].what));
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_STEPS, s, sizeof(s)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_STEPS entry 1: what is not NUL-terminated");
	strcpy(s[1].what, "dropped");
	s[1].flow.priority = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_STEPS, s, sizeof(s)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_STEPS entry 1: no rule matched, but flow is set");
	s[1].flow.priority = 0;
	s[0].flow.match.vlan = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_FLOW_STEPS, s, sizeof(s)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(err, "FLOW_STEPS entry 0: vlan is set but not flagged in fields");
}

/* A refusal writes its sentence even into a buffer of one byte, and never past it. */
static void test_errors_fit_any_buffer(void)
{
	struct syd_flow_mod m = good(SYD_FC_ADD);
	char small[8];

	m.flow.table = 99;
	proto_flow_mod_begin(&b, 3);
	proto_flow_mod_append(&b, &m);
	proto_finish(&b);
	memset(small, 'x', sizeof(small));
	CU_ASSERT_EQUAL(proto_check(b.data, b.len, small, sizeof(small)), -EINVAL);
	CU_ASSERT_STRING_EQUAL(small, "mod 0 (");
	CU_ASSERT_EQUAL(proto_check(b.data, b.len, NULL, 0), -EINVAL);
}

int main(void)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{"flow_messages_have_names", test_flow_messages_have_names},
		{"dump_flows_is_empty", test_dump_flows_is_empty},
		{"every_command_round_trips", test_every_command_round_trips},
		{"flow_mod_sizes", test_flow_mod_sizes},
		{"error_names_the_mod", test_error_names_the_mod},
		{"mod_header_rules", test_mod_header_rules},
		{"match_rules", test_match_rules},
		{"action_rules", test_action_rules},
		{"deletes_carry_no_actions", test_deletes_carry_no_actions},
		{"flows_entries", test_flows_entries},
		{"flow_trace_rules", test_flow_trace_rules},
		{"flow_steps_entries", test_flow_steps_entries},
		{"errors_fit_any_buffer", test_errors_fit_any_buffer},
	};
	CU_pSuite s;
	unsigned int i, failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("proto_flow", NULL, NULL);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
		CU_add_test(s, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	proto_buf_free(&b);
	return failures ? 1 : 0;
}

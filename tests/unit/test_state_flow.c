/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The desired state's flow rules (control/state_flow.c, control/flowset.c): the hashed
 * set against an oracle, FLOW_MOD's semantics, taking a change back, rules going with
 * their port or network, the flow diff checked by applying it (for random states,
 * applying diff(want, have) gives want), a diff of 200,000 rules, and saving them.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "flowtext.h"
#include "proto_flow.h"
#include "state.h"
#include "state_gen.h"

/* A mod from text: full rules for ADD and MODIFY, matches for the deletes. */
static struct syd_flow_mod flow_mod_of(uint16_t command, const char *text)
{
	struct syd_flow_mod m = {.command = command};
	char err[256];
	int ret = command == SYD_FC_ADD || command == SYD_FC_MODIFY
			  ? flowtext_parse(text, &m.flow, err, sizeof(err))
			  : flowtext_parse_match(text, command == SYD_FC_DELETE_STRICT, &m.flow,
						 err, sizeof(err));

	if (ret != 0)
		fprintf(stderr, "\n  %s: %s\n", text, err);
	CU_ASSERT_EQUAL_FATAL(ret, 0);
	return m;
}

static char ferr[SYD_PROTO_TEXT_MAX];

static int fapply(struct state *s, uint16_t command, const char *text)
{
	struct syd_flow_mod m = flow_mod_of(command, text);

	ferr[0] = '\0';
	return state_apply_flow_mod(s, &m, ferr, sizeof(ferr));
}

/* The rule of text's identity in s, or NULL. */
static const struct syd_flow *rule(const struct state *s, const char *text)
{
	struct syd_flow_mod m = flow_mod_of(SYD_FC_ADD, text);
	long i = flowset_find(&s->flows, &m.flow);

	return i < 0 ? NULL : &s->flows.rec[i]->flow;
}

/* Two networks and three ports, vm1 and vm2 in blue. */
static void base(struct state *s)
{
	apply(s, mk(SYD_OP_NET_ADD, 0, "blue", NULL, NULL, 0));
	apply(s, mk(SYD_OP_NET_ADD, 0, "red", NULL, NULL, 0));
	apply(s, mk(SYD_OP_PORT_ADD, 1, "vm1", "blue", "/s/1", 0));
	apply(s, mk(SYD_OP_PORT_ADD, 1, "vm2", "blue", "/s/2", 0));
	apply(s, mk(SYD_OP_PORT_ADD, 1, "vm3", "red", "/s/3", 0));
}

static int flow_diff_count(const struct state *want, const struct state *have);

static void test_flow_add_modify_delete(void)
{
	struct state s;

	state_init(&s);
	base(&s);
	/* names must exist */
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "in_port=vm9 actions=drop"), -ENOENT);
	CU_ASSERT_STRING_EQUAL(ferr, "add: in_port: no port named 'vm9'");
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "network=green actions=drop"), -ENOENT);
	CU_ASSERT_STRING_EQUAL(ferr, "add: network: no network named 'green'");
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "actions=normal,output:vm9"), -ENOENT);
	CU_ASSERT_STRING_EQUAL(ferr, "add: action 1 (output): no port named 'vm9'");
	CU_ASSERT_EQUAL(state_nflows(&s), 0);
	/* add; add again replaces */
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "priority=200,in_port=vm1 actions=output:vm2"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "priority=200,in_port=vm1,cookie=7 actions=drop"),
			0);
	CU_ASSERT_EQUAL(state_nflows(&s), 1);
	CU_ASSERT_EQUAL(rule(&s, "priority=200,in_port=vm1 actions=drop")->cookie, 7);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "priority=201,in_port=vm1 actions=drop"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "table=1,priority=200,in_port=vm1 actions=drop"), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 3); /* other priority, other table: other rules */
	/* modify: only a rule that is there */
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_MODIFY, "priority=202,in_port=vm1 actions=flood"),
			-ENOENT);
	CU_ASSERT_STRING_EQUAL(ferr, "modify: no rule table=0,priority=202,in_port=vm1");
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_MODIFY,
			       "priority=201,in_port=vm1,idle_timeout=9 actions=output:vm3"),
			0);
	CU_ASSERT_EQUAL(rule(&s, "priority=201,in_port=vm1 actions=drop")->action[0].type,
			SYD_FA_OUTPUT);
	CU_ASSERT_EQUAL(rule(&s, "priority=201,in_port=vm1 actions=drop")->idle_timeout, 9);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_MODIFY, "priority=201,in_port=vm1 actions=output:x"),
			-ENOENT);
	/* strict delete: that identity only */
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_DELETE_STRICT, "priority=1,in_port=vm1"), -ENOENT);
	CU_ASSERT_STRING_EQUAL(ferr, "delete_strict: no rule table=0,priority=1,in_port=vm1");
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_DELETE_STRICT, "priority=201,in_port=vm1"), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 2);
	CU_ASSERT_PTR_NULL(rule(&s, "priority=201,in_port=vm1 actions=drop"));
	state_free(&s);
}

static void test_flow_loose_delete(void)
{
	struct state s;

	state_init(&s);
	base(&s);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "priority=1,in_port=vm1,tcp,tp_dst=22 actions=drop"),
			0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "priority=2,in_port=vm1,tcp,tp_dst=80 actions=drop"),
			0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "table=2,in_port=vm1,tcp actions=drop"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "in_port=vm2,tcp,tp_dst=22 actions=drop"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "tcp,tp_dst=22 actions=drop"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "ip actions=drop"), 0);
	/* every field of the delete's match, with the same value; a rule without the field is
	 * not covered */
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_DELETE, "tcp,tp_dst=22"), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 3);
	CU_ASSERT_PTR_NOT_NULL(rule(&s, "priority=2,in_port=vm1,tcp,tp_dst=80 actions=drop"));
	CU_ASSERT_PTR_NOT_NULL(rule(&s, "table=2,in_port=vm1,tcp actions=drop"));
	CU_ASSERT_PTR_NOT_NULL(rule(&s, "ip actions=drop"));
	/* one table, or all */
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_DELETE, "table=0,in_port=vm1"), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 2);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_DELETE, "in_port=vm3"), 0); /* nothing: not an error */
	CU_ASSERT_EQUAL(state_nflows(&s), 2);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_DELETE, ""), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 0);
	state_free(&s);
}

static void test_flows_go_with_their_port_or_network(void)
{
	struct state s;

	state_init(&s);
	base(&s);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "in_port=vm1 actions=output:vm2"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "in_port=vm3 actions=output:vm1,output:vm2"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "network=red actions=normal"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "network=blue actions=normal"), 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_DEL, 0, "vm1", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 2); /* in_port=vm1, and output:vm1 */
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_DEL, 0, "vm3", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_NET_DEL, 0, "red", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 1);
	CU_ASSERT_PTR_NOT_NULL(rule(&s, "network=blue actions=drop"));
	/* attaching and detaching leave rules alone */
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_DETACH, 0, "vm2", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 1);
	state_free(&s);
}

/* A FLOW_MOD message of mods, checked as the switch checks it. */
static struct syd_flow_batch *flow_batch(struct proto_buf *b, const struct syd_flow_mod *m,
					 unsigned int n)
{
	char err[256];
	struct syd_hdr *h;
	unsigned int i;

	proto_flow_mod_begin(b, 0);
	for (i = 0; i < n; i++)
		CU_ASSERT_EQUAL_FATAL(proto_flow_mod_append(b, &m[i]), 0);
	h = proto_finish(b);
	CU_ASSERT_EQUAL_FATAL(proto_check(h, h->length, err, sizeof(err)), 0);
	return (struct syd_flow_batch *)(b->data + sizeof(*h));
}

static void test_flow_batch_all_or_nothing_and_undo(void)
{
	struct state s, before;
	struct state_undo u = {0};
	struct proto_buf b = {0};
	struct syd_flow_mod m[5];
	char err[256];

	state_init(&s);
	state_init(&before);
	base(&s);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "priority=5,in_port=vm1 actions=drop"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "priority=6,in_port=vm2 actions=drop"), 0);
	CU_ASSERT_EQUAL(fapply(&s, SYD_FC_ADD, "table=3,ip actions=normal"), 0);
	state_copy(&before, &s);
	/* add, replace, strict delete, loose delete, then a refusal: nothing sticks */
	m[0] = flow_mod_of(SYD_FC_ADD, "priority=7,in_port=vm3 actions=drop");
	m[1] = flow_mod_of(SYD_FC_ADD, "priority=5,in_port=vm1 actions=output:vm2");
	m[2] = flow_mod_of(SYD_FC_DELETE_STRICT, "priority=6,in_port=vm2");
	m[3] = flow_mod_of(SYD_FC_DELETE, "table=3");
	m[4] = flow_mod_of(SYD_FC_MODIFY, "priority=6,in_port=vm2 actions=flood");
	CU_ASSERT_EQUAL(state_apply_flow_batch(&s, flow_batch(&b, m, 5), err, sizeof(err)),
			-ENOENT);
	CU_ASSERT_STRING_EQUAL(err, "mod 4 (modify): no rule table=0,priority=6,in_port=vm2");
	CU_ASSERT_EQUAL(flow_diff_count(&before, &s), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&s, &before), 0);
	/* staged, then taken back: as before; staged, then kept: changed */
	CU_ASSERT_EQUAL(state_stage_flow_batch(&s, flow_batch(&b, m, 4), &u, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_nflows(&s), 2);
	state_undo(&s, &u);
	CU_ASSERT_EQUAL(flow_diff_count(&before, &s), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&s, &before), 0);
	CU_ASSERT_EQUAL(state_stage_flow_batch(&s, flow_batch(&b, m, 4), &u, err, sizeof(err)), 0);
	state_undo_keep(&u);
	CU_ASSERT_EQUAL(state_nflows(&s), 2);
	CU_ASSERT_EQUAL(rule(&s, "priority=5,in_port=vm1 actions=drop")->nactions, 1);
	CU_ASSERT_EQUAL(rule(&s, "priority=5,in_port=vm1 actions=drop")->action[0].type,
			SYD_FA_OUTPUT);
	/* the copy taken before shares no change */
	CU_ASSERT_EQUAL(state_nflows(&before), 3);
	CU_ASSERT_EQUAL(rule(&before, "priority=5,in_port=vm1 actions=drop")->action[0].type,
			SYD_FA_DROP);
	state_undo_free(&u);
	proto_buf_free(&b);
	state_free(&s);
	state_free(&before);
}

/* Flow diff messages, each checked and applied to a state (arg). */
static int apply_flow_msg(struct proto_buf *b, void *arg)
{
	struct syd_hdr *h = (struct syd_hdr *)b->data;
	char err[256];
	int ret = proto_check(h, h->length, err, sizeof(err));

	CU_ASSERT_EQUAL(ret, 0);
	if (ret == 0)
		ret = state_apply_flow_batch(arg, proto_body(h), err, sizeof(err));
	if (ret != 0)
		fprintf(stderr, "\n  flow diff refused: %s\n", err);
	return ret;
}

static int count_msg(struct proto_buf *b, void *arg)
{
	(void)b;
	(*(int *)arg)++;
	return 0;
}

static int flow_diff_count(const struct state *want, const struct state *have)
{
	int msgs = 0;

	return state_diff_flows(want, have, count_msg, &msgs);
}

/* Rules over the ports and networks s has, from a small universe so that states overlap. */
static void random_flows(struct state *s, unsigned int n)
{
	static const char *const matches[] = {"", "tcp,tp_dst=22", "tcp,tp_dst=80",
					      "dl_dst=02:00:00:00:00:01", "ip,nw_dst=10.0.0.0/8"};
	unsigned int i;

	for (i = 0; i < n; i++) {
		char text[300], match[120], actions[120];
		const char *port = s->nports ? s->port[rand() % s->nports].name : NULL;
		const char *port2 = s->nports ? s->port[rand() % s->nports].name : NULL;
		unsigned int table = (unsigned int)rand() % 3, k = (unsigned int)rand() % 5;

		snprintf(match, sizeof(match), "%s", matches[rand() % 5]);
		if (port && rand() % 2)
			snprintf(match + strlen(match), sizeof(match) - strlen(match),
				 "%sin_port=%s", match[0] ? "," : "", port);
		if (s->nnets && rand() % 4 == 0)
			snprintf(match + strlen(match), sizeof(match) - strlen(match),
				 "%snetwork=%s", match[0] ? "," : "",
				 s->net[rand() % s->nnets].name);
		if (k == 0 || port == NULL)
			snprintf(actions, sizeof(actions), "drop");
		else if (k == 1)
			snprintf(actions, sizeof(actions), "output:%s", port);
		else if (k == 2 && strcmp(port, port2) != 0)
			snprintf(actions, sizeof(actions), "output:%s,output:%s", port, port2);
		else if (k == 3 && table < 2)
			snprintf(actions, sizeof(actions), "push_vlan:%d,goto_table:2", rand() % 3);
		else
			snprintf(actions, sizeof(actions), "normal");
		snprintf(text, sizeof(text), "table=%u,priority=%d,cookie=%d,%s actions=%s", table,
			 100 * (rand() % 3), rand() % 2, match, actions);
		CU_ASSERT_EQUAL(fapply(s, SYD_FC_ADD, text), 0);
	}
}

static void test_flow_diff_applied_gives_want(void)
{
	struct state want, have, got;
	unsigned int seed, bad = 0;
	int mods = 0;

	state_init(&want);
	state_init(&have);
	state_init(&got);
	for (seed = 1; seed <= 500; seed++) {
		struct proto_buf b = {0};
		int n;

		state_clear(&want);
		state_clear(&have);
		random_state(&want, seed);
		random_flows(&want, 40);
		random_state(&have, seed * 7919);
		random_flows(&have, 40);
		/* networks and ports first (rules of deleted ports go with them), then rules */
		proto_begin(&b, SYD_MSG_BATCH, 0);
		CU_ASSERT_TRUE_FATAL(state_diff(&want, &have, &b) >= 0);
		state_copy(&got, &have);
		CU_ASSERT_EQUAL_FATAL(apply_buf(&got, &b), 0);
		proto_buf_free(&b);
		{
			struct state mid;

			state_init(&mid);
			state_copy(&mid, &got);
			n = state_diff_flows(&want, &mid, apply_flow_msg, &got);
			state_free(&mid);
		}
		mods += n;
		if (n < 0 || diff_count(&want, &got) != 0 || flow_diff_count(&want, &got) != 0 ||
		    flow_diff_count(&got, &want) != 0) {
			if (bad++ == 0)
				fprintf(stderr, "seed %u: the flow diff does not lead to want\n",
					seed);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_TRUE(mods > 500 * 20); /* the states really differ */
	state_free(&want);
	state_free(&have);
	state_free(&got);
}

/* n rules in s: priority i, in_port=vm1 (vm2 for every tenth) */
static void many_flows(struct state *s, unsigned int n)
{
	struct syd_flow_mod m = flow_mod_of(SYD_FC_ADD, "in_port=vm1,tcp actions=output:vm2");
	char err[256];
	unsigned int i;

	for (i = 0; i < n; i++) {
		m.flow.priority = (uint16_t)i;
		m.flow.match.l4_dst = (uint16_t)(i >> 16);
		m.flow.match.fields |= SYD_FM_L4_DST;
		m.flow.cookie = i;
		CU_ASSERT_EQUAL_FATAL(state_apply_flow_mod(s, &m, err, sizeof(err)), 0);
	}
}

static int check_msg_size(struct proto_buf *b, void *arg)
{
	struct syd_hdr *h = (struct syd_hdr *)b->data;
	char err[256];

	CU_ASSERT_EQUAL(proto_check(h, h->length, err, sizeof(err)), 0);
	(*(int *)arg)++;
	return 0;
}

static void test_flow_diff_of_many_rules(void)
{
	struct state want, have;
	char err[256];
	unsigned int i;
	int msgs = 0;

	state_init(&want);
	state_init(&have);
	base(&want);
	base(&have);
	many_flows(&want, 200000);
	CU_ASSERT_EQUAL(state_copy(&have, &want), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&want, &have), 0);
	/* 1000 changed, 1000 deleted, 1000 new */
	for (i = 0; i < 3000; i++) {
		struct syd_flow f;
		struct syd_flow_mod m = {.command = SYD_FC_ADD};

		flowset_rec_get(have.flows.rec[i * 50], &f);
		m.flow = f;
		if (i < 1000) {
			m.flow.cookie++;
		} else if (i < 2000) {
			m.command = SYD_FC_DELETE_STRICT;
			m.flow.cookie = 0;
			m.flow.nactions = 0;
			memset(m.flow.action, 0, sizeof(m.flow.action));
		} else {
			m.flow.table = 1;
		}
		CU_ASSERT_EQUAL_FATAL(state_apply_flow_mod(&have, &m, err, sizeof(err)), 0);
	}
	/* 1000 to change back, 1000 to add back, 1000 to delete: 3000 mods, 400 a message */
	CU_ASSERT_EQUAL(state_diff_flows(&want, &have, check_msg_size, &msgs), 3000);
	CU_ASSERT_EQUAL(msgs, 8);
	state_free(&want);
	state_free(&have);
}

static void test_save_and_load_with_flows(void)
{
	char path[] = "/tmp/syd-state-XXXXXX", err[256];
	struct state a, b;
	struct proto_buf buf = {0};
	struct syd_flow_mod m[2];
	uint64_t appended = 0;
	struct stat st;
	off_t size;
	int fd = mkstemp(path);

	close(fd);
	state_init(&a);
	state_init(&b);
	base(&a);
	many_flows(&a, 1000); /* three FLOW_MOD records */
	CU_ASSERT_EQUAL(state_save(&a, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_nflows(&b), 1000);
	CU_ASSERT_EQUAL(diff_count(&a, &b), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&a, &b), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&b, &a), 0);
	/* a change appended to the file, and replayed */
	m[0] = flow_mod_of(SYD_FC_DELETE, "tcp");
	m[1] = flow_mod_of(SYD_FC_ADD, "priority=3,in_port=vm2 actions=output:vm1");
	CU_ASSERT_EQUAL(state_apply_flow_batch(&a, flow_batch(&buf, m, 2), err, sizeof(err)), 0);
	stat(path, &st);
	size = st.st_size;
	CU_ASSERT_EQUAL(state_save_change(&a, path, (struct syd_hdr *)buf.data, &appended, err,
					  sizeof(err)),
			0);
	CU_ASSERT_EQUAL(appended, buf.len);
	stat(path, &st);
	CU_ASSERT_EQUAL(st.st_size, size + (off_t)buf.len); /* appended, not rewritten */
	state_clear(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_nflows(&b), 1);
	CU_ASSERT_EQUAL(flow_diff_count(&a, &b), 0);
	/* an append torn by a crash: dropped, the state is the one before it */
	CU_ASSERT_EQUAL(truncate(path, size + (off_t)buf.len - 100), 0);
	state_clear(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_nflows(&b), 1000);
	/* but a file cut inside its first record is damaged */
	CU_ASSERT_EQUAL(truncate(path, 100), 0);
	state_clear(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "cut short"));
	/* past the budget (the rules' size), the file is written whole again */
	appended = 100u << 20;
	CU_ASSERT_EQUAL(state_save_change(&a, path, (struct syd_hdr *)buf.data, &appended, err,
					  sizeof(err)),
			0);
	CU_ASSERT_EQUAL(appended, 0);
	state_clear(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&a, &b), 0);
	CU_ASSERT_EQUAL(diff_count(&a, &b), 0);
	/* no file yet: saved whole */
	unlink(path);
	appended = 0;
	CU_ASSERT_EQUAL(state_save_change(&a, path, (struct syd_hdr *)buf.data, &appended, err,
					  sizeof(err)),
			0);
	state_clear(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&a, &b), 0);
	CU_ASSERT_EQUAL(b.nports, 3);
	unlink(path);
	proto_buf_free(&buf);
	state_free(&a);
	state_free(&b);
}

/* A version-3 FLOW_MOD record: every mod with all SYD_FLOW_ACTIONS action slots. */
struct v3_record {
	struct syd_hdr h;
	struct syd_flow_batch head;
	struct syd_flow_mod mod[2];
};

/* path: a of version 4, then the record r written after it. */
static void write_with_v3_record(const struct state *a, const char *path, const struct v3_record *r)
{
	char err[256];
	int fd;

	CU_ASSERT_EQUAL_FATAL(state_save(a, path, err, sizeof(err)), 0);
	fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT_EQUAL(write(fd, r, sizeof(*r)), (ssize_t)sizeof(*r));
	close(fd);
}

/* A state file of a version-3 syd-control (FLOW_MOD records of 560-byte mods) loads into
 * the same rules, and one that is wrong for version 3 is damaged. */
static void test_version_3_flow_records_load(void)
{
	char path[] = "/tmp/syd-state-XXXXXX", err[256];
	struct v3_record r;
	struct state a, b;
	int fd = mkstemp(path);

	close(fd);
	state_init(&a);
	state_init(&b);
	base(&a);
	memset(&r, 0, sizeof(r));
	r.h.version = 3;
	r.h.type = SYD_MSG_FLOW_MOD;
	r.h.length = sizeof(r);
	r.head.count = 2;
	r.mod[0] = flow_mod_of(SYD_FC_ADD, "priority=9,in_port=vm1 actions=output:vm2,output:vm3");
	r.mod[1] = flow_mod_of(SYD_FC_ADD, "table=2,udp,tp_dst=53 actions=drop");
	write_with_v3_record(&a, path, &r);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_apply_flow_mod(&a, &r.mod[0], err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_apply_flow_mod(&a, &r.mod[1], err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_nflows(&b), 2);
	CU_ASSERT_EQUAL(flow_diff_count(&a, &b), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&b, &a), 0);
	/* saved again, in version 4: the same rules, in less room */
	CU_ASSERT_EQUAL(state_save(&b, path, err, sizeof(err)), 0);
	state_clear(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&a, &b), 0);
	/* more mods than the record carries, or a mod with 9 actions: damaged */
	state_clear(&a);
	base(&a);
	r.head.count = 3;
	write_with_v3_record(&a, path, &r);
	state_clear(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(
		strstr(err, "damaged: a version-3 FLOW_MOD of 3 mods in 1144 bytes"));
	r.head.count = 2;
	r.mod[1].flow.nactions = SYD_FLOW_ACTIONS + 1;
	write_with_v3_record(&a, path, &r);
	state_clear(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), -EBADMSG);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "damaged: mod 1: 9 actions"));
	unlink(path);
	state_free(&a);
	state_free(&b);
}

/* A state file of a version-4 syd-control (its records as today's but for the header's
 * version) loads into the same networks, ports and rules. */
static void test_version_4_records_load(void)
{
	char path[] = "/tmp/syd-state-XXXXXX", err[256];
	struct state a, b;
	struct syd_hdr h;
	int fd = mkstemp(path);
	off_t at = 0;
	int records = 0;

	close(fd);
	state_init(&a);
	state_init(&b);
	base(&a);
	CU_ASSERT_EQUAL(fapply(&a, SYD_FC_ADD, "priority=9,udp,tp_dst=53 actions=drop"), 0);
	CU_ASSERT_EQUAL_FATAL(state_save(&a, path, err, sizeof(err)), 0);
	fd = open(path, O_RDWR);
	while (pread(fd, &h, sizeof(h), at) == (ssize_t)sizeof(h)) {
		h.version = 4;
		CU_ASSERT_EQUAL(pwrite(fd, &h, sizeof(h), at), (ssize_t)sizeof(h));
		at += h.length;
		records++;
	}
	close(fd);
	CU_ASSERT(records >= 2); /* the ports' BATCH and a FLOW_MOD */
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_nflows(&b), 1);
	CU_ASSERT_EQUAL(flow_diff_count(&a, &b), 0);
	CU_ASSERT_EQUAL(flow_diff_count(&b, &a), 0);
	{ /* and nothing to change in networks and ports */
		struct proto_buf pb = {0};

		proto_begin(&pb, SYD_MSG_BATCH, 0);
		CU_ASSERT_EQUAL(state_diff(&a, &b, &pb), 0);
		proto_buf_free(&pb);
	}
	unlink(path);
	state_free(&a);
	state_free(&b);
}

static void test_flows_from_a_dump_and_idle_ones_forgotten(void)
{
	struct state want, have;
	struct proto_buf b = {0};
	struct syd_flow_stats e[2];

	state_init(&want);
	state_init(&have);
	base(&want);
	CU_ASSERT_EQUAL(fapply(&want, SYD_FC_ADD, "priority=1,idle_timeout=10 actions=drop"), 0);
	CU_ASSERT_EQUAL(fapply(&want, SYD_FC_ADD, "priority=2,idle_timeout=10 actions=drop"), 0);
	CU_ASSERT_EQUAL(fapply(&want, SYD_FC_ADD, "priority=3 actions=drop"), 0);
	memset(e, 0, sizeof(e));
	e[0].flow = flow_mod_of(SYD_FC_ADD, "priority=1,idle_timeout=10 actions=drop").flow;
	e[0].packets = 5;
	e[1].flow = flow_mod_of(SYD_FC_ADD, "priority=9 actions=normal").flow;
	proto_begin(&b, SYD_MSG_FLOWS, 0);
	proto_append(&b, &e[0], SYD_FLOW_STATS_SIZE(e[0].flow.nactions));
	proto_append(&b, &e[1], SYD_FLOW_STATS_SIZE(e[1].flow.nactions));
	CU_ASSERT_EQUAL(state_add_dump(&have, proto_finish(&b)), 0);
	CU_ASSERT_EQUAL(state_nflows(&have), 2);
	/* priority=2 idled out in the dataplane: forgotten; priority=3 has no timeout: kept */
	CU_ASSERT_EQUAL(state_forget_idle_flows(&want, &have), 1);
	CU_ASSERT_EQUAL(state_nflows(&want), 2);
	CU_ASSERT_PTR_NULL(rule(&want, "priority=2 actions=drop"));
	CU_ASSERT_PTR_NOT_NULL(rule(&want, "priority=3 actions=drop"));
	state_clear(&have);
	CU_ASSERT_EQUAL(state_nflows(&have), 0);
	proto_buf_free(&b);
	state_free(&want);
	state_free(&have);
}

/* The flow set against a plain array of presence flags, through random inserts, takes,
 * replaces and copies: every identity is found exactly when the oracle has it. */
static void test_flowset_against_an_oracle(void)
{
	enum { IDS = 700 };
	static bool in[IDS];
	struct flowset s = {0}, c = {0};
	struct syd_flow f;
	unsigned int step, id, bad = 0;

	memset(&f, 0, sizeof(f));
	srand(42);
	for (step = 0; step < 40000; step++) {
		long i;

		id = (unsigned int)rand() % IDS;
		f.priority = (uint16_t)id;
		f.table = (uint8_t)(id % 3); /* identities differ by table as well */
		i = flowset_find(&s, &f);
		if ((i >= 0) != in[id])
			bad++;
		if (i < 0) {
			struct flow_rec *r = flowset_rec_new(&f);

			CU_ASSERT_EQUAL_FATAL(flowset_insert(&s, r), 0);
			in[id] = true;
		} else if (rand() % 3) {
			flowset_rec_put(flowset_take(&s, (size_t)i));
			in[id] = false;
		} else {
			f.cookie = step;
			flowset_rec_put(flowset_replace(&s, (size_t)i, flowset_rec_new(&f)));
			f.cookie = 0;
		}
		if (step % 997 == 0) {
			unsigned int n = 0;

			CU_ASSERT_EQUAL(flowset_copy(&c, &s), 0);
			for (id = 0; id < IDS; id++) {
				long j;

				f.priority = (uint16_t)id;
				f.table = (uint8_t)(id % 3);
				j = flowset_find(&c, &f);
				n += in[id];
				if ((j >= 0) != in[id] ||
				    (j >= 0 && !flowset_same_identity(&c.rec[j]->flow, &f)))
					bad++;
			}
			CU_ASSERT_EQUAL(c.n, n);
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	flowset_free(&c);
	flowset_free(&s); /* ASan: every record freed once */
}

int main(void)
{
	CU_pSuite s;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("state_flow", NULL, NULL);
	CU_add_test(s, "flowset_against_an_oracle", test_flowset_against_an_oracle);
	CU_add_test(s, "flow_add_modify_delete", test_flow_add_modify_delete);
	CU_add_test(s, "flow_loose_delete", test_flow_loose_delete);
	CU_add_test(s, "flows_go_with_their_port_or_network",
		    test_flows_go_with_their_port_or_network);
	CU_add_test(s, "flow_batch_all_or_nothing_and_undo",
		    test_flow_batch_all_or_nothing_and_undo);
	CU_add_test(s, "flow_diff_applied_gives_want", test_flow_diff_applied_gives_want);
	CU_add_test(s, "flow_diff_of_many_rules", test_flow_diff_of_many_rules);
	CU_add_test(s, "save_and_load_with_flows", test_save_and_load_with_flows);
	CU_add_test(s, "version_3_flow_records_load", test_version_3_flow_records_load);
	CU_add_test(s, "version_4_records_load", test_version_4_records_load);
	CU_add_test(s, "flows_from_a_dump_and_idle_ones_forgotten",
		    test_flows_from_a_dump_and_idle_ones_forgotten);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow tables, the writer's side (flows.h): rules compiled from the wire's struct syd_flow
 * into the classifier, FLOW_MOD batches applied all or nothing, rules going with their
 * ports and networks, idle timeouts.  Main lcore only.
 *
 * A rule with an encap holds a reference on its remote VTEP's slot (tunnel_vtep_get), so
 * the slot's address cannot change under it.  A batch journals the references it took
 * (given back if it aborts) and the ones its removed rules held (given back only once the
 * commit's grace period is over and no worker can still run those rules).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "dataplane.h"
#include "flows.h"
#include "flows_priv.h"
#include "log.h"
#include "proto_flow.h"

static void synchronize(void *arg)
{
	rte_rcu_qsbr_synchronize(arg, RTE_QSBR_THRID_INVALID);
}

int flows_init(struct dataplane *dp)
{
	struct cls_params p = {.workers = dp->nworkers, .synchronize = synchronize,
			       .sync_arg = dp->qs};
	struct flow_state *fs = calloc(1, sizeof(*fs));
	unsigned int i;

	if (fs == NULL)
		return -ENOMEM;
	dp->flows = fs;
	fs->cls = cls_create(&p);
	if (fs->cls == NULL)
		return -ENOMEM;
	for (i = 0; i < dp->nworkers; i++) {
		dp->worker[i]->emc = cls_emc_create(fs->cls, i);
		if (dp->worker[i]->emc == NULL)
			return -ENOMEM;
	}
	return 0;
}

void flows_fini(struct dataplane *dp)
{
	struct flow_state *fs = dp->flows;
	unsigned int i;

	if (fs == NULL)
		return;
	for (i = 0; i < dp->nworkers; i++) {
		if (dp->worker[i] != NULL) {
			cls_emc_destroy(dp->worker[i]->emc);
			dp->worker[i]->emc = NULL;
		}
	}
	cls_destroy(fs->cls);
	free(fs->get.slot);
	free(fs->put.slot);
	free(fs);
	dp->flows = NULL;
}

const struct classifier *flows_live(const struct dataplane *dp)
{
	return dp->flows != NULL && dp->flows->nlive > 0 ? dp->flows->cls : NULL;
}

unsigned int flows_count(const struct dataplane *dp)
{
	return dp->flows ? cls_count(dp->flows->cls) : 0;
}

size_t flows_memory(const struct dataplane *dp)
{
	return dp->flows ? cls_memory(dp->flows->cls) : 0;
}

/* ---- the journal of VTEP references ---- */

static int slots_push(struct slot_list *l, int slot)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		int *p = realloc(l->slot, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		l->slot = p;
		l->cap = cap;
	}
	l->slot[l->n++] = slot;
	return 0;
}

/* The references a rule held go back once its removal is committed. */
static int journal_puts(struct flow_state *fs, const struct cls_rule *r)
{
	const struct flow_acts *fa = cls_rule_actions(r);
	unsigned int k;

	for (k = 0; k < fa->n; k++)
		if ((fa->a[k].op & FLOW_ACT_TYPE) == SYD_FA_ENCAP &&
		    slots_push(&fs->put, fa->a[k].arg8) < 0)
			return -ENOMEM;
	return 0;
}

/* After a commit: give back the removed rules' references. */
static void journal_done(struct dataplane *dp)
{
	struct flow_state *fs = dp->flows;
	size_t i;

	for (i = 0; i < fs->put.n; i++)
		tunnel_vtep_put(dp, fs->put.slot[i]);
	fs->put.n = 0;
	fs->get.n = 0;
}

/* After an abort: give back the references the batch took. */
static void journal_undo(struct dataplane *dp)
{
	struct flow_state *fs = dp->flows;
	size_t i;

	for (i = 0; i < fs->get.n; i++)
		tunnel_vtep_put(dp, fs->get.slot[i]);
	fs->get.n = 0;
	fs->put.n = 0;
}

/* ---- compiling a rule ---- */

static int compile_match(const struct dataplane *dp, const struct syd_flow_match *fm,
			 struct cls_match *m, char *err, size_t errlen)
{
	uint32_t f = fm->fields;
	int i;

	memset(m, 0, sizeof(*m));
	if (f & SYD_FM_IN_PORT) {
		i = dataplane_port_find(dp, fm->in_port);
		if (i < 0)
			return syd_fail(err, errlen, -ENOENT, "in_port: no port named '%s'",
				    fm->in_port);
		cls_match_in_port(m, (uint16_t)i);
	}
	if (f & SYD_FM_NETWORK) {
		i = dataplane_network_find(dp, fm->network);
		if (i < 0)
			return syd_fail(err, errlen, -ENOENT, "network: no network named '%s'",
				    fm->network);
		cls_match_network(m, (uint16_t)i);
	}
	if (f & SYD_FM_ETH_SRC)
		cls_match_eth_src(m, (const struct rte_ether_addr *)fm->eth_src,
				  (const struct rte_ether_addr *)fm->eth_src_mask);
	if (f & SYD_FM_ETH_DST)
		cls_match_eth_dst(m, (const struct rte_ether_addr *)fm->eth_dst,
				  (const struct rte_ether_addr *)fm->eth_dst_mask);
	if ((f & SYD_FM_VLAN) && fm->vlan == 0xffff)
		cls_match_untagged(m);
	else if (f & SYD_FM_VLAN)
		cls_match_vlan(m, fm->vlan);
	if (f & SYD_FM_ETHERTYPE)
		cls_match_ethertype(m, fm->ethertype);
	if (f & SYD_FM_IP_SRC)
		cls_match_ip_src(m, fm->ip_src, fm->ip_src_len);
	if (f & SYD_FM_IP_DST)
		cls_match_ip_dst(m, fm->ip_dst, fm->ip_dst_len);
	if (f & SYD_FM_IP_PROTO)
		cls_match_ip_proto(m, fm->ip_proto);
	if (f & SYD_FM_L4_SRC)
		cls_match_l4_src(m, fm->l4_src);
	if (f & SYD_FM_L4_DST)
		cls_match_l4_dst(m, fm->l4_dst);
	if (f & SYD_FM_VNI)
		cls_match_vni(m, fm->vni);
	if (f & SYD_FM_TUN_REMOTE)
		cls_match_tun_remote(m, fm->tun_remote);
	return 0;
}

static bool sends(uint16_t type)
{
	return type == SYD_FA_OUTPUT || type == SYD_FA_NORMAL || type == SYD_FA_FLOOD ||
	       type == SYD_FA_ENCAP;
}

/* f's actions into fa (room for SYD_FLOW_ACTIONS); encap references are journaled. */
static int compile_actions(struct dataplane *dp, const struct syd_flow *f, struct flow_acts *fa,
			   char *err, size_t errlen)
{
	int last_send = -1, k, i;

	/* The last action that sends gets the packet itself, unless a goto_table follows:
	 * then the later tables do. */
	for (k = 0; k < f->nactions; k++)
		if (sends(f->action[k].type))
			last_send = k;
	if (f->nactions > 0 && f->action[f->nactions - 1].type == SYD_FA_GOTO_TABLE)
		last_send = -1;
	fa->n = f->nactions;
	for (k = 0; k < f->nactions; k++) {
		const struct syd_flow_action *s = &f->action[k];
		struct flow_act *a = &fa->a[k];

		memset(a, 0, sizeof(*a));
		a->op = (uint8_t)s->type;
		if (sends(s->type) && k != last_send)
			a->op |= FLOW_ACT_COPY;
		switch (s->type) {
		case SYD_FA_OUTPUT:
			i = dataplane_port_find(dp, s->port);
			if (i < 0)
				return syd_fail(err, errlen, -ENOENT,
					    "action %d (output): no port named '%s'", k, s->port);
			a->arg = (uint16_t)i;
			break;
		case SYD_FA_ENCAP:
			i = tunnel_vtep_get(dp, s->addr);
			if (i < 0)
				return syd_fail(err, errlen, -ENOSPC,
					    "action %d (encap): no room for another remote VTEP "
					    "(%d at most)",
					    k, SYD_MAX_VTEPS);
			if (slots_push(&dp->flows->get, i) < 0) {
				tunnel_vtep_put(dp, i);
				return syd_fail(err, errlen, -ENOMEM, "out of memory");
			}
			a->arg8 = (uint8_t)i;
			a->vni = s->vni;
			break;
		case SYD_FA_PUSH_VLAN:
		case SYD_FA_SET_VLAN:
			a->arg = s->vlan;
			break;
		case SYD_FA_SET_ETH_SRC:
		case SYD_FA_SET_ETH_DST:
			memcpy((uint8_t *)a + 2, s->mac, 6);
			break;
		case SYD_FA_GOTO_TABLE:
			a->arg8 = s->table;
			break;
		default:
			break;
		}
	}
	return 0;
}

/* ---- applying mods ---- */

static int rule_delete(struct flow_state *fs, const struct cls_rule *r)
{
	if (journal_puts(fs, r) < 0)
		return -ENOMEM;
	return cls_rule_delete(fs->cls, r);
}

struct loose {
	const struct dataplane *dp;
	const struct syd_flow *d;
	struct syd_flow_match dm;
	int ret;
};

static int delete_covered(const struct cls_rule *r, void *arg)
{
	struct loose *l = arg;
	struct syd_flow rf;

	if (l->dm.fields != 0) {
		flows_decompile(l->dp, r, &rf);
		if (!proto_flow_covers(l->d, &l->dm, &rf))
			return 0;
	}
	l->ret = rule_delete(l->dp->flows, r);
	return l->ret;
}

/* One mod into the staged version.  @return 0 or -errno with why. */
static int apply(struct dataplane *dp, const struct syd_flow_mod *md, char *why, size_t len)
{
	struct flow_state *fs = dp->flows;
	const struct syd_flow *f = &md->flow;
	uint64_t buf[(sizeof(struct flow_acts) + SYD_FLOW_ACTIONS * sizeof(struct flow_act)) / 8];
	struct flow_acts *fa = (struct flow_acts *)buf;
	struct cls_rule_spec spec = {0};
	const struct cls_rule *old;
	int ret;

	if (md->command == SYD_FC_DELETE) {
		struct loose l = {.dp = dp, .d = f};

		proto_flow_delete_match(f, &l.dm);
		ret = cls_walk(fs->cls, f->table == SYD_FLOW_TABLE_ANY ? -1 : f->table,
			       delete_covered, &l);
		return ret < 0 ? syd_fail(why, len, ret, "out of memory") : 0;
	}
	ret = compile_match(dp, &f->match, &spec.match, why, len);
	if (ret < 0 && md->command != SYD_FC_ADD)
		return syd_fail(why, len, -ENOENT, "no such rule (%s)", why);
	if (ret < 0)
		return ret;
	old = cls_rule_find(fs->cls, f->table, f->priority, &spec.match);
	if (old == NULL && md->command != SYD_FC_ADD)
		return syd_fail(why, len, -ENOENT, "no rule with that table, priority and match");
	if (md->command == SYD_FC_DELETE_STRICT)
		return rule_delete(fs, old) < 0 ? syd_fail(why, len, -ENOMEM, "out of memory") : 0;
	ret = compile_actions(dp, f, fa, why, len);
	if (ret < 0)
		return ret;
	fa->added_s = old ? ((const struct flow_acts *)cls_rule_actions(old))->added_s
			  : dp->now_s;
	spec.priority = f->priority;
	spec.table = f->table;
	spec.idle_timeout_s = f->idle_timeout;
	spec.cookie = f->cookie;
	spec.actions = fa;
	spec.actions_len = (uint16_t)(sizeof(*fa) + fa->n * sizeof(fa->a[0]));
	spec.hint = flow_hint(fa);
	if (old != NULL && journal_puts(fs, old) < 0)
		return syd_fail(why, len, -ENOMEM, "out of memory");
	if (md->command == SYD_FC_MODIFY)
		ret = cls_rule_modify(fs->cls, old, &spec, NULL);
	else
		ret = cls_rule_add(fs->cls, &spec, NULL);
	if (ret == -ENOSPC)
		return syd_fail(why, len, ret, "the flow tables are full (%u rules)", CLS_MAX_RULES);
	return ret < 0 ? syd_fail(why, len, ret, "%s", strerror(-ret)) : 0;
}

/* Publish the staged version; then the topology when rules came or went. */
static int commit(struct dataplane *dp)
{
	struct flow_state *fs = dp->flows;
	bool had = fs->nlive > 0;
	int ret = cls_commit(fs->cls);

	if (ret < 0)
		return ret;
	fs->nlive = cls_count(fs->cls);
	journal_done(dp);
	if (had != (fs->nlive > 0))
		dataplane_publish(dp);
	return 0;
}

int flows_mod(struct dataplane *dp, const struct syd_flow_batch *b, char *err, size_t errlen)
{
	struct flow_state *fs = dp->flows;
	char why[SYD_PROTO_TEXT_MAX - 64];
	struct proto_flow_iter it;
	struct syd_flow_mod m;
	uint32_t i;
	int ret;

	proto_flow_iter_init(&it, b);
	for (i = 0; proto_flow_iter_next(&it, &m); i++) {
		ret = apply(dp, &m, why, sizeof(why));
		if (ret < 0) {
			cls_abort(fs->cls);
			journal_undo(dp);
			return syd_fail(err, errlen, ret, "mod %u (%s): %s", i,
					proto_flow_command_name(m.command), why);
		}
	}
	ret = commit(dp);
	if (ret < 0) {
		cls_abort(fs->cls);
		journal_undo(dp);
		return syd_fail(err, errlen, ret, "out of memory to publish the rules");
	}
	return 0;
}

/* ---- rules going with their ports and networks ---- */

struct forget {
	struct flow_state *fs;
	int port; /* or -1 */
	int net;  /* or -1 */
};

static int forget_rule(const struct cls_rule *r, void *arg)
{
	const struct forget *g = arg;
	const struct flow_acts *fa = cls_rule_actions(r);
	struct cls_match m;
	bool names = false;
	unsigned int k;

	cls_rule_match(r, &m);
	if (g->port >= 0) {
		names = m.mask.in_port && m.key.in_port == g->port;
		for (k = 0; k < fa->n && !names; k++)
			names = (fa->a[k].op & FLOW_ACT_TYPE) == SYD_FA_OUTPUT &&
				fa->a[k].arg == g->port;
	} else {
		names = m.mask.network && m.key.network == g->net;
	}
	if (names && rule_delete(g->fs, r) < 0)
		DP_LOG(ERR, "flows: out of memory deleting a rule of a deleted port/network");
	return 0;
}

void flows_forget_port(struct dataplane *dp, unsigned int port)
{
	struct forget g = {.fs = dp->flows, .port = (int)port, .net = -1};

	cls_walk(dp->flows->cls, -1, forget_rule, &g);
}

void flows_forget_network(struct dataplane *dp, unsigned int net)
{
	struct forget g = {.fs = dp->flows, .port = -1, .net = (int)net};

	cls_walk(dp->flows->cls, -1, forget_rule, &g);
}

void flows_commit(struct dataplane *dp)
{
	unsigned int before = dp->flows->nlive;

	if (commit(dp) < 0) {
		DP_LOG(ERR, "flows: out of memory publishing rule deletions; retried each second");
		dp->flows->retry = true;
		return;
	}
	if (before > dp->flows->nlive)
		DP_LOG(INFO, "flows: %u rules went with their port or network",
		       before - dp->flows->nlive);
}

/* ---- idle timeouts ---- */

static void expired(const struct cls_rule *r, void *arg)
{
	struct flow_state *fs = arg;

	if (journal_puts(fs, r) < 0)
		DP_LOG(ERR, "flows: out of memory: a VTEP reference is not given back");
}

void flows_sweep(struct dataplane *dp, uint32_t now_s)
{
	struct flow_state *fs = dp->flows;
	unsigned int n;

	n = cls_sweep(fs->cls, now_s, expired, fs);
	if (n > 0 || fs->retry) {
		fs->retry = false;
		if (commit(dp) < 0) {
			fs->retry = true;
			return;
		}
		if (n > 0)
			DP_LOG(INFO, "flows: %u rules idled out", n);
	}
}

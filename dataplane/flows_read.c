/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow tables, read by people (flows.h): rules back into the wire's form for DUMP_FLOWS,
 * and FLOW_TRACE, which walks a described packet through the tables the way a worker
 * would, without sending or counting anything.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>

#include "dataplane.h"
#include "flows.h"
#include "flows_priv.h"

static void name_copy(char *dst, const char *src)
{
	memset(dst, 0, SYD_PROTO_NAME_LEN);
	snprintf(dst, SYD_PROTO_NAME_LEN, "%s", src);
}

static bool nonzero(const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n--)
		if (*b++)
			return true;
	return false;
}

static void decompile_match(const struct dataplane *dp, const struct cls_match *m,
			    struct syd_flow_match *fm)
{
	const struct cls_key *k = &m->key, *mk = &m->mask;

	if (mk->in_port) {
		fm->fields |= SYD_FM_IN_PORT;
		name_copy(fm->in_port, k->in_port < SYD_MAX_PORTS ? dp->port[k->in_port].name : "?");
	}
	if (mk->network) {
		fm->fields |= SYD_FM_NETWORK;
		name_copy(fm->network, k->network < SYD_MAX_NETWORKS ? dp->net[k->network].name : "?");
	}
	if (nonzero(&mk->eth_src, 6)) {
		fm->fields |= SYD_FM_ETH_SRC;
		memcpy(fm->eth_src, &k->eth_src, 6);
		memcpy(fm->eth_src_mask, &mk->eth_src, 6);
	}
	if (nonzero(&mk->eth_dst, 6)) {
		fm->fields |= SYD_FM_ETH_DST;
		memcpy(fm->eth_dst, &k->eth_dst, 6);
		memcpy(fm->eth_dst_mask, &mk->eth_dst, 6);
	}
	if (mk->vlan) {
		fm->fields |= SYD_FM_VLAN;
		fm->vlan = (k->vlan & CLS_VLAN_PRESENT) ? (uint16_t)(k->vlan & 0xfff) : 0xffff;
	}
	if (mk->ethertype) {
		fm->fields |= SYD_FM_ETHERTYPE;
		fm->ethertype = k->ethertype;
	}
	if (mk->ip_src) {
		fm->fields |= SYD_FM_IP_SRC;
		fm->ip_src = k->ip_src;
		fm->ip_src_len = (uint8_t)__builtin_popcount(mk->ip_src);
	}
	if (mk->ip_dst) {
		fm->fields |= SYD_FM_IP_DST;
		fm->ip_dst = k->ip_dst;
		fm->ip_dst_len = (uint8_t)__builtin_popcount(mk->ip_dst);
	}
	if (mk->ip_proto) {
		fm->fields |= SYD_FM_IP_PROTO;
		fm->ip_proto = k->ip_proto;
	}
	if (mk->l4_src) {
		fm->fields |= SYD_FM_L4_SRC;
		fm->l4_src = k->l4_src;
	}
	if (mk->l4_dst) {
		fm->fields |= SYD_FM_L4_DST;
		fm->l4_dst = k->l4_dst;
	}
	if (mk->vni) {
		fm->fields |= SYD_FM_VNI;
		fm->vni = k->vni;
	}
	if (mk->tun_remote) {
		fm->fields |= SYD_FM_TUN_REMOTE;
		fm->tun_remote = k->tun_remote;
	}
}

void flows_decompile(const struct dataplane *dp, const struct cls_rule *r, struct syd_flow *f)
{
	const struct flow_acts *fa = cls_rule_actions(r);
	struct cls_match m;
	unsigned int k;

	memset(f, 0, sizeof(*f));
	f->cookie = cls_rule_cookie(r);
	f->priority = (uint16_t)cls_rule_priority(r);
	f->table = cls_rule_table(r);
	f->idle_timeout = cls_rule_idle_timeout(r);
	cls_rule_match(r, &m);
	decompile_match(dp, &m, &f->match);
	f->nactions = fa->n;
	for (k = 0; k < fa->n && k < SYD_FLOW_ACTIONS; k++) {
		const struct flow_act *a = &fa->a[k];
		struct syd_flow_action *s = &f->action[k];

		s->type = a->op & FLOW_ACT_TYPE;
		switch (s->type) {
		case SYD_FA_OUTPUT:
			name_copy(s->port, a->arg < SYD_MAX_PORTS ? dp->port[a->arg].name : "?");
			break;
		case SYD_FA_ENCAP:
			s->addr = dp->vtep[a->arg8].addr;
			s->vni = a->vni;
			break;
		case SYD_FA_PUSH_VLAN:
		case SYD_FA_SET_VLAN:
			s->vlan = a->arg;
			break;
		case SYD_FA_SET_ETH_SRC:
		case SYD_FA_SET_ETH_DST:
			memcpy(s->mac, flow_act_mac(a), 6);
			break;
		case SYD_FA_GOTO_TABLE:
			s->table = a->arg8;
			break;
		default:
			break;
		}
	}
}

/* ---- DUMP_FLOWS ---- */

struct dump_ctx {
	const struct dataplane *dp;
	int (*emit)(const struct syd_flow_stats *e, void *arg);
	void *arg;
};

static int dump_rule(const struct cls_rule *r, void *arg)
{
	const struct dump_ctx *d = arg;
	const struct flow_acts *fa = cls_rule_actions(r);
	uint32_t now = d->dp->now_s;
	struct syd_flow_stats e;
	struct cls_rule_stats st;

	memset(&e, 0, sizeof(e)); /* the padding after its actions goes out: zero */
	flows_decompile(d->dp, r, &e.flow);
	cls_rule_stats(d->dp->flows->cls, r, &st);
	e.packets = st.packets;
	e.bytes = st.bytes;
	e.age_s = now >= fa->added_s ? now - fa->added_s : 0;
	e.idle_s = st.used_s && now >= st.used_s ? now - st.used_s : e.age_s;
	return d->emit(&e, d->arg);
}

int flows_dump(const struct dataplane *dp, int (*emit)(const struct syd_flow_stats *e, void *arg),
	       void *arg)
{
	struct dump_ctx d = {.dp = dp, .emit = emit, .arg = arg};
	int t, ret = 0;

	for (t = 0; t < CLS_TABLES && ret == 0; t++)
		ret = cls_walk(dp->flows->cls, t, dump_rule, &d);
	return ret;
}

/* ---- FLOW_TRACE ---- */

struct trace_ctx {
	const struct dataplane *dp;
	uint16_t in_port;
	uint16_t network;
	struct cls_key key;
	char out[sizeof(((struct syd_flow_step *)0)->what)]; /* the outcome, so far */
};

static void say(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Append a clause to buf ("; " between clauses), truncating quietly. */
static void say(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n > 0 && n + 2 < len) {
		memcpy(buf + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

static const char *port_name(const struct dataplane *dp, unsigned int port)
{
	return port < SYD_MAX_PORTS && dp->port[port].open ? dp->port[port].name : "(gone)";
}

static const char *net_name(const struct dataplane *dp, uint16_t net)
{
	return net < SYD_MAX_NETWORKS && dp->net[net].used ? dp->net[net].name : "(none)";
}

static void addr_text(uint32_t a, char *buf, size_t len)
{
	const uint8_t *b = (const uint8_t *)&a;

	snprintf(buf, len, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
}

/* What the L2 switch would do with the packet as it is now. */
static void trace_normal(struct trace_ctx *c, char *buf, size_t len, const char *who)
{
	const struct dataplane *dp = c->dp;
	const struct mac_slot *s;
	uint32_t port;
	char a[16];

	if (c->network == SYD_NO_NETWORK) {
		say(buf, len, "%s: dropped (no_network: %s is in no network)", who,
		    port_name(dp, c->in_port));
		return;
	}
	if (rte_is_multicast_ether_addr(&c->key.eth_dst)) {
		say(buf, len, "%s: flood in network %s (multicast destination)", who,
		    net_name(dp, c->network));
		return;
	}
	s = mac_table_find(dp->macs, mac_table_key(c->network, &c->key.eth_dst));
	if (s == NULL) {
		say(buf, len, "%s: flood in network %s (destination not learned)", who,
		    net_name(dp, c->network));
		return;
	}
	port = mac_slot_port(s);
	if (port >= SYD_VTEP_PORT_BASE) {
		addr_text(dp->vtep[port - SYD_VTEP_PORT_BASE].addr, a, sizeof(a));
		say(buf, len, "%s: to VTEP %s (learned), VXLAN VNI %u", who, a,
		    dp->net[c->network].vni);
	} else if (port == c->in_port) {
		say(buf, len, "%s: dropped (hairpin: destination learned on %s)", who,
		    port_name(dp, port));
	} else {
		say(buf, len, "%s: to %s (learned)", who, port_name(dp, port));
	}
}

/* Run a rule's actions on the trace: each one's clause goes into what (this table's
 * step) and, but for goto_table, into the outcome.  @return the next table, or -1. */
static int trace_actions(struct trace_ctx *c, const struct cls_rule *r, char *what, size_t len)
{
	const struct flow_acts *fa = cls_rule_actions(r);
	const struct dataplane *dp = c->dp;
	char cl[sizeof(c->out)], a[16];
	unsigned int k;

	for (k = 0; k < fa->n; k++) {
		const struct flow_act *x = &fa->a[k];
		const uint8_t *m = flow_act_mac(x);

		cl[0] = '\0';
		switch (x->op & FLOW_ACT_TYPE) {
		case SYD_FA_OUTPUT:
			say(cl, sizeof(cl), "output to %s%s", port_name(dp, x->arg),
			    x->arg < SYD_MAX_PORTS && dp->port[x->arg].up ? ""
									  : " (link down: dropped)");
			break;
		case SYD_FA_NORMAL:
			trace_normal(c, cl, sizeof(cl), "normal");
			break;
		case SYD_FA_FLOOD:
			say(cl, sizeof(cl), "flood in network %s", net_name(dp, c->network));
			break;
		case SYD_FA_DROP:
			say(cl, sizeof(cl), "dropped (flow_drop)");
			break;
		case SYD_FA_ENCAP:
			addr_text(dp->vtep[x->arg8].addr, a, sizeof(a));
			say(cl, sizeof(cl), "VXLAN to %s VNI %u%s", a, x->vni,
			    dp->uplink.ifname[0] == '\0' ? " (no uplink: dropped)"
			    : dp->vtep[x->arg8].resolved ? ""
							 : " (next hop not resolved yet: dropped)");
			break;
		case SYD_FA_PUSH_VLAN:
		case SYD_FA_SET_VLAN:
			c->key.vlan = (uint16_t)(CLS_VLAN_PRESENT | x->arg);
			say(cl, sizeof(cl), "%s VLAN %u",
			    (x->op & FLOW_ACT_TYPE) == SYD_FA_PUSH_VLAN ? "push" : "set", x->arg);
			break;
		case SYD_FA_POP_VLAN:
			if (c->key.vlan)
				say(cl, sizeof(cl), "pop VLAN %u", c->key.vlan & 0xfff);
			else
				say(cl, sizeof(cl), "pop VLAN (untagged: no change)");
			c->key.vlan = 0;
			break;
		case SYD_FA_SET_ETH_SRC:
		case SYD_FA_SET_ETH_DST:
			if ((x->op & FLOW_ACT_TYPE) == SYD_FA_SET_ETH_SRC)
				memcpy(&c->key.eth_src, m, 6);
			else
				memcpy(&c->key.eth_dst, m, 6);
			say(cl, sizeof(cl), "set %s %02x:%02x:%02x:%02x:%02x:%02x",
			    (x->op & FLOW_ACT_TYPE) == SYD_FA_SET_ETH_SRC ? "dl_src" : "dl_dst", m[0],
			    m[1], m[2], m[3], m[4], m[5]);
			break;
		case SYD_FA_GOTO_TABLE:
			say(what, len, "goto table %u", x->arg8);
			return x->arg8;
		default:
			break;
		}
		say(what, len, "%s", cl);
		say(c->out, sizeof(c->out), "%s", cl);
	}
	return -1;
}

static void probe_key(const struct syd_flow_probe *p, uint16_t in_port, uint16_t network,
		      struct cls_key *k)
{
	memset(k, 0, sizeof(*k));
	memcpy(&k->eth_dst, p->eth_dst, 6);
	memcpy(&k->eth_src, p->eth_src, 6);
	k->in_port = in_port;
	k->network = network;
	k->vlan = p->vlan == 0xffff ? 0 : (uint16_t)(CLS_VLAN_PRESENT | (p->vlan & 0xfff));
	k->ethertype = p->ethertype;
	k->ip_src = p->ip_src;
	k->ip_dst = p->ip_dst;
	k->ip_proto = p->ip_proto;
	k->l4_src = p->l4_src;
	k->l4_dst = p->l4_dst;
}

int flows_trace(const struct dataplane *dp, const struct syd_flow_probe *probe,
		int (*emit)(const struct syd_flow_step *s, void *arg), void *arg, char *err,
		size_t errlen)
{
	const struct classifier *cls = flows_live(dp);
	struct trace_ctx c = {.dp = dp};
	struct syd_flow_step st;
	uint64_t v = cls ? cls_version(cls) : 0;
	int port = dataplane_port_find(dp, probe->in_port), table = 0, ret;

	if (port < 0) {
		snprintf(err, errlen, "in_port: no port named '%s'", probe->in_port);
		return -ENOENT;
	}
	c.in_port = (uint16_t)port;
	c.network = dp->port[port].network;
	probe_key(probe, c.in_port, c.network, &c.key);
	while (table >= 0) {
		const struct cls_rule *r = cls ? cls_lookup(cls, v, (unsigned int)table, &c.key)
					       : NULL;

		memset(&st, 0, sizeof(st));
		st.table = (uint8_t)table;
		if (r == NULL && table == 0) {
			snprintf(st.what, sizeof(st.what), "table miss: normal");
			trace_normal(&c, c.out, sizeof(c.out), "normal");
			table = -1;
		} else if (r == NULL) {
			snprintf(st.what, sizeof(st.what), "table miss: drop");
			say(c.out, sizeof(c.out), "dropped (flow_table_miss in table %d)", table);
			table = -1;
		} else {
			st.matched = 1;
			flows_decompile(dp, r, &st.flow);
			table = trace_actions(&c, r, st.what, sizeof(st.what));
		}
		ret = emit(&st, arg);
		if (ret != 0)
			return ret;
	}
	memset(&st, 0, sizeof(st));
	st.table = 0xff;
	snprintf(st.what, sizeof(st.what), "%s", c.out);
	return emit(&st, arg);
}

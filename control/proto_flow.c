/* SPDX-License-Identifier: BSD-3-Clause */
/* The flow-table messages, checked field by field (proto_flow.h; proto.md "Flow tables"). */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "proto_flow.h"

static const char *const cmd_names[SYD_FC_MAX] = {
	[SYD_FC_ADD] = "add",
	[SYD_FC_MODIFY] = "modify",
	[SYD_FC_DELETE] = "delete",
	[SYD_FC_DELETE_STRICT] = "delete_strict",
};

static const char *const action_names[SYD_FA_TYPE_MAX] = {
	[SYD_FA_OUTPUT] = "output",
	[SYD_FA_NORMAL] = "normal",
	[SYD_FA_FLOOD] = "flood",
	[SYD_FA_DROP] = "drop",
	[SYD_FA_ENCAP] = "encap",
	[SYD_FA_PUSH_VLAN] = "push_vlan",
	[SYD_FA_POP_VLAN] = "pop_vlan",
	[SYD_FA_SET_VLAN] = "set_vlan",
	[SYD_FA_SET_ETH_SRC] = "set_eth_src",
	[SYD_FA_SET_ETH_DST] = "set_eth_dst",
	[SYD_FA_GOTO_TABLE] = "goto_table",
};

const char *proto_flow_command_name(unsigned int command)
{
	return command < SYD_FC_MAX && cmd_names[command] ? cmd_names[command] : "unknown";
}

const char *proto_flow_action_name(unsigned int type)
{
	return type < SYD_FA_TYPE_MAX && action_names[type] ? action_names[type] : "unknown";
}

/* What a sentence is about: "mod 3 (add): ", "FLOWS entry 2: ", or nothing. */
struct where {
	const char *what; /* "mod", "FLOWS entry", ...; NULL: no prefix */
	size_t i;
	unsigned int command; /* named after the index when not 0 */
};

static int fbad(char *err, size_t errlen, const struct where *w, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fbad(char *err, size_t errlen, const struct where *w, const char *fmt, ...)
{
	va_list ap;
	int n = 0;

	if (err == NULL || errlen == 0)
		return -EINVAL;
	err[0] = '\0';
	if (w->what && w->command)
		n = snprintf(err, errlen, "%s %zu (%s): ", w->what, w->i,
			     proto_flow_command_name(w->command));
	else if (w->what)
		n = snprintf(err, errlen, "%s %zu: ", w->what, w->i);
	if (n < 0 || (size_t)n >= errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define NEED(cond, ...)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return fbad(err, errlen, w, __VA_ARGS__);                                  \
	} while (0)

#define NAME_RULE "1-24 letters, digits, '_' or '-'"
#define IP4(a)                                                                                     \
	((const uint8_t *)&(a))[0], ((const uint8_t *)&(a))[1], ((const uint8_t *)&(a))[2],        \
		((const uint8_t *)&(a))[3]
#define MAC6(m) (m)[0], (m)[1], (m)[2], (m)[3], (m)[4], (m)[5]
#define MACF	"%02x:%02x:%02x:%02x:%02x:%02x"

static bool is_l4_proto(uint8_t p)
{
	return p == 6 || p == 17 || p == 132;
}

/* A prefix mask of len bits, network order. */
static uint32_t prefix_mask(unsigned int len)
{
	uint32_t m = len == 0 ? 0 : len >= 32 ? UINT32_MAX : ~(UINT32_MAX >> len);
	uint8_t b[4] = {(uint8_t)(m >> 24), (uint8_t)(m >> 16), (uint8_t)(m >> 8), (uint8_t)m};
	uint32_t out;

	memcpy(&out, b, 4);
	return out;
}

static int check_mac_field(const uint8_t *v, const uint8_t *mask, bool on, const char *name,
			   const struct where *w, char *err, size_t errlen)
{
	unsigned int k;

	if (!on) {
		NEED(proto_zero(v, 6) && proto_zero(mask, 6), "%s is set but not flagged in fields",
		     name);
		return 0;
	}
	NEED(!proto_zero(mask, 6), "%s mask is all zero: leave the field out to match any MAC",
	     name);
	for (k = 0; k < 6; k++)
		NEED((v[k] & ~mask[k]) == 0, "%s " MACF " has bits outside its mask " MACF, name,
		     MAC6(v), MAC6(mask));
	return 0;
}

static int check_prefix(uint32_t addr, uint8_t len, bool on, const char *name,
			const struct where *w, char *err, size_t errlen)
{
	if (!on) {
		NEED(addr == 0 && len == 0, "%s is set but not flagged in fields", name);
		return 0;
	}
	NEED(len >= 1 && len <= 32, "%s prefix length %u is not in 1-32%s", name, len,
	     len == 0 ? " (/0 matches every address: leave the field out)" : "");
	NEED((addr & ~prefix_mask(len)) == 0, "%s %u.%u.%u.%u/%u has host bits set", name,
	     IP4(addr), len);
	return 0;
}

static int check_match(const struct syd_flow_match *m, const struct where *w, char *err,
		       size_t errlen)
{
	uint32_t f = m->fields;
	bool ip = (f & SYD_FM_ETHERTYPE) && m->ethertype == 0x0800;
	int ret;

	NEED((f & ~SYD_FM_ALL) == 0, "unknown match fields 0x%x", f & ~SYD_FM_ALL);
	NEED(m->pad == 0, "match pad byte set");
	if (f & SYD_FM_IN_PORT)
		NEED(proto_name_ok(m->in_port, sizeof(m->in_port)),
		     "in_port must be a port name (" NAME_RULE ")");
	else
		NEED(proto_zero(m->in_port, sizeof(m->in_port)),
		     "in_port is set but not flagged in fields");
	if (f & SYD_FM_NETWORK)
		NEED(proto_name_ok(m->network, sizeof(m->network)),
		     "network must be a network name (" NAME_RULE ")");
	else
		NEED(proto_zero(m->network, sizeof(m->network)),
		     "network is set but not flagged in fields");
	ret = check_mac_field(m->eth_src, m->eth_src_mask, f & SYD_FM_ETH_SRC, "eth_src", w, err,
			      errlen);
	if (ret == 0)
		ret = check_mac_field(m->eth_dst, m->eth_dst_mask, f & SYD_FM_ETH_DST, "eth_dst", w,
				      err, errlen);
	if (ret < 0)
		return ret;
	if (f & SYD_FM_VLAN)
		NEED(m->vlan <= 4095 || m->vlan == 0xffff,
		     "vlan %u is not in 0-4095 (or 0xffff: untagged)", m->vlan);
	else
		NEED(m->vlan == 0, "vlan is set but not flagged in fields");
	if (f & SYD_FM_ETHERTYPE)
		NEED(m->ethertype >= 0x0600,
		     "ethertype 0x%04x is a length, not a type (0x0600 and up)", m->ethertype);
	else
		NEED(m->ethertype == 0, "ethertype is set but not flagged in fields");
	ret = check_prefix(m->ip_src, m->ip_src_len, f & SYD_FM_IP_SRC, "ip_src", w, err, errlen);
	if (ret == 0)
		ret = check_prefix(m->ip_dst, m->ip_dst_len, f & SYD_FM_IP_DST, "ip_dst", w, err,
				   errlen);
	if (ret < 0)
		return ret;
	NEED(!(f & SYD_FM_IP_SRC) || ip, "ip_src needs ethertype 0x0800 matched (IPv4)");
	NEED(!(f & SYD_FM_IP_DST) || ip, "ip_dst needs ethertype 0x0800 matched (IPv4)");
	if (f & SYD_FM_IP_PROTO)
		NEED(ip, "ip_proto needs ethertype 0x0800 matched (IPv4)");
	else
		NEED(m->ip_proto == 0, "ip_proto is set but not flagged in fields");
	if (f & (SYD_FM_L4_SRC | SYD_FM_L4_DST))
		NEED((f & SYD_FM_IP_PROTO) && is_l4_proto(m->ip_proto),
		     "%s needs ip_proto 6, 17 or 132 matched (TCP, UDP or SCTP)",
		     (f & SYD_FM_L4_SRC) ? "l4_src" : "l4_dst");
	NEED((f & SYD_FM_L4_SRC) || m->l4_src == 0, "l4_src is set but not flagged in fields");
	NEED((f & SYD_FM_L4_DST) || m->l4_dst == 0, "l4_dst is set but not flagged in fields");
	if (f & SYD_FM_VNI)
		NEED(m->vni >= 1 && m->vni <= SYD_VNI_MAX, "vni %u is not in 1-%u", m->vni,
		     SYD_VNI_MAX);
	else
		NEED(m->vni == 0, "vni is set but not flagged in fields");
	if (f & SYD_FM_TUN_REMOTE)
		NEED(proto_unicast_ipv4(m->tun_remote),
		     "tun_remote %u.%u.%u.%u is not a unicast IPv4 address", IP4(m->tun_remote));
	else
		NEED(m->tun_remote == 0, "tun_remote is set but not flagged in fields");
	return 0;
}

/* One action's own fields: what it uses is valid, everything else zero. */
static int check_action(const struct syd_flow *fl, unsigned int k, const struct where *w, char *err,
			size_t errlen)
{
	const struct syd_flow_action *a = &fl->action[k];
	const char *n = proto_flow_action_name(a->type);
	bool port = false, vlan = false, mac = false, encap = false, table = false;

	NEED(a->type > 0 && a->type < SYD_FA_TYPE_MAX, "action %u: unknown type %u", k, a->type);
	NEED(a->pad == 0, "action %u (%s): pad byte set", k, n);
	switch (a->type) {
	case SYD_FA_OUTPUT:
		port = true;
		NEED(proto_name_ok(a->port, sizeof(a->port)),
		     "action %u (output): port must be a port name (" NAME_RULE ")", k);
		break;
	case SYD_FA_ENCAP:
		encap = true;
		NEED(proto_unicast_ipv4(a->addr),
		     "action %u (encap): %u.%u.%u.%u is not a unicast IPv4 address", k,
		     IP4(a->addr));
		NEED(a->vni >= 1 && a->vni <= SYD_VNI_MAX,
		     "action %u (encap): VNI %u is not in 1-%u", k, a->vni, SYD_VNI_MAX);
		break;
	case SYD_FA_PUSH_VLAN:
	case SYD_FA_SET_VLAN:
		vlan = true;
		NEED(a->vlan <= 4095, "action %u (%s): VLAN id %u is not in 0-4095", k, n, a->vlan);
		break;
	case SYD_FA_SET_ETH_SRC:
		mac = true;
		NEED(!proto_zero(a->mac, 6) && !(a->mac[0] & 1),
		     "action %u (set_eth_src): " MACF " is not a station's MAC (zero or multicast)",
		     k, MAC6(a->mac));
		break;
	case SYD_FA_SET_ETH_DST:
		mac = true;
		NEED(!proto_zero(a->mac, 6),
		     "action %u (set_eth_dst): 00:00:00:00:00:00 is not a MAC", k);
		break;
	case SYD_FA_GOTO_TABLE:
		table = true;
		NEED(a->table > fl->table && a->table < SYD_FLOW_TABLES,
		     "action %u (goto_table): table %u is not after this rule's table %u (up to "
		     "%d)",
		     k, a->table, fl->table, SYD_FLOW_TABLES - 1);
		NEED(k + 1u == fl->nactions, "action %u (goto_table): must be the last action", k);
		break;
	default: /* normal, flood, drop, pop_vlan: nothing */
		break;
	}
	NEED((port || proto_zero(a->port, sizeof(a->port))) && (vlan || a->vlan == 0) &&
		     (mac || proto_zero(a->mac, 6)) && (encap || (a->addr == 0 && a->vni == 0)) &&
		     (table || a->table == 0),
	     "action %u (%s): a field it does not use is set", k, n);
	return 0;
}

/* The action list of ADD and MODIFY: each action, then what they mean together. */
static int check_actions(const struct syd_flow *fl, const struct where *w, char *err, size_t errlen)
{
	unsigned int k, j;
	int ret;

	NEED(fl->nactions <= SYD_FLOW_ACTIONS, "%u actions: at most %d", fl->nactions,
	     SYD_FLOW_ACTIONS);
	NEED(proto_zero(&fl->action[fl->nactions],
			(SYD_FLOW_ACTIONS - fl->nactions) * sizeof(fl->action[0])),
	     "action slots after the %u used are not zero", fl->nactions);
	for (k = 0; k < fl->nactions; k++) {
		const struct syd_flow_action *a = &fl->action[k];

		ret = check_action(fl, k, w, err, errlen);
		if (ret < 0)
			return ret;
		NEED(a->type != SYD_FA_DROP || fl->nactions == 1,
		     "action %u (drop): drop must be the only action", k);
		for (j = 0; j < k; j++) {
			const struct syd_flow_action *b = &fl->action[j];

			NEED(!((a->type == SYD_FA_NORMAL || a->type == SYD_FA_FLOOD) &&
			       (b->type == SYD_FA_NORMAL || b->type == SYD_FA_FLOOD)),
			     "action %u (%s) conflicts with action %u (%s): the packet would go "
			     "out "
			     "twice",
			     k, proto_flow_action_name(a->type), j,
			     proto_flow_action_name(b->type));
			NEED(!(a->type == SYD_FA_OUTPUT && b->type == SYD_FA_OUTPUT &&
			       strcmp(a->port, b->port) == 0),
			     "action %u (output): port '%s' is already action %u's", k, a->port, j);
			NEED(!(a->type == SYD_FA_ENCAP && b->type == SYD_FA_ENCAP &&
			       a->addr == b->addr && a->vni == b->vni),
			     "action %u (encap): the same tunnel as action %u", k, j);
		}
	}
	return 0;
}

static int check_flow(const struct syd_flow *fl, unsigned int cmd, const struct where *w, char *err,
		      size_t errlen)
{
	int ret;

	NEED(fl->pad == 0, "pad bytes set");
	if (cmd == SYD_FC_DELETE)
		NEED(fl->table < SYD_FLOW_TABLES || fl->table == SYD_FLOW_TABLE_ANY,
		     "table %u is not in 0-%d (or 255: any)", fl->table, SYD_FLOW_TABLES - 1);
	else
		NEED(fl->table < SYD_FLOW_TABLES, "table %u is not in 0-%d", fl->table,
		     SYD_FLOW_TABLES - 1);
	ret = check_match(&fl->match, w, err, errlen);
	if (ret < 0)
		return ret;
	if (cmd == SYD_FC_ADD || cmd == SYD_FC_MODIFY)
		return check_actions(fl, w, err, errlen);
	NEED(fl->nactions == 0 && proto_zero(fl->action, sizeof(fl->action)),
	     "a delete carries no actions: nactions and actions must be zero");
	NEED(fl->cookie == 0 && fl->idle_timeout == 0,
	     "a delete names rules by table and match: cookie and idle_timeout must be zero");
	NEED(cmd == SYD_FC_DELETE_STRICT || fl->priority == 0,
	     "a loose delete ignores priority: it must be zero (delete_strict takes one)");
	return 0;
}

int proto_flow_check(const struct syd_flow *f, unsigned int command, char *err, size_t errlen)
{
	const struct where none = {0}, *w = &none;

	NEED(command > 0 && command < SYD_FC_MAX,
	     "unknown command %u (add 1, modify 2, delete 3, delete_strict 4)", command);
	return check_flow(f, command, w, err, errlen);
}

static int check_probe(const struct syd_flow_probe *p, char *err, size_t errlen)
{
	const struct where none = {.what = NULL}, *w = &none;

	NEED(proto_name_ok(p->in_port, sizeof(p->in_port)),
	     "flow trace: in_port must be a port name (" NAME_RULE ")");
	NEED(proto_zero(p->pad, sizeof(p->pad)), "flow trace: pad bytes set");
	NEED(p->vlan <= 4095 || p->vlan == 0xffff,
	     "flow trace: vlan %u is not in 0-4095 (or 0xffff: untagged)", p->vlan);
	NEED(p->ethertype == 0x0800 || (p->ip_src == 0 && p->ip_dst == 0 && p->ip_proto == 0),
	     "flow trace: IPv4 fields need ethertype 0x0800");
	NEED(is_l4_proto(p->ip_proto) || (p->l4_src == 0 && p->l4_dst == 0),
	     "flow trace: ports need ip_proto 6, 17 or 132 (TCP, UDP or SCTP)");
	return 0;
}

/* A record cut after its rule's actions (its first used bytes, SYD_FLOW_MOD_USED() or
 * SYD_FLOW_STATS_USED()) at p: whole into dst (whole bytes), the rest zero. */
static void cut_read(void *dst, size_t whole, const uint8_t *p, size_t used)
{
	memcpy(dst, p, used);
	memset((uint8_t *)dst + used, 0, whole - used);
}

/* The entries of FLOWS: each SYD_FLOW_STATS_SIZE() of its own nactions. */
static int check_flows(const struct syd_hdr *h, size_t body, char *err, size_t errlen)
{
	const struct where none = {0}, *w = &none;
	const uint8_t *p = proto_body(h);
	size_t at = 0, i;
	int ret;

	NEED(body > 0, "FLOWS: an empty body (an empty table is DONE alone)");
	for (i = 0; at < body; i++) {
		struct where e = {.what = "FLOWS entry", .i = i};
		struct syd_flow_stats s;
		unsigned int n;

		w = &none;
		NEED(body - at >= SYD_FLOW_STATS_SIZE(0),
		     "FLOWS: entry %zu is cut short (at byte %zu of %zu)", i, at, body);
		memcpy(&s, p + at, SYD_FLOW_STATS_USED(0));
		n = s.flow.nactions;
		w = &e;
		NEED(n <= SYD_FLOW_ACTIONS, "%u actions: at most %d", n, SYD_FLOW_ACTIONS);
		w = &none;
		NEED(body - at >= SYD_FLOW_STATS_SIZE(n),
		     "FLOWS: entry %zu is cut short (at byte %zu of %zu)", i, at, body);
		NEED(proto_zero(p + at + SYD_FLOW_STATS_USED(n),
				SYD_FLOW_STATS_SIZE(n) - SYD_FLOW_STATS_USED(n)),
		     "FLOWS: entry %zu: the padding after its %u actions is not zero", i, n);
		cut_read(&s, sizeof(s), p + at, SYD_FLOW_STATS_USED(n));
		at += SYD_FLOW_STATS_SIZE(n);
		ret = check_flow(&s.flow, SYD_FC_ADD, &e, err, errlen);
		if (ret < 0)
			return ret;
	}
	return 0;
}

void proto_flow_stats_begin(struct proto_flow_stats_iter *it, const struct syd_hdr *h)
{
	it->next = proto_body(h);
	it->end = (const uint8_t *)h + h->length;
}

bool proto_flow_stats_next(struct proto_flow_stats_iter *it, struct syd_flow_stats *e)
{
	uint8_t n;

	if (it->next >= it->end)
		return false;
	memcpy(&n, it->next + offsetof(struct syd_flow_stats, flow.nactions), sizeof(n));
	cut_read(e, sizeof(*e), it->next, SYD_FLOW_STATS_USED(n));
	it->next += SYD_FLOW_STATS_SIZE(n);
	return true;
}

/* The entries of FLOW_STEPS, all of one size. */
static int check_steps(const struct syd_hdr *h, size_t body, char *err, size_t errlen)
{
	const struct where none = {0}, *w = &none;
	const struct syd_flow_step *s = proto_body(h);
	size_t i, n;
	int ret;

	NEED(body >= sizeof(*s) && body % sizeof(*s) == 0,
	     "%s: body of %zu bytes is not whole entries of %zu", proto_msg_name(h->type), body,
	     sizeof(*s));
	n = body / sizeof(*s);
	for (i = 0; i < n; i++, s++) {
		struct where e = {.what = "FLOW_STEPS entry", .i = i};

		w = &e;
		NEED(s->table < SYD_FLOW_TABLES || s->table == 0xff,
		     "table %u is not in 0-%d (or 255: the outcome)", s->table,
		     SYD_FLOW_TABLES - 1);
		NEED(s->matched <= 1 && (s->matched == 0 || s->table != 0xff),
		     "matched must be 0 or 1 (and 0 for the outcome)");
		NEED(s->pad == 0 && s->pad2 == 0, "pad bytes set");
		NEED(memchr(s->what, '\0', sizeof(s->what)) != NULL, "what is not NUL-terminated");
		if (s->matched)
			ret = check_flow(&s->flow, SYD_FC_ADD, &e, err, errlen);
		else
			ret = proto_zero(&s->flow, sizeof(s->flow))
				      ? 0
				      : fbad(err, errlen, &e, "no rule matched, but flow is set");
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* A mod of n actions (at most SYD_FLOW_ACTIONS) at p, whole into *m: the rest zero. */
static void mod_read(struct syd_flow_mod *m, const uint8_t *p, unsigned int n)
{
	cut_read(m, sizeof(*m), p, SYD_FLOW_MOD_USED(n));
}

int proto_flow_check_msg(const struct syd_hdr *h, size_t body, char *err, size_t errlen)
{
	const struct where none = {0}, *w = &none;
	const struct syd_flow_batch *m = proto_body(h);
	size_t at;
	uint32_t i;
	int ret;

	switch (h->type) {
	case SYD_MSG_DUMP_FLOWS:
		NEED(body == 0, "DUMP_FLOWS carries no body, got %zu bytes", body);
		return 0;
	case SYD_MSG_FLOW_TRACE:
		NEED(body == sizeof(struct syd_flow_probe),
		     "FLOW_TRACE body must be %zu bytes, got %zu", sizeof(struct syd_flow_probe),
		     body);
		return check_probe(proto_body(h), err, errlen);
	case SYD_MSG_FLOWS:
		return check_flows(h, body, err, errlen);
	case SYD_MSG_FLOW_STEPS:
		return check_steps(h, body, err, errlen);
	case SYD_MSG_FLOW_MOD:
		break;
	default:
		return fbad(err, errlen, w, "not a flow message");
	}
	NEED(body >= sizeof(*m), "FLOW_MOD body of %zu bytes is shorter than its count", body);
	if (m->count > SYD_FLOW_BATCH_MAX) {
		fbad(err, errlen, w, "FLOW_MOD of %u mods exceeds the limit of %d: split it",
		     m->count, SYD_FLOW_BATCH_MAX);
		return -E2BIG;
	}
	NEED(m->reserved == 0, "FLOW_MOD reserved field set");
	at = sizeof(*m);
	for (i = 0; i < m->count; i++) {
		struct syd_flow_mod fm;
		struct where e = {.what = "mod", .i = i};
		uint8_t n;

		/* The part before the actions first: its nactions gives the mod's size.  The
		 * sentences about sizes are the message's (w = &none), the rest the mod's. */
		w = &none;
		NEED(body - at >= SYD_FLOW_MOD_SIZE(0),
		     "FLOW_MOD says %u mods but its body ends in mod %u (at byte %zu of %zu)",
		     m->count, i, at, body);
		memcpy(&fm, (const uint8_t *)m + at, SYD_FLOW_MOD_SIZE(0));
		w = &e;
		NEED(fm.command > 0 && fm.command < SYD_FC_MAX,
		     "unknown command %u (add 1, modify 2, delete 3, delete_strict 4)", fm.command);
		e.command = fm.command;
		NEED(fm.reserved == 0 && fm.pad == 0, "reserved bytes set");
		n = fm.flow.nactions;
		NEED(n <= SYD_FLOW_ACTIONS, "%u actions: at most %d", n, SYD_FLOW_ACTIONS);
		w = &none;
		NEED(body - at >= SYD_FLOW_MOD_SIZE(n),
		     "FLOW_MOD says %u mods but its body ends in mod %u (at byte %zu of %zu)",
		     m->count, i, at, body);
		NEED(proto_zero((const uint8_t *)m + at + SYD_FLOW_MOD_USED(n),
				SYD_FLOW_MOD_SIZE(n) - SYD_FLOW_MOD_USED(n)),
		     "FLOW_MOD's mod %u: the padding after its %u actions is not zero", i, n);
		mod_read(&fm, (const uint8_t *)m + at, n);
		at += SYD_FLOW_MOD_SIZE(n);
		ret = check_flow(&fm.flow, fm.command, &e, err, errlen);
		if (ret < 0)
			return ret;
	}
	w = &none;
	NEED(at == body, "FLOW_MOD's %u mods take %zu bytes, but it carries %zu", m->count, at,
	     body);
	return 0;
}

/* ---- FLOW_MOD's mods on the wire ---- */

int proto_flow_mod_begin(struct proto_buf *b, uint32_t xid)
{
	const struct syd_flow_batch head = {0};
	int ret = proto_begin(b, SYD_MSG_FLOW_MOD, xid);

	return ret < 0 ? ret : proto_append(b, &head, sizeof(head));
}

int proto_flow_mod_append(struct proto_buf *b, const struct syd_flow_mod *m)
{
	static const uint8_t zeros[8];
	struct syd_flow_batch *head = (struct syd_flow_batch *)(b->data + sizeof(struct syd_hdr));
	size_t used;
	int ret;

	if (head->count >= SYD_FLOW_BATCH_MAX)
		return -E2BIG;
	if (m->flow.nactions > SYD_FLOW_ACTIONS)
		return -EINVAL;
	used = SYD_FLOW_MOD_USED(m->flow.nactions);
	ret = proto_append(b, m, used);
	if (ret == 0)
		ret = proto_append(b, zeros, SYD_FLOW_MOD_SIZE(m->flow.nactions) - used);
	if (ret == 0) /* the buffer may have moved */
		((struct syd_flow_batch *)(b->data + sizeof(struct syd_hdr)))->count++;
	return ret;
}

void proto_flow_iter_init(struct proto_flow_iter *it, const struct syd_flow_batch *b)
{
	it->next = (const uint8_t *)(b + 1);
	it->left = b->count;
}

bool proto_flow_iter_next(struct proto_flow_iter *it, struct syd_flow_mod *m)
{
	uint8_t n;

	if (it->left == 0)
		return false;
	memcpy(&n, it->next + offsetof(struct syd_flow_mod, flow.nactions), sizeof(n));
	mod_read(m, it->next, n);
	it->next += SYD_FLOW_MOD_SIZE(n);
	it->left--;
	return true;
}

int proto_flow_mod_from_v3(void *msg, char *err, size_t errlen)
{
	uint8_t *buf = msg;
	struct syd_hdr *h = msg;
	struct syd_flow_batch head;
	size_t in, out;
	uint32_t i;

	if (h->length < sizeof(*h) + sizeof(head))
		return syd_fail(err, errlen, -EBADMSG, "a version-%u FLOW_MOD of %u bytes",
				h->version, h->length);
	memcpy(&head, buf + sizeof(*h), sizeof(head));
	if (head.count > SYD_FLOW_BATCH_MAX ||
	    h->length !=
		    sizeof(*h) + sizeof(head) + (size_t)head.count * sizeof(struct syd_flow_mod))
		return syd_fail(err, errlen, -EBADMSG,
				"a version-%u FLOW_MOD of %u mods in %u bytes", h->version,
				head.count, h->length);
	in = out = sizeof(*h) + sizeof(head);
	for (i = 0; i < head.count; i++) {
		struct syd_flow_mod m;
		size_t used;

		memcpy(&m, buf + in, sizeof(m));
		if (m.flow.nactions > SYD_FLOW_ACTIONS)
			return syd_fail(err, errlen, -EBADMSG, "mod %u: %u actions", i,
					m.flow.nactions);
		used = SYD_FLOW_MOD_USED(m.flow.nactions);
		memcpy(buf + out, &m, used); /* out <= in: it only moves back */
		memset(buf + out + used, 0, SYD_FLOW_MOD_SIZE(m.flow.nactions) - used);
		in += sizeof(m);
		out += SYD_FLOW_MOD_SIZE(m.flow.nactions);
	}
	h->length = (uint32_t)out;
	h->version = SYD_PROTO_VERSION;
	return 0;
}

/* ---- DELETE's loose match ---- */

static void canon_name(char *s, size_t len)
{
	size_t n = strnlen(s, len);

	memset(s + n, 0, len - n);
}

static void project(const struct syd_flow_match *r, uint32_t f, struct syd_flow_match *p)
{
	memset(p, 0, sizeof(*p));
	p->fields = f;
	if (f & SYD_FM_IN_PORT)
		memcpy(p->in_port, r->in_port, sizeof(p->in_port));
	if (f & SYD_FM_NETWORK)
		memcpy(p->network, r->network, sizeof(p->network));
	if (f & SYD_FM_ETH_SRC) {
		memcpy(p->eth_src, r->eth_src, 6);
		memcpy(p->eth_src_mask, r->eth_src_mask, 6);
	}
	if (f & SYD_FM_ETH_DST) {
		memcpy(p->eth_dst, r->eth_dst, 6);
		memcpy(p->eth_dst_mask, r->eth_dst_mask, 6);
	}
	if (f & SYD_FM_VLAN)
		p->vlan = r->vlan;
	if (f & SYD_FM_ETHERTYPE)
		p->ethertype = r->ethertype;
	if (f & SYD_FM_IP_SRC) {
		p->ip_src = r->ip_src;
		p->ip_src_len = r->ip_src_len;
	}
	if (f & SYD_FM_IP_DST) {
		p->ip_dst = r->ip_dst;
		p->ip_dst_len = r->ip_dst_len;
	}
	if (f & SYD_FM_IP_PROTO)
		p->ip_proto = r->ip_proto;
	if (f & SYD_FM_L4_SRC)
		p->l4_src = r->l4_src;
	if (f & SYD_FM_L4_DST)
		p->l4_dst = r->l4_dst;
	if (f & SYD_FM_VNI)
		p->vni = r->vni;
	if (f & SYD_FM_TUN_REMOTE)
		p->tun_remote = r->tun_remote;
}

bool proto_flow_covers(const struct syd_flow *d, const struct syd_flow_match *dm,
		       const struct syd_flow *r)
{
	struct syd_flow_match p;

	if ((d->table != SYD_FLOW_TABLE_ANY && d->table != r->table) ||
	    (r->match.fields & dm->fields) != dm->fields)
		return false;
	project(&r->match, dm->fields, &p);
	return memcmp(&p, dm, sizeof(p)) == 0;
}

void proto_flow_delete_match(const struct syd_flow *d, struct syd_flow_match *dm)
{
	project(&d->match, d->match.fields, dm);
	canon_name(dm->in_port, sizeof(dm->in_port)); /* as the rules' names are */
	canon_name(dm->network, sizeof(dm->network));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow rules as text (flowtext.h): the formatting half, which parses back to the same rule. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "flowtext.h"
#include "proto_flow.h"

struct out {
	char *buf;
	size_t len;
	size_t n; /* what the whole text takes, NUL excluded */
	bool sep; /* the next item needs a comma first */
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int k;

	va_start(ap, fmt);
	if (o->n < o->len)
		k = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	else
		k = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (k > 0)
		o->n += (size_t)k;
}

#define ITEM(o, ...)                                                                               \
	do {                                                                                       \
		if ((o)->sep)                                                                      \
			put((o), ",");                                                             \
		(o)->sep = true;                                                                   \
		put((o), __VA_ARGS__);                                                             \
	} while (0)

static int done(struct out *o)
{
	if (o->len > 0 && o->n >= o->len)
		o->buf[o->len - 1] = '\0';
	else if (o->len > 0)
		o->buf[o->n] = '\0';
	return o->n < o->len ? (int)o->n : -ENOSPC;
}

static const char *ip_text(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

static void put_mac(struct out *o, const char *name, const uint8_t *v, const uint8_t *mask)
{
	static const uint8_t ones[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	ITEM(o, "%s=%02x:%02x:%02x:%02x:%02x:%02x", name, v[0], v[1], v[2], v[3], v[4], v[5]);
	if (mask && memcmp(mask, ones, 6) != 0)
		put(o, "/%02x:%02x:%02x:%02x:%02x:%02x", mask[0], mask[1], mask[2], mask[3],
		    mask[4], mask[5]);
}

static void put_prefix(struct out *o, const char *name, uint32_t addr, unsigned int len)
{
	char a[INET_ADDRSTRLEN];

	ITEM(o, "%s=%s", name, ip_text(addr, a));
	if (len != 32)
		put(o, "/%u", len);
}

/* The ethertype and protocol as ip/arp/tcp/..., dl_type=, nw_proto=.  @return whether the
 * protocol was said by a shorthand. */
static bool put_type(struct out *o, bool has_type, uint16_t type, bool has_proto, uint8_t proto)
{
	static const char *const l4[256] = {
		[1] = "icmp", [6] = "tcp", [17] = "udp", [132] = "sctp"};

	if (!has_type)
		return false;
	if (type == 0x0800 && has_proto && l4[proto]) {
		ITEM(o, "%s", l4[proto]);
		return true;
	}
	if (type == 0x0800)
		ITEM(o, "ip");
	else if (type == 0x0806)
		ITEM(o, "arp");
	else
		ITEM(o, "dl_type=0x%04x", type);
	return false;
}

static void put_match(struct out *o, const struct syd_flow_match *m)
{
	uint32_t f = m->fields;
	char a[INET_ADDRSTRLEN];

	if (f & SYD_FM_IN_PORT)
		ITEM(o, "in_port=%.*s", (int)sizeof(m->in_port), m->in_port);
	if (f & SYD_FM_NETWORK)
		ITEM(o, "network=%.*s", (int)sizeof(m->network), m->network);
	if (f & SYD_FM_VNI)
		ITEM(o, "vni=%" PRIu32, m->vni);
	if (f & SYD_FM_TUN_REMOTE)
		ITEM(o, "tun_src=%s", ip_text(m->tun_remote, a));
	if (f & SYD_FM_ETH_SRC)
		put_mac(o, "dl_src", m->eth_src, m->eth_src_mask);
	if (f & SYD_FM_ETH_DST)
		put_mac(o, "dl_dst", m->eth_dst, m->eth_dst_mask);
	if ((f & SYD_FM_VLAN) && m->vlan == 0xffff)
		ITEM(o, "dl_vlan=0xffff");
	else if (f & SYD_FM_VLAN)
		ITEM(o, "dl_vlan=%u", m->vlan);
	if (!put_type(o, f & SYD_FM_ETHERTYPE, m->ethertype, f & SYD_FM_IP_PROTO, m->ip_proto) &&
	    (f & SYD_FM_IP_PROTO))
		ITEM(o, "nw_proto=%u", m->ip_proto);
	if (f & SYD_FM_IP_SRC)
		put_prefix(o, "nw_src", m->ip_src, m->ip_src_len);
	if (f & SYD_FM_IP_DST)
		put_prefix(o, "nw_dst", m->ip_dst, m->ip_dst_len);
	if (f & SYD_FM_L4_SRC)
		ITEM(o, "tp_src=%u", m->l4_src);
	if (f & SYD_FM_L4_DST)
		ITEM(o, "tp_dst=%u", m->l4_dst);
}

static void put_actions(struct out *o, const struct syd_flow *f)
{
	char ip[INET_ADDRSTRLEN];
	unsigned int k;

	o->sep = false;
	if (f->nactions == 0)
		put(o, "drop");
	for (k = 0; k < f->nactions && k < SYD_FLOW_ACTIONS; k++) {
		const struct syd_flow_action *a = &f->action[k];

		switch (a->type) {
		case SYD_FA_OUTPUT:
			ITEM(o, "output:%.*s", (int)sizeof(a->port), a->port);
			break;
		case SYD_FA_ENCAP:
			ITEM(o, "encap:%s:%" PRIu32, ip_text(a->addr, ip), a->vni);
			break;
		case SYD_FA_PUSH_VLAN:
		case SYD_FA_SET_VLAN:
			ITEM(o, "%s:%u", a->type == SYD_FA_PUSH_VLAN ? "push_vlan" : "set_vlan",
			     a->vlan);
			break;
		case SYD_FA_SET_ETH_SRC:
		case SYD_FA_SET_ETH_DST:
			ITEM(o, "%s:%02x:%02x:%02x:%02x:%02x:%02x",
			     a->type == SYD_FA_SET_ETH_SRC ? "mod_dl_src" : "mod_dl_dst", a->mac[0],
			     a->mac[1], a->mac[2], a->mac[3], a->mac[4], a->mac[5]);
			break;
		case SYD_FA_GOTO_TABLE:
			ITEM(o, "goto_table:%u", a->table);
			break;
		default:
			ITEM(o, "%s", proto_flow_action_name(a->type));
			break;
		}
	}
}

int flowtext_format_match(const struct syd_flow_match *m, char *buf, size_t len)
{
	struct out o = {.buf = buf, .len = len};

	put_match(&o, m);
	return done(&o);
}

int flowtext_format_actions(const struct syd_flow *f, char *buf, size_t len)
{
	struct out o = {.buf = buf, .len = len};

	put_actions(&o, f);
	return done(&o);
}

int flowtext_format(const struct syd_flow *f, char *buf, size_t len)
{
	struct out o = {.buf = buf, .len = len};

	if (f->table != SYD_FLOW_TABLE_ANY)
		ITEM(&o, "table=%u", f->table);
	ITEM(&o, "priority=%u", f->priority);
	if (f->cookie)
		ITEM(&o, "cookie=0x%" PRIx64, f->cookie);
	if (f->idle_timeout)
		ITEM(&o, "idle_timeout=%u", f->idle_timeout);
	put_match(&o, &f->match);
	put(&o, " actions=");
	put_actions(&o, f);
	return done(&o);
}

int flowtext_format_probe(const struct syd_flow_probe *p, char *buf, size_t len)
{
	static const uint8_t none[6];
	struct out o = {.buf = buf, .len = len};
	char a[INET_ADDRSTRLEN];
	bool ip = p->ethertype == 0x0800;

	ITEM(&o, "in_port=%.*s", (int)sizeof(p->in_port), p->in_port);
	if (memcmp(p->eth_src, none, 6) != 0)
		put_mac(&o, "dl_src", p->eth_src, NULL);
	if (memcmp(p->eth_dst, none, 6) != 0)
		put_mac(&o, "dl_dst", p->eth_dst, NULL);
	if (p->vlan != SYD_FLOW_VLAN_NONE)
		ITEM(&o, "dl_vlan=%u", p->vlan);
	if (!put_type(&o, p->ethertype != 0, p->ethertype, ip && p->ip_proto, p->ip_proto) &&
	    p->ip_proto)
		ITEM(&o, "nw_proto=%u", p->ip_proto);
	if (p->ip_src)
		ITEM(&o, "nw_src=%s", ip_text(p->ip_src, a));
	if (p->ip_dst)
		ITEM(&o, "nw_dst=%s", ip_text(p->ip_dst, a));
	if (p->l4_src)
		ITEM(&o, "tp_src=%u", p->l4_src);
	if (p->l4_dst)
		ITEM(&o, "tp_dst=%u", p->l4_dst);
	return done(&o);
}

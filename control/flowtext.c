/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow rules as ovs-ofctl-like text, and back (flowtext.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "flowtext.h"
#include "flowtext_priv.h"
#include "proto_flow.h"

#define TEXT_MAX  4096 /* input, NUL included */
#define SEPS	  ", \t\r\n"


/* The fields, for "given twice". */
enum key {
	K_TABLE,
	K_PRIORITY,
	K_COOKIE,
	K_IDLE,
	K_IN_PORT,
	K_NETWORK,
	K_DL_SRC,
	K_DL_DST,
	K_DL_VLAN,
	K_DL_TYPE,
	K_NW_SRC,
	K_NW_DST,
	K_NW_PROTO,
	K_TP_SRC,
	K_TP_DST,
	K_VNI,
	K_TUN_SRC,
};

static const struct {
	const char *name;
	enum key key;
	uint8_t implies; /* tcp_dst and the like: the IP protocol they imply */
} field_names[] = {
	{"table", K_TABLE, 0},	     {"priority", K_PRIORITY, 0},
	{"cookie", K_COOKIE, 0},     {"idle_timeout", K_IDLE, 0},
	{"in_port", K_IN_PORT, 0},   {"network", K_NETWORK, 0},
	{"dl_src", K_DL_SRC, 0},     {"eth_src", K_DL_SRC, 0},
	{"dl_dst", K_DL_DST, 0},     {"eth_dst", K_DL_DST, 0},
	{"dl_vlan", K_DL_VLAN, 0},   {"vlan_vid", K_DL_VLAN, 0},
	{"dl_type", K_DL_TYPE, 0},   {"eth_type", K_DL_TYPE, 0},
	{"nw_src", K_NW_SRC, 0},     {"ip_src", K_NW_SRC, 0},
	{"nw_dst", K_NW_DST, 0},     {"ip_dst", K_NW_DST, 0},
	{"nw_proto", K_NW_PROTO, 0}, {"ip_proto", K_NW_PROTO, 0},
	{"tp_src", K_TP_SRC, 0},     {"tp_dst", K_TP_DST, 0},
	{"tcp_src", K_TP_SRC, 6},    {"tcp_dst", K_TP_DST, 6},
	{"udp_src", K_TP_SRC, 17},   {"udp_dst", K_TP_DST, 17},
	{"sctp_src", K_TP_SRC, 132}, {"sctp_dst", K_TP_DST, 132},
	{"vni", K_VNI, 0},	     {"tun_id", K_VNI, 0},
	{"tun_src", K_TUN_SRC, 0},   {"tun_remote", K_TUN_SRC, 0},
};

static const struct {
	const char *name;
	uint16_t ethertype;
	int proto; /* -1: none */
} shorthands[] = {
	{"ip", 0x0800, -1}, {"arp", 0x0806, -1}, {"icmp", 0x0800, 1},
	{"tcp", 0x0800, 6}, {"udp", 0x0800, 17}, {"sctp", 0x0800, 132},
};


int ft_err(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err != NULL && p->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(p->err, p->errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

/* ---- values ---- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decimal, or hex after 0x; nothing else (no sign, no blanks).  @return 0 or -EINVAL. */
int ft_uint(const char *s, uint64_t max, uint64_t *out)
{
	unsigned int base = 10;
	uint64_t v = 0;
	int d;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (*s == '\0')
		return -EINVAL;
	for (; *s; s++) {
		d = hexval(*s);
		if (d < 0 || (unsigned int)d >= base || v > (UINT64_MAX - (unsigned int)d) / base)
			return -EINVAL;
		v = v * base + (unsigned int)d;
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int ft_mac(const char *s, uint8_t *mac)
{
	int i, hi, lo;

	for (i = 0; i < 6; i++, s += 3) {
		hi = hexval(s[0]);
		lo = hi < 0 ? -1 : hexval(s[1]);
		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int ft_ip(const char *s, uint32_t *addr)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1)
		return -EINVAL;
	*addr = a.s_addr;
	return 0;
}

static uint32_t prefix_mask(unsigned int len)
{
	return len == 0 ? 0 : htonl(len >= 32 ? UINT32_MAX : ~(UINT32_MAX >> len));
}

/* A.B.C.D, A.B.C.D/LEN or A.B.C.D/M.M.M.M (a contiguous mask); s is modified.
 * @return 0, -EINVAL (not an address), -ERANGE (a bad length or mask). */
static int parse_prefix(char *s, uint32_t *addr, uint8_t *len)
{
	char *slash = strchr(s, '/');
	uint64_t n = 32;
	uint32_t mask;

	if (slash) {
		*slash++ = '\0';
		if (strchr(slash, '.')) {
			if (ft_ip(slash, &mask) < 0)
				return -ERANGE;
			n = (uint64_t)__builtin_popcount(mask);
			if (prefix_mask((unsigned int)n) != mask)
				return -ERANGE; /* not contiguous */
		} else if (ft_uint(slash, 32, &n) < 0) {
			return -ERANGE;
		}
	}
	if (ft_ip(s, addr) < 0)
		return -EINVAL;
	*len = (uint8_t)n;
	return 0;
}

bool ft_name_ok(const char *s)
{
	char field[SYD_PROTO_NAME_LEN] = {0};

	if (strlen(s) >= sizeof(field))
		return false;
	strcpy(field, s);
	return proto_name_ok(field, sizeof(field));
}

/* ---- match fields ---- */

static int set_ethertype(struct parser *p, uint16_t type, const char *tok)
{
	struct syd_flow_match *m = &p->f->match;

	if ((m->fields & SYD_FM_ETHERTYPE) && m->ethertype != type)
		return ft_err(p, "%.80s: conflicts with dl_type=0x%04x%s given before", tok,
			    m->ethertype,
			    m->ethertype == 0x0800   ? " (ip)"
			    : m->ethertype == 0x0806 ? " (arp)"
						     : "");
	m->fields |= SYD_FM_ETHERTYPE;
	m->ethertype = type;
	return 0;
}

static int set_proto(struct parser *p, uint8_t proto, const char *tok)
{
	struct syd_flow_match *m = &p->f->match;

	if ((m->fields & SYD_FM_IP_PROTO) && m->ip_proto != proto) {
		unsigned int i;
		char name[16] = "";

		for (i = 2; i < sizeof(shorthands) / sizeof(shorthands[0]); i++)
			if (shorthands[i].proto == m->ip_proto)
				snprintf(name, sizeof(name), " (%s)", shorthands[i].name);
		return ft_err(p, "%.80s: conflicts with nw_proto=%u%s given before", tok, m->ip_proto,
			    name);
	}
	m->fields |= SYD_FM_IP_PROTO;
	m->ip_proto = proto;
	return 0;
}

/* Whether mode takes key; when not, the sentence that says so. */
static int mode_allows(struct parser *p, enum key k, const char *tok)
{
	switch (p->mode) {
	case MODE_RULE:
		return 0;
	case MODE_PROBE:
		if (k == K_IN_PORT || (k >= K_DL_SRC && k <= K_TP_DST))
			return 0;
		return ft_err(p,
			    "%.80s: not a packet header field (flow-trace takes in_port, dl_src, "
			    "dl_dst, dl_vlan, dl_type, nw_src, nw_dst, nw_proto, tp_src, tp_dst)",
			    tok);
	case MODE_LOOSE:
		if (k == K_PRIORITY)
			return ft_err(p,
				    "%.80s: a loose delete ignores priority: add --strict to "
				    "delete the rule of that priority only",
				    tok);
		/* fall through */
	case MODE_STRICT:
		if (k == K_COOKIE || k == K_IDLE)
			return ft_err(p,
				    "%.80s: a delete names rules by table, priority and match, "
				    "not by %s",
				    tok, k == K_COOKIE ? "cookie" : "idle_timeout");
		return 0;
	}
	return 0;
}

static int mac_field(struct parser *p, char *v, const char *tok, uint8_t *mac, uint8_t *mask)
{
	char *slash = strchr(v, '/');
	int k;

	memset(mask, 0xff, 6);
	if (slash)
		*slash++ = '\0';
	if (ft_mac(v, mac) < 0 || (slash && ft_mac(slash, mask) < 0))
		return ft_err(p, "%.80s: not a MAC address (xx:xx:xx:xx:xx:xx, or with /MASK)", tok);
	if (slash && p->mode == MODE_PROBE && memcmp(mask, "\xff\xff\xff\xff\xff\xff", 6) != 0)
		return ft_err(p, "%.80s: a packet has one MAC: give it without a mask", tok);
	if (memcmp(mask, "\0\0\0\0\0\0", 6) == 0)
		return ft_err(p, "%.80s: a zero mask matches any MAC: leave the field out", tok);
	for (k = 0; k < 6; k++) /* as ovs-ofctl: the mask says which bits matter */
		mac[k] &= mask[k];
	return 0;
}

static int ip_field(struct parser *p, char *v, const char *tok, uint32_t *addr, uint8_t *len)
{
	int ret = parse_prefix(v, addr, len);

	if (ret == -ERANGE)
		return ft_err(p, "%.80s: not a prefix (/0 to /32, or a mask of contiguous ones)",
			    tok);
	if (ret < 0)
		return ft_err(p, "%.80s: not an IPv4 address (A.B.C.D, or A.B.C.D/LEN)", tok);
	if (*addr & ~prefix_mask(*len)) {
		char net[INET_ADDRSTRLEN];
		uint32_t a = *addr & prefix_mask(*len);

		inet_ntop(AF_INET, &a, net, sizeof(net));
		return ft_err(p, "%.80s: host bits set (the prefix is %s/%u)", tok, net, *len);
	}
	if (p->mode == MODE_PROBE && *len != 32)
		return ft_err(p, "%.80s: a packet has one address: give it without a prefix", tok);
	return 0;
}

/* key=value (v) or a shorthand (v NULL); tok is the whole token, for messages. */
static int parse_field(struct parser *p, const char *key, char *v, const char *tok)
{
	struct syd_flow *f = p->f;
	struct syd_flow_match *m = &f->match;
	unsigned int i;
	uint64_t n;
	enum key k;
	int ret;

	if (v == NULL) {
		for (i = 0; i < sizeof(shorthands) / sizeof(shorthands[0]); i++)
			if (strcmp(key, shorthands[i].name) == 0)
				break;
		if (i == sizeof(shorthands) / sizeof(shorthands[0])) {
			for (i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
				if (strcmp(key, field_names[i].name) == 0)
					return ft_err(p, "%.80s: expected %s=VALUE", tok, key);
			return ft_err(p, "unknown field '%.80s'", tok);
		}
		ret = set_ethertype(p, shorthands[i].ethertype, tok);
		if (ret == 0 && shorthands[i].proto >= 0)
			ret = set_proto(p, (uint8_t)shorthands[i].proto, tok);
		return ret;
	}
	for (i = 0; i < sizeof(shorthands) / sizeof(shorthands[0]); i++)
		if (strcmp(key, shorthands[i].name) == 0)
			return ft_err(p, "%.80s: %s takes no value", tok, key);
	for (i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		if (strcmp(key, field_names[i].name) == 0)
			break;
	if (i == sizeof(field_names) / sizeof(field_names[0]))
		return ft_err(p, "unknown field '%.80s'", key);
	k = field_names[i].key;
	ret = mode_allows(p, k, tok);
	if (ret < 0)
		return ret;
	if (p->seen & (1u << k))
		return ft_err(p, "%.80s: %s is given twice", tok, key);
	p->seen |= 1u << k;
	switch (k) {
	case K_TABLE:
		if (ft_uint(v, SYD_FLOW_TABLES - 1, &n) < 0)
			return ft_err(p, "%.80s: not a table (0-%d)", tok, SYD_FLOW_TABLES - 1);
		f->table = (uint8_t)n;
		break;
	case K_PRIORITY:
		if (ft_uint(v, 65535, &n) < 0)
			return ft_err(p, "%.80s: not a priority (0-65535)", tok);
		f->priority = (uint16_t)n;
		break;
	case K_COOKIE:
		if (ft_uint(v, UINT64_MAX, &f->cookie) < 0)
			return ft_err(p, "%.80s: not a cookie (a 64-bit number, decimal or 0x hex)",
				    tok);
		break;
	case K_IDLE:
		if (ft_uint(v, 65535, &n) < 0)
			return ft_err(p, "%.80s: not an idle timeout (0-65535 seconds)", tok);
		f->idle_timeout = (uint16_t)n;
		break;
	case K_IN_PORT:
	case K_NETWORK:
		if (!ft_name_ok(v))
			return ft_err(p, "%.80s: not a %s name (" NAME_RULE ")", tok,
				    k == K_IN_PORT ? "port" : "network");
		strcpy(k == K_IN_PORT ? m->in_port : m->network, v);
		m->fields |= k == K_IN_PORT ? SYD_FM_IN_PORT : SYD_FM_NETWORK;
		break;
	case K_DL_SRC:
		m->fields |= SYD_FM_ETH_SRC;
		return mac_field(p, v, tok, m->eth_src, m->eth_src_mask);
	case K_DL_DST:
		m->fields |= SYD_FM_ETH_DST;
		return mac_field(p, v, tok, m->eth_dst, m->eth_dst_mask);
	case K_DL_VLAN:
		if (ft_uint(v, 0xffff, &n) < 0 || (n > 4095 && n != 0xffff))
			return ft_err(p, "%.80s: not a VLAN id (0-4095, or 0xffff: untagged)", tok);
		m->vlan = (uint16_t)n;
		m->fields |= SYD_FM_VLAN;
		break;
	case K_DL_TYPE:
		if (ft_uint(v, 0xffff, &n) < 0 || n < 0x0600)
			return ft_err(p, "%.80s: not an ethertype (0x0600-0xffff)", tok);
		return set_ethertype(p, (uint16_t)n, tok);
	case K_NW_SRC: /* /0 matches any address: the field is left out, as ovs-ofctl does */
		if (ip_field(p, v, tok, &m->ip_src, &m->ip_src_len) < 0)
			return -EINVAL;
		m->fields |= m->ip_src_len ? SYD_FM_IP_SRC : 0;
		return 0;
	case K_NW_DST:
		if (ip_field(p, v, tok, &m->ip_dst, &m->ip_dst_len) < 0)
			return -EINVAL;
		m->fields |= m->ip_dst_len ? SYD_FM_IP_DST : 0;
		return 0;
	case K_NW_PROTO:
		if (ft_uint(v, 255, &n) < 0)
			return ft_err(p, "%.80s: not an IP protocol number (0-255)", tok);
		return set_proto(p, (uint8_t)n, tok);
	case K_TP_SRC:
	case K_TP_DST:
		if (ft_uint(v, 65535, &n) < 0)
			return ft_err(p, "%.80s: not a port number (0-65535)", tok);
		if (field_names[i].implies &&
		    ((ret = set_ethertype(p, 0x0800, tok)) < 0 ||
		     (ret = set_proto(p, field_names[i].implies, tok)) < 0))
			return ret;
		*(k == K_TP_SRC ? &m->l4_src : &m->l4_dst) = (uint16_t)n;
		m->fields |= k == K_TP_SRC ? SYD_FM_L4_SRC : SYD_FM_L4_DST;
		break;
	case K_VNI:
		if (ft_uint(v, SYD_VNI_MAX, &n) < 0 || n == 0)
			return ft_err(p, "%.80s: not a VNI (1-%d)", tok, SYD_VNI_MAX);
		m->vni = (uint32_t)n;
		m->fields |= SYD_FM_VNI;
		break;
	case K_TUN_SRC:
		if (ft_ip(v, &m->tun_remote) < 0 || !proto_unicast_ipv4(m->tun_remote))
			return ft_err(p, "%.80s: not a unicast IPv4 address (a remote VTEP)", tok);
		m->fields |= SYD_FM_TUN_REMOTE;
		break;
	}
	return 0;
}

/* OpenFlow's prerequisites, once every field is read (fields come in any order). */
static int check_prerequisites(struct parser *p)
{
	const struct syd_flow_match *m = &p->f->match;
	bool ip = (m->fields & SYD_FM_ETHERTYPE) && m->ethertype == 0x0800;
	bool l4 = (m->fields & SYD_FM_IP_PROTO) &&
		  (m->ip_proto == 6 || m->ip_proto == 17 || m->ip_proto == 132);

	if ((m->fields & SYD_FM_IP_SRC) && !ip)
		return ft_err(p, "nw_src needs ip (or icmp, tcp, udp, sctp)");
	if ((m->fields & SYD_FM_IP_DST) && !ip)
		return ft_err(p, "nw_dst needs ip (or icmp, tcp, udp, sctp)");
	if ((m->fields & SYD_FM_IP_PROTO) && !ip)
		return ft_err(p, "nw_proto needs ip");
	if ((m->fields & SYD_FM_L4_SRC) && !l4)
		return ft_err(p, "tp_src needs tcp, udp or sctp");
	if ((m->fields & SYD_FM_L4_DST) && !l4)
		return ft_err(p, "tp_dst needs tcp, udp or sctp");
	return 0;
}

/* ---- the whole text ---- */

static int parse(struct parser *p, const char *text)
{
	char buf[TEXT_MAX], *s = buf, *actions = NULL;
	unsigned int cmd;
	int ret;

	if (strlen(text) >= sizeof(buf))
		return ft_err(p, "longer than %d bytes", TEXT_MAX - 1);
	strcpy(buf, text);
	for (;;) {
		char *end, *eq;
		bool last;

		s += strspn(s, SEPS);
		if (*s == '\0')
			break;
		if (strncmp(s, "actions=", 8) == 0) {
			actions = s + 8;
			break;
		}
		end = s + strcspn(s, SEPS);
		last = *end == '\0';
		*end = '\0';
		{
			char tok[TEXT_MAX];

			strcpy(tok, s);
			eq = strchr(s, '=');
			if (eq)
				*eq++ = '\0';
			ret = parse_field(p, s, eq, tok);
		}
		if (ret < 0)
			return ret;
		if (last)
			break;
		s = end + 1;
	}
	if (p->mode == MODE_RULE && actions == NULL)
		return ft_err(p, "missing actions= at the end (actions=drop drops)");
	if (p->mode != MODE_RULE && actions)
		return ft_err(p, "actions=%.60s: %s", actions,
			    p->mode == MODE_PROBE ? "flow-trace takes a packet, not actions"
						  : "a delete takes a match, not actions");
	ret = check_prerequisites(p);
	if (ret == 0 && actions)
		ret = ft_actions(p, actions);
	if (ret < 0 || p->mode == MODE_PROBE)
		return ret;
	/* The switch's own checks, last: whatever the text took, the switch takes. */
	cmd = p->mode == MODE_RULE    ? SYD_FC_ADD
	      : p->mode == MODE_LOOSE ? SYD_FC_DELETE
				      : SYD_FC_DELETE_STRICT;
	return proto_flow_check(p->f, cmd, p->err, p->errlen);
}

int flowtext_parse(const char *text, struct syd_flow *out, char *err, size_t errlen)
{
	struct parser p = {.mode = MODE_RULE, .f = out, .err = err, .errlen = errlen};

	memset(out, 0, sizeof(*out));
	out->priority = SYD_FLOW_PRIORITY_DEFAULT;
	return parse(&p, text);
}

int flowtext_parse_match(const char *text, bool strict, struct syd_flow *out, char *err,
			 size_t errlen)
{
	struct parser p = {
		.mode = strict ? MODE_STRICT : MODE_LOOSE, .f = out, .err = err, .errlen = errlen};
	int ret;

	memset(out, 0, sizeof(*out));
	if (strict)
		out->priority = SYD_FLOW_PRIORITY_DEFAULT;
	ret = parse(&p, text);
	if (ret == 0 && !strict && !(p.seen & (1u << K_TABLE)))
		out->table = SYD_FLOW_TABLE_ANY;
	return ret;
}

int flowtext_parse_probe(const char *text, struct syd_flow_probe *out, char *err, size_t errlen)
{
	struct syd_flow f;
	struct parser p = {.mode = MODE_PROBE, .f = &f, .err = err, .errlen = errlen};
	const struct syd_flow_match *m = &f.match;
	struct {
		struct syd_hdr h;
		struct syd_flow_probe probe;
	} msg;
	int ret;

	memset(&f, 0, sizeof(f));
	memset(out, 0, sizeof(*out));
	ret = parse(&p, text);
	if (ret < 0)
		return ret;
	if (!(m->fields & SYD_FM_IN_PORT))
		return ft_err(&p, "flow-trace needs in_port=PORT: where the packet comes in");
	strcpy(out->in_port, m->in_port);
	memcpy(out->eth_src, m->eth_src, 6);
	memcpy(out->eth_dst, m->eth_dst, 6);
	out->vlan = (m->fields & SYD_FM_VLAN) ? m->vlan : SYD_FLOW_VLAN_NONE;
	out->ethertype = m->ethertype;
	out->ip_src = m->ip_src;
	out->ip_dst = m->ip_dst;
	out->ip_proto = m->ip_proto;
	out->l4_src = m->l4_src;
	out->l4_dst = m->l4_dst;
	/* The switch's check, on the message it will get. */
	memset(&msg, 0, sizeof(msg));
	msg.h.version = SYD_PROTO_VERSION;
	msg.h.type = SYD_MSG_FLOW_TRACE;
	msg.h.length = sizeof(msg);
	msg.probe = *out;
	return proto_check(&msg, sizeof(msg), err, errlen);
}

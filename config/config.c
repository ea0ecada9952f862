/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The schema: from a tree of positioned YAML nodes (node.h) to struct syd_config, every
 * value checked where it is read and every reference checked once all are read.  The
 * first problem found is the one reported; nothing is returned with it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "flows.h"
#include "node.h"
#include "value.h"

#define WHERE_LEN 80 /* "networks[63].macs[65535].port" */

struct ctx {
	struct value_ctx v; /* where errors go */
	struct syd_config *c;
	/* The macs lists, read once every port is known. */
	const struct node *macs[CONFIG_MAX_NETWORKS];
	unsigned int total_macs;
};

/* One key of a mapping: filled by read_map. */
struct field {
	const char *key;
	const struct node *key_node; /* NULL when absent */
	const struct node *val;
};

/* where.key, or key at the top. */
static const char *join(char *buf, const char *where, const char *key)
{
	snprintf(buf, WHERE_LEN, "%s%s%s", where, where[0] ? "." : "", key);
	return buf;
}

static const char *item(char *buf, const char *where, size_t i)
{
	snprintf(buf, WHERE_LEN, "%s[%zu]", where, i);
	return buf;
}

/*
 * Read a mapping's keys into f: each key must be one of f's, once.  what says what the
 * mapping is ("a network (name, vni, ...)"), for the error when it is not a mapping.
 */
static int read_map(struct ctx *x, const struct node *n, const char *where, const char *what,
		    struct field *f, size_t nf)
{
	const char *w = where[0] ? where : "the file";
	char keys[160] = "", s[VALUE_SHOW_LEN];
	size_t i, j;

	if (n->type != NODE_MAP)
		return value_error(&x->v, n, "%s: expected %s, not %s", w, what, node_kind(n));
	for (i = 0; i < n->n; i++) {
		const struct node *k = n->kid[2 * i];

		for (j = 0; j < nf; j++)
			if (strlen(k->text) == k->len && strcmp(k->text, f[j].key) == 0)
				break;
		if (j == nf) {
			for (j = 0; j < nf; j++)
				snprintf(keys + strlen(keys), sizeof(keys) - strlen(keys), "%s%s",
					 j ? ", " : "", f[j].key);
			return value_error(&x->v, k, "%s: unknown key '%s' (expected %s)", w,
					   value_show(k->text, s), keys);
		}
		if (f[j].key_node)
			return value_error(&x->v, k, "%s: duplicate key '%s' (first at line %u)", w,
					   f[j].key, f[j].key_node->line);
		f[j].key_node = k;
		f[j].val = n->kid[2 * i + 1];
	}
	return 0;
}

static int missing(struct ctx *x, const struct node *map, const char *where, const char *key,
		   const char *what)
{
	return value_error(&x->v, map, "%s: missing '%s' (%s)", where[0] ? where : "the file", key,
			   what);
}

/* A list (null counts as empty): *items gets its length. */
static int read_list(struct ctx *x, const struct node *n, const char *where, const char *what,
		     size_t *items)
{
	*items = 0;
	if (node_is_null(n))
		return 0;
	if (n->type != NODE_SEQ)
		return value_error(&x->v, n, "%s: expected a list of %s, not %s", where, what,
				   node_kind(n));
	*items = n->n;
	return 0;
}

/* ---- the sections ---- */

static int read_vtep(struct ctx *x, const struct node *n)
{
	static const char *const modes[] = {"auto", "af_xdp", "af_packet", "vhost-server",
					    "virtio-user"};
	struct field f[] = {{.key = "address"}, {.key = "uplink"}, {.key = "mode"},
			    {.key = "udp_port"}, {.key = "mtu"},    {.key = "socket"},
			    {.key = "mac"}};
	struct config_vtep *v = &x->c->vtep;
	char s[VALUE_SHOW_LEN];
	uint32_t u;
	int mode, ret;

	ret = read_map(x, n, "switch.vtep",
		       "a mapping (address, uplink, and optionally mode, socket, mac, udp_port, "
		       "mtu)",
		       f, 7);
	if (ret < 0)
		return ret;
	v->pos = (struct config_pos){n->line, n->col};
	v->mode = CONFIG_UPLINK_AUTO;
	if (f[2].val) {
		ret = value_word(&x->v, f[2].val, "switch.vtep.mode", "an uplink mode", modes, 5,
				 &mode);
		if (ret < 0)
			return ret;
		v->mode = (enum config_uplink_mode)mode;
	}
	if (f[0].val == NULL)
		return missing(x, n, "switch.vtep", "address", "this switch's VTEP IPv4 address");
	if (f[1].val == NULL)
		return missing(x, n, "switch.vtep", "uplink",
			       config_uplink_is_socket(v->mode)
				       ? "the uplink's name (1-15 letters, digits, '_' or '-')"
				       : "the kernel interface VXLAN goes in and out of");
	ret = value_vtep_addr(&x->v, f[0].val, "switch.vtep.address", &v->address);
	if (ret < 0)
		return ret;
	if (!config_uplink_is_socket(v->mode)) {
		ret = value_ifname(&x->v, f[1].val, "switch.vtep.uplink", v->uplink);
		if (ret < 0)
			return ret;
		if (f[5].key_node || f[6].key_node)
			return value_error(&x->v, f[5].key_node ? f[5].key_node : f[6].key_node,
					   "switch.vtep.%s: only modes vhost-server and virtio-user "
					   "have a %s; mode %s uses interface %s as it is",
					   f[5].key_node ? "socket" : "mac",
					   f[5].key_node ? "socket" : "MAC of their own",
					   modes[v->mode - 1], v->uplink);
	} else {
		char name[CONFIG_NAME_LEN];

		ret = value_name(&x->v, f[1].val, "switch.vtep.uplink", "the uplink's name", name);
		if (ret < 0)
			return ret;
		if (strlen(name) >= CONFIG_IFNAME_LEN)
			return value_error(&x->v, f[1].val,
					   "switch.vtep.uplink: '%s' is longer than %d characters",
					   value_show(name, s), CONFIG_IFNAME_LEN - 1);
		strcpy(v->uplink, name);
		if (f[5].val == NULL)
			return missing(x, n, "switch.vtep", "socket",
				       v->mode == CONFIG_UPLINK_VHOST_SERVER
					       ? "the vhost-user socket the switch listens on"
					       : "the vhost-user socket the switch connects to");
		ret = value_socket(&x->v, f[5].val, "switch.vtep.socket", v->socket);
		if (ret == 0 && f[6].val)
			ret = value_mac(&x->v, f[6].val, "switch.vtep.mac", v->mac);
		if (ret < 0)
			return ret;
	}
	v->udp_port = 4789;
	if (f[3].val) {
		ret = value_uint(&x->v, f[3].val, "switch.vtep.udp_port", "a UDP port", 1, 65535,
				 &u);
		if (ret < 0)
			return ret;
		v->udp_port = (uint16_t)u;
	}
	v->mtu = 1500;
	if (f[4].val) {
		ret = value_uint(&x->v, f[4].val, "switch.vtep.mtu", "an underlay MTU", 576, 9000,
				 &u);
		if (ret < 0)
			return ret;
		v->mtu = (uint16_t)u;
	}
	return 0;
}

static int read_switch(struct ctx *x, const struct node *n)
{
	struct field f[] = {{.key = "name"}, {.key = "vtep"}};
	int ret = read_map(x, n, "switch", "a mapping (name, and optionally vtep)", f, 2);

	if (ret < 0)
		return ret;
	if (f[0].val == NULL)
		return missing(x, n, "switch", "name", "the switch's name, such as host-a");
	ret = value_name(&x->v, f[0].val, "switch.name", "the switch's name", x->c->name);
	if (ret == 0 && f[1].val && !node_is_null(f[1].val))
		ret = read_vtep(x, f[1].val);
	return ret;
}

static int read_flood(struct ctx *x, struct config_network *net, const struct node *n,
		      const char *where)
{
	char w[WHERE_LEN], s[VALUE_SHOW_LEN];
	size_t i, items;
	unsigned int j;
	int ret = read_list(x, n, where, "remote VTEP addresses", &items);

	if (ret < 0 || items == 0)
		return ret;
	if (net->vni == 0)
		return value_error(&x->v, n, "%s: a flood list needs a vni: give network '%s' one",
				   where, net->name);
	if (x->c->vtep.address == 0)
		return value_error(&x->v, n,
				   "%s: remote VTEPs need switch.vtep (this switch's address and "
				   "uplink)",
				   where);
	for (i = 0; i < items; i++) {
		uint32_t a;

		item(w, where, i);
		if (i == CONFIG_MAX_FLOOD)
			return value_error(&x->v, n->kid[i],
					   "%s: at most %d remote VTEPs per network", w,
					   CONFIG_MAX_FLOOD);
		ret = value_vtep_addr(&x->v, n->kid[i], w, &a);
		if (ret < 0)
			return ret;
		if (a == x->c->vtep.address)
			return value_error(&x->v, n->kid[i],
					   "%s: %s is this switch's own VTEP (switch.vtep."
					   "address), not a remote one",
					   w, inet_ntop(AF_INET, &a, s, sizeof(s)));
		for (j = 0; j < net->nflood; j++)
			if (net->flood[j] == a)
				return value_error(&x->v, n->kid[i],
						   "%s: %s is listed twice (first at line %u)", w,
						   inet_ntop(AF_INET, &a, s, sizeof(s)),
						   net->flood_pos[j].line);
		net->flood_pos[net->nflood] = (struct config_pos){n->kid[i]->line, n->kid[i]->col};
		net->flood[net->nflood++] = a;
	}
	return 0;
}

static int read_network(struct ctx *x, unsigned int idx, const struct node *n)
{
	struct field f[] = {{.key = "name"}, {.key = "vni"}, {.key = "flood"}, {.key = "macs"}};
	struct config_network *net = &x->c->network[idx];
	char where[WHERE_LEN], w[WHERE_LEN];
	unsigned int i;
	int ret;

	item(where, "networks", idx);
	ret = read_map(x, n, where, "a network (name, and optionally vni, flood, macs)", f, 4);
	if (ret < 0)
		return ret;
	net->pos = (struct config_pos){n->line, n->col};
	if (f[0].val == NULL)
		return missing(x, n, where, "name", "the network's name");
	ret = value_name(&x->v, f[0].val, join(w, where, "name"), "the network's name", net->name);
	if (ret < 0)
		return ret;
	for (i = 0; i < idx; i++)
		if (strcmp(x->c->network[i].name, net->name) == 0)
			return value_error(&x->v, f[0].val,
					   "%s: network '%s' is defined twice (first at line %u)",
					   w, net->name, x->c->network[i].pos.line);
	if (f[1].val && !node_is_null(f[1].val)) {
		ret = value_uint(&x->v, f[1].val, join(w, where, "vni"), "a VNI", 1, CONFIG_VNI_MAX,
				 &net->vni);
		if (ret < 0)
			return ret;
		for (i = 0; i < idx; i++)
			if (x->c->network[i].vni == net->vni)
				return value_error(&x->v, f[1].val,
						   "%s: VNI %u is already network '%s''s "
						   "(line %u)",
						   w, net->vni, x->c->network[i].name,
						   x->c->network[i].pos.line);
	}
	if (f[2].val) {
		ret = read_flood(x, net, f[2].val, join(w, where, "flood"));
		if (ret < 0)
			return ret;
	}
	x->macs[idx] = f[3].val;
	return 0;
}

static const struct config_port *find_port(const struct syd_config *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->nports; i++)
		if (strcmp(c->port[i].name, name) == 0)
			return &c->port[i];
	return NULL;
}

static const struct config_network *find_network(const struct syd_config *c, const char *name)
{
	unsigned int i;

	for (i = 0; i < c->nnetworks; i++)
		if (strcmp(c->network[i].name, name) == 0)
			return &c->network[i];
	return NULL;
}

static int read_port(struct ctx *x, unsigned int idx, const struct node *n)
{
	static const char *const types[] = {"vhost-user", "af_packet", "tap"};
	static const char *const modes[] = {"server", "client"};
	struct field f[] = {{.key = "name"}, {.key = "type"},	   {.key = "socket"},
			    {.key = "mode"}, {.key = "interface"}, {.key = "network"}};
	struct config_port *p = &x->c->port[idx];
	char where[WHERE_LEN], w[WHERE_LEN];
	unsigned int i;
	int ret, v;

	item(where, "ports", idx);
	ret = read_map(x, n, where, "a port (name, type, socket and mode or interface, network)", f,
		       6);
	if (ret < 0)
		return ret;
	p->pos = (struct config_pos){n->line, n->col};
	if (f[0].val == NULL)
		return missing(x, n, where, "name", "the port's name");
	if (f[1].val == NULL)
		return missing(x, n, where, "type", "vhost-user, af_packet or tap");
	ret = value_name(&x->v, f[0].val, join(w, where, "name"), "the port's name", p->name);
	if (ret < 0)
		return ret;
	for (i = 0; i < idx; i++)
		if (strcmp(x->c->port[i].name, p->name) == 0)
			return value_error(&x->v, f[0].val,
					   "%s: port '%s' is defined twice (first at line %u)", w,
					   p->name, x->c->port[i].pos.line);
	ret = value_word(&x->v, f[1].val, join(w, where, "type"), "a port type", types, 3, &v);
	if (ret < 0)
		return ret;
	p->type = (enum config_port_type)v;
	if (p->type == CONFIG_PORT_VHOST_USER) {
		if (f[4].key_node)
			return value_error(&x->v, f[4].key_node,
					   "%s: a vhost-user port has a socket, not an "
					   "interface",
					   join(w, where, "interface"));
		if (f[2].val == NULL)
			return missing(x, n, where, "socket",
				       "the vhost-user socket's absolute path");
		if (f[3].val == NULL)
			return missing(
				x, n, where, "mode",
				"server: the switch creates the socket, or client: QEMU does");
		ret = value_socket(&x->v, f[2].val, join(w, where, "socket"), p->path);
		if (ret == 0)
			ret = value_word(&x->v, f[3].val, join(w, where, "mode"),
					 "a vhost-user mode", modes, 2, &v);
		if (ret < 0)
			return ret;
		if (strcmp(p->path, x->c->vtep.socket) == 0)
			return value_error(&x->v, f[2].val,
					   "%s: %s is the uplink's socket (switch.vtep.socket), "
					   "not a port's",
					   join(w, where, "socket"), p->path);
		p->mode = (enum config_vhost_mode)v;
	} else {
		if (f[2].key_node)
			return value_error(&x->v, f[2].key_node,
					   "%s: a%s %s port has an interface, not a socket",
					   join(w, where, "socket"),
					   p->type == CONFIG_PORT_TAP ? "" : "n",
					   types[p->type - 1]);
		if (f[3].key_node)
			return value_error(&x->v, f[3].key_node,
					   "%s: only vhost-user ports have a mode",
					   join(w, where, "mode"));
		if (f[4].val == NULL)
			return missing(x, n, where, "interface",
				       p->type == CONFIG_PORT_TAP
					       ? "the name of the tap interface the switch creates"
					       : "the kernel interface to attach");
		ret = value_ifname(&x->v, f[4].val, join(w, where, "interface"), p->path);
		if (ret < 0)
			return ret;
		if (!config_uplink_is_socket(x->c->vtep.mode) &&
		    strcmp(p->path, x->c->vtep.uplink) == 0)
			return value_error(&x->v, f[4].val,
					   "%s: %s is the uplink (switch.vtep.uplink), not a port",
					   w, p->path);
	}
	for (i = 0; i < idx; i++)
		if (strcmp(x->c->port[i].path, p->path) == 0)
			return value_error(
				&x->v, p->type == CONFIG_PORT_VHOST_USER ? f[2].val : f[4].val,
				"%s: %s is already port '%s''s (line %u)",
				join(w, where,
				     p->type == CONFIG_PORT_VHOST_USER ? "socket" : "interface"),
				p->path, x->c->port[i].name, x->c->port[i].pos.line);
	if (f[5].val && !node_is_null(f[5].val)) {
		ret = value_name(&x->v, f[5].val, join(w, where, "network"), "a network's name",
				 p->network);
		if (ret < 0)
			return ret;
		if (find_network(x->c, p->network) == NULL)
			return value_error(&x->v, f[5].val,
					   "%s: there is no network '%s' in networks", w,
					   p->network);
	}
	return 0;
}

static bool node_before(const struct node *a, const struct node *b)
{
	return a->line < b->line || (a->line == b->line && a->col < b->col);
}

static int read_mac(struct ctx *x, struct config_network *net, const struct node *n,
		    const char *where)
{
	struct field f[] = {{.key = "mac"}, {.key = "port"}, {.key = "vtep"}};
	struct config_mac *m = &net->mac[net->nmacs];
	const struct config_port *p;
	char w[WHERE_LEN], s[VALUE_SHOW_LEN];
	unsigned int i;
	int ret;

	ret = read_map(x, n, where, "a static MAC entry ({mac, port} or {mac, vtep})", f, 3);
	if (ret < 0)
		return ret;
	m->pos = (struct config_pos){n->line, n->col};
	if (f[0].val == NULL)
		return missing(x, n, where, "mac", "the station's MAC address");
	if (f[1].val && f[2].val) /* at the second of the two */
		return value_error(&x->v,
				   node_before(f[1].key_node, f[2].key_node) ? f[2].key_node
									     : f[1].key_node,
				   "%s: give port or vtep, not both", where);
	if (f[1].val == NULL && f[2].val == NULL)
		return missing(x, n, where, "port",
			       "the port the MAC is behind; or vtep, a remote "
			       "VTEP's address");
	ret = value_mac(&x->v, f[0].val, join(w, where, "mac"), m->mac);
	if (ret < 0)
		return ret;
	if (f[1].val) {
		ret = value_name(&x->v, f[1].val, join(w, where, "port"), "a port's name", m->port);
		if (ret < 0)
			return ret;
		p = find_port(x->c, m->port);
		if (p == NULL)
			return value_error(&x->v, f[1].val, "%s: there is no port '%s' in ports", w,
					   m->port);
		if (strcmp(p->network, net->name) != 0)
			return value_error(&x->v, f[1].val,
					   "%s: port '%s' is not in network '%s' (it is in %s%s%s)",
					   w, m->port, net->name,
					   p->network[0] ? "network '" : "no network", p->network,
					   p->network[0] ? "'" : "");
	} else {
		ret = value_vtep_addr(&x->v, f[2].val, join(w, where, "vtep"), &m->vtep);
		if (ret < 0)
			return ret;
		for (i = 0; i < net->nflood; i++)
			if (net->flood[i] == m->vtep)
				break;
		if (i == net->nflood)
			return value_error(&x->v, f[2].val,
					   "%s: %s is not in network '%s''s flood list", w,
					   inet_ntop(AF_INET, &m->vtep, s, sizeof(s)), net->name);
	}
	net->nmacs++;
	return 0;
}

struct mac_key {
	uint64_t mac;
	unsigned int idx;
};

static int mac_key_cmp(const void *a, const void *b)
{
	const struct mac_key *x = a, *y = b;

	if (x->mac != y->mac)
		return x->mac < y->mac ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* A MAC twice in one network: report the second of the earliest such pair. */
static int check_mac_twice(struct ctx *x, const struct config_network *net, const char *where,
			   const struct node *list)
{
	struct mac_key *k;
	unsigned int i, j, dup = 0, first = 0;
	char w[WHERE_LEN];

	if (net->nmacs < 2)
		return 0;
	k = malloc(net->nmacs * sizeof(*k));
	if (k == NULL)
		return -ENOMEM;
	for (i = 0; i < net->nmacs; i++) {
		k[i].idx = i;
		k[i].mac = 0;
		for (j = 0; j < 6; j++)
			k[i].mac = k[i].mac << 8 | net->mac[i].mac[j];
	}
	qsort(k, net->nmacs, sizeof(*k), mac_key_cmp);
	for (i = 1; i < net->nmacs; i++)
		if (k[i].mac == k[i - 1].mac && (dup == 0 || k[i].idx < dup)) {
			dup = k[i].idx;
			first = k[i - 1].idx;
		}
	free(k);
	if (dup == 0)
		return 0;
	{
		const uint8_t *m = net->mac[dup].mac;

		return value_error(&x->v, list->kid[dup],
				   "%s: %02x:%02x:%02x:%02x:%02x:%02x is listed twice in "
				   "network '%s' (first at line %u)",
				   item(w, where, dup), m[0], m[1], m[2], m[3], m[4], m[5],
				   net->name, net->mac[first].pos.line);
	}
}

static int read_macs(struct ctx *x, unsigned int idx)
{
	struct config_network *net = &x->c->network[idx];
	const struct node *list = x->macs[idx];
	char where[WHERE_LEN], w[WHERE_LEN];
	size_t i, items;
	int ret;

	if (list == NULL)
		return 0;
	snprintf(where, sizeof(where), "networks[%u].macs", idx);
	ret = read_list(x, list, where, "static MAC entries", &items);
	if (ret < 0 || items == 0)
		return ret;
	if (x->total_macs + items > CONFIG_MAX_MACS)
		return value_error(&x->v, list->kid[CONFIG_MAX_MACS - x->total_macs],
				   "%s: more than %d static MAC entries in the file",
				   item(w, where, CONFIG_MAX_MACS - x->total_macs),
				   CONFIG_MAX_MACS);
	x->total_macs += (unsigned int)items;
	net->mac = calloc(items, sizeof(*net->mac));
	if (net->mac == NULL)
		return -ENOMEM;
	for (i = 0; i < items; i++) {
		ret = read_mac(x, net, list->kid[i], item(w, where, i));
		if (ret < 0)
			return ret;
	}
	return check_mac_twice(x, net, where, list);
}

static int read_root(struct ctx *x, const struct node *root)
{
	struct field f[] = {{.key = "switch"}, {.key = "networks"}, {.key = "ports"},
			    {.key = "flows"}};
	struct syd_config *c = x->c;
	char w[WHERE_LEN];
	size_t i, items;
	int ret;

	if (root == NULL || node_is_null(root))
		return value_error(
			&x->v, NULL,
			"the file is empty: expected a mapping with switch, networks and "
			"ports (see config/README.md)");
	ret = read_map(x, root, "", "a mapping with switch, networks and ports", f, 4);
	if (ret < 0)
		return ret;
	if (f[0].val == NULL)
		return missing(x, root, "", "switch", "a mapping with the switch's name");
	ret = read_switch(x, f[0].val);
	if (ret < 0)
		return ret;
	if (f[1].val) {
		ret = read_list(x, f[1].val, "networks", "networks", &items);
		if (ret < 0)
			return ret;
		if (items > CONFIG_MAX_NETWORKS)
			return value_error(&x->v, f[1].val->kid[CONFIG_MAX_NETWORKS],
					   "%s: at most %d networks",
					   item(w, "networks", CONFIG_MAX_NETWORKS),
					   CONFIG_MAX_NETWORKS);
		c->network = calloc(items ? items : 1, sizeof(*c->network));
		if (c->network == NULL)
			return -ENOMEM;
		for (i = 0; i < items; i++) {
			ret = read_network(x, (unsigned int)i, f[1].val->kid[i]);
			if (ret < 0)
				return ret;
			c->nnetworks++;
		}
	}
	if (f[2].val) {
		ret = read_list(x, f[2].val, "ports", "ports", &items);
		if (ret < 0)
			return ret;
		if (items > CONFIG_MAX_PORTS)
			return value_error(&x->v, f[2].val->kid[CONFIG_MAX_PORTS],
					   "%s: at most %d ports",
					   item(w, "ports", CONFIG_MAX_PORTS), CONFIG_MAX_PORTS);
		c->port = calloc(items ? items : 1, sizeof(*c->port));
		if (c->port == NULL)
			return -ENOMEM;
		for (i = 0; i < items; i++) {
			ret = read_port(x, (unsigned int)i, f[2].val->kid[i]);
			if (ret < 0)
				return ret;
			c->nports++;
		}
	}
	/* Static MACs name ports, so they come once every port is known. */
	for (i = 0; i < c->nnetworks; i++) {
		ret = read_macs(x, (unsigned int)i);
		if (ret < 0)
			return ret;
	}
	return f[3].val ? config_read_flows(&x->v, c, f[3].val) : 0;
}

void config_free(struct syd_config *c)
{
	unsigned int i;

	if (c == NULL)
		return;
	for (i = 0; c->network && i < c->nnetworks; i++)
		free(c->network[i].mac);
	free(c->network);
	free(c->port);
	for (i = 0; c->flow && i < c->nflows; i++)
		free(c->flow[i].text);
	free(c->flow);
	free(c->file);
	free(c);
}

int config_load_buffer(const char *name, const char *text, size_t len, struct syd_config **out,
		       char *err, size_t errlen)
{
	struct ctx x = {.v = {.file = name, .err = err, .errlen = errlen}};
	struct node_error e;
	struct node *root;
	int ret;

	*out = NULL;
	if (len > CONFIG_FILE_MAX) {
		snprintf(err, errlen, "%s: %zu bytes; a configuration has at most %d", name, len,
			 CONFIG_FILE_MAX);
		return -EFBIG;
	}
	ret = node_parse(text, len, &root, &e);
	if (ret == -EINVAL) {
		snprintf(err, errlen, "%s:%u:%u: %s", name, e.line, e.col, e.text);
		return ret;
	}
	if (ret < 0)
		goto nomem;
	x.c = calloc(1, sizeof(*x.c));
	if (x.c == NULL) {
		node_free(root);
		goto nomem;
	}
	ret = read_root(&x, root);
	node_free(root);
	if (ret == 0) {
		x.c->file = strdup(name);
		ret = x.c->file ? 0 : -ENOMEM;
	}
	if (ret < 0) {
		config_free(x.c);
		if (ret == -ENOMEM)
			goto nomem;
		return ret;
	}
	*out = x.c;
	return 0;
nomem:
	snprintf(err, errlen, "%s: out of memory", name);
	return -ENOMEM;
}

int config_load_file(const char *path, struct syd_config **out, char *err, size_t errlen)
{
	struct stat st;
	char *text;
	ssize_t n;
	size_t got = 0;
	int fd, ret;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		ret = -errno;
		snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return ret;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONFIG_FILE_MAX) {
		close(fd);
		snprintf(err, errlen,
			 S_ISREG(st.st_mode) ? "%s: larger than %d bytes"
					     : "%s: not a regular file",
			 path, CONFIG_FILE_MAX);
		return S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
	}
	/* One byte more than the size says, to notice a file that grows while read. */
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		close(fd);
		snprintf(err, errlen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (got <= (size_t)st.st_size &&
	       (n = read(fd, text + got, (size_t)st.st_size + 1 - got)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = -errno;
			snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
			free(text);
			close(fd);
			return ret;
		}
		got += (size_t)n;
	}
	close(fd);
	if (got > (size_t)st.st_size) {
		free(text);
		snprintf(err, errlen, "%s changed while it was read: try again", path);
		return -EAGAIN;
	}
	ret = config_load_buffer(path, text, got, out, err, errlen);
	free(text);
	return ret;
}

const char *config_uplink_mode_name(enum config_uplink_mode m)
{
	static const char *const names[] = {"?",	 "auto",	 "af_xdp",
					    "af_packet", "vhost-server", "virtio-user"};

	return (unsigned int)m < 6 ? names[m] : "?";
}

bool config_uplink_is_socket(enum config_uplink_mode m)
{
	return m == CONFIG_UPLINK_VHOST_SERVER || m == CONFIG_UPLINK_VIRTIO_USER;
}

const char *config_port_type_name(enum config_port_type t)
{
	static const char *const names[] = {"?", "vhost-user", "af_packet", "tap"};

	return (unsigned int)t < 4 ? names[t] : "?";
}

const char *config_vhost_mode_name(enum config_vhost_mode m)
{
	static const char *const names[] = {"?", "server", "client"};

	return (unsigned int)m < 3 ? names[m] : "?";
}

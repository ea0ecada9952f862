/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <arpa/inet.h>
#include <net/if.h>

#include <rte_ether.h>

#include "batch.h"
#include "flows.h"
#include "log.h"
#include "neigh.h"
#include "port.h"

/* What planning resolved for one op: the slots and key the commit will use. */
struct planned {
	int port;  /* port slot, or -1 */
	int net;   /* network slot, or -1 (SYD_OP_MAC_FLUSH: -1 = all networks) */
	uint64_t key;
};

/* The names as they will be after each op, while planning. */
struct shadow {
	struct {
		bool used;
		bool freed; /* deleted in this batch: not reusable until the batch is done */
		char name[SYD_PORT_NAME_MAX + 1];
		char path[SYD_SOCK_PATH_MAX];
		int net;
	} port[SYD_MAX_PORTS];
	struct {
		bool used;
		bool freed;
		char name[SYD_PORT_NAME_MAX + 1];
		uint32_t vni;
		uint16_t nvteps;
		uint32_t vtep[SYD_MAX_VTEPS]; /* addresses of its flood list */
	} net[SYD_MAX_NETWORKS];
	struct {
		uint32_t addr;
		uint32_t refs;
	} vtep[SYD_MAX_VTEPS]; /* slots as the commit will see them */
	uint32_t mac_adds;
	unsigned int uplink_ops;
	char uplink_if[SYD_SOCK_PATH_MAX];   /* "" when none */
	char uplink_path[SYD_SOCK_PATH_MAX]; /* a socket-mode uplink's socket, or "" */
	uint32_t uplink_addr;
};

static int shadow_port(const struct shadow *s, const char *name)
{
	int i;

	for (i = 0; i < SYD_MAX_PORTS; i++)
		if (s->port[i].used && strcmp(s->port[i].name, name) == 0)
			return i;
	return -1;
}

static int shadow_net(const struct shadow *s, const char *name)
{
	int i;

	for (i = 0; i < SYD_MAX_NETWORKS; i++)
		if (s->net[i].used && strcmp(s->net[i].name, name) == 0)
			return i;
	return -1;
}

static void shadow_init(struct shadow *s, const struct dataplane *dp)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < dp->nports; i++) {
		const struct port *p = &dp->port[i];

		if (!p->open || p->removed || p->uplink)
			continue;
		s->port[i].used = true;
		strcpy(s->port[i].name, p->name);
		strcpy(s->port[i].path, p->path);
		s->port[i].net = p->network == SYD_NO_NETWORK ? -1 : p->network;
	}
	for (i = 0; i < SYD_MAX_NETWORKS; i++) {
		unsigned int v;

		s->net[i].used = dp->net[i].used;
		strcpy(s->net[i].name, dp->net[i].name);
		s->net[i].vni = dp->net[i].vni;
		s->net[i].nvteps = dp->net[i].nvteps;
		for (v = 0; v < dp->net[i].nvteps; v++)
			s->net[i].vtep[v] = dp->vtep[dp->net[i].vtep[v]].addr;
	}
	for (i = 0; i < SYD_MAX_VTEPS; i++) {
		s->vtep[i].addr = dp->vtep[i].addr;
		s->vtep[i].refs = dp->vtep[i].refs;
	}
	strcpy(s->uplink_if, dp->uplink.ifname);
	strcpy(s->uplink_path, dp->uplink.ifname[0] ? dp->uplink.path : "");
	/* The uplink's slot is its own even while its port is closed (a virtio-user uplink
	 * waiting to connect again). */
	if (dp->uplink.ifname[0] && dp->uplink.slot >= 0)
		s->port[dp->uplink.slot].freed = true;
	s->uplink_addr = dp->uplink.ifname[0] ? dp->uplink.addr : 0;
}

static int shadow_vni(const struct shadow *s, uint32_t vni)
{
	int i;

	for (i = 0; i < SYD_MAX_NETWORKS; i++)
		if (s->net[i].used && s->net[i].vni == vni)
			return i;
	return -1;
}

static int shadow_net_vtep(const struct shadow *s, int net, uint32_t addr)
{
	int v;

	for (v = 0; v < s->net[net].nvteps; v++)
		if (s->net[net].vtep[v] == addr)
			return v;
	return -1;
}

/* A reference on the slot of addr, as tunnel_vtep_get() will take it.  -1: all used. */
static int shadow_vtep_get(struct shadow *s, uint32_t addr)
{
	int i, free_slot = -1;

	for (i = 0; i < SYD_MAX_VTEPS; i++) {
		if (s->vtep[i].addr == addr) {
			s->vtep[i].refs++;
			return i;
		}
		if (s->vtep[i].addr == 0 && free_slot < 0)
			free_slot = i;
	}
	if (free_slot >= 0) {
		s->vtep[free_slot].addr = addr;
		s->vtep[free_slot].refs = 1;
	}
	return free_slot;
}

static void shadow_vtep_put(struct shadow *s, uint32_t addr)
{
	int i;

	for (i = 0; i < SYD_MAX_VTEPS; i++)
		if (s->vtep[i].addr == addr && s->vtep[i].refs > 0 && --s->vtep[i].refs == 0)
			s->vtep[i].addr = 0;
}

#define IP4(a) ((const uint8_t *)&(a))[0], ((const uint8_t *)&(a))[1], \
	       ((const uint8_t *)&(a))[2], ((const uint8_t *)&(a))[3]

/* Was key added (1) or deleted (-1) by an earlier op of this batch?  0: untouched. */
static int batch_mac_state(const struct syd_op *op, const struct planned *pl, uint32_t upto,
			   uint64_t key)
{
	int state = 0;
	uint32_t i;

	for (i = 0; i < upto; i++) {
		if (op[i].type == SYD_OP_MAC_ADD && pl[i].key == key)
			state = 1;
		else if (op[i].type == SYD_OP_MAC_DEL && pl[i].key == key)
			state = -1;
	}
	return state;
}

static int plan_op(const struct dataplane *dp, struct shadow *s, const struct syd_op *ops,
		   struct planned *pl, uint32_t i, char *err, size_t errlen)
{
	const struct syd_op *op = &ops[i];
	const char *what = proto_op_name(op->type);
	int port = -1, net = -1, k;

	pl[i].port = pl[i].net = -1;
	pl[i].key = 0;
	if (op->type != SYD_OP_NET_ADD && op->type != SYD_OP_NET_DEL &&
	    op->type != SYD_OP_NET_VNI && op->type != SYD_OP_UPLINK_SET && op->name[0]) {
		port = shadow_port(s, op->name);
		if (port < 0 && op->type != SYD_OP_PORT_ADD)
			return syd_fail(err, errlen, -ENOENT, "%s: no port named '%s'", what, op->name);
	}
	if (op->network[0]) {
		net = shadow_net(s, op->network);
		if (net < 0)
			return syd_fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->network);
	}

	switch (op->type) {
	case SYD_OP_NET_ADD:
		if (shadow_net(s, op->name) >= 0)
			return syd_fail(err, errlen, -EEXIST, "%s: network '%s' exists", what,
				    op->name);
		for (k = 0; k < SYD_MAX_NETWORKS; k++)
			if (!s->net[k].used && !s->net[k].freed)
				break;
		if (k == SYD_MAX_NETWORKS)
			return syd_fail(err, errlen, -ENOSPC, "%s: all %d networks are in use", what,
				    SYD_MAX_NETWORKS);
		if (op->vni && (net = shadow_vni(s, op->vni)) >= 0)
			return syd_fail(err, errlen, -EEXIST, "%s: VNI %u is network '%s''s", what,
				    op->vni, s->net[net].name);
		s->net[k].used = true;
		strcpy(s->net[k].name, op->name);
		s->net[k].vni = op->vni;
		s->net[k].nvteps = 0;
		pl[i].net = k;
		break;
	case SYD_OP_NET_VNI:
		net = shadow_net(s, op->name);
		if (net < 0)
			return syd_fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->name);
		if (op->vni && (k = shadow_vni(s, op->vni)) >= 0 && k != net)
			return syd_fail(err, errlen, -EEXIST, "%s: VNI %u is network '%s''s", what,
				    op->vni, s->net[k].name);
		s->net[net].vni = op->vni;
		pl[i].net = net;
		break;
	case SYD_OP_VTEP_ADD:
		if (s->net[net].vni == 0)
			return syd_fail(err, errlen, -EINVAL,
				    "%s: network '%s' has no VNI: give it one (set-vni) first", what,
				    op->network);
		if (shadow_net_vtep(s, net, op->addr) >= 0)
			return syd_fail(err, errlen, -EEXIST,
				    "%s: %u.%u.%u.%u is already in network '%s''s flood list", what,
				    IP4(op->addr), op->network);
		if (s->uplink_if[0] && op->addr == s->uplink_addr)
			return syd_fail(err, errlen, -EINVAL, "%s: %u.%u.%u.%u is this switch's own VTEP",
				    what, IP4(op->addr));
		if (s->net[net].nvteps == SYD_MAX_VTEPS || shadow_vtep_get(s, op->addr) < 0)
			return syd_fail(err, errlen, -ENOSPC, "%s: %d remote VTEPs at most", what,
				    SYD_MAX_VTEPS);
		s->net[net].vtep[s->net[net].nvteps++] = op->addr;
		pl[i].net = net;
		break;
	case SYD_OP_VTEP_DEL:
		k = shadow_net_vtep(s, net, op->addr);
		if (k < 0)
			return syd_fail(err, errlen, -ENOENT,
				    "%s: %u.%u.%u.%u is not in network '%s''s flood list", what,
				    IP4(op->addr), op->network);
		s->net[net].vtep[k] = s->net[net].vtep[--s->net[net].nvteps];
		shadow_vtep_put(s, op->addr);
		pl[i].net = net;
		break;
	case SYD_OP_UPLINK_SET:
		if (++s->uplink_ops > 1)
			return syd_fail(err, errlen, -EINVAL, "%s: one uplink change per batch", what);
		for (k = 0; k < SYD_MAX_NETWORKS; k++)
			if (s->net[k].used && shadow_net_vtep(s, k, op->addr) >= 0)
				return syd_fail(err, errlen, -EINVAL,
					    "%s: %u.%u.%u.%u is a remote VTEP of network '%s'", what,
					    IP4(op->addr), s->net[k].name);
		for (k = 0; k < SYD_MAX_PORTS; k++)
			if (s->port[k].used && strcmp(s->port[k].path, op->path) == 0)
				return syd_fail(err, errlen, -EBUSY, "%s: %s is port '%s'", what, op->path,
					    s->port[k].name);
		/* A new socket must be usable before the old uplink is taken out for it. */
		if (proto_uplink_is_socket(op->kind) &&
		    !(dp->uplink.ifname[0] && dp->uplink.mode == op->kind &&
		      strcmp(dp->uplink.path, op->path) == 0)) {
			char why[256];
			int ret = port_check_path(op->path,
						  op->kind == SYD_UPLINK_VHOST_SERVER
							  ? PORT_VHOST_SERVER
							  : PORT_VIRTIO_USER,
						  why, sizeof(why));

			if (ret < 0)
				return syd_fail(err, errlen, ret, "%s: %s", what, why);
		}
		if (!proto_uplink_is_socket(op->kind) && if_nametoindex(op->path) == 0)
			return syd_fail(err, errlen, -ENODEV, "%s: interface %s does not exist (see ip "
				    "link)", what, op->path);
		for (k = 0; k < SYD_MAX_PORTS; k++)
			if (!s->port[k].used && !s->port[k].freed && !dp->port[k].open)
				break;
		if (k == SYD_MAX_PORTS)
			return syd_fail(err, errlen, -ENOSPC, "%s: all %d ports are in use", what,
				    SYD_MAX_PORTS);
		s->port[k].freed = true; /* taken by the uplink */
		strcpy(s->uplink_if, proto_uplink_is_socket(op->kind) ? op->name : op->path);
		strcpy(s->uplink_path, proto_uplink_is_socket(op->kind) ? op->path : "");
		s->uplink_addr = op->addr;
		pl[i].port = k;
		break;
	case SYD_OP_UPLINK_DEL:
		if (++s->uplink_ops > 1)
			return syd_fail(err, errlen, -EINVAL, "%s: one uplink change per batch", what);
		if (s->uplink_if[0] == '\0')
			return syd_fail(err, errlen, -ENOENT, "%s: there is no uplink", what);
		s->uplink_if[0] = s->uplink_path[0] = '\0';
		s->uplink_addr = 0;
		break;
	case SYD_OP_NET_DEL:
		net = shadow_net(s, op->name);
		if (net < 0)
			return syd_fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->name);
		for (k = 0; k < SYD_MAX_PORTS; k++)
			if (s->port[k].used && s->port[k].net == net)
				return syd_fail(err, errlen, -EBUSY,
					    "%s: network '%s' still has port '%s': detach or delete "
					    "its ports first",
					    what, op->name, s->port[k].name);
		for (k = 0; k < s->net[net].nvteps; k++)
			shadow_vtep_put(s, s->net[net].vtep[k]);
		s->net[net].nvteps = 0;
		s->net[net].used = false;
		s->net[net].freed = true;
		pl[i].net = net;
		break;
	case SYD_OP_PORT_ADD:
		if (port >= 0)
			return syd_fail(err, errlen, -EEXIST, "%s: port '%s' exists", what, op->name);
		if (strcmp(op->name, SYD_UPLINK_NAME) == 0)
			return syd_fail(err, errlen, -EINVAL,
				    "%s: '%s' is the name of the uplink: choose another", what,
				    op->name);
		if (((op->kind == SYD_PORT_AF_PACKET || op->kind == SYD_PORT_TAP) &&
		     strcmp(op->path, s->uplink_if) == 0 && s->uplink_path[0] == '\0') ||
		    strcmp(op->path, s->uplink_path) == 0)
			return syd_fail(err, errlen, -EBUSY, "%s: %s is the uplink", what, op->path);
		for (k = 0; k < SYD_MAX_PORTS; k++)
			if (s->port[k].used && strcmp(s->port[k].path, op->path) == 0)
				return syd_fail(err, errlen, -EEXIST, "%s: %s is already used by port '%s'",
					    what, op->path, s->port[k].name);
		for (k = 0; k < SYD_MAX_PORTS; k++)
			if (!s->port[k].used && !s->port[k].freed && !dp->port[k].open)
				break;
		if (k == SYD_MAX_PORTS)
			return syd_fail(err, errlen, -ENOSPC, "%s: all %d ports are in use", what,
				    SYD_MAX_PORTS);
		s->port[k].used = true;
		strcpy(s->port[k].name, op->name);
		strcpy(s->port[k].path, op->path);
		s->port[k].net = net;
		pl[i].port = k;
		pl[i].net = net;
		break;
	case SYD_OP_PORT_DEL:
		s->port[port].used = false;
		s->port[port].freed = true;
		pl[i].port = port;
		break;
	case SYD_OP_ATTACH:
		s->port[port].net = net;
		pl[i].port = port;
		pl[i].net = net;
		break;
	case SYD_OP_DETACH:
		s->port[port].net = -1;
		pl[i].port = port;
		break;
	case SYD_OP_MAC_ADD:
		if (op->addr != 0 && shadow_net_vtep(s, net, op->addr) < 0)
			return syd_fail(err, errlen, -EINVAL,
				    "%s: %u.%u.%u.%u is not in network '%s''s flood list", what,
				    IP4(op->addr), op->network);
		if (op->addr == 0 && s->port[port].net != net)
			return syd_fail(err, errlen, -EINVAL,
				    "%s: port '%s' is not attached to network '%s'", what, op->name,
				    op->network);
		pl[i].port = port;
		pl[i].net = net;
		pl[i].key = mac_table_key((uint16_t)net, (const struct rte_ether_addr *)op->mac);
		if (mac_table_count(dp->macs) + ++s->mac_adds > dp->macs->capacity)
			return syd_fail(err, errlen, -ENOSPC, "%s: the MAC table is full (%u entries)",
				    what, dp->macs->capacity);
		break;
	case SYD_OP_MAC_DEL: {
		int state;

		pl[i].net = net;
		pl[i].key = mac_table_key((uint16_t)net, (const struct rte_ether_addr *)op->mac);
		state = batch_mac_state(ops, pl, i, pl[i].key);
		if (state < 0 || (state == 0 && mac_table_find(dp->macs, pl[i].key) == NULL))
			return syd_fail(err, errlen, -ENOENT,
				    "%s: no entry for %02x:%02x:%02x:%02x:%02x:%02x in network '%s'",
				    what, op->mac[0], op->mac[1], op->mac[2], op->mac[3], op->mac[4],
				    op->mac[5], op->network);
		break;
	}
	case SYD_OP_MAC_FLUSH:
		pl[i].net = net;
		break;
	}
	return 0;
}

/* Flush a port's entries: the stations behind it are no longer where they were. */
static void flush_port(struct dataplane *dp, int port)
{
	mac_table_flush(dp->macs, (uint32_t)port, true);
}

/* Take remote VTEP slot index k out of network net's flood list, with its entries. */
static void net_vtep_remove(struct dataplane *dp, int net, unsigned int k)
{
	struct network *n = &dp->net[net];
	unsigned int v = n->vtep[k];

	mac_table_flush_network_port(dp->macs, (uint16_t)net, SYD_VTEP_PORT_BASE + v, true);
	n->vtep[k] = n->vtep[--n->nvteps];
	tunnel_vtep_put(dp, (int)v);
}

static void commit_op(struct dataplane *dp, const struct syd_op *op, const struct planned *pl,
		      struct uplink *next_uplink)
{
	struct port *p = pl->port >= 0 ? &dp->port[pl->port] : NULL;
	struct network *n = pl->net >= 0 ? &dp->net[pl->net] : NULL;
	unsigned int k;
	int ret;

	switch (op->type) {
	case SYD_OP_NET_ADD:
		memset(n, 0, sizeof(*n));
		strcpy(n->name, op->name);
		n->vni = op->vni;
		n->used = true;
		break;
	case SYD_OP_NET_DEL:
		flows_forget_network(dp, (unsigned int)pl->net);
		while (n->nvteps > 0)
			net_vtep_remove(dp, pl->net, 0);
		mac_table_flush_network(dp->macs, (uint16_t)pl->net, true);
		n->used = false;
		break;
	case SYD_OP_NET_VNI:
		/* Stations learned over the old VNI are not behind the new one. */
		for (k = 0; k < n->nvteps; k++)
			mac_table_flush_network_port(dp->macs, (uint16_t)pl->net,
						     SYD_VTEP_PORT_BASE + n->vtep[k], false);
		n->vni = op->vni;
		break;
	case SYD_OP_VTEP_ADD:
		ret = tunnel_vtep_get(dp, op->addr); /* planning made sure there is a slot */
		if (ret >= 0)
			n->vtep[n->nvteps++] = (uint16_t)ret;
		break;
	case SYD_OP_VTEP_DEL:
		for (k = 0; k < n->nvteps; k++)
			if (dp->vtep[n->vtep[k]].addr == op->addr) {
				net_vtep_remove(dp, pl->net, k);
				break;
			}
		break;
	case SYD_OP_UPLINK_SET:
	case SYD_OP_UPLINK_DEL:
		if (dp->uplink.ifname[0] && dp->uplink.slot >= 0 &&
		    dp->uplink.slot != next_uplink->slot)
			dp->port[dp->uplink.slot].removed = true;
		dp->uplink = *next_uplink;
		break;
	case SYD_OP_PORT_ADD:
		break; /* opened before the commit */
	case SYD_OP_PORT_DEL:
		flows_forget_port(dp, (unsigned int)pl->port);
		flush_port(dp, pl->port);
		p->removed = true;
		break;
	case SYD_OP_ATTACH:
		if (p->network != pl->net)
			flush_port(dp, pl->port);
		p->network = (uint16_t)pl->net;
		break;
	case SYD_OP_DETACH:
		flush_port(dp, pl->port);
		p->network = SYD_NO_NETWORK;
		break;
	case SYD_OP_MAC_ADD:
		ret = mac_table_add_static(dp->macs, pl->key,
					   op->addr ? SYD_VTEP_PORT_BASE +
							      (uint32_t)tunnel_vtep_find(dp, op->addr)
						    : (uint32_t)pl->port);
		if (ret < 0) /* only if 32 slots around its bucket are full at <= 50% load */
			DP_LOG(ERR, "static MAC in network %s not added: its buckets are full",
			       n->name);
		break;
	case SYD_OP_MAC_DEL:
		mac_table_delete(dp->macs, pl->key);
		break;
	case SYD_OP_MAC_FLUSH:
		if (pl->net < 0)
			mac_table_flush(dp->macs, UINT32_MAX, false);
		else
			mac_table_flush_network(dp->macs, (uint16_t)pl->net, false);
		break;
	}
}

/* Open the uplink old again (a change that took it out failed), and publish it. */
static void uplink_reopen(struct dataplane *dp, struct uplink *old)
{
	char why[256];

	if (tunnel_uplink_open(dp, old, (unsigned int)old->slot, why, sizeof(why)) == 0) {
		dp->uplink = *old;
	} else {
		DP_LOG(ERR, "uplink %s: cannot reopen it either: %s", old->ifname, why);
		memset(&dp->uplink, 0, sizeof(dp->uplink));
		dp->uplink.slot = -1;
	}
	dataplane_publish(dp);
}

/* Do a and b name the same uplink port: same mode, and same interface or socket? */
static bool uplink_same_port(const struct uplink *a, const struct uplink *b)
{
	return a->ifname[0] && b->ifname[0] && a->mode == b->mode &&
	       strcmp(a->ifname, b->ifname) == 0 && strcmp(a->path, b->path) == 0;
}

/*
 * Make next what the uplink will be after an UPLINK_SET or UPLINK_DEL, opening its port
 * when it needs a new one.  *opened tells whether a port was opened (to close on undo).
 * A new port takes the old one out first (the two would share a device name, and maybe
 * an interface or a socket); should the new one fail, the old one is opened again.
 * *closed gets the old uplink when it was taken out, for batch_apply() to reopen should
 * the batch fail later (its ifname is "" otherwise).
 */
static int uplink_prepare(struct dataplane *dp, const struct syd_op *op, int slot,
			  struct uplink *next, bool *opened, struct uplink *closed, char *err,
			  size_t errlen)
{
	struct uplink old = dp->uplink;
	bool socket = proto_uplink_is_socket(op->kind);
	int ret;

	*opened = false;
	memset(closed, 0, sizeof(*closed));
	memset(next, 0, sizeof(*next));
	next->slot = -1;
	if (op->type == SYD_OP_UPLINK_DEL)
		return 0;
	snprintf(next->ifname, sizeof(next->ifname), "%.15s", socket ? op->name : op->path);
	if (socket) {
		snprintf(next->path, sizeof(next->path), "%s", op->path);
		memcpy(next->mac_asked, op->mac, 6);
	}
	next->mode = op->kind;
	next->udp_port = op->udp_port ? op->udp_port : SYD_VXLAN_PORT;
	next->mtu = op->mtu ? op->mtu : SYD_UNDERLAY_MTU;
	next->addr = op->addr;
	if (uplink_same_port(&old, next)) {
		/* Same interface (or socket) and mode: keep the port, point the program
		 * elsewhere; a socket uplink's MAC may change with its address. */
		next->slot = old.slot;
		memcpy(next->driver, old.driver, sizeof(next->driver));
		memcpy(next->note, old.note, sizeof(next->note));
		memcpy(next->mac, old.mac, sizeof(next->mac));
		if (socket) {
			next->arp = true;
			if (next->mac_asked[0] | next->mac_asked[1] | next->mac_asked[2] |
			    next->mac_asked[3] | next->mac_asked[4] | next->mac_asked[5])
				memcpy(next->mac, next->mac_asked, 6);
			else
				tunnel_uplink_mac_for(next->addr, next->mac);
			return 0;
		}
		next->arp = !neigh_addr_is_local(next->ifname, next->addr);
		return tunnel_uplink_configure(dp, next, err, errlen);
	}
	if (old.ifname[0]) {
		dp->port[old.slot].removed = true;
		dp->uplink.ifname[0] = '\0';
		dataplane_publish(dp);
		dataplane_port_close(dp, (unsigned int)old.slot);
	}
	ret = tunnel_uplink_open(dp, next, (unsigned int)slot, err, errlen);
	if (ret == 0) {
		*opened = true;
		if (old.ifname[0])
			*closed = old;
	} else if (old.ifname[0]) {
		uplink_reopen(dp, &old);
	}
	return ret;
}

int batch_apply(struct dataplane *dp, const struct syd_batch *b, char *err, size_t errlen)
{
	static struct planned pl[SYD_PROTO_BATCH_MAX];
	static struct shadow s;
	bool published_removal = false, uplink_opened = false;
	static struct port replaced[SYD_MAX_PORTS];
	struct uplink next_uplink = dp->uplink, old_uplink = {.slot = -1};
	unsigned int nreplaced, k;
	int uplink_op = -1;
	uint32_t i, j;
	int ret;

	shadow_init(&s, dp);
	for (i = 0; i < b->count; i++) {
		ret = plan_op(dp, &s, b->op, pl, i, err, errlen);
		if (ret < 0)
			return ret;
		if (b->op[i].type == SYD_OP_UPLINK_SET || b->op[i].type == SYD_OP_UPLINK_DEL)
			uplink_op = (int)i;
	}
	if (uplink_op >= 0) {
		ret = uplink_prepare(dp, &b->op[uplink_op], pl[uplink_op].port, &next_uplink,
				     &uplink_opened, &old_uplink, err, errlen);
		if (ret < 0)
			return ret;
		published_removal = true;
	}

	/* A port deleted and added again in this batch (its kind or socket changed) keeps
	 * its device name, and maybe its socket: the old one must go before the new one
	 * opens.  Should the batch fail after that, the old one is opened again. */
	nreplaced = 0;
	for (j = 0; j < b->count; j++) {
		if (b->op[j].type != SYD_OP_PORT_DEL)
			continue;
		for (i = j + 1; i < b->count; i++)
			if (b->op[i].type == SYD_OP_PORT_ADD &&
			    (strcmp(b->op[i].name, dp->port[pl[j].port].name) == 0 ||
			     strcmp(b->op[i].path, dp->port[pl[j].port].path) == 0))
				break;
		if (i == b->count)
			continue;
		replaced[nreplaced++] = dp->port[pl[j].port];
		dp->port[pl[j].port].removed = true;
	}
	if (nreplaced > 0) {
		dataplane_publish(dp);
		for (k = 0; k < nreplaced; k++)
			dataplane_port_close(dp, replaced[k].index);
	}

	/* Open the new ports: the one step the host can refuse. */
	for (i = 0; i < b->count; i++) {
		const struct syd_op *op = &b->op[i];
		struct port *p;

		if (op->type != SYD_OP_PORT_ADD)
			continue;
		p = &dp->port[pl[i].port];
		memset(p, 0, sizeof(*p));
		strcpy(p->name, op->name);
		strcpy(p->path, op->path);
		p->kind = (enum port_kind)op->kind;
		p->network = pl[i].net < 0 ? SYD_NO_NETWORK : (uint16_t)pl[i].net;
		ret = dataplane_port_open(dp, (unsigned int)pl[i].port, err, errlen);
		if (ret < 0) {
			for (j = 0; j < i; j++)
				if (b->op[j].type == SYD_OP_PORT_ADD)
					dataplane_port_close(dp, (unsigned int)pl[j].port);
			if (uplink_opened)
				dataplane_port_close(dp, (unsigned int)next_uplink.slot);
			if (old_uplink.ifname[0])
				uplink_reopen(dp, &old_uplink);
			for (k = 0; k < nreplaced; k++) {
				char why[256];

				dp->port[replaced[k].index] = replaced[k];
				dp->port[replaced[k].index].open = false;
				if (dataplane_port_open(dp, replaced[k].index, why, sizeof(why)) < 0)
					DP_LOG(ERR, "port %s: cannot open it again: %s",
					       replaced[k].name, why);
			}
			if (nreplaced > 0)
				dataplane_publish(dp);
			return ret;
		}
	}

	for (i = 0; i < b->count; i++) {
		commit_op(dp, &b->op[i], &pl[i], &next_uplink);
		if (b->op[i].type == SYD_OP_PORT_DEL)
			published_removal = true;
	}
	flows_commit(dp); /* rules of deleted ports and networks go before they do */
	ret = dataplane_publish(dp);
	if (ret < 0) {
		/* Out of memory for a topology of a few KB: the state changed but workers
		 * still see the old one; the next successful publish catches up. */
		return syd_fail(err, errlen, ret, "no memory to publish the change; retry");
	}
	if (published_removal)
		for (i = 0; i < SYD_MAX_PORTS; i++)
			if (dp->port[i].open && dp->port[i].removed) {
				DP_LOG(INFO, "port %s: deleted", dp->port[i].name);
				dataplane_port_close(dp, i);
			}
	return 0;
}

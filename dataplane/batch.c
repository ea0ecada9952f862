/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_ether.h>

#include "batch.h"
#include "log.h"

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
	} net[SYD_MAX_NETWORKS];
	uint32_t mac_adds;
};

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return ret;
}

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

		if (!p->open || p->removed)
			continue;
		s->port[i].used = true;
		strcpy(s->port[i].name, p->name);
		strcpy(s->port[i].path, p->path);
		s->port[i].net = p->network == SYD_NO_NETWORK ? -1 : p->network;
	}
	for (i = 0; i < SYD_MAX_NETWORKS; i++) {
		s->net[i].used = dp->net[i].used;
		strcpy(s->net[i].name, dp->net[i].name);
	}
}

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
	if (op->type != SYD_OP_NET_ADD && op->type != SYD_OP_NET_DEL && op->name[0]) {
		port = shadow_port(s, op->name);
		if (port < 0 && op->type != SYD_OP_PORT_ADD)
			return fail(err, errlen, -ENOENT, "%s: no port named '%s'", what, op->name);
	}
	if (op->network[0]) {
		net = shadow_net(s, op->network);
		if (net < 0)
			return fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->network);
	}

	switch (op->type) {
	case SYD_OP_NET_ADD:
		if (shadow_net(s, op->name) >= 0)
			return fail(err, errlen, -EEXIST, "%s: network '%s' exists", what,
				    op->name);
		for (k = 0; k < SYD_MAX_NETWORKS; k++)
			if (!s->net[k].used && !s->net[k].freed)
				break;
		if (k == SYD_MAX_NETWORKS)
			return fail(err, errlen, -ENOSPC, "%s: all %d networks are in use", what,
				    SYD_MAX_NETWORKS);
		s->net[k].used = true;
		strcpy(s->net[k].name, op->name);
		pl[i].net = k;
		break;
	case SYD_OP_NET_DEL:
		net = shadow_net(s, op->name);
		if (net < 0)
			return fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->name);
		for (k = 0; k < SYD_MAX_PORTS; k++)
			if (s->port[k].used && s->port[k].net == net)
				return fail(err, errlen, -EBUSY,
					    "%s: network '%s' still has port '%s': detach or delete "
					    "its ports first",
					    what, op->name, s->port[k].name);
		s->net[net].used = false;
		s->net[net].freed = true;
		pl[i].net = net;
		break;
	case SYD_OP_PORT_ADD:
		if (port >= 0)
			return fail(err, errlen, -EEXIST, "%s: port '%s' exists", what, op->name);
		for (k = 0; k < SYD_MAX_PORTS; k++)
			if (s->port[k].used && strcmp(s->port[k].path, op->path) == 0)
				return fail(err, errlen, -EEXIST, "%s: %s is already used by port '%s'",
					    what, op->path, s->port[k].name);
		for (k = 0; k < SYD_MAX_PORTS; k++)
			if (!s->port[k].used && !s->port[k].freed && !dp->port[k].open)
				break;
		if (k == SYD_MAX_PORTS)
			return fail(err, errlen, -ENOSPC, "%s: all %d ports are in use", what,
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
		if (s->port[port].net != net)
			return fail(err, errlen, -EINVAL,
				    "%s: port '%s' is not attached to network '%s'", what, op->name,
				    op->network);
		pl[i].port = port;
		pl[i].net = net;
		pl[i].key = mac_table_key((uint16_t)net, (const struct rte_ether_addr *)op->mac);
		if (mac_table_count(dp->macs) + ++s->mac_adds > dp->macs->capacity)
			return fail(err, errlen, -ENOSPC, "%s: the MAC table is full (%u entries)",
				    what, dp->macs->capacity);
		break;
	case SYD_OP_MAC_DEL: {
		int state;

		pl[i].net = net;
		pl[i].key = mac_table_key((uint16_t)net, (const struct rte_ether_addr *)op->mac);
		state = batch_mac_state(ops, pl, i, pl[i].key);
		if (state < 0 || (state == 0 && mac_table_find(dp->macs, pl[i].key) == NULL))
			return fail(err, errlen, -ENOENT,
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

static void commit_op(struct dataplane *dp, const struct syd_op *op, const struct planned *pl)
{
	struct port *p = pl->port >= 0 ? &dp->port[pl->port] : NULL;
	int ret;

	switch (op->type) {
	case SYD_OP_NET_ADD:
		strcpy(dp->net[pl->net].name, op->name);
		dp->net[pl->net].used = true;
		break;
	case SYD_OP_NET_DEL:
		mac_table_flush_network(dp->macs, (uint16_t)pl->net, true);
		dp->net[pl->net].used = false;
		break;
	case SYD_OP_PORT_ADD:
		break; /* opened before the commit */
	case SYD_OP_PORT_DEL:
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
		ret = mac_table_add_static(dp->macs, pl->key, (uint32_t)pl->port);
		if (ret < 0) /* only if 32 slots around its bucket are full at <= 50% load */
			DP_LOG(ERR, "static MAC for port %s not added: its buckets are full",
			       p->name);
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

int batch_apply(struct dataplane *dp, const struct syd_batch *b, char *err, size_t errlen)
{
	static struct planned pl[SYD_PROTO_BATCH_MAX];
	static struct shadow s;
	bool published_removal = false;
	uint32_t i, j;
	int ret;

	shadow_init(&s, dp);
	for (i = 0; i < b->count; i++) {
		ret = plan_op(dp, &s, b->op, pl, i, err, errlen);
		if (ret < 0)
			return ret;
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
			return ret;
		}
	}

	for (i = 0; i < b->count; i++) {
		commit_op(dp, &b->op[i], &pl[i]);
		if (b->op[i].type == SYD_OP_PORT_DEL)
			published_removal = true;
	}
	ret = dataplane_publish(dp);
	if (ret < 0) {
		/* Out of memory for a topology of a few KB: the state changed but workers
		 * still see the old one; the next successful publish catches up. */
		return fail(err, errlen, ret, "no memory to publish the change; retry");
	}
	if (published_removal)
		for (i = 0; i < SYD_MAX_PORTS; i++)
			if (dp->port[i].open && dp->port[i].removed) {
				DP_LOG(INFO, "port %s: deleted", dp->port[i].name);
				dataplane_port_close(dp, i);
			}
	return 0;
}

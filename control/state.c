/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proto_flow.h"
#include "state.h"

int state_init(struct state *s)
{
	memset(s, 0, sizeof(*s));
	s->mac = calloc(STATE_MAX_MACS, sizeof(*s->mac));
	return s->mac ? 0 : -ENOMEM;
}

void state_free(struct state *s)
{
	free(s->mac);
	s->mac = NULL;
	flowset_free(&s->flows);
}

int state_copy(struct state *dst, const struct state *src)
{
	struct state_mac *mac = dst->mac;
	struct flowset flows = dst->flows;

	if (dst == src)
		return 0;
	memcpy(dst, src, sizeof(*dst));
	dst->mac = mac;
	dst->flows = flows;
	memcpy(dst->mac, src->mac, src->nmacs * sizeof(*src->mac));
	return flowset_copy(&dst->flows, &src->flows);
}

static int find_port(const struct state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nports; i++)
		if (strcmp(s->port[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int find_net(const struct state *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->nnets; i++)
		if (strcmp(s->net[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int find_vni(const struct state *s, uint32_t vni)
{
	unsigned int i;

	for (i = 0; i < s->nnets; i++)
		if (s->net[i].vni == vni)
			return (int)i;
	return -1;
}

static int find_vtep(const struct state_net *n, uint32_t addr)
{
	unsigned int i;

	for (i = 0; i < n->nvteps; i++)
		if (n->vtep[i] == addr)
			return (int)i;
	return -1;
}

static int find_mac(const struct state *s, const char *network, const uint8_t *mac)
{
	unsigned int i;

	for (i = 0; i < s->nmacs; i++)
		if (memcmp(s->mac[i].mac, mac, 6) == 0 && strcmp(s->mac[i].network, network) == 0)
			return (int)i;
	return -1;
}

/*
 * Forget static entries the dataplane flushes with a change: those of a port (port set),
 * of a network (network set, port NULL), or behind a remote VTEP of a network.
 */
static void drop_macs(struct state *s, const char *port, const char *network, uint32_t remote)
{
	unsigned int i = 0;

	while (i < s->nmacs) {
		const struct state_mac *m = &s->mac[i];
		bool gone = port ? strcmp(m->port, port) == 0
				 : strcmp(m->network, network) == 0 &&
					   (remote == 0 || m->remote == remote);

		if (gone)
			s->mac[i] = s->mac[--s->nmacs];
		else
			i++;
	}
}

#define IP4(a) ((const uint8_t *)&(a))[0], ((const uint8_t *)&(a))[1], \
	       ((const uint8_t *)&(a))[2], ((const uint8_t *)&(a))[3]

static int apply_uplink(struct state *s, const struct syd_op *op, const char *what, char *err,
			size_t errlen)
{
	bool socket = proto_uplink_is_socket(op->kind);
	unsigned int i;

	for (i = 0; i < s->nports; i++)
		if ((s->port[i].kind == SYD_PORT_AF_PACKET || s->port[i].kind == SYD_PORT_TAP) !=
			    socket &&
		    strcmp(s->port[i].path, op->path) == 0)
			return syd_fail(err, errlen, -EBUSY, "%s: %s is port '%s'", what, op->path,
				    s->port[i].name);
	memset(&s->uplink, 0, sizeof(s->uplink));
	strcpy(s->uplink.ifname, socket ? op->name : op->path);
	if (socket) {
		strcpy(s->uplink.path, op->path);
		memcpy(s->uplink.mac, op->mac, 6);
	}
	s->uplink.mode = op->kind;
	s->uplink.udp_port = op->udp_port ? op->udp_port : SYD_VXLAN_PORT;
	s->uplink.mtu = op->mtu ? op->mtu : SYD_UNDERLAY_MTU;
	s->uplink.addr = op->addr;
	return 0;
}

int state_apply_op(struct state *s, const struct syd_op *op, char *err, size_t errlen)
{
	const char *what = proto_op_name(op->type);
	int p = -1, n = -1, m;
	unsigned int i;

	if (op->type != SYD_OP_NET_ADD && op->type != SYD_OP_NET_DEL &&
	    op->type != SYD_OP_NET_VNI && op->type != SYD_OP_UPLINK_SET && op->name[0]) {
		p = find_port(s, op->name);
		if (p < 0 && op->type != SYD_OP_PORT_ADD)
			return syd_fail(err, errlen, -ENOENT, "%s: no port named '%s'", what, op->name);
		if (op->type == SYD_OP_PORT_ADD && strcmp(op->name, "uplink") == 0)
			return syd_fail(err, errlen, -EINVAL,
				    "%s: 'uplink' is the name of the uplink: choose another", what);
	}
	if (op->network[0]) {
		n = find_net(s, op->network);
		if (n < 0)
			return syd_fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->network);
	}
	switch (op->type) {
	case SYD_OP_NET_ADD:
		if (find_net(s, op->name) >= 0)
			return syd_fail(err, errlen, -EEXIST, "%s: network '%s' exists", what,
				    op->name);
		if (op->vni && (m = find_vni(s, op->vni)) >= 0)
			return syd_fail(err, errlen, -EEXIST, "%s: VNI %u is network '%s''s", what,
				    op->vni, s->net[m].name);
		if (s->nnets == STATE_MAX_NETWORKS)
			return syd_fail(err, errlen, -ENOSPC, "%s: all %d networks are in use", what,
				    STATE_MAX_NETWORKS);
		memset(&s->net[s->nnets], 0, sizeof(s->net[0]));
		strcpy(s->net[s->nnets].name, op->name);
		s->net[s->nnets++].vni = op->vni;
		break;
	case SYD_OP_NET_DEL:
		n = find_net(s, op->name);
		if (n < 0)
			return syd_fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->name);
		for (i = 0; i < s->nports; i++)
			if (strcmp(s->port[i].network, op->name) == 0)
				return syd_fail(err, errlen, -EBUSY,
					    "%s: network '%s' still has port '%s': detach or delete "
					    "its ports first",
					    what, op->name, s->port[i].name);
		drop_macs(s, NULL, op->name, 0);
		state_drop_flows_of(s, NULL, op->name);
		memmove(&s->net[n], &s->net[n + 1],
			(s->nnets - (unsigned int)n - 1) * sizeof(s->net[0]));
		s->nnets--;
		break;
	case SYD_OP_NET_VNI:
		n = find_net(s, op->name);
		if (n < 0)
			return syd_fail(err, errlen, -ENOENT, "%s: no network named '%s'", what,
				    op->name);
		if (op->vni && (m = find_vni(s, op->vni)) >= 0 && m != n)
			return syd_fail(err, errlen, -EEXIST, "%s: VNI %u is network '%s''s", what,
				    op->vni, s->net[m].name);
		s->net[n].vni = op->vni;
		break;
	case SYD_OP_VTEP_ADD:
		if (s->net[n].vni == 0)
			return syd_fail(err, errlen, -EINVAL,
				    "%s: network '%s' has no VNI: give it one (set-vni) first", what,
				    op->network);
		if (find_vtep(&s->net[n], op->addr) >= 0)
			return syd_fail(err, errlen, -EEXIST, "%s: %u.%u.%u.%u is already in network "
				    "'%s''s flood list", what, IP4(op->addr), op->network);
		if (op->addr == s->uplink.addr)
			return syd_fail(err, errlen, -EINVAL, "%s: %u.%u.%u.%u is this switch's own VTEP",
				    what, IP4(op->addr));
		if (s->net[n].nvteps == STATE_MAX_VTEPS)
			return syd_fail(err, errlen, -ENOSPC, "%s: %d remote VTEPs per network at most",
				    what, STATE_MAX_VTEPS);
		s->net[n].vtep[s->net[n].nvteps++] = op->addr;
		break;
	case SYD_OP_VTEP_DEL:
		m = find_vtep(&s->net[n], op->addr);
		if (m < 0)
			return syd_fail(err, errlen, -ENOENT,
				    "%s: %u.%u.%u.%u is not in network '%s''s flood list", what,
				    IP4(op->addr), op->network);
		s->net[n].vtep[m] = s->net[n].vtep[--s->net[n].nvteps];
		drop_macs(s, NULL, op->network, op->addr);
		break;
	case SYD_OP_UPLINK_SET:
		for (i = 0; i < s->nnets; i++)
			if (find_vtep(&s->net[i], op->addr) >= 0)
				return syd_fail(err, errlen, -EINVAL,
					    "%s: %u.%u.%u.%u is a remote VTEP of network '%s'", what,
					    IP4(op->addr), s->net[i].name);
		return apply_uplink(s, op, what, err, errlen);
	case SYD_OP_UPLINK_DEL:
		if (s->uplink.ifname[0] == '\0')
			return syd_fail(err, errlen, -ENOENT, "%s: there is no uplink", what);
		memset(&s->uplink, 0, sizeof(s->uplink));
		break;
	case SYD_OP_PORT_ADD:
		if (p >= 0)
			return syd_fail(err, errlen, -EEXIST, "%s: port '%s' exists", what, op->name);
		for (i = 0; i < s->nports; i++)
			if (strcmp(s->port[i].path, op->path) == 0)
				return syd_fail(err, errlen, -EEXIST, "%s: %s is already used by port '%s'",
					    what, op->path, s->port[i].name);
		if (((op->kind == SYD_PORT_AF_PACKET || op->kind == SYD_PORT_TAP) &&
		     !proto_uplink_is_socket(s->uplink.mode) &&
		     strcmp(op->path, s->uplink.ifname) == 0) ||
		    (s->uplink.path[0] && strcmp(op->path, s->uplink.path) == 0))
			return syd_fail(err, errlen, -EBUSY, "%s: %s is the uplink", what, op->path);
		if (s->nports == STATE_MAX_PORTS)
			return syd_fail(err, errlen, -ENOSPC, "%s: all %d ports are in use", what,
				    STATE_MAX_PORTS);
		p = (int)s->nports++;
		memset(&s->port[p], 0, sizeof(s->port[p]));
		strcpy(s->port[p].name, op->name);
		strcpy(s->port[p].network, op->network);
		strcpy(s->port[p].path, op->path);
		s->port[p].kind = op->kind;
		break;
	case SYD_OP_PORT_DEL:
		drop_macs(s, op->name, NULL, 0);
		state_drop_flows_of(s, op->name, NULL);
		s->port[p] = s->port[--s->nports];
		break;
	case SYD_OP_ATTACH:
		if (strcmp(s->port[p].network, op->network) != 0)
			drop_macs(s, op->name, NULL, 0);
		strcpy(s->port[p].network, op->network);
		break;
	case SYD_OP_DETACH:
		drop_macs(s, op->name, NULL, 0);
		memset(s->port[p].network, 0, sizeof(s->port[p].network));
		break;
	case SYD_OP_MAC_ADD:
		if (op->addr == 0 && strcmp(s->port[p].network, op->network) != 0)
			return syd_fail(err, errlen, -EINVAL,
				    "%s: port '%s' is not attached to network '%s'", what, op->name,
				    op->network);
		if (op->addr != 0 && find_vtep(&s->net[n], op->addr) < 0)
			return syd_fail(err, errlen, -EINVAL,
				    "%s: %u.%u.%u.%u is not in network '%s''s flood list", what,
				    IP4(op->addr), op->network);
		m = find_mac(s, op->network, op->mac);
		if (m < 0) {
			if (s->nmacs == STATE_MAX_MACS)
				return syd_fail(err, errlen, -ENOSPC, "%s: %d static entries at most",
					    what, STATE_MAX_MACS);
			m = (int)s->nmacs++;
		}
		memset(&s->mac[m], 0, sizeof(s->mac[m]));
		strcpy(s->mac[m].network, op->network);
		strcpy(s->mac[m].port, op->name);
		memcpy(s->mac[m].mac, op->mac, 6);
		s->mac[m].remote = op->addr;
		break;
	case SYD_OP_MAC_DEL:
		m = find_mac(s, op->network, op->mac);
		if (m < 0)
			return syd_fail(err, errlen, -ENOENT,
				    "%s: no static entry for %02x:%02x:%02x:%02x:%02x:%02x in network "
				    "'%s'",
				    what, op->mac[0], op->mac[1], op->mac[2], op->mac[3], op->mac[4],
				    op->mac[5], op->network);
		s->mac[m] = s->mac[--s->nmacs];
		break;
	case SYD_OP_MAC_FLUSH:
		break;
	default:
		return syd_fail(err, errlen, -EINVAL, "unknown operation %u", op->type);
	}
	return 0;
}

int state_apply_batch(struct state *s, const struct syd_batch *b, char *err, size_t errlen)
{
	static struct state work;
	uint32_t i;
	int ret;

	if ((work.mac == NULL && state_init(&work) < 0) || state_copy(&work, s) < 0)
		return syd_fail(err, errlen, -ENOMEM, "no memory");
	for (i = 0; i < b->count; i++) {
		ret = state_apply_op(&work, &b->op[i], err, errlen);
		if (ret < 0)
			return ret;
	}
	if (state_copy(s, &work) < 0)
		return syd_fail(err, errlen, -ENOMEM, "no memory");
	return 0;
}

void state_clear(struct state *s)
{
	s->nports = s->nnets = s->nmacs = 0;
	memset(&s->uplink, 0, sizeof(s->uplink));
	flowset_clear(&s->flows);
}

int state_add_dump(struct state *s, const struct syd_hdr *h)
{
	size_t i, n;
	int k;

	switch (h->type) {
	case SYD_MSG_NETWORKS: {
		const struct syd_net_info *e = proto_body(h);

		for (i = 0, n = proto_entries(h, sizeof(*e)); i < n; i++) {
			if (s->nnets == STATE_MAX_NETWORKS)
				return -ENOSPC;
			memset(&s->net[s->nnets], 0, sizeof(s->net[0]));
			strcpy(s->net[s->nnets].name, e[i].name);
			s->net[s->nnets++].vni = e[i].vni;
		}
		break;
	}
	case SYD_MSG_VTEPS: {
		const struct syd_vtep_info *e = proto_body(h);

		for (i = 0, n = proto_entries(h, sizeof(*e)); i < n; i++) {
			k = find_net(s, e[i].network);
			if (k < 0)
				continue;
			if (s->net[k].nvteps == STATE_MAX_VTEPS)
				return -ENOSPC;
			s->net[k].vtep[s->net[k].nvteps++] = e[i].addr;
		}
		break;
	}
	case SYD_MSG_PORTS: {
		const struct syd_port_info *e = proto_body(h);

		for (i = 0, n = proto_entries(h, sizeof(*e)); i < n; i++) {
			struct state_port *p;

			if (s->nports == STATE_MAX_PORTS)
				return -ENOSPC;
			p = &s->port[s->nports++];
			memset(p, 0, sizeof(*p));
			strcpy(p->name, e[i].name);
			strcpy(p->network, e[i].network);
			strcpy(p->path, e[i].path);
			p->kind = e[i].kind;
		}
		break;
	}
	case SYD_MSG_MACS: {
		const struct syd_mac_info *e = proto_body(h);

		for (i = 0, n = proto_entries(h, sizeof(*e)); i < n; i++) {
			struct state_mac *m;

			if (!e[i].is_static)
				continue;
			if (s->nmacs == STATE_MAX_MACS)
				return -ENOSPC;
			m = &s->mac[s->nmacs++];
			memset(m, 0, sizeof(*m));
			strcpy(m->network, e[i].network);
			strcpy(m->port, e[i].port);
			memcpy(m->mac, e[i].mac, 6);
			m->remote = e[i].remote;
		}
		break;
	}
	case SYD_MSG_UPLINK: {
		const struct syd_uplink_info *e = proto_body(h);

		memset(&s->uplink, 0, sizeof(s->uplink));
		if (e->ifname[0] == '\0')
			break;
		strcpy(s->uplink.ifname, e->ifname);
		strcpy(s->uplink.path, e->path);
		memcpy(s->uplink.mac, e->mac_asked, 6);
		s->uplink.mode = e->mode;
		s->uplink.udp_port = e->udp_port;
		s->uplink.mtu = e->mtu;
		s->uplink.addr = e->addr;
		break;
	}
	case SYD_MSG_FLOWS:
		return state_add_flow_dump(s, h);
	default:
		break;
	}
	return 0;
}

static struct syd_op op_mac_add(const struct state_mac *m)
{
	struct syd_op op = proto_op(SYD_OP_MAC_ADD, m->remote ? NULL : m->port, m->network);

	memcpy(op.mac, m->mac, 6);
	op.addr = m->remote;
	return op;
}

#define ADD(op_)                                                                                   \
	do {                                                                                       \
		struct syd_op o_ = (op_);                                                          \
		int r_ = proto_batch_add(batch, &o_);                                              \
		if (r_ < 0)                                                                        \
			return r_;                                                                 \
		nops++;                                                                            \
	} while (0)

/* A port that must be deleted and created again: kind or path changed. */
static bool port_replaced(const struct state_port *w, const struct state_port *h)
{
	return w->kind != h->kind || strcmp(w->path, h->path) != 0;
}

/* Does the dataplane lose this port's static entries on the way to want? */
static bool port_reset(const struct state *want, const struct state *have, const char *name)
{
	int w = find_port(want, name), h = find_port(have, name);

	if (w < 0 || h < 0)
		return true;
	return port_replaced(&want->port[w], &have->port[h]) ||
	       strcmp(want->port[w].network, have->port[h].network) != 0;
}

/* Does the dataplane lose the static entries behind this remote VTEP on the way? */
static bool vtep_reset(const struct state *want, const struct state *have, const char *network,
		       uint32_t remote)
{
	int w = find_net(want, network), h = find_net(have, network);

	return w < 0 || h < 0 ||
	       (find_vtep(&have->net[h], remote) >= 0 && find_vtep(&want->net[w], remote) < 0);
}

static bool mac_reset(const struct state *want, const struct state *have,
		      const struct state_mac *m)
{
	return m->remote ? vtep_reset(want, have, m->network, m->remote)
			 : port_reset(want, have, m->port);
}

static bool uplink_same(const struct state_uplink *a, const struct state_uplink *b)
{
	return strcmp(a->ifname, b->ifname) == 0 && strcmp(a->path, b->path) == 0 &&
	       memcmp(a->mac, b->mac, 6) == 0 && a->mode == b->mode &&
	       a->udp_port == b->udp_port && a->mtu == b->mtu && a->addr == b->addr;
}

int state_diff(const struct state *want, const struct state *have, struct proto_buf *batch)
{
	unsigned int i, v;
	int nops = 0, j;

	/* Static entries to drop go first, while their ports and VTEPs are still there. */
	for (i = 0; i < have->nmacs; i++) {
		const struct state_mac *h = &have->mac[i];
		struct syd_op op;

		if (mac_reset(want, have, h))
			continue; /* flushed with its port or VTEP */
		j = find_mac(want, h->network, h->mac);
		if (j >= 0 && strcmp(want->mac[j].port, h->port) == 0 &&
		    want->mac[j].remote == h->remote)
			continue;
		op = proto_op(SYD_OP_MAC_DEL, NULL, h->network);
		memcpy(op.mac, h->mac, 6);
		ADD(op);
	}
	/* New networks start without a VNI: VNIs move below, once all are free. */
	for (i = 0; i < want->nnets; i++)
		if (find_net(have, want->net[i].name) < 0)
			ADD(proto_op(SYD_OP_NET_ADD, want->net[i].name, NULL));
	for (i = 0; i < have->nports; i++) {
		j = find_port(want, have->port[i].name);
		if (j < 0 || port_replaced(&want->port[j], &have->port[i]))
			ADD(proto_op(SYD_OP_PORT_DEL, have->port[i].name, NULL));
	}
	if (!uplink_same(&want->uplink, &have->uplink)) {
		if (want->uplink.ifname[0] == '\0') {
			ADD(proto_op(SYD_OP_UPLINK_DEL, NULL, NULL));
		} else {
			struct syd_op op = proto_op(SYD_OP_UPLINK_SET, NULL, NULL);

			if (proto_uplink_is_socket(want->uplink.mode)) {
				strcpy(op.name, want->uplink.ifname);
				strcpy(op.path, want->uplink.path);
				memcpy(op.mac, want->uplink.mac, 6);
			} else {
				strcpy(op.path, want->uplink.ifname);
			}
			op.kind = want->uplink.mode;
			op.udp_port = want->uplink.udp_port;
			op.mtu = want->uplink.mtu;
			op.addr = want->uplink.addr;
			/* Our own address must leave the flood lists before it becomes ours. */
			for (i = 0; i < have->nnets; i++)
				if (find_vtep(&have->net[i], op.addr) >= 0) {
					struct syd_op d = proto_op(SYD_OP_VTEP_DEL, NULL,
								  have->net[i].name);

					d.addr = op.addr;
					ADD(d);
				}
			ADD(op);
		}
	}
	/* VNIs: first free every VNI that moves or goes, then give them out. */
	for (i = 0; i < have->nnets; i++) {
		j = find_net(want, have->net[i].name);
		if (have->net[i].vni && (j < 0 || want->net[j].vni != have->net[i].vni))
			ADD(proto_op(SYD_OP_NET_VNI, have->net[i].name, NULL));
	}
	for (i = 0; i < want->nnets; i++) {
		struct syd_op op = proto_op(SYD_OP_NET_VNI, want->net[i].name, NULL);

		j = find_net(have, want->net[i].name);
		if (want->net[i].vni == 0 || (j >= 0 && have->net[j].vni == want->net[i].vni))
			continue;
		op.vni = want->net[i].vni;
		ADD(op);
	}
	/* Flood lists. */
	for (i = 0; i < want->nnets; i++) {
		const struct state_net *w = &want->net[i];
		const struct state_net *h = NULL;

		j = find_net(have, w->name);
		if (j >= 0)
			h = &have->net[j];
		for (v = 0; h && v < h->nvteps; v++)
			if (find_vtep(w, h->vtep[v]) < 0 && h->vtep[v] != want->uplink.addr) {
				struct syd_op op = proto_op(SYD_OP_VTEP_DEL, NULL, w->name);

				op.addr = h->vtep[v];
				ADD(op);
			}
		for (v = 0; v < w->nvteps; v++)
			if (h == NULL || find_vtep(h, w->vtep[v]) < 0) {
				struct syd_op op = proto_op(SYD_OP_VTEP_ADD, NULL, w->name);

				op.addr = w->vtep[v];
				ADD(op);
			}
	}
	for (i = 0; i < want->nports; i++) {
		const struct state_port *w = &want->port[i];

		j = find_port(have, w->name);
		if (j < 0 || port_replaced(w, &have->port[j])) {
			struct syd_op op = proto_op(SYD_OP_PORT_ADD, w->name,
						   w->network[0] ? w->network : NULL);

			op.kind = w->kind;
			strcpy(op.path, w->path);
			ADD(op);
		} else if (strcmp(w->network, have->port[j].network) != 0 && w->network[0]) {
			ADD(proto_op(SYD_OP_ATTACH, w->name, w->network));
		} else if (strcmp(w->network, have->port[j].network) != 0) {
			ADD(proto_op(SYD_OP_DETACH, w->name, NULL));
		}
	}
	for (i = 0; i < want->nmacs; i++) {
		const struct state_mac *w = &want->mac[i];

		j = find_mac(have, w->network, w->mac);
		if (j < 0 || strcmp(have->mac[j].port, w->port) != 0 ||
		    have->mac[j].remote != w->remote || mac_reset(want, have, w))
			ADD(op_mac_add(w));
	}
	for (i = 0; i < have->nnets; i++)
		if (find_net(want, have->net[i].name) < 0)
			ADD(proto_op(SYD_OP_NET_DEL, have->net[i].name, NULL));
	return nops;
}

/* The file: one BATCH message that builds the state from nothing, so loading it goes
 * through proto_check() and state_apply_op() like anything else a client sends.
 * A state past one message (more than SYD_PROTO_BATCH_MAX ops) is split into several
 * messages, one after another; then FLOW_MOD messages add the flows.  Later changes
 * are appended to it (state_save_change). */
static int write_record(struct proto_buf *b, void *arg)
{
	return fwrite(b->data, 1, b->len, arg) == b->len ? 0 : -EIO;
}

int state_save(const struct state *s, const char *path, char *err, size_t errlen)
{
	static struct state empty;
	struct proto_buf b = {0};
	char tmp[4200];
	int fd, ret;
	FILE *f;

	if (empty.mac == NULL && state_init(&empty) < 0)
		return syd_fail(err, errlen, -ENOMEM, "no memory");
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return syd_fail(err, errlen, -errno, "cannot write %s: %s", tmp, strerror(errno));
	f = fdopen(fd, "w");
	{
		/* Diff against nothing, in slices of one batch each. */
		struct state_mac *all = s->mac;
		unsigned int done = 0;
		struct state part;

		part = *s;
		part.nmacs = 0;
		ret = proto_begin(&b, SYD_MSG_BATCH, 0);
		if (ret == 0)
			ret = state_diff(&part, &empty, &b);
		while (ret >= 0) {
			proto_finish(&b);
			fwrite(b.data, 1, b.len, f);
			if (done >= s->nmacs)
				break;
			/* The next slice: static entries only. */
			ret = proto_begin(&b, SYD_MSG_BATCH, 0);
			while (ret == 0 && done < s->nmacs) {
				struct syd_op op = op_mac_add(&all[done]);

				ret = proto_batch_add(&b, &op);
				if (ret == 0)
					done++;
			}
			if (ret == -E2BIG || ret == -EMSGSIZE)
				ret = 0;
		}
	}
	if (ret >= 0)
		ret = state_diff_flows(s, &empty, write_record, f);
	proto_buf_free(&b);
	if (ret < 0 || fflush(f) != 0 || fsync(fd) != 0) {
		ret = ret < 0 ? ret : -errno;
		fclose(f);
		unlink(tmp);
		return syd_fail(err, errlen, ret, "cannot write %s: %s", tmp, strerror(-ret));
	}
	fclose(f);
	if (rename(tmp, path) < 0) {
		ret = -errno;
		unlink(tmp);
		return syd_fail(err, errlen, ret, "cannot rename %s to %s: %s", tmp, path,
			    strerror(-ret));
	}
	return 0;
}

int state_load(struct state *s, const char *path, char *err, size_t errlen)
{
	static uint8_t buf[SYD_PROTO_MSG_MAX];
	struct syd_hdr h;
	char why[SYD_PROTO_TEXT_MAX];
	FILE *f = fopen(path, "r");
	unsigned long records = 0;
	int ret = 0;

	if (f == NULL)
		return errno == ENOENT ? -ENOENT
				       : syd_fail(err, errlen, -errno, "cannot read %s: %s", path,
					      strerror(errno));
	while (fread(&h, sizeof(h), 1, f) == 1) {
		if (h.length < sizeof(h) || h.length > sizeof(buf)) {
			ret = syd_fail(err, errlen, -EBADMSG, "%s is damaged: a record of %u bytes",
				   path, h.length);
			break;
		}
		memcpy(buf, &h, sizeof(h));
		if (fread(buf + sizeof(h), 1, h.length - sizeof(h), f) != h.length - sizeof(h)) {
			/* A whole save is renamed into place, so a record cut short after the
			 * first can only be an append that a crash tore: a change never
			 * acknowledged, which the resync takes back from the dataplane. */
			if (records > 0 && feof(f))
				break;
			ret = syd_fail(err, errlen, -EBADMSG, "%s is damaged: cut short", path);
			break;
		}
		records++;
		/* A file written by a syd-control of version 2, 3 or 4 still loads: BATCH
		 * has not changed since 2, FLOW_MOD not since 4 (its mods are cut after
		 * their actions since). */
		ret = 0;
		if ((h.type == SYD_MSG_BATCH && h.version >= 2 && h.version <= 4) ||
		    (h.type == SYD_MSG_FLOW_MOD && h.version == 4))
			((struct syd_hdr *)buf)->version = SYD_PROTO_VERSION;
		else if ((h.version == 2 || h.version == 3) && h.type == SYD_MSG_FLOW_MOD)
			ret = proto_flow_mod_from_v3(buf, why, sizeof(why));
		if (ret == 0)
			ret = proto_check(buf, ((struct syd_hdr *)buf)->length, why, sizeof(why));
		if (ret == 0 && h.type != SYD_MSG_BATCH && h.type != SYD_MSG_FLOW_MOD)
			ret = syd_fail(why, sizeof(why), -EBADMSG, "a %s record",
				   proto_msg_name(h.type));
		if (ret == 0 && h.type == SYD_MSG_BATCH)
			ret = state_apply_batch(s, (const struct syd_batch *)(buf + sizeof(h)), why,
						sizeof(why));
		else if (ret == 0)
			ret = state_apply_flow_batch(s, (const void *)(buf + sizeof(h)), why,
						     sizeof(why));
		if (ret < 0) {
			syd_fail(err, errlen, ret, "%s is damaged: %s", path, why);
			break;
		}
	}
	fclose(f);
	return ret;
}

/* Append msg to the file at path (state_sync() makes it durable). */
static int append(const char *path, const struct syd_hdr *msg)
{
	const uint8_t *p = (const uint8_t *)msg;
	size_t done = 0;
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	while (ret == 0 && done < msg->length) {
		ssize_t n = write(fd, p + done, msg->length - done);

		if (n < 0 && errno != EINTR)
			ret = -errno;
		else if (n > 0)
			done += (size_t)n;
	}
	close(fd);
	return ret;
}

int state_sync(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (fdatasync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int state_save_change(const struct state *s, const char *path, const struct syd_hdr *msg,
		      uint64_t *appended, char *err, size_t errlen)
{
	uint64_t budget = (uint64_t)state_nflows(s) * sizeof(struct syd_flow_mod) + (1u << 20);
	int ret;

	if (*appended + msg->length <= budget && append(path, msg) == 0) {
		*appended += msg->length;
		return 0;
	}
	ret = state_save(s, path, err, errlen);
	*appended = ret < 0 ? UINT64_MAX / 2 : 0;
	return ret;
}

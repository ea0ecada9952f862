/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config_state.h"
#include "flowtext.h"

/* The loader's limits and sizes are the protocol's and the state's. */
_Static_assert(CONFIG_NAME_LEN == SYD_PROTO_NAME_LEN, "name fields differ");
_Static_assert(CONFIG_NAME_MAX == SYD_PROTO_NAME_MAX, "name lengths differ");
_Static_assert(CONFIG_PATH_LEN == SYD_PROTO_PATH_LEN, "path fields differ");
_Static_assert(CONFIG_MAX_PORTS == STATE_MAX_PORTS, "port limits differ");
_Static_assert(CONFIG_MAX_NETWORKS == STATE_MAX_NETWORKS, "network limits differ");
_Static_assert(CONFIG_MAX_FLOOD == STATE_MAX_VTEPS, "flood list limits differ");
_Static_assert(CONFIG_MAX_MACS == STATE_MAX_MACS, "static MAC limits differ");
_Static_assert(CONFIG_VNI_MAX == SYD_VNI_MAX, "VNI ranges differ");

struct builder {
	const struct syd_config *c;
	struct state *s;
	struct proto_buf check;
	char *err;
	size_t errlen;
};

/* Check op as the switch would (proto_check), then apply it; a refusal names pos. */
static int apply(struct builder *b, const struct syd_op *op, struct config_pos pos,
		 const char *where)
{
	char why[SYD_PROTO_TEXT_MAX];
	struct syd_hdr *h;
	int ret;

	ret = proto_begin(&b->check, SYD_MSG_BATCH, 0);
	if (ret == 0)
		ret = proto_batch_add(&b->check, op);
	if (ret < 0) {
		snprintf(b->err, b->errlen, "%s: out of memory", b->c->file);
		return ret;
	}
	h = proto_finish(&b->check);
	ret = proto_check(h, h->length, why, sizeof(why));
	if (ret == 0)
		ret = state_apply_op(b->s, op, why, sizeof(why));
	if (ret < 0)
		snprintf(b->err, b->errlen, "%s:%u:%u: %s: %s", b->c->file, pos.line, pos.col,
			 where, why);
	return ret;
}

/* flows[i]: parsed (and checked as the switch checks it), then added; a rule of the same
 * table, priority and match as an earlier one is refused rather than replacing it. */
static int apply_flow(struct builder *b, unsigned int i)
{
	const struct config_flow *cf = &b->c->flow[i];
	struct syd_flow_mod m = {.command = SYD_FC_ADD};
	char why[SYD_PROTO_TEXT_MAX];
	unsigned int j;
	int ret = flowtext_parse(cf->text, &m.flow, why, sizeof(why));

	if (ret == 0 && flowset_find(&b->s->flows, &m.flow) >= 0) {
		struct syd_flow other;

		for (j = 0; j < i; j++)
			if (flowtext_parse(b->c->flow[j].text, &other, NULL, 0) == 0 &&
			    flowset_same_identity(&other, &m.flow))
				break;
		snprintf(why, sizeof(why),
			 "the same table, priority and match as flows[%u] (line %u): one rule "
			 "each",
			 j, j < i ? b->c->flow[j].pos.line : 0);
		ret = -EEXIST;
	}
	if (ret == 0)
		ret = state_apply_flow_mod(b->s, &m, why, sizeof(why));
	if (ret < 0)
		snprintf(b->err, b->errlen, "%s:%u:%u: flows[%u]: %s", b->c->file, cf->pos.line,
			 cf->pos.col, i, why);
	return ret;
}

static uint16_t uplink_mode(enum config_uplink_mode m)
{
	switch (m) {
	case CONFIG_UPLINK_AUTO:
		return SYD_UPLINK_AUTO;
	case CONFIG_UPLINK_AF_XDP:
		return SYD_UPLINK_AF_XDP;
	case CONFIG_UPLINK_AF_PACKET:
		return SYD_UPLINK_AF_PACKET;
	case CONFIG_UPLINK_VHOST_SERVER:
		return SYD_UPLINK_VHOST_SERVER;
	case CONFIG_UPLINK_VIRTIO_USER:
		return SYD_UPLINK_VIRTIO_USER;
	}
	return 0;
}

static uint16_t port_kind(const struct config_port *p)
{
	switch (p->type) {
	case CONFIG_PORT_VHOST_USER:
		return p->mode == CONFIG_VHOST_CLIENT ? SYD_PORT_VHOST_CLIENT
						      : SYD_PORT_VHOST_SERVER;
	case CONFIG_PORT_AF_PACKET:
		return SYD_PORT_AF_PACKET;
	case CONFIG_PORT_TAP:
		return SYD_PORT_TAP;
	}
	return 0;
}

static int build(struct builder *b)
{
	const struct syd_config *c = b->c;
	char where[64];
	unsigned int i, j;
	int ret;

	if (c->vtep.address) {
		struct syd_op op = proto_op(SYD_OP_UPLINK_SET, NULL, NULL);

		op.kind = uplink_mode(c->vtep.mode);
		if (proto_uplink_is_socket(op.kind)) {
			strcpy(op.name, c->vtep.uplink);
			strcpy(op.path, c->vtep.socket);
			memcpy(op.mac, c->vtep.mac, 6);
		} else {
			strcpy(op.path, c->vtep.uplink);
		}
		op.addr = c->vtep.address;
		op.udp_port = c->vtep.udp_port;
		op.mtu = c->vtep.mtu;
		ret = apply(b, &op, c->vtep.pos, "switch.vtep");
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < c->nnetworks; i++) {
		const struct config_network *n = &c->network[i];
		struct syd_op op = proto_op(SYD_OP_NET_ADD, n->name, NULL);

		op.vni = n->vni;
		snprintf(where, sizeof(where), "networks[%u]", i);
		ret = apply(b, &op, n->pos, where);
		for (j = 0; ret == 0 && j < n->nflood; j++) {
			op = proto_op(SYD_OP_VTEP_ADD, NULL, n->name);
			op.addr = n->flood[j];
			snprintf(where, sizeof(where), "networks[%u].flood[%u]", i, j);
			ret = apply(b, &op, n->flood_pos[j], where);
		}
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < c->nports; i++) {
		const struct config_port *p = &c->port[i];
		struct syd_op op =
			proto_op(SYD_OP_PORT_ADD, p->name, p->network[0] ? p->network : NULL);

		op.kind = port_kind(p);
		strcpy(op.path, p->path);
		snprintf(where, sizeof(where), "ports[%u]", i);
		ret = apply(b, &op, p->pos, where);
		if (ret < 0)
			return ret;
	}
	for (i = 0; i < c->nnetworks; i++) {
		const struct config_network *n = &c->network[i];

		for (j = 0; j < n->nmacs; j++) {
			const struct config_mac *m = &n->mac[j];
			struct syd_op op = proto_op(SYD_OP_MAC_ADD, m->vtep ? NULL : m->port, n->name);

			memcpy(op.mac, m->mac, 6);
			op.addr = m->vtep;
			snprintf(where, sizeof(where), "networks[%u].macs[%u]", i, j);
			ret = apply(b, &op, m->pos, where);
			if (ret < 0)
				return ret;
		}
	}
	for (i = 0; i < c->nflows; i++) {
		ret = apply_flow(b, i);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int config_to_state(const struct syd_config *c, struct state *s, char *err, size_t errlen)
{
	struct state work;
	struct builder b = {.c = c, .s = &work, .err = err, .errlen = errlen};
	int ret;

	if (state_init(&work) < 0) {
		snprintf(err, errlen, "%s: out of memory", c->file);
		return -ENOMEM;
	}
	ret = build(&b);
	if (ret == 0 && state_copy(s, &work) < 0) {
		snprintf(err, errlen, "%s: out of memory", c->file);
		ret = -ENOMEM;
	}
	proto_buf_free(&b.check);
	state_free(&work);
	return ret;
}

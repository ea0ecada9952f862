/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "proto_flow.h"

_Static_assert(sizeof(struct syd_hdr) == 16, "the header is part of the wire format");
_Static_assert(sizeof(struct syd_op) == 200, "ops are part of the wire format");
_Static_assert(sizeof(struct syd_port_stats) % 8 == 0, "entries stay 8-byte aligned");
_Static_assert(sizeof(struct syd_flow) == 552 && sizeof(struct syd_flow_mod) == 560 &&
		       sizeof(struct syd_flow_stats) == 576 && sizeof(struct syd_flow_step) == 688,
	       "flows are part of the wire format");
_Static_assert(sizeof(struct syd_uplink_info) == 292 && sizeof(struct syd_vtep_info) == 52,
	       "answers are part of the wire format");

static int bad(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

static const char *const msg_names[SYD_MSG_TYPE_MAX] = {
	[SYD_MSG_OK] = "OK",
	[SYD_MSG_ERROR] = "ERROR",
	[SYD_MSG_DONE] = "DONE",
	[SYD_MSG_HELLO] = "HELLO",
	[SYD_MSG_BATCH] = "BATCH",
	[SYD_MSG_BARRIER] = "BARRIER",
	[SYD_MSG_DUMP_PORTS] = "DUMP_PORTS",
	[SYD_MSG_DUMP_NETWORKS] = "DUMP_NETWORKS",
	[SYD_MSG_DUMP_MACS] = "DUMP_MACS",
	[SYD_MSG_GET_PORT_STATS] = "GET_PORT_STATS",
	[SYD_MSG_GET_WORKER_STATS] = "GET_WORKER_STATS",
	[SYD_MSG_GET_INFO] = "GET_INFO",
	[SYD_MSG_CLEAR_STATS] = "CLEAR_STATS",
	[SYD_MSG_DUMP_DROPS] = "DUMP_DROPS",
	[SYD_MSG_CLEAR_WORKER_STATS] = "CLEAR_WORKER_STATS",
	[SYD_MSG_TRACE_START] = "TRACE_START",
	[SYD_MSG_DUMP_TRACE] = "DUMP_TRACE",
	[SYD_MSG_DUMP_VTEPS] = "DUMP_VTEPS",
	[SYD_MSG_GET_UPLINK] = "GET_UPLINK",
	[SYD_MSG_PORTS] = "PORTS",
	[SYD_MSG_NETWORKS] = "NETWORKS",
	[SYD_MSG_MACS] = "MACS",
	[SYD_MSG_PORT_STATS] = "PORT_STATS",
	[SYD_MSG_WORKER_STATS] = "WORKER_STATS",
	[SYD_MSG_INFO] = "INFO",
	[SYD_MSG_DROPS] = "DROPS",
	[SYD_MSG_TRACE] = "TRACE",
	[SYD_MSG_VTEPS] = "VTEPS",
	[SYD_MSG_UPLINK] = "UPLINK",
	[SYD_MSG_EVENT_LINK] = "EVENT_LINK",
	[SYD_MSG_FLOW_MOD] = "FLOW_MOD",
	[SYD_MSG_DUMP_FLOWS] = "DUMP_FLOWS",
	[SYD_MSG_FLOWS] = "FLOWS",
	[SYD_MSG_FLOW_TRACE] = "FLOW_TRACE",
	[SYD_MSG_FLOW_STEPS] = "FLOW_STEPS",
};

static const char *const op_names[SYD_OP_TYPE_MAX] = {
	[SYD_OP_NET_ADD] = "add-network", [SYD_OP_NET_DEL] = "del-network",
	[SYD_OP_PORT_ADD] = "add-port",   [SYD_OP_PORT_DEL] = "del-port",
	[SYD_OP_ATTACH] = "attach",       [SYD_OP_DETACH] = "detach",
	[SYD_OP_MAC_ADD] = "add-mac",     [SYD_OP_MAC_DEL] = "del-mac",
	[SYD_OP_MAC_FLUSH] = "flush-macs", [SYD_OP_VTEP_ADD] = "add-vtep",
	[SYD_OP_VTEP_DEL] = "del-vtep",   [SYD_OP_NET_VNI] = "set-vni",
	[SYD_OP_UPLINK_SET] = "set-uplink", [SYD_OP_UPLINK_DEL] = "del-uplink",
};

static const char *const kind_names[SYD_PORT_KIND_MAX] = {
	[SYD_PORT_VHOST_SERVER] = "vhost-server",
	[SYD_PORT_VHOST_CLIENT] = "vhost-client",
	[SYD_PORT_AF_PACKET] = "af_packet",
	[SYD_PORT_TAP] = "tap",
};

const char *proto_msg_name(unsigned int type)
{
	return type < SYD_MSG_TYPE_MAX && msg_names[type] ? msg_names[type] : "unknown";
}

const char *proto_op_name(unsigned int type)
{
	return type < SYD_OP_TYPE_MAX && op_names[type] ? op_names[type] : "unknown";
}

const char *proto_port_kind_name(unsigned int kind)
{
	return kind < SYD_PORT_KIND_MAX && kind_names[kind] ? kind_names[kind] : "unknown";
}

static const char *const mode_names[SYD_UPLINK_MODE_MAX] = {
	[SYD_UPLINK_AUTO] = "auto",
	[SYD_UPLINK_AF_XDP] = "af_xdp",
	[SYD_UPLINK_AF_PACKET] = "af_packet",
	[SYD_UPLINK_VHOST_SERVER] = "vhost-server",
	[SYD_UPLINK_VIRTIO_USER] = "virtio-user",
};

const char *proto_uplink_mode_name(unsigned int mode)
{
	return mode < SYD_UPLINK_MODE_MAX && mode_names[mode] ? mode_names[mode] : "unknown";
}

unsigned int proto_uplink_mode_parse(const char *s)
{
	unsigned int m;

	for (m = 1; m < SYD_UPLINK_MODE_MAX; m++)
		if (strcmp(s, mode_names[m]) == 0)
			return m;
	return 0;
}

unsigned int proto_port_kind_parse(const char *s)
{
	unsigned int k;

	for (k = 1; k < SYD_PORT_KIND_MAX; k++)
		if (strcmp(s, kind_names[k]) == 0)
			return k;
	return 0;
}

/* NUL-terminated within the field. */
static bool str_ok(const char *s, size_t field_len)
{
	return memchr(s, '\0', field_len) != NULL;
}

bool proto_name_ok(const char *name, size_t field_len)
{
	size_t n;

	if (!str_ok(name, field_len))
		return false;
	n = strlen(name);
	return n >= 1 && n <= SYD_PROTO_NAME_MAX &&
	       strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") ==
		       n;
}

/* An interface name as the kernel takes it: 1-15 bytes, no '/' or space. */
struct syd_op proto_op(uint16_t type, const char *name, const char *network)
{
	struct syd_op op;

	memset(&op, 0, sizeof(op));
	op.type = type;
	if (name)
		snprintf(op.name, sizeof(op.name), "%s", name);
	if (network)
		snprintf(op.network, sizeof(op.network), "%s", network);
	return op;
}

bool proto_unicast_ipv4(uint32_t addr)
{
	const uint8_t *b = (const uint8_t *)&addr;

	/* not 0/8, loopback, multicast or reserved (224/3 covers 255.255.255.255) */
	return b[0] != 0 && b[0] != 127 && b[0] < 224;
}

static bool ifname_ok(const char *s)
{
	size_t n = strlen(s);

	return n >= 1 && n <= 15 && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
	       strpbrk(s, "/ \t\n\v\f\r:") == NULL;
}

#define NEED(cond, ...)                                                                            \
	do {                                                                                       \
		if (!(cond))                                                                       \
			return bad(err, errlen, -EINVAL, __VA_ARGS__);                             \
	} while (0)

/*
 * UPLINK_SET's mode and where it goes.  Kernel modes: path is the interface, no name,
 * no MAC (the interface's is used).  Socket modes: name (the uplink's, 1-15 name
 * characters), path (an absolute socket path), mac optional (a station; 0: the switch
 * makes one from its VTEP address).
 */
static int check_uplink_set(const struct syd_op *op, unsigned int i, char *err, size_t errlen)
{
	const char *what = proto_op_name(op->type);

	NEED(op->kind > 0 && op->kind < SYD_UPLINK_MODE_MAX,
	     "op %u (%s): unknown uplink mode %u (1-%d: auto, af_xdp, af_packet, vhost-server, "
	     "virtio-user)",
	     i, what, op->kind, SYD_UPLINK_MODE_MAX - 1);
	NEED(str_ok(op->path, sizeof(op->path)) && op->path[0] != '\0',
	     "op %u (%s): path must be 1-%d bytes (%s)", i, what, SYD_PROTO_PATH_LEN - 1,
	     proto_uplink_is_socket(op->kind) ? "the vhost-user socket" : "the interface");
	if (!proto_uplink_is_socket(op->kind)) {
		NEED(ifname_ok(op->path),
		     "op %u (%s): '%s' is not an interface name (1-15 bytes, no '/', ':' or "
		     "spaces): mode %s takes a kernel interface; a socket needs mode "
		     "vhost-server or virtio-user",
		     i, what, op->path, proto_uplink_mode_name(op->kind));
		NEED(proto_zero(op->name, sizeof(op->name)),
		     "op %u (%s): unused name field set: mode %s names the uplink by its "
		     "interface (path); only vhost-server and virtio-user uplinks have a name",
		     i, what, proto_uplink_mode_name(op->kind));
		NEED(proto_zero(op->mac, 6),
		     "op %u (%s): unused mac field set: mode %s uses the interface's MAC; only "
		     "vhost-server and virtio-user uplinks take one",
		     i, what, proto_uplink_mode_name(op->kind));
		return 0;
	}
	NEED(op->path[0] == '/', "op %u (%s): mode %s: socket path must be absolute, not '%s'", i,
	     what, proto_uplink_mode_name(op->kind), op->path);
	NEED(proto_name_ok(op->name, sizeof(op->name)) && strlen(op->name) <= SYD_UPLINK_NAME_MAX,
	     "op %u (%s): mode %s: the uplink's name must be 1-%d letters, digits, '_' or '-'", i,
	     what, proto_uplink_mode_name(op->kind), SYD_UPLINK_NAME_MAX);
	NEED(!(op->mac[0] & 1), "op %u (%s): a multicast MAC cannot be the uplink's", i, what);
	return 0;
}

/* The name, kind, path and mac fields of an op other than UPLINK_SET: name 0 unused,
 * 1 required; the others used or not. */
static int check_port_fields(const struct syd_op *op, unsigned int i, int name, bool uses_kind,
			     bool uses_path, bool uses_mac, char *err, size_t errlen)
{
	if (name)
		NEED(proto_name_ok(op->name, sizeof(op->name)),
		     "op %u (%s): name must be 1-%d letters, digits, '_' or '-'", i,
		     proto_op_name(op->type), SYD_PROTO_NAME_MAX);
	else
		NEED(proto_zero(op->name, sizeof(op->name)), "op %u (%s): unused name field set", i,
		     proto_op_name(op->type));
	if (uses_kind)
		NEED(op->kind > 0 && op->kind < SYD_PORT_KIND_MAX,
		     "op %u (%s): unknown port kind %u", i, proto_op_name(op->type), op->kind);
	else
		NEED(op->kind == 0, "op %u (%s): unused kind field set", i,
		     proto_op_name(op->type));
	if (uses_path) {
		NEED(str_ok(op->path, sizeof(op->path)) && op->path[0] != '\0',
		     "op %u (%s): path must be 1-%d bytes", i, proto_op_name(op->type),
		     SYD_PROTO_PATH_LEN - 1);
		if (op->kind == SYD_PORT_VHOST_SERVER || op->kind == SYD_PORT_VHOST_CLIENT)
			NEED(op->path[0] == '/',
			     "op %u (%s): socket path must be absolute, not '%s'", i,
			     proto_op_name(op->type), op->path);
		else
			NEED(ifname_ok(op->path),
			     "op %u (%s): '%s' is not an interface name (1-15 bytes, no '/', ':' "
			     "or spaces)",
			     i, proto_op_name(op->type), op->path);
	} else {
		NEED(proto_zero(op->path, sizeof(op->path)), "op %u (%s): unused path field set", i,
		     proto_op_name(op->type));
	}
	if (uses_mac) {
		NEED(!proto_zero(op->mac, 6), "op %u (%s): MAC 00:00:00:00:00:00 is not a station",
		     i, proto_op_name(op->type));
		NEED(!(op->mac[0] & 1), "op %u (%s): a multicast MAC is not a station", i,
		     proto_op_name(op->type));
	} else {
		NEED(proto_zero(op->mac, 6), "op %u (%s): unused mac field set", i,
		     proto_op_name(op->type));
	}
	return 0;
}

static int check_op(const struct syd_op *op, unsigned int i, char *err, size_t errlen)
{
	bool uses_kind = false, uses_path = false, uses_mac = false, uses_vni = false;
	bool uses_addr = false, uplink = false;
	int name = 0, net = 0; /* 0 unused, 1 required, 2 optional */

	NEED(op->type > 0 && op->type < SYD_OP_TYPE_MAX, "op %u: unknown operation %u", i,
	     op->type);
	NEED(op->reserved == 0 && op->pad == 0, "op %u: reserved bytes set", i);
	switch (op->type) {
	case SYD_OP_NET_ADD:
	case SYD_OP_NET_VNI:
		name = 1;
		uses_vni = true;
		break;
	case SYD_OP_NET_DEL:
	case SYD_OP_PORT_DEL:
	case SYD_OP_DETACH:
		name = 1;
		break;
	case SYD_OP_PORT_ADD:
		name = 1;
		net = 2;
		uses_kind = uses_path = true;
		break;
	case SYD_OP_ATTACH:
		name = 1;
		net = 1;
		break;
	case SYD_OP_MAC_ADD:
		/* behind a port (name) or a remote VTEP (addr) */
		name = op->addr != 0 ? 0 : 1;
		uses_addr = op->addr != 0;
		net = 1;
		uses_mac = true;
		break;
	case SYD_OP_VTEP_ADD:
	case SYD_OP_VTEP_DEL:
		net = 1;
		uses_addr = true;
		break;
	case SYD_OP_UPLINK_SET: {
		int ret = check_uplink_set(op, i, err, errlen);

		if (ret < 0)
			return ret;
		uses_addr = uplink = true; /* name, kind, path and mac are checked */
		break;
	}
	case SYD_OP_UPLINK_DEL:
		break;
	case SYD_OP_MAC_DEL:
		net = 1;
		uses_mac = true;
		break;
	case SYD_OP_MAC_FLUSH:
		net = 2;
		break;
	}
	if (net == 1 || (net == 2 && op->network[0] != '\0'))
		NEED(proto_name_ok(op->network, sizeof(op->network)),
		     "op %u (%s): network must be 1-%d letters, digits, '_' or '-'", i,
		     proto_op_name(op->type), SYD_PROTO_NAME_MAX);
	else
		NEED(proto_zero(op->network, sizeof(op->network)),
		     "op %u (%s): unused network field set", i, proto_op_name(op->type));
	if (!uplink) { /* check_uplink_set() checked UPLINK_SET's */
		int ret =
			check_port_fields(op, i, name, uses_kind, uses_path, uses_mac, err, errlen);

		if (ret < 0)
			return ret;
	}
	if (uses_vni)
		NEED(op->vni <= SYD_VNI_MAX, "op %u (%s): VNI %u is not in 1-%u (or 0 for none)", i,
		     proto_op_name(op->type), op->vni, SYD_VNI_MAX);
	else
		NEED(op->vni == 0, "op %u (%s): unused vni field set", i, proto_op_name(op->type));
	if (uses_addr)
		NEED(proto_unicast_ipv4(op->addr),
		     "op %u (%s): %u.%u.%u.%u is not a unicast IPv4 address", i,
		     proto_op_name(op->type), ((const uint8_t *)&op->addr)[0],
		     ((const uint8_t *)&op->addr)[1], ((const uint8_t *)&op->addr)[2],
		     ((const uint8_t *)&op->addr)[3]);
	else
		NEED(op->addr == 0, "op %u (%s): unused addr field set", i, proto_op_name(op->type));
	if (uplink) {
		NEED(op->mtu == 0 || (op->mtu >= 576 && op->mtu <= 9000),
		     "op %u (%s): MTU %u is not in 576-9000", i, proto_op_name(op->type), op->mtu);
	} else {
		NEED(op->udp_port == 0 && op->mtu == 0, "op %u (%s): unused udp_port or mtu set", i,
		     proto_op_name(op->type));
	}
	return 0;
}

/* Every entry of a dump or answer message. */
static int check_entries(const struct syd_hdr *h, size_t body, char *err, size_t errlen)
{
	const uint8_t *p = (const uint8_t *)(h + 1);
	size_t size, i, n;

	switch (h->type) {
	case SYD_MSG_PORTS:
		size = sizeof(struct syd_port_info);
		break;
	case SYD_MSG_NETWORKS:
		size = sizeof(struct syd_net_info);
		break;
	case SYD_MSG_MACS:
		size = sizeof(struct syd_mac_info);
		break;
	case SYD_MSG_PORT_STATS:
		size = sizeof(struct syd_port_stats);
		break;
	case SYD_MSG_WORKER_STATS:
		size = sizeof(struct syd_worker_stats);
		break;
	case SYD_MSG_DROPS:
		size = sizeof(struct syd_drop_record);
		break;
	case SYD_MSG_TRACE:
		size = sizeof(struct syd_trace_record);
		break;
	case SYD_MSG_VTEPS:
		size = sizeof(struct syd_vtep_info);
		break;
	default:
		return bad(err, errlen, -EOPNOTSUPP, "not a dump message");
	}
	NEED(body >= size && body % size == 0, "%s: body of %zu bytes is not whole entries of %zu",
	     proto_msg_name(h->type), body, size);
	n = body / size;
	for (i = 0; i < n; i++, p += size) {
		switch (h->type) {
		case SYD_MSG_PORTS: {
			const struct syd_port_info *e = (const void *)p;

			NEED(proto_name_ok(e->name, sizeof(e->name)) &&
				     (e->network[0] == '\0' ||
				      proto_name_ok(e->network, sizeof(e->network))) &&
				     str_ok(e->path, sizeof(e->path)) && e->kind > 0 &&
				     e->kind < SYD_PORT_KIND_MAX && e->up <= 1,
			     "PORTS entry %zu is malformed", i);
			break;
		}
		case SYD_MSG_NETWORKS: {
			const struct syd_net_info *e = (const void *)p;

			NEED(proto_name_ok(e->name, sizeof(e->name)), "NETWORKS entry %zu is malformed",
			     i);
			break;
		}
		case SYD_MSG_MACS: {
			const struct syd_mac_info *e = (const void *)p;

			NEED(proto_name_ok(e->network, sizeof(e->network)) &&
				     (e->remote != 0 ? e->port[0] == '\0'
						     : proto_name_ok(e->port, sizeof(e->port))) &&
				     e->is_static <= 1,
			     "MACS entry %zu is malformed", i);
			break;
		}
		case SYD_MSG_DROPS: {
			const struct syd_drop_record *e = (const void *)p;

			NEED(proto_name_ok(e->port, sizeof(e->port)) && e->reason > 0 &&
				     e->reason < SYD_PROTO_DROPS && e->caplen <= SYD_PROTO_SNAP &&
				     e->caplen <= e->len && e->pad == 0,
			     "DROPS entry %zu is malformed", i);
			break;
		}
		case SYD_MSG_TRACE: {
			const struct syd_trace_record *e = (const void *)p;

			NEED(proto_name_ok(e->in_port, sizeof(e->in_port)) &&
				     (e->out_port[0] == '\0' ||
				      proto_name_ok(e->out_port, sizeof(e->out_port))),
			     "TRACE entry %zu is malformed", i);
			break;
		}
		case SYD_MSG_VTEPS: {
			const struct syd_vtep_info *e = (const void *)p;

			NEED(proto_name_ok(e->network, sizeof(e->network)) && e->resolved <= 1,
			     "VTEPS entry %zu is malformed", i);
			break;
		}
		case SYD_MSG_WORKER_STATS: {
			const struct syd_worker_stats *e = (const void *)p;

			NEED(str_ok(e->rxqs, sizeof(e->rxqs)), "WORKER_STATS entry %zu is malformed",
			     i);
			break;
		}
		case SYD_MSG_PORT_STATS: {
			const struct syd_port_stats *e = (const void *)p;

			NEED(proto_name_ok(e->name, sizeof(e->name)),
			     "PORT_STATS entry %zu is malformed", i);
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

int proto_check(const void *msg, size_t len, char *err, size_t errlen)
{
	const struct syd_hdr *h = msg;
	size_t body;

	if (len < sizeof(*h))
		return bad(err, errlen, -EBADMSG, "message of %zu bytes is shorter than a header",
			   len);
	if (h->version != SYD_PROTO_VERSION)
		return bad(err, errlen, -EPROTONOSUPPORT,
			   "peer speaks protocol version %u; this side speaks version %u: run "
			   "syd-dataplane, syd-control and sydctl from the same release",
			   h->version, SYD_PROTO_VERSION);
	if (len > SYD_PROTO_MSG_MAX)
		return bad(err, errlen, -EMSGSIZE, "message of %zu bytes exceeds the limit of %d",
			   len, SYD_PROTO_MSG_MAX);
	if (h->length != len)
		return bad(err, errlen, -EBADMSG, "length field says %u bytes, message has %zu",
			   h->length, len);
	if (h->flags != 0 || h->reserved != 0)
		return bad(err, errlen, -EINVAL, "reserved header bits set");
	if (h->type == 0 || h->type >= SYD_MSG_TYPE_MAX || msg_names[h->type] == NULL)
		return bad(err, errlen, -EOPNOTSUPP, "unknown message type %u", h->type);
	body = len - sizeof(*h);

	switch (h->type) {
	case SYD_MSG_OK:
	case SYD_MSG_DONE:
	case SYD_MSG_BARRIER:
	case SYD_MSG_DUMP_PORTS:
	case SYD_MSG_DUMP_NETWORKS:
	case SYD_MSG_DUMP_MACS:
	case SYD_MSG_GET_PORT_STATS:
	case SYD_MSG_GET_WORKER_STATS:
	case SYD_MSG_GET_INFO:
	case SYD_MSG_CLEAR_STATS:
	case SYD_MSG_DUMP_DROPS:
	case SYD_MSG_CLEAR_WORKER_STATS:
	case SYD_MSG_DUMP_TRACE:
	case SYD_MSG_DUMP_VTEPS:
	case SYD_MSG_GET_UPLINK:
		NEED(body == 0, "%s carries no body, got %zu bytes", proto_msg_name(h->type), body);
		return 0;
	case SYD_MSG_HELLO: {
		const struct syd_hello *m = proto_body(h);

		NEED(body == sizeof(*m), "HELLO body must be %zu bytes, got %zu", sizeof(*m), body);
		NEED(m->version_min <= m->version_max && str_ok(m->software, sizeof(m->software)),
		     "HELLO is malformed");
		return 0;
	}
	case SYD_MSG_ERROR: {
		const struct syd_error *m = proto_body(h);
		size_t text;

		NEED(body > sizeof(*m) && body <= sizeof(*m) + SYD_PROTO_TEXT_MAX,
		     "ERROR body of %zu bytes", body);
		text = body - sizeof(*m);
		NEED(m->code > 0 && m->reserved == 0 && m->text[text - 1] == '\0' &&
			     strlen(m->text) == text - 1,
		     "ERROR is malformed");
		return 0;
	}
	case SYD_MSG_BATCH: {
		const struct syd_batch *m = proto_body(h);
		uint32_t i;
		int ret;

		NEED(body >= sizeof(*m), "BATCH body of %zu bytes is shorter than its count", body);
		if (m->count > SYD_PROTO_BATCH_MAX)
			return bad(err, errlen, -E2BIG,
				   "batch of %u operations exceeds the limit of %d: split it",
				   m->count, SYD_PROTO_BATCH_MAX);
		NEED(m->reserved == 0, "BATCH reserved field set");
		NEED(body == sizeof(*m) + (size_t)m->count * sizeof(struct syd_op),
		     "BATCH says %u operations but carries %zu bytes", m->count, body);
		for (i = 0; i < m->count; i++) {
			ret = check_op(&m->op[i], i, err, errlen);
			if (ret < 0)
				return ret;
		}
		return 0;
	}
	case SYD_MSG_INFO: {
		const struct syd_info *m = proto_body(h);

		NEED(body == sizeof(*m), "INFO body must be %zu bytes, got %zu", sizeof(*m), body);
		NEED(str_ok(m->software, sizeof(m->software)) &&
			     str_ok(m->file_prefix, sizeof(m->file_prefix)) &&
			     m->nworkers <= SYD_PROTO_WORKERS,
		     "INFO is malformed");
		return 0;
	}
	case SYD_MSG_TRACE_START: {
		const struct syd_trace_req *m = proto_body(h);

		NEED(body == sizeof(*m), "TRACE_START body must be %zu bytes, got %zu", sizeof(*m),
		     body);
		NEED(m->count >= 1 && m->count <= SYD_TRACE_MAX,
		     "trace: count must be 1 to %d, not %u", SYD_TRACE_MAX, m->count);
		NEED((m->fields & ~0x1fu) == 0, "trace: unknown filter fields 0x%x", m->fields);
		if (m->fields & SYD_TRACE_IN_PORT)
			NEED(proto_name_ok(m->in_port, sizeof(m->in_port)),
			     "trace: in_port must be a port name");
		else
			NEED(proto_zero(m->in_port, sizeof(m->in_port)),
			     "trace: in_port set but not flagged");
		NEED((m->fields & SYD_TRACE_SRC) || proto_zero(m->src, sizeof(m->src)),
		     "trace: src set but not flagged");
		NEED((m->fields & SYD_TRACE_DST) || proto_zero(m->dst, sizeof(m->dst)),
		     "trace: dst set but not flagged");
		NEED((m->fields & SYD_TRACE_IP_SRC) || m->ip_src == 0,
		     "trace: ip_src set but not flagged");
		NEED((m->fields & SYD_TRACE_IP_DST) || m->ip_dst == 0,
		     "trace: ip_dst set but not flagged");
		return 0;
	}
	case SYD_MSG_UPLINK: {
		const struct syd_uplink_info *m = proto_body(h);

		NEED(body == sizeof(*m), "UPLINK body must be %zu bytes, got %zu", sizeof(*m), body);
		NEED(str_ok(m->ifname, sizeof(m->ifname)) && str_ok(m->driver, sizeof(m->driver)) &&
			     str_ok(m->note, sizeof(m->note)) && str_ok(m->path, sizeof(m->path)) &&
			     m->mode < SYD_UPLINK_MODE_MAX &&
			     m->up <= 1 && m->arp <= 1,
		     "UPLINK is malformed");
		return 0;
	}
	case SYD_MSG_EVENT_LINK: {
		const struct syd_event_link *m = proto_body(h);

		NEED(body == sizeof(*m), "EVENT_LINK body must be %zu bytes, got %zu", sizeof(*m),
		     body);
		NEED(proto_name_ok(m->port, sizeof(m->port)) && m->up <= 1 &&
			     proto_zero(m->pad, sizeof(m->pad)),
		     "EVENT_LINK is malformed");
		return 0;
	}
	case SYD_MSG_FLOW_MOD:
	case SYD_MSG_DUMP_FLOWS:
	case SYD_MSG_FLOWS:
	case SYD_MSG_FLOW_TRACE:
	case SYD_MSG_FLOW_STEPS:
		return proto_flow_check_msg(h, body, err, errlen); /* proto_flow.c */
	default:
		return check_entries(h, body, err, errlen);
	}
}

static int buf_reserve(struct proto_buf *b, size_t need)
{
	uint8_t *p;
	size_t cap;

	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 4096;
	while (cap < need)
		cap *= 2;
	p = realloc(b->data, cap);
	if (p == NULL)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int proto_begin(struct proto_buf *b, uint16_t type, uint32_t xid)
{
	struct syd_hdr *h;

	if (buf_reserve(b, sizeof(*h)) < 0)
		return -ENOMEM;
	h = (struct syd_hdr *)b->data;
	memset(h, 0, sizeof(*h));
	h->version = SYD_PROTO_VERSION;
	h->type = type;
	h->xid = xid;
	b->len = sizeof(*h);
	if (type == SYD_MSG_BATCH) {
		struct syd_batch batch = {0};

		return proto_append(b, &batch, sizeof(batch));
	}
	return 0;
}

int proto_append(struct proto_buf *b, const void *p, size_t n)
{
	if (n > SYD_PROTO_MSG_MAX - b->len)
		return -EMSGSIZE;
	if (buf_reserve(b, b->len + n) < 0)
		return -ENOMEM;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int proto_batch_add(struct proto_buf *b, const struct syd_op *op)
{
	struct syd_batch *batch = (struct syd_batch *)(b->data + sizeof(struct syd_hdr));
	int ret;

	if (batch->count >= SYD_PROTO_BATCH_MAX)
		return -E2BIG;
	ret = proto_append(b, op, sizeof(*op));
	if (ret < 0)
		return ret;
	batch = (struct syd_batch *)(b->data + sizeof(struct syd_hdr)); /* may have moved */
	batch->count++;
	return 0;
}

struct syd_hdr *proto_finish(struct proto_buf *b)
{
	struct syd_hdr *h = (struct syd_hdr *)b->data;

	h->length = (uint32_t)b->len;
	return h;
}

int proto_error(struct proto_buf *b, uint32_t xid, int code, const char *fmt, ...)
{
	struct syd_error e = {.code = code > 0 ? code : EINVAL};
	char text[SYD_PROTO_TEXT_MAX];
	va_list ap;
	int ret;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	ret = proto_begin(b, SYD_MSG_ERROR, xid);
	if (ret == 0)
		ret = proto_append(b, &e, sizeof(e));
	if (ret == 0)
		ret = proto_append(b, text, strlen(text) + 1);
	if (ret == 0)
		proto_finish(b);
	return ret;
}

void proto_buf_free(struct proto_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

int proto_set_str(char *field, size_t field_len, const char *s)
{
	size_t n = strlen(s);

	if (n >= field_len)
		return -ENAMETOOLONG;
	memset(field, 0, field_len);
	memcpy(field, s, n);
	return 0;
}

int syd_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
{
	va_list ap;

	if (err != NULL && errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return ret;
}

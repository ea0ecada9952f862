/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the wire protocol's unit suites share: a message buffer and the checks of what it
 * holds, a valid op of every type, which fields each op uses, and names every name field
 * must refuse.  Header-only (static inline), each suite its own copy.
 */
#ifndef SYD_TEST_PROTO_FIXTURES_H
#define SYD_TEST_PROTO_FIXTURES_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "proto.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct proto_buf b;
static char err[SYD_PROTO_TEXT_MAX];

static inline const struct syd_hdr *hdr(void)
{
	return (const struct syd_hdr *)b.data;
}

/* proto_check() of the message in b, finished. */
static inline int check(void)
{
	struct syd_hdr *h = proto_finish(&b);

	err[0] = '\0';
	return proto_check(h, h->length, err, sizeof(err));
}

/* A message of one type and body, built and checked. */
static inline int check_msg(uint16_t type, const void *body, size_t n)
{
	proto_begin(&b, type, 5);
	if (n > 0)
		CU_ASSERT_EQUAL_FATAL(proto_append(&b, body, n), 0);
	return check();
}

/* The raw header of b, for tests that break it; len is what "the datagram" holds. */
static inline int check_raw(size_t len)
{
	err[0] = '\0';
	return proto_check(b.data, len, err, sizeof(err));
}

static inline struct syd_op good_op(uint16_t type)
{
	struct syd_op op;

	memset(&op, 0, sizeof(op));
	op.type = type;
	switch (type) {
	case SYD_OP_NET_ADD:
	case SYD_OP_NET_DEL:
		strcpy(op.name, "blue");
		break;
	case SYD_OP_PORT_DEL:
	case SYD_OP_DETACH:
		strcpy(op.name, "vm1");
		break;
	case SYD_OP_PORT_ADD:
		strcpy(op.name, "vm1");
		op.kind = SYD_PORT_VHOST_SERVER;
		strcpy(op.path, "/run/vm1.sock");
		break;
	case SYD_OP_ATTACH:
		strcpy(op.name, "vm1");
		strcpy(op.network, "blue");
		break;
	case SYD_OP_MAC_ADD:
		strcpy(op.name, "vm1");
		/* fall through */
	case SYD_OP_MAC_DEL:
		strcpy(op.network, "blue");
		op.mac[0] = 0x02;
		op.mac[5] = 0x09;
		break;
	case SYD_OP_MAC_FLUSH:
	case SYD_OP_UPLINK_DEL:
		break;
	case SYD_OP_NET_VNI:
		strcpy(op.name, "blue");
		op.vni = 5001;
		break;
	case SYD_OP_VTEP_ADD:
	case SYD_OP_VTEP_DEL:
		strcpy(op.network, "blue");
		op.addr = htonl(0xc6120002); /* 198.18.0.2 */
		break;
	case SYD_OP_UPLINK_SET:
		op.kind = SYD_UPLINK_AUTO;
		strcpy(op.path, "veth0");
		op.addr = htonl(0xc6120001);
		op.udp_port = 4789;
		op.mtu = 1500;
		break;
	}
	return op;
}

/* A batch of one op: the code proto_check() gives it. */
static inline int check_op(const struct syd_op *op)
{
	proto_begin(&b, SYD_MSG_BATCH, 7);
	CU_ASSERT_EQUAL_FATAL(proto_batch_add(&b, op), 0);
	return check();
}

static inline bool op_uses_name(uint16_t t)
{
	return t != SYD_OP_MAC_DEL && t != SYD_OP_MAC_FLUSH && t != SYD_OP_VTEP_ADD &&
	       t != SYD_OP_VTEP_DEL && t != SYD_OP_UPLINK_SET && t != SYD_OP_UPLINK_DEL;
}

static inline bool op_needs_network(uint16_t t)
{
	return t == SYD_OP_ATTACH || t == SYD_OP_MAC_ADD || t == SYD_OP_MAC_DEL ||
	       t == SYD_OP_VTEP_ADD || t == SYD_OP_VTEP_DEL;
}

static inline bool op_uses_network(uint16_t t)
{
	return op_needs_network(t) || t == SYD_OP_PORT_ADD || t == SYD_OP_MAC_FLUSH;
}

static inline bool op_uses_mac(uint16_t t)
{
	return t == SYD_OP_MAC_ADD || t == SYD_OP_MAC_DEL;
}

/* Names every name field must refuse. */
static const char *const bad_names[] = {
	"",			     /* empty */
	"abcdefghijklmnopqrstuvwxy", /* 25 */
	"a b",
	"a/b",
	"a.b",
	"a:b",
	"\xc3\xa9t\xc3\xa9",
};

static const uint16_t empty_types[] = {
	SYD_MSG_OK,
	SYD_MSG_DONE,
	SYD_MSG_BARRIER,
	SYD_MSG_DUMP_PORTS,
	SYD_MSG_DUMP_NETWORKS,
	SYD_MSG_DUMP_MACS,
	SYD_MSG_GET_PORT_STATS,
	SYD_MSG_GET_WORKER_STATS,
	SYD_MSG_GET_INFO,
	SYD_MSG_CLEAR_STATS,
	SYD_MSG_DUMP_DROPS,
	SYD_MSG_CLEAR_WORKER_STATS,
	SYD_MSG_DUMP_TRACE,
};

#endif /* SYD_TEST_PROTO_FIXTURES_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by test_state.c and test_state_flow.c: ops, applying them, and random states over
 * a small universe of names (so that two states overlap). */
#ifndef SYD_TEST_STATE_GEN_H
#define SYD_TEST_STATE_GEN_H

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "state.h"

static inline struct syd_op mk(uint16_t type, uint16_t kind, const char *name, const char *net,
			       const char *path, int mac)
{
	struct syd_op op;

	memset(&op, 0, sizeof(op));
	op.type = type;
	op.kind = kind;
	if (name)
		strcpy(op.name, name);
	if (net)
		strcpy(op.network, net);
	if (path)
		strcpy(op.path, path);
	if (mac) {
		op.mac[0] = 0x02;
		op.mac[5] = (uint8_t)mac;
	}
	return op;
}

static inline int apply(struct state *s, struct syd_op op)
{
	char err[256];

	return state_apply_op(s, &op, err, sizeof(err));
}

/* Apply every op of the batch message in b to s. */
static inline int apply_buf(struct state *s, struct proto_buf *b)
{
	char err[256];
	struct syd_hdr *h = proto_finish(b);

	CU_ASSERT_EQUAL_FATAL(proto_check(h, h->length, err, sizeof(err)), 0);
	return state_apply_batch(s, proto_body(h), err, sizeof(err));
}

static inline int diff_count(const struct state *want, const struct state *have)
{
	struct proto_buf b = {0};
	int n;

	proto_begin(&b, SYD_MSG_BATCH, 0);
	n = state_diff(want, have, &b);
	proto_buf_free(&b);
	return n;
}

/* A random state over a small universe of names, so that states overlap. */
static inline void random_state(struct state *s, unsigned int seed)
{
	static const char *nets[] = {"n0", "n1", "n2", "n3"};
	unsigned int i;
	char name[8], path[16];

	srand(seed);
	for (i = 0; i < 4; i++)
		if (rand() % 3) {
			struct syd_op op = mk(SYD_OP_NET_ADD, 0, nets[i], NULL, NULL, 0);

			op.vni = (uint32_t)(rand() % 4); /* collide, move and swap */
			if (apply(s, op) != 0) {
				op.vni = 0;
				apply(s, op);
			}
		}
	if (rand() % 2) { /* the uplink: our address also drawn from the VTEPs' */
		uint16_t mode = (uint16_t)(1 + rand() % (SYD_UPLINK_MODE_MAX - 1));
		struct syd_op op =
			mk(SYD_OP_UPLINK_SET, mode, NULL, NULL, rand() % 2 ? "eth1" : "eth2", 0);

		if (proto_uplink_is_socket(mode)) { /* a name, a socket (maybe a port's), a MAC */
			op = mk(SYD_OP_UPLINK_SET, mode, rand() % 2 ? "ul0" : "ul1", NULL,
				rand() % 2 ? "/s/u" : "/s/1", rand() % 2 ? 0 : 1 + rand() % 2);
		}

		op.addr = htonl(0x0a000001u + (uint32_t)(rand() % 4));
		op.mtu = rand() % 2 ? 0 : 9000;
		apply(s, op);
	}
	for (i = 0; i < 12 && s->nnets; i++) {
		struct syd_op op =
			mk(SYD_OP_VTEP_ADD, 0, NULL, s->net[rand() % s->nnets].name, NULL, 0);

		op.addr = htonl(0x0a000001u + (uint32_t)(rand() % 6));
		apply(s, op); /* refused when the network has no VNI, or it is ours */
	}
	for (i = 0; i < 8; i++) {
		const char *net = s->nnets && rand() % 4 ? s->net[rand() % s->nnets].name : NULL;

		if (rand() % 2)
			continue;
		snprintf(name, sizeof(name), "p%u", i);
		snprintf(path, sizeof(path), "/s/%u", rand() % 2 ? i : i + 8); /* path changes */
		apply(s, mk(SYD_OP_PORT_ADD, (uint16_t)(1 + rand() % 2), name, net, path, 0));
	}
	for (i = 0; i < 20; i++) {
		const struct state_port *p;

		if (s->nports == 0)
			break;
		p = &s->port[rand() % s->nports];
		if (p->network[0])
			apply(s, mk(SYD_OP_MAC_ADD, 0, p->name, p->network, NULL, 1 + rand() % 12));
	}
	for (i = 0; i < 8 && s->nnets; i++) { /* behind remote VTEPs */
		const struct state_net *n = &s->net[rand() % s->nnets];
		struct syd_op op = mk(SYD_OP_MAC_ADD, 0, NULL, n->name, NULL, 1 + rand() % 12);

		if (n->nvteps == 0)
			continue;
		op.addr = n->vtep[rand() % n->nvteps];
		apply(s, op);
	}
}

#endif

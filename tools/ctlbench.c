/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-ctlbench: control operations per second through a Switchyard socket (a
 * dataplane's --control socket, or syd-control's).  Prints figures; asserts nothing.
 *
 *   static MACs in batches of N (added, then deleted), single port add+delete pairs,
 *   single network add+delete pairs, small reads (GET_INFO), and flow rules: RULES rules
 *   (default 1,000,000) in FLOW_MOD messages of 400, built in memory (no text to parse),
 *   then one loose delete of them all.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "proto.h"
#include "proto_flow.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static struct syd_client c;
static struct proto_buf b;
static char err[SYD_PROTO_TEXT_MAX];

static void must(int ret, const char *what)
{
	if (ret < 0) {
		fprintf(stderr, "syd-ctlbench: %s: %s\n", what, err);
		exit(1);
	}
}

static void one(uint16_t type, const char *name, const char *network, const char *path,
		uint16_t kind, const uint8_t *mac)
{
	struct syd_op op;

	memset(&op, 0, sizeof(op));
	op.type = type;
	op.kind = kind;
	if (name)
		strcpy(op.name, name);
	if (network)
		strcpy(op.network, network);
	if (path)
		strcpy(op.path, path);
	if (mac)
		memcpy(op.mac, mac, 6);
	must(proto_batch_add(&b, &op) == 0 ? 0 : -1, "building a batch");
}

/* rules flow rules, 400 per FLOW_MOD: in_port=bench-port,ip,nw_dst=10.x.y.z/32 -> normal. */
static void flows(unsigned int rules)
{
	static struct syd_flow_mod mods[SYD_FLOW_BATCH_MAX];
	struct syd_flow_batch head = {0};
	unsigned int i, k;
	double t = now_s(), t_add;

	for (i = 0; i < rules; i += head.count) {
		head.count = rules - i < SYD_FLOW_BATCH_MAX ? rules - i : SYD_FLOW_BATCH_MAX;
		for (k = 0; k < head.count; k++) {
			struct syd_flow *f = &mods[k].flow;
			uint32_t a = (10u << 24) | (i + k);

			memset(&mods[k], 0, sizeof(mods[k]));
			mods[k].command = SYD_FC_ADD;
			f->priority = 100;
			f->nactions = 1;
			f->action[0].type = SYD_FA_NORMAL;
			f->match.fields = SYD_FM_IN_PORT | SYD_FM_ETHERTYPE | SYD_FM_IP_DST;
			strcpy(f->match.in_port, "bench-port");
			f->match.ethertype = 0x0800;
			f->match.ip_dst = htonl(a);
			f->match.ip_dst_len = 32;
		}
		must(proto_flow_mod_begin(&b, 0), "building a FLOW_MOD");
		for (k = 0; k < head.count; k++)
			must(proto_flow_mod_append(&b, &mods[k]), "building a FLOW_MOD");
		must(syd_client_request(&c, &b, 30000, NULL, NULL, err, sizeof(err)), "flow add");
	}
	t_add = now_s() - t;
	memset(&mods[0], 0, sizeof(mods[0]));
	mods[0].command = SYD_FC_DELETE;
	mods[0].flow.table = 0xff;
	head.count = 1;
	t = now_s();
	proto_begin(&b, SYD_MSG_FLOW_MOD, 0);
	must(proto_append(&b, &head, sizeof(head)) == 0 &&
		     proto_append(&b, mods, sizeof(mods[0])) == 0
	     ? 0 : -1, "building a FLOW_MOD");
	must(syd_client_request(&c, &b, 120000, NULL, NULL, err, sizeof(err)), "flow delete");
	t = now_s() - t;
	printf("  flow rules, %u in FLOW_MODs of %d: %9.0f rules/s added (%.3f s); all deleted "
	       "in one mod: %.3f s\n",
	       rules, SYD_FLOW_BATCH_MAX, rules / t_add, t_add, t);
}

static void send_batch(const char *what)
{
	must(syd_client_request(&c, &b, 30000, NULL, NULL, err, sizeof(err)), what);
}

int main(int argc, char **argv)
{
	const char *sock = argc > 1 ? argv[1] : NULL;
	const char *dir = argc > 2 ? argv[2] : "/tmp";
	unsigned int batch = argc > 3 ? (unsigned int)atoi(argv[3]) : 1000;
	unsigned int rules = argc > 4 ? (unsigned int)atoi(argv[4]) : 1000000;
	unsigned int rounds = 20, pairs = 200, i, j;
	char path[SYD_PROTO_PATH_LEN];
	double t;

	if (sock == NULL || batch == 0 || batch > SYD_PROTO_BATCH_MAX) {
		fprintf(stderr, "Usage: syd-ctlbench SOCKET [SOCKET_DIR [BATCH [RULES]]]\n"
				"  SOCKET_DIR: where test vhost-user sockets are made (default /tmp)\n"
				"  BATCH: static MACs per batch, 1-%d (default 1000)\n"
				"  RULES: flow rules to add and delete (default 1000000; 0: none)\n",
			SYD_PROTO_BATCH_MAX);
		return 2;
	}
	must(syd_client_connect(&c, sock, "syd-ctlbench", 10000, err, sizeof(err)), "connect");
	printf("syd-ctlbench against %s (%s)\n", sock, c.peer);

	proto_begin(&b, SYD_MSG_BATCH, 0);
	one(SYD_OP_NET_ADD, "bench-net", NULL, NULL, 0, NULL);
	snprintf(path, sizeof(path), "%s/bench-port.sock", dir);
	one(SYD_OP_PORT_ADD, "bench-port", "bench-net", path, SYD_PORT_VHOST_SERVER, NULL);
	send_batch("setting up");

	t = now_s();
	for (i = 0; i < rounds; i++) {
		for (int del = 0; del < 2; del++) {
			proto_begin(&b, SYD_MSG_BATCH, 0);
			for (j = 0; j < batch; j++) {
				uint8_t mac[6] = {0x02, 0xbe, (uint8_t)i, (uint8_t)(j >> 16),
						  (uint8_t)(j >> 8), (uint8_t)j};

				if (del)
					one(SYD_OP_MAC_DEL, NULL, "bench-net", NULL, 0, mac);
				else
					one(SYD_OP_MAC_ADD, "bench-port", "bench-net", NULL, 0, mac);
			}
			send_batch("static MACs");
		}
	}
	t = now_s() - t;
	printf("  static MACs, batches of %u:  %9.0f entries/s (%u adds and %u deletes in %.3f s)\n",
	       batch, 2.0 * rounds * batch / t, rounds * batch, rounds * batch, t);

	t = now_s();
	for (i = 0; i < pairs; i++) {
		proto_begin(&b, SYD_MSG_BATCH, 0);
		one(SYD_OP_NET_ADD, "bench-net2", NULL, NULL, 0, NULL);
		send_batch("network add");
		proto_begin(&b, SYD_MSG_BATCH, 0);
		one(SYD_OP_NET_DEL, "bench-net2", NULL, NULL, 0, NULL);
		send_batch("network delete");
	}
	t = now_s() - t;
	printf("  network add/delete, one per batch: %9.0f ops/s\n", 2.0 * pairs / t);

	snprintf(path, sizeof(path), "%s/bench-port2.sock", dir);
	t = now_s();
	for (i = 0; i < pairs / 4; i++) {
		proto_begin(&b, SYD_MSG_BATCH, 0);
		one(SYD_OP_PORT_ADD, "bench-port2", "bench-net", path, SYD_PORT_VHOST_SERVER, NULL);
		send_batch("port add");
		proto_begin(&b, SYD_MSG_BATCH, 0);
		one(SYD_OP_PORT_DEL, "bench-port2", NULL, NULL, 0, NULL);
		send_batch("port delete");
	}
	t = now_s() - t;
	printf("  vhost-user port add/delete, one per batch: %9.0f ops/s\n", 2.0 * (pairs / 4) / t);

	t = now_s();
	for (i = 0; i < 2000; i++) {
		proto_begin(&b, SYD_MSG_GET_INFO, 0);
		must(syd_client_request(&c, &b, 10000, NULL, NULL, err, sizeof(err)), "info");
	}
	t = now_s() - t;
	printf("  GET_INFO round trips: %9.0f /s\n", 2000 / t);
	if (rules > 0)
		flows(rules);

	proto_begin(&b, SYD_MSG_BATCH, 0);
	one(SYD_OP_PORT_DEL, "bench-port", NULL, NULL, 0, NULL);
	one(SYD_OP_NET_DEL, "bench-net", NULL, NULL, 0, NULL);
	send_batch("cleaning up");
	syd_client_close(&c);
	proto_buf_free(&b);
	return 0;
}

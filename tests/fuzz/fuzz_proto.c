/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the wire protocol's decoder.  Every input is checked by
 * proto_check() from a buffer of exactly its size; whatever it accepts is then read the
 * way the dataplane and syd-control read it, so ASan catches any read the validator
 * should have refused.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static size_t sink;

static void consume(const struct syd_hdr *h)
{
	size_t i, n;

	switch (h->type) {
	case SYD_MSG_BATCH: {
		const struct syd_batch *b = proto_body(h);

		for (i = 0; i < b->count; i++)
			sink += strlen(b->op[i].name) + strlen(b->op[i].network) +
				strlen(b->op[i].path) + b->op[i].mac[5];
		break;
	}
	case SYD_MSG_ERROR:
		sink += strlen(((const struct syd_error *)proto_body(h))->text);
		break;
	case SYD_MSG_HELLO:
		sink += strlen(((const struct syd_hello *)proto_body(h))->software);
		break;
	case SYD_MSG_PORTS: {
		const struct syd_port_info *e = proto_body(h);

		for (i = 0, n = proto_entries(h, sizeof(*e)); i < n; i++)
			sink += strlen(e[i].name) + strlen(e[i].network) + strlen(e[i].path);
		break;
	}
	case SYD_MSG_NETWORKS: {
		const struct syd_net_info *e = proto_body(h);

		for (i = 0, n = proto_entries(h, sizeof(*e)); i < n; i++)
			sink += strlen(e[i].name) + e[i].nmacs;
		break;
	}
	case SYD_MSG_MACS: {
		const struct syd_mac_info *e = proto_body(h);

		for (i = 0, n = proto_entries(h, sizeof(*e)); i < n; i++)
			sink += strlen(e[i].network) + strlen(e[i].port);
		break;
	}
	case SYD_MSG_PORT_STATS: {
		const struct syd_port_stats *e = proto_body(h);

		for (i = 0, n = proto_entries(h, sizeof(*e)); i < n; i++)
			sink += strlen(e[i].name) + e[i].drops[SYD_PROTO_DROPS - 1];
		break;
	}
	case SYD_MSG_INFO:
		sink += strlen(((const struct syd_info *)proto_body(h))->software) +
			strlen(((const struct syd_info *)proto_body(h))->file_prefix);
		break;
	case SYD_MSG_EVENT_LINK:
		sink += strlen(((const struct syd_event_link *)proto_body(h))->port);
		break;
	default:
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	char err[SYD_PROTO_TEXT_MAX];

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (proto_check(copy, size, err, sizeof(err)) == 0)
		consume((const struct syd_hdr *)copy);
	free(copy);
	return 0;
}

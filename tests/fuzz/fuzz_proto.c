/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the wire protocol's decoder.  Every input is checked by
 * proto_check() from a buffer of exactly its size; whatever it accepts is then read the
 * way the dataplane and syd-control read it, so ASan catches any read the validator
 * should have refused.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "proto_flow.h"

static size_t sink;

/*
 * A fixed string field as a consumer reads it.  strlen() alone only overreads the buffer
 * when the field is the message's last bytes; the field's own bound catches the rest.
 */
#define STR(f) str((f), sizeof(f))
static size_t str(const char *s, size_t field_len)
{
	if (memchr(s, '\0', field_len) == NULL)
		abort(); /* proto_check() let an unterminated string through */
	return strlen(s);
}

/* A field proto.h says holds a name (or "" where the name is optional). */
#define NAME(f, optional) name((f), sizeof(f), (optional))
static size_t name(const char *s, size_t field_len, bool optional)
{
	if (!(optional && s[0] == '\0') && !proto_name_ok(s, field_len))
		abort();
	return str(s, field_len);
}

/* proto_entries(), and proto_check()'s promise that a dump is whole, non-empty entries. */
static size_t entries(const struct syd_hdr *h, size_t size)
{
	size_t n = proto_entries(h, size);

	if (n == 0 || sizeof(*h) + n * size != h->length)
		abort();
	return n;
}

/* A rule proto_check() accepted: its names read as names, and the single-rule check agrees. */
static size_t flow(const struct syd_flow *f, unsigned int command)
{
	size_t n = 0;
	unsigned int k;

	if (proto_flow_check(f, command, NULL, 0) != 0 || f->nactions > SYD_FLOW_ACTIONS)
		abort();
	if (f->match.fields & SYD_FM_IN_PORT)
		n += NAME(f->match.in_port, false);
	if (f->match.fields & SYD_FM_NETWORK)
		n += NAME(f->match.network, false);
	for (k = 0; k < f->nactions; k++)
		n += f->action[k].type == SYD_FA_OUTPUT ? NAME(f->action[k].port, false)
							: proto_flow_action_name(f->action[k].type)[0];
	return n;
}

static void consume(const struct syd_hdr *h)
{
	size_t i, n;

	switch (h->type) {
	case SYD_MSG_BATCH: {
		const struct syd_batch *b = proto_body(h);

		for (i = 0; i < b->count; i++)
			sink += NAME(b->op[i].name, true) + NAME(b->op[i].network, true) +
				STR(b->op[i].path) + proto_port_kind_name(b->op[i].kind)[0] +
				b->op[i].mac[5];
		break;
	}
	case SYD_MSG_ERROR:
		sink += strlen(((const struct syd_error *)proto_body(h))->text);
		break;
	case SYD_MSG_HELLO:
		sink += STR(((const struct syd_hello *)proto_body(h))->software);
		break;
	case SYD_MSG_PORTS: {
		const struct syd_port_info *e = proto_body(h);

		for (i = 0, n = entries(h, sizeof(*e)); i < n; i++)
			sink += NAME(e[i].name, false) + NAME(e[i].network, true) + STR(e[i].path) +
				e[i].vrings;
		break;
	}
	case SYD_MSG_NETWORKS: {
		const struct syd_net_info *e = proto_body(h);

		for (i = 0, n = entries(h, sizeof(*e)); i < n; i++)
			sink += NAME(e[i].name, false) + e[i].nmacs;
		break;
	}
	case SYD_MSG_MACS: {
		const struct syd_mac_info *e = proto_body(h);

		for (i = 0, n = entries(h, sizeof(*e)); i < n; i++)
			/* behind a remote VTEP (remote set), port is "" */
			sink += NAME(e[i].network, false) + NAME(e[i].port, e[i].remote != 0) +
				e[i].age_s;
		break;
	}
	case SYD_MSG_PORT_STATS: {
		const struct syd_port_stats *e = proto_body(h);

		for (i = 0, n = entries(h, sizeof(*e)); i < n; i++)
			sink += NAME(e[i].name, false) + e[i].drops[SYD_PROTO_DROPS - 1];
		break;
	}
	case SYD_MSG_WORKER_STATS: {
		const struct syd_worker_stats *e = proto_body(h);

		for (i = 0, n = entries(h, sizeof(*e)); i < n; i++)
			sink += STR(e[i].rxqs) + e[i].burst[SYD_PROTO_BURST_BUCKETS - 1];
		break;
	}
	case SYD_MSG_DROPS: {
		const struct syd_drop_record *e = proto_body(h);

		/* sydctl drops --pcap writes data[0..caplen) */
		for (i = 0, n = entries(h, sizeof(*e)); i < n; i++)
			sink += NAME(e[i].port, false) + e[i].data[e[i].caplen ? e[i].caplen - 1 : 0];
		break;
	}
	case SYD_MSG_TRACE: {
		const struct syd_trace_record *e = proto_body(h);

		for (i = 0, n = entries(h, sizeof(*e)); i < n; i++)
			sink += NAME(e[i].in_port, false) + NAME(e[i].out_port, true) + e[i].flow_priority;
		break;
	}
	case SYD_MSG_TRACE_START:
		sink += STR(((const struct syd_trace_req *)proto_body(h))->in_port);
		break;
	case SYD_MSG_INFO:
		sink += STR(((const struct syd_info *)proto_body(h))->software) +
			STR(((const struct syd_info *)proto_body(h))->file_prefix);
		break;
	case SYD_MSG_FLOW_MOD: {
		const struct syd_flow_batch *b = proto_body(h);
		struct proto_flow_iter it;
		struct syd_flow_mod m;
		uint32_t n = 0;

		if (b->count > SYD_FLOW_BATCH_MAX)
			abort();
		proto_flow_iter_init(&it, b);
		while (proto_flow_iter_next(&it, &m)) { /* reads only what the check let through */
			sink += flow(&m.flow, m.command);
			n++;
		}
		if (n != b->count || it.next != (const uint8_t *)h + h->length)
			abort(); /* the check and the walk disagree on where the mods end */
		break;
	}
	case SYD_MSG_FLOWS: {
		struct proto_flow_stats_iter it;
		struct syd_flow_stats e;

		proto_flow_stats_begin(&it, h);
		while (proto_flow_stats_next(&it, &e))
			sink += flow(&e.flow, SYD_FC_ADD) + e.packets;
		if (it.next != it.end)
			abort(); /* the check and the walk disagree on where the entries end */
		break;
	}
	case SYD_MSG_FLOW_TRACE:
		sink += NAME(((const struct syd_flow_probe *)proto_body(h))->in_port, false);
		break;
	case SYD_MSG_FLOW_STEPS: {
		const struct syd_flow_step *e = proto_body(h);

		for (i = 0, n = entries(h, sizeof(*e)); i < n; i++)
			sink += STR(e[i].what) + (e[i].matched ? flow(&e[i].flow, SYD_FC_ADD) : 0);
		break;
	}
	case SYD_MSG_EVENT_LINK:
		sink += NAME(((const struct syd_event_link *)proto_body(h))->port, false);
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
	/* Unterminated: a refusal that does not write its sentence overreads err below. */
	memset(err, 'x', sizeof(err));
	if (proto_check(copy, size, err, sizeof(err)) == 0)
		consume((const struct syd_hdr *)copy);
	else
		sink += strlen(err);
	free(copy);
	return 0;
}

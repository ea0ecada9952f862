/* SPDX-License-Identifier: BSD-3-Clause */
/* sydctl show and sydctl drops: reading the switch's state, counters and drop ledger. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "drop.h"

/* ---- show ---- */

static int show_ports(struct ctx *x)
{
	static const struct col cols[] = {
		{"name", "port", -12, COL_STR},       {"kind", "kind", -12, COL_STR},
		{"network", "network", -12, COL_STR}, {"link", "link", -5, COL_STR},
		{"link_changes", "changes", 7, COL_U64}, {"queues", "queues", 6, COL_U64},
		{"path", "socket / interface", -1, COL_STR},
	};
	struct entries e;
	size_t i;
	int ret = cli_dump(x, SYD_MSG_DUMP_PORTS, SYD_MSG_PORTS, sizeof(struct syd_port_info), &e);

	if (ret)
		return ret;
	display_list_begin(&x->d, "ports", "Ports:", cols, 7);
	for (i = 0; i < e.n; i++) {
		const struct syd_port_info *p = (const void *)(e.data + i * e.size);

		display_row(&x->d, p->name, proto_port_kind_name(p->kind),
			    p->network[0] ? p->network : (x->d.json ? "" : "-"),
			    p->up ? "up" : "down", p->link_changes, (uint64_t)p->vrings / 2, p->path);
	}
	display_list_end(&x->d);
	free(e.data);
	return 0;
}

static int show_networks(struct ctx *x)
{
	static const struct col cols[] = {
		{"name", "network", -12, COL_STR},
		{"vni", "vni", 8, COL_U64},
		{"ports", "ports", 6, COL_U64},
		{"macs", "macs", 8, COL_U64},
	};
	struct entries e;
	size_t i;
	int ret = cli_dump(x, SYD_MSG_DUMP_NETWORKS, SYD_MSG_NETWORKS, sizeof(struct syd_net_info), &e);

	if (ret)
		return ret;
	display_list_begin(&x->d, "networks", "Networks:", cols, 4);
	for (i = 0; i < e.n; i++) {
		const struct syd_net_info *n = (const void *)(e.data + i * e.size);

		display_row(&x->d, n->name, (uint64_t)n->vni, (uint64_t)n->nports,
			    (uint64_t)n->nmacs);
	}
	display_list_end(&x->d);
	free(e.data);
	return 0;
}

static int show_macs(struct ctx *x)
{
	static const struct col cols[] = {
		{"network", "network", -12, COL_STR}, {"mac", "mac", -17, COL_STR},
		{"port", "port or VTEP", -15, COL_STR}, {"is_static", "static", -6, COL_BOOL},
		{"age_s", "age (s)", 7, COL_U64},
	};
	struct entries e;
	size_t i;
	int ret = cli_dump(x, SYD_MSG_DUMP_MACS, SYD_MSG_MACS, sizeof(struct syd_mac_info), &e);

	if (ret)
		return ret;
	display_list_begin(&x->d, "macs", "MAC table:", cols, 5);
	for (i = 0; i < e.n; i++) {
		const struct syd_mac_info *m = (const void *)(e.data + i * e.size);
		char mac[18], where[SYD_PROTO_NAME_LEN];

		cli_mac_text(mac, m->mac);
		if (m->remote)
			inet_ntop(AF_INET, &m->remote, where, sizeof(where));
		else
			snprintf(where, sizeof(where), "%s", m->port);
		display_row(&x->d, m->network, mac, where, (int)m->is_static, (uint64_t)m->age_s);
	}
	display_list_end(&x->d);
	free(e.data);
	return 0;
}

static uint64_t drops_total(const uint64_t *d)
{
	uint64_t t = 0;
	int i;

	for (i = 0; i < SYD_PROTO_DROPS; i++)
		t += d[i];
	return t;
}

static int show_stats(struct ctx *x)
{
	static const struct col pcols[] = {
		{"name", "port", -12, COL_STR},       {"network", "network", -10, COL_STR},
		{"rx_packets", "rx_packets", 12, COL_U64}, {"rx_bytes", "rx_bytes", 14, COL_U64},
		{"forwarded", "forwarded", 12, COL_U64},
		{"tx_packets", "tx_packets", 12, COL_U64}, {"tx_bytes", "tx_bytes", 14, COL_U64},
		{"rx_missed", "rx_missed", 10, COL_U64},
		{"drops_total", "drops", 8, COL_U64},     {"drops", "drops by reason", -1, COL_DROPS},
	};
	static const struct col ncols[] = {
		{"name", "network", -12, COL_STR},        {"rx_packets", "rx_packets", 12, COL_U64},
		{"tx_packets", "tx_packets", 12, COL_U64}, {"drops_total", "drops", 8, COL_U64},
	};
	struct entries st, ports;
	size_t i, j, k;
	int ret;

	ret = cli_dump(x, SYD_MSG_DUMP_PORTS, SYD_MSG_PORTS, sizeof(struct syd_port_info), &ports);
	if (ret == 0)
		ret = cli_dump(x, SYD_MSG_GET_PORT_STATS, SYD_MSG_PORT_STATS,
			   sizeof(struct syd_port_stats), &st);
	if (ret) {
		free(ports.data);
		return ret;
	}
	display_list_begin(&x->d, "ports", "Port counters:", pcols, 10);
	for (i = 0; i < st.n; i++) {
		const struct syd_port_stats *s = (const void *)(st.data + i * st.size);
		const char *net = "";

		for (j = 0; j < ports.n; j++) {
			const struct syd_port_info *p = (const void *)(ports.data + j * ports.size);

			if (strcmp(p->name, s->name) == 0)
				net = p->network;
		}
		display_row(&x->d, s->name, net[0] || x->d.json ? net : "-", s->rx_packets,
			    s->rx_bytes, s->forwarded, s->tx_packets, s->tx_bytes, s->rx_missed,
			    drops_total(s->drops), s->drops);
	}
	display_list_end(&x->d);

	/* Per network: the sum of its ports. */
	display_list_begin(&x->d, "networks", "Network counters (sum of their ports):", ncols, 4);
	for (j = 0; j < ports.n; j++) {
		const struct syd_port_info *p = (const void *)(ports.data + j * ports.size);
		uint64_t rx = 0, tx = 0, dr = 0;
		bool first = true;

		if (!p->network[0])
			continue;
		for (k = 0; k < j; k++) /* once per network */
			if (strcmp(((const struct syd_port_info *)(ports.data + k * ports.size))->network,
				   p->network) == 0)
				first = false;
		if (!first)
			continue;
		for (k = 0; k < ports.n; k++) {
			const struct syd_port_info *q = (const void *)(ports.data + k * ports.size);

			if (strcmp(q->network, p->network) != 0)
				continue;
			for (i = 0; i < st.n; i++) {
				const struct syd_port_stats *s = (const void *)(st.data + i * st.size);

				if (strcmp(s->name, q->name) == 0) {
					rx += s->rx_packets;
					tx += s->tx_packets;
					dr += drops_total(s->drops);
				}
			}
		}
		display_row(&x->d, p->network, rx, tx, dr);
	}
	display_list_end(&x->d);
	free(st.data);
	free(ports.data);
	return 0;
}

static int show_workers(struct ctx *x)
{
	static const struct col cols[] = {
		{"id", "worker", 6, COL_U64},
		{"lcore", "lcore", 5, COL_U64},
		{"packets", "packets", 14, COL_U64},
		{"busy_pct", "busy %", 7, COL_F64},
		{"busy_cycles_per_packet", "cycles/pkt", 10, COL_F64},
		{"switch_cycles_per_packet", "switching", 9, COL_F64},
		{"busy_cycles", "busy_cycles", 16, COL_U64},
		{"idle_cycles", "idle_cycles", 16, COL_U64},
		{"switch_cycles", "switch_cycles", 16, COL_U64},
		{"iterations", "iterations", 14, COL_U64},
		{"flow_cache_hits", "cache hits", 12, COL_U64},
		{"flow_cache_misses", "cache misses", 12, COL_U64},
		{"rxqs", "polls (port:queue)", -20, COL_STR},
		{"bursts", "rx bursts by size 1 2-3 4-7 8-15 16-31 32", -1, COL_RAW},
	};
	struct entries e;
	size_t i;
	int ret = cli_dump(x, SYD_MSG_GET_WORKER_STATS, SYD_MSG_WORKER_STATS,
		       sizeof(struct syd_worker_stats), &e);

	if (ret)
		return ret;
	display_list_begin(&x->d, "workers", "Workers:", cols, 14);
	for (i = 0; i < e.n; i++) {
		const struct syd_worker_stats *w = (const void *)(e.data + i * e.size);
		uint64_t total = w->busy_cycles + w->idle_cycles;

		char bursts[160];
		size_t len = 0;
		int b;

		/* JSON: an array of the six counts; tables: the counts in a row. */
		len = (size_t)snprintf(bursts, sizeof(bursts), "%s", x->d.json ? "[" : "");
		for (b = 0; b < SYD_PROTO_BURST_BUCKETS; b++)
			len += (size_t)snprintf(bursts + len, sizeof(bursts) - len, "%s%" PRIu64,
						b ? (x->d.json ? "," : " ") : "", w->burst[b]);
		snprintf(bursts + len, sizeof(bursts) - len, "%s", x->d.json ? "]" : "");
		display_row(&x->d, (uint64_t)w->id, (uint64_t)w->lcore, w->packets,
			    total ? 100.0 * (double)w->busy_cycles / (double)total : 0.0,
			    w->packets ? (double)w->busy_cycles / (double)w->packets : 0.0,
			    w->packets ? (double)w->switch_cycles / (double)w->packets : 0.0,
			    w->busy_cycles, w->idle_cycles, w->switch_cycles, w->iterations,
			    w->flow_cache_hits, w->flow_cache_misses, w->rxqs, bursts);
	}
	display_list_end(&x->d);
	free(e.data);
	return 0;
}

static int keep_info(const struct syd_hdr *h, void *arg)
{
	if (h->type == SYD_MSG_INFO)
		memcpy(arg, proto_body(h), sizeof(struct syd_info));
	return 0;
}

int cli_get_info(struct ctx *x, struct syd_info *i)
{
	return cli_request(x, SYD_MSG_GET_INFO, NULL, keep_info, i);
}

static int show_info(struct ctx *x)
{
	struct syd_info i = {0};
	char lcores[128];
	size_t len = 0;
	uint32_t w;
	int ret = cli_request(x, SYD_MSG_GET_INFO, NULL, keep_info, &i);

	if (ret)
		return ret;
	for (w = 0; w < i.nworkers && w < SYD_PROTO_WORKERS; w++)
		len += (size_t)snprintf(lcores + len, sizeof(lcores) - len, "%s%u", w ? "," : "",
					i.worker_lcore[w]);
	if (i.nworkers == 0)
		snprintf(lcores, sizeof(lcores), "-");
	display_object_begin(&x->d, "info", "Dataplane:");
	display_field(&x->d, "software", "software", COL_STR, i.software);
	display_field(&x->d, "file_prefix", "file prefix", COL_STR, i.file_prefix);
	display_field(&x->d, "uptime_s", "uptime (s)", COL_U64, i.uptime_ms / 1000);
	display_field(&x->d, "tsc_hz", "TSC (Hz)", COL_U64, i.tsc_hz);
	display_field(&x->d, "main_lcore", "main lcore", COL_U64, (uint64_t)i.main_lcore);
	display_field(&x->d, "worker_lcores", "worker lcores", COL_STR, lcores);
	display_field(&x->d, "mbufs_in_use", "mbufs in use", COL_U64, (uint64_t)i.mbufs_in_use);
	display_field(&x->d, "mbufs_total", "mbufs total", COL_U64, (uint64_t)i.mbufs_total);
	display_field(&x->d, "mac_entries", "MAC entries", COL_U64, (uint64_t)i.mac_entries);
	display_field(&x->d, "mac_capacity", "MAC capacity", COL_U64, (uint64_t)i.mac_capacity);
	display_field(&x->d, "ports", "ports", COL_U64, (uint64_t)i.nports);
	display_field(&x->d, "networks", "networks", COL_U64, (uint64_t)i.nnetworks);
	display_field(&x->d, "flow_rules", "flow rules", COL_U64, (uint64_t)i.flow_rules);
	display_field(&x->d, "flow_memory", "flow memory (bytes)", COL_U64, i.flow_memory);
	display_object_end(&x->d);
	return 0;
}

/* Drop counters by port and reason, the non-zero ones, with what each reason means. */
static int show_drops(struct ctx *x)
{
	static const struct col cols[] = {
		{"port", "port", -12, COL_STR},
		{"reason", "reason", -18, COL_STR},
		{"count", "count", 10, COL_U64},
		{"meaning", "meaning", -1, COL_STR},
	};
	struct entries st;
	size_t i;
	unsigned int r;
	int ret = cli_dump(x, SYD_MSG_GET_PORT_STATS, SYD_MSG_PORT_STATS, sizeof(struct syd_port_stats),
		       &st);

	if (ret)
		return ret;
	display_list_begin(&x->d, "drops", "Drops by port and reason:", cols, 4);
	for (i = 0; i < st.n; i++) {
		const struct syd_port_stats *s = (const void *)(st.data + i * st.size);

		for (r = 1; r < SYD_DROP_MAX && r < SYD_PROTO_DROPS; r++)
			if (s->drops[r])
				display_row(&x->d, s->name, syd_drop_name(r), s->drops[r],
					    syd_drop_help(r));
	}
	display_list_end(&x->d);
	free(st.data);
	return 0;
}

int cmd_show(struct ctx *x, int argc, char **argv)
{
	const char *what = argc > 0 ? argv[0] : "";
	int ret;

	display_begin(&x->d);
	if (strcmp(what, "") == 0) {
		ret = show_info(x);
		if (ret == 0)
			ret = show_ports(x);
		if (ret == 0)
			ret = show_networks(x);
	} else if (strcmp(what, "ports") == 0) {
		ret = show_ports(x);
	} else if (strcmp(what, "networks") == 0) {
		ret = show_networks(x);
	} else if (strcmp(what, "macs") == 0) {
		ret = show_macs(x);
	} else if (strcmp(what, "stats") == 0) {
		ret = show_stats(x);
	} else if (strcmp(what, "workers") == 0) {
		ret = show_workers(x);
	} else if (strcmp(what, "drops") == 0) {
		ret = show_drops(x);
	} else if (strcmp(what, "info") == 0) {
		ret = show_info(x);
	} else if (strcmp(what, "uplink") == 0) {
		ret = cli_show_uplink(x);
	} else if (strcmp(what, "vteps") == 0) {
		ret = cli_show_vteps(x);
	} else {
		return cli_usage_error(x, "nothing called '%s' to show", what);
	}
	if (ret == 0)
		display_end(&x->d);
	else if (x->d.json)
		display_abort(&x->d);
	return ret;
}

/* Classic pcap: what tcpdump and Wireshark open everywhere. */
static int write_pcap(const char *path, const struct entries *e, char *err, size_t errlen)
{
	struct {
		uint32_t magic;
		uint16_t major, minor;
		int32_t zone;
		uint32_t sigfigs, snaplen, linktype;
	} gh = {0xa1b23c4d, 2, 4, 0, 0, SYD_PROTO_SNAP, 1}; /* nanosecond timestamps, Ethernet */
	FILE *f = fopen(path, "w");
	size_t i;

	if (f == NULL) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -errno;
	}
	fwrite(&gh, sizeof(gh), 1, f);
	for (i = 0; i < e->n; i++) {
		const struct syd_drop_record *r = (const void *)(e->data + i * e->size);
		uint32_t rh[4] = {(uint32_t)(r->time_ns / 1000000000ull),
				  (uint32_t)(r->time_ns % 1000000000ull), r->caplen, r->len};

		fwrite(rh, sizeof(rh), 1, f);
		fwrite(r->data, 1, r->caplen, f);
	}
	if (fclose(f) != 0) {
		snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

int cmd_drops(struct ctx *x, int argc, char **argv)
{
	static const struct col cols[] = {
		{"time_ns", "time (ns since 1970)", 20, COL_U64},
		{"port", "port", -12, COL_STR},
		{"reason", "reason", -18, COL_STR},
		{"len", "len", 5, COL_U64},
		{"src", "src", -17, COL_STR},
		{"dst", "dst", -17, COL_STR},
	};
	const char *pcap = NULL;
	char err[512];
	struct entries e;
	size_t i;
	int ret;

	if (argc == 2 && strcmp(argv[0], "--pcap") == 0)
		pcap = argv[1];
	else if (argc != 0)
		return cli_usage_error(x, "expected nothing or --pcap FILE, not '%s'", argv[0]);
	ret = cli_dump(x, SYD_MSG_DUMP_DROPS, SYD_MSG_DROPS, sizeof(struct syd_drop_record), &e);
	if (ret)
		return ret;
	if (pcap != NULL) {
		ret = write_pcap(pcap, &e, err, sizeof(err));
		if (ret < 0) {
			fprintf(stderr, "sydctl: drops: %s\n", err);
			free(e.data);
			return EXIT_REFUSED;
		}
		if (!x->d.json)
			printf("%zu dropped packets written to %s\n", e.n, pcap);
	}
	display_begin(&x->d);
	display_list_begin(&x->d, "drops", "Last dropped packets (up to 8 per reason and worker):",
			   cols, 6);
	for (i = 0; i < e.n; i++) {
		const struct syd_drop_record *r = (const void *)(e.data + i * e.size);
		char src[18] = "-", dst[18] = "-";

		if (r->caplen >= 12) {
			cli_mac_text(dst, r->data);
			cli_mac_text(src, r->data + 6);
		}
		display_row(&x->d, r->time_ns, r->port, syd_drop_name(r->reason), (uint64_t)r->len,
			    src, dst);
	}
	display_list_end(&x->d);
	display_end(&x->d);
	free(e.data);
	return 0;
}


/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sydctl: the command line of Switchyard, in the style of ovs-vsctl and vppctl.
 *
 * It speaks the wire protocol (control/proto.h) to syd-control, or straight to a
 * dataplane's control socket.  Exit codes: 0 done; 1 the switch refused (its reason is
 * printed); 2 a usage error (nothing was sent); 3 the socket could not be reached.
 */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "display.h"
#include "drop.h"
#include "proto.h"
#include "cli.h"

struct verb {
	const char *name;
	const char *args;
	const char *help;
	const char *example;
	int min_args, max_args;
	int (*fn)(struct ctx *x, int argc, char **argv);
};

static const struct verb verbs[];
static int check_name(struct ctx *x, const char *what, const char *name);
static int parse_mac(const char *s, uint8_t *mac);

int cli_usage_error(struct ctx *x, const char *fmt, const char *arg)
{
	fprintf(stderr, "sydctl: %s: ", x->verb);
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see sydctl %s --help)\n", x->verb);
	return EXIT_USAGE;
}

static int connect_ctx(struct ctx *x)
{
	char err[512];

	if (x->connected)
		return 0;
	if (syd_client_connect(&x->c, x->socket, "sydctl " SYD_VERSION, x->timeout_ms, err,
			       sizeof(err)) < 0) {
		fprintf(stderr, "sydctl: %s\n", err);
		return EXIT_NOREACH;
	}
	x->connected = true;
	return 0;
}

/* Send a request; on_reply gets the reply messages.  @return an exit code. */
int cli_request(struct ctx *x, uint16_t type, struct proto_buf *body,
		   int (*on_reply)(const struct syd_hdr *, void *), void *arg)
{
	struct proto_buf b = {0};
	char err[SYD_PROTO_TEXT_MAX];
	int ret;

	ret = connect_ctx(x);
	if (ret)
		return ret;
	if (body == NULL) {
		proto_begin(&b, type, 0);
		body = &b;
	}
	ret = syd_client_request(&x->c, body, x->timeout_ms, on_reply, arg, err, sizeof(err));
	proto_buf_free(&b);
	if (ret == -EPIPE || ret == -ETIMEDOUT || ret == -EBADMSG || ret == -ENOTCONN) {
		fprintf(stderr, "sydctl: %s: %s\n", x->verb, err);
		return EXIT_NOREACH;
	}
	if (ret < 0) {
		fprintf(stderr, "sydctl: %s: %s\n", x->verb, err);
		return EXIT_REFUSED;
	}
	return 0;
}

static int collect(const struct syd_hdr *h, void *arg)
{
	struct entries *e = arg;
	size_t n = (h->length - sizeof(*h)) / e->size;

	if (h->type != e->type)
		return 0;
	if (e->n + n > MAX_ENTRIES)
		return -E2BIG;
	e->data = realloc(e->data, (e->n + n) * e->size);
	if (e->data == NULL)
		return -ENOMEM;
	memcpy(e->data + e->n * e->size, proto_body(h), n * e->size);
	e->n += n;
	return 0;
}

int cli_dump(struct ctx *x, uint16_t req, uint16_t type, size_t size, struct entries *e)
{
	*e = (struct entries){.type = type, .size = size};
	return cli_request(x, req, NULL, collect, e);
}

void cli_mac_text(char *buf, const uint8_t *m)
{
	snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

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
		{"ports", "ports", 6, COL_U64},
		{"macs", "macs", 8, COL_U64},
	};
	struct entries e;
	size_t i;
	int ret = cli_dump(x, SYD_MSG_DUMP_NETWORKS, SYD_MSG_NETWORKS, sizeof(struct syd_net_info), &e);

	if (ret)
		return ret;
	display_list_begin(&x->d, "networks", "Networks:", cols, 3);
	for (i = 0; i < e.n; i++) {
		const struct syd_net_info *n = (const void *)(e.data + i * e.size);

		display_row(&x->d, n->name, (uint64_t)n->nports, (uint64_t)n->nmacs);
	}
	display_list_end(&x->d);
	free(e.data);
	return 0;
}

static int show_macs(struct ctx *x)
{
	static const struct col cols[] = {
		{"network", "network", -12, COL_STR}, {"mac", "mac", -17, COL_STR},
		{"port", "port", -12, COL_STR},       {"is_static", "static", -6, COL_BOOL},
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
		char mac[18];

		cli_mac_text(mac, m->mac);
		display_row(&x->d, m->network, mac, m->port, (int)m->is_static, (uint64_t)m->age_s);
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
	display_list_begin(&x->d, "ports", "Port counters:", pcols, 9);
	for (i = 0; i < st.n; i++) {
		const struct syd_port_stats *s = (const void *)(st.data + i * st.size);
		const char *net = "";

		for (j = 0; j < ports.n; j++) {
			const struct syd_port_info *p = (const void *)(ports.data + j * ports.size);

			if (strcmp(p->name, s->name) == 0)
				net = p->network;
		}
		display_row(&x->d, s->name, net[0] || x->d.json ? net : "-", s->rx_packets,
			    s->rx_bytes, s->forwarded, s->tx_packets, s->tx_bytes,
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
		{"id", "worker", 6, COL_U64},          {"lcore", "lcore", 5, COL_U64},
		{"packets", "packets", 14, COL_U64},   {"busy_pct", "busy %", 7, COL_F64},
		{"busy_cycles_per_packet", "cycles/pkt", 10, COL_F64},
		{"busy_cycles", "busy_cycles", 16, COL_U64}, {"idle_cycles", "idle_cycles", 16, COL_U64},
		{"iterations", "iterations", 14, COL_U64},
		{"rxqs", "polls (port:queue)", -20, COL_STR},
		{"bursts", "rx bursts by size 1 2-3 4-7 8-15 16-31 32", -1, COL_RAW},
	};
	struct entries e;
	size_t i;
	int ret = cli_dump(x, SYD_MSG_GET_WORKER_STATS, SYD_MSG_WORKER_STATS,
		       sizeof(struct syd_worker_stats), &e);

	if (ret)
		return ret;
	display_list_begin(&x->d, "workers", "Workers:", cols, 10);
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
			    w->busy_cycles, w->idle_cycles, w->iterations, w->rxqs, bursts);
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
	display_field(&x->d, "main_lcore", "main lcore", COL_U64, (uint64_t)i.main_lcore);
	display_field(&x->d, "worker_lcores", "worker lcores", COL_STR, lcores);
	display_field(&x->d, "mbufs_in_use", "mbufs in use", COL_U64, (uint64_t)i.mbufs_in_use);
	display_field(&x->d, "mbufs_total", "mbufs total", COL_U64, (uint64_t)i.mbufs_total);
	display_field(&x->d, "mac_entries", "MAC entries", COL_U64, (uint64_t)i.mac_entries);
	display_field(&x->d, "mac_capacity", "MAC capacity", COL_U64, (uint64_t)i.mac_capacity);
	display_field(&x->d, "ports", "ports", COL_U64, (uint64_t)i.nports);
	display_field(&x->d, "networks", "networks", COL_U64, (uint64_t)i.nnetworks);
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

static int cmd_show(struct ctx *x, int argc, char **argv)
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

static int cmd_drops(struct ctx *x, int argc, char **argv)
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

/* trace --filter in_port=vm1,src=MAC,dst=MAC,ip_src=A.B.C.D,ip_dst=A.B.C.D */
static int parse_trace_filter(struct ctx *x, char *expr, struct syd_trace_req *req)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(expr, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *v = strchr(tok, '=');

		if (v == NULL)
			return cli_usage_error(x, "filter term '%s' is not key=value", tok);
		*v++ = '\0';
		if (strcmp(tok, "in_port") == 0) {
			if (check_name(x, "port", v))
				return EXIT_USAGE;
			strcpy(req->in_port, v);
			req->fields |= SYD_TRACE_IN_PORT;
		} else if (strcmp(tok, "src") == 0 || strcmp(tok, "dst") == 0) {
			if (parse_mac(v, tok[0] == 's' ? req->src : req->dst) < 0)
				return cli_usage_error(x, "'%s' is not a MAC address", v);
			req->fields |= tok[0] == 's' ? SYD_TRACE_SRC : SYD_TRACE_DST;
		} else if (strcmp(tok, "ip_src") == 0 || strcmp(tok, "ip_dst") == 0) {
			struct in_addr a;

			if (inet_pton(AF_INET, v, &a) != 1)
				return cli_usage_error(x, "'%s' is not an IPv4 address", v);
			if (tok[3] == 's') {
				req->ip_src = a.s_addr;
				req->fields |= SYD_TRACE_IP_SRC;
			} else {
				req->ip_dst = a.s_addr;
				req->fields |= SYD_TRACE_IP_DST;
			}
		} else {
			return cli_usage_error(x, "unknown filter key '%s' (in_port, src, dst, ip_src, "
					      "ip_dst)", tok);
		}
	}
	return 0;
}

static const char *const trace_src_text[] = {"not reached", "known on this port (refreshed)",
					     "unknown or moved: learning requested",
					     "same as the previous packet"};
static const char *const trace_dst_text[] = {"not reached", "broadcast/multicast: flood",
					     "unknown unicast: flood", "known unicast"};

static void print_trace(struct ctx *x, const struct entries *e)
{
	static const struct col cols[] = {
		{"in_port", "in", -10, COL_STR},   {"src_mac", "src", -17, COL_STR},
		{"dst_mac", "dst", -17, COL_STR},  {"ethertype", "type", 5, COL_U64},
		{"ip_src", "ip_src", -15, COL_STR}, {"ip_dst", "ip_dst", -15, COL_STR},
		{"parse", "parse", -18, COL_STR},  {"src_stage", "source MAC", -12, COL_STR},
		{"dst_stage", "destination", -14, COL_STR}, {"dst_cached", "cached", -6, COL_BOOL},
		{"out_port", "out", -10, COL_STR}, {"nout", "copies", 6, COL_U64},
		{"drop", "drop", -1, COL_STR},
	};
	static const char *const short_src[] = {"-", "known", "learn", "same"};
	static const char *const short_dst[] = {"-", "flood(bcast)", "flood(unknown)", "known"};
	size_t i;

	display_begin(&x->d);
	display_list_begin(&x->d, "packets", "Traced packets:", cols, 13);
	for (i = 0; i < e->n; i++) {
		const struct syd_trace_record *r = (const void *)(e->data + i * e->size);
		char src[18], dst[18], ips[16] = "-", ipd[16] = "-", parse[40];

		cli_mac_text(src, r->mac_src);
		cli_mac_text(dst, r->mac_dst);
		if (r->ip_src || r->ip_dst) {
			inet_ntop(AF_INET, &r->ip_src, ips, sizeof(ips));
			inet_ntop(AF_INET, &r->ip_dst, ipd, sizeof(ipd));
		}
		if (r->parse)
			snprintf(parse, sizeof(parse), "%s", syd_drop_name((unsigned int)r->parse));
		else if (r->l3_err)
			snprintf(parse, sizeof(parse), "ok (L3 error %u)", r->l3_err);
		else
			snprintf(parse, sizeof(parse), "ok");
		display_row(&x->d, r->in_port, src, dst, (uint64_t)r->ethertype, ips, ipd, parse,
			    x->d.json ? trace_src_text[r->src & 3] : short_src[r->src & 3],
			    x->d.json ? trace_dst_text[r->dst & 3] : short_dst[r->dst & 3],
			    (int)r->dst_cached, r->out_port[0] || x->d.json ? r->out_port : "-",
			    (uint64_t)r->nout, r->drop ? syd_drop_name(r->drop) : (x->d.json ? "" : "-"));
	}
	display_list_end(&x->d);
	display_end(&x->d);
}

static int cmd_trace(struct ctx *x, int argc, char **argv)
{
	struct syd_trace_req req = {.count = 1};
	struct proto_buf b = {0};
	struct entries e = {0};
	double timeout_s = 10;
	struct timespec nap = {.tv_nsec = 100 * 1000 * 1000};
	int i, ret, waited_ms = 0;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc) {
			ret = parse_trace_filter(x, argv[++i], &req);
			if (ret)
				return ret;
		} else if (strcmp(argv[i], "-n") == 0 && i + 1 < argc) {
			int n = atoi(argv[++i]);

			if (n < 1 || n > SYD_TRACE_MAX)
				return cli_usage_error(x, "-n %s: trace 1 to 64 packets", argv[i]);
			req.count = (uint32_t)n;
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			timeout_s = atof(argv[++i]);
			if (timeout_s <= 0)
				return cli_usage_error(x, "--timeout %s: seconds, above 0", argv[i]);
		} else {
			return cli_usage_error(x, "unexpected '%s'", argv[i]);
		}
	}
	proto_begin(&b, SYD_MSG_TRACE_START, 0);
	proto_append(&b, &req, sizeof(req));
	ret = cli_request(x, SYD_MSG_TRACE_START, &b, NULL, NULL);
	proto_buf_free(&b);
	if (ret)
		return ret;
	/* The switch records the next matching real packets; collect them as they come. */
	for (;;) {
		free(e.data);
		ret = cli_dump(x, SYD_MSG_DUMP_TRACE, SYD_MSG_TRACE, sizeof(struct syd_trace_record), &e);
		if (ret)
			return ret;
		if (e.n >= req.count || waited_ms >= timeout_s * 1000)
			break;
		nanosleep(&nap, NULL);
		waited_ms += 100;
	}
	print_trace(x, &e);
	if (e.n < req.count && !x->d.json)
		printf("(%zu of %u packets matched within %.0f s)\n", e.n, req.count, timeout_s);
	free(e.data);
	return 0;
}

static int cmd_clear_stats(struct ctx *x, int argc, char **argv)
{
	if (argc == 0)
		return cli_request(x, SYD_MSG_CLEAR_STATS, NULL, NULL, NULL);
	if (strcmp(argv[0], "workers") == 0)
		return cli_request(x, SYD_MSG_CLEAR_WORKER_STATS, NULL, NULL, NULL);
	return cli_usage_error(x, "'%s': clear everything, or only workers", argv[0]);
}

/* ---- changes: one batch each ---- */

static int check_name(struct ctx *x, const char *what, const char *name)
{
	char field[SYD_PROTO_NAME_LEN] = {0};

	if (strlen(name) >= sizeof(field) || (strcpy(field, name), !proto_name_ok(field, sizeof(field)))) {
		fprintf(stderr,
			"sydctl: %s: %s '%s' must be 1-%d letters, digits, '_' or '-' (see sydctl "
			"%s --help)\n",
			x->verb, what, name, SYD_PROTO_NAME_MAX, x->verb);
		return EXIT_USAGE;
	}
	return 0;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* Exactly xx:xx:xx:xx:xx:xx (either case); sscanf's %x would also take " 2", "+2", "0x2". */
static int parse_mac(const char *s, uint8_t *mac)
{
	int i, hi, lo;

	for (i = 0; i < 6; i++, s += 3) {
		hi = hex_digit(s[0]);
		lo = hi < 0 ? -1 : hex_digit(s[1]);
		if (lo < 0 || s[2] != (i < 5 ? ':' : '\0'))
			return -EINVAL;
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

static int send_op(struct ctx *x, const struct syd_op *op)
{
	struct proto_buf b = {0};
	char err[SYD_PROTO_TEXT_MAX];
	struct syd_hdr *h;
	int ret;

	proto_begin(&b, SYD_MSG_BATCH, 0);
	proto_batch_add(&b, op);
	h = proto_finish(&b);
	/* The same check the switch runs: say what is wrong without a round trip. */
	if (proto_check(h, h->length, err, sizeof(err)) < 0) {
		proto_buf_free(&b);
		fprintf(stderr, "sydctl: %s: %s (see sydctl %s --help)\n", x->verb,
			strstr(err, ": ") ? strstr(err, ": ") + 2 : err, x->verb);
		return EXIT_USAGE;
	}
	ret = cli_request(x, SYD_MSG_BATCH, &b, NULL, NULL);
	proto_buf_free(&b);
	return ret;
}

static struct syd_op op_of(uint16_t type)
{
	struct syd_op op;

	memset(&op, 0, sizeof(op));
	op.type = type;
	return op;
}

static int cmd_add_network(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = op_of(SYD_OP_NET_ADD);

	(void)argc;
	if (check_name(x, "network", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	return send_op(x, &op);
}

static int cmd_del_network(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = op_of(SYD_OP_NET_DEL);

	(void)argc;
	if (check_name(x, "network", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	return send_op(x, &op);
}

static int cmd_add_port(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = op_of(SYD_OP_PORT_ADD);
	char path[PATH_MAX + SYD_PROTO_PATH_LEN + 2];
	const char *where = argv[2];
	int i;

	if (check_name(x, "port", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	op.kind = (uint16_t)proto_port_kind_parse(argv[1]);
	if (op.kind == 0)
		return cli_usage_error(x, "'%s' is not a port type: vhost-server, vhost-client, "
				      "af_packet or tap", argv[1]);
	for (i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--network") == 0 && i + 1 < argc) {
			if (check_name(x, "network", argv[++i]))
				return EXIT_USAGE;
			strcpy(op.network, argv[i]);
		} else {
			return cli_usage_error(x, "unexpected '%s'", argv[i]);
		}
	}
	/* A relative socket path means one in the current directory, as the user sees it. */
	if ((op.kind == SYD_PORT_VHOST_SERVER || op.kind == SYD_PORT_VHOST_CLIENT) &&
	    where[0] != '/') {
		char cwd[PATH_MAX];

		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return cli_usage_error(x, "give an absolute socket path, not '%s'", where);
		snprintf(path, sizeof(path), "%s/%s", cwd, where);
		where = path;
	}
	if (strlen(where) >= sizeof(op.path))
		return cli_usage_error(x, "'%s' is too long: Unix socket paths have at most 107 bytes",
				   where);
	strcpy(op.path, where);
	return send_op(x, &op);
}

static int cmd_del_port(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = op_of(SYD_OP_PORT_DEL);

	(void)argc;
	if (check_name(x, "port", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	return send_op(x, &op);
}

static int cmd_attach(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = op_of(SYD_OP_ATTACH);

	(void)argc;
	if (check_name(x, "port", argv[0]) || check_name(x, "network", argv[1]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	strcpy(op.network, argv[1]);
	return send_op(x, &op);
}

static int cmd_detach(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = op_of(SYD_OP_DETACH);

	(void)argc;
	if (check_name(x, "port", argv[0]))
		return EXIT_USAGE;
	strcpy(op.name, argv[0]);
	return send_op(x, &op);
}

static int cmd_flush_macs(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = op_of(SYD_OP_MAC_FLUSH);

	if (argc > 0) {
		if (check_name(x, "network", argv[0]))
			return EXIT_USAGE;
		strcpy(op.network, argv[0]);
	}
	return send_op(x, &op);
}

static int cmd_add_mac(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = op_of(SYD_OP_MAC_ADD);

	(void)argc;
	if (check_name(x, "network", argv[0]) || check_name(x, "port", argv[2]))
		return EXIT_USAGE;
	if (parse_mac(argv[1], op.mac) < 0)
		return cli_usage_error(x, "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", argv[1]);
	strcpy(op.network, argv[0]);
	strcpy(op.name, argv[2]);
	return send_op(x, &op);
}

static int cmd_del_mac(struct ctx *x, int argc, char **argv)
{
	struct syd_op op = op_of(SYD_OP_MAC_DEL);

	(void)argc;
	if (check_name(x, "network", argv[0]))
		return EXIT_USAGE;
	if (parse_mac(argv[1], op.mac) < 0)
		return cli_usage_error(x, "'%s' is not a MAC address (xx:xx:xx:xx:xx:xx)", argv[1]);
	strcpy(op.network, argv[0]);
	return send_op(x, &op);
}

static const struct verb verbs[] = {
	{"show", "[ports|networks|macs|stats|drops|workers|info]",
	 "Show the switch: with no argument its info, ports and networks; or one part.\n"
	 "stats: counters per port with drops by reason, and per network; drops: the\n"
	 "non-zero drop counters with what each reason means; workers: busy and idle\n"
	 "cycles and busy cycles per packet per worker lcore.",
	 "sydctl show stats", 0, 1, cmd_show},
	{"add-port", "NAME TYPE PATH [--network NETWORK]",
	 "Add a port.  TYPE: vhost-server (the switch creates the socket PATH; QEMU\n"
	 "connects), vhost-client (QEMU created PATH with server=on; the switch connects\n"
	 "and reconnects), af_packet (PATH is a kernel interface), tap (PATH is the name\n"
	 "of a tap interface the switch creates).",
	 "sydctl add-port vm1 vhost-server /run/switchyard/vm1.sock --network blue", 3, 5,
	 cmd_add_port},
	{"del-port", "NAME", "Delete a port (its MAC entries go with it).", "sydctl del-port vm1",
	 1, 1, cmd_del_port},
	{"add-network", "NAME", "Create a network: an L2 broadcast domain with its own MAC table.",
	 "sydctl add-network blue", 1, 1, cmd_add_network},
	{"del-network", "NAME", "Delete a network; detach or delete its ports first.",
	 "sydctl del-network blue", 1, 1, cmd_del_network},
	{"attach", "PORT NETWORK", "Attach a port to a network (moving it if it was in another).",
	 "sydctl attach vm1 blue", 2, 2, cmd_attach},
	{"detach", "PORT", "Detach a port from its network; it then switches nothing.",
	 "sydctl detach vm1", 1, 1, cmd_detach},
	{"flush-macs", "[NETWORK]", "Forget the learned MAC entries of a network, or of all.",
	 "sydctl flush-macs blue", 0, 1, cmd_flush_macs},
	{"add-mac", "NETWORK MAC PORT",
	 "Add a static MAC entry: never aged, never moved by learning.",
	 "sydctl add-mac blue 02:00:00:00:00:09 vm1", 3, 3, cmd_add_mac},
	{"del-mac", "NETWORK MAC", "Delete a MAC entry.", "sydctl del-mac blue 02:00:00:00:00:09",
	 2, 2, cmd_del_mac},
	{"drops", "[--pcap FILE]",
	 "The last packets dropped for each reason (up to 8 per reason and worker): when,\n"
	 "where, why, and their MACs; with --pcap, also their first 128 bytes as a pcap\n"
	 "file that tcpdump and Wireshark open.",
	 "sydctl drops --pcap /tmp/drops.pcap && tcpdump -r /tmp/drops.pcap", 0, 2, cmd_drops},
	{"trace", "[--filter EXPR] [-n N] [--timeout S]",
	 "Record what each stage does to the next N (1-64, default 1) real packets that\n"
	 "match EXPR: comma-separated in_port=PORT, src=MAC, dst=MAC, ip_src=A.B.C.D,\n"
	 "ip_dst=A.B.C.D (none: any packet).  For each: parsed fields, the source MAC\n"
	 "stage, the destination lookup (and whether the burst's cache answered), where it\n"
	 "went or why it was dropped.  Waits up to S seconds (default 10).",
	 "sydctl trace --filter in_port=vm1,dst=02:00:00:00:00:02 -n 5", 0, 8, cmd_trace},
	{"doctor", "",
	 "Check the host and the running switch, and say how to fix each problem:\n"
	 "hugepages and hugetlbfs, other processes on the worker cores, socket\n"
	 "directories, vhost-user ports whose VM never connected (and which side should be\n"
	 "the socket's server), QEMU guests without share=on memory.  Exit 0 when healthy,\n"
	 "1 when a problem was found.",
	 "sydctl doctor", 0, 0, cmd_doctor},
	{"clear-stats", "[workers]",
	 "Start every counter from zero, or only the workers' (as ovs-appctl\n"
	 "dpif-netdev/pmd-stats-clear).  A baseline: nothing is lost.",
	 "sydctl clear-stats workers", 0, 1, cmd_clear_stats},
	{NULL, NULL, NULL, NULL, 0, 0, NULL},
};

static void usage(void)
{
	const struct verb *v;

	printf("Usage: sydctl [--socket PATH] [-o json] [--timeout MS] VERB [ARGS]\n"
	       "\n"
	       "The Switchyard command line.  It talks to syd-control (default socket\n"
	       "/run/switchyard/control.sock, or $SYD_SOCKET), or to a dataplane's --control\n"
	       "socket directly.\n"
	       "\n"
	       "Verbs:\n");
	for (v = verbs; v->name; v++)
		printf("  %-12s %s\n", v->name, v->args);
	printf("\n'sydctl VERB --help' explains one.  Exit codes: 0 done, 1 refused by the\n"
	       "switch, 2 usage error, 3 cannot reach the socket.\n");
}

static void verb_usage(const struct verb *v)
{
	printf("Usage: sydctl %s %s\n\n%s\n\nExample:\n  %s\n", v->name, v->args, v->help,
	       v->example);
}

int main(int argc, char **argv)
{
	struct ctx x = {.timeout_ms = 10000};
	const struct verb *v;
	int i = 1, ret;

	x.socket = getenv("SYD_SOCKET") ? getenv("SYD_SOCKET") : "/run/switchyard/control.sock";
	x.c.fd = -1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--socket") == 0 && i + 1 < argc) {
			x.socket = argv[++i];
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			if (strcmp(argv[++i], "json") != 0) {
				fprintf(stderr, "sydctl: -o %s: only json (tables are the default)\n",
					argv[i]);
				return EXIT_USAGE;
			}
			x.d.json = true;
		} else if (strcmp(argv[i], "--timeout") == 0 && i + 1 < argc) {
			char *end;
			long ms = strtol(argv[++i], &end, 10);

			x.timeout_ms = *end == '\0' && ms > 0 && ms <= INT_MAX ? (int)ms : 0;
			if (x.timeout_ms <= 0) {
				fprintf(stderr, "sydctl: --timeout: milliseconds, above 0\n");
				return EXIT_USAGE;
			}
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage();
			return 0;
		} else if (i + 1 == argc && (strcmp(argv[i], "--socket") == 0 ||
					     strcmp(argv[i], "-o") == 0 ||
					     strcmp(argv[i], "--timeout") == 0)) {
			fprintf(stderr, "sydctl: %s needs a value (see sydctl --help)\n", argv[i]);
			return EXIT_USAGE;
		} else {
			fprintf(stderr, "sydctl: unknown option '%s' (see sydctl --help)\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage();
		return EXIT_USAGE;
	}
	for (v = verbs; v->name; v++)
		if (strcmp(v->name, argv[i]) == 0)
			break;
	if (v->name == NULL) {
		fprintf(stderr, "sydctl: unknown verb '%s' (see sydctl --help)\n", argv[i]);
		return EXIT_USAGE;
	}
	x.verb = v->name;
	argc -= i + 1;
	argv += i + 1;
	for (int a = 0; a < argc; a++) {
		if (strcmp(argv[a], "--help") == 0 || strcmp(argv[a], "-h") == 0) {
			verb_usage(v);
			return 0;
		}
	}
	/* -o json may also follow the verb, as in ovs-vsctl. */
	if (argc >= 2 && strcmp(argv[argc - 2], "-o") == 0 && strcmp(argv[argc - 1], "json") == 0) {
		x.d.json = true;
		argc -= 2;
	}
	if (argc < v->min_args || argc > v->max_args) {
		fprintf(stderr, "sydctl: %s: expected %s (see sydctl %s --help)\n", v->name,
			v->args[0] ? v->args : "no arguments", v->name);
		return EXIT_USAGE;
	}
	ret = v->fn(&x, argc, argv);
	if (x.connected)
		syd_client_close(&x.c);
	return ret;
}

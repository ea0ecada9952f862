/* SPDX-License-Identifier: BSD-3-Clause */
/* sydctl trace: arm a packet trace and print what each stage did. */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "drop.h"

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
			if (cli_check_name(x, "port", v))
				return EXIT_USAGE;
			strcpy(req->in_port, v);
			req->fields |= SYD_TRACE_IN_PORT;
		} else if (strcmp(tok, "src") == 0 || strcmp(tok, "dst") == 0) {
			if (cli_parse_mac(v, tok[0] == 's' ? req->src : req->dst) < 0)
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
		{"flow", "flow rule", -15, COL_STR}, {"out_port", "out", -10, COL_STR},
		{"nout", "copies", 6, COL_U64},    {"drop", "drop", -1, COL_STR},
	};
	static const char *const short_src[] = {"-", "known", "learn", "same"};
	static const char *const short_dst[] = {"-", "flood(bcast)", "flood(unknown)", "known"};
	size_t i;

	display_begin(&x->d);
	display_list_begin(&x->d, "packets", "Traced packets:", cols, 14);
	for (i = 0; i < e->n; i++) {
		const struct syd_trace_record *r = (const void *)(e->data + i * e->size);
		char src[18], dst[18], ips[16] = "-", ipd[16] = "-", parse[40], flow[32] = "-";

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
		if (r->flow == 1) /* the last rule that ran: which table, which priority */
			snprintf(flow, sizeof(flow), "table=%u,priority=%u", r->flow_table,
				 r->flow_priority);
		else if (r->flow == 2)
			snprintf(flow, sizeof(flow), "miss: normal");
		else if (x->d.json)
			flow[0] = '\0';
		display_row(&x->d, r->in_port, src, dst, (uint64_t)r->ethertype, ips, ipd, parse,
			    x->d.json ? trace_src_text[r->src & 3] : short_src[r->src & 3],
			    x->d.json ? trace_dst_text[r->dst & 3] : short_dst[r->dst & 3],
			    (int)r->dst_cached, flow, r->out_port[0] || x->d.json ? r->out_port : "-",
			    (uint64_t)r->nout, r->drop ? syd_drop_name(r->drop) : (x->d.json ? "" : "-"));
	}
	display_list_end(&x->d);
	display_end(&x->d);
}

int cmd_trace(struct ctx *x, int argc, char **argv)
{
	struct syd_trace_req req = {.count = 1};
	struct proto_buf b = {0};
	struct entries e = {0};
	double timeout_s = 10;
	struct timespec nap = {.tv_nsec = 100 * 1000 * 1000};
	int i, ret, waited_ms = 0;

	if (argc > 0 && argv[0][0] != '-') /* a packet described: which rules it meets */
		return cmd_flow_trace(x, argc, argv);
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


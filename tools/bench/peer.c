/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peer: a scripted VM for tests.  Commands arrive on stdin, one per line; each gets
 * exactly one JSON line on stdout.  Between commands it keeps receiving, and counts
 * what arrives per port grouped by (source MAC, destination MAC).
 *
 *   send [port=I] dst=MAC [src=MAC] [count=N] [size=B] [vlan=VID] [ethertype=0xXXXX]
 *   recv [wait_ms=W]      wait until W ms pass with nothing new, then report
 *   clear | link | quit
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "bench.h"

#define PEER_GROUPS 64

struct peer_group {
	struct rte_ether_addr src, dst;
	uint64_t count;
};

struct peer_port {
	uint64_t rx_packets, rx_bytes, other;
	unsigned int ngroups;
	struct peer_group group[PEER_GROUPS];
};

static struct peer_port pp[BENCH_MAX_PORTS];

/* Receive what is there on every port; @return the number of frames. */
static unsigned int peer_rx(struct bench_opts *o)
{
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned int i, total = 0;
	uint16_t n, k;

	for (i = 0; i < o->nports; i++) {
		struct peer_port *p = &pp[i];

		n = rte_eth_rx_burst(o->port[i].port_id, 0, pkts, BENCH_BURST);
		for (k = 0; k < n; k++) {
			const struct rte_ether_hdr *eth =
				rte_pktmbuf_mtod(pkts[k], const struct rte_ether_hdr *);
			unsigned int g;

			p->rx_packets++;
			p->rx_bytes += pkts[k]->pkt_len;
			if (pkts[k]->data_len < RTE_ETHER_HDR_LEN) {
				p->other++;
				continue;
			}
			for (g = 0; g < p->ngroups; g++)
				if (rte_is_same_ether_addr(&p->group[g].src, &eth->src_addr) &&
				    rte_is_same_ether_addr(&p->group[g].dst, &eth->dst_addr))
					break;
			if (g == p->ngroups) {
				if (g == PEER_GROUPS) {
					p->other++;
					continue;
				}
				p->group[g].src = eth->src_addr;
				p->group[g].dst = eth->dst_addr;
				p->group[g].count = 0;
				p->ngroups++;
			}
			p->group[g].count++;
		}
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	return total;
}

static void reply_error(const char *fmt, const char *arg)
{
	printf("{\"ok\":false,\"error\":\"");
	printf(fmt, arg);
	printf("\"}\n");
	fflush(stdout);
}

/* Value of key=... in a command line's arguments, or NULL. */
static const char *arg_get(char **argv, int argc, const char *key)
{
	size_t kl = strlen(key);
	int i;

	for (i = 1; i < argc; i++)
		if (strncmp(argv[i], key, kl) == 0 && argv[i][kl] == '=')
			return argv[i] + kl + 1;
	return NULL;
}

static int arg_uint(char **argv, int argc, const char *key, unsigned long def,
		    unsigned long max, unsigned long *out)
{
	const char *v = arg_get(argv, argc, key);
	char *end;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	*out = strtoul(v, &end, 0);
	if (errno || *end || end == v || *out > max) {
		reply_error("bad value for %s", key);
		return -EINVAL;
	}
	return 0;
}

static const char *const known_send_args[] = {"port", "dst", "src", "count", "size", "vlan",
					      "ethertype"};

static void cmd_send(struct bench_opts *o, struct rte_mempool *mp, char **argv, int argc)
{
	struct rte_ether_addr dst, src;
	unsigned long port, count, size, vlan, type;
	const char *v;
	uint64_t deadline;
	unsigned long sent = 0;
	int i;
	size_t k;

	for (i = 1; i < argc; i++) {
		for (k = 0; k < RTE_DIM(known_send_args); k++) {
			size_t kl = strlen(known_send_args[k]);

			if (strncmp(argv[i], known_send_args[k], kl) == 0 && argv[i][kl] == '=')
				break;
		}
		if (k == RTE_DIM(known_send_args)) {
			reply_error("unknown send argument '%s'", argv[i]);
			return;
		}
	}
	if (arg_uint(argv, argc, "port", 0, o->nports - 1, &port) < 0 ||
	    arg_uint(argv, argc, "count", 1, 1000000, &count) < 0 ||
	    arg_uint(argv, argc, "size", 60, RTE_ETHER_MAX_LEN - 4, &size) < 0 ||
	    arg_uint(argv, argc, "vlan", 65535, 65535, &vlan) < 0 ||
	    arg_uint(argv, argc, "ethertype", RTE_ETHER_TYPE_IPV4, 0xffff, &type) < 0)
		return;
	v = arg_get(argv, argc, "dst");
	if (v == NULL || rte_ether_unformat_addr(v, &dst) < 0) {
		reply_error("send needs dst=MAC%s", "");
		return;
	}
	src = o->port[port].mac;
	v = arg_get(argv, argc, "src");
	if (v != NULL && rte_ether_unformat_addr(v, &src) < 0) {
		reply_error("bad src MAC '%s'", v);
		return;
	}
	if (size == 0) {
		reply_error("size must be at least 1%s", "");
		return;
	}

	deadline = rte_rdtsc() + rte_get_tsc_hz();
	while (sent < count && rte_rdtsc() < deadline) {
		struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

		if (m == NULL) {
			peer_rx(o); /* give mbufs back */
			continue;
		}
		m->data_len = m->pkt_len = (uint16_t)frame_build_udp(
			rte_pktmbuf_mtod(m, uint8_t *), (unsigned int)size, &dst, &src,
			frame_port_ip((unsigned int)port), frame_port_ip((unsigned int)port + 1),
			vlan == 65535 ? -1 : (int)vlan, (uint16_t)type);
		if (rte_eth_tx_burst(o->port[port].port_id, 0, &m, 1) == 1) {
			sent++;
		} else {
			rte_pktmbuf_free(m);
			peer_rx(o);
		}
	}
	if (sent < count) {
		printf("{\"ok\":false,\"error\":\"sent %lu of %lu: tx ring stayed full for 1 s\","
		       "\"sent\":%lu}\n",
		       sent, count, sent);
	} else {
		printf("{\"ok\":true,\"sent\":%lu}\n", sent);
	}
	fflush(stdout);
}

static void cmd_recv(struct bench_opts *o, char **argv, int argc)
{
	unsigned long wait_ms;
	uint64_t quiet_until;
	unsigned int i, g;

	if (arg_uint(argv, argc, "wait_ms", 200, 60000, &wait_ms) < 0)
		return;
	quiet_until = rte_rdtsc() + wait_ms * rte_get_tsc_hz() / 1000;
	while (rte_rdtsc() < quiet_until) {
		if (peer_rx(o))
			quiet_until = rte_rdtsc() + wait_ms * rte_get_tsc_hz() / 1000;
		else
			rte_delay_us_sleep(200);
	}
	printf("{\"ok\":true,\"ports\":[");
	for (i = 0; i < o->nports; i++) {
		struct peer_port *p = &pp[i];

		printf("%s{\"port\":%u,\"rx_packets\":%" PRIu64 ",\"rx_bytes\":%" PRIu64
		       ",\"other\":%" PRIu64 ",\"frames\":[",
		       i ? "," : "", i, p->rx_packets, p->rx_bytes, p->other);
		for (g = 0; g < p->ngroups; g++) {
			char s[RTE_ETHER_ADDR_FMT_SIZE], d[RTE_ETHER_ADDR_FMT_SIZE];

			frame_format_mac(s, &p->group[g].src);
			frame_format_mac(d, &p->group[g].dst);
			printf("%s{\"src\":\"%s\",\"dst\":\"%s\",\"count\":%" PRIu64 "}",
			       g ? "," : "", s, d, p->group[g].count);
		}
		printf("]}");
	}
	printf("]}\n");
	fflush(stdout);
}

static void cmd_link(struct bench_opts *o)
{
	unsigned int i;

	printf("{\"ok\":true,\"ports\":[");
	for (i = 0; i < o->nports; i++) {
		struct rte_eth_link link = {0};

		rte_eth_link_get_nowait(o->port[i].port_id, &link);
		printf("%s{\"port\":%u,\"up\":%s}", i ? "," : "", i,
		       link.link_status ? "true" : "false");
	}
	printf("]}\n");
	fflush(stdout);
}

/* Run one command line; @return 1 to quit. */
static int peer_command(struct bench_opts *o, struct rte_mempool *mp, char *line)
{
	char *argv[16], *save = NULL, *tok;
	int argc = 0;

	for (tok = strtok_r(line, " \t\r", &save); tok && argc < 16;
	     tok = strtok_r(NULL, " \t\r", &save))
		argv[argc++] = tok;
	if (argc == 0)
		return 0;
	if (strcmp(argv[0], "send") == 0)
		cmd_send(o, mp, argv, argc);
	else if (strcmp(argv[0], "recv") == 0)
		cmd_recv(o, argv, argc);
	else if (strcmp(argv[0], "clear") == 0) {
		memset(pp, 0, sizeof(pp));
		printf("{\"ok\":true}\n");
		fflush(stdout);
	} else if (strcmp(argv[0], "link") == 0)
		cmd_link(o);
	else if (strcmp(argv[0], "quit") == 0)
		return 1;
	else
		reply_error("unknown command '%s' (send, recv, clear, link, quit)", argv[0]);
	return 0;
}

int peer_run(struct bench_opts *o, struct rte_mempool *mp)
{
	char buf[4096];
	size_t used = 0;
	unsigned int i;

	printf("{\"event\":\"ready\",\"ports\":[");
	for (i = 0; i < o->nports; i++) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		frame_format_mac(mac, &o->port[i].mac);
		printf("%s{\"path\":\"%s\",\"mac\":\"%s\"}", i ? "," : "", o->port[i].path, mac);
	}
	printf("]}\n");
	fflush(stdout);

	while (!bench_quit) {
		struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
		char *nl;
		ssize_t n;

		peer_rx(o);
		if (poll(&pfd, 1, 1) <= 0)
			continue;
		n = read(STDIN_FILENO, buf + used, sizeof(buf) - 1 - used);
		if (n <= 0)
			return 0; /* EOF: the test is done with us */
		used += (size_t)n;
		buf[used] = '\0';
		while ((nl = strchr(buf, '\n')) != NULL) {
			*nl = '\0';
			if (peer_command(o, mp, buf))
				return 0;
			used -= (size_t)(nl + 1 - buf);
			memmove(buf, nl + 1, used + 1);
		}
		if (used == sizeof(buf) - 1) {
			reply_error("command line too long%s", "");
			used = 0;
		}
	}
	return 0;
}

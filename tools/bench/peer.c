/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "frame.h"
#include "json.h"
#include "peer.h"

#define PEER_BURST	      32
#define PEER_LINE_MAX	      8192 /* sendraw carries a frame in hex */
#define PEER_ARGS_MAX	      16
#define PEER_IDLE_POLL_MS     1	   /* stdin poll timeout between rx polls */
#define PEER_SEND_STALL_MS    1000 /* send gives up after this long without progress */
#define PEER_SEND_COUNT_MAX   10000000
#define PEER_RECV_WAIT_MS     200
#define PEER_RECV_WAIT_MAX_MS 60000
#define PEER_RECV_EXTRA_MS    5000 /* recv answers after wait_ms + this even if busy */
#define PEER_RECV_NAP_US      100
#define PEER_KEEP	      16  /* frames kept per port for the frames command */
#define PEER_KEEP_BYTES	      1600

struct peer_group {
	struct rte_ether_addr src;
	struct rte_ether_addr dst;
	uint64_t count;
};

/* What one port received since the last clear. */
/* The last frames received, whole (up to PEER_KEEP_BYTES), for tests that read them. */
struct peer_kept {
	uint16_t len;
	uint8_t data[PEER_KEEP_BYTES];
};

struct peer_rx {
	unsigned int nkept;
	struct peer_kept kept[PEER_KEEP];
	uint64_t packets;
	uint64_t bytes;
	uint64_t other; /* not in a group: the table was full, or no room for two MACs */
	unsigned int ngroups;
	struct peer_group group[PEER_GROUPS];
};

struct peer {
	const struct port *ports;
	unsigned int nports;
	struct rte_mempool *mp;
	const volatile sig_atomic_t *stop;
	struct peer_rx rx[PORT_MAX];
	char line[PEER_LINE_MAX];
	size_t used;
	bool overlong; /* discarding the rest of a line that did not fit */
};

/* A command's words: argv[0] is the command, the rest are key=value. */
struct peer_args {
	int argc;
	char *argv[PEER_ARGS_MAX];
};

static uint64_t peer_ms_to_tsc(uint64_t ms)
{
	return ms * rte_get_tsc_hz() / 1000;
}

static void peer_count(struct peer_rx *rx, const struct rte_mbuf *m)
{
	const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_hdr *);
	unsigned int g;

	rx->packets++;
	rx->bytes += m->pkt_len;
	if (rx->nkept < PEER_KEEP) {
		struct peer_kept *k = &rx->kept[rx->nkept++];

		const void *d;

		k->len = (uint16_t)RTE_MIN(m->pkt_len, (uint32_t)PEER_KEEP_BYTES);
		d = rte_pktmbuf_read(m, 0, k->len, k->data); /* copies only when segmented */
		if (d != NULL && d != k->data)
			memcpy(k->data, d, k->len);
	}
	if (m->data_len < 2 * RTE_ETHER_ADDR_LEN) {
		rx->other++;
		return;
	}
	for (g = 0; g < rx->ngroups; g++)
		if (rte_is_same_ether_addr(&rx->group[g].src, &eth->src_addr) &&
		    rte_is_same_ether_addr(&rx->group[g].dst, &eth->dst_addr))
			break;
	if (g == rx->ngroups) {
		if (g == PEER_GROUPS) {
			rx->other++;
			return;
		}
		rx->group[g].src = eth->src_addr;
		rx->group[g].dst = eth->dst_addr;
		rx->group[g].count = 0;
		rx->ngroups++;
	}
	rx->group[g].count++;
}

/* Receive what is waiting on every port.  @return the number of frames. */
static unsigned int peer_poll_rx(struct peer *pr)
{
	struct rte_mbuf *pkts[PEER_BURST];
	unsigned int i, total = 0;
	uint16_t n, k;

	for (i = 0; i < pr->nports; i++) {
		n = rte_eth_rx_burst(pr->ports[i].id, 0, pkts, PEER_BURST);
		for (k = 0; k < n; k++)
			peer_count(&pr->rx[i], pkts[k]);
		rte_pktmbuf_free_bulk(pkts, n);
		total += n;
	}
	return total;
}

static void peer_reply_ok(void)
{
	printf("{\"ok\":true}\n");
	fflush(stdout);
}

static void __attribute__((format(printf, 1, 2))) peer_reply_error(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	printf("{\"ok\":false,\"error\":");
	json_write_string(stdout, msg);
	printf("}\n");
	fflush(stdout);
}

/* The value of key=... among the arguments, or NULL. */
static const char *peer_arg_find(const struct peer_args *a, const char *key)
{
	size_t len = strlen(key);
	int i;

	for (i = 1; i < a->argc; i++)
		if (strncmp(a->argv[i], key, len) == 0 && a->argv[i][len] == '=')
			return a->argv[i] + len + 1;
	return NULL;
}

/* Every argument is key=value with a key from the NULL-terminated list keys. */
static int peer_arg_check(const struct peer_args *a, const char *const *keys)
{
	const char *const *k;
	int i;

	for (i = 1; i < a->argc; i++) {
		const char *eq = strchr(a->argv[i], '=');

		for (k = keys; eq != NULL && *k != NULL; k++)
			if (strlen(*k) == (size_t)(eq - a->argv[i]) &&
			    strncmp(a->argv[i], *k, (size_t)(eq - a->argv[i])) == 0)
				break;
		if (eq == NULL || *k == NULL) {
			peer_reply_error("%s: unknown argument '%s' (expected key=value)",
					 a->argv[0], a->argv[i]);
			return -EINVAL;
		}
	}
	return 0;
}

/* key=N in [min, max] (base 10, or 16 with base 16 and an optional 0x), or def. */
static int peer_arg_uint(const struct peer_args *a, const char *key, int base, unsigned long min,
			 unsigned long max, unsigned long def, unsigned long *out)
{
	const char *v = peer_arg_find(a, key);
	char *end;

	*out = def;
	if (v == NULL)
		return 0;
	errno = 0;
	*out = strtoul(v, &end, base);
	if (errno != 0 || end == v || *end != '\0' || *v == '-' || *out < min || *out > max) {
		peer_reply_error("%s: bad %s '%s' (expected %s%lu to %lu)", a->argv[0], key, v,
				 base == 16 ? "hex " : "", min, max);
		return -EINVAL;
	}
	return 0;
}

static int peer_arg_mac(const struct peer_args *a, const char *key, bool required,
			struct rte_ether_addr *out)
{
	const char *v = peer_arg_find(a, key);

	if (v == NULL && !required)
		return 0;
	if (v == NULL || rte_ether_unformat_addr(v, out) < 0) {
		peer_reply_error("%s: %s=MAC needed (xx:xx:xx:xx:xx:xx), got '%s'", a->argv[0], key,
				 v != NULL ? v : "");
		return -EINVAL;
	}
	return 0;
}

static const char *const peer_send_keys[] = {
	"port", "dst", "src", "count", "size", "vlan", "ethertype", NULL,
};

static void peer_cmd_send(struct peer *pr, const struct peer_args *a)
{
	unsigned long port, count, size, vlan, type;
	uint8_t frame[FRAME_SIZE_MAX];
	struct frame_spec f;
	uint64_t stall_tsc, deadline;
	unsigned long sent = 0;
	uint16_t id;

	memset(&f, 0, sizeof(f));
	if (peer_arg_check(a, peer_send_keys) < 0 ||
	    peer_arg_uint(a, "port", 10, 0, pr->nports - 1, 0, &port) < 0 ||
	    peer_arg_uint(a, "count", 10, 0, PEER_SEND_COUNT_MAX, 1, &count) < 0 ||
	    peer_arg_uint(a, "size", 10, 1, FRAME_SIZE_MAX, FRAME_SIZE_MIN, &size) < 0 ||
	    peer_arg_uint(a, "vlan", 10, 0, 4095, 4096, &vlan) < 0 ||
	    peer_arg_uint(a, "ethertype", 16, 0, 0xffff, RTE_ETHER_TYPE_IPV4, &type) < 0 ||
	    peer_arg_mac(a, "dst", true, &f.dst) < 0)
		return;
	f.src = pr->ports[port].spec.mac;
	if (peer_arg_mac(a, "src", false, &f.src) < 0)
		return;
	f.vlan = vlan == 4096 ? -1 : (int)vlan;
	f.ethertype = (uint16_t)type;
	/* Addresses as stream gives its port I: 198.18.0.(I+1) -> 198.18.0.((I^1)+1). */
	f.ip_src = frame_ip((uint8_t)(port + 1));
	f.ip_dst = frame_ip((uint8_t)((port ^ 1) + 1));
	f.size = (unsigned int)size;
	frame_build(frame, sizeof(frame), &f);

	id = pr->ports[port].id;
	stall_tsc = peer_ms_to_tsc(PEER_SEND_STALL_MS);
	deadline = rte_rdtsc() + stall_tsc;
	while (sent < count && rte_rdtsc() < deadline) {
		struct rte_mbuf *pkts[PEER_BURST];
		unsigned int want = (unsigned int)RTE_MIN(count - sent, (unsigned long)PEER_BURST);
		unsigned int k;
		uint16_t n;

		/* Receiving as we go keeps our own rx ring (and the mbuf pool) from filling. */
		peer_poll_rx(pr);
		if (rte_pktmbuf_alloc_bulk(pr->mp, pkts, want) != 0)
			continue;
		for (k = 0; k < want; k++) {
			memcpy(rte_pktmbuf_mtod(pkts[k], uint8_t *), frame, f.size);
			pkts[k]->data_len = (uint16_t)f.size;
			pkts[k]->pkt_len = f.size;
		}
		n = rte_eth_tx_burst(id, 0, pkts, (uint16_t)want);
		if (n < want)
			rte_pktmbuf_free_bulk(&pkts[n], want - n);
		if (n != 0)
			deadline = rte_rdtsc() + stall_tsc;
		sent += n;
	}
	if (sent < count) {
		printf("{\"ok\":false,\"error\":\"sent %lu of %lu: the tx ring stayed full for %u "
		       "ms (is the link up?)\",\"sent\":%lu}\n",
		       sent, count, PEER_SEND_STALL_MS, sent);
	} else {
		printf("{\"ok\":true,\"sent\":%lu}\n", sent);
	}
	fflush(stdout);
}

static void peer_cmd_recv(struct peer *pr, const struct peer_args *a)
{
	static const char *const keys[] = {"wait_ms", NULL};
	const struct timespec nap = {.tv_nsec = PEER_RECV_NAP_US * 1000};
	unsigned long wait_ms;
	uint64_t now, quiet_until, give_up;
	unsigned int i, g;

	if (peer_arg_check(a, keys) < 0 || peer_arg_uint(a, "wait_ms", 10, 0, PEER_RECV_WAIT_MAX_MS,
							 PEER_RECV_WAIT_MS, &wait_ms) < 0)
		return;
	now = rte_rdtsc();
	quiet_until = now + peer_ms_to_tsc(wait_ms);
	give_up = quiet_until + peer_ms_to_tsc(PEER_RECV_EXTRA_MS);
	while (now < quiet_until && now < give_up && !*pr->stop) {
		if (peer_poll_rx(pr) != 0)
			quiet_until = rte_rdtsc() + peer_ms_to_tsc(wait_ms);
		else
			nanosleep(&nap, NULL);
		now = rte_rdtsc();
	}

	printf("{\"ok\":true,\"ports\":[");
	for (i = 0; i < pr->nports; i++) {
		const struct peer_rx *rx = &pr->rx[i];

		printf("%s{\"port\":%u,\"rx_packets\":%" PRIu64 ",\"rx_bytes\":%" PRIu64
		       ",\"other\":%" PRIu64 ",\"frames\":[",
		       i != 0 ? "," : "", i, rx->packets, rx->bytes, rx->other);
		for (g = 0; g < rx->ngroups; g++) {
			char src[RTE_ETHER_ADDR_FMT_SIZE], dst[RTE_ETHER_ADDR_FMT_SIZE];

			frame_format_mac(src, &rx->group[g].src);
			frame_format_mac(dst, &rx->group[g].dst);
			printf("%s{\"src\":\"%s\",\"dst\":\"%s\",\"count\":%" PRIu64 "}",
			       g != 0 ? "," : "", src, dst, rx->group[g].count);
		}
		printf("]}");
	}
	printf("]}\n");
	fflush(stdout);
}

static int hex_nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* sendraw [port=I] hex=FRAME: send one frame given byte for byte. */
static void peer_cmd_sendraw(struct peer *pr, const struct peer_args *a)
{
	static const char *const keys[] = {"port", "hex", NULL};
	const char *hex = peer_arg_find(a, "hex");
	unsigned long port;
	struct rte_mbuf *m;
	size_t len, i;
	uint8_t *p;

	if (peer_arg_check(a, keys) < 0 ||
	    peer_arg_uint(a, "port", 10, 0, pr->nports - 1, 0, &port) < 0)
		return;
	len = hex != NULL ? strlen(hex) / 2 : 0;
	if (hex == NULL || strlen(hex) % 2 != 0 || len < RTE_ETHER_HDR_LEN || len > FRAME_SIZE_MAX) {
		peer_reply_error("sendraw: hex=FRAME needed, %d to %d bytes as hex digits",
				 RTE_ETHER_HDR_LEN, FRAME_SIZE_MAX);
		return;
	}
	m = rte_pktmbuf_alloc(pr->mp);
	p = m != NULL ? (uint8_t *)rte_pktmbuf_append(m, (uint16_t)len) : NULL;
	if (p == NULL) {
		rte_pktmbuf_free(m);
		peer_reply_error("sendraw: no buffer");
		return;
	}
	for (i = 0; i < len; i++) {
		int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			rte_pktmbuf_free(m);
			peer_reply_error("sendraw: '%c%c' is not a hex byte", hex[2 * i],
					 hex[2 * i + 1]);
			return;
		}
		p[i] = (uint8_t)(hi << 4 | lo);
	}
	if (rte_eth_tx_burst(pr->ports[port].id, 0, &m, 1) != 1) {
		rte_pktmbuf_free(m);
		peer_reply_error("sendraw: the tx ring is full (is the link up?)");
		return;
	}
	printf("{\"ok\":true,\"sent\":1}\n");
	fflush(stdout);
}

/* frames [port=I]: the frames kept since the last call, in hex; then forget them. */
static void peer_cmd_frames(struct peer *pr, const struct peer_args *a)
{
	static const char *const keys[] = {"port", NULL};
	unsigned long port;
	struct peer_rx *rx;
	unsigned int i, b;

	if (peer_arg_check(a, keys) < 0 ||
	    peer_arg_uint(a, "port", 10, 0, pr->nports - 1, 0, &port) < 0)
		return;
	peer_poll_rx(pr);
	rx = &pr->rx[port];
	printf("{\"ok\":true,\"frames\":[");
	for (i = 0; i < rx->nkept; i++) {
		printf("%s\"", i ? "," : "");
		for (b = 0; b < rx->kept[i].len; b++)
			printf("%02x", rx->kept[i].data[b]);
		printf("\"");
	}
	printf("]}\n");
	fflush(stdout);
	rx->nkept = 0;
}

static void peer_cmd_clear(struct peer *pr, const struct peer_args *a)
{
	static const char *const keys[] = {NULL};

	if (peer_arg_check(a, keys) < 0)
		return;
	memset(pr->rx, 0, sizeof(pr->rx));
	peer_reply_ok();
}

static void peer_cmd_link(struct peer *pr, const struct peer_args *a)
{
	static const char *const keys[] = {NULL};
	unsigned int i;

	if (peer_arg_check(a, keys) < 0)
		return;
	printf("{\"ok\":true,\"ports\":[");
	for (i = 0; i < pr->nports; i++)
		printf("%s{\"port\":%u,\"up\":%s}", i != 0 ? "," : "", i,
		       port_link_up(&pr->ports[i]) ? "true" : "false");
	printf("]}\n");
	fflush(stdout);
}

/* Run one command line.  @return 1 to quit, else 0. */
static int peer_execute(struct peer *pr, char *line)
{
	struct peer_args a = {.argc = 0};
	char *save = NULL, *tok;

	for (tok = strtok_r(line, " \t\r", &save); tok != NULL;
	     tok = strtok_r(NULL, " \t\r", &save)) {
		if (a.argc == PEER_ARGS_MAX) {
			peer_reply_error("too many words (at most %d)", PEER_ARGS_MAX);
			return 0;
		}
		a.argv[a.argc++] = tok;
	}
	if (a.argc == 0)
		return 0; /* blank line: no command, no answer */
	if (strcmp(a.argv[0], "send") == 0)
		peer_cmd_send(pr, &a);
	else if (strcmp(a.argv[0], "recv") == 0)
		peer_cmd_recv(pr, &a);
	else if (strcmp(a.argv[0], "sendraw") == 0)
		peer_cmd_sendraw(pr, &a);
	else if (strcmp(a.argv[0], "frames") == 0)
		peer_cmd_frames(pr, &a);
	else if (strcmp(a.argv[0], "clear") == 0)
		peer_cmd_clear(pr, &a);
	else if (strcmp(a.argv[0], "link") == 0)
		peer_cmd_link(pr, &a);
	else if (strcmp(a.argv[0], "quit") == 0)
		return 1;
	else
		peer_reply_error("unknown command '%s' (send, sendraw, recv, frames, clear, link, quit)", a.argv[0]);
	return 0;
}

/* Take what stdin has; run every whole line.  @return 1 to quit, 0, or -errno. */
static int peer_read_commands(struct peer *pr)
{
	char *nl;
	ssize_t n;

	n = read(STDIN_FILENO, pr->line + pr->used, sizeof(pr->line) - 1 - pr->used);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -errno;
	if (n == 0)
		return 1; /* EOF: the test is done with us */
	pr->used += (size_t)n;
	pr->line[pr->used] = '\0';
	while ((nl = strchr(pr->line, '\n')) != NULL) {
		size_t len = (size_t)(nl - pr->line) + 1;
		int ret = 0;

		*nl = '\0';
		if (pr->overlong)
			pr->overlong = false; /* the end of a line already answered */
		else
			ret = peer_execute(pr, pr->line);
		pr->used -= len;
		memmove(pr->line, pr->line + len, pr->used + 1);
		if (ret != 0)
			return ret;
	}
	if (pr->used == sizeof(pr->line) - 1) {
		if (!pr->overlong)
			peer_reply_error("command longer than %d bytes", PEER_LINE_MAX - 1);
		pr->overlong = true;
		pr->used = 0;
	}
	return 0;
}

static void peer_print_ready(const struct peer *pr)
{
	unsigned int i;

	printf("{\"event\":\"ready\",\"ports\":[");
	for (i = 0; i < pr->nports; i++) {
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		frame_format_mac(mac, &pr->ports[i].spec.mac);
		printf("%s{\"path\":", i != 0 ? "," : "");
		json_write_string(stdout, pr->ports[i].spec.path);
		printf(",\"mac\":\"%s\"}", mac);
	}
	printf("]}\n");
	fflush(stdout);
}

int peer_run(const struct port *ports, unsigned int nports, struct rte_mempool *mp,
	     const volatile sig_atomic_t *stop)
{
	struct peer *pr;
	int ret = 0;

	if (nports == 0 || nports > PORT_MAX)
		return -EINVAL;
	pr = calloc(1, sizeof(*pr));
	if (pr == NULL)
		return -ENOMEM;
	pr->ports = ports;
	pr->nports = nports;
	pr->mp = mp;
	pr->stop = stop;

	peer_print_ready(pr);
	while (!*stop) {
		struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};

		peer_poll_rx(pr);
		if (poll(&pfd, 1, PEER_IDLE_POLL_MS) <= 0)
			continue;
		ret = peer_read_commands(pr);
		if (ret != 0)
			break;
	}
	free(pr);
	return ret < 0 ? ret : 0;
}

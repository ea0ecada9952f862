/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stream: the phases are learn (announce every MAC), warm-up, settle (stop sending until
 * nothing more arrives, so frames sent during the warm-up are not counted as received in
 * the measured period), measure, and drain (receive what is still in flight).  Counting
 * this way, rx <= tx unless the switch duplicates frames, and loss is exact.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>

#include "frame.h"
#include "json.h"
#include "stream.h"

#define STREAM_BURST	       32
#define STREAM_ANNOUNCES       4 /* broadcast frames per port before streaming */
#define STREAM_LEARN_WAIT_MS   100
#define STREAM_SETTLE_QUIET_MS 5 /* after the warm-up: this long with nothing received */
#define STREAM_SETTLE_MAX_MS   500
#define STREAM_DRAIN_QUIET_MS  20 /* at the end */
#define STREAM_DRAIN_MAX_MS    1000
#define STREAM_WIRE_GAP	       20 /* preamble 8 and inter-frame gap 12 bytes */

struct stream_counters {
	uint64_t tx_packets;
	uint64_t tx_dropped; /* built, but the tx ring was full */
	uint64_t tx_nombuf;  /* bursts not built: the mbuf pool was empty */
	uint64_t rx_packets;
	uint64_t rx_bytes;
};

/* One port's sender and counters: written only by the streaming loop. */
struct stream_port {
	uint16_t id;
	uint16_t frame_size;
	uint16_t sport_off; /* UDP source port offset in frame; 0 when there is one flow */
	uint32_t flow;	    /* next flow */
	uint32_t flows;
	uint64_t tokens; /* rate limit credit, in packets * TSC hz */
	struct stream_counters cnt;
	struct stream_counters base; /* cnt when the measured period started */
	struct stream_counters tick; /* cnt at the last line printed */
	uint8_t frame[FRAME_SIZE_MAX] __rte_cache_aligned;
} __rte_cache_aligned;

struct stream {
	const struct stream_config *cfg;
	const struct port *ports;
	unsigned int nports;
	struct rte_mempool *mp;
	const volatile sig_atomic_t *stop;
	uint64_t hz;
	uint64_t start_tsc; /* the warm-up started */
	uint64_t tick_tsc;  /* the last line was printed */
	uint64_t next_tick_tsc;
	bool measuring;
	FILE *progress; /* where the lines each second go */
	struct stream_port port[PORT_MAX];
};

static int stream_init(struct stream *st)
{
	unsigned int i;

	for (i = 0; i < st->nports; i++) {
		struct stream_port *s = &st->port[i];
		unsigned int peer = i ^ 1;
		struct frame_spec f = {
			.dst = st->ports[peer].spec.mac,
			.src = st->ports[i].spec.mac,
			.vlan = -1,
			.ethertype = RTE_ETHER_TYPE_IPV4,
			.ip_src = frame_ip((uint8_t)(i + 1)),
			.ip_dst = frame_ip((uint8_t)(peer + 1)),
			.size = st->cfg->frame_size,
		};
		int ret = frame_build(s->frame, sizeof(s->frame), &f);

		if (ret < 0)
			return ret;
		s->id = st->ports[i].id;
		s->frame_size = (uint16_t)f.size;
		s->flows = st->cfg->flows;
		s->sport_off = st->cfg->flows > 1 ? (uint16_t)frame_udp_sport_offset(&f) : 0;
	}
	return 0;
}

/* Receive one burst on s and count it. @return the number of frames. */
static inline uint16_t stream_rx(struct stream_port *s)
{
	struct rte_mbuf *pkts[STREAM_BURST];
	uint64_t bytes = 0;
	uint16_t n, k;

	n = rte_eth_rx_burst(s->id, 0, pkts, STREAM_BURST);
	if (n == 0)
		return 0;
	for (k = 0; k < n; k++)
		bytes += pkts[k]->pkt_len;
	s->cnt.rx_packets += n;
	s->cnt.rx_bytes += bytes;
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* Send want (<= STREAM_BURST) copies of s's frame; what the ring does not take is freed. */
static inline void stream_tx(struct stream_port *s, struct rte_mempool *mp, unsigned int want)
{
	struct rte_mbuf *pkts[STREAM_BURST];
	unsigned int k;
	uint16_t sent;

	if (unlikely(rte_pktmbuf_alloc_bulk(mp, pkts, want) != 0)) {
		s->cnt.tx_nombuf++;
		return;
	}
	for (k = 0; k < want; k++) {
		uint8_t *d = rte_pktmbuf_mtod(pkts[k], uint8_t *);

		rte_memcpy(d, s->frame, s->frame_size);
		pkts[k]->data_len = s->frame_size;
		pkts[k]->pkt_len = s->frame_size;
	}
	if (s->sport_off != 0) {
		/* UDP checksum 0 and the IP header untouched: nothing to recompute. */
		for (k = 0; k < want; k++) {
			uint8_t *d = rte_pktmbuf_mtod(pkts[k], uint8_t *);

			*(rte_be16_t *)(d + s->sport_off) =
				rte_cpu_to_be_16((uint16_t)(FRAME_UDP_SPORT_BASE + s->flow));
			if (++s->flow == s->flows)
				s->flow = 0;
		}
	}
	sent = rte_eth_tx_burst(s->id, 0, pkts, (uint16_t)want);
	s->cnt.tx_packets += sent;
	if (unlikely(sent < want)) {
		s->cnt.tx_dropped += want - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], want - sent);
	}
}

/* Send 4 gratuitous ARPs from every port, so a learning switch knows every MAC. */
static void stream_announce(struct stream *st)
{
	const uint64_t give_up = rte_rdtsc() + st->hz / 10;
	unsigned int i, k;

	for (i = 0; i < st->nports; i++) {
		const struct port *p = &st->ports[i];

		for (k = 0; k < STREAM_ANNOUNCES && rte_rdtsc() < give_up;) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(st->mp);

			if (m == NULL)
				break;
			frame_build_announce(rte_pktmbuf_mtod(m, uint8_t *),
					     rte_pktmbuf_tailroom(m), &p->spec.mac,
					     frame_ip((uint8_t)(i + 1)));
			m->data_len = FRAME_ANNOUNCE_SIZE;
			m->pkt_len = FRAME_ANNOUNCE_SIZE;
			if (rte_eth_tx_burst(p->id, 0, &m, 1) == 1)
				k++;
			else
				rte_pktmbuf_free(m);
		}
	}
}

/* Receive and count on every port until quiet_ms pass with nothing, or max_ms. */
static void stream_drain(struct stream *st, unsigned int quiet_ms, unsigned int max_ms)
{
	uint64_t now = rte_rdtsc();
	const uint64_t give_up = now + st->hz * max_ms / 1000;
	uint64_t quiet_until = now + st->hz * quiet_ms / 1000;
	unsigned int i;

	while (now < quiet_until && now < give_up) {
		for (i = 0; i < st->nports; i++)
			if (stream_rx(&st->port[i]) != 0)
				quiet_until = now + st->hz * quiet_ms / 1000;
		now = rte_rdtsc();
	}
}

static void stream_zero(struct stream *st)
{
	unsigned int i;

	for (i = 0; i < st->nports; i++) {
		memset(&st->port[i].cnt, 0, sizeof(st->port[i].cnt));
		st->port[i].base = st->port[i].cnt;
		st->port[i].tick = st->port[i].cnt;
	}
}

/* The line each second: totals, then each port's tx/rx, all in Mpps. */
static void stream_print_tick(struct stream *st, uint64_t now)
{
	double secs = (double)(now - st->tick_tsc) / (double)st->hz;
	uint64_t tx = 0, rx = 0;
	unsigned int i;

	for (i = 0; i < st->nports; i++) {
		tx += st->port[i].cnt.tx_packets - st->port[i].tick.tx_packets;
		rx += st->port[i].cnt.rx_packets - st->port[i].tick.rx_packets;
	}
	fprintf(st->progress, "%4.0fs  tx %6.3f Mpps  rx %6.3f Mpps  (per port:",
		(double)(now - st->start_tsc) / (double)st->hz, (double)tx / secs / 1e6,
		(double)rx / secs / 1e6);
	for (i = 0; i < st->nports; i++) {
		struct stream_port *s = &st->port[i];

		fprintf(st->progress, " p%u %.2f/%.2f", i,
			(double)(s->cnt.tx_packets - s->tick.tx_packets) / secs / 1e6,
			(double)(s->cnt.rx_packets - s->tick.rx_packets) / secs / 1e6);
		s->tick = s->cnt;
	}
	fprintf(st->progress, ")%s\n", st->measuring ? "" : "  warm-up");
	fflush(st->progress);
	st->tick_tsc = now;
}

/*
 * The streaming loop, until end_tsc or *stop: on each port receive a burst, then send
 * one (rate permitting).  The TSC is read once per iteration.
 */
static void stream_send_until(struct stream *st, uint64_t end_tsc)
{
	const uint64_t rate = st->cfg->rate_pps, hz = st->hz;
	/*
	 * Credit for up to 1 ms of packets (at least a burst): the rate holds on average
	 * through the short stalls a shared core has, without long bursts after them.
	 */
	const uint64_t bucket = RTE_MAX((uint64_t)STREAM_BURST, rate / 1000) * hz;
	const unsigned int nports = st->nports;
	struct rte_mempool *mp = st->mp;
	uint64_t prev = rte_rdtsc();

	while (!*st->stop) {
		const uint64_t now = rte_rdtsc();
		uint64_t credit = 0;
		unsigned int i;

		if (unlikely(now >= st->next_tick_tsc)) {
			if (!st->cfg->quiet)
				stream_print_tick(st, now);
			while (st->next_tick_tsc <= now)
				st->next_tick_tsc += hz;
		}
		if (unlikely(now >= end_tsc))
			break;
		if (rate != 0) {
			/* Capped at 1 s so a long stall cannot overflow the product. */
			credit = RTE_MIN(now - prev, hz) * rate;
			prev = now;
		}
		for (i = 0; i < nports; i++) {
			struct stream_port *s = &st->port[i];
			unsigned int want = STREAM_BURST;

			stream_rx(s);
			if (rate != 0) {
				s->tokens = RTE_MIN(s->tokens + credit, bucket);
				want = (unsigned int)RTE_MIN(s->tokens / hz,
							     (uint64_t)STREAM_BURST);
				s->tokens -= want * hz;
				if (want == 0)
					continue;
			}
			stream_tx(s, mp, want);
		}
	}
}

static double stream_ratio(uint64_t part, uint64_t whole)
{
	return whole != 0 ? (double)part / (double)whole : 0.0;
}

static void stream_print_summary(const struct stream *st, double secs, bool interrupted)
{
	const struct stream_config *cfg = st->cfg;
	const unsigned int wire_size = cfg->frame_size + 4;
	struct stream_counters sum = {0};
	double tx_pps, rx_pps, loss;
	unsigned int i;

	for (i = 0; i < st->nports; i++) {
		const struct stream_port *s = &st->port[i];

		sum.tx_packets += s->cnt.tx_packets - s->base.tx_packets;
		sum.tx_dropped += s->cnt.tx_dropped - s->base.tx_dropped;
		sum.rx_packets += s->cnt.rx_packets - s->base.rx_packets;
		sum.rx_bytes += s->cnt.rx_bytes - s->base.rx_bytes;
		sum.tx_nombuf += s->cnt.tx_nombuf - s->base.tx_nombuf;
	}
	if (sum.tx_nombuf != 0)
		fprintf(stderr,
			"syd-bench: the mbuf pool ran dry %" PRIu64
			" times: the rate is below what "
			"was asked for\n",
			sum.tx_nombuf);
	tx_pps = (double)sum.tx_packets / secs;
	rx_pps = (double)sum.rx_packets / secs;
	loss = sum.tx_packets != 0 ? 1.0 - stream_ratio(sum.rx_packets, sum.tx_packets) : 0.0;

	if (cfg->json) {
		printf("{\"mode\":\"stream\",\"size\":%u,\"flows\":%u,\"rate_pps\":%" PRIu64
		       ",\"warmup_s\":%u,\"duration_s\":%.3f,\"interrupted\":%s,\"tx_pps\":%.0f,"
		       "\"rx_pps\":%.0f,\"tx_packets\":%" PRIu64 ",\"rx_packets\":%" PRIu64
		       ",\"tx_dropped\":%" PRIu64 ",\"loss_ratio\":%.6f,\"ports\":[",
		       wire_size, cfg->flows, cfg->rate_pps, cfg->warmup_s, secs,
		       interrupted ? "true" : "false", tx_pps, rx_pps, sum.tx_packets,
		       sum.rx_packets, sum.tx_dropped, loss);
		for (i = 0; i < st->nports; i++) {
			const struct stream_port *s = &st->port[i];
			char mac[RTE_ETHER_ADDR_FMT_SIZE];

			frame_format_mac(mac, &st->ports[i].spec.mac);
			printf("%s{\"path\":", i != 0 ? "," : "");
			json_write_string(stdout, st->ports[i].spec.path);
			printf(",\"mac\":\"%s\",\"tx_packets\":%" PRIu64 ",\"rx_packets\":%" PRIu64
			       ",\"rx_bytes\":%" PRIu64 ",\"tx_dropped\":%" PRIu64 "}",
			       mac, s->cnt.tx_packets - s->base.tx_packets,
			       s->cnt.rx_packets - s->base.rx_packets,
			       s->cnt.rx_bytes - s->base.rx_bytes,
			       s->cnt.tx_dropped - s->base.tx_dropped);
		}
		printf("]}\n");
		fflush(stdout);
		return;
	}

	printf("\n%u-byte frames, %u flow%s, %s, %.2f s measured after %u s warm-up%s\n", wire_size,
	       cfg->flows, cfg->flows == 1 ? "" : "s",
	       cfg->rate_pps != 0 ? "rate-limited" : "as fast as the ports take them", secs,
	       cfg->warmup_s, interrupted ? " (interrupted)" : "");
	printf("  tx    %8.3f Mpps  %" PRIu64 " frames\n", tx_pps / 1e6, sum.tx_packets);
	printf("  rx    %8.3f Mpps  %" PRIu64 " frames, %.2f Gbit/s on the wire\n", rx_pps / 1e6,
	       sum.rx_packets, rx_pps * (wire_size + STREAM_WIRE_GAP) * 8 / 1e9);
	printf("  loss  %8.4f %%\n", loss * 100.0);
	printf("  %-4s %-19s %-32s %14s %14s %14s\n", "port", "mac", "path", "tx frames",
	       "rx frames", "tx ring full");
	for (i = 0; i < st->nports; i++) {
		const struct stream_port *s = &st->port[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		frame_format_mac(mac, &st->ports[i].spec.mac);
		printf("  p%-3u %-19s %-32s %14" PRIu64 " %14" PRIu64 " %14" PRIu64 "\n", i, mac,
		       st->ports[i].spec.path, s->cnt.tx_packets - s->base.tx_packets,
		       s->cnt.rx_packets - s->base.rx_packets,
		       s->cnt.tx_dropped - s->base.tx_dropped);
	}
	fflush(stdout);
}

int stream_run(const struct stream_config *cfg, const struct port *ports, unsigned int nports,
	       struct rte_mempool *mp, const volatile sig_atomic_t *stop)
{
	const struct timespec learn_wait = {.tv_nsec = STREAM_LEARN_WAIT_MS * 1000000L};
	uint64_t meas_tsc, stop_tsc;
	struct stream *st;
	unsigned int i;
	int ret;

	if (nports == 0 || nports % 2 != 0 || nports > PORT_MAX)
		return -EINVAL;
	st = rte_zmalloc("syd_bench_stream", sizeof(*st), RTE_CACHE_LINE_SIZE);
	if (st == NULL)
		return -ENOMEM;
	st->cfg = cfg;
	st->ports = ports;
	st->nports = nports;
	st->mp = mp;
	st->stop = stop;
	st->hz = rte_get_tsc_hz();
	st->progress = cfg->json ? stderr : stdout;
	ret = stream_init(st);
	if (ret < 0)
		goto out;

	/* Learn: let a learning switch see every station, then start from nothing. */
	stream_announce(st);
	nanosleep(&learn_wait, NULL);
	stream_drain(st, 1, STREAM_LEARN_WAIT_MS);
	stream_zero(st);

	st->start_tsc = st->tick_tsc = rte_rdtsc();
	st->next_tick_tsc = st->start_tsc + st->hz;
	if (cfg->warmup_s != 0) {
		stream_send_until(st, st->start_tsc + cfg->warmup_s * st->hz);
		stream_drain(st, STREAM_SETTLE_QUIET_MS, STREAM_SETTLE_MAX_MS);
	}
	if (*stop) {
		ret = -EINTR;
		goto out;
	}
	st->measuring = true;
	meas_tsc = rte_rdtsc();
	for (i = 0; i < nports; i++)
		st->port[i].base = st->port[i].cnt;
	stream_send_until(st, meas_tsc + cfg->duration_s * st->hz);
	stop_tsc = rte_rdtsc();
	stream_drain(st, STREAM_DRAIN_QUIET_MS, STREAM_DRAIN_MAX_MS);

	stream_print_summary(st, (double)(stop_tsc - meas_tsc) / (double)st->hz, *stop != 0);
	ret = 0;
out:
	rte_free(st);
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stream: paired ports (0<->1, 2<->3, ...) send UDP frames to each other and count
 * what comes back.  Cheap by design, so the switch, not the generator, is the limit:
 * mbufs are allocated in bulk and filled by copying one prebuilt frame.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_udp.h>

#include "bench.h"

struct stream_port {
	uint8_t frame[RTE_ETHER_MAX_LEN];
	unsigned int sport_off; /* offset of the UDP source port in frame */
	uint32_t flow;
	double tokens;
	uint64_t tx, rx, tx_dropped, rx_bytes;
};

static struct stream_port sp[BENCH_MAX_PORTS];

static void send_announces(struct bench_opts *o, struct rte_mempool *mp)
{
	unsigned int i, k;

	for (i = 0; i < o->nports; i++) {
		for (k = 0; k < 4; k++) {
			struct rte_mbuf *m = rte_pktmbuf_alloc(mp);

			if (m == NULL)
				return;
			m->data_len = m->pkt_len = (uint16_t)frame_build_arp_announce(
				rte_pktmbuf_mtod(m, uint8_t *), &o->port[i].mac, frame_port_ip(i));
			if (rte_eth_tx_burst(o->port[i].port_id, 0, &m, 1) == 0)
				rte_pktmbuf_free(m);
		}
	}
}

static void drain(struct bench_opts *o)
{
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned int i;
	uint16_t n;

	for (i = 0; i < o->nports; i++)
		while ((n = rte_eth_rx_burst(o->port[i].port_id, 0, pkts, BENCH_BURST)) > 0)
			rte_pktmbuf_free_bulk(pkts, n);
}

static void tx_burst(struct bench_opts *o, struct rte_mempool *mp, unsigned int i,
		     unsigned int want)
{
	struct stream_port *s = &sp[i];
	struct rte_mbuf *pkts[BENCH_BURST];
	unsigned int k;
	uint16_t sent;

	if (rte_pktmbuf_alloc_bulk(mp, pkts, want) != 0)
		return;
	for (k = 0; k < want; k++) {
		uint8_t *d = rte_pktmbuf_mtod(pkts[k], uint8_t *);

		rte_memcpy(d, s->frame, o->size);
		pkts[k]->data_len = (uint16_t)o->size;
		pkts[k]->pkt_len = o->size;
		if (o->flows > 1) {
			*(uint16_t *)(d + s->sport_off) =
				rte_cpu_to_be_16((uint16_t)(FRAME_UDP_SPORT_BASE + s->flow));
			if (++s->flow == o->flows)
				s->flow = 0;
		}
	}
	sent = rte_eth_tx_burst(o->port[i].port_id, 0, pkts, (uint16_t)want);
	s->tx += sent;
	if (sent < want) {
		s->tx_dropped += want - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], want - sent);
	}
}

static void totals(struct bench_opts *o, uint64_t *tx, uint64_t *rx)
{
	unsigned int i;

	*tx = *rx = 0;
	for (i = 0; i < o->nports; i++) {
		*tx += sp[i].tx;
		*rx += sp[i].rx;
	}
}

int stream_run(struct bench_opts *o, struct rte_mempool *mp)
{
	const uint64_t hz = rte_get_tsc_hz();
	struct rte_mbuf *pkts[BENCH_BURST];
	struct timespec nap = {.tv_nsec = 100 * 1000 * 1000};
	uint64_t start, now, prev, next_tick, end, measure_start, t_meas = 0, t_stop;
	uint64_t tx0 = 0, rx0 = 0, tick_tx = 0, tick_rx = 0, tx1, rx1;
	struct stream_port base[BENCH_MAX_PORTS];
	unsigned int i, second = 0;
	double secs;

	for (i = 0; i < o->nports; i++) {
		unsigned int peer = i ^ 1;
		int vlan = -1;

		frame_build_udp(sp[i].frame, o->size, &o->port[peer].mac, &o->port[i].mac,
				frame_port_ip(i), frame_port_ip(peer), vlan, RTE_ETHER_TYPE_IPV4);
		sp[i].sport_off = RTE_ETHER_HDR_LEN + 20;
	}

	/* Let a learning switch see every station, then start clean. */
	send_announces(o, mp);
	nanosleep(&nap, NULL);
	drain(o);
	memset(base, 0, sizeof(base));
	for (i = 0; i < o->nports; i++) {
		memset(&sp[i].tx, 0, sizeof(uint64_t) * 4);
		sp[i].tokens = 0;
	}

	start = prev = rte_rdtsc();
	next_tick = start + hz;
	measure_start = start + o->warmup_s * hz;
	end = measure_start + o->duration_s * hz;
	while (!bench_quit) {
		now = rte_rdtsc();
		if (now >= end)
			break;
		for (i = 0; i < o->nports; i++) {
			struct stream_port *s = &sp[i];
			uint16_t n = rte_eth_rx_burst(o->port[i].port_id, 0, pkts, BENCH_BURST);
			unsigned int want = BENCH_BURST;
			uint16_t k;

			if (n) {
				s->rx += n;
				for (k = 0; k < n; k++)
					s->rx_bytes += pkts[k]->pkt_len;
				rte_pktmbuf_free_bulk(pkts, n);
			}
			if (o->rate_pps) {
				s->tokens += (double)(now - prev) * (double)o->rate_pps / (double)hz;
				if (s->tokens > BENCH_BURST)
					s->tokens = BENCH_BURST;
				want = (unsigned int)s->tokens;
				s->tokens -= want;
			}
			if (want)
				tx_burst(o, mp, i, want);
		}
		prev = now;
		if (now >= measure_start && measure_start) {
			totals(o, &tx0, &rx0);
			for (i = 0; i < o->nports; i++)
				base[i] = sp[i];
			measure_start = 0;
			t_meas = now;
		}
		if (now >= next_tick) {
			totals(o, &tx1, &rx1);
			second++;
			if (!o->quiet) {
				fprintf(stderr, "%4us  tx %7.3f Mpps  rx %7.3f Mpps%s\n", second,
					(double)(tx1 - tick_tx) / 1e6,
					(double)(rx1 - tick_rx) / 1e6,
					second <= o->warmup_s ? "  (warm-up)" : "");
			}
			tick_tx = tx1;
			tick_rx = rx1;
			next_tick += hz;
		}
	}
	t_stop = rte_rdtsc();
	/* Let the last frames in flight come back: until 20 ms pass with none (at most 1 s). */
	{
		uint64_t quiet_until = rte_rdtsc() + hz / 50, give_up = rte_rdtsc() + hz;
		uint16_t n, p;

		while (rte_rdtsc() < quiet_until && rte_rdtsc() < give_up) {
			for (p = 0; p < o->nports; p++) {
				n = rte_eth_rx_burst(o->port[p].port_id, 0, pkts, BENCH_BURST);
				if (n == 0)
					continue;
				sp[p].rx += n;
				rte_pktmbuf_free_bulk(pkts, n);
				quiet_until = rte_rdtsc() + hz / 50;
			}
		}
	}
	totals(o, &tx1, &rx1);
	secs = t_meas ? (double)(t_stop - t_meas) / (double)hz : 1e-9;

	if (o->json) {
		printf("{\"mode\":\"stream\",\"size\":%u,\"flows\":%u,\"duration_s\":%.3f,"
		       "\"tx_pps\":%.0f,\"rx_pps\":%.0f,\"tx_packets\":%" PRIu64
		       ",\"rx_packets\":%" PRIu64 ",\"loss_ratio\":%.6f,\"ports\":[",
		       o->size + 4, o->flows, secs, (double)(tx1 - tx0) / secs,
		       (double)(rx1 - rx0) / secs, tx1 - tx0, rx1 - rx0,
		       tx1 > tx0 ? 1.0 - (double)(rx1 - rx0) / (double)(tx1 - tx0) : 0.0);
		for (i = 0; i < o->nports; i++) {
			char mac[RTE_ETHER_ADDR_FMT_SIZE];

			frame_format_mac(mac, &o->port[i].mac);
			printf("%s{\"path\":\"%s\",\"mac\":\"%s\",\"tx_packets\":%" PRIu64
			       ",\"rx_packets\":%" PRIu64 ",\"tx_dropped\":%" PRIu64 "}",
			       i ? "," : "", o->port[i].path, mac, sp[i].tx - base[i].tx,
			       sp[i].rx - base[i].rx, sp[i].tx_dropped - base[i].tx_dropped);
		}
		printf("]}\n");
	} else {
		printf("\n%u-byte frames, %u flow(s), %.1f s measured after %u s warm-up:\n",
		       o->size + 4, o->flows, secs, o->warmup_s);
		printf("  sent     %7.3f Mpps (%" PRIu64 " frames)\n",
		       (double)(tx1 - tx0) / secs / 1e6, tx1 - tx0);
		printf("  received %7.3f Mpps (%" PRIu64 " frames), %.2f Gbit/s on the wire\n",
		       (double)(rx1 - rx0) / secs / 1e6, rx1 - rx0,
		       (double)(rx1 - rx0) * (o->size + 4 + 20) * 8 / secs / 1e9);
		printf("  loss     %.3f%%\n",
		       tx1 > tx0 ? 100.0 * (1.0 - (double)(rx1 - rx0) / (double)(tx1 - tx0)) : 0.0);
		for (i = 0; i < o->nports; i++)
			printf("  port %u %s: sent %" PRIu64 ", received %" PRIu64
			       ", not taken by the ring %" PRIu64 "\n",
			       i, o->port[i].path, sp[i].tx - base[i].tx, sp[i].rx - base[i].rx,
			       sp[i].tx_dropped - base[i].tx_dropped);
	}
	fflush(stdout);
	return 0;
}

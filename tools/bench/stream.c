/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * stream: the phases of a trial are warm-up, settle (stop sending until nothing more
 * arrives, so frames sent during the warm-up are not counted as received in the measured
 * period), measure, and drain (receive what is still in flight).  Counting this way,
 * rx <= tx unless the switch duplicates frames, and loss is exact.
 */
#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_memcpy.h>
#include <rte_udp.h>

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
#define STREAM_FCS	       4
#define STREAM_COPY	       64 /* bytes copied from a prebuilt frame: headers and stamp */
#define STREAM_COPY_VXLAN      128 /* the same with the VXLAN headers in front */
#define STREAM_TEMPLATES       3
#define STREAM_IMIX_PATTERN    12
#define STREAM_GEN_SHORT       0.97 /* offered below this share of the rate: gen_limited */

/* Simple IMIX, 7:4:1 of 64, 594 and 1518 bytes on the wire, interleaved. */
static const uint16_t stream_imix_sizes[STREAM_TEMPLATES] = {60, 590, 1514};
static const uint8_t stream_imix_pattern[STREAM_IMIX_PATTERN] = {0, 1, 0, 0, 1, 0,
								 2, 0, 1, 0, 0, 1};

/* One port's sender, receiver and counters: written only by the streaming loop. */
struct stream_port {
	uint16_t id;
	uint16_t stamp_off; /* where struct frame_stamp goes */
	uint16_t ip_off;    /* IPv4 header, for the flows' patches */
	uint16_t rx_stamp_off;	      /* where it is in the frames the peer sends, as they arrive */
	uint16_t copy;		      /* STREAM_COPY, or STREAM_COPY_VXLAN */
	const struct port_spec *vtep; /* the port is a remote VTEP (spec->vxlan), or NULL */
	uint8_t npattern;   /* 1, or STREAM_IMIX_PATTERN */
	uint8_t next;	    /* next index into pattern */
	uint8_t pattern[STREAM_IMIX_PATTERN];
	uint16_t len[STREAM_TEMPLATES];
	/* The flow tuple k = (ip * sports + sport) * ... kept as three counters. */
	uint32_t flow, flows;
	uint32_t ip, ips;
	uint32_t sport, dport;
	uint32_t seq;
	bool check_order;
	uint32_t rx_seq; /* --check-order: the next sequence number expected from the peer */
	uint64_t tokens; /* rate limit credit, in packets * TSC hz */
	struct stream_counters cnt;
	struct stream_counters base; /* cnt when the measured period started */
	struct stream_counters tick; /* cnt at the last line printed */
	struct latency lat;	     /* of frames received here, since the period started */
	uint8_t frame[STREAM_TEMPLATES][FRAME_SIZE_MAX + FRAME_VXLAN_OVERHEAD] __rte_cache_aligned;
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

double stream_wire_size(const struct stream_config *cfg)
{
	if (cfg->frame_size == STREAM_SIZE_IMIX)
		return STREAM_IMIX_WIRE_MEAN;
	return cfg->frame_size + STREAM_FCS;
}

uint64_t stream_hz(const struct stream *st)
{
	return st->hz;
}

static int stream_init_port(struct stream *st, unsigned int i)
{
	const struct stream_config *cfg = st->cfg;
	const struct port_spec *spec = &st->ports[i].spec;
	struct stream_port *s = &st->port[i];
	unsigned int peer = i ^ 1, t, ntemplates = 1;
	/* A remote VTEP's frames carry the VXLAN headers in front of the inner frame. */
	unsigned int outer = spec->vxlan ? FRAME_VXLAN_OVERHEAD : 0;
	unsigned int rx_outer = st->ports[peer].spec.vxlan ? 0 : outer;
	struct frame_spec f = {
		.dst = st->ports[peer].spec.mac,
		.src = st->ports[i].spec.mac,
		.vlan = -1,
		.ethertype = RTE_ETHER_TYPE_IPV4,
		.ip_src = frame_ip((uint8_t)(i + 1)),
		.ip_dst = cfg->dst_ips > 1 ? rte_cpu_to_be_32(RTE_IPV4(198, 19, 0, 0))
					   : frame_ip((uint8_t)(peer + 1)),
	};

	s->npattern = 1;
	if (cfg->frame_size == STREAM_SIZE_IMIX) {
		ntemplates = STREAM_TEMPLATES;
		s->npattern = STREAM_IMIX_PATTERN;
		memcpy(s->pattern, stream_imix_pattern, sizeof(s->pattern));
	}
	for (t = 0; t < ntemplates; t++) {
		struct frame_stamp stamp = {.magic = FRAME_STAMP_MAGIC};
		int ret;

		f.size = ntemplates > 1 ? stream_imix_sizes[t] : cfg->frame_size;
		ret = frame_build(s->frame[t] + outer, sizeof(s->frame[t]) - outer, &f);
		if (ret < 0)
			return ret;
		/* The same headers in every template: only the lengths and checksum differ. */
		if (frame_stamp_offset(&f) == 0 || frame_ipv4_offset(&f) == 0)
			return -EINVAL;
		s->stamp_off = (uint16_t)(frame_stamp_offset(&f) + outer);
		s->ip_off = (uint16_t)(frame_ipv4_offset(&f) + outer);
		s->rx_stamp_off = (uint16_t)(frame_stamp_offset(&f) + rx_outer);
		memcpy(s->frame[t] + s->stamp_off, &stamp, sizeof(stamp));
		if (outer != 0) {
			ret = frame_build_vxlan(s->frame[t], sizeof(s->frame[t]), &spec->vx,
						s->frame[t] + outer, f.size);
			if (ret < 0)
				return ret;
		}
		s->len[t] = (uint16_t)(f.size + outer);
	}
	s->copy = outer != 0 ? STREAM_COPY_VXLAN : STREAM_COPY;
	s->vtep = spec->vxlan ? spec : NULL;
	s->id = st->ports[i].id;
	s->flows = cfg->flows;
	s->ips = cfg->dst_ips;
	s->check_order = cfg->check_order;
	latency_reset(&s->lat);
	return 0;
}

/* Count the frames whose sequence number is below one received before from the same
 * sender (the peer port): the switch reordered them.  Reads every frame's payload, so
 * only with --check-order. */
static void stream_check_order(struct stream_port *s, struct rte_mbuf *const *pkts, uint16_t n)
{
	uint16_t k;

	for (k = 0; k < n; k++) {
		const struct frame_stamp *stamp;

		if (pkts[k]->data_len < s->rx_stamp_off + sizeof(*stamp))
			continue;
		stamp = rte_pktmbuf_mtod_offset(pkts[k], const struct frame_stamp *,
						s->rx_stamp_off);
		if (stamp->magic != FRAME_STAMP_MAGIC)
			continue;
		if ((int32_t)(stamp->seq - s->rx_seq) < 0) /* serial arithmetic: wraps */
			s->cnt.rx_reordered++;
		else
			s->rx_seq = stamp->seq + 1;
	}
}

/* A remote VTEP answers the switch's ARP requests for its address among pkts. */
static void stream_answer_arp(struct stream_port *s, struct rte_mempool *mp,
			      struct rte_mbuf *const *pkts, uint16_t n)
{
	const rte_be16_t arp = rte_cpu_to_be_16(RTE_ETHER_TYPE_ARP);
	uint16_t k;

	for (k = 0; k < n; k++) {
		const struct rte_ether_hdr *eth = rte_pktmbuf_mtod(pkts[k], struct rte_ether_hdr *);
		struct rte_mbuf *m;

		if (likely(eth->ether_type != arp))
			continue;
		m = rte_pktmbuf_alloc(mp);
		if (m == NULL)
			return;
		if (frame_build_arp_reply(rte_pktmbuf_mtod(m, uint8_t *), rte_pktmbuf_tailroom(m),
					  (const uint8_t *)eth, pkts[k]->data_len, &s->vtep->mac,
					  s->vtep->vx.ip_src) <= 0) {
			rte_pktmbuf_free(m);
			continue;
		}
		m->data_len = FRAME_ANNOUNCE_SIZE;
		m->pkt_len = FRAME_ANNOUNCE_SIZE;
		if (rte_eth_tx_burst(s->id, 0, &m, 1) != 1)
			rte_pktmbuf_free(m);
	}
}

/* Receive one burst on s, count it, and time its oldest frame. @return the frames. */
static inline uint16_t stream_rx(struct stream_port *s, struct rte_mempool *mp)
{
	struct rte_mbuf *pkts[STREAM_BURST];
	const struct frame_stamp *stamp;
	uint64_t bytes = 0;
	uint16_t n, k;

	n = rte_eth_rx_burst(s->id, 0, pkts, STREAM_BURST);
	if (n == 0)
		return 0;
	for (k = 0; k < n; k++)
		bytes += pkts[k]->pkt_len;
	s->cnt.rx_packets += n;
	s->cnt.rx_bytes += bytes;
	if (s->check_order)
		stream_check_order(s, pkts, n);
	if (s->vtep != NULL)
		stream_answer_arp(s, mp, pkts, n);
	if (likely(pkts[0]->data_len >= s->rx_stamp_off + sizeof(*stamp))) {
		stamp = rte_pktmbuf_mtod_offset(pkts[0], const struct frame_stamp *,
						s->rx_stamp_off);
		if (likely(stamp->magic == FRAME_STAMP_MAGIC))
			latency_record(&s->lat, rte_rdtsc() - stamp->tsc);
	}
	rte_pktmbuf_free_bulk(pkts, n);
	return n;
}

/* Write the current flow's tuple into frame d, then step to the next flow. */
static inline void stream_patch_flow(struct stream_port *s, uint8_t *d)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(d + s->ip_off);
	struct rte_udp_hdr *udp = (struct rte_udp_hdr *)(ip + 1);

	udp->src_port = rte_cpu_to_be_16((uint16_t)(FRAME_UDP_SPORT_BASE + s->sport));
	udp->dst_port = rte_cpu_to_be_16((uint16_t)(FRAME_UDP_DPORT + s->dport));
	if (s->ips > 1) {
		/*
		 * The template's address ends in .0.0 and adds nothing to its checksum, so
		 * (RFC 1624) the new checksum is ~(~old + the new low 16 bits).
		 */
		uint32_t sum = (uint16_t)~rte_be_to_cpu_16(ip->hdr_checksum) + s->ip;

		sum = (sum & 0xffff) + (sum >> 16);
		ip->dst_addr = rte_cpu_to_be_32(RTE_IPV4(198, 19, 0, 0) + s->ip);
		ip->hdr_checksum = rte_cpu_to_be_16((uint16_t)~sum);
	}
	/* k = ip + ips * (sport + STREAM_SPORTS * dport), as counters: no division. */
	if (unlikely(++s->flow == s->flows)) {
		s->flow = s->ip = s->sport = s->dport = 0;
	} else if (++s->ip == s->ips) {
		s->ip = 0;
		if (++s->sport == STREAM_SPORTS) {
			s->sport = 0;
			s->dport++;
		}
	}
}

/* Send want (<= STREAM_BURST) frames stamped with now; what the ring refuses is freed. */
static inline void stream_tx(struct stream_port *s, struct rte_mempool *mp, unsigned int want,
			     uint64_t now)
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
		unsigned int t = s->pattern[s->next];
		struct frame_stamp *stamp = (struct frame_stamp *)(d + s->stamp_off);

		if (s->npattern > 1 && ++s->next == s->npattern)
			s->next = 0;
		if (likely(s->copy == STREAM_COPY)) /* a constant size copies faster */
			rte_memcpy(d, s->frame[t], STREAM_COPY);
		else
			rte_memcpy(d, s->frame[t], STREAM_COPY_VXLAN);
		pkts[k]->data_len = s->len[t];
		pkts[k]->pkt_len = s->len[t];
		stamp->tsc = now;
		stamp->seq = s->seq++;
		if (s->flows > 1)
			stream_patch_flow(s, d);
	}
	sent = rte_eth_tx_burst(s->id, 0, pkts, (uint16_t)want);
	s->cnt.tx_packets += sent;
	if (unlikely(sent < want)) {
		s->cnt.tx_dropped += want - sent;
		rte_pktmbuf_free_bulk(&pkts[sent], want - sent);
	}
}

/*
 * One gratuitous ARP from port p for ip; a remote VTEP sends it inside VXLAN (inner) or
 * for its own address (the switch learns its next hop).  @return whether it was sent.
 */
static bool stream_announce_one(struct stream *st, const struct port *p, rte_be32_t ip, bool inner)
{
	unsigned int outer = inner ? FRAME_VXLAN_OVERHEAD : 0;
	struct rte_mbuf *m = rte_pktmbuf_alloc(st->mp);
	uint8_t *d;

	if (m == NULL)
		return false;
	d = rte_pktmbuf_mtod(m, uint8_t *);
	frame_build_announce(d + outer, rte_pktmbuf_tailroom(m) - outer, &p->spec.mac,
			     inner || !p->spec.vxlan ? ip : p->spec.vx.ip_src);
	if (inner)
		frame_build_vxlan(d, rte_pktmbuf_tailroom(m), &p->spec.vx, d + outer,
				  FRAME_ANNOUNCE_SIZE);
	m->data_len = (uint16_t)(FRAME_ANNOUNCE_SIZE + outer);
	m->pkt_len = m->data_len;
	if (rte_eth_tx_burst(p->id, 0, &m, 1) == 1)
		return true;
	rte_pktmbuf_free(m);
	return false;
}

/*
 * Send 4 gratuitous ARPs from every port, so a learning switch knows every MAC; a remote
 * VTEP sends 4 for its address and 4 inside VXLAN.
 */
static void stream_announce(struct stream *st)
{
	const uint64_t give_up = rte_rdtsc() + st->hz / 10;
	unsigned int i, k;

	for (i = 0; i < st->nports; i++) {
		const struct port *p = &st->ports[i];
		rte_be32_t ip = frame_ip((uint8_t)(i + 1));

		for (k = 0; k < STREAM_ANNOUNCES && rte_rdtsc() < give_up;)
			k += stream_announce_one(st, p, ip, false);
		for (k = 0; p->spec.vxlan && k < STREAM_ANNOUNCES && rte_rdtsc() < give_up;)
			k += stream_announce_one(st, p, ip, true);
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
			if (stream_rx(&st->port[i], st->mp) != 0)
				quiet_until = now + st->hz * quiet_ms / 1000;
		now = rte_rdtsc();
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
static void stream_send_until(struct stream *st, uint64_t rate, uint64_t end_tsc)
{
	const uint64_t hz = st->hz;
	/*
	 * Credit for up to 1 ms of packets (at least two bursts): the rate holds on average
	 * through the short stalls a shared core has, without long bursts after them.
	 */
	const uint64_t bucket = RTE_MAX((uint64_t)2 * STREAM_BURST, rate / 1000) * hz;
	const unsigned int nports = st->nports;
	struct rte_mempool *mp = st->mp;
	uint64_t prev = rte_rdtsc();
	unsigned int i;

	for (i = 0; i < nports; i++)
		st->port[i].tokens = 0;
	while (!*st->stop) {
		const uint64_t now = rte_rdtsc();
		uint64_t credit = 0;

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
			stream_rx(s, mp);
			if (rate != 0) {
				/*
				 * Whole bursts only: trickling one frame per poll would make
				 * both the generator and the switch pay a burst's cost per
				 * frame, and measure that instead of the switch.
				 */
				s->tokens = RTE_MIN(s->tokens + credit, bucket);
				if (s->tokens < STREAM_BURST * hz)
					continue;
				s->tokens -= STREAM_BURST * hz;
			}
			stream_tx(s, mp, STREAM_BURST, now);
		}
	}
}

static void stream_sum_result(const struct stream *st, struct stream_result *res)
{
	struct stream_counters *sum = &res->sum;
	double offered;
	unsigned int i;

	memset(sum, 0, sizeof(*sum));
	latency_reset(&res->lat);
	res->nports = st->nports;
	for (i = 0; i < st->nports; i++) {
		const struct stream_port *s = &st->port[i];
		struct stream_counters *p = &res->port[i];

		p->tx_packets = s->cnt.tx_packets - s->base.tx_packets;
		p->tx_dropped = s->cnt.tx_dropped - s->base.tx_dropped;
		p->tx_nombuf = s->cnt.tx_nombuf - s->base.tx_nombuf;
		p->rx_packets = s->cnt.rx_packets - s->base.rx_packets;
		p->rx_bytes = s->cnt.rx_bytes - s->base.rx_bytes;
		p->rx_reordered = s->cnt.rx_reordered - s->base.rx_reordered;
		sum->tx_packets += p->tx_packets;
		sum->tx_dropped += p->tx_dropped;
		sum->tx_nombuf += p->tx_nombuf;
		sum->rx_packets += p->rx_packets;
		sum->rx_bytes += p->rx_bytes;
		sum->rx_reordered += p->rx_reordered;
		latency_merge(&res->lat, &s->lat);
	}
	res->tx_pps = (double)sum->tx_packets / res->secs;
	res->rx_pps = (double)sum->rx_packets / res->secs;
	res->rx_gbps = ((double)sum->rx_bytes +
			(double)sum->rx_packets * (STREAM_FCS + STREAM_WIRE_GAP)) *
		       8 / res->secs / 1e9;
	offered = (double)(sum->tx_packets + sum->tx_dropped + sum->tx_nombuf * STREAM_BURST);
	res->offered_pps = offered / res->secs;
	if (res->rate_pps != 0) {
		res->loss = offered > 0 ? 1.0 - (double)sum->rx_packets / offered : 0.0;
		res->gen_limited = res->offered_pps < STREAM_GEN_SHORT * (double)res->rate_pps *
							      st->nports;
	} else {
		res->offered_pps = res->tx_pps;
		res->loss = sum->tx_packets != 0
				    ? 1.0 - (double)sum->rx_packets / (double)sum->tx_packets
				    : 0.0;
	}
	if (res->loss < 0)
		res->loss = 0; /* a duplicating switch: reported by the counters, not here */
}

int stream_trial(struct stream *st, uint64_t rate_pps, unsigned int warmup_s,
		 unsigned int duration_s, struct stream_result *res)
{
	uint64_t meas_tsc, stop_tsc;
	unsigned int i;

	memset(res, 0, offsetof(struct stream_result, lat));
	res->rate_pps = rate_pps;
	st->measuring = false;
	st->start_tsc = st->tick_tsc = rte_rdtsc();
	st->next_tick_tsc = st->start_tsc + st->hz;
	for (i = 0; i < st->nports; i++)
		st->port[i].tick = st->port[i].cnt;
	if (warmup_s != 0) {
		stream_send_until(st, rate_pps, st->start_tsc + warmup_s * st->hz);
		stream_drain(st, STREAM_SETTLE_QUIET_MS, STREAM_SETTLE_MAX_MS);
	}
	if (*st->stop)
		return -EINTR;
	st->measuring = true;
	meas_tsc = rte_rdtsc();
	for (i = 0; i < st->nports; i++) {
		st->port[i].base = st->port[i].cnt;
		latency_reset(&st->port[i].lat);
	}
	stream_send_until(st, rate_pps, meas_tsc + duration_s * st->hz);
	stop_tsc = rte_rdtsc();
	stream_drain(st, STREAM_DRAIN_QUIET_MS, STREAM_DRAIN_MAX_MS);
	res->secs = (double)(stop_tsc - meas_tsc) / (double)st->hz;
	res->interrupted = *st->stop != 0;
	stream_sum_result(st, res);
	return 0;
}

int stream_open(const struct stream_config *cfg, const struct port *ports, unsigned int nports,
		struct rte_mempool *mp, const volatile sig_atomic_t *stop, struct stream **out)
{
	const struct timespec learn_wait = {.tv_nsec = STREAM_LEARN_WAIT_MS * 1000000L};
	struct stream *st;
	unsigned int i;
	int ret;

	if (nports == 0 || nports % 2 != 0 || nports > PORT_MAX || cfg->flows == 0 ||
	    cfg->dst_ips == 0 || cfg->dst_ips > STREAM_DST_IPS_MAX)
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
	for (i = 0; i < nports; i++) {
		ret = stream_init_port(st, i);
		if (ret < 0) {
			rte_free(st);
			return ret;
		}
	}
	/* Learn: let a learning switch see every station, then start from nothing. */
	stream_announce(st);
	nanosleep(&learn_wait, NULL);
	stream_drain(st, 1, STREAM_LEARN_WAIT_MS);
	for (i = 0; i < nports; i++)
		memset(&st->port[i].cnt, 0, sizeof(st->port[i].cnt));
	*out = st;
	return 0;
}

void stream_close(struct stream *st)
{
	rte_free(st);
}

void stream_write_result_json(FILE *f, const struct stream *st, const struct stream_result *res)
{
	const struct stream_counters *sum = &res->sum;
	char reordered[24] = "null"; /* not counted without --check-order */
	unsigned int i;

	if (st->cfg->check_order)
		snprintf(reordered, sizeof(reordered), "%" PRIu64, sum->rx_reordered);
	fprintf(f,
		"{\"rate_pps\":%" PRIu64 ",\"duration_s\":%.3f,\"interrupted\":%s,"
		"\"gen_limited\":%s,\"offered_pps\":%.0f,\"tx_pps\":%.0f,\"rx_pps\":%.0f,"
		"\"rx_gbps\":%.3f,\"tx_packets\":%" PRIu64 ",\"rx_packets\":%" PRIu64
		",\"tx_dropped\":%" PRIu64 ",\"tx_nombuf\":%" PRIu64 ",\"loss_ratio\":%.6f,"
		"\"reordered\":%s,\"latency\":",
		res->rate_pps, res->secs, res->interrupted ? "true" : "false",
		res->gen_limited ? "true" : "false", res->offered_pps, res->tx_pps, res->rx_pps,
		res->rx_gbps, sum->tx_packets, sum->rx_packets, sum->tx_dropped, sum->tx_nombuf,
		res->loss, reordered);
	latency_write_json(f, &res->lat, st->hz);
	fprintf(f, ",\"streams\":[");
	for (i = 0; i < res->nports; i++) {
		const struct stream_counters *tx = &res->port[i], *rx = &res->port[i ^ 1];
		uint64_t sent = tx->tx_packets + (res->rate_pps != 0 ? tx->tx_dropped : 0);

		fprintf(f,
			"%s{\"from\":%u,\"to\":%u,\"tx_packets\":%" PRIu64
			",\"rx_packets\":%" PRIu64 ",\"loss_ratio\":%.6f}",
			i != 0 ? "," : "", i, i ^ 1, sent, rx->rx_packets,
			sent != 0 && rx->rx_packets < sent
				? 1.0 - (double)rx->rx_packets / (double)sent
				: 0.0);
	}
	fprintf(f, "],\"ports\":[");
	for (i = 0; i < res->nports; i++) {
		const struct stream_counters *p = &res->port[i];
		char mac[RTE_ETHER_ADDR_FMT_SIZE];

		frame_format_mac(mac, &st->ports[i].spec.mac);
		fprintf(f, "%s{\"path\":", i != 0 ? "," : "");
		json_write_string(f, st->ports[i].spec.path);
		fprintf(f,
			",\"mac\":\"%s\",\"tx_packets\":%" PRIu64 ",\"rx_packets\":%" PRIu64
			",\"rx_bytes\":%" PRIu64 ",\"tx_dropped\":%" PRIu64 "}",
			mac, p->tx_packets, p->rx_packets, p->rx_bytes, p->tx_dropped);
	}
	fprintf(f, "]}");
}

/* "64" or "IMIX", for tables. */
static void stream_format_size(char *buf, size_t len, const struct stream_config *cfg)
{
	if (cfg->frame_size == STREAM_SIZE_IMIX)
		snprintf(buf, len, "IMIX");
	else
		snprintf(buf, len, "%u", cfg->frame_size + STREAM_FCS);
}

/* The settings as the opening members of a JSON object. */
void stream_write_config_json(FILE *f, const struct stream_config *cfg)
{
	if (cfg->frame_size == STREAM_SIZE_IMIX)
		fprintf(f, "\"size\":\"imix\"");
	else
		fprintf(f, "\"size\":%u", cfg->frame_size + STREAM_FCS);
	fprintf(f, ",\"wire_size_mean\":%.1f,\"flows\":%u,\"dst_ips\":%u,\"warmup_s\":%u",
		stream_wire_size(cfg), cfg->flows, cfg->dst_ips, cfg->warmup_s);
}

static void stream_print_summary(const struct stream *st, const struct stream_result *res)
{
	const struct stream_config *cfg = st->cfg;
	const double ns = 1e9 / (double)st->hz;
	const struct latency *lat = &res->lat;
	char size[16];
	unsigned int i;

	stream_format_size(size, sizeof(size), cfg);
	printf("\n%s-byte frames, %u flow%s, %s, %.2f s measured after %u s warm-up%s\n", size,
	       cfg->flows, cfg->flows == 1 ? "" : "s",
	       cfg->rate_pps != 0 ? "rate-limited" : "as fast as the ports take them", res->secs,
	       cfg->warmup_s, res->interrupted ? " (interrupted)" : "");
	printf("  tx    %8.3f Mpps  %" PRIu64 " frames%s\n", res->tx_pps / 1e6,
	       res->sum.tx_packets, res->gen_limited ? " (below the rate asked: generator-bound)" : "");
	printf("  rx    %8.3f Mpps  %" PRIu64 " frames, %.2f Gbit/s on the wire\n",
	       res->rx_pps / 1e6, res->sum.rx_packets, res->rx_gbps);
	printf("  loss  %8.4f %%\n", res->loss * 100.0);
	if (cfg->check_order)
		printf("  reordered  %" PRIu64 " frames\n", res->sum.rx_reordered);
	if (lat->count != 0)
		printf("  latency  min %.1f  mean %.1f  p99 %.1f  max %.1f us  (%" PRIu64
		       " samples)\n",
		       (double)lat->min * ns / 1e3, (double)lat->sum / (double)lat->count * ns / 1e3,
		       (double)latency_quantile(lat, 0.99) * ns / 1e3, (double)lat->max * ns / 1e3,
		       lat->count);
	printf("  %-4s %-19s %-32s %14s %14s %14s %9s\n", "port", "mac", "path", "tx frames",
	       "rx frames", "tx ring full", "loss to");
	for (i = 0; i < st->nports; i++) {
		const struct stream_counters *p = &res->port[i], *peer = &res->port[i ^ 1];
		char mac[RTE_ETHER_ADDR_FMT_SIZE];
		double loss = p->tx_packets != 0 && peer->rx_packets < p->tx_packets
				      ? 1.0 - (double)peer->rx_packets / (double)p->tx_packets
				      : 0.0;

		frame_format_mac(mac, &st->ports[i].spec.mac);
		printf("  p%-3u %-19s %-32s %14" PRIu64 " %14" PRIu64 " %14" PRIu64
		       "  p%u %.3f%%\n",
		       i, mac, st->ports[i].spec.path, p->tx_packets, p->rx_packets, p->tx_dropped,
		       i ^ 1, loss * 100);
	}
	fflush(stdout);
}

int stream_run(const struct stream_config *cfg, const struct port *ports, unsigned int nports,
	       struct rte_mempool *mp, const volatile sig_atomic_t *stop)
{
	struct stream_result *res;
	struct stream *st;
	int ret;

	res = rte_zmalloc("syd_bench_result", sizeof(*res), 0);
	if (res == NULL)
		return -ENOMEM;
	ret = stream_open(cfg, ports, nports, mp, stop, &st);
	if (ret < 0)
		goto out;
	ret = stream_trial(st, cfg->rate_pps, cfg->warmup_s, cfg->duration_s, res);
	if (ret == 0 && res->sum.tx_nombuf != 0)
		fprintf(stderr,
			"syd-bench: the mbuf pool ran dry %" PRIu64
			" times: the rate is below what was asked for\n",
			res->sum.tx_nombuf);
	if (ret == 0 && cfg->json) {
		printf("{\"mode\":\"stream\",");
		stream_write_config_json(stdout, cfg);
		printf(",\"result\":");
		stream_write_result_json(stdout, st, res);
		/* The result's figures at the top level too, as before. */
		printf(",\"rx_pps\":%.0f,\"tx_pps\":%.0f,\"rx_gbps\":%.3f,\"tx_packets\":%" PRIu64
		       ",\"rx_packets\":%" PRIu64 ",\"tx_dropped\":%" PRIu64
		       ",\"loss_ratio\":%.6f,\"duration_s\":%.3f,\"rate_pps\":%" PRIu64 "}\n",
		       res->rx_pps, res->tx_pps, res->rx_gbps, res->sum.tx_packets,
		       res->sum.rx_packets, res->sum.tx_dropped, res->loss, res->secs,
		       cfg->rate_pps);
		fflush(stdout);
	} else if (ret == 0) {
		stream_print_summary(st, res);
	}
	stream_close(st);
out:
	rte_free(res);
	return ret;
}

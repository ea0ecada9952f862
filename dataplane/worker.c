/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include <stddef.h>
#include <string.h>

#include "parse.h"
#include "trace.h"
#include "worker.h"

_Static_assert(SYD_MAX_PORTS <= 64, "the dirty mask has one bit per port");

/* Port counters.  -Dcounters=false compiles them out, only to measure what they cost. */
#ifdef SYD_NO_COUNTERS
#define COUNT(expr) ((void)0)
#else
#define COUNT(expr) (expr)
#endif

/* Count a dropped packet on port, keep its headers in the ledger, free it. */
static inline void drop(struct worker *w, uint16_t port, struct rte_mbuf *m, enum syd_drop why)
{
	COUNT(w->pc[port].drops[why]++);
	ledger_record(&w->ledger, why, port, rte_pktmbuf_mtod(m, const void *), m->data_len,
		      m->pkt_len, w->now_tsc);
	rte_pktmbuf_free(m);
}

static void drop_bulk(struct worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
		      enum syd_drop why)
{
	uint16_t i;

	for (i = 0; i < n; i++)
		drop(w, port, pkts[i], why);
}

static void tx_flush(struct worker *w, const struct topology *t, uint16_t port)
{
	struct tx_buf *b = &w->tx[port];
	struct port_counters *pc __rte_unused = &w->pc[port];
	uint64_t bytes = 0, unsent_bytes = 0;
	uint16_t i, sent = 0, n = b->n;

	/* Sent mbufs belong to the driver once tx_burst returns: read lengths before. */
	for (i = 0; i < n; i++)
		bytes += b->pkts[i]->pkt_len;
	if (likely(t->port[port].up))
		sent = rte_eth_tx_burst(t->port[port].eth_port, (uint16_t)w->id, b->pkts, n);
	if (unlikely(sent < n)) {
		for (i = sent; i < n; i++)
			unsent_bytes += b->pkts[i]->pkt_len;
		drop_bulk(w, port, &b->pkts[sent], n - sent,
			  t->port[port].up ? SYD_DROP_TX_FULL : SYD_DROP_LINK_DOWN);
	}
	COUNT(pc->tx_packets += sent);
	COUNT(pc->tx_bytes += bytes - unsent_bytes);
	b->n = 0;
	w->dirty &= ~(1ull << port);
}

static void tx_flush_all(struct worker *w, const struct topology *t)
{
	while (w->dirty)
		tx_flush(w, t, (uint16_t)__builtin_ctzll(w->dirty));
}

static inline void tx_add(struct worker *w, const struct topology *t, uint16_t port,
			  struct rte_mbuf *m)
{
	struct tx_buf *b = &w->tx[port];

	b->pkts[b->n++] = m;
	w->dirty |= 1ull << port;
	if (unlikely(b->n == WORKER_BURST))
		tx_flush(w, t, port);
}

/* @return the number of ports the packet went to (0: dropped, no port to flood to). */
static uint16_t flood(struct worker *w, const struct topology *t, uint16_t in, uint16_t network,
		      struct rte_mbuf *m)
{
	const struct topo_network *n = &t->net[network];
	/* The input port is in the flood list exactly when it is up, and it is polled
	 * only when up: every port of the list but one gets a copy. */
	uint16_t copies = (uint16_t)(n->nflood - 1), i;

	if (unlikely(n->nflood <= 1)) {
		drop(w, in, m, SYD_DROP_FLOOD_NO_PORT);
		return 0;
	}
	/* One mbuf, referenced once per output port: vhost tx copies, never writes. */
	if (copies > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(copies - 1));
	for (i = 0; i < n->nflood; i++)
		if (n->flood[i] != in)
			tx_add(w, t, n->flood[i], m);
	return copies;
}

/* Ask the main lcore to learn key on port, unless this worker asked in the last 10 ms. */
static inline void learn_request(struct worker *w, uint64_t key, uint16_t port, uint64_t tsc,
				 uint64_t min_gap)
{
	unsigned int slot = (unsigned int)((key * 0x9e3779b97f4a7c15ull) >> 56) %
			    WORKER_LEARN_FILTER;
	uint64_t tagged = key ^ ((uint64_t)port << 32);

	if (w->learn_recent[slot].key == tagged && tsc - w->learn_recent[slot].tsc < min_gap)
		return;
	w->learn_recent[slot].key = tagged;
	w->learn_recent[slot].tsc = tsc;
	if (unlikely(w->nlearn == WORKER_BURST)) {
		w->wc.learn_lost++;
		return;
	}
	w->learn[w->nlearn].key = key;
	w->learn[w->nlearn].port = port;
	w->nlearn++;
}

static void learn_flush(struct worker *w)
{
	unsigned int n = rte_ring_sp_enqueue_burst_elem(w->learn_ring, w->learn,
							sizeof(struct learn_req), w->nlearn, NULL);

	w->wc.learn_requests += n;
	w->wc.learn_lost += w->nlearn - n;
	w->nlearn = 0;
}

/* Trace bookkeeping, compiled only into the do_trace variant. */
#define TR(stmt)                                                                                   \
	do {                                                                                       \
		if (do_trace && rec != NULL) {                                                     \
			stmt;                                                                      \
		}                                                                                  \
	} while (0)

static __rte_always_inline void switch_burst(struct worker *w, const struct topology *t,
					     uint16_t in, struct rte_mbuf **pkts, uint16_t n,
					     uint32_t now_s, uint64_t tsc, uint64_t learn_gap,
					     const int do_trace)
{
	struct port_counters *pc __rte_unused = &w->pc[in];
	uint16_t network = t->port[in].network;
	/* A one-entry cache of the last source and destination looked up in this burst. */
	uint64_t last_src = 0, last_dst = 0;
	struct mac_slot *dst_slot = NULL;
	struct pkt_key key;
	uint16_t i;

#ifndef SYD_NO_COUNTERS
	for (i = 0; i < n; i++)
		pc->rx_bytes += pkts[i]->pkt_len;
	pc->rx_packets += n;
#endif

	if (unlikely(network == SYD_NO_NETWORK) && !do_trace) {
		drop_bulk(w, in, pkts, n, SYD_DROP_NO_NETWORK);
		return;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct trace_record *rec = NULL;
		uint64_t src_key, dst_key;
		uint16_t out;
		int ret;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		ret = parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, &key);
		if (do_trace && trace_match(&t->trace->filter, in, &key)) {
			rec = trace_claim(t->trace);
			if (rec != NULL) {
				memset(&rec->in_port, 0, sizeof(*rec) - offsetof(struct trace_record,
										 in_port));
				rec->worker = (uint16_t)w->id;
				rec->in_port = in;
				rec->tsc = tsc;
				rec->len = m->pkt_len;
				rec->parse = (int16_t)ret;
				rec->key = key;
				rec->out_port = UINT16_MAX;
			}
		}
		if (unlikely(ret != 0)) {
			TR(rec->drop = (uint8_t)ret);
			drop(w, in, m, ret);
			goto next;
		}
		if (do_trace && unlikely(network == SYD_NO_NETWORK)) {
			TR(rec->drop = SYD_DROP_NO_NETWORK);
			drop(w, in, m, SYD_DROP_NO_NETWORK);
			goto next;
		}
		if (unlikely(rte_is_multicast_ether_addr(&key.src))) {
			TR(rec->drop = SYD_DROP_SRC_MAC_MCAST);
			drop(w, in, m, SYD_DROP_SRC_MAC_MCAST);
			goto next;
		}

		src_key = mac_table_key(network, &key.src);
		if (src_key != last_src) {
			struct mac_slot *s = mac_table_find(t->macs, src_key);

			if (likely(s != NULL && mac_slot_port(s) == in)) {
				mac_slot_touch(s, now_s);
				last_src = src_key;
				TR(rec->src = TRACE_SRC_KNOWN);
			} else {
				learn_request(w, src_key, in, tsc, learn_gap);
				TR(rec->src = TRACE_SRC_LEARN);
			}
		} else {
			TR(rec->src = TRACE_SRC_SAME_AS_PREVIOUS);
		}

		if (rte_is_multicast_ether_addr(&key.dst)) {
			TR(rec->dst = TRACE_DST_MULTICAST);
			out = flood(w, t, in, network, m);
			COUNT(pc->forwarded += out != 0);
			TR(rec->nout = out; if (out == 0) rec->drop = SYD_DROP_FLOOD_NO_PORT);
			goto next;
		}
		dst_key = mac_table_key(network, &key.dst);
		if (dst_key != last_dst) {
			dst_slot = mac_table_find(t->macs, dst_key);
			last_dst = dst_key;
		} else {
			TR(rec->dst_cached = 1);
		}
		if (dst_slot == NULL) {
			TR(rec->dst = TRACE_DST_UNKNOWN);
			out = flood(w, t, in, network, m);
			COUNT(pc->forwarded += out != 0);
			TR(rec->nout = out; if (out == 0) rec->drop = SYD_DROP_FLOOD_NO_PORT);
			goto next;
		}
		out = (uint16_t)mac_slot_port(dst_slot);
		TR(rec->dst = TRACE_DST_KNOWN; rec->out_port = out);
		if (unlikely(out == in)) {
			TR(rec->drop = SYD_DROP_HAIRPIN);
			drop(w, in, m, SYD_DROP_HAIRPIN);
			goto next;
		}
		COUNT(pc->forwarded++);
		if (unlikely(out >= t->nports || !t->port[out].up)) {
			/* Learned on a port whose VM has gone: count it there. */
			TR(rec->drop = SYD_DROP_LINK_DOWN);
			drop(w, out < t->nports ? out : in, m, SYD_DROP_LINK_DOWN);
			goto next;
		}
		TR(rec->nout = 1);
		tx_add(w, t, out, m);
next:
		TR(trace_done(rec));
	}
}

/* The two variants: the worker runs the traced one only while a trace is published. */
static __rte_noinline void switch_burst_plain(struct worker *w, const struct topology *t,
					      uint16_t in, struct rte_mbuf **pkts, uint16_t n,
					      uint32_t now_s, uint64_t tsc, uint64_t learn_gap)
{
	switch_burst(w, t, in, pkts, n, now_s, tsc, learn_gap, 0);
}

#ifndef SYD_NO_TRACE
static __rte_noinline void switch_burst_traced(struct worker *w, const struct topology *t,
					       uint16_t in, struct rte_mbuf **pkts, uint16_t n,
					       uint32_t now_s, uint64_t tsc, uint64_t learn_gap)
{
	switch_burst(w, t, in, pkts, n, now_s, tsc, learn_gap, 1);
}
#endif

int worker_main(void *arg)
{
	struct worker *w = arg;
	const uint64_t learn_gap = rte_get_tsc_hz() / 100;
	struct rte_mbuf *pkts[WORKER_BURST];
	uint64_t prev, now;

	rte_rcu_qsbr_thread_register(w->qs, w->id);
	rte_rcu_qsbr_thread_online(w->qs, w->id);
	prev = rte_rdtsc();
	while (!*w->quit) {
		const struct topology *t = __atomic_load_n(w->topo, __ATOMIC_ACQUIRE);
		uint32_t now_s = __atomic_load_n(w->now_s, __ATOMIC_RELAXED);
		uint32_t npkts = 0;
		uint16_t q;

		w->now_tsc = prev;
		for (q = 0; q < t->nrxq[w->id]; q++) {
			const struct topo_rxq *rxq = &t->rxq[w->id][q];
			uint16_t n = rte_eth_rx_burst(rxq->eth_port, rxq->queue, pkts, WORKER_BURST);

			if (n == 0)
				continue;
			npkts += n;
			w->wc.burst[31 - __builtin_clz(n)]++; /* n <= 32: buckets 0..5 */
#ifndef SYD_NO_TRACE
			if (unlikely(t->trace != NULL))
				switch_burst_traced(w, t, rxq->port, pkts, n, now_s, prev, learn_gap);
			else
#endif
				switch_burst_plain(w, t, rxq->port, pkts, n, now_s, prev, learn_gap);
		}
		if (w->dirty)
			tx_flush_all(w, t);
		if (w->nlearn)
			learn_flush(w);
		/* Nothing of t is held past this point. */
		rte_rcu_qsbr_quiescent(w->qs, w->id);

		now = rte_rdtsc();
		w->wc.iterations++;
		if (npkts) {
			w->wc.busy_cycles += now - prev;
			w->wc.packets += npkts;
		} else {
			w->wc.idle_cycles += now - prev;
		}
		prev = now;
	}
	rte_rcu_qsbr_thread_offline(w->qs, w->id);
	rte_rcu_qsbr_thread_unregister(w->qs, w->id);
	return 0;
}

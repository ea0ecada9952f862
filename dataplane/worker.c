/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's poll loop and the switching of one received burst: parse (and decap),
 * then the flow tables when they hold rules (worker_flow.h), else the L2 switch
 * (worker_l2.h).
 */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include <stddef.h>
#include <string.h>

#include "worker_flow.h"
#include "worker_l2.h"

_Static_assert(SYD_MAX_PORTS <= 64, "the dirty mask has one bit per port");

static __rte_always_inline void switch_burst(struct worker *w, const struct topology *t,
					     uint16_t in, struct rte_mbuf **pkts, uint16_t n,
					     uint32_t now_s, uint64_t tsc, uint64_t learn_gap,
					     const int do_trace, const int from_uplink)
{
	struct port_counters *pc __rte_unused = &w->pc[in];
	uint16_t network = t->port[in].network;
	const bool rx_cold = t->port[in].rx_cold;
	struct l2_ctx l2 = {
		.now_s = now_s, .tsc = tsc, .learn_gap = learn_gap, .pair_out = UINT16_MAX};
	uint32_t last_vtep_addr = 0, last_vtep_slot = 0;
	const struct classifier *cls = t->flows;
	const struct cls_emc *emc = w->emc; /* the flow tables' cache, with cls */
	const uint32_t seed = cls != NULL ? emc->seed : 0;
	const bool fetch = cls != NULL && cls_emc_fetching(emc);
	struct flow_batch fb;
	struct pkt_key key_l2;
	uint16_t i;

	fb.n = 0;

#ifndef SYD_NO_COUNTERS
	for (i = 0; i < n; i++)
		pc->rx_bytes += pkts[i]->pkt_len;
	pc->rx_packets += n;
#endif

	if (!from_uplink && unlikely(network == SYD_NO_NETWORK) && !do_trace && cls == NULL) {
		drop_bulk(w, in, pkts, n, SYD_DROP_NO_NETWORK);
		return;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct trace_record *rec = NULL;
		/* With flow tables, parsed straight into the packet's slot of the burst. */
		struct pkt_key *key = cls != NULL ? &fb.key[fb.n] : &key_l2;
		uint32_t src_port = in, vtep = 0, vni = 0, remote = 0;
		bool keyed; /* fb.p[fb.n].ck is built */
		uint32_t hash = 0; /* its flow_key_hash() */
		int ret;

		/* Frames this core copied in are in its cache already: fetching them ahead
		 * cost the L2 switch 1.5-3.5 cycles a packet of 15-17 (vhost-user, AMD). */
		if (rx_cold && i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
		/* The L2 switch's shortcut, before any parsing: a frame whose addresses are
		 * those of the burst's last one sent to a known port goes there too (being
		 * whole, it passes the checks that frame passed). */
		if (!from_uplink && cls == NULL && !do_trace &&
		    m->data_len >= PARSE_SWITCHABLE_LEN &&
		    l2_same_pair(&l2, rte_pktmbuf_mtod(m, const void *), network)) {
			l2.run[l2.nrun++] = m;
			continue;
		}
		/* Before this frame can be queued anywhere (with flow tables, the run is empty
		 * until flow_burst()). */
		if (cls == NULL)
			l2_run_flush(w, t, &l2, in);
		if (from_uplink) {
			ret = decap(w, t, m, &network, &vtep, &last_vtep_addr, &last_vtep_slot);
			if (unlikely(ret != 0)) {
				if (ret > 0)
					drop(w, in, m, ret);
				else
					COUNT(pc->forwarded++); /* to the main lcore */
				continue;
			}
			src_port = SYD_VTEP_PORT_BASE + vtep;
			vni = t->net[network].vni; /* what a flow rule can match it on */
			remote = t->vtep[vtep].addr;
		}
		/* The flow tables read the common frame straight into the classifier's key,
		 * the L2 switch reads the addresses from the frame: either parses the rest of
		 * the packet's key only if it needs it (flow_hash(), to send to a VTEP).  Any
		 * other frame, and every frame of a trace, is parsed whole now. */
		keyed = cls != NULL && !do_trace &&
			cls_key_from_frame(&fb.p[fb.n].ck, rte_pktmbuf_mtod(m, const uint8_t *),
					   m->data_len, in, network, vni, remote);
		if (keyed) {
			hash = flow_key_hash(emc, seed, fetch, &fb.p[fb.n].ck);
			ret = 0; /* its pkt_key is marked later, if ever needed (flow_pkt_key()) */
		} else if (cls == NULL && !do_trace) {
			ret = parse_switchable(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len);
			key->flags = PKT_F_LATER;
		} else {
			ret = parse_frame(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, key);
		}
		if (do_trace && trace_match(&t->trace->filter, in, key)) {
			rec = trace_claim(t->trace);
			if (rec != NULL) {
				memset(&rec->in_port, 0, sizeof(*rec) - offsetof(struct trace_record,
										 in_port));
				rec->worker = (uint16_t)w->id;
				rec->in_port = in;
				rec->tsc = tsc;
				rec->len = m->pkt_len;
				rec->parse = (int16_t)ret;
				rec->key = *key;
				rec->out_port = UINT16_MAX;
			}
		}
		if (unlikely(ret != 0)) {
			TR(rec->drop = (uint8_t)ret);
			drop(w, in, m, ret);
			goto next;
		}
		if (do_trace && unlikely(network == SYD_NO_NETWORK) && cls == NULL) {
			TR(rec->drop = SYD_DROP_NO_NETWORK);
			drop(w, in, m, SYD_DROP_NO_NETWORK);
			goto next;
		}
		if (unlikely(rte_is_multicast_ether_addr(rte_pktmbuf_mtod_offset(
			    m, const struct rte_ether_addr *, RTE_ETHER_ADDR_LEN)))) {
			TR(rec->drop = SYD_DROP_SRC_MAC_MCAST);
			drop(w, in, m, SYD_DROP_SRC_MAC_MCAST);
			goto next;
		}

		if (cls != NULL) { /* the flow tables decide, once the burst is parsed */
			if (!keyed) {
				cls_key_from_pkt(&fb.p[fb.n].ck, key, in, network, vni, remote);
				hash = flow_key_hash(emc, seed, fetch, &fb.p[fb.n].ck);
			}
			flow_batch_add(&fb, m, rec, src_port, network, hash, keyed, do_trace,
				       from_uplink);
			continue;
		}
		normal(w, t, &l2, in, network, src_port, m, key, rec, do_trace, from_uplink);
next:
		TR(trace_done(rec));
	}
	if (fb.n > 0)
		flow_burst(w, t, &l2, in, &fb, do_trace, from_uplink);
	l2_run_flush(w, t, &l2, in);
}

/* The variants: traced or not, from a local port or from the uplink.  The worker runs
 * a traced one only while a trace is published. */
#define SWITCH_VARIANT(name, do_trace, from_uplink)                                                \
	static __rte_noinline void name(struct worker *w, const struct topology *t, uint16_t in,  \
					struct rte_mbuf **pkts, uint16_t n, uint32_t now_s,       \
					uint64_t tsc, uint64_t learn_gap)                         \
	{                                                                                          \
		switch_burst(w, t, in, pkts, n, now_s, tsc, learn_gap, do_trace, from_uplink);    \
	}
SWITCH_VARIANT(switch_burst_plain, 0, 0)
SWITCH_VARIANT(switch_burst_uplink, 0, 1)
#ifndef SYD_NO_TRACE
SWITCH_VARIANT(switch_burst_traced, 1, 0)
SWITCH_VARIANT(switch_burst_uplink_traced, 1, 1)
#endif

/* Frames the main lcore wants sent on the uplink (ARP): worker 0 sends them. */
static void inject_drain(struct worker *w, const struct topology *t)
{
	struct rte_mbuf *m[8];
	unsigned int n, i;

	n = rte_ring_sc_dequeue_burst(w->inject, (void **)m, RTE_DIM(m), NULL);
	for (i = 0; i < n; i++) {
		if (t->uplink == TOPO_NO_UPLINK)
			rte_pktmbuf_free(m[i]);
		else
			tx_add(w, t, t->uplink, m[i]);
	}
}

int worker_main(void *arg)
{
	struct worker *w = arg;
	/* Hits reach the rules' counters within 100 ms (dump-flows, idle timeouts): each
	 * flush visits every entry filled at this version, and each one counted costs its
	 * rule's line and counter's line, about 100 cycles.  1,000 flows at 5.5 Mpps: 2.1
	 * cycles a packet flushing every 10 ms (perf), 0.2 every 100 ms. */
	const uint64_t learn_gap = rte_get_tsc_hz() / 100, count_gap = rte_get_tsc_hz() / 10;
	struct rte_mbuf *pkts[WORKER_BURST];
	uint64_t prev, now, mark, sw;

	rte_rcu_qsbr_thread_register(w->qs, w->id);
	rte_rcu_qsbr_thread_online(w->qs, w->id);
	prev = rte_rdtsc();
	while (!*w->quit) {
		const struct topology *t = __atomic_load_n(w->topo, __ATOMIC_ACQUIRE);
		uint32_t now_s = __atomic_load_n(w->now_s, __ATOMIC_RELAXED);
		uint32_t npkts = 0;
		uint16_t q;

		w->now_tsc = prev;
		mark = prev; /* cycles up to mark are counted */
		flow_counts_settle(w, prev, count_gap);
		for (q = 0; q < t->nrxq[w->id]; q++) {
			const struct topo_rxq *rxq = &t->rxq[w->id][q];
			uint16_t n = rte_eth_rx_burst(rxq->eth_port, rxq->queue, pkts, WORKER_BURST);

			if (n == 0) { /* an empty poll is idle time */
				now = rte_rdtsc();
				w->wc.idle_cycles += now - mark;
				mark = now;
				continue;
			}
			npkts += n;
			w->wc.burst[31 - __builtin_clz(n)]++; /* n <= 32: buckets 0..5 */
			sw = rte_rdtsc();
#ifndef SYD_NO_TRACE
			if (unlikely(t->trace != NULL)) {
				if (rxq->port == t->uplink)
					switch_burst_uplink_traced(w, t, rxq->port, pkts, n, now_s,
								   prev, learn_gap);
				else
					switch_burst_traced(w, t, rxq->port, pkts, n, now_s, prev,
							    learn_gap);
			} else
#endif
			if (unlikely(rxq->port == t->uplink))
				switch_burst_uplink(w, t, rxq->port, pkts, n, now_s, prev, learn_gap);
			else
				switch_burst_plain(w, t, rxq->port, pkts, n, now_s, prev, learn_gap);
			/* Send what this burst produced before polling the next queue: the
			 * frames are still in cache for the device's copy. */
			now = rte_rdtsc();
			w->wc.switch_cycles += now - sw;
			tx_flush_all(w, t);
			now = rte_rdtsc();
			w->wc.busy_cycles += now - mark;
			mark = now;
		}
		if (w->inject != NULL && unlikely(!rte_ring_empty(w->inject)))
			inject_drain(w, t);
		if (w->dirty)
			tx_flush_all(w, t);
		if (w->nlearn)
			learn_flush(w);
		/* Nothing of t is held past this point. */
		rte_rcu_qsbr_quiescent(w->qs, w->id);

		now = rte_rdtsc();
		w->wc.iterations++;
		if (npkts) {
			w->wc.busy_cycles += now - mark;
			w->wc.packets += npkts;
		} else {
			w->wc.idle_cycles += now - mark;
		}
		prev = now;
	}
	if (w->emc != NULL)
		cls_emc_flush(w->emc); /* before the rules counted can go */
	rte_rcu_qsbr_thread_offline(w->qs, w->id);
	rte_rcu_qsbr_thread_unregister(w->qs, w->id);
	return 0;
}

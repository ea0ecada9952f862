/* SPDX-License-Identifier: BSD-3-Clause */
#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_prefetch.h>

#include <stddef.h>
#include <string.h>

#include "parse.h"
#include "trace.h"
#include "vxlan.h"
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

/* The inner flow's hash, for the outer UDP source port (underlay ECMP). */
static inline uint32_t flow_hash(const struct pkt_key *k)
{
	return vxlan_inner_hash(k->dst.addr_bytes, k->src.addr_bytes, k->ip_src, k->ip_dst,
				k->ip_proto, k->l4_src, k->l4_dst);
}

/* Count a packet the uplink did not send (no copy was made to keep). */
static inline void uplink_miss(struct worker *w, const struct topology *t, uint16_t in,
			       enum syd_drop why)
{
	COUNT(w->pc[t->uplink != TOPO_NO_UPLINK ? t->uplink : in].drops[why]++);
}

/*
 * Put the outer headers for VTEP slot v in front of m (not shared) and queue it on the
 * uplink.  Drops are counted on the uplink (the output), or on in when there is none.
 */
static inline void encap(struct worker *w, const struct topology *t, uint16_t in,
			 uint16_t network, unsigned int v, struct rte_mbuf *m, uint32_t hash)
{
	const struct topo_vtep *tv = &t->vtep[v];
	uint32_t len = m->pkt_len;
	uint8_t *h;

	if (unlikely(!tv->ok)) {
		drop(w, t->uplink != TOPO_NO_UPLINK ? t->uplink : in, m, SYD_DROP_VTEP_UNRESOLVED);
		return;
	}
	if (unlikely(!vxlan_encap_fits(len, t->mtu))) {
		drop(w, t->uplink, m, SYD_DROP_MTU_EXCEEDED);
		return;
	}
	h = (uint8_t *)rte_pktmbuf_prepend(m, VXLAN_ENCAP_LEN);
	if (unlikely(h == NULL)) { /* no headroom: copy into a fresh buffer */
		struct rte_mbuf *c = rte_pktmbuf_copy(m, w->mp, 0, UINT32_MAX);

		rte_pktmbuf_free(m);
		if (c == NULL || (h = (uint8_t *)rte_pktmbuf_prepend(c, VXLAN_ENCAP_LEN)) == NULL) {
			if (c != NULL)
				rte_pktmbuf_free(c);
			uplink_miss(w, t, in, SYD_DROP_NO_MBUF);
			return;
		}
		m = c;
	}
	vxlan_encap_write(h, &tv->hdr, t->net[network].vni, (uint16_t)len, vxlan_src_port(hash));
	tx_add(w, t, t->uplink, m);
}

/*
 * Flood m in network: a reference to every other local port that is up and, for a frame
 * from a local port, a copy to every remote VTEP of the network (head-end replication;
 * a frame from the uplink never goes back to a VTEP: split horizon).
 * @return the outputs it was given to (0: dropped, nowhere to go).
 */
static uint16_t flood(struct worker *w, const struct topology *t, uint16_t in, uint16_t network,
		      struct rte_mbuf *m, const struct pkt_key *k, const int from_uplink)
{
	const struct topo_network *n = &t->net[network];
	/* A local input port is in the flood list exactly when it is up, and it is polled
	 * only when up: every port of the list but one gets a reference. */
	uint16_t local = (uint16_t)(from_uplink ? n->nflood : n->nflood - 1), i;
	uint16_t remote = from_uplink ? 0 : n->nvteps;

	if (unlikely(local + remote == 0)) {
		drop(w, in, m, SYD_DROP_FLOOD_NO_PORT);
		return 0;
	}
	if (remote) {
		uint32_t hash = flow_hash(k);

		/* Copies first: once references are queued, m may be sent and freed. */
		for (i = 0; i < remote; i++) {
			struct rte_mbuf *c;

			if (unlikely(!t->vtep[n->vtep[i]].ok)) {
				uplink_miss(w, t, in, SYD_DROP_VTEP_UNRESOLVED);
				continue;
			}
			c = rte_pktmbuf_copy(m, w->mp, 0, UINT32_MAX);
			if (unlikely(c == NULL)) {
				uplink_miss(w, t, in, SYD_DROP_NO_MBUF);
				continue;
			}
			encap(w, t, in, network, n->vtep[i], c, hash);
		}
		if (local == 0) {
			rte_pktmbuf_free(m);
			return remote;
		}
	}
	/* One mbuf, referenced once per output port: vhost tx copies, never writes. */
	if (local > 1)
		rte_mbuf_refcnt_update(m, (int16_t)(local - 1));
	for (i = 0; i < n->nflood; i++)
		if (n->flood[i] != in)
			tx_add(w, t, n->flood[i], m);
	return (uint16_t)(local + remote);
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

/* What each decap verdict counts as. */
static const uint8_t decap_drop[VXLAN_VERDICT_MAX] = {
	[VXLAN_V_NOT_IP] = SYD_DROP_UPLINK_OTHER,
	[VXLAN_V_SHORT] = SYD_DROP_VXLAN_SHORT,
	[VXLAN_V_BAD_IP] = SYD_DROP_VXLAN_BAD_IP,
	[VXLAN_V_FRAGMENT] = SYD_DROP_VXLAN_FRAGMENT,
	[VXLAN_V_NOT_UDP] = SYD_DROP_VXLAN_NOT_UDP,
	[VXLAN_V_NOT_OURS] = SYD_DROP_VXLAN_NOT_OURS,
	[VXLAN_V_BAD_PORT] = SYD_DROP_VXLAN_BAD_PORT,
	[VXLAN_V_NO_I_FLAG] = SYD_DROP_VXLAN_NO_I_FLAG,
	[VXLAN_V_SHORT_INNER] = SYD_DROP_VXLAN_SHORT_INNER,
	[VXLAN_V_VLAN] = SYD_DROP_UPLINK_VLAN,
	[VXLAN_V_BAD_UDP_LEN] = SYD_DROP_VXLAN_BAD_UDP_LEN,
};

/*
 * A frame from the uplink: check and strip its outer headers.  @return 0 with *network
 * and *src_vtep (the slot it came from) set and m holding the inner frame; or the drop
 * reason (m untouched); or -1 when m was handed to the main lcore (ARP).
 */
static inline int decap(struct worker *w, const struct topology *t, struct rte_mbuf *m,
			uint16_t *network, uint32_t *src_vtep, uint32_t *last_src,
			uint32_t *last_slot)
{
	struct vxlan_rx rx;
	const struct topo_network *n;
	enum vxlan_verdict v;
	uint16_t net, i;

	v = vxlan_decap_check(rte_pktmbuf_mtod(m, const uint8_t *), m->data_len, t->vtep_addr,
			      t->udp_port, &rx);
	if (unlikely(v != VXLAN_V_OK)) {
		if (v == VXLAN_V_ARP) {
			if (rte_ring_mp_enqueue(w->punt, m) != 0)
				return SYD_DROP_PUNT_FULL;
			return -1;
		}
		return decap_drop[v];
	}
	net = topology_vni_net(t, rx.vni);
	if (unlikely(net == SYD_NO_NETWORK))
		return SYD_DROP_VXLAN_UNKNOWN_VNI;
	/* Only from a VTEP of the network's flood list (the slot of the last one is kept). */
	if (rx.src != *last_src || t->vtep[*last_slot].addr != rx.src || net != *network) {
		n = &t->net[net];
		for (i = 0; i < n->nvteps; i++)
			if (t->vtep[n->vtep[i]].addr == rx.src)
				break;
		if (unlikely(i == n->nvteps))
			return SYD_DROP_VXLAN_UNKNOWN_VTEP;
		*last_src = rx.src;
		*last_slot = n->vtep[i];
	}
	*network = net;
	*src_vtep = *last_slot;
	rte_pktmbuf_adj(m, rx.inner_off);
	if (m->pkt_len > rx.inner_len) /* Ethernet padding after the outer packet */
		rte_pktmbuf_trim(m, (uint16_t)(m->pkt_len - rx.inner_len));
	return 0;
}

/* What the L2 switch keeps across the packets of one burst. */
struct l2_ctx {
	uint64_t last_src; /* a one-entry cache of the last source and destination looked up */
	uint64_t last_dst;
	struct mac_slot *dst_slot;
	uint32_t now_s;
	uint64_t tsc;
	uint64_t learn_gap;
};

/*
 * The L2 switch ("normal"): learn the source (behind in, or behind a remote VTEP: the
 * port value src_port), then send m to where its destination was learned, or flood it
 * in network.
 */
static __rte_always_inline void normal(struct worker *w, const struct topology *t,
				       struct l2_ctx *c, uint16_t in, uint16_t network,
				       uint32_t src_port, struct rte_mbuf *m,
				       const struct pkt_key *key, struct trace_record *rec,
				       const int do_trace, const int from_uplink)
{
	struct port_counters *pc __rte_unused = &w->pc[in];
	uint64_t src_key, dst_key;
	uint16_t out;

	src_key = mac_table_key(network, &key->src);
	if (src_key != c->last_src) {
		struct mac_slot *s = mac_table_find(t->macs, src_key);

		if (likely(s != NULL && mac_slot_port(s) == src_port)) {
			mac_slot_touch(s, c->now_s);
			c->last_src = src_key;
			TR(rec->src = TRACE_SRC_KNOWN);
		} else {
			learn_request(w, src_key, src_port, c->tsc, c->learn_gap);
			TR(rec->src = TRACE_SRC_LEARN);
		}
	} else {
		TR(rec->src = TRACE_SRC_SAME_AS_PREVIOUS);
	}

	if (rte_is_multicast_ether_addr(&key->dst)) {
		TR(rec->dst = TRACE_DST_MULTICAST);
		out = flood(w, t, in, network, m, key, from_uplink);
		COUNT(pc->forwarded += out != 0);
		TR(rec->nout = out; if (out == 0) rec->drop = SYD_DROP_FLOOD_NO_PORT);
		return;
	}
	dst_key = mac_table_key(network, &key->dst);
	if (dst_key != c->last_dst) {
		c->dst_slot = mac_table_find(t->macs, dst_key);
		c->last_dst = dst_key;
	} else {
		TR(rec->dst_cached = 1);
	}
	if (c->dst_slot == NULL) {
		TR(rec->dst = TRACE_DST_UNKNOWN);
		out = flood(w, t, in, network, m, key, from_uplink);
		COUNT(pc->forwarded += out != 0);
		TR(rec->nout = out; if (out == 0) rec->drop = SYD_DROP_FLOOD_NO_PORT);
		return;
	}
	out = (uint16_t)mac_slot_port(c->dst_slot);
	TR(rec->dst = TRACE_DST_KNOWN; rec->out_port = out);
	if (unlikely(out >= SYD_VTEP_PORT_BASE)) {
		if (from_uplink) {
			TR(rec->drop = SYD_DROP_TUNNEL_HAIRPIN);
			drop(w, in, m, SYD_DROP_TUNNEL_HAIRPIN);
			return;
		}
		COUNT(pc->forwarded++);
		TR(rec->out_port = t->uplink; rec->nout = 1);
		encap(w, t, in, network, out - SYD_VTEP_PORT_BASE, m, flow_hash(key));
		return;
	}
	if (unlikely(out == in)) {
		TR(rec->drop = SYD_DROP_HAIRPIN);
		drop(w, in, m, SYD_DROP_HAIRPIN);
		return;
	}
	COUNT(pc->forwarded++);
	if (unlikely(out >= t->nports || !t->port[out].up)) {
		/* Learned on a port whose VM has gone: count it there. */
		TR(rec->drop = SYD_DROP_LINK_DOWN);
		drop(w, out < t->nports ? out : in, m, SYD_DROP_LINK_DOWN);
		return;
	}
	TR(rec->nout = 1);
	tx_add(w, t, out, m);
}

static __rte_always_inline void switch_burst(struct worker *w, const struct topology *t,
					     uint16_t in, struct rte_mbuf **pkts, uint16_t n,
					     uint32_t now_s, uint64_t tsc, uint64_t learn_gap,
					     const int do_trace, const int from_uplink)
{
	struct port_counters *pc __rte_unused = &w->pc[in];
	uint16_t network = t->port[in].network;
	struct l2_ctx l2 = {.now_s = now_s, .tsc = tsc, .learn_gap = learn_gap};
	uint32_t last_vtep_addr = 0, last_vtep_slot = 0;
	struct pkt_key key;
	uint16_t i;

#ifndef SYD_NO_COUNTERS
	for (i = 0; i < n; i++)
		pc->rx_bytes += pkts[i]->pkt_len;
	pc->rx_packets += n;
#endif

	if (!from_uplink && unlikely(network == SYD_NO_NETWORK) && !do_trace) {
		drop_bulk(w, in, pkts, n, SYD_DROP_NO_NETWORK);
		return;
	}
	for (i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		struct trace_record *rec = NULL;
		uint32_t src_port = in, vtep = 0;
		int ret;

		if (i + 1 < n)
			rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
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
		}
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

		normal(w, t, &l2, in, network, src_port, m, &key, rec, do_trace, from_uplink);
next:
		TR(trace_done(rec));
	}
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
			if (unlikely(t->trace != NULL)) {
				if (rxq->port == t->uplink)
					switch_burst_uplink_traced(w, t, rxq->port, pkts, n, now_s,
								   prev, learn_gap);
				else
					switch_burst_traced(w, t, rxq->port, pkts, n, now_s, prev,
							    learn_gap);
				continue;
			}
#endif
			if (unlikely(rxq->port == t->uplink))
				switch_burst_uplink(w, t, rxq->port, pkts, n, now_s, prev, learn_gap);
			else
				switch_burst_plain(w, t, rxq->port, pkts, n, now_s, prev, learn_gap);
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

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's packet path, part 1: transmit buffers, drops, VXLAN encap and decap,
 * flooding and the L2 switch ("normal").  Static inline functions for worker.c only,
 * which includes this file once; kept apart to keep each file readable.
 */
#ifndef SYD_WORKER_L2_H
#define SYD_WORKER_L2_H

#include <rte_branch_prediction.h>
#include <rte_ethdev.h>

#include "parse.h"
#include "trace.h"
#include "vxlan.h"
#include "worker.h"

/* Port counters.  -Dcounters=false compiles them out, only to measure what they cost. */
#ifdef SYD_NO_COUNTERS
#define COUNT(expr) ((void)0)
#else
#define COUNT(expr) (expr)
#endif

/* Keep the headers of m, dropped on port, in the ledger. */
static inline void drop_keep(struct worker *w, uint16_t port, const struct rte_mbuf *m,
			     enum syd_drop why)
{
	ledger_record(&w->ledger, why, port, rte_pktmbuf_mtod(m, const void *), m->data_len,
		      m->pkt_len, w->now_tsc);
}

/* Count a dropped packet on port, keep its headers in the ledger, free it. */
static inline void drop(struct worker *w, uint16_t port, struct rte_mbuf *m, enum syd_drop why)
{
	COUNT(w->pc[port].drops[why]++);
	drop_keep(w, port, m, why);
	rte_pktmbuf_free(m);
}

/* As drop() on each of n packets, in one go: only the last LEDGER_PER_REASON can still be
 * in the ledger after it, so only they are copied (a full uplink drops whole bursts; the
 * copies and one-by-one frees made that drop path cost more than forwarding). */
static void drop_bulk(struct worker *w, uint16_t port, struct rte_mbuf **pkts, uint16_t n,
		      enum syd_drop why)
{
	uint16_t i = n > LEDGER_PER_REASON ? n - LEDGER_PER_REASON : 0;

	COUNT(w->pc[port].drops[why] += n);
	ledger_skip(&w->ledger, why, i);
	for (; i < n; i++)
		drop_keep(w, port, pkts[i], why);
	rte_pktmbuf_free_bulk(pkts, n);
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

/* Queue m on port.  A full queue is sent first: one received burst fills a queue at most
 * (but for a rule's copies), and the worker sends it after switching the burst, so that
 * the switching's cycles (switch_cycles) are its own, not the port's. */
static inline void tx_add(struct worker *w, const struct topology *t, uint16_t port,
			  struct rte_mbuf *m)
{
	struct tx_buf *b = &w->tx[port];

	if (unlikely(b->n == WORKER_BURST))
		tx_flush(w, t, port);
	b->pkts[b->n++] = m;
	w->dirty |= 1ull << port;
}

/* Queue n frames on port, in order, after those queued (as tx_add()). */
static __rte_always_inline void tx_add_bulk(struct worker *w, const struct topology *t,
					    uint16_t port, struct rte_mbuf *const *m, uint16_t n)
{
	struct tx_buf *b = &w->tx[port];

	while (n > 0) {
		uint16_t k;

		if (b->n == WORKER_BURST)
			tx_flush(w, t, port);
		k = RTE_MIN(n, (uint16_t)(WORKER_BURST - b->n));
		memcpy(&b->pkts[b->n], m, k * sizeof(*m));
		b->n = (uint16_t)(b->n + k);
		m += k;
		n = (uint16_t)(n - k);
	}
	w->dirty |= 1ull << port;
}

/* The inner flow's hash, for the outer UDP source port (underlay ECMP).  The L2 path
 * needs more of a frame than its addresses only here, when it goes to a VTEP: a common
 * frame's fields are read from it, any other frame's key is parsed now. */
static inline uint32_t flow_hash(struct pkt_key *k, const struct rte_mbuf *m)
{
	const uint8_t *f = rte_pktmbuf_mtod(m, const uint8_t *);
	struct pkt_flow4 fl;

	if (k->flags & PKT_F_LATER) {
		/* Straight from the frame: a key filled only to be read back costs more. */
		if (parse_common_flow(f, m->data_len, &fl))
			return vxlan_inner_hash(f, f + RTE_ETHER_ADDR_LEN, fl.ip_src, fl.ip_dst,
						fl.ip_proto, fl.l4_src, fl.l4_dst);
		parse_frame(f, m->data_len, k);
	}
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
static inline void encap(struct worker *w, const struct topology *t, uint16_t in, uint32_t vni,
			 unsigned int v, struct rte_mbuf *m, uint32_t hash)
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
	vxlan_encap_write(h, &tv->hdr, vni, (uint16_t)len, vxlan_src_port(hash));
	tx_add(w, t, t->uplink, m);
}

/*
 * Flood m in network: a reference to every other local port that is up and, for a frame
 * from a local port, a copy to every remote VTEP of the network (head-end replication;
 * a frame from the uplink never goes back to a VTEP: split horizon).
 * @return the outputs it was given to (0: dropped, nowhere to go).
 */
static uint16_t flood(struct worker *w, const struct topology *t, uint16_t in, uint16_t network,
		      struct rte_mbuf *m, struct pkt_key *k, const int from_uplink)
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
		uint32_t hash = flow_hash(k, m);

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
			encap(w, t, in, n->vni, n->vtep[i], c, hash);
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
	/* The last frame sent to one known local port from a known source: its first 12
	 * bytes (destination, source), its network and that port.  A frame with the same
	 * 12 bytes in the same network goes the same way at once. */
	uint64_t pair_lo;
	uint32_t pair_hi;
	uint16_t pair_net;
	uint16_t pair_out; /* UINT16_MAX: none yet */
	/* Frames going to pair_out that are not queued yet, in order: l2_run_flush() queues
	 * them together before anything else is queued (one at a time, each would load the
	 * queue's count its predecessor just stored: a chain through memory per frame). */
	uint16_t nrun;
	struct rte_mbuf *run[WORKER_BURST];
	uint32_t now_s;
	uint64_t tsc;
	uint64_t learn_gap;
};

/* Queue the frames of c's run (taken from in) on their port. */
static __rte_always_inline void l2_run_flush(struct worker *w, const struct topology *t,
					     struct l2_ctx *c, uint16_t in)
{
	if (c->nrun == 0)
		return;
	COUNT(w->pc[in].forwarded += c->nrun);
	tx_add_bulk(w, t, c->pair_out, c->run, c->nrun);
	c->nrun = 0;
}

/* Does the frame at eth, in network, go where the burst's last such frame went? */
static inline bool l2_same_pair(const struct l2_ctx *c, const void *eth, uint16_t network)
{
	uint64_t lo;
	uint32_t hi;

	memcpy(&lo, eth, sizeof(lo));
	memcpy(&hi, (const uint8_t *)eth + sizeof(lo), sizeof(hi));
	return lo == c->pair_lo && hi == c->pair_hi && network == c->pair_net &&
	       c->pair_out != UINT16_MAX;
}

/*
 * The L2 switch ("normal"): learn the source (behind in, or behind a remote VTEP: the
 * port value src_port), then send m to where its destination was learned, or flood it
 * in network.
 */
static __rte_always_inline void normal(struct worker *w, const struct topology *t,
				       struct l2_ctx *c, uint16_t in, uint16_t network,
				       uint32_t src_port, struct rte_mbuf *m, struct pkt_key *key,
				       struct trace_record *rec, const int do_trace,
				       const int from_uplink)
{
	struct port_counters *pc __rte_unused = &w->pc[in];
	/* The addresses are read from the frame, which has the latest (set_eth_* rewrites
	 * both) and is not being written, unlike key: a load wider than the stores that
	 * just filled it would stall on store forwarding. */
	const struct rte_ether_addr *eth = rte_pktmbuf_mtod(m, const struct rte_ether_addr *);
	uint64_t src_key, dst_key;
	uint16_t out;
	int src_known = 0;

	if (!do_trace && l2_same_pair(c, eth, network)) {
		c->run[c->nrun++] = m;
		return;
	}
	l2_run_flush(w, t, c, in);
	src_key = mac_table_key(network, &eth[1]);
	if (src_key != c->last_src) {
		struct mac_slot *s = mac_table_find(t->macs, src_key);

		if (likely(s != NULL && mac_slot_port(s) == src_port)) {
			mac_slot_touch(s, c->now_s);
			c->last_src = src_key;
			src_known = 1;
			TR(rec->src = TRACE_SRC_KNOWN);
		} else {
			learn_request(w, src_key, src_port, c->tsc, c->learn_gap);
			TR(rec->src = TRACE_SRC_LEARN);
		}
	} else {
		src_known = 1;
		TR(rec->src = TRACE_SRC_SAME_AS_PREVIOUS);
	}

	if (rte_is_multicast_ether_addr(&eth[0])) {
		TR(rec->dst = TRACE_DST_MULTICAST);
		out = flood(w, t, in, network, m, key, from_uplink);
		COUNT(pc->forwarded += out != 0);
		TR(rec->nout = out; if (out == 0) rec->drop = SYD_DROP_FLOOD_NO_PORT);
		return;
	}
	dst_key = mac_table_key(network, &eth[0]);
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
		encap(w, t, in, t->net[network].vni, out - SYD_VTEP_PORT_BASE, m, flow_hash(key, m));
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
	if (src_known) {
		memcpy(&c->pair_lo, eth, sizeof(c->pair_lo));
		memcpy(&c->pair_hi, (const uint8_t *)eth + sizeof(c->pair_lo), sizeof(c->pair_hi));
		c->pair_net = network;
		c->pair_out = out;
	}
	tx_add(w, t, out, m);
}

#endif /* SYD_WORKER_L2_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The worker's packet path, part 2: the flow tables (flows.h).  A burst's packets go
 * through table 0 at once, through the worker's exact-match cache; each then runs its
 * rule's actions, following goto_table into later tables.  A table-0 miss is "normal".
 * Static inline functions for worker.c only (after worker_l2.h).
 */
#ifndef SYD_WORKER_FLOW_H
#define SYD_WORKER_FLOW_H

#include "flows.h"
#include "worker_l2.h"

/* A packet of the burst waiting for the flow tables: what every packet's lookup and
 * actions read, in one line (its key's words in one line too, for the cache's compare). */
struct flow_pkt {
	struct cls_key ck;
	struct rte_mbuf *m;
	uint8_t later; /* its key (flow_batch's key[]) is to be read from the frame */
} __rte_cache_aligned;

/* The packets of a burst waiting for the flow tables, with what the cache's lookup takes
 * (filled as they are parsed: flow_batch_add()).  The arrays after bytes are written only
 * where used: a burst of common frames from a local port touches p, keys, hashes and bytes
 * only (about 40 lines, where a 112-byte slot a packet took about 70, next to the lines
 * of the frames and of the ports' rx and tx in the core's cache). */
struct flow_batch {
	uint16_t n;
	struct flow_pkt p[WORKER_BURST];
	const struct cls_key *keys[WORKER_BURST];
	uint32_t hashes[WORKER_BURST]; /* the keys' cls_emc_hash() in table 0 */
	uint32_t bytes[WORKER_BURST];
	struct pkt_key key[WORKER_BURST];	/* parsed in full: not common, or traced */
	struct trace_record *rec[WORKER_BURST]; /* in a trace */
	uint32_t src_port[WORKER_BURST];	/* from the uplink (as normal() learns it) */
	uint16_t network[WORKER_BURST];		/* from the uplink */
};

/* Packet i's pkt_key, for the actions that need one (normal, flood, encap, set_eth_*): a
 * common frame's says it is to be read from the frame (flow_hash()). */
static inline struct pkt_key *flow_pkt_key(struct flow_batch *fb, unsigned int i)
{
	struct pkt_key *k = &fb->key[i];

	if (fb->p[i].later) {
		k->flags = PKT_F_LATER;
		fb->p[i].later = 0;
	}
	return k;
}

/* The key's cls_emc_hash() in table 0 (the cache emc, of seed), its entry fetched for
 * the lookup when fetch (cls_emc_fetching()): called as soon as the key is built, while
 * its words are still in registers.  The caller loads emc, seed and fetch once a burst:
 * loaded for each packet, they started each one's chain to its prefetch with two
 * dependent loads. */
static __rte_always_inline uint32_t flow_key_hash(const struct cls_emc *emc, uint32_t seed,
						  bool fetch, const struct cls_key *ck)
{
	uint32_t h = cls_emc_hash_seed(seed, ck, 0);

	if (fetch)
		cls_emc_prefetch(emc, h);
	return h;
}

/* Queue the packet parsed into fb->p[fb->n] (its key, ck, built, and hashed: hash; keyed:
 * read from a common frame, its pkt_key in fb->key[] not filled). */
static __rte_always_inline void flow_batch_add(struct flow_batch *fb, struct rte_mbuf *m,
					       struct trace_record *rec, uint32_t src_port,
					       uint16_t network, uint32_t hash, bool keyed,
					       const int do_trace, const int from_uplink)
{
	struct flow_pkt *p = &fb->p[fb->n];

	p->m = m;
	p->later = keyed;
	if (do_trace)
		fb->rec[fb->n] = rec;
	if (from_uplink) {
		fb->src_port[fb->n] = src_port;
		fb->network[fb->n] = network;
	}
	fb->keys[fb->n] = &p->ck;
	fb->hashes[fb->n] = hash;
	fb->bytes[fb->n] = m->pkt_len;
	fb->n++;
}

/* Make m's data writable in place: a private, direct mbuf (else a copy).  NULL: no mbuf. */
static inline struct rte_mbuf *writable(struct worker *w, struct rte_mbuf *m)
{
	struct rte_mbuf *c;

	if (likely(RTE_MBUF_DIRECT(m) && rte_mbuf_refcnt_read(m) == 1))
		return m;
	c = rte_pktmbuf_copy(m, w->mp, 0, UINT32_MAX);
	rte_pktmbuf_free(m);
	return c;
}

/* 802.1Q tag operations on the outer header; @return m, or NULL (freed: no mbuf). */
static struct rte_mbuf *vlan_set(struct worker *w, struct rte_mbuf *m, struct flow_pkt *p,
				 unsigned int op, uint16_t vid)
{
	uint8_t *h;
	bool tagged = p->ck.vlan & CLS_VLAN_PRESENT;

	m = writable(w, m);
	if (m == NULL)
		return NULL;
	if (op == SYD_FA_POP_VLAN) {
		if (tagged) {
			h = rte_pktmbuf_mtod(m, uint8_t *);
			memmove(h + RTE_VLAN_HLEN, h, 2 * RTE_ETHER_ADDR_LEN);
			rte_pktmbuf_adj(m, RTE_VLAN_HLEN);
		}
		p->ck.vlan = 0;
		return m;
	}
	if (op == SYD_FA_SET_VLAN && tagged) {
		h = rte_pktmbuf_mtod(m, uint8_t *) + 2 * RTE_ETHER_ADDR_LEN + 2;
		h[0] = (uint8_t)((h[0] & 0xf0) | (vid >> 8));
		h[1] = (uint8_t)vid;
	} else { /* push, or set on an untagged frame (as ovs-ofctl's mod_vlan_vid) */
		h = (uint8_t *)rte_pktmbuf_prepend(m, RTE_VLAN_HLEN);
		if (h == NULL) {
			rte_pktmbuf_free(m);
			return NULL;
		}
		memmove(h, h + RTE_VLAN_HLEN, 2 * RTE_ETHER_ADDR_LEN);
		h[12] = 0x81;
		h[13] = 0x00;
		h[14] = (uint8_t)(vid >> 8);
		h[15] = (uint8_t)vid;
	}
	p->ck.vlan = (uint16_t)(CLS_VLAN_PRESENT | vid);
	return m;
}

/* Rewrite the source (src) or destination MAC.  @return m, or NULL (freed). */
static struct rte_mbuf *mac_set(struct worker *w, struct rte_mbuf *m, struct flow_pkt *p,
				struct pkt_key *key, const int src, const uint8_t *mac)
{
	m = writable(w, m);
	if (m == NULL)
		return NULL;
	memcpy(rte_pktmbuf_mtod_offset(m, uint8_t *, src ? RTE_ETHER_ADDR_LEN : 0), mac,
	       RTE_ETHER_ADDR_LEN);
	memcpy(src ? &key->src : &key->dst, mac, RTE_ETHER_ADDR_LEN);
	memcpy(src ? &p->ck.eth_src : &p->ck.eth_dst, mac, RTE_ETHER_ADDR_LEN);
	return m;
}

/* output:PORT. */
static inline void flow_output(struct worker *w, const struct topology *t, uint16_t in,
			       uint16_t out, struct rte_mbuf *m, struct trace_record *rec,
			       const int do_trace)
{
	if (unlikely(out == in)) { /* as OpenFlow: never back out of the input port */
		TR(rec->drop = SYD_DROP_HAIRPIN);
		drop(w, in, m, SYD_DROP_HAIRPIN);
	} else if (unlikely(out >= t->nports || !t->port[out].exists)) {
		TR(rec->drop = SYD_DROP_FLOW_NO_PORT);
		drop(w, in, m, SYD_DROP_FLOW_NO_PORT);
	} else if (unlikely(!t->port[out].up)) {
		TR(rec->drop = SYD_DROP_LINK_DOWN);
		drop(w, out, m, SYD_DROP_LINK_DOWN);
	} else {
		COUNT(w->pc[in].forwarded++);
		TR(rec->out_port = out; rec->nout++);
		tx_add(w, t, out, m);
	}
}

/* One action that sends m (consumed). */
static __rte_always_inline void flow_send(struct worker *w, const struct topology *t,
					  struct l2_ctx *l2, uint16_t in, const struct flow_act *a,
					  struct pkt_key *key, struct trace_record *rec,
					  struct rte_mbuf *m, uint16_t network, uint32_t src_port,
					  const int do_trace, const int from_uplink)
{
	if ((a->op & FLOW_ACT_TYPE) != SYD_FA_NORMAL) /* normal() keeps the run in order */
		l2_run_flush(w, t, l2, in);
	switch (a->op & FLOW_ACT_TYPE) {
	case SYD_FA_OUTPUT:
		flow_output(w, t, in, a->arg, m, rec, do_trace);
		return;
	case SYD_FA_ENCAP:
		COUNT(w->pc[in].forwarded++);
		TR(rec->out_port = t->uplink; rec->nout++);
		encap(w, t, in, a->vni, a->arg8, m, flow_hash(key, m));
		return;
	}
	if (unlikely(network == SYD_NO_NETWORK)) { /* normal and flood need a network */
		TR(rec->drop = SYD_DROP_NO_NETWORK);
		drop(w, in, m, SYD_DROP_NO_NETWORK);
	} else if ((a->op & FLOW_ACT_TYPE) == SYD_FA_NORMAL) {
		normal(w, t, l2, in, network, src_port, m, key, rec, do_trace, from_uplink);
	} else {
		uint16_t out = flood(w, t, in, network, m, key, from_uplink);

		COUNT(w->pc[in].forwarded += out != 0);
		TR(rec->nout = out);
	}
}

/* l2_same_pair() read from the packet's key, which holds the frame's addresses (rewritten
 * with it by set_eth_*) in its first two words: the frame is three dependent loads away. */
static inline bool flow_same_pair(const struct l2_ctx *c, const struct cls_key *k, uint16_t network)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	/* The words' low 48 bits are the destination and the source, as in the frame. */
	uint64_t lo = (k->w[0] & 0xffffffffffffull) | k->w[1] << 48;

	return lo == c->pair_lo && (uint32_t)(k->w[1] >> 16) == c->pair_hi &&
	       network == c->pair_net && c->pair_out != UINT16_MAX;
#else
	(void)c, (void)k, (void)network;
	return false; /* normal() looks at the frame */
#endif
}

/* Run the pipeline for packet i, from the rule table 0 gave (NULL: a miss, "normal") and
 * its hint (flows.h: a trace reads the rule for its record, so runs the actions). */
static __rte_always_inline void flow_exec(struct worker *w, const struct topology *t,
					  struct l2_ctx *l2, uint16_t in, struct flow_batch *fb,
					  unsigned int i, const struct cls_rule *r, uint8_t hint,
					  uint64_t v, const int do_trace, const int from_uplink)
{
	struct flow_pkt *p = &fb->p[i];
	struct trace_record *rec = do_trace ? fb->rec[i] : NULL;
	uint16_t network = from_uplink ? fb->network[i] : t->port[in].network;
	uint32_t src_port = from_uplink ? fb->src_port[i] : in;
	struct rte_mbuf *m = p->m;
	enum syd_drop why = SYD_DROP_FLOW_DROP;
	unsigned int k;

	if (!do_trace && hint >= FLOW_HINT_OUTPUT) {
		l2_run_flush(w, t, l2, in);
		flow_output(w, t, in, hint - FLOW_HINT_OUTPUT, m, rec, do_trace);
		return;
	}
	if (r == NULL || (!do_trace && hint == FLOW_HINT_NORMAL)) {
		TR(rec->flow = 2);
		if (!do_trace && flow_same_pair(l2, &p->ck, network)) { /* normal()'s shortcut */
			l2->run[l2->nrun++] = m;
			return;
		}
		if (unlikely(network == SYD_NO_NETWORK)) {
			TR(rec->drop = SYD_DROP_NO_NETWORK);
			drop(w, in, m, SYD_DROP_NO_NETWORK);
			return;
		}
		normal(w, t, l2, in, network, src_port, m, flow_pkt_key(fb, i), rec, do_trace,
		       from_uplink);
		return;
	}
next_rule: /* r is counted: table 0's by the cache, a later table's at its goto */
	TR(rec->flow = 1; rec->flow_table = cls_rule_table(r);
	   rec->flow_priority = (uint16_t)cls_rule_priority(r));
	{
		const struct flow_acts *fa = cls_rule_actions(r);

		for (k = 0; k < fa->n; k++) {
			const struct flow_act *a = &fa->a[k];
			unsigned int op = a->op & FLOW_ACT_TYPE;
			struct rte_mbuf *c;

			switch (op) {
			case SYD_FA_OUTPUT:
			case SYD_FA_NORMAL:
			case SYD_FA_FLOOD:
			case SYD_FA_ENCAP:
				if (!(a->op & FLOW_ACT_COPY)) {
					flow_send(w, t, l2, in, a, flow_pkt_key(fb, i), rec, m,
						  network, src_port, do_trace, from_uplink);
					return;
				}
				c = rte_pktmbuf_copy(m, w->mp, 0, UINT32_MAX);
				if (unlikely(c == NULL))
					COUNT(w->pc[in].drops[SYD_DROP_NO_MBUF]++);
				else
					flow_send(w, t, l2, in, a, flow_pkt_key(fb, i), rec, c,
						  network, src_port, do_trace, from_uplink);
				break;
			case SYD_FA_PUSH_VLAN:
			case SYD_FA_POP_VLAN:
			case SYD_FA_SET_VLAN:
				m = vlan_set(w, m, p, op, a->arg);
				if (unlikely(m == NULL))
					goto no_mbuf;
				break;
			case SYD_FA_SET_ETH_SRC:
			case SYD_FA_SET_ETH_DST:
				m = mac_set(w, m, p, flow_pkt_key(fb, i), op == SYD_FA_SET_ETH_SRC,
					    flow_act_mac(a));
				if (unlikely(m == NULL))
					goto no_mbuf;
				break;
			case SYD_FA_GOTO_TABLE:
				r = cls_lookup(t->flows, v, a->arg8, &p->ck);
				if (r != NULL) {
					cls_rule_hit(t->flows, w->id, r, 1, m->pkt_len);
					goto next_rule;
				}
				why = SYD_DROP_FLOW_TABLE_MISS;
				break;
			default: /* drop */
				break;
			}
		}
	}
	/* No action sent it: a drop (no actions at all, drop, or a table miss after goto). */
	TR(rec->drop = why);
	drop(w, in, m, why);
	return;
no_mbuf:
	TR(rec->drop = SYD_DROP_NO_MBUF);
	COUNT(w->pc[in].drops[SYD_DROP_NO_MBUF]++);
}

/* How many packets ahead flow_burst() fetches a rule. */
#define FLOW_PREFETCH_RULE 4

/* Start fetching the line of r that running it reads (actions), if it will. */
static __rte_always_inline void flow_prefetch_rule(const struct cls_rule *r, uint8_t hint,
						   const int do_trace)
{
	if (r != NULL && (hint == FLOW_HINT_NONE || do_trace))
		rte_prefetch0((const uint8_t *)r + RTE_CACHE_LINE_SIZE);
}

/* The packets of a burst that the flow tables decide: table 0 for all at once (the
 * cache counts their hits). */
static __rte_always_inline void flow_burst(struct worker *w, const struct topology *t,
					   struct l2_ctx *l2, uint16_t in, struct flow_batch *fb,
					   const int do_trace, const int from_uplink)
{
	const struct cls_rule *rules[WORKER_BURST];
	uint8_t hints[WORKER_BURST];
	uint64_t v = cls_version(t->flows);
	uint16_t i, n = fb->n;

	cls_emc_lookup_hashed(w->emc, v, 0, fb->keys, fb->hashes, fb->bytes, n, rules, hints);
	/* A cache hit has not touched its rule, and one with a hint is run without it: for
	 * the others, while packet i runs, the second line of rule i + 4 is on its way
	 * (prefetched all at once, they would wait for the few line-fill buffers). */
	for (i = 0; i < RTE_MIN(n, (uint16_t)FLOW_PREFETCH_RULE); i++)
		flow_prefetch_rule(rules[i], hints[i], do_trace);
	for (i = 0; i < n; i++) {
		struct trace_record *rec = do_trace ? fb->rec[i] : NULL;

		if (i + FLOW_PREFETCH_RULE < n)
			flow_prefetch_rule(rules[i + FLOW_PREFETCH_RULE],
					   hints[i + FLOW_PREFETCH_RULE], do_trace);
		flow_exec(w, t, l2, in, fb, i, rules[i], hints[i], v, do_trace, from_uplink);
		TR(trace_done(rec));
	}
}

/*
 * Hand the hits the cache counted to the rules' counters: when the classifier's version
 * moved, else every gap cycles.  Called at the start of each iteration, idle ones too: a
 * rule removed by the version seen here is freed only after a grace period that needs
 * the worker's next quiescent state.
 */
static inline void flow_counts_settle(struct worker *w, uint64_t now, uint64_t gap)
{
	struct cls_emc *emc = w->emc;
	uint64_t v;

	if (emc == NULL || !cls_emc_pending(emc))
		return;
	v = cls_version(emc->cls);
	if (v != w->counted_v || now - w->counted_tsc >= gap) {
		cls_emc_flush(emc);
		w->counted_v = v;
		w->counted_tsc = now;
	}
}

#endif /* SYD_WORKER_FLOW_H */

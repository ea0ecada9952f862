/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Packet trace: what each stage did to the next N real packets that match a filter
 * (sydctl trace), as OVS's ofproto/trace does for a made-up packet.
 *
 * The main lcore owns a struct trace and publishes it in the topology; a worker that
 * sees one runs the traced variant of its switching loop, in which every stage writes
 * into the packet's record.  The stage code is one inline function compiled twice, with
 * do_trace 0 and 1 (VPP's idea): with no trace published, the packet path carries no
 * trace code at all.  Records are claimed with one atomic add, so several workers can
 * share a trace; a record is complete once its done flag is set (release).
 */
#ifndef SYD_TRACE_H
#define SYD_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_ether.h>

#include "parse.h"

#define TRACE_MAX 64

#define TRACE_F_IN_PORT (1u << 0)
#define TRACE_F_SRC     (1u << 1)
#define TRACE_F_DST     (1u << 2)
#define TRACE_F_IP_SRC  (1u << 3)
#define TRACE_F_IP_DST  (1u << 4)

struct trace_filter {
	uint32_t fields; /* TRACE_F_*: which of the below must match */
	uint16_t in_port;
	struct rte_ether_addr src;
	struct rte_ether_addr dst;
	uint32_t ip_src; /* network order */
	uint32_t ip_dst;
};

/* What the source MAC stage did. */
enum trace_src {
	TRACE_SRC_NONE = 0,   /* not reached */
	TRACE_SRC_KNOWN,      /* known on this port: refreshed */
	TRACE_SRC_LEARN,      /* unknown or moved: sent to the main lcore to learn */
	TRACE_SRC_SAME_AS_PREVIOUS, /* same source as the previous packet of the burst */
};

/* What the destination stage did. */
enum trace_dst {
	TRACE_DST_NONE = 0,   /* not reached */
	TRACE_DST_MULTICAST,  /* broadcast or multicast: flooded */
	TRACE_DST_UNKNOWN,    /* not in the MAC table: flooded */
	TRACE_DST_KNOWN,      /* found in the MAC table */
};

struct trace_record {
	uint32_t done;        /* set last, with release */
	uint16_t worker;
	uint16_t in_port;
	uint64_t tsc;
	uint32_t len;
	int16_t parse;        /* 0, or the drop reason the parser gave */
	uint8_t src;          /* enum trace_src */
	uint8_t dst;          /* enum trace_dst */
	uint8_t dst_cached;   /* the destination lookup came from the burst's one-entry cache */
	uint8_t drop;         /* drop reason, 0 when it was sent on */
	uint16_t out_port;    /* unicast: the port; flood: UINT16_MAX */
	uint16_t nout;        /* how many ports it was handed to */
	uint8_t flow;         /* 0 no flow tables, 1 a rule ran, 2 table 0 missed (normal) */
	uint8_t flow_table;   /* the last rule that ran: its table and priority */
	uint16_t flow_priority;
	struct pkt_key key;
};

struct trace {
	struct trace_filter filter;
	uint32_t want;        /* records to take, at most TRACE_MAX */
	uint32_t next;        /* records claimed (may pass want) */
	struct trace_record rec[TRACE_MAX];
};

static inline bool trace_match(const struct trace_filter *f, uint16_t in, const struct pkt_key *k)
{
	if ((f->fields & TRACE_F_IN_PORT) && f->in_port != in)
		return false;
	if ((f->fields & TRACE_F_SRC) && !rte_is_same_ether_addr(&f->src, &k->src))
		return false;
	if ((f->fields & TRACE_F_DST) && !rte_is_same_ether_addr(&f->dst, &k->dst))
		return false;
	if ((f->fields & (TRACE_F_IP_SRC | TRACE_F_IP_DST)) && !(k->flags & (PKT_F_IPV4 | PKT_F_ARP)))
		return false;
	if ((f->fields & TRACE_F_IP_SRC) && f->ip_src != k->ip_src)
		return false;
	if ((f->fields & TRACE_F_IP_DST) && f->ip_dst != k->ip_dst)
		return false;
	return true;
}

/* A record for a matching packet, or NULL when the trace has all it wants. */
static inline struct trace_record *trace_claim(struct trace *t)
{
	uint32_t i = __atomic_fetch_add(&t->next, 1, __ATOMIC_RELAXED);

	return i < t->want ? &t->rec[i] : NULL;
}

static inline void trace_done(struct trace_record *r)
{
	__atomic_store_n(&r->done, 1, __ATOMIC_RELEASE);
}

#endif /* SYD_TRACE_H */

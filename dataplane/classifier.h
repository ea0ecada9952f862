/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow classifier: which rule of a flow table a packet's key matches.
 *
 * A classifier holds CLS_TABLES flow tables (an OpenFlow 1.3-style pipeline: the caller
 * looks a packet up in table 0 and follows goto_table actions).  A rule has a match
 * (a value and a bit mask over struct cls_key), a priority (higher wins), a table, a
 * cookie, an idle timeout and up to CLS_ACTIONS_MAX bytes of actions that the
 * classifier copies and never interprets.
 *
 * Lookup is tuple space search, as in Open vSwitch's dpcls: one hash table per distinct
 * mask of a table (a "subtable"), keyed by the masked key.  A table's subtables are kept
 * in a vector sorted by the highest priority each holds, so a lookup stops as soon as
 * the best rule found outranks every subtable left.  Equal priorities: when rules of the
 * same priority overlap, the one added first (the lowest cls_rule_id()) wins; a
 * replaced or modified rule keeps its id.  Bursts are looked up subtable by subtable
 * with the buckets and rules of the whole burst prefetched.
 *
 * Updates: one writer thread (the main lcore), any number of lock-free readers
 * (workers).  Rules are versioned, as in OVS's classifier: a change (add, replace,
 * modify, delete) made by the writer is staged in the next version, where readers do
 * not look, and cls_commit() publishes every change staged since the last commit with
 * one store of the version number.  A reader loads the version once, after each of its
 * quiescent states (cls_version()), and every lookup it makes with that version sees
 * the same complete rule set: all of a batch or none of it, in every table.  A published
 * rule never changes; modify makes a new rule that replaces the old one in the next
 * version (both share the counters and the id).  Removed rules are unlinked only after a
 * grace period in which every reader passed a quiescent state (so none can still be at a
 * version that sees them), and freed after a second one.  The classifier is EAL-free:
 * the grace period is the caller's synchronize hook (the dataplane's calls
 * rte_rcu_qsbr_synchronize()); without a hook there must be no concurrent readers.
 *
 * Counters: per worker.  Each worker has its own array of (packets, bytes) counters,
 * one per rule, written only by that worker with plain loads and stores (no atomic
 * read-modify-write, no cache line shared between workers) and summed when read, as the
 * dataplane's port counters are.  Relaxed atomic adds would cost a locked instruction
 * per update and bounce a hot rule's line between every worker that hits it.
 *
 * Each reader can put an exact-match cache in front of it: classifier_emc.h.
 *
 * Handles: the writer names a rule by the pointer add or modify returned, until it
 * deletes or replaces that rule; a reader may use a rule it found only until its next
 * quiescent state.
 *
 * Memory comes from aligned_alloc (no EAL, so unit tests need no hugepages): rules from
 * slabs of whole cache lines (128 bytes for a rule with up to 16 bytes of actions), and
 * anything of 2 MiB or more advised into transparent huge pages.
 */
#ifndef SYD_CLASSIFIER_H
#define SYD_CLASSIFIER_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "parse.h"

#define CLS_TABLES	 16
#define CLS_KEY_WORDS	 6
#define CLS_ACTIONS_MAX	 256	    /* bytes of actions a rule may carry */
#define CLS_MAX_WORKERS	 64	    /* readers that count hits (per-worker counters) */
#define CLS_MAX_RULES	 (1u << 24) /* rules alive at once, replaced ones included */
#define CLS_VLAN_PRESENT 0x1000	    /* in cls_key.vlan: the packet has a VLAN tag */
/* Rule hints are 0 to CLS_HINTS - 1: a cache entry keeps its rule's in the rule's
 * address, which is 64-byte aligned. */
#define CLS_HINTS 64

/*
 * What a rule can match: every field of a packet as the parser saw it, plus where it
 * came from.  48 bytes, 8-byte aligned, so masking is six 64-bit ANDs.  Byte orders
 * are those of the wire protocol's struct syd_flow_match: IPv4 addresses and the
 * tunnel remote in network order, everything else in host order.
 */
struct cls_key {
	union {
		struct {
			struct rte_ether_addr eth_dst;
			uint16_t in_port;
			struct rte_ether_addr eth_src;
			uint16_t network;
			uint16_t vlan;	    /* CLS_VLAN_PRESENT | VLAN id when tagged; 0 untagged */
			uint16_t ethertype; /* after any VLAN tags */
			uint16_t l4_src;    /* TCP/UDP/SCTP port; ICMP type */
			uint16_t l4_dst;    /* TCP/UDP/SCTP port; ICMP code */
			uint32_t ip_src;    /* ARP: sender protocol address */
			uint32_t ip_dst;    /* ARP: target protocol address */
			uint32_t vni;	    /* the tunnel's VNI; 0 when not tunnelled */
			uint32_t tun_remote; /* the remote VTEP; 0 when not tunnelled */
			uint8_t ip_proto;    /* ARP: the opcode's low byte */
			uint8_t pad[7];	     /* always 0 */
		};
		uint64_t w[CLS_KEY_WORDS];
	};
};

_Static_assert(sizeof(struct cls_key) == 8 * CLS_KEY_WORDS, "cls_key is six words");
/* cls_key_from_pkt() builds the words from these places. */
_Static_assert(offsetof(struct cls_key, in_port) == 6 && offsetof(struct cls_key, network) == 14 &&
		       offsetof(struct cls_key, ethertype) == 18 &&
		       offsetof(struct cls_key, l4_dst) == 22 && offsetof(struct cls_key, ip_dst) == 28 &&
		       offsetof(struct cls_key, tun_remote) == 36 &&
		       offsetof(struct cls_key, ip_proto) == 40,
	       "cls_key's layout");

/* The classifier's hash of a key's words (CRC32C where the CPU has it). */
static inline uint32_t cls_hash_words(const uint64_t w[CLS_KEY_WORDS], uint32_t seed)
{
#ifdef __SSE4_2__
	/* Two independent CRC32C chains: half the latency of one. */
	uint64_t a = _mm_crc32_u64(seed, w[0]), b = _mm_crc32_u64(seed ^ 0x5bd1e995u, w[3]);

	a = _mm_crc32_u64(a, w[1]);
	b = _mm_crc32_u64(b, w[4]);
	a = _mm_crc32_u64(a, w[2]);
	b = _mm_crc32_u64(b, w[5]);
	return (uint32_t)a ^ (uint32_t)((b << 16) | (b >> 16));
#else
	uint64_t h = seed;
	int i;

	for (i = 0; i < CLS_KEY_WORDS; i++) {
		h = (h ^ w[i]) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	return (uint32_t)h;
#endif
}

/* A match: the bits of key that are set in mask must be equal (others are ignored). */
struct cls_match {
	struct cls_key key;
	struct cls_key mask;
};

/*
 * The key of a parsed packet.  Fields are copied as the parser gives them, as OVS does:
 * an ARP packet's addresses and opcode are in ip_src, ip_dst and ip_proto, and an
 * IPv6 packet has ip_proto and ports but no addresses; so a rule on IPv4 fields should
 * also match ethertype 0x0800 (OpenFlow's prerequisite).  Fields the packet does not
 * have are 0.
 */
static inline void cls_key_from_pkt(struct cls_key *k, const struct pkt_key *p, uint16_t in_port,
				    uint16_t network, uint32_t vni, uint32_t remote)
{
	uint16_t vlan =
		(p->flags & PKT_F_VLAN) ? (uint16_t)(CLS_VLAN_PRESENT | (p->vlan_tci & 0xfff)) : 0;
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	/* Each word built in a register and stored whole: the cache lookup reads the key
	 * as words right away, and a word load of fresh smaller stores stalls (store
	 * forwarding). */
	uint32_t d4, s4;
	uint16_t d2, s2;

	memcpy(&d4, p->dst.addr_bytes, 4);
	memcpy(&d2, p->dst.addr_bytes + 4, 2);
	memcpy(&s4, p->src.addr_bytes, 4);
	memcpy(&s2, p->src.addr_bytes + 4, 2);
	k->w[0] = d4 | (uint64_t)d2 << 32 | (uint64_t)in_port << 48;
	k->w[1] = s4 | (uint64_t)s2 << 32 | (uint64_t)network << 48;
	k->w[2] = vlan | (uint64_t)p->ethertype << 16 |
		  (uint64_t)rte_be_to_cpu_16(p->l4_src) << 32 |
		  (uint64_t)rte_be_to_cpu_16(p->l4_dst) << 48;
	k->w[3] = p->ip_src | (uint64_t)p->ip_dst << 32;
	k->w[4] = vni | (uint64_t)remote << 32;
	k->w[5] = p->ip_proto; /* and the padding */
#else
	k->eth_dst = p->dst;
	k->in_port = in_port;
	k->eth_src = p->src;
	k->network = network;
	k->vlan = vlan;
	k->ethertype = p->ethertype;
	k->l4_src = rte_be_to_cpu_16(p->l4_src);
	k->l4_dst = rte_be_to_cpu_16(p->l4_dst);
	k->ip_src = p->ip_src;
	k->ip_dst = p->ip_dst;
	k->vni = vni;
	k->tun_remote = remote;
	k->w[CLS_KEY_WORDS - 1] = 0; /* the padding */
	k->ip_proto = p->ip_proto;
#endif
}

/*
 * The key of the most common frame (parse_is_common()) read straight from its bytes,
 * without a pkt_key.  The key is the one parse_frame() and cls_key_from_pkt() give for
 * that frame.
 *
 * @return false, with *k undefined, for any other frame (parse it in full).
 */
static inline bool cls_key_from_frame(struct cls_key *k, const uint8_t *f, uint32_t len,
				      uint16_t in_port, uint16_t network, uint32_t vni,
				      uint32_t remote)
{
#if RTE_BYTE_ORDER == RTE_LITTLE_ENDIAN
	const uint8_t *ip = f + sizeof(struct rte_ether_hdr), *l4 = ip + 20;
	uint64_t dst, src, addrs;
	uint32_t ports;

	if (!parse_is_common(f, len))
		return false;
	memcpy(&dst, f, 8); /* the addresses and the two bytes after each */
	memcpy(&src, f + 6, 8);
	memcpy(&addrs, ip + 12, 8);
	memcpy(&ports, l4, 4);
	ports = rte_bswap32(ports); /* source << 16 | destination, in host order */
	k->w[0] = (dst & 0xffffffffffffull) | (uint64_t)in_port << 48;
	k->w[1] = (src & 0xffffffffffffull) | (uint64_t)network << 48;
	k->w[2] = (uint64_t)RTE_ETHER_TYPE_IPV4 << 16 | (uint64_t)(ports >> 16) << 32 |
		  (uint64_t)(ports & 0xffff) << 48;
	k->w[3] = addrs;
	k->w[4] = vni | (uint64_t)remote << 32;
	k->w[5] = ip[9];
	return true;
#else
	(void)k, (void)f, (void)len, (void)in_port, (void)network, (void)vni, (void)remote;
	return false;
#endif
}

/* Match builders: each sets one field's value and mask in *m (start from all zeroes,
 * which matches every packet). */
static inline void cls_match_in_port(struct cls_match *m, uint16_t port)
{
	m->key.in_port = port;
	m->mask.in_port = 0xffff;
}

static inline void cls_match_network(struct cls_match *m, uint16_t network)
{
	m->key.network = network;
	m->mask.network = 0xffff;
}

static inline void cls_match_eth_src(struct cls_match *m, const struct rte_ether_addr *mac,
				     const struct rte_ether_addr *mask)
{
	m->key.eth_src = *mac;
	m->mask.eth_src = *mask;
}

static inline void cls_match_eth_dst(struct cls_match *m, const struct rte_ether_addr *mac,
				     const struct rte_ether_addr *mask)
{
	m->key.eth_dst = *mac;
	m->mask.eth_dst = *mask;
}

/* Packets tagged with VLAN id vid (0-4095). */
static inline void cls_match_vlan(struct cls_match *m, uint16_t vid)
{
	m->key.vlan = (uint16_t)(CLS_VLAN_PRESENT | (vid & 0xfff));
	m->mask.vlan = CLS_VLAN_PRESENT | 0xfff;
}

/* Untagged packets only (the wire protocol's vlan 0xffff). */
static inline void cls_match_untagged(struct cls_match *m)
{
	m->key.vlan = 0;
	m->mask.vlan = CLS_VLAN_PRESENT | 0xfff;
}

static inline void cls_match_ethertype(struct cls_match *m, uint16_t ethertype)
{
	m->key.ethertype = ethertype;
	m->mask.ethertype = 0xffff;
}

/* A prefix mask of len bits (0-32), in network order. */
static inline uint32_t cls_prefix_mask(unsigned int len)
{
	return len == 0 ? 0 : rte_cpu_to_be_32(len >= 32 ? UINT32_MAX : ~(UINT32_MAX >> len));
}

/* addr/len, addr in network order (its host bits are ignored). */
static inline void cls_match_ip_src(struct cls_match *m, uint32_t addr, unsigned int len)
{
	m->mask.ip_src = cls_prefix_mask(len);
	m->key.ip_src = addr & m->mask.ip_src;
}

static inline void cls_match_ip_dst(struct cls_match *m, uint32_t addr, unsigned int len)
{
	m->mask.ip_dst = cls_prefix_mask(len);
	m->key.ip_dst = addr & m->mask.ip_dst;
}

static inline void cls_match_ip_proto(struct cls_match *m, uint8_t proto)
{
	m->key.ip_proto = proto;
	m->mask.ip_proto = 0xff;
}

static inline void cls_match_l4_src(struct cls_match *m, uint16_t port)
{
	m->key.l4_src = port;
	m->mask.l4_src = 0xffff;
}

static inline void cls_match_l4_dst(struct cls_match *m, uint16_t port)
{
	m->key.l4_dst = port;
	m->mask.l4_dst = 0xffff;
}

static inline void cls_match_vni(struct cls_match *m, uint32_t vni)
{
	m->key.vni = vni;
	m->mask.vni = UINT32_MAX;
}

/* remote in network order. */
static inline void cls_match_tun_remote(struct cls_match *m, uint32_t remote)
{
	m->key.tun_remote = remote;
	m->mask.tun_remote = UINT32_MAX;
}

/* Whether key k is covered by match m. */
static inline bool cls_match_covers(const struct cls_match *m, const struct cls_key *k)
{
	uint64_t diff = 0;
	int i;

	for (i = 0; i < CLS_KEY_WORDS; i++)
		diff |= (k->w[i] ^ m->key.w[i]) & m->mask.w[i];
	return diff == 0;
}

/* What the writer gives to add or modify a rule. */
struct cls_rule_spec {
	struct cls_match match;
	uint32_t priority;	 /* higher wins */
	uint8_t table;		 /* 0 to CLS_TABLES - 1 */
	uint16_t idle_timeout_s; /* removed by cls_sweep() after this long without a packet;
				  * 0: never */
	uint64_t cookie;	 /* the caller's, stored as is */
	const void *actions;	 /* actions_len bytes, copied into the rule */
	uint16_t actions_len;	 /* 0 to CLS_ACTIONS_MAX */
	uint8_t hint; /* below CLS_HINTS, the caller's: the cache hands it out with each hit,
		       * so a reader can act on a rule without reading it; 0: none */
};

struct cls_subtable;

/*
 * A rule as readers see it: immutable once published (read it through the accessors
 * below).  Allocated with its actions after it; the first cache line is what a lookup
 * compares.
 */
struct cls_rule {
	/* First cache line: what a lookup compares. */
	struct cls_key key;	   /* the match's value, masked */
	struct cls_rule *dup_next; /* same match, lower priority (or another version) */
	uint32_t priority;
	uint8_t table;
	uint8_t hint;
	uint8_t pad[2];
	/* Second: what a packet that hit the rule needs (counters, actions). */
	uint32_t stats_idx; /* its counters, shared by the versions of a rule */
	uint16_t idle_timeout_s;
	uint16_t actions_len;
	uint64_t add_version; /* visible in versions [add_version, remove_version) */
	uint64_t remove_version;
	uint64_t id; /* unique, in order of addition: breaks priority ties */
	uint64_t cookie;
	struct cls_subtable *sub; /* its mask */
	uint64_t actions[]; /* actions_len bytes, 8-byte aligned: up to 16 bytes keep
			     * a rule in two cache lines */
} __attribute__((aligned(64)));

_Static_assert(offsetof(struct cls_rule, stats_idx) == 64 &&
		       offsetof(struct cls_rule, actions) == 112,
	       "a packet that hits a rule reads only its second line (and the counters)");

static inline const void *cls_rule_actions(const struct cls_rule *r)
{
	return r->actions;
}

static inline uint16_t cls_rule_actions_len(const struct cls_rule *r)
{
	return r->actions_len;
}

static inline uint32_t cls_rule_priority(const struct cls_rule *r)
{
	return r->priority;
}

static inline uint8_t cls_rule_table(const struct cls_rule *r)
{
	return r->table;
}

static inline uint8_t cls_rule_hint(const struct cls_rule *r)
{
	return r->hint;
}

static inline uint64_t cls_rule_cookie(const struct cls_rule *r)
{
	return r->cookie;
}

static inline uint64_t cls_rule_id(const struct cls_rule *r)
{
	return r->id;
}

static inline uint16_t cls_rule_idle_timeout(const struct cls_rule *r)
{
	return r->idle_timeout_s;
}

/* The rule's match (its key and mask). */
void cls_rule_match(const struct cls_rule *r, struct cls_match *m);

struct classifier;

struct cls_params {
	unsigned int workers; /* readers that count hits, numbered 0 to workers - 1 */
	/* Wait until every reader has passed a quiescent state (rte_rcu_qsbr_synchronize);
	 * NULL: there are no concurrent readers (tests, tools). */
	void (*synchronize)(void *arg);
	void *sync_arg;
};

/*
 * Create an empty classifier (version 1, nothing staged).
 * @return the classifier, or NULL when workers is 0 or above CLS_MAX_WORKERS, or memory
 *   is short.
 */
struct classifier *cls_create(const struct cls_params *p);

/* Free a classifier and every rule; NULL is ignored.  No reader may use it any more. */
void cls_destroy(struct classifier *c);

/* ---------------------------------------------------------------------------------------
 * Writer: one thread at a time.  Changes are staged in the next version; readers see
 * none of them until cls_commit().  The writer's own find and walk see the staged state.
 */

/*
 * Add a rule, or replace the rule with the same identity (table, priority, match): the
 * replacement keeps the old rule's id and counters (OpenFlow's ADD without
 * RESET_COUNTS).  Bits of spec->match.key outside the mask are ignored.
 * @param out  when not NULL, receives the new rule (a handle for modify and delete)
 * @return 0 when added, 1 when it replaced a rule (whose handle is now stale), or
 *   -EINVAL when the table is out of range or actions_len above CLS_ACTIONS_MAX,
 *   -ENOSPC when CLS_MAX_RULES rules are alive (a removed rule counts until freed),
 *   -ENOMEM when memory is short (nothing changed).
 */
int cls_rule_add(struct classifier *c, const struct cls_rule_spec *spec,
		 const struct cls_rule **out);

/*
 * Modify a rule: new priority, cookie, idle timeout and actions from spec (its table and
 * match are ignored: a rule keeps its match).  The rule keeps its id and counters; the
 * old handle is stale afterwards.
 * @return 0, or -ENOENT when the rule is already deleted or replaced in the staged
 *   version, -EEXIST when another rule has the new identity, -EINVAL, -ENOMEM.
 */
int cls_rule_modify(struct classifier *c, const struct cls_rule *rule,
		    const struct cls_rule_spec *spec, const struct cls_rule **out);

/* Delete a rule.  @return 0, or -ENOENT when already deleted or replaced. */
int cls_rule_delete(struct classifier *c, const struct cls_rule *rule);

/* The rule with identity (table, priority, match) in the staged version, or NULL. */
const struct cls_rule *cls_rule_find(const struct classifier *c, unsigned int table,
				     uint32_t priority, const struct cls_match *m);

/*
 * Call fn for each rule of table (-1: every table) in the staged version, in no
 * particular order; stops and returns fn's value when it is not 0.  fn may delete the
 * rule it is given, nothing else.
 */
int cls_walk(const struct classifier *c, int table, int (*fn)(const struct cls_rule *r, void *arg),
	     void *arg);

/*
 * Publish every change staged since the last commit, as one version; then, after a
 * grace period, unlink the rules it removed (freed after the next grace period: the
 * next commit's, or cls_reclaim()'s).  Nothing staged: nothing done, no grace period.
 * @return 0, or -ENOMEM when memory is short: nothing is published, the changes stay
 *   staged, and the commit may be tried again.
 */
int cls_commit(struct classifier *c);

/*
 * Discard every change staged since the last commit (a batch that failed half way):
 * rules it deleted, replaced or modified are back, with their handles; handles it
 * returned are stale.  Readers never saw any of it.
 */
void cls_abort(struct classifier *c);

/* Wait for a grace period and free everything waiting for one (call after commits when
 * memory should come back now). */
void cls_reclaim(struct classifier *c);

/*
 * Stage the deletion of every rule with an idle timeout that has seen no packet for
 * that long at now_s, calling expired (when not NULL) after each; the caller commits.
 * Idle time is counted from the first sweep that saw the rule, in whole sweeps.
 * Also notes, for every rule, when its counters last moved (cls_rule_stats().used_s):
 * call it about once a second.
 * @return the number of rules deleted.
 */
unsigned int cls_sweep(struct classifier *c, uint32_t now_s,
		       void (*expired)(const struct cls_rule *r, void *arg), void *arg);

/* Rules in the staged version. */
unsigned int cls_count(const struct classifier *c);

/* Bytes of memory the classifier holds: rules' slabs, hash tables, counters and
 * bookkeeping.  Slabs, counters and bookkeeping arrays keep their high-water mark (a
 * deleted rule's memory serves the next one); cls_destroy() returns everything. */
size_t cls_memory(const struct classifier *c);

struct cls_rule_stats {
	uint64_t packets;
	uint64_t bytes;
	uint32_t used_s; /* when cls_sweep() last saw the counters move; 0: never */
};

/* Writer: a rule's counters summed over the workers (while workers count: a view a few
 * packets old, never a torn value). */
void cls_rule_stats(const struct classifier *c, const struct cls_rule *r,
		    struct cls_rule_stats *st);

/* ---------------------------------------------------------------------------------------
 * Readers: any thread, lock-free, concurrently with the writer.  A reader reports its
 * quiescent states to the RCU the synchronize hook waits on, holds no rule across one,
 * and loads the version with cls_version() after each: a version loaded before a
 * quiescent state must not be used after it.  The writer may look up too (a trace).
 */

/* The published version (a load-acquire). */
uint64_t cls_version(const struct classifier *c);

/* The best rule of table for key k at version v, or NULL (a table miss). */
const struct cls_rule *cls_lookup(const struct classifier *c, uint64_t v, unsigned int table,
				  const struct cls_key *k);

/* cls_lookup() for n keys at once: out[i] is the best rule for keys[i], or NULL. */
void cls_lookup_burst(const struct classifier *c, uint64_t v, unsigned int table,
		      const struct cls_key *const keys[], unsigned int n,
		      const struct cls_rule *out[]);

/*
 * Count packets and bytes against a rule found at the current version (worker is the
 * reader's number, 0 to workers - 1, and only that reader may use it).
 */
void cls_rule_hit(const struct classifier *c, unsigned int worker, const struct cls_rule *r,
		  uint32_t packets, uint64_t bytes);

#endif /* SYD_CLASSIFIER_H */

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
 * The exact-match cache (EMC) is per worker: CLS_EMC_ENTRIES entries mapping a (table,
 * full key) to the rule found for it (or to "no rule").  Every entry records the version
 * it was filled at, and a hit counts only at the same version: any commit, whatever it
 * changes, invalidates the whole cache at once, without touching it.  The cache can also
 * count the packets it finds rules for, in the entry it just read, and add them to the
 * rules' counters later, entry by entry (cls_emc_flush()): a packet then touches no
 * counter line of its own.  Every entry is listed for the flush when it is filled, so a
 * hit only adds to its entry.  A reader flushes when it first sees a new version, before its
 * next quiescent state, and often enough that counters stay fresh; the rules an entry
 * names are still there then, as a removed rule is freed only after two grace periods
 * (without a synchronize hook, at the commit: flush before it).
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
#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include <rte_byteorder.h>
#include <rte_ether.h>

#include "parse.h"

#define CLS_TABLES	 16
#define CLS_KEY_WORDS	 6
#define CLS_ACTIONS_MAX	 256	    /* bytes of actions a rule may carry */
#define CLS_MAX_WORKERS	 64	    /* readers that count hits (per-worker counters) */
#define CLS_MAX_RULES	 (1u << 24) /* rules alive at once, replaced ones included */
#define CLS_EMC_ENTRIES	 8192	    /* a power of two */
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

/* A reader's exact-match cache, for one classifier: allocate one per worker.  Two-way
 * set-associative: a key may sit in either of two neighbouring entries chosen by its
 * hash (cls_emc_way()). */
struct cls_emc {
	const struct classifier *cls;
	uint32_t seed;	 /* the classifier's hash seed */
	uint32_t worker; /* the reader whose counters it adds to */
	uint64_t hits;	 /* lookups answered by the cache */
	uint64_t misses; /* lookups that went to the classifier */
	uint64_t inserts;
	uint64_t flushed; /* hits + misses at the last cls_emc_flush() */
	/* Thrashing (most of the last window's lookups missed: more flows than entries), the
	 * cache fills an entry for one miss in CLS_EMC_THRASH_FILL only, as OVS's
	 * emc-insert-inv-prob: the others would each evict a flow for one that will not be
	 * seen again before it is evicted itself. */
	uint64_t window_start;	/* hits + misses when the window began */
	uint64_t window_misses; /* misses then */
	uint32_t thrash_misses; /* misses while thrashing (each CLS_EMC_THRASH_FILL-th fills) */
	bool thrashing;
	/* Every entry filled at the version of the last flush or later, each once (an entry
	 * counts its packets without looking whether it is listed). */
	uint32_t nlisted;
	uint16_t listed[CLS_EMC_ENTRIES];
	struct cls_emc_entry {
		/* The key, whose padding (the last word's top 7 bytes) holds the entry's tag:
		 * version << 4 | table.  One compare checks both; an entry of another version
		 * may name a freed rule. */
		uint64_t w[CLS_KEY_WORDS];
		uintptr_t rule; /* the rule's address | its hint; 0: the table has no rule */
		uint32_t packets; /* counted, not flushed; bit 31: listed in listed[] */
		uint32_t bytes;
	} __attribute__((aligned(64))) e[CLS_EMC_ENTRIES]; /* one cache line each */
} __attribute__((aligned(64)));

_Static_assert(sizeof(struct cls_emc_entry) == 64, "an exact-match cache entry is a line");
_Static_assert(CLS_TABLES <= 16, "a table number fits the tag's four bits");
_Static_assert(_Alignof(struct cls_rule) >= CLS_HINTS, "a hint fits a rule address's low bits");

/* @return an empty cache for classifier c, counting for reader worker (as cls_rule_hit()),
 * or NULL when memory is short. */
struct cls_emc *cls_emc_create(const struct classifier *c, unsigned int worker);

void cls_emc_destroy(struct cls_emc *emc);

/* cls_lookup_burst() through the cache: hits are answered from it, misses are looked up
 * and cached (misses of the table too).  Same results as cls_lookup_burst() at v.  With
 * bytes, every packet a rule is found for counts against it (one packet, bytes[i]
 * bytes), held in the cache until cls_emc_flush().  With hints, hints[i] is the rule's
 * (0 with no rule). */
void cls_emc_lookup_burst(struct cls_emc *emc, uint64_t v, unsigned int table,
			  const struct cls_key *const keys[], const uint32_t bytes[],
			  unsigned int n, const struct cls_rule *out[], uint8_t hints[]);

/*
 * Add the counts the cache holds to the rules' counters (cls_rule_hit()).  The reader
 * must call it after the version it loads moved (before its next quiescent state: the
 * rules counted may be freed after that), and should every few milliseconds, so that
 * readers of the counters (and idle timeouts) see them.  An entry holds up to 2^31
 * packets and 2^32 bytes between two calls.  Lookups after it must be at the version it
 * saw (cls_version()) or a later one, as a reader's next burst is: the entries of older
 * versions stop being listed.
 */
void cls_emc_flush(struct cls_emc *emc);

/* Whether the cache may hold counts to flush: it was looked up since the last flush. */
static inline bool cls_emc_pending(const struct cls_emc *emc)
{
	return emc->hits + emc->misses != emc->flushed;
}

/* The hash a cache of this seed (cls_emc's seed) files k under in table: for a caller
 * that keeps the seed in a register across many keys. */
static inline uint32_t cls_emc_hash_seed(uint32_t seed, const struct cls_key *k, unsigned int table)
{
#ifdef __SSE4_2__
	/* The key's halves folded together, then one CRC32C chain of three: half the
	 * work of cls_hash_words(), for a hash that only picks an entry (the entry's
	 * whole key is compared). */
	uint64_t h = _mm_crc32_u64(seed ^ (table * 0x9e3779b1u),
				   k->w[0] ^ (k->w[3] << 17 | k->w[3] >> 47));

	h = _mm_crc32_u64(h, k->w[1] ^ (k->w[4] << 17 | k->w[4] >> 47));
	return (uint32_t)_mm_crc32_u64(h, k->w[2] ^ k->w[5]);
#else
	return cls_hash_words(k->w, seed ^ (table * 0x9e3779b1u));
#endif
}

/* The hash the cache files k under in table. */
static inline uint32_t cls_emc_hash(const struct cls_emc *emc, const struct cls_key *k,
				    unsigned int table)
{
	return cls_emc_hash_seed(emc->seed, k, table);
}

/* A key's two entries, neighbours in one 128-byte block (a 2-way set-associative cache:
 * two flows sharing one entry do not evict each other forever).  Way 0 is where the key
 * goes when it can, so that its neighbour is read only when way 0 holds another key. */
static inline uint32_t cls_emc_way(uint32_t hash, int way)
{
	return (hash & (CLS_EMC_ENTRIES - 1)) ^ (uint32_t)way;
}

/* Start fetching the entry a key of this hash most likely sits in.  One line: with the
 * two ways far apart and both fetched, a packet cost 6 cycles more at 1,000 flows (the
 * same at 100,000) on a 2-core AMD VM. */
static inline void cls_emc_prefetch(const struct cls_emc *emc, uint32_t hash)
{
	__builtin_prefetch(&emc->e[cls_emc_way(hash, 0)]);
}

/* The cache's thrashing test: over windows of this many lookups, more than half missed.
 * Then one miss in CLS_EMC_THRASH_FILL fills an entry. */
#define CLS_EMC_WINDOW	    4096
#define CLS_EMC_THRASH_FILL 32

/* Keys the cache looks up together (cls_emc_lookup_hashed()). */
#define CLS_EMC_BURST 64

/* An entry's tag: the version it was filled at and its table. */
#define CLS_EMC_TAG_BITS 56

static inline uint64_t cls_emc_tag(uint64_t v, unsigned int table)
{
	return (v << 4 | table) & ((1ull << CLS_EMC_TAG_BITS) - 1);
}

/* The last word of an entry holding k at tag: the key's padding holds the tag. */
static inline uint64_t cls_emc_last(const struct cls_key *k, uint64_t tag)
{
	return k->w[CLS_KEY_WORDS - 1] | tag << 8;
}

/* Whether e holds key k at the tag in last (cls_emc_last()). */
static inline bool cls_emc_eq(const struct cls_emc_entry *e, const struct cls_key *k, uint64_t last)
{
#ifdef __AVX512F__
	/* The entry's line against the key with its tag, six lanes at once. */
	__m512i q =
		_mm512_mask_set1_epi64(_mm512_maskz_loadu_epi64(0x1f, k->w), 0x20, (long long)last);

	return _mm512_mask_cmpneq_epu64_mask(0x3f, _mm512_load_si512(e), q) == 0;
#else
	uint64_t diff = e->w[CLS_KEY_WORDS - 1] ^ last;
	int i;

	for (i = 0; i < CLS_KEY_WORDS - 1; i++)
		diff |= e->w[i] ^ k->w[i];
	return diff == 0;
#endif
}

static inline const struct cls_rule *cls_emc_rule(const struct cls_emc_entry *e)
{
	return (const struct cls_rule *)(e->rule & ~(uintptr_t)(CLS_HINTS - 1));
}

/* In an entry's packets: the entry is listed in listed[]; the count is the other bits. */
#define CLS_EMC_LISTED (1u << 31)

/* Count n packets of len bytes in all in e (a filled entry, so listed: the flush finds
 * them; counted on an entry of no rule, they are dropped there). */
static inline void cls_emc_count(struct cls_emc_entry *e, uint32_t n, uint32_t len)
{
	e->packets += n;
	e->bytes += len;
}

/* The misses of cls_emc_lookup_hashed(): keys[pos[i]] for i < nmiss, looked up in the
 * classifier, answered in out[pos[i]] (and hints[pos[i]]), cached and counted.  nmiss is
 * at most CLS_EMC_BURST. */
void cls_emc_fill(struct cls_emc *emc, uint64_t v, unsigned int table,
		  const struct cls_key *const keys[], const uint32_t hashes[],
		  const uint32_t bytes[], const uint8_t pos[], unsigned int nmiss,
		  const struct cls_rule *out[], uint8_t hints[]);

/* cls_emc_lookup_burst() with each key's cls_emc_hash() computed (and its entry
 * prefetched: cls_emc_prefetch()) by the caller, as soon as it had the key.  Inline: the
 * hits are the switch's every packet (the misses go to cls_emc_fill()). */
static inline void cls_emc_lookup_hashed(struct cls_emc *emc, uint64_t v, unsigned int table,
					 const struct cls_key *const keys[],
					 const uint32_t hashes[], const uint32_t bytes[],
					 unsigned int n, const struct cls_rule *out[],
					 uint8_t hints[])
{
	uint64_t tag = cls_emc_tag(v, table);
	unsigned int base, i;

	for (base = 0; base < n; base += CLS_EMC_BURST) {
		unsigned int cnt = n - base < CLS_EMC_BURST ? n - base : CLS_EMC_BURST, nmiss = 0;
		uint8_t miss[CLS_EMC_BURST];
		/* Hits in a row on one entry are counted there once: packets of one flow
		 * would otherwise each wait for the last one's store. */
		struct cls_emc_entry *run = NULL;
		uint32_t run_n = 0, run_len = 0;

		for (i = base; i < base + cnt; i++) {
			struct cls_emc_entry *e = &emc->e[cls_emc_way(hashes[i], 0)];
			uint64_t last = cls_emc_last(keys[i], tag);

			if (!cls_emc_eq(e, keys[i], last)) {
				e = &emc->e[cls_emc_way(hashes[i], 1)];
				if (!cls_emc_eq(e, keys[i], last)) {
					miss[nmiss++] = (uint8_t)(i - base);
					continue;
				}
			}
			out[i] = cls_emc_rule(e);
			if (hints != NULL)
				hints[i] = (uint8_t)(e->rule & (CLS_HINTS - 1));
			if (bytes != NULL) {
				if (e != run) {
					if (run_n != 0)
						cls_emc_count(run, run_n, run_len);
					run = e;
					run_n = 0;
					run_len = 0;
				}
				run_n++;
				run_len += bytes[i];
			}
		}
		if (run_n != 0) /* before a miss may refill its entry */
			cls_emc_count(run, run_n, run_len);
		emc->hits += cnt - nmiss;
		if (nmiss != 0)
			cls_emc_fill(emc, v, table, keys + base, hashes + base,
				     bytes != NULL ? bytes + base : NULL, miss, nmiss, out + base,
				     hints != NULL ? hints + base : NULL);
	}
}

#endif /* SYD_CLASSIFIER_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table: which port each (network, MAC address) was last seen on.
 *
 * One writer, many lock-free readers.  The main lcore is the only writer: it learns,
 * moves, ages and deletes entries.  Workers look entries up and refresh their
 * last-seen time without locks; a worker that sees a new station or a moved one asks
 * the writer through its learn ring (dataplane/worker.c).
 *
 * A slot's key never changes under a reader: a deleted slot becomes "dead" (matches
 * nothing, cannot be reused), and only mac_table_reclaim(), called by the writer after
 * an RCU grace period in which every reader passed a quiescent state, makes dead slots
 * free again.  So a reader that matched a key reads that key's port, or a newer one
 * after a move, never another key's.
 *
 * Layout: buckets of four 16-byte slots (one cache line), a key's home bucket chosen by
 * hash; a full home bucket spills into the next few buckets, and a per-bucket spill
 * count lets a lookup that misses its home bucket stop there when nothing spilled.
 * No EAL needed: plain memory, so the unit tests run without hugepages.
 */
#ifndef SYD_MAC_TABLE_H
#define SYD_MAC_TABLE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <rte_byteorder.h>
#include <rte_ether.h>

#define MAC_TABLE_SLOTS_PER_BUCKET 4
#define MAC_TABLE_MAX_PROBE        8       /* buckets searched from the home bucket */
#define MAC_PORT_STATIC            0x80000000u /* flag in an entry's port: never aged or moved */
#define MAC_KEY_DEAD               1ull /* a deleted slot waiting for reclaim: no key has
                                             * 0 in its top 16 bits */

struct mac_slot {
	uint64_t key;    /* 0: free; MAC_KEY_DEAD: deleted; else mac_table_key() */
	uint32_t port;   /* port index, | MAC_PORT_STATIC for a static entry */
	uint32_t seen_s; /* last time the station was seen as a source, in seconds */
};

struct mac_bucket {
	struct mac_slot slot[MAC_TABLE_SLOTS_PER_BUCKET];
} __attribute__((aligned(64)));

struct mac_table {
	struct mac_bucket *bucket;
	uint16_t *spill;   /* per home bucket: entries of it living in later buckets */
	uint32_t mask;     /* number of buckets - 1 */
	uint32_t capacity; /* most entries allowed */
	uint32_t count;    /* live entries */
	uint32_t dead;     /* deleted slots waiting for mac_table_reclaim() */
	uint64_t seed;     /* random per table: guests cannot aim MACs at one bucket */
};

/* What mac_table_learn() did. */
enum mac_learn_result {
	MAC_LEARN_NEW,     /* a new station */
	MAC_LEARN_MOVED,   /* a known station seen on another port */
	MAC_LEARN_REFRESH, /* known, same port: only the time changed */
};

/* The lookup key of MAC mac in network: never 0 and never MAC_KEY_DEAD. */
static inline uint64_t mac_table_key(uint16_t network, const struct rte_ether_addr *mac)
{
	uint32_t hi;
	uint16_t lo;
	uint64_t k;

	/* The six bytes, the first one highest: two loads and byte swaps, in registers (a
	 * six-byte copy into a zeroed uint64_t goes through the stack, and its 8-byte
	 * reload of the two fresh stores stalls on store forwarding: 20 cycles a packet). */
	memcpy(&hi, mac->addr_bytes, 4);
	memcpy(&lo, mac->addr_bytes + 4, 2);
	k = (uint64_t)rte_be_to_cpu_32(hi) << 16 | rte_be_to_cpu_16(lo) | (uint64_t)network << 48;
	/* The top 16 bits hold network + 1, never 0 for networks up to 0xfffe (callers
	 * never use 0xffff): so a key is never 0 nor MAC_KEY_DEAD. */
	return k + (1ull << 48);
}

static inline uint32_t mac_table_home(const struct mac_table *t, uint64_t key)
{
	return (uint32_t)(((key ^ t->seed) * 0x9e3779b97f4a7c15ull) >> 32) & t->mask;
}

/*
 * Find key's slot.  Lock-free: any thread, concurrently with the writer.
 * @return the slot (read its port with mac_slot_port()), or NULL when not present.
 */
static inline struct mac_slot *mac_table_find(const struct mac_table *t, uint64_t key)
{
	uint32_t b = mac_table_home(t, key);
	int probe, i;

	for (probe = 0; probe < MAC_TABLE_MAX_PROBE; probe++) {
		struct mac_bucket *bk = &t->bucket[(b + probe) & t->mask];

		for (i = 0; i < MAC_TABLE_SLOTS_PER_BUCKET; i++)
			if (__atomic_load_n(&bk->slot[i].key, __ATOMIC_ACQUIRE) == key)
				return &bk->slot[i];
		if (probe == 0 && __atomic_load_n(&t->spill[b], __ATOMIC_RELAXED) == 0)
			return NULL;
	}
	return NULL;
}

/* The port index stored in a slot found by mac_table_find() (without MAC_PORT_STATIC). */
static inline uint32_t mac_slot_port(const struct mac_slot *s)
{
	return __atomic_load_n(&s->port, __ATOMIC_RELAXED) & ~MAC_PORT_STATIC;
}

/*
 * Note that a station was seen now on its port: readers may call this on a slot they
 * found.  Writes only when the second changed, so a busy station costs one store a second.
 */
static inline void mac_slot_touch(struct mac_slot *s, uint32_t now_s)
{
	if (__atomic_load_n(&s->seen_s, __ATOMIC_RELAXED) != now_s)
		__atomic_store_n(&s->seen_s, now_s, __ATOMIC_RELAXED);
}

/*
 * Allocate a table for at least capacity entries, with twice as many slots so that
 * spills stay short.  A key is refused (-ENOSPC) when the MAC_TABLE_MAX_PROBE buckets
 * from its home are full, which random keys make vanishingly rare below capacity; the
 * hash is seeded at random per table so that chosen MACs cannot aim at one bucket.
 * @return the table, or NULL when capacity is 0 or above 2^26, or memory is short.
 */
struct mac_table *mac_table_create(uint32_t capacity);

/* Free a table; NULL is ignored.  No reader may use it any more. */
void mac_table_destroy(struct mac_table *t);

/*
 * Writer: record that key was seen on port at now_s.
 * @return an enum mac_learn_result, or
 *   -ENOSPC when the table holds capacity entries or key's buckets are full,
 *   -EPERM when key is a static entry on another port (static entries do not move).
 */
int mac_table_learn(struct mac_table *t, uint64_t key, uint32_t port, uint32_t now_s);

/*
 * Writer: add or replace a static entry (never aged, never moved by learning).
 * @return 0, or -ENOSPC when there is no room.
 */
int mac_table_add_static(struct mac_table *t, uint64_t key, uint32_t port);

/* Writer: delete key.  @return 0, or -ENOENT when not present. */
int mac_table_delete(struct mac_table *t, uint64_t key);

/*
 * Writer: delete learned entries not seen for age_s seconds or more at now_s.
 * @return the number deleted.
 */
uint32_t mac_table_age(struct mac_table *t, uint32_t now_s, uint32_t age_s);

/*
 * Writer: delete every learned entry on port (all ports when port is UINT32_MAX),
 * and, when with_static is set, the static ones too.  @return the number deleted.
 */
uint32_t mac_table_flush(struct mac_table *t, uint32_t port, bool with_static);

/* Writer: delete the entries of network (static ones too when with_static). */
uint32_t mac_table_flush_network(struct mac_table *t, uint16_t network, bool with_static);

/* Writer: delete the entries of network that point at port (static ones too when
 * with_static): a remote VTEP leaving one network's flood list. */
uint32_t mac_table_flush_network_port(struct mac_table *t, uint16_t network, uint32_t port,
				      bool with_static);

/*
 * Writer: make slots deleted before the caller's last grace period free again.
 * Call only when no reader can still hold a slot found before those deletions.
 */
void mac_table_reclaim(struct mac_table *t);

/* Live entries. */
static inline uint32_t mac_table_count(const struct mac_table *t)
{
	return t->count;
}

/*
 * Writer (or a reader that accepts a racy view): call fn for each live entry; stops
 * and returns fn's value when it is not 0.
 */
int mac_table_walk(const struct mac_table *t,
		   int (*fn)(uint64_t key, uint32_t port, uint32_t seen_s, void *arg), void *arg);

/* The network and MAC a key was made from. */
static inline void mac_table_key_split(uint64_t key, uint16_t *network, struct rte_ether_addr *mac)
{
	int i;

	*network = (uint16_t)((key >> 48) - 1);
	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		mac->addr_bytes[i] = (uint8_t)(key >> (40 - 8 * i));
}

#endif /* SYD_MAC_TABLE_H */

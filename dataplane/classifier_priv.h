/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The classifier's insides, shared by its three files: classifier.c (the rule set:
 * subtables, adding and removing rules, publication), classifier_lookup.c (the readers:
 * lookups, the exact-match cache, counting hits) and classifier_mem.c (the writer's
 * memory: rule slabs, counters and their indexes, frees deferred to a grace period, and
 * cls_create()).
 * Nothing outside these files includes it.
 */
#ifndef SYD_CLASSIFIER_PRIV_H
#define SYD_CLASSIFIER_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__) && !defined(__SANITIZE_THREAD__)
#include <emmintrin.h>
#define CLS_SIMD_SIG 1
#endif

#include "classifier.h"

#define CLS_VERSION_NEVER UINT64_MAX
#define CLS_SLOTS	  5 /* per bucket: 5 signatures and 5 pointers fill a cache line */
#define CLS_MAX_PROBE	  8 /* buckets searched from a key's home bucket */
#define CLS_CTR_SHIFT	  12
#define CLS_CTR_CHUNK	  (1u << CLS_CTR_SHIFT) /* counters allocated per chunk */
#define CLS_BURST	  64	      /* keys looked up together (one bit each in a mask) */
#define CLS_SLAB_MIN	  (64u << 10) /* a size's first slab; each next one is twice */
#define CLS_HUGE	  (2u << 20)  /* a transparent huge page */
#define CLS_RULE_CLASSES  5	      /* rule slots of 128, 192, 256, 320 and 384 bytes */

/*
 * A subtable's hash table: open addressing over buckets of one cache line, as the MAC
 * table does.  A slot holds the head of the list of rules sharing one masked key (the
 * highest priority first) and the key's 32-bit hash as a signature.  A key lives in its
 * home bucket or, when that is full, in one of the next CLS_MAX_PROBE - 1; spill counts
 * the keys of a home bucket living further on, so a miss usually reads one line.
 *
 * Readers need no lock: a slot's pointer is stored last (release) when a key is added,
 * and a reader compares the whole key of the rule it loads, so a slot reused for another
 * key is harmless.  A key is removed only when none of its rules is visible at any
 * version a reader may hold.  Growing builds a new table and publishes it with one
 * pointer store; the old one is freed after a grace period.
 */
struct cls_bucket {
	uint32_t sig[CLS_SLOTS];
	uint32_t spill;
	struct cls_rule *rule[CLS_SLOTS]; /* NULL: free */
} __attribute__((aligned(64)));

struct cls_htab {
	uint32_t mask;	/* buckets - 1 */
	uint32_t count; /* keys (writer) */
	struct cls_bucket b[];
};

struct cls_prio {
	uint32_t priority;
	uint32_t count;
};

/* A table's rules with one mask.  Readers use mask and htab; the rest is the writer's. */
struct cls_subtable {
	struct cls_key mask;
	struct cls_htab *htab;
	struct cls_subtable *map_next; /* the writer's map of a table's subtables by mask */
	uint32_t map_hash;
	uint32_t nrules; /* linked rules, staged and removed-not-yet-unlinked ones too */
	uint32_t nprio, prio_cap;
	struct cls_prio *prio; /* how many linked rules have each priority, ascending */
} __attribute__((aligned(64)));

/* A table's subtables by descending highest priority: immutable once published. */
struct cls_pvec {
	uint32_t n;
	struct cls_pvec_entry {
		uint32_t priority; /* >= that of every rule of sub a reader can see */
		const struct cls_subtable *sub;
	} e[];
};

struct cls_tab {
	struct cls_pvec *pvec; /* RCU: NULL when empty */
	struct cls_subtable **map;
	uint32_t map_mask;
	uint32_t nsub;
	bool dirty; /* its vector must be rebuilt */
};

struct cls_counter {
	uint64_t packets;
	uint64_t bytes;
};

/* The writer's view of one stats index (one rule identity). */
struct cls_meta {
	struct cls_rule *rule; /* the staged version's rule; NULL once deleted */
	uint32_t last_packets; /* low bits of the sum at the last sweep: it moved or not */
	uint32_t used_s;       /* sweep time the counters last moved; 0: never */
	uint32_t idle_from_s;  /* idle since: first sweep or last movement */
	uint32_t refs : 31;    /* rule objects not yet freed that count into it (a rule, and
				* the versions it replaced until they are freed) */
	uint32_t swept : 1;    /* seen by a sweep: idle_from_s is set */
};

/*
 * Rules live in slabs: chunks of 64 KiB to 2 MiB carved into slots of a rule's size
 * rounded up to whole cache lines (so a rule's first line is what a lookup compares),
 * with a free list per size threaded through the free slots.  Memory of deleted rules
 * is kept for new ones, as a mempool would, and returned by cls_destroy().  Under ASan
 * a free slot is poisoned but for its link, so touching a freed rule is still reported.
 */
struct cls_slab {
	void *free;    /* free slots, linked through their first word */
	uint8_t *cur;  /* not carved yet */
	uint32_t left; /* bytes at cur */
	uint32_t next; /* bytes of the next chunk */
};

/* A growable array of rules (the writer's lists of a batch). */
struct cls_rvec {
	struct cls_rule **r;
	uint32_t n, cap;
};

struct cls_garbage {
	void *ptr;
	size_t size;
	uint64_t tag; /* the grace period count when it became unreachable */
	bool is_rule;
};

struct classifier {
	uint64_t version; /* published: readers load-acquire */
	uint32_t seed;
	unsigned int workers;
	struct cls_counter **ctr[CLS_MAX_WORKERS]; /* per worker: chunk directory */
	struct cls_tab tab[CLS_TABLES];
	/* Writer only. */
	void (*synchronize)(void *arg);
	void *sync_arg;
	bool dirty; /* changes staged since the last commit */
	uint64_t next_id;
	uint64_t syncs;		      /* grace periods so far */
	unsigned int count;	      /* rules in the staged version */
	unsigned int committed_count; /* in the published one */
	size_t mem;
	struct cls_rvec added;	 /* rules staged since the last commit */
	struct cls_rvec removed; /* removals staged since the last commit */
	struct cls_slab slab[CLS_RULE_CLASSES];
	void **chunks;
	uint32_t nchunks, chunks_cap;
	struct cls_garbage *gc;
	size_t ngc, gc_cap;
	struct cls_meta *meta;
	uint32_t *free_idx; /* freed stats indexes; same capacity as meta */
	uint32_t meta_cap, stats_hi, nfree;
};

/* Hashing */

static inline uint32_t hash_masked(const struct cls_key *k, const struct cls_key *m, uint32_t seed)
{
	uint64_t w[CLS_KEY_WORDS];
	int i;

	for (i = 0; i < CLS_KEY_WORDS; i++)
		w[i] = k->w[i] & m->w[i];
	return cls_hash_words(w, seed);
}

/* Whether k masked with m is the masked key mk. */
static inline bool key_eq_masked(const struct cls_key *k, const struct cls_key *m,
				 const struct cls_key *mk)
{
	uint64_t diff = 0;
	int i;

	for (i = 0; i < CLS_KEY_WORDS; i++)
		diff |= (k->w[i] & m->w[i]) ^ mk->w[i];
	return diff == 0;
}

static inline bool key_eq(const struct cls_key *a, const struct cls_key *b)
{
	uint64_t diff = 0;
	int i;

	for (i = 0; i < CLS_KEY_WORDS; i++)
		diff |= a->w[i] ^ b->w[i];
	return diff == 0;
}

/* Hash tables: what readers and the writer both search */

/* The slots of bk whose signature is hash, one bit each. */
static inline unsigned int sig_match(const struct cls_bucket *bk, uint32_t hash)
{
#ifdef CLS_SIMD_SIG
	/* Four at once with a plain vector load, as rte_hash compares signatures: each
	 * aligned 4-byte lane is read whole, and the signature of a key a reader can see
	 * does not change while it can see it (only free slots get new ones). */
	__m128i s = _mm_load_si128((const __m128i *)bk->sig);
	unsigned int m = (unsigned int)_mm_movemask_ps(
		_mm_castsi128_ps(_mm_cmpeq_epi32(s, _mm_set1_epi32((int)hash))));

	return m | (unsigned int)(__atomic_load_n(&bk->sig[4], __ATOMIC_RELAXED) == hash) << 4;
#else
	unsigned int m = 0;
	int i;

	for (i = 0; i < CLS_SLOTS; i++)
		m |= (unsigned int)(__atomic_load_n(&bk->sig[i], __ATOMIC_RELAXED) == hash) << i;
	return m;
#endif
}

static inline struct cls_rule *htab_find(const struct cls_htab *h, const struct cls_key *k,
					 const struct cls_key *m, uint32_t hash)
{
	uint32_t home = hash & h->mask, probe;
	int i;

	for (probe = 0; probe < CLS_MAX_PROBE && probe <= h->mask; probe++) {
		const struct cls_bucket *bk = &h->b[(home + probe) & h->mask];
		unsigned int sm;

		for (sm = sig_match(bk, hash); sm != 0; sm &= sm - 1) {
			struct cls_rule *r;

			i = __builtin_ctz(sm);
			r = __atomic_load_n(&bk->rule[i], __ATOMIC_ACQUIRE);
			if (r != NULL && key_eq_masked(k, m, &r->key))
				return r;
		}
		if (probe == 0 && __atomic_load_n(&bk->spill, __ATOMIC_RELAXED) == 0)
			return NULL;
	}
	return NULL;
}

static inline bool visible(const struct cls_rule *r, uint64_t v)
{
	return r->add_version <= v && v < __atomic_load_n(&r->remove_version, __ATOMIC_RELAXED);
}

/* Sizes of what the writer allocates */

static inline size_t rule_size(uint16_t actions_len)
{
	return offsetof(struct cls_rule, actions) + actions_len;
}

static inline size_t htab_size(uint32_t nbuckets)
{
	return sizeof(struct cls_htab) + (size_t)nbuckets * sizeof(struct cls_bucket);
}

static inline size_t pvec_size(uint32_t n)
{
	return sizeof(struct cls_pvec) + (size_t)n * sizeof(struct cls_pvec_entry);
}

/* classifier_mem.c: the writer's memory */

/* size bytes, cache-line aligned, counted in cls_memory(); NULL when out of memory. */
void *cls_mem_alloc(struct classifier *c, size_t size);
void cls_mem_free(struct classifier *c, void *p, size_t size);
/* A slot for a rule of size bytes from the slab of its size class. */
struct cls_rule *cls_rule_alloc(struct classifier *c, size_t size);
void cls_rule_free(struct classifier *c, struct cls_rule *r);
/* A stats index with zero counters and one reference; -ENOSPC or -ENOMEM. */
int cls_stats_get(struct classifier *c, uint32_t *out);
void cls_stats_put(struct classifier *c, uint32_t idx);
/* Wait until no reader can hold anything unreachable before the call. */
void cls_grace_period(struct classifier *c);
/* Free p (a rule when is_rule) once the next grace period has ended. */
void cls_gc_add(struct classifier *c, void *p, size_t size, bool is_rule);
/* Free what became unreachable before the last grace period (all: everything). */
void cls_gc_collect(struct classifier *c, bool all);

#endif

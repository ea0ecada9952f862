/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>
#ifdef __SSE4_2__
#include <nmmintrin.h>
#endif
#if defined(__SSE2__) && !defined(__SANITIZE_THREAD__)
#include <emmintrin.h>
#define CLS_SIMD_SIG 1
#endif

#include <sanitizer/asan_interface.h>

#include <rte_common.h>
#include <rte_prefetch.h>

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

/* Reader side */

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

/* The first rule of a same-key list visible at v: the highest priority one. */
static inline const struct cls_rule *first_visible(const struct cls_rule *r, uint64_t v)
{
	for (; r != NULL; r = __atomic_load_n(&r->dup_next, __ATOMIC_ACQUIRE))
		if (visible(r, v))
			return r;
	return NULL;
}

/* Whether r beats best: a higher priority, or the same and added earlier. */
static inline bool better(const struct cls_rule *r, const struct cls_rule *best)
{
	return best == NULL || r->priority > best->priority ||
	       (r->priority == best->priority && r->id < best->id);
}

uint64_t cls_version(const struct classifier *c)
{
	return __atomic_load_n(&c->version, __ATOMIC_ACQUIRE);
}

const struct cls_rule *cls_lookup(const struct classifier *c, uint64_t v, unsigned int table,
				  const struct cls_key *k)
{
	const struct cls_pvec *pv;
	const struct cls_rule *best = NULL;
	uint32_t e;

	if (table >= CLS_TABLES)
		return NULL;
	pv = __atomic_load_n(&c->tab[table].pvec, __ATOMIC_ACQUIRE);
	if (pv == NULL)
		return NULL;
	for (e = 0; e < pv->n; e++) {
		const struct cls_subtable *s = pv->e[e].sub;
		const struct cls_htab *h;
		const struct cls_rule *r;

		/* Sorted by priority: nothing further on can beat best (ties still can). */
		if (best != NULL && pv->e[e].priority < best->priority)
			break;
		h = __atomic_load_n(&s->htab, __ATOMIC_ACQUIRE);
		r = htab_find(h, k, &s->mask, hash_masked(k, &s->mask, c->seed));
		if (r == NULL)
			continue;
		r = first_visible(r, v);
		if (r != NULL && better(r, best))
			best = r;
	}
	return best;
}

/* Up to CLS_BURST keys, subtable by subtable: hash every key and prefetch its home
 * bucket; then find the signatures and prefetch their rules; then compare. */
static void lookup_chunk(const struct classifier *c, uint64_t v, const struct cls_pvec *pv,
			 const struct cls_key *const keys[], unsigned int n,
			 const struct cls_rule *out[])
{
	const struct cls_rule *cand[CLS_BURST];
	uint32_t hash[CLS_BURST], best[CLS_BURST];
	uint64_t todo = n == CLS_BURST ? UINT64_MAX : (1ull << n) - 1, m;
	uint32_t e;
	unsigned int i;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (pv == NULL)
		return;
	for (e = 0; e < pv->n && todo != 0; e++) {
		const struct cls_subtable *s = pv->e[e].sub;
		uint32_t prio = pv->e[e].priority;
		uint64_t found = 0, slow = 0;
		const struct cls_htab *h;

		/* Keys whose best rule outranks this subtable (and every later one) are done. */
		for (m = todo; m != 0; m &= m - 1) {
			i = (unsigned int)__builtin_ctzll(m);
			if (out[i] != NULL && best[i] > prio)
				todo &= ~(1ull << i);
		}
		h = __atomic_load_n(&s->htab, __ATOMIC_ACQUIRE);
		for (m = todo; m != 0; m &= m - 1) {
			i = (unsigned int)__builtin_ctzll(m);
			hash[i] = hash_masked(keys[i], &s->mask, c->seed);
			rte_prefetch0(&h->b[hash[i] & h->mask]);
		}
		for (m = todo; m != 0; m &= m - 1) {
			const struct cls_bucket *bk;
			int j;

			i = (unsigned int)__builtin_ctzll(m);
			bk = &h->b[hash[i] & h->mask];
			unsigned int sm;

			for (sm = sig_match(bk, hash[i]); sm != 0; sm &= sm - 1) {
				const struct cls_rule *r;

				j = __builtin_ctz(sm);
				r = __atomic_load_n(&bk->rule[j], __ATOMIC_ACQUIRE);
				if (r != NULL) {
					rte_prefetch0(r);
					cand[i] = r;
					found |= 1ull << i;
					break;
				}
			}
			if (!(found & (1ull << i)) && __atomic_load_n(&bk->spill, __ATOMIC_RELAXED))
				slow |= 1ull << i; /* it may live in a later bucket */
		}
		for (m = found | slow; m != 0; m &= m - 1) {
			const struct cls_rule *r;

			i = (unsigned int)__builtin_ctzll(m);
			r = (found & (1ull << i)) ? cand[i] : NULL;
			/* Another key with the same signature: search the whole window. */
			if (r == NULL || !key_eq_masked(keys[i], &s->mask, &r->key))
				r = htab_find(h, keys[i], &s->mask, hash[i]);
			if (r == NULL)
				continue;
			r = first_visible(r, v);
			if (r != NULL && better(r, out[i])) {
				out[i] = r;
				best[i] = r->priority;
			}
		}
	}
}

void cls_lookup_burst(const struct classifier *c, uint64_t v, unsigned int table,
		      const struct cls_key *const keys[], unsigned int n,
		      const struct cls_rule *out[])
{
	const struct cls_pvec *pv;
	unsigned int i;

	if (table >= CLS_TABLES) {
		for (i = 0; i < n; i++)
			out[i] = NULL;
		return;
	}
	pv = __atomic_load_n(&c->tab[table].pvec, __ATOMIC_ACQUIRE);
	for (i = 0; i < n; i += CLS_BURST)
		lookup_chunk(c, v, pv, keys + i, RTE_MIN(n - i, (unsigned int)CLS_BURST), out + i);
}

void cls_rule_hit(const struct classifier *c, unsigned int worker, const struct cls_rule *r,
		  uint32_t packets, uint64_t bytes)
{
	struct cls_counter *chunk =
		__atomic_load_n(&c->ctr[worker][r->stats_idx >> CLS_CTR_SHIFT], __ATOMIC_ACQUIRE);
	struct cls_counter *ctr = &chunk[r->stats_idx & (CLS_CTR_CHUNK - 1)];

	/* Only this worker writes its counter: a plain load and store, atomic only so that
	 * a reader summing them never sees half a value. */
	__atomic_store_n(&ctr->packets, __atomic_load_n(&ctr->packets, __ATOMIC_RELAXED) + packets,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&ctr->bytes, __atomic_load_n(&ctr->bytes, __ATOMIC_RELAXED) + bytes,
			 __ATOMIC_RELAXED);
}

void cls_rule_prefetch_hit(const struct classifier *c, unsigned int worker,
			   const struct cls_rule *r)
{
	const struct cls_counter *chunk =
		__atomic_load_n(&c->ctr[worker][r->stats_idx >> CLS_CTR_SHIFT], __ATOMIC_ACQUIRE);

	rte_prefetch0(&chunk[r->stats_idx & (CLS_CTR_CHUNK - 1)]);
}

/* The exact-match cache */

struct cls_emc *cls_emc_create(const struct classifier *c)
{
	struct cls_emc *emc = aligned_alloc(64, sizeof(*emc));
	unsigned int i;

	if (emc == NULL)
		return NULL;
	emc->cls = c;
	emc->seed = c->seed;
	emc->hits = 0;
	emc->misses = 0;
	emc->inserts = 0;
	for (i = 0; i < CLS_EMC_ENTRIES; i++) {
		memset(&emc->e[i].key, 0, sizeof(emc->e[i].key));
		emc->e[i].rule = NULL;
		emc->e[i].tag = UINT64_MAX;
	}
	return emc;
}

void cls_emc_destroy(struct cls_emc *emc)
{
	free(emc);
}

void cls_emc_lookup_burst(struct cls_emc *emc, uint64_t v, unsigned int table,
			  const struct cls_key *const keys[], unsigned int n,
			  const struct cls_rule *out[])
{
	uint32_t hash[CLS_BURST];
	unsigned int base, i;

	for (base = 0; base < n; base += CLS_BURST) {
		unsigned int cnt = RTE_MIN(n - base, (unsigned int)CLS_BURST);

		for (i = 0; i < cnt; i++) {
			hash[i] = cls_emc_hash(emc, keys[base + i], table);
			cls_emc_prefetch(emc, hash[i]);
		}
		cls_emc_lookup_hashed(emc, v, table, keys + base, hash, cnt, out + base);
	}
}

void cls_emc_lookup_hashed(struct cls_emc *emc, uint64_t v, unsigned int table,
			   const struct cls_key *const keys[], const uint32_t hashes[],
			   unsigned int n, const struct cls_rule *out[])
{
	const struct classifier *c = emc->cls;
	const struct cls_key *miss_key[CLS_BURST];
	const struct cls_rule *miss_out[CLS_BURST];
	uint32_t hash[CLS_BURST], pos[CLS_BURST];
	uint64_t tag = v << 8 | table;
	const struct cls_pvec *pv;
	unsigned int base, i, nmiss;

	if (table >= CLS_TABLES) {
		for (i = 0; i < n; i++)
			out[i] = NULL;
		return;
	}
	pv = __atomic_load_n(&c->tab[table].pvec, __ATOMIC_ACQUIRE);
	if (pv == NULL) { /* an empty table: nothing to cache */
		for (i = 0; i < n; i++)
			out[i] = NULL;
		return;
	}
	for (base = 0; base < n; base += CLS_BURST) {
		unsigned int cnt = RTE_MIN(n - base, (unsigned int)CLS_BURST);

		nmiss = 0;
		for (i = 0; i < cnt; i++) {
			uint32_t h = hashes[base + i];
			const struct cls_emc_entry *e0 = &emc->e[cls_emc_way(h, 0)];
			const struct cls_emc_entry *e1 = &emc->e[cls_emc_way(h, 1)];

			/* The tag first: an entry of another version may hold a freed rule. */
			if (e0->tag == tag && key_eq(&e0->key, keys[base + i])) {
				out[base + i] = e0->rule;
			} else if (e1->tag == tag && key_eq(&e1->key, keys[base + i])) {
				out[base + i] = e1->rule;
			} else {
				miss_key[nmiss] = keys[base + i];
				hash[nmiss] = h;
				pos[nmiss++] = base + i;
			}
		}
		emc->hits += cnt - nmiss;
		if (nmiss == 0)
			continue;
		emc->misses += nmiss;
		lookup_chunk(c, v, pv, miss_key, nmiss, miss_out);
		for (i = 0; i < nmiss; i++) {
			struct cls_emc_entry *e0 = &emc->e[cls_emc_way(hash[i], 0)];
			struct cls_emc_entry *e1 = &emc->e[cls_emc_way(hash[i], 1)], *e;

			out[pos[i]] = miss_out[i];
			/* An entry of an older version, else either in turn. */
			if ((e0->tag >> 8) != v)
				e = e0;
			else if ((e1->tag >> 8) != v)
				e = e1;
			else
				e = (emc->inserts++ & 1) ? e1 : e0;
			e->key = *miss_key[i];
			e->rule = miss_out[i];
			e->tag = tag;
		}
	}
}

/* Writer: memory */

/* Cache lines, or whole huge pages from 2 MiB up. */
static size_t mem_round(size_t size)
{
	return size >= CLS_HUGE ? RTE_ALIGN_CEIL(size, (size_t)CLS_HUGE)
				: RTE_ALIGN_CEIL(size, (size_t)64);
}

/* Memory of 2 MiB and more is advised into transparent huge pages (when the kernel's
 * setting is madvise or always): a million rules then fault in a hundred pages, not
 * fifty thousand, and lookups miss the TLB less. */
static void *mem_alloc(struct classifier *c, size_t size)
{
	size_t rounded = mem_round(size);
	void *p = aligned_alloc(rounded >= CLS_HUGE ? CLS_HUGE : 64, rounded);

	if (p == NULL)
		return NULL;
	if (rounded >= CLS_HUGE)
		(void)madvise(p, rounded, MADV_HUGEPAGE); /* advice: fine if refused */
	c->mem += rounded;
	return p;
}

static void mem_free(struct classifier *c, void *p, size_t size)
{
	if (p == NULL)
		return;
	c->mem -= mem_round(size);
	free(p);
}

static size_t rule_size(uint16_t actions_len)
{
	return offsetof(struct cls_rule, actions) + actions_len;
}

static size_t htab_size(uint32_t nbuckets)
{
	return sizeof(struct cls_htab) + (size_t)nbuckets * sizeof(struct cls_bucket);
}

static size_t pvec_size(uint32_t n)
{
	return sizeof(struct cls_pvec) + (size_t)n * sizeof(struct cls_pvec_entry);
}

static unsigned int rule_class(size_t size)
{
	return (unsigned int)((size + 63) / 64) - 2;
}

static size_t class_size(unsigned int k)
{
	return (size_t)(k + 2) * 64;
}

static struct cls_rule *rule_alloc(struct classifier *c, size_t size)
{
	unsigned int k = rule_class(size);
	struct cls_slab *sl = &c->slab[k];
	size_t slot = class_size(k);
	void *p;

	if (sl->free != NULL) {
		p = sl->free;
		sl->free = *(void **)p;
	} else {
		if (sl->left < slot) {
			void *chunk;

			if (c->nchunks == c->chunks_cap) {
				uint32_t cap = c->chunks_cap ? 2 * c->chunks_cap : 64;
				void **a = realloc(c->chunks, cap * sizeof(*a));

				if (a == NULL)
					return NULL;
				c->mem += (cap - c->chunks_cap) * sizeof(*a);
				c->chunks = a;
				c->chunks_cap = cap;
			}
			if (sl->next == 0)
				sl->next = CLS_SLAB_MIN;
			chunk = mem_alloc(c, sl->next);
			if (chunk == NULL)
				return NULL;
			ASAN_POISON_MEMORY_REGION(chunk, sl->next);
			c->chunks[c->nchunks++] = chunk;
			sl->cur = chunk;
			sl->left = sl->next;
			if (sl->next < CLS_HUGE)
				sl->next *= 2;
		}
		p = sl->cur;
		sl->cur += slot;
		sl->left -= (uint32_t)slot;
	}
	ASAN_UNPOISON_MEMORY_REGION(p, size);
	return p;
}

static void rule_free(struct classifier *c, struct cls_rule *r)
{
	unsigned int k = rule_class(rule_size(r->actions_len));

	ASAN_POISON_MEMORY_REGION(r, class_size(k));
	ASAN_UNPOISON_MEMORY_REGION(r, sizeof(void *));
	*(void **)r = c->slab[k].free;
	c->slab[k].free = r;
}

/* Writer: counters */

static void counters_zero(struct classifier *c, uint32_t idx)
{
	unsigned int w;

	for (w = 0; w < c->workers; w++) {
		struct cls_counter *ctr =
			&c->ctr[w][idx >> CLS_CTR_SHIFT][idx & (CLS_CTR_CHUNK - 1)];

		__atomic_store_n(&ctr->packets, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&ctr->bytes, 0, __ATOMIC_RELAXED);
	}
}

static int stats_get(struct classifier *c, uint32_t *out)
{
	uint32_t idx;
	unsigned int w;

	if (c->nfree > 0) {
		idx = c->free_idx[--c->nfree];
	} else {
		if (c->stats_hi == CLS_MAX_RULES)
			return -ENOSPC;
		idx = c->stats_hi;
		if (idx == c->meta_cap) {
			uint32_t cap = c->meta_cap ? 2 * c->meta_cap : 1024;
			struct cls_meta *m = realloc(c->meta, cap * sizeof(*m));
			uint32_t *f;

			if (m == NULL)
				return -ENOMEM;
			c->meta = m;
			f = realloc(c->free_idx, cap * sizeof(*f));
			if (f == NULL)
				return -ENOMEM; /* meta merely has room to spare */
			c->free_idx = f;
			c->mem += (cap - c->meta_cap) * (sizeof(*m) + sizeof(*f));
			c->meta_cap = cap;
		}
		if ((idx & (CLS_CTR_CHUNK - 1)) == 0) {
			for (w = 0; w < c->workers; w++) {
				struct cls_counter *chunk =
					mem_alloc(c, CLS_CTR_CHUNK * sizeof(*chunk));

				if (chunk == NULL) {
					while (w-- > 0) {
						mem_free(c, c->ctr[w][idx >> CLS_CTR_SHIFT],
							 CLS_CTR_CHUNK * sizeof(*chunk));
						c->ctr[w][idx >> CLS_CTR_SHIFT] = NULL;
					}
					return -ENOMEM;
				}
				memset(chunk, 0, CLS_CTR_CHUNK * sizeof(*chunk));
				/* Published before any rule counting into it. */
				__atomic_store_n(&c->ctr[w][idx >> CLS_CTR_SHIFT], chunk,
						 __ATOMIC_RELEASE);
			}
		}
		c->stats_hi++;
	}
	memset(&c->meta[idx], 0, sizeof(c->meta[idx]));
	c->meta[idx].refs = 1;
	*out = idx;
	return 0;
}

/* Drop a reference; the last one zeroes the counters (no rule counts into them any
 * more: it was freed after a grace period) and frees the index. */
static void stats_put(struct classifier *c, uint32_t idx)
{
	if (--c->meta[idx].refs > 0)
		return;
	counters_zero(c, idx);
	c->free_idx[c->nfree++] = idx;
}

static void gc_free_one(struct classifier *c, struct cls_garbage *g)
{
	if (g->is_rule) {
		stats_put(c, ((struct cls_rule *)g->ptr)->stats_idx);
		rule_free(c, g->ptr);
	} else {
		mem_free(c, g->ptr, g->size);
	}
}

/* Free what became unreachable before the last grace period began. */
static void gc_collect(struct classifier *c, bool all)
{
	size_t i, kept = 0;

	for (i = 0; i < c->ngc; i++) {
		if (all || c->gc[i].tag < c->syncs)
			gc_free_one(c, &c->gc[i]);
		else
			c->gc[kept++] = c->gc[i];
	}
	c->ngc = kept;
}

static void grace_period(struct classifier *c)
{
	if (c->synchronize != NULL)
		c->synchronize(c->sync_arg);
	c->syncs++;
}

/* Keep p (unreachable for readers from now on) until the next grace period ends. */
static void gc_add(struct classifier *c, void *p, size_t size, bool is_rule)
{
	struct cls_garbage g = {p, size, c->syncs, is_rule};

	if (c->ngc == c->gc_cap) {
		size_t cap = c->gc_cap ? 2 * c->gc_cap : 256;
		struct cls_garbage *a = realloc(c->gc, cap * sizeof(*a));

		if (a == NULL) {
			/* No room to defer it: wait for the grace period now. */
			grace_period(c);
			gc_free_one(c, &g);
			return;
		}
		c->mem += (cap - c->gc_cap) * sizeof(*a);
		c->gc = a;
		c->gc_cap = cap;
	}
	c->gc[c->ngc++] = g;
}

/* Writer: subtables */

static uint32_t mask_hash(const struct cls_key *mask)
{
	return cls_hash_words(mask->w, 0x2545f491u);
}

static struct cls_subtable *sub_find(const struct cls_tab *t, const struct cls_key *mask,
				     uint32_t mh)
{
	struct cls_subtable *s;

	if (t->map == NULL)
		return NULL;
	for (s = t->map[mh & t->map_mask]; s != NULL; s = s->map_next)
		if (s->map_hash == mh && key_eq(&s->mask, mask))
			return s;
	return NULL;
}

static int map_grow(struct classifier *c, struct cls_tab *t)
{
	uint32_t n = t->map ? 2 * (t->map_mask + 1) : 16, i;
	struct cls_subtable **map = calloc(n, sizeof(*map));

	if (map == NULL)
		return -ENOMEM;
	for (i = 0; t->map != NULL && i <= t->map_mask; i++) {
		struct cls_subtable *s = t->map[i], *next;

		for (; s != NULL; s = next) {
			next = s->map_next;
			s->map_next = map[s->map_hash & (n - 1)];
			map[s->map_hash & (n - 1)] = s;
		}
	}
	if (t->map != NULL)
		c->mem -= (t->map_mask + 1) * sizeof(*map);
	free(t->map);
	c->mem += n * sizeof(*map);
	t->map = map;
	t->map_mask = n - 1;
	return 0;
}

/* The subtable of mask in table t, made when missing (*created says so). */
static struct cls_subtable *sub_get(struct classifier *c, struct cls_tab *t,
				    const struct cls_key *mask, bool *created)
{
	uint32_t mh = mask_hash(mask);
	struct cls_subtable *s = sub_find(t, mask, mh);

	*created = false;
	if (s != NULL)
		return s;
	if ((t->map == NULL || t->nsub > t->map_mask) && map_grow(c, t) < 0)
		return NULL;
	s = mem_alloc(c, sizeof(*s));
	if (s == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->htab = mem_alloc(c, htab_size(1));
	if (s->htab == NULL) {
		mem_free(c, s, sizeof(*s));
		return NULL;
	}
	memset(s->htab, 0, htab_size(1));
	s->mask = *mask;
	s->map_hash = mh;
	s->map_next = t->map[mh & t->map_mask];
	t->map[mh & t->map_mask] = s;
	t->nsub++;
	*created = true;
	return s;
}

/* Take s out of its table's map; it is freed after a grace period (readers may still be
 * in it through an old vector) unless never published. */
static void sub_drop(struct classifier *c, struct cls_tab *t, struct cls_subtable *s,
		     bool published)
{
	struct cls_subtable **pp = &t->map[s->map_hash & t->map_mask];

	while (*pp != s)
		pp = &(*pp)->map_next;
	*pp = s->map_next;
	t->nsub--;
	c->mem -= s->prio_cap * sizeof(*s->prio);
	free(s->prio);
	s->prio = NULL;
	if (published) {
		gc_add(c, s->htab, htab_size(s->htab->mask + 1), false);
		gc_add(c, s, sizeof(*s), false);
	} else {
		mem_free(c, s->htab, htab_size(s->htab->mask + 1));
		mem_free(c, s, sizeof(*s));
	}
}

static uint32_t prio_search(const struct cls_subtable *s, uint32_t priority)
{
	uint32_t lo = 0, hi = s->nprio;

	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (s->prio[mid].priority < priority)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int prio_inc(struct classifier *c, struct cls_subtable *s, uint32_t priority)
{
	uint32_t i = prio_search(s, priority);

	if (i < s->nprio && s->prio[i].priority == priority) {
		s->prio[i].count++;
		return 0;
	}
	if (s->nprio == s->prio_cap) {
		uint32_t cap = s->prio_cap ? 2 * s->prio_cap : 4;
		struct cls_prio *p = realloc(s->prio, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		c->mem += (cap - s->prio_cap) * sizeof(*p);
		s->prio = p;
		s->prio_cap = cap;
	}
	memmove(&s->prio[i + 1], &s->prio[i], (s->nprio - i) * sizeof(*s->prio));
	s->prio[i] = (struct cls_prio){priority, 1};
	s->nprio++;
	return 0;
}

static void prio_dec(struct cls_subtable *s, uint32_t priority)
{
	uint32_t i = prio_search(s, priority);

	if (--s->prio[i].count == 0) {
		memmove(&s->prio[i], &s->prio[i + 1], (s->nprio - i - 1) * sizeof(*s->prio));
		s->nprio--;
	}
}

static uint32_t sub_max_priority(const struct cls_subtable *s)
{
	return s->nprio ? s->prio[s->nprio - 1].priority : 0;
}

/* Writer: hash tables */

static int slot_put(struct cls_htab *h, struct cls_rule *r, uint32_t hash)
{
	uint32_t home = hash & h->mask, probe;
	int i;

	for (probe = 0; probe < CLS_MAX_PROBE && probe <= h->mask; probe++) {
		struct cls_bucket *bk = &h->b[(home + probe) & h->mask];

		for (i = 0; i < CLS_SLOTS; i++) {
			if (bk->rule[i] != NULL)
				continue;
			if (probe > 0)
				__atomic_store_n(&h->b[home].spill, h->b[home].spill + 1,
						 __ATOMIC_RELAXED);
			__atomic_store_n(&bk->sig[i], hash, __ATOMIC_RELAXED);
			__atomic_store_n(&bk->rule[i], r, __ATOMIC_RELEASE);
			h->count++;
			return 0;
		}
	}
	return -ENOSPC;
}

/* Replace s's hash table by one with at least twice the buckets holding the same keys. */
static int htab_grow(struct classifier *c, struct cls_subtable *s)
{
	struct cls_htab *old = s->htab, *h;
	uint32_t nb = 2 * (old->mask + 1), b;
	int i;

	for (;;) {
		h = mem_alloc(c, htab_size(nb));
		if (h == NULL)
			return -ENOMEM;
		memset(h, 0, htab_size(nb));
		h->mask = nb - 1;
		for (b = 0; b <= old->mask; b++)
			for (i = 0; i < CLS_SLOTS; i++)
				if (old->b[b].rule[i] != NULL &&
				    slot_put(h, old->b[b].rule[i], old->b[b].sig[i]) < 0)
					goto again;
		break;
	again:
		mem_free(c, h, htab_size(nb));
		nb *= 2;
	}
	__atomic_store_n(&s->htab, h, __ATOMIC_RELEASE);
	gc_add(c, old, htab_size(old->mask + 1), false);
	return 0;
}

static int htab_insert(struct classifier *c, struct cls_subtable *s, struct cls_rule *r,
		       uint32_t hash)
{
	int ret;

	/* At most half full: probe windows stay short. */
	if (2 * (s->htab->count + 1) > (s->htab->mask + 1) * CLS_SLOTS) {
		ret = htab_grow(c, s);
		if (ret < 0)
			return ret;
	}
	while (slot_put(s->htab, r, hash) < 0) {
		ret = htab_grow(c, s);
		if (ret < 0)
			return ret;
	}
	return 0;
}

/* Writer: rules */

static inline uint64_t staged_version(const struct classifier *c)
{
	return c->version + 1;
}

static bool staged(const struct classifier *c, const struct cls_rule *r)
{
	return visible(r, staged_version(c));
}

static struct cls_rule *staged_find(const struct classifier *c, const struct cls_subtable *s,
				    const struct cls_key *key, uint32_t hash, uint32_t priority)
{
	struct cls_rule *r = htab_find(s->htab, key, &s->mask, hash);

	/* The list is sorted by descending priority: stop past it (a rule of a new, higher
	 * priority on a key shared by many is then found absent at the head). */
	for (; r != NULL && r->priority >= priority; r = r->dup_next)
		if (r->priority == priority && staged(c, r))
			return r;
	return NULL;
}

/* Link r (not yet visible: its add_version is the staged one) into its subtable. */
static int rule_link(struct classifier *c, struct cls_subtable *s, struct cls_rule *r,
		     uint32_t hash)
{
	struct cls_htab *h = s->htab;
	uint32_t home = hash & h->mask, probe;
	int ret, i;

	ret = prio_inc(c, s, r->priority);
	if (ret < 0)
		return ret;
	/* A key already there: into its list, which stays sorted by priority. */
	for (probe = 0; probe < CLS_MAX_PROBE && probe <= h->mask; probe++) {
		struct cls_bucket *bk = &h->b[(home + probe) & h->mask];

		for (i = 0; i < CLS_SLOTS; i++) {
			struct cls_rule *head = bk->rule[i], *p;

			if (head == NULL || bk->sig[i] != hash || !key_eq(&head->key, &r->key))
				continue;
			if (r->priority >= head->priority) {
				r->dup_next = head;
				__atomic_store_n(&bk->rule[i], r, __ATOMIC_RELEASE);
			} else {
				for (p = head; p->dup_next && p->dup_next->priority > r->priority;)
					p = p->dup_next;
				r->dup_next = p->dup_next;
				__atomic_store_n(&p->dup_next, r, __ATOMIC_RELEASE);
			}
			goto linked;
		}
		if (probe == 0 && bk->spill == 0)
			break;
	}
	r->dup_next = NULL;
	ret = htab_insert(c, s, r, hash);
	if (ret < 0) {
		prio_dec(s, r->priority);
		return ret;
	}
linked:
	s->nrules++;
	return 0;
}

/* Unlink r, which no reader can see at any version it may hold. */
static void rule_unlink(struct classifier *c, struct cls_rule *r)
{
	struct cls_subtable *s = r->sub;
	struct cls_htab *h = s->htab;
	uint32_t hash = cls_hash_words(r->key.w, c->seed), home = hash & h->mask, probe;
	int i;

	for (probe = 0; probe < CLS_MAX_PROBE && probe <= h->mask; probe++) {
		struct cls_bucket *bk = &h->b[(home + probe) & h->mask];

		for (i = 0; i < CLS_SLOTS; i++) {
			struct cls_rule *head = bk->rule[i], *p;

			if (head == NULL || bk->sig[i] != hash || !key_eq(&head->key, &r->key))
				continue;
			if (head == r) {
				/* Readers on r still follow its dup_next. */
				__atomic_store_n(&bk->rule[i], r->dup_next, __ATOMIC_RELEASE);
				if (r->dup_next == NULL) {
					h->count--;
					if (probe > 0)
						__atomic_store_n(&h->b[home].spill,
								 h->b[home].spill - 1,
								 __ATOMIC_RELAXED);
				}
			} else {
				for (p = head; p->dup_next != r;)
					p = p->dup_next;
				__atomic_store_n(&p->dup_next, r->dup_next, __ATOMIC_RELEASE);
			}
			prio_dec(s, r->priority);
			s->nrules--;
			c->tab[r->table].dirty = true;
			return;
		}
	}
}

/* Room for one more rule in v. */
static int rvec_reserve(struct classifier *c, struct cls_rvec *v)
{
	struct cls_rule **a;
	uint32_t cap;

	if (v->n < v->cap)
		return 0;
	cap = v->cap ? 2 * v->cap : 256;
	a = realloc(v->r, cap * sizeof(*a));
	if (a == NULL)
		return -ENOMEM;
	c->mem += (cap - v->cap) * sizeof(*a);
	v->r = a;
	v->cap = cap;
	return 0;
}

static void rule_stage_removal(struct classifier *c, struct cls_rule *r)
{
	/* Ordered before readers' use by the release store of the version. */
	__atomic_store_n(&r->remove_version, staged_version(c), __ATOMIC_RELAXED);
	c->removed.r[c->removed.n++] = r; /* room reserved by rvec_reserve() */
	c->dirty = true;
}

static int check_spec(const struct cls_rule_spec *spec)
{
	if (spec->table >= CLS_TABLES || spec->actions_len > CLS_ACTIONS_MAX ||
	    (spec->actions_len > 0 && spec->actions == NULL))
		return -EINVAL;
	return 0;
}

static struct cls_rule *rule_new(struct classifier *c, const struct cls_rule_spec *spec,
				 const struct cls_key *key, struct cls_subtable *s, uint8_t table)
{
	struct cls_rule *r = rule_alloc(c, rule_size(spec->actions_len));

	if (r == NULL)
		return NULL;
	memset(r, 0, offsetof(struct cls_rule, actions));
	r->key = *key;
	r->priority = spec->priority;
	r->add_version = staged_version(c);
	r->remove_version = CLS_VERSION_NEVER;
	r->cookie = spec->cookie;
	r->sub = s;
	r->idle_timeout_s = spec->idle_timeout_s;
	r->actions_len = spec->actions_len;
	r->table = table;
	if (spec->actions_len > 0)
		memcpy(r->actions, spec->actions, spec->actions_len);
	return r;
}

/* Make r the staged version of old's identity (old_r NULL: a new identity). */
static int rule_install(struct classifier *c, struct cls_subtable *s, struct cls_rule *r,
			struct cls_rule *old, uint32_t hash)
{
	int ret;

	ret = rvec_reserve(c, &c->added);
	if (ret < 0)
		return ret;
	if (old != NULL) {
		ret = rvec_reserve(c, &c->removed);
		if (ret < 0)
			return ret;
		r->id = old->id;
		r->stats_idx = old->stats_idx;
		c->meta[r->stats_idx].refs++;
	} else {
		ret = stats_get(c, &r->stats_idx);
		if (ret < 0)
			return ret;
		r->id = ++c->next_id;
	}
	ret = rule_link(c, s, r, hash);
	if (ret < 0) {
		stats_put(c, r->stats_idx);
		return ret;
	}
	if (old != NULL)
		rule_stage_removal(c, old);
	c->added.r[c->added.n++] = r;
	c->meta[r->stats_idx].rule = r;
	if (sub_max_priority(s) == r->priority)
		c->tab[r->table].dirty = true; /* a new subtable, or a higher maximum */
	c->dirty = true;
	return 0;
}

int cls_rule_add(struct classifier *c, const struct cls_rule_spec *spec,
		 const struct cls_rule **out)
{
	struct cls_tab *t;
	struct cls_subtable *s;
	struct cls_rule *old, *r;
	struct cls_key key;
	uint32_t hash;
	bool created;
	int ret, i;

	ret = check_spec(spec);
	if (ret < 0)
		return ret;
	t = &c->tab[spec->table];
	for (i = 0; i < CLS_KEY_WORDS; i++)
		key.w[i] = spec->match.key.w[i] & spec->match.mask.w[i];
	s = sub_get(c, t, &spec->match.mask, &created);
	if (s == NULL)
		return -ENOMEM;
	hash = cls_hash_words(key.w, c->seed);
	old = created ? NULL : staged_find(c, s, &key, hash, spec->priority);
	r = rule_new(c, spec, &key, s, spec->table);
	ret = r ? rule_install(c, s, r, old, hash) : -ENOMEM;
	if (ret < 0) {
		if (r != NULL)
			rule_free(c, r);
		if (created)
			sub_drop(c, t, s, false);
		return ret;
	}
	if (old == NULL)
		c->count++;
	if (out != NULL)
		*out = r;
	return old ? 1 : 0;
}

int cls_rule_modify(struct classifier *c, const struct cls_rule *rule,
		    const struct cls_rule_spec *spec, const struct cls_rule **out)
{
	struct cls_rule *old = (struct cls_rule *)rule, *r;
	struct cls_subtable *s = old->sub;
	struct cls_rule_spec sp = *spec;
	uint32_t hash;
	int ret;

	sp.table = old->table;
	ret = check_spec(&sp);
	if (ret < 0)
		return ret;
	if (!staged(c, old))
		return -ENOENT;
	hash = cls_hash_words(old->key.w, c->seed);
	if (sp.priority != old->priority && staged_find(c, s, &old->key, hash, sp.priority))
		return -EEXIST;
	r = rule_new(c, &sp, &old->key, s, old->table);
	if (r == NULL)
		return -ENOMEM;
	/* Same identity for the counters and ties, whatever the new priority. */
	ret = rule_install(c, s, r, old, hash);
	if (ret < 0) {
		rule_free(c, r);
		return ret;
	}
	if (out != NULL)
		*out = r;
	return 0;
}

int cls_rule_delete(struct classifier *c, const struct cls_rule *rule)
{
	struct cls_rule *r = (struct cls_rule *)rule;

	if (!staged(c, r))
		return -ENOENT;
	if (rvec_reserve(c, &c->removed) < 0)
		return -ENOMEM;
	rule_stage_removal(c, r);
	c->meta[r->stats_idx].rule = NULL;
	c->count--;
	return 0;
}

const struct cls_rule *cls_rule_find(const struct classifier *c, unsigned int table,
				     uint32_t priority, const struct cls_match *m)
{
	const struct cls_subtable *s;
	struct cls_key key;
	int i;

	if (table >= CLS_TABLES)
		return NULL;
	s = sub_find(&c->tab[table], &m->mask, mask_hash(&m->mask));
	if (s == NULL)
		return NULL;
	for (i = 0; i < CLS_KEY_WORDS; i++)
		key.w[i] = m->key.w[i] & m->mask.w[i];
	return staged_find(c, s, &key, cls_hash_words(key.w, c->seed), priority);
}

void cls_rule_match(const struct cls_rule *r, struct cls_match *m)
{
	m->key = r->key;
	m->mask = r->sub->mask;
}

/* Every subtable of a table, through the writer's map. */
#define FOREACH_SUB(t, s, i)                                                                       \
	for ((i) = 0; (t)->map != NULL && (i) <= (t)->map_mask; (i)++)                             \
		for ((s) = (t)->map[i]; (s) != NULL; (s) = (s)->map_next)

int cls_walk(const struct classifier *c, int table, int (*fn)(const struct cls_rule *r, void *arg),
	     void *arg)
{
	int t, ret, j;

	for (t = 0; t < CLS_TABLES; t++) {
		const struct cls_tab *tab = &c->tab[t];
		struct cls_subtable *s;
		uint32_t i, b;

		if (table >= 0 && t != table)
			continue;
		FOREACH_SUB(tab, s, i)
		{
			for (b = 0; b <= s->htab->mask; b++) {
				for (j = 0; j < CLS_SLOTS; j++) {
					struct cls_rule *r = s->htab->b[b].rule[j], *next;

					for (; r != NULL; r = next) {
						next = r->dup_next;
						if (!staged(c, r))
							continue;
						ret = fn(r, arg);
						if (ret != 0)
							return ret;
					}
				}
			}
		}
	}
	return 0;
}

/* Writer: publication */

static int pvec_cmp(const void *a, const void *b)
{
	const struct cls_pvec_entry *x = a, *y = b;

	return x->priority < y->priority ? 1 : x->priority > y->priority ? -1 : 0;
}

/* A vector of t's subtables that have rules; NULL when memory is short. */
static struct cls_pvec *pvec_build(struct classifier *c, struct cls_tab *t)
{
	struct cls_subtable *s;
	struct cls_pvec *pv = mem_alloc(c, pvec_size(t->nsub));
	uint32_t i;

	if (pv == NULL)
		return NULL;
	pv->n = 0;
	FOREACH_SUB(t, s, i)
	if (s->nrules > 0)
		pv->e[pv->n++] = (struct cls_pvec_entry){sub_max_priority(s), s};
	qsort(pv->e, pv->n, sizeof(pv->e[0]), pvec_cmp);
	return pv;
}

/* Publish t's new vector; subtables left without rules go once readers cannot be in
 * them. */
static void pvec_publish(struct classifier *c, struct cls_tab *t, struct cls_pvec *pv)
{
	struct cls_pvec *old = t->pvec;
	struct cls_subtable *s, *next;
	uint32_t i;

	__atomic_store_n(&t->pvec, pv, __ATOMIC_RELEASE);
	if (old != NULL)
		gc_add(c, old, pvec_size(old->n), false);
	for (i = 0; t->map != NULL && i <= t->map_mask; i++) {
		for (s = t->map[i]; s != NULL; s = next) {
			next = s->map_next;
			if (s->nrules == 0)
				sub_drop(c, t, s, true);
		}
	}
	t->dirty = false;
}

/* After unlinking: lower the vectors' maxima and drop empty subtables.  Optional (the
 * published vectors stay correct), so a failure only waits for the next commit. */
static void tidy_up(struct classifier *c)
{
	int t;

	for (t = 0; t < CLS_TABLES; t++) {
		struct cls_pvec *p;

		if (!c->tab[t].dirty)
			continue;
		p = pvec_build(c, &c->tab[t]);
		if (p != NULL)
			pvec_publish(c, &c->tab[t], p);
		else
			c->dirty = true;
	}
	if (c->synchronize == NULL)
		gc_collect(c, true); /* no concurrent readers */
}

int cls_commit(struct classifier *c)
{
	struct cls_pvec *pv[CLS_TABLES] = {NULL};
	uint32_t i;
	int t;

	if (!c->dirty)
		return 0;
	/* All or nothing: every vector is built before anything is published. */
	for (t = 0; t < CLS_TABLES; t++) {
		if (!c->tab[t].dirty)
			continue;
		pv[t] = pvec_build(c, &c->tab[t]);
		if (pv[t] == NULL) {
			while (t-- > 0)
				if (pv[t] != NULL)
					mem_free(c, pv[t], pvec_size(pv[t]->n));
			return -ENOMEM;
		}
	}
	for (t = 0; t < CLS_TABLES; t++)
		if (pv[t] != NULL)
			pvec_publish(c, &c->tab[t], pv[t]);
	/* The vectors (and every rule staged) before the version that shows them. */
	__atomic_store_n(&c->version, c->version + 1, __ATOMIC_RELEASE);
	c->dirty = false;
	c->added.n = 0;
	c->committed_count = c->count;

	/* Once every reader is at the new version, removed rules are invisible to all. */
	grace_period(c);
	gc_collect(c, false);
	for (i = 0; i < c->removed.n; i++) {
		rule_unlink(c, c->removed.r[i]);
		gc_add(c, c->removed.r[i], rule_size(c->removed.r[i]->actions_len), true);
	}
	c->removed.n = 0;
	tidy_up(c);
	return 0;
}

void cls_abort(struct classifier *c)
{
	uint64_t next = staged_version(c);
	uint32_t i;

	/* Published rules the batch removed (or replaced) come back, with their identity. */
	for (i = 0; i < c->removed.n; i++) {
		struct cls_rule *r = c->removed.r[i];

		if (r->add_version == next)
			continue; /* added by the batch too: goes below */
		__atomic_store_n(&r->remove_version, CLS_VERSION_NEVER, __ATOMIC_RELAXED);
		c->meta[r->stats_idx].rule = r;
	}
	c->removed.n = 0;
	/* Rules the batch added were never published: unlinked now (a reader may be passing
	 * one, which it cannot see at its version) and freed after a grace period. */
	for (i = 0; i < c->added.n; i++) {
		struct cls_rule *r = c->added.r[i];

		if (c->meta[r->stats_idx].rule == r)
			c->meta[r->stats_idx].rule = NULL;
		__atomic_store_n(&r->remove_version, next, __ATOMIC_RELAXED);
		rule_unlink(c, r);
		gc_add(c, r, rule_size(r->actions_len), true);
	}
	c->added.n = 0;
	c->count = c->committed_count;
	c->dirty = false;
	tidy_up(c);
}

void cls_reclaim(struct classifier *c)
{
	if (c->ngc == 0)
		return;
	grace_period(c);
	gc_collect(c, false);
}

unsigned int cls_sweep(struct classifier *c, uint32_t now_s,
		       void (*expired)(const struct cls_rule *r, void *arg), void *arg)
{
	unsigned int n = 0, w;
	uint32_t idx;

	for (idx = 0; idx < c->stats_hi; idx++) {
		struct cls_meta *m = &c->meta[idx];
		struct cls_rule *r;
		uint32_t packets = 0;

		if (m->rule == NULL)
			continue;
		for (w = 0; w < c->workers; w++)
			packets += (uint32_t)__atomic_load_n(
				&c->ctr[w][idx >> CLS_CTR_SHIFT][idx & (CLS_CTR_CHUNK - 1)].packets,
				__ATOMIC_RELAXED);
		if (packets != m->last_packets || !m->swept) {
			if (packets != m->last_packets)
				m->used_s = now_s;
			m->last_packets = packets;
			m->idle_from_s = now_s;
			m->swept = true;
			continue;
		}
		if (m->rule->idle_timeout_s == 0 ||
		    now_s - m->idle_from_s < m->rule->idle_timeout_s)
			continue;
		r = m->rule;
		if (cls_rule_delete(c, r) < 0)
			continue; /* no memory to stage it: the next sweep tries again */
		if (expired != NULL)
			expired(r, arg); /* r stays readable until the commit's grace period */
		n++;
	}
	return n;
}

unsigned int cls_count(const struct classifier *c)
{
	return c->count;
}

size_t cls_memory(const struct classifier *c)
{
	return c->mem;
}

void cls_rule_stats(const struct classifier *c, const struct cls_rule *r, struct cls_rule_stats *st)
{
	uint32_t idx = r->stats_idx;
	unsigned int w;

	st->packets = 0;
	st->bytes = 0;
	for (w = 0; w < c->workers; w++) {
		const struct cls_counter *ctr =
			&c->ctr[w][idx >> CLS_CTR_SHIFT][idx & (CLS_CTR_CHUNK - 1)];

		st->packets += __atomic_load_n(&ctr->packets, __ATOMIC_RELAXED);
		st->bytes += __atomic_load_n(&ctr->bytes, __ATOMIC_RELAXED);
	}
	st->used_s = c->meta[idx].used_s;
}

/* Create and destroy */

struct classifier *cls_create(const struct cls_params *p)
{
	struct classifier *c;
	unsigned int w;

	if (p->workers == 0 || p->workers > CLS_MAX_WORKERS)
		return NULL;
	c = aligned_alloc(64, (sizeof(*c) + 63) & ~(size_t)63);
	if (c == NULL)
		return NULL;
	memset(c, 0, sizeof(*c));
	c->version = 1;
	c->workers = p->workers;
	c->synchronize = p->synchronize;
	c->sync_arg = p->sync_arg;
	c->mem = sizeof(*c);
	if (getrandom(&c->seed, sizeof(c->seed), GRND_NONBLOCK) != sizeof(c->seed))
		c->seed = (uint32_t)time(NULL) * 0x01000193u ^ (uint32_t)getpid();
	for (w = 0; w < c->workers; w++) {
		c->ctr[w] = calloc(CLS_MAX_RULES >> CLS_CTR_SHIFT, sizeof(*c->ctr[w]));
		if (c->ctr[w] == NULL) {
			cls_destroy(c);
			return NULL;
		}
		c->mem += (CLS_MAX_RULES >> CLS_CTR_SHIFT) * sizeof(*c->ctr[w]);
	}
	return c;
}

void cls_destroy(struct classifier *c)
{
	struct cls_subtable *s, *next;
	unsigned int w, k;
	uint32_t i;
	int t;

	if (c == NULL)
		return;
	for (i = 0; i < c->ngc; i++) /* unlinked rules (in the slabs), old tables, vectors */
		if (!c->gc[i].is_rule)
			mem_free(c, c->gc[i].ptr, c->gc[i].size);
	free(c->gc);
	for (t = 0; t < CLS_TABLES; t++) {
		struct cls_tab *tab = &c->tab[t];

		for (i = 0; tab->map != NULL && i <= tab->map_mask; i++) {
			for (s = tab->map[i]; s != NULL; s = next) {
				next = s->map_next;
				mem_free(c, s->htab, htab_size(s->htab->mask + 1));
				free(s->prio);
				mem_free(c, s, sizeof(*s));
			}
		}
		free(tab->map);
		if (tab->pvec != NULL)
			mem_free(c, tab->pvec, pvec_size(tab->pvec->n));
	}
	for (i = 0; i < c->nchunks; i++) /* every rule */
		free(c->chunks[i]);
	free(c->chunks);
	free(c->removed.r);
	free(c->added.r);
	for (w = 0; w < c->workers; w++) {
		for (k = 0; c->ctr[w] != NULL && k < (CLS_MAX_RULES >> CLS_CTR_SHIFT); k++)
			free(c->ctr[w][k]);
		free(c->ctr[w]);
	}
	free(c->meta);
	free(c->free_idx);
	free(c);
}

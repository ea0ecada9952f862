/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The classifier's exact-match cache (EMC), one per reader (worker): CLS_EMC_ENTRIES
 * entries mapping a (table, full key) to the rule found for it (or to "no rule").  Every
 * entry records the version it was filled at, and a hit counts only at the same version:
 * any commit, whatever it changes, invalidates the whole cache at once, without touching
 * it.  The cache can also count the packets it finds rules for, in the entry it just
 * read, and add them to the rules' counters later, entry by entry (cls_emc_flush()): a
 * packet then touches no counter line of its own.  Every entry is listed for the flush
 * when it is filled, so a hit only adds to its entry.  A reader flushes when it first sees
 * a new version, before its next quiescent state, and often enough that counters stay
 * fresh; the rules an entry names are still there then, as a removed rule is freed only
 * after two grace periods (without a synchronize hook, at the commit: flush before it).
 *
 * Its hit path is inline (cls_emc_lookup_hashed()): the switch calls it once a burst.
 */
#ifndef SYD_CLASSIFIER_EMC_H
#define SYD_CLASSIFIER_EMC_H

#ifdef __AVX512F__
#include <immintrin.h>
#endif

#include "classifier.h"

#define CLS_EMC_ENTRIES 8192 /* a power of two */

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
	 * cache is only sampled: one lookup in CLS_EMC_THRASH_FILL, at random, reads it and
	 * fills an entry on a miss, as OVS's emc-insert-inv-prob fills; the others go straight
	 * to the classifier, their entries neither fetched nor filled (each fill would evict a
	 * flow for one not seen again before it is evicted itself, and each read pushes the
	 * switch's other lines out of the core's caches for nothing).  The samples tell when
	 * most lookups would hit again. */
	uint64_t window_start;	/* hits + misses when the window began */
	uint64_t window_misses; /* misses then */
	uint32_t sample_rng;	/* picks the samples while thrashing */
	uint32_t samples;	/* samples in this window of them, and those that missed */
	uint32_t sample_misses;
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
		uintptr_t rule;	  /* the rule's address | its hint; 0: the table has no rule */
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
 * Then one lookup in CLS_EMC_THRASH_FILL reads the cache (and fills it on a miss), until
 * at most half of a window of CLS_EMC_WINDOW / CLS_EMC_THRASH_FILL samples missed. */
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

/* cls_emc_lookup_hashed() while the cache thrashes (struct cls_emc): n keys (at most
 * CLS_EMC_BURST), the cache sampled. */
void cls_emc_sampled(struct cls_emc *emc, uint64_t v, unsigned int table,
		     const struct cls_key *const keys[], const uint32_t hashes[],
		     const uint32_t bytes[], unsigned int n, const struct cls_rule *out[],
		     uint8_t hints[]);

/* Whether the caller should fetch the entries of the keys it hashes (cls_emc_prefetch()):
 * not while the cache thrashes (cls_emc_sampled() reads few of them). */
static inline bool cls_emc_fetching(const struct cls_emc *emc)
{
	return !emc->thrashing;
}

/* cls_emc_lookup_burst() with each key's cls_emc_hash() computed (and its entry
 * prefetched, when cls_emc_fetching(): cls_emc_prefetch()) by the caller, as soon as it
 * had the key.  Inline: the hits are the switch's every packet (the misses go to
 * cls_emc_fill(), a thrashing cache's lookups to cls_emc_sampled()). */
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

		if (unlikely(emc->thrashing)) {
			cls_emc_sampled(emc, v, table, keys + base, hashes + base,
					bytes != NULL ? bytes + base : NULL, cnt, out + base,
					hints != NULL ? hints + base : NULL);
			continue;
		}
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

#endif /* SYD_CLASSIFIER_EMC_H */

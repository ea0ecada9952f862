/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The classifier's readers: lookups by key and in bursts, the per-worker exact-match
 * cache in front of them, and counting hits.  They take no lock (classifier_priv.h has
 * the structures and what makes that safe).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <rte_common.h>
#include <rte_prefetch.h>

#include "classifier_emc.h"
#include "classifier_priv.h"

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

/* The exact-match cache */

_Static_assert(CLS_EMC_BURST <= CLS_BURST, "the cache's misses are one lookup_chunk()");

/* An empty entry's last word (cls_emc_last()): it matches no key, whose padding is 0,
 * before version 2^52. */
#define EMC_EMPTY UINT64_MAX

/* Whether e was filled at tag's version (in any table). */
static inline bool emc_same_version(const struct cls_emc_entry *e, uint64_t tag)
{
	return e->w[CLS_KEY_WORDS - 1] >> 12 == tag >> 4;
}

/* Hand e's counts to its rule (an entry of no rule drops them); e stays listed. */
static inline void emc_settle(struct cls_emc *emc, struct cls_emc_entry *e)
{
	uint32_t n = e->packets & ~CLS_EMC_LISTED;

	if (n != 0 && cls_emc_rule(e) != NULL)
		cls_rule_hit(emc->cls, emc->worker, cls_emc_rule(e), n, e->bytes);
	e->packets &= CLS_EMC_LISTED;
	e->bytes = 0;
}

struct cls_emc *cls_emc_create(const struct classifier *c, unsigned int worker)
{
	/* In one transparent huge page where the kernel gives one: a lookup then needs no
	 * TLB entry but that one (the entries of 1,000 flows fall on 4 KB pages at random). */
	const size_t huge = 2u << 20, size = RTE_ALIGN_CEIL(sizeof(struct cls_emc), huge);
	struct cls_emc *emc = aligned_alloc(huge, size);
	unsigned int i;

	if (emc == NULL)
		return NULL;
	(void)madvise(emc, size, MADV_HUGEPAGE); /* advice only: small pages work too */
	emc->cls = c;
	emc->seed = c->seed;
	emc->worker = worker;
	emc->hits = 0;
	emc->misses = 0;
	emc->inserts = 0;
	emc->flushed = 0;
	emc->window_start = 0;
	emc->window_misses = 0;
	emc->sample_rng = 1;
	emc->samples = 0;
	emc->sample_misses = 0;
	emc->thrashing = false;
	emc->nlisted = 0;
	for (i = 0; i < CLS_EMC_ENTRIES; i++) {
		memset(emc->e[i].w, 0, sizeof(emc->e[i].w));
		emc->e[i].w[CLS_KEY_WORDS - 1] = EMC_EMPTY;
		emc->e[i].rule = 0;
		emc->e[i].packets = 0;
		emc->e[i].bytes = 0;
	}
	return emc;
}

void cls_emc_destroy(struct cls_emc *emc)
{
	free(emc);
}

void cls_emc_flush(struct cls_emc *emc)
{
	uint64_t tag = cls_emc_tag(cls_version(emc->cls), 0);
	uint32_t i, keep = 0;

	for (i = 0; i < emc->nlisted; i++) {
		struct cls_emc_entry *e = &emc->e[emc->listed[i]];

		emc_settle(emc, e);
		/* An entry of an older version is hit no more (it is listed again when
		 * filled again). */
		if (emc_same_version(e, tag))
			emc->listed[keep++] = emc->listed[i];
		else
			e->packets = 0;
	}
	emc->nlisted = keep;
	emc->flushed = emc->hits + emc->misses;
}

void cls_emc_lookup_burst(struct cls_emc *emc, uint64_t v, unsigned int table,
			  const struct cls_key *const keys[], const uint32_t bytes[],
			  unsigned int n, const struct cls_rule *out[], uint8_t hints[])
{
	uint32_t hash[CLS_BURST];
	unsigned int base, i;

	for (base = 0; base < n; base += CLS_BURST) {
		unsigned int cnt = RTE_MIN(n - base, (unsigned int)CLS_BURST);

		for (i = 0; i < cnt; i++) {
			hash[i] = cls_emc_hash(emc, keys[base + i], table);
			if (cls_emc_fetching(emc))
				cls_emc_prefetch(emc, hash[i]);
		}
		cls_emc_lookup_hashed(emc, v, table, keys + base, hash,
				      bytes != NULL ? bytes + base : NULL, cnt, out + base,
				      hints != NULL ? hints + base : NULL);
	}
}

/* At the end of each window of CLS_EMC_WINDOW lookups, whether most of it missed. */
static inline void emc_window(struct cls_emc *emc)
{
	uint64_t total = emc->hits + emc->misses;

	if (total - emc->window_start < CLS_EMC_WINDOW)
		return;
	emc->thrashing = (emc->misses - emc->window_misses) * 2 > total - emc->window_start;
	emc->window_start = total;
	emc->window_misses = emc->misses;
	emc->samples = 0;
	emc->sample_misses = 0;
}

/* Put key (of rule r, NULL: none; looked up at tag) in one of its two entries, with one
 * packet of len bytes when counting. */
static void emc_put(struct cls_emc *emc, uint64_t tag, const struct cls_key *key, uint32_t h,
		    const struct cls_rule *r, const uint32_t *len)
{
	struct cls_emc_entry *e0 = &emc->e[cls_emc_way(h, 0)];
	struct cls_emc_entry *e1 = &emc->e[cls_emc_way(h, 1)], *e;

	/* An entry of an older version, else either in turn. */
	if (!emc_same_version(e0, tag))
		e = e0;
	else if (!emc_same_version(e1, tag))
		e = e1;
	else
		e = (emc->inserts++ & 1) ? e1 : e0;
	/* Its counts go to the rule they were counted for (still there: the reader has not
	 * passed a quiescent state since, or the version is the same). */
	emc_settle(emc, e);
	memcpy(e->w, key->w, sizeof(e->w));
	e->w[CLS_KEY_WORDS - 1] = cls_emc_last(key, tag);
	e->rule = (uintptr_t)r | (r ? r->hint : 0);
	if (!(e->packets & CLS_EMC_LISTED)) { /* the hits count without looking */
		emc->listed[emc->nlisted++] = (uint16_t)(e - emc->e);
		e->packets = CLS_EMC_LISTED;
	}
	if (len != NULL)
		cls_emc_count(e, 1, *len);
}

/*
 * Look keys[pos[i]] (i < n) up in the classifier and answer them; those in fill go in
 * the cache (counted there), the others are counted against their rule at once.
 * @return false: the table is empty (nothing looked up, nothing to cache).
 */
static bool emc_miss(struct cls_emc *emc, uint64_t v, unsigned int table,
		     const struct cls_key *const keys[], const uint32_t hashes[],
		     const uint32_t bytes[], const uint8_t pos[], unsigned int n, uint64_t fill,
		     const struct cls_rule *out[], uint8_t hints[])
{
	const struct classifier *c = emc->cls;
	const struct cls_key *miss_key[CLS_EMC_BURST];
	const struct cls_rule *miss_out[CLS_EMC_BURST];
	uint64_t tag = cls_emc_tag(v, table);
	const struct cls_pvec *pv;
	unsigned int i;

	pv = table < CLS_TABLES ? __atomic_load_n(&c->tab[table].pvec, __ATOMIC_ACQUIRE) : NULL;
	if (pv == NULL) { /* no such table, or an empty one: nothing to cache */
		for (i = 0; i < n; i++) {
			out[pos[i]] = NULL;
			if (hints != NULL)
				hints[pos[i]] = 0;
		}
		return false;
	}
	for (i = 0; i < n; i++)
		miss_key[i] = keys[pos[i]];
	lookup_chunk(c, v, pv, miss_key, n, miss_out);
	for (i = 0; i < n; i++) {
		const struct cls_rule *r = miss_out[i];

		out[pos[i]] = r;
		if (hints != NULL)
			hints[pos[i]] = r != NULL ? r->hint : 0;
		if (fill & (1ull << i))
			emc_put(emc, tag, miss_key[i], hashes[pos[i]], r,
				bytes != NULL ? &bytes[pos[i]] : NULL);
		else if (bytes != NULL && r != NULL) /* its line was just read */
			cls_rule_hit(c, emc->worker, r, 1, bytes[pos[i]]);
	}
	return true;
}

void cls_emc_fill(struct cls_emc *emc, uint64_t v, unsigned int table,
		  const struct cls_key *const keys[], const uint32_t hashes[],
		  const uint32_t bytes[], const uint8_t pos[], unsigned int nmiss,
		  const struct cls_rule *out[], uint8_t hints[])
{
	if (emc_miss(emc, v, table, keys, hashes, bytes, pos, nmiss, UINT64_MAX, out, hints)) {
		emc->misses += nmiss;
		emc_window(emc);
	}
}

void cls_emc_sampled(struct cls_emc *emc, uint64_t v, unsigned int table,
		     const struct cls_key *const keys[], const uint32_t hashes[],
		     const uint32_t bytes[], unsigned int n, const struct cls_rule *out[],
		     uint8_t hints[])
{
	uint64_t tag = cls_emc_tag(v, table), fill = 0;
	uint8_t pos[CLS_EMC_BURST];
	unsigned int i, nmiss = 0, hits = 0, sampled = 0;

	for (i = 0; i < n; i++) {
		uint64_t last = cls_emc_last(keys[i], tag);
		struct cls_emc_entry *e;

		/* xorshift32: one lookup in CLS_EMC_THRASH_FILL, at random. */
		emc->sample_rng ^= emc->sample_rng << 13;
		emc->sample_rng ^= emc->sample_rng >> 17;
		emc->sample_rng ^= emc->sample_rng << 5;
		if (emc->sample_rng % CLS_EMC_THRASH_FILL != 0) {
			pos[nmiss++] = (uint8_t)i;
			continue;
		}
		sampled++;
		e = &emc->e[cls_emc_way(hashes[i], 0)];
		if (!cls_emc_eq(e, keys[i], last)) {
			e = &emc->e[cls_emc_way(hashes[i], 1)];
			if (!cls_emc_eq(e, keys[i], last)) {
				fill |= 1ull << nmiss;
				pos[nmiss++] = (uint8_t)i;
				continue;
			}
		}
		out[i] = cls_emc_rule(e);
		if (hints != NULL)
			hints[i] = (uint8_t)(e->rule & (CLS_HINTS - 1));
		if (bytes != NULL)
			cls_emc_count(e, 1, bytes[i]);
		hits++;
	}
	if (nmiss != 0 &&
	    !emc_miss(emc, v, table, keys, hashes, bytes, pos, nmiss, fill, out, hints))
		return; /* an empty table: nothing cached, nothing counted */
	emc->hits += hits;
	emc->misses += nmiss;
	emc->samples += sampled;
	emc->sample_misses += sampled - hits;
	if (emc->samples >= CLS_EMC_WINDOW / CLS_EMC_THRASH_FILL) {
		/* A window of samples: the cache reads every lookup again once most of
		 * them hit (it holds the flows again). */
		emc->thrashing = emc->sample_misses * 2 > emc->samples;
		emc->samples = 0;
		emc->sample_misses = 0;
		emc->window_start = emc->hits + emc->misses;
		emc->window_misses = emc->misses;
	}
}

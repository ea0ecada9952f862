/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The classifier writer's memory: rule slabs, other allocations, the per-worker
 * counters and the stats indexes that name them, and frees deferred until readers
 * cannot hold what is freed; the idle sweep and the statistics read off the counters.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <sanitizer/asan_interface.h>

#include <rte_common.h>

#include "classifier_priv.h"

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
void *cls_mem_alloc(struct classifier *c, size_t size)
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

void cls_mem_free(struct classifier *c, void *p, size_t size)
{
	if (p == NULL)
		return;
	c->mem -= mem_round(size);
	free(p);
}

static unsigned int rule_class(size_t size)
{
	return (unsigned int)((size + 63) / 64) - 2;
}

static size_t class_size(unsigned int k)
{
	return (size_t)(k + 2) * 64;
}

struct cls_rule *cls_rule_alloc(struct classifier *c, size_t size)
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
			chunk = cls_mem_alloc(c, sl->next);
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

void cls_rule_free(struct classifier *c, struct cls_rule *r)
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

int cls_stats_get(struct classifier *c, uint32_t *out)
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
					cls_mem_alloc(c, CLS_CTR_CHUNK * sizeof(*chunk));

				if (chunk == NULL) {
					while (w-- > 0) {
						cls_mem_free(c, c->ctr[w][idx >> CLS_CTR_SHIFT],
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
void cls_stats_put(struct classifier *c, uint32_t idx)
{
	if (--c->meta[idx].refs > 0)
		return;
	counters_zero(c, idx);
	c->free_idx[c->nfree++] = idx;
}

static void gc_free_one(struct classifier *c, struct cls_garbage *g)
{
	if (g->is_rule) {
		cls_stats_put(c, ((struct cls_rule *)g->ptr)->stats_idx);
		cls_rule_free(c, g->ptr);
	} else {
		cls_mem_free(c, g->ptr, g->size);
	}
}

/* Free what became unreachable before the last grace period began. */
void cls_gc_collect(struct classifier *c, bool all)
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

void cls_grace_period(struct classifier *c)
{
	if (c->synchronize != NULL)
		c->synchronize(c->sync_arg);
	c->syncs++;
}

/* Keep p (unreachable for readers from now on) until the next grace period ends. */
void cls_gc_add(struct classifier *c, void *p, size_t size, bool is_rule)
{
	struct cls_garbage g = {p, size, c->syncs, is_rule};

	if (c->ngc == c->gc_cap) {
		size_t cap = c->gc_cap ? 2 * c->gc_cap : 256;
		struct cls_garbage *a = realloc(c->gc, cap * sizeof(*a));

		if (a == NULL) {
			/* No room to defer it: wait for the grace period now. */
			cls_grace_period(c);
			gc_free_one(c, &g);
			return;
		}
		c->mem += (cap - c->gc_cap) * sizeof(*a);
		c->gc = a;
		c->gc_cap = cap;
	}
	c->gc[c->ngc++] = g;
}

/* Reading the counters */

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

/* Create */

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

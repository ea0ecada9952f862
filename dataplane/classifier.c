/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The classifier's rule set, as its one writer changes it: subtables by mask, their hash
 * tables, adding, replacing and removing rules at a staged version, and publishing that
 * version (cls_commit) or dropping it (cls_abort).  Readers are in classifier_lookup.c,
 * the writer's memory in classifier_mem.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "classifier_priv.h"

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
	s = cls_mem_alloc(c, sizeof(*s));
	if (s == NULL)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->htab = cls_mem_alloc(c, htab_size(1));
	if (s->htab == NULL) {
		cls_mem_free(c, s, sizeof(*s));
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
		cls_gc_add(c, s->htab, htab_size(s->htab->mask + 1), false);
		cls_gc_add(c, s, sizeof(*s), false);
	} else {
		cls_mem_free(c, s->htab, htab_size(s->htab->mask + 1));
		cls_mem_free(c, s, sizeof(*s));
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
		h = cls_mem_alloc(c, htab_size(nb));
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
		cls_mem_free(c, h, htab_size(nb));
		nb *= 2;
	}
	__atomic_store_n(&s->htab, h, __ATOMIC_RELEASE);
	cls_gc_add(c, old, htab_size(old->mask + 1), false);
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
	    (spec->actions_len > 0 && spec->actions == NULL) || spec->hint >= CLS_HINTS)
		return -EINVAL;
	return 0;
}

static struct cls_rule *rule_new(struct classifier *c, const struct cls_rule_spec *spec,
				 const struct cls_key *key, struct cls_subtable *s, uint8_t table)
{
	struct cls_rule *r = cls_rule_alloc(c, rule_size(spec->actions_len));

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
	r->hint = spec->hint;
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
		ret = cls_stats_get(c, &r->stats_idx);
		if (ret < 0)
			return ret;
		r->id = ++c->next_id;
	}
	ret = rule_link(c, s, r, hash);
	if (ret < 0) {
		cls_stats_put(c, r->stats_idx);
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
			cls_rule_free(c, r);
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
		cls_rule_free(c, r);
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
	struct cls_pvec *pv = cls_mem_alloc(c, pvec_size(t->nsub));
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
		cls_gc_add(c, old, pvec_size(old->n), false);
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
		cls_gc_collect(c, true); /* no concurrent readers */
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
					cls_mem_free(c, pv[t], pvec_size(pv[t]->n));
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
	cls_grace_period(c);
	cls_gc_collect(c, false);
	for (i = 0; i < c->removed.n; i++) {
		rule_unlink(c, c->removed.r[i]);
		cls_gc_add(c, c->removed.r[i], rule_size(c->removed.r[i]->actions_len), true);
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
		cls_gc_add(c, r, rule_size(r->actions_len), true);
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
	cls_grace_period(c);
	cls_gc_collect(c, false);
}

unsigned int cls_count(const struct classifier *c)
{
	return c->count;
}

/* Destroy (cls_create() is in classifier_mem.c) */

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
			cls_mem_free(c, c->gc[i].ptr, c->gc[i].size);
	free(c->gc);
	for (t = 0; t < CLS_TABLES; t++) {
		struct cls_tab *tab = &c->tab[t];

		for (i = 0; tab->map != NULL && i <= tab->map_mask; i++) {
			for (s = tab->map[i]; s != NULL; s = next) {
				next = s->map_next;
				cls_mem_free(c, s->htab, htab_size(s->htab->mask + 1));
				free(s->prio);
				cls_mem_free(c, s, sizeof(*s));
			}
		}
		free(tab->map);
		if (tab->pvec != NULL)
			cls_mem_free(c, tab->pvec, pvec_size(tab->pvec->n));
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

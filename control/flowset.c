/* SPDX-License-Identifier: BSD-3-Clause */
/* A hashed set of flow rules with shared, immutable records (flowset.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "flowset.h"

#define MIN_SLOTS 64

static size_t rec_size(unsigned int nactions)
{
	return offsetof(struct flow_rec, flow.action) + nactions * sizeof(struct syd_flow_action);
}

/* Zero a string field after its first NUL (proto_check() only asks for one NUL). */
static void canon_name(char *s, size_t len)
{
	size_t n = strnlen(s, len);

	if (n < len)
		memset(s + n, 0, len - n);
}

static uint64_t mix(uint64_t h, uint64_t w)
{
	h ^= w * 0x9e3779b97f4a7c15ull;
	h = (h ^ (h >> 29)) * 0xbf58476d1ce4e5b9ull;
	return h ^ (h >> 32);
}

static uint32_t identity_hash(const struct syd_flow *f)
{
	const uint8_t *m = (const uint8_t *)&f->match;
	uint64_t h = mix(0x243f6a8885a308d3ull, (uint64_t)f->table << 16 | f->priority), w;
	size_t i;

	for (i = 0; i + 8 <= sizeof(f->match); i += 8) {
		memcpy(&w, m + i, 8);
		h = mix(h, w);
	}
	return (uint32_t)(h ^ (h >> 32));
}

struct flow_rec *flowset_rec_new(const struct syd_flow *f)
{
	unsigned int n = f->nactions <= SYD_FLOW_ACTIONS ? f->nactions : SYD_FLOW_ACTIONS;
	struct flow_rec *r = malloc(rec_size(n));
	unsigned int k;

	if (r == NULL)
		return NULL;
	r->refs = 1;
	memcpy(&r->flow, f, offsetof(struct syd_flow, action) + n * sizeof(f->action[0]));
	r->flow.nactions = (uint8_t)n;
	canon_name(r->flow.match.in_port, sizeof(r->flow.match.in_port));
	canon_name(r->flow.match.network, sizeof(r->flow.match.network));
	for (k = 0; k < n; k++)
		canon_name(r->flow.action[k].port, sizeof(r->flow.action[k].port));
	r->hash = identity_hash(&r->flow);
	return r;
}

void flowset_rec_put(struct flow_rec *r)
{
	if (r != NULL && --r->refs == 0)
		free(r);
}

void flowset_rec_get(const struct flow_rec *r, struct syd_flow *out)
{
	size_t head = offsetof(struct syd_flow, action) + r->flow.nactions * sizeof(out->action[0]);

	memcpy(out, &r->flow, head);
	memset((uint8_t *)out + head, 0, sizeof(*out) - head);
}

bool flowset_same_identity(const struct syd_flow *a, const struct syd_flow *b)
{
	return a->table == b->table && a->priority == b->priority &&
	       memcmp(&a->match, &b->match, sizeof(a->match)) == 0;
}

bool flowset_same_body(const struct syd_flow *a, const struct syd_flow *b)
{
	return a->cookie == b->cookie && a->idle_timeout == b->idle_timeout &&
	       a->nactions == b->nactions &&
	       memcmp(a->action, b->action, a->nactions * sizeof(a->action[0])) == 0;
}

/* The slot holding index i (which is in the set). */
static size_t slot_of(const struct flowset *s, size_t i)
{
	size_t pos = s->rec[i]->hash & s->mask;

	while ((s->slot[pos] & 0xffffffffu) != i + 1)
		pos = (pos + 1) & s->mask;
	return pos;
}

static long find_hash(const struct flowset *s, const struct syd_flow *f, uint32_t hash)
{
	size_t pos;
	uint64_t v;

	if (s->slot == NULL)
		return -1;
	for (pos = hash & s->mask; (v = s->slot[pos]) != 0; pos = (pos + 1) & s->mask) {
		size_t i = (size_t)(v & 0xffffffffu) - 1;

		if ((uint32_t)(v >> 32) == hash && flowset_same_identity(&s->rec[i]->flow, f))
			return (long)i;
	}
	return -1;
}

long flowset_find(const struct flowset *s, const struct syd_flow *f)
{
	struct syd_flow key;

	if (s->n == 0)
		return -1;
	/* The hash is of the canonical identity: make the key's names canonical too. */
	key.table = f->table;
	key.priority = f->priority;
	key.match = f->match;
	canon_name(key.match.in_port, sizeof(key.match.in_port));
	canon_name(key.match.network, sizeof(key.match.network));
	return find_hash(s, &key, identity_hash(&key));
}

static void slot_put(struct flowset *s, uint32_t hash, size_t i)
{
	size_t pos = hash & s->mask;

	while (s->slot[pos] != 0)
		pos = (pos + 1) & s->mask;
	s->slot[pos] = (uint64_t)hash << 32 | (i + 1);
}

/* Room for one more rule: the array, and slots at most half full. */
static int reserve(struct flowset *s)
{
	size_t i, slots = s->slot ? s->mask + 1 : 0;

	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 64;
		struct flow_rec **rec = realloc(s->rec, cap * sizeof(*rec));

		if (rec == NULL)
			return -ENOMEM;
		s->rec = rec;
		s->cap = cap;
	}
	if ((s->n + 1) * 2 > slots) {
		size_t n = slots ? slots * 2 : MIN_SLOTS;
		uint64_t *slot = calloc(n, sizeof(*slot));

		if (slot == NULL)
			return -ENOMEM;
		free(s->slot);
		s->slot = slot;
		s->mask = n - 1;
		for (i = 0; i < s->n; i++)
			slot_put(s, s->rec[i]->hash, i);
	}
	return 0;
}

int flowset_insert(struct flowset *s, struct flow_rec *r)
{
	int ret = reserve(s);

	if (ret < 0)
		return ret;
	s->rec[s->n] = r;
	slot_put(s, r->hash, s->n);
	s->n++;
	return 0;
}

struct flow_rec *flowset_replace(struct flowset *s, size_t i, struct flow_rec *r)
{
	struct flow_rec *old = s->rec[i];

	s->rec[i] = r; /* same identity, same hash: the slot stays */
	return old;
}

struct flow_rec *flowset_take(struct flowset *s, size_t i)
{
	struct flow_rec *r = s->rec[i];
	size_t hole = slot_of(s, i), j = hole, last = s->n - 1;

	/* Backward shift: pull later entries of the probe run into the hole. */
	s->slot[hole] = 0;
	for (;;) {
		size_t home;

		j = (j + 1) & s->mask;
		if (s->slot[j] == 0)
			break;
		home = (uint32_t)(s->slot[j] >> 32) & s->mask;
		/* Moves back unless its home lies cyclically in (hole, j]. */
		if (hole <= j ? (home <= hole || home > j) : (home <= hole && home > j)) {
			s->slot[hole] = s->slot[j];
			s->slot[j] = 0;
			hole = j;
		}
	}
	/* The last rule moves to i. */
	if (i != last) {
		size_t pos = slot_of(s, last);

		s->rec[i] = s->rec[last];
		s->slot[pos] = (s->slot[pos] & ~0xffffffffull) | (i + 1);
	}
	s->n--;
	return r;
}

void flowset_clear(struct flowset *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		flowset_rec_put(s->rec[i]);
	s->n = 0;
	if (s->slot)
		memset(s->slot, 0, (s->mask + 1) * sizeof(*s->slot));
}

void flowset_free(struct flowset *s)
{
	flowset_clear(s);
	free(s->rec);
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

int flowset_copy(struct flowset *dst, const struct flowset *src)
{
	size_t i;

	if (dst == src)
		return 0;
	flowset_clear(dst);
	if (src->n == 0)
		return 0;
	if (dst->cap < src->n) {
		struct flow_rec **rec = realloc(dst->rec, src->cap * sizeof(*rec));

		if (rec == NULL)
			return -ENOMEM;
		dst->rec = rec;
		dst->cap = src->cap;
	}
	if (dst->slot == NULL || dst->mask != src->mask) {
		uint64_t *slot = malloc((src->mask + 1) * sizeof(*slot));

		if (slot == NULL)
			return -ENOMEM;
		free(dst->slot);
		dst->slot = slot;
		dst->mask = src->mask;
	}
	memcpy(dst->rec, src->rec, src->n * sizeof(*src->rec));
	memcpy(dst->slot, src->slot, (src->mask + 1) * sizeof(*src->slot));
	for (i = 0; i < src->n; i++)
		src->rec[i]->refs++;
	dst->n = src->n;
	return 0;
}

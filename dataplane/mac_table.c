/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "mac_table.h"

#define MAC_TABLE_MAX_CAPACITY (1u << 26)

struct mac_table *mac_table_create(uint32_t capacity)
{
	struct mac_table *t;
	uint32_t nbuckets = 1;

	if (capacity == 0 || capacity > MAC_TABLE_MAX_CAPACITY)
		return NULL;
	/* Twice the slots of the capacity: at most half full, so spills stay short. */
	while (nbuckets * MAC_TABLE_SLOTS_PER_BUCKET < 2 * capacity)
		nbuckets <<= 1;
	if (nbuckets < MAC_TABLE_MAX_PROBE)
		nbuckets = MAC_TABLE_MAX_PROBE;

	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->bucket = aligned_alloc(64, (size_t)nbuckets * sizeof(*t->bucket));
	t->spill = calloc(nbuckets, sizeof(*t->spill));
	if (t->bucket == NULL || t->spill == NULL) {
		mac_table_destroy(t);
		return NULL;
	}
	memset(t->bucket, 0, (size_t)nbuckets * sizeof(*t->bucket));
	t->mask = nbuckets - 1;
	t->capacity = capacity;
	if (getrandom(&t->seed, sizeof(t->seed), GRND_NONBLOCK) != sizeof(t->seed))
		t->seed = (uint64_t)time(NULL) * 0x100000001b3ull ^ (uint64_t)getpid();
	return t;
}

void mac_table_destroy(struct mac_table *t)
{
	if (t == NULL)
		return;
	free(t->bucket);
	free(t->spill);
	free(t);
}

/* Publish a new entry: port and time first, the key last, so a reader that sees the
 * key sees the rest. */
static int slot_insert(struct mac_table *t, uint64_t key, uint32_t port, uint32_t now_s)
{
	uint32_t home = mac_table_home(t, key);
	int probe, i;

	if (t->count >= t->capacity)
		return -ENOSPC;
	for (probe = 0; probe < MAC_TABLE_MAX_PROBE; probe++) {
		struct mac_bucket *bk = &t->bucket[(home + probe) & t->mask];

		for (i = 0; i < MAC_TABLE_SLOTS_PER_BUCKET; i++) {
			struct mac_slot *s = &bk->slot[i];

			if (s->key != 0)
				continue;
			if (probe > 0)
				__atomic_store_n(&t->spill[home], t->spill[home] + 1,
						 __ATOMIC_RELAXED);
			__atomic_store_n(&s->port, port, __ATOMIC_RELAXED);
			__atomic_store_n(&s->seen_s, now_s, __ATOMIC_RELAXED);
			__atomic_store_n(&s->key, key, __ATOMIC_RELEASE);
			t->count++;
			return 0;
		}
	}
	return -ENOSPC;
}

static void slot_kill(struct mac_table *t, struct mac_slot *s)
{
	uint32_t home = mac_table_home(t, s->key);
	uint32_t b = (uint32_t)((s - &t->bucket[0].slot[0]) / MAC_TABLE_SLOTS_PER_BUCKET);

	if (b != home)
		__atomic_store_n(&t->spill[home], t->spill[home] - 1, __ATOMIC_RELAXED);
	__atomic_store_n(&s->key, MAC_KEY_DEAD, __ATOMIC_RELEASE);
	t->count--;
	t->dead++;
}

int mac_table_learn(struct mac_table *t, uint64_t key, uint32_t port, uint32_t now_s)
{
	struct mac_slot *s = mac_table_find(t, key);
	int ret;

	if (s == NULL) {
		ret = slot_insert(t, key, port, now_s);
		return ret < 0 ? ret : MAC_LEARN_NEW;
	}
	__atomic_store_n(&s->seen_s, now_s, __ATOMIC_RELAXED);
	if ((s->port & ~MAC_PORT_STATIC) == port)
		return MAC_LEARN_REFRESH;
	if (s->port & MAC_PORT_STATIC)
		return -EPERM;
	__atomic_store_n(&s->port, port, __ATOMIC_RELAXED);
	return MAC_LEARN_MOVED;
}

int mac_table_add_static(struct mac_table *t, uint64_t key, uint32_t port)
{
	struct mac_slot *s = mac_table_find(t, key);

	if (s != NULL) {
		__atomic_store_n(&s->port, port | MAC_PORT_STATIC, __ATOMIC_RELAXED);
		return 0;
	}
	return slot_insert(t, key, port | MAC_PORT_STATIC, 0);
}

int mac_table_delete(struct mac_table *t, uint64_t key)
{
	struct mac_slot *s = mac_table_find(t, key);

	if (s == NULL)
		return -ENOENT;
	slot_kill(t, s);
	return 0;
}

static inline bool slot_live(const struct mac_slot *s)
{
	return s->key != 0 && s->key != MAC_KEY_DEAD;
}

uint32_t mac_table_age(struct mac_table *t, uint32_t now_s, uint32_t age_s)
{
	uint32_t b, n = 0;
	int i;

	for (b = 0; b <= t->mask; b++) {
		for (i = 0; i < MAC_TABLE_SLOTS_PER_BUCKET; i++) {
			struct mac_slot *s = &t->bucket[b].slot[i];
			uint32_t seen = __atomic_load_n(&s->seen_s, __ATOMIC_RELAXED);

			if (!slot_live(s) || (s->port & MAC_PORT_STATIC))
				continue;
			/* Unsigned difference: a seen time a second ahead of now (a worker's
			 * clock) is 2^32 - 1 old only if we forget this check. */
			if ((int32_t)(now_s - seen) >= (int32_t)age_s) {
				slot_kill(t, s);
				n++;
			}
		}
	}
	return n;
}

uint32_t mac_table_flush(struct mac_table *t, uint32_t port, bool with_static)
{
	uint32_t b, n = 0;
	int i;

	for (b = 0; b <= t->mask; b++) {
		for (i = 0; i < MAC_TABLE_SLOTS_PER_BUCKET; i++) {
			struct mac_slot *s = &t->bucket[b].slot[i];

			if (!slot_live(s))
				continue;
			if (!with_static && (s->port & MAC_PORT_STATIC))
				continue;
			if (port != UINT32_MAX && (s->port & ~MAC_PORT_STATIC) != port)
				continue;
			slot_kill(t, s);
			n++;
		}
	}
	return n;
}

uint32_t mac_table_flush_network(struct mac_table *t, uint16_t network, bool with_static)
{
	return mac_table_flush_network_port(t, network, UINT32_MAX, with_static);
}

uint32_t mac_table_flush_network_port(struct mac_table *t, uint16_t network, uint32_t port,
				      bool with_static)
{
	uint32_t b, n = 0;
	int i;

	for (b = 0; b <= t->mask; b++) {
		for (i = 0; i < MAC_TABLE_SLOTS_PER_BUCKET; i++) {
			struct mac_slot *s = &t->bucket[b].slot[i];

			if (!slot_live(s) || (s->key >> 48) != (uint64_t)network + 1)
				continue;
			if (!with_static && (s->port & MAC_PORT_STATIC))
				continue;
			if (port != UINT32_MAX && (s->port & ~MAC_PORT_STATIC) != port)
				continue;
			slot_kill(t, s);
			n++;
		}
	}
	return n;
}

void mac_table_reclaim(struct mac_table *t)
{
	uint32_t b;
	int i;

	if (t->dead == 0)
		return;
	for (b = 0; b <= t->mask; b++)
		for (i = 0; i < MAC_TABLE_SLOTS_PER_BUCKET; i++)
			if (t->bucket[b].slot[i].key == MAC_KEY_DEAD)
				/* Readers scan dead slots too: store atomically. */
				__atomic_store_n(&t->bucket[b].slot[i].key, 0, __ATOMIC_RELAXED);
	t->dead = 0;
}

int mac_table_walk(const struct mac_table *t,
		   int (*fn)(uint64_t key, uint32_t port, uint32_t seen_s, void *arg), void *arg)
{
	uint32_t b;
	int i, ret;

	for (b = 0; b <= t->mask; b++) {
		for (i = 0; i < MAC_TABLE_SLOTS_PER_BUCKET; i++) {
			const struct mac_slot *s = &t->bucket[b].slot[i];
			uint64_t key = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);

			if (key == 0 || key == MAC_KEY_DEAD)
				continue;
			ret = fn(key, __atomic_load_n(&s->port, __ATOMIC_RELAXED),
				 __atomic_load_n(&s->seen_s, __ATOMIC_RELAXED), arg);
			if (ret != 0)
				return ret;
		}
	}
	return 0;
}

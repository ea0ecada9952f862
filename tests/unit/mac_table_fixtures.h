/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the MAC table's unit suites share: deterministic random numbers, MACs and keys,
 * what the table holds for a key (port, static, last seen), and a walk's record.
 * Header-only (static inline), each suite its own copy.
 */
#ifndef SYD_TEST_MAC_TABLE_FIXTURES_H
#define SYD_TEST_MAC_TABLE_FIXTURES_H

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>

#include "mac_table.h"
#include "fixtures.h"

/* The key of MAC number n (its low 48 bits) in network net. */
static inline uint64_t key_of(uint16_t net, uint64_t n)
{
	struct rte_ether_addr m = mac_of(n);

	return mac_table_key(net, &m);
}

/* The port key is on, or -1 when the table does not have it. */
static inline int port_of(const struct mac_table *t, uint64_t key)
{
	const struct mac_slot *s = mac_table_find(t, key);

	return s ? (int)mac_slot_port(s) : -1;
}

static inline bool is_static(const struct mac_table *t, uint64_t key)
{
	const struct mac_slot *s = mac_table_find(t, key);

	return s != NULL && (s->port & MAC_PORT_STATIC) != 0;
}

static inline uint32_t seen_of(const struct mac_table *t, uint64_t key)
{
	const struct mac_slot *s = mac_table_find(t, key);

	return s ? __atomic_load_n(&s->seen_s, __ATOMIC_RELAXED) : UINT32_MAX;
}

/* Keys of network 0 whose home bucket is home, from MAC number *n upwards. */
static inline uint64_t key_homed_at(const struct mac_table *t, uint32_t home, uint64_t *n)
{
	for (;; (*n)++) {
		uint64_t k = key_of(0, *n);

		if (mac_table_home(t, k) == home) {
			(*n)++;
			return k;
		}
	}
}

/* A walk's record of what it visited, and its order by key. */
struct walk_entry {
	uint64_t key;
	uint32_t port;
	uint32_t seen_s;
};

struct walk_log {
	struct walk_entry *e;
	uint32_t n, max;
	int stop_after; /* return 7 after this many, when > 0 */
};

static inline int walk_record(uint64_t key, uint32_t port, uint32_t seen_s, void *arg)
{
	struct walk_log *w = arg;

	if (w->n < w->max)
		w->e[w->n] = (struct walk_entry){key, port, seen_s};
	w->n++;
	return w->stop_after > 0 && w->n == (uint32_t)w->stop_after ? 7 : 0;
}

static inline int walk_entry_cmp(const void *a, const void *b)
{
	const struct walk_entry *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

#endif /* SYD_TEST_MAC_TABLE_FIXTURES_H */

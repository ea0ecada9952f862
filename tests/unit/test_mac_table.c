/* SPDX-License-Identifier: BSD-3-Clause */
/* The MAC table: learning, moves, aging, static entries, fullness, and lock-free readers
 * checked against a linear oracle and against a concurrent writer. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "mac_table.h"

static struct rte_ether_addr mac_of(uint32_t n)
{
	struct rte_ether_addr m = {{0x02, 0x00, (uint8_t)(n >> 24), (uint8_t)(n >> 16),
				    (uint8_t)(n >> 8), (uint8_t)n}};
	return m;
}

static uint64_t key_of(uint16_t net, uint32_t n)
{
	struct rte_ether_addr m = mac_of(n);

	return mac_table_key(net, &m);
}

static int port_of(struct mac_table *t, uint64_t key)
{
	struct mac_slot *s = mac_table_find(t, key);

	return s ? (int)mac_slot_port(s) : -1;
}

static void test_learn_new_station(void)
{
	struct mac_table *t = mac_table_create(64);

	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, 1), 3, 10), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 1)), 3);
	CU_ASSERT_EQUAL(port_of(t, key_of(1, 1)), -1); /* same MAC, other network */
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 2)), -1);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

static void test_learn_refresh_and_move(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(0, 1);

	mac_table_learn(t, k, 3, 10);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 3, 20), MAC_LEARN_REFRESH);
	CU_ASSERT_EQUAL(mac_table_find(t, k)->seen_s, 20);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 5, 21), MAC_LEARN_MOVED);
	CU_ASSERT_EQUAL(port_of(t, k), 5);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

static void test_age_boundary_and_touch(void)
{
	struct mac_table *t = mac_table_create(64);

	mac_table_learn(t, key_of(0, 1), 1, 100); /* 300 s old at 400: goes */
	mac_table_learn(t, key_of(0, 2), 1, 101); /* 299 s old: stays */
	mac_table_learn(t, key_of(0, 3), 1, 50);
	mac_slot_touch(mac_table_find(t, key_of(0, 3)), 399); /* seen again: stays */
	mac_table_add_static(t, key_of(0, 4), 2);             /* static: never ages */
	CU_ASSERT_EQUAL(mac_table_age(t, 400, 300), 1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 1)), -1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 2)), 1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 3)), 1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 4)), 2);
	CU_ASSERT_EQUAL(mac_table_age(t, 100000, 300), 2);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

static void test_static_entry_does_not_move(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(7, 9);

	CU_ASSERT_EQUAL(mac_table_add_static(t, k, 4), 0);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 6, 1), -EPERM);
	CU_ASSERT_EQUAL(port_of(t, k), 4);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 4, 2), MAC_LEARN_REFRESH);
	CU_ASSERT_TRUE(mac_table_find(t, k)->port & MAC_PORT_STATIC);
	mac_table_destroy(t);
}

static void test_delete(void)
{
	struct mac_table *t = mac_table_create(64);

	mac_table_learn(t, key_of(0, 1), 1, 0);
	mac_table_learn(t, key_of(0, 2), 1, 0);
	CU_ASSERT_EQUAL(mac_table_delete(t, key_of(0, 1)), 0);
	CU_ASSERT_EQUAL(mac_table_delete(t, key_of(0, 1)), -ENOENT);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 1)), -1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 2)), 1);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

static void test_table_full(void)
{
	const uint32_t cap = 100;
	struct mac_table *t = mac_table_create(cap);
	uint32_t i;

	for (i = 0; i < cap; i++)
		CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, i), i % 8, 0), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, cap), 0, 0), -ENOSPC);
	CU_ASSERT_EQUAL(mac_table_add_static(t, key_of(0, cap), 0), -ENOSPC);
	CU_ASSERT_EQUAL(mac_table_count(t), cap);
	/* A known station still refreshes and moves when full. */
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, 5), 7, 1), MAC_LEARN_MOVED);

	CU_ASSERT_EQUAL(mac_table_delete(t, key_of(0, 0)), 0);
	CU_ASSERT_EQUAL(t->dead, 1);
	mac_table_reclaim(t);
	CU_ASSERT_EQUAL(t->dead, 0);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, cap), 0, 0), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(mac_table_count(t), cap);
	mac_table_destroy(t);
}

static void test_dead_slot_not_reused_before_reclaim(void)
{
	/* The smallest table: 8 buckets of 4 slots. Fill, kill one, insert: the new key
	 * must not land in the dead slot (a reader may still hold it). */
	struct mac_table *t = mac_table_create(16);
	struct mac_slot *s;
	uint32_t i;

	for (i = 0; i < 16; i++)
		mac_table_learn(t, key_of(0, i), 1, 0);
	s = mac_table_find(t, key_of(0, 3));
	mac_table_delete(t, key_of(0, 3));
	CU_ASSERT_EQUAL(s->key, MAC_KEY_DEAD);
	for (i = 100; i < 101; i++)
		mac_table_learn(t, key_of(0, i), 2, 0);
	CU_ASSERT_EQUAL(s->key, MAC_KEY_DEAD);
	mac_table_reclaim(t);
	CU_ASSERT_EQUAL(s->key, 0);
	mac_table_destroy(t);
}

static void test_flush_by_port_and_all(void)
{
	struct mac_table *t = mac_table_create(64);
	uint32_t i;

	for (i = 0; i < 10; i++)
		mac_table_learn(t, key_of(0, i), i % 2, 0);
	mac_table_add_static(t, key_of(0, 100), 1);
	CU_ASSERT_EQUAL(mac_table_flush(t, 1, false), 5);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 100)), 1);
	CU_ASSERT_EQUAL(mac_table_flush(t, 1, true), 1);
	CU_ASSERT_EQUAL(mac_table_flush(t, UINT32_MAX, false), 5);
	CU_ASSERT_EQUAL(mac_table_count(t), 0);
	mac_table_destroy(t);
}

static void test_key_round_trip(void)
{
	static const uint16_t nets[] = {0, 1, 4095, 65534};
	static const uint32_t macs[] = {0, 1, 0xffffffff, 0x12345678};
	unsigned int i, j;

	for (i = 0; i < 4; i++) {
		for (j = 0; j < 4; j++) {
			struct rte_ether_addr m = mac_of(macs[j]), back;
			uint64_t k = mac_table_key(nets[i], &m);
			uint16_t net;

			CU_ASSERT_NOT_EQUAL(k, 0);
			CU_ASSERT_NOT_EQUAL(k, MAC_KEY_DEAD);
			mac_table_key_split(k, &net, &back);
			CU_ASSERT_EQUAL(net, nets[i]);
			CU_ASSERT_EQUAL(memcmp(&back, &m, sizeof(m)), 0);
		}
	}
	/* Even the all-zero and all-ones MACs make valid keys. */
	{
		struct rte_ether_addr z = {{0}}, f = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

		CU_ASSERT_NOT_EQUAL(mac_table_key(0, &z), 0);
		CU_ASSERT_NOT_EQUAL(mac_table_key(65534, &f), MAC_KEY_DEAD);
	}
}

struct walk_acc {
	uint32_t n;
	uint64_t port_sum;
};

static int walk_count(uint64_t key, uint32_t port, uint32_t seen_s, void *arg)
{
	struct walk_acc *a = arg;

	(void)key;
	(void)seen_s;
	a->n++;
	a->port_sum += port;
	return 0;
}

static void test_walk_visits_live_entries(void)
{
	struct mac_table *t = mac_table_create(64);
	struct walk_acc a = {0};
	uint32_t i;

	for (i = 0; i < 20; i++)
		mac_table_learn(t, key_of(0, i), i, 0);
	mac_table_delete(t, key_of(0, 19)); /* dead: not visited */
	CU_ASSERT_EQUAL(mac_table_walk(t, walk_count, &a), 0);
	CU_ASSERT_EQUAL(a.n, 19);
	CU_ASSERT_EQUAL(a.port_sum, 19 * 18 / 2);
	mac_table_destroy(t);
}

/* The oracle: a plain array searched linearly. */
struct oracle {
	uint64_t key[20000];
	int port[20000];
	uint32_t n;
};

static int oracle_find(const struct oracle *o, uint64_t k)
{
	uint32_t i;

	for (i = 0; i < o->n; i++)
		if (o->key[i] == k)
			return o->port[i];
	return -1;
}

static void oracle_check(struct mac_table *t, const struct oracle *o, unsigned int probes)
{
	unsigned int i, bad = 0;

	for (i = 0; i < o->n; i++)
		if (port_of(t, o->key[i]) != o->port[i])
			bad++;
	for (i = 0; i < probes; i++) {
		uint64_t k = key_of((uint16_t)(rand() % 4), (uint32_t)rand());

		if (port_of(t, k) != oracle_find(o, k))
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(mac_table_count(t), o->n);
}

static void test_agrees_with_linear_oracle(void)
{
	static struct oracle o;
	struct mac_table *t = mac_table_create(10000);
	uint32_t i, j;

	srand(7);
	o.n = 0;
	while (o.n < 10000) {
		uint64_t k = key_of((uint16_t)(rand() % 4), (uint32_t)rand());
		int port = rand() % 32;

		if (oracle_find(&o, k) >= 0)
			continue;
		CU_ASSERT_EQUAL_FATAL(mac_table_learn(t, k, (uint32_t)port, 0), MAC_LEARN_NEW);
		o.key[o.n] = k;
		o.port[o.n++] = port;
	}
	oracle_check(t, &o, 2000);

	/* Delete a random half, reclaim, insert others, and compare again. */
	for (i = 0, j = 0; i < o.n; i++) {
		if (rand() % 2) {
			CU_ASSERT_EQUAL(mac_table_delete(t, o.key[i]), 0);
		} else {
			o.key[j] = o.key[i];
			o.port[j++] = o.port[i];
		}
	}
	o.n = j;
	mac_table_reclaim(t);
	oracle_check(t, &o, 2000);
	while (o.n < 10000) {
		uint64_t k = key_of((uint16_t)(rand() % 4), (uint32_t)rand());

		if (oracle_find(&o, k) >= 0)
			continue;
		CU_ASSERT_EQUAL_FATAL(mac_table_learn(t, k, 9, 0), MAC_LEARN_NEW);
		o.key[o.n] = k;
		o.port[o.n++] = 9;
	}
	oracle_check(t, &o, 2000);
	mac_table_destroy(t);
}

/* Concurrency: readers look up stable keys while the writer moves them between ports 1
 * and 2 and churns other keys; reclaim waits for every reader to pass an iteration, as
 * RCU's quiescent states do in the dataplane. */
#define STABLE  64
#define READERS 2

static struct mac_table *ct;
static volatile int stop_readers;
static uint64_t reader_iter[READERS];
static uint64_t reader_bad[READERS];

static void *reader(void *arg)
{
	unsigned int id = (unsigned int)(uintptr_t)arg, i;

	while (!stop_readers) {
		for (i = 0; i < STABLE; i++) {
			struct mac_slot *s = mac_table_find(ct, key_of(1, i));
			uint32_t p = s ? mac_slot_port(s) : 0;

			if (p != 1 && p != 2)
				reader_bad[id]++;
		}
		__atomic_store_n(&reader_iter[id], reader_iter[id] + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static void wait_quiescent(void)
{
	uint64_t seen[READERS];
	unsigned int r;

	for (r = 0; r < READERS; r++)
		seen[r] = __atomic_load_n(&reader_iter[r], __ATOMIC_ACQUIRE);
	for (r = 0; r < READERS; r++)
		while (__atomic_load_n(&reader_iter[r], __ATOMIC_ACQUIRE) < seen[r] + 2)
			;
}

static void test_readers_never_see_a_wrong_port(void)
{
	pthread_t th[READERS];
	uint32_t i, round;
	unsigned int r;

	ct = mac_table_create(4096);
	for (i = 0; i < STABLE; i++)
		mac_table_learn(ct, key_of(1, i), 1, 0);
	stop_readers = 0;
	for (r = 0; r < READERS; r++)
		pthread_create(&th[r], NULL, reader, (void *)(uintptr_t)r);
	for (round = 0; round < 300; round++) {
		for (i = 0; i < STABLE; i++)
			mac_table_learn(ct, key_of(1, i), 1 + (round + i) % 2, round);
		for (i = 0; i < 2000; i++)
			mac_table_learn(ct, key_of(2, round * 2000 + i), 7, round);
		mac_table_flush(ct, 7, false);
		wait_quiescent();
		mac_table_reclaim(ct);
	}
	stop_readers = 1;
	for (r = 0; r < READERS; r++) {
		pthread_join(th[r], NULL);
		CU_ASSERT_EQUAL(reader_bad[r], 0);
		CU_ASSERT_TRUE(reader_iter[r] > 0);
	}
	CU_ASSERT_EQUAL(mac_table_count(ct), STABLE);
	mac_table_destroy(ct);
}

static void test_create_limits(void)
{
	CU_ASSERT_PTR_NULL(mac_table_create(0));
	CU_ASSERT_PTR_NULL(mac_table_create((1u << 26) + 1));
	mac_table_destroy(NULL);
}

int main(void)
{
	CU_pSuite s;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("mac_table", NULL, NULL);
	CU_add_test(s, "learn_new_station", test_learn_new_station);
	CU_add_test(s, "learn_refresh_and_move", test_learn_refresh_and_move);
	CU_add_test(s, "age_boundary_and_touch", test_age_boundary_and_touch);
	CU_add_test(s, "static_entry_does_not_move", test_static_entry_does_not_move);
	CU_add_test(s, "delete", test_delete);
	CU_add_test(s, "table_full", test_table_full);
	CU_add_test(s, "dead_slot_not_reused_before_reclaim",
		    test_dead_slot_not_reused_before_reclaim);
	CU_add_test(s, "flush_by_port_and_all", test_flush_by_port_and_all);
	CU_add_test(s, "key_round_trip", test_key_round_trip);
	CU_add_test(s, "walk_visits_live_entries", test_walk_visits_live_entries);
	CU_add_test(s, "agrees_with_linear_oracle", test_agrees_with_linear_oracle);
	CU_add_test(s, "readers_never_see_a_wrong_port", test_readers_never_see_a_wrong_port);
	CU_add_test(s, "create_limits", test_create_limits);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

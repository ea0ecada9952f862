/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table: learning, moves, aging, static entries, deletion, fullness, flushes,
 * the key encoding, the walk, create and destroy.  The table against an oracle and lock-free
 * readers against a churning writer are test_mac_table_race.c's.
 *
 * Some tests look inside struct mac_table (bucket, spill, dead): where a slot lives is
 * what "a dead slot is not reused before reclaim" is about.
 */
#include "mac_table_fixtures.h"
#include "suite.h"

/* Learning and lookup */

static void test_learn_new_station(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(0, 0x020000000001);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(mac_table_count(t), 0);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 3, 10), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(port_of(t, k), 3);
	CU_ASSERT_EQUAL(seen_of(t, k), 10);
	CU_ASSERT_FALSE(is_static(t, k));
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

static void test_same_mac_in_another_network_is_another_entry(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t n0 = key_of(0, 0x020000000001), n1 = key_of(1, 0x020000000001);

	CU_ASSERT_NOT_EQUAL(n0, n1);
	CU_ASSERT_EQUAL(mac_table_learn(t, n0, 3, 10), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(port_of(t, n1), -1);
	CU_ASSERT_EQUAL(mac_table_learn(t, n1, 4, 11), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(port_of(t, n0), 3);
	CU_ASSERT_EQUAL(port_of(t, n1), 4);
	CU_ASSERT_EQUAL(mac_table_count(t), 2);
	CU_ASSERT_EQUAL(mac_table_delete(t, n1), 0);
	CU_ASSERT_EQUAL(port_of(t, n0), 3);
	mac_table_destroy(t);
}

static void test_lookup_of_unknown_key_is_null(void)
{
	struct mac_table *t = mac_table_create(64);
	uint32_t i;

	CU_ASSERT_PTR_NULL(mac_table_find(t, key_of(0, 1)));
	for (i = 0; i < 32; i++)
		mac_table_learn(t, key_of(0, i), 1, 0);
	CU_ASSERT_PTR_NULL(mac_table_find(t, key_of(0, 32)));
	CU_ASSERT_PTR_NULL(mac_table_find(t, key_of(1, 0)));
	CU_ASSERT_PTR_NULL(mac_table_find(t, key_of(65534, 5)));
	mac_table_destroy(t);
}

static void test_learn_on_same_port_refreshes(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(0, 7);
	struct mac_slot *s;

	mac_table_learn(t, k, 3, 10);
	s = mac_table_find(t, k);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 3, 20), MAC_LEARN_REFRESH);
	CU_ASSERT_PTR_EQUAL(mac_table_find(t, k), s);
	CU_ASSERT_EQUAL(s->seen_s, 20);
	CU_ASSERT_EQUAL(mac_slot_port(s), 3);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

static void test_learn_on_another_port_moves_station(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(0, 7);
	struct mac_slot *s;

	mac_table_learn(t, k, 3, 10);
	s = mac_table_find(t, k);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 5, 25), MAC_LEARN_MOVED);
	CU_ASSERT_PTR_EQUAL(mac_table_find(t, k), s); /* moved in place: readers keep it */
	CU_ASSERT_EQUAL(port_of(t, k), 5);
	CU_ASSERT_EQUAL(s->seen_s, 25);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 3, 26), MAC_LEARN_MOVED);
	CU_ASSERT_EQUAL(port_of(t, k), 3);
	mac_table_destroy(t);
}

/* Aging */

static void test_age_deletes_stale_entries_only(void)
{
	struct mac_table *t = mac_table_create(64);
	uint32_t i;

	for (i = 0; i < 10; i++)
		mac_table_learn(t, key_of(0, i), 1, 100);
	for (i = 10; i < 25; i++)
		mac_table_learn(t, key_of(0, i), 2, 200);
	CU_ASSERT_EQUAL(mac_table_age(t, 350, 200), 10);
	for (i = 0; i < 25; i++)
		CU_ASSERT_EQUAL(port_of(t, key_of(0, i)), i < 10 ? -1 : 2);
	CU_ASSERT_EQUAL(mac_table_count(t), 15);
	CU_ASSERT_EQUAL(mac_table_age(t, 350, 200), 0);
	mac_table_destroy(t);
}

static void test_age_boundary_is_age_s(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t old = key_of(0, 1), young = key_of(0, 2);

	mac_table_learn(t, old, 1, 100);   /* exactly 300 s old at 400: deleted */
	mac_table_learn(t, young, 1, 101); /* 299 s old at 400: kept */
	CU_ASSERT_EQUAL(mac_table_age(t, 400, 300), 1);
	CU_ASSERT_EQUAL(port_of(t, old), -1);
	CU_ASSERT_EQUAL(port_of(t, young), 1);
	CU_ASSERT_EQUAL(mac_table_age(t, 401, 300), 1);
	CU_ASSERT_EQUAL(port_of(t, young), -1);
	CU_ASSERT_EQUAL(mac_table_count(t), 0);
	mac_table_destroy(t);
}

static void test_touch_keeps_station_alive(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(0, 1);

	mac_table_learn(t, k, 1, 0);
	mac_slot_touch(mac_table_find(t, k), 250);
	CU_ASSERT_EQUAL(seen_of(t, k), 250);
	CU_ASSERT_EQUAL(mac_table_age(t, 300, 100), 0);
	CU_ASSERT_EQUAL(port_of(t, k), 1);
	mac_slot_touch(mac_table_find(t, k), 250); /* same second: no change */
	CU_ASSERT_EQUAL(seen_of(t, k), 250);
	CU_ASSERT_EQUAL(mac_table_age(t, 350, 100), 1);
	CU_ASSERT_EQUAL(port_of(t, k), -1);
	mac_table_destroy(t);
}

static void test_age_keeps_station_seen_after_now(void)
{
	/* A worker's clock may be a second ahead of the writer's. */
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(0, 1);

	mac_table_learn(t, k, 1, 101);
	CU_ASSERT_EQUAL(mac_table_age(t, 100, 300), 0);
	CU_ASSERT_EQUAL(mac_table_age(t, 100, 1), 0);
	CU_ASSERT_EQUAL(port_of(t, k), 1);
	mac_table_destroy(t);
}

static void test_static_entries_never_age(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t st = key_of(0, 1), learned = key_of(0, 2);

	CU_ASSERT_EQUAL(mac_table_add_static(t, st, 4), 0);
	mac_table_learn(t, learned, 1, 0);
	CU_ASSERT_EQUAL(mac_table_age(t, 1000000, 1), 1);
	CU_ASSERT_EQUAL(port_of(t, st), 4);
	CU_ASSERT_EQUAL(port_of(t, learned), -1);
	CU_ASSERT_EQUAL(mac_table_age(t, 2000000000, 1), 0);
	CU_ASSERT_EQUAL(port_of(t, st), 4);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

/* Static entries */

static void test_static_entry_does_not_move(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(7, 9);

	CU_ASSERT_EQUAL(mac_table_add_static(t, k, 4), 0);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 6, 1), -EPERM);
	CU_ASSERT_EQUAL(port_of(t, k), 4);
	CU_ASSERT_TRUE(is_static(t, k));
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

static void test_static_entry_refreshes_on_its_port(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(7, 9);

	CU_ASSERT_EQUAL(mac_table_add_static(t, k, 4), 0);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 4, 2), MAC_LEARN_REFRESH);
	CU_ASSERT_EQUAL(port_of(t, k), 4);
	CU_ASSERT_TRUE(is_static(t, k));
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

static void test_add_static_pins_learned_station(void)
{
	struct mac_table *t = mac_table_create(64);
	uint64_t k = key_of(0, 9);

	mac_table_learn(t, k, 1, 5);
	CU_ASSERT_EQUAL(mac_table_add_static(t, k, 2), 0);
	CU_ASSERT_EQUAL(port_of(t, k), 2);
	CU_ASSERT_TRUE(is_static(t, k));
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	CU_ASSERT_EQUAL(mac_table_learn(t, k, 1, 6), -EPERM);
	CU_ASSERT_EQUAL(mac_table_age(t, 100000, 10), 0);
	CU_ASSERT_EQUAL(mac_table_add_static(t, k, 3), 0); /* replace */
	CU_ASSERT_EQUAL(port_of(t, k), 3);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

/* Deletion */

static void test_delete_twice_is_enoent(void)
{
	struct mac_table *t = mac_table_create(64);

	mac_table_learn(t, key_of(0, 1), 1, 0);
	mac_table_learn(t, key_of(0, 2), 1, 0);
	mac_table_add_static(t, key_of(0, 3), 2);
	CU_ASSERT_EQUAL(mac_table_count(t), 3);
	CU_ASSERT_EQUAL(mac_table_delete(t, key_of(0, 1)), 0);
	CU_ASSERT_EQUAL(mac_table_count(t), 2);
	CU_ASSERT_EQUAL(mac_table_delete(t, key_of(0, 1)), -ENOENT);
	CU_ASSERT_EQUAL(mac_table_count(t), 2);
	CU_ASSERT_EQUAL(mac_table_delete(t, key_of(0, 3)), 0); /* static entries too */
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	CU_ASSERT_EQUAL(mac_table_delete(t, key_of(0, 99)), -ENOENT);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 1)), -1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 2)), 1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 3)), -1);
	mac_table_destroy(t);
}

/* Fullness, dead slots and reclaim */

static void test_table_full_refuses_new_station(void)
{
	const uint32_t cap = 100;
	struct mac_table *t = mac_table_create(cap);
	uint32_t i;

	for (i = 0; i < cap; i++)
		CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, i), i % 8, 0), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, cap), 0, 0), -ENOSPC);
	CU_ASSERT_EQUAL(mac_table_add_static(t, key_of(0, cap), 0), -ENOSPC);
	CU_ASSERT_EQUAL(mac_table_count(t), cap);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, cap)), -1);
	/* Known stations still refresh and move. */
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, 5), 5, 1), MAC_LEARN_REFRESH);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, 5), 7, 1), MAC_LEARN_MOVED);
	CU_ASSERT_EQUAL(mac_table_add_static(t, key_of(0, 6), 1), 0);
	CU_ASSERT_EQUAL(mac_table_count(t), cap);
	mac_table_destroy(t);
}

static void test_reclaim_after_delete_makes_room(void)
{
	const uint32_t cap = 100;
	struct mac_table *t = mac_table_create(cap);
	uint32_t i;

	for (i = 0; i < cap; i++)
		mac_table_learn(t, key_of(0, i), 1, 0);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, cap), 1, 0), -ENOSPC);
	CU_ASSERT_EQUAL(mac_table_delete(t, key_of(0, 0)), 0);
	CU_ASSERT_EQUAL(mac_table_count(t), cap - 1);
	CU_ASSERT_EQUAL(t->dead, 1);
	mac_table_reclaim(t);
	CU_ASSERT_EQUAL(t->dead, 0);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, cap), 1, 0), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(mac_table_count(t), cap);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, cap + 1), 1, 0), -ENOSPC);
	for (i = 1; i <= cap; i++)
		CU_ASSERT_EQUAL(port_of(t, key_of(0, i)), 1);
	mac_table_destroy(t);
}

static void test_capacity_one_holds_one_station(void)
{
	struct mac_table *t = mac_table_create(1);

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, 1), 1, 0), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, 2), 1, 0), -ENOSPC);
	CU_ASSERT_EQUAL(mac_table_add_static(t, key_of(0, 2), 1), -ENOSPC);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

/* However small the table, a key's window is MAC_TABLE_MAX_PROBE distinct buckets: a
 * capacity-1 table takes 32 stations coming and going between two grace periods, each
 * in a slot of its own, and the 33rd only after the reclaim. */
static void test_small_table_keeps_whole_probe_window(void)
{
	const uint32_t window = MAC_TABLE_MAX_PROBE * MAC_TABLE_SLOTS_PER_BUCKET;
	struct mac_table *t = mac_table_create(1);
	uint32_t i, b, nerr = 0, spilled = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	for (i = 0; i < window; i++) {
		nerr += mac_table_learn(t, key_of(0, i), 1, 0) != MAC_LEARN_NEW;
		nerr += mac_table_delete(t, key_of(0, i)) != 0;
	}
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT_EQUAL(t->dead, window);
	CU_ASSERT_EQUAL(mac_table_count(t), 0);
	for (b = 0; b <= t->mask; b++)
		spilled += t->spill[b];
	CU_ASSERT_EQUAL(spilled, 0); /* every spill counted in was counted out */
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, window), 1, 0), -ENOSPC);
	mac_table_reclaim(t);
	CU_ASSERT_EQUAL(mac_table_learn(t, key_of(0, window), 1, 0), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, window)), 1);
	CU_ASSERT_EQUAL(mac_table_count(t), 1);
	mac_table_destroy(t);
}

static void test_dead_slot_not_reused_before_reclaim(void)
{
	/* capacity 16: 8 buckets of 4 slots.  Six keys with home bucket 0. */
	struct mac_table *t = mac_table_create(16);
	uint64_t k[6], n = 0;
	struct mac_slot *held;
	int i;

	CU_ASSERT_EQUAL_FATAL(t->mask, 7);
	for (i = 0; i < 6; i++)
		k[i] = key_homed_at(t, 0, &n);
	for (i = 0; i < 4; i++) {
		CU_ASSERT_EQUAL(mac_table_learn(t, k[i], 1, 0), MAC_LEARN_NEW);
		CU_ASSERT_PTR_EQUAL(mac_table_find(t, k[i]), &t->bucket[0].slot[i]);
	}

	/* A reader holds k[1]'s slot; the writer deletes k[1]. */
	held = mac_table_find(t, k[1]);
	CU_ASSERT_EQUAL(mac_table_delete(t, k[1]), 0);
	CU_ASSERT_EQUAL(held->key, MAC_KEY_DEAD);
	CU_ASSERT_EQUAL(t->dead, 1);
	CU_ASSERT_PTR_NULL(mac_table_find(t, k[1]));

	/* A new key of the same home must not take the dead slot: it spills. */
	CU_ASSERT_EQUAL(mac_table_learn(t, k[4], 2, 0), MAC_LEARN_NEW);
	CU_ASSERT_PTR_EQUAL(mac_table_find(t, k[4]), &t->bucket[1].slot[0]);
	CU_ASSERT_EQUAL(held->key, MAC_KEY_DEAD);
	CU_ASSERT_EQUAL(t->spill[0], 1);
	CU_ASSERT_EQUAL(port_of(t, k[0]), 1);
	CU_ASSERT_EQUAL(port_of(t, k[2]), 1);
	CU_ASSERT_EQUAL(port_of(t, k[3]), 1);
	CU_ASSERT_EQUAL(port_of(t, k[4]), 2);

	/* After the grace period the slot is free and the next key takes it. */
	mac_table_reclaim(t);
	CU_ASSERT_EQUAL(held->key, 0);
	CU_ASSERT_EQUAL(t->dead, 0);
	CU_ASSERT_EQUAL(mac_table_learn(t, k[5], 3, 0), MAC_LEARN_NEW);
	CU_ASSERT_PTR_EQUAL(mac_table_find(t, k[5]), held);
	CU_ASSERT_EQUAL(port_of(t, k[4]), 2);
	CU_ASSERT_EQUAL(mac_table_count(t), 5);
	mac_table_destroy(t);
}

static void test_spilled_station_found_after_home_slots_free(void)
{
	struct mac_table *t = mac_table_create(16);
	uint64_t k[8], n = 0;
	int i;

	for (i = 0; i < 8; i++)
		k[i] = key_homed_at(t, 0, &n);
	for (i = 0; i < 7; i++)
		CU_ASSERT_EQUAL(mac_table_learn(t, k[i], (uint32_t)i, 0), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(t->spill[0], 3);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(mac_table_delete(t, k[i]), 0);
	mac_table_reclaim(t);
	for (i = 0; i < 4; i++)
		CU_ASSERT_EQUAL(port_of(t, k[i]), -1);
	for (i = 4; i < 7; i++)
		CU_ASSERT_EQUAL(port_of(t, k[i]), i);
	CU_ASSERT_PTR_NULL(mac_table_find(t, k[7]));
	for (i = 4; i < 7; i++)
		CU_ASSERT_EQUAL(mac_table_delete(t, k[i]), 0);
	CU_ASSERT_EQUAL(t->spill[0], 0);
	CU_ASSERT_EQUAL(mac_table_count(t), 0);
	mac_table_reclaim(t);
	CU_ASSERT_EQUAL(mac_table_learn(t, k[7], 9, 0), MAC_LEARN_NEW);
	CU_ASSERT_PTR_EQUAL(mac_table_find(t, k[7]), &t->bucket[0].slot[0]);
	mac_table_destroy(t);
}

static void test_colliding_keys_fill_their_probe_window(void)
{
	/* 32 keys of one home bucket fill its window of 8 buckets; the 33rd is refused
	 * though the table is far from capacity ("key's buckets are full"). */
	const uint32_t window = MAC_TABLE_MAX_PROBE * MAC_TABLE_SLOTS_PER_BUCKET;
	struct mac_table *t = mac_table_create(1000);
	uint64_t k[33], n = 0;
	uint32_t i;

	for (i = 0; i <= window; i++)
		k[i] = key_homed_at(t, 5, &n);
	for (i = 0; i < window; i++)
		CU_ASSERT_EQUAL(mac_table_learn(t, k[i], i, 0), MAC_LEARN_NEW);
	CU_ASSERT_EQUAL(t->spill[5], window - MAC_TABLE_SLOTS_PER_BUCKET);
	CU_ASSERT_EQUAL(mac_table_learn(t, k[window], 0, 0), -ENOSPC);
	CU_ASSERT_EQUAL(mac_table_count(t), window);
	for (i = 0; i < window; i++)
		CU_ASSERT_EQUAL(port_of(t, k[i]), (int)i);
	CU_ASSERT_EQUAL(port_of(t, k[window]), -1);
	mac_table_destroy(t);
}

/* Flushes: 20 learned entries (5 on each of ports 0-3) and 3 static ones (2 on port 1,
 * 1 on port 2), all in network 0. */

static struct mac_table *flush_table(void)
{
	struct mac_table *t = mac_table_create(64);
	uint32_t i;

	for (i = 0; i < 20; i++)
		mac_table_learn(t, key_of(0, i), i % 4, 0);
	mac_table_add_static(t, key_of(0, 100), 1);
	mac_table_add_static(t, key_of(0, 101), 1);
	mac_table_add_static(t, key_of(0, 102), 2);
	CU_ASSERT_EQUAL(mac_table_count(t), 23);
	return t;
}

static void test_flush_port_keeps_static_entries(void)
{
	struct mac_table *t = flush_table();
	uint32_t i;

	CU_ASSERT_EQUAL(mac_table_flush(t, 1, false), 5);
	for (i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(port_of(t, key_of(0, i)), i % 4 == 1 ? -1 : (int)(i % 4));
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 100)), 1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 101)), 1);
	CU_ASSERT_EQUAL(mac_table_count(t), 18);
	CU_ASSERT_EQUAL(mac_table_flush(t, 1, false), 0);
	CU_ASSERT_EQUAL(mac_table_flush(t, 9, false), 0);
	mac_table_destroy(t);
}

static void test_flush_port_with_static_entries(void)
{
	struct mac_table *t = flush_table();

	CU_ASSERT_EQUAL(mac_table_flush(t, 1, true), 7);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 100)), -1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 101)), -1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 102)), 2);
	CU_ASSERT_EQUAL(mac_table_count(t), 16);
	mac_table_destroy(t);
}

static void test_flush_all_keeps_static_entries(void)
{
	struct mac_table *t = flush_table();
	uint32_t i;

	CU_ASSERT_EQUAL(mac_table_flush(t, UINT32_MAX, false), 20);
	for (i = 0; i < 20; i++)
		CU_ASSERT_EQUAL(port_of(t, key_of(0, i)), -1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 100)), 1);
	CU_ASSERT_EQUAL(port_of(t, key_of(0, 102)), 2);
	CU_ASSERT_EQUAL(mac_table_count(t), 3);
	mac_table_destroy(t);
}

static void test_flush_all_with_static_entries(void)
{
	struct mac_table *t = flush_table();

	CU_ASSERT_EQUAL(mac_table_flush(t, UINT32_MAX, true), 23);
	CU_ASSERT_EQUAL(mac_table_count(t), 0);
	CU_ASSERT_EQUAL(t->dead, 23);
	CU_ASSERT_EQUAL(mac_table_flush(t, UINT32_MAX, true), 0);
	mac_table_destroy(t);
}

static void test_flush_network(void)
{
	struct mac_table *t = mac_table_create(64);
	uint32_t i;

	for (i = 0; i < 10; i++) {
		mac_table_learn(t, key_of(0, i), 1, 0);
		mac_table_learn(t, key_of(1, i), 1, 0);
	}
	mac_table_add_static(t, key_of(1, 50), 2);
	mac_table_learn(t, key_of(65534, 1), 1, 0);
	CU_ASSERT_EQUAL(mac_table_flush_network(t, 1, false), 10);
	CU_ASSERT_EQUAL(port_of(t, key_of(1, 50)), 2);
	CU_ASSERT_EQUAL(mac_table_flush_network(t, 1, true), 1);
	for (i = 0; i < 10; i++) {
		CU_ASSERT_EQUAL(port_of(t, key_of(0, i)), 1);
		CU_ASSERT_EQUAL(port_of(t, key_of(1, i)), -1);
	}
	CU_ASSERT_EQUAL(mac_table_flush_network(t, 65534, false), 1);
	CU_ASSERT_EQUAL(mac_table_count(t), 10);
	mac_table_destroy(t);
}

/* Keys */

static const uint16_t key_nets[] = {0, 1, 4095, 65534};
static const uint64_t key_macs[] = {0, 1, 0xffffffffffff, 0x01005e0000fb, 0x020000abcdef};

static void test_key_round_trip(void)
{
	unsigned int i, j;

	for (i = 0; i < RTE_DIM(key_nets); i++) {
		for (j = 0; j < RTE_DIM(key_macs); j++) {
			struct rte_ether_addr m = mac_of(key_macs[j]), back;
			uint16_t net = 0xffff;

			mac_table_key_split(mac_table_key(key_nets[i], &m), &net, &back);
			CU_ASSERT_EQUAL(net, key_nets[i]);
			CU_ASSERT_EQUAL(memcmp(&back, &m, sizeof(m)), 0);
		}
	}
}

static void test_key_never_zero_nor_dead(void)
{
	uint64_t keys[RTE_DIM(key_nets) * RTE_DIM(key_macs)];
	unsigned int i, j, n = 0;

	for (i = 0; i < RTE_DIM(key_nets); i++) {
		for (j = 0; j < RTE_DIM(key_macs); j++) {
			struct rte_ether_addr m = mac_of(key_macs[j]);

			keys[n] = mac_table_key(key_nets[i], &m);
			CU_ASSERT_NOT_EQUAL(keys[n], 0);
			CU_ASSERT_NOT_EQUAL(keys[n], MAC_KEY_DEAD);
			n++;
		}
	}
	for (i = 0; i < n; i++) /* distinct (network, MAC), distinct key */
		for (j = 0; j < i; j++)
			CU_ASSERT_NOT_EQUAL(keys[i], keys[j]);
}

/* Walk */

static void test_walk_visits_exactly_live_entries(void)
{
	struct mac_table *t = mac_table_create(64);
	struct walk_entry seen[64], want[64];
	struct walk_log w = {seen, 0, 64, 0};
	uint32_t i, n = 0;

	for (i = 0; i < 20; i++)
		mac_table_learn(t, key_of(0, i), i, 100 + i);
	for (i = 0; i < 3; i++)
		mac_table_add_static(t, key_of(1, i), 30 + i);
	for (i = 15; i < 20; i++) /* dead until reclaim: not visited */
		mac_table_delete(t, key_of(0, i));
	mac_table_delete(t, key_of(1, 2));
	for (i = 0; i < 15; i++)
		want[n++] = (struct walk_entry){key_of(0, i), i, 100 + i};
	for (i = 0; i < 2; i++) /* the port a walk sees carries the static flag */
		want[n++] = (struct walk_entry){key_of(1, i), (30 + i) | MAC_PORT_STATIC, 0};

	CU_ASSERT_EQUAL(mac_table_walk(t, walk_record, &w), 0);
	CU_ASSERT_EQUAL_FATAL(w.n, n);
	qsort(seen, w.n, sizeof(seen[0]), walk_entry_cmp);
	qsort(want, n, sizeof(want[0]), walk_entry_cmp);
	for (i = 0; i < n; i++) {
		CU_ASSERT_EQUAL(seen[i].key, want[i].key);
		CU_ASSERT_EQUAL(seen[i].port, want[i].port);
		if (!(want[i].port & MAC_PORT_STATIC))
			CU_ASSERT_EQUAL(seen[i].seen_s, want[i].seen_s);
	}
	mac_table_destroy(t);
}

static void test_walk_stops_at_nonzero_return(void)
{
	struct mac_table *t = mac_table_create(64);
	struct walk_entry seen[8];
	struct walk_log w = {seen, 0, 8, 3};
	uint32_t i;

	for (i = 0; i < 10; i++)
		mac_table_learn(t, key_of(0, i), 1, 0);
	CU_ASSERT_EQUAL(mac_table_walk(t, walk_record, &w), 7);
	CU_ASSERT_EQUAL(w.n, 3);
	mac_table_destroy(t);
}

/* Create and destroy */

static void test_create_rejects_zero_and_huge_capacity(void)
{
	struct mac_table *t;

	CU_ASSERT_PTR_NULL(mac_table_create(0));
	CU_ASSERT_PTR_NULL(mac_table_create((1u << 26) + 1));
	CU_ASSERT_PTR_NULL(mac_table_create(UINT32_MAX));
	t = mac_table_create(1000);
	CU_ASSERT_PTR_NOT_NULL_FATAL(t);
	CU_ASSERT_EQUAL(t->capacity, 1000);
	CU_ASSERT_TRUE((t->mask + 1) * MAC_TABLE_SLOTS_PER_BUCKET >= 2000);
	CU_ASSERT_EQUAL(mac_table_count(t), 0);
	mac_table_destroy(t);
}

static void test_destroy_null_is_ignored(void)
{
	mac_table_destroy(NULL);
	CU_PASS("mac_table_destroy(NULL) returned");
}

int main(void)
{
	static const struct unit_test tests[] = {
#define T(fn) {#fn, fn}
		T(test_learn_new_station),
		T(test_same_mac_in_another_network_is_another_entry),
		T(test_lookup_of_unknown_key_is_null),
		T(test_learn_on_same_port_refreshes),
		T(test_learn_on_another_port_moves_station),
		T(test_age_deletes_stale_entries_only),
		T(test_age_boundary_is_age_s),
		T(test_touch_keeps_station_alive),
		T(test_age_keeps_station_seen_after_now),
		T(test_static_entries_never_age),
		T(test_static_entry_does_not_move),
		T(test_static_entry_refreshes_on_its_port),
		T(test_add_static_pins_learned_station),
		T(test_delete_twice_is_enoent),
		T(test_table_full_refuses_new_station),
		T(test_reclaim_after_delete_makes_room),
		T(test_capacity_one_holds_one_station),
		T(test_small_table_keeps_whole_probe_window),
		T(test_dead_slot_not_reused_before_reclaim),
		T(test_spilled_station_found_after_home_slots_free),
		T(test_colliding_keys_fill_their_probe_window),
		T(test_flush_port_keeps_static_entries),
		T(test_flush_port_with_static_entries),
		T(test_flush_all_keeps_static_entries),
		T(test_flush_all_with_static_entries),
		T(test_flush_network),
		T(test_key_round_trip),
		T(test_key_never_zero_nor_dead),
		T(test_walk_visits_exactly_live_entries),
		T(test_walk_stops_at_nonzero_return),
		T(test_create_rejects_zero_and_huge_capacity),
		T(test_destroy_null_is_ignored),
#undef T
	};
	return run_suite("mac_table", tests, RTE_DIM(tests));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The MAC table against a trivially correct oracle (a plain array searched linearly) over
 * random keys and random operations; then lock-free readers against a churning writer,
 * with a quiescent-state handshake standing in for the dataplane's RCU before each
 * reclaim.
 */
#include "mac_table_fixtures.h"
#include "suite.h"

/* The oracle: every key ever used, in a plain array searched linearly.  Deleted keys
 * stay in it (live = false) so that their absence from the table is checked too. */

struct oracle_entry {
	uint64_t key;
	uint32_t port; /* without MAC_PORT_STATIC */
	uint32_t seen_s;
	bool is_static;
	bool live;
};

struct oracle {
	struct oracle_entry *e;
	uint32_t n, max;
	uint32_t live;
};

static void oracle_init(struct oracle *o, uint32_t max)
{
	o->e = calloc(max, sizeof(*o->e));
	CU_ASSERT_PTR_NOT_NULL_FATAL(o->e);
	o->n = 0;
	o->max = max;
	o->live = 0;
}

static struct oracle_entry *oracle_find(struct oracle *o, uint64_t key)
{
	uint32_t i;

	for (i = 0; i < o->n; i++)
		if (o->e[i].key == key)
			return &o->e[i];
	return NULL;
}

/* key's entry, added (not live) if the oracle has never seen it. */
static struct oracle_entry *oracle_get(struct oracle *o, uint64_t key)
{
	struct oracle_entry *e = oracle_find(o, key);

	if (e != NULL)
		return e;
	CU_ASSERT_FATAL(o->n < o->max);
	e = &o->e[o->n++];
	memset(e, 0, sizeof(*e));
	e->key = key;
	return e;
}

static void oracle_set(struct oracle *o, struct oracle_entry *e, uint32_t port, uint32_t seen_s,
		       bool st)
{
	if (!e->live)
		o->live++;
	e->live = true;
	e->port = port;
	e->seen_s = seen_s;
	e->is_static = st;
}

static void oracle_kill(struct oracle *o, struct oracle_entry *e)
{
	e->live = false;
	o->live--;
}

/* How many of key's entry disagree with the table: presence, port, static flag, and
 * the last-seen time of a learned entry. */
static unsigned int oracle_disagree(const struct mac_table *t, const struct oracle_entry *e)
{
	const struct mac_slot *s = mac_table_find(t, e->key);

	if (!e->live)
		return s != NULL;
	if (s == NULL)
		return 1;
	return (mac_slot_port(s) != e->port) +
	       (((s->port & MAC_PORT_STATIC) != 0) != e->is_static) +
	       (!e->is_static && s->seen_s != e->seen_s);
}

static int oracle_entry_cmp(const void *a, const void *b)
{
	const struct oracle_entry *x = a, *y = b;

	return x->key < y->key ? -1 : x->key > y->key;
}

/* Every key the oracle knows, absent_probes keys it does not, the count, and a walk. */
static void oracle_check(const struct mac_table *t, struct oracle *o, unsigned int absent_probes)
{
	struct walk_log w = {NULL, 0, o->live, 0};
	struct oracle_entry *live;
	unsigned int i, bad = 0, nlive = 0, walk_bad = 0;

	for (i = 0; i < o->n; i++)
		bad += oracle_disagree(t, &o->e[i]);
	for (i = 0; i < absent_probes; i++) {
		uint64_t k = key_of((uint16_t)(rng() % 4), rng());

		if (oracle_find(o, k) == NULL && mac_table_find(t, k) != NULL)
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(mac_table_count(t), o->live);

	/* The walk visits exactly the live entries. */
	w.e = calloc(o->live + 1, sizeof(*w.e));
	live = calloc(o->live + 1, sizeof(*live));
	CU_ASSERT_FATAL(w.e != NULL && live != NULL);
	for (i = 0; i < o->n; i++)
		if (o->e[i].live)
			live[nlive++] = o->e[i];
	mac_table_walk(t, walk_record, &w);
	CU_ASSERT_EQUAL(w.n, nlive);
	if (w.n == nlive) {
		qsort(w.e, w.n, sizeof(*w.e), walk_entry_cmp);
		qsort(live, nlive, sizeof(*live), oracle_entry_cmp);
		for (i = 0; i < nlive; i++)
			walk_bad += w.e[i].key != live[i].key ||
				    w.e[i].port != (live[i].port |
						    (live[i].is_static ? MAC_PORT_STATIC : 0));
	}
	CU_ASSERT_EQUAL(walk_bad, 0);
	free(w.e);
	free(live);
}

static uint64_t random_key(void)
{
	return key_of((uint16_t)(rng() % 4), rng());
}

static void test_agrees_with_linear_oracle(void)
{
	const uint32_t cap = 10000;
	struct mac_table *t = mac_table_create(cap);
	struct oracle o;
	uint32_t i, b, spilled = 0, nerr = 0;

	rng_seed(20261125);
	oracle_init(&o, 3 * cap);

	/* Fill to capacity with random keys. */
	while (o.live < cap) {
		struct oracle_entry *e = oracle_get(&o, random_key());
		uint32_t port = (uint32_t)(rng() % 64);

		if (e->live)
			continue;
		nerr += mac_table_learn(t, e->key, port, 1) != MAC_LEARN_NEW;
		oracle_set(&o, e, port, 1, false);
	}
	CU_ASSERT_EQUAL(nerr, 0);
	for (b = 0; b <= t->mask; b++)
		spilled += t->spill[b];
	CU_ASSERT_TRUE(spilled > 0); /* the premise: collisions spilled into later buckets */
	CU_ASSERT_EQUAL(mac_table_learn(t, random_key(), 1, 1), -ENOSPC);
	oracle_check(t, &o, 2000);

	/* Learn known stations again: refreshes and moves. */
	for (i = 0, nerr = 0; i < 2000; i++) {
		struct oracle_entry *e = &o.e[rng() % o.n];
		uint32_t port = (uint32_t)(rng() % 64);
		int want = port == e->port ? MAC_LEARN_REFRESH : MAC_LEARN_MOVED;

		nerr += mac_table_learn(t, e->key, port, 2) != want;
		oracle_set(&o, e, port, 2, false);
	}
	CU_ASSERT_EQUAL(nerr, 0);
	oracle_check(t, &o, 2000);

	/* Delete a random half; deleted keys must be absent before and after reclaim. */
	for (i = 0, nerr = 0; i < o.n; i++) {
		if (rng() % 2)
			continue;
		nerr += mac_table_delete(t, o.e[i].key) != 0;
		nerr += mac_table_delete(t, o.e[i].key) != -ENOENT;
		oracle_kill(&o, &o.e[i]);
	}
	CU_ASSERT_EQUAL(nerr, 0);
	oracle_check(t, &o, 2000);
	mac_table_reclaim(t);
	CU_ASSERT_EQUAL(t->dead, 0);
	oracle_check(t, &o, 2000);

	/* Refill with new keys and some of the deleted ones. */
	for (nerr = 0; o.live < cap;) {
		struct oracle_entry *e =
			rng() % 4 ? oracle_get(&o, random_key()) : &o.e[rng() % o.n];
		uint32_t port = (uint32_t)(rng() % 64);

		if (e->live)
			continue;
		nerr += mac_table_learn(t, e->key, port, 3) != MAC_LEARN_NEW;
		oracle_set(&o, e, port, 3, false);
	}
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT_EQUAL(mac_table_learn(t, random_key(), 1, 1), -ENOSPC);
	oracle_check(t, &o, 2000);
	free(o.e);
	mac_table_destroy(t);
}

/* Whether every slot key's buckets could hold is taken (live or dead). */
static bool window_full(const struct mac_table *t, uint64_t key)
{
	uint32_t home = mac_table_home(t, key);
	int p, i;

	for (p = 0; p < MAC_TABLE_MAX_PROBE; p++)
		for (i = 0; i < MAC_TABLE_SLOTS_PER_BUCKET; i++)
			if (t->bucket[(home + p) & t->mask].slot[i].key == 0)
				return false;
	return true;
}

/* What the table must answer to a new key: -ENOSPC when full, else MAC_LEARN_NEW (or 0
 * for a static entry) unless every slot of its buckets is taken. */
static int oracle_insert_result(const struct mac_table *t, const struct oracle *o, uint64_t key,
				int ok)
{
	if (o->live >= t->capacity || window_full(t, key))
		return -ENOSPC;
	return ok;
}

static void test_random_operations_agree_with_linear_oracle(void)
{
	enum { UNIVERSE = 700, CAP = 256, OPS = 200000, AGE_S = 40, PORTS = 6 };
	struct mac_table *t = mac_table_create(CAP);
	static uint64_t keys[UNIVERSE];
	uint32_t now = 1000, op, i;
	unsigned int nerr = 0, counted[8] = {0};
	struct oracle o;

	rng_seed(77);
	oracle_init(&o, UNIVERSE);
	for (i = 0; i < UNIVERSE; i++) {
		do
			keys[i] = key_of((uint16_t)(rng() % 3), rng());
		while (oracle_find(&o, keys[i]) != NULL);
		oracle_get(&o, keys[i]);
	}

	for (op = 0; op < OPS; op++) {
		struct oracle_entry *e = oracle_find(&o, keys[rng() % UNIVERSE]);
		uint32_t port = (uint32_t)(rng() % PORTS), r = (uint32_t)(rng() % 100), n;
		int want, got;

		if (r < 50) { /* learn */
			if (!e->live)
				want = oracle_insert_result(t, &o, e->key, MAC_LEARN_NEW);
			else if (e->port == port)
				want = MAC_LEARN_REFRESH;
			else if (e->is_static)
				want = -EPERM;
			else
				want = MAC_LEARN_MOVED;
			got = mac_table_learn(t, e->key, port, now);
			nerr += got != want;
			if (want >= 0 && !(e->live && e->is_static))
				oracle_set(&o, e, port, now, false);
			counted[0]++;
		} else if (r < 62) { /* delete */
			nerr += mac_table_delete(t, e->key) != (e->live ? 0 : -ENOENT);
			if (e->live)
				oracle_kill(&o, e);
			counted[1]++;
		} else if (r < 67) { /* add static */
			want = e->live ? 0 : oracle_insert_result(t, &o, e->key, 0);
			nerr += mac_table_add_static(t, e->key, port) != want;
			if (want == 0)
				oracle_set(&o, e, port, e->live ? e->seen_s : 0, true);
			counted[2]++;
		} else if (r < 80) { /* a worker sees the station */
			struct mac_slot *s = mac_table_find(t, e->key);

			nerr += (s != NULL) != e->live;
			if (s != NULL) {
				mac_slot_touch(s, now);
				e->seen_s = now;
			}
			counted[3]++;
		} else if (r < 82) { /* age */
			for (i = 0, n = 0; i < o.n; i++) {
				struct oracle_entry *a = &o.e[i];

				if (a->live && !a->is_static && now - a->seen_s >= AGE_S) {
					oracle_kill(&o, a);
					n++;
				}
			}
			nerr += mac_table_age(t, now, AGE_S) != n;
			counted[4]++;
		} else if (r < 83) { /* flush a port or all, with or without static */
			uint32_t fport = rng() % 4 ? port : UINT32_MAX;
			bool st = rng() % 2;

			for (i = 0, n = 0; i < o.n; i++) {
				struct oracle_entry *a = &o.e[i];

				if (a->live && (st || !a->is_static) &&
				    (fport == UINT32_MAX || a->port == fport)) {
					oracle_kill(&o, a);
					n++;
				}
			}
			nerr += mac_table_flush(t, fport, st) != n;
			counted[5]++;
		} else if (r < 84) { /* flush a network */
			uint16_t net = (uint16_t)(rng() % 3);
			bool st = rng() % 2;

			for (i = 0, n = 0; i < o.n; i++) {
				struct oracle_entry *a = &o.e[i];

				if (a->live && (st || !a->is_static) &&
				    (a->key >> 48) == (uint64_t)net + 1) {
					oracle_kill(&o, a);
					n++;
				}
			}
			nerr += mac_table_flush_network(t, net, st) != n;
			counted[6]++;
		} else if (r < 88) { /* a grace period passed */
			mac_table_reclaim(t);
			nerr += t->dead != 0;
			counted[7]++;
		} else {
			now++;
		}
		nerr += oracle_disagree(t, e);
		if (op % 2000 == 0)
			oracle_check(t, &o, 0);
		if (nerr) {
			CU_FAIL("table and oracle disagree");
			fprintf(stderr, "\n  op %u (r %u) on key 0x%016llx: %u disagreements\n", op,
				r, (unsigned long long)e->key, nerr);
			break;
		}
	}
	oracle_check(t, &o, 0);
	for (i = 0; i < RTE_DIM(counted); i++)
		CU_ASSERT_TRUE(counted[i] > 0);
	free(o.e);
	mac_table_destroy(t);
}

/*
 * Concurrency: readers look up stable keys, which the writer moves between ports 1 and
 * 2 but never deletes, and the writer's churn keys.  Each writer round deletes half of
 * the previous generation of churn keys and flushes the rest by its port, learns a new
 * generation (on port 7 or 8 by its parity), and reclaims after a grace period.
 *
 * A reader passes a quiescent state (bumps its counter) only between iterations; the
 * writer reclaims only after every reader passed one since the deletions, as
 * rte_rcu_qsbr_synchronize() does in the dataplane.  So a slot a reader found may die
 * under it, but must never come back holding another key.
 */
#define CC_READERS 2
#define CC_STABLE  64
#define CC_CHURN   1000
#define CC_RUN_NS  500000000ll

struct cc_reader {
	pthread_t thread;
	uint64_t quiescent; /* iterations finished: written by the reader only */
	uint64_t stable_missing, stable_bad_port, churn_bad_port, slot_reused;
	uint64_t churn_found;
};

static struct {
	struct mac_table *t;
	int stop;
	uint64_t churn_gen; /* the writer's newest generation of churn keys */
	struct cc_reader r[CC_READERS];
} cc;

static void *cc_read(void *arg)
{
	struct cc_reader *me = arg;
	uint64_t x = (uint64_t)(uintptr_t)arg | 1;

	while (!__atomic_load_n(&cc.stop, __ATOMIC_ACQUIRE)) {
		uint64_t gen = __atomic_load_n(&cc.churn_gen, __ATOMIC_ACQUIRE);
		uint32_t i;

		for (i = 0; i < CC_STABLE; i++) {
			uint64_t k = key_of(1, i);
			struct mac_slot *s = mac_table_find(cc.t, k);
			uint32_t p;

			if (s == NULL) {
				me->stable_missing++;
				continue;
			}
			p = mac_slot_port(s);
			if (p != 1 && p != 2)
				me->stable_bad_port++;
			mac_slot_touch(s, (uint32_t)i);
			if (__atomic_load_n(&s->key, __ATOMIC_ACQUIRE) != k)
				me->slot_reused++;
		}
		for (i = 0; i < 64; i++) {
			uint64_t k, g;
			struct mac_slot *s;

			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			g = gen - (x >> 32) % 2; /* this generation or the one being deleted */
			k = key_of(2, g * CC_CHURN + x % CC_CHURN);
			s = mac_table_find(cc.t, k);
			if (s == NULL)
				continue;
			me->churn_found++;
			if (mac_slot_port(s) != 7 + g % 2)
				me->churn_bad_port++;
			/* Still inside this iteration: the slot may die, never be reused. */
			for (int spin = 0; spin < 50; spin++) {
				uint64_t now = __atomic_load_n(&s->key, __ATOMIC_ACQUIRE);

				if (now != k && now != MAC_KEY_DEAD) {
					me->slot_reused++;
					break;
				}
			}
		}
		__atomic_store_n(&me->quiescent, me->quiescent + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

/* Wait until every reader has passed a quiescent state since the call: the iteration it
 * was in when the writer deleted has ended, so it holds no slot found before. */
static void cc_grace_period(void)
{
	uint64_t snap[CC_READERS];
	int i;

	for (i = 0; i < CC_READERS; i++)
		snap[i] = __atomic_load_n(&cc.r[i].quiescent, __ATOMIC_ACQUIRE);
	for (i = 0; i < CC_READERS; i++)
		while (__atomic_load_n(&cc.r[i].quiescent, __ATOMIC_ACQUIRE) == snap[i])
			sched_yield();
}

static int64_t elapsed_ns(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000000ll + (t1.tv_nsec - t0->tv_nsec);
}

static void test_concurrent_readers_never_see_wrong_port_or_reused_slot(void)
{
	struct timespec t0;
	uint32_t i, round = 0, nerr = 0;
	uint64_t churn_found = 0;
	struct walk_log walked = {NULL, 0, 0, 0};
	int r;

	memset(&cc, 0, sizeof(cc));
	cc.t = mac_table_create(4096);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cc.t);
	for (i = 0; i < CC_STABLE; i++)
		mac_table_learn(cc.t, key_of(1, i), 1, 0);
	for (r = 0; r < CC_READERS; r++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&cc.r[r].thread, NULL, cc_read, &cc.r[r]), 0);

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ns(&t0) < CC_RUN_NS) {
		uint64_t base = (uint64_t)++round * CC_CHURN, prev = base - CC_CHURN;

		for (i = 0; i < CC_STABLE; i++)
			nerr += mac_table_learn(cc.t, key_of(1, i), 1 + (round + i) % 2, round) !=
				(round == 1 && i % 2 == 1 ? MAC_LEARN_REFRESH : MAC_LEARN_MOVED);
		/* Delete the previous generation while readers may hold its slots, then
		 * learn the next: its keys must not land in those slots. */
		if (round > 1) {
			for (i = 0; i < CC_CHURN; i += 2)
				nerr += mac_table_delete(cc.t, key_of(2, prev + i)) != 0;
			nerr += mac_table_flush(cc.t, 7 + (round - 1) % 2, false) != CC_CHURN / 2;
		}
		for (i = 0; i < CC_CHURN; i++)
			nerr += mac_table_learn(cc.t, key_of(2, base + i), 7 + round % 2, round) !=
				MAC_LEARN_NEW;
		__atomic_store_n(&cc.churn_gen, round, __ATOMIC_RELEASE);
		nerr += mac_table_count(cc.t) != CC_STABLE + CC_CHURN;
		walked.n = 0; /* as syd-control's dump does, while readers touch entries */
		mac_table_walk(cc.t, walk_record, &walked);
		nerr += walked.n != CC_STABLE + CC_CHURN;
		cc_grace_period();
		mac_table_reclaim(cc.t);
	}
	__atomic_store_n(&cc.stop, 1, __ATOMIC_RELEASE);
	for (r = 0; r < CC_READERS; r++) {
		struct cc_reader *rd = &cc.r[r];

		pthread_join(rd->thread, NULL);
		CU_ASSERT_TRUE(rd->quiescent > 0);
		CU_ASSERT_EQUAL(rd->stable_missing, 0);
		CU_ASSERT_EQUAL(rd->stable_bad_port, 0);
		CU_ASSERT_EQUAL(rd->churn_bad_port, 0);
		CU_ASSERT_EQUAL(rd->slot_reused, 0);
		churn_found += rd->churn_found;
	}
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT_TRUE(round > 1);
	CU_ASSERT_TRUE(churn_found > 0); /* readers did meet churning keys */
	mac_table_destroy(cc.t);
}

int main(void)
{
	static const struct unit_test tests[] = {
#define T(fn) {#fn, fn}
		T(test_agrees_with_linear_oracle),
		T(test_random_operations_agree_with_linear_oracle),
		T(test_concurrent_readers_never_see_wrong_port_or_reused_slot),
#undef T
	};
	return run_suite("mac_table_race", tests, RTE_DIM(tests));
}

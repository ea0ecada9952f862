/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The classifier (single, burst and cached lookups) against a linear scan over random
 * rules, packets and operations; and readers racing a writer that replaces rule sets (with
 * a quiescent-state handshake as the synchronize hook).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include <CUnit/Basic.h>

#include "classifier_emc.h"
#include "classifier_fixtures.h"
#include "suite.h"

/*
 * The classifier against a linear scan: random rules (few values per field, so that
 * rules overlap, and few priorities, so that ties are common) in three tables, random
 * adds, replacements, modifies and deletes, commits and aborts at random; after each commit,
 * random packets through single, burst and cached lookups must meet the rule the scan
 * finds: the highest priority, then the lowest id.  Staged changes must not show.
 */
#define OR_TABLES 3
#define OR_MAX	  600

struct oracle_rule {
	bool live;
	uint8_t table;
	uint32_t prio;
	struct cls_match m;
	uint64_t id;
	uint32_t tag;
	const struct cls_rule *handle; /* staged */
};

struct oracle {
	struct oracle_rule staged[OR_MAX];
	struct oracle_rule committed[OR_MAX];
	unsigned int n; /* slots used in staged (live or not) */
	unsigned int ncommitted;
};

static void random_match(struct cls_match *m)
{
	static const unsigned int lens[] = {8, 16, 24, 30, 32};
	uint64_t bits = rng();

	memset(m, 0, sizeof(*m));
	if (bits & 1)
		cls_match_in_port(m, (uint16_t)(rng() % 4));
	if (bits & 2)
		cls_match_network(m, (uint16_t)(rng() % 2));
	if ((bits & 0x0c) == 0x0c) {
		struct rte_ether_addr mac = mac_of(0x020000000000 | (rng() % 4)), mask = mac_all;

		if (rng() % 3 == 0)
			mask.addr_bytes[5] = 0xfe;
		cls_match_eth_dst(m, &mac, &mask);
	}
	if ((bits & 0x30) == 0x30)
		cls_match_eth_src(m,
				  &(struct rte_ether_addr){{2, 0, 0, 0, 0, (uint8_t)(rng() % 4)}},
				  &mac_all);
	if ((bits & 0xc0) == 0xc0) {
		if (rng() % 3 == 0)
			cls_match_untagged(m);
		else
			cls_match_vlan(m, (uint16_t)(10 * (1 + rng() % 2)));
	}
	if (bits & 0x100)
		cls_match_ethertype(m, rng() % 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_ARP);
	if (bits & 0x200)
		cls_match_ip_src(m, ip4(10, 0, rng() % 4, rng() % 4), lens[rng() % 5]);
	if (bits & 0x400)
		cls_match_ip_dst(m, ip4(10, (unsigned int)(rng() % 2), rng() % 4, rng() % 4),
				 lens[rng() % 5]);
	if ((bits & 0x1800) == 0x1800)
		cls_match_ip_proto(m, rng() % 2 ? IPPROTO_TCP : IPPROTO_UDP);
	if ((bits & 0x6000) == 0x6000)
		cls_match_l4_src(m, (uint16_t)(1000 + rng() % 3));
	if (bits & 0x8000 && bits & 0x10000)
		cls_match_l4_dst(m, rng() % 2 ? 80 : 443);
	if ((bits & 0x60000) == 0x60000)
		cls_match_vni(m, rng() % 2 ? 5001 : 0);
	if ((bits & 0x180000) == 0x180000)
		cls_match_tun_remote(m, rng() % 2 ? ip4(192, 0, 2, 2) : 0);
}

static void random_key(struct cls_key *k)
{
	memset(k, 0, sizeof(*k));
	k->in_port = (uint16_t)(rng() % 4);
	k->network = (uint16_t)(rng() % 2);
	k->eth_dst = mac_of(0x020000000000 | (rng() % 4));
	k->eth_src = mac_of(0x020000000000 | (rng() % 4));
	k->vlan = rng() % 3 ? (uint16_t)(CLS_VLAN_PRESENT | (10 * (1 + rng() % 2))) : 0;
	k->ethertype = rng() % 4 ? RTE_ETHER_TYPE_IPV4 : RTE_ETHER_TYPE_ARP;
	k->ip_src = ip4(10, 0, rng() % 4, rng() % 4);
	k->ip_dst = ip4(10, (unsigned int)(rng() % 2), rng() % 4, rng() % 4);
	k->ip_proto = rng() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
	k->l4_src = (uint16_t)(1000 + rng() % 3);
	k->l4_dst = rng() % 2 ? 80 : 443;
	k->vni = rng() % 2 ? 5001 : 0;
	k->tun_remote = k->vni ? ip4(192, 0, 2, 2) : 0;
}

static const struct oracle_rule *oracle_lookup(const struct oracle_rule *rules, unsigned int n,
					       unsigned int table, const struct cls_key *k)
{
	const struct oracle_rule *best = NULL;
	unsigned int i;

	for (i = 0; i < n; i++) {
		const struct oracle_rule *r = &rules[i];

		if (!r->live || r->table != table || !cls_match_covers(&r->m, k))
			continue;
		if (best == NULL || r->prio > best->prio ||
		    (r->prio == best->prio && r->id < best->id))
			best = r;
	}
	return best;
}

static bool same_identity(const struct oracle_rule *r, unsigned int table, uint32_t prio,
			  const struct cls_match *m)
{
	struct cls_match a = r->m, b = *m;
	int i;

	for (i = 0; i < CLS_KEY_WORDS; i++) {
		a.key.w[i] &= a.mask.w[i];
		b.key.w[i] &= b.mask.w[i];
	}
	return r->live && r->table == table && r->prio == prio && memcmp(&a, &b, sizeof(a)) == 0;
}

static struct oracle_rule *oracle_find(struct oracle *o, unsigned int table, uint32_t prio,
				       const struct cls_match *m)
{
	unsigned int i;

	for (i = 0; i < o->n; i++)
		if (same_identity(&o->staged[i], table, prio, m))
			return &o->staged[i];
	return NULL;
}

/* Compare the classifier at the current version with the committed rules. */
static unsigned int oracle_check(struct classifier *c, struct cls_emc *emc, const struct oracle *o,
				 unsigned int npackets)
{
	struct cls_key keys[32];
	const struct cls_key *kp[32];
	const struct cls_rule *burst[32], *cached[32], *again[32];
	uint64_t v = cls_version(c);
	unsigned int t, i, j, nerr = 0;

	for (i = 0; i < 32; i++)
		kp[i] = &keys[i];
	for (j = 0; j < npackets; j += 32) {
		for (t = 0; t < OR_TABLES + 1; t++) {
			for (i = 0; i < 32; i++)
				random_key(&keys[i]);
			keys[31] = keys[0]; /* the same flow twice in a burst */
			cls_lookup_burst(c, v, t, kp, 32, burst);
			cls_emc_lookup_burst(emc, v, t, kp, NULL, 32, cached, NULL);
			cls_emc_lookup_burst(emc, v, t, kp, NULL, 32, again,
					     NULL); /* hits, mostly */
			for (i = 0; i < 32; i++) {
				const struct oracle_rule *want =
					oracle_lookup(o->committed, o->ncommitted, t, &keys[i]);
				const struct cls_rule *got = cls_lookup(c, v, t, &keys[i]);

				nerr += got != burst[i] || got != cached[i] || got != again[i];
				if (want == NULL) {
					nerr += got != NULL;
				} else if (got == NULL || cls_rule_id(got) != want->id ||
					   tag_of(got) != want->tag ||
					   cls_rule_priority(got) != want->prio) {
					nerr++;
				}
			}
		}
	}
	return nerr;
}

static void test_random_operations_agree_with_linear_scan(void)
{
	enum { OPS = 30000 };
	static struct oracle o;
	struct classifier *c = new_cls();
	struct cls_emc *emc = cls_emc_create(c, 0);
	unsigned int op, i, nerr = 0, commits = 0, checked = 0;
	unsigned int counted[7] = {0};
	uint32_t next_tag = 1;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	memset(&o, 0, sizeof(o));
	rng_seed(2024);
	for (op = 0; op < OPS && nerr == 0; op++) {
		unsigned int r = (unsigned int)(rng() % 100);
		struct oracle_rule *e = o.n ? &o.staged[rng() % o.n] : NULL;

		if (r < 40 || e == NULL) { /* add: a new rule, or one with a live identity */
			struct cls_rule_spec spec;
			struct oracle_rule *old;
			uint32_t tag = next_tag++;
			int ret, want;

			memset(&spec, 0, sizeof(spec));
			if (e != NULL && e->live && rng() % 4 == 0) {
				spec.match = e->m;
				spec.table = e->table;
				spec.priority = e->prio;
			} else {
				random_match(&spec.match);
				spec.table = (uint8_t)(rng() % OR_TABLES);
				spec.priority = (uint32_t)(rng() % 8);
			}
			spec.actions = &tag;
			spec.actions_len = sizeof(tag);
			old = oracle_find(&o, spec.table, spec.priority, &spec.match);
			if (old == NULL && o.n == OR_MAX)
				continue;
			want = old ? 1 : 0;
			const struct cls_rule *h;
			ret = cls_rule_add(c, &spec, &h);
			nerr += ret != want;
			if (old == NULL) {
				old = &o.staged[o.n++];
				old->id = cls_rule_id(h);
			}
			nerr += cls_rule_id(h) != old->id;
			old->live = true;
			old->table = spec.table;
			old->prio = spec.priority;
			old->m = spec.match;
			old->tag = tag;
			old->handle = h;
			counted[0]++;
		} else if (r < 55) { /* modify */
			struct cls_rule_spec spec;
			struct oracle_rule *clash;
			uint32_t tag = next_tag++;
			const struct cls_rule *h;
			int ret;

			if (!e->live)
				continue;
			memset(&spec, 0, sizeof(spec));
			spec.priority = rng() % 2 ? e->prio : (uint32_t)(rng() % 8);
			spec.actions = &tag;
			spec.actions_len = sizeof(tag);
			clash = spec.priority == e->prio
					? NULL
					: oracle_find(&o, e->table, spec.priority, &e->m);
			ret = cls_rule_modify(c, e->handle, &spec, &h);
			nerr += ret != (clash ? -EEXIST : 0);
			if (ret == 0) {
				e->prio = spec.priority;
				e->tag = tag;
				e->handle = h;
			}
			counted[1]++;
		} else if (r < 75) { /* delete */
			if (!e->live)
				continue;
			nerr += cls_rule_delete(c, e->handle) != 0;
			e->live = false;
			counted[2]++;
		} else if (r < 80) { /* staged changes do not show */
			nerr += oracle_check(c, emc, &o, 32);
			counted[3]++;
		} else if (r < 90) { /* commit and compare */
			nerr += cls_commit(c) != 0;
			memcpy(o.committed, o.staged, sizeof(o.staged[0]) * o.n);
			o.ncommitted = o.n;
			nerr += oracle_check(c, emc, &o, 64);
			commits++;
			checked += 64 * (OR_TABLES + 1);
			counted[4]++;
		} else if (r < 91) { /* reclaim: the cache must not use freed rules */
			cls_reclaim(c);
			counted[5]++;
		} else if (r < 93) { /* abort: back to the committed rules and handles */
			cls_abort(c);
			memcpy(o.staged, o.committed, sizeof(o.staged[0]) * o.ncommitted);
			o.n = o.ncommitted;
			nerr += oracle_check(c, emc, &o, 32);
			for (i = 0; i < o.n; i++)
				nerr += o.staged[i].live &&
					cls_rule_find(c, o.staged[i].table, o.staged[i].prio,
						      &o.staged[i].m) != o.staged[i].handle;
			counted[6]++;
		}
		/* The staged count. */
		for (i = 0, r = 0; i < o.n; i++)
			r += o.staged[i].live;
		nerr += cls_count(c) != r;
		if (nerr) {
			CU_FAIL("classifier and linear scan disagree");
			fprintf(stderr, "\n  op %u: %u disagreements\n", op, nerr);
		}
	}
	for (i = 0; i < RTE_DIM(counted); i++)
		CU_ASSERT_TRUE(counted[i] > 0);
	CU_ASSERT_TRUE(checked > 100000);
	CU_ASSERT_TRUE(emc->hits > 0);
	fprintf(stderr, "(%u commits, %u packets checked, cache %llu hits %llu misses) ", commits,
		checked, (unsigned long long)emc->hits, (unsigned long long)emc->misses);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

/*
 * Readers racing a writer.  Each generation g is one commit that replaces, for each of
 * CC_KEYS flows, a pair of rules (one in table 0, one in table 1, with masks and
 * priorities that change with g so that they move between subtables), modifies a
 * long-lived rule of table 2 to carry g, and replaces a few hundred filler rules of
 * lower priority with random masks (subtables come and go, hash tables grow).  Every
 * rule's actions carry its generation and a checksum of its own match and priority.
 *
 * Readers look each flow up in the three tables at one version, by single, burst and
 * cached lookups, and count what must never happen: a missing rule, two tables at
 * different generations, a checksum that does not fit the rule, a rule that does not
 * cover the key.  They count hits both directly and through the cache, which they flush
 * whenever the version moved, as workers do: every hit of table 2's rule must reach its
 * counters.  Freed memory would be ASan's to report.
 */
#define CC_READERS 2
#define CC_KEYS	   16
#define CC_FILLERS 300
#define CC_RUN_NS  1000000000ll

struct cc_actions {
	uint64_t gen;
	uint64_t sum;
};

struct cc_reader {
	pthread_t thread;
	unsigned int id;
	uint64_t quiescent;   /* the last token seen */
	uint64_t stable_hits; /* counted against table 2's rule */
	uint64_t missing, torn, bad_sum, not_covering, disagree, lookups;
};

static struct {
	struct classifier *c;
	int stop;
	int started;	/* readers running: a grace period waits for these */
	uint64_t token; /* grace periods started, as rte_rcu_qsbr's */
	struct cc_reader r[CC_READERS];
} cc;

static uint64_t cc_sum(const struct cls_match *m, uint32_t prio, uint64_t gen)
{
	uint64_t h = 0xcbf29ce484222325ull ^ prio ^ (gen << 32);
	int i;

	for (i = 0; i < CLS_KEY_WORDS; i++) {
		h = (h ^ (m->key.w[i] & m->mask.w[i])) * 0x100000001b3ull;
		h = (h ^ m->mask.w[i]) * 0x100000001b3ull;
	}
	return h;
}

static struct cls_key cc_key(unsigned int j)
{
	struct cls_key k = base_key();

	k.in_port = (uint16_t)j;
	k.ip_dst = ip4(10, 9, 0, j);
	k.l4_dst = (uint16_t)(1000 + j);
	return k;
}

/* The pair rule of flow j in generation g: its mask depends on g. */
static void cc_pair_match(unsigned int j, uint64_t g, unsigned int table, struct cls_match *m)
{
	struct cls_key k = cc_key(j);

	memset(m, 0, sizeof(*m));
	cls_match_in_port(m, k.in_port);
	switch ((g + table) % 4) {
	case 0:
		break;
	case 1:
		cls_match_ip_dst(m, k.ip_dst, 24 + (unsigned int)(g % 9));
		break;
	case 2:
		cls_match_l4_dst(m, k.l4_dst);
		break;
	case 3:
		cls_match_eth_dst(m, &k.eth_dst, &mac_all);
		break;
	}
}

static unsigned int cc_check(const struct classifier *c, const struct cls_rule *r,
			     const struct cls_key *k, uint64_t *gen)
{
	struct cc_actions a;
	struct cls_match m;

	if (r == NULL)
		return 1;
	memcpy(&a, cls_rule_actions(r), sizeof(a));
	cls_rule_match(r, &m);
	*gen = a.gen;
	(void)c;
	return (a.sum != cc_sum(&m, cls_rule_priority(r), a.gen)) << 1 | (!cls_match_covers(&m, k))
										 << 2;
}

static void *cc_read(void *arg)
{
	struct cc_reader *me = arg;
	struct cls_emc *emc = cls_emc_create(cc.c, me->id);
	uint32_t bytes[CC_KEYS];
	uint64_t counted_v = 0;
	struct cls_key keys[CC_KEYS];
	const struct cls_key *kp[CC_KEYS];
	const struct cls_rule *single[3][CC_KEYS], *burst[3][CC_KEYS], *cached[3][CC_KEYS];
	unsigned int j, t;

	for (j = 0; j < CC_KEYS; j++) {
		keys[j] = cc_key(j);
		kp[j] = &keys[j];
		bytes[j] = 64;
	}
	while (!__atomic_load_n(&cc.stop, __ATOMIC_ACQUIRE)) {
		uint64_t v = cls_version(cc.c);

		if (v != counted_v) { /* the rules counted may go at the next grace period */
			cls_emc_flush(emc);
			counted_v = v;
		}
		for (t = 0; t < 3; t++) {
			for (j = 0; j < CC_KEYS; j++)
				single[t][j] = cls_lookup(cc.c, v, t, &keys[j]);
			cls_lookup_burst(cc.c, v, t, kp, CC_KEYS, burst[t]);
			cls_emc_lookup_burst(emc, v, t, kp, bytes, CC_KEYS, cached[t], NULL);
		}
		for (j = 0; j < CC_KEYS; j++) {
			uint64_t gen[3] = {0, 0, 0};

			for (t = 0; t < 3; t++) {
				unsigned int bad = cc_check(cc.c, single[t][j], &keys[j], &gen[t]);

				me->missing += bad & 1;
				me->bad_sum += (bad >> 1) & 1;
				me->not_covering += (bad >> 2) & 1;
				me->disagree +=
					single[t][j] != burst[t][j] || single[t][j] != cached[t][j];
				if (single[t][j] != NULL)
					cls_rule_hit(cc.c, me->id, single[t][j], 1, 64);
			}
			me->stable_hits += (single[2][j] != NULL) + (cached[2][j] != NULL);
			me->torn += gen[0] != gen[1] || gen[1] != gen[2];
			me->lookups += 3;
		}
		/* The token read first: a reader that reports a grace period's sees the
		 * version published before it began. */
		__atomic_store_n(&me->quiescent, __atomic_load_n(&cc.token, __ATOMIC_ACQUIRE),
				 __ATOMIC_RELEASE);
	}
	cls_emc_flush(emc); /* the writer is done: nothing is freed any more */
	cls_emc_destroy(emc);
	return NULL;
}

static void cc_synchronize(void *arg)
{
	uint64_t t = __atomic_add_fetch(&cc.token, 1, __ATOMIC_RELEASE);
	int i, n = __atomic_load_n(&cc.started, __ATOMIC_ACQUIRE);

	(void)arg;
	for (i = 0; i < n; i++)
		while (__atomic_load_n(&cc.r[i].quiescent, __ATOMIC_ACQUIRE) < t &&
		       !__atomic_load_n(&cc.stop, __ATOMIC_ACQUIRE))
			sched_yield();
}

static int64_t elapsed_ns(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (int64_t)(t1.tv_sec - t0->tv_sec) * 1000000000ll + (t1.tv_nsec - t0->tv_nsec);
}

static const struct cls_rule *cc_add(unsigned int table, uint32_t prio, const struct cls_match *m,
				     uint64_t gen)
{
	struct cc_actions a = {gen, cc_sum(m, prio, gen)};
	struct cls_rule_spec spec = {.match = *m,
				     .priority = prio,
				     .table = (uint8_t)table,
				     .actions = &a,
				     .actions_len = sizeof(a)};
	const struct cls_rule *r = NULL;

	if (cls_rule_add(cc.c, &spec, &r) < 0)
		return NULL;
	return r;
}

/* Filler j: a random mask and priority below the pairs', never matching a flow (its l4
 * source port is its own), never the identity of another filler. */
static const struct cls_rule *cc_filler(unsigned int j)
{
	struct cls_match m;

	random_match(&m);
	cls_match_l4_src(&m, (uint16_t)(2000 + j));
	return cc_add(j % 2, (uint32_t)(rng() % 100), &m, 0);
}

static void test_readers_see_only_complete_rule_sets(void)
{
	struct cls_params p = {.workers = CC_READERS, .synchronize = cc_synchronize};
	const struct cls_rule *pair[2][CC_KEYS], *filler[CC_FILLERS], *stable;
	struct cls_match m;
	struct timespec t0;
	uint64_t g = 1, lookups = 0, stable_hits = 0;
	unsigned int j, t, nerr = 0;
	int i;

	memset(&cc, 0, sizeof(cc));
	cc.c = cls_create(&p);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cc.c);
	rng_seed(99);
	for (t = 0; t < 2; t++)
		for (j = 0; j < CC_KEYS; j++) {
			cc_pair_match(j, g, t, &m);
			pair[t][j] = cc_add(t, 100, &m, g);
		}
	memset(&m, 0, sizeof(m));
	cls_match_ethertype(&m, RTE_ETHER_TYPE_IPV4);
	stable = cc_add(2, 1, &m, g);
	for (j = 0; j < CC_FILLERS; j++)
		filler[j] = cc_filler(j);
	nerr += cls_commit(cc.c) != 0;
	for (i = 0; i < CC_READERS; i++) {
		cc.r[i].id = (unsigned int)i;
		CU_ASSERT_EQUAL_FATAL(pthread_create(&cc.r[i].thread, NULL, cc_read, &cc.r[i]), 0);
		__atomic_store_n(&cc.started, i + 1, __ATOMIC_RELEASE);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (elapsed_ns(&t0) < CC_RUN_NS) {
		struct cc_actions a;
		struct cls_rule_spec spec;
		struct cls_match sm;

		g++;
		for (t = 0; t < 2; t++) {
			for (j = 0; j < CC_KEYS; j++) {
				nerr += pair[t][j] == NULL ||
					cls_rule_delete(cc.c, pair[t][j]) != 0;
				cc_pair_match(j, g, t, &m);
				pair[t][j] = cc_add(t, 100 + (uint32_t)(g % 7), &m, g);
			}
		}
		cls_rule_match(stable, &sm);
		a.gen = g;
		a.sum = cc_sum(&sm, 1, g);
		memset(&spec, 0, sizeof(spec));
		spec.priority = 1;
		spec.actions = &a;
		spec.actions_len = sizeof(a);
		nerr += cls_rule_modify(cc.c, stable, &spec, &stable) != 0;
		for (j = 0; j < CC_FILLERS; j++) {
			nerr += filler[j] == NULL || cls_rule_delete(cc.c, filler[j]) != 0;
			filler[j] = cc_filler(j);
		}
		nerr += cls_commit(cc.c) != 0;
		nerr += cls_count(cc.c) != 2 * CC_KEYS + 1 + CC_FILLERS;
	}
	__atomic_store_n(&cc.stop, 1, __ATOMIC_RELEASE);
	for (i = 0; i < CC_READERS; i++) {
		struct cc_reader *rd = &cc.r[i];

		pthread_join(rd->thread, NULL);
		CU_ASSERT_TRUE(rd->quiescent > 0);
		stable_hits += rd->stable_hits;
		CU_ASSERT_EQUAL(rd->missing, 0);
		CU_ASSERT_EQUAL(rd->torn, 0);
		CU_ASSERT_EQUAL(rd->bad_sum, 0);
		CU_ASSERT_EQUAL(rd->not_covering, 0);
		CU_ASSERT_EQUAL(rd->disagree, 0);
		lookups += rd->lookups;
	}
	{
		struct cls_rule_stats st;

		cls_rule_stats(cc.c, stable, &st);
		CU_ASSERT_EQUAL(st.packets, stable_hits);
	}
	CU_ASSERT_EQUAL(nerr, 0);
	CU_ASSERT_TRUE(g > 10);
	fprintf(stderr, "(%llu generations, %llu lookups) ", (unsigned long long)g,
		(unsigned long long)lookups);
	cls_destroy(cc.c);
}

int main(void)
{
	static const struct unit_test tests[] = {
#define T(fn) {#fn, fn}
		T(test_random_operations_agree_with_linear_scan),
		T(test_readers_see_only_complete_rule_sets),
#undef T
	};
	return run_suite("classifier_race", tests, RTE_DIM(tests));
}

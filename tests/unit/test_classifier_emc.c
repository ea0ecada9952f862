/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The classifier's exact-match cache (classifier_emc.h): hits, invalidation by every
 * change, counting hits until a flush, rule hints, sampling while thrashing, and how
 * sequential keys spread over it.
 */
#include <stdbool.h>
#include <string.h>

#include <arpa/inet.h>

#include <CUnit/Basic.h>

#include "classifier_emc.h"
#include "classifier_fixtures.h"
#include "suite.h"

static void test_emc_hits_and_is_invalidated_by_every_change(void)
{
	struct classifier *c = new_cls();
	struct cls_emc *emc = cls_emc_create(c, 0);
	struct cls_match low, high;
	struct cls_key k = base_key(), other = base_key();
	const struct cls_key *keys[1] = {&k};
	const struct cls_rule *out[1], *rl;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	memset(&low, 0, sizeof(low));
	cls_match_in_port(&low, k.in_port);
	rl = add(c, 0, 10, &low, 1);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	CU_ASSERT_EQUAL(emc->misses, 1);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	CU_ASSERT_EQUAL(emc->hits, 1);
	/* An empty table is answered without the cache. */
	cls_emc_lookup_burst(emc, cls_version(c), 1, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_NULL(out[0]);
	CU_ASSERT_EQUAL(emc->misses, 1);
	/* Another table is another entry. */
	add(c, 1, 10, &low, 5);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 1, keys, NULL, 1, out, NULL);
	CU_ASSERT_EQUAL(tag_of(out[0]), 5);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	CU_ASSERT_EQUAL(emc->misses, 3);
	cls_emc_lookup_burst(emc, cls_version(c), 1, keys, NULL, 1, out, NULL);
	CU_ASSERT_EQUAL(tag_of(out[0]), 5);
	CU_ASSERT_EQUAL(emc->hits, 2);

	/* A higher-priority rule: the cached hit must not survive. */
	memset(&high, 0, sizeof(high));
	cls_match_ip_dst(&high, k.ip_dst, 32);
	add(c, 0, 20, &high, 2);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out,
			     NULL); /* staged: still rl */
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_EQUAL(tag_of(out[0]), 2);
	/* Delete it: back to rl. */
	cls_rule_delete(c, out[0]);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], rl);
	/* Delete rl: a miss, cached as one... */
	cls_rule_delete(c, rl);
	cls_commit(c);
	cls_reclaim(c); /* rl's memory is gone: the cache must not hand it out */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_NULL(out[0]);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_NULL(out[0]);
	/* ...until a rule matching it is added. */
	add(c, 0, 1, &low, 3);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_EQUAL(tag_of(out[0]), 3);
	/* A modify is a change too. */
	{
		struct cls_rule_spec spec;
		uint32_t tag = 4;

		memset(&spec, 0, sizeof(spec));
		spec.priority = 1;
		spec.actions = &tag;
		spec.actions_len = sizeof(tag);
		CU_ASSERT_EQUAL(cls_rule_modify(c, out[0], &spec, NULL), 0);
		cls_commit(c);
		cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
		CU_ASSERT_EQUAL(tag_of(out[0]), 4);
	}
	other.in_port = 99;
	keys[0] = &other;
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, NULL);
	CU_ASSERT_PTR_NULL(out[0]);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

static uint64_t packets_of(struct classifier *c, const struct cls_rule *r, uint64_t *bytes)
{
	struct cls_rule_stats st;

	cls_rule_stats(c, r, &st);
	*bytes = st.bytes;
	return st.packets;
}

/* More flows than entries: once most of a window's lookups miss, only one lookup in
 * CLS_EMC_THRASH_FILL, at random, reads the cache and fills an entry on a miss; every
 * answer and every count stays right, and the cache is read and filled on every lookup
 * again once most samples hit. */
static void test_emc_is_sampled_while_thrashing(void)
{
	struct cls_params p = {.workers = 1};
	struct classifier *c = cls_create(&p);
	struct cls_emc *emc = cls_emc_create(c, 0);
	struct cls_match m;
	struct cls_key k[32];
	const struct cls_key *keys[32];
	const struct cls_rule *out[32], *r;
	uint32_t bytes[32], listed;
	uint64_t b, hits, lookups = 0;
	unsigned int round, i, wrong = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, 3);
	r = add(c, 0, 10, &m, 1);
	cls_commit(c);
	for (i = 0; i < 32; i++) {
		keys[i] = &k[i];
		bytes[i] = 64;
	}
	/* Two windows of flows never seen again: every miss fills in the first, a sample of
	 * one lookup in CLS_EMC_THRASH_FILL from its last burst on (the window ends in its
	 * lookup): about 127 in the second. */
	listed = 0;
	for (round = 0; round < 2 * CLS_EMC_WINDOW / 32; round++) {
		if (round == CLS_EMC_WINDOW / 32 - 1) {
			CU_ASSERT_FALSE(emc->thrashing);
			listed = emc->nlisted;
		}
		for (i = 0; i < 32; i++) {
			k[i] = base_key();
			k[i].ip_src = (round * 32 + i) * 2654435761u; /* spread over the bits */
		}
		cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 32, out, NULL);
		for (i = 0; i < 32; i++)
			wrong += out[i] != r;
		lookups += 32;
	}
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_TRUE(emc->thrashing);
	CU_ASSERT_TRUE(listed > CLS_EMC_WINDOW / 2);
	CU_ASSERT_TRUE(emc->nlisted - listed > CLS_EMC_WINDOW / CLS_EMC_THRASH_FILL / 2);
	CU_ASSERT_TRUE(emc->nlisted - listed < CLS_EMC_WINDOW / CLS_EMC_THRASH_FILL * 2);
	CU_ASSERT_TRUE(emc->hits == 0); /* no flow came back */
	cls_emc_flush(emc);
	CU_ASSERT_EQUAL(packets_of(c, r, &b), lookups); /* filled or not, each counted */
	CU_ASSERT_EQUAL(b, lookups * 64);

	/* The same 32 flows over and over: the samples put them in, a window of samples
	 * mostly hits, and every miss reads and fills the cache again. */
	for (i = 0; i < 32; i++) {
		k[i] = base_key();
		k[i].ip_src = 0x0a0a0000 + i;
	}
	for (round = 0; round < 3 * CLS_EMC_WINDOW / 32; round++)
		cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 32, out, NULL);
	for (i = 0; i < 32; i++)
		k[i].ip_src = 0x0b0b0000 + i;
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 32, out, NULL);
	CU_ASSERT_FALSE(emc->thrashing);
	hits = emc->hits;
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 32, out, NULL);
	CU_ASSERT_EQUAL(emc->hits - hits, 32);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

/* Flows that differ in one field only, taking its values in turn (the addresses of a
 * subnet, a load test's ports) spread over the cache at least as well as random keys:
 * about half as many as entries are still in it after one pass (random keys lose about
 * 10%, where three or more share a pair of ways; CRC32C, linear, puts such keys on
 * distinct entries). */
static void test_emc_spreads_sequential_keys(void)
{
	struct cls_params p = {.workers = 1};
	struct classifier *c = cls_create(&p);
	const unsigned int nkeys = CLS_EMC_ENTRIES / 2 - 32;
	struct cls_key k[32];
	const struct cls_key *keys[32];
	const struct cls_rule *out[32], *r;
	struct cls_match m;
	unsigned int field, pass, base, i, wrong = 0;

	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, base_key().in_port);
	r = add(c, 0, 10, &m, 1);
	cls_commit(c);
	for (i = 0; i < 32; i++)
		keys[i] = &k[i];
	for (field = 0; field < 3; field++) { /* ip_src, ip_dst, l4_dst */
		struct cls_emc *emc = cls_emc_create(c, 0);
		uint64_t hits = 0;

		CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
		for (pass = 0; pass < 2; pass++) {
			hits = emc->hits;
			for (base = 0; base < nkeys; base += 32) {
				for (i = 0; i < 32; i++) {
					k[i] = base_key();
					if (field == 0)
						k[i].ip_src = htonl(0x0a000000 + base + i);
					else if (field == 1)
						k[i].ip_dst = htonl(0xc6120000 + base + i);
					else
						k[i].l4_dst = (uint16_t)(base + i);
				}
				cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 32, out,
						     NULL);
				for (i = 0; i < 32; i++)
					wrong += out[i] != r;
			}
		}
		/* The second pass hits where the first one's entries stayed. */
		CU_ASSERT_TRUE(emc->hits - hits >= nkeys * 8 / 10);
		cls_emc_destroy(emc);
	}
	CU_ASSERT_EQUAL(wrong, 0);
	cls_destroy(c);
}

/* A rule's hint comes with every hit and miss of the cache; no rule: 0; 64 and more are
 * refused. */
static void test_emc_hands_out_hints(void)
{
	struct classifier *c = new_cls();
	struct cls_emc *emc = cls_emc_create(c, 0);
	struct cls_key k = base_key(), k2 = base_key();
	const struct cls_key *keys[2] = {&k, &k2};
	const struct cls_rule *out[2], *r;
	uint32_t tag = 1;
	struct cls_rule_spec spec = {.priority = 10, .actions = &tag, .actions_len = sizeof(tag)};
	uint8_t hints[2] = {99, 99};
	int pass;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	cls_match_in_port(&spec.match, k.in_port);
	spec.hint = CLS_HINTS;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, &r), -EINVAL);
	spec.hint = CLS_HINTS - 1;
	CU_ASSERT_EQUAL(cls_rule_add(c, &spec, &r), 0);
	CU_ASSERT_EQUAL(cls_rule_hint(r), CLS_HINTS - 1);
	cls_commit(c);
	k2.in_port = 99;
	for (pass = 0; pass < 2; pass++) { /* a miss of the cache, then a hit */
		cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 2, out, hints);
		CU_ASSERT_PTR_EQUAL(out[0], r);
		CU_ASSERT_EQUAL(hints[0], CLS_HINTS - 1);
		CU_ASSERT_PTR_NULL(out[1]);
		CU_ASSERT_EQUAL(hints[1], 0);
	}
	CU_ASSERT_EQUAL(emc->hits, 2);
	/* A modify may change it. */
	spec.hint = 5;
	CU_ASSERT_EQUAL(cls_rule_modify(c, r, &spec, &r), 0);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, NULL, 1, out, hints);
	CU_ASSERT_PTR_EQUAL(out[0], r);
	CU_ASSERT_EQUAL(hints[0], 5);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

/* Hits the cache counts reach the rules at a flush (or when their entry is refilled);
 * misses of the table count nothing; a rule removed by the last commit can still take
 * them, with readers to wait for (ASan would see a freed one). */
static void test_emc_counts_hits_until_flushed(void)
{
	struct cls_params p = {.workers = 2, .synchronize = count_grace_period};
	struct classifier *c = cls_create(&p);
	struct cls_emc *emc = cls_emc_create(c, 1);
	struct cls_match m, other;
	struct cls_key k = base_key(), k2 = base_key();
	const struct cls_key *keys[2] = {&k, &k2};
	const struct cls_rule *out[2], *r, *r2;
	uint32_t bytes[2] = {100, 60};
	uint64_t b;

	CU_ASSERT_PTR_NOT_NULL_FATAL(emc);
	memset(&m, 0, sizeof(m));
	cls_match_in_port(&m, k.in_port);
	r = add(c, 0, 10, &m, 1);
	cls_commit(c);
	k2.in_port = 99; /* no rule: a miss of the table */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 2, out, NULL); /* cache misses */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 2, out, NULL); /* cache hits */
	CU_ASSERT_PTR_EQUAL(out[0], r);
	CU_ASSERT_PTR_NULL(out[1]);
	CU_ASSERT_EQUAL(emc->hits, 2);
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 0); /* not yet */
	CU_ASSERT_TRUE(cls_emc_pending(emc));
	cls_emc_flush(emc);
	CU_ASSERT_FALSE(cls_emc_pending(emc));
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 2);
	CU_ASSERT_EQUAL(b, 200);
	cls_emc_flush(emc); /* nothing twice */
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 2);

	/* Counted at one version, refilled at the next: the entry's counts go to r then. */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	memset(&other, 0, sizeof(other));
	cls_match_in_port(&other, 7);
	add(c, 0, 10, &other, 2);
	cls_commit(c);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	CU_ASSERT_EQUAL(emc->misses, 3);
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 3);
	cls_emc_flush(emc);
	CU_ASSERT_EQUAL(packets_of(c, r, &b), 4);
	CU_ASSERT_EQUAL(b, 400);

	/* A modify keeps the counters: hits of the old rule flushed after it count. */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	{
		struct cls_rule_spec spec = {.match = m, .priority = 10};
		uint32_t tag = 3;

		spec.actions = &tag;
		spec.actions_len = sizeof(tag);
		CU_ASSERT_EQUAL(cls_rule_modify(c, r, &spec, &r2), 0);
	}
	cls_commit(c);
	cls_emc_flush(emc);
	CU_ASSERT_EQUAL(packets_of(c, r2, &b), 5);

	/* That flush let the entry of the older version go from the list; filled again, it
	 * is listed again, and its hits count. */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	CU_ASSERT_EQUAL(emc->nlisted, 1);
	cls_emc_flush(emc);
	CU_ASSERT_EQUAL(packets_of(c, r2, &b), 7);
	CU_ASSERT_EQUAL(emc->nlisted, 1); /* still the version's */

	/* Deleted by the last commit: still there for the flush. */
	cls_emc_lookup_burst(emc, cls_version(c), 0, keys, bytes, 1, out, NULL);
	CU_ASSERT_PTR_EQUAL(out[0], r2);
	cls_rule_delete(c, r2);
	cls_commit(c);
	cls_emc_flush(emc);
	cls_reclaim(c);
	cls_emc_destroy(emc);
	cls_destroy(c);
}

int main(void)
{
	static const struct unit_test tests[] = {
#define T(fn) {#fn, fn}
		T(test_emc_hits_and_is_invalidated_by_every_change),
		T(test_emc_counts_hits_until_flushed),
		T(test_emc_hands_out_hints),
		T(test_emc_is_sampled_while_thrashing),
		T(test_emc_spreads_sequential_keys),
#undef T
	};
	return run_suite("classifier_emc", tests, RTE_DIM(tests));
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-clsbench: the flow classifier's speed, in one thread.  Prints figures; asserts
 * nothing.
 *
 *   lookups per second and TSC cycles per lookup, with 10 / 1,000 / 100,000 rules (over
 *   eight masks, random priorities, one table) and 1 / 1,000 / 100,000 distinct flows
 *   (each built to match a random rule; looked up in a shuffled order): one key at a
 *   time, bursts of 32, and bursts of 32 through the exact-match cache;
 *   rules installed per second (batches of 400, one commit each, as the control socket
 *   sends them) and deleted per second, and memory per rule, at 1,000,000 rules.
 *
 * Times are the thread's CPU time (page faults' kernel time included), so that other
 * processes on a shared machine do not count; cycles are that time in TSC cycles.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <x86intrin.h>

#include <arpa/inet.h>

#include "classifier_emc.h"

#define BURST  32
#define NMASKS 8

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static double tsc_hz;

/* This thread's CPU time, in seconds. */
static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void measure_tsc(void)
{
	double t0 = wall_s();
	uint64_t c0 = __rdtsc();

	while (wall_s() - t0 < 0.2)
		;
	tsc_hz = (double)(__rdtsc() - c0) / (wall_s() - t0);
}

static struct rte_ether_addr random_mac(void)
{
	struct rte_ether_addr m;
	uint64_t r = rng();

	memcpy(m.addr_bytes, &r, 6);
	m.addr_bytes[0] &= 0xfe;
	return m;
}

static void random_key(struct cls_key *k)
{
	memset(k, 0, sizeof(*k));
	k->in_port = (uint16_t)(rng() % 16);
	k->network = (uint16_t)(rng() % 4);
	k->eth_dst = random_mac();
	k->eth_src = random_mac();
	k->vlan = rng() % 2 ? (uint16_t)(CLS_VLAN_PRESENT | (rng() % 4096)) : 0;
	k->ethertype = 0x0800;
	k->ip_src = (uint32_t)rng();
	k->ip_dst = (uint32_t)rng();
	k->ip_proto = rng() % 2 ? 6 : 17;
	k->l4_src = (uint16_t)rng();
	k->l4_dst = (uint16_t)rng();
}

/* Mask number i % NMASKS, with the values of key k. */
static void make_match(struct cls_match *m, unsigned int i, const struct cls_key *k)
{
	static const struct rte_ether_addr all = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}};

	memset(m, 0, sizeof(*m));
	switch (i % NMASKS) {
	case 0: /* L2 forwarding */
		cls_match_in_port(m, k->in_port);
		cls_match_eth_dst(m, &k->eth_dst, &all);
		break;
	case 1: /* a service */
		cls_match_ip_dst(m, k->ip_dst, 32);
		cls_match_ip_proto(m, k->ip_proto);
		cls_match_l4_dst(m, k->l4_dst);
		break;
	case 2:
		cls_match_ip_src(m, k->ip_src, 24);
		break;
	case 3:
		cls_match_ip_dst(m, k->ip_dst, 16);
		break;
	case 4:
		cls_match_eth_src(m, &k->eth_src, &all);
		break;
	case 5:
		cls_match_ethertype(m, k->ethertype);
		cls_match_ip_proto(m, k->ip_proto);
		cls_match_l4_src(m, k->l4_src);
		break;
	case 6:
		cls_match_in_port(m, k->in_port);
		cls_match_vlan(m, k->vlan & 0xfff);
		break;
	case 7: /* a 5-tuple */
		cls_match_ip_src(m, k->ip_src, 32);
		cls_match_ip_dst(m, k->ip_dst, 32);
		cls_match_ip_proto(m, k->ip_proto);
		cls_match_l4_src(m, k->l4_src);
		cls_match_l4_dst(m, k->l4_dst);
		break;
	}
}

static struct classifier *load(unsigned int nrules, struct cls_match *matches)
{
	struct cls_params p = {.workers = 1};
	struct classifier *c = cls_create(&p);
	unsigned int i;

	if (c == NULL) {
		fprintf(stderr, "syd-clsbench: out of memory\n");
		exit(1);
	}
	for (i = 0; i < nrules; i++) {
		struct cls_rule_spec spec;
		struct cls_key k;
		uint32_t action = i;

		random_key(&k);
		memset(&spec, 0, sizeof(spec));
		make_match(&spec.match, i, &k);
		matches[i] = spec.match;
		spec.priority = (uint32_t)(1 + rng() % 1000);
		spec.actions = &action;
		spec.actions_len = sizeof(action);
		if (cls_rule_add(c, &spec, NULL) < 0) {
			fprintf(stderr, "syd-clsbench: cannot add rule %u\n", i);
			exit(1);
		}
	}
	cls_commit(c);
	return c;
}

/* Flows: each covers a random rule; the fields the rule ignores stay random. */
static void make_flows(struct cls_key *flows, unsigned int nflows, const struct cls_match *m,
		       unsigned int nrules)
{
	unsigned int f;
	int w;

	for (f = 0; f < nflows; f++) {
		const struct cls_match *r = &m[nrules ? rng() % nrules : 0];

		random_key(&flows[f]);
		for (w = 0; nrules > 0 && w < CLS_KEY_WORDS; w++)
			flows[f].w[w] =
				(flows[f].w[w] & ~r->mask.w[w]) | (r->key.w[w] & r->mask.w[w]);
	}
}

enum mode { SINGLE, BURSTS, EMC };

#define EMC_FLUSH_EVERY 131072 /* lookups: 10 ms of a worker's packets */

/* Lookups per second and cycles per lookup of one mode, over seq (a sequence of flows). */
static void run(struct classifier *c, enum mode mode, const struct cls_key *const *seq,
		unsigned int nseq, unsigned int total, double *rate, double *cycles,
		double *hit_rate)
{
	const struct cls_rule *out[BURST];
	struct cls_emc *emc = cls_emc_create(c, 0);
	uint32_t bytes[BURST];
	uint64_t v = cls_version(c), sink = 0;
	unsigned int i, pos = 0, done = 0;
	double t0, t;

	for (i = 0; i < BURST; i++)
		bytes[i] = 64;
	/* Warm up: one pass (fills the cache, faults pages in). */
	for (i = 0; i + BURST <= nseq && i < 200000; i += BURST)
		cls_emc_lookup_burst(emc, v, 0, seq + i, bytes, BURST, out, NULL);
	cls_emc_flush(emc);
	emc->hits = emc->misses = 0;
	t0 = now_s();
	while (done < total) {
		if (pos + BURST > nseq)
			pos = 0;
		switch (mode) {
		case SINGLE:
			for (i = 0; i < BURST; i++)
				sink += (uintptr_t)cls_lookup(c, v, 0, seq[pos + i]);
			break;
		case BURSTS:
			cls_lookup_burst(c, v, 0, seq + pos, BURST, out);
			sink += (uintptr_t)out[0];
			break;
		case EMC: /* counting hits as a worker does, flushed as often */
			cls_emc_lookup_burst(emc, v, 0, seq + pos, bytes, BURST, out, NULL);
			sink += (uintptr_t)out[0];
			if (done % EMC_FLUSH_EVERY == 0)
				cls_emc_flush(emc);
			break;
		}
		pos += BURST;
		done += BURST;
	}
	t = now_s() - t0;
	*cycles = t * tsc_hz / done;
	*rate = done / t;
	/* An empty table is answered before the cache: no hits, no misses. */
	*hit_rate = emc->hits + emc->misses > 0
			    ? (double)emc->hits / (double)(emc->hits + emc->misses)
			    : -1;
	if (sink == 1)
		printf(" ");
	cls_emc_destroy(emc);
}

static void bench_lookups(void)
{
	static const unsigned int nrules[] = {0, 10, 1000, 100000};
	static const unsigned int nflows[] = {1, 1000, 100000};
	static const char *const mode_name[] = {"single", "burst", "emc"};
	const unsigned int nseq = 1u << 20;
	struct cls_match *matches = malloc(100000 * sizeof(*matches));
	struct cls_key *flows = malloc(100000 * sizeof(*flows));
	const struct cls_key **seq = malloc(nseq * sizeof(*seq));
	unsigned int r, f, i;
	int m;

	if (matches == NULL || flows == NULL || seq == NULL) {
		fprintf(stderr, "syd-clsbench: out of memory\n");
		exit(1);
	}
	printf("Lookups, one thread, table 0 (%d masks, priorities 1-1000; each flow matches a "
	       "rule; 0 rules: an empty table, the cost of a miss with no rules):\n\n",
	       NMASKS);
	printf("  %7s %7s   %-27s %-27s %-38s\n", "rules", "flows", "single: Mlookups/s cyc",
	       "burst of 32: Mlookups/s cyc", "EMC + burst: Mlookups/s cyc (hit rate)");
	for (r = 0; r < RTE_DIM(nrules); r++) {
		struct classifier *c = load(nrules[r], matches);

		for (f = 0; f < RTE_DIM(nflows); f++) {
			make_flows(flows, nflows[f], matches, nrules[r]);
			/* Every flow once per pass, in a shuffled order. */
			for (i = 0; i < nseq; i++)
				seq[i] = &flows[i % nflows[f]];
			for (i = nseq - 1; i > 0; i--) {
				unsigned int j = (unsigned int)(rng() % (i + 1));
				const struct cls_key *t = seq[i];

				seq[i] = seq[j];
				seq[j] = t;
			}
			printf("  %7u %7u", nrules[r], nflows[f]);
			for (m = SINGLE; m <= EMC; m++) {
				double rate, cyc, hit;

				run(c, (enum mode)m, seq, nseq, 4u << 20, &rate, &cyc, &hit);
				if (m == EMC && hit < 0)
					printf("   %-6s %8.2f %6.0f (    -)", mode_name[m],
					       rate / 1e6, cyc);
				else if (m == EMC)
					printf("   %-6s %8.2f %6.0f (%5.1f%%)", mode_name[m],
					       rate / 1e6, cyc, 100 * hit);
				else
					printf("   %-6s %8.2f %6.0f    ", mode_name[m], rate / 1e6,
					       cyc);
			}
			printf("\n");
			fflush(stdout);
		}
		cls_destroy(c);
	}
	free(matches);
	free(flows);
	free(seq);
}

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return 0;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = 0;
	fclose(f);
	return rss * 4;
}

static void bench_install(void)
{
	enum { N = 1000000, BATCH = 400 };
	struct cls_params p = {.workers = 1};
	struct classifier *c = cls_create(&p);
	const struct cls_rule **h = malloc(N * sizeof(*h));
	struct cls_rule_spec *specs = malloc(N * sizeof(*specs));
	size_t mem0;
	long rss0;
	double t0, t_add, t_del;
	unsigned int i;
	uint32_t action = 7; /* 4 bytes of actions (a rule with output:PORT) */

	if (c == NULL || h == NULL || specs == NULL) {
		fprintf(stderr, "syd-clsbench: out of memory\n");
		exit(1);
	}
	/* Specs made beforehand: only the classifier's work is timed. */
	for (i = 0; i < N; i++) {
		struct cls_key k;

		random_key(&k);
		k.ip_dst = htonl(0x0a000000 + i); /* distinct */
		memset(&specs[i], 0, sizeof(specs[i]));
		make_match(&specs[i].match, i % 2 ? 1 : 7, &k);
		specs[i].priority = 100 + i % 3;
		specs[i].table = (uint8_t)(i % 4);
		specs[i].actions = &action;
		specs[i].actions_len = sizeof(action);
	}
	mem0 = cls_memory(c);
	rss0 = rss_kb();
	t0 = now_s();
	for (i = 0; i < N; i++) {
		if (cls_rule_add(c, &specs[i], &h[i]) < 0) {
			fprintf(stderr, "syd-clsbench: cannot add rule %u\n", i);
			exit(1);
		}
		if (i % BATCH == BATCH - 1)
			cls_commit(c);
	}
	cls_commit(c);
	t_add = now_s() - t0;
	printf("\nInstall, 1,000,000 rules (2 masks, 4 tables, 4 bytes of actions), batches "
	       "of %d with a commit each:\n\n",
	       BATCH);
	printf("  add      %8.2f M rules/s  (%.0f ns per rule, fresh memory)\n", N / t_add / 1e6,
	       t_add / N * 1e9);
	printf("  memory   %8zu bytes per rule counted by the classifier (1 worker; +16 per "
	       "extra worker)\n",
	       (cls_memory(c) - mem0) / N);
	printf("           %8ld bytes per rule of resident memory (malloc's overhead "
	       "included)\n",
	       (rss_kb() - rss0) * 1024 / N);
	t0 = now_s();
	for (i = 0; i < N; i++) {
		cls_rule_delete(c, h[i]);
		if (i % BATCH == BATCH - 1)
			cls_commit(c);
	}
	cls_commit(c);
	cls_reclaim(c);
	t_del = now_s() - t0;
	printf("  delete   %8.2f M rules/s  (%.0f ns per rule)\n", N / t_del / 1e6,
	       t_del / N * 1e9);
	/* Again, into the memory the first million left: no page faults this time. */
	t0 = now_s();
	for (i = 0; i < N; i++) {
		if (cls_rule_add(c, &specs[i], &h[i]) < 0) {
			fprintf(stderr, "syd-clsbench: cannot add rule %u\n", i);
			exit(1);
		}
		if (i % BATCH == BATCH - 1)
			cls_commit(c);
	}
	cls_commit(c);
	t_add = now_s() - t0;
	printf("  add again%8.2f M rules/s  (%.0f ns per rule: memory reused, no page faults)\n",
	       N / t_add / 1e6, t_add / N * 1e9);
	cls_destroy(c);
	free(h);
	free(specs);
}

int main(int argc, char **argv)
{
	bool lookups = true, install = true;

	if (argc > 1 && strcmp(argv[1], "lookup") == 0)
		install = false;
	else if (argc > 1 && strcmp(argv[1], "install") == 0)
		lookups = false;
	else if (argc > 1) {
		fprintf(stderr, "Usage: syd-clsbench [lookup|install]\n");
		return 2;
	}
	measure_tsc();
	printf("syd-clsbench: TSC %.2f GHz; rates per second of this thread's CPU time\n\n",
	       tsc_hz / 1e9);
	if (lookups)
		bench_lookups();
	if (install)
		bench_install();
	return 0;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A latency histogram in TSC cycles: log-linear buckets (16 per power of two, so a
 * bucket is at most 1/16 = 6.25% wide), exact minimum, maximum and sum.  Recording is a
 * few instructions and touches one counter, so it fits a generator's receive loop.
 * Owned by one thread; merge copies to combine them.
 */
#ifndef SYD_BENCH_LATENCY_H
#define SYD_BENCH_LATENCY_H

#include <stdint.h>
#include <stdio.h>

#define LATENCY_SUB_BITS 4
#define LATENCY_SUB	 (1u << LATENCY_SUB_BITS)
#define LATENCY_BUCKETS	 (64u * LATENCY_SUB)

struct latency {
	uint64_t count;
	uint64_t sum;
	uint64_t min; /* UINT64_MAX when count is 0 */
	uint64_t max;
	uint64_t bucket[LATENCY_BUCKETS];
};

/* The bucket of value v: v itself below LATENCY_SUB, then 16 buckets per octave. */
static inline unsigned int latency_bucket(uint64_t v)
{
	unsigned int msb, e;

	if (v < LATENCY_SUB)
		return (unsigned int)v;
	msb = 63u - (unsigned int)__builtin_clzll(v);
	e = msb - LATENCY_SUB_BITS + 1;
	return e * LATENCY_SUB + (unsigned int)((v >> (e - 1)) & (LATENCY_SUB - 1));
}

/* Count one sample of v cycles. */
static inline void latency_record(struct latency *l, uint64_t v)
{
	l->count++;
	l->sum += v;
	if (v < l->min)
		l->min = v;
	if (v > l->max)
		l->max = v;
	l->bucket[latency_bucket(v)]++;
}

/* Empty l. */
void latency_reset(struct latency *l);

/* Add from's samples to into. */
void latency_merge(struct latency *into, const struct latency *from);

/*
 * The q-quantile (0 < q <= 1) in cycles: the upper edge of the bucket holding it, capped
 * by the maximum (so at most 6.25% above the true value).  0 when l is empty.
 */
uint64_t latency_quantile(const struct latency *l, double q);

/*
 * Write l as a JSON object in nanoseconds, converting with hz (TSC cycles per second):
 * {"samples":N,"min_ns":..,"mean_ns":..,"p50_ns":..,"p99_ns":..,"max_ns":..}
 */
void latency_write_json(FILE *f, const struct latency *l, uint64_t hz);

#endif /* SYD_BENCH_LATENCY_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "latency.h"

void latency_reset(struct latency *l)
{
	memset(l, 0, sizeof(*l));
	l->min = UINT64_MAX;
}

void latency_merge(struct latency *into, const struct latency *from)
{
	unsigned int i;

	into->count += from->count;
	into->sum += from->sum;
	if (from->min < into->min)
		into->min = from->min;
	if (from->max > into->max)
		into->max = from->max;
	for (i = 0; i < LATENCY_BUCKETS; i++)
		into->bucket[i] += from->bucket[i];
}

/* The largest value bucket i holds. */
static uint64_t latency_bucket_top(unsigned int i)
{
	unsigned int e = i / LATENCY_SUB, m = i % LATENCY_SUB;

	if (e == 0)
		return m;
	return (((uint64_t)(LATENCY_SUB + m)) << (e - 1)) + ((1ULL << (e - 1)) - 1);
}

uint64_t latency_quantile(const struct latency *l, double q)
{
	uint64_t want, seen = 0;
	unsigned int i;

	if (l->count == 0)
		return 0;
	want = (uint64_t)(q * (double)l->count + 0.999999);
	if (want == 0)
		want = 1;
	for (i = 0; i < LATENCY_BUCKETS; i++) {
		seen += l->bucket[i];
		if (seen >= want) {
			uint64_t top = latency_bucket_top(i);

			return top < l->max ? top : l->max;
		}
	}
	return l->max;
}

void latency_write_json(FILE *f, const struct latency *l, uint64_t hz)
{
	const double ns = 1e9 / (double)hz;

	if (l->count == 0) {
		fprintf(f, "{\"samples\":0}");
		return;
	}
	fprintf(f,
		"{\"samples\":%" PRIu64 ",\"min_ns\":%.0f,\"mean_ns\":%.0f,\"p50_ns\":%.0f,"
		"\"p99_ns\":%.0f,\"max_ns\":%.0f}",
		l->count, (double)l->min * ns, (double)l->sum / (double)l->count * ns,
		(double)latency_quantile(l, 0.5) * ns, (double)latency_quantile(l, 0.99) * ns,
		(double)l->max * ns);
}

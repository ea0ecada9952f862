/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search: every trial is kept (rate, loss), so the PDR search starts from what the NDR
 * search learnt: lo is the highest rate seen to pass, hi the lowest seen to fail.
 * Loss need not be monotonic in the rate on a shared machine; the search reports the
 * rate it converged on and the trials that led there.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rte_malloc.h>

#include "search.h"

#define SEARCH_TRIALS_MAX 64

struct search {
	const struct stream_config *cfg;
	struct stream *st;
	FILE *progress;
	unsigned int nports;
	uint64_t top_pps; /* per port: what the ports accepted at full speed */
	unsigned int ntrials;
	struct stream_result trial[SEARCH_TRIALS_MAX];
};

/* Run one trial at rate (per port) and print its line. @return its index, or -errno. */
static int search_trial(struct search *s, uint64_t rate, const char *what)
{
	struct stream_result *r;
	int ret;

	if (s->ntrials == SEARCH_TRIALS_MAX)
		return -ENOSPC;
	r = &s->trial[s->ntrials];
	ret = stream_trial(s->st, rate, s->cfg->warmup_s, s->cfg->duration_s, r);
	if (ret < 0)
		return ret;
	fprintf(s->progress,
		"  trial %2u  %-4s offered %8.3f Mpps  rx %8.3f Mpps  loss %9.5f %%%s%s\n",
		s->ntrials + 1, what, r->offered_pps / 1e6, r->rx_pps / 1e6, r->loss * 100,
		r->gen_limited ? "  (generator short of the rate)" : "",
		r->interrupted ? "  (interrupted)" : "");
	fflush(s->progress);
	return (int)s->ntrials++;
}

/*
 * Bisect for the highest per-port rate whose loss is at most max_loss.
 * @return the index of the best passing trial, -1 when none passed, or -errno.
 */
static int search_bisect(struct search *s, double max_loss, const char *what)
{
	uint64_t lo = 0, hi = 0, step = (uint64_t)(s->cfg->precision * (double)s->top_pps);
	int best = -1, ret;
	unsigned int i;

	if (step == 0)
		step = 1;
	/*
	 * What earlier trials already say (the first one ran as fast as possible): lo is
	 * the highest rate that passed, hi the lowest that failed above it.
	 */
	for (i = 1; i < s->ntrials; i++) {
		const struct stream_result *r = &s->trial[i];

		if (r->loss <= max_loss && r->rate_pps >= lo) {
			lo = r->rate_pps;
			best = (int)i;
		}
	}
	for (i = 1; i < s->ntrials; i++) {
		const struct stream_result *r = &s->trial[i];

		if (r->loss > max_loss && r->rate_pps > lo && (hi == 0 || r->rate_pps < hi))
			hi = r->rate_pps;
	}
	if (hi == 0 && (best < 0 || s->trial[best].rate_pps < s->top_pps)) {
		ret = search_trial(s, s->top_pps, what);
		if (ret < 0)
			return ret;
		if (s->trial[ret].loss <= max_loss)
			return ret;
		hi = s->top_pps;
	} else if (hi == 0) {
		return best; /* the top rate passed */
	}
	while (hi - lo > step && !s->trial[s->ntrials - 1].interrupted) {
		uint64_t mid = lo + (hi - lo) / 2;

		ret = search_trial(s, mid, what);
		if (ret < 0)
			return ret;
		if (s->trial[ret].loss <= max_loss) {
			lo = mid;
			best = ret;
		} else {
			hi = mid;
		}
	}
	return best;
}

static void search_print_row(const struct search *s, const char *name, int i)
{
	const struct stream_result *r;
	const double ns = 1e9 / (double)stream_hz(s->st);

	if (i < 0) {
		printf("  %-5s  no rate passed (not even %.3f Mpps)\n", name,
		       (double)s->cfg->precision * (double)s->top_pps * s->nports / 1e6);
		return;
	}
	r = &s->trial[i];
	printf("  %-5s %9.3f %9.3f %8.3f %10.5f", name, r->offered_pps / 1e6, r->rx_pps / 1e6,
	       r->rx_gbps, r->loss * 100);
	if (r->lat.count != 0)
		printf("  %8.1f %8.1f %8.1f %8.1f", (double)r->lat.min * ns / 1e3,
		       (double)r->lat.sum / (double)r->lat.count * ns / 1e3,
		       (double)latency_quantile(&r->lat, 0.99) * ns / 1e3,
		       (double)r->lat.max * ns / 1e3);
	printf("\n");
}

static void search_write_json(const struct search *s, int ndr, int pdr)
{
	unsigned int i;

	printf("{\"mode\":\"search\",");
	stream_write_config_json(stdout, s->cfg);
	printf(",\"duration_s\":%u,\"pdr_loss\":%g,\"precision\":%g,\"max\":", s->cfg->duration_s,
	       s->cfg->pdr_loss, s->cfg->precision);
	stream_write_result_json(stdout, s->st, &s->trial[0]);
	printf(",\"ndr\":");
	if (ndr >= 0)
		stream_write_result_json(stdout, s->st, &s->trial[ndr]);
	else
		printf("null");
	printf(",\"pdr\":");
	if (pdr >= 0)
		stream_write_result_json(stdout, s->st, &s->trial[pdr]);
	else
		printf("null");
	printf(",\"trials\":[");
	for (i = 0; i < s->ntrials; i++)
		printf("%s{\"offered_pps\":%.0f,\"rx_pps\":%.0f,\"loss_ratio\":%.6f}",
		       i != 0 ? "," : "", s->trial[i].offered_pps, s->trial[i].rx_pps,
		       s->trial[i].loss);
	printf("]}\n");
	fflush(stdout);
}

int search_run(const struct stream_config *cfg, const struct port *ports, unsigned int nports,
	       struct rte_mempool *mp, const volatile sig_atomic_t *stop)
{
	struct search *s;
	int ret, ndr, pdr;

	s = rte_zmalloc("syd_bench_search", sizeof(*s), 0);
	if (s == NULL)
		return -ENOMEM;
	s->cfg = cfg;
	s->nports = nports;
	s->progress = cfg->json ? stderr : stdout;
	ret = stream_open(cfg, ports, nports, mp, stop, &s->st);
	if (ret < 0)
		goto out;
	if (cfg->frame_size == STREAM_SIZE_IMIX)
		fprintf(s->progress, "search: IMIX frames, %u flows, %u s trials\n", cfg->flows,
			cfg->duration_s);
	else
		fprintf(s->progress, "search: %u-byte frames, %u flows, %u s trials\n",
			cfg->frame_size + 4, cfg->flows, cfg->duration_s);
	ret = search_trial(s, 0, "max");
	if (ret < 0)
		goto close;
	s->top_pps = (uint64_t)(s->trial[0].tx_pps / nports);
	ndr = search_bisect(s, 0.0, "ndr");
	pdr = ndr < -1 ? ndr : search_bisect(s, cfg->pdr_loss, "pdr");
	if (ndr < -1 || pdr < -1) {
		ret = ndr < -1 ? ndr : pdr;
		goto close;
	}
	ret = 0;
	if (cfg->json) {
		search_write_json(s, ndr, pdr);
		goto close;
	}
	printf("\n  %-5s %9s %9s %8s %10s  %8s %8s %8s %8s\n", "", "offer Mpps", "rx Mpps",
	       "Gbit/s", "loss %", "lat min", "mean", "p99", "max us");
	search_print_row(s, "max", 0);
	search_print_row(s, "NDR", ndr);
	search_print_row(s, "PDR", pdr);
	fflush(stdout);
close:
	stream_close(s->st);
out:
	rte_free(s);
	return ret;
}

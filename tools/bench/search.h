/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * search: RFC 2544-style throughput.  One trial as fast as the generator goes gives the
 * top rate (what the ports accepted); then a binary search over the offered rate finds
 * the highest rate with no loss (NDR) and the highest with at most cfg->pdr_loss (PDR,
 * 0.5% unless set).  A trial's loss counts frames the switch's rx ring refused as lost,
 * as a NIC's missed frames would be.  The search stops when the interval is narrower
 * than cfg->precision of the top rate.  Each trial is one line of progress (stderr with
 * -o json, else stdout); the result is a table, or one JSON object on stdout.
 */
#ifndef SYD_BENCH_SEARCH_H
#define SYD_BENCH_SEARCH_H

#include <signal.h>

#include <rte_mempool.h>

#include "port.h"
#include "stream.h"

/*
 * Run the search on the ports with the frames cfg describes, each trial cfg->warmup_s
 * then cfg->duration_s long.
 * @return 0; -EINTR (*stop set before the first trial was measured); -ENOMEM; -EINVAL.
 */
int search_run(const struct stream_config *cfg, const struct port *ports, unsigned int nports,
	       struct rte_mempool *mp, const volatile sig_atomic_t *stop);

#endif /* SYD_BENCH_SEARCH_H */

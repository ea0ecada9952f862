/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>

#include "ctl.h"
#include "dataplane.h"
#include "flows.h"
#include "log.h"
#include "trace.h"

#define DP_MBUFS       16383
#define DP_MBUF_CACHE  256
#define DP_LEARN_RING  4096
#define DP_LEARN_BATCH 256

RTE_LOG_REGISTER(syd_logtype_dp, syd.dataplane, INFO);

static void port_counters_sum(const struct dataplane *dp, unsigned int port,
			      struct port_counters *out);

int dataplane_publish(struct dataplane *dp)
{
	struct topology *t, *old = dp->topo;

	t = topology_build(dp->port, dp->nports, dp->nworkers, dp->macs,
			   dp->trace_published ? dp->trace : NULL, ++dp->generation);
	if (t == NULL)
		return -ENOMEM;
	tunnel_fill(dp, t);
	t->flows = flows_live(dp);
	__atomic_store_n(&dp->topo, t, __ATOMIC_RELEASE);
	if (old != NULL) {
		rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
		topology_free(old);
	}
	return 0;
}

static int workers_create(struct dataplane *dp, char *err, size_t errlen)
{
	unsigned int i;

	dp->nworkers = dp->opt->nworkers;
	dp->qs = rte_zmalloc("syd_qsbr", rte_rcu_qsbr_get_memsize(dp->nworkers),
			     RTE_CACHE_LINE_SIZE);
	if (dp->qs == NULL || rte_rcu_qsbr_init(dp->qs, dp->nworkers) < 0)
		return syd_fail(err, errlen, -ENOMEM, "cannot allocate the RCU state");
	for (i = 0; i < dp->nworkers; i++) {
		unsigned int lcore = dp->opt->worker_core[i];
		struct worker *w;
		char name[RTE_RING_NAMESIZE];

		w = rte_zmalloc_socket("syd_worker", sizeof(*w), RTE_CACHE_LINE_SIZE,
				       (int)rte_lcore_to_socket_id(lcore));
		if (w == NULL)
			return syd_fail(err, errlen, -ENOMEM, "cannot allocate worker %u", i);
		dp->worker[i] = w;
		snprintf(name, sizeof(name), "syd_learn_%u", i);
		w->learn_ring = rte_ring_create_elem(name, sizeof(struct learn_req),
						     DP_LEARN_RING, (int)rte_lcore_to_socket_id(lcore),
						     RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (w->learn_ring == NULL)
			return syd_fail(err, errlen, -ENOMEM, "cannot create learn ring %s: %s", name,
				    rte_strerror(rte_errno));
		w->id = i;
		w->lcore = lcore;
		w->topo = &dp->topo;
		w->qs = dp->qs;
		w->now_s = &dp->now_s;
		w->quit = &dp->quit;
		w->mp = dp->mp;
	}
	return 0;
}

int dataplane_start(struct dataplane *dp, const struct dp_options *opt, char *err,
		    size_t errlen)
{
	unsigned int i;
	int ret;

	memset(dp, 0, sizeof(*dp));
	pthread_mutex_init(&dp->lock, NULL);
	dp->opt = opt;
	dp->start_tsc = rte_rdtsc();
	dp->base_tsc = dp->start_tsc;

	dp->mp = rte_pktmbuf_pool_create("syd_mbufs", DP_MBUFS, DP_MBUF_CACHE, 0,
					 RTE_MBUF_DEFAULT_BUF_SIZE, (int)rte_socket_id());
	if (dp->mp == NULL) {
		ret = syd_fail(err, errlen, -ENOMEM,
			   "cannot create the packet buffer pool (%u mbufs): %s; give more "
			   "memory with --mem",
			   DP_MBUFS, rte_strerror(rte_errno));
		goto undo;
	}
	dp->macs = mac_table_create(opt->mac_capacity);
	if (dp->macs == NULL) {
		ret = syd_fail(err, errlen, -ENOMEM, "cannot allocate a MAC table of %u entries",
			   opt->mac_capacity);
		goto undo;
	}
	ret = workers_create(dp, err, errlen);
	if (ret < 0)
		goto undo;
	if (tunnel_init(dp) < 0) {
		ret = syd_fail(err, errlen, -ENOMEM, "cannot create the uplink's rings");
		goto undo;
	}
	if (flows_init(dp) < 0) {
		ret = syd_fail(err, errlen, -ENOMEM, "cannot allocate the flow tables");
		goto undo;
	}

	/* Ports from the command line join the network "default". */
	if (opt->nports > 0) {
		strcpy(dp->net[0].name, "default");
		dp->net[0].used = true;
	}
	for (i = 0; i < opt->nports; i++) {
		struct port *p = &dp->port[i];

		strcpy(p->name, opt->port[i].name);
		strcpy(p->path, opt->port[i].path);
		p->kind = opt->port[i].kind;
		p->network = 0;
		ret = dataplane_port_open(dp, i, err, errlen);
		if (ret < 0)
			goto undo;
	}
	ret = dataplane_publish(dp);
	if (ret < 0) {
		syd_fail(err, errlen, ret, "cannot allocate the topology");
		goto undo;
	}
	for (i = 0; i < dp->nworkers; i++) {
		ret = rte_eal_remote_launch(worker_main, dp->worker[i], dp->worker[i]->lcore);
		if (ret < 0) {
			syd_fail(err, errlen, ret, "cannot launch worker on lcore %u: %s",
			     dp->worker[i]->lcore, rte_strerror(-ret));
			goto undo;
		}
		DP_LOG(INFO, "worker %u on lcore %u", i, dp->worker[i]->lcore);
	}
	return 0;
undo:
	dataplane_stop(dp);
	return ret;
}

int dataplane_port_find(const struct dataplane *dp, const char *name)
{
	unsigned int i;

	for (i = 0; i < dp->nports; i++)
		if (dp->port[i].open && !dp->port[i].removed &&
		    strcmp(dp->port[i].name, name) == 0)
			return (int)i;
	return -1;
}

int dataplane_network_find(const struct dataplane *dp, const char *name)
{
	unsigned int i;

	for (i = 0; i < SYD_MAX_NETWORKS; i++)
		if (dp->net[i].used && strcmp(dp->net[i].name, name) == 0)
			return (int)i;
	return -1;
}

int dataplane_port_free_slot(const struct dataplane *dp)
{
	unsigned int i;

	for (i = 0; i < SYD_MAX_PORTS; i++)
		if (!dp->port[i].open)
			return (int)i;
	return -1;
}

int dataplane_port_open(struct dataplane *dp, unsigned int slot, char *err, size_t errlen)
{
	struct port *p = &dp->port[slot];
	int ret;

	p->index = (uint16_t)slot;
	p->link_changes = 0;
	ret = port_check_path(p->path, p->kind, err, errlen);
	if (ret == 0)
		ret = port_open(p, (uint16_t)dp->nworkers, dp->mp, &dp->link_event, err, errlen);
	if (ret < 0)
		return ret;
	/* The slot may have counted for a port before: this one starts from zero. */
	port_counters_sum(dp, slot, &dp->port_base[slot]);
	if (slot >= dp->nports)
		dp->nports = slot + 1;
	return 0;
}

void dataplane_port_close(struct dataplane *dp, unsigned int slot)
{
	port_close(&dp->port[slot]);
	dp->port[slot].removed = false;
	while (dp->nports > 0 && !dp->port[dp->nports - 1].open)
		dp->nports--;
}

int dataplane_trace_start(struct dataplane *dp, const struct trace_filter *filter,
			  uint32_t want)
{
	struct trace *t = rte_zmalloc("syd_trace", sizeof(*t), RTE_CACHE_LINE_SIZE), *old;
	int ret;

	if (t == NULL)
		return -ENOMEM;
	t->filter = *filter;
	t->want = want < TRACE_MAX ? want : TRACE_MAX;
	old = dp->trace;
	dp->trace = t;
	dp->trace_published = true;
	ret = dataplane_publish(dp); /* waits until no worker can see the old trace */
	rte_free(old);
	return ret;
}

/* A trace that has all its packets is taken out of the topology: workers go back to
 * the plain loop.  Its records stay for reading. */
static void trace_check(struct dataplane *dp)
{
	if (dp->trace_published &&
	    __atomic_load_n(&dp->trace->next, __ATOMIC_RELAXED) >= dp->trace->want) {
		dp->trace_published = false;
		if (dataplane_publish(dp) < 0)
			dp->trace_published = true; /* try again next time */
	}
}

static void learn_drain(struct dataplane *dp)
{
	struct learn_req req[DP_LEARN_BATCH];
	unsigned int w, i, n;

	for (w = 0; w < dp->nworkers; w++) {
		n = rte_ring_sc_dequeue_burst_elem(dp->worker[w]->learn_ring, req, sizeof(req[0]),
						   DP_LEARN_BATCH, NULL);
		for (i = 0; i < n; i++) {
			int ret = mac_table_learn(dp->macs, req[i].key, req[i].port, dp->now_s);

			switch (ret) {
			case MAC_LEARN_NEW:
				dp->mc.learned++;
				break;
			case MAC_LEARN_MOVED:
				dp->mc.moved++;
				if (rte_log_can_log(syd_logtype_dp, RTE_LOG_DEBUG)) {
					struct rte_ether_addr mac;
					char buf[RTE_ETHER_ADDR_FMT_SIZE];
					uint16_t net;

					mac_table_key_split(req[i].key, &net, &mac);
					rte_ether_format_addr(buf, sizeof(buf), &mac);
					DP_LOG(DEBUG, "network %u: %s moved to port %s", net, buf,
					       req[i].port < SYD_MAX_PORTS ? dp->port[req[i].port].name
									   : "(a remote VTEP)");
				}
				break;
			case -ENOSPC:
				dp->mc.full++;
				break;
			case -EPERM:
				dp->mc.static_conflict++;
				break;
			default:
				break;
			}
		}
	}
}

static void links_check(struct dataplane *dp)
{
	uint64_t changed = 0;
	unsigned int i;

	for (i = 0; i < dp->nports; i++)
		if (port_link_poll(&dp->port[i]))
			changed |= 1ull << i;
	if (changed == 0)
		return;
	if (dataplane_publish(dp) < 0)
		DP_LOG(ERR, "no memory for a new topology: link changes wait for the next try");
	/* Said once the workers use it: "link up" in the log means frames flow. */
	for (i = 0; i < dp->nports; i++) {
		struct port *p = &dp->port[i];

		if (!(changed & (1ull << i)))
			continue;
		DP_LOG(NOTICE, "port %s: link %s", p->name,
		       p->up ? "up (peer connected)" : "down (peer gone)");
		if (dp->ctl != NULL)
			ctl_event_link(dp->ctl, p->name, p->up);
	}
}

void dataplane_poll(struct dataplane *dp)
{
	uint32_t now_s = (uint32_t)((rte_rdtsc() - dp->start_tsc) / rte_get_tsc_hz());
	bool new_second = now_s != dp->now_s;

	if (new_second)
		__atomic_store_n(&dp->now_s, now_s, __ATOMIC_RELAXED);
	learn_drain(dp);
	trace_check(dp);
	tunnel_poll(dp);
	/* The link callback is the fast path; polling every second is the safety net. */
	if (__atomic_exchange_n(&dp->link_event, false, __ATOMIC_ACQ_REL) || new_second) {
		pthread_mutex_lock(&dp->lock);
		links_check(dp);
		pthread_mutex_unlock(&dp->lock);
	}
	if (new_second) {
		dp->mc.aged += mac_table_age(dp->macs, now_s, dp->opt->mac_age_s);
		flows_sweep(dp, now_s);
	}
	if (dp->macs->dead) {
		/* Deleted slots become reusable once no worker can hold one. */
		rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
		mac_table_reclaim(dp->macs);
	}
}

void dataplane_stop(struct dataplane *dp)
{
	unsigned int i;

	dp->quit = true;
	rte_eal_mp_wait_lcore();
	for (i = 0; i < dp->nports; i++)
		port_close(&dp->port[i]);
	tunnel_fini(dp);
	flows_fini(dp);
	for (i = 0; i < dp->nworkers; i++) {
		if (dp->worker[i] == NULL)
			continue;
		rte_ring_free(dp->worker[i]->learn_ring);
		rte_free(dp->worker[i]);
		dp->worker[i] = NULL;
	}
	topology_free(dp->topo);
	dp->topo = NULL;
	rte_free(dp->trace);
	dp->trace = NULL;
	rte_free(dp->qs);
	dp->qs = NULL;
	mac_table_destroy(dp->macs);
	dp->macs = NULL;
	rte_mempool_free(dp->mp);
	dp->mp = NULL;
	dp->nports = 0;
	dp->nworkers = 0;
}

static void port_counters_sum(const struct dataplane *dp, unsigned int port,
			      struct port_counters *out)
{
	unsigned int w;

	struct rte_eth_stats es;

	memset(out, 0, sizeof(*out));
	for (w = 0; w < dp->nworkers; w++)
		port_counters_add(out, &dp->worker[w]->pc[port]);
	if (dp->port[port].open && rte_eth_stats_get(dp->port[port].eth_port, &es) == 0)
		out->rx_missed = es.imissed;
}

void dataplane_port_counters(const struct dataplane *dp, unsigned int port,
			     struct port_counters *out)
{
	const struct port_counters *b = &dp->port_base[port];
	unsigned int i;

	port_counters_sum(dp, port, out);
	out->rx_packets -= b->rx_packets;
	out->rx_bytes -= b->rx_bytes;
	out->forwarded -= b->forwarded;
	out->tx_packets -= b->tx_packets;
	out->rx_missed -= b->rx_missed;
	out->tx_bytes -= b->tx_bytes;
	for (i = 0; i < SYD_DROP_MAX; i++)
		out->drops[i] -= b->drops[i];
}

void dataplane_worker_counters(const struct dataplane *dp, unsigned int worker,
			       struct worker_counters *out)
{
	const struct worker_counters *b = &dp->worker_base[worker];

	memset(out, 0, sizeof(*out));
	worker_counters_add(out, &dp->worker[worker]->wc);
	out->busy_cycles -= b->busy_cycles;
	out->idle_cycles -= b->idle_cycles;
	out->switch_cycles -= b->switch_cycles;
	out->packets -= b->packets;
	out->iterations -= b->iterations;
	out->learn_requests -= b->learn_requests;
	out->learn_lost -= b->learn_lost;
	for (unsigned int i = 0; i < WORKER_BURST_BUCKETS; i++)
		out->burst[i] -= b->burst[i];
	if (dp->worker[worker]->emc != NULL) {
		out->flow_cache_hits = __atomic_load_n(&dp->worker[worker]->emc->hits,
						       __ATOMIC_RELAXED) - b->flow_cache_hits;
		out->flow_cache_misses = __atomic_load_n(&dp->worker[worker]->emc->misses,
							 __ATOMIC_RELAXED) - b->flow_cache_misses;
	}
}

void dataplane_clear_worker_counters(struct dataplane *dp)
{
	unsigned int i;

	for (i = 0; i < dp->nworkers; i++) {
		memset(&dp->worker_base[i], 0, sizeof(dp->worker_base[i]));
		worker_counters_add(&dp->worker_base[i], &dp->worker[i]->wc);
		if (dp->worker[i]->emc != NULL) {
			dp->worker_base[i].flow_cache_hits = dp->worker[i]->emc->hits;
			dp->worker_base[i].flow_cache_misses = dp->worker[i]->emc->misses;
		}
	}
	dp->base_tsc = rte_rdtsc();
}

void dataplane_clear_counters(struct dataplane *dp)
{
	unsigned int i;

	for (i = 0; i < dp->nports; i++)
		port_counters_sum(dp, i, &dp->port_base[i]);
	dataplane_clear_worker_counters(dp);
	DP_LOG(INFO, "counters cleared");
}

void dataplane_log_counters(const struct dataplane *dp)
{
	double secs = (double)(rte_rdtsc() - dp->base_tsc) / (double)rte_get_tsc_hz();
	unsigned int i, d;

	DP_LOG(INFO, "counters over the last %.1f s:", secs);
	DP_LOG(INFO, "  %-12s %-5s %12s %14s %12s %14s %10s", "port", "link", "rx_packets",
	       "rx_bytes", "tx_packets", "tx_bytes", "drops");
	for (i = 0; i < dp->nports; i++) {
		const struct port *p = &dp->port[i];
		struct port_counters c;
		uint64_t drops = 0;
		char why[256];
		int len = 0;

		dataplane_port_counters(dp, i, &c);
		why[0] = '\0';
		for (d = 0; d < SYD_DROP_MAX; d++) {
			if (c.drops[d] == 0)
				continue;
			drops += c.drops[d];
			if (len < (int)sizeof(why))
				len += snprintf(why + len, sizeof(why) - (size_t)len, " %s=%" PRIu64,
						syd_drop_name(d), c.drops[d]);
		}
		DP_LOG(INFO, "  %-12s %-5s %12" PRIu64 " %14" PRIu64 " %12" PRIu64 " %14" PRIu64
			     " %10" PRIu64,
		       p->name, p->up ? "up" : "down", c.rx_packets, c.rx_bytes, c.tx_packets,
		       c.tx_bytes, drops);
		if (drops)
			DP_LOG(INFO, "    %s drops:%s", p->name, why);
	}
	for (i = 0; i < dp->nworkers; i++) {
		struct worker_counters c;
		uint64_t total;

		dataplane_worker_counters(dp, i, &c);
		total = c.busy_cycles + c.idle_cycles;
		DP_LOG(INFO,
		       "  worker %u lcore %u: packets=%" PRIu64 " busy_pct=%.1f"
		       " busy_cycles_per_packet=%.1f switch_cycles_per_packet=%.1f "
		       "busy_cycles=%" PRIu64 " idle_cycles=%" PRIu64 " iterations=%" PRIu64
		       " learn_requests=%" PRIu64 " learn_lost=%" PRIu64,
		       i, dp->worker[i]->lcore, c.packets,
		       total ? 100.0 * (double)c.busy_cycles / (double)total : 0.0,
		       c.packets ? (double)c.busy_cycles / (double)c.packets : 0.0,
		       c.packets ? (double)c.switch_cycles / (double)c.packets : 0.0, c.busy_cycles,
		       c.idle_cycles, c.iterations, c.learn_requests, c.learn_lost);
	}
	DP_LOG(INFO,
	       "  mac table: entries=%u learned=%" PRIu64 " moved=%" PRIu64 " aged=%" PRIu64
	       " full=%" PRIu64 " static_conflict=%" PRIu64,
	       mac_table_count(dp->macs), dp->mc.learned, dp->mc.moved, dp->mc.aged, dp->mc.full,
	       dp->mc.static_conflict);
	DP_LOG(INFO, "  mbufs in use: %u of %u", rte_mempool_in_use_count(dp->mp), DP_MBUFS);
}

/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_telemetry.h>

#include "flows.h"
#include "telemetry.h"

static struct dataplane *tdp;
static pthread_mutex_t attach_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const kind_names[] = {
	[PORT_VHOST_SERVER] = "vhost-server",
	[PORT_VHOST_CLIENT] = "vhost-client",
	[PORT_AF_PACKET] = "af_packet",
	[PORT_TAP] = "tap",
};

/* Run fn with the dataplane locked, or fail when it is gone. */
#define WITH_DP(dp)                                                                                \
	struct dataplane *dp;                                                                      \
	pthread_mutex_lock(&attach_lock);                                                          \
	dp = tdp;                                                                                  \
	if (dp == NULL) {                                                                          \
		pthread_mutex_unlock(&attach_lock);                                                \
		return -ENODEV;                                                                    \
	}                                                                                          \
	pthread_mutex_lock(&dp->lock)

#define DONE(dp, ret)                                                                              \
	do {                                                                                       \
		pthread_mutex_unlock(&dp->lock);                                                   \
		pthread_mutex_unlock(&attach_lock);                                                \
		return ret;                                                                        \
	} while (0)

static int cmd_info(const char *cmd, const char *params, struct rte_tel_data *d)
{
	char ver[64], lcores[128];
	size_t len = 0;
	unsigned int i, nports = 0, nnets = 0;

	(void)cmd;
	(void)params;
	WITH_DP(dp);
	snprintf(ver, sizeof(ver), "syd-dataplane %s", SYD_VERSION);
	lcores[0] = '\0';
	for (i = 0; i < dp->nworkers; i++)
		len += (size_t)snprintf(lcores + len, sizeof(lcores) - len, "%s%u", i ? "," : "",
					dp->worker[i]->lcore);
	for (i = 0; i < dp->nports; i++)
		nports += dp->port[i].open && !dp->port[i].removed;
	for (i = 0; i < SYD_MAX_NETWORKS; i++)
		nnets += dp->net[i].used;
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "software", ver);
	rte_tel_data_add_dict_string(d, "file_prefix", dp->opt->file_prefix);
	rte_tel_data_add_dict_u64(d, "uptime_s", (rte_rdtsc() - dp->start_tsc) / rte_get_tsc_hz());
	rte_tel_data_add_dict_u64(d, "tsc_hz", rte_get_tsc_hz());
	rte_tel_data_add_dict_u64(d, "main_lcore", rte_get_main_lcore());
	rte_tel_data_add_dict_string(d, "worker_lcores", lcores);
	rte_tel_data_add_dict_u64(d, "mbufs_in_use", rte_mempool_in_use_count(dp->mp));
	rte_tel_data_add_dict_u64(d, "mbufs_total", dp->mp->size);
	rte_tel_data_add_dict_u64(d, "mac_entries", mac_table_count(dp->macs));
	rte_tel_data_add_dict_u64(d, "mac_capacity", dp->macs->capacity);
	rte_tel_data_add_dict_u64(d, "ports", nports);
	rte_tel_data_add_dict_u64(d, "networks", nnets);
	rte_tel_data_add_dict_u64(d, "flow_rules", flows_count(dp));
	rte_tel_data_add_dict_u64(d, "flow_memory", flows_memory(dp));
	DONE(dp, 0);
}

static int cmd_ports(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	(void)cmd;
	(void)params;
	WITH_DP(dp);
	rte_tel_data_start_array(d, RTE_TEL_STRING_VAL);
	for (i = 0; i < dp->nports; i++)
		if (dp->port[i].open && !dp->port[i].removed)
			rte_tel_data_add_array_string(d, dp->port[i].name);
	DONE(dp, 0);
}

/* drops: a dict of reason -> count, the non-zero ones. */
static struct rte_tel_data *drops_dict(const uint64_t *drops)
{
	struct rte_tel_data *t = rte_tel_data_alloc();
	unsigned int r;

	if (t == NULL)
		return NULL;
	rte_tel_data_start_dict(t);
	for (r = 1; r < SYD_DROP_MAX; r++)
		if (drops[r])
			rte_tel_data_add_dict_u64(t, syd_drop_name(r), drops[r]);
	return t;
}

static int cmd_port(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct port_counters c;
	uint64_t total = 0;
	struct rte_tel_data *drops;
	const struct port *p;
	uint64_t features;
	uint16_t vrings;
	int slot;
	unsigned int r;

	(void)cmd;
	if (params == NULL || *params == '\0')
		return -EINVAL;
	WITH_DP(dp);
	slot = dataplane_port_find(dp, params);
	if (slot < 0)
		DONE(dp, -ENOENT);
	p = &dp->port[slot];
	dataplane_port_counters(dp, (unsigned int)slot, &c);
	for (r = 0; r < SYD_DROP_MAX; r++)
		total += c.drops[r];
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_string(d, "name", p->name);
	rte_tel_data_add_dict_string(d, "kind", kind_names[p->kind]);
	rte_tel_data_add_dict_string(d, "network",
				     p->network == SYD_NO_NETWORK ? "" : dp->net[p->network].name);
	rte_tel_data_add_dict_string(d, "link", p->up ? "up" : "down");
	rte_tel_data_add_dict_u64(d, "link_changes", p->link_changes);
	if (port_virtio(p, &features, &vrings) < 0)
		vrings = 0;
	rte_tel_data_add_dict_u64(d, "queues", vrings / 2);
	rte_tel_data_add_dict_string(d, "path", p->path);
	rte_tel_data_add_dict_u64(d, "rx_packets", c.rx_packets);
	rte_tel_data_add_dict_u64(d, "rx_bytes", c.rx_bytes);
	rte_tel_data_add_dict_u64(d, "forwarded", c.forwarded);
	rte_tel_data_add_dict_u64(d, "tx_packets", c.tx_packets);
	rte_tel_data_add_dict_u64(d, "tx_bytes", c.tx_bytes);
	rte_tel_data_add_dict_u64(d, "rx_missed", c.rx_missed);
	rte_tel_data_add_dict_u64(d, "drops_total", total);
	drops = drops_dict(c.drops);
	if (drops != NULL)
		rte_tel_data_add_dict_container(d, "drops", drops, 0);
	DONE(dp, 0);
}

static int cmd_drops(const char *cmd, const char *params, struct rte_tel_data *d)
{
	uint64_t sum[SYD_DROP_MAX] = {0};
	struct port_counters c;
	unsigned int i, r;
	int slot;

	(void)cmd;
	WITH_DP(dp);
	if (params != NULL && *params != '\0') {
		slot = dataplane_port_find(dp, params);
		if (slot < 0)
			DONE(dp, -ENOENT);
		dataplane_port_counters(dp, (unsigned int)slot, &c);
		memcpy(sum, c.drops, sizeof(sum));
	} else {
		for (i = 0; i < dp->nports; i++) {
			if (!dp->port[i].open || dp->port[i].removed)
				continue;
			dataplane_port_counters(dp, i, &c);
			for (r = 0; r < SYD_DROP_MAX; r++)
				sum[r] += c.drops[r];
		}
	}
	/* Every reason, zeros too: a monitor sees the whole list. */
	rte_tel_data_start_dict(d);
	for (r = 1; r < SYD_DROP_MAX; r++)
		if (syd_drop_name(r) != NULL)
			rte_tel_data_add_dict_u64(d, syd_drop_name(r), sum[r]);
	DONE(dp, 0);
}

static int cmd_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	unsigned int i;

	(void)cmd;
	(void)params;
	WITH_DP(dp);
	rte_tel_data_start_dict(d);
	for (i = 0; i < dp->nworkers; i++) {
		struct rte_tel_data *w = rte_tel_data_alloc();
		struct worker_counters c;
		char key[16];

		if (w == NULL)
			break;
		dataplane_worker_counters(dp, i, &c);
		rte_tel_data_start_dict(w);
		rte_tel_data_add_dict_u64(w, "id", i);
		rte_tel_data_add_dict_u64(w, "lcore", dp->worker[i]->lcore);
		rte_tel_data_add_dict_u64(w, "packets", c.packets);
		rte_tel_data_add_dict_u64(w, "busy_cycles", c.busy_cycles);
		rte_tel_data_add_dict_u64(w, "idle_cycles", c.idle_cycles);
		rte_tel_data_add_dict_u64(w, "switch_cycles", c.switch_cycles);
		rte_tel_data_add_dict_u64(w, "iterations", c.iterations);
		rte_tel_data_add_dict_u64(w, "flow_cache_hits", c.flow_cache_hits);
		rte_tel_data_add_dict_u64(w, "flow_cache_misses", c.flow_cache_misses);
		snprintf(key, sizeof(key), "%u", i);
		rte_tel_data_add_dict_container(d, key, w, 0);
	}
	DONE(dp, 0);
}

void telemetry_attach(struct dataplane *dp)
{
	static bool registered;

	pthread_mutex_lock(&attach_lock);
	tdp = dp;
	pthread_mutex_unlock(&attach_lock);
	if (dp == NULL || registered)
		return;
	registered = true;
	rte_telemetry_register_cmd("/syd/info", cmd_info, "The dataplane. No parameters");
	rte_telemetry_register_cmd("/syd/ports", cmd_ports, "Port names. No parameters");
	rte_telemetry_register_cmd("/syd/port", cmd_port,
				   "A port's state and counters. Parameter: port name");
	rte_telemetry_register_cmd("/syd/drops", cmd_drops,
				   "Drops by reason, all ports or one. Parameter: port name or none");
	rte_telemetry_register_cmd("/syd/workers", cmd_workers,
				   "Per worker packets and cycles. No parameters");
}

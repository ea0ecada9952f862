/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_lcore.h>

#include "batch.h"
#include "ctl.h"
#include "flows.h"
#include "log.h"
#include "proto.h"
#include "trace.h"

#define CTL_MSGS_PER_POLL 64 /* per client, so one busy client cannot starve the rest */

struct ctl_client {
	int fd;
	bool hello;
	pid_t pid;
};

struct ctl {
	int lfd;
	char path[SYD_SOCK_PATH_MAX];
	struct ctl_client cl[CTL_MAX_CLIENTS];
	uint8_t *in;
	struct proto_buf out;
	uint64_t events_lost;
};

static bool socket_is_live(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	bool live;

	if (fd < 0)
		return false;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	live = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	close(fd);
	return live;
}

struct ctl *ctl_open(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ctl *c;
	unsigned int i;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "control socket path %s is too long", path);
		return NULL;
	}
	if (access(path, F_OK) == 0) {
		if (socket_is_live(path)) {
			snprintf(err, errlen,
				 "control socket %s is in use by another process (another "
				 "syd-dataplane?): stop it or choose another --control path",
				 path);
			return NULL;
		}
		unlink(path);
	}
	c = calloc(1, sizeof(*c));
	if (c == NULL || (c->in = malloc(SYD_PROTO_MSG_MAX + 1)) == NULL) {
		free(c);
		snprintf(err, errlen, "no memory for the control socket");
		return NULL;
	}
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		c->cl[i].fd = -1;
	strcpy(c->path, path);
	strcpy(sa.sun_path, path);
	c->lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->lfd < 0 || bind(c->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    chmod(path, 0660) < 0 || listen(c->lfd, CTL_MAX_CLIENTS) < 0) {
		snprintf(err, errlen, "cannot listen on control socket %s: %s (does its directory "
			 "exist and is it writable?)", path, strerror(errno));
		if (c->lfd >= 0)
			close(c->lfd);
		free(c->in);
		free(c);
		return NULL;
	}
	DP_LOG(INFO, "control: listening on %s", path);
	return c;
}

static void client_drop(struct ctl_client *cl, const char *why)
{
	DP_LOG(INFO, "control: client pid %d disconnected (%s)", (int)cl->pid, why);
	close(cl->fd);
	cl->fd = -1;
	cl->hello = false;
}

/* Send the message built in c->out; @return false when the client must go. */
static bool send_out(struct ctl *c, struct ctl_client *cl)
{
	struct syd_hdr *h = proto_finish(&c->out);

	if (send(cl->fd, h, h->length, MSG_NOSIGNAL) != (ssize_t)h->length) {
		client_drop(cl, "cannot send: it does not read its replies");
		return false;
	}
	return true;
}

static bool send_simple(struct ctl *c, struct ctl_client *cl, uint16_t type, uint32_t xid)
{
	if (proto_begin(&c->out, type, xid) < 0)
		return false;
	return send_out(c, cl);
}

static bool send_error(struct ctl *c, struct ctl_client *cl, uint32_t xid, int code,
		       const char *text)
{
	if (proto_error(&c->out, xid, code, "%s", text) < 0)
		return false;
	return send_out(c, cl);
}

/* Dumps: entries go into c->out; a full message is sent and a new one begun. */
struct dump {
	struct ctl *c;
	struct ctl_client *cl;
	uint16_t type;
	uint32_t xid;
	size_t n;
	bool ok;
};

static void dump_begin(struct dump *d, struct ctl *c, struct ctl_client *cl, uint16_t type,
		       uint32_t xid)
{
	*d = (struct dump){.c = c, .cl = cl, .type = type, .xid = xid, .ok = true};
	proto_begin(&c->out, type, xid);
}

static void dump_add(struct dump *d, const void *e, size_t size)
{
	if (!d->ok)
		return;
	if (d->c->out.len + size > SYD_PROTO_MSG_MAX) {
		d->ok = send_out(d->c, d->cl);
		proto_begin(&d->c->out, d->type, d->xid);
	}
	if (d->ok && proto_append(&d->c->out, e, size) < 0)
		d->ok = false;
	d->n++;
}

static bool dump_end(struct dump *d)
{
	if (d->ok && d->c->out.len > sizeof(struct syd_hdr))
		d->ok = send_out(d->c, d->cl);
	return d->ok && send_simple(d->c, d->cl, SYD_MSG_DONE, d->xid);
}

static void dump_ports(struct dump *d, const struct dataplane *dp)
{
	unsigned int i;

	for (i = 0; i < dp->nports; i++) {
		const struct port *p = &dp->port[i];
		struct syd_port_info e = {0};

		if (!p->open || p->removed || p->uplink)
			continue; /* the uplink is shown by GET_UPLINK */
		strcpy(e.name, p->name);
		if (p->network != SYD_NO_NETWORK)
			strcpy(e.network, dp->net[p->network].name);
		strcpy(e.path, p->path);
		e.kind = (uint16_t)p->kind;
		e.up = p->up;
		e.index = i;
		e.link_changes = p->link_changes;
		if (port_virtio(p, &e.virtio_features, &e.vrings) < 0) {
			e.virtio_features = 0;
			e.vrings = 0;
		}
		dump_add(d, &e, sizeof(e));
	}
}

static int count_macs(uint64_t key, uint32_t port, uint32_t seen_s, void *arg)
{
	uint32_t *per_net = arg;

	(void)port;
	(void)seen_s;
	per_net[(key >> 48) - 1]++;
	return 0;
}

static void dump_networks(struct dump *d, const struct dataplane *dp)
{
	static uint32_t per_net[UINT16_MAX];
	unsigned int i, j;

	memset(per_net, 0, sizeof(uint32_t) * SYD_MAX_NETWORKS);
	mac_table_walk(dp->macs, count_macs, per_net);
	for (i = 0; i < SYD_MAX_NETWORKS; i++) {
		struct syd_net_info e = {0};

		if (!dp->net[i].used)
			continue;
		strcpy(e.name, dp->net[i].name);
		e.index = i;
		for (j = 0; j < dp->nports; j++)
			e.nports += dp->port[j].open && !dp->port[j].removed &&
				    dp->port[j].network == i;
		e.nmacs = per_net[i];
		e.vni = dp->net[i].vni;
		dump_add(d, &e, sizeof(e));
	}
}

static int count_vtep_macs(uint64_t key, uint32_t port, uint32_t seen_s, void *arg)
{
	uint32_t (*per)[SYD_MAX_VTEPS] = arg;
	uint32_t v = (port & ~MAC_PORT_STATIC) - SYD_VTEP_PORT_BASE;

	(void)seen_s;
	if ((port & ~MAC_PORT_STATIC) >= SYD_VTEP_PORT_BASE && v < SYD_MAX_VTEPS &&
	    (key >> 48) - 1 < SYD_MAX_NETWORKS)
		per[(key >> 48) - 1][v]++;
	return 0;
}

static void dump_vteps(struct dump *d, const struct dataplane *dp)
{
	static uint32_t per[SYD_MAX_NETWORKS][SYD_MAX_VTEPS];
	unsigned int i, k;

	memset(per, 0, sizeof(per));
	mac_table_walk(dp->macs, count_vtep_macs, per);
	for (i = 0; i < SYD_MAX_NETWORKS; i++) {
		const struct network *n = &dp->net[i];

		for (k = 0; n->used && k < n->nvteps; k++) {
			const struct vtep *v = &dp->vtep[n->vtep[k]];
			struct syd_vtep_info e = {0};

			strcpy(e.network, n->name);
			e.addr = v->addr;
			e.nexthop = v->nexthop;
			memcpy(e.mac, v->mac, 6);
			e.resolved = v->resolved;
			e.nmacs = per[i][n->vtep[k]];
			dump_add(d, &e, sizeof(e));
		}
	}
}

static bool send_uplink(struct ctl *c, struct ctl_client *cl, const struct dataplane *dp,
			uint32_t xid)
{
	const struct uplink *u = &dp->uplink;
	struct syd_uplink_info e = {0};

	if (u->ifname[0] != '\0') {
		snprintf(e.ifname, sizeof(e.ifname), "%s", u->ifname);
		snprintf(e.driver, sizeof(e.driver), "%s", u->driver);
		snprintf(e.note, sizeof(e.note), "%s", u->note);
		e.addr = u->addr;
		e.udp_port = u->udp_port;
		e.mtu = u->mtu;
		e.mode = u->mode;
		memcpy(e.mac, u->mac, 6);
		e.up = u->slot >= 0 && dp->port[u->slot].up;
		e.arp = u->arp;
		memcpy(e.mac_asked, u->mac_asked, 6);
		snprintf(e.path, sizeof(e.path), "%s", u->path);
	}
	if (proto_begin(&c->out, SYD_MSG_UPLINK, xid) < 0 ||
	    proto_append(&c->out, &e, sizeof(e)) < 0)
		return false;
	return send_out(c, cl);
}

struct mac_dump {
	struct dump *d;
	const struct dataplane *dp;
};

static int dump_mac(uint64_t key, uint32_t port, uint32_t seen_s, void *arg)
{
	struct mac_dump *md = arg;
	const struct dataplane *dp = md->dp;
	struct syd_mac_info e = {0};
	struct rte_ether_addr mac;
	uint32_t idx = port & ~MAC_PORT_STATIC;
	uint16_t net;

	mac_table_key_split(key, &net, &mac);
	if (net >= SYD_MAX_NETWORKS || !dp->net[net].used)
		return 0; /* on its way out */
	if (idx >= SYD_VTEP_PORT_BASE && idx - SYD_VTEP_PORT_BASE < SYD_MAX_VTEPS &&
	    dp->vtep[idx - SYD_VTEP_PORT_BASE].addr != 0)
		e.remote = dp->vtep[idx - SYD_VTEP_PORT_BASE].addr;
	else if (idx >= SYD_MAX_PORTS || !dp->port[idx].open)
		return 0;
	else
		strcpy(e.port, dp->port[idx].name);
	strcpy(e.network, dp->net[net].name);
	memcpy(e.mac, mac.addr_bytes, 6);
	e.is_static = (port & MAC_PORT_STATIC) != 0;
	e.age_s = e.is_static ? 0 : dp->now_s - seen_s;
	dump_add(md->d, &e, sizeof(e));
	return md->d->ok ? 0 : -1;
}

static void dump_port_stats(struct dump *d, const struct dataplane *dp)
{
	unsigned int i, r;

	for (i = 0; i < dp->nports; i++) {
		struct syd_port_stats e = {0};
		struct port_counters pc;

		if (!dp->port[i].open || dp->port[i].removed)
			continue;
		dataplane_port_counters(dp, i, &pc);
		strcpy(e.name, dp->port[i].name);
		e.rx_packets = pc.rx_packets;
		e.rx_bytes = pc.rx_bytes;
		e.forwarded = pc.forwarded;
		e.tx_packets = pc.tx_packets;
		e.tx_bytes = pc.tx_bytes;
		for (r = 0; r < SYD_DROP_MAX && r < SYD_PROTO_DROPS; r++)
			e.drops[r] = pc.drops[r];
		e.rx_missed = pc.rx_missed;
		dump_add(d, &e, sizeof(e));
	}
}

static void dump_worker_stats(struct dump *d, const struct dataplane *dp)
{
	unsigned int i;

	for (i = 0; i < dp->nworkers; i++) {
		struct syd_worker_stats e = {.id = i, .lcore = dp->worker[i]->lcore};
		struct worker_counters wc;
		size_t len = 0;
		uint16_t q;

		dataplane_worker_counters(dp, i, &wc);
		e.busy_cycles = wc.busy_cycles;
		e.idle_cycles = wc.idle_cycles;
		e.switch_cycles = wc.switch_cycles;
		e.packets = wc.packets;
		e.iterations = wc.iterations;
		memcpy(e.burst, wc.burst, sizeof(e.burst));
		e.flow_cache_hits = wc.flow_cache_hits;
		e.flow_cache_misses = wc.flow_cache_misses;
		for (q = 0; q < dp->topo->nrxq[i]; q++) {
			const struct topo_rxq *rq = &dp->topo->rxq[i][q];

			len += (size_t)snprintf(e.rxqs + len, sizeof(e.rxqs) - len, "%s%s:%u",
						len ? " " : "", dp->port[rq->port].name, rq->queue);
			if (len >= sizeof(e.rxqs))
				break;
		}
		dump_add(d, &e, sizeof(e));
	}
}

/* The drop ledger of every worker, oldest first within each reason. */
static void dump_drops(struct dump *d, const struct dataplane *dp)
{
	struct timespec ts;
	uint64_t now_tsc = rte_rdtsc(), hz = rte_get_tsc_hz(), now_ns;
	unsigned int w, r, i;

	clock_gettime(CLOCK_REALTIME, &ts);
	now_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (w = 0; w < dp->nworkers; w++) {
		const struct ledger *l = &dp->worker[w]->ledger;

		for (r = 1; r < SYD_DROP_MAX && r < SYD_PROTO_DROPS; r++) {
			uint32_t next = __atomic_load_n(&l->next[r], __ATOMIC_RELAXED);

			for (i = 0; i < LEDGER_PER_REASON; i++) {
				const struct ledger_entry *src =
					&l->e[r][(next + i) % LEDGER_PER_REASON];
				struct syd_drop_record e = {.reason = (uint16_t)r};
				struct ledger_entry le;

				if (!ledger_read(src, &le) || le.port >= SYD_MAX_PORTS ||
				    !dp->port[le.port].open)
					continue;
				strcpy(e.port, dp->port[le.port].name);
				e.time_ns = now_ns - (uint64_t)((double)(now_tsc - le.tsc) * 1e9 / (double)hz);
				e.len = le.len;
				e.caplen = le.caplen < le.len ? le.caplen : le.len;
				memcpy(e.data, le.data, e.caplen);
				dump_add(d, &e, sizeof(e));
			}
		}
	}
}

static void dump_trace(struct dump *d, const struct dataplane *dp)
{
	const struct trace *t = dp->trace;
	struct timespec ts;
	uint64_t now_tsc = rte_rdtsc(), hz = rte_get_tsc_hz(), now_ns;
	uint32_t i, n;

	if (t == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	now_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	n = __atomic_load_n(&t->next, __ATOMIC_RELAXED);
	for (i = 0; i < n && i < t->want; i++) {
		const struct trace_record *r = &t->rec[i];
		struct syd_trace_record e = {0};

		if (!__atomic_load_n(&r->done, __ATOMIC_ACQUIRE) || r->in_port >= SYD_MAX_PORTS)
			continue;
		strcpy(e.in_port, dp->port[r->in_port].name);
		if (r->out_port < SYD_MAX_PORTS && r->nout == 1)
			strcpy(e.out_port, dp->port[r->out_port].name);
		e.time_ns = now_ns - (uint64_t)((double)(now_tsc - r->tsc) * 1e9 / (double)hz);
		e.len = r->len;
		e.worker = r->worker;
		e.parse = r->parse;
		e.src = r->src;
		e.dst = r->dst;
		e.dst_cached = r->dst_cached;
		e.drop = r->drop;
		e.nout = r->nout;
		e.vlan_tci = r->key.vlan_tci;
		e.ethertype = r->key.ethertype;
		e.flags = r->key.flags;
		e.ip_proto = r->key.ip_proto;
		e.l3_err = r->key.l3_err;
		e.ip_src = r->key.ip_src;
		e.ip_dst = r->key.ip_dst;
		e.l4_src = r->key.l4_src;
		e.l4_dst = r->key.l4_dst;
		memcpy(e.mac_dst, r->key.dst.addr_bytes, 6);
		memcpy(e.mac_src, r->key.src.addr_bytes, 6);
		e.flow = r->flow;
		e.flow_table = r->flow_table;
		e.flow_priority = r->flow_priority;
		dump_add(d, &e, sizeof(e));
	}
}

static bool trace_start(struct ctl *c, struct ctl_client *cl, struct dataplane *dp,
			const struct syd_hdr *h)
{
	const struct syd_trace_req *m = proto_body(h);
	struct trace_filter f = {.fields = m->fields};
	char err[128];
	int ret;

	if (m->fields & SYD_TRACE_IN_PORT) {
		ret = dataplane_port_find(dp, m->in_port);
		if (ret < 0) {
			snprintf(err, sizeof(err), "trace: no port named '%s'", m->in_port);
			return send_error(c, cl, h->xid, ENOENT, err);
		}
		f.in_port = (uint16_t)ret;
	}
	memcpy(f.src.addr_bytes, m->src, 6);
	memcpy(f.dst.addr_bytes, m->dst, 6);
	f.ip_src = m->ip_src;
	f.ip_dst = m->ip_dst;
	if (dataplane_trace_start(dp, &f, m->count) < 0)
		return send_error(c, cl, h->xid, ENOMEM, "trace: no memory");
	return send_simple(c, cl, SYD_MSG_OK, h->xid);
}

static bool send_info(struct ctl *c, struct ctl_client *cl, const struct dataplane *dp,
		      uint32_t xid)
{
	struct syd_info e = {0};
	unsigned int i;

	snprintf(e.software, sizeof(e.software), "syd-dataplane %s", SYD_VERSION);
	snprintf(e.file_prefix, sizeof(e.file_prefix), "%s", dp->opt->file_prefix);
	e.uptime_ms = (rte_rdtsc() - dp->start_tsc) * 1000 / rte_get_tsc_hz();
	e.tsc_hz = rte_get_tsc_hz();
	e.main_lcore = rte_get_main_lcore();
	e.nworkers = dp->nworkers;
	for (i = 0; i < dp->nworkers && i < SYD_PROTO_WORKERS; i++)
		e.worker_lcore[i] = dp->worker[i]->lcore;
	e.mbufs_in_use = rte_mempool_in_use_count(dp->mp);
	e.mbufs_total = dp->mp->size;
	e.mac_entries = mac_table_count(dp->macs);
	e.mac_capacity = dp->macs->capacity;
	for (i = 0; i < dp->nports; i++)
		e.nports += dp->port[i].open && !dp->port[i].removed && !dp->port[i].uplink;
	for (i = 0; i < SYD_MAX_NETWORKS; i++)
		e.nnetworks += dp->net[i].used;
	e.flow_rules = flows_count(dp);
	e.flow_memory = flows_memory(dp);
	if (proto_begin(&c->out, SYD_MSG_INFO, xid) < 0 || proto_append(&c->out, &e, sizeof(e)) < 0)
		return false;
	return send_out(c, cl);
}

static bool handle_hello(struct ctl *c, struct ctl_client *cl, const struct syd_hdr *h)
{
	const struct syd_hello *m = proto_body(h);
	struct syd_hello me = {.version_min = SYD_PROTO_VERSION, .version_max = SYD_PROTO_VERSION};
	char text[128];

	if (m->version_min > SYD_PROTO_VERSION || m->version_max < SYD_PROTO_VERSION) {
		snprintf(text, sizeof(text),
			 "client speaks protocol versions %u-%u, this dataplane speaks %u",
			 m->version_min, m->version_max, SYD_PROTO_VERSION);
		send_error(c, cl, h->xid, EPROTONOSUPPORT, text);
		client_drop(cl, text);
		return false;
	}
	DP_LOG(INFO, "control: client pid %d is %s", (int)cl->pid, m->software);
	cl->hello = true;
	snprintf(me.software, sizeof(me.software), "syd-dataplane %s", SYD_VERSION);
	if (proto_begin(&c->out, SYD_MSG_HELLO, h->xid) < 0 ||
	    proto_append(&c->out, &me, sizeof(me)) < 0)
		return false;
	return send_out(c, cl);
}

static int dump_entry_flow(const struct syd_flow_stats *e, void *arg)
{
	dump_add(arg, e, SYD_FLOW_STATS_SIZE(e->flow.nactions)); /* cut after its actions */
	return ((struct dump *)arg)->ok ? 0 : -EPIPE;
}

static int dump_entry_step(const struct syd_flow_step *s, void *arg)
{
	dump_add(arg, s, sizeof(*s));
	return ((struct dump *)arg)->ok ? 0 : -EPIPE;
}

/* Answer one checked request; @return false when the client was dropped. */
static bool handle(struct ctl *c, struct ctl_client *cl, struct dataplane *dp,
		   const struct syd_hdr *h)
{
	char err[SYD_PROTO_TEXT_MAX];
	struct dump d;
	int ret;

	if (h->type == SYD_MSG_HELLO)
		return handle_hello(c, cl, h);
	if (!cl->hello)
		return send_error(c, cl, h->xid, EPROTO,
				  "say HELLO first (see control/proto.md)");
	switch (h->type) {
	case SYD_MSG_BATCH:
		pthread_mutex_lock(&dp->lock);
		ret = batch_apply(dp, proto_body(h), err, sizeof(err));
		pthread_mutex_unlock(&dp->lock);
		if (ret < 0)
			return send_error(c, cl, h->xid, -ret, err);
		return send_simple(c, cl, SYD_MSG_OK, h->xid);
	case SYD_MSG_FLOW_MOD:
		pthread_mutex_lock(&dp->lock);
		ret = flows_mod(dp, proto_body(h), err, sizeof(err));
		pthread_mutex_unlock(&dp->lock);
		if (ret < 0)
			return send_error(c, cl, h->xid, -ret, err);
		return send_simple(c, cl, SYD_MSG_OK, h->xid);
	case SYD_MSG_DUMP_FLOWS:
		dump_begin(&d, c, cl, SYD_MSG_FLOWS, h->xid);
		flows_dump(dp, dump_entry_flow, &d);
		return dump_end(&d);
	case SYD_MSG_FLOW_TRACE:
		dump_begin(&d, c, cl, SYD_MSG_FLOW_STEPS, h->xid);
		ret = flows_trace(dp, proto_body(h), dump_entry_step, &d, err, sizeof(err));
		if (ret < 0 && ret != -EPIPE)
			return send_error(c, cl, h->xid, -ret, err);
		return dump_end(&d);
	case SYD_MSG_BARRIER:
		/* Changes are published before their OK; this waits for every worker to
		 * pass a quiescent state after them, so they are all being used. */
		rte_rcu_qsbr_synchronize(dp->qs, RTE_QSBR_THRID_INVALID);
		return send_simple(c, cl, SYD_MSG_OK, h->xid);
	case SYD_MSG_DUMP_PORTS:
		dump_begin(&d, c, cl, SYD_MSG_PORTS, h->xid);
		dump_ports(&d, dp);
		return dump_end(&d);
	case SYD_MSG_DUMP_NETWORKS:
		dump_begin(&d, c, cl, SYD_MSG_NETWORKS, h->xid);
		dump_networks(&d, dp);
		return dump_end(&d);
	case SYD_MSG_DUMP_MACS: {
		struct mac_dump md = {.d = &d, .dp = dp};

		dump_begin(&d, c, cl, SYD_MSG_MACS, h->xid);
		mac_table_walk(dp->macs, dump_mac, &md);
		return dump_end(&d);
	}
	case SYD_MSG_GET_PORT_STATS:
		dump_begin(&d, c, cl, SYD_MSG_PORT_STATS, h->xid);
		dump_port_stats(&d, dp);
		return dump_end(&d);
	case SYD_MSG_GET_WORKER_STATS:
		dump_begin(&d, c, cl, SYD_MSG_WORKER_STATS, h->xid);
		dump_worker_stats(&d, dp);
		return dump_end(&d);
	case SYD_MSG_GET_INFO:
		return send_info(c, cl, dp, h->xid);
	case SYD_MSG_TRACE_START:
		return trace_start(c, cl, dp, h);
	case SYD_MSG_DUMP_TRACE:
		dump_begin(&d, c, cl, SYD_MSG_TRACE, h->xid);
		dump_trace(&d, dp);
		return dump_end(&d);
	case SYD_MSG_DUMP_VTEPS:
		dump_begin(&d, c, cl, SYD_MSG_VTEPS, h->xid);
		dump_vteps(&d, dp);
		return dump_end(&d);
	case SYD_MSG_GET_UPLINK:
		return send_uplink(c, cl, dp, h->xid);
	case SYD_MSG_DUMP_DROPS:
		dump_begin(&d, c, cl, SYD_MSG_DROPS, h->xid);
		dump_drops(&d, dp);
		return dump_end(&d);
	case SYD_MSG_CLEAR_STATS:
	case SYD_MSG_CLEAR_WORKER_STATS:
		pthread_mutex_lock(&dp->lock);
		if (h->type == SYD_MSG_CLEAR_STATS)
			dataplane_clear_counters(dp);
		else
			dataplane_clear_worker_counters(dp);
		pthread_mutex_unlock(&dp->lock);
		return send_simple(c, cl, SYD_MSG_OK, h->xid);
	default:
		snprintf(err, sizeof(err), "%s is not a request", proto_msg_name(h->type));
		return send_error(c, cl, h->xid, EOPNOTSUPP, err);
	}
}

static void client_read(struct ctl *c, struct ctl_client *cl, struct dataplane *dp)
{
	char err[SYD_PROTO_TEXT_MAX];
	int i, ret;

	for (i = 0; i < CTL_MSGS_PER_POLL && cl->fd >= 0; i++) {
		ssize_t n = recv(cl->fd, c->in, SYD_PROTO_MSG_MAX + 1, MSG_DONTWAIT | MSG_TRUNC);
		const struct syd_hdr *h = (const void *)c->in;
		uint32_t xid;

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n <= 0) {
			client_drop(cl, n == 0 ? "closed" : strerror(errno));
			return;
		}
		xid = (size_t)n >= sizeof(*h) ? h->xid : 0;
		if ((size_t)n > SYD_PROTO_MSG_MAX) {
			snprintf(err, sizeof(err), "message of %zd bytes exceeds the limit of %d", n,
				 SYD_PROTO_MSG_MAX);
			send_error(c, cl, xid, EMSGSIZE, err);
			client_drop(cl, err);
			return;
		}
		ret = proto_check(c->in, (size_t)n, err, sizeof(err));
		if (ret == -EBADMSG || ret == -EPROTONOSUPPORT) {
			/* Framing broken: nothing later on this connection can be trusted. */
			send_error(c, cl, xid, -ret, err);
			client_drop(cl, err);
			return;
		}
		if (ret < 0) {
			if (!send_error(c, cl, xid, -ret, err))
				return;
			continue;
		}
		if (!handle(c, cl, dp, h))
			return;
	}
}

static void accept_client(struct ctl *c)
{
	struct ucred cred = {0};
	socklen_t len = sizeof(cred);
	struct timeval tv = {.tv_sec = 1};
	unsigned int i;
	int fd;

	fd = accept4(c->lfd, NULL, NULL, SOCK_CLOEXEC);
	if (fd < 0)
		return;
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len);
	/* A client that does not read its replies holds the main lcore 1 s at most. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	/* A message may be SYD_PROTO_MSG_MAX bytes: more than the default send buffer. */
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &(int){SYD_PROTO_MSG_MAX}, sizeof(int));
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd < 0)
			break;
	if (i == CTL_MAX_CLIENTS) {
		struct ctl_client tmp = {.fd = fd, .pid = cred.pid};

		DP_LOG(WARNING, "control: refused pid %d uid %d: %d clients already", (int)cred.pid,
		       (int)cred.uid, CTL_MAX_CLIENTS);
		send_error(c, &tmp, 0, EBUSY, "too many control clients; try again later");
		if (tmp.fd >= 0)
			close(fd);
		return;
	}
	c->cl[i] = (struct ctl_client){.fd = fd, .pid = cred.pid};
	DP_LOG(INFO, "control: client pid %d uid %d gid %d connected", (int)cred.pid,
	       (int)cred.uid, (int)cred.gid);
}

void ctl_poll(struct ctl *c, struct dataplane *dp, int timeout_ms)
{
	struct pollfd pfd[CTL_MAX_CLIENTS + 1];
	int map[CTL_MAX_CLIENTS + 1];
	unsigned int i, n = 0;

	pfd[n] = (struct pollfd){.fd = c->lfd, .events = POLLIN};
	map[n++] = -1;
	for (i = 0; i < CTL_MAX_CLIENTS; i++) {
		if (c->cl[i].fd < 0)
			continue;
		pfd[n] = (struct pollfd){.fd = c->cl[i].fd, .events = POLLIN};
		map[n++] = (int)i;
	}
	if (poll(pfd, n, timeout_ms) <= 0)
		return;
	for (i = 1; i < n; i++)
		if (pfd[i].revents)
			client_read(c, &c->cl[map[i]], dp);
	if (pfd[0].revents & POLLIN)
		accept_client(c);
}

void ctl_event_link(struct ctl *c, const char *port, bool up)
{
	struct syd_event_link e = {.up = up};
	struct syd_hdr *h;
	unsigned int i;

	strcpy(e.port, port);
	if (proto_begin(&c->out, SYD_MSG_EVENT_LINK, 0) < 0 ||
	    proto_append(&c->out, &e, sizeof(e)) < 0)
		return;
	h = proto_finish(&c->out);
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd >= 0 && c->cl[i].hello &&
		    send(c->cl[i].fd, h, h->length, MSG_NOSIGNAL | MSG_DONTWAIT) < 0)
			c->events_lost++;
}

void ctl_close(struct ctl *c)
{
	unsigned int i;

	if (c == NULL)
		return;
	for (i = 0; i < CTL_MAX_CLIENTS; i++)
		if (c->cl[i].fd >= 0)
			close(c->cl[i].fd);
	close(c->lfd);
	unlink(c->path);
	proto_buf_free(&c->out);
	free(c->in);
	free(c);
}

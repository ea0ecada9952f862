/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "drop.h"
#include "metrics.h"
#include "proto.h"

#define SCRAPE_WAIT_MS 2000
#define MAX_ENTRIES    4096

struct metrics {
	struct MHD_Daemon *httpd;
	int efd;
	pthread_mutex_t lock;
	pthread_cond_t fresh;
	/*
	 * A scrape takes ticket ++asked before waking the main thread; a collection that
	 * starts after reading asked == t publishes answered = t.  A scrape waits until
	 * answered reaches its ticket, so it never gets figures read before it arrived.
	 */
	uint64_t asked;
	uint64_t answered;
	char *text;
	size_t len;
};

/* ---- the HTTP side (libmicrohttpd's thread) ---- */

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned int status,
			       const char *type, const char *body, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)(uintptr_t)body, MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret;

	if (r == NULL)
		return MHD_NO;
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	static const char not_found[] = "Switchyard serves /metrics only\n";
	static const char stale[] = "syd-control did not answer in time\n";
	struct metrics *m = cls;
	uint64_t one = 1, ticket;
	struct timespec until;
	enum MHD_Result ret;
	char *copy;
	size_t len;

	(void)version;
	(void)upload;
	(void)upload_size;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain", "GET only\n", 9);
	if (strcmp(url, "/metrics") != 0)
		return respond(conn, MHD_HTTP_NOT_FOUND, "text/plain", not_found,
			       sizeof(not_found) - 1);

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += SCRAPE_WAIT_MS / 1000;
	pthread_mutex_lock(&m->lock);
	ticket = ++m->asked;
	if (write(m->efd, &one, sizeof(one)) != sizeof(one)) {
		pthread_mutex_unlock(&m->lock);
		return respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", stale,
			       sizeof(stale) - 1);
	}
	while (m->answered < ticket)
		if (pthread_cond_timedwait(&m->fresh, &m->lock, &until) == ETIMEDOUT)
			break;
	if (m->answered < ticket) {
		pthread_mutex_unlock(&m->lock);
		return respond(conn, MHD_HTTP_SERVICE_UNAVAILABLE, "text/plain", stale,
			       sizeof(stale) - 1);
	}
	len = m->len;
	copy = malloc(len ? len : 1);
	if (copy != NULL)
		memcpy(copy, m->text, len);
	pthread_mutex_unlock(&m->lock);
	if (copy == NULL)
		return MHD_NO;
	ret = respond(conn, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", copy, len);
	free(copy);
	return ret;
}

struct metrics *metrics_start(const char *addr, char *err, size_t errlen)
{
	struct sockaddr_in sa = {.sin_family = AF_INET};
	const char *colon = strrchr(addr, ':');
	char host[64] = "127.0.0.1", *end;
	struct metrics *m;
	unsigned long port;

	if (colon != NULL) {
		if ((size_t)(colon - addr) >= sizeof(host)) {
			snprintf(err, errlen, "--metrics %s: expected PORT or 127.0.0.1:PORT", addr);
			return NULL;
		}
		memcpy(host, addr, (size_t)(colon - addr));
		host[colon - addr] = '\0';
		addr = colon + 1;
	}
	port = strtoul(addr, &end, 10);
	if (*addr == '\0' || *end != '\0' || port == 0 || port > 65535 ||
	    inet_pton(AF_INET, host, &sa.sin_addr) != 1) {
		snprintf(err, errlen, "--metrics: expected PORT or 127.0.0.1:PORT");
		return NULL;
	}
	if ((ntohl(sa.sin_addr.s_addr) >> 24) != 127) {
		snprintf(err, errlen, "--metrics %s: serve metrics on localhost (127.x.x.x) only; "
			 "put a proxy in front to expose them", host);
		return NULL;
	}
	sa.sin_port = htons((uint16_t)port);
	m = calloc(1, sizeof(*m));
	if (m == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->fresh, NULL);
	m->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	m->httpd = m->efd < 0 ? NULL
			      : MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG,
						 0, NULL, NULL, on_request, m, MHD_OPTION_SOCK_ADDR,
						 (struct sockaddr *)&sa,
						 /* a scraper or two, not a crowd holding sockets */
						 MHD_OPTION_CONNECTION_LIMIT, (unsigned int)16,
						 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
						 MHD_OPTION_END);
	if (m->httpd == NULL) {
		snprintf(err, errlen, "cannot serve metrics on %s:%lu (port in use?)", host, port);
		if (m->efd >= 0)
			close(m->efd);
		free(m);
		return NULL;
	}
	return m;
}

int metrics_fd(const struct metrics *m)
{
	return m->efd;
}

void metrics_stop(struct metrics *m)
{
	if (m == NULL)
		return;
	MHD_stop_daemon(m->httpd);
	close(m->efd);
	pthread_cond_destroy(&m->fresh);
	pthread_mutex_destroy(&m->lock);
	free(m->text);
	free(m);
}

/* ---- the main thread: read the dataplane, write the exposition text ---- */

struct dump {
	uint16_t type;
	size_t size, n;
	uint8_t *data;
};

static int collect(const struct syd_hdr *h, void *arg)
{
	struct dump *d = arg;
	size_t n;

	if (h->type == SYD_MSG_INFO) {
		memcpy(d->data, proto_body(h), sizeof(struct syd_info));
		d->n = 1;
		return 0;
	}
	if (h->type != d->type)
		return 0;
	n = proto_entries(h, d->size);
	if (d->n + n > MAX_ENTRIES)
		return -E2BIG;
	memcpy(d->data + d->n * d->size, proto_body(h), n * d->size);
	d->n += n;
	return 0;
}

static int ask(struct syd_client *dp, uint16_t req, uint16_t type, size_t size, struct dump *d,
	       uint8_t *buf)
{
	struct proto_buf b = {0};
	char err[SYD_PROTO_TEXT_MAX];
	int ret;

	*d = (struct dump){.type = type, .size = size, .data = buf};
	ret = proto_begin(&b, req, 0);
	if (ret == 0)
		ret = syd_client_request(dp, &b, 5000, collect, d, err, sizeof(err));
	proto_buf_free(&b);
	return ret;
}

/* A label value with \, " and newlines escaped, as the exposition format wants. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void family(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static const struct syd_port_info *port_of(const struct dump *ports, const char *name)
{
	size_t i;

	for (i = 0; i < ports->n; i++) {
		const struct syd_port_info *p = (const void *)(ports->data + i * ports->size);

		if (strcmp(p->name, name) == 0)
			return p;
	}
	return NULL;
}

static void port_labels(FILE *f, const struct dump *ports, const char *name)
{
	const struct syd_port_info *p = port_of(ports, name);

	fputs("{port=\"", f);
	label(f, name);
	fputs("\",network=\"", f);
	label(f, p ? p->network : "");
	fputc('"', f);
}

static void write_text(FILE *f, const struct syd_info *info, const struct dump *ports,
		       const struct dump *nets, const struct dump *stats,
		       const struct dump *workers)
{
	static const struct {
		const char *name, *help;
		size_t off;
	} port_counters[] = {
		{"syd_port_rx_packets_total", "Packets received on the port.",
		 offsetof(struct syd_port_stats, rx_packets)},
		{"syd_port_rx_bytes_total", "Bytes received on the port.",
		 offsetof(struct syd_port_stats, rx_bytes)},
		{"syd_port_forwarded_packets_total",
		 "Received packets handed to one or more output ports.",
		 offsetof(struct syd_port_stats, forwarded)},
		{"syd_port_tx_packets_total", "Packets sent on the port.",
		 offsetof(struct syd_port_stats, tx_packets)},
		{"syd_port_tx_bytes_total", "Bytes sent on the port.",
		 offsetof(struct syd_port_stats, tx_bytes)},
		{"syd_port_rx_missed_packets_total",
		 "Packets the port's device dropped before the switch polled them (rx ring full).",
		 offsetof(struct syd_port_stats, rx_missed)},
	};
	size_t i, k;
	unsigned int r;

	family(f, "syd_dataplane_up", "gauge", "Whether syd-control is connected to the dataplane.");
	fprintf(f, "syd_dataplane_up 1\n");
	family(f, "syd_dataplane_uptime_seconds", "gauge", "Seconds since the dataplane started.");
	fprintf(f, "syd_dataplane_uptime_seconds %.3f\n", (double)info->uptime_ms / 1000.0);
	family(f, "syd_mbufs_in_use", "gauge", "Packet buffers in use.");
	fprintf(f, "syd_mbufs_in_use %u\n", info->mbufs_in_use);
	family(f, "syd_mbufs", "gauge", "Packet buffers in the pool.");
	fprintf(f, "syd_mbufs %u\n", info->mbufs_total);
	family(f, "syd_mac_table_entries", "gauge", "MAC table entries, all networks.");
	fprintf(f, "syd_mac_table_entries %u\n", info->mac_entries);
	family(f, "syd_mac_table_capacity", "gauge", "MAC table capacity, all networks.");
	fprintf(f, "syd_mac_table_capacity %u\n", info->mac_capacity);
	family(f, "syd_flow_rules", "gauge", "Flow rules, all tables.");
	fprintf(f, "syd_flow_rules %u\n", info->flow_rules);
	family(f, "syd_flow_memory_bytes", "gauge", "Memory the flow tables hold.");
	fprintf(f, "syd_flow_memory_bytes %" PRIu64 "\n", info->flow_memory);

	family(f, "syd_network_mac_entries", "gauge", "MAC table entries of the network.");
	for (i = 0; i < nets->n; i++) {
		const struct syd_net_info *n = (const void *)(nets->data + i * nets->size);

		fputs("syd_network_mac_entries{network=\"", f);
		label(f, n->name);
		fprintf(f, "\"} %u\n", n->nmacs);
	}
	family(f, "syd_network_ports", "gauge", "Ports attached to the network.");
	for (i = 0; i < nets->n; i++) {
		const struct syd_net_info *n = (const void *)(nets->data + i * nets->size);

		fputs("syd_network_ports{network=\"", f);
		label(f, n->name);
		fprintf(f, "\"} %u\n", n->nports);
	}

	family(f, "syd_port_up", "gauge", "Whether the port's peer (the VM) is connected.");
	for (i = 0; i < ports->n; i++) {
		const struct syd_port_info *p = (const void *)(ports->data + i * ports->size);

		fputs("syd_port_up", f);
		port_labels(f, ports, p->name);
		fprintf(f, ",kind=\"%s\"} %u\n", proto_port_kind_name(p->kind), p->up);
	}
	for (k = 0; k < sizeof(port_counters) / sizeof(port_counters[0]); k++) {
		family(f, port_counters[k].name, "counter", port_counters[k].help);
		for (i = 0; i < stats->n; i++) {
			const struct syd_port_stats *s = (const void *)(stats->data + i * stats->size);
			uint64_t v;

			memcpy(&v, (const uint8_t *)s + port_counters[k].off, sizeof(v));
			fputs(port_counters[k].name, f);
			port_labels(f, ports, s->name);
			fprintf(f, "} %" PRIu64 "\n", v);
		}
	}
	family(f, "syd_port_drops_total", "counter",
	       "Packets dropped, by reason (dataplane/drop.h): on the input port, or on the "
	       "output port for link_down and tx_full.");
	for (i = 0; i < stats->n; i++) {
		const struct syd_port_stats *s = (const void *)(stats->data + i * stats->size);

		for (r = 1; r < SYD_DROP_MAX && r < SYD_PROTO_DROPS; r++) {
			fputs("syd_port_drops_total", f);
			port_labels(f, ports, s->name);
			fprintf(f, ",reason=\"%s\"} %" PRIu64 "\n", syd_drop_name(r), s->drops[r]);
		}
	}

	family(f, "syd_worker_busy_cycles_total", "counter",
	       "TSC cycles of poll iterations that moved packets.");
	for (i = 0; i < workers->n; i++) {
		const struct syd_worker_stats *w = (const void *)(workers->data + i * workers->size);

		fprintf(f, "syd_worker_busy_cycles_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64 "\n",
			w->id, w->lcore, w->busy_cycles);
	}
	family(f, "syd_worker_idle_cycles_total", "counter",
	       "TSC cycles of poll iterations that found nothing.");
	for (i = 0; i < workers->n; i++) {
		const struct syd_worker_stats *w = (const void *)(workers->data + i * workers->size);

		fprintf(f, "syd_worker_idle_cycles_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64 "\n",
			w->id, w->lcore, w->idle_cycles);
	}
	family(f, "syd_worker_switch_cycles_total", "counter",
	       "TSC cycles of busy iterations spent switching (not in the ports' rx and tx).");
	for (i = 0; i < workers->n; i++) {
		const struct syd_worker_stats *w =
			(const void *)(workers->data + i * workers->size);

		fprintf(f,
			"syd_worker_switch_cycles_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64 "\n",
			w->id, w->lcore, w->switch_cycles);
	}
	family(f, "syd_worker_packets_total", "counter", "Packets received by the worker.");
	for (i = 0; i < workers->n; i++) {
		const struct syd_worker_stats *w = (const void *)(workers->data + i * workers->size);

		fprintf(f, "syd_worker_packets_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64 "\n",
			w->id, w->lcore, w->packets);
	}
	family(f, "syd_worker_busy_cycles_per_packet", "gauge",
	       "Busy TSC cycles per packet since the counters started.");
	for (i = 0; i < workers->n; i++) {
		const struct syd_worker_stats *w = (const void *)(workers->data + i * workers->size);

		fprintf(f, "syd_worker_busy_cycles_per_packet{worker=\"%u\",lcore=\"%u\"} %.1f\n",
			w->id, w->lcore,
			w->packets ? (double)w->busy_cycles / (double)w->packets : 0.0);
	}
	family(f, "syd_worker_flow_cache_hits_total", "counter",
	       "Table-0 lookups the worker's exact-match cache answered.");
	for (i = 0; i < workers->n; i++) {
		const struct syd_worker_stats *w = (const void *)(workers->data + i * workers->size);

		fprintf(f, "syd_worker_flow_cache_hits_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64
			   "\n",
			w->id, w->lcore, w->flow_cache_hits);
	}
	family(f, "syd_worker_flow_cache_misses_total", "counter",
	       "Table-0 lookups that went past the worker's exact-match cache.");
	for (i = 0; i < workers->n; i++) {
		const struct syd_worker_stats *w = (const void *)(workers->data + i * workers->size);

		fprintf(f, "syd_worker_flow_cache_misses_total{worker=\"%u\",lcore=\"%u\"} %" PRIu64
			   "\n",
			w->id, w->lcore, w->flow_cache_misses);
	}
}

int metrics_serve(struct metrics *m, struct syd_client *dp)
{
	static uint8_t b_info[sizeof(struct syd_info)];
	static uint8_t b_ports[MAX_ENTRIES * sizeof(struct syd_port_info)];
	static uint8_t b_nets[MAX_ENTRIES * sizeof(struct syd_net_info)];
	static uint8_t b_stats[MAX_ENTRIES * sizeof(struct syd_port_stats)];
	static uint8_t b_workers[MAX_ENTRIES * sizeof(struct syd_worker_stats)];
	struct dump info, ports, nets, stats, workers;
	uint64_t pending, serving;
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int ret = 0;

	if (read(m->efd, &pending, sizeof(pending)) < 0 && errno != EAGAIN)
		return -errno;
	/* Every scrape that asked by now gets what is read from here on. */
	pthread_mutex_lock(&m->lock);
	serving = m->asked;
	pthread_mutex_unlock(&m->lock);
	f = open_memstream(&text, &len);
	if (f == NULL)
		return -ENOMEM;
	if (dp != NULL) {
		ret = ask(dp, SYD_MSG_GET_INFO, SYD_MSG_INFO, sizeof(struct syd_info), &info, b_info);
		if (ret == 0)
			ret = ask(dp, SYD_MSG_DUMP_PORTS, SYD_MSG_PORTS, sizeof(struct syd_port_info),
				  &ports, b_ports);
		if (ret == 0)
			ret = ask(dp, SYD_MSG_DUMP_NETWORKS, SYD_MSG_NETWORKS,
				  sizeof(struct syd_net_info), &nets, b_nets);
		if (ret == 0)
			ret = ask(dp, SYD_MSG_GET_PORT_STATS, SYD_MSG_PORT_STATS,
				  sizeof(struct syd_port_stats), &stats, b_stats);
		if (ret == 0)
			ret = ask(dp, SYD_MSG_GET_WORKER_STATS, SYD_MSG_WORKER_STATS,
				  sizeof(struct syd_worker_stats), &workers, b_workers);
	}
	if (dp != NULL && ret == 0) {
		write_text(f, (const struct syd_info *)b_info, &ports, &nets, &stats, &workers);
	} else {
		family(f, "syd_dataplane_up", "gauge",
		       "Whether syd-control is connected to the dataplane.");
		fprintf(f, "syd_dataplane_up 0\n");
	}
	fclose(f);

	pthread_mutex_lock(&m->lock);
	free(m->text);
	m->text = text;
	m->len = len;
	m->answered = serving;
	pthread_cond_broadcast(&m->fresh);
	pthread_mutex_unlock(&m->lock);
	return ret;
}

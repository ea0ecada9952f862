/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdio.h>
#include <time.h>

#include <rte_ethdev.h>

#include "bench.h"

#define PORT_DESC 1024

int bench_ports_start(struct bench_opts *o, struct rte_mempool *mp)
{
	struct rte_eth_conf conf = {0};
	struct timespec nap = {.tv_nsec = 10 * 1000 * 1000};
	unsigned int i, waited_ms = 0;

	for (i = 0; i < o->nports; i++) {
		struct bench_port *p = &o->port[i];
		char name[32];
		int ret;

		snprintf(name, sizeof(name), "net_virtio_user%u", i);
		ret = rte_eth_dev_get_port_by_name(name, &p->port_id);
		if (ret < 0) {
			fprintf(stderr,
				"syd-bench: port %s: cannot attach (%s): is the switch running with "
				"a vhost-user %s port on this socket?\n",
				p->path, p->server ? "cannot create the socket" : "cannot connect",
				p->server ? "client" : "server");
			return ret;
		}
		if (ret == 0)
			ret = rte_eth_dev_configure(p->port_id, 1, 1, &conf);
		if (ret == 0)
			ret = rte_eth_rx_queue_setup(p->port_id, 0, PORT_DESC,
						     rte_eth_dev_socket_id(p->port_id), NULL, mp);
		if (ret == 0)
			ret = rte_eth_tx_queue_setup(p->port_id, 0, PORT_DESC,
						     rte_eth_dev_socket_id(p->port_id), NULL);
		if (ret == 0)
			ret = rte_eth_dev_start(p->port_id);
		if (ret < 0) {
			fprintf(stderr, "syd-bench: port %s: cannot start: %s\n", p->path,
				rte_strerror(-ret));
			return ret;
		}
	}
	for (i = 0; i < o->nports && !bench_quit;) {
		struct rte_eth_link link;

		if (rte_eth_link_get_nowait(o->port[i].port_id, &link) == 0 &&
		    link.link_status == RTE_ETH_LINK_UP) {
			i++;
			continue;
		}
		if (waited_ms >= o->link_timeout_s * 1000) {
			fprintf(stderr,
				"syd-bench: port %s: no link after %u s (is the switch running, "
				"with its %s socket at %s?)\n",
				o->port[i].path, o->link_timeout_s,
				o->port[i].server ? "vhost-user client connecting to" : "",
				o->port[i].path);
			return -ETIMEDOUT;
		}
		nanosleep(&nap, NULL);
		waited_ms += 10;
	}
	return bench_quit ? -EINTR : 0;
}

void bench_ports_stop(struct bench_opts *o)
{
	unsigned int i;

	for (i = 0; i < o->nports; i++) {
		rte_eth_dev_stop(o->port[i].port_id);
		rte_eth_dev_close(o->port[i].port_id);
	}
}

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports: a vhost-user socket made into a DPDK ethdev (the net_vhost PMD), with a name,
 * an index into the switch's tables, and a link state.
 *
 * Owned by the main lcore: it opens, closes and polls the link of every port.  Workers
 * never touch a struct port; they see a port only through the published topology.
 * Using the ethdev layer (not rte_vhost directly) is what lets dpdk-dumpcap capture on
 * our vhost-user ports.
 */
#ifndef SYD_PORT_H
#define SYD_PORT_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mempool.h>

#include "options.h"

struct port {
	char name[SYD_PORT_NAME_MAX + 1];
	char path[SYD_SOCK_PATH_MAX];
	enum port_kind kind;
	uint16_t index;    /* our index: topology, counters and MAC table use it */
	uint16_t eth_port; /* the DPDK port id */
	uint16_t network;  /* the network it is attached to */
	bool open;
	bool removed;            /* deleted by a batch, closed once out of the topology */
	bool up;                 /* link state as last seen by port_link_poll() */
	uint64_t link_changes;   /* up/down transitions seen */
	bool uplink;             /* the VXLAN uplink: internal, not a port users manage */
	const char *xdp_prog;    /* PORT_AF_XDP: the steering program's object file */
};

/*
 * Check that a socket path can be used before anything is started, so the user gets a
 * plain reason, not an EAL error.  Server mode: the directory exists and is writable, and
 * no live process listens on the path (a stale socket file is removed).  Client mode and
 * virtio-user: the directory exists (the peer may create the socket later).
 * @return 0, or -errno with the reason in err.
 */
int port_check_path(const char *path, enum port_kind kind, char *err, size_t errlen);

/* Does a process listen on the Unix socket at path (a vhost-user server for a
 * virtio-user port to connect to)? */
bool port_server_listens(const char *path);

/*
 * Create the port's ethdev and start it with nqueues rx and tx queues (one tx queue per
 * worker).  In server mode the socket appears now; in client mode the switch starts
 * connecting, and keeps retrying.  Link-state changes set *link_event.
 * @return 0, or -errno with the reason in err (nothing left behind).
 */
int port_open(struct port *p, uint16_t nqueues, struct rte_mempool *mp, bool *link_event,
	      char *err, size_t errlen);

/* Stop and remove the port (a server-mode socket file is removed).  Idempotent. */
void port_close(struct port *p);

/*
 * What the VM's virtio driver negotiated on a connected vhost-user port: the feature
 * bits and the number of vrings (2 per queue pair).  @return 0, or -ENOTCONN.
 */
int port_virtio(const struct port *p, uint64_t *features, uint16_t *vrings);

/* Read the link state; @return true when it changed since the last call. */
bool port_link_poll(struct port *p);

#endif /* SYD_PORT_H */

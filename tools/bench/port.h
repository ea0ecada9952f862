/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd-bench ports: one net_virtio_user ethdev on a switch's vhost-user socket, with one
 * rx and one tx queue.  This is the VM's side of the link.
 *
 * Everything here runs on syd-bench's one lcore; no function is thread-safe, none needs
 * to be.  A struct port is opened once, polled by the modes (stream, peer) through its
 * ethdev id, and closed once.
 */
#ifndef SYD_BENCH_PORT_H
#define SYD_BENCH_PORT_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>
#include <rte_mempool.h>

#include "frame.h"

#define PORT_MAX       16   /* ports one syd-bench process runs */
#define PORT_PATH_MAX  108  /* sizeof(sockaddr_un.sun_path), with its NUL */
#define PORT_RING_SIZE 1024 /* descriptors per virtqueue (the driver's default is 256) */

/* What the command line says about a port. */
struct port_spec {
	char path[PORT_PATH_MAX];
	bool server; /* we create the socket: the switch's port is a vhost-user client */
	struct rte_ether_addr mac;
	/*
	 * The port plays a remote VTEP on the switch's uplink: it sends its frames in VXLAN
	 * (vx.src is mac), answers ARP for vx.ip_src and reads what it receives inside the
	 * VXLAN headers.
	 */
	bool vxlan;
	struct frame_vxlan vx;
};

struct port {
	struct port_spec spec;
	unsigned int index; /* net_virtio_user<index> */
	uint16_t id;	    /* ethdev port id */
	bool open;
};

/*
 * Create net_virtio_user<index> on spec->path, set up its queues with mbufs from mp and
 * start it.  Client mode connects to the switch's socket, which must exist.  Server mode
 * creates the socket and waits for the switch to connect, at most until deadline_ms
 * (CLOCK_MONOTONIC, see port_now_ms()) or until *stop becomes non-zero; the caller's
 * SIGINT/SIGTERM handlers must interrupt system calls (no SA_RESTART) for that.
 * @return 0; -ETIMEDOUT (deadline passed) or -EINTR (*stop set), with nothing left behind
 *   and err left alone; or another -errno with the reason in err (nothing left behind).
 */
int port_open(struct port *p, const struct port_spec *spec, unsigned int index,
	      struct rte_mempool *mp, uint64_t deadline_ms, const volatile sig_atomic_t *stop,
	      char *err, size_t errlen);

/*
 * Poll the link every 10 ms until it is up.
 * @return 0 (up), -ETIMEDOUT (deadline_ms passed) or -EINTR (*stop became non-zero).
 */
int port_wait_link(const struct port *p, uint64_t deadline_ms, const volatile sig_atomic_t *stop);

/* Whether the link is up now (does not wait). */
bool port_link_up(const struct port *p);

/* Stop and remove the port; a socket we created is removed.  Idempotent. */
void port_close(struct port *p);

/* CLOCK_MONOTONIC in milliseconds, for deadlines. */
uint64_t port_now_ms(void);

#endif /* SYD_BENCH_PORT_H */

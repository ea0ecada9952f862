/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VXLAN tunnels, the main lcore's side: the uplink port, the remote VTEPs and how each
 * is reached on the underlay.
 *
 * Remote VTEPs live in slots that flood lists and MAC entries refer to: an entry
 * learned behind VTEP slot v holds the port value SYD_VTEP_PORT_BASE + v, so the MAC
 * table needs nothing new.  For every VTEP whose next hop is resolved, the published
 * topology carries a ready outer header (overlay/vxlan.h); workers only copy it.
 *
 * Next hops come from the kernel (routes and neighbours of the uplink's interface) when
 * it owns the VTEP address; otherwise the switch answers ARP for its address and asks
 * for next hops itself, with frames it sends through the uplink.  A socket-mode uplink
 * (vhost-server, virtio-user) has no kernel interface: it always answers ARP, and every
 * remote VTEP is on-link (its next hop is itself).
 */
#ifndef SYD_TUNNEL_H
#define SYD_TUNNEL_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

#include "options.h"

#define SYD_MAX_VTEPS      128 /* distinct remote VTEPs */
#define SYD_VTEP_PORT_BASE 64  /* MAC-table port values from here are VTEP slots */
#define SYD_UPLINK_NAME    "uplink"

struct vtep {
	uint32_t addr;    /* network order; 0: the slot is free */
	uint32_t refs;    /* flood lists and static MAC entries naming it */
	uint32_t nexthop; /* addr, or the gateway towards it */
	uint8_t mac[6];   /* the next hop's MAC, when resolved */
	bool resolved;
	uint32_t unanswered; /* our ARP requests since the last answer */
	uint64_t next_ms;    /* when to look again */
};

struct uplink {
	char ifname[16];  /* the kernel interface, or a socket-mode uplink's name; "" when
			   * there is no uplink */
	char path[SYD_SOCK_PATH_MAX]; /* socket modes: the vhost-user socket */
	uint16_t mode;    /* enum syd_uplink_mode */
	uint16_t udp_port;
	uint16_t mtu;
	uint32_t addr;    /* our VTEP address */
	int slot;         /* its port slot */
	bool arp;         /* we answer ARP for addr: the kernel does not own it */
	char driver[16];  /* "af_xdp", "af_packet", "vhost" or "virtio_user" */
	char note[128];
	uint8_t mac[6];       /* the outer source and what our ARP answers */
	uint8_t mac_asked[6]; /* socket modes: as given (0: made from addr) */
};

/* Is u a socket-mode uplink (vhost-server or virtio-user, no kernel interface)? */
bool tunnel_uplink_is_socket(const struct uplink *u);

/* The MAC of a socket-mode uplink given none: locally administered, 02:59 and then
 * the VTEP address, so it stays the same across restarts. */
void tunnel_uplink_mac_for(uint32_t addr, uint8_t mac[6]);

struct dataplane;
struct topology;

/* The slot of remote VTEP addr, or -1. */
int tunnel_vtep_find(const struct dataplane *dp, uint32_t addr);

/* Take a reference on the slot of addr (made if new).  @return it, or -ENOSPC. */
int tunnel_vtep_get(struct dataplane *dp, uint32_t addr);

/* Drop a reference; the last one frees the slot and every MAC entry behind it. */
void tunnel_vtep_put(struct dataplane *dp, int slot);

/*
 * Open u (ifname, mode, addr, udp_port, mtu set; path and mac_asked in socket modes) in
 * port slot: AF_XDP with our steering program, or af_packet (mode af_packet, or auto
 * when AF_XDP fails: the note says why), or net_vhost / net_virtio_user on path.
 * Fills driver, note, mac, arp.  @return 0 or -errno with err.
 */
int tunnel_uplink_open(struct dataplane *dp, struct uplink *u, unsigned int slot, char *err,
		       size_t errlen);

/* Point the steering program at u's address and port again (both may have changed). */
int tunnel_uplink_configure(struct dataplane *dp, struct uplink *u, char *err, size_t errlen);

/* Fill the tunnel part of a topology being built: networks' VNIs and VTEPs, headers. */
void tunnel_fill(const struct dataplane *dp, struct topology *t);

/* Main lcore: punted ARP, next hops to resolve or refresh.  Publishes what changed. */
void tunnel_poll(struct dataplane *dp);

/* Create the punt and inject rings.  @return 0 or -ENOMEM. */
int tunnel_init(struct dataplane *dp);
void tunnel_fini(struct dataplane *dp);

#endif /* SYD_TUNNEL_H */

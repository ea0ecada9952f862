/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The dataplane's side of the XDP steering program (tools/xdp/syd_steer.bpf.c): once
 * DPDK's net_af_xdp has loaded the object (devarg xdp_prog=PATH) and attached it to the
 * uplink interface, these find it there by name and reach its maps through the program's
 * map ids; nothing is pinned and no file descriptor is kept between calls.
 *
 * Main lcore (or any control thread) only: each call makes a few bpf() and netlink system
 * calls.  Needs CAP_SYS_ADMIN (root): the kernel hands out a program's or a map's file
 * descriptor by id to nobody else.
 *
 * Errors are -errno with one sentence in err (err may be NULL when errlen is 0):
 *   -ENODEV  the interface does not exist,
 *   -ENOENT  no XDP program is attached to it, or ours lacks a map we need (an object
 *            built from another version of syd_steer.bpf.c),
 *   -EBUSY   the program attached is not syd_steer (another tool owns the XDP hook),
 *   -EPERM   not root / no CAP_SYS_ADMIN,
 *   another -errno from the kernel, named in the sentence.
 */
#ifndef SYD_XDP_STEER_H
#define SYD_XDP_STEER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The program's counters on one interface, summed over CPUs, since it was loaded. */
struct xdp_steer_stats {
	uint64_t vxlan;	 /* VXLAN for us, redirected into the AF_XDP socket */
	uint64_t arp;	 /* ARP for our address, redirected */
	uint64_t passed; /* not ours, or not configured yet: to the kernel */
	uint64_t no_xsk; /* ours, but no AF_XDP socket on the rx queue it came in: to the kernel */
};

/*
 * Point the steering program attached to ifname at our VTEP address vtep_addr (network
 * order) and VXLAN UDP port udp_port (host order); with steer_arp, ARP whose target is
 * vtep_addr is redirected too.  vtep_addr 0 makes the program pass everything.  Takes
 * effect for the next packet.
 * @return 0, or -errno with err (see above).
 */
int xdp_steer_configure(const char *ifname, uint32_t vtep_addr, uint16_t udp_port, bool steer_arp,
			char *err, size_t errlen);

/*
 * Read the steering program's counters on ifname into *out.
 * @return 0, or -errno with err (see above).
 */
/*
 * Take our steering program off ifname if one is attached: a switch that was killed (not
 * stopped) leaves it there, and net_af_xdp will not attach over it.
 * @return 1 when one was removed, 0 when there was none, or -errno.
 */
int xdp_steer_detach_stale(const char *ifname);

int xdp_steer_stats(const char *ifname, struct xdp_steer_stats *out, char *err, size_t errlen);

#endif /* SYD_XDP_STEER_H */

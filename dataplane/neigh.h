/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The kernel's view of the underlay: routes, neighbours and addresses of an interface.
 *
 * The uplink shares its interface with the host, so the kernel's routing and neighbour
 * tables are the truth about how to reach a remote VTEP, as they are for OVS's
 * tunnel code.  Main lcore only: these read /proc and talk netlink (syscalls).
 * Addresses are IPv4 in network byte order.
 */
#ifndef SYD_NEIGH_H
#define SYD_NEIGH_H

#include <stdbool.h>
#include <stdint.h>

/* Does the kernel have addr on interface ifname? */
bool neigh_addr_is_local(const char *ifname, uint32_t addr);

/*
 * The next hop towards dst through ifname: the gateway of the most specific route out
 * of ifname that covers dst, or dst itself (on-link, also when no route covers it).
 */
uint32_t neigh_nexthop(const char *ifname, uint32_t dst);

/* The MAC the kernel resolved for ip on ifname.  @return true when it has one. */
bool neigh_lookup(const char *ifname, uint32_t ip, uint8_t mac[6]);

/*
 * Ask the kernel to resolve ip on ifname (a neighbour entry with NTF_USE: the kernel
 * sends the ARP request itself).  @return 0 or -errno.
 */
int neigh_resolve(const char *ifname, uint32_t ip);

#endif /* SYD_NEIGH_H */

/* SPDX-License-Identifier: BSD-3-Clause */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/neighbour.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "neigh.h"

bool neigh_addr_is_local(const char *ifname, uint32_t addr)
{
	struct ifaddrs *all, *a;
	bool found = false;

	if (getifaddrs(&all) < 0)
		return false;
	for (a = all; a != NULL && !found; a = a->ifa_next)
		found = a->ifa_addr != NULL && a->ifa_addr->sa_family == AF_INET &&
			strcmp(a->ifa_name, ifname) == 0 &&
			((const struct sockaddr_in *)a->ifa_addr)->sin_addr.s_addr == addr;
	freeifaddrs(all);
	return found;
}

/* /proc/net/route prints each address as the 32-bit value in memory, in hex: reading it
 * back with strtoul gives the network-order value again. */
uint32_t neigh_nexthop(const char *ifname, uint32_t dst)
{
	char line[256], dev[IF_NAMESIZE + 1];
	uint32_t best_mask = 0, best_gw = 0;
	unsigned int d, gw, flags, mask;
	bool found = false;
	FILE *f = fopen("/proc/net/route", "r");

	if (f == NULL)
		return dst;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%16s %x %x %x %*d %*d %*d %x", dev, &d, &gw, &flags, &mask) != 5)
			continue; /* the title line */
		if (strcmp(dev, ifname) != 0 || !(flags & 0x1) /* RTF_UP */ || (dst & mask) != d)
			continue;
		if (found && ntohl(mask) < ntohl(best_mask))
			continue;
		found = true;
		best_mask = mask;
		best_gw = (flags & 0x2) /* RTF_GATEWAY */ ? gw : 0;
	}
	fclose(f);
	return best_gw != 0 ? best_gw : dst;
}

bool neigh_lookup(const char *ifname, uint32_t ip, uint8_t mac[6])
{
	char line[256], addr[64], hw[64], dev[IF_NAMESIZE + 1];
	unsigned int flags, b[6];
	struct in_addr a;
	bool found = false;
	FILE *f = fopen("/proc/net/arp", "r");
	int i;

	if (f == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "%63s %*x %x %63s %*s %16s", addr, &flags, hw, dev) != 4)
			continue;
		if (!(flags & 0x2) /* ATF_COM: resolved */ || strcmp(dev, ifname) != 0 ||
		    inet_pton(AF_INET, addr, &a) != 1 || a.s_addr != ip)
			continue;
		if (sscanf(hw, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]) != 6)
			continue;
		for (i = 0; i < 6; i++)
			mac[i] = (uint8_t)b[i];
		found = true;
	}
	fclose(f);
	return found;
}

int neigh_resolve(const char *ifname, uint32_t ip)
{
	struct {
		struct nlmsghdr n;
		struct ndmsg ndm;
		struct rtattr rta;
		uint32_t dst;
	} req;
	struct {
		struct nlmsghdr n;
		struct nlmsgerr e;
	} ack;
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	unsigned int ifindex = if_nametoindex(ifname);
	int fd, ret;
	ssize_t n;

	if (ifindex == 0)
		return -ENODEV;
	memset(&req, 0, sizeof(req));
	req.n.nlmsg_len = sizeof(req);
	req.n.nlmsg_type = RTM_NEWNEIGH;
	req.n.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK;
	req.n.nlmsg_seq = 1;
	req.ndm.ndm_family = AF_INET;
	req.ndm.ndm_ifindex = (int)ifindex;
	req.ndm.ndm_state = NUD_NONE;
	req.ndm.ndm_flags = NTF_USE; /* "use" the entry: resolve it if it is not */
	req.rta.rta_type = NDA_DST;
	req.rta.rta_len = RTA_LENGTH(sizeof(req.dst));
	req.dst = ip;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	ret = 0;
	if (sendto(fd, &req, sizeof(req), 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0) {
		ret = -errno;
	} else {
		struct timeval tv = {.tv_sec = 1};

		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = recv(fd, &ack, sizeof(ack), 0);
		if (n < 0)
			ret = -errno;
		else if ((size_t)n >= sizeof(ack) && ack.n.nlmsg_type == NLMSG_ERROR)
			ret = ack.e.error;
	}
	close(fd);
	return ret;
}

/* SPDX-License-Identifier: BSD-3-Clause */
/* The steering program's configuration and counters, through libbpf (see xdp_steer.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "proto.h"
#include "xdp_steer.h"
#include "../tools/xdp/syd_steer.h"

#define STEER_MAX_MAPS 16 /* syd_steer has three */

/* Our program on an interface, with the ids of the maps it uses. */
struct steer_prog {
	int fd;
	uint32_t nmaps;
	uint32_t map_ids[STEER_MAX_MAPS];
};

static int fail_perm(char *err, size_t errlen, const char *ifname, const char *what)
{
	return syd_fail(err, errlen, -EPERM,
		    "%s: reading the XDP %s needs root (CAP_SYS_ADMIN); run syd-dataplane as root",
		    ifname, what);
}

/*
 * Find syd_steer among the programs attached to ifname (one per XDP mode: driver, generic,
 * offloaded).  @return 0 with *p open (close p->fd), or -errno with err.
 */
static int prog_open(const char *ifname, struct steer_prog *p, char *err, size_t errlen)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	char other[BPF_OBJ_NAME_LEN] = "";
	uint32_t ids[4], other_id = 0;
	unsigned int ifindex, i;
	int ret;

	ifindex = if_nametoindex(ifname);
	if (ifindex == 0)
		return syd_fail(err, errlen, -ENODEV, "%s: no such interface", ifname);
	ret = bpf_xdp_query((int)ifindex, 0, &q);
	if (ret < 0)
		return syd_fail(err, errlen, ret, "%s: cannot query its XDP programs: %s", ifname,
			    strerror(-ret));
	ids[0] = q.prog_id;
	ids[1] = q.drv_prog_id;
	ids[2] = q.skb_prog_id;
	ids[3] = q.hw_prog_id;
	for (i = 0; i < 4; i++) {
		struct bpf_prog_info info;
		uint32_t len = sizeof(info);

		if (ids[i] == 0 || (i > 0 && ids[i] == ids[0]))
			continue;
		p->fd = bpf_prog_get_fd_by_id(ids[i]);
		if (p->fd < 0) {
			ret = -errno;
			if (ret == -EPERM || ret == -EACCES)
				return fail_perm(err, errlen, ifname, "program");
			return syd_fail(err, errlen, ret, "%s: cannot open XDP program %u: %s", ifname,
				    ids[i], strerror(-ret));
		}
		memset(&info, 0, sizeof(info));
		info.nr_map_ids = STEER_MAX_MAPS;
		info.map_ids = (uint64_t)(uintptr_t)p->map_ids;
		ret = bpf_obj_get_info_by_fd(p->fd, &info, &len);
		if (ret < 0) {
			ret = -errno;
			close(p->fd);
			return syd_fail(err, errlen, ret, "%s: cannot read XDP program %u: %s", ifname,
				    ids[i], strerror(-ret));
		}
		if (strcmp(info.name, SYD_STEER_PROG_NAME) == 0) {
			p->nmaps =
				info.nr_map_ids < STEER_MAX_MAPS ? info.nr_map_ids : STEER_MAX_MAPS;
			return 0;
		}
		snprintf(other, sizeof(other), "%s", info.name);
		other_id = ids[i];
		close(p->fd);
	}
	if (other_id != 0)
		return syd_fail(err, errlen, -EBUSY,
			    "%s: its XDP program is '%s' (id %u), not " SYD_STEER_PROG_NAME
			    ": another tool owns the interface's XDP hook (ip link set dev %s xdp "
			    "off removes it)",
			    ifname, other, other_id, ifname);
	return syd_fail(err, errlen, -ENOENT,
		    "%s: no XDP program attached (net_af_xdp attaches syd_steer.bpf.o when the "
		    "uplink is opened with xdp_prog=PATH)",
		    ifname);
}

/* Open the map called name of p, checking its value size.  @return its fd, or -errno. */
static int map_open(const char *ifname, const struct steer_prog *p, const char *name,
		    uint32_t value_size, char *err, size_t errlen)
{
	unsigned int i;
	int fd, ret;

	for (i = 0; i < p->nmaps; i++) {
		struct bpf_map_info info;
		uint32_t len = sizeof(info);

		fd = bpf_map_get_fd_by_id(p->map_ids[i]);
		if (fd < 0) {
			ret = -errno;
			if (ret == -EPERM || ret == -EACCES)
				return fail_perm(err, errlen, ifname, "program's maps");
			return syd_fail(err, errlen, ret, "%s: cannot open map %u: %s", ifname,
				    p->map_ids[i], strerror(-ret));
		}
		memset(&info, 0, sizeof(info));
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0 && strcmp(info.name, name) == 0) {
			if (info.value_size == value_size)
				return fd;
			close(fd);
			return syd_fail(err, errlen, -ENOENT,
				    "%s: map %s holds %u-byte values, not %u: the XDP object is "
				    "from another version of syd_steer.bpf.c",
				    ifname, name, info.value_size, value_size);
		}
		close(fd);
	}
	return syd_fail(err, errlen, -ENOENT,
		    "%s: the XDP program has no map %s: the object is from another version of "
		    "syd_steer.bpf.c",
		    ifname, name);
}

int xdp_steer_detach_stale(const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct steer_prog p;
	char err[256];
	int ifindex = (int)if_nametoindex(ifname), ret;

	if (ifindex == 0 || prog_open(ifname, &p, err, sizeof(err)) < 0)
		return 0; /* nothing of ours there */
	close(p.fd);
	if (bpf_xdp_query(ifindex, 0, &q) < 0)
		return 0;
	/* Ours, attached in driver or generic mode: take it off in the mode it is in. */
	ret = bpf_xdp_detach(ifindex, q.drv_prog_id ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE,
			     NULL);
	return ret < 0 ? ret : 1;
}

int xdp_steer_configure(const char *ifname, uint32_t vtep_addr, uint16_t udp_port, bool steer_arp,
			char *err, size_t errlen)
{
	struct syd_steer_cfg cfg = {
		.vtep_addr = vtep_addr,
		.udp_port = htons(udp_port),
		.steer_arp = steer_arp ? 1 : 0,
	};
	struct steer_prog p;
	uint32_t key = 0;
	int fd, ret;

	ret = prog_open(ifname, &p, err, errlen);
	if (ret < 0)
		return ret;
	fd = map_open(ifname, &p, SYD_STEER_CFG_MAP, sizeof(cfg), err, errlen);
	close(p.fd);
	if (fd < 0)
		return fd;
	ret = bpf_map_update_elem(fd, &key, &cfg, BPF_ANY);
	if (ret < 0) {
		ret = -errno;
		syd_fail(err, errlen, ret, "%s: cannot write the XDP program's configuration: %s",
		     ifname, strerror(-ret));
	}
	close(fd);
	return ret;
}

int xdp_steer_stats(const char *ifname, struct xdp_steer_stats *out, char *err, size_t errlen)
{
	uint64_t sum[SYD_STEER_MAX] = {0}, *percpu;
	struct steer_prog p;
	uint32_t key;
	int ncpu, fd, ret = 0, i;

	ncpu = libbpf_num_possible_cpus();
	if (ncpu <= 0)
		return syd_fail(err, errlen, ncpu < 0 ? ncpu : -EINVAL, "cannot count the CPUs: %s",
			    strerror(ncpu < 0 ? -ncpu : EINVAL));
	ret = prog_open(ifname, &p, err, errlen);
	if (ret < 0)
		return ret;
	fd = map_open(ifname, &p, SYD_STEER_STATS_MAP, sizeof(uint64_t), err, errlen);
	close(p.fd);
	if (fd < 0)
		return fd;
	percpu = calloc((size_t)ncpu, sizeof(*percpu)); /* per-CPU values: 8 bytes each */
	if (percpu == NULL) {
		close(fd);
		return syd_fail(err, errlen, -ENOMEM, "out of memory");
	}
	for (key = 0; key < SYD_STEER_MAX && ret == 0; key++) {
		if (bpf_map_lookup_elem(fd, &key, percpu) < 0) {
			ret = -errno;
			syd_fail(err, errlen, ret, "%s: cannot read the XDP program's counters: %s",
			     ifname, strerror(-ret));
			break;
		}
		for (i = 0; i < ncpu; i++)
			sum[key] += percpu[i];
	}
	free(percpu);
	close(fd);
	if (ret < 0)
		return ret;
	out->vxlan = sum[SYD_STEER_VXLAN];
	out->arp = sum[SYD_STEER_ARP];
	out->passed = sum[SYD_STEER_PASS];
	out->no_xsk = sum[SYD_STEER_NO_XSK];
	return 0;
}

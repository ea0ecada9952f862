/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * syd_steer: the XDP program on the uplink interface.  It sends into the dataplane's
 * AF_XDP socket only what the switch owns, and passes everything else to the kernel, so
 * the host keeps its own use of the interface (SSH, its own ARP, DHCP, IPv6):
 *
 * - IPv4/UDP, not a fragment (MF and offset clear), to our VTEP address and UDP port;
 * - with steer_arp set, Ethernet/IPv4 ARP whose target IP is our VTEP address (the switch
 *   answers ARP for its address when the kernel does not have it).
 *
 * The frame must be untagged.  Configuration is the one entry of syd_cfg, written by the
 * dataplane once DPDK's net_af_xdp has loaded and attached this object (devarg
 * xdp_prog=PATH); until then the entry is zero and everything is passed.
 *
 * net_af_xdp takes the object's first program, attaches it with
 * XDP_FLAGS_UPDATE_IF_NOEXIST, and puts each AF_XDP socket in the map named xsks_map
 * under its rx queue's index, the key looked up here.  When that queue has no socket,
 * bpf_redirect_map() returns its fallback, XDP_PASS: the kernel gets the packet, as it
 * would without us, and SYD_STEER_NO_XSK counts it.
 *
 * Counters are per CPU (syd_stats, indexed by enum syd_steer_counter); the loader sums
 * them.  Built with clang -target bpf -O2 -g; tools/xdp/meson.build.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "syd_steer.h"

#define IP_MF_OFFSET 0x3fff /* the MF flag and the fragment offset */
#define ARP_BODY_LEN 28	    /* Ethernet/IPv4 ARP */

struct {
	__uint(type, BPF_MAP_TYPE_XSKMAP);
	__uint(max_entries, SYD_STEER_MAX_QUEUES);
	__type(key, __u32);
	__type(value, __u32);
} xsks_map SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct syd_steer_cfg);
} syd_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, SYD_STEER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} syd_stats SEC(".maps");

static __always_inline void count(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&syd_stats, &what);

	if (n)
		*n += 1; /* per CPU: no other writer */
}

static __always_inline int pass(void)
{
	count(SYD_STEER_PASS);
	return XDP_PASS;
}

/* Into the socket of this rx queue, or to the kernel when there is none. */
static __always_inline int steer(struct xdp_md *ctx, __u32 what)
{
	long act = bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS);

	count(act == XDP_REDIRECT ? what : SYD_STEER_NO_XSK);
	return (int)act;
}

/* Is this IPv4 packet UDP to our address and port, and whole (not a fragment)? */
static __always_inline int vxlan_for_us(const struct iphdr *ip, void *end,
					const struct syd_steer_cfg *cfg)
{
	const struct udphdr *udp;
	__u32 ihl;

	if ((void *)(ip + 1) > end)
		return 0;
	if (ip->version != 4 || ip->ihl < 5 || ip->daddr != cfg->vtep_addr ||
	    ip->protocol != IPPROTO_UDP || (ip->frag_off & bpf_htons(IP_MF_OFFSET)))
		return 0;
	ihl = ip->ihl * 4;
	udp = (const void *)ip + ihl;
	if ((void *)(udp + 1) > end)
		return 0;
	return udp->dest == cfg->udp_port;
}

/* Is this Ethernet/IPv4 ARP, target IP our address? */
static __always_inline int arp_for_us(const __u8 *arp, void *end, const struct syd_steer_cfg *cfg)
{
	__u32 tpa;

	if ((void *)(arp + ARP_BODY_LEN) > end)
		return 0;
	/* hardware type 1, protocol 0x0800, lengths 6 and 4 */
	if (arp[0] != 0 || arp[1] != 1 || arp[2] != 0x08 || arp[3] != 0 || arp[4] != 6 ||
	    arp[5] != 4)
		return 0;
	__builtin_memcpy(&tpa, arp + 24, sizeof(tpa));
	return tpa == cfg->vtep_addr;
}

SEC("xdp")
int syd_steer(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	const struct ethhdr *eth = data;
	const struct syd_steer_cfg *cfg;
	__u32 zero = 0;

	cfg = bpf_map_lookup_elem(&syd_cfg, &zero);
	if (!cfg || cfg->vtep_addr == 0)
		return pass();
	if ((void *)(eth + 1) > end)
		return pass();
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		if (vxlan_for_us((const void *)(eth + 1), end, cfg))
			return steer(ctx, SYD_STEER_VXLAN);
	} else if (eth->h_proto == bpf_htons(ETH_P_ARP) && cfg->steer_arp) {
		if (arp_for_us((const void *)(eth + 1), end, cfg))
			return steer(ctx, SYD_STEER_ARP);
	}
	return pass();
}

/* No GPL-only helper is used; the dual licence keeps that door open. */
char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Drop reasons: the one list of why the dataplane frees a packet it did not send.
 *
 * Every place that frees a packet names one of these, and the counter for it rises
 * by one.  A reason's code is part of what operators and scripts see: a code is never
 * reused or renumbered; a retired reason keeps its line with the name "retired_N".
 * The list generates the enum, the names and the descriptions, so they cannot drift.
 */
#ifndef SYD_DROP_H
#define SYD_DROP_H

/* _(ENUM_SUFFIX, code, "name", "what it means") */
#define SYD_FOREACH_DROP(_)                                                                        \
	_(LINK_DOWN, 1, "link_down", "output port has no peer connected")                          \
	_(TX_FULL, 2, "tx_full", "output queue full (the peer is not taking packets)")             \
	_(SHORT_ETH, 3, "short_eth", "frame shorter than an Ethernet header")                      \
	_(SHORT_VLAN, 4, "short_vlan", "802.1Q/802.1ad tag cut short")                              \
	_(SRC_MAC_MCAST, 5, "src_mac_multicast", "source MAC is multicast or broadcast")           \
	_(HAIRPIN, 6, "hairpin", "destination MAC was learned on the input port")                  \
	_(FLOOD_NO_PORT, 7, "flood_no_port", "no other port of the network is up to flood to")     \
	_(NO_NETWORK, 8, "no_network", "input port is not attached to a network")                  \
	_(UPLINK_OTHER, 9, "uplink_other", "uplink frame neither IPv4 nor ARP (the kernel has it)")  \
	_(VXLAN_SHORT, 10, "vxlan_short", "uplink frame cut short inside its outer headers")         \
	_(VXLAN_BAD_IP, 11, "vxlan_bad_ip", "malformed outer IPv4 header")                         \
	_(VXLAN_FRAGMENT, 12, "vxlan_fragment", "outer IPv4 fragment (VXLAN is not reassembled)")    \
	_(VXLAN_NOT_UDP, 13, "vxlan_not_udp", "outer IPv4 packet is not UDP")                      \
	_(VXLAN_NOT_OURS, 14, "vxlan_not_ours", "outer destination is not our VTEP address")        \
	_(VXLAN_BAD_PORT, 15, "vxlan_bad_port", "UDP destination port is not our VXLAN port")        \
	_(VXLAN_NO_I_FLAG, 16, "vxlan_no_i_flag", "VXLAN header without the I (valid VNI) flag")     \
	_(VXLAN_SHORT_INNER, 17, "vxlan_short_inner", "inner frame shorter than an Ethernet header") \
	_(VXLAN_UNKNOWN_VNI, 18, "vxlan_unknown_vni", "VNI of no network on this switch")           \
	_(MTU_EXCEEDED, 19, "mtu_exceeded", "frame too big for the underlay MTU once encapsulated")  \
	_(VTEP_UNRESOLVED, 20, "vtep_unresolved", "next hop towards the remote VTEP not resolved")   \
	_(TUNNEL_HAIRPIN, 21, "tunnel_hairpin", "frame from a remote VTEP to a remote VTEP")        \
	_(PUNT_FULL, 22, "punt_full", "ARP for our VTEP came faster than the main lcore takes it")   \
	_(NO_MBUF, 23, "no_mbuf", "no buffer for a copy to a remote VTEP (mempool empty)")        \
	_(VXLAN_UNKNOWN_VTEP, 24, "vxlan_unknown_vtep", "VXLAN from a VTEP not in the VNI's flood list") \
	_(UPLINK_VLAN, 25, "uplink_vlan", "VLAN-tagged frame on the uplink (VXLAN runs untagged)")   \
	_(VXLAN_BAD_UDP_LEN, 26, "vxlan_bad_udp_len", "UDP length below its headers or past the datagram") \
	_(FLOW_DROP, 27, "flow_drop", "a flow rule's actions drop it (actions=drop)")               \
	_(FLOW_TABLE_MISS, 28, "flow_table_miss", "no flow rule matched in the table goto_table sent it to") \
	_(FLOW_NO_PORT, 29, "flow_no_port", "a flow rule's output port is gone or not up")           \
	_(FLOW_NO_VTEP, 30, "flow_no_vtep", "a flow rule's encap names a VTEP the switch does not have")

enum syd_drop {
	SYD_DROP_NONE = 0,
#define SYD_DROP_ENUM(sym, code, name, help) SYD_DROP_##sym = code,
	SYD_FOREACH_DROP(SYD_DROP_ENUM)
#undef SYD_DROP_ENUM
	SYD_DROP_MAX /* one past the highest code: sizes counter arrays */
};

/*
 * Is the reason counted on the output port (the packet was forwarded to a port that
 * could not take it)?  The others are counted on the input port.
 */
static inline int syd_drop_at_output(unsigned int code)
{
	return code == SYD_DROP_LINK_DOWN || code == SYD_DROP_TX_FULL ||
	       code == SYD_DROP_MTU_EXCEEDED || code == SYD_DROP_VTEP_UNRESOLVED ||
	       code == SYD_DROP_NO_MBUF;
}

/* Name of a drop reason ("link_down"), or NULL for a code that is not in the list. */
const char *syd_drop_name(unsigned int code);

/* One-line description of a drop reason, or NULL for a code that is not in the list. */
const char *syd_drop_help(unsigned int code);

#endif /* SYD_DROP_H */

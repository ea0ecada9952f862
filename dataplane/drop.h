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
	_(NO_NETWORK, 8, "no_network", "input port is not attached to a network")

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
	return code == SYD_DROP_LINK_DOWN || code == SYD_DROP_TX_FULL;
}

/* Name of a drop reason ("link_down"), or NULL for a code that is not in the list. */
const char *syd_drop_name(unsigned int code);

/* One-line description of a drop reason, or NULL for a code that is not in the list. */
const char *syd_drop_help(unsigned int code);

#endif /* SYD_DROP_H */

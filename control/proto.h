/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Switchyard wire protocol: the one header both sides include.
 *
 * syd-control talks to syd-dataplane, and sydctl to syd-control, over SOCK_SEQPACKET
 * Unix sockets: one message per datagram, so there is no framing code.  Every message
 * starts with struct syd_hdr; its body is a fixed-size struct or an array of them, in
 * host byte order (both ends are on one host).  proto.md beside this file is the
 * specification, with the version rules.
 *
 * Requests get exactly one reply with the request's xid: SYD_MSG_OK, SYD_MSG_ERROR,
 * a single answer (SYD_MSG_HELLO, SYD_MSG_INFO), or a dump: any number of messages of
 * one entry type followed by SYD_MSG_DONE.  Events (xid 0) may arrive at any time after
 * the hello.  Strings are fixed-size, NUL-terminated within their field.
 *
 * proto_check() validates everything a message carries before anyone reads it; code
 * that handles a message may trust what proto_check() accepted.  No EAL needed.
 */
#ifndef SYD_PROTO_H
#define SYD_PROTO_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SYD_PROTO_VERSION   5
#define SYD_PROTO_MSG_MAX   (256 * 1024) /* bytes, header included */
#define SYD_PROTO_BATCH_MAX 1200         /* operations in one batch */
#define SYD_PROTO_NAME_LEN  32           /* name fields; names are 1-24 of [A-Za-z0-9_-] */
#define SYD_PROTO_NAME_MAX  24
#define SYD_PROTO_PATH_LEN  108          /* socket path or interface name, NUL included */
#define SYD_PROTO_TEXT_MAX  512          /* error text, NUL included */
#define SYD_PROTO_DROPS     32           /* drop counters per port, indexed by drop code */
#define SYD_PROTO_WORKERS   16

struct syd_hdr {
	uint16_t version; /* SYD_PROTO_VERSION */
	uint16_t type;    /* enum syd_msg_type */
	uint16_t flags;   /* 0; reserved */
	uint16_t reserved;
	uint32_t length;  /* whole message, header included */
	uint32_t xid;     /* chosen by the requester, echoed in replies; 0 for events */
};

enum syd_msg_type {
	/* replies */
	SYD_MSG_OK = 1,	   /* empty */
	SYD_MSG_ERROR = 2, /* struct syd_error */
	SYD_MSG_DONE = 3,  /* empty: ends a dump */
	/* both ways: first message on a connection, and its answer */
	SYD_MSG_HELLO = 4, /* struct syd_hello */
	/* requests */
	SYD_MSG_BATCH = 5,	/* struct syd_batch + count x struct syd_op; answered OK/ERROR */
	SYD_MSG_BARRIER = 6,	/* empty; OK once every earlier change is visible to workers */
	SYD_MSG_DUMP_PORTS = 7, /* empty; dump of SYD_MSG_PORTS */
	SYD_MSG_DUMP_NETWORKS = 8,
	SYD_MSG_DUMP_MACS = 9,
	SYD_MSG_GET_PORT_STATS = 10,
	SYD_MSG_GET_WORKER_STATS = 11,
	SYD_MSG_GET_INFO = 12,		 /* answered by SYD_MSG_INFO */
	SYD_MSG_CLEAR_STATS = 13,	 /* empty; OK: counters read from now start at zero */
	SYD_MSG_DUMP_DROPS = 14,	 /* empty; dump of SYD_MSG_DROPS: the drop ledger */
	SYD_MSG_CLEAR_WORKER_STATS = 15, /* empty; OK: worker counters only start at zero */
	SYD_MSG_TRACE_START =
		16, /* struct syd_trace_req; OK: the next matching packets are traced */
	SYD_MSG_DUMP_TRACE = 17, /* empty; dump of SYD_MSG_TRACE: the records so far */
	SYD_MSG_DUMP_VTEPS = 18, /* empty; dump of SYD_MSG_VTEPS: remote VTEPs per network */
	SYD_MSG_GET_UPLINK = 19, /* empty; answered by SYD_MSG_UPLINK */
	/* dump entries and answers */
	SYD_MSG_PORTS = 20,	   /* array of struct syd_port_info */
	SYD_MSG_NETWORKS = 21,	   /* array of struct syd_net_info */
	SYD_MSG_MACS = 22,	   /* array of struct syd_mac_info */
	SYD_MSG_PORT_STATS = 23,   /* array of struct syd_port_stats */
	SYD_MSG_WORKER_STATS = 24, /* array of struct syd_worker_stats */
	SYD_MSG_INFO = 25,	   /* struct syd_info */
	SYD_MSG_DROPS = 26,	   /* array of struct syd_drop_record */
	SYD_MSG_TRACE = 27,	   /* array of struct syd_trace_record */
	SYD_MSG_VTEPS = 28,	   /* array of struct syd_vtep_info */
	SYD_MSG_UPLINK = 29,	   /* struct syd_uplink_info */
	/* events, xid 0 */
	SYD_MSG_EVENT_LINK = 30, /* struct syd_event_link */
	/* flow tables (requests, then their answers) */
	SYD_MSG_FLOW_MOD = 31,	 /* struct syd_flow_batch + count mods, each a struct
				  * syd_flow_mod cut after its actions (SYD_FLOW_MOD_SIZE);
				  * OK/ERROR: all or nothing, in order */
	SYD_MSG_DUMP_FLOWS = 32, /* empty; dump of SYD_MSG_FLOWS: every rule, by table */
	SYD_MSG_FLOWS = 33,	 /* array of struct syd_flow_stats */
	SYD_MSG_FLOW_TRACE = 34, /* struct syd_flow_probe; dump of SYD_MSG_FLOW_STEPS */
	SYD_MSG_FLOW_STEPS = 35, /* array of struct syd_flow_step: what each table did */
	SYD_MSG_TYPE_MAX
};

/*
 * How the uplink reaches the underlay (SYD_OP_UPLINK_SET's kind).  The first three go
 * through a kernel interface (path); the socket modes are a DPDK port with no kernel
 * interface at all: the uplink has a name (name) and a vhost-user socket (path), and the
 * switch answers ARP for its VTEP address and resolves remote VTEPs (on-link) itself.
 */
enum syd_uplink_mode {
	SYD_UPLINK_AUTO = 1,      /* AF_XDP with our steering program; af_packet if XDP fails */
	SYD_UPLINK_AF_XDP = 2,    /* AF_XDP or nothing */
	SYD_UPLINK_AF_PACKET = 3, /* af_packet: every frame is copied to the switch as well */
	SYD_UPLINK_VHOST_SERVER = 4, /* net_vhost: the switch listens on the socket path */
	SYD_UPLINK_VIRTIO_USER = 5,  /* net_virtio_user: the switch connects to a vhost-user
				      * server on path (such as another switch's uplink) */
	SYD_UPLINK_MODE_MAX
};

#define SYD_UPLINK_NAME_MAX 15 /* a socket-mode uplink's name, as long as an interface's */

/* Does the uplink mode use a vhost-user socket (no kernel interface)? */
static inline bool proto_uplink_is_socket(unsigned int mode)
{
	return mode == SYD_UPLINK_VHOST_SERVER || mode == SYD_UPLINK_VIRTIO_USER;
}

#define SYD_VXLAN_PORT    4789 /* IANA; SYD_OP_UPLINK_SET's default */
#define SYD_UNDERLAY_MTU  1500 /* SYD_OP_UPLINK_SET's default */
#define SYD_VNI_MAX       16777215

struct syd_hello {
	uint32_t version_min; /* versions the sender speaks */
	uint32_t version_max;
	char software[SYD_PROTO_NAME_LEN]; /* "syd-dataplane 0.1.0", for logs */
};

struct syd_error {
	int32_t code;     /* a positive errno value: EINVAL, ENOENT, EEXIST, ENOSPC, EBUSY... */
	uint32_t reserved;
	char text[];      /* NUL-terminated, at most SYD_PROTO_TEXT_MAX with the NUL */
};

enum syd_port_kind {
	SYD_PORT_VHOST_SERVER = 1, /* the switch creates the socket; QEMU connects */
	SYD_PORT_VHOST_CLIENT = 2, /* QEMU is the server; the switch connects, reconnects */
	SYD_PORT_AF_PACKET = 3,    /* a kernel interface, through AF_PACKET */
	SYD_PORT_TAP = 4,          /* a tap interface the switch creates */
	SYD_PORT_KIND_MAX
};

enum syd_op_type {
	SYD_OP_NET_ADD = 1,   /* name */
	SYD_OP_NET_DEL = 2,   /* name; the network must have no ports */
	SYD_OP_PORT_ADD = 3,  /* name, kind, path, network ("" = none) */
	SYD_OP_PORT_DEL = 4,  /* name */
	SYD_OP_ATTACH = 5,    /* name (port), network */
	SYD_OP_DETACH = 6,    /* name (port) */
	SYD_OP_MAC_ADD = 7,   /* network, mac, name (port): a static entry */
	SYD_OP_MAC_DEL = 8,   /* network, mac */
	SYD_OP_MAC_FLUSH = 9, /* network ("" = all): learned entries */
	SYD_OP_VTEP_ADD = 10, /* network, addr: a remote VTEP joins the network's flood list */
	SYD_OP_VTEP_DEL = 11, /* network, addr; MAC entries behind it in the network go too */
	SYD_OP_NET_VNI = 12,  /* name, vni (0: the network stays on this host): change the VNI */
	SYD_OP_UPLINK_SET = 13, /* kind (mode), addr (our VTEP), udp_port, mtu; kernel modes:
				 * path (interface); socket modes: name, path (socket), mac
				 * (0: one made from addr) */
	SYD_OP_UPLINK_DEL = 14, /* nothing: the switch stops tunnelling */
	SYD_OP_TYPE_MAX
};

/*
 * One change.  Fields an operation does not use must be zero.  Addresses are IPv4 in
 * network byte order.  SYD_OP_NET_ADD takes an optional vni (0: no tunnel; VNIs are
 * unique); SYD_OP_MAC_ADD names either a port (name) or a remote VTEP (addr), not both.
 */
struct syd_op {
	uint16_t type; /* enum syd_op_type */
	uint16_t kind; /* PORT_ADD: enum syd_port_kind; UPLINK_SET: enum syd_uplink_mode */
	uint32_t reserved;
	char name[SYD_PROTO_NAME_LEN];
	char network[SYD_PROTO_NAME_LEN];
	char path[SYD_PROTO_PATH_LEN];
	uint8_t mac[6];
	uint16_t udp_port; /* UPLINK_SET: VXLAN's UDP port, 0 = SYD_VXLAN_PORT */
	uint32_t vni;      /* NET_ADD, NET_VNI: 1 to SYD_VNI_MAX, or 0 */
	uint32_t addr;     /* VTEP_ADD/DEL, MAC_ADD: a remote VTEP; UPLINK_SET: ours */
	uint16_t mtu;      /* UPLINK_SET: the underlay's IP MTU, 0 = SYD_UNDERLAY_MTU */
	uint16_t pad;
};

/* A batch: applied all or nothing, in order. */
struct syd_batch {
	uint32_t count;
	uint32_t reserved;
	struct syd_op op[];
};

struct syd_port_info {
	char name[SYD_PROTO_NAME_LEN];
	char network[SYD_PROTO_NAME_LEN]; /* "" when not attached */
	char path[SYD_PROTO_PATH_LEN];
	uint16_t kind;
	uint8_t up;
	uint8_t pad;
	uint32_t index;
	uint64_t link_changes;
	uint64_t virtio_features; /* vhost-user, connected: what the VM's driver negotiated */
	uint16_t vrings;          /* vhost-user, connected: 2 per queue pair */
	uint16_t pad2[3];
};

struct syd_net_info {
	char name[SYD_PROTO_NAME_LEN];
	uint32_t index;
	uint32_t nports;
	uint32_t nmacs;
	uint32_t vni; /* 0: the network stays on this host */
};

struct syd_mac_info {
	char network[SYD_PROTO_NAME_LEN];
	char port[SYD_PROTO_NAME_LEN];
	uint8_t mac[6];
	uint8_t is_static;
	uint8_t pad;
	uint32_t age_s;  /* seconds since last seen (0 for static entries) */
	uint32_t remote; /* behind this remote VTEP (port is ""), or 0 */
	uint32_t reserved;
};

/* A remote VTEP of a network, and how the switch reaches it. */
struct syd_vtep_info {
	char network[SYD_PROTO_NAME_LEN];
	uint32_t addr;    /* the remote VTEP */
	uint32_t nexthop; /* the underlay next hop: addr itself when on-link */
	uint8_t mac[6];   /* the next hop's MAC, once resolved */
	uint8_t resolved; /* 1 when mac is known: frames to this VTEP can be sent */
	uint8_t pad;
	uint32_t nmacs;   /* MAC entries of the network learned behind it */
};

/* The uplink: the kernel interface or the vhost-user socket VXLAN goes in and out of. */
struct syd_uplink_info {
	char ifname[16];  /* kernel modes: the interface; socket modes: the uplink's name; ""
			   * when there is no uplink */
	char driver[16];  /* "af_xdp", "af_packet", "vhost" or "virtio_user" */
	char note[128];   /* why the mode is what it is (a fallback's cause), or "" */
	uint32_t addr;    /* our VTEP address */
	uint16_t udp_port;
	uint16_t mtu;     /* underlay IP MTU */
	uint16_t mode;    /* enum syd_uplink_mode, as asked */
	uint8_t mac[6];   /* the interface's MAC: the outer source */
	uint8_t up;
	uint8_t arp;      /* 1: the switch answers ARP for addr (the kernel does not own it) */
	uint8_t mac_asked[6]; /* socket modes: the MAC given (0: made from addr) */
	char path[SYD_PROTO_PATH_LEN]; /* socket modes: the vhost-user socket; "" otherwise */
};

struct syd_port_stats {
	char name[SYD_PROTO_NAME_LEN];
	uint64_t rx_packets;
	uint64_t rx_bytes;
	uint64_t forwarded; /* received and handed on (rx = forwarded + rx-side drops) */
	uint64_t tx_packets;
	uint64_t tx_bytes;
	uint64_t drops[SYD_PROTO_DROPS]; /* by drop code (dataplane/drop.h) */
	uint64_t rx_missed; /* dropped by the device before the switch polled them (its rx
			     * ring was full): not in rx_packets */
};

#define SYD_PROTO_BURST_BUCKETS 6
struct syd_worker_stats {
	uint32_t id;
	uint32_t lcore;
	uint64_t busy_cycles;
	uint64_t idle_cycles;
	uint64_t packets;
	uint64_t iterations;
	/* Bursts received by size: 1, 2-3, 4-7, 8-15, 16-31, 32 packets. */
	uint64_t burst[SYD_PROTO_BURST_BUCKETS];
	uint64_t flow_cache_hits;   /* table-0 lookups its exact-match cache answered */
	uint64_t flow_cache_misses; /* and those that went to the classifier */
	uint64_t switch_cycles;	    /* of busy_cycles, those spent switching what it received
				     * (parsing, flow tables, L2 switch), not in rx or tx */
	char rxqs[96]; /* the rx queues it polls, as "vm1:0 vm2:0" */
};

struct syd_info {
	char software[SYD_PROTO_NAME_LEN];
	char file_prefix[64];
	uint64_t uptime_ms;
	uint64_t tsc_hz;
	uint32_t main_lcore;
	uint32_t nworkers;
	uint32_t worker_lcore[SYD_PROTO_WORKERS];
	uint32_t mbufs_in_use;
	uint32_t mbufs_total;
	uint32_t mac_entries;
	uint32_t mac_capacity;
	uint32_t nports;
	uint32_t nnetworks;
	uint32_t flow_rules;  /* in every table */
	uint32_t pad;
	uint64_t flow_memory; /* bytes the flow tables hold */
};

/* A dropped packet from the ledger: the last few of each reason, per worker. */
#define SYD_PROTO_SNAP 128
struct syd_drop_record {
	char port[SYD_PROTO_NAME_LEN];
	uint64_t time_ns; /* CLOCK_REALTIME */
	uint16_t reason;  /* drop code */
	uint16_t len;     /* the packet's length */
	uint16_t caplen;  /* bytes kept in data, at most SYD_PROTO_SNAP */
	uint16_t pad;
	uint8_t data[SYD_PROTO_SNAP];
};

/*
 * Flow tables: an OpenFlow 1.3-style pipeline of SYD_FLOW_TABLES tables.  A packet starts
 * in table 0; the highest-priority rule whose match covers it runs its actions; a miss in
 * table 0 is "normal" (the L2 switch of the packet's network), a miss in a later table a
 * drop (flow_table_miss).  A rule is identified by (table, priority, match).
 */
#define SYD_FLOW_TABLES    16
#define SYD_FLOW_ACTIONS   8
#define SYD_FLOW_BATCH_MAX 400 /* flow mods in one FLOW_MOD message */

/* Match fields: a rule matches only on the fields flagged in syd_flow_match.fields. */
#define SYD_FM_IN_PORT    (1u << 0)
#define SYD_FM_NETWORK    (1u << 1)  /* the packet's network (its input port's, or its VNI's) */
#define SYD_FM_ETH_SRC    (1u << 2)  /* with eth_src_mask */
#define SYD_FM_ETH_DST    (1u << 3)  /* with eth_dst_mask */
#define SYD_FM_VLAN       (1u << 4)  /* outer VLAN id; vlan 0xffff: untagged only */
#define SYD_FM_ETHERTYPE  (1u << 5)  /* after VLAN tags */
#define SYD_FM_IP_SRC     (1u << 6)  /* IPv4 prefix ip_src/ip_src_len */
#define SYD_FM_IP_DST     (1u << 7)
#define SYD_FM_IP_PROTO   (1u << 8)
#define SYD_FM_L4_SRC     (1u << 9)  /* TCP/UDP/SCTP source port */
#define SYD_FM_L4_DST     (1u << 10)
#define SYD_FM_VNI        (1u << 11) /* arrived through a tunnel with this VNI */
#define SYD_FM_TUN_REMOTE (1u << 12) /* arrived from this remote VTEP */
#define SYD_FM_ALL        0x1fffu

struct syd_flow_match {
	uint32_t fields;          /* SYD_FM_* */
	uint32_t vni;
	char in_port[SYD_PROTO_NAME_LEN];
	char network[SYD_PROTO_NAME_LEN];
	uint8_t eth_src[6];
	uint8_t eth_src_mask[6];  /* all ones when the whole MAC matters */
	uint8_t eth_dst[6];
	uint8_t eth_dst_mask[6];
	uint16_t vlan;
	uint16_t ethertype;
	uint32_t ip_src;          /* network order, host bits zero */
	uint32_t ip_dst;
	uint8_t ip_src_len;       /* prefix length 0-32 */
	uint8_t ip_dst_len;
	uint8_t ip_proto;
	uint8_t pad;
	uint16_t l4_src;          /* host order */
	uint16_t l4_dst;
	uint32_t tun_remote;      /* network order */
};

enum syd_flow_action_type {
	SYD_FA_OUTPUT = 1,      /* port */
	SYD_FA_NORMAL = 2,      /* the L2 switch of the packet's network */
	SYD_FA_FLOOD = 3,       /* every other port of the network, and its VTEPs */
	SYD_FA_DROP = 4,        /* alone: an explicit drop (no actions is one too) */
	SYD_FA_ENCAP = 5,       /* addr (remote VTEP), vni: VXLAN out of the uplink */
	SYD_FA_PUSH_VLAN = 6,   /* vlan */
	SYD_FA_POP_VLAN = 7,
	SYD_FA_SET_VLAN = 8,    /* vlan: rewrite the outer tag's id */
	SYD_FA_SET_ETH_SRC = 9, /* mac */
	SYD_FA_SET_ETH_DST = 10,
	SYD_FA_GOTO_TABLE = 11, /* table: a later table; the last action */
	SYD_FA_TYPE_MAX
};

struct syd_flow_action {
	uint16_t type;  /* enum syd_flow_action_type */
	uint16_t vlan;  /* 0-4095 */
	uint32_t vni;
	uint32_t addr;  /* network order */
	uint8_t mac[6];
	uint8_t table;
	uint8_t pad;
	char port[SYD_PROTO_NAME_LEN];
};

struct syd_flow {
	uint64_t cookie;       /* the user's; not part of the identity */
	uint16_t priority;     /* higher wins */
	uint8_t table;         /* 0 to SYD_FLOW_TABLES-1 */
	uint8_t nactions;      /* 0: drop */
	uint16_t idle_timeout; /* seconds without a packet before the rule goes; 0: never */
	uint16_t pad;
	struct syd_flow_match match;
	struct syd_flow_action action[SYD_FLOW_ACTIONS];
};

enum syd_flow_command {
	SYD_FC_ADD = 1,           /* add, or replace the rule with the same identity */
	SYD_FC_MODIFY = 2,        /* new actions (and cookie, idle timeout) for that rule: ENOENT
				   * if there is none */
	SYD_FC_DELETE = 3,        /* every rule of flow.table (0xff: any) whose match has every
				   * field of flow.match with the same values: an empty match
				   * deletes them all */
	SYD_FC_DELETE_STRICT = 4, /* the rule with that identity: ENOENT if there is none */
	SYD_FC_MAX
};

struct syd_flow_mod {
	uint16_t command; /* enum syd_flow_command */
	uint16_t reserved;
	uint32_t pad;
	struct syd_flow flow;
};

/*
 * A FLOW_MOD's body: this, then count mods, one after another, each a struct syd_flow_mod
 * cut after its flow.nactions actions and padded with zeros to a multiple of 8 bytes:
 * SYD_FLOW_MOD_SIZE(nactions), 200 bytes for one action (version 3 sent all
 * SYD_FLOW_ACTIONS, 560 bytes whatever the rule had).
 * proto_flow_mod_append() writes one, proto_flow_iter_next() reads one back whole.
 */
struct syd_flow_batch {
	uint32_t count; /* at most SYD_FLOW_BATCH_MAX */
	uint32_t reserved;
};

#define SYD_FLOW_MOD_USED(nactions)                                                                \
	(offsetof(struct syd_flow_mod, flow.action) +                                              \
	 (size_t)(nactions) * sizeof(struct syd_flow_action))
/* A mod of nactions on the wire: its used bytes, then zeros up to a multiple of 8. */
#define SYD_FLOW_MOD_SIZE(nactions) ((SYD_FLOW_MOD_USED(nactions) + 7) & ~(size_t)7)

/*
 * A FLOWS entry: the counters, then the rule cut after its flow.nactions actions and
 * padded with zeros to a multiple of 8 bytes: SYD_FLOW_STATS_SIZE(nactions), 216 bytes
 * for one action (version 3 sent every entry whole, the rule first: 576 bytes).
 * proto_flow_stats_next() reads one back whole.
 */
struct syd_flow_stats {
	uint64_t packets;
	uint64_t bytes;
	uint32_t age_s;	      /* since it was added */
	uint32_t idle_s;      /* since its last packet (or since added) */
	struct syd_flow flow; /* last: cut after its actions */
};

#define SYD_FLOW_STATS_USED(nactions)                                                              \
	(offsetof(struct syd_flow_stats, flow.action) +                                            \
	 (size_t)(nactions) * sizeof(struct syd_flow_action))
#define SYD_FLOW_STATS_SIZE(nactions) ((SYD_FLOW_STATS_USED(nactions) + 7) & ~(size_t)7)

/* A packet for FLOW_TRACE: what it would meet, given in the fields a rule can match. */
struct syd_flow_probe {
	char in_port[SYD_PROTO_NAME_LEN];
	uint8_t eth_src[6];
	uint8_t eth_dst[6];
	uint16_t vlan;      /* 0xffff: untagged */
	uint16_t ethertype;
	uint32_t ip_src;    /* network order */
	uint32_t ip_dst;
	uint8_t ip_proto;
	uint8_t pad[3];
	uint16_t l4_src;
	uint16_t l4_dst;
};

/* One step of a trace: a table's lookup, or what the packet finally did. */
struct syd_flow_step {
	uint8_t table;   /* 0xff: the outcome, after the pipeline */
	uint8_t matched; /* 1: a rule matched (flow is it) */
	uint16_t pad;
	uint32_t pad2;
	struct syd_flow flow;
	char what[128];  /* e.g. "table miss: normal", "output to vm2", "dropped: no rule" */
};

/* Which packets to trace: the fields flagged must match (none: every packet). */
#define SYD_TRACE_IN_PORT (1u << 0)
#define SYD_TRACE_SRC     (1u << 1)
#define SYD_TRACE_DST     (1u << 2)
#define SYD_TRACE_IP_SRC  (1u << 3)
#define SYD_TRACE_IP_DST  (1u << 4)
#define SYD_TRACE_MAX     64
struct syd_trace_req {
	uint32_t fields; /* SYD_TRACE_* */
	uint32_t count;  /* packets to trace, 1 to SYD_TRACE_MAX */
	char in_port[SYD_PROTO_NAME_LEN];
	uint8_t src[6];
	uint8_t dst[6];
	uint32_t ip_src; /* network order */
	uint32_t ip_dst;
};

/* What each stage did to one traced packet. */
struct syd_trace_record {
	char in_port[SYD_PROTO_NAME_LEN];
	char out_port[SYD_PROTO_NAME_LEN]; /* unicast output, "" otherwise */
	uint64_t time_ns;  /* CLOCK_REALTIME */
	uint32_t len;
	uint16_t worker;
	int16_t parse;     /* 0, or the drop code the parser gave */
	uint8_t src;       /* 1 known, 2 learn requested, 3 same as the burst's previous */
	uint8_t dst;       /* 1 broadcast/multicast, 2 unknown unicast, 3 known unicast */
	uint8_t dst_cached; /* the destination came from the burst's one-entry cache */
	uint8_t drop;      /* drop code, 0 when sent on */
	uint16_t nout;     /* ports it was handed to */
	uint16_t vlan_tci;
	uint16_t ethertype;
	uint16_t flags;    /* PKT_F_* of dataplane/parse.h */
	uint8_t ip_proto;
	uint8_t l3_err;
	uint32_t ip_src;
	uint32_t ip_dst;
	uint16_t l4_src;   /* network order */
	uint16_t l4_dst;
	uint8_t mac_dst[6];
	uint8_t mac_src[6];
	uint8_t flow;           /* flow tables: 0 none, 1 a rule ran (the last one's table and
				 * priority follow), 2 no rule of table 0 matched (normal) */
	uint8_t flow_table;
	uint16_t flow_priority;
};

struct syd_event_link {
	char port[SYD_PROTO_NAME_LEN];
	uint8_t up;
	uint8_t pad[7];
};

/*
 * Check a received message of len bytes: header (version, length, type, flags), body
 * size for its type, and every field (names, kinds, op types, unused fields zero, NUL
 * termination).  @return 0, or a negative errno with a sentence in err:
 *   -EBADMSG  shorter than a header, or length field disagrees with len;
 *   -EPROTONOSUPPORT  another protocol version;
 *   -EMSGSIZE  longer than SYD_PROTO_MSG_MAX;
 *   -EOPNOTSUPP  unknown message type;
 *   -EINVAL  a bad body or field;  -E2BIG  a batch of more than SYD_PROTO_BATCH_MAX.
 */
int proto_check(const void *msg, size_t len, char *err, size_t errlen);

/* Name of a message type or op type, for logs ("BATCH"), or "unknown". */
const char *proto_msg_name(unsigned int type);
const char *proto_op_name(unsigned int type);
const char *proto_port_kind_name(unsigned int kind);
/* enum syd_port_kind of "vhost-server" etc., or 0. */
unsigned int proto_port_kind_parse(const char *s);
/* "auto", "af_xdp", "af_packet", "vhost-server", "virtio-user" and back (0 when unknown). */
const char *proto_uplink_mode_name(unsigned int mode);
unsigned int proto_uplink_mode_parse(const char *s);
/* A unicast IPv4 address (network order) a VTEP may have: not 0/8, 127/8 or 224/3. */
bool proto_unicast_ipv4(uint32_t addr);

/* An op of type naming name and network (NULL: none), every other field zero. */
struct syd_op proto_op(uint16_t type, const char *name, const char *network);

/* A valid name: 1-24 of [A-Za-z0-9_-], NUL-terminated within a field of field_len. */
bool proto_name_ok(const char *name, size_t field_len);

/* n bytes at p all zero (pad, unused slots).  memcmp() of the bytes against themselves one
 * further on runs at memcmp's speed; a byte loop over a FLOW_MOD's empty action slots was a
 * third of sydctl's time on a large add-flows. */
static inline bool proto_zero(const void *p, size_t n)
{
	const uint8_t *b = p;

	return n == 0 || (b[0] == 0 && memcmp(b, b + 1, n - 1) == 0);
}

/* Entries in a dump message of entry_size bytes each (proto_check() made it exact). */
static inline size_t proto_entries(const struct syd_hdr *h, size_t entry_size)
{
	return (h->length - sizeof(*h)) / entry_size;
}

static inline const void *proto_body(const struct syd_hdr *h)
{
	return h + 1;
}

/* A message being built: grows up to SYD_PROTO_MSG_MAX. */
struct proto_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
};

/* Start a message (the buffer is reused; its memory is kept).  @return 0 or -ENOMEM. */
int proto_begin(struct proto_buf *b, uint16_t type, uint32_t xid);

/* Append body bytes.  @return 0, -EMSGSIZE past SYD_PROTO_MSG_MAX, or -ENOMEM. */
int proto_append(struct proto_buf *b, const void *p, size_t n);

/* Append one op to a message begun as SYD_MSG_BATCH (the count is kept in the body).
 * @return 0, -E2BIG past SYD_PROTO_BATCH_MAX ops, -EMSGSIZE or -ENOMEM. */
int proto_batch_add(struct proto_buf *b, const struct syd_op *op);

/* The header of the message in b, with its length set. */
struct syd_hdr *proto_finish(struct proto_buf *b);

/* Build an ERROR reply: code (positive errno) and a printf-style text. */
int proto_error(struct proto_buf *b, uint32_t xid, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

void proto_buf_free(struct proto_buf *b);

/* Copy a C string into a fixed field, NUL-padded.  @return 0, or -ENAMETOOLONG. */
int proto_set_str(char *field, size_t field_len, const char *s);

/* Write a sentence into err (when not NULL) and return ret: the one way every side of
 * the project fails with a reason, as in `return syd_fail(err, errlen, -ENOENT, "...")`. */
int syd_fail(char *err, size_t errlen, int ret, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif /* SYD_PROTO_H */

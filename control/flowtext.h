/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow rules as text, in the style of ovs-ofctl: what sydctl's flow verbs and the YAML
 * file's flows: take, and what dump-flows and plan print.
 *
 *   table=0,priority=200,in_port=vm1,dl_src=02:00:00:00:00:01/ff:ff:ff:00:00:00,
 *   dl_vlan=10,ip,nw_src=10.1.0.0/16,tcp,tp_dst=22,vni=5001,tun_src=198.18.0.2,
 *   network=blue,idle_timeout=30,cookie=0x5 actions=push_vlan:10,output:vm2
 *
 * Fields and shorthands are separated by commas or blanks, in any order; "actions=" comes
 * last and takes the rest, its actions separated by commas.  Field names (with their
 * aliases):
 *   table (0-15)  priority (0-65535, default 32768)  cookie (decimal or 0x hex)
 *   idle_timeout (seconds, 0-65535)  in_port=PORT  network=NETWORK
 *   dl_src, dl_dst (eth_src, eth_dst) =MAC[/MASK]  dl_vlan (vlan_vid) =0-4095 or 0xffff
 *     (untagged)  dl_type (eth_type) =N
 *   nw_src, nw_dst (ip_src, ip_dst) =A.B.C.D[/LEN or /MASK]  nw_proto (ip_proto) =0-255
 *   tp_src, tp_dst =0-65535 (tcp_src, tcp_dst, udp_*, sctp_*: the same, and imply tcp...)
 *   vni (tun_id) =1-16777215  tun_src (tun_remote) =A.B.C.D: the remote VTEP it came from
 *   shorthands: ip, arp (dl_type 0x0800, 0x0806), icmp, tcp, udp, sctp (ip and nw_proto
 *     1, 6, 17, 132)
 * As in OpenFlow, nw_* need ip (or a shorthand that implies it) and tp_* need tcp, udp
 * or sctp; the text says which.  Actions:
 *   drop  output:PORT  normal  flood  encap:A.B.C.D:VNI or encap(vtep=A.B.C.D,vni=VNI)
 *   push_vlan:VID  pop_vlan (strip_vlan)  set_vlan:VID (mod_vlan_vid:VID,
 *   set_field:VID->vlan_vid)  mod_dl_src:MAC  mod_dl_dst:MAC (set_field:MAC->eth_src,
 *   set_field:MAC->eth_dst)  goto_table:N (resubmit(,N))
 *
 * Every parser runs the switch's own checks (proto_flow_check) last, so a text it takes
 * is a rule the switch takes, short of names that do not exist there.  Errors name the
 * token and what is expected: "nw_dst=10.1.0.300: not an IPv4 address", "tp_dst needs
 * tcp, udp or sctp", "unknown field 'foo'".  Plain functions, no state.
 */
#ifndef SYD_FLOWTEXT_H
#define SYD_FLOWTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "proto.h"

#define FLOWTEXT_MAX 1024 /* bytes any formatted rule fits in, NUL included */

/*
 * A whole rule, with actions (add-flow, mod-flows, YAML): *out is zeroed first; table 0
 * and priority 32768 unless given.  "drop" is one SYD_FA_DROP action; an empty action
 * list is refused.
 * @return 0, or -EINVAL with a sentence in err (*out then undefined).
 */
int flowtext_parse(const char *text, struct syd_flow *out, char *err, size_t errlen);

/*
 * A match only (del-flows): table, priority and match fields, no cookie, idle_timeout or
 * actions.  Loose (strict false): without table= every table (SYD_FLOW_TABLE_ANY), and
 * priority is refused (a loose delete ignores it).  Strict: table 0 and priority 32768
 * unless given.  Empty text: an empty match.  @return 0 or -EINVAL with err.
 */
int flowtext_parse_match(const char *text, bool strict, struct syd_flow *out, char *err,
			 size_t errlen);

/*
 * A packet for flow-trace: in_port (required) and header fields, with whole values (no
 * masks or prefixes); dl_vlan absent means untagged.  @return 0 or -EINVAL with err.
 */
int flowtext_parse_probe(const char *text, struct syd_flow_probe *out, char *err, size_t errlen);

/*
 * The rule as text that parses back to the same rule: "table=0,priority=200[,cookie=0x5]
 * [,idle_timeout=30][,MATCH] actions=ACTIONS" (a table of SYD_FLOW_TABLE_ANY is left
 * out; no actions print as "drop").  @return the length, or -ENOSPC when len was too
 * short (buf then holds a cut, NUL-terminated text).  FLOWTEXT_MAX is always enough.
 */
int flowtext_format(const struct syd_flow *f, char *buf, size_t len);

/* The match fields alone ("" for an empty match), and the action list alone. */
int flowtext_format_match(const struct syd_flow_match *m, char *buf, size_t len);
int flowtext_format_actions(const struct syd_flow *f, char *buf, size_t len);

/* A probe as flow-trace text ("in_port=vm1,dl_src=...,tcp,nw_dst=...,tp_dst=22"). */
int flowtext_format_probe(const struct syd_flow_probe *p, char *buf, size_t len);

#endif /* SYD_FLOWTEXT_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flow-table messages' checks (FLOW_MOD, DUMP_FLOWS, FLOWS, FLOW_TRACE, FLOW_STEPS):
 * part of proto_check(), kept in a file of their own, and the same checks on one rule so
 * that sydctl, the YAML loader and syd-control refuse what the switch would refuse with
 * the switch's words, before anything is sent.  Plain functions, no state; part of the
 * proto library (proto_dep).
 */
#ifndef SYD_PROTO_FLOW_H
#define SYD_PROTO_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define SYD_FLOW_TABLE_ANY	  0xff	 /* SYD_FC_DELETE: every table */
#define SYD_FLOW_PRIORITY_DEFAULT 32768	 /* OpenFlow's, and ovs-ofctl's */
#define SYD_FLOW_VLAN_NONE	  0xffff /* match and probe: untagged */

/*
 * The body of a flow-table message of type h->type (body bytes after the header): every
 * rule field by field.  Called by proto_check() for the five flow types only.
 * @return 0, or -EINVAL (-E2BIG: a FLOW_MOD of more than SYD_FLOW_BATCH_MAX mods) with
 *   a sentence in err naming the mod or entry ("mod 3 (add): tp_dst needs ...").
 */
int proto_flow_check_msg(const struct syd_hdr *h, size_t body, char *err, size_t errlen);

/*
 * One rule as the switch checks it under command (enum syd_flow_command): the match,
 * and the actions (ADD, MODIFY) or their absence (DELETE, DELETE_STRICT).
 * @return 0, or -EINVAL with a sentence in err that names no mod ("tp_dst needs ...").
 */
int proto_flow_check(const struct syd_flow *f, unsigned int command, char *err, size_t errlen);

/*
 * Start a FLOW_MOD message in b (its struct syd_flow_batch, count 0).
 * @return 0 or -ENOMEM.
 */
int proto_flow_mod_begin(struct proto_buf *b, uint32_t xid);

/*
 * Append m to the FLOW_MOD begun in b, cut after its m->flow.nactions actions, and count
 * it.  @return 0; -E2BIG (the message has SYD_FLOW_BATCH_MAX mods); -EINVAL (more than
 * SYD_FLOW_ACTIONS actions); -EMSGSIZE or -ENOMEM.
 */
int proto_flow_mod_append(struct proto_buf *b, const struct syd_flow_mod *m);

/* The mods of a FLOW_MOD body, in order (the body passed proto_check()). */
struct proto_flow_iter {
	const uint8_t *next;
	uint32_t left;
};

void proto_flow_iter_init(struct proto_flow_iter *it, const struct syd_flow_batch *b);

/* The next mod into *m, whole: its actions past flow.nactions are zero.
 * @return false when there is none left. */
bool proto_flow_iter_next(struct proto_flow_iter *it, struct syd_flow_mod *m);

/*
 * A whole FLOW_MOD message of protocol version 2 or 3 at msg (header included, whose
 * length says how much), whose mods all carry SYD_FLOW_ACTIONS action slots, in the
 * current layout, in place: it only shrinks.  For a state file written by an older
 * syd-control.  @return 0, or -EBADMSG with the reason in err.
 */
int proto_flow_mod_from_v3(void *msg, char *err, size_t errlen);

/*
 * The entries of a FLOWS message, in order (the message passed proto_check()): the next
 * into *e, whole (its action slots past flow.nactions zero).  @return false when there is
 * none left.  it->next starts at proto_body(h), it->end at the message's end.
 */
struct proto_flow_stats_iter {
	const uint8_t *next;
	const uint8_t *end;
};

void proto_flow_stats_begin(struct proto_flow_stats_iter *it, const struct syd_hdr *h);
bool proto_flow_stats_next(struct proto_flow_stats_iter *it, struct syd_flow_stats *e);

/* "add", "modify", "delete", "delete_strict"; "output", "normal", ...; or "unknown". */
const char *proto_flow_command_name(unsigned int command);
const char *proto_flow_action_name(unsigned int type);

/*
 * A loose DELETE (SYD_FC_DELETE) d: dm receives the match it deletes by, in canonical
 * form (proto_flow_delete_match()); proto_flow_covers() tells whether it takes rule r:
 * r is in d's table (or d's table is SYD_FLOW_TABLE_ANY) and r's match has every field
 * of d's with the same value (and mask, or prefix length).  Names in r must be
 * canonical (zero after the terminating NUL).
 */
void proto_flow_delete_match(const struct syd_flow *d, struct syd_flow_match *dm);
bool proto_flow_covers(const struct syd_flow *d, const struct syd_flow_match *dm,
		       const struct syd_flow *r);

#endif /* SYD_PROTO_FLOW_H */

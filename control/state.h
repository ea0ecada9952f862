/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch's configuration as a value: networks, ports, static MAC entries and flow rules.
 *
 * syd-control keeps two: the desired state (what users asked for; saved to disk after
 * every change) and the actual one (read from the dataplane's dumps).  state_diff()
 * turns the difference into one batch of ops, and state_apply_op() checks and applies
 * one op with the same rules the dataplane uses, so a change the desired state accepts
 * is one the dataplane will accept too (short of the host refusing a port).  Flow rules
 * (state_flow.c) are changed by FLOW_MOD messages with the same semantics, and diffed
 * into FLOW_MOD messages by state_diff_flows(); a port or network deleted takes the
 * rules naming it along, as the dataplane does.
 * Plain memory, no EAL; owned by one thread.
 */
#ifndef SYD_STATE_H
#define SYD_STATE_H

#include <stdint.h>

#include "flowset.h"
#include "proto.h"

#define STATE_MAX_PORTS    32
#define STATE_MAX_NETWORKS 64
#define STATE_MAX_MACS     65536
#define STATE_MAX_VTEPS    64 /* remote VTEPs in one network's flood list */
#define STATE_MAX_FLOWS    (1u << 22) /* flow rules, all tables */

struct state_port {
	char name[SYD_PROTO_NAME_LEN];
	char network[SYD_PROTO_NAME_LEN]; /* "" when not attached */
	char path[SYD_PROTO_PATH_LEN];
	uint16_t kind;
};

struct state_mac {
	char network[SYD_PROTO_NAME_LEN];
	char port[SYD_PROTO_NAME_LEN]; /* "" when behind a remote VTEP */
	uint8_t mac[6];
	uint32_t remote; /* the remote VTEP (network order), or 0 */
};

struct state_net {
	char name[SYD_PROTO_NAME_LEN];
	uint32_t vni; /* 0: stays on this host */
	unsigned int nvteps;
	uint32_t vtep[STATE_MAX_VTEPS]; /* the flood list, network order */
};

/* The uplink, with defaults filled in (udp_port, mtu never 0); ifname "" when none. */
struct state_uplink {
	char ifname[SYD_PROTO_PATH_LEN]; /* the interface, or a socket-mode uplink's name */
	char path[SYD_PROTO_PATH_LEN];   /* socket modes: the vhost-user socket */
	uint8_t mac[6];                  /* socket modes: as asked (0: made from addr) */
	uint16_t mode; /* enum syd_uplink_mode */
	uint16_t udp_port;
	uint16_t mtu;
	uint32_t addr;
};

struct state {
	unsigned int nports;
	struct state_port port[STATE_MAX_PORTS];
	unsigned int nnets;
	struct state_net net[STATE_MAX_NETWORKS];
	struct state_uplink uplink;
	unsigned int nmacs;
	struct state_mac *mac; /* STATE_MAX_MACS entries, allocated by state_init */
	struct flowset flows;  /* the flow rules, by identity */
};

/* An empty state.  @return 0 or -ENOMEM. */
int state_init(struct state *s);
void state_free(struct state *s);
/* dst = src (both initialised); flow rules are shared, not copied.  @return 0, or -ENOMEM
 * with dst's flows empty. */
int state_copy(struct state *dst, const struct state *src);

/*
 * Apply one op (checked by proto_check) to s.  SYD_OP_MAC_FLUSH changes nothing here
 * (learned entries are not configuration).
 * @return 0, or -ENOENT / -EEXIST / -EBUSY / -ENOSPC / -EINVAL with a sentence in err,
 *   with s unchanged.
 */
int state_apply_op(struct state *s, const struct syd_op *op, char *err, size_t errlen);

/* Apply every op of a batch, all or nothing. */
int state_apply_batch(struct state *s, const struct syd_batch *b, char *err, size_t errlen);

/*
 * Append to batch (begun as SYD_MSG_BATCH) the ops that turn have into want: only the
 * difference.  @return the number of ops, or a negative errno from proto_batch_add.
 */
int state_diff(const struct state *want, const struct state *have, struct proto_buf *batch);

/* Empty s (keeping its memory): no networks, ports, entries, uplink or flows. */
void state_clear(struct state *s);

/*
 * Add to s what one dataplane dump message says (NETWORKS, VTEPS, PORTS, MACS: static
 * entries only, UPLINK, FLOWS); other types are ignored.  Start from state_clear() and
 * read DUMP_NETWORKS before DUMP_VTEPS.  @return 0, or -ENOSPC when s is full, -ENOMEM.
 */
int state_add_dump(struct state *s, const struct syd_hdr *h);

/* Save s to path atomically (a temporary file renamed over it): BATCH records, then
 * FLOW_MOD records that add its flows.  @return 0 or -errno. */
int state_save(const struct state *s, const char *path, char *err, size_t errlen);

/*
 * Save a change: msg, a BATCH or FLOW_MOD that s (as last saved at path) took, appended to
 * the file (written, not yet synced: see state_sync()), so that a change of a few rules or ports does not write a million
 * rules again (state_load() replays it).  *appended counts the bytes appended since the
 * last whole save: once they would outgrow the rules themselves (or 1 MiB), or appending
 * fails (no file yet), s is saved whole instead and *appended starts again (a failed whole
 * save sets it so high that the next change saves whole again).  @return 0 or -errno.
 */
int state_save_change(const struct state *s, const char *path, const struct syd_hdr *msg,
		      uint64_t *appended, char *err, size_t errlen);

/* Make what state_save_change() appended durable (fdatasync).  syd-control calls it
 * within SYNC_MS of a change, so that a stream of changes pays for one sync per interval
 * rather than one per message.  @return 0 or -errno. */
int state_sync(const char *path);

/*
 * Load path into s (initialised, empty).  @return 0, -ENOENT when there is no file, or
 * another -errno with a sentence in err (a damaged file changes nothing).
 */
int state_load(struct state *s, const char *path, char *err, size_t errlen);

/* ---- flow rules (state_flow.c) ---- */

/*
 * Apply one flow mod (checked by proto_check) to s, as proto.h's enum syd_flow_command
 * says: ADD adds or replaces the rule of that identity; MODIFY gives it new actions,
 * cookie and idle timeout; DELETE removes every rule of the table (or all tables) whose
 * match has each field of the mod's with the same value; DELETE_STRICT removes the rule
 * of that identity.  A rule may only name ports and networks s has (in_port, network,
 * output).  @return 0, or -ENOENT (no such port, network or rule), -ENOSPC
 * (STATE_MAX_FLOWS), -ENOMEM with a sentence in err ("add: in_port: no port named
 * 'vm9'"), and s unchanged.
 */
int state_apply_flow_mod(struct state *s, const struct syd_flow_mod *m, char *err,
			 size_t errlen);

/* Every mod of a FLOW_MOD body, all or nothing, in order; errors name the mod ("mod 3
 * (add): ..."). */
int state_apply_flow_batch(struct state *s, const struct syd_flow_batch *b, char *err,
			   size_t errlen);

/* What a staged batch changed, to take it back.  Zero it before first use. */
struct state_undo {
	struct state_undo_step *step;
	size_t n, cap;
};

/*
 * state_apply_flow_batch(), kept revocable in u (emptied first): then either
 * state_undo() or state_undo_keep().  The way to apply a change that someone else (the
 * dataplane) may still refuse without copying a state of a million rules.
 */
int state_stage_flow_batch(struct state *s, const struct syd_flow_batch *b,
			   struct state_undo *u, char *err, size_t errlen);
/* Take back what was staged in u (s must not have changed since). */
void state_undo(struct state *s, struct state_undo *u);
/* Keep it: u forgets it. */
void state_undo_keep(struct state_undo *u);
void state_undo_free(struct state_undo *u);

/*
 * The FLOW_MOD messages that turn have's flows into want's: DELETE_STRICT for each rule
 * have has and want does not, then ADD for each rule want has and have lacks or has with
 * another cookie, idle timeout or actions; at most SYD_FLOW_BATCH_MAX mods a message.
 * Each message, finished, is passed to emit (which may send it; b is reused afterwards).
 * Flows only: the ports and networks they name must be there (state_diff() first).
 * @return the number of mods, or a negative errno (emit's, or -ENOMEM).
 */
int state_diff_flows(const struct state *want, const struct state *have,
		     int (*emit)(struct proto_buf *b, void *arg), void *arg);

/* Rules in s. */
size_t state_nflows(const struct state *s);

/*
 * Forget the rules of want with an idle timeout that have lacks: the dataplane removed
 * them when they idled out (a desired state does not bring them back).  @return how many.
 */
size_t state_forget_idle_flows(struct state *want, const struct state *have);

/* Remove the rules naming port (in_port or output) or network: they go with it. */
void state_drop_flows_of(struct state *s, const char *port, const char *network);

/* state_add_dump()'s part: the rules of a FLOWS message.  @return 0, -ENOSPC, -ENOMEM. */
int state_add_flow_dump(struct state *s, const struct syd_hdr *h);

#endif /* SYD_STATE_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A switch's configuration as a value: networks, ports and static MAC entries.
 *
 * syd-control keeps two: the desired state (what users asked for; saved to disk after
 * every change) and the actual one (read from the dataplane's dumps).  state_diff()
 * turns the difference into one batch of ops, and state_apply_op() checks and applies
 * one op with the same rules the dataplane uses, so a change the desired state accepts
 * is one the dataplane will accept too (short of the host refusing a port).
 * Plain memory, no EAL; owned by one thread.
 */
#ifndef SYD_STATE_H
#define SYD_STATE_H

#include <stdint.h>

#include "proto.h"

#define STATE_MAX_PORTS    32
#define STATE_MAX_NETWORKS 64
#define STATE_MAX_MACS     65536
#define STATE_MAX_VTEPS    64 /* remote VTEPs in one network's flood list */

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
	char ifname[SYD_PROTO_PATH_LEN];
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
};

/* An empty state.  @return 0 or -ENOMEM. */
int state_init(struct state *s);
void state_free(struct state *s);
/* dst = src (both initialised). */
void state_copy(struct state *dst, const struct state *src);

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

/* Empty s (keeping its memory): no networks, ports, entries or uplink. */
void state_clear(struct state *s);

/*
 * Add to s what one dataplane dump message says (NETWORKS, VTEPS, PORTS, MACS: static
 * entries only, UPLINK); other types are ignored.  Start from state_clear() and read
 * DUMP_NETWORKS before DUMP_VTEPS.  @return 0, or -ENOSPC when s is full.
 */
int state_add_dump(struct state *s, const struct syd_hdr *h);

/* Save s to path atomically (a temporary file renamed over it).  @return 0 or -errno. */
int state_save(const struct state *s, const char *path, char *err, size_t errlen);

/*
 * Load path into s (initialised, empty).  @return 0, -ENOENT when there is no file, or
 * another -errno with a sentence in err (a damaged file changes nothing).
 */
int state_load(struct state *s, const char *path, char *err, size_t errlen);

#endif /* SYD_STATE_H */

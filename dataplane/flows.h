/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Flow tables in the dataplane: the classifier (classifier.h) holding the rules, and the
 * main lcore's side of FLOW_MOD, DUMP_FLOWS and FLOW_TRACE (control/proto.md "Flow
 * tables").
 *
 * A rule reaches the classifier compiled: its names resolved to slots (in_port and
 * network in the match, an output's port, an encap's remote VTEP, which the rule holds
 * a reference on, so its next hop is resolved like a flood list's) and its actions packed
 * into 8 bytes each after an 8-byte header; a rule with one action stays 128 bytes.
 * Dumps and traces turn it back into the wire's struct syd_flow.
 *
 * A FLOW_MOD applies its mods in order into the classifier's staged version, then one
 * cls_commit() publishes them all; a refused mod aborts the batch and changes nothing.
 * The topology points workers at the classifier only while it holds rules, so a switch
 * without rules runs exactly the L2 path.  Workers run the pipeline (worker.c): table 0
 * through a per-worker exact-match cache, a miss there is "normal", a miss in a later
 * table a drop (flow_table_miss).
 */
#ifndef SYD_FLOWS_H
#define SYD_FLOWS_H

#include <stddef.h>
#include <stdint.h>

#include "classifier.h"
#include "options.h"
#include "proto.h"

/* A compiled action: 8 bytes. */
struct flow_act {
	uint8_t op;  /* enum syd_flow_action_type | FLOW_ACT_COPY */
	uint8_t arg8; /* ENCAP: the VTEP slot; GOTO_TABLE: the table */
	uint16_t arg; /* OUTPUT: the port slot; PUSH/SET_VLAN: the VLAN id */
	uint32_t vni; /* ENCAP */
};

/* SET_ETH_SRC/DST: the MAC in the 6 bytes after op. */
static inline const uint8_t *flow_act_mac(const struct flow_act *a)
{
	return (const uint8_t *)a + 2;
}

_Static_assert(sizeof(struct flow_act) == 8, "an action is 8 bytes");

#define FLOW_ACT_COPY 0x80 /* sends, but a later action sends too: send a copy */
#define FLOW_ACT_TYPE 0x7f

/* A rule's actions as the classifier keeps them. */
struct flow_acts {
	uint32_t added_s; /* the dataplane's clock when the rule was added */
	uint8_t n;        /* actions; 0 never (a drop is a DROP action) */
	uint8_t pad[3];
	struct flow_act a[];
};

/* A rule's classifier hint (cls_rule_spec.hint): what a packet that hits it needs, for
 * the two commonest rules, so that the worker runs them without reading the rule. */
#define FLOW_HINT_NONE	 0 /* run the actions */
#define FLOW_HINT_NORMAL 1 /* actions=normal */
#define FLOW_HINT_OUTPUT 2 /* actions=output:PORT: FLOW_HINT_OUTPUT + the port slot */
_Static_assert(FLOW_HINT_OUTPUT + SYD_MAX_PORTS <= CLS_HINTS, "every output:PORT has a hint");

/* The hint of a rule with these actions. */
static inline uint8_t flow_hint(const struct flow_acts *fa)
{
	if (fa->n != 1)
		return FLOW_HINT_NONE;
	if (fa->a[0].op == SYD_FA_NORMAL)
		return FLOW_HINT_NORMAL;
	if (fa->a[0].op == SYD_FA_OUTPUT)
		return (uint8_t)(FLOW_HINT_OUTPUT + fa->a[0].arg);
	return FLOW_HINT_NONE;
}

struct dataplane;

/* Create the classifier (empty) for dp's workers, and each worker's cache.
 * @return 0 or -ENOMEM. */
int flows_init(struct dataplane *dp);

/* Free them; the workers are stopped. */
void flows_fini(struct dataplane *dp);

/*
 * Apply a checked FLOW_MOD batch, all or nothing, and publish it.
 * @return 0, or -errno with "mod N (command): why" in err (nothing changed).
 */
int flows_mod(struct dataplane *dp, const struct syd_flow_batch *b, char *err, size_t errlen);

/* A port or network is going: stage the deletion of every rule that names it
 * (port: in_port or an output; network: the match).  flows_commit() publishes. */
void flows_forget_port(struct dataplane *dp, unsigned int port);
void flows_forget_network(struct dataplane *dp, unsigned int net);

/* Publish what was staged (forget_*); call before the topology without them is. */
void flows_commit(struct dataplane *dp);

/* Once a second: remove rules whose idle timeout passed. */
void flows_sweep(struct dataplane *dp, uint32_t now_s);

/* Every rule, table by table, with its counters, to emit.  @return emit's first non-zero
 * value, or 0. */
int flows_dump(const struct dataplane *dp, int (*emit)(const struct syd_flow_stats *e, void *arg),
	       void *arg);

/*
 * What a packet described by probe would meet: one step per table visited, then the
 * outcome (table 255), each given to emit.  Nothing is sent or counted.
 * @return 0, or -errno with the reason in err (an unknown in_port: -ENOENT).
 */
int flows_trace(const struct dataplane *dp, const struct syd_flow_probe *probe,
		int (*emit)(const struct syd_flow_step *s, void *arg), void *arg, char *err,
		size_t errlen);

/* The classifier for the topology: NULL while no rule is published. */
const struct classifier *flows_live(const struct dataplane *dp);

/* Rules installed, and the classifier's memory in bytes. */
unsigned int flows_count(const struct dataplane *dp);
size_t flows_memory(const struct dataplane *dp);

#endif /* SYD_FLOWS_H */

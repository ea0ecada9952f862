/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow tables: what flows.c (the writer) and flows_read.c (dump, trace) share. */
#ifndef SYD_FLOWS_PRIV_H
#define SYD_FLOWS_PRIV_H

#include <stdbool.h>

#include "classifier.h"
#include "proto.h"

struct slot_list {
	int *slot;
	size_t n;
	size_t cap;
};

struct flow_state {
	struct classifier *cls;
	unsigned int nlive;   /* rules in the published version */
	bool retry;           /* a commit failed: try again at the next sweep */
	struct slot_list get; /* VTEP references the batch took */
	struct slot_list put; /* and those its removed rules held */
};

struct dataplane;

/* A compiled rule back into the wire's form (names from the slots). */
void flows_decompile(const struct dataplane *dp, const struct cls_rule *r, struct syd_flow *f);

#endif /* SYD_FLOWS_PRIV_H */

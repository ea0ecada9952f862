/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A set of flow rules keyed by their identity (table, priority, match): the flows of a
 * desired state (state.h).  Sized for millions of rules: a dense array of records for
 * walking, and an open-addressing hash of identities (linear probing, at most half
 * full, deletion by backward shift, no tombstones) for finding one in O(1), so diffing
 * two sets of a million rules takes one pass over each.
 *
 * Records are immutable and reference-counted: copying a set copies two arrays and
 * counts one more reference per record, never the rules themselves; a rule that changes
 * gets a new record.  A record holds only the actions it uses (nactions of them), so a
 * rule with one action takes about 200 bytes, not sizeof(struct syd_flow).
 *
 * Plain memory, owned by one thread (records are shared between sets of that thread
 * only).  A set of all zeroes is empty and valid.
 */
#ifndef SYD_FLOWSET_H
#define SYD_FLOWSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

/* One rule.  Read its flow's fields and action[0..nactions) only: the record ends there. */
struct flow_rec {
	uint32_t refs;
	uint32_t hash; /* of the identity */
	struct syd_flow flow;
};

struct flowset {
	size_t n;	       /* rules */
	size_t cap;	       /* entries of rec */
	struct flow_rec **rec; /* rec[0..n): the rules, in no particular order */
	uint64_t *slot;	       /* the hash: (hash << 32) | (index into rec + 1); 0 empty */
	size_t mask;	       /* slots - 1 (a power of two); no slots at all when slot NULL */
};

/*
 * A new record for f (one reference, the caller's), with f's names made canonical (zero
 * after their NUL) so that equal rules compare equal byte for byte.  f should have
 * passed proto_flow_check().  @return the record, or NULL when memory is short.
 */
struct flow_rec *flowset_rec_new(const struct syd_flow *f);

/* One reference fewer; the record is freed with its last.  NULL is ignored. */
void flowset_rec_put(struct flow_rec *r);

/* f's whole rule into out, the unused actions zeroed. */
void flowset_rec_get(const struct flow_rec *r, struct syd_flow *out);

/* Same identity: table, priority and match. */
bool flowset_same_identity(const struct syd_flow *a, const struct syd_flow *b);

/* Same cookie, idle timeout and actions (what ADD replaces on a rule of that identity). */
bool flowset_same_body(const struct syd_flow *a, const struct syd_flow *b);

/* The index of the rule with f's identity, or -1. */
long flowset_find(const struct flowset *s, const struct syd_flow *f);

/*
 * Put r in s, taking the caller's reference; no rule of its identity may be there.
 * @return 0, or -ENOMEM (the reference stays the caller's).
 */
int flowset_insert(struct flowset *s, struct flow_rec *r);

/* Put r (the caller's reference) at index i, of the same identity; @return the record
 * that was there, whose reference passes to the caller. */
struct flow_rec *flowset_replace(struct flowset *s, size_t i, struct flow_rec *r);

/* Take the rule at index i out (the last rule moves to i); @return it, with the set's
 * reference passed to the caller. */
struct flow_rec *flowset_take(struct flowset *s, size_t i);

/* Drop every rule, keeping the memory. */
void flowset_clear(struct flowset *s);

/* Drop every rule and the memory. */
void flowset_free(struct flowset *s);

/* dst = src, sharing the records.  @return 0, or -ENOMEM with dst empty. */
int flowset_copy(struct flowset *dst, const struct flowset *src);

#endif /* SYD_FLOWSET_H */

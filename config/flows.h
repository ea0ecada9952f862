/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The flows: section of a configuration: each rule as text in the syntax of
 * control/flowtext.h, with its place in the file.  This library only reads the YAML; the
 * rules are parsed and checked by control/config_state.c (config_to_state()), which has
 * the parser, and errors there still name file:line:column.  Used by config.c only.
 */
#ifndef SYD_CONFIG_FLOWS_H
#define SYD_CONFIG_FLOWS_H

#include "config.h"
#include "node.h"
#include "value.h"

#define FLOWS_TEXT_MAX 4096 /* a rule's text, NUL included (the parser's limit) */

/*
 * Read list (the value of flows:, not NULL) into c->flow: each item a string, or a
 * mapping {table, priority, cookie, idle_timeout, match: {FIELD: VALUE, SHORTHAND: null},
 * actions: [ACTION, ...]} made into the same text.  @return 0, -EINVAL with the error
 * written through x, or -ENOMEM.
 */
int config_read_flows(const struct value_ctx *x, struct syd_config *c, const struct node *list);

#endif /* SYD_CONFIG_FLOWS_H */

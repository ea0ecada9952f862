/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * From a loaded configuration (config/config.h) to a desired state (state.h).
 *
 * The state is built by making the protocol operations a client would send and applying
 * each with state_apply_op(), so a file obeys exactly the rules sydctl's changes obey.
 * Used by syd-control (--config, SIGHUP) and by sydctl plan/apply.
 */
#ifndef SYD_CONFIG_STATE_H
#define SYD_CONFIG_STATE_H

#include <stddef.h>

#include "config.h"
#include "state.h"

/*
 * Make s (initialised) the state c describes: its uplink, networks with their VNIs and
 * flood lists, ports, static MAC entries and flow rules (each parsed as flowtext.h says,
 * refused with the parser's sentence); nothing else.
 * @return 0; or a negative errno with a sentence in err and s unchanged: an op refused
 *   (-EINVAL, -EEXIST, -EBUSY, -ENOSPC...) as "file:line:col: item: why", naming the
 *   item of the file that made it; -ENOMEM.
 */
int config_to_state(const struct syd_config *c, struct state *s, char *err, size_t errlen);

#endif /* SYD_CONFIG_STATE_H */

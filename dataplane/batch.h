/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Batches: a list of changes (networks, ports, attachments, static MACs) applied all
 * or nothing, by the main lcore.
 *
 * Three steps.  Plan: every op is checked against a shadow copy of the names, in order,
 * so later ops see earlier ones (add a network, then attach to it); nothing changes if
 * any op is refused.  Open: the new ports' devices are created (the only step that can
 * fail on the host: a socket in use, an interface gone); a failure closes them again.
 * Commit: the state changes, one topology is published for the whole batch, and only
 * then are deleted ports closed, so workers never send to a closed device.  Ports the
 * batch does not touch keep forwarding throughout.
 */
#ifndef SYD_BATCH_H
#define SYD_BATCH_H

#include <stddef.h>

#include "dataplane.h"
#include "proto.h"

/*
 * Apply a batch that proto_check() accepted.
 * @return 0, or a negative errno with a sentence in err, having changed nothing:
 *   -ENOENT an unknown port, network or MAC entry; -EEXIST a name or socket already
 *   used; -EBUSY a network that still has ports; -ENOSPC no free port or network slot,
 *   or a full MAC table; -EINVAL a static MAC on a port outside its network; or what
 *   opening a port returned.
 */
int batch_apply(struct dataplane *dp, const struct syd_batch *b, char *err, size_t errlen);

#endif /* SYD_BATCH_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Our commands in DPDK's telemetry socket, so dpdk-telemetry.py (and any telemetry
 * client) reads the switch:
 *
 *   /syd/info           the dataplane, as sydctl show info
 *   /syd/ports          port names (as /ethdev/list)
 *   /syd/port,NAME      one port: what sydctl show ports and show stats give for it
 *   /syd/drops          drops by reason, all ports together; /syd/drops,NAME for one port
 *   /syd/workers        per worker lcore: packets, busy and idle cycles, iterations
 *
 * Keys and values are sydctl -o json's.  The shape follows DPDK 22.11's telemetry, which
 * nests one level and allows only [A-Za-z0-9_/] in keys, hence one command per port.
 * Callbacks run in the telemetry thread: they take dp->lock, which the main lcore holds
 * while it changes ports, networks or counter baselines.
 */
#ifndef SYD_TELEMETRY_H
#define SYD_TELEMETRY_H

#include "dataplane.h"

/* Register the commands (once) and point them at dp; NULL detaches them. */
void telemetry_attach(struct dataplane *dp);

#endif /* SYD_TELEMETRY_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * peer: a scripted VM for integration tests.  It announces itself with one line
 *   {"event":"ready","ports":[{"path":...,"mac":...}]}
 * then reads commands on stdin, one per line, and answers each with exactly one JSON
 * line on stdout (flushed):
 *
 *   send [port=I] dst=MAC [src=MAC] [count=N] [size=B] [vlan=VID] [ethertype=0xXXXX]
 *        -> {"ok":true,"sent":N}
 *   recv [wait_ms=W]   wait until W ms (200) pass with nothing new, then
 *        -> {"ok":true,"ports":[{"port":0,"rx_packets":N,"rx_bytes":B,"other":n,
 *                                "frames":[{"src":MAC,"dst":MAC,"count":n},...]}]}
 *   clear              -> {"ok":true}     (zero what recv reports)
 *   link               -> {"ok":true,"ports":[{"port":0,"up":true}]}
 *   quit, or EOF       exit
 *
 * Anything else gets {"ok":false,"error":"..."} and the peer carries on.  Between
 * commands it keeps receiving on every port, counting frames per (source, destination
 * MAC) in a table of PEER_GROUPS entries per port; frames that do not fit, or are too
 * short to have both MACs, count as "other".  Frames sent are IPv4/UDP unless ethertype=
 * says otherwise, with the addresses stream gives port I: 198.18.0.(I+1) to
 * 198.18.0.((I^1)+1), whatever the MACs; sizes below 60 cut the headers short, for
 * malformed-frame tests.
 */
#ifndef SYD_BENCH_PEER_H
#define SYD_BENCH_PEER_H

#include <signal.h>

#include <rte_mempool.h>

#include "port.h"

#define PEER_GROUPS 64

/*
 * Serve commands until quit, EOF on stdin, or *stop.
 * @return 0, -ENOMEM, or -errno from reading stdin.
 */
int peer_run(const struct port *ports, unsigned int nports, struct rte_mempool *mp,
	     const volatile sig_atomic_t *stop);

#endif /* SYD_BENCH_PEER_H */

/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The drop ledger: the last few packets dropped for each reason, headers and all, so an
 * operator can see what was dropped, not only how many (sydctl drops --pcap FILE).
 *
 * One ledger per worker, written only by that worker on its drop path (never on the
 * forwarding path).  The main lcore reads it at any time: each entry carries a sequence
 * number that is odd while the worker writes it, so a reader skips an entry it caught
 * half-written instead of locking.
 */
#ifndef SYD_LEDGER_H
#define SYD_LEDGER_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "drop.h"

#define LEDGER_PER_REASON 8
#define LEDGER_SNAP       128 /* bytes of each packet kept */

struct ledger_entry {
	uint32_t seq;   /* odd while being written; 0: never written */
	uint16_t port;
	uint16_t len;   /* the packet's length */
	uint64_t tsc;   /* when it was dropped */
	uint16_t caplen;
	uint8_t data[LEDGER_SNAP];
};

struct ledger {
	uint32_t next[SYD_DROP_MAX];
	struct ledger_entry e[SYD_DROP_MAX][LEDGER_PER_REASON];
};

/* Writer (the owning worker): keep a copy of a dropped packet's first bytes. */
static inline void ledger_record(struct ledger *l, unsigned int reason, uint16_t port,
				 const void *data, uint16_t caplen, uint32_t len, uint64_t tsc)
{
	struct ledger_entry *e = &l->e[reason][l->next[reason]++ % LEDGER_PER_REASON];
	uint32_t seq = e->seq;

	__atomic_store_n(&e->seq, seq | 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	e->port = port;
	e->len = len > UINT16_MAX ? UINT16_MAX : (uint16_t)len;
	e->tsc = tsc;
	e->caplen = caplen > LEDGER_SNAP ? LEDGER_SNAP : caplen;
	memcpy(e->data, data, e->caplen);
	__atomic_store_n(&e->seq, (seq | 1) + 1, __ATOMIC_RELEASE);
}

/* Writer: n drops for reason of which none is kept (those a later record would overwrite
 * anyway): the ring moves on as if each had been recorded. */
static inline void ledger_skip(struct ledger *l, unsigned int reason, uint32_t n)
{
	l->next[reason] += n;
}

/* Reader: copy entry e into *out.  @return false when it is empty or being written. */
static inline bool ledger_read(const struct ledger_entry *e, struct ledger_entry *out)
{
	uint32_t s1 = __atomic_load_n(&e->seq, __ATOMIC_ACQUIRE);

	if (s1 == 0 || (s1 & 1))
		return false;
	memcpy(out, e, sizeof(*out));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&e->seq, __ATOMIC_RELAXED) == s1;
}

#endif /* SYD_LEDGER_H */

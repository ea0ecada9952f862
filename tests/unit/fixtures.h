/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What several unit suites share: deterministic pseudo-random numbers (xorshift64*, the
 * same on every libc) and the MAC address of a number.  Header-only (static inline), each
 * suite its own copy of the generator's state.
 */
#ifndef SYD_TEST_FIXTURES_H
#define SYD_TEST_FIXTURES_H

#include <stdint.h>

#include <rte_ether.h>

static uint64_t rng_state;

static inline void rng_seed(uint64_t seed)
{
	rng_state = seed ? seed : 1;
}

static inline uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* The MAC whose 48 bits are n's low 48, most significant first. */
static inline struct rte_ether_addr mac_of(uint64_t n)
{
	struct rte_ether_addr m;
	int i;

	for (i = 0; i < RTE_ETHER_ADDR_LEN; i++)
		m.addr_bytes[i] = (uint8_t)(n >> (40 - 8 * i));
	return m;
}

#endif /* SYD_TEST_FIXTURES_H */

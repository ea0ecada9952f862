/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The drop ledger: the last LEDGER_PER_REASON drops of each reason are kept, and a burst
 * of drops that skips those a later record overwrites leaves the ledger exactly as
 * recording every one of them would (the worker's drop_bulk() relies on it).
 */
#include <stdint.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <rte_common.h>

#include "ledger.h"
#include "suite.h"

/* Packet i: its bytes say i, its length is 60 + i. */
static void packet(unsigned int i, uint8_t *buf, uint16_t *len)
{
	memset(buf, (int)(i & 0xff), 200);
	buf[0] = (uint8_t)(i >> 8);
	*len = (uint16_t)(60 + i % 140);
}

static void record(struct ledger *l, unsigned int reason, unsigned int i)
{
	uint8_t buf[200];
	uint16_t len;

	packet(i, buf, &len);
	ledger_record(l, reason, (uint16_t)(i % 7), buf, len, len, 1000 + i);
}

static void expect_same(const struct ledger *a, const struct ledger *b)
{
	unsigned int r, k;

	for (r = 0; r < SYD_DROP_MAX; r++) {
		CU_ASSERT_EQUAL(a->next[r], b->next[r]);
		for (k = 0; k < LEDGER_PER_REASON; k++) {
			struct ledger_entry x, y;
			bool hx = ledger_read(&a->e[r][k], &x), hy = ledger_read(&b->e[r][k], &y);

			CU_ASSERT_EQUAL(hx, hy);
			if (!hx || !hy)
				continue;
			CU_ASSERT_EQUAL(x.port, y.port);
			CU_ASSERT_EQUAL(x.len, y.len);
			CU_ASSERT_EQUAL(x.tsc, y.tsc);
			CU_ASSERT_EQUAL(x.caplen, y.caplen);
			CU_ASSERT_EQUAL(memcmp(x.data, y.data, x.caplen), 0);
		}
	}
}

static void test_keeps_the_last_of_each_reason(void)
{
	static struct ledger l;
	struct ledger_entry e;
	unsigned int i, k, seen = 0;

	memset(&l, 0, sizeof(l));
	for (i = 0; i < 20; i++)
		record(&l, SYD_DROP_TX_FULL, i);
	record(&l, SYD_DROP_HAIRPIN, 99);
	for (k = 0; k < LEDGER_PER_REASON; k++) {
		CU_ASSERT_TRUE_FATAL(ledger_read(&l.e[SYD_DROP_TX_FULL][k], &e));
		CU_ASSERT_TRUE(e.tsc >= 1000 + 20 - LEDGER_PER_REASON && e.tsc < 1020);
		CU_ASSERT_EQUAL(e.caplen, e.len); /* all under LEDGER_SNAP */
		seen |= 1u << (e.tsc - 1000 - (20 - LEDGER_PER_REASON));
	}
	CU_ASSERT_EQUAL(seen, (1u << LEDGER_PER_REASON) - 1);
	CU_ASSERT_TRUE(ledger_read(&l.e[SYD_DROP_HAIRPIN][0], &e));
	CU_ASSERT_EQUAL(e.tsc, 1099);
	CU_ASSERT_FALSE(ledger_read(&l.e[SYD_DROP_HAIRPIN][1], &e)); /* never written */
}

/* Bursts of every size up to 40, after 0-9 earlier drops: skipping all but the last
 * LEDGER_PER_REASON of a burst gives the ledger that recording all of them gives. */
static void test_skipping_a_burst_is_recording_it(void)
{
	static struct ledger all, skipped;
	unsigned int before, n, i, base;

	for (before = 0; before < 10; before++) {
		for (n = 0; n <= 40; n++) {
			memset(&all, 0, sizeof(all));
			memset(&skipped, 0, sizeof(skipped));
			for (i = 0; i < before; i++) {
				record(&all, SYD_DROP_TX_FULL, i);
				record(&skipped, SYD_DROP_TX_FULL, i);
			}
			base = before;
			for (i = 0; i < n; i++)
				record(&all, SYD_DROP_TX_FULL, base + i);
			i = n > LEDGER_PER_REASON ? n - LEDGER_PER_REASON : 0;
			ledger_skip(&skipped, SYD_DROP_TX_FULL, i);
			for (; i < n; i++)
				record(&skipped, SYD_DROP_TX_FULL, base + i);
			expect_same(&all, &skipped);
		}
	}
}

int main(void)
{
	static const struct unit_test tests[] = {
#define T(fn) {#fn, fn}
		T(test_keeps_the_last_of_each_reason),
		T(test_skipping_a_burst_is_recording_it),
#undef T
	};
	return run_suite("ledger", tests, RTE_DIM(tests));
}

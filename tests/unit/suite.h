/* SPDX-License-Identifier: BSD-3-Clause */
/* Running one CUnit suite: every unit test program's main() ends here. */
#ifndef SYD_TEST_SUITE_H
#define SYD_TEST_SUITE_H

#include <CUnit/Basic.h>

struct unit_test {
	const char *name;
	CU_TestFunc fn;
};

/* Run the n tests as suite name, verbosely.  @return 0 all passed, 1 failures, 2 setup. */
static inline int run_suite(const char *name, const struct unit_test *tests, unsigned int n)
{
	unsigned int i, failed;
	CU_pSuite suite;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	suite = CU_add_suite(name, NULL, NULL);
	if (suite == NULL)
		return 2;
	for (i = 0; i < n; i++)
		if (CU_add_test(suite, tests[i].name, tests[i].fn) == NULL)
			return 2;
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

#endif

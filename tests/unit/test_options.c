/* SPDX-License-Identifier: BSD-3-Clause */
/* syd-dataplane's command line: defaults, every option, and every rejection. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "options.h"

static struct dp_options opt;
static char err[512];

/* Parse a NULL-terminated list of arguments after the program name. */
static int parse(const char *first, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;
	const char *a;

	argv[argc++] = "syd-dataplane";
	va_start(ap, first);
	for (a = first; a != NULL && argc < 31; a = va_arg(ap, const char *))
		argv[argc++] = (char *)(uintptr_t)a;
	va_end(ap);
	argv[argc] = NULL;
	err[0] = '\0';
	return options_parse(argc, argv, &opt, err, sizeof(err));
}

static void test_defaults_suit_a_small_host(void)
{
	CU_ASSERT_EQUAL(parse(NULL), 0);
	CU_ASSERT_EQUAL(opt.main_core, 0);
	CU_ASSERT_EQUAL(opt.nworkers, 1);
	CU_ASSERT_EQUAL(opt.worker_core[0], 1);
	CU_ASSERT_EQUAL(opt.mem_mb, 256);
	CU_ASSERT_STRING_EQUAL(opt.file_prefix, "switchyard");
	CU_ASSERT_EQUAL(opt.mac_age_s, 300);
	CU_ASSERT_FALSE(opt.pci);
	CU_ASSERT_EQUAL(opt.nports, 0);
}

static void test_ports_named_from_socket_file(void)
{
	CU_ASSERT_EQUAL(parse("--vhost-server", "/run/sy/vm1.sock", "--vhost-client",
			      "/run/sy/other,name=vm-2", NULL), 0);
	CU_ASSERT_EQUAL(opt.nports, 2);
	CU_ASSERT_STRING_EQUAL(opt.port[0].name, "vm1");
	CU_ASSERT_STRING_EQUAL(opt.port[0].path, "/run/sy/vm1.sock");
	CU_ASSERT_EQUAL(opt.port[0].kind, PORT_VHOST_SERVER);
	CU_ASSERT_STRING_EQUAL(opt.port[1].name, "vm-2");
	CU_ASSERT_STRING_EQUAL(opt.port[1].path, "/run/sy/other");
	CU_ASSERT_EQUAL(opt.port[1].kind, PORT_VHOST_CLIENT);
}

static void test_worker_core_lists(void)
{
	CU_ASSERT_EQUAL(parse("--workers", "1-3,5", "--main-core", "0", NULL), 0);
	CU_ASSERT_EQUAL(opt.nworkers, 4);
	CU_ASSERT_EQUAL(opt.worker_core[0], 1);
	CU_ASSERT_EQUAL(opt.worker_core[2], 3);
	CU_ASSERT_EQUAL(opt.worker_core[3], 5);
}

static void test_eal_arguments_after_double_dash(void)
{
	CU_ASSERT_EQUAL(parse("--mac-age", "10", "--", "--vdev", "net_null0", NULL), 0);
	CU_ASSERT_EQUAL(opt.mac_age_s, 10);
	CU_ASSERT_EQUAL(opt.eal_argc, 2);
	CU_ASSERT_STRING_EQUAL(opt.eal_argv[0], "--vdev");
}

static void test_help_returns_1(void)
{
	FILE *saved = stdout;

	stdout = fopen("/dev/null", "w");
	CU_ASSERT_EQUAL(parse("--help", NULL), 1);
	fclose(stdout);
	stdout = saved;
}

/* Each bad command line is refused with a message that contains the given words. */
static void test_bad_input_rejected_with_reason(void)
{
	static const struct {
		const char *args[4];
		const char *words;
	} cases[] = {
		{{"--bogus"}, "unknown option"},
		{{"--workers", "a"}, "--workers"},
		{{"--workers", "3-1"}, "backwards"},
		{{"--workers", "1,1"}, "twice"},
		{{"--workers", "1", "--main-core", "1"}, "both the main core and a worker"},
		{{"--main-core", "-1"}, "--main-core"},
		{{"--mem", "10"}, "at least 64"},
		{{"--mem", "12x"}, "--mem"},
		{{"--mac-age", "0"}, "--mac-age"},
		{{"--mac-capacity", "1"}, "--mac-capacity"},
		{{"--stats-interval", "-5"}, "--stats-interval"},
		{{"--file-prefix", "a/b"}, "--file-prefix"},
		{{"--vhost-server", ""}, "give the socket path"},
		{{"--vhost-server", "/x/a.sock,mode=1"}, "unknown setting"},
		{{"--vhost-server", "/x/a.sock,name=bad name"}, "port name"},
		{{"--vhost-server", "/x/a.sock", "--vhost-client", "/y/a.sock"}, "already used"},
		{{"--vhost-server", "/x/a.sock", "--vhost-client", "/x/a.sock,name=b"},
		 "already used by port"},
		{{"--vhost-server", "/x/.sock"}, "cannot make a port name"},
		{{"leftover"}, "unexpected argument"},
	};
	unsigned int i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int ret = parse(cases[i].args[0], cases[i].args[1], cases[i].args[2],
				cases[i].args[3], NULL);

		CU_ASSERT_EQUAL(ret, -EINVAL);
		if (strstr(err, cases[i].words) == NULL) {
			fprintf(stderr, "case %u (%s): message '%s' lacks '%s'\n", i,
				cases[i].args[0], err, cases[i].words);
			CU_FAIL("message does not name the problem");
		}
	}
}

static void test_long_socket_path_rejected(void)
{
	char path[200];

	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	CU_ASSERT_EQUAL(parse("--vhost-server", path, NULL), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 107"));
}

static void test_too_many_ports_rejected(void)
{
	char *argv[2 + 2 * (SYD_MAX_PORTS + 1)];
	char paths[SYD_MAX_PORTS + 1][32];
	int argc = 0, i;

	argv[argc++] = "syd-dataplane";
	for (i = 0; i <= SYD_MAX_PORTS; i++) {
		snprintf(paths[i], sizeof(paths[i]), "/x/p%d.sock", i);
		argv[argc++] = "--vhost-server";
		argv[argc++] = paths[i];
	}
	argv[argc] = NULL;
	CU_ASSERT_EQUAL(options_parse(argc, argv, &opt, err, sizeof(err)), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "at most 32 ports"));
}

int main(void)
{
	CU_pSuite s;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("options", NULL, NULL);
	CU_add_test(s, "defaults_suit_a_small_host", test_defaults_suit_a_small_host);
	CU_add_test(s, "ports_named_from_socket_file", test_ports_named_from_socket_file);
	CU_add_test(s, "worker_core_lists", test_worker_core_lists);
	CU_add_test(s, "eal_arguments_after_double_dash", test_eal_arguments_after_double_dash);
	CU_add_test(s, "help_returns_1", test_help_returns_1);
	CU_add_test(s, "bad_input_rejected_with_reason", test_bad_input_rejected_with_reason);
	CU_add_test(s, "long_socket_path_rejected", test_long_socket_path_rejected);
	CU_add_test(s, "too_many_ports_rejected", test_too_many_ports_rejected);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

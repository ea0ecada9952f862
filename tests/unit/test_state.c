/* SPDX-License-Identifier: BSD-3-Clause */
/* The desired-state model: op rules, and the diff checked by applying it: for any two
 * states, applying diff(want, have) to have must give want, and diffing again nothing.
 * (Flow rules: test_state_flow.c.) */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>

#include "state.h"

#include "state_gen.h"

static void test_op_rules(void)
{
	struct state s;

	state_init(&s);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_NET_ADD, 0, "blue", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_NET_ADD, 0, "blue", NULL, NULL, 0)), -EEXIST);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_ADD, 1, "vm1", "red", "/a", 0)), -ENOENT);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_ADD, 1, "vm1", "blue", "/a", 0)), 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_ADD, 1, "vm2", NULL, "/a", 0)), -EEXIST);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_ADD, 1, "vm1", NULL, "/b", 0)), -EEXIST);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_NET_DEL, 0, "blue", NULL, NULL, 0)), -EBUSY);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_MAC_ADD, 0, "vm1", "blue", NULL, 1)), 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_NET_ADD, 0, "red", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_MAC_ADD, 0, "vm1", "red", NULL, 2)), -EINVAL);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_MAC_DEL, 0, NULL, "blue", NULL, 9)), -ENOENT);
	CU_ASSERT_EQUAL(s.nmacs, 1);
	/* Moving a port drops its static entries, as the dataplane does. */
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_ATTACH, 0, "vm1", "red", NULL, 0)), 0);
	CU_ASSERT_EQUAL(s.nmacs, 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_DETACH, 0, "vm1", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_NET_DEL, 0, "blue", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_DEL, 0, "vm1", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_DEL, 0, "vm1", NULL, NULL, 0)), -ENOENT);
	CU_ASSERT_EQUAL(s.nports, 0);
	CU_ASSERT_EQUAL(s.nnets, 1);
	state_free(&s);
}

/* A socket-mode uplink's socket is no port's, and the reverse; a kernel uplink's
 * interface name may be a socket uplink's name and nothing more. */
static void test_socket_uplink_rules(void)
{
	struct syd_op up = mk(SYD_OP_UPLINK_SET, SYD_UPLINK_VIRTIO_USER, "ul0", NULL, "/u", 7);
	struct state s;

	up.addr = htonl(0xc6120002);
	state_init(&s);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_ADD, SYD_PORT_VHOST_SERVER, "vm1", NULL, "/u", 0)),
			0);
	CU_ASSERT_EQUAL(apply(&s, up), -EBUSY); /* /u is port vm1's */
	CU_ASSERT_STRING_EQUAL(s.uplink.ifname, "");
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_DEL, 0, "vm1", NULL, NULL, 0)), 0);
	CU_ASSERT_EQUAL(apply(&s, up), 0);
	CU_ASSERT_STRING_EQUAL(s.uplink.ifname, "ul0");
	CU_ASSERT_STRING_EQUAL(s.uplink.path, "/u");
	CU_ASSERT_EQUAL(s.uplink.mac[5], 7);
	CU_ASSERT_EQUAL(s.uplink.mode, SYD_UPLINK_VIRTIO_USER);
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_ADD, SYD_PORT_VHOST_CLIENT, "vm1", NULL, "/u", 0)),
			-EBUSY); /* the uplink's socket */
	CU_ASSERT_EQUAL(apply(&s, mk(SYD_OP_PORT_ADD, SYD_PORT_TAP, "t1", NULL, "ul0", 0)), 0);
	state_free(&s);
}

static void test_batch_all_or_nothing(void)
{
	struct proto_buf b = {0};
	struct state s;
	struct syd_op op;

	state_init(&s);
	proto_begin(&b, SYD_MSG_BATCH, 0);
	op = mk(SYD_OP_NET_ADD, 0, "blue", NULL, NULL, 0);
	proto_batch_add(&b, &op);
	op = mk(SYD_OP_ATTACH, 0, "nosuch", "blue", NULL, 0);
	proto_batch_add(&b, &op);
	CU_ASSERT_EQUAL(apply_buf(&s, &b), -ENOENT);
	CU_ASSERT_EQUAL(s.nnets, 0); /* the first op did not stick */
	proto_buf_free(&b);
	state_free(&s);
}

static void test_diff_of_equal_states_is_empty(void)
{
	struct state a, b;

	state_init(&a);
	state_init(&b);
	apply(&a, mk(SYD_OP_NET_ADD, 0, "blue", NULL, NULL, 0));
	apply(&a, mk(SYD_OP_PORT_ADD, 2, "vm1", "blue", "/x/vm1.sock", 0));
	apply(&a, mk(SYD_OP_MAC_ADD, 0, "vm1", "blue", NULL, 5));
	state_copy(&b, &a);
	CU_ASSERT_EQUAL(diff_count(&a, &b), 0);
	/* Order does not matter: the same state built the other way round. */
	state_free(&b);
	state_init(&b);
	apply(&b, mk(SYD_OP_NET_ADD, 0, "blue", NULL, NULL, 0));
	apply(&b, mk(SYD_OP_PORT_ADD, 2, "vm1", NULL, "/x/vm1.sock", 0));
	apply(&b, mk(SYD_OP_ATTACH, 0, "vm1", "blue", NULL, 0));
	apply(&b, mk(SYD_OP_MAC_ADD, 0, "vm1", "blue", NULL, 5));
	CU_ASSERT_EQUAL(diff_count(&a, &b), 0);
	state_free(&a);
	state_free(&b);
}

static void test_diff_sends_only_the_difference(void)
{
	struct state want, have;

	state_init(&want);
	state_init(&have);
	apply(&have, mk(SYD_OP_NET_ADD, 0, "blue", NULL, NULL, 0));
	apply(&have, mk(SYD_OP_PORT_ADD, 1, "vm1", "blue", "/s/1", 0));
	apply(&have, mk(SYD_OP_PORT_ADD, 1, "vm2", "blue", "/s/2", 0));
	state_copy(&want, &have);
	apply(&want, mk(SYD_OP_PORT_ADD, 1, "vm3", "blue", "/s/3", 0));
	CU_ASSERT_EQUAL(diff_count(&want, &have), 1); /* one port add; vm1, vm2 untouched */
	state_free(&want);
	state_free(&have);
}

static void test_diff_applied_gives_want(void)
{
	struct state want, have, got;
	unsigned int seed, bad = 0, vteps = 0, remote = 0, uplinks = 0, i;

	state_init(&want);
	state_init(&have);
	state_init(&got);
	for (seed = 1; seed <= 2000; seed++) {
		struct proto_buf b = {0};
		int n;

		state_clear(&want);
		state_clear(&have);
		random_state(&want, seed);
		random_state(&have, seed * 7919);
		uplinks += want.uplink.ifname[0] != '\0';
		for (i = 0; i < want.nnets; i++)
			vteps += want.net[i].nvteps;
		for (i = 0; i < want.nmacs; i++)
			remote += want.mac[i].remote != 0;
		proto_begin(&b, SYD_MSG_BATCH, 0);
		n = state_diff(&want, &have, &b);
		CU_ASSERT_TRUE_FATAL(n >= 0);
		state_copy(&got, &have);
		if (apply_buf(&got, &b) != 0 || diff_count(&want, &got) != 0 ||
		    diff_count(&got, &want) != 0) {
			if (bad++ == 0)
				fprintf(stderr, "seed %u: the diff does not lead to the wanted state\n",
					seed);
		}
		proto_buf_free(&b);
	}
	CU_ASSERT_EQUAL(bad, 0);
	/* the universe really has tunnels in it */
	CU_ASSERT_TRUE(uplinks > 500 && vteps > 2000 && remote > 1000);
	state_free(&want);
	state_free(&have);
	state_free(&got);
}

static void test_save_and_load_round_trip(void)
{
	char path[] = "/tmp/syd-state-XXXXXX", err[256];
	struct state a, b;
	unsigned int i;
	int fd = mkstemp(path);

	close(fd);
	state_init(&a);
	state_init(&b);
	apply(&a, mk(SYD_OP_NET_ADD, 0, "blue", NULL, NULL, 0));
	apply(&a, mk(SYD_OP_PORT_ADD, 4, "tap0", "blue", "syd-tap0", 0));
	/* More static entries than one batch holds: the file has several records. */
	for (i = 0; i < 3000; i++) {
		struct syd_op op = mk(SYD_OP_MAC_ADD, 0, "tap0", "blue", NULL, 0);

		op.mac[0] = 0x02;
		op.mac[4] = (uint8_t)(i >> 8);
		op.mac[5] = (uint8_t)i;
		CU_ASSERT_EQUAL(state_apply_op(&a, &op, err, sizeof(err)), 0);
	}
	CU_ASSERT_EQUAL(state_save(&a, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(b.nmacs, 3000);
	CU_ASSERT_EQUAL(diff_count(&a, &b), 0);
	CU_ASSERT_EQUAL(diff_count(&b, &a), 0);

	/* A file written by protocol version 2 (the same BATCH and FLOW_MOD bodies) loads. */
	fd = open(path, O_WRONLY);
	CU_ASSERT_EQUAL(pwrite(fd, "\x02", 1, 0), 1); /* the first record's version byte */
	close(fd);
	state_free(&b);
	state_init(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(diff_count(&a, &b), 0);

	/* A damaged file is refused and changes nothing. */
	fd = open(path, O_WRONLY);
	CU_ASSERT_EQUAL(pwrite(fd, "\x07", 1, 0), 1); /* the version byte */
	close(fd);
	state_free(&b);
	state_init(&b);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), -EPROTONOSUPPORT);
	CU_ASSERT_EQUAL(b.nnets + b.nports + b.nmacs, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "damaged"));
	unlink(path);
	CU_ASSERT_EQUAL(state_load(&b, path, err, sizeof(err)), -ENOENT);
	state_free(&a);
	state_free(&b);
}

int main(void)
{
	CU_pSuite s;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("state", NULL, NULL);
	CU_add_test(s, "op_rules", test_op_rules);
	CU_add_test(s, "socket_uplink_rules", test_socket_uplink_rules);
	CU_add_test(s, "batch_all_or_nothing", test_batch_all_or_nothing);
	CU_add_test(s, "diff_of_equal_states_is_empty", test_diff_of_equal_states_is_empty);
	CU_add_test(s, "diff_sends_only_the_difference", test_diff_sends_only_the_difference);
	CU_add_test(s, "diff_applied_gives_want", test_diff_applied_gives_want);
	CU_add_test(s, "save_and_load_round_trip", test_save_and_load_round_trip);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	return failures ? 1 : 0;
}

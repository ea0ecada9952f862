/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire protocol's checks of a batch's ops (UPLINK_SET's modes included): every way
 * an op can be wrong is refused with its exact code.
 */
#include <CUnit/Basic.h>

#include "proto_fixtures.h"
#include "suite.h"

/* ---- ops ------------------------------------------------------------------------ */

static void test_op_unknown_type_is_einval(void)
{
	static const uint16_t types[] = {0, SYD_OP_TYPE_MAX, 0xffff};
	struct syd_op op;
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(types); i++) {
		op = good_op(SYD_OP_NET_ADD);
		op.type = types[i];
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown operation"));
	}
}

static void test_op_reserved_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		CU_ASSERT_EQUAL(check_op(&op), 0);
		op.reserved = 0x80000000u;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

static void test_op_pad_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		op.pad = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		op.pad = 0x8000;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

static void test_op_bad_name_is_einval(void)
{
	uint16_t t;
	unsigned int i;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op;

		if (!op_uses_name(t))
			continue;
		for (i = 0; i < ARRAY_LEN(bad_names); i++) {
			op = good_op(t);
			memset(op.name, 0, sizeof(op.name));
			strcpy(op.name, bad_names[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		}
		op = good_op(t);
		memset(op.name, 'a', sizeof(op.name)); /* unterminated */
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		strcpy(op.name, "abcdefghijklmnopqrstuvwx"); /* 24: the longest */
		CU_ASSERT_EQUAL(check_op(&op), 0);
	}
}

static void test_op_bad_network_is_einval(void)
{
	uint16_t t;
	unsigned int i;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op;

		if (!op_uses_network(t))
			continue;
		for (i = 0; i < ARRAY_LEN(bad_names); i++) {
			if (bad_names[i][0] == '\0' && !op_needs_network(t))
				continue; /* "" means "none" where the network is optional */
			op = good_op(t);
			memset(op.network, 0, sizeof(op.network));
			strcpy(op.network, bad_names[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		}
		op = good_op(t);
		memset(op.network, 'a', sizeof(op.network)); /* unterminated */
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

/* Where the network is optional, "none" is the whole field zero, not just a NUL first. */
static void test_op_optional_network_empty_must_be_all_zero(void)
{
	struct syd_op op = good_op(SYD_OP_PORT_ADD);

	op.network[5] = 'x';
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_MAC_FLUSH);
	op.network[SYD_PROTO_NAME_LEN - 1] = 1;
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
}

static void test_op_unused_name_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (op_uses_name(t))
			continue;
		op.name[SYD_PROTO_NAME_LEN - 1] = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		strcpy(op.name, "vm1");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused name"));
	}
}

static void test_op_unused_network_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (op_uses_network(t))
			continue;
		op.network[SYD_PROTO_NAME_LEN - 1] = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		strcpy(op.network, "blue");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused network"));
	}
}

static void test_op_unused_kind_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (t == SYD_OP_PORT_ADD || t == SYD_OP_UPLINK_SET)
			continue;
		op.kind = SYD_PORT_TAP;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused kind"));
	}
}

static void test_op_unused_path_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (t == SYD_OP_PORT_ADD || t == SYD_OP_UPLINK_SET)
			continue;
		op.path[SYD_PROTO_PATH_LEN - 1] = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		strcpy(op.path, "/run/x");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused path"));
	}
}

static void test_op_unused_mac_set_is_einval(void)
{
	uint16_t t;

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		if (op_uses_mac(t))
			continue;
		op.mac[5] = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unused mac"));
	}
}

static void test_port_add_kind_out_of_range_is_einval(void)
{
	static const uint16_t kinds[] = {0, SYD_PORT_KIND_MAX, 0xffff};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(kinds); i++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = kinds[i];
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown port kind"));
	}
}

/* ---- UPLINK_SET: kernel modes and socket modes ---- */

/* A socket-mode UPLINK_SET: name, absolute socket path, no MAC (the switch makes one). */
static struct syd_op socket_uplink(uint16_t mode)
{
	struct syd_op op = good_op(SYD_OP_UPLINK_SET);

	op.kind = mode;
	memset(op.path, 0, sizeof(op.path));
	strcpy(op.path, "/run/ul/underlay.sock");
	strcpy(op.name, "ul0");
	return op;
}

static void test_uplink_socket_modes_are_valid(void)
{
	static const uint8_t mac[6] = {0x02, 0, 0, 0, 0, 0x0a};
	uint16_t mode;

	for (mode = SYD_UPLINK_VHOST_SERVER; mode <= SYD_UPLINK_VIRTIO_USER; mode++) {
		struct syd_op op = socket_uplink(mode);

		CU_ASSERT_TRUE(proto_uplink_is_socket(mode));
		CU_ASSERT_EQUAL(check_op(&op), 0);
		memcpy(op.mac, mac, 6);
		CU_ASSERT_EQUAL(check_op(&op), 0);
		memset(op.name, 0, sizeof(op.name));
		strcpy(op.name, "abcdefghijklmno"); /* 15: as long as an interface name */
		CU_ASSERT_EQUAL(check_op(&op), 0);
		memset(op.path, 0, sizeof(op.path));
		memset(op.path, 'p', SYD_PROTO_PATH_LEN - 1);
		op.path[0] = '/';
		CU_ASSERT_EQUAL(check_op(&op), 0);
	}
	for (mode = SYD_UPLINK_AUTO; mode <= SYD_UPLINK_AF_PACKET; mode++)
		CU_ASSERT_FALSE(proto_uplink_is_socket(mode));
}

static void test_uplink_unknown_mode_is_einval(void)
{
	static const uint16_t modes[] = {0, SYD_UPLINK_MODE_MAX, 0xffff};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(modes); i++) {
		struct syd_op op = good_op(SYD_OP_UPLINK_SET);

		op.kind = modes[i];
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown uplink mode"));
		op = socket_uplink(SYD_UPLINK_VHOST_SERVER);
		op.kind = modes[i];
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "unknown uplink mode"));
	}
}

static void test_uplink_socket_mode_path_rules(void)
{
	static const char *const rel[] = {"underlay.sock", "./u.sock", "run/u.sock", " /x", "eth1"};
	uint16_t mode;
	unsigned int i;

	for (mode = SYD_UPLINK_VHOST_SERVER; mode <= SYD_UPLINK_VIRTIO_USER; mode++) {
		struct syd_op op;

		for (i = 0; i < ARRAY_LEN(rel); i++) {
			op = socket_uplink(mode);
			memset(op.path, 0, sizeof(op.path));
			strcpy(op.path, rel[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "must be absolute"));
		}
		op = socket_uplink(mode); /* missing */
		memset(op.path, 0, sizeof(op.path));
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "the vhost-user socket"));
		op = socket_uplink(mode); /* too long: no NUL in the field */
		memset(op.path, 'p', sizeof(op.path));
		op.path[0] = '/';
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "path must be 1-107 bytes"));
	}
}

static void test_uplink_socket_mode_name_rules(void)
{
	static const char *const bad[] = {"", "abcdefghijklmnop", "a/b", "a b", "a.b"};
	uint16_t mode;
	unsigned int i;

	for (mode = SYD_UPLINK_VHOST_SERVER; mode <= SYD_UPLINK_VIRTIO_USER; mode++) {
		struct syd_op op = socket_uplink(mode);

		for (i = 0; i < ARRAY_LEN(bad); i++) {
			memset(op.name, 0, sizeof(op.name));
			strcpy(op.name, bad[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "the uplink's name must be 1-15"));
		}
		op = socket_uplink(mode);
		op.mac[0] = 0x01; /* multicast */
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "multicast MAC"));
	}
}

/* A kernel mode takes an interface: a socket path, a name or a MAC is refused, saying
 * which modes take them. */
static void test_uplink_kernel_mode_refuses_socket_fields(void)
{
	uint16_t mode;

	for (mode = SYD_UPLINK_AUTO; mode <= SYD_UPLINK_AF_PACKET; mode++) {
		struct syd_op op = good_op(SYD_OP_UPLINK_SET);

		op.kind = mode;
		CU_ASSERT_EQUAL(check_op(&op), 0);
		memset(op.path, 0, sizeof(op.path));
		strcpy(op.path, "/run/ul/underlay.sock");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "not an interface name"));
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "vhost-server or virtio-user"));
		op = good_op(SYD_OP_UPLINK_SET);
		op.kind = mode;
		strcpy(op.name, "ul0");
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(
			strstr(err, "only vhost-server and virtio-user uplinks have"));
		op = good_op(SYD_OP_UPLINK_SET);
		op.kind = mode;
		op.mac[0] = 0x02;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(
			strstr(err, "only vhost-server and virtio-user uplinks take"));
	}
}

static void test_uplink_mode_parse_and_name_round_trip(void)
{
	unsigned int m;

	for (m = 1; m < SYD_UPLINK_MODE_MAX; m++)
		CU_ASSERT_EQUAL(proto_uplink_mode_parse(proto_uplink_mode_name(m)), m);
	CU_ASSERT_STRING_EQUAL(proto_uplink_mode_name(SYD_UPLINK_VHOST_SERVER), "vhost-server");
	CU_ASSERT_STRING_EQUAL(proto_uplink_mode_name(SYD_UPLINK_VIRTIO_USER), "virtio-user");
	CU_ASSERT_EQUAL(proto_uplink_mode_parse("vhost"), 0);
	CU_ASSERT_EQUAL(proto_uplink_mode_parse(""), 0);
	CU_ASSERT_STRING_EQUAL(proto_uplink_mode_name(SYD_UPLINK_MODE_MAX), "unknown");
}

static void test_port_add_vhost_path_must_be_absolute(void)
{
	static const char *const rel[] = {"vm1.sock", "./vm1.sock", "run/vm1.sock", " /x"};
	uint16_t kind;
	unsigned int i;

	for (kind = SYD_PORT_VHOST_SERVER; kind <= SYD_PORT_VHOST_CLIENT; kind++) {
		for (i = 0; i < ARRAY_LEN(rel); i++) {
			struct syd_op op = good_op(SYD_OP_PORT_ADD);

			op.kind = kind;
			memset(op.path, 0, sizeof(op.path));
			strcpy(op.path, rel[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "absolute"));
		}
	}
}

static void test_port_add_path_empty_or_unterminated_is_einval(void)
{
	uint16_t kind;

	for (kind = 1; kind < SYD_PORT_KIND_MAX; kind++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = kind;
		memset(op.path, 0, sizeof(op.path));
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		memset(op.path, 'a', sizeof(op.path));
		op.path[0] = '/';
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

static void test_port_add_longest_socket_path_is_valid(void)
{
	struct syd_op op = good_op(SYD_OP_PORT_ADD);

	memset(op.path, 'a', sizeof(op.path) - 1); /* 107 bytes: what sun_path holds */
	op.path[0] = '/';
	CU_ASSERT_EQUAL(check_op(&op), 0);
}

static void test_port_add_interface_name_rules(void)
{
	static const char *const bad[] = {
		"a/b",	     "eth:1",  "eth 1",
		"eth\t1",    "eth1\n", "0123456789abcdef", /* 16: IFNAMSIZ with the NUL is 16 */
		"/dev/tap0",
	};
	uint16_t kind;
	unsigned int i;

	for (kind = SYD_PORT_AF_PACKET; kind <= SYD_PORT_TAP; kind++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = kind;
		memset(op.path, 0, sizeof(op.path));
		strcpy(op.path, "0123456789abcde"); /* 15: the longest */
		CU_ASSERT_EQUAL(check_op(&op), 0);
		strcpy(op.path, "eth1.100"); /* VLAN interfaces have dots */
		CU_ASSERT_EQUAL(check_op(&op), 0);
		for (i = 0; i < ARRAY_LEN(bad); i++) {
			memset(op.path, 0, sizeof(op.path));
			strcpy(op.path, bad[i]);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "interface name"));
		}
		memset(op.path, 0, sizeof(op.path)); /* empty */
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

/*
 * ifname_ok() says it takes names "as the kernel takes it"; the kernel's dev_valid_name()
 * also refuses "." and ".." and every isspace() byte (\v \f \r as well as ' ' \t \n).
 */
static void test_port_add_interface_name_refuses_what_the_kernel_refuses(void)
{
	static const char *const bad[] = {".", "..", "eth\r1", "eth\v1", "eth\f1"};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(bad); i++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = SYD_PORT_AF_PACKET;
		memset(op.path, 0, sizeof(op.path));
		strcpy(op.path, bad[i]);
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	}
}

static void test_mac_ops_refuse_zero_mac(void)
{
	uint16_t t;

	for (t = SYD_OP_MAC_ADD; t <= SYD_OP_MAC_DEL; t++) {
		struct syd_op op = good_op(t);

		memset(op.mac, 0, sizeof(op.mac));
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(strstr(err, "00:00:00:00:00:00"));
	}
}

static void test_mac_ops_refuse_multicast_mac(void)
{
	static const uint8_t macs[][6] = {
		{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
		{0x33, 0x33, 0x00, 0x00, 0x00, 0x01},
		{0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	};
	uint16_t t;
	unsigned int i;

	for (t = SYD_OP_MAC_ADD; t <= SYD_OP_MAC_DEL; t++) {
		for (i = 0; i < ARRAY_LEN(macs); i++) {
			struct syd_op op = good_op(t);

			memcpy(op.mac, macs[i], 6);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			CU_ASSERT_PTR_NOT_NULL(strstr(err, "multicast"));
		}
	}
}

static void test_mac_add_requires_port_and_network(void)
{
	struct syd_op op = good_op(SYD_OP_MAC_ADD);

	memset(op.name, 0, sizeof(op.name));
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_MAC_ADD);
	memset(op.network, 0, sizeof(op.network));
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_MAC_DEL);
	memset(op.network, 0, sizeof(op.network));
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_ATTACH);
	memset(op.network, 0, sizeof(op.network));
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
}

#define TEST(name)                                                                                 \
	{                                                                                          \
#name, test_##name                                                                 \
	}

int main(void)
{
	static const struct unit_test tests[] = {
		TEST(op_unknown_type_is_einval),
		TEST(op_reserved_set_is_einval),
		TEST(op_pad_set_is_einval),
		TEST(op_bad_name_is_einval),
		TEST(op_bad_network_is_einval),
		TEST(op_optional_network_empty_must_be_all_zero),
		TEST(op_unused_name_set_is_einval),
		TEST(op_unused_network_set_is_einval),
		TEST(op_unused_kind_set_is_einval),
		TEST(op_unused_path_set_is_einval),
		TEST(op_unused_mac_set_is_einval),
		TEST(uplink_socket_modes_are_valid),
		TEST(uplink_unknown_mode_is_einval),
		TEST(uplink_socket_mode_path_rules),
		TEST(uplink_socket_mode_name_rules),
		TEST(uplink_kernel_mode_refuses_socket_fields),
		TEST(uplink_mode_parse_and_name_round_trip),
		TEST(port_add_kind_out_of_range_is_einval),
		TEST(port_add_vhost_path_must_be_absolute),
		TEST(port_add_path_empty_or_unterminated_is_einval),
		TEST(port_add_longest_socket_path_is_valid),
		TEST(port_add_interface_name_rules),
		TEST(port_add_interface_name_refuses_what_the_kernel_refuses),
		TEST(mac_ops_refuse_zero_mac),
		TEST(mac_ops_refuse_multicast_mac),
		TEST(mac_add_requires_port_and_network),
	};
	int ret = run_suite("proto_ops", tests, ARRAY_LEN(tests));

	proto_buf_free(&b);
	return ret;
}

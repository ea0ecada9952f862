/* SPDX-License-Identifier: BSD-3-Clause */
/* The wire protocol's codec: what the builders make passes proto_check and reads back;
 * every way a message can be wrong is refused with its code. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "proto.h"

static struct proto_buf b;
static char err[SYD_PROTO_TEXT_MAX];

static int check(void)
{
	struct syd_hdr *h = proto_finish(&b);

	err[0] = '\0';
	return proto_check(h, h->length, err, sizeof(err));
}

static struct syd_op good_op(uint16_t type)
{
	struct syd_op op;

	memset(&op, 0, sizeof(op));
	op.type = type;
	switch (type) {
	case SYD_OP_NET_ADD:
	case SYD_OP_NET_DEL:
	case SYD_OP_PORT_DEL:
	case SYD_OP_DETACH:
		strcpy(op.name, "n1");
		break;
	case SYD_OP_PORT_ADD:
		strcpy(op.name, "vm1");
		op.kind = SYD_PORT_VHOST_SERVER;
		strcpy(op.path, "/run/vm1.sock");
		break;
	case SYD_OP_ATTACH:
		strcpy(op.name, "vm1");
		strcpy(op.network, "blue");
		break;
	case SYD_OP_MAC_ADD:
		strcpy(op.name, "vm1");
		/* fall through */
	case SYD_OP_MAC_DEL:
		strcpy(op.network, "blue");
		op.mac[0] = 0x02;
		op.mac[5] = 0x09;
		break;
	case SYD_OP_MAC_FLUSH:
		break;
	}
	return op;
}

/* A batch of one op: the code proto_check gives it. */
static int check_op(const struct syd_op *op)
{
	proto_begin(&b, SYD_MSG_BATCH, 7);
	proto_batch_add(&b, op);
	return check();
}

static void test_every_good_op_round_trips(void)
{
	uint16_t t;

	proto_begin(&b, SYD_MSG_BATCH, 42);
	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		struct syd_op op = good_op(t);

		CU_ASSERT_EQUAL(proto_batch_add(&b, &op), 0);
	}
	CU_ASSERT_EQUAL(check(), 0);
	{
		const struct syd_hdr *h = (const void *)b.data;
		const struct syd_batch *m = proto_body(h);

		CU_ASSERT_EQUAL(h->version, SYD_PROTO_VERSION);
		CU_ASSERT_EQUAL(h->type, SYD_MSG_BATCH);
		CU_ASSERT_EQUAL(h->xid, 42);
		CU_ASSERT_EQUAL(m->count, SYD_OP_TYPE_MAX - 1);
		CU_ASSERT_STRING_EQUAL(m->op[2].path, "/run/vm1.sock");
		CU_ASSERT_EQUAL(m->op[6].mac[5], 0x09);
	}
}

static void test_empty_bodied_messages(void)
{
	static const uint16_t types[] = {SYD_MSG_OK, SYD_MSG_DONE, SYD_MSG_BARRIER,
					 SYD_MSG_DUMP_PORTS, SYD_MSG_DUMP_NETWORKS,
					 SYD_MSG_DUMP_MACS, SYD_MSG_GET_PORT_STATS,
					 SYD_MSG_GET_WORKER_STATS, SYD_MSG_GET_INFO,
					 SYD_MSG_CLEAR_STATS, SYD_MSG_DUMP_DROPS,
					 SYD_MSG_CLEAR_WORKER_STATS, SYD_MSG_DUMP_TRACE};
	unsigned int i;
	uint32_t extra = 0;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		proto_begin(&b, types[i], 1);
		CU_ASSERT_EQUAL(check(), 0);
		proto_append(&b, &extra, sizeof(extra));
		CU_ASSERT_EQUAL(check(), -EINVAL);
	}
}

static void test_header_rejections(void)
{
	struct syd_hdr *h;
	uint8_t big[16];

	proto_begin(&b, SYD_MSG_GET_INFO, 1);
	h = proto_finish(&b);
	CU_ASSERT_EQUAL(proto_check(h, 15, err, sizeof(err)), -EBADMSG); /* short */
	CU_ASSERT_EQUAL(proto_check(h, 0, err, sizeof(err)), -EBADMSG);

	h->length = 20; /* length field disagrees */
	CU_ASSERT_EQUAL(proto_check(h, 16, err, sizeof(err)), -EBADMSG);
	h->length = 16;

	h->version = 2;
	CU_ASSERT_EQUAL(proto_check(h, 16, err, sizeof(err)), -EPROTONOSUPPORT);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "version 2"));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "version 1"));
	h->version = SYD_PROTO_VERSION;

	CU_ASSERT_EQUAL(proto_check(h, SYD_PROTO_MSG_MAX + 1, err, sizeof(err)), -EMSGSIZE);

	h->flags = 1;
	CU_ASSERT_EQUAL(proto_check(h, 16, err, sizeof(err)), -EINVAL);
	h->flags = 0;
	h->reserved = 1;
	CU_ASSERT_EQUAL(proto_check(h, 16, err, sizeof(err)), -EINVAL);
	h->reserved = 0;

	{
		static const uint16_t unknown[] = {0, 18, 19, 28, 29, 31, SYD_MSG_TYPE_MAX, 999};
		unsigned int i;

		for (i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
			h->type = unknown[i];
			CU_ASSERT_EQUAL(proto_check(h, 16, err, sizeof(err)), -EOPNOTSUPP);
		}
	}
	memset(big, 0, sizeof(big));
	CU_ASSERT_EQUAL(proto_check(big, sizeof(big), err, sizeof(err)), -EPROTONOSUPPORT);
}

static void test_hello_and_error(void)
{
	struct syd_hello hello = {.version_min = 1, .version_max = 1};
	struct syd_error e = {.code = ENOENT};

	strcpy(hello.software, "test");
	proto_begin(&b, SYD_MSG_HELLO, 1);
	proto_append(&b, &hello, sizeof(hello));
	CU_ASSERT_EQUAL(check(), 0);
	((struct syd_hello *)(b.data + 16))->version_min = 2; /* min > max */
	CU_ASSERT_EQUAL(check(), -EINVAL);
	proto_begin(&b, SYD_MSG_HELLO, 1);
	memset(hello.software, 'x', sizeof(hello.software)); /* unterminated */
	proto_append(&b, &hello, sizeof(hello));
	CU_ASSERT_EQUAL(check(), -EINVAL);
	proto_begin(&b, SYD_MSG_HELLO, 1);
	proto_append(&b, &hello, 8); /* wrong size */
	CU_ASSERT_EQUAL(check(), -EINVAL);

	CU_ASSERT_EQUAL(proto_error(&b, 9, ENOENT, "no port named '%s'", "vm9"), 0);
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(((struct syd_error *)(b.data + 16))->code, ENOENT);
	CU_ASSERT_STRING_EQUAL(((struct syd_error *)(b.data + 16))->text, "no port named 'vm9'");

	proto_begin(&b, SYD_MSG_ERROR, 1); /* code 0 */
	e.code = 0;
	proto_append(&b, &e, sizeof(e));
	proto_append(&b, "x", 2);
	CU_ASSERT_EQUAL(check(), -EINVAL);
	proto_begin(&b, SYD_MSG_ERROR, 1); /* text not terminated */
	e.code = 5;
	proto_append(&b, &e, sizeof(e));
	proto_append(&b, "abc", 3);
	CU_ASSERT_EQUAL(check(), -EINVAL);
	proto_begin(&b, SYD_MSG_ERROR, 1); /* a NUL inside the text */
	proto_append(&b, &e, sizeof(e));
	proto_append(&b, "ab\0c", 5);
	CU_ASSERT_EQUAL(check(), -EINVAL);
	proto_begin(&b, SYD_MSG_ERROR, 1); /* no text at all */
	proto_append(&b, &e, sizeof(e));
	CU_ASSERT_EQUAL(check(), -EINVAL);
	{
		char text[SYD_PROTO_TEXT_MAX + 1];

		memset(text, 'a', sizeof(text) - 1);
		text[sizeof(text) - 1] = '\0';
		proto_begin(&b, SYD_MSG_ERROR, 1); /* too long */
		proto_append(&b, &e, sizeof(e));
		proto_append(&b, text, sizeof(text));
		CU_ASSERT_EQUAL(check(), -EINVAL);
	}
}

static void test_batch_limits(void)
{
	struct syd_op op = good_op(SYD_OP_MAC_FLUSH);
	struct syd_batch *m;
	unsigned int i;

	proto_begin(&b, SYD_MSG_BATCH, 1);
	CU_ASSERT_EQUAL(check(), 0); /* an empty batch is fine */
	for (i = 0; i < SYD_PROTO_BATCH_MAX; i++)
		CU_ASSERT_EQUAL_FATAL(proto_batch_add(&b, &op), 0);
	CU_ASSERT_EQUAL(proto_batch_add(&b, &op), -E2BIG);
	CU_ASSERT_EQUAL(check(), 0);
	m = (struct syd_batch *)(b.data + 16);
	m->count = SYD_PROTO_BATCH_MAX + 1;
	CU_ASSERT_EQUAL(check(), -E2BIG);
	m->count = 3; /* says 3, carries 1200 */
	CU_ASSERT_EQUAL(check(), -EINVAL);
	m->count = SYD_PROTO_BATCH_MAX;
	m->reserved = 1;
	CU_ASSERT_EQUAL(check(), -EINVAL);

	proto_begin(&b, SYD_MSG_BATCH, 1); /* a partial op */
	proto_batch_add(&b, &op);
	b.len -= 4;
	CU_ASSERT_EQUAL(check(), -EINVAL);
	proto_begin(&b, SYD_MSG_OK, 1); /* a BATCH shorter than its count field */
	{
		struct syd_hdr *h = proto_finish(&b);

		h->type = SYD_MSG_BATCH;
		CU_ASSERT_EQUAL(proto_check(h, 16, err, sizeof(err)), -EINVAL);
	}
}

static void test_builders_stop_at_limits(void)
{
	static uint8_t chunk[64 * 1024];
	char field[8];

	proto_begin(&b, SYD_MSG_PORTS, 1);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), -EMSGSIZE);
	CU_ASSERT_EQUAL(b.len, 16 + 3 * sizeof(chunk));
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), "1234567"), 0);
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), "12345678"), -ENAMETOOLONG);
}

static void test_names_kinds(void)
{
	char f[SYD_PROTO_NAME_LEN];
	unsigned int k;

	memset(f, 0, sizeof(f));
	CU_ASSERT_FALSE(proto_name_ok(f, sizeof(f))); /* empty */
	strcpy(f, "ok_Name-1");
	CU_ASSERT_TRUE(proto_name_ok(f, sizeof(f)));
	strcpy(f, "abcdefghijklmnopqrstuvwx"); /* 24 */
	CU_ASSERT_TRUE(proto_name_ok(f, sizeof(f)));
	strcpy(f, "abcdefghijklmnopqrstuvwxy"); /* 25 */
	CU_ASSERT_FALSE(proto_name_ok(f, sizeof(f)));
	strcpy(f, "a b");
	CU_ASSERT_FALSE(proto_name_ok(f, sizeof(f)));
	strcpy(f, "a/b");
	CU_ASSERT_FALSE(proto_name_ok(f, sizeof(f)));
	memset(f, 'a', sizeof(f)); /* unterminated */
	CU_ASSERT_FALSE(proto_name_ok(f, sizeof(f)));
	for (k = 1; k < SYD_PORT_KIND_MAX; k++)
		CU_ASSERT_EQUAL(proto_port_kind_parse(proto_port_kind_name(k)), k);
	CU_ASSERT_EQUAL(proto_port_kind_parse("vhost"), 0);
	CU_ASSERT_STRING_EQUAL(proto_port_kind_name(0), "unknown");
	CU_ASSERT_STRING_EQUAL(proto_msg_name(SYD_MSG_BATCH), "BATCH");
	CU_ASSERT_STRING_EQUAL(proto_msg_name(999), "unknown");
	CU_ASSERT_STRING_EQUAL(proto_op_name(SYD_OP_ATTACH), "attach");
}

/* Every op-level rule: each mutation of a good op is refused with -EINVAL. */
static void test_op_rejections(void)
{
	uint16_t t;
	struct syd_op op;

	op = good_op(SYD_OP_NET_ADD);
	op.type = 0;
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op.type = SYD_OP_TYPE_MAX;
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);

	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		op = good_op(t);
		CU_ASSERT_EQUAL(check_op(&op), 0);
		op.reserved = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		op = good_op(t);
		op.pad[1] = 1;
		CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		/* An unused field set, or a used one broken. */
		op = good_op(t);
		if (op.name[0]) {
			strcpy(op.name, "bad name");
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			memset(op.name, 'a', sizeof(op.name));
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		} else {
			op.name[5] = 'x';
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		}
		op = good_op(t);
		if (t != SYD_OP_PORT_ADD && t != SYD_OP_MAC_FLUSH && !op.network[0]) {
			strcpy(op.network, "blue");
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		} else if (op.network[0]) {
			strcpy(op.network, "bl ue");
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		}
		op = good_op(t);
		if (t != SYD_OP_PORT_ADD) {
			op.kind = 1;
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			op = good_op(t);
			op.path[100] = 'x';
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		}
		op = good_op(t);
		if (t != SYD_OP_MAC_ADD && t != SYD_OP_MAC_DEL) {
			op.mac[3] = 1;
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		} else {
			memset(op.mac, 0, 6);
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
			op.mac[0] = 0x01; /* multicast */
			CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
		}
	}

	/* PORT_ADD specifics. */
	op = good_op(SYD_OP_PORT_ADD);
	op.kind = 0;
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op.kind = SYD_PORT_KIND_MAX;
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_PORT_ADD);
	strcpy(op.path, "relative.sock");
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	memset(op.path, 0, sizeof(op.path));
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	memset(op.path, 'a', sizeof(op.path)); /* unterminated */
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_PORT_ADD);
	op.kind = SYD_PORT_AF_PACKET;
	memset(op.path, 0, sizeof(op.path));
	strcpy(op.path, "eth1");
	CU_ASSERT_EQUAL(check_op(&op), 0);
	strcpy(op.path, "a/b");
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	strcpy(op.path, "0123456789abcdef"); /* 16 */
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op.kind = SYD_PORT_TAP;
	strcpy(op.path, "tap 1");
	CU_ASSERT_EQUAL(check_op(&op), -EINVAL);
	op = good_op(SYD_OP_PORT_ADD);
	strcpy(op.network, "blue"); /* optional network */
	CU_ASSERT_EQUAL(check_op(&op), 0);
	op = good_op(SYD_OP_MAC_FLUSH);
	strcpy(op.network, "blue");
	CU_ASSERT_EQUAL(check_op(&op), 0);
}

static void test_dump_entries(void)
{
	struct syd_port_info p;
	struct syd_mac_info m;
	struct syd_event_link ev;
	struct syd_info info;

	memset(&p, 0, sizeof(p));
	strcpy(p.name, "vm1");
	p.kind = SYD_PORT_TAP;
	proto_begin(&b, SYD_MSG_PORTS, 1);
	proto_append(&b, &p, sizeof(p));
	proto_append(&b, &p, sizeof(p));
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(proto_entries((const void *)b.data, sizeof(p)), 2);
	proto_append(&b, &p, 10); /* a partial entry */
	CU_ASSERT_EQUAL(check(), -EINVAL);
	proto_begin(&b, SYD_MSG_PORTS, 1); /* no entry */
	CU_ASSERT_EQUAL(check(), -EINVAL);
	p.up = 2;
	proto_append(&b, &p, sizeof(p));
	CU_ASSERT_EQUAL(check(), -EINVAL);
	p.up = 1;
	p.kind = 0;
	proto_begin(&b, SYD_MSG_PORTS, 1);
	proto_append(&b, &p, sizeof(p));
	CU_ASSERT_EQUAL(check(), -EINVAL);

	memset(&m, 0, sizeof(m));
	strcpy(m.network, "n");
	strcpy(m.port, "p");
	proto_begin(&b, SYD_MSG_MACS, 1);
	proto_append(&b, &m, sizeof(m));
	CU_ASSERT_EQUAL(check(), 0);
	m.is_static = 3;
	proto_begin(&b, SYD_MSG_MACS, 1);
	proto_append(&b, &m, sizeof(m));
	CU_ASSERT_EQUAL(check(), -EINVAL);

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.port, "vm1");
	ev.up = 1;
	proto_begin(&b, SYD_MSG_EVENT_LINK, 0);
	proto_append(&b, &ev, sizeof(ev));
	CU_ASSERT_EQUAL(check(), 0);
	ev.pad[0] = 1;
	proto_begin(&b, SYD_MSG_EVENT_LINK, 0);
	proto_append(&b, &ev, sizeof(ev));
	CU_ASSERT_EQUAL(check(), -EINVAL);

	memset(&info, 0, sizeof(info));
	proto_begin(&b, SYD_MSG_INFO, 1);
	proto_append(&b, &info, sizeof(info));
	CU_ASSERT_EQUAL(check(), 0);
	info.nworkers = SYD_PROTO_WORKERS + 1;
	proto_begin(&b, SYD_MSG_INFO, 1);
	proto_append(&b, &info, sizeof(info));
	CU_ASSERT_EQUAL(check(), -EINVAL);
	proto_begin(&b, SYD_MSG_INFO, 1);
	proto_append(&b, &info, 12);
	CU_ASSERT_EQUAL(check(), -EINVAL);
}

int main(void)
{
	CU_pSuite s;
	unsigned int failures;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("proto", NULL, NULL);
	CU_add_test(s, "every_good_op_round_trips", test_every_good_op_round_trips);
	CU_add_test(s, "empty_bodied_messages", test_empty_bodied_messages);
	CU_add_test(s, "header_rejections", test_header_rejections);
	CU_add_test(s, "hello_and_error", test_hello_and_error);
	CU_add_test(s, "batch_limits", test_batch_limits);
	CU_add_test(s, "builders_stop_at_limits", test_builders_stop_at_limits);
	CU_add_test(s, "names_kinds", test_names_kinds);
	CU_add_test(s, "op_rejections", test_op_rejections);
	CU_add_test(s, "dump_entries", test_dump_entries);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failures = CU_get_number_of_failures();
	CU_cleanup_registry();
	proto_buf_free(&b);
	return failures ? 1 : 0;
}

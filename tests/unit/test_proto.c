/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The wire protocol's codec: what the builders make passes proto_check() and reads back
 * field for field, and where the builders stop.  Refusals: test_proto_check.c (the
 * header, bodies, dump entries) and test_proto_ops.c (a batch's ops).
 */
#include <CUnit/Basic.h>

#include "proto_fixtures.h"
#include "suite.h"

/* ---- round trips ---------------------------------------------------------------- */

static void test_begin_writes_version_type_xid(void)
{
	CU_ASSERT_EQUAL(proto_begin(&b, SYD_MSG_GET_INFO, 0xdeadbeef), 0);
	CU_ASSERT_EQUAL(b.len, sizeof(struct syd_hdr));
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(hdr()->version, SYD_PROTO_VERSION);
	CU_ASSERT_EQUAL(hdr()->type, SYD_MSG_GET_INFO);
	CU_ASSERT_EQUAL(hdr()->flags, 0);
	CU_ASSERT_EQUAL(hdr()->reserved, 0);
	CU_ASSERT_EQUAL(hdr()->length, 16);
	CU_ASSERT_EQUAL(hdr()->xid, 0xdeadbeef);
}

static void test_begin_reuses_buffer(void)
{
	static uint8_t chunk[10000];
	size_t cap;
	uint8_t *data;

	proto_begin(&b, SYD_MSG_NETWORKS, 1);
	proto_append(&b, chunk, sizeof(chunk));
	cap = b.cap;
	data = b.data;
	CU_ASSERT_EQUAL(proto_begin(&b, SYD_MSG_OK, 2), 0);
	CU_ASSERT_EQUAL(b.len, 16);
	CU_ASSERT_EQUAL(b.cap, cap);
	CU_ASSERT_PTR_EQUAL(b.data, data);
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(hdr()->length, 16);
}

static void test_empty_body_types_round_trip(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(empty_types); i++) {
		CU_ASSERT_EQUAL(check_msg(empty_types[i], NULL, 0), 0);
		CU_ASSERT_EQUAL(hdr()->type, empty_types[i]);
	}
}

static void test_hello_round_trips(void)
{
	struct syd_hello hello = {.version_min = 1, .version_max = 3};
	const struct syd_hello *m;

	CU_ASSERT_EQUAL(proto_set_str(hello.software, sizeof(hello.software), "syd-test 1.0"), 0);
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, &hello, sizeof(hello)), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(hdr()->length, 16 + sizeof(hello));
	CU_ASSERT_EQUAL(m->version_min, 1);
	CU_ASSERT_EQUAL(m->version_max, 3);
	CU_ASSERT_STRING_EQUAL(m->software, "syd-test 1.0");
	hello.version_max = 1; /* min == max is a range of one */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_HELLO, &hello, sizeof(hello)), 0);
}

static void test_error_round_trips(void)
{
	const struct syd_error *m;

	CU_ASSERT_EQUAL(proto_error(&b, 9, ENOENT, "no port named '%s'", "vm9"), 0);
	CU_ASSERT_EQUAL(proto_check(b.data, b.len, err, sizeof(err)), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(hdr()->type, SYD_MSG_ERROR);
	CU_ASSERT_EQUAL(hdr()->xid, 9);
	CU_ASSERT_EQUAL(hdr()->length, b.len);
	CU_ASSERT_EQUAL(hdr()->length, 16 + sizeof(*m) + strlen("no port named 'vm9'") + 1);
	CU_ASSERT_EQUAL(m->code, ENOENT);
	CU_ASSERT_EQUAL(m->reserved, 0);
	CU_ASSERT_STRING_EQUAL(m->text, "no port named 'vm9'");
}

static void test_error_builder_turns_bad_code_into_einval(void)
{
	CU_ASSERT_EQUAL(proto_error(&b, 1, 0, "x"), 0);
	CU_ASSERT_EQUAL(proto_check(b.data, b.len, err, sizeof(err)), 0);
	CU_ASSERT_EQUAL(((const struct syd_error *)proto_body(hdr()))->code, EINVAL);
	CU_ASSERT_EQUAL(proto_error(&b, 1, -ENOENT, "x"), 0);
	CU_ASSERT_EQUAL(((const struct syd_error *)proto_body(hdr()))->code, EINVAL);
}

static void test_error_builder_truncates_long_text(void)
{
	char text[2 * SYD_PROTO_TEXT_MAX];
	const struct syd_error *m;

	memset(text, 'a', sizeof(text) - 1);
	text[sizeof(text) - 1] = '\0';
	CU_ASSERT_EQUAL(proto_error(&b, 1, EINVAL, "%s", text), 0);
	CU_ASSERT_EQUAL(proto_check(b.data, b.len, err, sizeof(err)), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(strlen(m->text), SYD_PROTO_TEXT_MAX - 1);
	CU_ASSERT_EQUAL(b.len, 16 + sizeof(*m) + SYD_PROTO_TEXT_MAX);
}

static void test_empty_batch_is_valid(void)
{
	proto_begin(&b, SYD_MSG_BATCH, 3);
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(hdr()->length, 16 + sizeof(struct syd_batch));
	CU_ASSERT_EQUAL(((const struct syd_batch *)proto_body(hdr()))->count, 0);
}

static void test_batch_of_every_op_round_trips(void)
{
	const struct syd_batch *m;
	struct syd_op ops[SYD_OP_TYPE_MAX - 1];
	uint16_t t;

	proto_begin(&b, SYD_MSG_BATCH, 42);
	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		ops[t - 1] = good_op(t);
		CU_ASSERT_EQUAL(proto_batch_add(&b, &ops[t - 1]), 0);
	}
	CU_ASSERT_EQUAL(check(), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(hdr()->xid, 42);
	CU_ASSERT_EQUAL(hdr()->length,
			16 + sizeof(*m) + (SYD_OP_TYPE_MAX - 1) * sizeof(struct syd_op));
	CU_ASSERT_EQUAL(m->count, SYD_OP_TYPE_MAX - 1);
	CU_ASSERT_EQUAL(m->reserved, 0);
	for (t = 1; t < SYD_OP_TYPE_MAX; t++) {
		const struct syd_op *op = &m->op[t - 1];

		CU_ASSERT_EQUAL(op->type, t);
		CU_ASSERT_EQUAL(op->kind, ops[t - 1].kind);
		CU_ASSERT_STRING_EQUAL(op->name, ops[t - 1].name);
		CU_ASSERT_STRING_EQUAL(op->network, ops[t - 1].network);
		CU_ASSERT_STRING_EQUAL(op->path, ops[t - 1].path);
		CU_ASSERT_EQUAL(memcmp(op->mac, ops[t - 1].mac, 6), 0);
	}
}

static void test_batch_survives_buffer_growth(void)
{
	struct syd_op op = good_op(SYD_OP_PORT_ADD);
	const struct syd_batch *m;
	unsigned int i;

	proto_buf_free(&b); /* start from nothing so the buffer moves several times */
	proto_begin(&b, SYD_MSG_BATCH, 1);
	for (i = 0; i < 300; i++) {
		snprintf(op.name, sizeof(op.name), "vm%u", i);
		CU_ASSERT_EQUAL_FATAL(proto_batch_add(&b, &op), 0);
	}
	CU_ASSERT_EQUAL(check(), 0);
	m = proto_body(hdr());
	CU_ASSERT_EQUAL(m->count, 300);
	CU_ASSERT_STRING_EQUAL(m->op[0].name, "vm0");
	CU_ASSERT_STRING_EQUAL(m->op[299].name, "vm299");
}

static void test_port_add_of_every_kind_round_trips(void)
{
	static const struct {
		uint16_t kind;
		const char *path;
	} cases[] = {
		{SYD_PORT_VHOST_SERVER, "/run/vm1.sock"},
		{SYD_PORT_VHOST_CLIENT, "/var/lib/qemu/vm1"},
		{SYD_PORT_AF_PACKET, "eth1"},
		{SYD_PORT_TAP, "tap-vm1_0123456"}, /* 15 bytes */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct syd_op op = good_op(SYD_OP_PORT_ADD);

		op.kind = cases[i].kind;
		proto_set_str(op.path, sizeof(op.path), cases[i].path);
		CU_ASSERT_EQUAL(check_op(&op), 0);
		strcpy(op.network, "blue"); /* the network is optional */
		CU_ASSERT_EQUAL(check_op(&op), 0);
	}
}

static void test_dump_entries_round_trip(void)
{
	struct syd_port_info p[2];
	struct syd_net_info n[2];
	struct syd_mac_info m[2];
	struct syd_port_stats ps[2];
	struct syd_worker_stats ws[2];
	struct syd_drop_record d[2];
	struct syd_trace_record tr[2];
	const struct syd_port_info *pp;
	const struct syd_mac_info *mm;
	const struct syd_drop_record *dd;
	const struct syd_trace_record *tt;

	memset(p, 0, sizeof(p));
	strcpy(p[0].name, "vm1");
	strcpy(p[0].path, "/run/vm1.sock");
	strcpy(p[0].network, "blue");
	p[0].kind = SYD_PORT_VHOST_SERVER;
	p[0].up = 1;
	p[0].virtio_features = 0x130000000ull;
	strcpy(p[1].name, "eth1");
	p[1].kind = SYD_PORT_AF_PACKET; /* not attached, path "" */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORTS, p, sizeof(p)), 0);
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(p[0])), 2);
	pp = proto_body(hdr());
	CU_ASSERT_STRING_EQUAL(pp[0].network, "blue");
	CU_ASSERT_EQUAL(pp[0].virtio_features, 0x130000000ull);
	CU_ASSERT_STRING_EQUAL(pp[1].name, "eth1");

	memset(n, 0, sizeof(n));
	strcpy(n[0].name, "blue");
	strcpy(n[1].name, "red");
	n[1].nports = 3;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_NETWORKS, n, sizeof(n)), 0);
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(n[0])), 2);
	CU_ASSERT_EQUAL(((const struct syd_net_info *)proto_body(hdr()))[1].nports, 3);

	memset(m, 0, sizeof(m));
	strcpy(m[0].network, "blue");
	strcpy(m[0].port, "vm1");
	m[0].is_static = 1;
	strcpy(m[1].network, "red");
	strcpy(m[1].port, "vm2");
	m[1].age_s = 17;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_MACS, m, sizeof(m)), 0);
	mm = proto_body(hdr());
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(m[0])), 2);
	CU_ASSERT_EQUAL(mm[0].is_static, 1);
	CU_ASSERT_EQUAL(mm[1].age_s, 17);

	memset(ps, 0, sizeof(ps));
	strcpy(ps[0].name, "vm1");
	strcpy(ps[1].name, "vm2");
	ps[1].drops[SYD_PROTO_DROPS - 1] = 5;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_PORT_STATS, ps, sizeof(ps)), 0);
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(ps[0])), 2);
	CU_ASSERT_EQUAL(
		((const struct syd_port_stats *)proto_body(hdr()))[1].drops[SYD_PROTO_DROPS - 1],
		5);

	memset(ws, 0, sizeof(ws));
	strcpy(ws[0].rxqs, "vm1:0 vm2:0");
	ws[1].id = 1; /* rxqs "" */
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_WORKER_STATS, ws, sizeof(ws)), 0);
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(ws[0])), 2);
	CU_ASSERT_STRING_EQUAL(((const struct syd_worker_stats *)proto_body(hdr()))[0].rxqs,
			       "vm1:0 vm2:0");

	memset(d, 0, sizeof(d));
	strcpy(d[0].port, "vm1");
	d[0].reason = 1;
	d[0].len = 60;
	d[0].caplen = 60;
	strcpy(d[1].port, "vm2");
	d[1].reason = SYD_PROTO_DROPS - 1;
	d[1].len = 1500;
	d[1].caplen = SYD_PROTO_SNAP;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_DROPS, d, sizeof(d)), 0);
	dd = proto_body(hdr());
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(d[0])), 2);
	CU_ASSERT_EQUAL(dd[1].caplen, SYD_PROTO_SNAP);

	memset(tr, 0, sizeof(tr));
	strcpy(tr[0].in_port, "vm1");
	strcpy(tr[0].out_port, "vm2");
	strcpy(tr[1].in_port, "vm2"); /* flooded: out_port "" */
	tr[1].nout = 3;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE, tr, sizeof(tr)), 0);
	tt = proto_body(hdr());
	CU_ASSERT_EQUAL(proto_entries(hdr(), sizeof(tr[0])), 2);
	CU_ASSERT_STRING_EQUAL(tt[0].out_port, "vm2");
	CU_ASSERT_EQUAL(tt[1].nout, 3);
}

static void test_info_round_trips(void)
{
	struct syd_info info;

	memset(&info, 0, sizeof(info));
	strcpy(info.software, "syd-dataplane 0.1.0");
	strcpy(info.file_prefix, "switchyard");
	info.nworkers = SYD_PROTO_WORKERS;
	info.worker_lcore[SYD_PROTO_WORKERS - 1] = 17;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_INFO, &info, sizeof(info)), 0);
	CU_ASSERT_EQUAL(memcmp(proto_body(hdr()), &info, sizeof(info)), 0);
}

static void test_trace_start_round_trips(void)
{
	struct syd_trace_req t;

	memset(&t, 0, sizeof(t));
	t.count = 1;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), 0); /* every packet */
	t.count = SYD_TRACE_MAX;
	t.fields = SYD_TRACE_IN_PORT | SYD_TRACE_SRC | SYD_TRACE_DST | SYD_TRACE_IP_SRC |
		   SYD_TRACE_IP_DST;
	strcpy(t.in_port, "vm1");
	t.src[0] = 2;
	t.ip_dst = 0x0100000a;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_TRACE_START, &t, sizeof(t)), 0);
	CU_ASSERT_EQUAL(memcmp(proto_body(hdr()), &t, sizeof(t)), 0);
}

static void test_event_link_round_trips(void)
{
	struct syd_event_link ev;

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.port, "vm1");
	ev.up = 1;
	proto_begin(&b, SYD_MSG_EVENT_LINK, 0);
	proto_append(&b, &ev, sizeof(ev));
	CU_ASSERT_EQUAL(check(), 0);
	CU_ASSERT_EQUAL(hdr()->xid, 0);
	CU_ASSERT_STRING_EQUAL(((const struct syd_event_link *)proto_body(hdr()))->port, "vm1");
	ev.up = 0;
	CU_ASSERT_EQUAL(check_msg(SYD_MSG_EVENT_LINK, &ev, sizeof(ev)), 0);
}

/* ---- builders' limits ----------------------------------------------------------- */

static void test_batch_add_stops_at_max(void)
{
	struct syd_op op = good_op(SYD_OP_MAC_FLUSH);
	size_t len;
	unsigned int i;

	proto_begin(&b, SYD_MSG_BATCH, 1);
	for (i = 0; i < SYD_PROTO_BATCH_MAX; i++)
		CU_ASSERT_EQUAL_FATAL(proto_batch_add(&b, &op), 0);
	len = b.len;
	CU_ASSERT_EQUAL(proto_batch_add(&b, &op), -E2BIG);
	CU_ASSERT_EQUAL(b.len, len); /* nothing appended */
	CU_ASSERT_EQUAL(((const struct syd_batch *)proto_body(hdr()))->count, SYD_PROTO_BATCH_MAX);
	CU_ASSERT_EQUAL(check(), 0);
}

static void test_append_stops_at_msg_max(void)
{
	static uint8_t chunk[64 * 1024];

	proto_begin(&b, SYD_MSG_PORTS, 1);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), 0);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk)), -EMSGSIZE);
	CU_ASSERT_EQUAL(b.len, 16 + 3 * sizeof(chunk));			 /* nothing appended */
	CU_ASSERT_EQUAL(proto_append(&b, chunk, sizeof(chunk) - 16), 0); /* exactly the limit */
	CU_ASSERT_EQUAL(b.len, SYD_PROTO_MSG_MAX);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, 1), -EMSGSIZE);
	CU_ASSERT_EQUAL(proto_append(&b, chunk, 0), 0);
}

/*
 * A size so large that len + n wraps must still be -EMSGSIZE.  Run in a child: if the
 * check wraps, proto_append() copies "n" bytes and the child dies, not the suite.
 */
static void test_append_huge_size_is_emsgsize(void)
{
	int status = 0;
	pid_t pid;

	proto_begin(&b, SYD_MSG_PORTS, 1);
	fflush(NULL);
	pid = fork();
	CU_ASSERT_FATAL(pid >= 0);
	if (pid == 0) {
		static uint8_t byte;
		int fd = open("/dev/null", O_WRONLY);

		if (fd >= 0)
			dup2(fd, 2); /* the sanitizer's report would only confuse the output */
		_exit(proto_append(&b, &byte, SIZE_MAX - b.len + 1) == -EMSGSIZE ? 0 : 1);
	}
	CU_ASSERT_EQUAL(waitpid(pid, &status, 0), pid);
	CU_ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_set_str_pads_and_refuses_long(void)
{
	char field[8];

	memset(field, 'z', sizeof(field));
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), "ab"), 0);
	CU_ASSERT_EQUAL(memcmp(field, "ab\0\0\0\0\0\0", 8), 0);
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), "1234567"), 0);
	CU_ASSERT_STRING_EQUAL(field, "1234567");
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), "12345678"), -ENAMETOOLONG);
	CU_ASSERT_STRING_EQUAL(field, "1234567"); /* untouched */
	CU_ASSERT_EQUAL(proto_set_str(field, sizeof(field), ""), 0);
	CU_ASSERT_EQUAL(field[0], '\0');
}

static void test_port_kind_parse_and_name_round_trip(void)
{
	static const char *const names[] = {"vhost-server", "vhost-client", "af_packet", "tap"};
	unsigned int k;

	for (k = 1; k < SYD_PORT_KIND_MAX; k++) {
		CU_ASSERT_STRING_EQUAL(proto_port_kind_name(k), names[k - 1]);
		CU_ASSERT_EQUAL(proto_port_kind_parse(proto_port_kind_name(k)), k);
	}
	CU_ASSERT_EQUAL(proto_port_kind_parse("vhost"), 0);
	CU_ASSERT_EQUAL(proto_port_kind_parse(""), 0);
	CU_ASSERT_EQUAL(proto_port_kind_parse("TAP"), 0);
	CU_ASSERT_EQUAL(proto_port_kind_parse("unknown"), 0);
	CU_ASSERT_STRING_EQUAL(proto_port_kind_name(0), "unknown");
	CU_ASSERT_STRING_EQUAL(proto_port_kind_name(SYD_PORT_KIND_MAX), "unknown");
}

static void test_name_ok_rules(void)
{
	char f[SYD_PROTO_NAME_LEN];
	unsigned int i;

	memset(f, 0, sizeof(f));
	strcpy(f, "ok_Name-1");
	CU_ASSERT_TRUE(proto_name_ok(f, sizeof(f)));
	strcpy(f, "a");
	CU_ASSERT_TRUE(proto_name_ok(f, sizeof(f)));
	strcpy(f, "abcdefghijklmnopqrstuvwx"); /* 24 */
	CU_ASSERT_TRUE(proto_name_ok(f, sizeof(f)));
	for (i = 0; i < ARRAY_LEN(bad_names); i++) {
		memset(f, 0, sizeof(f));
		strcpy(f, bad_names[i]);
		CU_ASSERT_FALSE(proto_name_ok(f, sizeof(f)));
	}
	memset(f, 'a', sizeof(f)); /* unterminated */
	CU_ASSERT_FALSE(proto_name_ok(f, sizeof(f)));
	CU_ASSERT_FALSE(proto_name_ok("abcd", 4)); /* the NUL must be inside the field */
	CU_ASSERT_TRUE(proto_name_ok("abc", 4));
}

#define TEST(name)                                                                                 \
	{                                                                                          \
#name, test_##name                                                                 \
	}

int main(void)
{
	static const struct unit_test tests[] = {
		TEST(begin_writes_version_type_xid),
		TEST(begin_reuses_buffer),
		TEST(empty_body_types_round_trip),
		TEST(hello_round_trips),
		TEST(error_round_trips),
		TEST(error_builder_turns_bad_code_into_einval),
		TEST(error_builder_truncates_long_text),
		TEST(empty_batch_is_valid),
		TEST(batch_of_every_op_round_trips),
		TEST(batch_survives_buffer_growth),
		TEST(port_add_of_every_kind_round_trips),
		TEST(dump_entries_round_trip),
		TEST(info_round_trips),
		TEST(trace_start_round_trips),
		TEST(event_link_round_trips),
		TEST(batch_add_stops_at_max),
		TEST(append_stops_at_msg_max),
		TEST(append_huge_size_is_emsgsize),
		TEST(set_str_pads_and_refuses_long),
		TEST(port_kind_parse_and_name_round_trip),
		TEST(name_ok_rules),
	};
	int ret = run_suite("proto", tests, ARRAY_LEN(tests));

	proto_buf_free(&b);
	return ret;
}
